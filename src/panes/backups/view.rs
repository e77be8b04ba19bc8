//! Drawing the Backups pane: a line of counts by state, the jobs grouped under a line per host
//! and kind, and the selected job in full (or its run's output while one streams). Columns
//! give way to the narrow terminal from the right: the reason, the verification, the sizes,
//! the age bar; the state and the name stay.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use yunwei_widgets::width::{pad_right, truncate, width};

use super::BackupsPane;
use crate::backup_words;
use crate::backups::State;
use crate::i18n::{tr, Lang};
use crate::ui::Ctx;
use crate::workers::backups::JobStatus;

fn clean(s: &str) -> String {
    crate::text::escape_unprintable(s).into_owned()
}

pub fn state_style(state: State, ctx: &Ctx) -> Style {
    let r = &ctx.theme.roles;
    match state {
        State::Ok => r.ok,
        State::Late | State::Unknown => r.warn,
        State::Running => r.accent,
        State::Failed | State::Missing | State::Shrunk => r.crit,
    }
}

/// A mark that tells the states apart without colour.
fn mark(state: State, ascii: bool) -> &'static str {
    match (state, ascii) {
        (State::Ok, false) => "✓",
        (State::Ok, true) => "+",
        (State::Running, _) => ">",
        (State::Late, _) => "~",
        (State::Unknown, _) => "?",
        (State::Failed | State::Missing | State::Shrunk, _) => "!",
    }
}

/// The age against the period: filled up to the period, the rest of the bar empty; a job past
/// its period shows full.
fn age_bar(job: &JobStatus, w: usize, ascii: bool) -> String {
    let (Some(age), Some(period)) = (job.verdict.age_s, job.verdict.period_s) else {
        return " ".repeat(w);
    };
    let (full, empty) = if ascii { ("#", ".") } else { ("█", "░") };
    let part = if period > 0 { (age as f64 / period as f64).clamp(0.0, 1.0) } else { 1.0 };
    let n = ((part * w as f64).round() as usize).min(w);
    format!("{}{}", full.repeat(n), empty.repeat(w - n))
}

fn verified(job: &JobStatus, lang: Lang, verifying: bool) -> String {
    if verifying {
        return tr(lang, "verifying", "校验中");
    }
    match (&job.verification, &job.verify) {
        (Some(v), _) if v.status == 0 => tr(lang, "passed", "通过"),
        (Some(v), _) => tr(lang, format!("failed {}", v.status), format!("失败 {}", v.status)),
        (None, Some(_)) if job.verdict.newest.is_some() => tr(lang, "not yet", "未校验"),
        _ => "-".into(),
    }
}

/// Draws the pane; gives how many job rows the list shows (its page).
pub fn render(pane: &BackupsPane, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) -> usize {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    if area.height < 2 || area.width < 10 {
        return 1;
    }
    if pane.jobs.is_empty() {
        let text = if pane.checked {
            tr(
                lang,
                "No backup jobs: add [[jobs]] entries to the config (name, path, every or schedule); `yunwei check-config` checks them.",
                "没有备份作业：请在配置中添加 [[jobs]]（name、path、every 或 schedule），可用 `yunwei check-config` 检查。",
            )
        } else {
            tr(lang, "Checking the backup jobs…", "正在检查备份作业…")
        };
        f.render_widget(Paragraph::new(text).style(roles.muted).wrap(Wrap { trim: true }), area);
        return 1;
    }
    let detail_h = if area.height >= 16 { (area.height / 3).max(7) } else { 0 };
    let confirm_h = u16::from(pane.confirm.is_some()) * 2;
    let [summary, list, detail, confirm] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(detail_h),
        Constraint::Length(confirm_h),
    ])
    .areas(area);
    f.render_widget(Paragraph::new(summary_line(pane, ctx)), summary);
    let page = render_list(pane, f, list, ctx);
    if detail_h > 0 {
        if let Some(job) = pane.selected_job() {
            render_detail(pane, job, f, detail, ctx);
        }
    }
    if let Some(job) = &pane.confirm {
        render_confirm(pane, job, f, confirm, ctx);
    }
    page
}

fn summary_line(pane: &BackupsPane, ctx: &Ctx) -> Line<'static> {
    let lang = ctx.lang;
    let mut spans = vec![Span::styled(
        tr(lang, format!("{} jobs", pane.jobs.len()), format!("{} 个作业", pane.jobs.len())),
        ctx.theme.roles.title,
    )];
    for s in <State as strum::VariantArray>::VARIANTS.iter().rev() {
        let n = pane.jobs.iter().filter(|j| j.verdict.state == *s).count();
        if n > 0 {
            spans.push(Span::raw("  "));
            spans.push(Span::styled(format!("{n} {}", backup_words::state(*s, lang)), state_style(*s, ctx)));
        }
    }
    Line::from(spans)
}

/// Which columns fit in `w` cells, besides the state and the name.
struct Cols {
    name: usize,
    age: usize,
    size: usize,
    spark: usize,
    verify: usize,
    reason: bool,
}

fn columns(w: usize) -> Cols {
    let state = 12;
    let mut c = Cols { name: 22, age: 0, size: 0, spark: 0, verify: 0, reason: false };
    let mut used = state + c.name;
    for (need, slot) in [(11usize, 0usize), (9, 1), (11, 2), (9, 3)] {
        if used + need <= w {
            used += need;
            match slot {
                0 => c.age = 10,
                1 => c.size = 8,
                2 => c.spark = 10,
                _ => c.verify = 8,
            }
        }
    }
    c.reason = used + 12 <= w;
    if w < state + c.name {
        c.name = w.saturating_sub(state).max(4);
    }
    c
}

fn render_list(pane: &BackupsPane, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) -> usize {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let w = area.width as usize;
    let cols = columns(w);
    // Display rows: a heading per host and kind, then its jobs.
    let mut rows: Vec<(Option<usize>, Line<'static>)> = Vec::new();
    let mut last: Option<(Option<&str>, crate::backups::Kind)> = None;
    for (i, job) in pane.jobs.iter().enumerate() {
        let group = (job.host.as_deref(), job.kind);
        if last != Some(group) {
            last = Some(group);
            let host = clean(job.host.as_deref().unwrap_or("localhost"));
            let head = format!("{host} · {}", backup_words::kind(job.kind, lang));
            let head = if ctx.ascii { head.replace('·', "-") } else { head };
            rows.push((None, Line::styled(truncate(&head, w, "…"), roles.header)));
        }
        rows.push((Some(i), job_line(pane, job, &cols, w, ctx)));
    }
    let height = area.height as usize;
    let at = rows.iter().position(|(j, _)| *j == Some(pane.selected)).unwrap_or(0);
    let top = (at + 1).saturating_sub(height);
    let lines: Vec<Line<'static>> = rows
        .into_iter()
        .skip(top)
        .take(height)
        .map(|(j, line)| if j == Some(pane.selected) { line.patch_style(roles.selected) } else { line })
        .collect();
    f.render_widget(Paragraph::new(lines), area);
    height.saturating_sub(2).max(1)
}

fn job_line(pane: &BackupsPane, job: &JobStatus, cols: &Cols, w: usize, ctx: &Ctx) -> Line<'static> {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let v = &job.verdict;
    let state = format!("{} {}", mark(v.state, ctx.ascii), backup_words::state(v.state, lang));
    let mut spans = vec![
        Span::styled(
            pad_right(&truncate(&state, 11, "…"), 12),
            state_style(v.state, ctx).add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            pad_right(&truncate(&clean(&job.name), cols.name.saturating_sub(1), "…"), cols.name),
            roles.text,
        ),
    ];
    if cols.age > 0 {
        spans.push(Span::styled(age_bar(job, cols.age, ctx.ascii) + " ", state_style(v.state, ctx)));
    }
    if cols.size > 0 {
        let size = v.newest.as_ref().map(|n| backup_words::size(n.size)).unwrap_or_else(|| "-".into());
        spans.push(Span::styled(pad_right(&size, cols.size) + " ", roles.text));
    }
    if cols.spark > 0 {
        let values: Vec<Option<f64>> = job.sizes.iter().map(|s| Some(*s as f64)).collect();
        let spark = yunwei_widgets::spark::render_string(&values, cols.spark, None, ctx.ascii);
        spans.push(Span::styled(spark + " ", roles.accent));
    }
    if cols.verify > 0 {
        let text = verified(job, lang, pane.verifying.contains(&job.name));
        let style = match &job.verification {
            Some(x) if x.status != 0 => roles.crit,
            _ => roles.muted,
        };
        spans.push(Span::styled(pad_right(&truncate(&text, cols.verify - 1, "…"), cols.verify), style));
    }
    if cols.reason {
        let used: usize = spans.iter().map(|s| width(&s.content)).sum();
        let reason = truncate(&clean(job.reason(lang)), w.saturating_sub(used), "…");
        spans.push(Span::styled(reason, roles.muted));
    }
    Line::from(spans)
}

fn render_detail(pane: &BackupsPane, job: &JobStatus, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let title = format!(" {} ", clean(&job.name));
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(roles.border)
        .title(Span::styled(title, roles.title));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let v = &job.verdict;
    let label = |en: &str, zh: &str| Span::styled(pad_right(&tr(lang, en, zh), 10), roles.muted);
    let mut lines = vec![Line::from(vec![
        label("state", "状态"),
        Span::styled(backup_words::state(v.state, lang).to_string(), state_style(v.state, ctx)),
        Span::raw("  "),
        Span::styled(clean(job.reason(lang)), roles.text),
    ])];
    for (s, r) in v.reasons.iter().skip(1) {
        lines.push(Line::from(vec![
            label("also", "另有"),
            Span::styled(backup_words::state(*s, lang).to_string(), state_style(*s, ctx)),
            Span::raw("  "),
            Span::styled(backup_words::reason(r, job.zone, lang), roles.muted),
        ]));
    }
    if let Some(n) = &v.newest {
        let prev = v
            .previous_size
            .map(|p| {
                tr(
                    lang,
                    format!(" (previous {})", backup_words::size(p)),
                    format!("（上一个 {}）", backup_words::size(p)),
                )
            })
            .unwrap_or_default();
        lines.push(Line::from(vec![
            label("newest", "最新"),
            Span::styled(
                format!(
                    "{}  {}{prev}  {}",
                    job.zone.local(n.mtime),
                    backup_words::size(n.size),
                    clean(&n.path)
                ),
                roles.text,
            ),
        ]));
    }
    if let Some(at) = v.expected_at {
        lines.push(Line::from(vec![
            label("due", "应于"),
            Span::styled(format!("{} ({})", job.zone.local(at), job.zone.name()), roles.text),
        ]));
    }
    match (&job.verification, &job.verify_error) {
        (Some(x), _) => {
            let verdict = if x.status == 0 {
                tr(lang, "passed", "通过")
            } else {
                tr(lang, format!("failed, status {}", x.status), format!("失败，状态 {}", x.status))
            };
            let style = if x.status == 0 { roles.ok } else { roles.crit };
            let mut spans = vec![
                label("verified", "校验"),
                Span::styled(format!("{verdict}  {}", job.zone.local(x.at)), style),
            ];
            if let Some(sum) = &x.checksum {
                spans.push(Span::styled(format!("  sha256 {}…", &sum[..sum.len().min(16)]), roles.muted));
            }
            lines.push(Line::from(spans));
            for l in x.output.lines().filter(|l| !l.trim().is_empty()).take(3) {
                lines.push(Line::from(vec![Span::raw(" ".repeat(10)), Span::styled(clean(l), roles.muted)]));
            }
        }
        (None, Some(e)) => {
            lines.push(Line::from(vec![label("verified", "校验"), Span::styled(clean(e), roles.warn)]))
        }
        (None, None) => {}
    }
    if let Some(run) = pane.runs.get(&job.name) {
        let state = match run.ended {
            None => tr(lang, "running", "运行中"),
            Some(Some(s)) => tr(lang, format!("ended, exit {s}"), format!("已结束，退出码 {s}")),
            Some(None) => tr(lang, "ended, status unknown", "已结束，状态未知"),
        };
        lines.push(Line::from(vec![
            label("run", "运行"),
            Span::styled(format!("{state}  {}: {}", clean(&run.host), clean(&run.command)), roles.accent),
        ]));
        let room = (inner.height as usize).saturating_sub(lines.len());
        let out: Vec<&str> = run.output.lines().collect();
        for l in out.iter().skip(out.len().saturating_sub(room)) {
            lines.push(Line::from(vec![Span::raw(" ".repeat(10)), Span::styled(clean(l), roles.text)]));
        }
    }
    let w = inner.width as usize;
    let lines: Vec<Line<'static>> =
        lines.into_iter().map(|l| yunwei_widgets::width::truncate_line(l, w, "…")).collect();
    f.render_widget(Paragraph::new(lines), inner);
}

fn render_confirm(pane: &BackupsPane, job: &str, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
    let lang = ctx.lang;
    let roles = &ctx.theme.roles;
    let Some(j) = pane.jobs.iter().find(|j| j.name == job) else { return };
    let host = clean(j.host.as_deref().unwrap_or("localhost"));
    let command = clean(j.run.as_deref().unwrap_or(""));
    let lines = vec![
        Line::from(vec![
            Span::styled(tr(lang, format!("Run on {host}?"), format!("在 {host} 上运行？")), roles.warn),
            Span::styled(tr(lang, "  y: run  n: cancel", "  y：运行  n：取消"), roles.hint_key),
        ]),
        Line::styled(command, roles.text.add_modifier(Modifier::BOLD)),
    ];
    let w = area.width as usize;
    let lines: Vec<Line<'static>> =
        lines.into_iter().map(|l| yunwei_widgets::width::truncate_line(l, w, "…")).collect();
    f.render_widget(Paragraph::new(lines), area);
}
