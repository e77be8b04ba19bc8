//! The help overlay: every key of the active keymap, grouped by where it applies, and the
//! commands of the `:` line. Built from the live keymap, so it is never out of date.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;
use yunwei_widgets::layout::centered;
use yunwei_widgets::width::{pad_right, width};

use crate::i18n::{action_label, Msg};
use crate::keymap::Scope;
use crate::ui::Ctx;

/// The lines of the overlay (also used by `yunwei --help-keys`-style listings and the tests).
pub fn help_lines(ctx: &Ctx) -> Vec<Line<'static>> {
    let roles = &ctx.theme.roles;
    let mut lines = Vec::new();
    let scopes = [
        (Scope::Global, Msg::HelpScopeGlobal),
        (Scope::Fleet, Msg::HelpScopeFleet),
        (Scope::Detail, Msg::HelpScopeDetail),
        (Scope::Logs, Msg::HelpScopeLogs),
        (Scope::Tickets, Msg::HelpScopeTickets),
        (Scope::Ticket, Msg::HelpScopeTicket),
        (Scope::Divcodes, Msg::HelpScopeDivcodes),
        (Scope::Backups, Msg::HelpScopeBackups),
        (Scope::Alerts, Msg::HelpScopeAlerts),
        (Scope::Network, Msg::HelpScopeNetwork),
        (Scope::Help, Msg::HelpScopeHelp),
    ];
    let key_w = 12;
    for (scope, title) in scopes {
        let bindings = ctx.keymap.bindings(scope);
        if bindings.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::styled(ctx.t(title).to_string(), roles.header));
        // One line per action, with all its keys.
        let mut actions: Vec<crate::action::Action> = Vec::new();
        for (_, a) in bindings {
            if !actions.contains(a) {
                actions.push(*a);
            }
        }
        for a in actions {
            let keys: Vec<String> =
                bindings.iter().filter(|(_, b)| *b == a).map(|(k, _)| k.to_string()).collect();
            lines.push(Line::from(vec![
                Span::styled(pad_right(&keys.join(" "), key_w), roles.hint_key),
                Span::raw(" "),
                Span::styled(action_label(a, ctx.lang).to_string(), roles.text),
            ]));
        }
    }
    lines.push(Line::default());
    lines.push(Line::styled(ctx.t(Msg::HelpCommands).to_string(), roles.header));
    for (cmd, msg) in [
        (":q", Msg::CmdQuit),
        (":theme NAME", Msg::CmdTheme),
        (":lang zh-CN|en", Msg::CmdLang),
        (":help", Msg::CmdHelp),
    ] {
        lines.push(Line::from(vec![
            Span::styled(pad_right(cmd, 16), roles.hint_key),
            Span::raw(" "),
            Span::styled(ctx.t(msg).to_string(), roles.text),
        ]));
    }
    lines
}

/// Draws the overlay; returns the largest useful scroll offset so the app can clamp.
pub fn render_help(f: &mut Frame<'_>, area: Rect, ctx: &Ctx, scroll: u16) -> u16 {
    let lines = help_lines(ctx);
    let content_w =
        lines.iter().map(|l| l.spans.iter().map(|s| width(&s.content)).sum::<usize>()).max().unwrap_or(20);
    let title = format!("{} ({})", ctx.t(Msg::Help), ctx.t(Msg::HelpClose));
    let w = (content_w.max(width(&title) + 4) + 4) as u16;
    let h = lines.len() as u16 + 2;
    let popup = centered(area, w, h);
    yunwei_widgets::layout::clear_wide_overlap(f.buffer_mut(), popup);
    f.render_widget(Clear, popup);
    let block = ctx.fitted_block(title, popup.width).style(ctx.theme.roles.text);
    let inner = block.inner(popup);
    f.render_widget(block, popup);
    let max_scroll = (lines.len() as u16).saturating_sub(inner.height);
    let scroll = scroll.min(max_scroll);
    if scroll < max_scroll {
        ctx.mark_more_below(f.buffer_mut(), popup);
    }
    f.render_widget(
        Paragraph::new(lines).scroll((scroll, 0)),
        Rect { x: inner.x + 1, width: inner.width.saturating_sub(1), ..inner },
    );
    max_scroll
}
