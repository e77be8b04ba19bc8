//! SLA clocks: a response clock (met by acknowledgement) and a resolution clock (met by
//! resolving, paused while the ticket waits on the caller), each counted on its priority's
//! calendar: round the clock (`24x7`) or working hours (`workdays`: 09:00–18:00 Monday to Friday
//! by default, less public holidays, plus the weekend days worked in exchange).
//!
//! Times are Unix seconds; calendars are read in one fixed offset (China Standard Time by
//! default, which has no daylight saving), so a clock means the same on a bastion set to UTC.

use std::collections::BTreeSet;

use chrono::{Datelike, FixedOffset, NaiveDate, NaiveTime, Offset, TimeZone, Weekday};

use super::{Priority, Status};

/// Which hours count on a priority's clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum CalendarKind {
    /// Every second counts.
    Always,
    /// Only working hours of working days count.
    Workdays,
}

impl CalendarKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CalendarKind::Always => "24x7",
            CalendarKind::Workdays => "workdays",
        }
    }
}

/// Working days and hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    pub offset: FixedOffset,
    pub day_start: NaiveTime,
    pub day_end: NaiveTime,
    /// Days off that would be working days (China's public holidays).
    pub holidays: BTreeSet<NaiveDate>,
    /// Days worked that would be days off (the weekend days worked in exchange).
    pub workdays: BTreeSet<NaiveDate>,
}

/// Days a working-hours clock looks ahead at most (ten years): a calendar with no working day
/// at all gives up there instead of looping for ever.
const MAX_DAYS: i64 = 3660;

/// UTC+08:00 all year.
pub fn china_standard_time() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| chrono::Utc.fix())
}

impl Default for Calendar {
    fn default() -> Calendar {
        Calendar {
            offset: china_standard_time(),
            day_start: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            day_end: NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default(),
            holidays: BTreeSet::new(),
            workdays: BTreeSet::new(),
        }
    }
}

impl Calendar {
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.workdays.contains(&date) {
            return true;
        }
        if self.holidays.contains(&date) {
            return false;
        }
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
    }

    fn local_date(&self, t: i64) -> NaiveDate {
        match self.offset.timestamp_opt(t, 0).single() {
            Some(dt) => dt.date_naive(),
            None => NaiveDate::default(),
        }
    }

    /// The working window of `date` as Unix seconds, or None on a day off.
    fn window(&self, date: NaiveDate) -> Option<(i64, i64)> {
        if !self.is_working_day(date) || self.day_end <= self.day_start {
            return None;
        }
        let at = |time: NaiveTime| {
            self.offset.from_local_datetime(&date.and_time(time)).single().map(|d| d.timestamp())
        };
        Some((at(self.day_start)?, at(self.day_end)?))
    }

    /// Seconds in `[from, to)` that count under `kind`.
    pub fn counted(&self, kind: CalendarKind, from: i64, to: i64) -> i64 {
        if to <= from {
            return 0;
        }
        if kind == CalendarKind::Always {
            return to - from;
        }
        let mut total = 0;
        let mut date = self.local_date(from);
        let last = self.local_date(to);
        let mut days = 0;
        while date <= last && days <= MAX_DAYS {
            if let Some((start, end)) = self.window(date) {
                total += (end.min(to) - start.max(from)).max(0);
            }
            let Some(next) = date.succ_opt() else { break };
            date = next;
            days += 1;
        }
        total
    }

    /// The moment `seconds` counted seconds after `from` (`from` itself for 0). None when the
    /// calendar has no working time within ten years.
    pub fn after(&self, kind: CalendarKind, from: i64, seconds: i64) -> Option<i64> {
        if kind == CalendarKind::Always {
            return Some(from.saturating_add(seconds.max(0)));
        }
        let mut left = seconds.max(0);
        let mut date = self.local_date(from);
        for _ in 0..=MAX_DAYS {
            if let Some((start, end)) = self.window(date) {
                let start = start.max(from);
                if end > start {
                    if left <= end - start {
                        return Some(start + left);
                    }
                    left -= end - start;
                }
            }
            date = date.succ_opt()?;
        }
        None
    }
}

/// The SLA targets per priority (P1 first) and the calendar their clocks run on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaPolicy {
    /// Seconds to acknowledge.
    pub response: [i64; 4],
    /// Seconds to resolve, not counting pauses.
    pub resolution: [i64; 4],
    pub kinds: [CalendarKind; 4],
    pub calendar: Calendar,
}

impl Default for SlaPolicy {
    fn default() -> SlaPolicy {
        const M: i64 = 60;
        const H: i64 = 3600;
        SlaPolicy {
            response: [15 * M, 30 * M, 2 * H, 8 * H],
            resolution: [4 * H, 8 * H, 24 * H, 72 * H],
            kinds: [CalendarKind::Always; 4],
            calendar: Calendar::default(),
        }
    }
}

/// Where a clock stands.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Clock {
    /// When the target is (or was) reached; for a paused resolution clock, if it ran on from now.
    pub due: Option<i64>,
    /// Counted seconds so far (to the stop, for a stopped clock).
    pub used_s: i64,
    pub target_s: i64,
    /// Some once the clock has stopped: whether it stopped in time. None while it runs, and for
    /// a ticket cancelled before it stopped.
    pub met: Option<bool>,
    pub running: bool,
    pub paused: bool,
}

impl Clock {
    /// The share of the target used: 0.8 warns, above 1.0 is a breach.
    pub fn fraction(&self) -> f64 {
        if self.target_s <= 0 {
            return 1.0;
        }
        self.used_s as f64 / self.target_s as f64
    }

    /// Over its target: stopped late, or still running past it.
    pub fn breached(&self) -> bool {
        self.met == Some(false) || (self.met.is_none() && self.used_s > self.target_s)
    }
}

/// Both clocks of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Clocks {
    pub response: Clock,
    pub resolution: Clock,
    /// Wall-clock seconds the resolution clock was paused (pending, or resolved and reopened).
    pub paused_s: i64,
}

/// The clocks of a ticket of `priority` whose status moved as `timeline` says (the first
/// entry its creation as `new`, then each move in order), at `now`.
pub fn clocks(policy: &SlaPolicy, priority: Priority, timeline: &[(i64, Status)], now: i64) -> Clocks {
    let i = priority.index();
    let kind = policy.kinds[i];
    let cal = &policy.calendar;
    let created = timeline.first().map(|(t, _)| *t).unwrap_or(now);
    let end_of = |k: usize| timeline.get(k + 1).map(|(t, _)| *t).unwrap_or(now).max(timeline[k].0);

    // Response: runs from creation until the ticket leaves `new`.
    let left_new = timeline.iter().find(|(_, s)| *s != Status::New).copied();
    let response_stop = left_new.map(|(t, _)| t);
    let response_used = cal.counted(kind, created, response_stop.unwrap_or(now).max(created));
    let response_met = match left_new {
        Some((_, Status::Cancelled)) => None,
        Some(_) => Some(response_used <= policy.response[i]),
        None => None,
    };
    let response = Clock {
        due: cal.after(kind, created, policy.response[i]),
        used_s: response_used,
        target_s: policy.response[i],
        met: response_met,
        running: left_new.is_none(),
        paused: false,
    };

    // Resolution: runs while new, acknowledged or in progress; pauses while pending (or
    // resolved, when reopened later); stops at the last resolve, close or cancel.
    let mut used = 0;
    let mut paused_counted = 0;
    let mut paused_s = 0;
    let last = timeline.len().saturating_sub(1);
    for (k, (start, status)) in timeline.iter().enumerate() {
        let end = end_of(k);
        match status {
            Status::New | Status::Acknowledged | Status::InProgress => used += cal.counted(kind, *start, end),
            Status::Pending => {
                paused_counted += cal.counted(kind, *start, end);
                paused_s += end - start;
            }
            Status::Resolved if k < last => {
                paused_counted += cal.counted(kind, *start, end);
                paused_s += end - start;
            }
            Status::Resolved | Status::Closed | Status::Cancelled => {}
        }
    }
    let current = timeline.last().map(|(_, s)| *s).unwrap_or(Status::New);
    let stopped = matches!(current, Status::Resolved | Status::Closed | Status::Cancelled);
    let cancelled_unresolved =
        current == Status::Cancelled && !timeline.iter().any(|(_, s)| *s == Status::Resolved);
    let resolution_met = match (stopped, cancelled_unresolved) {
        (true, false) => Some(used <= policy.resolution[i]),
        _ => None,
    };
    let resolution = Clock {
        due: cal.after(kind, created, policy.resolution[i].saturating_add(paused_counted)),
        used_s: used,
        target_s: policy.resolution[i],
        met: resolution_met,
        running: !stopped && current != Status::Pending,
        paused: current == Status::Pending,
    };
    Clocks { response, resolution, paused_s }
}

/// The queue's order, most urgent first: a running clock's time left at `now` (overdue is
/// negative), then priority, then age; then the tickets whose clock is paused (pending), by
/// priority; then those whose clocks stopped, newest first. Sort with `sort_by_cached_key`: the
/// clocks are worth computing once a ticket.
pub fn urgency_key(c: &Clocks, priority: Priority, created_at: i64, now: i64) -> (i64, i64, usize, i64) {
    let left =
        [c.response, c.resolution].iter().filter(|k| k.running).filter_map(|k| k.due.map(|d| d - now)).min();
    match left {
        Some(left) => (0, left, priority.index(), created_at),
        None if c.resolution.paused => (1, 0, priority.index(), created_at),
        None => (2, 0, priority.index(), -created_at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unix seconds of a China Standard Time moment.
    fn cst(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .unwrap()
            .timestamp()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn round_the_clock_counts_every_second() {
        let policy = SlaPolicy::default();
        let t0 = cst(2026, 11, 27, 1, 0);
        let c = clocks(&policy, Priority::P1, &[(t0, Status::New)], t0 + 600);
        assert_eq!(c.response.due, Some(t0 + 900));
        assert_eq!((c.response.used_s, c.response.met, c.response.running), (600, None, true));
        assert!((c.response.fraction() - 600.0 / 900.0).abs() < 1e-9);
        assert_eq!(c.resolution.due, Some(t0 + 4 * 3600));
        let late = clocks(&policy, Priority::P1, &[(t0, Status::New)], t0 + 1000);
        assert!(late.response.breached());
    }

    #[test]
    fn acknowledging_stops_the_response_clock_and_pending_pauses_resolution() {
        let policy = SlaPolicy::default();
        let t0 = cst(2026, 11, 27, 1, 0);
        let timeline = [
            (t0, Status::New),
            (t0 + 300, Status::Acknowledged),
            (t0 + 600, Status::InProgress),
            (t0 + 3600, Status::Pending),
            (t0 + 3 * 3600, Status::InProgress),
        ];
        let c = clocks(&policy, Priority::P1, &timeline, t0 + 4 * 3600);
        assert_eq!((c.response.used_s, c.response.met), (300, Some(true)));
        // Ran 1 h, paused 2 h, ran 1 h more: 2 h of 4 used, due 2 h later than unpaused.
        assert_eq!(c.resolution.used_s, 2 * 3600);
        assert_eq!(c.paused_s, 2 * 3600);
        assert_eq!(c.resolution.due, Some(t0 + 6 * 3600));
        assert!(c.resolution.running && !c.resolution.paused);
        // Resolved at 5 h: 3 h used, met; the clock stops.
        let mut done = timeline.to_vec();
        done.push((t0 + 5 * 3600, Status::Resolved));
        let c = clocks(&policy, Priority::P1, &done, t0 + 50 * 3600);
        assert_eq!(
            (c.resolution.used_s, c.resolution.met, c.resolution.running),
            (3 * 3600, Some(true), false)
        );
    }

    #[test]
    fn a_paused_clock_stands_still_and_its_due_moves_with_the_pause() {
        let policy = SlaPolicy::default();
        let t0 = cst(2026, 11, 27, 1, 0);
        let timeline = [(t0, Status::New), (t0 + 60, Status::Acknowledged), (t0 + 120, Status::Pending)];
        let a = clocks(&policy, Priority::P2, &timeline, t0 + 3600);
        let b = clocks(&policy, Priority::P2, &timeline, t0 + 7200);
        assert_eq!(a.resolution.used_s, 120);
        assert_eq!(b.resolution.used_s, 120);
        assert!(a.resolution.paused && !a.resolution.running);
        assert_eq!(b.resolution.due.unwrap() - a.resolution.due.unwrap(), 3600);
        assert_eq!(b.paused_s, 7200 - 120);
    }

    #[test]
    fn reopening_counts_the_resolved_spell_as_a_pause() {
        let policy = SlaPolicy::default();
        let t0 = cst(2026, 11, 27, 1, 0);
        let timeline = [
            (t0, Status::New),
            (t0 + 60, Status::Acknowledged),
            (t0 + 120, Status::InProgress),
            (t0 + 3600, Status::Resolved),
            (t0 + 5 * 3600, Status::InProgress),
            (t0 + 6 * 3600, Status::Resolved),
        ];
        let c = clocks(&policy, Priority::P1, &timeline, t0 + 9 * 3600);
        assert_eq!(c.resolution.used_s, 3600 + 3600);
        assert_eq!(c.paused_s, 4 * 3600);
        assert_eq!(c.resolution.met, Some(true));
    }

    #[test]
    fn cancelled_before_acknowledgement_meets_no_clock() {
        let policy = SlaPolicy::default();
        let t0 = cst(2026, 11, 27, 1, 0);
        let c =
            clocks(&policy, Priority::P1, &[(t0, Status::New), (t0 + 5000, Status::Cancelled)], t0 + 9000);
        assert_eq!((c.response.met, c.resolution.met), (None, None));
        assert!(!c.response.running && !c.resolution.running);
        assert!(!c.response.breached() || c.response.met.is_none());
    }

    #[test]
    fn working_hours_skip_nights_weekends_and_holidays_and_count_exchanged_workdays() {
        let policy = SlaPolicy { kinds: [CalendarKind::Workdays; 4], ..Default::default() };
        // Friday 2026-09-25 17:00: one working hour left that day.
        let fri = cst(2026, 9, 25, 17, 0);
        let cal = &policy.calendar;
        // P3 response, 2 h: 1 h on Friday, then Monday 09:00 + 1 h.
        assert_eq!(cal.after(CalendarKind::Workdays, fri, 2 * 3600), Some(cst(2026, 9, 28, 10, 0)));
        // With Monday a holiday, Tuesday; with Sunday worked in exchange, Sunday.
        let mut with_holiday = cal.clone();
        with_holiday.holidays.insert(date(2026, 9, 28));
        assert_eq!(with_holiday.after(CalendarKind::Workdays, fri, 2 * 3600), Some(cst(2026, 9, 29, 10, 0)));
        let mut exchanged = with_holiday.clone();
        exchanged.workdays.insert(date(2026, 9, 27));
        assert_eq!(exchanged.after(CalendarKind::Workdays, fri, 2 * 3600), Some(cst(2026, 9, 27, 10, 0)));
        // Counted seconds agree with `after`.
        let due = exchanged.after(CalendarKind::Workdays, fri, 2 * 3600).unwrap();
        assert_eq!(exchanged.counted(CalendarKind::Workdays, fri, due), 2 * 3600);
        // A call at night starts counting at 09:00.
        let night = cst(2026, 9, 29, 2, 30);
        assert_eq!(cal.after(CalendarKind::Workdays, night, 0), Some(cst(2026, 9, 29, 9, 0)));
        assert_eq!(cal.counted(CalendarKind::Workdays, night, cst(2026, 9, 29, 9, 30)), 1800);
    }

    #[test]
    fn the_national_day_week_on_a_workdays_clock() {
        // 2026: 1-7 October off, Saturday 10 October worked in exchange (as an example table).
        let mut policy = SlaPolicy { kinds: [CalendarKind::Workdays; 4], ..Default::default() };
        for d in 1..=7 {
            policy.calendar.holidays.insert(date(2026, 10, d));
        }
        policy.calendar.workdays.insert(date(2026, 10, 10));
        let t0 = cst(2026, 9, 30, 17, 30);
        // P4 resolution 72 h = 8 working days: 0.5 h on 30 Sep, none 1-7 Oct, 9 h each on
        // 8, 9, 10 (the exchanged Saturday), 12-16 Oct: 72 h at 17:30 on Friday 16 Oct.
        let c = clocks(&policy, Priority::P4, &[(t0, Status::New)], t0);
        let due = c.resolution.due.unwrap();
        assert_eq!(policy.calendar.counted(CalendarKind::Workdays, t0, due), 72 * 3600);
        assert_eq!(policy.calendar.counted(CalendarKind::Workdays, t0, cst(2026, 10, 8, 9, 0)), 1800);
        assert_eq!(due, cst(2026, 10, 16, 17, 30));
    }

    #[test]
    fn a_calendar_without_working_days_gives_no_due_instead_of_looping() {
        let mut cal = Calendar::default();
        cal.day_end = cal.day_start;
        assert_eq!(cal.after(CalendarKind::Workdays, 0, 60), None);
        assert_eq!(cal.counted(CalendarKind::Workdays, 0, 86_400 * 30), 0);
    }
}
