//! The health pollers: one thread reads this machine's /proc (and plays the demo fleet), one
//! refreshes this machine's security posture every 30 minutes, and one scheduler thread runs the
//! probe script on every host reached over SSH each round, through the host's shared session
//! (whose crew runs it and answers without blocking the scheduler). Every sample goes
//! to the panes and to the store.
//!
//! The scheduler replaced a poller thread per host: with 500 hosts those were 500 more threads
//! (16 KiB of resident stack each) and two more wake-ups per poll, and each sample was its own
//! write to the store; the scheduler's samples go to the store in batches.

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::report::Report;
use super::spawn::spawn_guarded;
use super::store::StoreCmd;
use crate::demo::DemoFleet;
use crate::fleet::{Class, HostLink, Sessions};
use crate::health::remote::{parse_probe, probe_command, RemoteState};
use crate::health::security::{
    local_security, parse_security, security_command, Security, SECURITY_AFTER_ROUNDS, SECURITY_INTERVAL,
    SECURITY_TIMEOUT,
};
use crate::health::{HostError, HostSample, LocalProbe};
use crate::i18n::{Both, Msg};
use crate::ssh::{Backoff, ExecOutput, SshError, Target};

/// What the app asks of the pollers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthCmd {
    /// Every poller takes a round now.
    PollNow,
}

/// What the pollers report.
#[derive(Debug, Clone, PartialEq)]
pub enum HealthMsg {
    Sample(Box<HostSample>),
}

/// What the local poller watches, and the hosts reached over SSH.
#[derive(Default)]
pub struct ProbeSet {
    pub local: Vec<LocalProbe>,
    pub demo: Option<DemoFleet>,
    /// Hosts reached over SSH, with their targets.
    pub remote: Vec<(String, Target)>,
    /// The partial failures last reported per host, so each is said once, not every round.
    reported: HashMap<String, Vec<Both>>,
    /// This machine's security posture, refreshed by its own thread every 30 minutes.
    local_security: Arc<Mutex<Option<Arc<Security>>>>,
}

impl ProbeSet {
    pub fn sample_all(&mut self) -> Vec<HostSample> {
        let now = chrono::Utc::now().timestamp();
        let security = self.local_security.lock().ok().and_then(|s| s.clone());
        let mut out: Vec<HostSample> = self
            .local
            .iter_mut()
            .map(|p| {
                let mut s = p.sample();
                s.security = security.clone();
                s
            })
            .collect();
        if let Some(demo) = &self.demo {
            out.extend(demo.samples_at(now));
        }
        out
    }

    /// Sources that newly failed (a `df` that timed out on a hung mount, an unreadable file),
    /// one line per host whose list changed since the last round.
    pub fn new_warnings(&mut self) -> Vec<Both> {
        let mut out = Vec::new();
        for p in &self.local {
            let now = p.last_warnings().to_vec();
            let before = self.reported.insert(p.name().to_string(), now.clone()).unwrap_or_default();
            if !now.is_empty() && now != before {
                let join = |sep: &str, f: fn(&Both) -> &str| now.iter().map(f).collect::<Vec<_>>().join(sep);
                out.push(Both::new(
                    format!("{}: {}", p.name(), join("; ", |w| &w.en)),
                    format!("{}：{}", p.name(), join("；", |w| &w.zh)),
                ));
            }
        }
        out
    }
}

/// The running pollers' inboxes.
#[derive(Default)]
pub struct HealthWorkers {
    txs: Vec<Sender<HealthCmd>>,
    remote: Option<Sender<RemoteEv>>,
}

impl HealthWorkers {
    pub fn dispatch(&self, cmd: HealthCmd) {
        for tx in &self.txs {
            let _ = tx.send(cmd);
        }
        if let Some(tx) = &self.remote {
            let _ = tx.send(RemoteEv::Cmd(cmd));
        }
    }
}

impl Drop for HealthWorkers {
    fn drop(&mut self) {
        // The scheduler holds senders of its own (for the answers): it is told to stop.
        if let Some(tx) = &self.remote {
            let _ = tx.send(RemoteEv::Stop);
        }
    }
}

/// Starts the local poller, its security thread and the scheduler of every host reached over
/// SSH, which runs each host's commands on its one shared session from `sessions` (which the
/// host's log sources share too). `poll` is the interval between rounds.
pub fn start(
    mut probes: ProbeSet,
    poll: Duration,
    sessions: Option<Arc<Sessions>>,
    store: Sender<StoreCmd>,
    report: Report<HealthMsg>,
    handles: &mut Vec<JoinHandle<()>>,
) -> HealthWorkers {
    let mut txs = Vec::new();
    let mut remote = None;
    let ui = report.raw();
    if let Some(sessions) = sessions {
        let hosts: Vec<RemoteHost> = std::mem::take(&mut probes.remote)
            .into_iter()
            .map(|(name, target)| {
                RemoteHost::new(name, sessions.link(&target), command_timeout(&sessions))
                    .security_after(security_delay(poll))
            })
            .collect();
        if !hosts.is_empty() {
            let (tx, rx) = mpsc::channel::<RemoteEv>();
            remote = Some(tx.clone());
            let (report, store) = (report.clone(), store.clone());
            handles.push(spawn_guarded("yunwei-remote", ui.clone(), move || {
                Scheduler::new(hosts, poll, tx).run(&rx, &report, &store)
            }));
        }
    }
    if !probes.local.is_empty() {
        let slot = probes.local_security.clone();
        let (tx, rx) = mpsc::channel::<HealthCmd>();
        txs.push(tx);
        let delay = security_delay(poll);
        handles
            .push(spawn_guarded("yunwei-security", ui.clone(), move || local_security_loop(slot, delay, rx)));
    }
    let (tx, rx) = mpsc::channel::<HealthCmd>();
    txs.push(tx);
    handles.push(spawn_guarded("yunwei-probe", ui, move || probe_loop(&mut probes, poll, rx, report, store)));
    HealthWorkers { txs, remote }
}

/// When the console's first security posture is due: after the first health rounds.
pub fn security_delay(poll: Duration) -> Duration {
    poll * SECURITY_AFTER_ROUNDS
}

/// Waits `how_long`, waking early only to stop (false); a poll-now does not hurry the posture.
fn idle(rx: &Receiver<HealthCmd>, how_long: Duration) -> bool {
    let deadline = Instant::now() + how_long;
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(HealthCmd::PollNow) => continue,
            Err(RecvTimeoutError::Timeout) => return true,
            Err(RecvTimeoutError::Disconnected) => return false,
        }
    }
}

/// Runs the security script on this machine at the lowest priority, first after `delay` (the
/// first health rounds), then every 30 minutes, on its own thread: some of its queries take
/// seconds, which must not delay the health figures.
fn local_security_loop(slot: Arc<Mutex<Option<Arc<Security>>>>, delay: Duration, rx: Receiver<HealthCmd>) {
    if !idle(&rx, delay) {
        return;
    }
    loop {
        if let Ok(out) = local_security(SECURITY_TIMEOUT) {
            let sec = parse_security(&out, chrono::Utc::now().timestamp());
            if let Ok(mut s) = slot.lock() {
                *s = Some(Arc::new(sec));
            }
        }
        if !idle(&rx, SECURITY_INTERVAL) {
            return;
        }
    }
}

fn probe_loop(
    probes: &mut ProbeSet,
    poll: Duration,
    rx: Receiver<HealthCmd>,
    report: Report<HealthMsg>,
    store: Sender<StoreCmd>,
) {
    // The first reading has no CPU figure (it needs two): take the second after one second so
    // the table fills in at once, then settle into the poll interval.
    let mut wait = Duration::from_secs(1);
    loop {
        let started = Instant::now();
        let samples = probes.sample_all();
        for s in &samples {
            if !report.send(HealthMsg::Sample(Box::new(s.clone()))) {
                return;
            }
        }
        for w in probes.new_warnings() {
            report.problem_in(Msg::ProbeIncomplete, w);
        }
        if store.send(StoreCmd::Record(samples)).is_err() {
            return;
        }
        let deadline = started + wait;
        wait = poll;
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(HealthCmd::PollNow) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Polls hosts once, all at once, each on its own thread: the whole costs what the slowest
/// host costs (bounded by the timeouts), never the sum. Two readings half a second apart, so
/// CPU % is known; `security` adds the posture.
pub fn poll_once(hosts: Vec<(String, Target)>, sessions: &Arc<Sessions>, security: bool) -> Vec<HostSample> {
    let timeout = command_timeout(sessions);
    let handles: Vec<_> = hosts
        .into_iter()
        .map(|(name, target)| {
            let link = sessions.link(&target);
            std::thread::spawn(move || {
                let mut host = RemoteHost::new(name, link, timeout);
                let first = host.poll(false);
                if !first.reachable {
                    return first;
                }
                std::thread::sleep(Duration::from_millis(500));
                host.poll(security)
            })
        })
        .collect();
    handles.into_iter().filter_map(|h| h.join().ok()).collect()
}

/// The sample that says a host is down and why.
pub fn down_sample(name: &str, e: &SshError) -> HostSample {
    HostSample {
        name: name.to_string(),
        reachable: false,
        error: Some(HostError {
            kind: e.kind.as_str().to_string(),
            message: e.message.clone(),
            zh: Some(e.zh.clone()),
        }),
        sampled_at: chrono::Utc::now().timestamp(),
        ..Default::default()
    }
}

/// The `[ssh] command_timeout_s` the probe runs under.
fn command_timeout(sessions: &Sessions) -> Duration {
    sessions.pool().settings().command_timeout
}

/// One host's poller: its link to the host's shared session and the state its figures are
/// computed from.
pub struct RemoteHost {
    pub name: String,
    link: HostLink,
    command_timeout: Duration,
    state: RemoteState,
    security: Option<Arc<Security>>,
    next_security: Instant,
    /// How soon a posture that failed (the host went away meanwhile) is tried again.
    security_retry: Duration,
}

impl RemoteHost {
    pub fn new(name: String, link: HostLink, command_timeout: Duration) -> RemoteHost {
        RemoteHost {
            name,
            link,
            command_timeout,
            state: RemoteState::default(),
            security: None,
            next_security: Instant::now(),
            security_retry: Duration::from_secs(60),
        }
    }

    /// The first posture waits `delay` (the console: after its first health rounds; `yunwei
    /// status --security` asks at once).
    pub fn security_after(mut self, delay: Duration) -> RemoteHost {
        self.next_security = Instant::now() + delay;
        self.security_retry = delay.max(Duration::from_secs(1));
        self
    }

    /// One round: run the probe on the host's session (its owner connects and reconnects),
    /// parse; with `with_security`, the posture first when it is due.
    pub fn poll(&mut self, with_security: bool) -> HostSample {
        let out = self.link.exec(&probe_command(), self.command_timeout, Class::Health);
        let answered = out.is_ok();
        let mut sample = self.probe_done(out);
        if with_security && answered {
            self.refresh_security();
            sample.security = self.security.clone();
        }
        sample
    }

    /// The sample a probe's answer makes (a down sample when the command failed).
    pub fn probe_done(&mut self, out: Result<ExecOutput, SshError>) -> HostSample {
        match out {
            Ok(out) => {
                let text = crate::text::decode_escaped(&out.stdout);
                let now = Instant::now();
                let mut sample =
                    parse_probe(&self.name, &text, &mut self.state, now, chrono::Utc::now().timestamp());
                sample.security = self.security.clone();
                sample
            }
            Err(e) => down_sample(&self.name, &e),
        }
    }

    /// Whether the posture is due (the scheduler then asks for it after the round's figures).
    pub fn security_due(&self) -> bool {
        Instant::now() >= self.next_security
    }

    /// Takes the posture's answer. Best effort: a failure keeps the last one and is retried
    /// after the first delay (a minute when none was given), not at the next half-hour.
    pub fn security_done(&mut self, out: Result<ExecOutput, SshError>) {
        match out {
            Ok(out) => {
                let text = String::from_utf8_lossy(&out.stdout);
                self.security = Some(Arc::new(parse_security(&text, chrono::Utc::now().timestamp())));
                self.next_security = Instant::now() + SECURITY_INTERVAL;
            }
            // The host went away meanwhile: try again soon, not in half an hour.
            Err(_) => self.next_security = Instant::now() + self.security_retry,
        }
    }

    /// Collects the posture when it is due, at the lowest priority on the host. Best effort:
    /// a failure keeps the last one and is retried after the first delay (a minute when none
    /// was given), not at the next half-hour.
    pub fn refresh_security(&mut self) {
        if !self.security_due() {
            return;
        }
        let out = self.link.exec(&security_command(), SECURITY_TIMEOUT, Class::Probe);
        self.security_done(out);
    }
}

/// What the remote scheduler hears.
pub enum RemoteEv {
    /// The answer to host `i`'s probe.
    Probe(usize, Result<ExecOutput, SshError>),
    /// The answer to host `i`'s security posture query.
    Security(usize, Result<ExecOutput, SshError>),
    Cmd(HealthCmd),
    Stop,
}

/// One host as the scheduler sees it.
struct Slot {
    host: RemoteHost,
    /// When its next round is due (when idle).
    next: Instant,
    /// When its current round started.
    started: Instant,
    /// A probe or posture query of it is under way: nothing more is asked meanwhile.
    busy: bool,
    /// A poll-now came while it was busy: its next round starts as soon as it is idle.
    poll_now: bool,
    backoff: Backoff,
}

impl Slot {
    /// Its round (or posture) is over; a poll-now that came meanwhile starts the next at once.
    fn idle(&mut self) {
        self.busy = false;
        if std::mem::take(&mut self.poll_now) {
            self.next = Instant::now();
        }
    }
}

/// Every remote host's rounds on one thread: each is asked, when due, on its session (the
/// owner runs the command and answers through the channel); a host that is down waits for
/// its backoff; a slow one delays only itself.
struct Scheduler {
    slots: Vec<Slot>,
    poll: Duration,
    probe: String,
    tx: Sender<RemoteEv>,
}

impl Scheduler {
    fn new(hosts: Vec<RemoteHost>, poll: Duration, tx: Sender<RemoteEv>) -> Scheduler {
        let now = Instant::now();
        let slots = hosts
            .into_iter()
            .map(|host| Slot {
                host,
                next: now,
                started: now,
                busy: false,
                poll_now: false,
                backoff: Backoff::new(Duration::from_secs(1), Duration::from_secs(60).max(poll)),
            })
            .collect();
        Scheduler { slots, poll, probe: probe_command(), tx }
    }

    fn run(mut self, rx: &Receiver<RemoteEv>, report: &Report<HealthMsg>, store: &Sender<StoreCmd>) {
        loop {
            self.start_due();
            let wake = self.slots.iter().filter(|s| !s.busy).map(|s| s.next).min();
            let first = match wake {
                Some(at) => rx.recv_timeout(at.saturating_duration_since(Instant::now())),
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            let mut events = Vec::new();
            match first {
                Ok(ev) => events.push(ev),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            events.extend(rx.try_iter());
            // The samples of one wake-up go to the store together.
            let mut record = Vec::new();
            for ev in events {
                match ev {
                    RemoteEv::Probe(i, out) => {
                        let Some(sample) = self.probe_done(i, out) else { continue };
                        if !report.send(HealthMsg::Sample(Box::new(sample.clone()))) {
                            return;
                        }
                        record.push(sample);
                    }
                    RemoteEv::Security(i, out) => {
                        if let Some(slot) = self.slots.get_mut(i) {
                            slot.host.security_done(out);
                            slot.idle();
                        }
                    }
                    RemoteEv::Cmd(HealthCmd::PollNow) => {
                        let now = Instant::now();
                        for slot in &mut self.slots {
                            if slot.busy {
                                slot.poll_now = true;
                            } else {
                                slot.next = now;
                            }
                        }
                    }
                    RemoteEv::Stop => return,
                }
            }
            if !record.is_empty() && store.send(StoreCmd::Record(record)).is_err() {
                return;
            }
        }
    }

    /// Asks every idle host whose round is due for its figures.
    fn start_due(&mut self) {
        let now = Instant::now();
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if slot.busy || now < slot.next {
                continue;
            }
            slot.busy = true;
            slot.started = now;
            let tx = self.tx.clone();
            let timeout = slot.host.command_timeout;
            slot.host.link.submit(&self.probe, timeout, Class::Health, move |out| {
                let _ = tx.send(RemoteEv::Probe(i, out));
            });
        }
    }

    /// Host `i`'s figures arrived: its sample, its next round, and its posture when due (asked
    /// after the figures, at the lowest priority on the host).
    fn probe_done(&mut self, i: usize, out: Result<ExecOutput, SshError>) -> Option<HostSample> {
        let slot = self.slots.get_mut(i)?;
        let sample = slot.host.probe_done(out);
        let wait = if sample.reachable {
            slot.backoff.reset();
            self.poll
        } else {
            slot.backoff.next_delay()
        };
        slot.next = slot.started + wait;
        if sample.reachable && slot.host.security_due() {
            let tx = self.tx.clone();
            slot.host.link.submit(&security_command(), SECURITY_TIMEOUT, Class::Probe, move |out| {
                let _ = tx.send(RemoteEv::Security(i, out));
            });
        } else {
            slot.idle();
        }
        Some(sample)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_posture_waits_for_the_first_health_rounds() {
        assert_eq!(security_delay(Duration::from_secs(10)), Duration::from_secs(30));
        let slot: Arc<Mutex<Option<Arc<Security>>>> = Arc::default();
        let (tx, rx) = mpsc::channel();
        let thread_slot = slot.clone();
        let started = Instant::now();
        let handle =
            std::thread::spawn(move || local_security_loop(thread_slot, Duration::from_millis(600), rx));
        // A poll-now does not hurry it.
        tx.send(HealthCmd::PollNow).unwrap();
        std::thread::sleep(Duration::from_millis(300));
        assert!(slot.lock().unwrap().is_none(), "the posture ran at start-up");
        let deadline = Instant::now() + Duration::from_secs(60);
        while slot.lock().unwrap().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let sec = slot.lock().unwrap().clone().expect("the posture after the delay");
        assert!(started.elapsed() >= Duration::from_millis(600));
        assert!(!sec.listening_tcp_ports.is_empty() || sec.firewall.is_some() || sec.collected_at > 0);
        drop(tx);
        handle.join().unwrap();
    }

    #[test]
    fn partial_failures_are_reported_once() {
        let dir = tempfile::tempdir().unwrap();
        // stat and meminfo readable, the rest missing: reachable, with warnings.
        std::fs::write(dir.path().join("stat"), "cpu  1 0 1 10 0 0 0 0 0 0\ncpu0 1 0 1 10 0 0 0 0 0 0\n")
            .unwrap();
        std::fs::write(dir.path().join("meminfo"), "MemTotal: 1000 kB\nMemAvailable: 500 kB\n").unwrap();
        let probe = LocalProbe::with_root("h".into(), dir.path().to_path_buf()).with_commands(false);
        let mut set = ProbeSet { local: vec![probe], ..Default::default() };
        let s = set.sample_all();
        assert!(s[0].reachable);
        let first = set.new_warnings();
        assert_eq!(first.len(), 1, "{first:?}");
        assert!(first[0].en.starts_with("h: "), "{first:?}");
        // In Chinese too: the sample carries them for the host detail.
        assert!(first[0].zh.starts_with("h：") && first[0].zh.contains("无法读取"), "{first:?}");
        assert!(!s[0].warnings.is_empty());
        set.sample_all();
        assert!(set.new_warnings().is_empty(), "the same failure is not repeated every round");
    }
}
