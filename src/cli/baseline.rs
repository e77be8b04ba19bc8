//! `yunwei baseline check [--host NAME]… [--json]`: the security baseline of every host (or
//! those named), all at once: the read-only script run here with sh for this machine and over
//! each host's SSH session (jump hosts included) for the others, its output judged item by
//! item (`baseline::rules`), its signs of compromise read (`baseline::signs`) and compared
//! with the host's recorded baseline. Each run is stored, and its signs and changed listeners
//! raise alerts (source `baseline`). Exit 0 when no item fails and no sign is found, 1 when
//! one is or a host could not be inspected, 2 on a usage, config or database error.
//!
//! `yunwei baseline record [--host NAME]…`: the same run, and what each host has now (its
//! listeners with their processes, crontabs, timers, `authorized_keys` and UID 0 accounts)
//! kept as what is expected of it.

use std::time::Duration;

use serde_json::{json, Value};

use crate::baseline::script;
use crate::baseline::signs::{listener_changes, Record};
use crate::baseline::{inspect, Finding, Inspection, State};
use crate::cli::errors::{print_clean, print_json, say, shown};
use crate::cli::Global;
use crate::fleet::inventory::Access as HostAccess;
use crate::i18n::{tr, Lang};

#[derive(Debug, Clone, clap::Args)]
#[command(subcommand_required = true, arg_required_else_help = true, disable_help_subcommand = true)]
pub struct BaselineArgs {
    #[command(subcommand)]
    pub command: BaselineCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum BaselineCommand {
    /// Inspect each host: its baseline items and signs of compromise
    Check(CheckArgs),
    /// Keep what each host has now (listeners, crontabs, timers, keys, UID 0) as expected
    Record(RecordArgs),
}

impl BaselineCommand {
    pub fn name(&self) -> &'static str {
        match self {
            BaselineCommand::Check(_) => "baseline check",
            BaselineCommand::Record(_) => "baseline record",
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    #[arg(long)]
    pub json: bool,
    #[arg(long = "host", value_name = "NAME")]
    pub hosts: Vec<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct RecordArgs {
    #[arg(long = "host", value_name = "NAME")]
    pub hosts: Vec<String>,
}

/// How long one host's run may take (`yum updateinfo` from its cache is the slow part).
const RUN_TIMEOUT: Duration = Duration::from_secs(180);

/// A host's run judged (with the baseline it was compared with), or why it could not be
/// inspected.
type Judged = (String, Result<Run, String>);

/// A run judged, with the baseline (when recorded, and what) it was compared with.
type Run = (Inspection, Option<(i64, Record)>);

/// One host inspected: its run's output, or why there is none.
struct Inspected {
    host: String,
    run: Result<script::Output, String>,
}

pub fn run(g: &Global, args: &BaselineArgs) -> i32 {
    let name = args.command.name();
    let cfg = match crate::cli::config_or_say(g, name) {
        Ok(cfg) => cfg,
        Err(code) => return code,
    };
    let lang = crate::cli::lang_with(g, &cfg);
    let (asked_hosts, json, recording) = match &args.command {
        BaselineCommand::Check(a) => (&a.hosts, a.json, false),
        BaselineCommand::Record(a) => (&a.hosts, false, true),
    };
    let fleet = crate::cli::resolve_fleet(&cfg);
    let names: Vec<&str> = fleet.hosts.iter().map(|h| h.name.as_str()).collect();
    for asked in asked_hosts {
        if !names.contains(&asked.as_str()) {
            let list: Vec<String> = names.iter().map(|n| shown(n)).collect();
            say(
                name,
                &tr(
                    lang,
                    format!("no host is named {}; there are: {}", shown(asked), list.join(", ")),
                    format!("没有名为 {} 的主机；现有：{}", shown(asked), list.join("、")),
                ),
            );
            return 2;
        }
    }
    let (path, options) = crate::cli::db_options(g, crate::store::Access::Write);
    let mut store = match crate::store::Store::open_with(&path, options) {
        Ok(s) => s,
        Err(e) => {
            say(name, &e.text(lang));
            return 2;
        }
    };
    let hosts: Vec<&crate::fleet::inventory::FleetHost> =
        fleet.hosts.iter().filter(|h| asked_hosts.is_empty() || asked_hosts.contains(&h.name)).collect();
    let remote = hosts.iter().any(|h| h.access != HostAccess::Local && h.target().is_some());
    let sessions = remote.then(|| crate::fleet::Sessions::new(crate::fleet::pool_for(&cfg)));
    let run_of = crate::text::Script { text: script::SCRIPT, args: Vec::new() };
    let inspected: Vec<Inspected> = std::thread::scope(|scope| {
        let handles: Vec<_> = hosts
            .iter()
            .map(|h| {
                let place = crate::workers::backups::place_of(&h.name, &fleet, sessions.as_deref(), lang);
                let run_of = &run_of;
                scope.spawn(move || {
                    let text =
                        crate::workers::backups::exec(&place, run_of, RUN_TIMEOUT, lang).map(|(o, _, _)| o);
                    let run = text.map(|t| script::read(&String::from_utf8_lossy(&t)));
                    Inspected { host: h.name.clone(), run }
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let now = chrono::Utc::now().timestamp();
    let today = now.div_euclid(86_400);
    let settings = cfg.baseline.clone();
    let mut judged: Vec<Judged> = Vec::new();
    for i in inspected {
        let then = match store.baseline_record(&i.host) {
            Ok(r) => r,
            Err(e) => {
                say(name, &e.text(lang));
                return 2;
            }
        };
        let r = i.run.map(|out| {
            let ins =
                inspect(&out, &settings, today, if recording { None } else { then.as_ref().map(|t| &t.1) });
            (ins, if recording { None } else { then })
        });
        judged.push((i.host, r));
    }
    // Each run stored, its alerts raised; a record kept where one was asked for.
    for (host, r) in &judged {
        let stored = match r {
            Ok((ins, then)) => store.record_baseline_run(host, now, Ok(ins)).and_then(|_| {
                // A record now taken is what is expected: its listeners differ from nothing.
                let diff = if recording {
                    Some((Vec::new(), Vec::new()))
                } else {
                    then.as_ref().map(|(_, t)| listener_changes(&ins.record, t))
                };
                let listeners = diff.as_ref().map(|(n, g)| (n.as_slice(), g.as_slice()));
                let changes = crate::alerts::baseline::changes(
                    host,
                    &ins.signs.found,
                    &ins.signs.looked,
                    listeners,
                    ins.complete,
                    now,
                );
                store.apply_alert_changes(&changes)?;
                if recording && ins.complete {
                    store.set_baseline_record(host, now, &ins.record)?;
                }
                Ok(())
            }),
            Err(why) => store.record_baseline_run(host, now, Err(why)).map(|_| ()),
        };
        if let Err(e) = stored {
            say(name, &e.text(lang));
            return 2;
        }
    }
    if recording {
        let mut lines = Vec::new();
        let mut failed = false;
        for (host, r) in &judged {
            lines.push(match r {
                Ok((ins, _)) if ins.complete => {
                    let r = &ins.record;
                    let (h, l, c, t, k, u) =
                        (shown(host), r.listeners.len(), r.cron.len(), r.timers.len(), r.keys.len(), r.uid0.len());
                    tr(
                        lang,
                        format!("{h}: recorded {l} listeners, {c} cron entries, {t} timers, {k} keys, {u} UID 0 accounts"),
                        format!("{h}：已记录监听 {l} 个、计划任务 {c} 条、定时器 {t} 个、公钥 {k} 个、UID 0 账户 {u} 个"),
                    )
                }
                Ok(_) => {
                    failed = true;
                    tr(
                        lang,
                        format!("{}: not recorded: the run was cut short", shown(host)),
                        format!("{}：未记录：检查未运行完", shown(host)),
                    )
                }
                Err(why) => {
                    failed = true;
                    tr(
                        lang,
                        format!("{}: not recorded: {}", shown(host), shown(why)),
                        format!("{}：未记录：{}", shown(host), shown(why)),
                    )
                }
            });
        }
        print_clean(&lines.join("\n"));
        return i32::from(failed);
    }
    let failed = judged.iter().any(|(_, r)| match r {
        Ok((ins, _)) => ins.failed(),
        Err(_) => true,
    });
    if json {
        let rows: Vec<Value> = judged.iter().map(|(h, r)| host_json(h, r, lang)).collect();
        print_json(&serde_json::to_string_pretty(&rows).unwrap_or_default());
    } else {
        print_clean(&table(&judged, lang));
    }
    i32::from(failed)
}

fn finding_json(f: &Finding, lang: Lang) -> Value {
    json!({
        "id": f.id.as_str(),
        "clause": f.clause(),
        "state": f.state.as_str(),
        "value": f.value,
        "expected": f.expected.get(lang),
        "source": f.source,
        "note": f.note.as_ref().map(|n| n.get(lang).to_string()),
    })
}

fn host_json(host: &str, r: &Result<Run, String>, lang: Lang) -> Value {
    match r {
        Ok((ins, then)) => json!({
            "host": host,
            "complete": ins.complete,
            "as_root": ins.as_root,
            "error": Value::Null,
            "baseline_recorded_at": then.as_ref().map(|(at, _)| *at),
            "items": ins.findings.iter().map(|x| finding_json(x, lang)).collect::<Vec<_>>(),
            "signs": ins.signs.found.iter().map(|s| json!({
                "kind": s.kind.as_str(),
                "weak": s.weak,
                "evidence": s.evidence,
                "note": s.note.as_ref().map(|n| n.get(lang).to_string()),
            })).collect::<Vec<_>>(),
            "unseen": ins.signs.unseen.iter().map(|u| u.get(lang).to_string()).collect::<Vec<_>>(),
        }),
        Err(why) => json!({
            "host": host, "complete": false, "as_root": false, "error": why,
            "baseline_recorded_at": Value::Null, "items": [], "signs": [], "unseen": [],
        }),
    }
}

fn table(judged: &[Judged], lang: Lang) -> String {
    let head = match lang {
        Lang::En => ["HOST", "ITEM", "CLAUSE", "STATE", "VALUE"],
        Lang::ZhCn => ["主机", "检查项", "条款", "结果", "实际值"],
    };
    let mut rows = vec![head.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    let mut tail = Vec::new();
    let mut signs = vec![match lang {
        Lang::En => vec!["HOST".to_string(), "SIGN".into(), "EVIDENCE".into()],
        Lang::ZhCn => vec!["主机".to_string(), "入侵迹象".into(), "证据".into()],
    }];
    let mut unseen = Vec::new();
    for (host, r) in judged {
        match r {
            Ok((ins, _)) => {
                let findings = &ins.findings;
                for s in &ins.signs.found {
                    let mut what = s.kind.words().get(lang).to_string();
                    if s.weak {
                        what.push_str(&tr(lang, " (weak alone)", "（弱证据）"));
                    }
                    let evidence: String = s.evidence.chars().take(100).collect();
                    signs.push(vec![shown(host), what, shown(&evidence)]);
                }
                for u in &ins.signs.unseen {
                    unseen.push(tr(
                        lang,
                        format!("{}: not looked at: {}", shown(host), shown(&u.en)),
                        format!("{}：未能检查：{}", shown(host), shown(&u.zh)),
                    ));
                }
                for f in findings {
                    let value: String =
                        crate::baseline::value_words(&f.value, lang).chars().take(80).collect();
                    rows.push(vec![
                        shown(host),
                        f.id.as_str().to_string(),
                        f.clause().to_string(),
                        f.state.word(lang).to_string(),
                        shown(&value),
                    ]);
                }
                let count = |s: State| findings.iter().filter(|x| x.state == s).count();
                let mut line = tr(
                    lang,
                    format!(
                        "{}: {} pass, {} warn, {} fail, {} not readable",
                        shown(host),
                        count(State::Pass),
                        count(State::Warn),
                        count(State::Fail),
                        count(State::NotReadable)
                    ),
                    format!(
                        "{}：符合 {}，部分符合 {}，不符合 {}，无法读取 {}",
                        shown(host),
                        count(State::Pass),
                        count(State::Warn),
                        count(State::Fail),
                        count(State::NotReadable)
                    ),
                );
                line.push_str(&tr(
                    lang,
                    format!(", {} signs of compromise", ins.signs.found.len()),
                    format!("，入侵迹象 {} 处", ins.signs.found.len()),
                ));
                if !ins.as_root {
                    line.push_str(&tr(
                        lang,
                        " (not root: what needs root is not readable)",
                        "（非 root 登录：需要 root 的项无法读取）",
                    ));
                }
                if !ins.complete {
                    line.push_str(&tr(lang, " (the run was cut short)", "（检查未运行完）"));
                }
                tail.push(line);
            }
            Err(why) => tail.push(tr(
                lang,
                format!("{}: not inspected: {}", shown(host), shown(why)),
                format!("{}：未能检查：{}", shown(host), shown(why)),
            )),
        }
    }
    let mut text = crate::cli::columns(&rows);
    if signs.len() > 1 {
        text.push_str("\n\n");
        text.push_str(&crate::cli::columns(&signs));
    }
    for l in unseen {
        text.push('\n');
        text.push_str(&l);
    }
    text.push('\n');
    for l in tail {
        text.push('\n');
        text.push_str(&l);
    }
    text
}
