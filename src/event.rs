//! What the event loop receives: terminal input, worker messages and clock ticks, all through
//! one channel; and the commands the app sends back to its workers. Each worker domain owns its
//! messages and commands (in `workers/`); here they get one variant each.

use std::fmt::Display;

use crate::i18n::{Both, Lang, Msg};
use crate::workers::backups::{BackupsCmd, BackupsMsg};
use crate::workers::divcodes::{DivcodesCmd, DivcodesMsg};
use crate::workers::health::{HealthCmd, HealthMsg};
use crate::workers::logs::{LogsCmd, LogsMsg};
use crate::workers::netcheck::{NetCmd, NetMsg};
use crate::workers::store::{StoreCmd, StoreMsg};
use crate::workers::tickets::{TicketsCmd, TicketsMsg};

#[derive(Debug)]
pub enum Event {
    Terminal(crossterm::event::Event),
    Worker(WorkerMsg),
    /// The wall-clock minute changed (the status-bar clock), or a timer the app asked for.
    Tick,
    /// SIGTERM, SIGHUP or SIGINT from outside: leave cleanly.
    Terminate,
}

/// A message from a worker: one variant per domain, plus notices for the status bar.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerMsg {
    Health(HealthMsg),
    Store(StoreMsg),
    Logs(LogsMsg),
    Tickets(TicketsMsg),
    Divcodes(DivcodesMsg),
    Backups(BackupsMsg),
    Net(NetMsg),
    /// A worker failed at something the user should know about, or finished something the
    /// user asked for (shown in the status bar).
    Notice(Notice),
}

/// A command from the app to a worker: one variant per domain.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Health(HealthCmd),
    Store(StoreCmd),
    Logs(LogsCmd),
    Tickets(TicketsCmd),
    Divcodes(DivcodesCmd),
    Backups(BackupsCmd),
    Net(NetCmd),
}

impl From<HealthCmd> for Command {
    fn from(c: HealthCmd) -> Command {
        Command::Health(c)
    }
}

impl From<StoreCmd> for Command {
    fn from(c: StoreCmd) -> Command {
        Command::Store(c)
    }
}

impl From<TicketsCmd> for Command {
    fn from(c: TicketsCmd) -> Command {
        Command::Tickets(c)
    }
}

impl From<DivcodesCmd> for Command {
    fn from(c: DivcodesCmd) -> Command {
        Command::Divcodes(c)
    }
}

impl From<BackupsCmd> for Command {
    fn from(c: BackupsCmd) -> Command {
        Command::Backups(c)
    }
}

impl From<NetCmd> for Command {
    fn from(c: NetCmd) -> Command {
        Command::Net(c)
    }
}

impl From<LogsCmd> for Command {
    fn from(c: LogsCmd) -> Command {
        Command::Logs(c)
    }
}

/// Something for the status bar: what happened, in the user's language (from the catalogue),
/// and its detail (a path, a host, an error from outside), shown as it is, or in the reader's
/// language where the worker said it in both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// A failure (red) rather than something finished.
    pub error: bool,
    pub what: Msg,
    pub detail: Both,
}

impl Notice {
    pub fn problem(what: Msg, detail: impl Display) -> Notice {
        Notice { error: true, what, detail: Both::same(detail.to_string()) }
    }

    /// A failure whose detail is worded in both languages.
    pub fn problem_in(what: Msg, detail: Both) -> Notice {
        Notice { error: true, what, detail }
    }

    pub fn done(what: Msg, detail: impl Display) -> Notice {
        Notice { error: false, what, detail: Both::same(detail.to_string()) }
    }

    /// `what: detail`, or `what` alone when there is no detail.
    pub fn text(&self, lang: Lang) -> String {
        let what = self.what.text(lang);
        let detail = self.detail.get(lang);
        if detail.is_empty() {
            what.to_string()
        } else {
            format!("{what}: {detail}")
        }
    }
}
