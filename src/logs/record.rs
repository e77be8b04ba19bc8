//! Timestamps, severities and multi-line records.
//!
//! [`parse_timestamp`] recognises the time a line starts with, in the formats found on the
//! servers this console watches:
//!
//! | format | example |
//! |---|---|
//! | ISO 8601 / RFC 3339, also with `/` or a space | `2026-11-27T03:04:05.123+08:00`, `2026-11-27 03:04:05` |
//! | Java / log4j | `2026-11-27 03:04:05,123`, `[2026-11-27 03:04:05,123]` |
//! | syslog (RFC 3164, no year) | `Nov 27 03:04:05`, `Feb  7 16:01:07`, after a `<13>` priority |
//! | RFC 5424 syslog | `<38>1 2019-07-08T17:40:16.954167-04:00 …` |
//! | nginx / apache access log | `… - - [27/Nov/2026:03:04:05 +0800] "GET …` (`[` in the first 100 bytes) |
//! | Oracle alert log | `Fri Nov 27 03:04:05 2026`, 12c+: `2026-11-27T03:04:05.123456+08:00` |
//!
//! A time without an offset is local time in the offset of the `now` passed in. A syslog time
//! has no year: it gets the latest year that puts it no more than a day after `now`.
//!
//! [`severity`] finds the level a line states (see its documentation), and [`RecordBuilder`]
//! groups lines into records: a line without a timestamp belongs to the record above it, as the
//! lines of a Java stack trace do.

use std::ops::Range;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};

/// The default bound on the lines of one record (see [`RecordBuilder::with_max_lines`]).
pub const MAX_RECORD_LINES: usize = 10_000;

/// How far into a line the severity is looked for, in bytes.
const SEVERITY_SCAN: usize = 256;

/// How far into a line an access log's `[` is looked for.
const BRACKET_SCAN: usize = 100;

/// The time a line starts with (possibly after a short prefix such as `[`, a syslog priority
/// `<13>`, or the client address of an access log), and its byte range in `line`.
pub fn parse_timestamp(
    line: &str,
    now: DateTime<FixedOffset>,
) -> Option<(DateTime<FixedOffset>, Range<usize>)> {
    let b = line.as_bytes();
    let mut start = 0;
    while start < b.len() && start < 8 && (b[start] == b' ' || b[start] == b'\t') {
        start += 1;
    }
    if let Some(found) = parse_at(b, start, now) {
        return Some(found);
    }
    match b.get(start) {
        Some(b'[' | b'(') => {
            if let Some(found) = parse_at(b, start + 1, now) {
                return Some(found);
            }
        }
        Some(b'<') => {
            // A syslog priority `<13>`, then perhaps the RFC 5424 version `1 `.
            let mut c = Cursor { b, i: start + 1 };
            if c.number(1, 3).is_some() && c.eat(b'>') {
                if let Some(found) = parse_at(b, c.i, now) {
                    return Some(found);
                }
                if c.number(1, 2).is_some() && c.eat(b' ') {
                    if let Some(found) = parse_at(b, c.i, now) {
                        return Some(found);
                    }
                }
            }
        }
        _ => {}
    }
    // An access log: `1.2.3.4 - user [27/Nov/2026:03:04:05 +0800] "GET / HTTP/1.1" …`.
    let head = &b[..b.len().min(BRACKET_SCAN)];
    let open = head.iter().position(|&c| c == b'[')?;
    if open <= start {
        return None; // already tried right after it
    }
    parse_at(b, open + 1, now)
}

/// Tries every format at byte `i`.
fn parse_at(b: &[u8], i: usize, now: DateTime<FixedOffset>) -> Option<(DateTime<FixedOffset>, Range<usize>)> {
    let first = *b.get(i)?;
    let found = if first.is_ascii_digit() {
        iso(b, i, now).or_else(|| clf(b, i, now))
    } else if first.is_ascii_uppercase() {
        syslog(b, i, now)
    } else {
        None
    }?;
    // The time must not run on into more digits (`2026-11-27 03:04:0512`).
    if b.get(found.1.end).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some(found)
}

/// A byte cursor for the hand-written parsers.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn eat_any(&mut self, set: &[u8]) -> Option<u8> {
        let c = self.peek().filter(|c| set.contains(c))?;
        self.i += 1;
        Some(c)
    }

    /// A decimal number of `min..=max` digits (greedy).
    fn number(&mut self, min: usize, max: usize) -> Option<u32> {
        let from = self.i;
        let mut n: u32 = 0;
        while self.i - from < max {
            match self.peek() {
                Some(c @ b'0'..=b'9') => {
                    n = n * 10 + u32::from(c - b'0');
                    self.i += 1;
                }
                _ => break,
            }
        }
        if self.i - from < min {
            self.i = from;
            return None;
        }
        Some(n)
    }

    /// `HH:MM:SS` with an optional `.fff` / `,fff` fraction (1–9 digits).
    fn time(&mut self) -> Option<NaiveTime> {
        let h = self.number(2, 2)?;
        let m = (self.eat(b':')).then(|| self.number(2, 2))??;
        let s = (self.eat(b':')).then(|| self.number(2, 2))??;
        let mut nanos = 0;
        if matches!(self.peek(), Some(b'.' | b',')) && self.b.get(self.i + 1).is_some_and(u8::is_ascii_digit)
        {
            self.i += 1;
            let from = self.i;
            let frac = self.number(1, 9)?;
            nanos = frac * 10u32.pow(9 - (self.i - from) as u32);
            // Ignore digits past nanoseconds.
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.i += 1;
            }
        }
        NaiveTime::from_hms_nano_opt(h, m, s.min(59), nanos)
    }

    /// `Z`, `+08:00`, `+0800` or `+08`, directly or after one space (not `Z` then).
    fn offset(&mut self) -> Option<FixedOffset> {
        let save = self.i;
        if self.eat(b'Z') {
            return FixedOffset::east_opt(0);
        }
        let spaced = self.eat(b' ');
        let parsed = (|| {
            let sign = match self.eat_any(b"+-")? {
                b'+' => 1,
                _ => -1,
            };
            let h = self.number(2, 2)?;
            let m = if self.eat(b':') || spaced {
                // After a space only the full forms: `-12 items` is not an offset.
                self.number(2, 2)?
            } else {
                self.number(2, 2).unwrap_or(0)
            };
            if h > 14 || m > 59 {
                return None;
            }
            FixedOffset::east_opt(sign * (h * 3600 + m * 60) as i32)
        })();
        if parsed.is_none() || (spaced && self.peek().is_some_and(|c| c.is_ascii_alphanumeric())) {
            self.i = save;
            return None;
        }
        parsed
    }

    fn month_name(&mut self) -> Option<u32> {
        const MONTHS: [&[u8; 3]; 12] =
            [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];
        let word = self.b.get(self.i..self.i + 3)?;
        let month = MONTHS.iter().position(|m| &m[..] == word)?;
        self.i += 3;
        Some(month as u32 + 1)
    }
}

/// Attaches an offset: the parsed one, else `now`'s.
fn at_offset(
    naive: NaiveDateTime,
    offset: Option<FixedOffset>,
    now: DateTime<FixedOffset>,
) -> Option<DateTime<FixedOffset>> {
    naive.and_local_timezone(offset.unwrap_or(*now.offset())).single()
}

/// `2026-11-27T03:04:05.123+08:00`, `2026-11-27 03:04:05,123`, `2026/11/27 03:04:05`.
fn iso(b: &[u8], i: usize, now: DateTime<FixedOffset>) -> Option<(DateTime<FixedOffset>, Range<usize>)> {
    let mut c = Cursor { b, i };
    let year = c.number(4, 4)?;
    let sep = c.eat_any(b"-/")?;
    let month = c.number(2, 2)?;
    c.eat(sep).then_some(())?;
    let day = c.number(2, 2)?;
    c.eat_any(b"T ")?;
    let time = c.time()?;
    let offset = c.offset();
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    Some((at_offset(date.and_time(time), offset, now)?, i..c.i))
}

/// nginx / apache: `27/Nov/2026:03:04:05 +0800`.
fn clf(b: &[u8], i: usize, now: DateTime<FixedOffset>) -> Option<(DateTime<FixedOffset>, Range<usize>)> {
    let mut c = Cursor { b, i };
    let day = c.number(2, 2)?;
    c.eat(b'/').then_some(())?;
    let month = c.month_name()?;
    c.eat(b'/').then_some(())?;
    let year = c.number(4, 4)?;
    c.eat(b':').then_some(())?;
    let time = c.time()?;
    let offset = c.offset();
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    Some((at_offset(date.and_time(time), offset, now)?, i..c.i))
}

/// syslog `Nov 27 03:04:05`, `Feb  7 16:01:07`; Oracle / date(1) `Fri Nov 27 03:04:05 [CST ]2026`.
fn syslog(b: &[u8], i: usize, now: DateTime<FixedOffset>) -> Option<(DateTime<FixedOffset>, Range<usize>)> {
    const WEEKDAYS: [&[u8; 4]; 7] = [b"Mon ", b"Tue ", b"Wed ", b"Thu ", b"Fri ", b"Sat ", b"Sun "];
    let mut c = Cursor { b, i };
    if b.get(i..i + 4).is_some_and(|w| WEEKDAYS.iter().any(|d| &d[..] == w)) {
        c.i += 4;
    }
    let month = c.month_name()?;
    c.eat(b' ').then_some(())?;
    c.eat(b' ');
    let day = c.number(1, 2)?;
    c.eat(b' ').then_some(())?;
    let time = c.time()?;
    let end_of_time = c.i;
    // An explicit year, perhaps after a zone name: `2026`, `CST 2026`.
    let mut year = None;
    if c.eat(b' ') {
        let zone_from = c.i;
        while c.peek().is_some_and(|ch| ch.is_ascii_uppercase()) && c.i - zone_from < 5 {
            c.i += 1;
        }
        let zone_ok = c.i == zone_from || (c.i - zone_from >= 3 && c.eat(b' '));
        if zone_ok {
            if let Some(y) = c.number(4, 4).filter(|y| (1970..=2100).contains(y)) {
                if !c.peek().is_some_and(|ch| ch.is_ascii_alphanumeric()) {
                    year = Some((y, c.i));
                }
            }
        }
    }
    match year {
        Some((y, end)) => {
            let date = NaiveDate::from_ymd_opt(y as i32, month, day)?;
            Some((at_offset(date.and_time(time), None, now)?, i..end))
        }
        None => {
            let latest = now + Duration::days(1);
            (now.year() - 8..=now.year() + 1)
                .rev()
                .find_map(|y| {
                    let date = NaiveDate::from_ymd_opt(y, month, day)?;
                    at_offset(date.and_time(time), None, now).filter(|dt| *dt <= latest)
                })
                .map(|dt| (dt, i..end_of_time))
        }
    }
}

/// The severity a log line states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Trace,
    Debug,
    Info,
    Notice,
    Warn,
    Error,
    Fatal,
}

/// The severity stated in the first 256 bytes of `line`; the first word that names one wins
/// (so `WARN … Error in fetch` is a warning).
///
/// - Level words in capitals, as log4j, java.util.logging, syslog and most frameworks write
///   them: `TRACE`, `FINEST`/`FINER` (trace), `DEBUG`/`FINE`, `INFO`, `NOTICE`, `WARN`/`WARNING`,
///   `ERROR`/`ERR`/`SEVERE`, `FATAL`/`CRITICAL`/`CRIT`/`ALERT`/`EMERG`/`PANIC`.
/// - The alarming ones also in lower case or capitalised (`error:`, `Warning`, `panic:`,
///   `fatal`, `critical`, `severe`), as sshd, the kernel and Go write them; `info` and `debug` in
///   lower case are ordinary words and are not taken.
/// - Oracle errors `ORA-nnnnn`: an error (`ORA-00600` and `ORA-07445`, internal errors, fatal).
/// - Chinese: 致命 (fatal), 严重 / 错误 / 异常 (error), 警告 (warning).
///
/// Words are runs of ASCII letters and digits; `ERRORS`, `LOG_ERROR` or `terror` are not levels.
pub fn severity(line: &str) -> Option<Severity> {
    let b = line.as_bytes();
    let end = b.len().min(SEVERITY_SCAN);
    let mut i = 0;
    while i < end {
        let c = b[i];
        if c.is_ascii_alphabetic() {
            let from = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            if from > 0 && b[from - 1] == b'_' {
                continue;
            }
            let word = &b[from..i];
            if let Some(level) = level_word(word) {
                return Some(level);
            }
            if word == b"ORA" && b.get(i) == Some(&b'-') {
                let code = b.get(i + 1..i + 6).filter(|d| d.iter().all(u8::is_ascii_digit));
                if let Some(code) = code {
                    return Some(if code == b"00600" || code == b"07445" {
                        Severity::Fatal
                    } else {
                        Severity::Error
                    });
                }
            }
        } else if c >= 0xE4 {
            // Three-byte UTF-8 CJK characters.
            let level = match b.get(i..i + 6) {
                Some(w) if w == "致命".as_bytes() => Some(Severity::Fatal),
                Some(w) if w == "严重".as_bytes() || w == "错误".as_bytes() || w == "异常".as_bytes() => {
                    Some(Severity::Error)
                }
                Some(w) if w == "警告".as_bytes() => Some(Severity::Warn),
                _ => None,
            };
            if level.is_some() {
                return level;
            }
            i += 1;
        } else {
            i += 1;
        }
    }
    None
}

fn level_word(word: &[u8]) -> Option<Severity> {
    use Severity::*;
    Some(match word {
        b"TRACE" | b"FINEST" | b"FINER" => Trace,
        b"DEBUG" | b"FINE" => Debug,
        b"INFO" => Info,
        b"NOTICE" => Notice,
        b"WARN" | b"WARNING" | b"warn" | b"warning" | b"Warn" | b"Warning" => Warn,
        b"ERROR" | b"ERR" | b"SEVERE" | b"error" | b"Error" | b"severe" | b"Severe" => Error,
        b"FATAL" | b"CRITICAL" | b"CRIT" | b"ALERT" | b"EMERG" | b"PANIC" | b"fatal" | b"Fatal"
        | b"critical" | b"Critical" | b"panic" | b"Panic" => Fatal,
        _ => return None,
    })
}

/// One log record: a line with a timestamp and the lines after it that have none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    pub ts: Option<DateTime<FixedOffset>>,
    pub severity: Option<Severity>,
    pub lines: Vec<String>,
    /// The indices (into `lines`, ascending) of lines cut at the length limit: what the line
    /// went on with is not all there (the next line holds the next piece, when it was read).
    /// Views mark them; filters and searches see the text alone.
    pub cut: Vec<usize>,
}

impl Record {
    /// A record of its own, as a journal entry is: its time and severity known, its lines given.
    pub fn whole(
        ts: Option<DateTime<FixedOffset>>,
        severity: Option<Severity>,
        lines: Vec<String>,
    ) -> Record {
        Record { ts, severity, lines, cut: Vec::new() }
    }

    /// The lines joined with `\n`, as filters and searches see the record.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// Whether line `i` was cut at the length limit.
    pub fn is_cut(&self, i: usize) -> bool {
        !self.cut.is_empty() && self.cut.binary_search(&i).is_ok()
    }
}

/// Groups the lines of one source into [`Record`]s.
///
/// A line with a timestamp starts a new record; a line without one joins the record above (a
/// stack trace's `\tat …`, `Caused by: …`, `... 12 more`). A first line without a timestamp
/// starts a record of its own. A record is bounded to [`MAX_RECORD_LINES`] lines (or
/// [`with_max_lines`](Self::with_max_lines)): the lines after that start a continuation record
/// that carries the same timestamp, so a runaway file cannot grow one record without end and no
/// line is lost. The severity is the first line's, or else the first one a later line states.
#[derive(Debug, Clone)]
pub struct RecordBuilder {
    now: DateTime<FixedOffset>,
    max_lines: usize,
    current: Option<Record>,
}

impl RecordBuilder {
    /// A builder reading syslog times (which have no year) relative to `now`, and local times in
    /// `now`'s offset.
    pub fn new(now: DateTime<FixedOffset>) -> RecordBuilder {
        RecordBuilder { now, max_lines: MAX_RECORD_LINES, current: None }
    }

    /// Bounds the lines of one record (at least 1).
    pub fn with_max_lines(mut self, max_lines: usize) -> RecordBuilder {
        self.max_lines = max_lines.max(1);
        self
    }

    /// Moves the reference time on (a follower should do so now and then).
    pub fn set_now(&mut self, now: DateTime<FixedOffset>) {
        self.now = now;
    }

    /// Adds a line; returns the previous record when this line starts a new one.
    pub fn push(&mut self, line: String) -> Option<Record> {
        let ts = parse_timestamp(&line, self.now).map(|(ts, _)| ts);
        if ts.is_none() {
            if let Some(current) = self.current.as_mut() {
                if current.lines.len() < self.max_lines {
                    if current.severity.is_none() {
                        current.severity = severity(&line);
                    }
                    current.lines.push(line);
                    return None;
                }
            }
        }
        let ts = ts.or_else(|| self.current.as_ref().and_then(|r| r.ts));
        let record = Record { ts, severity: severity(&line), lines: vec![line], cut: Vec::new() };
        self.current.replace(record)
    }

    /// Adds a piece of a line cut at the length limit: grouped as [`push`](Self::push) groups
    /// a line (so the pieces after the first, which have no timestamp, stay in the record and
    /// carry its time), and marked as cut.
    pub fn push_cut(&mut self, piece: String) -> Option<Record> {
        let done = self.push(piece);
        if let Some(current) = self.current.as_mut() {
            current.cut.push(current.lines.len() - 1);
        }
        done
    }

    /// Returns the record being built, if any (at the end of the input, or when a follower has
    /// waited long enough for more lines).
    pub fn flush(&mut self) -> Option<Record> {
        self.current.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::{read_fixture, shared_data};

    #[test]
    fn cut_pieces_stay_in_their_record_with_its_time_and_are_marked() {
        let mut b = RecordBuilder::new(now());
        assert_eq!(b.push("2026-11-27 03:00:00 INFO before".into()).map(|r| r.lines.len()), None);
        let first = b.push_cut("2026-11-27 03:00:01 ERROR payload=xxxx".into()).unwrap();
        assert_eq!(first.lines, ["2026-11-27 03:00:00 INFO before"]);
        // The second piece happens to start like a date: still marked, still timed.
        assert!(b.push_cut("xxxxxxxxxxxx".into()).is_none());
        assert!(b.push("xxxx end".into()).is_none());
        let r = b.push("2026-11-27 03:00:05 INFO after".into()).unwrap();
        assert_eq!(r.lines.len(), 3);
        assert_eq!(r.cut, [0, 1]);
        assert!(r.is_cut(0) && r.is_cut(1) && !r.is_cut(2));
        assert_eq!(r.ts, Some(t("2026-11-27T03:00:01+08:00")));
        assert_eq!(r.severity, Some(Severity::Error));
        // A piece cut past the record's line bound starts a continuation with the same time.
        let mut b = RecordBuilder::new(now()).with_max_lines(1);
        b.push("2026-11-27 03:00:01 INFO a".into());
        let r = b.push_cut("piece".into()).unwrap();
        assert!(r.cut.is_empty());
        let cont = b.flush().unwrap();
        assert_eq!((cont.ts, cont.cut), (r.ts, vec![0]));
    }

    fn t(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn now() -> DateTime<FixedOffset> {
        t("2026-11-27T12:00:00+08:00")
    }

    fn ts(line: &str) -> Option<(String, Range<usize>)> {
        parse_timestamp(line, now()).map(|(dt, r)| (dt.to_rfc3339(), r))
    }

    #[test]
    fn iso_and_java_forms() {
        assert_eq!(
            ts("2026-11-27T03:04:05.123+08:00 x"),
            Some(("2026-11-27T03:04:05.123+08:00".into(), 0..29))
        );
        assert_eq!(ts("2026-11-27 03:04:05 INFO"), Some(("2026-11-27T03:04:05+08:00".into(), 0..19)));
        assert_eq!(
            ts("2026-11-27 03:04:05,123 ERROR x"),
            Some(("2026-11-27T03:04:05.123+08:00".into(), 0..23))
        );
        assert_eq!(
            ts("[2026-11-27 03:04:05,123] WARN"),
            Some(("2026-11-27T03:04:05.123+08:00".into(), 1..24))
        );
        assert_eq!(ts("2026-11-27T03:04:05Z"), Some(("2026-11-27T03:04:05+00:00".into(), 0..20)));
        assert_eq!(ts("2026-11-27T03:04:05-0500"), Some(("2026-11-27T03:04:05-05:00".into(), 0..24)));
        assert_eq!(ts("2026/11/27 03:04:05 +0800 git"), Some(("2026-11-27T03:04:05+08:00".into(), 0..25)));
        // Oracle 12c+ alert log, microseconds.
        assert_eq!(
            ts("2026-11-27T03:04:05.123456+08:00"),
            Some(("2026-11-27T03:04:05.123456+08:00".into(), 0..32))
        );
        // A space then something that is not an offset is not part of the time.
        assert_eq!(ts("2026-11-27 03:04:05 -- note"), Some(("2026-11-27T03:04:05+08:00".into(), 0..19)));
        assert_eq!(ts("2026-11-27 03:04:05 -12 items"), Some(("2026-11-27T03:04:05+08:00".into(), 0..19)));
        assert_eq!(ts("2026-11-27T03:04:05+05 x"), Some(("2026-11-27T03:04:05+05:00".into(), 0..22)));
    }

    #[test]
    fn not_timestamps() {
        for line in [
            "",
            "\tat kafka.Foo.bar(Foo.scala:12)",
            "Caused by: java.io.IOException",
            "... 12 more",
            "2026-13-01 03:04:05 bad month",
            "2026-02-30 03:04:05 bad day",
            "2026-11-27 25:04:05 bad hour",
            "2026-11-27 03:04:0512",
            "2026-11-27",
            "Nov 31 03:04:05 host x",
            "Novel 27 03:04:05",
            "12345 - - not a time",
        ] {
            assert_eq!(ts(line), None, "{line:?}");
        }
    }

    #[test]
    fn syslog_picks_the_year() {
        assert_eq!(ts("Nov 27 03:04:05 host sshd[1]: x"), Some(("2026-11-27T03:04:05+08:00".into(), 0..15)));
        // Up to a day ahead of now is this year; more is last year.
        assert_eq!(ts("Nov 28 11:00:00 h").unwrap().0, "2026-11-28T11:00:00+08:00");
        assert_eq!(ts("Nov 28 13:00:00 h").unwrap().0, "2025-11-28T13:00:00+08:00");
        assert_eq!(ts("Feb  7 16:01:07 h").unwrap().0, "2026-02-07T16:01:07+08:00");
        assert_eq!(ts("Feb 7 16:01:07 h").unwrap().0, "2026-02-07T16:01:07+08:00");
        // Feb 29 goes back to the last leap year.
        assert_eq!(ts("Feb 29 01:02:03 h").unwrap().0, "2024-02-29T01:02:03+08:00");
        // New Year: on Dec 31 a line from Jan 1 shortly after midnight (clock skew) is next year.
        let eve = t("2026-12-31T23:30:00+08:00");
        assert_eq!(
            parse_timestamp("Jan  1 00:10:00 h", eve).unwrap().0.to_rfc3339(),
            "2027-01-01T00:10:00+08:00"
        );
        // A syslog priority.
        assert_eq!(ts("<13>Nov 27 03:04:05 host x").unwrap().1, 4..19);
    }

    #[test]
    fn oracle_alert_log_and_access_log() {
        assert_eq!(ts("Fri Nov 27 03:04:05 2026"), Some(("2026-11-27T03:04:05+08:00".into(), 0..24)));
        assert_eq!(ts("Thu Nov 27 03:04:05 CST 2025").unwrap().0, "2025-11-27T03:04:05+08:00");
        assert_eq!(
            ts(r#"10.0.0.1 - alice [27/Nov/2026:03:04:05 +0800] "GET / HTTP/1.1" 200 5"#),
            Some(("2026-11-27T03:04:05+08:00".into(), 18..44))
        );
        assert_eq!(ts("27/Nov/2026:03:04:05 -0700").unwrap().0, "2026-11-27T03:04:05-07:00");
    }

    #[test]
    fn fixture_apache_access_log() {
        if !shared_data("fixture_apache_access_log") {
            return;
        }
        let log = read_fixture("logs/apache-access-combined-2015.log");
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(lines.len(), 2000);
        let (first, range) = parse_timestamp(lines[0], now()).unwrap();
        assert_eq!(first.to_rfc3339(), "2015-05-17T10:05:03+00:00");
        assert_eq!(&lines[0][range], "17/May/2015:10:05:03 +0000");
        let last = parse_timestamp(lines[1999], now()).unwrap().0;
        assert_eq!(last.to_rfc3339(), "2015-05-18T03:05:01+00:00");
        assert!(lines.iter().all(|l| parse_timestamp(l, now()).is_some()));
        assert!(lines.iter().all(|l| severity(l).is_none() || l.contains("rror") || l.contains("arn")));
    }

    #[test]
    fn fixture_log4j_stack_traces_make_records() {
        if !shared_data("fixture_log4j_stack_traces_make_records") {
            return;
        }
        let log = read_fixture("logs/java-kafka-server-log4j-stacktraces.log");
        let mut builder = RecordBuilder::new(now());
        let mut records = Vec::new();
        for line in log.lines() {
            records.extend(builder.push(line.to_string()));
        }
        records.extend(builder.flush());
        assert_eq!(records.iter().map(|r| r.lines.len()).sum::<usize>(), log.lines().count());
        assert_eq!(records.len(), 426);
        let first = &records[0];
        assert_eq!(first.ts.unwrap().to_rfc3339(), "2016-12-19T20:51:20.700+08:00");
        assert_eq!(first.severity, Some(Severity::Warn));
        assert_eq!(first.lines.len(), 16);
        assert!(first.lines[1].starts_with("java.io.IOException: Connection to 0 was disconnected"));
        assert!(first.lines[15].starts_with("\tat kafka.utils.ShutdownableThread.run"));
        let count = |s| records.iter().filter(|r| r.severity == Some(s)).count();
        assert_eq!((count(Severity::Info), count(Severity::Warn), count(Severity::Error)), (421, 2, 3));
        assert!(records.iter().all(|r| r.ts.is_some()));
    }

    #[test]
    fn fixture_openssh_and_syslog() {
        if !shared_data("fixture_openssh_and_syslog") {
            return;
        }
        let log = read_fixture("logs/openssh-auth-ubuntu-ec2-2017.log");
        let now = t("2017-04-01T00:00:00+00:00");
        let first = parse_timestamp(log.lines().next().unwrap(), now).unwrap();
        assert_eq!(first, (t("2017-03-27T13:06:56+00:00"), 0..15));
        assert!(log.lines().all(|l| parse_timestamp(l, now).is_some()));
        let errors = log.lines().filter(|l| severity(l) == Some(Severity::Error)).count();
        assert_eq!(errors, log.lines().filter(|l| l.contains(": error: ")).count());
        assert!(errors > 0);

        let syslog = read_fixture("logs/syslog-centos5-sysklogd.log");
        let now = t("2011-12-31T00:00:00+08:00");
        let first = parse_timestamp(syslog.lines().next().unwrap(), now).unwrap().0;
        assert_eq!(first, t("2011-04-28T04:02:03+08:00"));
        assert!(syslog.lines().all(|l| parse_timestamp(l, now).is_some()));
    }

    #[test]
    fn syslog_year_is_the_latest_not_in_the_future() {
        // The same day seen from the day before it: still 2017; from two days before: 2016.
        let line = "Mar 27 13:06:56 ip-10-77-20-248 sshd[1291]: x";
        assert_eq!(
            parse_timestamp(line, t("2017-03-27T00:00:00+00:00")).unwrap().0,
            t("2017-03-27T13:06:56Z")
        );
        assert_eq!(
            parse_timestamp(line, t("2017-03-25T00:00:00+00:00")).unwrap().0,
            t("2016-03-27T13:06:56Z")
        );
    }

    #[test]
    fn fixture_fail2ban_annotated_times() {
        if !shared_data("fixture_fail2ban_annotated_times") {
            return;
        }
        // Each `# failJSON: { "time": "…" }` comment gives the time of the line below it.
        let log = read_fixture("logs/openssh-auth-fail2ban-annotated.log");
        let lines: Vec<&str> = log.lines().collect();
        let mut checked = 0;
        for pair in lines.windows(2) {
            let Some(at) = pair[0].find("\"time\": \"") else { continue };
            let expected = &pair[0][at + 9..at + 28];
            if pair[1].starts_with('#') {
                continue;
            }
            let year: i32 = expected[..4].parse().unwrap();
            // Local times get this unusual offset; the annotations of lines with an offset of
            // their own are in the time zone of fail2ban's test suite (CEST, +02:00).
            let now = t(&format!("{year}-12-31T23:59:59+05:00"));
            let (dt, _) = parse_timestamp(pair[1], now).unwrap_or_else(|| panic!("no time in {:?}", pair[1]));
            let cest = FixedOffset::east_opt(2 * 3600).unwrap();
            let dt = if dt.offset() == now.offset() { dt } else { dt.with_timezone(&cest) };
            assert_eq!(dt.naive_local().format("%Y-%m-%dT%H:%M:%S").to_string(), expected, "{}", pair[1]);
            checked += 1;
        }
        assert_eq!(checked, 111);
    }

    #[test]
    fn severities() {
        use Severity::*;
        let cases: &[(&str, Option<Severity>)] = &[
            ("[2016-12-19 20:51:20,700] WARN [ReplicaFetcherThread-0-0], Error in fetch", Some(Warn)),
            ("2026-11-27 03:04:05,123 ERROR [main] c.e.App - boom", Some(Error)),
            ("2026-11-27 03:04:05 DEBUG x", Some(Debug)),
            ("2026-11-27 03:04:05 TRACE x", Some(Trace)),
            ("2026-11-27 03:04:05 INFO started", Some(Info)),
            ("Nov 27 03:04:05 h sshd[1]: error: PAM: Authentication failure", Some(Error)),
            ("Nov 27 03:04:05 h kernel: Kernel panic - not syncing", Some(Fatal)),
            (
                "十一月 27, 2026 3:04:05 下午 org.apache.catalina.core.StandardContext 严重: 启动失败",
                Some(Error),
            ),
            ("2026-11-27 03:04:05 [main] 错误 数据库连接失败", Some(Error)),
            ("2026-11-27 03:04:05 警告：磁盘空间不足", Some(Warn)),
            ("2026-11-27 03:04:05 致命 内存耗尽", Some(Fatal)),
            ("ORA-01555: snapshot too old", Some(Error)),
            ("ORA-00600: internal error code, arguments: [kcratr_nab_less_than_odr]", Some(Fatal)),
            ("SEVERE: Servlet.service() threw exception", Some(Error)),
            ("2026-11-27 03:04:05 CRITICAL disk", Some(Fatal)),
            ("Nov 27 03:04:05 h app: NOTICE: checkpoint", Some(Notice)),
            ("2026-11-27 03:04:05 info: some debug words", None),
            ("0 errors, LOG_ERROR=1, terror, ERRORS", None),
            ("\tat kafka.Foo.bar(Foo.scala:12)", None),
        ];
        for (line, want) in cases {
            assert_eq!(severity(line), *want, "{line}");
        }
        // Only the first 256 bytes are looked at.
        assert_eq!(severity(&format!("{} ERROR", "x".repeat(300))), None);
    }

    #[test]
    fn records_group_and_bound_lines() {
        let mut b = RecordBuilder::new(now()).with_max_lines(3);
        assert_eq!(b.push("orphan line".into()), None);
        assert_eq!(b.push("\tmore orphan".into()), None);
        let orphan = b.push("2026-11-27 03:04:05 ERROR boom".into()).unwrap();
        assert_eq!(
            orphan,
            Record {
                ts: None,
                severity: None,
                lines: vec!["orphan line".into(), "\tmore orphan".into()],
                cut: Vec::new()
            }
        );
        for l in ["java.lang.NullPointerException", "\tat a.B.c(B.java:1)"] {
            assert_eq!(b.push(l.into()), None);
        }
        // Bounded at 3 lines: the fourth starts a continuation record with the same time.
        let full = b.push("\tat a.B.d(B.java:2)".into()).unwrap();
        assert_eq!(full.lines.len(), 3);
        assert_eq!(full.severity, Some(Severity::Error));
        assert_eq!(b.push("... 12 more".into()), None);
        let r = b.flush().unwrap();
        assert_eq!(r.ts.unwrap().to_rfc3339(), "2026-11-27T03:04:05+08:00");
        assert_eq!(r.lines, vec!["\tat a.B.d(B.java:2)", "... 12 more"]);
        assert_eq!(r.severity, None);
        assert_eq!(b.flush(), None);
    }

    #[test]
    fn record_severity_from_a_later_line() {
        let mut b = RecordBuilder::new(now());
        b.push("2026-11-27 03:04:05 [worker] job 7".into());
        b.push("Caused by: ERROR in step 2".into());
        let r = b.flush().unwrap();
        assert_eq!(r.severity, Some(Severity::Error));
        assert_eq!(r.text(), "2026-11-27 03:04:05 [worker] job 7\nCaused by: ERROR in step 2");
    }
}

#[cfg(test)]
mod own_fixtures;
