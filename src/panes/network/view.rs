//! Drawing the Network pane: a line of counts by state, the grid (checks down, probing places
//! across, scrolled sideways to keep the selected column in view) and the selected cell in
//! full, or the trace from its place while one is open.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use yunwei_widgets::width::{pad_right, truncate, truncate_line, width};

use super::{NetworkPane, TraceView};
use crate::i18n::{tr, Lang};
use crate::netcheck::{words, State, LOCAL};
use crate::store::netcheck::NetResult;
use crate::ui::Ctx;
use crate::workers::netcheck::Cell;

fn clean(s: &str) -> String {
    crate::text::escape_unprintable(s).into_owned()
}

fn state_of(r: &NetResult) -> State {
    State::parse(&r.state).unwrap_or(State::Unknown)
}

pub fn state_style(state: State, ctx: &Ctx) -> Style {
    let r = &ctx.theme.roles;
    match state {
        State::Ok => r.ok,
        State::Warn | State::Unknown => r.warn,
        State::Crit => r.crit,
    }
}

/// A mark that tells the states apart without colour.
fn mark(state: State, ascii: bool) -> &'static str {
    match (state, ascii) {
        (State::Ok, false) => "✓",
        (State::Ok, true) => "+",
        (State::Warn, _) => "~",
        (State::Crit, _) => "!",
        (State::Unknown, _) => "?",
    }
}

fn reason(r: &NetResult, lang: Lang) -> &str {
    match lang {
        Lang::En => &r.reason_en,
        Lang::ZhCn => &r.reason_zh,
    }
}

/// The kind as the grid shows it: HTTPS for an http check over TLS.
fn kind_label(r: &NetResult) -> String {
    match r.kind.as_str() {
        "http" if r.target.get(..8).is_some_and(|p| p.eq_ignore_ascii_case("https://")) => "HTTPS".into(),
        "ping" => "ping".into(),
        k => k.to_ascii_uppercase(),
    }
}

/// A time in the console's clock, to the minute; the date only when it is not today.
fn when(t: i64, ctx: &Ctx) -> String {
    let offset = *ctx.now.offset();
    let Some(d) = chrono::DateTime::from_timestamp(t, 0).map(|d| d.with_timezone(&offset)) else {
        return t.to_string();
    };
    if d.date_naive() == ctx.now.date_naive() {
        d.format("%H:%M:%S").to_string()
    } else {
        d.format("%m-%d %H:%M").to_string()
    }
}

/// Draws the pane; gives how many rows a page is.
pub fn render(pane: &NetworkPane, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) -> usize {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    if area.height < 2 || area.width < 10 {
        return 1;
    }
    if pane.cells.is_empty() {
        let text = if pane.checked {
            tr(
                lang,
                "No network checks: add [[checks]] entries to the config (name, kind = tcp|http|tls|dns|ping, target, from); `yunwei check-config` checks them, `yunwei net check` probes them once.",
                "没有网络检查：请在配置中添加 [[checks]]（name、kind = tcp|http|tls|dns|ping、target、from），可用 `yunwei check-config` 检查，`yunwei net check` 探测一次。",
            )
        } else {
            tr(lang, "Probing the network checks…", "正在探测网络检查…")
        };
        f.render_widget(Paragraph::new(text).style(roles.muted).wrap(Wrap { trim: true }), area);
        return 1;
    }
    let grid_need = 1 + pane.rows.len() as u16;
    let body = area.height - 1;
    let detail_h = if area.height < 12 {
        0
    } else if pane.trace.is_some() {
        body.saturating_sub(grid_need.min(4))
    } else {
        body.saturating_sub(grid_need).max(8).min(body.saturating_sub(3))
    };
    let [summary, grid, detail] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(detail_h)])
            .areas(area);
    f.render_widget(Paragraph::new(summary_line(pane, summary.width as usize, ctx)), summary);
    let page = render_grid(pane, f, grid, ctx);
    if detail_h > 0 {
        match &pane.trace {
            Some(t) => render_trace(pane, t, f, detail, ctx),
            None => match pane.selected() {
                Some(cell) => render_detail(pane, cell, f, detail, ctx),
                None => render_absent(pane, f, detail, ctx),
            },
        }
    }
    page
}

fn summary_line(pane: &NetworkPane, w: usize, ctx: &Ctx) -> Line<'static> {
    let lang = ctx.lang;
    let (n, p) = (pane.rows.len(), pane.cols.len());
    let mut spans = vec![Span::styled(
        tr(lang, format!("{n} checks from {p} places"), format!("{n} 项检查，{p} 个探测位置")),
        ctx.theme.roles.title,
    )];
    for s in [State::Crit, State::Warn, State::Unknown, State::Ok] {
        let k = pane.cells.iter().filter(|c| c.state() == s).count();
        if k > 0 {
            spans.push(Span::raw("  "));
            spans.push(Span::styled(format!("{k} {}", words::state(s, lang)), state_style(s, ctx)));
        }
    }
    truncate_line(Line::from(spans), w, ctx.ellipsis())
}

/// The width of the check names' column and of the kind column in a grid `w` wide.
fn name_widths(pane: &NetworkPane, w: usize) -> (usize, usize) {
    let longest = pane.rows.iter().map(|r| width(&clean(r))).max().unwrap_or(4);
    let name = (longest + 1).clamp(8, if w >= 70 { 22 } else { 14 });
    let kind = if w >= 60 { 6 } else { 0 };
    (name, kind)
}

fn col_width(name: &str) -> usize {
    (width(&clean(name)) + 1).clamp(10, 16)
}

/// The first column shown so that the selected one is in view, and how many fit.
fn visible_cols(pane: &NetworkPane, room: usize) -> (usize, usize) {
    let widths: Vec<usize> = pane.cols.iter().map(|c| col_width(c)).collect();
    let fits = |from: usize| {
        let mut used = 0;
        let mut n = 0;
        for w in &widths[from..] {
            if used + w > room {
                break;
            }
            used += w;
            n += 1;
        }
        n.max(1)
    };
    let mut first = 0;
    while first < pane.col && first + fits(first) <= pane.col {
        first += 1;
    }
    (first, fits(first).min(widths.len() - first))
}

fn cell_text(pane: &NetworkPane, cell: &Cell, w: usize, ctx: &Ctx) -> (String, Style) {
    let lang = ctx.lang;
    let r = &cell.result;
    let state = cell.state();
    let probing = pane.is_probing(&r.check, &r.origin);
    let m = if probing { "…" } else { mark(state, ctx.ascii) };
    // The latency while it says enough (ok, or slow); else what went wrong, briefly.
    let latency = r.latency_ms.filter(|_| r.checked_at > 0).map(words::latency_short);
    let brief = words::brief(&r.brief, lang);
    let figure = match (state, latency, brief) {
        (State::Ok, Some(l), _) => l,
        (_, Some(l), _) if r.brief == "slow" => l,
        (_, _, Some(b)) => b,
        (_, Some(l), None) => l,
        (_, None, None) => words::state(state, lang).to_string(),
    };
    let text = pad_right(&truncate(&format!("{m} {figure}"), w.saturating_sub(1), "…"), w);
    (text, state_style(state, ctx))
}

fn render_grid(pane: &NetworkPane, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) -> usize {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let w = area.width as usize;
    let (name_w, kind_w) = name_widths(pane, w);
    let room = w.saturating_sub(name_w + kind_w);
    let (first, shown) = visible_cols(pane, room);
    let more_left = first > 0;
    let more_right = first + shown < pane.cols.len();
    let mut head = vec![Span::styled(pad_right(&tr(lang, "check", "检查"), name_w + kind_w), roles.header)];
    for (i, c) in pane.cols.iter().enumerate().skip(first).take(shown) {
        let cw = col_width(c);
        let label = if c == LOCAL { tr(lang, "local", "本机") } else { clean(c) };
        let style =
            if i == pane.col { roles.header.add_modifier(Modifier::UNDERLINED) } else { roles.header };
        head.push(Span::styled(pad_right(&truncate(&label, cw - 1, "…"), cw), style));
    }
    let mut head = Line::from(head);
    if more_left || more_right {
        let arrows = match (more_left, more_right, ctx.ascii) {
            (true, true, false) => "◀▶",
            (true, false, false) => "◀",
            (false, true, false) => "▶",
            (true, true, true) => "<>",
            (true, false, true) => "<",
            _ => ">",
        };
        let used: usize = head.spans.iter().map(|s| width(&s.content)).sum();
        let pad = w.saturating_sub(used + width(arrows));
        head.spans.push(Span::raw(" ".repeat(pad)));
        head.spans.push(Span::styled(arrows, roles.accent));
    }
    let height = area.height as usize;
    let rows_room = height.saturating_sub(1).max(1);
    let top = (pane.row + 1).saturating_sub(rows_room);
    let mut lines = vec![truncate_line(head, w, ctx.ellipsis())];
    for (ri, check) in pane.rows.iter().enumerate().skip(top).take(rows_room) {
        let any = pane.cells.iter().find(|c| &c.result.check == check);
        let name_style = if ri == pane.row { roles.text.add_modifier(Modifier::BOLD) } else { roles.text };
        let mut spans =
            vec![Span::styled(pad_right(&truncate(&clean(check), name_w - 1, "…"), name_w), name_style)];
        if kind_w > 0 {
            let k = any.map(|c| kind_label(&c.result)).unwrap_or_default();
            spans.push(Span::styled(pad_right(&k, kind_w), roles.muted));
        }
        for (ci, c) in pane.cols.iter().enumerate().skip(first).take(shown) {
            let cw = col_width(c);
            let (text, style) = match pane.cell(ri, ci) {
                Some(cell) => cell_text(pane, cell, cw, ctx),
                None => (pad_right(if ctx.ascii { "." } else { "·" }, cw), roles.muted),
            };
            let style = if ri == pane.row && ci == pane.col { style.patch(roles.selected) } else { style };
            spans.push(Span::styled(text, style));
        }
        lines.push(truncate_line(Line::from(spans), w, ctx.ellipsis()));
    }
    f.render_widget(Paragraph::new(lines), area);
    rows_room.saturating_sub(1).max(1)
}

fn label(text: String) -> String {
    pad_right(&text, 10)
}

fn detail_block<'a>(title: String, ctx: &Ctx) -> Block<'a> {
    let roles = &ctx.theme.roles;
    Block::default().borders(Borders::TOP).border_style(roles.border).title(Span::styled(title, roles.title))
}

fn place_name(origin: &str, lang: Lang) -> String {
    if origin == LOCAL {
        tr(lang, "this machine", "本机")
    } else {
        clean(origin)
    }
}

fn render_detail(pane: &NetworkPane, cell: &Cell, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let r = &cell.result;
    let title = tr(
        lang,
        format!(" {} from {} ", clean(&r.check), place_name(&r.origin, lang)),
        format!(" {}（自{}探测）", clean(&r.check), place_name(&r.origin, lang)),
    );
    let block = detail_block(title, ctx);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let l = |en: &str, zh: &str| Span::styled(label(tr(lang, en, zh)), roles.muted);
    let state = cell.state();
    let mut lines = vec![Line::from(vec![
        l("state", "状态"),
        Span::styled(
            format!("{} {}", mark(state, ctx.ascii), words::state(state, lang)),
            state_style(state, ctx).add_modifier(Modifier::BOLD),
        ),
        Span::raw("  "),
        Span::styled(clean(reason(r, lang)), roles.text),
    ])];
    lines.push(Line::from(vec![
        l("target", "目标"),
        Span::styled(format!("{}  {}", kind_label(r), clean(&r.target)), roles.text),
    ]));
    let values: Vec<f64> = cell.history.iter().flatten().copied().collect();
    if !values.is_empty() {
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(0.0, f64::max);
        let avg = values.iter().sum::<f64>() / values.len() as f64;
        let figures = tr(
            lang,
            format!(
                "  min {}  avg {}  max {}",
                words::latency_short(min),
                words::latency_short(avg),
                words::latency_short(max)
            ),
            format!(
                "  最小 {}  平均 {}  最大 {}",
                words::latency_short(min),
                words::latency_short(avg),
                words::latency_short(max)
            ),
        );
        let spark_w = w.saturating_sub(10 + width(&figures)).clamp(8, 40);
        let spark = yunwei_widgets::spark::render_string(&cell.history, spark_w, None, ctx.ascii);
        lines.push(Line::from(vec![
            l("latency", "延迟"),
            Span::styled(spark, roles.accent),
            Span::styled(figures, roles.muted),
        ]));
    }
    if let Some(end) = r.cert_expires_at {
        let days = (end - ctx.now.timestamp()).div_euclid(86_400);
        let text = if days >= 0 {
            tr(
                lang,
                format!("ends {} (in {days} days)", when(end, ctx)),
                format!("到期 {}（{days} 天后）", when(end, ctx)),
            )
        } else {
            tr(
                lang,
                format!("ended {} ({} days ago)", when(end, ctx), -days),
                format!("已于 {} 过期（{} 天前）", when(end, ctx), -days),
            )
        };
        let style = if state == State::Ok { roles.text } else { state_style(state, ctx) };
        lines.push(Line::from(vec![l("certificate", "证书"), Span::styled(text, style)]));
    }
    let mut checked = if r.checked_at > 0 { when(r.checked_at, ctx) } else { "-".into() };
    if pane.is_probing(&r.check, &r.origin) {
        checked.push_str(&tr(lang, "  probing now…", "  正在探测…"));
    }
    lines.push(Line::from(vec![l("checked", "探测于"), Span::styled(checked, roles.text)]));
    {
        let text = match pane.tools.get(&r.origin) {
            None => (tr(lang, "not known yet", "尚未得知"), roles.muted),
            Some(has) => {
                let missing: Vec<&str> = crate::netcheck::probe::TOOLS
                    .iter()
                    .copied()
                    .filter(|t| !has.iter().any(|h| h == t))
                    .collect();
                if missing.is_empty() {
                    (tr(lang, "every probe tool is there", "所有探测工具齐全"), roles.muted)
                } else {
                    let list = missing.join(" ");
                    (tr(lang, format!("missing: {list}"), format!("缺少：{list}")), roles.warn)
                }
            }
        };
        lines.push(Line::from(vec![l("tools", "工具"), Span::styled(text.0, text.1)]));
    }
    if !cell.failures.is_empty() {
        lines.push(Line::styled(tr(lang, "last failures", "最近的失败"), roles.header));
        let room = (inner.height as usize).saturating_sub(lines.len());
        for x in cell.failures.iter().take(room) {
            let s = state_of(x);
            let at = when(x.checked_at, ctx);
            lines.push(Line::from(vec![
                Span::styled(pad_right(&at, width(&at) + 2), roles.muted),
                Span::styled(pad_right(words::state(s, lang), 8), state_style(s, ctx)),
                Span::styled(clean(reason(x, lang)), roles.text),
            ]));
        }
    }
    let lines: Vec<Line<'static>> = lines.into_iter().map(|l| truncate_line(l, w, ctx.ellipsis())).collect();
    f.render_widget(Paragraph::new(lines), inner);
}

fn render_absent(pane: &NetworkPane, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
    let lang = ctx.lang;
    let (Some(check), Some(origin)) = (pane.rows.get(pane.row), pane.cols.get(pane.col)) else { return };
    let block = detail_block(format!(" {} ", clean(check)), ctx);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let text = tr(
        lang,
        format!("{} does not probe this check: its `from` does not name it.", place_name(origin, lang)),
        format!("{}不探测此项检查：其 `from` 中没有它。", place_name(origin, lang)),
    );
    f.render_widget(Paragraph::new(text).style(ctx.theme.roles.muted).wrap(Wrap { trim: true }), inner);
}

fn render_trace(pane: &NetworkPane, t: &TraceView, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let (check, origin) = match t {
        TraceView::Running { check, origin } => (check, origin),
        TraceView::Done(t) => (&t.check, &t.origin),
    };
    // The host the trace goes to, as the thread takes it from the target.
    let host = pane
        .cells
        .iter()
        .find(|c| &c.result.check == check)
        .map(|c| {
            crate::netcheck::Kind::parse(&c.result.kind)
                .and_then(|k| crate::netcheck::endpoint(k, &c.result.target).ok())
                .map(|e| e.host)
                .unwrap_or_else(|| c.result.target.clone())
        })
        .unwrap_or_default();
    let tool = match t {
        TraceView::Done(d) => d.tool.as_deref().map(|x| format!(" · {}", clean(x))).unwrap_or_default(),
        TraceView::Running { .. } => String::new(),
    };
    let title = tr(
        lang,
        format!(" trace from {} to {}{tool} ", place_name(origin, lang), clean(&host)),
        format!(" 路由追踪：自{}至 {}{tool} ", place_name(origin, lang), clean(&host)),
    );
    let block = detail_block(title, ctx);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let mut lines: Vec<Line<'static>> = Vec::new();
    match t {
        TraceView::Running { .. } => {
            lines.push(Line::styled(
                tr(lang, "tracing… (up to a minute)", "正在追踪…（最多一分钟）"),
                roles.muted,
            ));
        }
        TraceView::Done(d) => {
            if let Some(e) = &d.error {
                lines.push(Line::styled(clean(e), roles.warn));
            }
            let room = (inner.height as usize).saturating_sub(lines.len()).max(1);
            let text: Vec<&str> = d.text.lines().collect();
            let from = pane.trace_scroll.min(text.len().saturating_sub(room));
            for l in text.iter().skip(from).take(room) {
                lines.push(Line::styled(clean(l), roles.text));
            }
            if d.error.is_none() && text.is_empty() {
                lines.push(Line::styled(tr(lang, "the trace printed nothing", "追踪没有输出"), roles.muted));
            }
        }
    }
    let lines: Vec<Line<'static>> = lines.into_iter().map(|l| truncate_line(l, w, ctx.ellipsis())).collect();
    f.render_widget(Paragraph::new(lines), inner);
}
