//! The host detail view: the summary, history sparklines, open alerts, filesystems, top
//! processes, security posture and failed units of one host.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use yunwei_widgets::width::{flow, pad_left, pad_right, truncate, truncate_line, width};
use yunwei_widgets::{fmt, spark};

use super::{level_style, Detail, HostRow};
use crate::alerts::{Alert, AlertKey, Metric};
use crate::health::security::{Security, Tone};
use crate::health::thresholds::Level;
use crate::i18n::Msg;
use crate::store::health::HistPoint;
use crate::ui::Ctx;

/// The security posture of a host, for the detail view.
fn security_lines(sec: &Security, ctx: &Ctx, w: usize) -> Vec<Line<'static>> {
    let roles = &ctx.theme.roles;
    let mut lines = vec![Line::styled(
        format!(
            "{} ({})",
            ctx.t(Msg::Security),
            chrono::DateTime::from_timestamp(sec.collected_at, 0)
                .map(|t| t.with_timezone(&ctx.now.timezone()).format("%m-%d %H:%M").to_string())
                .unwrap_or_default()
        ),
        roles.header,
    )];
    let label = |m: Msg| Span::styled(format!("{}: ", ctx.t(m)), roles.muted);
    let fact = |(m, text, tone): (Msg, String, Tone)| {
        let style = match tone {
            Tone::Good => roles.ok,
            Tone::Bad => roles.warn,
            Tone::Unknown => roles.muted,
            Tone::Plain => roles.text,
        };
        vec![label(m), Span::styled(text, style)]
    };
    let mut facts = sec.facts(ctx.lang).into_iter().map(fact);
    // Firewall, ports and failed logins a line each; the short ones flow.
    lines.extend(facts.by_ref().take(3).map(Line::from));
    let items: Vec<Vec<Span<'static>>> = facts.collect();
    lines.extend(flow(items, "  ", w, ctx.ellipsis()));
    lines
}

/// The latest security baseline inspection: its summary, what fails or warns, and the signs of
/// compromise with their evidence (data from the host, escaped).
fn baseline_lines(
    run: Option<&crate::store::baseline::StoredRun>,
    ctx: &Ctx,
    w: usize,
) -> Vec<Line<'static>> {
    use crate::baseline::State;
    use crate::i18n::tr;
    let roles = &ctx.theme.roles;
    let lang = ctx.lang;
    // A tab in a value (a sudoers line) is a space on the screen.
    let clean = |s: &str| crate::text::escape_unprintable(&s.replace('\t', " ")).into_owned();
    let Some(run) = run else {
        return vec![Line::from(vec![
            Span::styled(format!("{}: ", tr(lang, "Security baseline", "安全基线")), roles.header),
            Span::styled(
                tr(lang, "never checked (yunwei baseline check)", "尚未核查（yunwei baseline check）"),
                roles.muted,
            ),
        ])];
    };
    let when = chrono::DateTime::from_timestamp(run.at, 0)
        .map(|t| t.with_timezone(&ctx.now.timezone()).format("%m-%d %H:%M").to_string())
        .unwrap_or_default();
    let mut lines =
        vec![Line::styled(format!("{} ({when})", tr(lang, "Security baseline", "安全基线")), roles.header)];
    if let Some(e) = &run.error {
        lines.push(Line::styled(
            format!("{}: {}", tr(lang, "not inspected", "未能核查"), clean(e)),
            roles.warn,
        ));
        return lines;
    }
    let count = |s: State| run.findings.iter().filter(|f| f.state == s).count();
    let summary = [
        (State::Pass, count(State::Pass), roles.ok),
        (State::Fail, count(State::Fail), if count(State::Fail) > 0 { roles.crit } else { roles.muted }),
        (State::Warn, count(State::Warn), if count(State::Warn) > 0 { roles.warn } else { roles.muted }),
        (State::NotReadable, count(State::NotReadable), roles.muted),
    ];
    let items: Vec<Vec<Span<'static>>> = summary
        .iter()
        .map(|(s, n, style)| vec![Span::styled(format!("{} {n}", s.word(lang)), *style)])
        .collect();
    lines.extend(flow(items, "  ", w, ctx.ellipsis()));
    for f in run.findings.iter().filter(|f| matches!(f.state, State::Fail | State::Warn)) {
        let style = if f.state == State::Fail { roles.crit } else { roles.warn };
        lines.push(Line::from(vec![
            Span::styled(format!("  {} ", f.state.word(lang)), style),
            Span::styled(format!("{} ", f.id.as_str()), roles.text),
            Span::styled(clean(&crate::baseline::value_words(&f.value, lang)), roles.muted),
        ]));
    }
    // What the login could not read, by name: so many unread is itself a finding to look at.
    let unread: Vec<&str> =
        run.findings.iter().filter(|f| f.state == State::NotReadable).map(|f| f.id.as_str()).collect();
    if !unread.is_empty() {
        lines.push(Line::styled(
            format!("  {} {}", State::NotReadable.word(lang), unread.join(" ")),
            roles.muted,
        ));
    }
    if run.signs.is_empty() {
        lines.push(Line::styled(tr(lang, "No sign of compromise", "未发现入侵迹象"), roles.ok));
    } else {
        lines.push(Line::styled(
            format!("{} ({})", tr(lang, "Signs of compromise", "入侵迹象"), run.signs.len()),
            roles.crit,
        ));
        for s in &run.signs {
            let mut what = s.kind.words().get(lang).to_string();
            if s.weak {
                what.push_str(&tr(lang, " (weak alone)", "（弱证据）"));
            }
            lines.push(Line::from(vec![
                Span::styled(format!("  {what}: "), if s.weak { roles.warn } else { roles.crit }),
                Span::styled(clean(&s.evidence), roles.text),
            ]));
        }
    }
    for u in &run.unseen {
        lines.push(Line::styled(
            format!("  {}{}", tr(lang, "not looked at: ", "未能检查："), u.get(lang)),
            roles.muted,
        ));
    }
    lines
}

fn level_words(level: Level, ctx: &Ctx) -> &'static str {
    match level {
        Level::Crit => ctx.t(Msg::Critical),
        Level::Warn => ctx.t(Msg::Warning),
        Level::Ok => ctx.t(Msg::StateUp),
    }
}

/// An alert in the user's language, from its structured fields.
pub fn alert_words(a: &Alert, ctx: &Ctx) -> String {
    let AlertKey::Health { metric, mount, .. } = &a.key else {
        return a.reason(ctx.lang).to_string();
    };
    let metric_name = ctx.t(match metric {
        Metric::Unreachable => Msg::Unreachable,
        Metric::Cpu => Msg::Cpu,
        Metric::Load => Msg::ColLoad,
        Metric::Mem => Msg::Memory,
        Metric::Swap => Msg::Swap,
        Metric::Disk => Msg::MetricDisk,
        Metric::Inodes => Msg::MetricInodes,
        Metric::FailedUnits => Msg::FailedUnits,
        Metric::NetErrors => Msg::MetricNetErrors,
        Metric::NetDrops => Msg::MetricNetDrops,
    });
    match (metric, a.value) {
        (Metric::Unreachable | Metric::FailedUnits, _) | (_, None) => {
            format!("{metric_name}: {}", a.reason(ctx.lang))
        }
        (Metric::Load, Some(v)) => format!("{metric_name} {v:.2}"),
        (Metric::NetErrors | Metric::NetDrops, Some(v)) => format!("{mount} {metric_name} {v:.1}/s"),
        (_, Some(v)) if mount.is_empty() => format!("{metric_name} {v:.0}%"),
        (_, Some(v)) => format!("{metric_name} {mount} {v:.0}%"),
    }
}

/// One sparkline of the detail view: label, how to read the value, full-scale value, formatting.
type Series = (Msg, fn(&HistPoint) -> Option<f64>, Option<f64>, fn(f64) -> String);

pub(super) fn render_detail(
    f: &mut Frame<'_>,
    area: Rect,
    ctx: &Ctx,
    d: &Detail,
    row: Option<&HostRow>,
    alerts: &[&Alert],
) {
    let roles = &ctx.theme.roles;
    let title =
        format!("{}: {} [{} {}]", ctx.t(Msg::DetailTitle), d.host, ctx.t(Msg::Range), d.range.label());
    let block = ctx.fitted_block(title, area.width);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let w = usize::from(inner.width);
    let mut lines: Vec<Line> = Vec::new();
    let sample = row.and_then(|r| r.sample.as_ref());

    // Summary line.
    match sample {
        None => lines.push(Line::styled(ctx.t(Msg::StateWaiting), roles.muted)),
        Some(s) if !s.reachable => {
            let why = s
                .error
                .as_ref()
                .map(|e| {
                    format!(
                        "{}: {}",
                        crate::health::HostError::kind_text(&e.kind, ctx.lang),
                        e.text(ctx.lang == crate::i18n::Lang::ZhCn)
                    )
                })
                .unwrap_or_default();
            lines.push(Line::from(vec![
                Span::styled(ctx.t(Msg::StateDown).to_string(), roles.crit),
                Span::raw(" "),
                Span::styled(why, roles.text),
            ]));
        }
        Some(s) => {
            let mem = match (s.mem_total_kib, s.mem_available_kib) {
                (Some(t), Some(a)) => format!("{}/{}", fmt::kib(t.saturating_sub(a)), fmt::kib(t)),
                _ => "-".into(),
            };
            let swap = match s.swap_total_kib {
                Some(0) | None => "-".to_string(),
                Some(t) => format!("{}% {}", fmt::pct(s.swap_used_pct), fmt::kib(t)),
            };
            // The figures flow onto a second line on a narrow screen rather than lose digits.
            let summary = vec![
                vec![Span::styled(
                    format!("{} {}", ctx.t(Msg::Uptime), s.uptime_s.map(fmt::duration).unwrap_or_default()),
                    roles.text,
                )],
                vec![Span::styled(
                    format!("{} {}", s.cores.map(|c| c.to_string()).unwrap_or_default(), ctx.t(Msg::Cores)),
                    roles.text,
                )],
                vec![Span::styled(
                    format!(
                        "{} {} {} {}",
                        ctx.t(Msg::Load),
                        fmt::ratio(s.load1),
                        fmt::ratio(s.load5),
                        fmt::ratio(s.load15)
                    ),
                    roles.text,
                )],
            ];
            lines.extend(flow(summary, "  ", w, ctx.ellipsis()));
            let memory = vec![
                vec![Span::styled(format!("{} {mem}", ctx.t(Msg::Memory)), roles.text)],
                vec![Span::styled(format!("{} {swap}", ctx.t(Msg::Swap)), roles.text)],
            ];
            lines.extend(flow(memory, "  ", w, ctx.ellipsis()));
            // What this round could not read, where its figures are missing.
            for warning in &s.warnings {
                lines.push(Line::from(vec![
                    Span::styled(format!("{}: ", ctx.t(Msg::ProbeIncomplete)), roles.warn),
                    Span::styled(warning.get(ctx.lang).to_string(), roles.text),
                ]));
            }
        }
    }
    lines.push(Line::default());

    // Sparklines.
    lines.push(Line::styled(format!("{} ({})", ctx.t(Msg::History), d.range.label()), roles.header));
    let label_w = [Msg::Cpu, Msg::Memory, Msg::Load, Msg::NetIn, Msg::NetOut]
        .iter()
        .map(|m| width(ctx.t(*m)))
        .max()
        .unwrap_or(6);
    let value_w = 8;
    let spark_w = w.saturating_sub(label_w + value_w + 2);
    match &d.history {
        None => lines.push(Line::styled(ctx.t(Msg::HistoryLoading), roles.muted)),
        Some(points) if points.is_empty() => lines.push(Line::styled(ctx.t(Msg::HistoryEmpty), roles.muted)),
        Some(points) => {
            let series: [Series; 5] = [
                (Msg::Cpu, |p| p.cpu_pct, Some(100.0), |v| format!("{v:.0}%")),
                (Msg::Memory, |p| p.mem_used_pct, Some(100.0), |v| format!("{v:.0}%")),
                (Msg::Load, |p| p.load1, None, |v| format!("{v:.2}")),
                (Msg::NetIn, |p| p.rx_bps, None, |v| format!("{}/s", fmt::rate(v))),
                (Msg::NetOut, |p| p.tx_bps, None, |v| format!("{}/s", fmt::rate(v))),
            ];
            for (label, get, max, show) in series {
                let values: Vec<Option<f64>> = points.iter().map(get).collect();
                let last = values.iter().rev().flatten().next().copied();
                let bars = spark::render_string(&values, spark_w, max, ctx.ascii);
                lines.push(Line::from(vec![
                    Span::styled(pad_right(ctx.t(label), label_w), roles.text),
                    Span::raw(" "),
                    Span::styled(bars, roles.accent),
                    Span::raw(" "),
                    Span::styled(
                        pad_left(&last.map(show).unwrap_or_else(|| "-".into()), value_w),
                        roles.text,
                    ),
                ]));
            }
        }
    }
    lines.push(Line::default());

    // Open alerts of this host, worst first.
    lines.push(Line::styled(ctx.t(Msg::OpenAlerts), roles.header));
    if alerts.is_empty() {
        lines.push(Line::styled(ctx.t(Msg::NoOpenAlerts), roles.ok));
    }
    let mut alerts = alerts.to_vec();
    alerts.sort_by(|a, b| b.level.cmp(&a.level).then(a.opened_at.cmp(&b.opened_at)));
    for a in alerts {
        let since = chrono::DateTime::from_timestamp(a.opened_at, 0)
            .map(|t| t.with_timezone(&ctx.now.timezone()).format("%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let what = alert_words(a, ctx);
        let mut spans = vec![
            Span::styled(format!("{} ", level_words(a.level, ctx)), level_style(a.level, ctx)),
            Span::styled(what, roles.text),
            Span::styled(format!("  {} {since}", ctx.t(Msg::Since)), roles.muted),
        ];
        if let (Some(by), Some(_)) = (&a.acked_by, a.acked_at) {
            spans.push(Span::styled(format!("  {} {by}", ctx.t(Msg::AckedBy)), roles.muted));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::default());

    if let Some(s) = sample.filter(|s| s.reachable) {
        // Filesystems.
        lines.push(Line::styled(ctx.t(Msg::Filesystems), roles.header));
        let num_w = 6;
        let type_w = 8;
        let pct_w = 6;
        let mount_w = w.saturating_sub(type_w + 3 * num_w + 2 * pct_w + 6).max(8);
        lines.push(Line::styled(
            format!(
                "{} {} {} {} {} {} {}",
                pad_right(ctx.t(Msg::ColMount), mount_w),
                pad_right(ctx.t(Msg::ColFsType), type_w),
                pad_left(ctx.t(Msg::ColSize), num_w),
                pad_left(ctx.t(Msg::ColUsed), num_w),
                pad_left(ctx.t(Msg::ColAvail), num_w),
                pad_left(ctx.t(Msg::ColDisk), pct_w),
                pad_left(ctx.t(Msg::ColInodes), pct_w),
            ),
            roles.muted,
        ));
        for disk in &s.disks {
            let th = &ctx.thresholds;
            lines.push(Line::from(vec![
                Span::styled(pad_right(&truncate(&disk.mount, mount_w, ctx.ellipsis()), mount_w), roles.text),
                Span::raw(" "),
                Span::styled(pad_right(&disk.fs_type, type_w), roles.muted),
                Span::raw(" "),
                Span::styled(pad_left(&fmt::kib(disk.size_kib), num_w), roles.text),
                Span::raw(" "),
                Span::styled(pad_left(&fmt::kib(disk.used_kib), num_w), roles.text),
                Span::raw(" "),
                Span::styled(pad_left(&fmt::kib(disk.avail_kib), num_w), roles.text),
                Span::raw(" "),
                Span::styled(
                    pad_left(&fmt::pct(Some(disk.used_pct)), pct_w),
                    level_style(th.disk_level(disk.used_pct), ctx),
                ),
                Span::raw(" "),
                Span::styled(
                    pad_left(&fmt::pct(disk.inodes_used_pct), pct_w),
                    disk.inodes_used_pct.map(|v| level_style(th.inodes_level(v), ctx)).unwrap_or(roles.muted),
                ),
            ]));
        }
        lines.push(Line::default());

        // Interfaces: throughput, errors and drops per second against [thresholds].
        if !s.net.is_empty() {
            lines.push(Line::styled(ctx.t(Msg::Interfaces), roles.header));
            let num_w = 9;
            let iface_w = w.saturating_sub(4 * (num_w + 1)).clamp(6, 16);
            lines.push(Line::styled(
                format!(
                    "{} {} {} {} {}",
                    pad_right(ctx.t(Msg::ColIface), iface_w),
                    pad_left(ctx.t(Msg::ColRx), num_w),
                    pad_left(ctx.t(Msg::ColTx), num_w),
                    pad_left(ctx.t(Msg::ColErrors), num_w),
                    pad_left(ctx.t(Msg::ColDrops), num_w),
                ),
                roles.muted,
            ));
            let th = &ctx.thresholds;
            let per_s = |v: f64| {
                if v == 0.0 {
                    "0".to_string()
                } else if v < 10.0 {
                    format!("{v:.1}")
                } else {
                    format!("{v:.0}")
                }
            };
            for n in &s.net {
                let judged = n.iface != "lo";
                let style_of = |limits: &crate::health::thresholds::Limits, v: f64| {
                    if judged {
                        level_style(limits.level(v), ctx)
                    } else {
                        roles.muted
                    }
                };
                lines.push(Line::from(vec![
                    Span::styled(
                        pad_right(&truncate(&n.iface, iface_w, ctx.ellipsis()), iface_w),
                        roles.text,
                    ),
                    Span::raw(" "),
                    Span::styled(pad_left(&fmt::rate(n.rx_bytes_per_s), num_w), roles.text),
                    Span::raw(" "),
                    Span::styled(pad_left(&fmt::rate(n.tx_bytes_per_s), num_w), roles.text),
                    Span::raw(" "),
                    Span::styled(
                        pad_left(&per_s(n.errors_per_s), num_w),
                        style_of(&th.net_errors_per_s, n.errors_per_s),
                    ),
                    Span::raw(" "),
                    Span::styled(
                        pad_left(&per_s(n.drops_per_s), num_w),
                        style_of(&th.net_drops_per_s, n.drops_per_s),
                    ),
                ]));
            }
            lines.push(Line::default());
        }

        // Top processes.
        lines.push(Line::styled(ctx.t(Msg::TopProcesses), roles.header));
        let name_w = w.saturating_sub(8 + 8 + 2).max(8);
        lines.push(Line::styled(
            format!(
                "{} {} {}",
                pad_left(ctx.t(Msg::ColPid), 8),
                pad_right(ctx.t(Msg::ColProcess), name_w),
                pad_left(ctx.t(Msg::ColRss), 8)
            ),
            roles.muted,
        ));
        for p in &s.top_processes {
            // yunwei's own (its probes, its security scan) are named so, and dimmed: they are
            // not the host's load.
            let (name, style) = if p.by_yunwei {
                (format!("{} ({})", p.name, ctx.t(Msg::ProcOwn)), roles.muted)
            } else {
                (p.name.clone(), roles.text)
            };
            lines.push(Line::styled(
                format!(
                    "{} {} {}",
                    pad_left(&p.pid.to_string(), 8),
                    pad_right(&truncate(&name, name_w, ctx.ellipsis()), name_w),
                    pad_left(&fmt::kib(p.rss_kib), 8)
                ),
                style,
            ));
        }
        lines.push(Line::default());

        if let Some(sec) = &s.security {
            lines.extend(security_lines(sec, ctx, w));
            lines.push(Line::default());
        }
        // Failed units.
        let failed = if s.failed_units.is_empty() {
            Span::styled(ctx.t(Msg::NoFailedUnits).to_string(), roles.ok)
        } else {
            Span::styled(s.failed_units.join(", "), roles.warn)
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{}: ", ctx.t(Msg::FailedUnits)), roles.header),
            failed,
        ]));
    }
    if let Some(run) = &d.baseline {
        lines.push(Line::default());
        lines.extend(baseline_lines(run.as_deref(), ctx, w));
    }

    // Nothing is cut without a mark, and what is below the bottom edge is said on the border.
    let lines: Vec<Line<'static>> = lines.into_iter().map(|l| truncate_line(l, w, ctx.ellipsis())).collect();
    let max_scroll = (lines.len() as u16).saturating_sub(inner.height);
    let scroll = d.scroll.min(max_scroll);
    f.render_widget(Paragraph::new(lines).scroll((scroll, 0)), inner);
    if scroll < max_scroll {
        ctx.mark_more_below(f.buffer_mut(), area);
    }
}
