//! One SSH session per host, shared by everything that runs commands there: the health poller,
//! every remote log source of the host, and later the backup checks and network probes.
//!
//! # Shape
//!
//! [`Sessions`] (shared through an `Arc`) hands out one [`HostLink`] per [`Target`]: asking
//! twice for the same target gives two clones of the same link. Behind every link is one
//! *owner* thread, the only holder of that host's [`SshConn`] (made by [`SshPool::connect`], so
//! jump chains and the pool's shared bastion sessions apply). Callers send commands to it with
//! [`HostLink::exec`]; the owner runs them one at a time on its session and answers each caller.
//!
//! # Guarantees
//!
//! * **One login per host.** However many links are cloned and used at once, the owner
//!   connects once and keeps the session until it fails. Nothing connects before the first
//!   command (creating links is free).
//! * **Blocking the caller only.** `exec` blocks the calling thread until its answer comes;
//!   other hosts' owners, and other callers' threads, are never blocked by it.
//! * **Priority by [`Class`].** Waiting commands are taken in class order ([`Class::Health`]
//!   first, then [`Class::Probe`], then [`Class::Logs`]), first come first served within a class.
//!   A command waits for at most the one command already running, then for the commands of its
//!   own or a higher class queued before it. A health poll therefore waits for at most one
//!   remote log read however far behind the logs are; that read is bounded in size
//!   (`logs::remote::MAX_CHUNK` per exec) and in time (its own timeout), so callers of the
//!   lower classes must keep each command short: one bounded chunk per exec, and a timeout no
//!   longer than the poll interval they must not delay.
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
//!   own.
//! * **Lifetime.** The owner thread ends, closing the session, when the last clone of its link
//!   (the registry's included) is dropped and no command is waiting.

use std::collections::{HashMap, VecDeque};
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

type Reply = Result<ExecOutput, SshError>;

struct Request {
    command: String,
    timeout: Duration,
    reply: Replier,
}

/// Where a command's answer goes: to a caller blocked in [`HostLink::exec`], or to the callback
/// of [`HostLink::submit`]. One dropped unanswered (its owner stopped) answers that the
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
            answer(Err(SshError::say(
                ErrorKind::Disconnected,
                crate::ssh::SshMsg::SessionStopped,
                &[("name", &self.name)],
            )));
        }
    }
}

#[derive(Default)]
struct Queue {
    waiting: [VecDeque<Request>; CLASSES],
    /// Every link is gone: the owner ends once the queue is empty.
    closed: bool,
    /// The owner thread has ended (it can only have panicked while links remain): commands
    /// fail at once instead of waiting for an answer that cannot come.
    stopped: bool,
}

struct Shared {
    name: String,
    queue: Mutex<Queue>,
    ready: Condvar,
    host_key_unverified: AtomicBool,
    logins: AtomicU64,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A caller that panicked while queueing leaves a consistent queue behind.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Dropped with the last clone of a link: tells the owner to finish.
struct Alive(Arc<Shared>);

impl Drop for Alive {
    fn drop(&mut self) {
        lock(&self.0.queue).closed = true;
        self.0.ready.notify_all();
    }
}

/// A cheap, cloneable handle to one host's shared session (see the module doc for what it
/// guarantees).
#[derive(Clone)]
pub struct HostLink {
    shared: Arc<Shared>,
    _alive: Arc<Alive>,
    /// Set when the owner thread could not be started: every command fails with it.
    unavailable: Option<SshError>,
}

impl HostLink {
    /// Starts the owner thread of `target`'s session. Nothing connects until the first command.
    fn start(pool: Arc<SshPool>, target: Target) -> HostLink {
        let shared = Arc::new(Shared {
            name: target.endpoint.name.clone(),
            queue: Mutex::new(Queue::default()),
            ready: Condvar::new(),
            host_key_unverified: AtomicBool::new(false),
            logins: AtomicU64::new(0),
        });
        let owner = Owner {
            shared: Arc::clone(&shared),
            pool,
            target,
            conn: None,
            backoff: Backoff::new(BACKOFF_BASE, BACKOFF_CAP),
            down: None,
        };
        let spawned =
            thread::Builder::new().name(format!("yunwei-ssh-{}", shared.name)).spawn(move || owner.run());
        let unavailable = spawned.err().map(|err| {
            SshError::say(
                ErrorKind::Protocol,
                crate::ssh::SshMsg::SessionThread,
                &[("name", &shared.name), ("error", &crate::ssh::io_both(&err))],
            )
        });
        HostLink { _alive: Arc::new(Alive(Arc::clone(&shared))), shared, unavailable }
    }

    /// Runs `command` (quoted by the caller) on the host's session and returns what it printed,
    /// blocking this thread until then. `timeout` bounds the command once it runs; `class`
    /// decides when it runs.
    pub fn exec(&self, command: &str, timeout: Duration, class: Class) -> Result<ExecOutput, SshError> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.submit(command, timeout, class, move |result| {
            let _ = reply.send(result);
        });
        // The replier always answers (a stopped owner's says so); a lost one is the same.
        answer.recv().unwrap_or_else(|_| {
            Err(SshError::say(
                ErrorKind::Disconnected,
                crate::ssh::SshMsg::SessionStopped,
                &[("name", &self.shared.name)],
            ))
        })
    }

    /// As [`HostLink::exec`] without blocking: `answer` is called with the result, on the
    /// owner's thread (or on this one, at once, when the session cannot take commands). It
    /// must be quick: the owner runs nothing else meanwhile.
    pub fn submit(
        &self,
        command: &str,
        timeout: Duration,
        class: Class,
        answer: impl FnOnce(Result<ExecOutput, SshError>) + Send + 'static,
    ) {
        if let Some(err) = &self.unavailable {
            answer(Err(err.clone()));
            return;
        }
        let request =
            Request { command: command.to_string(), timeout, reply: Replier::new(&self.shared.name, answer) };
        let refused = {
            let mut queue = lock(&self.shared.queue);
            if queue.stopped {
                Some(request)
            } else {
                queue.waiting[class.rank()].push_back(request);
                None
            }
        };
        // Dropped outside the lock: its replier answers that the session stopped.
        drop(refused);
        self.shared.ready.notify_one();
    }

    /// The host's name (the `[[hosts]]` entry).
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// Whether the current session was let through by `host_key_check = "off"` with a key that
    /// is not verified (the UI warns).
    pub fn host_key_unverified(&self) -> bool {
        self.shared.host_key_unverified.load(Ordering::Relaxed)
    }

    /// How many sessions the owner has opened so far (1 unless it had to reconnect).
    pub fn logins(&self) -> u64 {
        self.shared.logins.load(Ordering::Relaxed)
    }
}

/// The owner thread's state: the only holder of the host's session.
struct Owner {
    shared: Arc<Shared>,
    pool: Arc<SshPool>,
    target: Target,
    conn: Option<SshConn>,
    backoff: Backoff,
    /// The last failed connect and when the next attempt is due.
    down: Option<(Instant, SshError)>,
}

/// Ends the queue with the owner thread, however it ends: waiting callers are answered (their
/// reply senders dropped) rather than left blocked.
struct Stopped(Arc<Shared>);

impl Drop for Stopped {
    fn drop(&mut self) {
        // The waiting repliers answer once the lock is released: an answer may queue anew.
        let waiting: Vec<Request> = {
            let mut queue = lock(&self.0.queue);
            queue.stopped = true;
            queue.waiting.iter_mut().flat_map(std::mem::take).collect()
        };
        drop(waiting);
    }
}

impl Owner {
    fn run(mut self) {
        let _stopped = Stopped(Arc::clone(&self.shared));
        while let Some(request) = self.next() {
            let result = self.serve(&request);
            // The caller may have gone (its thread ended): its callback then does nothing.
            request.reply.send(result);
        }
    }

    /// The next command by class, waiting for one; None once every link is gone.
    fn next(&self) -> Option<Request> {
        let mut queue = lock(&self.shared.queue);
        loop {
            if let Some(request) = queue.waiting.iter_mut().find_map(VecDeque::pop_front) {
                return Some(request);
            }
            if queue.closed {
                return None;
            }
            queue = self.shared.ready.wait(queue).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    fn serve(&mut self, request: &Request) -> Reply {
        let conn = self.connected()?;
        let result = conn.exec_with_timeout(&request.command, request.timeout);
        if let Err(err) = &result {
            // SshConn refuses every later command after these; the next one reconnects.
            if matches!(err.kind, ErrorKind::Timeout | ErrorKind::Disconnected) {
                self.conn = None;
            }
        }
        result
    }

    fn connected(&mut self) -> Result<&mut SshConn, SshError> {
        if self.conn.is_none() {
            if let Some((retry_at, err)) = &self.down {
                if Instant::now() < *retry_at {
                    return Err(err.clone());
                }
            }
            match self.pool.connect(&self.target) {
                Ok(conn) => {
                    self.shared.host_key_unverified.store(conn.host_key_unverified(), Ordering::Relaxed);
                    self.shared.logins.fetch_add(1, Ordering::Relaxed);
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
            SshError::say(
                ErrorKind::Disconnected,
                crate::ssh::SshMsg::NoSession,
                &[("name", &self.shared.name)],
            )
        })
    }
}

/// The registry of host links: get-or-create by target, shared (Arc) by every worker.
pub struct Sessions {
    pool: Arc<SshPool>,
    links: Mutex<HashMap<Target, HostLink>>,
}

impl Sessions {
    pub fn new(pool: Arc<SshPool>) -> Arc<Sessions> {
        Arc::new(Sessions { pool, links: Mutex::new(HashMap::new()) })
    }

    /// The link to `target`, started on first use; the same session for every caller.
    pub fn link(&self, target: &Target) -> HostLink {
        let mut links = lock(&self.links);
        if let Some(link) = links.get(target) {
            return link.clone();
        }
        let link = HostLink::start(Arc::clone(&self.pool), target.clone());
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

    fn idle_owner() -> Owner {
        let endpoint = crate::ssh::Endpoint {
            name: "web1".into(),
            address: "127.0.0.1".into(),
            port: 1,
            user: "ops".into(),
            identity_files: Vec::new(),
            options: Default::default(),
        };
        let pool = SshPool::new(crate::ssh::SshSettings {
            known_hosts: "/nonexistent/known_hosts".into(),
            global_known_hosts: Vec::new(),
            host_key_check: crate::config::HostKeyCheck::Strict,
            host_key_check_set: true,
            connect_timeout: Duration::from_secs(1),
            command_timeout: Duration::from_secs(1),
        });
        Owner {
            shared: Arc::new(Shared {
                name: "web1".into(),
                queue: Mutex::new(Queue::default()),
                ready: Condvar::new(),
                host_key_unverified: AtomicBool::new(false),
                logins: AtomicU64::new(0),
            }),
            pool,
            target: Target { endpoint, via: Vec::new() },
            conn: None,
            backoff: Backoff::new(BACKOFF_BASE, BACKOFF_CAP),
            down: None,
        }
    }

    #[test]
    fn waiting_commands_are_taken_by_class_then_in_order() {
        let owner = idle_owner();
        let mut answers = Vec::new();
        for (command, class) in [
            ("log-1", Class::Logs),
            ("log-2", Class::Logs),
            ("probe", Class::Probe),
            ("health-1", Class::Health),
            ("health-2", Class::Health),
        ] {
            let (reply, answer) = mpsc::sync_channel(1);
            answers.push(answer);
            let reply = Replier::new("web1", move |r| {
                let _ = reply.send(r);
            });
            let request = Request { command: command.into(), timeout: Duration::from_secs(1), reply };
            lock(&owner.shared.queue).waiting[class.rank()].push_back(request);
        }
        lock(&owner.shared.queue).closed = true;
        let order: Vec<String> = std::iter::from_fn(|| owner.next()).map(|r| r.command).collect();
        assert_eq!(order, ["health-1", "health-2", "probe", "log-1", "log-2"]);
    }

    #[test]
    fn a_stopped_owner_answers_waiting_and_later_commands_at_once() {
        let owner = idle_owner();
        let (reply, answer) = mpsc::sync_channel(1);
        let reply = Replier::new("web1", move |r| {
            let _ = reply.send(r);
        });
        let request = Request { command: "uptime".into(), timeout: Duration::from_secs(1), reply };
        lock(&owner.shared.queue).waiting[Class::Health.rank()].push_back(request);
        drop(Stopped(Arc::clone(&owner.shared)));
        let released = answer.recv().expect("the waiting caller is answered");
        assert_eq!(released.map_err(|e| e.kind).err(), Some(ErrorKind::Disconnected));
        let link = HostLink {
            shared: Arc::clone(&owner.shared),
            _alive: Arc::new(Alive(Arc::clone(&owner.shared))),
            unavailable: None,
        };
        let err = link.exec("uptime", Duration::from_secs(1), Class::Logs).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Disconnected, "{err}");
    }

    #[test]
    fn a_host_that_refuses_fails_fast_then_waits_for_its_backoff() {
        let mut owner = idle_owner();
        // Port 1 on loopback: nothing listens there.
        let err = owner.connected().err().map(|e| e.kind);
        assert_eq!(err, Some(ErrorKind::Refused));
        let started = Instant::now();
        assert_eq!(owner.connected().err().map(|e| e.kind), Some(ErrorKind::Refused));
        assert!(started.elapsed() < Duration::from_millis(50), "answered from the backoff");
        assert_eq!(owner.shared.logins.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn links_are_send_and_sync() {
        fn both<T: Send + Sync>() {}
        both::<HostLink>();
        both::<Sessions>();
    }
}
