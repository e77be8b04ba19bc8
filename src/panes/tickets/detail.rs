//! The detail view of one ticket: who called and about what, both SLA clocks (due, left or
//! overdue, paused time), the description, the notes and the history, scrolled as one page.
//! The caller's phone is masked, as everywhere personal data shows.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::messages::TicketMsg;
use super::queue::{local, priority_cell, span};
use super::{say, TicketsPane, View};
use crate::tickets::sla::Clock;
use crate::ui::Ctx;
use yunwei_widgets::width::pad_right;

/// The labels of the detail's fields, whose widest sets the column.
const LABELS: [TicketMsg; 12] = [
    TicketMsg::DetailCaller,
    TicketMsg::DetailUnit,
    TicketMsg::DetailChannel,
    TicketMsg::DetailImpact,
    TicketMsg::DetailHosts,
    TicketMsg::DetailAlert,
    TicketMsg::DetailAssignee,
    TicketMsg::DetailEscalation,
    TicketMsg::DetailCreated,
    TicketMsg::DetailResponse,
    TicketMsg::DetailResolution,
    TicketMsg::DetailPhone,
];

fn label_w(lang: crate::i18n::Lang) -> usize {
    LABELS.iter().map(|m| yunwei_widgets::width::width(m.text(lang))).max().unwrap_or(12) + 2
}

/// `text` (from outside: each of its lines escaped) cut into lines of at most `w` cells (by
/// display width: Chinese has no spaces to break at), each indented by `indent` spaces.
fn wrapped(text: &str, w: usize, indent: usize) -> Vec<Line<'static>> {
    let room = w.saturating_sub(indent).max(1);
    let mut out = Vec::new();
    for line in text.lines() {
        let line = clean(line);
        let mut rest = line.as_str();
        loop {
            let mut head = yunwei_widgets::width::take_width(rest, room);
            if head.is_empty() {
                // A character wider than the room: it goes alone.
                head = rest.char_indices().nth(1).map_or(rest, |(i, _)| &rest[..i]);
            }
            out.push(Line::raw(format!("{}{head}", " ".repeat(indent))));
            rest = &rest[head.len()..];
            if rest.is_empty() {
                break;
            }
        }
    }
    out
}

fn clean(s: &str) -> String {
    crate::text::escape_unprintable(s).into_owned()
}

fn clock_line(
    label: TicketMsg,
    k: &Clock,
    now: i64,
    offset: chrono::FixedOffset,
    ctx: &Ctx,
) -> Line<'static> {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let mut spans = vec![Span::styled(pad_right(label.text(lang), label_w(lang)), roles.title)];
    if let Some(due) = k.due {
        spans.push(Span::raw(say(TicketMsg::DetailDue, lang, &[("due", &local(due, offset))])));
        spans.push(Span::raw("  "));
    }
    let used = span(k.used_s);
    let (text, style): (String, Style) = match (k.met, k.running, k.paused) {
        (Some(true), _, _) => (say(TicketMsg::DetailMetAt, lang, &[("used", &used)]), roles.ok),
        (Some(false), _, _) => (say(TicketMsg::DetailMissedAt, lang, &[("used", &used)]), roles.crit),
        (None, _, true) => (TicketMsg::DetailPausedNow.text(lang).to_string(), roles.muted),
        (None, true, _) => match k.due {
            Some(due) if due <= now || k.breached() => {
                (say(TicketMsg::DetailOverdue, lang, &[("by", &span(now - due))]), roles.crit)
            }
            Some(due) => {
                let style =
                    if k.fraction() >= crate::tickets::alerts::WARN_AT { roles.warn } else { roles.ok };
                (say(TicketMsg::DetailLeft, lang, &[("left", &span(due - now))]), style)
            }
            None => (String::new(), roles.text),
        },
        (None, false, false) => (TicketMsg::SlaNone.text(lang).to_string(), roles.muted),
    };
    spans.push(Span::styled(text, style));
    Line::from(spans)
}

pub fn render(pane: &mut TicketsPane, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let now = ctx.now.timestamp();
    let offset = pane.policy.calendar.offset;
    let View::Detail { number, opened, scroll } = &mut pane.view else { return };
    let block = ctx.block(say(TicketMsg::DetailTitle, lang, &[("number", number)]));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(o) = opened else {
        f.render_widget(Paragraph::new(Span::styled(TicketMsg::Loading.text(lang), roles.muted)), inner);
        return;
    };
    let t = &o.ticket;
    let c = crate::tickets::sla::clocks(&pane.policy, t.priority, &t.timeline, now);
    let field = |label: TicketMsg, value: String| -> Line<'static> {
        Line::from(vec![
            Span::styled(pad_right(label.text(lang), label_w(lang)), roles.muted),
            Span::raw(value),
        ])
    };
    let (p, pstyle) = priority_cell(t.priority, ctx);
    let mut lines: Vec<Line<'static>> = vec![Line::from(vec![
        Span::styled(p.trim().to_string(), pstyle),
        Span::raw("  "),
        Span::styled(t.number.clone(), roles.title),
        Span::raw("  "),
        Span::styled(crate::ticket_words::status(t.status, lang).to_string(), roles.accent),
        Span::raw("  "),
        Span::raw(clean(&t.summary)),
    ])];
    lines.push(Line::default());
    let phone =
        t.caller_phone.as_deref().map(|p| crate::logs::mask::mask(p).into_owned()).unwrap_or_default();
    lines.push(field(TicketMsg::DetailCaller, format!("{}  {}", clean(&t.caller), clean(&phone))));
    lines.push(field(TicketMsg::DetailUnit, clean(t.unit.as_deref().unwrap_or("-"))));
    lines.push(field(
        TicketMsg::DetailChannel,
        format!(
            "{} · {} {}",
            crate::ticket_words::channel(t.channel, lang),
            TicketMsg::DetailCategory.text(lang),
            crate::ticket_words::category(t.category, lang)
        ),
    ));
    lines.push(field(
        TicketMsg::DetailImpact,
        format!(
            "{} × {} → {}",
            crate::ticket_words::level(t.impact, lang),
            crate::ticket_words::level(t.urgency, lang),
            t.priority
        ),
    ));
    if !t.hosts.is_empty() {
        lines.push(field(TicketMsg::DetailHosts, clean(&t.hosts.join(", "))));
    }
    if let Some(id) = t.alert_id {
        lines.push(field(TicketMsg::DetailAlert, format!("#{id}")));
    }
    let assignee =
        t.assignee.as_deref().map(clean).unwrap_or_else(|| TicketMsg::DetailUnassigned.text(lang).into());
    lines.push(field(TicketMsg::DetailAssignee, assignee));
    if t.escalation_level > 0 {
        lines.push(field(TicketMsg::DetailEscalation, format!("↑{}", t.escalation_level)));
    }
    lines.push(field(TicketMsg::DetailCreated, local(t.created_at, offset)));
    lines.push(Line::styled(
        say(
            TicketMsg::DetailVersion,
            lang,
            &[
                ("v", &t.version.to_string()),
                ("by", &clean(&t.updated_by)),
                ("at", &local(t.updated_at, offset)),
            ],
        ),
        roles.muted,
    ));
    lines.push(Line::default());
    lines.push(clock_line(TicketMsg::DetailResponse, &c.response, now, offset, ctx));
    lines.push(clock_line(TicketMsg::DetailResolution, &c.resolution, now, offset, ctx));
    if c.paused_s > 0 {
        lines.push(Line::styled(
            format!(
                "{}{}",
                " ".repeat(label_w(lang)),
                say(TicketMsg::DetailPausedFor, lang, &[("p", &span(c.paused_s))])
            ),
            roles.muted,
        ));
    }
    let description = &o.ticket.description;
    if !description.trim().is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled(TicketMsg::DetailDescription.text(lang), roles.header));
        lines.extend(wrapped(description, usize::from(inner.width), 0));
    }
    lines.push(Line::default());
    lines.push(Line::styled(TicketMsg::DetailNotes.text(lang), roles.header));
    if o.notes.is_empty() {
        lines.push(Line::styled(TicketMsg::DetailNoNotes.text(lang), roles.muted));
    }
    for n in &o.notes {
        lines.push(Line::styled(
            format!("{}  {}", local(n.created_at, offset), clean(&n.author)),
            roles.muted,
        ));
        lines.extend(wrapped(&n.text, usize::from(inner.width), 2));
    }
    lines.push(Line::default());
    lines.push(Line::styled(TicketMsg::DetailHistory.text(lang), roles.header));
    for e in &o.history {
        let value = |v: &Option<String>| match v.as_deref() {
            None => "-".to_string(),
            Some(v) if e.field == "status" => match v.parse::<crate::tickets::Status>() {
                Ok(s) => crate::ticket_words::status(s, lang).to_string(),
                Err(_) => clean(v),
            },
            Some(v) => clean(v),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{}  {}  ", local(e.at, offset), clean(&e.actor)), roles.muted),
            Span::styled(crate::ticket_words::history_field(&e.field, lang).to_string(), roles.accent),
            Span::raw(format!("  {} → {}", value(&e.from), value(&e.to))),
        ]));
    }
    let total = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    let max = total.saturating_sub(inner.height);
    *scroll = (*scroll).min(max);
    f.render_widget(Paragraph::new(lines).scroll((*scroll, 0)), inner);
}
