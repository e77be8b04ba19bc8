//! The SLA clocks as alerts in the one stream (source `ticket`, key `ticket/<number>`): a
//! ticket whose running clock has used 80 % of its target raises a Warn alert, one past its
//! target a Crit alert (the same alert, escalated). The alert clears when no clock of the ticket
//! runs any more: acknowledged in time, pending (the clock paused), resolved, closed or
//! cancelled. Judged from the open queue as a whole, so a ticket that left the queue (closed
//! by another engineer) clears too.

use std::collections::HashMap;

use super::sla::{Clock, Clocks};
use super::Priority;
use crate::alerts::{AlertKey, Change};
use crate::health::thresholds::Level;
use crate::i18n::Both;

/// The share of a clock at which the warning is raised.
pub const WARN_AT: f64 = 0.8;

/// One open ticket, as the judge needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Watched {
    pub number: String,
    pub priority: Priority,
    pub clocks: Clocks,
}

/// Which clock an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Response,
    Resolution,
}

impl Which {
    pub fn as_str(self) -> &'static str {
        match self {
            Which::Response => "response",
            Which::Resolution => "resolution",
        }
    }
}

/// The level a ticket's clocks call for, and the clock that calls for it (the worse one).
pub fn level_of(clocks: &Clocks) -> (Level, Option<Which>) {
    let judge = |c: &Clock| {
        if !c.running {
            Level::Ok
        } else if c.breached() {
            Level::Crit
        } else if c.fraction() >= WARN_AT {
            Level::Warn
        } else {
            Level::Ok
        }
    };
    let response = judge(&clocks.response);
    let resolution = judge(&clocks.resolution);
    match (response, resolution) {
        (Level::Ok, Level::Ok) => (Level::Ok, None),
        (a, b) if a >= b => (a, Some(Which::Response)),
        (_, b) => (b, Some(Which::Resolution)),
    }
}

/// A due time as the alert words put it: in `offset` (the console clock's), to the minute.
fn shown_time(t: i64, offset: chrono::FixedOffset) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.with_timezone(&offset).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// The changes that bring the stream in line with the queue: `open` holds the ticket alerts
/// open now (by ticket number), `queue` every open ticket. `at` is the changes' time; the
/// message (in both languages) names the priority, the clock and its due time in `offset`.
pub fn changes(
    queue: &[Watched],
    open: &HashMap<String, Level>,
    at: i64,
    offset: chrono::FixedOffset,
) -> Vec<Change> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for t in queue {
        seen.insert(t.number.as_str());
        let (level, which) = level_of(&t.clocks);
        let was = open.get(&t.number).copied();
        let key = AlertKey::Ticket { id: t.number.clone() };
        let Some(which) = which else {
            if was.is_some() {
                out.push(Change::Clear { key, at });
            }
            continue;
        };
        let clock = match which {
            Which::Response => &t.clocks.response,
            Which::Resolution => &t.clocks.resolution,
        };
        let overdue = level == Level::Crit;
        let state = if overdue { "overdue" } else { "at 80 %" };
        let due = clock.due.map(|d| shown_time(d, offset)).unwrap_or_default();
        let (due_en, due_zh) = if due.is_empty() {
            Default::default()
        } else {
            (format!(", due {due}"), format!("，时限 {due}"))
        };
        let clock_zh = match which {
            Which::Response => "响应",
            Which::Resolution => "解决",
        };
        let state_zh = if overdue { "已超时" } else { "已用 80%" };
        let message = Both::new(
            format!("{} {} {} {state}{due_en}", t.priority, t.number, which.as_str()),
            format!("{} {} {clock_zh}时限{state_zh}{due_zh}", t.priority, t.number),
        );
        let value = Some((clock.fraction() * 100.0).round());
        match was {
            None => out.push(Change::Open { key, level, value, message, host: None, at }),
            Some(l) if l != level => out.push(Change::Escalate { key, level, value, message, at }),
            Some(_) => {}
        }
    }
    for number in open.keys().filter(|n| !seen.contains(n.as_str())) {
        out.push(Change::Clear { key: AlertKey::Ticket { id: number.clone() }, at });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::sla::{clocks, SlaPolicy};
    use crate::tickets::Status;

    const T0: i64 = 1_795_712_400;

    fn utc8() -> chrono::FixedOffset {
        chrono::FixedOffset::east_opt(8 * 3600).unwrap()
    }

    fn watched(number: &str, timeline: &[(i64, Status)], now: i64) -> Watched {
        Watched {
            number: number.into(),
            priority: Priority::P1,
            clocks: clocks(&SlaPolicy::default(), Priority::P1, timeline, now),
        }
    }

    #[test]
    fn eighty_percent_warns_a_breach_escalates_and_a_stopped_clock_clears() {
        let p = SlaPolicy::default();
        assert_eq!(p.response[0], 900);
        let open = HashMap::new();
        // 11 of 15 minutes: nothing yet; 12 minutes is 80 %.
        assert!(changes(&[watched("YW-1", &[(T0, Status::New)], T0 + 660)], &open, T0, utc8()).is_empty());
        let c = changes(&[watched("YW-1", &[(T0, Status::New)], T0 + 720)], &open, T0 + 720, utc8());
        match &c[..] {
            [Change::Open { key, level: Level::Warn, message, .. }] => {
                assert_eq!(key.to_string(), "ticket/YW-1");
                assert!(message.en.starts_with("P1 YW-1 response at 80 %"), "{message:?}");
                assert!(message.zh.starts_with("P1 YW-1 响应时限已用 80%，时限 "), "{message:?}");
            }
            other => panic!("{other:?}"),
        }
        let warned = HashMap::from([("YW-1".to_string(), Level::Warn)]);
        assert!(changes(&[watched("YW-1", &[(T0, Status::New)], T0 + 800)], &warned, T0, utc8()).is_empty());
        let c = changes(&[watched("YW-1", &[(T0, Status::New)], T0 + 901)], &warned, T0 + 901, utc8());
        assert!(matches!(&c[..], [Change::Escalate { level: Level::Crit, .. }]), "{c:?}");
        // Acknowledged late: the response clock stopped, the resolution clock has 4 h.
        let crit = HashMap::from([("YW-1".to_string(), Level::Crit)]);
        let acked = [(T0, Status::New), (T0 + 1000, Status::Acknowledged)];
        let c = changes(&[watched("YW-1", &acked, T0 + 1200)], &crit, T0 + 1200, utc8());
        assert!(matches!(&c[..], [Change::Clear { .. }]), "{c:?}");
        // The resolution clock at 80 % of 4 h, then paused while pending: cleared.
        let c = changes(&[watched("YW-1", &acked, T0 + 11_600)], &open, T0 + 11_600, utc8());
        match &c[..] {
            [Change::Open { level: Level::Warn, message, .. }] => {
                assert!(message.en.contains("resolution") && message.zh.contains("解决时限"), "{message:?}")
            }
            other => panic!("{other:?}"),
        }
        let pending = [acked[0], acked[1], (T0 + 11_700, Status::InProgress), (T0 + 11_800, Status::Pending)];
        let c = changes(&[watched("YW-1", &pending, T0 + 20_000)], &warned, T0 + 20_000, utc8());
        assert!(matches!(&c[..], [Change::Clear { .. }]), "{c:?}");
        // A ticket gone from the queue (closed elsewhere) clears.
        let c = changes(&[], &warned, T0 + 20_000, utc8());
        assert!(matches!(&c[..], [Change::Clear { key, .. }] if key.to_string() == "ticket/YW-1"), "{c:?}");
    }
}
