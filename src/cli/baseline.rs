//! `yunwei baseline check [--host NAME]… [--json]`: the security baseline of every host (or
//! those named), all at once: the read-only script run here with sh for this machine and over
//! each host's SSH session (jump hosts included) for the others, its output judged item by
//! item (`baseline::rules`). Exit 0 when no item fails, 1 when one does or a host could not be
//! inspected, 2 on a usage or config error.

use std::time::Duration;

use serde_json::{json, Value};

use crate::baseline::script::{self, Output};
use crate::baseline::{judge, Finding, Settings, State};
use crate::cli::errors::{print_clean, print_json, say};
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
    Check(CheckArgs),
}

impl BaselineCommand {
    pub fn name(&self) -> &'static str {
        match self {
            BaselineCommand::Check(_) => "baseline check",
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

/// How long one host's run may take (`yum updateinfo` from its cache is the slow part).
const RUN_TIMEOUT: Duration = Duration::from_secs(180);

fn shown(s: &str) -> String {
    crate::text::escape_unprintable(s).into_owned()
}

/// A host's run judged, or why it could not be inspected.
type Judged = (String, Result<(Output, Vec<Finding>), String>);

/// One host inspected: its run's output, or why there is none.
struct Inspected {
    host: String,
    run: Result<Output, String>,
}

pub fn run(g: &Global, args: &BaselineArgs) -> i32 {
    let name = args.command.name();
    let cfg = match crate::cli::config_or_say(g, name) {
        Ok(cfg) => cfg,
        Err(code) => return code,
    };
    let lang = crate::cli::lang_with(g, &cfg);
    let BaselineCommand::Check(a) = &args.command;
    let fleet = crate::cli::resolve_fleet(&cfg);
    let names: Vec<&str> = fleet.hosts.iter().map(|h| h.name.as_str()).collect();
    for asked in &a.hosts {
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
    let hosts: Vec<&crate::fleet::inventory::FleetHost> =
        fleet.hosts.iter().filter(|h| a.hosts.is_empty() || a.hosts.contains(&h.name)).collect();
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
    let today = chrono::Utc::now().timestamp().div_euclid(86_400);
    let settings = Settings::default();
    let judged: Vec<Judged> = inspected
        .into_iter()
        .map(|i| {
            let r = i.run.map(|out| {
                let f = judge(&out, &settings, today);
                (out, f)
            });
            (i.host, r)
        })
        .collect();
    let failed = judged.iter().any(|(_, r)| match r {
        Ok((out, f)) => !out.complete || f.iter().any(|x| x.state == State::Fail),
        Err(_) => true,
    });
    if a.json {
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

fn host_json(host: &str, r: &Result<(Output, Vec<Finding>), String>, lang: Lang) -> Value {
    match r {
        Ok((out, f)) => json!({
            "host": host,
            "complete": out.complete,
            "as_root": out.as_root(),
            "error": Value::Null,
            "items": f.iter().map(|x| finding_json(x, lang)).collect::<Vec<_>>(),
        }),
        Err(why) => json!({"host": host, "complete": false, "as_root": false, "error": why, "items": []}),
    }
}

fn table(judged: &[Judged], lang: Lang) -> String {
    let head = match lang {
        Lang::En => ["HOST", "ITEM", "CLAUSE", "STATE", "VALUE"],
        Lang::ZhCn => ["主机", "检查项", "条款", "结果", "实际值"],
    };
    let mut rows = vec![head.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    let mut tail = Vec::new();
    for (host, r) in judged {
        match r {
            Ok((out, findings)) => {
                for f in findings {
                    let value: String = f.value.chars().take(80).collect();
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
                if !out.as_root() {
                    line.push_str(&tr(
                        lang,
                        " (not root: what needs root is not readable)",
                        "（非 root 登录：需要 root 的项无法读取）",
                    ));
                }
                if !out.complete {
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
    for l in tail {
        text.push('\n');
        text.push_str(&l);
    }
    text
}
