//! The workers: blocking work (SQLite, /proc reads, libssh2) on threads of their own, one file
//! per domain, each owning its command enum and its messages. [`Workers::dispatch`] routes what
//! the panes ask for; the workers report through the event channel (see [`report::Report`]).
//!
//! Adding a domain: a file here with its `…Cmd`, `…Msg` and `start`, one variant in
//! [`crate::event::Command`] and in [`crate::event::WorkerMsg`], and one arm in `dispatch`.

pub mod backups;
pub mod divcodes;
pub mod health;
#[cfg(test)]
mod lease_tests;
pub mod local;
pub mod logs;
pub mod netcheck;
pub mod netprobe;
pub mod notify;
pub mod report;
pub mod spawn;
pub mod store;
pub mod tickets;

use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use crate::event::{Command, Event, WorkerMsg};
use crate::fleet::Sessions;
use crate::logs::sources::SourceSpec;
use crate::ssh::Target;
use report::Report;

pub use backups::BackupsSetup;
pub use divcodes::DivcodesSetup;
pub use health::ProbeSet;
pub use netcheck::NetSetup;
pub use store::StoreSetup;
pub use tickets::TicketsSetup;

/// Finds the SSH target of a host by name.
pub type TargetOf = Box<dyn Fn(&str) -> Option<Target>>;

/// Everything the console starts besides the screen.
pub struct Setup {
    pub probes: ProbeSet,
    pub poll: Duration,
    pub store: StoreSetup,
    pub tickets: TicketsSetup,
    pub divcodes: DivcodesSetup,
    pub backups: BackupsSetup,
    pub net: NetSetup,
    pub log_specs: Vec<SourceSpec>,
    /// The SSH targets of the hosts log sources name.
    pub log_target: TargetOf,
    /// One session per host, shared by every worker that reaches it over SSH (health, logs);
    /// None when no host needs SSH.
    pub sessions: Option<Arc<Sessions>>,
    /// `[notify]`, when a command is set and this process may write.
    pub notify: Option<notify::NotifySetup>,
}

/// The running workers, one handle per domain.
pub struct Workers {
    store: store::StoreWorker,
    health: health::HealthWorkers,
    logs: logs::LogWorkers,
    tickets: tickets::TicketsWorker,
    divcodes: divcodes::DivcodesWorker,
    backups: backups::BackupsWorker,
    net: netcheck::NetWorker,
    /// Closing it stops the notification thread (which gives its lease up).
    notify: Option<mpsc::Sender<()>>,
    handles: Vec<JoinHandle<()>>,
}

impl Workers {
    /// Starts the store thread, the health pollers and the log workers.
    pub fn start(setup: Setup, ui: UnboundedSender<Event>) -> Workers {
        let mut handles = Vec::new();
        let (store_tx, store_rx) = mpsc::channel();
        let store_report = Report::new(ui.clone(), WorkerMsg::Store);
        let store_setup = setup.store;
        handles.push(spawn::spawn_guarded("yunwei-store", ui.clone(), move || {
            store::run(store_setup, store_rx, store_report)
        }));
        let store = store::StoreWorker::new(store_tx);
        let (tickets_tx, tickets_rx) = mpsc::channel();
        let tickets_report = Report::new(ui.clone(), WorkerMsg::Tickets);
        let tickets_setup = setup.tickets;
        let store_inbox = store.sender();
        handles.push(spawn::spawn_guarded("yunwei-tickets", ui.clone(), move || {
            tickets::run(tickets_setup, tickets_rx, tickets_report, store_inbox)
        }));
        let tickets = tickets::TicketsWorker::new(tickets_tx);
        let (divcodes_tx, divcodes_rx) = mpsc::channel();
        let divcodes_report = Report::new(ui.clone(), WorkerMsg::Divcodes);
        let divcodes_setup = setup.divcodes;
        handles.push(spawn::spawn_guarded("yunwei-divcodes", ui.clone(), move || {
            divcodes::run(divcodes_setup, divcodes_rx, divcodes_report)
        }));
        let divcodes = divcodes::DivcodesWorker::new(divcodes_tx);
        let (backups_tx, backups_rx) = mpsc::channel();
        let backups_report = Report::new(ui.clone(), WorkerMsg::Backups);
        let backups_setup = setup.backups;
        handles.push(spawn::spawn_guarded("yunwei-backups", ui.clone(), move || {
            backups::run(backups_setup, backups_rx, backups_report)
        }));
        let backups = backups::BackupsWorker::new(backups_tx);
        let (net_tx, net_rx) = mpsc::channel();
        let net_report = Report::new(ui.clone(), WorkerMsg::Net);
        let net_setup = setup.net;
        handles.push(spawn::spawn_guarded("yunwei-net", ui.clone(), move || {
            netcheck::run(net_setup, net_rx, net_report)
        }));
        let net = netcheck::NetWorker::new(net_tx);
        let health = health::start(
            setup.probes,
            setup.poll,
            setup.sessions.clone(),
            store.sender(),
            Report::new(ui.clone(), WorkerMsg::Health),
            &mut handles,
        );
        let logs = logs::start(
            setup.log_specs,
            setup.log_target,
            setup.sessions,
            Report::new(ui.clone(), WorkerMsg::Logs),
            &mut handles,
        );
        let notify = setup.notify.map(|n| {
            let (tx, rx) = mpsc::channel();
            handles.push(spawn::spawn_guarded("yunwei-notify", ui.clone(), move || notify::run(n, rx)));
            tx
        });
        Workers { store, health, logs, tickets, divcodes, backups, net, notify, handles }
    }

    /// Hands a command to the worker of its domain.
    pub fn dispatch(&self, cmd: Command) {
        match cmd {
            Command::Health(c) => self.health.dispatch(c),
            Command::Store(c) => self.store.dispatch(c),
            Command::Logs(c) => self.logs.dispatch(c),
            Command::Tickets(c) => self.tickets.dispatch(c),
            Command::Divcodes(c) => self.divcodes.dispatch(c),
            Command::Backups(c) => self.backups.dispatch(c),
            Command::Net(c) => self.net.dispatch(c),
        }
    }

    /// Closes the channels; the threads end at their next wake-up. Not joined: a probe stuck in
    /// a hung filesystem must not hold up quitting.
    pub fn stop(self) {
        drop(self.store);
        drop(self.health);
        drop(self.logs);
        drop(self.tickets);
        drop(self.divcodes);
        drop(self.backups);
        drop(self.net);
        drop(self.notify);
        drop(self.handles);
    }
}
