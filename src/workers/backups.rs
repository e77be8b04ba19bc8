//! The backup jobs' work, shared by the Backups tab's thread and `yunwei backup`: one check
//! round (one command per host whatever the number of its jobs, over the host's shared SSH
//! session, or `sh` here for local jobs), the verifications, the on-demand runs, and what
//! they leave in SQLite and in the alert stream.
//!
//! The thread ([`run`]) has its own SQLite connection. It checks every job each
//! `[backups] check_interval`, verifies each new artefact once (a job with `verify`), and
//! runs a job's `run` on demand in a thread of its own that streams the output back.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::report::Report;
use crate::alerts::{AlertKey, Change};
use crate::backup_words;
use crate::backups::probe::{self, Script};
use crate::backups::{classify, Artefact, Seen, Spec, State, Verdict, Verification, Zone};
use crate::config::Backups;
use crate::fleet::inventory::{Access as HostAccess, Fleet};
use crate::fleet::{Class, HostLink, Sessions};
use crate::health::Level;
use crate::i18n::{tr, Both, Lang};
use crate::store::jobs::{bounded, JobCheck, MAX_OUTPUT};
use crate::store::{Access, Store, StoreOptions};

/// Where a job's commands run.
#[derive(Clone)]
pub enum Place {
    /// Here; `home` replaces `$HOME` (where runs keep their files) when given: the demo's
    /// folder.
    Local {
        home: Option<PathBuf>,
    },
    Ssh(HostLink),
    /// Nowhere: why (a host not in the fleet; a demo host that is down).
    Down(String),
}

/// Where the fleet's host `name` runs commands: here for a local host, else over its shared
/// SSH session.
pub fn place_of(name: &str, fleet: &Fleet, sessions: Option<&Sessions>, lang: Lang) -> Place {
    let shown = crate::text::escape_unprintable(name).into_owned();
    let Some(host) = fleet.hosts.iter().find(|h| h.name == name) else {
        return Place::Down(tr(
            lang,
            format!("the host {shown} is not in the fleet"),
            format!("主机 {shown} 不在主机清单中"),
        ));
    };
    match (&host.access, host.target(), sessions) {
        (HostAccess::Local, _, _) | (_, None, _) => Place::Local { home: None },
        (_, Some(target), Some(sessions)) => Place::Ssh(sessions.link(&target)),
        (_, Some(_), None) => Place::Down(tr(lang, "no SSH session", "没有 SSH 会话")),
    }
}

/// The place of each job, in order.
pub fn places(jobs: &[Spec], fleet: &Fleet, sessions: Option<&Sessions>, lang: Lang) -> Vec<Place> {
    jobs.iter()
        .map(|spec| match &spec.host {
            None => Place::Local { home: None },
            Some(name) => place_of(name, fleet, sessions, lang),
        })
        .collect()
}

/// Runs a script at a place: its output, error and status, or why it did not run.
pub fn exec(
    place: &Place,
    script: &Script,
    timeout: Duration,
    lang: Lang,
) -> Result<(Vec<u8>, Vec<u8>, i32), String> {
    match place {
        Place::Local { home } => super::local::run_sh(script.text, &script.args, home.as_deref(), timeout),
        Place::Ssh(link) => match link.exec(&script.command_line(), timeout, Class::Probe) {
            Ok(out) => Ok((out.stdout, out.stderr, out.exit_status)),
            Err(e) => Err(e.text(lang).to_string()),
        },
        Place::Down(why) => Err(why.clone()),
    }
}

/// The key jobs share a round by: their `host` (None: here).
fn group_key(spec: &Spec) -> Option<&str> {
    spec.host.as_deref()
}

/// One round: what each job's host shows of it, one command per host, the hosts side by side.
pub fn observe(jobs: &[Spec], places: &[Place], timeout: Duration, lang: Lang) -> Vec<Seen> {
    let mut groups: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
    for (i, spec) in jobs.iter().enumerate() {
        groups.entry(group_key(spec)).or_default().push(i);
    }
    let mut seen: Vec<Option<Seen>> = vec![None; jobs.len()];
    let answers: Vec<(Vec<usize>, Vec<Seen>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = groups
            .into_values()
            .map(|members| {
                scope.spawn(move || {
                    let specs: Vec<&Spec> = members.iter().map(|i| &jobs[*i]).collect();
                    let place = &places[members[0]];
                    let unreachable =
                        |why: String| specs.iter().map(|_| Seen::Unreachable(why.clone())).collect();
                    let script = probe::round(specs.iter().copied());
                    let out = match exec(place, &script, timeout, lang) {
                        Ok((stdout, stderr, status)) => match probe::read_round(&stdout, &specs) {
                            Ok(round) => round.jobs,
                            Err(why) => {
                                let said = String::from_utf8_lossy(&stderr);
                                let said = said.lines().last().unwrap_or("").trim();
                                let why = if status != 0 && !said.is_empty() {
                                    format!("{why}; status {status}: {said}")
                                } else {
                                    why
                                };
                                unreachable(why)
                            }
                        },
                        Err(why) => unreachable(why),
                    };
                    (members, out)
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    for (members, out) in answers {
        for (i, s) in members.into_iter().zip(out) {
            seen[i] = Some(s);
        }
    }
    seen.into_iter().map(|s| s.unwrap_or_else(|| Seen::Unreachable("the check stopped".into()))).collect()
}

/// Verifies one artefact of `job` now: started detached on its host (bounded there by
/// `verify_timeout`) and read back by short polls, so the host's session is free between
/// them for its health poll; a verification of the job already running there (started by
/// another console, or before a restart) is read instead of a second one.
pub fn verify_one(
    place: &Place,
    job: &str,
    command: &str,
    a: &Artefact,
    settings: &Backups,
    lang: Lang,
) -> Result<Verification, String> {
    let limit = settings.verify_timeout;
    let start = probe::start_verify(job, command, &a.path, limit.as_secs().max(1));
    match exec(place, &start, settings.timeout, lang)? {
        (_, _, 0) | (_, _, probe::START_BUSY) => {}
        (out, err, status) => {
            let said = String::from_utf8_lossy(if err.is_empty() { &out } else { &err }).trim().to_string();
            return Err(tr(
                lang,
                format!("the verification did not start (status {status}): {said}"),
                format!("未能启动校验（状态 {status}）：{said}"),
            ));
        }
    }
    let deadline = Instant::now() + limit + settings.timeout + Duration::from_secs(5);
    let mut output: Vec<u8> = Vec::new();
    let mut failures = 0;
    let mut wait = Duration::from_millis(100);
    loop {
        let poll = probe::poll_verify(job, output.len() as u64);
        match exec(place, &poll, settings.timeout, lang).and_then(|(out, _, _)| probe::read_poll(&out)) {
            Ok(p) => {
                failures = 0;
                let full = p.chunk.len() == probe::POLL_CHUNK;
                output.extend_from_slice(&p.chunk);
                if full {
                    continue;
                }
                if p.status.is_some() {
                    break;
                }
            }
            Err(why) => {
                failures += 1;
                if failures >= 5 {
                    return Err(why);
                }
            }
        }
        if Instant::now() >= deadline {
            let span = backup_words::span(limit.as_secs() as i64, lang);
            return Err(tr(
                lang,
                format!("the verification did not end within {span}"),
                format!("校验在 {span} 内未结束"),
            ));
        }
        std::thread::sleep(wait);
        wait = (wait * 2).min(POLL_EVERY);
    }
    let v = probe::read_verify(&output)?;
    if v.timed_out {
        let span = backup_words::span(limit.as_secs() as i64, lang);
        return Err(tr(
            lang,
            format!("the verification did not end within {span} (`[backups] verify_timeout`)"),
            format!("校验在 {span} 内未结束（`[backups] verify_timeout`）"),
        ));
    }
    let Some((mtime, size)) = v.file else {
        return Err(tr(lang, "the artefact is gone", "该文件已不存在"));
    };
    Ok(Verification {
        path: v.path,
        mtime,
        size,
        at: chrono::Utc::now().timestamp(),
        status: v.status,
        output: bounded(v.output.trim(), MAX_OUTPUT).to_string(),
        checksum: v.checksum,
    })
}

/// Which artefacts a check verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyMode {
    /// None: the last result on record is used.
    Never,
    /// The newest of each job when it has not been verified yet.
    Unverified,
    /// The newest of each job, now.
    All,
}

/// A job's state after a check, with what the pane and the command line show of it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobStatus {
    pub name: String,
    pub host: Option<String>,
    pub kind: crate::backups::Kind,
    pub verdict: Verdict,
    pub zone: Zone,
    pub reason_en: String,
    pub reason_zh: String,
    pub verification: Option<Verification>,
    /// Why a verification asked for could not run.
    pub verify_error: Option<String>,
    /// A verification is under way (in the background, from the tab's thread).
    pub verifying: bool,
    /// Sizes of the artefacts seen, oldest first (the sparkline).
    pub sizes: Vec<u64>,
    pub run: Option<String>,
    pub verify: Option<String>,
    pub checked_at: i64,
}

impl JobStatus {
    pub fn reason(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.reason_en,
            Lang::ZhCn => &self.reason_zh,
        }
    }
}

/// The level of the alert a state raises; None for ok. Late, running and unknown (it could
/// not be looked at) warn; missing, shrunk and failed are critical.
pub fn alert_level(state: State) -> Option<Level> {
    match state {
        State::Ok => None,
        State::Late | State::Running | State::Unknown => Some(Level::Warn),
        State::Failed | State::Missing | State::Shrunk => Some(Level::Crit),
    }
}

/// How many of the newest artefacts a check records (the history keeps them all).
const RECORDED_PER_CHECK: usize = 60;
/// How many sizes the sparkline shows.
const SPARK_SIZES: usize = 24;

/// Checks every job once: the round, the verifications `mode` asks for, the states; records
/// the checks and the artefacts seen, raises and clears the jobs' alerts.
pub fn check(
    jobs: &[Spec],
    places: &[Place],
    store: &mut Store,
    mode: VerifyMode,
    settings: &Backups,
    lang: Lang,
) -> crate::store::Result<Vec<JobStatus>> {
    let seen = observe(jobs, places, settings.timeout, lang);
    let at = chrono::Utc::now().timestamp();
    let mut rows = Vec::with_capacity(jobs.len());
    let mut out = Vec::with_capacity(jobs.len());
    let mut changes = Vec::new();
    let mut on_record = Vec::with_capacity(jobs.len());
    for (spec, seen) in jobs.iter().zip(&seen) {
        on_record.push(match seen {
            Seen::Files { matches, .. } => match matches.first() {
                Some(a) => store.job_verification(&spec.name, a)?,
                None => None,
            },
            _ => None,
        });
    }
    // The verifications asked for, all at once (one host's take turns on its session).
    let wanted: Vec<(usize, &str, &Artefact)> = jobs
        .iter()
        .zip(&seen)
        .zip(&on_record)
        .enumerate()
        .filter_map(|(i, ((spec, seen), known))| {
            let command = spec.verify.as_deref()?;
            let Seen::Files { matches, .. } = seen else { return None };
            let newest = matches.first()?;
            let ask = match mode {
                VerifyMode::Never => false,
                VerifyMode::All => true,
                VerifyMode::Unverified => known.is_none(),
            };
            ask.then_some((i, command, newest))
        })
        .collect();
    let done: Vec<(usize, Result<Verification, String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = wanted
            .into_iter()
            .map(|(i, command, a)| {
                let (name, place) = (&jobs[i].name, &places[i]);
                (i, scope.spawn(move || verify_one(place, name, command, a, settings, lang)))
            })
            .collect();
        handles
            .into_iter()
            .map(|(i, h)| (i, h.join().unwrap_or_else(|_| Err("the verification stopped".into()))))
            .collect()
    });
    let mut verified: BTreeMap<usize, Result<Verification, String>> = BTreeMap::new();
    for (i, result) in done {
        if let Ok(v) = &result {
            store.record_job_verification(&jobs[i].name, v)?;
        }
        verified.insert(i, result);
    }
    for (i, ((spec, seen), known)) in jobs.iter().zip(seen).zip(on_record).enumerate() {
        let (zone, matches) = match &seen {
            Seen::Files { zone, matches, .. } => (spec.due.zone(*zone), matches.clone()),
            _ => (Zone::of_host("", ""), Vec::new()),
        };
        let mut verify_error = None;
        let mut verification = known;
        match (verified.remove(&i), matches.first()) {
            // The file as the verification found it: the same one, or it changed since the
            // round (then it is checked again next round).
            (Some(Ok(v)), Some(a)) if v.is_of(a) => verification = Some(v),
            (Some(Err(why)), _) => verify_error = Some(why),
            _ => {}
        }
        let verdict = classify(spec, &seen, verification.as_ref());
        let reason_en = backup_words::reason(verdict.reason(), zone, Lang::En);
        let reason_zh = backup_words::reason(verdict.reason(), zone, Lang::ZhCn);
        let key = AlertKey::Backup { job: spec.name.clone() };
        changes.push(match alert_level(verdict.state) {
            Some(level) => Change::Open {
                key,
                level,
                value: None,
                message: Both::new(
                    format!("{}: {}", backup_words::state(verdict.state, Lang::En), reason_en),
                    format!("{}：{}", backup_words::state(verdict.state, Lang::ZhCn), reason_zh),
                ),
                host: spec.host.clone(),
                at,
            },
            None => Change::Clear { key, at },
        });
        rows.push((
            JobCheck {
                job: spec.name.clone(),
                host: spec.host.clone(),
                kind: spec.kind.as_str().to_string(),
                state: verdict.state.as_str().to_string(),
                reason_en: reason_en.clone(),
                reason_zh: reason_zh.clone(),
                checked_at: at,
                newest: verdict.newest.clone(),
                previous_size: verdict.previous_size,
                age_s: verdict.age_s,
                expected_at: verdict.expected_at,
                period_s: verdict.period_s,
            },
            matches.iter().take(RECORDED_PER_CHECK).cloned().collect::<Vec<_>>(),
        ));
        out.push(JobStatus {
            name: spec.name.clone(),
            host: spec.host.clone(),
            kind: spec.kind,
            verdict,
            zone,
            reason_en,
            reason_zh,
            verification,
            verify_error,
            verifying: false,
            sizes: Vec::new(),
            run: spec.run.clone(),
            verify: spec.verify.clone(),
            checked_at: at,
        });
    }
    store.record_job_checks(&rows)?;
    store.apply_alert_changes(&changes)?;
    for s in &mut out {
        let mut sizes: Vec<u64> =
            store.job_artefacts(&s.name, SPARK_SIZES)?.into_iter().map(|a| a.size).collect();
        sizes.reverse();
        s.sizes = sizes;
    }
    Ok(out)
}

/// What the Backups tab asks of the thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackupsCmd {
    /// Check every job now.
    CheckNow,
    /// Verify a job's newest artefact now.
    Verify(String),
    /// Start a job's `run` command.
    Run(String),
}

/// What the thread reports.
#[derive(Debug, Clone, PartialEq)]
pub enum BackupsMsg {
    Checked(Vec<JobStatus>),
    /// A verification asked for has started.
    Verifying(String),
    RunStarted {
        job: String,
        host: String,
        command: String,
    },
    RunOutput {
        job: String,
        text: String,
    },
    RunEnded {
        job: String,
        status: Option<i32>,
    },
    /// A run or a verification could not be done: why.
    Refused {
        job: String,
        why: String,
    },
    /// The check could not be recorded.
    Failed(String),
}

/// What the thread starts with.
#[derive(Clone)]
pub struct BackupsSetup {
    pub db_path: PathBuf,
    pub operator: String,
    /// This console's name for the checks' lease ([`crate::workers::notify::holder_name`]).
    pub holder: String,
    pub jobs: Vec<Spec>,
    pub places: Vec<Place>,
    pub settings: Backups,
    pub lang: Lang,
}

pub struct BackupsWorker {
    tx: Sender<BackupsCmd>,
}

impl BackupsWorker {
    pub fn new(tx: Sender<BackupsCmd>) -> BackupsWorker {
        BackupsWorker { tx }
    }

    pub fn dispatch(&self, cmd: BackupsCmd) {
        let _ = self.tx.send(cmd);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The verifications the thread runs in the background, one thread each.
#[derive(Default)]
struct Verifying {
    /// The jobs being verified.
    jobs: Arc<Mutex<HashSet<String>>>,
    /// Why the last verification of a job could not be done (cleared by one that could).
    errors: Arc<Mutex<std::collections::HashMap<String, String>>>,
    /// Set when one has ended: the thread checks again.
    ended: Arc<AtomicBool>,
}

impl Verifying {
    /// Verifies `a` in a thread of its own unless the job is being verified; `asked`: from the
    /// tab, which is told why one could not be done.
    fn start(
        &self,
        spec: &Spec,
        place: &Place,
        a: &Artefact,
        setup: &BackupsSetup,
        report: &Report<BackupsMsg>,
        asked: bool,
    ) {
        let job = spec.name.clone();
        if !lock(&self.jobs).insert(job.clone()) {
            return;
        }
        report.send(BackupsMsg::Verifying(job.clone()));
        let Some(command) = spec.verify.clone() else { return };
        let (jobs, errors, ended) = (self.jobs.clone(), self.errors.clone(), self.ended.clone());
        let (place, a, to_tab) = (place.clone(), a.clone(), report.clone());
        let (db, settings, lang) = (setup.db_path.clone(), setup.settings.clone(), setup.lang);
        let body = move || {
            let result = verify_one(&place, &job, &command, &a, &settings, lang).and_then(|v| {
                let mut store = Store::open_with(&db, StoreOptions::new(Access::Write, false))
                    .map_err(|e| e.text(lang).to_string())?;
                store.record_job_verification(&job, &v).map_err(|e| e.text(lang).to_string())
            });
            match result {
                Ok(()) => {
                    lock(&errors).remove(&job);
                }
                Err(why) => {
                    lock(&errors).insert(job.clone(), why.clone());
                    if asked {
                        to_tab.send(BackupsMsg::Refused { job: job.clone(), why });
                    }
                }
            }
            lock(&jobs).remove(&job);
            ended.store(true, Ordering::SeqCst);
        };
        if std::thread::Builder::new().name("yunwei-backup-verify".into()).spawn(body).is_err() {
            lock(&self.jobs).remove(&spec.name);
            let why = tr(setup.lang, "could not start a thread", "无法启动线程");
            report.send(BackupsMsg::Refused { job: spec.name.clone(), why });
        }
    }
}

/// How often a run's output is read back.
const POLL_EVERY: Duration = Duration::from_millis(700);

/// The lease whose holder, among the consoles and watchers on one database, runs the scheduled
/// checks (and their verifications); the others show what it recorded.
pub const CHECKS_LEASE: &str = "checks";

/// The jobs as the holder of the checks last recorded them, for a console that does not hold
/// the lease: no command runs on any host for it.
pub fn recorded_statuses(
    jobs: &[Spec],
    store: &Store,
    holder: Option<&str>,
) -> crate::store::Result<Vec<JobStatus>> {
    let checks = store.job_checks()?;
    let mut out = Vec::with_capacity(jobs.len());
    for spec in jobs {
        let zone = spec.due.zone(Zone::of_host("", ""));
        let found = checks.iter().find(|c| c.job == spec.name);
        let (state, reason_en, reason_zh, checked_at) = match found {
            Some(c) => (
                crate::backups::State::parse(&c.state).unwrap_or(crate::backups::State::Unknown),
                c.reason_en.clone(),
                c.reason_zh.clone(),
                c.checked_at,
            ),
            None => {
                let who = holder.unwrap_or("?");
                (
                    crate::backups::State::Unknown,
                    format!("not checked yet by {who}, which runs the checks"),
                    format!("负责检查的 {who} 尚未检查"),
                    0,
                )
            }
        };
        let newest = found.and_then(|c| c.newest.clone());
        let verification = match &newest {
            Some(a) => store.job_verification(&spec.name, a)?,
            None => None,
        };
        let mut sizes: Vec<u64> =
            store.job_artefacts(&spec.name, SPARK_SIZES)?.into_iter().map(|a| a.size).collect();
        sizes.reverse();
        out.push(JobStatus {
            name: spec.name.clone(),
            host: spec.host.clone(),
            kind: spec.kind,
            verdict: Verdict {
                state,
                reasons: Vec::new(),
                newest,
                previous_size: found.and_then(|c| c.previous_size),
                age_s: found.and_then(|c| c.age_s),
                expected_at: found.and_then(|c| c.expected_at),
                period_s: found.and_then(|c| c.period_s),
            },
            zone,
            reason_en,
            reason_zh,
            verification,
            verify_error: None,
            verifying: false,
            sizes,
            run: spec.run.clone(),
            verify: spec.verify.clone(),
            checked_at,
        });
    }
    Ok(out)
}

/// The thread: a check at start and every `check_interval`, the tab's requests between.
pub fn run(setup: BackupsSetup, rx: Receiver<BackupsCmd>, report: Report<BackupsMsg>) {
    if setup.jobs.is_empty() {
        // Nothing to watch: wait for the channel to close.
        while rx.recv().is_ok() {}
        return;
    }
    let lang = setup.lang;
    let options = StoreOptions::new(Access::Write, false);
    let mut store = match Store::open_with(&setup.db_path, options) {
        Ok(s) => s,
        Err(e) => {
            report.send(BackupsMsg::Failed(e.text(lang).to_string()));
            return;
        }
    };
    let running: Arc<Mutex<HashSet<String>>> = Arc::default();
    let verifying = Verifying::default();
    let mut next = Instant::now();
    // The lease lives one and a half intervals: renewed every interval by its holder, looked at
    // every half interval by the others, so one takes over within two intervals of a stop.
    let holder = setup.holder.clone();
    let interval = setup.settings.check_interval.max(Duration::from_millis(500));
    let ttl = ((interval.as_secs_f64() * 1.5).ceil() as i64).max(2);
    let mut manual = false;
    loop {
        let scheduled = Instant::now() >= next;
        let mut from_record = false;
        if scheduled && !std::mem::take(&mut manual) {
            let now = chrono::Utc::now().timestamp();
            // A database that cannot say who holds it: checked here rather than nowhere.
            from_record = !store.take_lease(CHECKS_LEASE, &holder, now, ttl).unwrap_or(true);
        }
        if from_record {
            let who = store.lease(CHECKS_LEASE).ok().flatten().map(|(h, _)| h);
            match recorded_statuses(&setup.jobs, &store, who.as_deref()) {
                Ok(statuses) => {
                    if !report.send(BackupsMsg::Checked(statuses)) {
                        return;
                    }
                }
                Err(e) => {
                    report.send(BackupsMsg::Failed(e.text(lang).to_string()));
                }
            }
            next = Instant::now() + interval / 2;
        } else if scheduled || verifying.ended.swap(false, Ordering::SeqCst) {
            match check(&setup.jobs, &setup.places, &mut store, VerifyMode::Never, &setup.settings, lang) {
                Ok(mut statuses) => {
                    for (i, status) in statuses.iter_mut().enumerate() {
                        let (spec, place) = (&setup.jobs[i], &setup.places[i]);
                        // A new artefact is verified once, in the background; a failed
                        // attempt is tried again at the next scheduled check.
                        let unverified = spec.verify.is_some() && status.verification.is_none();
                        if let (true, true, Some(a)) = (scheduled, unverified, &status.verdict.newest) {
                            verifying.start(spec, place, a, &setup, &report, false);
                        }
                        status.verifying = lock(&verifying.jobs).contains(&spec.name);
                        if status.verify_error.is_none() {
                            status.verify_error = lock(&verifying.errors).get(&spec.name).cloned();
                        }
                    }
                    if !report.send(BackupsMsg::Checked(statuses)) {
                        return;
                    }
                }
                Err(e) => {
                    report.send(BackupsMsg::Failed(e.text(lang).to_string()));
                }
            }
            if scheduled {
                next = Instant::now() + interval;
            }
        }
        let mut wait = next.saturating_duration_since(Instant::now());
        if !lock(&verifying.jobs).is_empty() {
            // A verification in the background: its end is looked for each second.
            wait = wait.min(Duration::from_secs(1));
        }
        let cmd = match rx.recv_timeout(wait) {
            Ok(cmd) => cmd,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => {
                let _ = store.release_lease(CHECKS_LEASE, &holder);
                return;
            }
        };
        let find = |job: &str| setup.jobs.iter().position(|s| s.name == job);
        match cmd {
            // Asked for: run here, whoever holds the lease.
            BackupsCmd::CheckNow => {
                next = Instant::now();
                manual = true;
            }
            BackupsCmd::Verify(job) => {
                let Some(i) = find(&job) else { continue };
                let (spec, place) = (&setup.jobs[i], &setup.places[i]);
                if spec.verify.is_none() {
                    let why = tr(lang, "this job has no `verify` command", "此作业没有配置 `verify` 命令");
                    report.send(BackupsMsg::Refused { job, why });
                    continue;
                }
                if lock(&verifying.jobs).contains(&job) {
                    // Already under way: the tab shows it as verifying.
                    report.send(BackupsMsg::Verifying(job));
                    continue;
                }
                let one = [spec.clone()];
                let seen = observe(&one, std::slice::from_ref(place), setup.settings.timeout, lang);
                let newest = match seen.first() {
                    Some(Seen::Files { matches, .. }) => matches.first().cloned(),
                    _ => None,
                };
                let Some(a) = newest else {
                    let why = tr(lang, "there is no artefact to verify", "没有可校验的文件");
                    report.send(BackupsMsg::Refused { job, why });
                    next = Instant::now();
                    continue;
                };
                verifying.start(spec, place, &a, &setup, &report, true);
            }
            BackupsCmd::Run(job) => {
                let Some(i) = find(&job) else { continue };
                let (spec, place) = (setup.jobs[i].clone(), setup.places[i].clone());
                let Some(command) = spec.run.clone() else {
                    let why = tr(lang, "this job has no `run` command", "此作业没有配置 `run` 命令");
                    report.send(BackupsMsg::Refused { job, why });
                    continue;
                };
                let fresh = lock(&running).insert(job.clone());
                if !fresh {
                    let why = tr(lang, "a run of this job is in progress", "此作业正在运行");
                    report.send(BackupsMsg::Refused { job, why });
                    continue;
                }
                let (running, db, operator, run_report) =
                    (running.clone(), setup.db_path.clone(), setup.operator.clone(), report.clone());
                let timeout = setup.settings.timeout;
                let spawned = std::thread::Builder::new().name("yunwei-backup-run".into()).spawn(move || {
                    run_one(&spec, &place, &command, &db, &operator, timeout, lang, &run_report);
                    lock(&running).remove(&spec.name);
                });
                if spawned.is_err() {
                    let why = tr(lang, "could not start a thread", "无法启动线程");
                    report.send(BackupsMsg::Refused { job, why });
                }
                next = Instant::now();
            }
        }
    }
}

/// Starts a job's run on its host, records it, streams its output until it ends, records the
/// end. Runs in a thread of its own.
#[allow(clippy::too_many_arguments)]
fn run_one(
    spec: &Spec,
    place: &Place,
    command: &str,
    db: &std::path::Path,
    operator: &str,
    timeout: Duration,
    lang: Lang,
    report: &Report<BackupsMsg>,
) {
    let job = spec.name.clone();
    let refuse = |why: String| {
        report.send(BackupsMsg::Refused { job: job.clone(), why });
    };
    let mut store = match Store::open_with(db, StoreOptions::new(Access::Write, false)) {
        Ok(s) => s,
        Err(e) => return refuse(e.text(lang).to_string()),
    };
    match exec(place, &probe::start_run(&spec.name, command), timeout, lang) {
        Ok((_, _, 0)) => {}
        Ok((_, _, probe::START_BUSY)) => {
            return refuse(tr(
                lang,
                "a run of this job is already in progress on its host",
                "此作业已在其主机上运行",
            ))
        }
        Ok((out, err, status)) => {
            let said = String::from_utf8_lossy(if err.is_empty() { &out } else { &err }).trim().to_string();
            return refuse(tr(
                lang,
                format!("the run did not start (status {status}): {said}"),
                format!("未能启动运行（状态 {status}）：{said}"),
            ));
        }
        Err(why) => return refuse(why),
    }
    let host = spec.host.clone().unwrap_or_else(|| "localhost".into());
    let now = || chrono::Utc::now().timestamp();
    let id = match store.start_job_run(&spec.name, spec.host.as_deref(), command, operator, now()) {
        Ok(id) => id,
        Err(e) => return refuse(e.text(lang).to_string()),
    };
    report.send(BackupsMsg::RunStarted { job: job.clone(), host, command: command.to_string() });
    let mut output: Vec<u8> = Vec::new();
    let mut failures = 0;
    let status = loop {
        match exec(place, &probe::poll_run(&spec.name, output.len() as u64), timeout, lang)
            .and_then(|(out, _, _)| probe::read_poll(&out))
        {
            Ok(p) => {
                failures = 0;
                if !p.chunk.is_empty() {
                    let text = String::from_utf8_lossy(&p.chunk).into_owned();
                    output.extend_from_slice(&p.chunk);
                    report.send(BackupsMsg::RunOutput { job: job.clone(), text });
                }
                if p.chunk.len() < probe::POLL_CHUNK {
                    if let Some(status) = p.status {
                        break Some(status);
                    }
                }
                if p.chunk.len() == probe::POLL_CHUNK {
                    continue;
                }
            }
            Err(why) => {
                failures += 1;
                if failures >= 5 {
                    let text = tr(
                        lang,
                        format!("\n[the run's output can no longer be read: {why}]\n"),
                        format!("\n[已无法读取运行输出：{why}]\n"),
                    );
                    report.send(BackupsMsg::RunOutput { job: job.clone(), text });
                    break None;
                }
            }
        }
        std::thread::sleep(POLL_EVERY);
    };
    let text = String::from_utf8_lossy(&output);
    if let Err(e) = store.finish_job_run(id, status, &text, operator, now()) {
        refuse(e.text(lang).to_string());
    }
    report.send(BackupsMsg::RunEnded { job, status });
}
