//! The ticket queue's domain: what a ticket is, its priority (impact × urgency), the workflow's
//! allowed moves, the SLA clocks and their calendars, the hash chain of its history, and the
//! words its search finds. Pure code: the store keeps tickets, the pane and the command line
//! show them.

pub mod alerts;
pub mod chain;
pub mod draft;
pub mod import;
pub mod quarter;
pub mod search;
pub mod sla;
pub mod words;

use std::fmt;
use std::str::FromStr;

/// How a request reached the team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Phone,
    Email,
    Onsite,
    Remote,
    Monitoring,
}

/// The contract's five service areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Network,
    Security,
    Software,
    Data,
    Server,
}

/// Impact and urgency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    High,
    Medium,
    Low,
}

/// P1 (most urgent) to P4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Priority {
    P1,
    P2,
    P3,
    P4,
}

/// Where a ticket is in its workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    Acknowledged,
    InProgress,
    Pending,
    Resolved,
    Closed,
    Cancelled,
}

/// The names each enum is written with (config, command line, JSON, the database), in order.
macro_rules! names {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }

            /// Every accepted name, for error messages: "phone, email, …".
            pub fn names() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl FromStr for $ty {
            type Err = UnknownName;

            fn from_str(s: &str) -> Result<Self, UnknownName> {
                let wanted = s.trim().to_ascii_lowercase();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(&wanted))
                    .ok_or_else(|| UnknownName { given: s.to_string(), allowed: Self::names() })
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

names!(Channel { Phone => "phone", Email => "email", Onsite => "onsite", Remote => "remote", Monitoring => "monitoring" });
names!(Category { Network => "network", Security => "security", Software => "software", Data => "data", Server => "server" });
names!(Level { High => "high", Medium => "medium", Low => "low" });
names!(Priority { P1 => "P1", P2 => "P2", P3 => "P3", P4 => "P4" });
names!(Status {
    New => "new",
    Acknowledged => "acknowledged",
    InProgress => "in_progress",
    Pending => "pending",
    Resolved => "resolved",
    Closed => "closed",
    Cancelled => "cancelled",
});

/// A name that is none of an enum's: what was given and what is accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    pub given: String,
    pub allowed: String,
}

impl Priority {
    /// impact × urgency: rows impact high/medium/low, columns urgency high/medium/low.
    ///
    /// | impact \ urgency | high | medium | low |
    /// |---|---|---|---|
    /// | high | P1 | P2 | P3 |
    /// | medium | P2 | P3 | P4 |
    /// | low | P3 | P4 | P4 |
    pub fn of(impact: Level, urgency: Level) -> Priority {
        let rank = |l: Level| match l {
            Level::High => 0,
            Level::Medium => 1,
            Level::Low => 2,
        };
        match (rank(impact) + rank(urgency)).min(3) {
            0 => Priority::P1,
            1 => Priority::P2,
            2 => Priority::P3,
            _ => Priority::P4,
        }
    }

    /// 0 for P1 … 3 for P4 (the index of the SLA tables).
    pub fn index(self) -> usize {
        match self {
            Priority::P1 => 0,
            Priority::P2 => 1,
            Priority::P3 => 2,
            Priority::P4 => 3,
        }
    }
}

impl Status {
    /// The moves the workflow allows from here.
    pub fn moves(self) -> &'static [Status] {
        use Status::*;
        match self {
            New => &[Acknowledged, Cancelled],
            Acknowledged => &[InProgress, Cancelled],
            InProgress => &[Pending, Resolved],
            Pending => &[InProgress, Resolved],
            Resolved => &[Closed, InProgress],
            Closed | Cancelled => &[],
        }
    }

    pub fn can_move_to(self, to: Status) -> bool {
        self.moves().contains(&to)
    }

    /// Closed and cancelled tickets leave the queue.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Closed | Status::Cancelled)
    }
}

/// The number read out on the phone: `YW-20261127-003` (the local date and that day's counter,
/// at least three digits).
pub fn ticket_number(date: chrono::NaiveDate, counter: u32) -> String {
    format!("YW-{}-{counter:03}", date.format("%Y%m%d"))
}

/// The number a key names: `YW-20261127-003` in any case, or without its `YW-`
/// (`20261127-3` too, the counter as read out). None for anything else: a bare number is not
/// guessed at (it could be any day's).
pub fn number_of(key: &str) -> Option<String> {
    let k = key.trim().to_ascii_uppercase();
    let rest = k.strip_prefix("YW-").unwrap_or(&k);
    let (day, counter) = rest.split_once('-')?;
    let counter: u32 = counter.parse().ok()?;
    let ok = day.len() == 8 && day.bytes().all(|b| b.is_ascii_digit()) && counter > 0;
    ok.then(|| format!("YW-{day}-{counter:03}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_priority_matrix() {
        use Level::*;
        use Priority::*;
        let table = [(High, [P1, P2, P3]), (Medium, [P2, P3, P4]), (Low, [P3, P4, P4])];
        for (impact, row) in table {
            for (urgency, want) in [High, Medium, Low].into_iter().zip(row) {
                assert_eq!(Priority::of(impact, urgency), want, "{impact} × {urgency}");
            }
        }
    }

    #[test]
    fn the_workflow_table() {
        use Status::*;
        let allowed: &[(Status, &[Status])] = &[
            (New, &[Acknowledged, Cancelled]),
            (Acknowledged, &[InProgress, Cancelled]),
            (InProgress, &[Pending, Resolved]),
            (Pending, &[InProgress, Resolved]),
            (Resolved, &[Closed, InProgress]),
            (Closed, &[]),
            (Cancelled, &[]),
        ];
        for (from, to) in allowed {
            for target in Status::ALL {
                assert_eq!(from.can_move_to(*target), to.contains(target), "{from} → {target}");
            }
        }
        assert!(!New.can_move_to(New), "no move to itself");
    }

    #[test]
    fn names_round_trip_and_unknown_ones_list_the_accepted() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>(), Ok(*s));
        }
        assert_eq!("PHONE".parse::<Channel>(), Ok(Channel::Phone));
        assert_eq!("p2".parse::<Priority>(), Ok(Priority::P2));
        let err = "fax".parse::<Channel>().unwrap_err();
        assert_eq!(err.allowed, "phone, email, onsite, remote, monitoring");
    }

    #[test]
    fn ticket_numbers() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(ticket_number(d, 3), "YW-20261127-003");
        assert_eq!(ticket_number(d, 1234), "YW-20261127-1234");
        assert_eq!(number_of("yw-20261127-003").as_deref(), Some("YW-20261127-003"));
        assert_eq!(number_of(" 20261127-3 ").as_deref(), Some("YW-20261127-003"));
        assert_eq!(number_of("YW-2026112-003"), None);
        assert_eq!(number_of("42"), None);
        assert_eq!(number_of("20261127-0"), None);
    }
}
