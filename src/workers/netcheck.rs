//! The network checks' work, shared by the Network tab's thread and `yunwei net check`: one
//! round (one command per probing host whatever the number of its checks, over the host's
//! shared SSH session; in-process probes here), what it leaves in SQLite and in the alert
//! stream, and the path traces.
//!
//! The thread ([`run`]) has its own SQLite connection. Each check is probed every `every` from
//! each of its places; the checks due together share a round. Among the consoles and watchers
//! on one database the holder of [`NET_LEASE`] probes; the others show what it recorded.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use super::backups::Place;
use super::report::Report;
use crate::alerts::{AlertKey, Change};
use crate::fleet::inventory::Fleet;
use crate::fleet::Sessions;
use crate::health::Level;
use crate::i18n::{tr, Both, Lang};
use crate::netcheck::probe::{self as script, Script};
use crate::netcheck::{judge, words, Cannot, Origin, Probe, Spec, State};
use crate::store::netcheck::NetResult;
use crate::store::{Access, Store, StoreOptions};

/// The lease whose holder runs the scheduled probes.
pub const NET_LEASE: &str = "netchecks";
/// How many latencies a cell's sparkline shows.
pub const SPARK_POINTS: usize = 60;
/// How many failures a check's detail lists.
pub const FAILURES_SHOWN: usize = 8;
/// What a host's round may take beyond its slowest check's timeout (connecting, the shell).
const ROUND_SLACK: Duration = Duration::from_secs(10);

/// Where each place of the checks probes from.
pub fn places(
    checks: &[Spec],
    fleet: &Fleet,
    sessions: Option<&Sessions>,
    lang: Lang,
) -> BTreeMap<Origin, Place> {
    let mut out = BTreeMap::new();
    for origin in checks.iter().flat_map(|c| c.from.iter()) {
        if out.contains_key(origin) {
            continue;
        }
        let place = match origin {
            Origin::Local => Place::Local { home: None },
            Origin::Host(name) => super::backups::place_of(name, fleet, sessions, lang),
        };
        out.insert(origin.clone(), place);
    }
    out
}

/// One probe to make: the check's index and the place.
pub type Item = (usize, Origin);

/// What a round found.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// Each item's probe, in the order asked.
    pub probes: Vec<Probe>,
    /// The tools each probing host has (from its round).
    pub tools: BTreeMap<String, Vec<String>>,
    /// The commands run on hosts (one per host).
    pub remote_commands: usize,
}

fn run_script(place: &Place, s: &Script, timeout: Duration, lang: Lang) -> Result<Vec<u8>, String> {
    super::backups::exec(place, s, timeout, lang).map(|(out, _, _)| out)
}

/// The tools this machine has, as a round names a host's: the probes done in-process stand
/// for the tools they replace; ping and the path tracers are looked for on PATH, once.
fn local_tools() -> Vec<String> {
    static FOUND: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    FOUND.get_or_init(local_tools_on_path).clone()
}

fn local_tools_on_path() -> Vec<String> {
    const ON_PATH: [&str; 4] = ["ping", "mtr", "traceroute", "tracepath"];
    let dirs: Vec<PathBuf> =
        std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default();
    let found = |tool: &str| {
        dirs.iter().any(|d| {
            std::fs::metadata(d.join(tool)).is_ok_and(|m| {
                m.is_file() && std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o111 != 0
            })
        })
    };
    script::TOOLS.iter().filter(|t| !ON_PATH.contains(t) || found(t)).map(|t| t.to_string()).collect()
}

/// One place's answer: the items it probed, their probes, the host's tools, whether a command
/// ran on a host.
type Answer = (Vec<usize>, Vec<Probe>, Option<(String, Vec<String>)>, bool);

/// Probes every item: the places side by side, one command per host.
pub fn observe(checks: &[Spec], items: &[Item], places: &BTreeMap<Origin, Place>, lang: Lang) -> Found {
    let mut groups: BTreeMap<&Origin, Vec<usize>> = BTreeMap::new();
    for (n, (_, origin)) in items.iter().enumerate() {
        groups.entry(origin).or_default().push(n);
    }
    let down = Place::Down(tr(lang, "the place is not known", "未知的探测位置"));
    let answers: Vec<Answer> = std::thread::scope(|scope| {
        let handles: Vec<_> = groups
            .into_iter()
            .map(|(origin, members)| {
                let place = places.get(origin).unwrap_or(&down);
                scope.spawn(move || {
                    let specs: Vec<&Spec> = members.iter().map(|n| &checks[items[*n].0]).collect();
                    match place {
                        Place::Local { .. } => {
                            let tools = (origin.name().to_string(), local_tools());
                            (members, super::netprobe::probe_all(&specs), Some(tools), false)
                        }
                        Place::Down(why) => {
                            let p = specs.iter().map(|_| Probe::Cannot(Cannot::Host(why.clone()))).collect();
                            (members, p, None, false)
                        }
                        Place::Ssh(_) => {
                            let round = script::round(specs.iter().copied());
                            let slowest = specs.iter().map(|s| s.timeout).max().unwrap_or_default();
                            let probes = match run_script(place, &round, slowest + ROUND_SLACK, lang)
                                .and_then(|out| script::read_round(&out, &specs))
                            {
                                Ok(r) => {
                                    let tools = (origin.name().to_string(), r.tools);
                                    return (members, r.probes, Some(tools), true);
                                }
                                Err(why) => {
                                    specs.iter().map(|_| Probe::Cannot(Cannot::Host(why.clone()))).collect()
                                }
                            };
                            (members, probes, None, true)
                        }
                    }
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut probes: Vec<Option<Probe>> = vec![None; items.len()];
    let mut found = Found::default();
    for (members, out, tools, remote) in answers {
        found.remote_commands += usize::from(remote);
        if let Some((host, tools)) = tools {
            found.tools.insert(host, tools);
        }
        for (n, p) in members.into_iter().zip(out) {
            probes[n] = Some(p);
        }
    }
    found.probes = probes
        .into_iter()
        .map(|p| p.unwrap_or_else(|| Probe::Cannot(Cannot::Other("the probe stopped".into()))))
        .collect();
    found
}

/// The level of the alert a state raises; None for ok.
pub fn alert_level(state: State) -> Option<Level> {
    match state {
        State::Ok => None,
        State::Warn | State::Unknown => Some(Level::Warn),
        State::Crit => Some(Level::Crit),
    }
}

/// One cell of the grid: a check from one place, as last probed, with its history.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub result: NetResult,
    /// Latencies, oldest first (None: a probe with none).
    pub history: Vec<Option<f64>>,
    /// The latest results that were not ok, newest first.
    pub failures: Vec<NetResult>,
}

impl Cell {
    pub fn state(&self) -> State {
        State::parse(&self.result.state).unwrap_or(State::Unknown)
    }

    pub fn reason(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.result.reason_en,
            Lang::ZhCn => &self.result.reason_zh,
        }
    }
}

/// The result of one probe, judged.
pub fn result_of(spec: &Spec, origin: &Origin, probe: &Probe, at: i64) -> NetResult {
    let v = judge(spec, probe, at);
    let mut reason_en = words::reasons(&v.reasons, Lang::En);
    let mut reason_zh = words::reasons(&v.reasons, Lang::ZhCn);
    if let Probe::Done { cert_unread: Some(tool), .. } = probe {
        reason_en.push_str(&format!(" ({tool} is not on the probing host: the certificate was not read)"));
        reason_zh.push_str(&format!("（探测主机上没有 {tool}：未读取证书）"));
    }
    NetResult {
        check: spec.name.clone(),
        origin: origin.name().to_string(),
        kind: spec.kind.as_str().to_string(),
        target: spec.target.clone(),
        state: v.state.as_str().to_string(),
        latency_ms: v.latency_ms,
        reason_en,
        reason_zh,
        brief: v.reasons.first().map(|r| r.code()).unwrap_or_default(),
        cert_expires_at: v.cert_expires_at,
        checked_at: at,
    }
}

/// Every probe of every check, each once.
pub fn all_items(checks: &[Spec]) -> Vec<Item> {
    checks.iter().enumerate().flat_map(|(i, c)| c.from.iter().map(move |o| (i, o.clone()))).collect()
}

/// Probes `items` once, judges, records the results and raises or clears the alerts; the
/// results in the order of `items`.
pub fn check(
    checks: &[Spec],
    items: &[Item],
    places: &BTreeMap<Origin, Place>,
    store: Option<&mut Store>,
    lang: Lang,
) -> crate::store::Result<(Vec<NetResult>, Found)> {
    let found = observe(checks, items, places, lang);
    let at = chrono::Utc::now().timestamp();
    let results: Vec<NetResult> = items
        .iter()
        .zip(&found.probes)
        .map(|((i, origin), p)| result_of(&checks[*i], origin, p, at))
        .collect();
    if let Some(store) = store {
        store.record_net_results(&results)?;
        store.apply_alert_changes(&changes(&results, at))?;
    }
    Ok((results, found))
}

/// The alert changes of a round's results.
pub fn changes(results: &[NetResult], at: i64) -> Vec<Change> {
    results
        .iter()
        .map(|r| {
            let key = AlertKey::Check { check: r.check.clone(), from: r.origin.clone() };
            let state = State::parse(&r.state).unwrap_or(State::Unknown);
            match alert_level(state) {
                Some(level) => Change::Open {
                    key,
                    level,
                    value: r.latency_ms,
                    message: Both::new(
                        format!("{} from {}: {}", r.check, r.origin, r.reason_en),
                        format!("{}（自 {} 探测）：{}", r.check, r.origin, r.reason_zh),
                    ),
                    host: (r.origin != crate::netcheck::LOCAL).then(|| r.origin.clone()),
                    at,
                },
                None => Change::Clear { key, at },
            }
        })
        .collect()
}

/// Clears the open check alerts whose check or place the config no longer has (a check renamed
/// or removed, a host taken out of its `from`): nothing would clear them otherwise.
pub fn clear_stale(store: &mut Store, checks: &[Spec], at: i64) -> crate::store::Result<usize> {
    let stale: Vec<Change> = store
        .open_alert_keys()?
        .into_iter()
        .filter_map(|(key, _)| match &key {
            AlertKey::Check { check, from } => {
                let kept = checks.iter().any(|c| &c.name == check && c.from.iter().any(|o| o.name() == from));
                (!kept).then_some(Change::Clear { key, at })
            }
            _ => None,
        })
        .collect();
    if !stale.is_empty() {
        store.apply_alert_changes(&stale)?;
    }
    Ok(stale.len())
}

/// The grid as recorded: a cell for every check and place (a place not probed yet is unknown).
pub fn cells(checks: &[Spec], store: &Store, holder: Option<&str>) -> crate::store::Result<Vec<Cell>> {
    let latest = store.net_latest()?;
    let mut out = Vec::new();
    for spec in checks {
        for origin in &spec.from {
            let name = origin.name();
            let found =
                latest.iter().find(|r| r.check == spec.name && r.origin == name && r.target == spec.target);
            let result = match found {
                Some(r) => r.clone(),
                None => {
                    let who = holder.unwrap_or("?");
                    NetResult {
                        check: spec.name.clone(),
                        origin: name.to_string(),
                        kind: spec.kind.as_str().to_string(),
                        target: spec.target.clone(),
                        state: State::Unknown.as_str().to_string(),
                        latency_ms: None,
                        reason_en: format!("not probed yet (by {who})"),
                        reason_zh: format!("尚未探测（由 {who} 负责）"),
                        brief: "pending".into(),
                        cert_expires_at: None,
                        checked_at: 0,
                    }
                }
            };
            let mut history: Vec<Option<f64>> = store
                .net_history(&spec.name, name, SPARK_POINTS)?
                .into_iter()
                .map(|r| r.latency_ms)
                .collect();
            history.reverse();
            let failures = store.net_failures(&spec.name, name, FAILURES_SHOWN)?;
            out.push(Cell { result, history, failures });
        }
    }
    Ok(out)
}

/// A path trace's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    pub check: String,
    pub origin: String,
    /// The tool that ran; None: the place has none of them.
    pub tool: Option<String>,
    pub text: String,
    /// Why it could not run.
    pub error: Option<String>,
}

/// How long a trace may take.
pub const TRACE_TIMEOUT: Duration = Duration::from_secs(60);

/// A path trace from `place` to the check's host.
pub fn trace(spec: &Spec, origin: &Origin, place: &Place, lang: Lang) -> Trace {
    let s = script::trace(&spec.endpoint.host, TRACE_TIMEOUT.as_secs());
    let (tool, text, error) = match run_script(place, &s, TRACE_TIMEOUT + ROUND_SLACK, lang) {
        Ok(out) => {
            let (tool, text) = script::read_trace(&out);
            let error = tool.is_none().then(|| {
                tr(
                    lang,
                    "none of mtr, traceroute, tracepath is installed there",
                    "该处没有安装 mtr、traceroute 或 tracepath",
                )
            });
            (tool, text, error)
        }
        Err(why) => (None, String::new(), Some(why)),
    };
    Trace { check: spec.name.clone(), origin: origin.name().to_string(), tool, text, error }
}

/// What the Network tab asks of the thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetCmd {
    /// Probe one check from one place now (None: every check).
    ProbeNow(Option<(String, String)>),
    /// A path trace of a check from a place.
    Trace { check: String, origin: String },
}

/// What the thread reports.
#[derive(Debug, Clone, PartialEq)]
pub enum NetMsg {
    Checked { cells: Vec<Cell>, tools: BTreeMap<String, Vec<String>> },
    Traced(Trace),
    Failed(String),
}

/// What the thread starts with.
#[derive(Clone)]
pub struct NetSetup {
    pub db_path: PathBuf,
    /// This console's name for the lease.
    pub holder: String,
    pub checks: Vec<Spec>,
    pub places: BTreeMap<Origin, Place>,
    pub lang: Lang,
}

pub struct NetWorker {
    tx: Sender<NetCmd>,
}

impl NetWorker {
    pub fn new(tx: Sender<NetCmd>) -> NetWorker {
        NetWorker { tx }
    }

    pub fn dispatch(&self, cmd: NetCmd) {
        let _ = self.tx.send(cmd);
    }
}

/// The thread: each check probed every `every` from each of its places while this console
/// holds the lease; otherwise the grid as the holder recorded it.
pub fn run(setup: NetSetup, rx: Receiver<NetCmd>, report: Report<NetMsg>) {
    if setup.checks.is_empty() {
        while rx.recv().is_ok() {}
        return;
    }
    let lang = setup.lang;
    let mut store = match Store::open_with(&setup.db_path, StoreOptions::new(Access::Write, false)) {
        Ok(s) => s,
        Err(e) => {
            report.send(NetMsg::Failed(e.text(lang).to_string()));
            return;
        }
    };
    let items = all_items(&setup.checks);
    let start = Instant::now();
    let mut due: HashMap<Item, Instant> = items.iter().map(|i| (i.clone(), start)).collect();
    let shortest = setup.checks.iter().map(|c| c.every).min().unwrap_or(Duration::from_secs(60));
    // The lease outlives a round that waits for its slowest probe, so a console busy with a
    // silent target keeps it.
    let longest = setup.checks.iter().map(|c| c.timeout).max().unwrap_or_default() + ROUND_SLACK;
    let ttl = ((shortest.as_secs_f64() * 3.0).ceil() as i64).max(longest.as_secs() as i64 * 2).max(15);
    // Alerts of checks and places the config no longer has are cleared once.
    if let Err(e) = clear_stale(&mut store, &setup.checks, chrono::Utc::now().timestamp()) {
        report.send(NetMsg::Failed(e.text(lang).to_string()));
    }
    let mut tools: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut traces: Vec<std::thread::JoinHandle<()>> = Vec::new();
    let mut held = false;
    let mut next_lease = start;
    let mut asked: Vec<Item> = Vec::new();
    loop {
        let now = Instant::now();
        if now >= next_lease {
            let t = chrono::Utc::now().timestamp();
            // A database error keeps what was (never two probing consoles for one busy moment).
            held = store.take_lease(NET_LEASE, &setup.holder, t, ttl).unwrap_or(held);
            next_lease = now + shortest.min(Duration::from_secs(ttl as u64 / 3).max(Duration::from_secs(1)));
        }
        let mut round: Vec<Item> = std::mem::take(&mut asked);
        if held {
            for item in &items {
                if due.get(item).is_some_and(|d| *d <= now) && !round.contains(item) {
                    round.push(item.clone());
                }
            }
        }
        if !round.is_empty() {
            match check(&setup.checks, &round, &setup.places, Some(&mut store), lang) {
                Ok((_, found)) => tools.extend(found.tools),
                Err(e) => {
                    report.send(NetMsg::Failed(e.text(lang).to_string()));
                }
            }
            let after = Instant::now();
            for item in &round {
                due.insert(item.clone(), after + setup.checks[item.0].every);
            }
        }
        if !round.is_empty() || !held {
            let who = if held {
                Some(setup.holder.clone())
            } else {
                store.lease(NET_LEASE).ok().flatten().map(|l| l.0)
            };
            match cells(&setup.checks, &store, who.as_deref()) {
                Ok(cells) => {
                    if !report.send(NetMsg::Checked { cells, tools: tools.clone() }) {
                        let _ = store.release_lease(NET_LEASE, &setup.holder);
                        return;
                    }
                }
                Err(e) => {
                    report.send(NetMsg::Failed(e.text(lang).to_string()));
                }
            }
        }
        traces.retain(|t| !t.is_finished());
        let soonest = if held { due.values().min().copied().unwrap_or(next_lease) } else { next_lease };
        let wait = soonest.min(next_lease).saturating_duration_since(Instant::now());
        let cmd = match rx.recv_timeout(wait) {
            Ok(cmd) => cmd,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => {
                let _ = store.release_lease(NET_LEASE, &setup.holder);
                return;
            }
        };
        match cmd {
            // Asked for: probed here, whoever holds the lease.
            NetCmd::ProbeNow(None) => asked = items.clone(),
            NetCmd::ProbeNow(Some((check, origin))) => {
                asked = items
                    .iter()
                    .filter(|(i, o)| setup.checks[*i].name == check && o.name() == origin)
                    .cloned()
                    .collect();
            }
            NetCmd::Trace { check, origin } => {
                let Some(spec) = setup.checks.iter().find(|c| c.name == check).cloned() else { continue };
                let origin = Origin::of(&origin);
                let place = setup.places.get(&origin).cloned().unwrap_or(Place::Down(tr(
                    lang,
                    "the place is not known",
                    "未知的探测位置",
                )));
                let to = report.clone();
                match std::thread::Builder::new().name("yunwei-trace".into()).spawn(move || {
                    to.send(NetMsg::Traced(trace(&spec, &origin, &place, lang)));
                }) {
                    Ok(h) => traces.push(h),
                    Err(e) => {
                        report.send(NetMsg::Failed(e.to_string()));
                    }
                }
            }
        }
    }
}
