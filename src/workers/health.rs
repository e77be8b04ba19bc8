//! The health pollers: one thread reads this machine's /proc (and plays the demo fleet), one
//! refreshes this machine's security posture every 30 minutes, and one thread per host reached
//! over SSH runs the probe script each round. Every sample goes to the panes and to the store.

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
use crate::i18n::Msg;
use crate::ssh::{Backoff, SshError, Target};

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
    reported: HashMap<String, Vec<String>>,
    /// This machine's security posture, refreshed by its own thread every 30 minutes.
    local_security: Arc<Mutex<Option<Security>>>,
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
    pub fn new_warnings(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        for p in &self.local {
            let now = p.last_warnings().to_vec();
            let before = self.reported.insert(p.name().to_string(), now.clone()).unwrap_or_default();
            if !now.is_empty() && now != before {
                out.push(format!("{}: {}", p.name(), now.join("; ")));
            }
        }
        out
    }
}

/// The running pollers' inboxes.
#[derive(Default)]
pub struct HealthWorkers {
    txs: Vec<Sender<HealthCmd>>,
}

impl HealthWorkers {
    pub fn dispatch(&self, cmd: HealthCmd) {
        for tx in &self.txs {
            let _ = tx.send(cmd);
        }
    }
}

/// Starts the local poller, its security thread and one poller thread per host reached over
/// SSH; each runs its commands on the host's one shared session from `sessions` (which the
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
    let ui = report.raw();
    if let Some(sessions) = sessions {
        for (name, target) in std::mem::take(&mut probes.remote) {
            let (tx, rx) = mpsc::channel::<HealthCmd>();
            txs.push(tx);
            let poller = RemoteHost::new(name.clone(), sessions.link(&target), command_timeout(&sessions))
                .security_after(security_delay(poll));
            let (report, store) = (report.clone(), store.clone());
            handles.push(spawn_guarded(&format!("yunwei-ssh-{name}"), ui.clone(), move || {
                remote_loop(poller, poll, rx, report, store)
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
    HealthWorkers { txs }
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
fn local_security_loop(slot: Arc<Mutex<Option<Security>>>, delay: Duration, rx: Receiver<HealthCmd>) {
    if !idle(&rx, delay) {
        return;
    }
    loop {
        if let Ok(out) = local_security(SECURITY_TIMEOUT) {
            let sec = parse_security(&out, chrono::Utc::now().timestamp());
            if let Ok(mut s) = slot.lock() {
                *s = Some(sec);
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
            report.problem(Msg::ProbeIncomplete, w);
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
    security: Option<Security>,
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
        match self.try_poll(with_security) {
            Ok(s) => s,
            Err(e) => down_sample(&self.name, &e),
        }
    }

    fn try_poll(&mut self, with_security: bool) -> Result<HostSample, SshError> {
        let name = self.name.clone();
        let out = self.link.exec(&probe_command(), self.command_timeout, Class::Health)?;
        let text = crate::text::decode_escaped(&out.stdout);
        let now = Instant::now();
        let mut sample = parse_probe(&name, &text, &mut self.state, now, chrono::Utc::now().timestamp());
        if with_security {
            self.refresh_security();
        }
        sample.security = self.security.clone();
        Ok(sample)
    }

    /// Collects the posture when it is due, at the lowest priority on the host. Best effort:
    /// a failure keeps the last one and is retried after the first delay (a minute when none
    /// was given), not at the next half-hour.
    pub fn refresh_security(&mut self) {
        let now = Instant::now();
        if now < self.next_security {
            return;
        }
        match self.link.exec(&security_command(), SECURITY_TIMEOUT, Class::Probe) {
            Ok(out) => {
                let text = String::from_utf8_lossy(&out.stdout);
                self.security = Some(parse_security(&text, chrono::Utc::now().timestamp()));
                self.next_security = Instant::now() + SECURITY_INTERVAL;
            }
            // The host went away meanwhile: try again soon, not in half an hour.
            Err(_) => self.next_security = Instant::now() + self.security_retry,
        }
    }
}

/// The poller thread of one host.
fn remote_loop(
    mut host: RemoteHost,
    poll: Duration,
    rx: Receiver<HealthCmd>,
    report: Report<HealthMsg>,
    store: Sender<StoreCmd>,
) {
    let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(60).max(poll));
    loop {
        let started = Instant::now();
        // The round's figures go out first; the posture, when due, runs after them.
        let sample = host.poll(false);
        let wait = if sample.reachable {
            backoff.reset();
            poll
        } else {
            backoff.next_delay()
        };
        if !report.send(HealthMsg::Sample(Box::new(sample.clone()))) {
            return;
        }
        let reachable = sample.reachable;
        if store.send(StoreCmd::Record(vec![sample])).is_err() {
            return;
        }
        if reachable {
            host.refresh_security();
        }
        match rx.recv_timeout((started + wait).saturating_duration_since(Instant::now())) {
            Ok(HealthCmd::PollNow) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_posture_waits_for_the_first_health_rounds() {
        assert_eq!(security_delay(Duration::from_secs(10)), Duration::from_secs(30));
        let slot: Arc<Mutex<Option<Security>>> = Arc::default();
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
        assert!(first[0].starts_with("h: "), "{first:?}");
        set.sample_all();
        assert!(set.new_warnings().is_empty(), "the same failure is not repeated every round");
    }
}
