//! `yunwei report quarterly --quarter 2026Q4 [--out DIR]`: the quarter's service report,
//! `report.md` and `report.html`, in the language of `--lang` (else the config's, else the
//! locale), from the tickets and the health history in the database. The files are written
//! whole or not at all (each to a temporary name, then renamed), mode 0600, in a folder of
//! mode 0700; without `--out`, under the data folder: `reports/2026Q4/`.

use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use crate::cli::errors::{print_clean, say};
use crate::cli::Global;
use crate::i18n::tr;
use crate::report::quarterly::{self, Meta};
use crate::store::tickets::TicketFilter;
use crate::store::{Access, Store};
use crate::tickets::quarter::{figures, Facts, Quarter};

#[derive(Debug, Clone, clap::Args)]
#[command(subcommand_required = true, arg_required_else_help = true, disable_help_subcommand = true)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub command: ReportCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum ReportCommand {
    /// The quarterly service report: report.md and a self-contained report.html
    Quarterly(QuarterlyArgs),
    /// The inspection report: inspection.md, a self-contained inspection.html and findings.csv
    Inspection(InspectionArgs),
}

impl ReportCommand {
    pub fn name(&self) -> &'static str {
        match self {
            ReportCommand::Quarterly(_) => "report quarterly",
            ReportCommand::Inspection(_) => "report inspection",
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct QuarterlyArgs {
    /// The quarter, as 2026Q4 (default: the one now)
    #[arg(long, value_name = "QUARTER")]
    pub quarter: Option<String>,
    /// The folder to write report.md and report.html into (default: the data folder's
    /// reports/QUARTER)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct InspectionArgs {
    /// The quarter, as 2026Q4 (default: the one now)
    #[arg(long, value_name = "QUARTER", conflicts_with_all = ["from", "to"])]
    pub quarter: Option<String>,
    /// The first day of the period (YYYY-MM-DD), with --to
    #[arg(long, value_name = "DATE", requires = "to")]
    pub from: Option<String>,
    /// The last day of the period (YYYY-MM-DD), with --from
    #[arg(long, value_name = "DATE", requires = "from")]
    pub to: Option<String>,
    /// Only this host (repeatable)
    #[arg(long = "host", value_name = "NAME")]
    pub hosts: Vec<String>,
    /// The folder to write the files into (default: the data folder's reports/inspection-PERIOD)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Open a ticket for each failing problem that has no open ticket yet
    #[arg(long)]
    pub tickets: bool,
}

pub fn run(g: &Global, args: &ReportArgs) -> i32 {
    let a = match &args.command {
        ReportCommand::Quarterly(a) => a,
        ReportCommand::Inspection(a) => return inspection(g, a),
    };
    let name = args.command.name();
    let cfg = match crate::cli::config_or_say(g, name) {
        Ok(cfg) => cfg,
        Err(code) => return code,
    };
    let lang = crate::cli::lang_with(g, &cfg);
    let policy = cfg.tickets.sla.clone();
    let offset = policy.calendar.offset;
    let now = match crate::cli::ticket::now(lang) {
        Ok(now) => now,
        Err(e) => {
            say(name, &e);
            return 2;
        }
    };
    let quarter = match &a.quarter {
        Some(text) => Quarter::parse(text, offset),
        None => Quarter::containing(now, offset),
    };
    let Some(quarter) = quarter else {
        let given = crate::text::escape_unprintable(a.quarter.as_deref().unwrap_or("")).into_owned();
        say(
            name,
            &tr(
                lang,
                format!(
                    "--quarter {given:?} is not a quarter: write it as 2026Q4 (the year, Q, then 1 to 4)"
                ),
                format!("--quarter {given:?} 不是季度：请写成 2026Q4（年份、Q、再加 1 到 4）"),
            ),
        );
        return 2;
    };
    if quarter.start > now {
        say(
            name,
            &tr(
                lang,
                format!("{} has not begun: there is nothing to report yet", quarter.label()),
                format!("{} 尚未开始：还没有可报告的内容", quarter.label()),
            ),
        );
        return 2;
    }
    let (path, options) = crate::cli::db_options(g, Access::Read);
    let store = match Store::open_with(&path, options) {
        Ok(s) => s,
        Err(e) => {
            say(name, &e.text(lang));
            return 2;
        }
    };
    let filter =
        TicketFilter { all: true, from: Some(quarter.start), to: Some(quarter.end), ..Default::default() };
    let read = store.tickets(&filter).and_then(|t| Ok((t, store.fleet_figures(quarter.start, quarter.end)?)));
    let (tickets, fleet) = match read {
        Ok(x) => x,
        Err(e) => {
            say(name, &e.text(lang));
            return 2;
        }
    };
    let facts: Vec<Facts> = tickets
        .into_iter()
        .map(|t| Facts {
            number: t.number,
            priority: t.priority,
            category: t.category,
            channel: t.channel,
            unit: t.unit,
            summary: t.summary,
            created_at: t.created_at,
            escalation_level: t.escalation_level,
            timeline: t.timeline,
        })
        .collect();
    let f = figures(&facts, &quarter, &policy, now);
    let operator = crate::store::audit::resolve_operator(cfg.general.operator.as_deref());
    let meta = Meta { quarter: &quarter, generated_at: now, operator: &operator, offset, lang };
    let (md, html) = match (quarterly::markdown(&f, &fleet, &meta), quarterly::html(&f, &fleet, &meta)) {
        (Ok(md), Ok(html)) => (md, html),
        (Err(e), _) | (_, Err(e)) => {
            say(name, &tr(lang, format!("the charts could not be drawn: {e}"), format!("无法绘制图表：{e}")));
            return 1;
        }
    };
    let out = a.out.clone().unwrap_or_else(|| {
        path.parent().map(Path::to_path_buf).unwrap_or_default().join("reports").join(quarter.label())
    });
    if let Err(code) = write_files(name, lang, &out, &[("report.md", &md), ("report.html", &html)]) {
        return code;
    }
    let pct = |c: &crate::tickets::quarter::Compliance| {
        c.pct().map(|p| format!("{p:.1}%")).unwrap_or_else(|| "-".into())
    };
    let (q, n, resp, res, b, hosts) =
        (quarter.label(), f.total, pct(&f.response), pct(&f.resolution), f.breaches.len(), fleet.len());
    print_clean(&tr(
        lang,
        format!("{q}: {n} tickets, response SLA {resp}, resolution SLA {res}, {b} breaches, {hosts} hosts"),
        format!("{q}：工单 {n} 张，响应达标率 {resp}，解决达标率 {res}，超时 {b} 次，主机 {hosts} 台"),
    ));
    0
}

/// Writes a report's files into `out` (made mode 0700), each whole and mode 0600, and prints
/// their paths; what could not be written is said, in the reader's language (exit code 2).
fn write_files(
    name: &str,
    lang: crate::i18n::Lang,
    out: &Path,
    files: &[(&str, &String)],
) -> Result<(), i32> {
    let shown = |p: &Path| crate::text::escape_unprintable(&p.display().to_string()).into_owned();
    let refused = |p: &Path, e: std::io::Error, en: &str, zh: &str| {
        let why = crate::i18n::io_error(&e, lang);
        say(name, &tr(lang, format!("{}: {en}: {why}", shown(p)), format!("{}：{zh}：{why}", shown(p))));
        2
    };
    if let Err(e) = std::fs::DirBuilder::new().recursive(true).mode(0o700).create(out) {
        return Err(refused(out, e, "cannot be made", "无法创建"));
    }
    for (file, text) in files {
        let p = out.join(file);
        if let Err(e) = crate::cli::write_private(&p, text.as_bytes()) {
            return Err(refused(
                &p,
                e,
                "not written (nothing is left half-written)",
                "未写入（不会留下写了一半的文件）",
            ));
        }
        print_clean(&shown(&p));
    }
    Ok(())
}

/// A day `YYYY-MM-DD` in `offset`: its start.
fn day_start(text: &str, offset: chrono::FixedOffset) -> Option<i64> {
    use chrono::TimeZone;
    let d = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    offset.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).single().map(|t| t.timestamp())
}

/// Everything the report says of each host in `[from, to)`: the hosts the database holds
/// history or baseline runs for in the period (configured or not), or those asked for.
fn collect(
    store: &Store,
    cfg: &crate::config::Config,
    from: i64,
    to: i64,
    asked: &[String],
    current: bool,
    now: i64,
) -> crate::store::Result<Vec<crate::report::inspection::HostData>> {
    use crate::report::inspection::{HostData, JobFacts};
    let figures = store.fleet_figures(from, to)?;
    let runs = store.baseline_runs_between(from, to)?;
    let mut names: Vec<String> =
        figures.iter().map(|f| f.host.clone()).chain(runs.iter().map(|r| r.host.clone())).collect();
    names.sort();
    names.dedup();
    names.retain(|n| asked.is_empty() || asked.contains(n));
    // The jobs' and checks' states are the latest ones, so they belong in the report of a
    // period that ends now or lately (a week), not in an older one, nor the period before.
    let live = current && to > now - 7 * 86_400;
    let checks = if live { store.job_checks()? } else { Vec::new() };
    let latest = if live { store.net_latest()? } else { Vec::new() };
    let local_host = cfg.hosts.iter().find(|h| h.local).map(|h| h.name.clone());
    let history = store.alerts_opened_between(from, to)?;
    let mut out = Vec::with_capacity(names.len());
    for host in names {
        let mut jobs = Vec::new();
        for c in checks.iter().filter(|c| c.host.as_deref() == Some(host.as_str())) {
            let verified = store
                .job_artefacts(&c.job, 1)?
                .into_iter()
                .next()
                .and_then(|a| Some((a.verified_at?, a.verify_status.unwrap_or(-1))));
            jobs.push(JobFacts {
                job: c.job.clone(),
                state: c.state.clone(),
                reason: crate::i18n::Both { en: c.reason_en.clone(), zh: c.reason_zh.clone() },
                checked_at: c.checked_at,
                verified,
            });
        }
        let certs = latest
            .iter()
            .filter(|r| {
                r.origin == host
                    || (r.origin == crate::netcheck::LOCAL && local_host.as_deref() == Some(host.as_str()))
            })
            .filter_map(|r| Some((r.check.clone(), r.origin.clone(), r.cert_expires_at?)))
            .collect();
        let failed_units = history
            .iter()
            .filter(|a| {
                a.key.host() == Some(host.as_str())
                    && a.key.metric() == Some(crate::alerts::health::Metric::FailedUnits)
            })
            .map(|a| {
                let zh = a.reason(crate::i18n::Lang::ZhCn).to_string();
                (a.opened_at, crate::i18n::Both { en: a.message.clone(), zh })
            })
            .collect();
        out.push(HostData {
            configured: cfg.hosts.iter().any(|h| h.name == host),
            figures: figures.iter().find(|f| f.host == host).cloned(),
            // The days are not judged: the period before needs none.
            days: if current { store.daily_health(&host, from, to)? } else { Vec::new() },
            fs: store.fs_daily(&host, from, to)?,
            boots: store.boots_between(&host, from, to)?,
            failed_units,
            baseline: runs.iter().find(|r| r.host == host).cloned(),
            jobs,
            certs,
            failed_logins: store.failed_logins(&host, from, to)?,
            logins_limit: cfg.baseline.failed_logins_24h,
            host,
        });
    }
    Ok(out)
}

/// `yunwei report inspection`: the period's inspection report, and with `--tickets` a ticket
/// for each failing problem not followed up yet.
fn inspection(g: &Global, a: &InspectionArgs) -> i32 {
    use crate::report::inspection as report;
    let name = "report inspection";
    let cfg = match crate::cli::config_or_say(g, name) {
        Ok(cfg) => cfg,
        Err(code) => return code,
    };
    let lang = crate::cli::lang_with(g, &cfg);
    let offset = cfg.tickets.sla.calendar.offset;
    let now = match crate::cli::ticket::now(lang) {
        Ok(now) => now,
        Err(e) => {
            say(name, &e);
            return 2;
        }
    };
    let (label, from, to) = match (&a.quarter, &a.from, &a.to) {
        (_, Some(f), Some(t)) => {
            let (Some(start), Some(last)) = (day_start(f, offset), day_start(t, offset)) else {
                let bad = if day_start(f, offset).is_none() { f } else { t };
                let bad = crate::text::escape_unprintable(bad).into_owned();
                say(
                    name,
                    &tr(
                        lang,
                        format!("{bad:?} is not a date: write it as 2026-10-01"),
                        format!("{bad:?} 不是日期：请写成 2026-10-01"),
                    ),
                );
                return 2;
            };
            if last < start {
                say(name, &tr(lang, "--to is before --from", "--to 早于 --from"));
                return 2;
            }
            (format!("{}~{}", f.trim(), t.trim()), start, last + 86_400)
        }
        (q, _, _) => {
            let quarter = match q {
                Some(text) => Quarter::parse(text, offset),
                None => Quarter::containing(now, offset),
            };
            let Some(quarter) = quarter else {
                let given = crate::text::escape_unprintable(q.as_deref().unwrap_or("")).into_owned();
                say(
                    name,
                    &tr(
                        lang,
                        format!("--quarter {given:?} is not a quarter: write it as 2026Q4 (the year, Q, then 1 to 4)"),
                        format!("--quarter {given:?} 不是季度：请写成 2026Q4（年份、Q、再加 1 到 4）"),
                    ),
                );
                return 2;
            };
            (quarter.label(), quarter.start, quarter.end)
        }
    };
    if from > now {
        say(
            name,
            &tr(
                lang,
                format!("{label} has not begun: there is nothing to report yet"),
                format!("{label} 尚未开始：还没有可报告的内容"),
            ),
        );
        return 2;
    }
    let access = if a.tickets { Access::Write } else { Access::Read };
    let (path, options) = crate::cli::db_options(g, access);
    let mut store = match Store::open_with(&path, options) {
        Ok(s) => s,
        Err(e) => {
            say(name, &e.text(lang));
            return 2;
        }
    };
    // The period before, as long, for the follow-up of its problems.
    let (prev_from, prev_to) = match &a.quarter {
        Some(_) | None if a.from.is_none() => {
            let q = Quarter::containing(from - 1, offset);
            q.map(|q| (q.start, q.end)).unwrap_or((from - (to - from), from))
        }
        _ => (from - (to - from), from),
    };
    let read = collect(&store, &cfg, from, to, &a.hosts, true, now)
        .and_then(|h| Ok((h, collect(&store, &cfg, prev_from, prev_to, &a.hosts, false, now)?)));
    let (hosts, before) = match read {
        Ok(x) => x,
        Err(e) => {
            say(name, &e.text(lang));
            return 2;
        }
    };
    for asked in &a.hosts {
        if !hosts.iter().any(|h| &h.host == asked) {
            say(
                name,
                &tr(
                    lang,
                    format!(
                        "{}: the database holds nothing of this host in {label}",
                        crate::text::escape_unprintable(asked)
                    ),
                    format!(
                        "{}：数据库中没有该主机在 {label} 的记录",
                        crate::text::escape_unprintable(asked)
                    ),
                ),
            );
        }
    }
    // A report of nothing is not written: it would read as a clean inspection.
    if hosts.is_empty() {
        let (en, zh) = if a.hosts.is_empty() {
            (
                format!("no host has history or a baseline run in {label}: nothing written"),
                format!("{label} 期间没有任何主机的监控历史或基线核查记录，未生成报告"),
            )
        } else {
            // Each host named was said above.
            ("nothing written".to_string(), "未生成报告".to_string())
        };
        say(name, &tr(lang, en, zh));
        return 1;
    }
    let operator = crate::store::audit::resolve_operator(cfg.general.operator.as_deref());
    let meta =
        report::Meta { label: label.clone(), from, to, generated_at: now, operator: &operator, offset, lang };
    let prev_meta = report::Meta {
        label: String::new(),
        from: prev_from,
        to: prev_to,
        generated_at: prev_to,
        operator: &operator,
        offset,
        lang,
    };
    let previous = report::listed(&before, &prev_meta);
    let problems = report::listed(&hosts, &meta);
    let written = (
        report::markdown(&hosts, &problems, &previous, &meta),
        report::html(&hosts, &problems, &previous, &meta),
        report::csv(&problems, &meta),
    );
    let (md, html, csv) = match written {
        (Ok(md), Ok(html), Ok(csv)) => (md, html, csv),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            say(
                name,
                &tr(lang, format!("the report could not be written: {e}"), format!("无法生成报告：{e}")),
            );
            return 1;
        }
    };
    let out = a.out.clone().unwrap_or_else(|| {
        path.parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
            .join("reports")
            .join(format!("inspection-{}", label.replace('~', "_")))
    });
    let files = [("inspection.md", &md), ("inspection.html", &html), ("findings.csv", &csv)];
    if let Err(code) = write_files(name, lang, &out, &files) {
        return code;
    }
    let high = problems.iter().filter(|p| p.severity == report::Severity::High).count();
    print_clean(&tr(
        lang,
        format!(
            "{label}: {} hosts, {} problems ({high} high), {} from the last period followed up",
            hosts.len(),
            problems.len(),
            previous.len()
        ),
        format!(
            "{label}：主机 {} 台，问题 {} 项（高风险 {high} 项），跟踪上期问题 {} 项",
            hosts.len(),
            problems.len(),
            previous.len()
        ),
    ));
    if a.tickets {
        return open_tickets(&mut store, &problems, &operator, now, offset, lang);
    }
    0
}

/// A ticket for each failing problem that no open ticket follows up yet (by its tag).
fn open_tickets(
    store: &mut Store,
    problems: &[crate::report::inspection::Problem],
    operator: &str,
    now: i64,
    offset: chrono::FixedOffset,
    lang: crate::i18n::Lang,
) -> i32 {
    use crate::report::inspection::Severity;
    use crate::tickets::{Category, Channel, Level};
    let name = "report inspection";
    let (mut opened, mut kept) = (0, 0);
    for p in problems.iter().filter(|p| p.failing) {
        let tag = p.tag();
        match store.open_ticket_with_tag(&tag) {
            Ok(Some(_)) => {
                kept += 1;
                continue;
            }
            Ok(None) => {}
            Err(e) => {
                say(name, &e.text(lang));
                return 2;
            }
        }
        let level = match p.severity {
            Severity::High => Level::High,
            Severity::Medium => Level::Medium,
            Severity::Low => Level::Low,
        };
        // A sign of compromise is an incident, handled at once; the rest is remediation
        // planned by its due date, not an outage's minutes.
        let urgency = if p.key.starts_with("sign/") { level } else { Level::Low };
        let due = crate::report::inspection::date(p.due(now), offset, "%Y-%m-%d");
        let new = crate::store::tickets::NewTicket {
            channel: Some(Channel::Monitoring),
            caller: operator.to_string(),
            caller_phone: None,
            unit: None,
            category: Some(if p.category.security() { Category::Security } else { Category::Server }),
            subcategory: None,
            impact: Some(level),
            urgency: Some(urgency),
            summary: format!("{}: {}", p.host, p.problem.get(lang)).chars().take(200).collect(),
            description: format!(
                "{}\n{}: {}\n{}: {}\n{}: {}\n{}: {due}",
                p.problem.get(lang),
                tr(lang, "Found", "实际情况"),
                p.value.get(lang),
                tr(lang, "Clause", "条款"),
                if p.clause.is_empty() { "-" } else { p.clause },
                tr(lang, "Advice", "整改建议"),
                p.advice.get(lang),
                tr(lang, "Fix by", "整改期限"),
            ),
            hosts: vec![p.host.clone()],
            alert_id: None,
            assignee: None,
            tags: vec![tag],
        };
        match store.create_ticket(&new, operator, now, offset) {
            Ok(t) => {
                opened += 1;
                print_clean(&format!("{} {}", t.number, crate::text::escape_unprintable(&t.summary)));
            }
            Err(e) => {
                say(name, e.said(offset).get(lang));
                return 2;
            }
        }
    }
    print_clean(&tr(
        lang,
        format!("{opened} tickets opened, {kept} problems already have an open ticket"),
        format!("新开工单 {opened} 张，{kept} 项问题已有未关闭的工单"),
    ));
    let partly = problems.iter().filter(|p| !p.failing).count();
    if partly > 0 {
        print_clean(&tr(
            lang,
            format!("{partly} problems only partly met open no ticket (they are in the report)"),
            format!("{partly} 项部分符合的问题不开工单（已列入报告）"),
        ));
    }
    0
}
