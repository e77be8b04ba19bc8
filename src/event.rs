//! What the event loop receives: terminal input, worker messages and clock ticks, all through
//! one channel; and the commands the app sends back to its workers.

use crate::health::HostSample;
use crate::store::health::HistPoint;

#[derive(Debug)]
pub enum Event {
    Terminal(crossterm::event::Event),
    Worker(WorkerMsg),
    /// The wall-clock minute changed (the status-bar clock), or a timer the app asked for.
    Tick,
    /// SIGTERM, SIGHUP or SIGINT from outside: leave cleanly.
    Terminate,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WorkerMsg {
    Sample(Box<HostSample>),
    History {
        host: String,
        range: HistRange,
        points: Vec<HistPoint>,
    },
    /// A worker failed at something the user should know about (shown in the status bar).
    Problem(String),
    /// A worker finished something the user asked for (shown in the status bar).
    Done(String),
    /// Every open alert (of every yunwei process on this database), after a change.
    Alerts(Vec<crate::alerts::Alert>),
    /// New records of one log source (index into the sources the pane was given), one batch
    /// per poll of the log worker.
    LogRecords {
        source: usize,
        records: Vec<crate::logs::record::Record>,
    },
    /// What a log source's header line says now.
    LogStatus {
        source: usize,
        status: crate::logs::sources::SourceStatus,
    },
}

/// Commands from the app to its workers.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    PollNow,
    LoadHistory {
        host: String,
        range: HistRange,
    },
    /// Acknowledge every open alert of a host, in the operator's name.
    AckHostAlerts {
        host: String,
    },
    /// Record in the audit log that the operator revealed the unmasked logs of these sources.
    AuditLogReveal {
        sources: Vec<String>,
    },
    /// Write text (the visible log records) to a file; the outcome comes back as a message.
    WriteFile {
        path: std::path::PathBuf,
        text: String,
    },
    /// Follow one more local file, opened from the Logs pane (the source's index in the pane).
    OpenLogFile {
        index: usize,
        spec: crate::logs::sources::SourceSpec,
    },
}

/// The time span of the detail view's sparklines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HistRange {
    #[default]
    Hour,
    Day,
    Week,
    Month,
}

impl HistRange {
    pub fn next(self) -> HistRange {
        match self {
            HistRange::Hour => HistRange::Day,
            HistRange::Day => HistRange::Week,
            HistRange::Week => HistRange::Month,
            HistRange::Month => HistRange::Hour,
        }
    }

    pub fn seconds(self) -> i64 {
        match self {
            HistRange::Hour => 3600,
            HistRange::Day => 86400,
            HistRange::Week => 7 * 86400,
            HistRange::Month => 30 * 86400,
        }
    }

    /// Longer spans read the 5-minute aggregates rather than raw samples.
    pub fn bucketed(self) -> bool {
        self != HistRange::Hour
    }

    pub fn label(self) -> &'static str {
        match self {
            HistRange::Hour => "1h",
            HistRange::Day => "24h",
            HistRange::Week => "7d",
            HistRange::Month => "30d",
        }
    }
}
