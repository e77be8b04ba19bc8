//! `yunwei backup …`: the `[[jobs]]` from the command line. `check` runs one check round now
//! (one command per host), records it, and prints each job's state with the rule behind it;
//! exit 0 when every job is ok, 1 otherwise, 2 for a usage or config error. `history` lists the
//! artefacts seen of a job, with their verifications, and its on-demand runs.

use serde_json::{json, Value};

use crate::backup_words;
use crate::backups::State;
use crate::cli::errors::{print_clean, print_json, say, shown};
use crate::cli::Global;
use crate::i18n::{tr, Lang};
use crate::store::{Access, Store};
use crate::workers::backups::{self as work, JobStatus, VerifyMode};

#[derive(Debug, Clone, clap::Args)]
#[command(subcommand_required = true, arg_required_else_help = true, disable_help_subcommand = true)]
pub struct BackupArgs {
    #[command(subcommand)]
    pub command: BackupCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum BackupCommand {
    Check(CheckArgs),
    History(HistoryArgs),
}

impl BackupCommand {
    pub fn name(&self) -> &'static str {
        match self {
            BackupCommand::Check(_) => "backup check",
            BackupCommand::History(_) => "backup history",
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    #[arg(long, value_enum, value_name = "table|json|nagios")]
    pub format: Option<crate::cli::nagios::Format>,
    #[arg(long, value_name = "NAME")]
    pub job: Option<String>,
    #[arg(long)]
    pub verify: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct HistoryArgs {
    #[arg(value_name = "NAME")]
    pub name: String,
    #[arg(long)]
    pub json: bool,
}

/// A moment as RFC 3339 in the job's zone.
fn stamp(t: Option<i64>, zone: crate::backups::Zone) -> Value {
    use chrono::TimeZone;
    let Some(t) = t else { return Value::Null };
    let text = match zone {
        crate::backups::Zone::Named(tz) => tz.timestamp_opt(t, 0).single().map(|d| d.to_rfc3339()),
        crate::backups::Zone::Fixed(off) => off.timestamp_opt(t, 0).single().map(|d| d.to_rfc3339()),
    };
    text.map_or(Value::Null, Value::String)
}

pub fn run(g: &Global, args: &BackupArgs) -> i32 {
    let name = args.command.name();
    let cfg = match crate::cli::config_or_say(g, name) {
        Ok(cfg) => cfg,
        Err(code) => return code,
    };
    let lang = crate::cli::lang_with(g, &cfg);
    match &args.command {
        BackupCommand::Check(a) => check(g, &cfg, a, lang),
        BackupCommand::History(a) => history(g, &cfg, a, lang),
    }
}

/// The job named, or the error that names the ones there are.
fn pick<'c>(
    cfg: &'c crate::config::Config,
    job: &str,
    lang: Lang,
) -> Result<&'c crate::backups::Spec, String> {
    cfg.jobs.iter().find(|j| j.name == job).ok_or_else(|| {
        let names: Vec<String> = cfg.jobs.iter().map(|j| shown(&j.name)).collect();
        let near = crate::text::nearest(job, cfg.jobs.iter().map(|j| j.name.as_str()));
        let j = shown(job);
        let mut text = if names.is_empty() {
            tr(
                lang,
                format!("no job is named {j}: the config has no [[jobs]]"),
                format!("没有名为 {j} 的作业：配置中没有 [[jobs]]"),
            )
        } else {
            tr(
                lang,
                format!("no job is named {j}; the config has: {}", names.join(", ")),
                format!("没有名为 {j} 的作业；配置中有：{}", names.join("、")),
            )
        };
        if let Some(n) = near {
            text.push_str(&tr(
                lang,
                format!(" (did you mean {}?)", shown(n)),
                format!("（是不是想写 {}？）", shown(n)),
            ));
        }
        text
    })
}

fn no_jobs(g: &Global, name: &str, cfg: &crate::config::Config, lang: Lang) -> i32 {
    let text = match &cfg.source {
        Some(p) => {
            let file = shown(&p.display().to_string());
            tr(
                lang,
                format!("{file} has no [[jobs]]; add one (name, path, every or schedule) to watch a backup"),
                format!("{file} 中没有 [[jobs]]；请添加作业（name、path、every 或 schedule）以监视备份"),
            )
        }
        None => {
            let file = shown(&crate::config::locate(g.config.as_deref()).path().display().to_string());
            tr(
                lang,
                format!("there is no config file ({file}); write one with [[jobs]] (name, path, every or schedule) to watch a backup"),
                format!("没有配置文件（{file}）；请写一个含 [[jobs]]（name、path、every 或 schedule）的配置以监视备份"),
            )
        }
    };
    say(name, &text);
    2
}

fn check(g: &Global, cfg: &crate::config::Config, a: &CheckArgs, lang: Lang) -> i32 {
    let name = "backup check";
    if cfg.jobs.is_empty() {
        return no_jobs(g, name, cfg, lang);
    }
    let jobs: Vec<crate::backups::Spec> = match &a.job {
        Some(job) => match pick(cfg, job, lang) {
            Ok(spec) => vec![spec.clone()],
            Err(e) => {
                say(name, &e);
                return 2;
            }
        },
        None => cfg.jobs.clone(),
    };
    let (path, options) = crate::cli::db_options(g, Access::Write);
    let mut store = match Store::open_with(&path, options) {
        Ok(s) => s,
        Err(e) => {
            say(name, &e.text(lang));
            return 1;
        }
    };
    let remote = jobs.iter().any(|j| j.host.is_some());
    let fleet = crate::cli::resolve_fleet(cfg);
    let sessions = remote.then(|| crate::fleet::Sessions::new(crate::fleet::pool_for(cfg)));
    let places = work::places(&jobs, &fleet, sessions.as_deref(), lang);
    let mode = if a.verify { VerifyMode::All } else { VerifyMode::Never };
    let statuses = match work::check(&jobs, &places, &mut store, mode, &cfg.backups, lang) {
        Ok(s) => s,
        Err(e) => {
            say(name, &e.text(lang));
            return 1;
        }
    };
    let format = crate::cli::nagios::Format::chosen(a.format, a.json);
    if format == crate::cli::nagios::Format::Nagios {
        let (line, code) = plugin(&statuses, lang);
        crate::cli::nagios::print(&line);
        return code;
    }
    if format == crate::cli::nagios::Format::Json {
        let rows: Vec<Value> = statuses.iter().map(|s| status_json(s, lang)).collect();
        print_json(&serde_json::to_string_pretty(&rows).unwrap_or_default());
    } else {
        print_clean(&table(&statuses, lang));
    }
    if statuses.iter().all(|s| s.verdict.state == State::Ok) {
        0
    } else {
        1
    }
}

/// The monitoring-plugin line of a check round and its exit code: missing, shrunk and failed
/// are CRITICAL, unknown is UNKNOWN, late and running WARNING; perfdata per job: the newest
/// artefact's age (its period the warning threshold) and size.
pub fn plugin(statuses: &[JobStatus], lang: Lang) -> (String, i32) {
    use crate::cli::nagios::{line, Perf, PluginState};
    let state_of = |s: &JobStatus| match s.verdict.state {
        State::Ok => PluginState::Ok,
        State::Late | State::Running => PluginState::Warning,
        State::Unknown => PluginState::Unknown,
        State::Failed | State::Missing | State::Shrunk => PluginState::Critical,
    };
    let state = PluginState::worst(statuses.iter().map(state_of));
    let bad: Vec<String> = statuses
        .iter()
        .filter(|s| s.verdict.state != State::Ok)
        .map(|s| format!("{} {}: {}", s.name, backup_words::state(s.verdict.state, lang), s.reason(lang)))
        .collect();
    let ok = statuses.len() - bad.len();
    let counts = tr(
        lang,
        format!("{ok} of {} jobs ok", statuses.len()),
        format!("{} 个作业中 {ok} 个正常", statuses.len()),
    );
    let sep = if lang == Lang::ZhCn { "；" } else { "; " };
    let summary = if bad.is_empty() { counts } else { format!("{}{sep}{counts}", bad.join(sep)) };
    let mut perf = Vec::new();
    for s in statuses {
        let v = &s.verdict;
        if let Some(age) = v.age_s {
            perf.push(
                Perf::new(format!("{} age", s.name), age as f64, "s")
                    .limits(v.period_s.map(|p| p as f64), None)
                    .range(Some(0.0), None),
            );
        }
        if let Some(n) = &v.newest {
            perf.push(Perf::new(format!("{} size", s.name), n.size as f64, "B").range(Some(0.0), None));
        }
    }
    (line(state, &summary, &perf), state.code())
}

fn status_json(s: &JobStatus, lang: Lang) -> Value {
    let v = &s.verdict;
    let mut reason = s.reason(lang).to_string();
    if let Some(e) = &s.verify_error {
        reason.push_str(&tr(
            lang,
            format!("; the verification did not run: {e}"),
            format!("；校验未能运行：{e}"),
        ));
    }
    json!({
        "name": s.name,
        "host": s.host,
        "kind": s.kind.as_str(),
        "state": v.state.as_str(),
        "reason": reason,
        "newest": v.newest.as_ref().map(|n| json!({
            "path": n.path, "size": n.size, "mtime": stamp(Some(n.mtime), s.zone)
        })),
        "previous_size": v.previous_size,
        "age_s": v.age_s,
        "expected_at": stamp(v.expected_at, s.zone),
        "verified_at": stamp(s.verification.as_ref().map(|x| x.at), s.zone),
        "verify_status": s.verification.as_ref().map(|x| x.status),
        "verify_output": s.verification.as_ref().map(|x| x.output.clone()),
        "checksum": s.verification.as_ref().and_then(|x| x.checksum.clone()),
    })
}

fn table(statuses: &[JobStatus], lang: Lang) -> String {
    let head = match lang {
        Lang::En => ["STATE", "JOB", "HOST", "KIND", "AGE", "SIZE", "REASON"],
        Lang::ZhCn => ["状态", "作业", "主机", "类型", "时长", "大小", "原因"],
    };
    let mut rows = vec![head.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    for s in statuses {
        let v = &s.verdict;
        let mut reason = s.reason(lang).to_string();
        if let Some(e) = &s.verify_error {
            reason.push_str(&tr(
                lang,
                format!("; verification did not run: {e}"),
                format!("；校验未能运行：{e}"),
            ));
        }
        rows.push(vec![
            backup_words::state(v.state, lang).to_string(),
            shown(&s.name),
            shown(s.host.as_deref().unwrap_or("localhost")),
            backup_words::kind(s.kind, lang).to_string(),
            v.age_s.map(|a| backup_words::span(a, lang)).unwrap_or_else(|| "-".into()),
            v.newest.as_ref().map(|n| backup_words::size(n.size)).unwrap_or_else(|| "-".into()),
            reason,
        ]);
    }
    let ok = statuses.iter().filter(|s| s.verdict.state == State::Ok).count();
    let mut text = crate::cli::columns(&rows);
    text.push('\n');
    text.push_str(&tr(
        lang,
        format!("{ok} of {} jobs ok", statuses.len()),
        format!("{} 个作业中 {ok} 个正常", statuses.len()),
    ));
    text
}

fn history(g: &Global, cfg: &crate::config::Config, a: &HistoryArgs, lang: Lang) -> i32 {
    let name = "backup history";
    let (path, options) = crate::cli::db_options(g, Access::Read);
    let known = cfg.jobs.iter().any(|j| j.name == a.name);
    let store = if path.exists() { Store::open_with(&path, options).map(Some) } else { Ok(None) };
    let store = match store {
        Ok(s) => s,
        Err(e) => {
            say(name, &e.text(lang));
            return 1;
        }
    };
    let (artefacts, runs) = match &store {
        Some(s) => match (s.job_artefacts(&a.name, usize::MAX), s.job_runs(&a.name, 50)) {
            (Ok(x), Ok(r)) => (x, r),
            (Err(e), _) | (_, Err(e)) => {
                say(name, &e.text(lang));
                return 1;
            }
        },
        None => (Vec::new(), Vec::new()),
    };
    if artefacts.is_empty() && runs.is_empty() && !known {
        if let Err(e) = pick(cfg, &a.name, lang) {
            say(name, &e);
            return 2;
        }
    }
    // The artefacts' times in this machine's local time, as the other commands print theirs.
    let zone = crate::backups::Zone::Fixed(*crate::clock::now().offset());
    if a.json {
        let rows: Vec<Value> = artefacts
            .iter()
            .map(|r| {
                json!({
                    "path": r.path, "size": r.size, "mtime": stamp(Some(r.mtime), zone),
                    "first_seen": stamp(Some(r.first_seen), zone), "last_seen": stamp(Some(r.last_seen), zone),
                    "checksum": r.checksum, "verified_at": stamp(r.verified_at, zone),
                    "verify_status": r.verify_status, "verify_output": r.verify_output,
                })
            })
            .collect();
        print_json(&serde_json::to_string_pretty(&rows).unwrap_or_default());
        return 0;
    }
    let head = match lang {
        Lang::En => ["MODIFIED", "SIZE", "VERIFIED", "PATH"],
        Lang::ZhCn => ["修改时间", "大小", "校验", "路径"],
    };
    let mut rows = vec![head.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    for r in &artefacts {
        let verified = match (r.verify_status, r.verified_at) {
            (Some(0), Some(at)) => {
                tr(lang, format!("passed {}", zone.local(at)), format!("通过 {}", zone.local(at)))
            }
            (Some(st), Some(at)) => tr(
                lang,
                format!("failed ({st}) {}", zone.local(at)),
                format!("失败（{st}）{}", zone.local(at)),
            ),
            _ => "-".into(),
        };
        rows.push(vec![zone.local(r.mtime), backup_words::size(r.size), verified, shown(&r.path)]);
    }
    let mut text = if artefacts.is_empty() {
        tr(
            lang,
            "no artefact seen yet (run yunwei backup check)\n",
            "尚未见到任何文件（请先运行 yunwei backup check）\n",
        )
    } else {
        crate::cli::columns(&rows) + "\n"
    };
    if !runs.is_empty() {
        text.push_str(&tr(lang, "\nRuns:\n", "\n运行记录：\n"));
        let mut rows = Vec::new();
        for r in &runs {
            let status = match (r.finished_at, r.status) {
                (None, _) => tr(lang, "running", "运行中"),
                (Some(_), Some(s)) => tr(lang, format!("exit {s}"), format!("退出 {s}")),
                (Some(_), None) => tr(lang, "unknown end", "结束状态未知"),
            };
            rows.push(vec![zone.local(r.started_at), shown(&r.started_by), status, shown(&r.command)]);
        }
        text.push_str(&crate::cli::columns(&rows));
    }
    print_clean(text.trim_end());
    0
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_align_by_display_width() {
        let rows = vec![vec!["状态".to_string(), "x".into()], vec!["ok".into(), "y".into()]];
        assert_eq!(crate::cli::columns(&rows), "状态  x\nok    y");
    }
}
