//! Drawing the Division codes pane: a line of what is compared and how much is left to decide,
//! the list of changes (the old and the new side by side), and under it the selected change:
//! its old rows beside its new rows with their parents, its evidence, its mapping and who
//! decided it. Chinese names are cut by display width, so the columns stay aligned.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;
use yunwei_widgets::width::{pad_right, truncate, truncate_line, width};

use super::messages::{say, DivMsg};
use super::{confidence_word, kind_word, state_word, Ask, DivcodesPane, Menu, StateFilter};
use crate::divcodes::diff::Kind;
use crate::divcodes::review::{Line as Change, State};
use crate::divcodes::Division;
use crate::i18n::Lang;
use crate::ui::Ctx;

/// `→` and `·`, or in ASCII mode `->` and `-` (both are ambiguous-width in CJK terminals).
fn arrow(ctx: &Ctx) -> &'static str {
    if ctx.ascii {
        "->"
    } else {
        "→"
    }
}

fn dot(ctx: &Ctx) -> &'static str {
    if ctx.ascii {
        " - "
    } else {
        " · "
    }
}

fn clean(s: &str) -> String {
    crate::text::escape_unprintable(s).into_owned()
}

/// The mark before a change: what awaits a decision, and each decision, told apart without
/// colour too.
fn mark(l: &Change, ctx: &Ctx) -> (&'static str, Style) {
    let roles = &ctx.theme.roles;
    if l.stale.is_some() {
        return ("!", roles.warn);
    }
    if l.needs_a_decision() {
        return ("?", roles.crit);
    }
    match (l.state(), ctx.ascii) {
        (State::Proposed, _) => (" ", roles.text),
        (State::Accepted, false) => ("✓", roles.ok),
        (State::Accepted, true) => ("+", roles.ok),
        (State::Rejected, false) => ("✗", roles.muted),
        (State::Rejected, true) => ("x", roles.muted),
        (State::Edited, false) => ("✎", roles.accent),
        (State::Edited, true) => ("e", roles.accent),
    }
}

/// The old side of a row: its names (the code is the row's own).
fn old_text(l: &Change) -> String {
    l.change.old.iter().map(|d| clean(&d.name)).collect::<Vec<_>>().join("、")
}

/// The new side: each new row (its code when it is not the change's own), or where the
/// reviewer mapped the old codes.
fn new_text(l: &Change, pane: &DivcodesPane, ctx: &Ctx) -> String {
    let id = l.change.id();
    let names = pane.cmp.as_ref().map(|c| &c.names);
    if l.state() == State::Edited {
        return l
            .mapping()
            .iter()
            .map(|(_, to)| {
                let name = names.and_then(|n| n.get(to)).map(|n| clean(n)).unwrap_or_default();
                format!("{}{to} {name}", arrow(ctx)).trim_end().to_string()
            })
            .collect::<Vec<_>>()
            .join("、");
    }
    l.change
        .new
        .iter()
        .map(
            |d| if d.code.as_str() == id { clean(&d.name) } else { format!("{} {}", d.code, clean(&d.name)) },
        )
        .collect::<Vec<_>>()
        .join("、")
}

fn header_line(pane: &DivcodesPane, ctx: &Ctx) -> Line<'static> {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let Some(cmp) = &pane.cmp else {
        return Line::from(Span::styled(crate::i18n::Msg::PaneDivcodes.text(lang), roles.title));
    };
    let mut spans = vec![Span::styled(
        say(
            DivMsg::Header,
            lang,
            &[("old", &clean(&cmp.old.name)), ("arrow", arrow(ctx)), ("new", &clean(&cmp.new.name))],
        ),
        roles.title,
    )];
    let n = cmp.lines.len();
    let undecided = cmp.lines.iter().filter(|l| l.needs_a_decision()).count();
    let decided = cmp.lines.iter().filter(|l| l.state() != State::Proposed).count();
    spans.push(Span::styled(
        format!("  {}", say(DivMsg::CountChanges, lang, &[("n", &n.to_string())])),
        roles.muted,
    ));
    if undecided > 0 {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(
            say(DivMsg::CountUndecided, lang, &[("n", &undecided.to_string())]),
            roles.crit,
        ));
    }
    spans.push(Span::styled(
        format!("  {}", say(DivMsg::CountDecided, lang, &[("n", &decided.to_string())])),
        roles.ok,
    ));
    let f = &pane.filter;
    let mut words = Vec::new();
    if let Some(k) = f.kind {
        words.push(say(DivMsg::FilterKind, lang, &[("kind", kind_word(k, lang))]));
    }
    match f.state {
        StateFilter::All => {}
        StateFilter::Proposed => words.push(DivMsg::FilterProposed.text(lang).to_string()),
        StateFilter::One(s) => words.push(say(DivMsg::FilterState, lang, &[("state", state_word(s, lang))])),
    }
    if !f.search.trim().is_empty() {
        words.push(say(DivMsg::FilterSearch, lang, &[("q", &clean(f.search.trim()))]));
    }
    if !words.is_empty() {
        words.push(say(DivMsg::CountShown, lang, &[("n", &pane.visible.len().to_string())]));
        spans.push(Span::styled(format!("  {}", words.join(dot(ctx))), roles.accent));
    }
    Line::from(spans)
}

pub fn render(pane: &mut DivcodesPane, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let bar = pane.prompt.is_some() || pane.menu.is_some();
    let [body, bar_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(u16::from(bar))]).areas(area);
    let mut title = header_line(pane, ctx);
    title.spans.insert(0, Span::raw(" "));
    title.spans.push(Span::raw(" "));
    let title = truncate_line(title, usize::from(body.width).saturating_sub(4), ctx.ellipsis());
    // The selected change's detail under the list, when there is room for both.
    let detail_h =
        if body.height >= 16 && pane.cmp.as_ref().is_some_and(|c| !c.lines.is_empty()) { 9 } else { 0 };
    let [list_area, detail_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(detail_h)]).areas(body);
    let block = ctx.block_titled(title);
    let inner = block.inner(list_area);
    f.render_widget(block, list_area);
    let empty = match &pane.cmp {
        None if !pane.loaded => Some(DivMsg::Loading.text(lang).to_string()),
        None => Some(match pane.versions.as_slice() {
            [] => DivMsg::NoEditions.text(lang).to_string(),
            [one] => say(DivMsg::OneEdition, lang, &[("name", &clean(&one.name))]),
            _ => DivMsg::Loading.text(lang).to_string(),
        }),
        Some(c) if c.lines.is_empty() => Some(DivMsg::NoChanges.text(lang).to_string()),
        Some(_) if pane.visible.is_empty() => Some(DivMsg::EmptyFiltered.text(lang).to_string()),
        Some(_) => None,
    };
    if let Some(Menu::Pick(old)) = &pane.menu {
        render_picker(pane, old.as_deref(), f, inner, ctx);
    } else if let Some(text) = empty {
        f.render_widget(Paragraph::new(Span::styled(text, roles.muted)).wrap(Default::default()), inner);
    } else {
        render_list(pane, f, inner, ctx);
    }
    if detail_h > 0 {
        render_detail(pane, f, detail_area, ctx);
    }
    if bar {
        render_bar(pane, f, bar_area, ctx);
    }
}

fn render_list(pane: &mut DivcodesPane, f: &mut Frame<'_>, inner: Rect, ctx: &Ctx) {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let Some(cmp) = &pane.cmp else { return };
    let ell = ctx.ellipsis();
    let id_w =
        cmp.lines.iter().map(|l| l.change.id().len()).max().unwrap_or(6).max(width(DivMsg::ColId.text(lang)));
    let kind_w = KINDS_W
        .iter()
        .map(|k| width(kind_word(*k, lang)))
        .max()
        .unwrap_or(4)
        .max(width(DivMsg::ColKind.text(lang)));
    let conf_w = if lang == Lang::En { 6 } else { 4 };
    let fixed = 1 + id_w + kind_w + conf_w + 5;
    let flex = usize::from(inner.width).saturating_sub(fixed);
    let old_w = flex / 2;
    let new_w = flex - old_w;
    let widths = [
        Constraint::Length(1),
        Constraint::Length(id_w as u16),
        Constraint::Length(kind_w as u16),
        Constraint::Length(conf_w as u16),
        Constraint::Length(old_w as u16),
        Constraint::Length(new_w as u16),
    ];
    let header = Row::new([
        Cell::from(""),
        Cell::from(DivMsg::ColId.text(lang)),
        Cell::from(DivMsg::ColKind.text(lang)),
        Cell::from(DivMsg::ColConfidence.text(lang)),
        Cell::from(DivMsg::ColOld.text(lang)),
        Cell::from(DivMsg::ColNew.text(lang)),
    ])
    .style(roles.header);
    let body_h = usize::from(inner.height.saturating_sub(1)).max(1);
    pane.page = body_h.saturating_sub(1).max(1);
    let sel = pane.selected.min(pane.visible.len().saturating_sub(1));
    if sel < pane.offset {
        pane.offset = sel;
    } else if sel >= pane.offset + body_h {
        pane.offset = sel + 1 - body_h;
    }
    pane.offset = pane.offset.min(pane.visible.len().saturating_sub(body_h));
    let window = &pane.visible[pane.offset..(pane.offset + body_h).min(pane.visible.len())];
    let rows: Vec<Row<'_>> = window
        .iter()
        .map(|&i| {
            let l = &cmp.lines[i];
            let (m, m_style) = mark(l, ctx);
            let kind_style = match l.change.kind {
                Kind::Removed if l.needs_a_decision() => roles.crit,
                Kind::Added | Kind::Removed => roles.warn,
                _ => roles.text,
            };
            let conf_style = match l.change.confidence {
                crate::divcodes::diff::Confidence::High => roles.ok,
                crate::divcodes::diff::Confidence::Medium => roles.text,
                crate::divcodes::diff::Confidence::Low => roles.muted,
            };
            let row_style = if l.state() == State::Rejected { roles.muted } else { Style::default() };
            Row::new([
                Cell::from(Span::styled(m, m_style)),
                Cell::from(l.change.id().to_string()),
                Cell::from(Span::styled(pad_right(kind_word(l.change.kind, lang), kind_w), kind_style)),
                Cell::from(Span::styled(confidence_word(l.change.confidence, lang), conf_style)),
                Cell::from(truncate(&old_text(l), old_w, ell)),
                Cell::from(truncate(&new_text(l, pane, ctx), new_w, ell)),
            ])
            .style(row_style)
        })
        .collect();
    let table = Table::new(rows, widths).header(header).row_highlight_style(roles.selected).column_spacing(1);
    let mut state = ratatui::widgets::TableState::default();
    state.select(Some(sel - pane.offset));
    f.render_stateful_widget(table, inner, &mut state);
}

const KINDS_W: [Kind; 7] = super::KINDS;

/// One side of the change: its edition's name over its rows, each with its parent.
fn side_lines(title: String, rows: &[Division], w: usize, ctx: &Ctx) -> Vec<Line<'static>> {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let ell = ctx.ellipsis();
    let mut out = vec![Line::from(Span::styled(truncate(&title, w, ell), roles.header))];
    if rows.is_empty() {
        out.push(Line::from(Span::styled(DivMsg::SideNone.text(lang), roles.muted)));
    }
    for d in rows {
        let parent = d
            .parent
            .as_ref()
            .map(|p| say(DivMsg::ParentOf, lang, &[("code", p.as_str())]))
            .unwrap_or_default();
        let text = format!("{} {}", d.code, clean(&d.name));
        if width(&text) + 2 + width(&parent) <= w {
            out.push(Line::from(vec![
                Span::styled(text, roles.text),
                Span::styled(format!("  {parent}"), roles.muted),
            ]));
        } else {
            // The name whole first; its parent on the line under it.
            out.push(Line::from(Span::styled(truncate(&text, w, ell), roles.text)));
            if !parent.is_empty() {
                out.push(Line::from(Span::styled(truncate(&format!("  {parent}"), w, ell), roles.muted)));
            }
        }
    }
    out
}

fn render_detail(pane: &DivcodesPane, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let ell = ctx.ellipsis();
    let (Some(cmp), Some(l)) = (&pane.cmp, pane.selected_line()) else {
        f.render_widget(ctx.block(""), area);
        return;
    };
    let c = &l.change;
    let d = dot(ctx);
    let title = format!(
        "{}{d}{}{d}{}{d}{}",
        c.id(),
        kind_word(c.kind, lang),
        confidence_word(c.confidence, lang),
        state_word(l.state(), lang)
    );
    let block = ctx.fitted_block(title, area.width);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [sides, facts] = Layout::vertical([Constraint::Min(1), Constraint::Length(3)]).areas(inner);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).spacing(1).areas(sides);
    let old_title = say(DivMsg::SideOld, lang, &[("name", &clean(&cmp.old.name))]);
    let new_title = say(DivMsg::SideNew, lang, &[("name", &clean(&cmp.new.name))]);
    f.render_widget(Paragraph::new(side_lines(old_title, &c.old, usize::from(left.width), ctx)), left);
    f.render_widget(Paragraph::new(side_lines(new_title, &c.new, usize::from(right.width), ctx)), right);
    let w = usize::from(facts.width);
    let evidence = crate::divcode_words::evidence(c, lang);
    let mapping = if l.mapping().is_empty() {
        DivMsg::DetailNoMapping.text(lang).to_string()
    } else {
        let pairs: Vec<String> = l.mapping().iter().map(|(a, b)| format!("{a}{}{b}", arrow(ctx))).collect();
        say(DivMsg::DetailMapping, lang, &[("text", &pairs.join(" "))])
    };
    let at = |t: i64| {
        chrono::TimeZone::timestamp_opt(ctx.now.offset(), t, 0)
            .single()
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    let decided = match (&l.review, &l.stale) {
        (_, Some(s)) => Span::styled(
            say(DivMsg::DetailStale, lang, &[("by", &clean(&s.reviewer)), ("at", &at(s.at))]),
            roles.warn,
        ),
        (Some(r), None) => Span::styled(
            say(
                DivMsg::DetailDecided,
                lang,
                &[("state", state_word(r.state, lang)), ("by", &clean(&r.reviewer)), ("at", &at(r.at))],
            ),
            if r.state == State::Rejected { roles.muted } else { roles.ok },
        ),
        (None, None) => Span::styled(DivMsg::DetailProposed.text(lang), roles.muted),
    };
    let lines = vec![
        Line::from(Span::styled(
            truncate(&say(DivMsg::DetailEvidence, lang, &[("text", &evidence)]), w, ell),
            roles.text,
        )),
        Line::from(Span::styled(truncate(&mapping, w, ell), roles.accent)),
        truncate_line(Line::from(decided), w, ell),
    ];
    f.render_widget(Paragraph::new(lines), facts);
}

/// The editions to choose from, each with its key, in as many columns as they need.
fn render_picker(pane: &DivcodesPane, old: Option<&str>, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let ell = ctx.ellipsis();
    f.render_widget(ratatui::widgets::Clear, area);
    let items: Vec<(char, String, bool)> = pane
        .versions
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let key = super::pick_key(i)?;
            let digits = say(
                DivMsg::PickDigits,
                lang,
                &[("digits", &v.digits.to_string()), ("rows", &v.rows.to_string())],
            );
            Some((key, format!("{}  {digits}", clean(&v.name)), old == Some(v.name.as_str())))
        })
        .collect();
    let rows = usize::from(area.height).max(1);
    let cols = items.len().div_ceil(rows).max(1);
    let col_w = usize::from(area.width) / cols;
    let mut lines: Vec<Line<'static>> = vec![Line::default(); rows.min(items.len())];
    for (n, (key, text, chosen)) in items.into_iter().enumerate() {
        let line = &mut lines[n % rows];
        let style = if chosen { roles.selected } else { roles.text };
        let cell = truncate(&format!(" {text}"), col_w.saturating_sub(2), ell);
        line.spans.push(Span::styled(key.to_string(), roles.hint_key));
        line.spans.push(Span::styled(pad_right(&cell, col_w.saturating_sub(1)), style));
    }
    f.render_widget(Paragraph::new(lines), area);
}

fn render_bar(pane: &mut DivcodesPane, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    f.render_widget(ratatui::widgets::Block::default().style(roles.status_bar), area);
    if let Some(p) = &mut pane.prompt {
        let label = match &p.ask {
            Ask::Search => DivMsg::PromptSearch.text(lang).to_string(),
            Ask::Map { id, olds } if olds.len() == 1 => {
                let line = pane.cmp.as_ref().and_then(|c| c.lines.iter().find(|l| l.change.id() == id));
                let name =
                    line.and_then(|l| l.change.old.first()).map(|d| clean(&d.name)).unwrap_or_default();
                let now = line
                    .and_then(|l| l.mapping().first())
                    .map(|(_, to)| say(DivMsg::PromptMapNow, lang, &[("code", to.as_str())]))
                    .unwrap_or_default();
                say(DivMsg::PromptMapOne, lang, &[("code", id), ("name", &name), ("now", &now)])
            }
            Ask::Map { olds, .. } => {
                let codes: Vec<String> = olds.iter().map(|c| c.to_string()).collect();
                say(DivMsg::PromptMapMany, lang, &[("codes", &codes.join(" "))])
            }
            Ask::ImportPath => DivMsg::PromptImportPath.text(lang).to_string(),
            Ask::ImportName(path, stem) => {
                say(DivMsg::PromptImportName, lang, &[("file", &clean(path)), ("stem", &clean(stem))])
            }
        };
        p.line.render(f, area, &label, roles.accent, roles.input);
        return;
    }
    let line = match &pane.menu {
        Some(Menu::Filter) => Line::from(Span::styled(DivMsg::MenuFilter.text(lang), roles.accent)),
        Some(Menu::Pick(old)) => {
            let head = match old {
                None => DivMsg::MenuPickOld.text(lang).to_string(),
                Some(o) => say(DivMsg::MenuPickNew, lang, &[("old", &clean(o))]),
            };
            Line::from(vec![Span::styled(head, roles.accent), Span::styled("  Esc", roles.hint_key)])
        }
        Some(Menu::Confirm { text, .. }) => Line::from(Span::styled(text.clone(), roles.warn)),
        None => Line::default(),
    };
    let line = truncate_line(line, usize::from(area.width), ctx.ellipsis());
    f.render_widget(Paragraph::new(line), area);
}
