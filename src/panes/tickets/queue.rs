//! The queue: a line of filters and counts, then one row per ticket, most urgent first. The
//! columns that fit the terminal are chosen by priority; Chinese text is cut by display width.
//! A P1 is marked in every theme, also without colour: `‼` (ASCII `!!`) before it and the
//! theme's critical style (bold and reversed in `mono`).

use chrono::TimeZone;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;
use yunwei_widgets::width::{pad_right, truncate, width};

use super::messages::TicketMsg;
use super::{is_overdue, say, StatusFilter, TicketsPane};
use crate::i18n::Lang;
use crate::store::tickets::Ticket;
use crate::tickets::sla::{Clock, Clocks};
use crate::tickets::{Priority, Status};
use crate::ui::Ctx;

/// `at` as `YYYY-MM-DD HH:MM` in `offset` (the tickets' calendar, the offset their numbers
/// are dated in).
pub fn local(at: i64, offset: chrono::FixedOffset) -> String {
    offset.timestamp_opt(at, 0).single().map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
}

/// `secs` as `1d02h`, `3h05m` or `12m`.
pub fn span(secs: i64) -> String {
    let s = secs.max(0);
    let (d, h, m) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60);
    if d > 0 {
        format!("{d}d{h:02}h")
    } else if h > 0 {
        format!("{h}h{m:02}m")
    } else {
        format!("{}m", m.max(if s > 0 { 1 } else { 0 }))
    }
}

/// The clock a queue row shows: the running one (response while new), else the resolution.
pub fn shown_clock(c: &Clocks) -> &Clock {
    if c.response.running {
        &c.response
    } else {
        &c.resolution
    }
}

/// A clock's few words and their style: time left, overdue, paused, met or missed.
pub fn sla_cell(c: &Clocks, status: Status, now: i64, ctx: &Ctx) -> (String, Style) {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let k = shown_clock(c);
    if k.paused {
        return (TicketMsg::SlaPaused.text(lang).to_string(), roles.muted);
    }
    if !k.running {
        return match k.met {
            Some(true) => (TicketMsg::SlaMet.text(lang).to_string(), roles.ok),
            Some(false) => (TicketMsg::SlaMissed.text(lang).to_string(), roles.warn),
            None => (TicketMsg::SlaNone.text(lang).to_string(), roles.muted),
        };
    }
    let due = k.due.unwrap_or(now);
    if k.breached() || due <= now {
        return (say(TicketMsg::SlaOver, lang, &[("by", &span(now - due))]), roles.crit);
    }
    let left = span(due - now);
    let text = if status == Status::New && c.response.running {
        say(TicketMsg::SlaRespond, lang, &[("left", &left)])
    } else {
        say(TicketMsg::SlaResolve, lang, &[("left", &left)])
    };
    let style = if k.fraction() >= crate::tickets::alerts::WARN_AT { roles.warn } else { roles.ok };
    (text, style)
}

/// The priority's cell: P1 with its mark and the critical style, P2 in the warning style.
pub fn priority_cell(p: Priority, ctx: &Ctx) -> (String, Style) {
    let roles = &ctx.theme.roles;
    match p {
        Priority::P1 => {
            let mark = if ctx.ascii { "!!" } else { "‼" };
            (format!("{mark}P1"), roles.crit.add_modifier(Modifier::BOLD))
        }
        Priority::P2 => (format!("  {p}"), roles.warn),
        _ => (format!("  {p}"), roles.text),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Col {
    Priority,
    Number,
    Status,
    Sla,
    Category,
    Unit,
    Caller,
    Assignee,
    Summary,
}

impl Col {
    const ALL: [Col; 9] = [
        Col::Priority,
        Col::Number,
        Col::Status,
        Col::Sla,
        Col::Category,
        Col::Unit,
        Col::Caller,
        Col::Assignee,
        Col::Summary,
    ];

    fn header(self, lang: Lang) -> &'static str {
        let m = match self {
            Col::Priority => TicketMsg::ColPriority,
            Col::Number => TicketMsg::ColNumber,
            Col::Status => TicketMsg::ColStatus,
            Col::Sla => TicketMsg::ColSla,
            Col::Category => TicketMsg::ColCategory,
            Col::Unit => TicketMsg::ColUnit,
            Col::Caller => TicketMsg::ColCaller,
            Col::Assignee => TicketMsg::ColAssignee,
            Col::Summary => TicketMsg::ColSummary,
        };
        m.text(lang)
    }

    /// The width the column wants (the summary takes what is left).
    fn width(self, lang: Lang) -> usize {
        let data = match self {
            Col::Priority => 4,
            Col::Number => 15,
            Col::Status => {
                if lang == Lang::En {
                    12
                } else {
                    6
                }
            }
            Col::Sla => 11,
            Col::Category => {
                if lang == Lang::En {
                    8
                } else {
                    6
                }
            }
            Col::Unit => 18,
            Col::Caller => 8,
            Col::Assignee => 8,
            Col::Summary => 16,
        };
        data.max(width(self.header(lang)))
    }

    /// Lower stays longer when the terminal is narrow.
    fn keep(self) -> u8 {
        match self {
            Col::Priority | Col::Number | Col::Summary => 0,
            Col::Sla => 1,
            Col::Status => 2,
            Col::Assignee => 3,
            Col::Category => 4,
            Col::Unit => 5,
            Col::Caller => 6,
        }
    }
}

/// The columns that fit `w` cells, in display order.
fn columns(w: usize, lang: Lang) -> Vec<Col> {
    let mut shown: Vec<Col> = Col::ALL.to_vec();
    let need = |cols: &[Col]| cols.iter().map(|c| c.width(lang) + 1).sum::<usize>();
    while need(&shown) > w {
        let Some(drop) = shown.iter().copied().filter(|c| c.keep() > 0).max_by_key(|c| c.keep()) else {
            break;
        };
        shown.retain(|c| *c != drop);
    }
    shown
}

fn cell_text(col: Col, t: &Ticket, ctx: &Ctx) -> String {
    let lang = ctx.lang;
    let clean = |s: &str| crate::text::escape_unprintable(s).into_owned();
    match col {
        Col::Priority | Col::Sla => String::new(),
        Col::Number => t.number.clone(),
        Col::Status => crate::ticket_words::status(t.status, lang).to_string(),
        Col::Category => crate::ticket_words::category(t.category, lang).to_string(),
        Col::Unit => clean(t.unit.as_deref().unwrap_or("")),
        Col::Caller => clean(&t.caller),
        Col::Assignee => clean(t.assignee.as_deref().unwrap_or("")),
        Col::Summary => {
            let esc =
                if t.escalation_level > 0 { format!("↑{} ", t.escalation_level) } else { String::new() };
            format!("{esc}{}", clean(&t.summary))
        }
    }
}

/// The line above the table: the filters in force and what the queue holds.
fn header_line(pane: &TicketsPane, shown: &[usize], now: i64, ctx: &Ctx) -> Line<'static> {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let f = &pane.filter;
    let mut words: Vec<String> = vec![match f.status {
        StatusFilter::Open => TicketMsg::FilterOpen.text(lang).to_string(),
        StatusFilter::All => TicketMsg::FilterAll.text(lang).to_string(),
        StatusFilter::One(s) => {
            say(TicketMsg::FilterStatus, lang, &[("status", crate::ticket_words::status(s, lang))])
        }
    }];
    if let Some(c) = f.category {
        words.push(crate::ticket_words::category(c, lang).to_string());
    }
    if let Some(p) = f.priority {
        words.push(p.as_str().to_string());
    }
    if let Some(a) = &f.assignee {
        words.push(say(TicketMsg::FilterAssignee, lang, &[("name", &crate::text::escape_unprintable(a))]));
    }
    if f.overdue {
        words.push(TicketMsg::FilterOverdue.text(lang).to_string());
    }
    if !f.search.trim().is_empty() {
        words.push(say(
            TicketMsg::FilterSearch,
            lang,
            &[("q", &crate::text::escape_unprintable(f.search.trim()))],
        ));
    }
    let n = shown.len().to_string();
    let count = match pane.matches {
        Some(m) if m > pane.rows.len() && f.status == StatusFilter::All => {
            say(TicketMsg::CountOfMatches, lang, &[("n", &n), ("m", &m.to_string())])
        }
        _ => say(TicketMsg::CountShown, lang, &[("n", &n)]),
    };
    let mut spans =
        vec![Span::styled(words.join(" · "), roles.title), Span::styled(format!("  {count}"), roles.muted)];
    let p1 = shown
        .iter()
        .filter(|&&i| pane.rows[i].priority == Priority::P1 && pane.rows[i].status.is_open())
        .count();
    let overdue = shown.iter().filter(|&&i| is_overdue(&pane.clocks(&pane.rows[i], now))).count();
    if p1 > 0 {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(say(TicketMsg::CountP1, lang, &[("n", &p1.to_string())]), roles.crit));
    }
    if overdue > 0 {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(
            say(TicketMsg::CountOverdue, lang, &[("n", &overdue.to_string())]),
            roles.crit,
        ));
    }
    Line::from(spans)
}

pub fn render(pane: &mut TicketsPane, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let now = ctx.now.timestamp();
    let shown = pane.visible(now);
    let draft_h = u16::from(pane.draft.is_some());
    let [draft_area, table_area] =
        Layout::vertical([Constraint::Length(draft_h), Constraint::Min(1)]).areas(area);
    let mut title = header_line(pane, &shown, now, ctx);
    title.spans.insert(0, Span::raw(" "));
    title.spans.push(Span::raw(" "));
    let title = yunwei_widgets::width::truncate_line(
        title,
        usize::from(area.width).saturating_sub(4),
        ctx.ellipsis(),
    );
    if let Some((_, at)) = &pane.draft {
        let at = local(*at, pane.policy.calendar.offset);
        let text = say(TicketMsg::DraftKept, lang, &[("at", &at)]);
        f.render_widget(Paragraph::new(Span::styled(text, roles.warn)), draft_area);
    }
    let block = ctx.block_titled(title);
    let inner = block.inner(table_area);
    f.render_widget(block, table_area);
    if shown.is_empty() {
        let text = if !pane.loaded {
            TicketMsg::Loading
        } else if pane.filter.is_default() {
            TicketMsg::Empty
        } else {
            TicketMsg::EmptyFiltered
        };
        f.render_widget(Paragraph::new(Span::styled(text.text(lang), roles.muted)), inner);
        return;
    }
    let cols = columns(usize::from(inner.width), lang);
    let fixed: usize = cols.iter().filter(|c| **c != Col::Summary).map(|c| c.width(lang) + 1).sum();
    let summary_w = usize::from(inner.width).saturating_sub(fixed).max(Col::Summary.width(lang));
    let widths: Vec<Constraint> = cols
        .iter()
        .map(|c| {
            if *c == Col::Summary {
                Constraint::Min(summary_w as u16)
            } else {
                Constraint::Length(c.width(lang) as u16)
            }
        })
        .collect();
    let header = Row::new(cols.iter().map(|c| Cell::from(c.header(lang)))).style(roles.header);
    let ell = ctx.ellipsis();
    // Only the rows on screen are made (a queue of thousands costs a frame nothing more): the
    // window follows the selection as the table widget's own scrolling would.
    let body_h = usize::from(inner.height.saturating_sub(1)).max(1);
    let sel = pane.table.selected().unwrap_or(0).min(shown.len() - 1);
    if sel < pane.offset {
        pane.offset = sel;
    } else if sel >= pane.offset + body_h {
        pane.offset = sel + 1 - body_h;
    }
    pane.offset = pane.offset.min(shown.len().saturating_sub(body_h));
    let window = &shown[pane.offset..(pane.offset + body_h).min(shown.len())];
    let rows: Vec<Row<'_>> = window
        .iter()
        .map(|&i| {
            let t = &pane.rows[i];
            let clocks = pane.clocks(t, now);
            let cells: Vec<Cell<'_>> = cols
                .iter()
                .map(|c| {
                    let w = if *c == Col::Summary { summary_w } else { c.width(lang) };
                    match c {
                        Col::Priority => {
                            let (text, style) = priority_cell(t.priority, ctx);
                            Cell::from(Span::styled(pad_right(&text, w), style))
                        }
                        Col::Sla => {
                            let (text, style) = sla_cell(&clocks, t.status, now, ctx);
                            Cell::from(Span::styled(truncate(&text, w, ell), style))
                        }
                        Col::Status => {
                            let style = match t.status {
                                Status::New => roles.accent,
                                Status::Pending => roles.muted,
                                Status::Resolved | Status::Closed | Status::Cancelled => roles.muted,
                                _ => roles.text,
                            };
                            Cell::from(Span::styled(truncate(&cell_text(*c, t, ctx), w, ell), style))
                        }
                        _ => Cell::from(truncate(&cell_text(*c, t, ctx), w, ell)),
                    }
                })
                .collect();
            Row::new(cells)
        })
        .collect();
    let table = Table::new(rows, widths).header(header).row_highlight_style(roles.selected).column_spacing(1);
    let mut state = ratatui::widgets::TableState::default();
    state.select(Some(sel - pane.offset));
    f.render_stateful_widget(table, inner, &mut state);
}
