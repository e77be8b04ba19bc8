//! The pool every poller thread shares: settings, the known_hosts lock, and one session per jump
//! host chain, reused by every target behind it and replaced when it dies.

use std::collections::HashMap;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex, MutexGuard};

use super::connect::{establish, tcp_connect, Established};
use super::pump::{Bastion, OpenError};
use super::{Endpoint, ErrorKind, SshConn, SshError, SshSettings, Target};

type Slot = Arc<Mutex<Option<Arc<Bastion>>>>;

/// Shared by every poller thread (Arc): keeps one session per bastion so many targets share it.
pub struct SshPool {
    settings: SshSettings,
    known_hosts_lock: Mutex<()>,
    /// Keyed by the whole chain up to and including the bastion. Each slot has its own lock so
    /// that threads wanting the same bastion wait for one connect instead of racing N of them,
    /// while other bastions are unaffected.
    bastions: Mutex<HashMap<Vec<Endpoint>, Slot>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking poller thread must not take every other host down with it.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl SshPool {
    pub fn new(settings: SshSettings) -> Arc<SshPool> {
        Arc::new(SshPool { settings, known_hosts_lock: Mutex::new(()), bastions: Mutex::new(HashMap::new()) })
    }

    /// Connects (through the jump chain), verifies the host key, authenticates.
    pub fn connect(self: &Arc<Self>, target: &Target) -> Result<SshConn, SshError> {
        let endpoint = &target.endpoint;
        let established = match target.via.split_last() {
            None => {
                let stream = tcp_connect(endpoint, self.settings.connect_timeout)?;
                establish(stream, endpoint, &self.settings, &self.known_hosts_lock)?
            }
            Some((bastion, _)) => {
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
    /// turns out to be dead is replaced once.
    fn open_through(&self, chain: &[Endpoint], endpoint: &Endpoint) -> Result<UnixStream, ThroughError> {
        let mut retried = false;
        loop {
            let bastion = self.bastion(chain).map_err(ThroughError::Bastion)?;
            match bastion.open(&endpoint.address, endpoint.port, self.settings.connect_timeout) {
                Ok(stream) => return Ok(stream),
                Err(OpenError::Dead(_)) if !retried => {
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
            let mut current = lock(&slot);
            if current.as_ref().is_some_and(|c| Arc::ptr_eq(c, bastion)) {
                *current = None;
            }
        }
    }

    /// The live session to the last bastion of `chain`, connecting it (through the earlier ones)
    /// when there is none or it died.
    fn bastion(&self, chain: &[Endpoint]) -> Result<Arc<Bastion>, SshError> {
        let Some((hop, before)) = chain.split_last() else {
            return Err(SshError::new(ErrorKind::Protocol, "internal: an empty jump chain"));
        };
        let slot = Arc::clone(lock(&self.bastions).entry(chain.to_vec()).or_default());
        let mut current = lock(&slot);
        if let Some(bastion) = current.as_ref().filter(|b| b.is_usable()) {
            return Ok(Arc::clone(bastion));
        }
        // Drop the dead or retired one: its pump ends once its last channel closes.
        *current = None;
        let down = |reason: &str| {
            SshError::new(ErrorKind::JumpHostDown, format!("jump host {} is down: {reason}", hop.name))
        };
        let (established, is_tcp): (Established, bool) = if before.is_empty() {
            let stream = tcp_connect(hop, self.settings.connect_timeout).map_err(|err| down(&err.message))?;
            let established = establish(stream, hop, &self.settings, &self.known_hosts_lock)
                .map_err(|err| down(&err.message))?;
            (established, true)
        } else {
            let stream = match self.open_through(before, hop) {
                Ok(stream) => stream,
                Err(ThroughError::Bastion(err)) => return Err(err),
                Err(ThroughError::Open(open)) => {
                    let via = before.last().map(|b| b.name.as_str()).unwrap_or_default();
                    let err = open_error(open, &before[before.len() - 1], hop, &self.settings);
                    return Err(down(&format!("cannot reach it through {via}: {}", err.message)));
                }
            };
            let established = establish(stream, hop, &self.settings, &self.known_hosts_lock)
                .map_err(|err| down(&err.message))?;
            (established, false)
        };
        let bastion = Bastion::start(established, is_tcp, &hop.name)
            .map_err(|err| down(&format!("cannot start its connection thread: {err}")))?;
        *current = Some(Arc::clone(&bastion));
        Ok(bastion)
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
        OpenError::Failed(reason) => SshError::new(
            ErrorKind::Refused,
            format!("jump host {} could not connect to {to}: {reason}", bastion.name),
        ),
        OpenError::Timeout => SshError::new(
            ErrorKind::Timeout,
            format!(
                "jump host {} did not connect to {to} within {} s",
                bastion.name,
                settings.connect_timeout.as_secs_f64()
            ),
        ),
        OpenError::Dead(reason) => {
            SshError::new(ErrorKind::JumpHostDown, format!("jump host {} is down: {reason}", bastion.name))
        }
    }
}
