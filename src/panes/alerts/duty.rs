//! The night-duty view (`D` in the console, `yunwei duty`): what one engineer watching the
//! whole fleet must not miss, readable from across the room. Four figures in large digits
//! (hosts down, critical alerts, failing backups, open P1 tickets with the nearest SLA due),
//! then the critical alerts, the newest first with their age, then the silences in force. When
//! all is well the screen is calm: the time, one line that says so, nothing else. A new
//! critical alert rings the terminal's bell and flashes the screen for a second (each can be
//! switched off in `[duty]`).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use yunwei_widgets::width::{truncate, width};

use crate::alerts::{Alert, AlertKey, Metric, Source};
use crate::health::Level;
use crate::i18n::{tr, Lang};
use crate::ui::Ctx;

/// How long the screen flashes for a new critical alert.
pub const FLASH_FOR: Duration = Duration::from_millis(1200);

/// The figures the view shows, worked out from the alert stream and the ticket queue.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub hosts_down: usize,
    pub critical: usize,
    pub backups_failing: usize,
    pub p1_open: usize,
    /// The nearest SLA due time of an open P1 ticket (Unix seconds), and the ticket's number.
    pub p1_next_due: Option<(i64, String)>,
    /// Warnings that ask for attention (shown small).
    pub warnings: usize,
}

impl Figures {
    /// Nothing that asks for the engineer: no host down, no critical alert, no P1 ticket.
    pub fn calm(&self) -> bool {
        self.hosts_down == 0 && self.critical == 0 && self.backups_failing == 0 && self.p1_open == 0
    }
}

/// The alerts that ask for attention at `now` (open or acknowledged, not snoozed or silenced).
pub fn attention<'a>(ctx: &'a Ctx) -> impl Iterator<Item = &'a Alert> + 'a {
    let now = ctx.now.timestamp();
    ctx.alerts.iter().filter(move |a| a.state(now, &ctx.silences).wants_attention())
}

/// The figures of the stream; the P1 part is filled in by the caller from the queue.
pub fn figures(ctx: &Ctx) -> Figures {
    let mut f = Figures::default();
    for a in attention(ctx) {
        if let AlertKey::Health { metric: Metric::Unreachable, .. } = &a.key {
            f.hosts_down += 1;
        }
        if a.level == Level::Crit {
            f.critical += 1;
            if a.key.source() == Source::Backup {
                f.backups_failing += 1;
            }
        } else {
            f.warnings += 1;
        }
    }
    f
}

/// The view's own state: whether it is shown, which critical alerts it has seen, and the bell
/// and flash of a new one.
#[derive(Debug, Default)]
pub struct Duty {
    pub on: bool,
    pub bell_enabled: bool,
    pub flash_enabled: bool,
    seen: HashSet<i64>,
    primed: bool,
    /// A bell to ring after the next frame.
    pub bell: bool,
    /// The handover form: the outgoing engineer's notes, typed here (`H`).
    pub form: Option<crate::ui::line::LineEdit>,
    pub flash_until: Option<Instant>,
}

impl Duty {
    pub fn new(bell: bool, flash: bool) -> Duty {
        Duty { bell_enabled: bell, flash_enabled: flash, ..Default::default() }
    }

    /// The stream changed: a critical alert not seen before, asking for attention, rings and
    /// flashes (while the view is shown). The first list after start only primes what was seen.
    pub fn on_alerts(&mut self, ctx: &Ctx) {
        let crit: Vec<i64> = attention(ctx).filter(|a| a.level == Level::Crit).map(|a| a.id).collect();
        let new = crit.iter().any(|id| !self.seen.contains(id));
        self.seen.extend(crit);
        if !self.primed {
            self.primed = true;
            return;
        }
        if new && self.on {
            self.bell |= self.bell_enabled;
            if self.flash_enabled {
                self.flash_until = Some(Instant::now() + FLASH_FOR);
            }
        }
    }

    pub fn flashing(&self) -> bool {
        self.flash_until.is_some_and(|t| Instant::now() < t)
    }

    /// The bell to ring, once.
    pub fn take_bell(&mut self) -> bool {
        std::mem::take(&mut self.bell)
    }
}

/// Large digits, five rows tall, three cells wide (a one-cell gap between two).
const DIGITS: [[&str; 5]; 10] = [
    ["███", "█ █", "█ █", "█ █", "███"],
    ["  █", "  █", "  █", "  █", "  █"],
    ["███", "  █", "███", "█  ", "███"],
    ["███", "  █", "███", "  █", "███"],
    ["█ █", "█ █", "███", "  █", "  █"],
    ["███", "█  ", "███", "  █", "███"],
    ["███", "█  ", "███", "█ █", "███"],
    ["███", "  █", "  █", "  █", "  █"],
    ["███", "█ █", "███", "█ █", "███"],
    ["███", "█ █", "███", "  █", "███"],
];

/// A number in large digits (99+ above 99), five lines; `#` for `█` in ASCII mode.
pub fn big_number(n: usize, ascii: bool) -> [String; 5] {
    let text = if n > 99 { "99".to_string() } else { n.to_string() };
    let mut rows: [String; 5] = Default::default();
    for (i, c) in text.chars().enumerate() {
        let d = c.to_digit(10).unwrap_or(0) as usize;
        for (r, row) in rows.iter_mut().enumerate() {
            if i > 0 {
                row.push(' ');
            }
            row.push_str(DIGITS[d][r]);
        }
    }
    if n > 99 {
        rows[2].push_str(" +");
    }
    if ascii {
        for row in &mut rows {
            *row = row.replace('█', "#");
        }
    }
    rows
}

fn clean(s: &str) -> String {
    crate::text::escape_unprintable(s).into_owned()
}

/// A countdown to `due` from `now`: `0:42` (hours:minutes), `-0:05` when past.
pub fn countdown(due: i64, now: i64) -> String {
    let left = due - now;
    let a = left.unsigned_abs() / 60;
    let sign = if left < 0 { "-" } else { "" };
    format!("{sign}{}:{:02}", a / 60, a % 60)
}

/// An age in short words to the minute (`<1m`, `3m`, `2h 5m`, `1d 2h`): the screen changes
/// once a minute, not with every frame.
fn age(secs: i64, lang: Lang) -> String {
    if secs < 60 {
        return tr(lang, "<1m", "<1分");
    }
    crate::backup_words::span(secs / 60 * 60, lang)
}

pub fn render(f: &mut Frame<'_>, area: Rect, ctx: &Ctx, figs: &Figures, flashing: bool) {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let now = ctx.now.timestamp();
    let base = if flashing { roles.crit.add_modifier(Modifier::REVERSED) } else { Style::default() };
    f.render_widget(Block::default().style(base), area);
    if area.height < 3 || area.width < 16 {
        return;
    }
    // The top line: what this is, the time.
    let clock = ctx.now.format("%Y-%m-%d %H:%M").to_string();
    let title = tr(lang, " yunwei · night duty", " 运维台 · 值班");
    let [top, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let gap = (top.width as usize).saturating_sub(width(&title) + width(&clock) + 1);
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(title, roles.title),
            Span::raw(" ".repeat(gap)),
            Span::styled(clock.clone(), roles.muted),
        ])),
        top,
    );
    let silences: Vec<_> = ctx.silences.iter().filter(|s| s.active(now)).collect();
    if figs.calm() {
        let mut lines = vec![Line::raw(""); (body.height as usize / 2).saturating_sub(2)];
        let quiet = tr(lang, "All quiet", "一切正常");
        let detail = tr(
            lang,
            format!("no host down · no critical alert · {} warning(s)", figs.warnings),
            format!("无主机宕机 · 无严重告警 · {} 条警告", figs.warnings),
        );
        lines.push(Line::styled(quiet, roles.ok.add_modifier(Modifier::BOLD)).centered());
        lines.push(Line::styled(detail, roles.muted).centered());
        for s in &silences {
            lines.push(Line::raw(""));
            lines.push(
                Line::styled(clean(&crate::panes::alerts::view::silence_words(s, ctx)), roles.muted)
                    .centered(),
            );
        }
        f.render_widget(Paragraph::new(lines), body);
        return;
    }
    let big = body.height >= 18 && body.width >= 60;
    let tiles_h = if big { 9 } else { 3 };
    let [tiles, list] = Layout::vertical([Constraint::Length(tiles_h), Constraint::Min(1)]).areas(body);
    let due = figs.p1_next_due.as_ref().map(|(t, n)| (countdown(*t, now), clean(n)));
    let short = body.width < 60;
    let label = |long_en: &str, long_zh: &str, short_en: &str, short_zh: &str| {
        if short {
            tr(lang, short_en, short_zh)
        } else {
            tr(lang, long_en, long_zh)
        }
    };
    let p1_sub: Vec<String> = match due {
        Some((c, n)) => vec![n, tr(lang, format!("due in {c}"), format!("剩余 {c}"))],
        None => Vec::new(),
    };
    let tile_defs: [(String, usize, Vec<String>); 4] = [
        (label("hosts down", "主机宕机", "down", "宕机"), figs.hosts_down, Vec::new()),
        (label("critical alerts", "严重告警", "crit", "严重"), figs.critical, Vec::new()),
        (label("failing backups", "备份失败", "backup", "备份"), figs.backups_failing, Vec::new()),
        (label("P1 tickets", "P1 工单", "P1", "P1"), figs.p1_open, p1_sub),
    ];
    let cols = Layout::horizontal([Constraint::Ratio(1, 4); 4]).split(tiles);
    for ((label, n, sub), area) in tile_defs.iter().zip(cols.iter()) {
        let style = if *n > 0 { roles.crit.add_modifier(Modifier::BOLD) } else { roles.ok };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(if *n > 0 { roles.crit } else { roles.border })
            .title(Span::styled(truncate(label, (area.width as usize).saturating_sub(2), "…"), roles.title));
        let inner = block.inner(*area);
        f.render_widget(block, *area);
        let mut lines: Vec<Line<'static>> = Vec::new();
        if big {
            for row in big_number(*n, ctx.ascii) {
                lines.push(Line::styled(row, style).centered());
            }
        } else {
            lines.push(Line::styled(n.to_string(), style).centered());
        }
        let room = (inner.height as usize).saturating_sub(lines.len());
        for s in sub.iter().take(room) {
            lines.push(Line::styled(truncate(s, inner.width as usize, "…"), roles.warn).centered());
        }
        f.render_widget(Paragraph::new(lines), inner);
    }
    // The critical alerts, the newest first, with their age; then the silences.
    let mut crit: Vec<&Alert> = attention(ctx).filter(|a| a.level == Level::Crit).collect();
    crit.sort_by(|a, b| b.opened_at.cmp(&a.opened_at).then(b.id.cmp(&a.id)));
    let w = list.width as usize;
    let mut lines: Vec<Line<'static>> = Vec::new();
    for a in &crit {
        let when = age(now - a.opened_at, lang);
        let subject = match a.host.as_deref().or(a.key.host()) {
            Some(h) => clean(h),
            None => clean(&a.key.subject()),
        };
        let head = format!(" {}  {subject}  ", yunwei_widgets::width::pad_left(&when, 7));
        let rest = w.saturating_sub(width(&head));
        lines.push(Line::from(vec![
            Span::styled(head, roles.crit.add_modifier(Modifier::BOLD)),
            Span::styled(truncate(&clean(a.reason(lang)), rest, "…"), roles.text),
        ]));
    }
    let room = list.height as usize;
    let shown_silences = silences.len().min(2);
    if lines.len() + shown_silences > room {
        let keep = room.saturating_sub(shown_silences + 1);
        let more = lines.len() - keep;
        lines.truncate(keep);
        lines.push(Line::styled(
            tr(lang, format!(" … and {more} more"), format!(" … 另有 {more} 条")),
            roles.muted,
        ));
    }
    for s in silences.iter().take(shown_silences) {
        lines.push(Line::styled(
            truncate(&format!(" {}", crate::panes::alerts::view::silence_words(s, ctx)), w, "…"),
            roles.warn,
        ));
    }
    f.render_widget(Paragraph::new(lines), list);
}
