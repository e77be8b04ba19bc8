//! The pool every session's thread shares: settings, the known_hosts lock, and the sessions to jump
//! hosts, reused by every target behind them and replaced when they die.
//!
//! One session per jump host carries every target behind it, until it is saturated: when every
//! session to a bastion already has [`SATURATED`] targets waiting for a channel (libssh2 opens
//! one at a time per session), another session is opened beside them, up to
//! [`MAX_SESSIONS_PER_BASTION`]. A few targets thus cost the bastion one login; a hundred polled
//! at once (the `benches/fleet.sh` fleet) have their channels opened over four sessions in
//! parallel instead of queueing behind each other on one.

use std::collections::HashMap;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex, MutexGuard};

use super::connect::secs;
use super::connect::{establish, establish_direct, Established};
use super::pump::{Bastion, OpenError, Reservation, QUEUE_FACTOR};
use super::{Endpoint, ErrorKind, SshConn, SshError, SshMsg, SshSettings, Target};
use crate::i18n::{both, Both};

/// Targets waiting for a channel on one session beyond which a new target gets a new session.
pub(crate) const SATURATED: usize = 16;
/// Sessions to one bastion at most (each one a login and an sshd process there).
pub(crate) const MAX_SESSIONS_PER_BASTION: usize = 4;

type Slot = Arc<Mutex<Vec<Arc<Bastion>>>>;

/// Shared by every thread that connects (Arc): keeps one session per bastion so many targets share it.
pub struct SshPool {
    settings: SshSettings,
    known_hosts_lock: Mutex<()>,
    /// Keyed by the whole chain up to and including the bastion: its live sessions. Each slot
    /// has its own lock so that threads wanting the same bastion wait for one connect instead of
    /// racing N of them, while other bastions are unaffected.
    bastions: Mutex<HashMap<Vec<Endpoint>, Slot>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A thread that panicked while connecting must not take every other host down with it.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl SshPool {
    pub fn new(settings: SshSettings) -> Arc<SshPool> {
        Arc::new(SshPool { settings, known_hosts_lock: Mutex::new(()), bastions: Mutex::new(HashMap::new()) })
    }

    /// The `[ssh]` settings (timeouts, known_hosts, policy) every session is made with.
    pub fn settings(&self) -> &SshSettings {
        &self.settings
    }

    /// Connects (through the jump chain), verifies the host key, authenticates.
    pub fn connect(self: &Arc<Self>, target: &Target) -> Result<SshConn, SshError> {
        let endpoint = &target.endpoint;
        let established = match target.via.split_last() {
            None => establish_direct(endpoint, &self.settings, &self.known_hosts_lock)?.0,
            Some((bastion, _)) => {
                if let Some(e) =
                    std::iter::once(endpoint).chain(&target.via).find(|e| e.options.unsupported.is_some())
                {
                    let reason = e.options.unsupported.clone().unwrap_or_default();
                    return Err(SshError::say(
                        ErrorKind::Unsupported,
                        SshMsg::Unsupported,
                        &[("name", &e.name), ("reason", &reason)],
                    ));
                }
                let stream = self.open_through(&target.via, endpoint).map_err(|err| match err {
                    ThroughError::Bastion(err) => err,
                    ThroughError::Open(open) => open_error(open, bastion, endpoint, &self.settings),
                })?;
                establish(stream, endpoint, &self.settings, &self.known_hosts_lock)?
            }
        };
        Ok(SshConn::new(established, &endpoint.name, self.settings.command_timeout))
    }

    /// A channel to `endpoint` through the bastion at the end of `chain`. A bastion session that
    /// turns out to be dead is replaced once; an open sent back unsent by a session that was
    /// retired meanwhile goes to another one.
    fn open_through(&self, chain: &[Endpoint], endpoint: &Endpoint) -> Result<UnixStream, ThroughError> {
        let mut retried = false;
        loop {
            let reservation = self.bastion(chain).map_err(ThroughError::Bastion)?;
            let bastion = Arc::clone(reservation.bastion());
            match reservation.open(&endpoint.address, endpoint.port, self.settings.connect_timeout) {
                Ok(stream) => return Ok(stream),
                Err(OpenError::Dead(_) | OpenError::Retired) if !retried => {
                    retried = true;
                    self.forget(chain, &bastion);
                }
                Err(err) => return Err(ThroughError::Open(err)),
            }
        }
    }

    fn forget(&self, chain: &[Endpoint], bastion: &Arc<Bastion>) {
        let slot = lock(&self.bastions).get(chain).cloned();
        if let Some(slot) = slot {
            lock(&slot).retain(|b| !Arc::ptr_eq(b, bastion));
        }
    }

    /// A live session to the last bastion of `chain`, with this target counted on it: the least
    /// busy one, or a new one (connected through the earlier hops) when there is none or every
    /// one is saturated and there is room for another.
    fn bastion(&self, chain: &[Endpoint]) -> Result<Reservation, SshError> {
        let Some((hop, before)) = chain.split_last() else {
            return Err(SshError::say(ErrorKind::Protocol, SshMsg::EmptyChain, &[]));
        };
        let slot = Arc::clone(lock(&self.bastions).entry(chain.to_vec()).or_default());
        let mut sessions = lock(&slot);
        // Drop the dead and retired ones: their pumps end once their last channels close.
        sessions.retain(|b| b.is_usable());
        let least = sessions.iter().min_by_key(|b| b.pending()).cloned();
        if let Some(bastion) = &least {
            if bastion.pending() < SATURATED || sessions.len() >= MAX_SESSIONS_PER_BASTION {
                return Ok(bastion.reserve());
            }
        }
        match self.connect_bastion(hop, before) {
            Ok(bastion) => {
                let reservation = bastion.reserve();
                sessions.push(bastion);
                Ok(reservation)
            }
            // Saturated but alive: queueing there beats failing.
            Err(err) => match least {
                Some(bastion) => Ok(bastion.reserve()),
                None => Err(err),
            },
        }
    }

    /// A new session to `hop`, through `before` (the hops ahead of it, outermost first).
    fn connect_bastion(&self, hop: &Endpoint, before: &[Endpoint]) -> Result<Arc<Bastion>, SshError> {
        let down = |reason: &Both| {
            SshError::say(
                ErrorKind::JumpHostDown,
                SshMsg::JumpDown,
                &[("name", &hop.name), ("reason", reason)],
            )
        };
        let (established, is_tcp): (Established, bool) = if before.is_empty() {
            establish_direct(hop, &self.settings, &self.known_hosts_lock).map_err(|err| down(&err.texts()))?
        } else {
            let stream = match self.open_through(before, hop) {
                Ok(stream) => stream,
                Err(ThroughError::Bastion(err)) => return Err(err),
                Err(ThroughError::Open(open)) => {
                    let via = before.last().map(|b| b.name.as_str()).unwrap_or_default();
                    let err = open_error(open, &before[before.len() - 1], hop, &self.settings);
                    return Err(down(&both(
                        &SshMsg::JumpCannotReach,
                        &[("via", &via), ("error", &err.texts())],
                    )));
                }
            };
            let established = establish(stream, hop, &self.settings, &self.known_hosts_lock)
                .map_err(|err| down(&err.texts()))?;
            (established, false)
        };
        Bastion::start(established, is_tcp, &hop.name)
            .map_err(|err| down(&both(&SshMsg::JumpThread, &[("error", &super::io_both(&err))])))
    }
}

enum ThroughError {
    /// Reaching the bastion itself failed (already a JumpHostDown error).
    Bastion(SshError),
    Open(OpenError),
}

fn open_error(err: OpenError, bastion: &Endpoint, endpoint: &Endpoint, settings: &SshSettings) -> SshError {
    let to = format!("{} ({}:{})", endpoint.name, endpoint.address, endpoint.port);
    match err {
        OpenError::Failed(reason) => SshError::say(
            ErrorKind::Refused,
            SshMsg::JumpOpenFailed,
            &[("name", &bastion.name), ("to", &to), ("reason", &reason)],
        ),
        OpenError::Timeout => SshError::say(
            ErrorKind::Timeout,
            SshMsg::JumpOpenTimeout,
            &[("name", &bastion.name), ("to", &to), ("secs", &secs(settings.connect_timeout))],
        ),
        OpenError::Busy => SshError::say(
            ErrorKind::Timeout,
            SshMsg::JumpBusy,
            &[("name", &bastion.name), ("to", &to), ("secs", &secs(settings.connect_timeout * QUEUE_FACTOR))],
        ),
        OpenError::Retired => SshError::say(
            ErrorKind::JumpHostDown,
            SshMsg::JumpRetired,
            &[("name", &bastion.name), ("to", &to)],
        ),
        OpenError::Dead(reason) => SshError::say(
            ErrorKind::JumpHostDown,
            SshMsg::JumpDown,
            &[("name", &bastion.name), ("reason", &reason)],
        ),
    }
}
