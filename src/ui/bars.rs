//! The tab bar at the top and the status bar (key hints, messages, open alerts, the clock) at
//! the bottom.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::Frame;
use yunwei_widgets::width::{truncate, truncate_line, width};
use yunwei_widgets::KeyHints;

use crate::i18n::Msg;
use crate::ui::Ctx;

/// A short message in the status bar, until the next key.
#[derive(Debug, Clone, PartialEq)]
pub struct Flash {
    pub text: String,
    pub error: bool,
}

pub fn render_tab_bar(f: &mut Frame<'_>, area: Rect, ctx: &Ctx, tabs: &[(Msg, bool)], summary: &str) {
    let roles = &ctx.theme.roles;
    let total = usize::from(area.width);
    let tab_spans = |short: bool| {
        let mut spans = vec![Span::styled(format!(" {} ", ctx.t(Msg::AppTitle)), roles.title)];
        for (i, (tab, active)) in tabs.iter().enumerate() {
            let style = if *active { roles.tab_active } else { roles.tab_inactive };
            let name = if short { ctx.t(short_tab(*tab)) } else { ctx.t(*tab) };
            spans.push(Span::styled(format!(" {} {name} ", i + 1), style));
        }
        spans
    };
    let mut right = vec![];
    if ctx.host_keys_unverified {
        right.push(Span::styled(format!(" {} ", ctx.t(Msg::HostKeysUnverified)), roles.error));
        right.push(Span::raw(" "));
    }
    if ctx.demo {
        right.push(Span::styled(format!(" {} ", ctx.t(Msg::Demo)), roles.demo));
        right.push(Span::raw(" "));
    }
    if ctx.db_read_only.is_some() {
        right.push(Span::styled(format!(" {} ", ctx.t(Msg::DbReadOnlyBadge)), roles.warn));
        right.push(Span::raw(" "));
    }
    right.push(Span::styled(summary.to_string(), roles.muted));
    let right_w: usize = right.iter().map(|s| width(&s.content)).sum();
    // The long names while they fit beside the badges (the summary may go), the short ones
    // after.
    let badges_w = right_w - width(summary);
    let mut spans = tab_spans(false);
    if spans.iter().map(|s| width(&s.content)).sum::<usize>() + badges_w + 2 > total {
        spans = tab_spans(true);
    }
    let left_w: usize = spans.iter().map(|s| width(&s.content)).sum();
    let mut right_w = right_w;
    if left_w + right_w >= total && left_w + badges_w < total {
        right.pop();
        right_w = badges_w;
    }
    if left_w + right_w < total {
        spans.push(Span::raw(" ".repeat(total - left_w - right_w)));
        spans.extend(right);
    } else if ctx.host_keys_unverified {
        // The warning wins over the tabs when space is short.
        let warn = format!(" {} ", ctx.t(Msg::HostKeysUnverifiedShort));
        keep_within(&mut spans, total.saturating_sub(width(&warn) + 1));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(warn, roles.error));
    } else if ctx.db_read_only.is_some() {
        // So does the read-only badge: what the user does here is not recorded.
        let badge = format!(" {} ", ctx.t(Msg::DbReadOnlyBadge));
        keep_within(&mut spans, total.saturating_sub(width(&badge) + 1));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(badge, roles.warn));
    } else if ctx.demo && left_w + 8 <= total {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(format!(" {} ", ctx.t(Msg::Demo)), roles.demo));
    }
    // Too narrow even for the tabs: the name goes, then the last tab is cut with a mark.
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    if used > total && spans.len() > 1 {
        spans.remove(0);
    }
    let line = truncate_line(Line::from(spans), total, ctx.ellipsis());
    f.render_widget(line, area);
}

/// A tab's name where the long ones do not fit.
fn short_tab(tab: Msg) -> Msg {
    match tab {
        Msg::PaneFleet => Msg::TabFleetShort,
        Msg::PaneDivcodes => Msg::TabDivcodesShort,
        other => other,
    }
}

/// Keeps the app's name and the tabs that fit in `keep` columns: the name goes first, since a
/// tab is a pane the user can reach and the name is only a name.
fn keep_within(spans: &mut Vec<Span<'_>>, keep: usize) {
    let total: usize = spans.iter().map(|s| width(&s.content)).sum();
    if total > keep && spans.len() > 1 {
        spans.remove(0);
    }
    let mut used = 0;
    spans.retain(|s| {
        used += width(&s.content);
        used <= keep
    });
}

pub fn render_status_bar(
    f: &mut Frame<'_>,
    area: Rect,
    ctx: &Ctx,
    hints: Vec<(String, String)>,
    flash: Option<&Flash>,
    open_alerts: usize,
) {
    let roles = &ctx.theme.roles;
    f.render_widget(ratatui::widgets::Block::default().style(roles.status_bar), area);
    let clock = ctx.now.format("%H:%M").to_string();
    let alerts = crate::i18n::count(open_alerts, Msg::CountAlertsOne, Msg::CountAlertsMany, ctx.lang);
    let alert_style = if open_alerts > 0 { roles.crit } else { roles.muted };
    // A space before the count keeps it apart from hints cut at the edge.
    let right_w = (1 + width(&alerts) + 1 + width(&clock) + 2) as u16;
    let (left, right) = if area.width > right_w + 10 {
        (
            Rect { width: area.width - right_w, ..area },
            Some(Rect { x: area.x + area.width - right_w, width: right_w, ..area }),
        )
    } else {
        (area, None)
    };
    match flash {
        Some(fl) => {
            let style = if fl.error { roles.error } else { roles.accent };
            let text = truncate(&fl.text, usize::from(left.width), ctx.ellipsis());
            f.render_widget(Span::styled(text, style), left);
        }
        None => {
            let widget = KeyHints::new(hints).styles(roles.hint_key, roles.hint_label);
            f.render_widget(&widget, Rect { x: left.x + 1, width: left.width.saturating_sub(1), ..left });
        }
    }
    if let Some(r) = right {
        let line = Line::from(vec![
            Span::raw(" "),
            Span::styled(alerts, alert_style),
            Span::raw(" "),
            Span::styled(clock, Style::default().patch(roles.status_bar)),
        ]);
        f.render_widget(line, r);
    }
}
