//! Drawing the Alerts pane: the silences in force as a banner, a line of counts, the alerts
//! one per line (columns give way from the right on a narrow terminal: the reason, the
//! source, the state; the severity and the subject stay), the selected alert in full with its
//! episodes, and the prompt of an act.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use yunwei_widgets::width::{pad_right, truncate, truncate_line, width};

use super::{AlertsPane, Ask};
use crate::alert_words::{self, lasted, state as state_words};
use crate::alerts::{Alert, AlertState, Silence};
use crate::health::Level;
use crate::i18n::{tr, Lang};
use crate::ui::Ctx;

fn clean(s: &str) -> String {
    crate::text::escape_unprintable(s).into_owned()
}

fn severity_style(level: Level, ctx: &Ctx) -> Style {
    match level {
        Level::Crit => ctx.theme.roles.crit,
        _ => ctx.theme.roles.warn,
    }
}

/// The severity with a mark that tells it without colour.
fn severity(level: Level, lang: Lang) -> String {
    let mark = if level == Level::Crit { "!" } else { "~" };
    format!("{mark} {}", alert_words::severity(level, lang))
}

/// A time in the console's clock, to the minute; the date only when it is not today.
fn when(t: i64, ctx: &Ctx) -> String {
    let offset = *ctx.now.offset();
    let Some(d) = chrono::DateTime::from_timestamp(t, 0).map(|d| d.with_timezone(&offset)) else {
        return t.to_string();
    };
    if d.date_naive() == ctx.now.date_naive() {
        d.format("%H:%M").to_string()
    } else {
        d.format("%m-%d %H:%M").to_string()
    }
}

/// One silence in words, for the banner.
pub fn silence_words(s: &Silence, ctx: &Ctx) -> String {
    let lang = ctx.lang;
    let (what, target, until, by, why) = (
        alert_words::scope(s.scope, lang),
        clean(&s.target),
        when(s.until, ctx),
        clean(&s.created_by),
        clean(&s.reason),
    );
    tr(
        lang,
        format!("silenced: {what} {target} until {until} ({by}: {why})"),
        format!("静默中：{what} {target}，至 {until}（{by}：{why}）"),
    )
}

/// Draws the pane; gives how many rows the list shows (its page).
pub fn render(pane: &mut AlertsPane, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) -> usize {
    let roles = &ctx.theme.roles;
    if area.height < 2 || area.width < 10 {
        return 1;
    }
    let now = ctx.now.timestamp();
    let silences: Vec<&Silence> = ctx.silences.iter().filter(|s| s.active(now)).collect();
    let banner_h = silences.len().min(2) as u16;
    let listed = pane.rows(ctx).len();
    let detail_h = if area.height >= 16 && listed > 0 { (area.height / 3).max(7) } else { 0 };
    let prompt_h = u16::from(pane.prompt.is_some());
    let [banner, summary, list, detail, prompt] = Layout::vertical([
        Constraint::Length(banner_h),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(detail_h),
        Constraint::Length(prompt_h),
    ])
    .areas(area);
    if banner_h > 0 {
        let w = banner.width as usize;
        let mut lines: Vec<Line<'static>> = silences
            .iter()
            .take(usize::from(banner_h))
            .map(|s| {
                Line::styled(
                    truncate(&silence_words(s, ctx), w, ctx.ellipsis()),
                    roles.warn.add_modifier(Modifier::REVERSED),
                )
            })
            .collect();
        if silences.len() > 2 {
            let more = tr(
                ctx.lang,
                format!("  (+{} more)", silences.len() - 1),
                format!("（另有 {} 个）", silences.len() - 1),
            );
            if let Some(last) = lines.last_mut() {
                *last = Line::styled(
                    truncate(&(silence_words(silences[1], ctx) + &more), w, ctx.ellipsis()),
                    roles.warn.add_modifier(Modifier::REVERSED),
                );
            }
        }
        f.render_widget(Paragraph::new(lines), banner);
    }
    let rows = pane.rows(ctx);
    f.render_widget(Paragraph::new(summary_line(pane, &rows, ctx)), summary);
    let page = if rows.is_empty() {
        let text = if pane.history {
            tr(ctx.lang, "No alerts on record.", "没有告警记录。")
        } else {
            tr(ctx.lang, "No open alerts: all is well.", "没有未恢复的告警：一切正常。")
        };
        f.render_widget(Paragraph::new(text).style(roles.ok).wrap(Wrap { trim: true }), list);
        1
    } else {
        render_list(pane, &rows, f, list, ctx)
    };
    if detail_h > 0 {
        if let Some(a) = pane.selected_alert(ctx) {
            render_detail(pane, a, f, detail, ctx);
        }
    }
    drop(rows);
    if prompt_h > 0 {
        render_prompt(pane, f, prompt, ctx);
    }
    page
}

fn summary_line(pane: &AlertsPane, rows: &[&Alert], ctx: &Ctx) -> Line<'static> {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let now = ctx.now.timestamp();
    let title = if pane.history {
        tr(lang, format!("{} on record", rows.len()), format!("记录 {} 条", rows.len()))
    } else {
        tr(lang, format!("{} alerts", rows.len()), format!("{} 条告警", rows.len()))
    };
    let mut spans = vec![Span::styled(title, roles.title)];
    let crit = rows
        .iter()
        .filter(|a| a.level == Level::Crit && a.state(now, &ctx.silences).wants_attention())
        .count();
    if crit > 0 {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(tr(lang, format!("{crit} critical"), format!("严重 {crit}")), roles.crit));
    }
    for s in [
        AlertState::Open,
        AlertState::Acknowledged,
        AlertState::Snoozed,
        AlertState::Silenced,
        AlertState::Cleared,
    ] {
        let n = rows.iter().filter(|a| a.state(now, &ctx.silences) == s).count();
        if n > 0 {
            spans.push(Span::raw("  "));
            spans.push(Span::styled(format!("{n} {}", state_words(s, lang)), roles.muted));
        }
    }
    truncate_line(Line::from(spans), usize::from(u16::MAX), "…")
}

/// The widths of the columns that fit in `w`, besides the severity and the subject.
struct Cols {
    state: usize,
    source: usize,
    subject: usize,
    lasted: usize,
    reason: bool,
}

fn columns(w: usize, lang: Lang) -> Cols {
    let sev = 7;
    let state = match lang {
        Lang::En => 13,
        Lang::ZhCn => 7,
    };
    let subject = if w >= 110 {
        34
    } else if w >= 90 {
        28
    } else {
        22
    };
    let mut c = Cols { state: 0, source: 0, subject, lasted: 8, reason: false };
    if w < sev + c.subject + c.lasted {
        c.lasted = 0;
        c.subject = w.saturating_sub(sev).max(4);
        return c;
    }
    let mut used = sev + c.subject + c.lasted;
    if used + state <= w {
        c.state = state;
        used += state;
    }
    if used + 7 + 12 <= w {
        c.source = 7;
        used += 7;
    }
    c.reason = used + 10 <= w;
    c
}

fn render_list(pane: &AlertsPane, rows: &[&Alert], f: &mut Frame<'_>, area: Rect, ctx: &Ctx) -> usize {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let w = area.width as usize;
    let cols = columns(w, lang);
    let now = ctx.now.timestamp();
    let height = area.height as usize;
    let selected = pane.selected.min(rows.len().saturating_sub(1));
    let top = (selected + 1).saturating_sub(height);
    let mut lines = Vec::new();
    for (i, a) in rows.iter().enumerate().skip(top).take(height) {
        let state = a.state(now, &ctx.silences);
        let away = !state.wants_attention();
        let text_style = if away { roles.muted } else { roles.text };
        let sev_style =
            if away { roles.muted } else { severity_style(a.level, ctx).add_modifier(Modifier::BOLD) };
        let mut spans = vec![Span::styled(pad_right(&severity(a.level, lang), 7), sev_style)];
        if cols.state > 0 {
            spans.push(Span::styled(pad_right(state_words(state, lang), cols.state), text_style));
        }
        if cols.source > 0 {
            spans.push(Span::styled(pad_right(a.key.source().as_str(), cols.source), roles.muted));
        }
        spans.push(Span::styled(
            pad_right(
                &truncate(&clean(&subject(a)), cols.subject.saturating_sub(1), ctx.ellipsis()),
                cols.subject,
            ),
            text_style,
        ));
        if cols.lasted > 0 {
            let d = lasted(a.opened_at, a.cleared_at.unwrap_or(now), lang);
            spans.push(Span::styled(pad_right(&d, cols.lasted), roles.muted));
        }
        if cols.reason {
            let used: usize = spans.iter().map(|s| width(&s.content)).sum();
            spans.push(Span::styled(
                truncate(&clean(a.reason(lang)), w.saturating_sub(used), ctx.ellipsis()),
                text_style,
            ));
        }
        let line = Line::from(spans);
        lines.push(if i == selected { line.patch_style(roles.selected) } else { line });
    }
    f.render_widget(Paragraph::new(lines), area);
    height.saturating_sub(1).max(1)
}

/// What the alert is about, as the list names it: the host and what of it, the job, the ticket.
fn subject(a: &Alert) -> String {
    match &a.key {
        crate::alerts::AlertKey::Health { host, metric, mount } if mount.is_empty() => {
            format!("{host} {metric}")
        }
        crate::alerts::AlertKey::Health { host, metric, mount } => format!("{host} {metric} {mount}"),
        other => {
            let s = other.subject();
            match a.host.as_deref() {
                Some(h) if !s.starts_with(h) => format!("{s} @{h}"),
                _ => s,
            }
        }
    }
}

fn render_detail(pane: &AlertsPane, a: &Alert, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let now = ctx.now.timestamp();
    let title = format!(" #{} {} ", a.id, clean(&a.key.to_string()));
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(roles.border)
        .title(Span::styled(title, roles.title));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let label = |en: &str, zh: &str| Span::styled(pad_right(&tr(lang, en, zh), 10), roles.muted);
    let state = a.state(now, &ctx.silences);
    let mut lines = vec![Line::from(vec![
        label("state", "状态"),
        Span::styled(
            format!("{}  {}", severity(a.level, lang), state_words(state, lang)),
            severity_style(a.level, ctx),
        ),
        Span::styled(
            tr(
                lang,
                format!(
                    "  since {} ({})",
                    when(a.opened_at, ctx),
                    lasted(a.opened_at, a.cleared_at.unwrap_or(now), lang)
                ),
                format!(
                    "  自 {}（{}）",
                    when(a.opened_at, ctx),
                    lasted(a.opened_at, a.cleared_at.unwrap_or(now), lang)
                ),
            ),
            roles.muted,
        ),
    ])];
    lines.push(Line::from(vec![label("reason", "原因"), Span::styled(clean(a.reason(lang)), roles.text)]));
    if let Some(host) = a.host.as_deref().or(a.key.host()) {
        lines.push(Line::from(vec![label("host", "主机"), Span::styled(clean(host), roles.text)]));
    }
    if let (Some(at), Some(by)) = (a.acked_at, &a.acked_by) {
        let note = a.note.as_deref().map(|n| format!(": {}", clean(n))).unwrap_or_default();
        lines.push(Line::from(vec![
            label("acked", "确认"),
            Span::styled(format!("{} {}{note}", clean(by), when(at, ctx)), roles.text),
        ]));
    }
    if let (Some(until), Some(by)) = (a.snoozed_until.filter(|t| *t > now), &a.snoozed_by) {
        lines.push(Line::from(vec![
            label("snoozed", "暂缓"),
            Span::styled(
                tr(
                    lang,
                    format!("until {} by {}", when(until, ctx), clean(by)),
                    format!("至 {}，由 {}", when(until, ctx), clean(by)),
                ),
                roles.muted,
            ),
        ]));
    }
    for s in ctx.silences.iter().filter(|s| s.active(now) && s.covers(a)) {
        lines.push(Line::from(vec![
            label("silence", "静默"),
            Span::styled(silence_words(s, ctx), roles.warn),
        ]));
    }
    if let Some(at) = a.cleared_at {
        lines.push(Line::from(vec![label("cleared", "恢复"), Span::styled(when(at, ctx), roles.ok)]));
    }
    match &pane.episodes {
        Some((key, rows)) if *key == a.key => {
            lines.push(Line::from(vec![
                label("episodes", "历次"),
                Span::styled(
                    tr(lang, format!("{} on record", rows.len()), format!("共 {} 次", rows.len())),
                    roles.muted,
                ),
            ]));
            for e in rows {
                let end = e.cleared_at.map(|t| when(t, ctx)).unwrap_or_else(|| tr(lang, "open", "未恢复"));
                let by = e.acked_by.as_deref().map(|b| format!("  {}", clean(b))).unwrap_or_default();
                lines.push(Line::from(vec![
                    Span::raw(" ".repeat(10)),
                    Span::styled(
                        format!(
                            "#{} {} → {end} ({}){by}",
                            e.id,
                            when(e.opened_at, ctx),
                            lasted(e.opened_at, e.cleared_at.unwrap_or(now), lang)
                        ),
                        roles.muted,
                    ),
                ]));
            }
        }
        _ => lines.push(Line::styled(tr(lang, "enter: its episodes", "回车：查看历次发生"), roles.muted)),
    }
    let w = inner.width as usize;
    let lines: Vec<Line<'static>> = lines.into_iter().map(|l| truncate_line(l, w, "…")).collect();
    f.render_widget(Paragraph::new(lines), inner);
}

fn render_prompt(pane: &mut AlertsPane, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let Some(p) = &mut pane.prompt else { return };
    let label = match &p.ask {
        Ask::Note { id } => tr(lang, format!("acknowledge #{id}, note: "), format!("确认 #{id}，说明：")),
        Ask::Snooze { id } => tr(lang, format!("snooze #{id} for: "), format!("暂缓 #{id} 时长：")),
        Ask::SilenceWhat => tr(lang, "silence (host/job/pattern NAME): ", "静默（host/job/pattern 名称）："),
        Ask::SilenceUntil { scope, target } => tr(
            lang,
            format!(
                "silence {} {} for (2h) or until (06:00): ",
                alert_words::scope(*scope, lang),
                clean(target)
            ),
            format!("静默 {} {} 时长（2h）或截止时间：", alert_words::scope(*scope, lang), clean(target)),
        ),
        Ask::SilenceWhy { until, .. } => tr(
            lang,
            format!("until {}; why: ", when(*until, ctx)),
            format!("至 {}；原因：", when(*until, ctx)),
        ),
    };
    p.line.render(f, area, &label, roles.hint_key, roles.input);
}

/// A shift handover over the console, as its console opens for the next engineer: the
/// Markdown as written, scrolled, with what the keys do.
pub fn render_handover(f: &mut Frame<'_>, area: Rect, ctx: &Ctx, text: &str, scroll: u16) {
    let roles = &ctx.theme.roles;
    let w = area.width.saturating_sub(4).clamp(20, 100);
    let h = area.height.saturating_sub(2).max(5);
    let popup = Rect {
        x: area.x + (area.width.saturating_sub(w)) / 2,
        y: area.y + (area.height.saturating_sub(h)) / 2,
        width: w.min(area.width),
        height: h.min(area.height),
    };
    yunwei_widgets::layout::clear_wide_overlap(f.buffer_mut(), popup);
    f.render_widget(ratatui::widgets::Clear, popup);
    let title = tr(
        ctx.lang,
        " Shift handover: a acknowledge, Esc later, ↑↓ scroll ",
        " 交接班：a 确认，Esc 稍后，↑↓ 滚动 ",
    );
    let block = ctx.fitted_block(title, popup.width).style(roles.text);
    let inner = block.inner(popup);
    f.render_widget(block, popup);
    let lines: Vec<Line<'static>> = text
        .lines()
        .map(|l| {
            let shown = clean(l);
            if l.starts_with('#') {
                Line::styled(shown, roles.title)
            } else {
                Line::styled(shown, roles.text)
            }
        })
        .collect();
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((scroll, 0)), inner);
}
