//! The quarter's figures for the service report: tickets by category, priority, channel and
//! unit; response and resolution SLA compliance; mean time to acknowledge and to resolve;
//! every breach with its ticket; tickets per week. Pure: the command line reads the tickets,
//! the report module writes the figures out.

use std::collections::BTreeMap;

use chrono::{Datelike, FixedOffset, NaiveDate, TimeZone};

use super::sla::{clocks, SlaPolicy};
use super::{Category, Channel, Priority, Status};

/// `2026Q4`: its first day and the first day of the next quarter, as Unix seconds at local
/// midnight in `offset`, and its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quarter {
    pub year: i32,
    pub q: u32,
    pub start: i64,
    pub end: i64,
}

impl Quarter {
    pub fn parse(text: &str, offset: FixedOffset) -> Option<Quarter> {
        let t = text.trim().to_ascii_uppercase();
        let (y, q) = t.split_once('Q')?;
        let (year, q): (i32, u32) = (y.trim_end_matches('-').parse().ok()?, q.parse().ok()?);
        if !(1..=4).contains(&q) || !(2000..=2100).contains(&year) {
            return None;
        }
        Quarter::of(year, q, offset)
    }

    fn of(year: i32, q: u32, offset: FixedOffset) -> Option<Quarter> {
        let first = NaiveDate::from_ymd_opt(year, (q - 1) * 3 + 1, 1)?;
        let next = if q == 4 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(year, q * 3 + 1, 1)?
        };
        let at = |d: NaiveDate| {
            offset.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).single().map(|t| t.timestamp())
        };
        Some(Quarter { year, q, start: at(first)?, end: at(next)? })
    }

    /// The quarter `at` falls in.
    pub fn containing(at: i64, offset: FixedOffset) -> Option<Quarter> {
        let d = offset.timestamp_opt(at, 0).single()?.date_naive();
        Quarter::of(d.year(), d.month0() / 3 + 1, offset)
    }

    pub fn label(&self) -> String {
        format!("{}Q{}", self.year, self.q)
    }
}

/// A ticket as the report needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub number: String,
    pub priority: Priority,
    pub category: Category,
    pub channel: Channel,
    pub unit: Option<String>,
    pub summary: String,
    pub created_at: i64,
    pub escalation_level: i64,
    pub timeline: Vec<(i64, Status)>,
}

/// Met and missed, of the clocks that stopped (or ran past their target) in the quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Compliance {
    pub met: usize,
    pub missed: usize,
}

impl Compliance {
    /// The share met, in per cent; None with nothing judged.
    pub fn pct(&self) -> Option<f64> {
        let n = self.met + self.missed;
        (n > 0).then(|| self.met as f64 * 100.0 / n as f64)
    }
}

/// A clock that ran past its target.
#[derive(Debug, Clone, PartialEq)]
pub struct Breach {
    pub number: String,
    pub priority: Priority,
    /// `response` or `resolution`.
    pub clock: &'static str,
    pub used_s: i64,
    pub target_s: i64,
    pub summary: String,
    /// Still running past its target at the quarter's end (or now).
    pub open: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Figures {
    pub total: usize,
    pub by_category: Vec<(Category, usize)>,
    pub by_priority: Vec<(Priority, usize)>,
    pub by_channel: Vec<(Channel, usize)>,
    /// Most tickets first; "" for the tickets that name no unit.
    pub by_unit: Vec<(String, usize)>,
    /// Whether the quarter is over (the figures are its end's, else today's).
    pub ended: bool,
    pub response: Compliance,
    pub resolution: Compliance,
    /// Mean wall-clock seconds from creation to acknowledgement (to resolution).
    pub mtta_s: Option<i64>,
    pub mttr_s: Option<i64>,
    pub resolved: usize,
    pub escalated: usize,
    pub open_at_end: usize,
    /// Seconds the resolution clocks were paused in all.
    pub paused_s: i64,
    pub breaches: Vec<Breach>,
    /// Each week of the quarter (its Monday) and the tickets created in it.
    pub per_week: Vec<(NaiveDate, usize)>,
}

/// The figures of the tickets created in `q`, their clocks judged at the quarter's end (or at
/// `now`, when the quarter is not over).
pub fn figures(tickets: &[Facts], q: &Quarter, policy: &SlaPolicy, now: i64) -> Figures {
    let offset = policy.calendar.offset;
    let at = now.min(q.end);
    let mut f = Figures::default();
    let mut cat: BTreeMap<Category, usize> = Category::ALL.iter().map(|c| (*c, 0)).collect();
    let mut pri: BTreeMap<Priority, usize> = Priority::ALL.iter().map(|p| (*p, 0)).collect();
    let mut chan: BTreeMap<Channel, usize> = Channel::ALL.iter().map(|c| (*c, 0)).collect();
    let mut units: BTreeMap<String, usize> = BTreeMap::new();
    let mut weeks: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    // Every week of the quarter shows, those without tickets too.
    let monday = |t: i64| {
        offset.timestamp_opt(t, 0).single().map(|d| {
            let d = d.date_naive();
            d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday()))
        })
    };
    let mut w = monday(q.start);
    while let Some(d) = w {
        let Some(t) = offset.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default()).single() else {
            break;
        };
        // The weeks of the quarter so far (a report written mid-quarter has no future weeks).
        if t.timestamp() >= q.end || t.timestamp() > at {
            break;
        }
        weeks.insert(d, 0);
        w = d.checked_add_signed(chrono::Duration::days(7));
    }
    let (mut ack_sum, mut ack_n, mut res_sum, mut res_n) = (0i64, 0i64, 0i64, 0i64);
    // A ticket dated after the report's moment (a clock set back for a drill) is not there yet.
    for t in tickets.iter().filter(|t| t.created_at >= q.start && t.created_at < q.end && t.created_at <= at)
    {
        f.total += 1;
        *cat.entry(t.category).or_default() += 1;
        *pri.entry(t.priority).or_default() += 1;
        *chan.entry(t.channel).or_default() += 1;
        // A ticket with no unit counts under "" (the report names it).
        let unit = t.unit.as_deref().map(str::trim).unwrap_or("");
        *units.entry(unit.to_string()).or_default() += 1;
        if let Some(m) = monday(t.created_at) {
            *weeks.entry(m).or_default() += 1;
        }
        if t.escalation_level > 0 {
            f.escalated += 1;
        }
        let seen: Vec<(i64, Status)> = t.timeline.iter().copied().filter(|(when, _)| *when <= at).collect();
        let c = clocks(policy, t.priority, &seen, at);
        f.paused_s += c.paused_s;
        let last = seen.last().map(|(_, s)| *s).unwrap_or(Status::New);
        if last.is_open() && last != Status::Resolved {
            f.open_at_end += 1;
        }
        if let Some((when, _)) = seen.iter().find(|(_, s)| *s != Status::New && *s != Status::Cancelled) {
            ack_sum += when - t.created_at;
            ack_n += 1;
        }
        if let Some((when, _)) = seen.iter().rev().find(|(_, s)| *s == Status::Resolved) {
            res_sum += when - t.created_at;
            res_n += 1;
            f.resolved += 1;
        }
        for (name, k, tally) in
            [("response", c.response, &mut f.response), ("resolution", c.resolution, &mut f.resolution)]
        {
            match k.met {
                Some(true) => tally.met += 1,
                Some(false) => tally.missed += 1,
                None if k.breached() => tally.missed += 1,
                None => {}
            }
            if k.breached() {
                f.breaches.push(Breach {
                    number: t.number.clone(),
                    priority: t.priority,
                    clock: name,
                    used_s: k.used_s,
                    target_s: k.target_s,
                    summary: t.summary.clone(),
                    open: k.met.is_none(),
                });
            }
        }
    }
    f.ended = now >= q.end;
    f.by_category = cat.into_iter().collect();
    f.by_priority = pri.into_iter().collect();
    f.by_channel = chan.into_iter().collect();
    let mut by_unit: Vec<(String, usize)> = units.into_iter().collect();
    by_unit.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    f.by_unit = by_unit;
    f.per_week = weeks.into_iter().collect();
    f.mtta_s = (ack_n > 0).then(|| ack_sum / ack_n);
    f.mttr_s = (res_n > 0).then(|| res_sum / res_n);
    f.breaches.sort_by(|a, b| a.priority.cmp(&b.priority).then_with(|| a.number.cmp(&b.number)));
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::sla::china_standard_time;

    #[test]
    fn a_quarter_is_read_and_bounded_in_local_time() {
        let cst = china_standard_time();
        let q = Quarter::parse("2026q4", cst).unwrap();
        assert_eq!(q.label(), "2026Q4");
        assert_eq!(q.start, cst.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap().timestamp());
        assert_eq!(q.end, cst.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap().timestamp());
        assert_eq!(Quarter::parse("2026-Q1", cst).unwrap().q, 1);
        for bad in ["2026Q5", "2026Q0", "Q4", "2026", "abcdQ1"] {
            assert!(Quarter::parse(bad, cst).is_none(), "{bad}");
        }
        assert_eq!(Quarter::containing(q.end - 1, cst), Some(q));
    }

    #[test]
    fn compliance_means_breaches_and_weeks() {
        let cst = china_standard_time();
        let q = Quarter::parse("2026Q4", cst).unwrap();
        let t0 = q.start + 9 * 3600;
        let min = 60;
        let ticket = |n: &str, p: Priority, created: i64, moves: &[(i64, Status)]| Facts {
            number: n.into(),
            priority: p,
            category: Category::Data,
            channel: Channel::Phone,
            unit: Some("三亚市卫生健康委员会".into()),
            summary: "推送失败".into(),
            created_at: created,
            escalation_level: 0,
            timeline: std::iter::once((created, Status::New)).chain(moves.iter().copied()).collect(),
        };
        let tickets = vec![
            // Acknowledged in 10 min, resolved in 2 h: both met.
            ticket(
                "A",
                Priority::P1,
                t0,
                &[(t0 + 10 * min, Status::Acknowledged), (t0 + 120 * min, Status::Resolved)],
            ),
            // Acknowledged after 20 min (P1: 15): response missed; resolved in 5 h: missed.
            ticket(
                "B",
                Priority::P1,
                t0,
                &[(t0 + 20 * min, Status::Acknowledged), (t0 + 300 * min, Status::Resolved)],
            ),
            // Never acknowledged: still open at the end, both clocks breached.
            ticket("C", Priority::P3, t0 + 86_400, &[]),
            // Before the quarter: not counted.
            ticket("D", Priority::P3, q.start - 10, &[]),
        ];
        let f = figures(&tickets, &q, &SlaPolicy::default(), q.end + 100);
        assert_eq!(f.total, 3);
        assert_eq!(f.response, Compliance { met: 1, missed: 2 });
        assert_eq!(f.resolution, Compliance { met: 1, missed: 2 });
        assert_eq!(f.response.pct().map(|p| p.round()), Some(33.0));
        assert_eq!(f.mtta_s, Some(15 * min));
        assert_eq!(f.mttr_s, Some(210 * min));
        assert_eq!((f.resolved, f.open_at_end), (2, 1));
        let breached: Vec<(&str, &str, bool)> =
            f.breaches.iter().map(|b| (b.number.as_str(), b.clock, b.open)).collect();
        assert_eq!(
            breached,
            [
                ("B", "response", false),
                ("B", "resolution", false),
                ("C", "response", true),
                ("C", "resolution", true)
            ]
        );
        assert_eq!(f.by_priority[0], (Priority::P1, 2));
        assert_eq!(f.by_unit, [("三亚市卫生健康委员会".to_string(), 3)]);
        assert!(f.ended);
        // Mid-quarter: the weeks so far only.
        let mid = figures(&tickets, &q, &SlaPolicy::default(), q.start + 20 * 86_400);
        assert!(!mid.ended);
        assert_eq!(mid.per_week.len(), 4, "{:?}", mid.per_week);
        // Every week of the quarter, from the Monday on or before 1 October (28 September).
        assert_eq!(f.per_week.first().map(|w| w.0), NaiveDate::from_ymd_opt(2026, 9, 28));
        assert_eq!(f.per_week.len(), 14);
        assert_eq!(f.per_week.iter().map(|w| w.1).sum::<usize>(), 3);
    }
}
