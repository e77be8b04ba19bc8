//! When a job's next artefact is due: after a fixed period (`every = "1d"`), or at the next
//! run of a cron schedule (`schedule = "30 2 * * *"`, five fields, parsed by `croner`) in the
//! host's time zone unless the job names one.
//!
//! A backup, push or receive job's schedule says when the job *starts*: an artefact covers the
//! last run at or before its time, and the next is due at the run after it. A report's
//! schedule is its *deadline*: an artefact made up to `grace` after a deadline still covers
//! that deadline, and the next is due at the one after.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeZone};
use croner::parser::{CronParser, Seconds, Year};
use croner::Cron;

use super::Kind;

/// A time zone: a named one (from the job's `tz` or the host's `/etc/localtime`), or the
/// offset the host's `date +%z` gave when it names none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Named(chrono_tz::Tz),
    Fixed(FixedOffset),
}

impl Zone {
    /// A zone from its IANA name (`Asia/Shanghai`).
    pub fn named(name: &str) -> Option<Zone> {
        name.trim().parse::<chrono_tz::Tz>().ok().map(Zone::Named)
    }

    /// The host's zone from what it said: the target of `/etc/localtime` or the text of
    /// `/etc/timezone` (`zone_hint`), else its `date +%z` offset (`+0800`); UTC when neither
    /// reads.
    pub fn of_host(zone_hint: &str, offset: &str) -> Zone {
        let hint = zone_hint.trim();
        let name = hint.rsplit_once("zoneinfo/").map_or(hint, |(_, n)| n);
        if let Some(z) = Zone::named(name).filter(|_| !name.is_empty()) {
            return z;
        }
        Zone::Fixed(parse_offset(offset).unwrap_or_else(utc))
    }

    /// The zone's name as shown: `Asia/Shanghai`, or `+08:00`.
    pub fn name(&self) -> String {
        match self {
            Zone::Named(tz) => tz.name().to_string(),
            Zone::Fixed(off) => off.to_string(),
        }
    }

    /// A moment in this zone's local time, as `YYYY-MM-DD HH:MM`.
    pub fn local(&self, t: i64) -> String {
        fn show<Z: TimeZone>(z: &Z, t: i64) -> String
        where
            Z::Offset: std::fmt::Display,
        {
            z.timestamp_opt(t, 0).single().map(|d| d.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
        }
        match self {
            Zone::Named(tz) => show(tz, t),
            Zone::Fixed(off) => show(off, t),
        }
    }
}

fn utc() -> FixedOffset {
    use chrono::Offset;
    chrono::Utc.fix()
}

/// `+0800`, `-0330`, `+08:00`.
pub fn parse_offset(text: &str) -> Option<FixedOffset> {
    let t = text.trim().replace(':', "");
    let (sign, digits) = match t.as_bytes().first()? {
        b'+' => (1, &t[1..]),
        b'-' => (-1, &t[1..]),
        _ => return None,
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// How a job's runs are expected.
#[derive(Debug, Clone, PartialEq)]
pub enum Due {
    /// An artefact at least every so often.
    Every(Duration),
    /// Runs at the times of a cron schedule, in `tz` or else the host's zone.
    Schedule { cron: Box<Cron>, text: String, tz: Option<chrono_tz::Tz> },
}

/// Why a schedule was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleError {
    /// Not five fields.
    Fields(usize),
    /// A pattern no calendar reaches (31 February).
    Never,
    /// What the cron parser said.
    Pattern(String),
}

/// Most expected runs counted between two times (a minutely schedule over weeks).
pub const MAX_COUNTED: u32 = 1000;

impl Due {
    /// A five-field cron schedule (minute hour day-of-month month day-of-week), as Vixie cron
    /// reads it: a day-of-month and a day-of-week both restricted match either.
    pub fn schedule(text: &str, tz: Option<chrono_tz::Tz>) -> Result<Due, ScheduleError> {
        let fields = text.split_whitespace().count();
        if fields != 5 {
            return Err(ScheduleError::Fields(fields));
        }
        let parser = CronParser::builder().seconds(Seconds::Disallowed).year(Year::Disallowed).build();
        let cron = parser.parse(text.trim()).map_err(|e| ScheduleError::Pattern(e.to_string()))?;
        // A pattern no calendar reaches (31 February) is refused now, not at every check.
        let probe = chrono::Utc.timestamp_opt(0, 0).single();
        if let Some(start) = probe {
            if cron.find_next_occurrence(&start, false).is_err() {
                return Err(ScheduleError::Never);
            }
        }
        Ok(Due::Schedule { cron: Box::new(cron), text: text.trim().to_string(), tz })
    }

    /// The zone the job's times are read in.
    pub fn zone(&self, host: Zone) -> Zone {
        match self {
            Due::Schedule { tz: Some(tz), .. } => Zone::Named(*tz),
            _ => host,
        }
    }

    /// The run after `t` (strictly), in `zone`.
    fn next(cron: &Cron, zone: Zone, t: i64, inclusive: bool) -> Option<i64> {
        fn step<Z: TimeZone>(cron: &Cron, z: &Z, t: i64, inclusive: bool) -> Option<i64> {
            let start: DateTime<Z> = z.timestamp_opt(t, 0).single()?;
            cron.find_next_occurrence(&start, inclusive).ok().map(|d| d.timestamp())
        }
        match zone {
            Zone::Named(tz) => step(cron, &tz, t, inclusive),
            Zone::Fixed(off) => step(cron, &off, t, inclusive),
        }
    }

    fn prev(cron: &Cron, zone: Zone, t: i64) -> Option<i64> {
        fn step<Z: TimeZone>(cron: &Cron, z: &Z, t: i64) -> Option<i64> {
            let start: DateTime<Z> = z.timestamp_opt(t, 0).single()?;
            cron.find_previous_occurrence(&start, true).ok().map(|d| d.timestamp())
        }
        match zone {
            Zone::Named(tz) => step(cron, &tz, t),
            Zone::Fixed(off) => step(cron, &off, t),
        }
    }

    /// When the artefact after one made at `t` is due, for a job of `kind`.
    pub fn due_after(&self, kind: Kind, t: i64, grace: Duration, host: Zone) -> Option<i64> {
        match self {
            Due::Every(p) => Some(t.saturating_add(secs(*p))),
            Due::Schedule { cron, .. } => {
                let zone = self.zone(host);
                if kind == Kind::Report {
                    // The deadline this report covers: the first at or after it, allowing
                    // for one sent within the grace after its deadline.
                    let covered = Due::next(cron, zone, t.saturating_sub(secs(grace)), true)?;
                    Due::next(cron, zone, covered, false)
                } else {
                    Due::next(cron, zone, t, false)
                }
            }
        }
    }

    /// The expected runs in `(after, until]`, at most [`MAX_COUNTED`].
    pub fn runs_between(&self, after: i64, until: i64, host: Zone) -> u32 {
        match self {
            Due::Every(p) => {
                let p = secs(*p).max(1);
                u32::try_from(((until - after).max(0)) / p).unwrap_or(u32::MAX).min(MAX_COUNTED)
            }
            Due::Schedule { cron, .. } => {
                let zone = self.zone(host);
                let mut n = 0;
                let mut t = after;
                while n < MAX_COUNTED {
                    match Due::next(cron, zone, t, false) {
                        Some(next) if next <= until => {
                            n += 1;
                            t = next;
                        }
                        _ => break,
                    }
                }
                n
            }
        }
    }

    /// The spacing of the expected runs around `now`: the period, or the gap between the
    /// schedule's runs on either side of it.
    pub fn period_at(&self, now: i64, host: Zone) -> Option<i64> {
        match self {
            Due::Every(p) => Some(secs(*p)),
            Due::Schedule { cron, .. } => {
                let zone = self.zone(host);
                let before = Due::prev(cron, zone, now)?;
                let after = Due::next(cron, zone, before, false)?;
                Some(after - before)
            }
        }
    }

    /// As written in the config: `every 1d`, `30 2 * * * (Asia/Shanghai)`.
    pub fn describe(&self) -> String {
        match self {
            Due::Every(p) => format!("every {}", humantime::format_duration(*p)),
            Due::Schedule { text, tz: Some(tz), .. } => format!("{text} ({})", tz.name()),
            Due::Schedule { text, tz: None, .. } => text.clone(),
        }
    }
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}
