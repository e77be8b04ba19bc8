//! Polling hosts over SSH: one thread per host owns its session, runs the probe script once a
//! round (and the security posture every 30 minutes), reconnects with capped exponential
//! backoff, and never waits on another host.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;

use crate::event::{Event, WorkerMsg};
use crate::health::remote::{parse_probe, probe_command, RemoteState};
use crate::health::security::{parse_security, security_command, SECURITY_TIMEOUT};
use crate::health::{HostError, HostSample};
use crate::hosts::{Access, EndpointSpec, FleetHost};
use crate::ssh::{Backoff, Endpoint, SshConn, SshError, SshPool, Target};
use crate::workers::{DbCmd, ProbeCmd};

use crate::health::security::SECURITY_INTERVAL as SECURITY_EVERY;

fn endpoint(e: &EndpointSpec) -> Endpoint {
    Endpoint {
        name: e.name.clone(),
        address: e.address.clone(),
        port: e.port,
        user: e.user.clone(),
        identity_files: e.identity_files.clone(),
    }
}

/// The pool every SSH poller shares, with the `[ssh]` settings of the config.
pub fn pool_for(cfg: &crate::config::Config) -> Arc<SshPool> {
    SshPool::new(crate::ssh::SshSettings {
        known_hosts: crate::config::expand_tilde(&cfg.ssh.known_hosts),
        host_key_check: cfg.ssh.host_key_check,
        connect_timeout: Duration::from_secs(cfg.ssh.connect_timeout_s),
        command_timeout: Duration::from_secs(cfg.ssh.command_timeout_s),
    })
}

/// Polls hosts once, all at once, each on its own thread: the whole costs what the slowest
/// host costs (bounded by the timeouts), never the sum. Two readings half a second apart, so
/// CPU % is known; `security` adds the posture.
pub fn poll_once(hosts: Vec<FleetHost>, pool: &Arc<SshPool>, security: bool) -> Vec<HostSample> {
    let handles: Vec<_> = hosts
        .into_iter()
        .filter_map(|h| {
            let target = target_of(&h)?;
            let pool = pool.clone();
            Some(std::thread::spawn(move || {
                let mut host = RemoteHost::new(h.name.clone(), target, pool);
                let first = host.poll(false);
                if !first.reachable {
                    return first;
                }
                std::thread::sleep(Duration::from_millis(500));
                host.poll(security)
            }))
        })
        .collect();
    handles.into_iter().filter_map(|h| h.join().ok()).collect()
}

/// The SSH target of a fleet host, or None for a local one.
pub fn target_of(h: &FleetHost) -> Option<Target> {
    match &h.access {
        Access::Local => None,
        Access::Ssh { endpoint: e, via } => {
            Some(Target { endpoint: endpoint(e), via: via.iter().map(endpoint).collect() })
        }
    }
}

/// The sample that says a host is down and why.
pub fn down_sample(name: &str, e: &SshError) -> HostSample {
    HostSample {
        name: name.to_string(),
        reachable: false,
        error: Some(HostError { kind: e.kind.as_str().to_string(), message: e.message.clone() }),
        sampled_at: chrono::Utc::now().timestamp(),
        ..Default::default()
    }
}

/// One host's connection and the state its figures are computed from.
pub struct RemoteHost {
    pub name: String,
    target: Target,
    pool: Arc<SshPool>,
    conn: Option<SshConn>,
    state: RemoteState,
    security: Option<crate::health::security::Security>,
    next_security: Instant,
}

impl RemoteHost {
    pub fn new(name: String, target: Target, pool: Arc<SshPool>) -> RemoteHost {
        RemoteHost {
            name,
            target,
            pool,
            conn: None,
            state: RemoteState::default(),
            security: None,
            next_security: Instant::now(),
        }
    }

    fn connected(&mut self) -> Result<&mut SshConn, SshError> {
        if self.conn.is_none() {
            self.conn = Some(self.pool.connect(&self.target)?);
        }
        match self.conn.as_mut() {
            Some(c) => Ok(c),
            None => Err(SshError { kind: crate::ssh::ErrorKind::Disconnected, message: "no session".into() }),
        }
    }

    /// One round: connect when needed, run the probe, parse. A failure drops the session so
    /// the next round reconnects.
    pub fn poll(&mut self, with_security: bool) -> HostSample {
        match self.try_poll(with_security) {
            Ok(s) => s,
            Err(e) => {
                self.conn = None;
                down_sample(&self.name, &e)
            }
        }
    }

    fn try_poll(&mut self, with_security: bool) -> Result<HostSample, SshError> {
        let name = self.name.clone();
        let conn = self.connected()?;
        let out = conn.exec(&probe_command())?;
        let text = String::from_utf8_lossy(&out.stdout);
        let now = Instant::now();
        let mut sample = parse_probe(&name, &text, &mut self.state, now, chrono::Utc::now().timestamp());
        if with_security && now >= self.next_security {
            // The posture is best effort: a failure keeps the last one and is retried later.
            if let Some(conn) = self.conn.as_mut() {
                if let Ok(out) = conn.exec_with_timeout(&security_command(), SECURITY_TIMEOUT) {
                    let text = String::from_utf8_lossy(&out.stdout);
                    self.security = Some(parse_security(&text, chrono::Utc::now().timestamp()));
                }
            }
            self.next_security = now + SECURITY_EVERY;
        }
        sample.security = self.security.clone();
        Ok(sample)
    }
}

/// The poller thread of one host.
pub fn remote_loop(
    mut host: RemoteHost,
    poll: Duration,
    rx: Receiver<ProbeCmd>,
    ui: UnboundedSender<Event>,
    db: Sender<DbCmd>,
) {
    let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(60).max(poll));
    loop {
        let started = Instant::now();
        let sample = host.poll(true);
        let wait = if sample.reachable {
            backoff.reset();
            poll
        } else {
            backoff.next_delay()
        };
        if ui.send(Event::Worker(WorkerMsg::Sample(Box::new(sample.clone())))).is_err() {
            return;
        }
        if db.send(DbCmd::Record(vec![sample])).is_err() {
            return;
        }
        match rx.recv_timeout((started + wait).saturating_duration_since(Instant::now())) {
            Ok(ProbeCmd::PollNow) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}
