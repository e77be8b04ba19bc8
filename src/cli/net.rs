//! `yunwei net check [--json | --format nagios] [--check NAME] [--from HOST]`: every
//! `[[checks]]` entry probed once from each of its places, all at once (a silent target costs
//! its timeout, never the sum; one command per probing host), recorded, and printed; exit 0
//! when all are ok, 1 otherwise, 2 on a usage or config error (under `--format nagios` the
//! plugin codes 0 to 3).

use serde_json::{json, Value};

use crate::cli::errors::{print_clean, print_json, say, shown};
use crate::cli::nagios::{self, Format, Perf, PluginState};
use crate::cli::Global;
use crate::i18n::{tr, Lang};
use crate::netcheck::{words, Origin, Spec, State};
use crate::store::netcheck::NetResult;
use crate::store::{Access, Store};
use crate::workers::netcheck as work;

#[derive(Debug, Clone, clap::Args)]
#[command(subcommand_required = true, arg_required_else_help = true, disable_help_subcommand = true)]
pub struct NetArgs {
    #[command(subcommand)]
    pub command: NetCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum NetCommand {
    Check(CheckArgs),
}

impl NetCommand {
    pub fn name(&self) -> &'static str {
        match self {
            NetCommand::Check(_) => "net check",
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    #[arg(long, value_enum, value_name = "table|json|nagios")]
    pub format: Option<Format>,
    #[arg(long = "check", value_name = "NAME")]
    pub checks: Vec<String>,
    #[arg(long = "from", value_name = "HOST")]
    pub from: Vec<String>,
}

pub fn run(g: &Global, args: &NetArgs) -> i32 {
    let name = args.command.name();
    let cfg = match crate::cli::config_or_say(g, name) {
        Ok(cfg) => cfg,
        Err(code) => return code,
    };
    let lang = crate::cli::lang_with(g, &cfg);
    match &args.command {
        NetCommand::Check(a) => check(g, &cfg, a, lang),
    }
}

/// Names that are not among `known`, with the nearest one, as one message.
fn unknown(what_en: &str, what_zh: &str, asked: &str, known: &[&str], lang: Lang) -> String {
    let a = shown(asked);
    let mut text = if known.is_empty() {
        tr(
            lang,
            format!("no {what_en} is named {a}: the config has no [[checks]]"),
            format!("没有名为 {a} 的{what_zh}：配置中没有 [[checks]]"),
        )
    } else {
        let list: Vec<String> = known.iter().map(|k| shown(k)).collect();
        tr(
            lang,
            format!("no {what_en} is named {a}; there are: {}", list.join(", ")),
            format!("没有名为 {a} 的{what_zh}；现有：{}", list.join("、")),
        )
    };
    if let Some(n) = crate::text::nearest(asked, known.iter().copied()) {
        text.push_str(&tr(
            lang,
            format!(" (did you mean {}?)", shown(n)),
            format!("（是不是想写 {}？）", shown(n)),
        ));
    }
    text
}

fn check(g: &Global, cfg: &crate::config::Config, a: &CheckArgs, lang: Lang) -> i32 {
    let name = "net check";
    let format = Format::chosen(a.format, a.json);
    let checks = &cfg.checks.0;
    if checks.is_empty() {
        let file = match &cfg.source {
            Some(p) => shown(&p.display().to_string()),
            None => shown(&crate::config::locate(g.config.as_deref()).path().display().to_string()),
        };
        say(
            name,
            &tr(
                lang,
                format!("{file} has no [[checks]]; add one (name, kind, target) to probe an interface"),
                format!("{file} 中没有 [[checks]]；请添加检查（name、kind、target）以探测接口"),
            ),
        );
        return 2;
    }
    let names: Vec<&str> = checks.iter().map(|c| c.name.as_str()).collect();
    for c in &a.checks {
        if !names.contains(&c.as_str()) {
            say(name, &unknown("check", "检查", c, &names, lang));
            return 2;
        }
    }
    let mut origins: Vec<&str> = Vec::new();
    for c in checks {
        for o in &c.from {
            if !origins.contains(&o.name()) {
                origins.push(o.name());
            }
        }
    }
    for f in &a.from {
        if !origins.contains(&f.as_str()) {
            say(name, &unknown("probing place", "探测位置", f, &origins, lang));
            return 2;
        }
    }
    let items: Vec<work::Item> = work::all_items(checks)
        .into_iter()
        .filter(|(i, o)| {
            (a.checks.is_empty() || a.checks.contains(&checks[*i].name))
                && (a.from.is_empty() || a.from.iter().any(|f| f == o.name()))
        })
        .collect();
    if items.is_empty() {
        say(name, &tr(lang, "no check is probed from the place asked for", "所选检查均不从所选位置探测"));
        return 2;
    }
    let (path, options) = crate::cli::db_options(g, Access::Write);
    let mut store = match Store::open_with(&path, options) {
        Ok(s) => s,
        Err(e) => {
            say(name, &e.text(lang));
            return if format == Format::Nagios { 3 } else { 1 };
        }
    };
    let remote = items.iter().any(|(_, o)| *o != Origin::Local);
    let fleet = crate::cli::resolve_fleet(cfg);
    let sessions = remote.then(|| crate::fleet::Sessions::new(crate::fleet::pool_for(cfg)));
    let places = work::places(checks, &fleet, sessions.as_deref(), lang);
    let results = match work::check(checks, &items, &places, Some(&mut store), lang) {
        Ok((r, _)) => r,
        Err(e) => {
            say(name, &e.text(lang));
            return if format == Format::Nagios { 3 } else { 1 };
        }
    };
    // Every check probed: the alerts of checks and places the config no longer has are done.
    if a.checks.is_empty() && a.from.is_empty() {
        if let Err(e) = work::clear_stale(&mut store, checks, chrono::Utc::now().timestamp()) {
            say(name, &e.text(lang));
        }
    }
    let specs: Vec<&Spec> = items.iter().map(|(i, _)| &checks[*i]).collect();
    match format {
        Format::Json => {
            let rows: Vec<Value> = results.iter().map(|r| result_json(r, lang)).collect();
            print_json(&serde_json::to_string_pretty(&rows).unwrap_or_default());
        }
        Format::Table => print_clean(&table(&results, lang)),
        Format::Nagios => {
            let (line, code) = plugin(&results, &specs, lang);
            crate::cli::nagios::print(&line);
            return code;
        }
    }
    i32::from(!results.iter().all(|r| r.state == State::Ok.as_str()))
}

/// A moment in this machine's zone, RFC 3339.
fn stamp(t: Option<i64>) -> Value {
    use chrono::TimeZone;
    let Some(t) = t else { return Value::Null };
    let offset = *crate::clock::now().offset();
    offset.timestamp_opt(t, 0).single().map_or(Value::Null, |d| Value::String(d.to_rfc3339()))
}

fn reason(r: &NetResult, lang: Lang) -> &str {
    match lang {
        Lang::En => &r.reason_en,
        Lang::ZhCn => &r.reason_zh,
    }
}

fn result_json(r: &NetResult, lang: Lang) -> Value {
    json!({
        "name": r.check,
        "kind": r.kind,
        "target": r.target,
        "from": r.origin,
        "state": r.state,
        "latency_ms": r.latency_ms.map(|l| (l * 1000.0).round() / 1000.0),
        "reason": reason(r, lang),
        "cert_expires_at": stamp(r.cert_expires_at),
        "checked_at": stamp(Some(r.checked_at)),
    })
}

fn state_of(r: &NetResult) -> State {
    State::parse(&r.state).unwrap_or(State::Unknown)
}

fn table(results: &[NetResult], lang: Lang) -> String {
    let head = match lang {
        Lang::En => ["STATE", "CHECK", "FROM", "KIND", "LATENCY", "REASON"],
        Lang::ZhCn => ["状态", "检查", "探测位置", "类型", "耗时", "原因"],
    };
    let mut rows = vec![head.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    for r in results {
        let kind = crate::netcheck::Kind::parse(&r.kind).map(|k| words::kind(k, lang)).unwrap_or("?");
        rows.push(vec![
            words::state(state_of(r), lang).to_string(),
            shown(&r.check),
            shown(&r.origin),
            kind.to_string(),
            r.latency_ms.map(|l| words::latency(l, lang)).unwrap_or_else(|| "-".into()),
            shown(reason(r, lang)),
        ]);
    }
    let ok = results.iter().filter(|r| r.state == "ok").count();
    let mut text = crate::cli::columns(&rows);
    text.push('\n');
    text.push_str(&tr(
        lang,
        format!("{ok} of {} probes ok", results.len()),
        format!("{} 项探测中 {ok} 项正常", results.len()),
    ));
    text
}

/// The plugin line and its exit code.
pub fn plugin(results: &[NetResult], specs: &[&Spec], lang: Lang) -> (String, i32) {
    let state = PluginState::worst(results.iter().map(|r| PluginState::from(state_of(r))));
    let bad: Vec<String> = results
        .iter()
        .filter(|r| r.state != "ok")
        .map(|r| format!("{}@{}: {}", r.check, r.origin, reason(r, lang)))
        .collect();
    let ok = results.len() - bad.len();
    let counts = tr(
        lang,
        format!("{ok} of {} probes ok", results.len()),
        format!("{} 项探测中 {ok} 项正常", results.len()),
    );
    let summary = if bad.is_empty() {
        counts
    } else {
        let sep = if lang == Lang::ZhCn { "；" } else { "; " };
        format!("{}{sep}{counts}", bad.join(sep))
    };
    let mut perf = Vec::new();
    for (r, spec) in results.iter().zip(specs) {
        let label = format!("{}@{}", r.check, r.origin);
        if let Some(ms) = r.latency_ms {
            let limits = (spec.warn_ms.map(|w| w as f64), spec.crit_ms.map(|c| c as f64));
            perf.push(Perf::new(label.clone(), ms, "ms").limits(limits.0, limits.1).range(Some(0.0), None));
        }
        if let Some(end) = r.cert_expires_at {
            let days = ((end - r.checked_at) as f64 / 86_400.0 * 10.0).round() / 10.0;
            perf.push(
                Perf::new(format!("{label} cert_days"), days, "")
                    .limits_below(Some(f64::from(spec.cert_warn_days)), Some(0.0)),
            );
        }
    }
    (nagios::line(state, &summary, &perf), state.code())
}
