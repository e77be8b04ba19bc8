//! Backups and data-exchange jobs: what a job expects (its [`Spec`]: where its artefacts land,
//! how often, how large), what one check saw on the job's host ([`Seen`]), and the state the
//! two decide ([`classify`]), with the rule that decided it ([`Reason`]).
//!
//! * `due`: when the next artefact is expected, from a period or a cron schedule in the host's
//!   time zone.
//! * `probe`: the shell scripts run on a host (one per host per check round, whatever the
//!   number of jobs; a verification; an on-demand run) and the reading of what they print.
//!
//! No SQL, no terminal and no config types here.

pub mod due;
pub mod probe;

use std::time::Duration;

pub use due::{Due, Zone};

/// What a job's artefacts are.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::VariantArray, strum::IntoStaticStr,
)]
#[strum(serialize_all = "lowercase")]
pub enum Kind {
    /// A backup made on the host (a dump, an archive).
    Backup,
    /// A file this host sends to another agency, one per run.
    Push,
    /// A file another system delivers to this host.
    Receive,
    /// A report due by a date (the schedule is its deadline).
    Report,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Option<Kind> {
        <Kind as strum::VariantArray>::VARIANTS.iter().copied().find(|k| k.as_str() == s)
    }
}

/// One `[[jobs]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub name: String,
    /// The `[[hosts]]` entry it runs on; None: this machine.
    pub host: Option<String>,
    /// A glob; the newest regular file it matches is the job's artefact.
    pub path: String,
    pub kind: Kind,
    pub due: Due,
    /// How long after an expected run the job is late rather than missing.
    pub grace: Duration,
    /// The smallest artefact that is not shrunk, in bytes.
    pub min_size: Option<u64>,
    /// The newest artefact is shrunk when it is smaller than the previous one by more than this
    /// many percent.
    pub shrink_pct: Option<u8>,
    /// Run with `sh -c` on the host with the artefact's path appended, quoted.
    pub verify: Option<String>,
    /// Starts the job on demand, with `sh -c` on the host.
    pub run: Option<String>,
}

/// A job's state. When several apply, the first in this order is shown.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::VariantArray, strum::IntoStaticStr,
)]
#[strum(serialize_all = "lowercase")]
pub enum State {
    /// The host could not be reached or the folder could not be read: nothing is known.
    Unknown,
    /// The verification of the newest artefact exited non-zero.
    Failed,
    /// Past the grace after an expected run, or no artefact at all.
    Missing,
    /// Smaller than `min_size`, or than the previous artefact by more than `shrink_pct`.
    Shrunk,
    /// The expected run passed, within the grace.
    Late,
    /// An on-demand run is in progress.
    Running,
    /// The newest artefact is younger than the last expected run.
    Ok,
}

impl State {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Option<State> {
        <State as strum::VariantArray>::VARIANTS.iter().copied().find(|k| k.as_str() == s)
    }
}

/// One file a job's glob matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artefact {
    pub path: String,
    pub size: u64,
    /// Modification time, seconds since the epoch.
    pub mtime: i64,
}

/// What one check saw of a job on its host.
#[derive(Debug, Clone, PartialEq)]
pub enum Seen {
    /// The host answered and the folder could be read.
    Files {
        /// The host's clock, seconds since the epoch.
        now: i64,
        /// The host's time zone (or the job's `tz`).
        zone: Zone,
        /// Every regular file the glob matched, newest first.
        matches: Vec<Artefact>,
        /// The folder the glob's fixed part names does not exist.
        no_folder: bool,
        /// An on-demand run is in progress, started at this time.
        running_since: Option<i64>,
    },
    /// The host was not reached, or the check did not run there.
    Unreachable(String),
    /// The folder the glob's fixed part names exists but cannot be read.
    Unreadable { folder: String },
}

/// The last verification of an artefact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub path: String,
    pub mtime: i64,
    pub size: u64,
    pub at: i64,
    /// The command's exit status.
    pub status: i32,
    /// What it printed (both streams, bounded).
    pub output: String,
    /// SHA-256 of the artefact, taken after a verification that passed.
    pub checksum: Option<String>,
}

impl Verification {
    /// Whether this verification was of `a` (the same file, unchanged since).
    pub fn is_of(&self, a: &Artefact) -> bool {
        self.path == a.path && self.mtime == a.mtime && self.size == a.size
    }
}

/// The rule that decided a state, with what it compared (rendered in both languages by
/// `crate::backup_words`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    Unreachable(String),
    Unreadable {
        folder: String,
    },
    VerifyFailed {
        status: i32,
        first_line: String,
    },
    NoFolder {
        folder: String,
    },
    NoMatch {
        pattern: String,
    },
    /// Nothing newer than an expected run, past its grace; `runs` expected runs are missed.
    PastGrace {
        expected_at: i64,
        grace_s: u64,
        runs: u32,
    },
    TooSmall {
        size: u64,
        min_size: u64,
    },
    ShrankBy {
        size: u64,
        previous: u64,
        pct: u8,
        limit: u8,
    },
    WithinGrace {
        expected_at: i64,
        grace_s: u64,
    },
    RunningSince(i64),
    /// Newer than the last expected run (or younger than the period).
    Fresh {
        mtime: i64,
        expected_at: Option<i64>,
    },
}

/// What a check decided for one job.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub state: State,
    /// The deciding rule first, then the others that apply, in the order of their states.
    pub reasons: Vec<(State, Reason)>,
    pub newest: Option<Artefact>,
    pub previous_size: Option<u64>,
    pub age_s: Option<i64>,
    /// When the next artefact is due: past for a late or missing job.
    pub expected_at: Option<i64>,
    /// The job's period, for the age bar: the spacing of its expected runs.
    pub period_s: Option<i64>,
}

impl Verdict {
    pub fn reason(&self) -> &Reason {
        // `classify` always gives at least one reason.
        static FALLBACK: Reason = Reason::RunningSince(0);
        self.reasons.first().map(|(_, r)| r).unwrap_or(&FALLBACK)
    }
}

/// The first line of a text, bounded, for a reason's summary.
fn first_line(text: &str) -> String {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    line.chars().take(120).collect()
}

/// Decides a job's state from what the check saw and the last verification on record.
pub fn classify(spec: &Spec, seen: &Seen, verification: Option<&Verification>) -> Verdict {
    let mut v = Verdict {
        state: State::Unknown,
        reasons: Vec::new(),
        newest: None,
        previous_size: None,
        age_s: None,
        expected_at: None,
        period_s: None,
    };
    let (now, zone, matches, no_folder, running_since) = match seen {
        Seen::Unreachable(why) => {
            v.reasons.push((State::Unknown, Reason::Unreachable(why.clone())));
            return v;
        }
        Seen::Unreadable { folder } => {
            v.reasons.push((State::Unknown, Reason::Unreadable { folder: folder.clone() }));
            return v;
        }
        Seen::Files { now, zone, matches, no_folder, running_since } => {
            (*now, zone, matches, *no_folder, *running_since)
        }
    };
    let newest = matches.first();
    v.newest = newest.cloned();
    v.previous_size = matches.get(1).map(|a| a.size);
    v.age_s = newest.map(|a| (now - a.mtime).max(0));
    let grace_s = spec.grace.as_secs();
    let zone = spec.due.zone(*zone);
    v.period_s = spec.due.period_at(now, zone);
    if let (Some(vf), Some(a)) = (verification, newest) {
        if vf.is_of(a) && vf.status != 0 {
            let reason = Reason::VerifyFailed { status: vf.status, first_line: first_line(&vf.output) };
            v.reasons.push((State::Failed, reason));
        }
    }
    match newest {
        None if no_folder => {
            let folder = probe::fixed_folder(&spec.path);
            v.reasons.push((State::Missing, Reason::NoFolder { folder }));
        }
        None => v.reasons.push((State::Missing, Reason::NoMatch { pattern: spec.path.clone() })),
        Some(a) => {
            // The newest artefact must cover the last expected run: the one after it is due
            // later than now.
            let due = spec.due.due_after(spec.kind, a.mtime, spec.grace, zone);
            v.expected_at = due;
            if let Some(due) = due.filter(|d| *d <= now) {
                let runs = 1 + spec.due.runs_between(due, now, zone);
                let passed = now - due;
                if passed >= i64::try_from(grace_s).unwrap_or(i64::MAX) {
                    v.reasons.push((State::Missing, Reason::PastGrace { expected_at: due, grace_s, runs }));
                } else {
                    v.reasons.push((State::Late, Reason::WithinGrace { expected_at: due, grace_s }));
                }
            }
            if let Some(min) = spec.min_size {
                if a.size < min {
                    v.reasons.push((State::Shrunk, Reason::TooSmall { size: a.size, min_size: min }));
                }
            }
            if let (Some(limit), Some(prev)) = (spec.shrink_pct, matches.get(1)) {
                if prev.size > 0 && a.size < prev.size {
                    let drop = (prev.size - a.size) as f64 * 100.0 / prev.size as f64;
                    if drop > f64::from(limit) {
                        let pct = drop.floor().min(100.0) as u8;
                        let reason = Reason::ShrankBy { size: a.size, previous: prev.size, pct, limit };
                        v.reasons.push((State::Shrunk, reason));
                    }
                }
            }
        }
    }
    if let Some(since) = running_since {
        v.reasons.push((State::Running, Reason::RunningSince(since)));
    }
    if v.reasons.is_empty() {
        if let Some(a) = newest {
            v.reasons.push((State::Ok, Reason::Fresh { mtime: a.mtime, expected_at: v.expected_at }));
        }
    }
    v.reasons.sort_by_key(|(s, _)| *s);
    v.state = v.reasons.first().map_or(State::Unknown, |(s, _)| *s);
    v
}

#[cfg(test)]
mod tests;
