//! One SSH session per host, shared by everything that runs commands there: the health poller,
//! every remote log source of the host, and later the backup checks and network probes.
//!
//! # Shape
//!
//! [`Sessions`] (shared through an `Arc`) hands out one [`HostLink`] per [`Target`]: asking
//! twice for the same target gives two clones of the same link. Behind every link is the host's
//! [`SshConn`] (made by [`SshPool::connect`], so jump chains and the pool's shared bastion
//! sessions apply) and its queue of commands. Callers queue commands with [`HostLink::exec`]
//! or [`HostLink::submit`]; a small *crew* of threads, shared by every host of the registry,
//! runs them: a host with waiting commands joins the crew's line, and the next free member
//! runs one of its commands on its session, answers the caller, and sends the host to the back
//! of the line if more wait.
//!
//! Why a crew and not a thread per host: a thread per host cost 500 threads for a provincial
//! fleet, each with its own stack and, while a poll was in flight, its own read buffer; all of
//! them woke at once every round. The crew has up to [`MAX_CREW`] members however many hosts
//! there are, started when work waits and no member is free, and leaving after [`CREW_IDLE`]
//! without work. Members held by long commands (the security posture's package query runs for
//! seconds on every host at once) must not starve the polls: when the host at the head of the
//! line has waited [`CREW_STALL`], no member is free and none has finished a command for as
//! long (they are held, not merely busy), another starts beyond `MAX_CREW`, up to
//! [`CREW_HARD_MAX`], and leaves again once idle. A line that moves is left to the crew it has:
//! growing it whenever the line was long cost 500 threads in every round of a 500-host fleet.
//!
//! # Guarantees
//!
//! * **One login per host.** However many links are cloned and used at once, the host is
//!   connected once and keeps the session until it fails: a host is in the line at most once
//!   and served by one member at a time. Nothing connects before the first command (creating
//!   links is free).
//! * **Blocking the caller only.** `exec` blocks the calling thread until its answer comes.
//!   Hosts are served side by side by up to [`MAX_CREW`] members, so a host that hangs (until
//!   its timeout) holds one member and delays nobody else while others are free.
//! * **Priority by [`Class`].** A host's waiting commands are taken in class order
//!   ([`Class::Health`] first, then [`Class::Probe`], then [`Class::Logs`]), first come first
//!   served within a class. A command waits for at most the one command of its host already
//!   running, then for the commands of its own or a higher class queued before it, and between
//!   two of them for its host's turn in the crew's line (hosts take turns one command at a time).
//!   A health poll therefore waits for at most one remote log read however far behind the logs
//!   are; that read is bounded in size (`logs::remote::MAX_CHUNK` per exec) and in time (its own
//!   timeout), so callers of the lower classes must keep each command short: one bounded chunk
//!   per exec, and a timeout no longer than the poll interval they must not delay.
//! * **Time limits.** Each command runs under its own `timeout`, counted from when it starts
//!   on the session (plus a connect, itself bounded by the `[ssh]` timeouts, when the session
//!   had to be made first). The time spent queued comes on top, bounded as above.
//! * **Reconnects.** A command that times out or loses the connection leaves the session
//!   unusable: it is dropped and the next command connects again. When connecting fails, the
//!   error goes to that command's caller and, until the next attempt is due (capped exponential
//!   [`Backoff`] with jitter, 1 s doubling to 60 s), every command fails at once with that same
//!   error instead of hammering a host that is down. A command whose connection died may or
//!   may not have run; it is not repeated.
//! * **Errors** reach the callers as [`SshError`]s with their kind, as from a session of their
//!   own. A command whose run panicked answers that the session stopped, and so does every
//!   command of that host after it.
//! * **Lifetime.** A host's session is closed when the last clone of its link (the registry's
//!   included) is dropped and none of its commands waits.

use std::collections::{HashMap, VecDeque};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use crate::ssh::{Backoff, ErrorKind, ExecOutput, SshConn, SshError, SshPool, Target};

/// What a command is for, which decides its place in the host's queue (highest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// The health poll: short, periodic, and what the fleet view and alerts depend on.
    Health,
    /// Occasional checks (backup jobs, network probes): short commands, less urgent.
    Probe,
    /// Remote log reads: possibly many in a row while a log catches up, each bounded in size.
    Logs,
}

const CLASSES: usize = 3;

impl Class {
    fn rank(self) -> usize {
        match self {
            Class::Health => 0,
            Class::Probe => 1,
            Class::Logs => 2,
        }
    }
}

/// Reconnect pacing after a failed connect.
const BACKOFF_BASE: Duration = Duration::from_secs(1);
const BACKOFF_CAP: Duration = Duration::from_secs(60);

/// Members of the crew at most. Enough that a few hosts hanging until their timeouts leave
/// most of the crew to the others, and that hosts a long way off (each command a few round
/// trips) are served side by side; few enough that a poll round's read buffers and stacks stay
/// small beside the sessions themselves.
pub const MAX_CREW: usize = 32;
/// How long the head of the line may wait, with every member busy and none finishing a
/// command, before a member starts beyond [`MAX_CREW`].
pub const CREW_STALL: Duration = Duration::from_millis(250);
/// Members at most, however long the commands they are held by.
pub const CREW_HARD_MAX: usize = 1024;
/// A member with nothing to do for this long leaves (the poll interval is usually shorter, so
/// a polling console keeps its crew).
pub const CREW_IDLE: Duration = Duration::from_secs(60);

type Reply = Result<ExecOutput, SshError>;

struct Request {
    command: String,
    timeout: Duration,
    reply: Replier,
}

/// Where a command's answer goes: to a caller blocked in [`HostLink::exec`], or to the callback
/// of [`HostLink::submit`]. One dropped unanswered (its host stopped) answers that the
/// session stopped, so no caller waits for an answer that cannot come.
struct Replier {
    name: String,
    answer: Option<Box<dyn FnOnce(Reply) + Send>>,
}

impl Replier {
    fn new(name: &str, answer: impl FnOnce(Reply) + Send + 'static) -> Replier {
        Replier { name: name.to_string(), answer: Some(Box::new(answer)) }
    }

    fn send(mut self, reply: Reply) {
        if let Some(answer) = self.answer.take() {
            answer(reply);
        }
    }
}

impl Drop for Replier {
    fn drop(&mut self) {
        if let Some(answer) = self.answer.take() {
            answer(Err(stopped_error(&self.name)));
        }
    }
}

fn stopped_error(name: &str) -> SshError {
    SshError::say(ErrorKind::Disconnected, crate::ssh::SshMsg::SessionStopped, &[("name", &name)])
}

#[derive(Default)]
struct Queue {
    waiting: [VecDeque<Request>; CLASSES],
    /// In the crew's line or being served: nobody else may take the host.
    scheduled: bool,
    /// A command's run panicked: the session's state is unknown, so commands fail at once
    /// instead of running on it.
    stopped: bool,
}

impl Queue {
    /// The next command by class.
    fn pop(&mut self) -> Option<Request> {
        self.waiting.iter_mut().find_map(VecDeque::pop_front)
    }

    fn has_waiting(&self) -> bool {
        self.waiting.iter().any(|q| !q.is_empty())
    }
}

/// One host: its queue, and its session with the state that decides when to connect again.
struct Host {
    name: String,
    queue: Mutex<Queue>,
    /// Locked only by the member serving the host (a host is served by one member at a time).
    owner: Mutex<Owner>,
    crew: Arc<Crew>,
    host_key_unverified: AtomicBool,
    logins: AtomicU64,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A caller that panicked while queueing leaves a consistent queue behind.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Host {
    /// Runs the host's next command and answers it; puts the host back in the line when more
    /// wait. Called by a member that took the host from the line.
    fn serve_next(self: Arc<Host>) {
        let request = {
            let mut queue = lock(&self.queue);
            match queue.pop() {
                Some(request) => request,
                None => {
                    queue.scheduled = false;
                    return;
                }
            }
        };
        let run = catch_unwind(AssertUnwindSafe(|| lock(&self.owner).serve(&self, &request)));
        match run {
            // The caller may have gone (its thread ended): its callback then does nothing.
            Ok(result) => request.reply.send(result),
            Err(_) => {
                let waiting: Vec<Request> = {
                    let mut queue = lock(&self.queue);
                    queue.stopped = true;
                    queue.waiting.iter_mut().flat_map(std::mem::take).collect()
                };
                // Answered (as stopped) once the lock is released: an answer may queue anew.
                drop(request);
                drop(waiting);
            }
        }
        // Decided under one lock with `submit`'s check, so no command is left unserved.
        let again = {
            let mut queue = lock(&self.queue);
            let again = queue.has_waiting() && !queue.stopped;
            queue.scheduled = again;
            again
        };
        if again {
            Arc::clone(&self.crew).line_up(self);
        }
    }
}

/// The threads that serve every host of a registry, and the line of hosts waiting for one.
struct Crew {
    state: Mutex<CrewState>,
    work: Condvar,
    max: usize,
    hard_max: usize,
    stall: Duration,
    idle_for: Duration,
}

#[derive(Default)]
struct CrewState {
    /// The hosts waiting for a member, with when each joined the line.
    line: VecDeque<(Arc<Host>, Instant)>,
    members: usize,
    idle: usize,
    /// Threads started so far (names them).
    started: u64,
    /// The most members there have been at once.
    peak: usize,
    /// When a member last finished a command (None before the first).
    last_finish: Option<Instant>,
}

impl Crew {
    fn new(max: usize, idle_for: Duration) -> Arc<Crew> {
        Arc::new(Crew {
            state: Mutex::new(CrewState::default()),
            work: Condvar::new(),
            max,
            hard_max: CREW_HARD_MAX.max(max),
            stall: CREW_STALL,
            idle_for,
        })
    }

    /// Puts `host` (marked scheduled by the caller) at the back of the line and makes sure a
    /// member will take it: a free one is woken, else a new one starts if the crew is not full,
    /// or if the line has stood still for [`CREW_STALL`] (every member held by a long command).
    fn line_up(self: Arc<Crew>, host: Arc<Host>) {
        let start = {
            let mut state = lock(&self.state);
            let now = Instant::now();
            state.line.push_back((host, now));
            let held = |at: Instant| now.duration_since(at) >= self.stall;
            let stalled = state.members < self.hard_max
                && state.line.front().is_some_and(|(_, since)| held(*since))
                && state.last_finish.is_none_or(held);
            if state.idle > 0 {
                self.work.notify_one();
                None
            } else if state.members < self.max || stalled {
                state.members += 1;
                state.peak = state.peak.max(state.members);
                state.started += 1;
                Some(state.started)
            } else {
                None
            }
        };
        let Some(number) = start else { return };
        let crew = Arc::clone(&self);
        let spawned =
            thread::Builder::new().name(format!("yunwei-ssh-{number}")).spawn(move || crew.member());
        if let Err(err) = spawned {
            let orphaned = {
                let mut state = lock(&self.state);
                state.members -= 1;
                // With no member at all nobody would ever serve the line: it is answered here.
                if state.members == 0 {
                    std::mem::take(&mut state.line)
                } else {
                    VecDeque::new()
                }
            };
            let error = crate::ssh::io_both(&err);
            for (host, _) in orphaned {
                let waiting: Vec<Request> = {
                    let mut queue = lock(&host.queue);
                    queue.scheduled = false;
                    queue.waiting.iter_mut().flat_map(std::mem::take).collect()
                };
                for request in waiting {
                    request.reply.send(Err(SshError::say(
                        ErrorKind::Protocol,
                        crate::ssh::SshMsg::SessionThread,
                        &[("name", &host.name), ("error", &error)],
                    )));
                }
            }
        }
    }

    /// A member's life: serve hosts from the line; leave after `idle_for` without work.
    fn member(self: Arc<Crew>) {
        loop {
            let host = {
                let mut state = lock(&self.state);
                loop {
                    if let Some((host, _)) = state.line.pop_front() {
                        break host;
                    }
                    state.idle += 1;
                    let (next, waited) = self
                        .work
                        .wait_timeout(state, self.idle_for)
                        .unwrap_or_else(|poisoned| poisoned.into_inner());
                    state = next;
                    state.idle -= 1;
                    if waited.timed_out() && state.line.is_empty() {
                        state.members -= 1;
                        return;
                    }
                }
            };
            host.serve_next();
            lock(&self.state).last_finish = Some(Instant::now());
        }
    }

    #[cfg(test)]
    fn members(&self) -> (usize, usize) {
        let state = lock(&self.state);
        (state.members, state.peak)
    }
}

/// A cheap, cloneable handle to one host's shared session (see the module doc for what it
/// guarantees).
#[derive(Clone)]
pub struct HostLink {
    host: Arc<Host>,
}

impl HostLink {
    /// Makes the host's link; nothing connects until the first command.
    fn start(crew: Arc<Crew>, pool: Arc<SshPool>, target: Target) -> HostLink {
        let owner =
            Owner { pool, target, conn: None, backoff: Backoff::new(BACKOFF_BASE, BACKOFF_CAP), down: None };
        HostLink {
            host: Arc::new(Host {
                name: owner.target.endpoint.name.clone(),
                queue: Mutex::new(Queue::default()),
                owner: Mutex::new(owner),
                crew,
                host_key_unverified: AtomicBool::new(false),
                logins: AtomicU64::new(0),
            }),
        }
    }

    /// Runs `command` (quoted by the caller) on the host's session and returns what it printed,
    /// blocking this thread until then. `timeout` bounds the command once it runs; `class`
    /// decides when it runs.
    pub fn exec(&self, command: &str, timeout: Duration, class: Class) -> Result<ExecOutput, SshError> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.submit(command, timeout, class, move |result| {
            let _ = reply.send(result);
        });
        // The replier always answers (a stopped host's says so); a lost one is the same.
        answer.recv().unwrap_or_else(|_| Err(stopped_error(&self.host.name)))
    }

    /// As [`HostLink::exec`] without blocking: `answer` is called with the result, on a crew
    /// thread (or on this one, at once, when the session cannot take commands). It must be
    /// quick: that member serves nobody else meanwhile.
    pub fn submit(
        &self,
        command: &str,
        timeout: Duration,
        class: Class,
        answer: impl FnOnce(Result<ExecOutput, SshError>) + Send + 'static,
    ) {
        let request =
            Request { command: command.to_string(), timeout, reply: Replier::new(&self.host.name, answer) };
        let (refused, line_up) = {
            let mut queue = lock(&self.host.queue);
            if queue.stopped {
                (Some(request), false)
            } else {
                queue.waiting[class.rank()].push_back(request);
                let line_up = !queue.scheduled;
                queue.scheduled = true;
                (None, line_up)
            }
        };
        // Dropped outside the lock: its replier answers that the session stopped.
        drop(refused);
        if line_up {
            Arc::clone(&self.host.crew).line_up(Arc::clone(&self.host));
        }
    }

    /// The host's name (the `[[hosts]]` entry).
    pub fn name(&self) -> &str {
        &self.host.name
    }

    /// Whether the current session was let through by `host_key_check = "off"` with a key that
    /// is not verified (the UI warns).
    pub fn host_key_unverified(&self) -> bool {
        self.host.host_key_unverified.load(Ordering::Relaxed)
    }

    /// How many sessions the host has had so far (1 unless it had to reconnect).
    pub fn logins(&self) -> u64 {
        self.host.logins.load(Ordering::Relaxed)
    }
}

/// The host's session and the state that decides when to connect again.
struct Owner {
    pool: Arc<SshPool>,
    target: Target,
    conn: Option<SshConn>,
    backoff: Backoff,
    /// The last failed connect and when the next attempt is due.
    down: Option<(Instant, SshError)>,
}

impl Owner {
    fn serve(&mut self, host: &Host, request: &Request) -> Reply {
        let conn = self.connected(host)?;
        let result = conn.exec_with_timeout(&request.command, request.timeout);
        if let Err(err) = &result {
            // SshConn refuses every later command after these; the next one reconnects.
            if matches!(err.kind, ErrorKind::Timeout | ErrorKind::Disconnected) {
                self.conn = None;
            }
        }
        result
    }

    fn connected(&mut self, host: &Host) -> Result<&mut SshConn, SshError> {
        if self.conn.is_none() {
            if let Some((retry_at, err)) = &self.down {
                if Instant::now() < *retry_at {
                    return Err(err.clone());
                }
            }
            match self.pool.connect(&self.target) {
                Ok(conn) => {
                    host.host_key_unverified.store(conn.host_key_unverified(), Ordering::Relaxed);
                    host.logins.fetch_add(1, Ordering::Relaxed);
                    self.backoff.reset();
                    self.down = None;
                    self.conn = Some(conn);
                }
                Err(err) => {
                    self.down = Some((Instant::now() + self.backoff.next_delay(), err.clone()));
                    return Err(err);
                }
            }
        }
        self.conn.as_mut().ok_or_else(|| {
            SshError::say(ErrorKind::Disconnected, crate::ssh::SshMsg::NoSession, &[("name", &host.name)])
        })
    }
}

/// The registry of host links: get-or-create by target, shared (Arc) by every worker.
pub struct Sessions {
    pool: Arc<SshPool>,
    crew: Arc<Crew>,
    links: Mutex<HashMap<Target, HostLink>>,
}

impl Sessions {
    pub fn new(pool: Arc<SshPool>) -> Arc<Sessions> {
        Sessions::with_crew(pool, MAX_CREW)
    }

    /// As [`Sessions::new`] with at most `max_crew` threads serving the hosts (at least one).
    pub fn with_crew(pool: Arc<SshPool>, max_crew: usize) -> Arc<Sessions> {
        Arc::new(Sessions {
            pool,
            crew: Crew::new(max_crew.max(1), CREW_IDLE),
            links: Mutex::new(HashMap::new()),
        })
    }

    /// The link to `target`, made on first use; the same session for every caller.
    pub fn link(&self, target: &Target) -> HostLink {
        let mut links = lock(&self.links);
        if let Some(link) = links.get(target) {
            return link.clone();
        }
        let link = HostLink::start(Arc::clone(&self.crew), Arc::clone(&self.pool), target.clone());
        links.insert(target.clone(), link.clone());
        link
    }

    /// The pool the links connect through.
    pub fn pool(&self) -> &Arc<SshPool> {
        &self.pool
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_rank_health_first() {
        assert!(Class::Health.rank() < Class::Probe.rank());
        assert!(Class::Probe.rank() < Class::Logs.rank());
        assert_eq!(Class::Logs.rank(), CLASSES - 1);
    }

    fn pool() -> Arc<SshPool> {
        SshPool::new(crate::ssh::SshSettings {
            known_hosts: "/nonexistent/known_hosts".into(),
            global_known_hosts: Vec::new(),
            host_key_check: crate::config::HostKeyCheck::Strict,
            host_key_check_set: true,
            connect_timeout: Duration::from_secs(1),
            command_timeout: Duration::from_secs(1),
        })
    }

    fn target(name: &str, port: u16) -> Target {
        let endpoint = crate::ssh::Endpoint {
            name: name.into(),
            address: "127.0.0.1".into(),
            port,
            user: "ops".into(),
            identity_files: Vec::new(),
            options: Default::default(),
        };
        Target { endpoint, via: Vec::new() }
    }

    fn sessions(max: usize, idle: Duration) -> Arc<Sessions> {
        Arc::new(Sessions { pool: pool(), crew: Crew::new(max, idle), links: Mutex::new(HashMap::new()) })
    }

    fn request(command: &str) -> (Request, mpsc::Receiver<Reply>) {
        let (reply, answer) = mpsc::sync_channel(1);
        let reply = Replier::new("web1", move |r| {
            let _ = reply.send(r);
        });
        (Request { command: command.into(), timeout: Duration::from_secs(1), reply }, answer)
    }

    #[test]
    fn waiting_commands_are_taken_by_class_then_in_order() {
        let mut queue = Queue::default();
        let mut answers = Vec::new();
        for (command, class) in [
            ("log-1", Class::Logs),
            ("log-2", Class::Logs),
            ("probe", Class::Probe),
            ("health-1", Class::Health),
            ("health-2", Class::Health),
        ] {
            let (request, answer) = request(command);
            answers.push(answer);
            queue.waiting[class.rank()].push_back(request);
        }
        let order: Vec<String> = std::iter::from_fn(|| queue.pop()).map(|r| r.command).collect();
        assert_eq!(order, ["health-1", "health-2", "probe", "log-1", "log-2"]);
        assert!(!queue.has_waiting());
    }

    #[test]
    fn a_dropped_request_and_a_stopped_host_answer_at_once() {
        let (request, answer) = request("uptime");
        drop(request);
        let released = answer.recv().expect("the waiting caller is answered");
        assert_eq!(released.map_err(|e| e.kind).err(), Some(ErrorKind::Disconnected));
        let sessions = sessions(2, CREW_IDLE);
        let link = sessions.link(&target("web1", 1));
        lock(&link.host.queue).stopped = true;
        let started = Instant::now();
        let err = link.exec("uptime", Duration::from_secs(1), Class::Logs).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Disconnected, "{err}");
        assert!(started.elapsed() < Duration::from_millis(500));
        assert_eq!(sessions.crew.members().1, 0, "nothing was lined up");
    }

    #[test]
    fn a_host_that_refuses_fails_fast_then_waits_for_its_backoff() {
        let sessions = sessions(2, CREW_IDLE);
        let link = sessions.link(&target("web1", 1));
        let host = &link.host;
        let mut owner = lock(&host.owner);
        // Port 1 on loopback: nothing listens there.
        assert_eq!(owner.connected(host).err().map(|e| e.kind), Some(ErrorKind::Refused));
        let started = Instant::now();
        assert_eq!(owner.connected(host).err().map(|e| e.kind), Some(ErrorKind::Refused));
        assert!(started.elapsed() < Duration::from_millis(50), "answered from the backoff");
        assert_eq!(host.logins.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn many_hosts_are_served_by_a_crew_no_larger_than_its_limit() {
        let sessions = sessions(3, CREW_IDLE);
        let (tx, rx) = mpsc::channel();
        let links: Vec<HostLink> = (0..60).map(|i| sessions.link(&target(&format!("h{i:02}"), 1))).collect();
        assert!(Arc::ptr_eq(&sessions.link(&target("h07", 1)).host, &links[7].host), "one link per target");
        for (i, link) in links.iter().enumerate() {
            for class in [Class::Logs, Class::Health] {
                let tx = tx.clone();
                link.submit("uptime", Duration::from_secs(1), class, move |r| {
                    let _ = tx.send((i, r.map_err(|e| e.kind)));
                });
            }
        }
        drop(tx);
        let answers: Vec<_> = rx.iter().collect();
        assert_eq!(answers.len(), 120, "every command is answered once");
        assert!(answers.iter().all(|(_, r)| *r == Err(ErrorKind::Refused)), "{answers:?}");
        let (_, peak) = sessions.crew.members();
        assert!((1..=3).contains(&peak), "peak crew {peak}");
    }

    #[test]
    fn a_host_that_hangs_holds_one_member_and_delays_no_other_host() {
        // Accepts and never speaks: the connect waits for its 1 s timeout.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = silent.local_addr().expect("addr").port();
        let sessions = sessions(2, CREW_IDLE);
        let hanging = sessions.link(&target("hangs", port));
        let refusing = sessions.link(&target("refuses", 1));
        let (tx, rx) = mpsc::channel();
        let started = Instant::now();
        for link in [&hanging, &refusing] {
            let tx = tx.clone();
            let name = link.name().to_string();
            link.submit("uptime", Duration::from_secs(1), Class::Health, move |r| {
                let _ = tx.send((name, r.map_err(|e| e.kind), started.elapsed()));
            });
        }
        let (first, kind, after) = rx.recv().expect("an answer");
        assert_eq!((first.as_str(), kind), ("refuses", Err(ErrorKind::Refused)));
        assert!(after < Duration::from_millis(800), "the refusing host waited {after:?}");
        let (second, kind, after) = rx.recv().expect("an answer");
        assert_eq!(second, "hangs");
        assert_eq!(kind, Err(ErrorKind::Timeout));
        assert!(after >= Duration::from_millis(900), "{after:?}");
        drop(silent);
    }

    #[test]
    fn a_line_that_stands_still_gets_a_member_beyond_the_limit() {
        let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = silent.local_addr().expect("addr").port();
        let crew = Arc::new(Crew {
            state: Mutex::new(CrewState::default()),
            work: Condvar::new(),
            max: 1,
            hard_max: 4,
            stall: Duration::from_millis(100),
            idle_for: CREW_IDLE,
        });
        let sessions = Arc::new(Sessions { pool: pool(), crew, links: Mutex::new(HashMap::new()) });
        let (tx, rx) = mpsc::channel();
        let started = Instant::now();
        let submit = |name: &str, port: u16| {
            let tx = tx.clone();
            let name = name.to_string();
            sessions.link(&target(&name, port)).submit(
                "uptime",
                Duration::from_secs(1),
                Class::Probe,
                move |r| {
                    let _ = tx.send((name, r.map_err(|e| e.kind), started.elapsed()));
                },
            );
        };
        // The only member hangs on this host for its 1 s connect timeout.
        submit("hangs", port);
        thread::sleep(Duration::from_millis(50));
        submit("first", 1);
        thread::sleep(Duration::from_millis(250));
        // The line has stood still for 250 ms: this submission starts a second member.
        submit("second", 1);
        let mut answers = Vec::new();
        for _ in 0..3 {
            answers.push(rx.recv_timeout(Duration::from_secs(5)).expect("an answer"));
        }
        let names: Vec<&str> = answers.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(names, ["first", "second", "hangs"], "{answers:?}");
        assert!(answers[1].2 < Duration::from_millis(800), "{answers:?}");
        assert_eq!(sessions.crew.members().1, 2);
        drop(silent);
    }

    #[test]
    fn members_leave_when_idle_and_come_back_for_new_work() {
        let sessions = sessions(4, Duration::from_millis(50));
        let link = sessions.link(&target("web1", 1));
        assert!(link.exec("uptime", Duration::from_secs(1), Class::Health).is_err());
        let deadline = Instant::now() + Duration::from_secs(5);
        while sessions.crew.members().0 > 0 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(sessions.crew.members().0, 0, "the idle member left");
        let err = link.exec("uptime", Duration::from_secs(1), Class::Health).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Refused, "answered from the backoff by a new member");
    }

    #[test]
    fn links_are_send_and_sync() {
        fn both<T: Send + Sync>() {}
        both::<HostLink>();
        both::<Sessions>();
    }
}
