//! Log patterns as alerts (`[[log_alerts]]`): a rule watches one log source for a pattern and
//! opens an alert `log/<source>/<rule>` at its severity once the pattern has matched at least
//! `min_count` records within `window`; the alert clears when the window holds fewer matches
//! than that again. A record counts at its own time when it has one (so a backlog read at
//! start that is older than the window raises nothing), else at the time it arrived. The
//! alert's words quote the last matching line, masked (resident ID and mobile numbers) and
//! cut short.

use std::collections::VecDeque;

use regex::Regex;

use super::record::Record;
use crate::alerts::{Alert, AlertKey, Change};
use crate::health::Level;
use crate::i18n::Both;

/// One rule, as the config gives it.
#[derive(Debug, Clone)]
pub struct LogRule {
    /// The `[[logs]]` source's name.
    pub source: String,
    /// The rule's name in the alert's key: its `name`, else its pattern.
    pub name: String,
    pub pattern: Regex,
    pub level: Level,
    pub window_s: i64,
    pub min_count: usize,
}

impl PartialEq for LogRule {
    fn eq(&self, other: &LogRule) -> bool {
        (&self.source, &self.name, self.pattern.as_str(), self.level, self.window_s, self.min_count)
            == (
                &other.source,
                &other.name,
                other.pattern.as_str(),
                other.level,
                other.window_s,
                other.min_count,
            )
    }
}

impl LogRule {
    pub fn key(&self) -> AlertKey {
        AlertKey::Log { source: self.source.clone(), rule: self.name.clone() }
    }
}

/// How much of the last matching line an alert quotes.
const EXCERPT_CHARS: usize = 160;

#[derive(Debug, Default)]
struct RuleState {
    /// The times of the matches within the window, oldest first.
    hits: VecDeque<i64>,
    /// The last matching line, masked.
    last: String,
    open: bool,
}

/// The rules and what each has seen.
#[derive(Debug, Default)]
pub struct LogAlerts {
    rules: Vec<LogRule>,
    state: Vec<RuleState>,
    /// The sources whose first batch has come: that batch is the backlog read at start, where
    /// a record with no time of its own cannot be told from an old one, so it does not count.
    started: std::collections::HashSet<String>,
    /// The host each source reached over SSH reads on, named in its alerts.
    hosts: std::collections::HashMap<String, String>,
}

fn excerpt(line: &str) -> String {
    let masked = super::mask::mask(line.trim());
    let mut out: String = masked.chars().take(EXCERPT_CHARS).collect();
    if masked.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

fn span(secs: i64) -> (String, String) {
    if secs % 3600 == 0 && secs >= 3600 {
        (format!("{} h", secs / 3600), format!("{} 小时", secs / 3600))
    } else if secs % 60 == 0 && secs >= 60 {
        (format!("{} min", secs / 60), format!("{} 分钟", secs / 60))
    } else {
        (format!("{secs} s"), format!("{secs} 秒"))
    }
}

impl LogAlerts {
    pub fn new(rules: Vec<LogRule>) -> LogAlerts {
        let state = rules.iter().map(|_| RuleState::default()).collect();
        LogAlerts { rules, state, started: Default::default(), hosts: Default::default() }
    }

    /// Names the hosts of the remote sources among `specs` in their alerts.
    pub fn with_hosts(mut self, specs: &[crate::logs::sources::SourceSpec]) -> LogAlerts {
        self.hosts = specs.iter().filter_map(|s| Some((s.name.clone(), s.host.clone()?))).collect();
        self
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Takes in the open alerts of the store (after a restart, or raised by another console):
    /// a rule's alert open there counts as open here, as if its last match were `now`, so it
    /// clears after a window with no match rather than staying open for ever.
    pub fn adopt(&mut self, open: &[Alert], now: i64) {
        for (rule, st) in self.rules.iter().zip(&mut self.state) {
            if st.open {
                continue;
            }
            let key = rule.key();
            if open.iter().any(|a| a.key == key && a.is_open()) {
                st.open = true;
                if st.hits.is_empty() {
                    st.hits.push_back(now);
                }
            }
        }
    }

    /// New records of the source `source`, arrived at `now`: the alerts they open.
    pub fn feed(&mut self, source: &str, records: &[Record], now: i64) -> Vec<Change> {
        let mut out = Vec::new();
        let backlog = self.started.insert(source.to_string());
        for (rule, st) in self.rules.iter().zip(&mut self.state) {
            if rule.source != source {
                continue;
            }
            for r in records {
                if backlog && r.ts.is_none() {
                    continue;
                }
                let Some(line) = r.lines.iter().find(|l| rule.pattern.is_match(l)) else { continue };
                let at = r.ts.map(|t| t.timestamp()).unwrap_or(now).min(now);
                if at <= now - rule.window_s {
                    continue;
                }
                st.hits.push_back(at);
                st.last = excerpt(line);
            }
            while st.hits.front().is_some_and(|t| *t <= now - rule.window_s) {
                st.hits.pop_front();
            }
            if !st.open && st.hits.len() >= rule.min_count && !st.hits.is_empty() {
                st.open = true;
                let (en_w, zh_w) = span(rule.window_s);
                let n = st.hits.len();
                let p = rule.pattern.as_str();
                let message = Both::new(
                    format!("{n} match(es) of /{p}/ in {en_w}; last: {}", st.last),
                    format!("{zh_w}内匹配 /{p}/ {n} 次；最近一条：{}", st.last),
                );
                out.push(Change::Open {
                    key: rule.key(),
                    level: rule.level,
                    value: Some(n as f64),
                    message,
                    host: self.hosts.get(source).cloned(),
                    at: now,
                });
            }
        }
        out
    }

    /// The passing of time: the alerts whose window now holds too few matches clear.
    pub fn tick(&mut self, now: i64) -> Vec<Change> {
        let mut out = Vec::new();
        for (rule, st) in self.rules.iter().zip(&mut self.state) {
            while st.hits.front().is_some_and(|t| *t <= now - rule.window_s) {
                st.hits.pop_front();
            }
            if st.open && st.hits.len() < rule.min_count.max(1) {
                st.open = false;
                out.push(Change::Clear { key: rule.key(), at: now });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_795_712_400;

    fn rule(min_count: usize) -> LogRule {
        LogRule {
            source: "app".into(),
            name: "oracle".into(),
            pattern: Regex::new("ORA-[0-9]{5}|OutOfMemoryError").unwrap(),
            level: Level::Crit,
            window_s: 300,
            min_count,
        }
    }

    fn rec(line: &str, at: Option<i64>) -> Record {
        let ts = at.and_then(|t| chrono::DateTime::from_timestamp(t, 0)).map(|d| d.fixed_offset());
        Record::whole(ts, None, vec![line.into()])
    }

    #[test]
    fn opens_at_min_count_within_the_window_and_clears_after_it() {
        let mut a = LogAlerts::new(vec![rule(2)]);
        assert!(a.feed("app", &[rec("ORA-00600 in a backlog line with no time", None)], T0).is_empty());
        assert!(a.feed("app", &[rec("ORA-00600: internal error", Some(T0))], T0).is_empty(), "one of two");
        assert!(a.feed("other", &[rec("ORA-00600", Some(T0))], T0).is_empty(), "another source");
        let c =
            a.feed("app", &[rec("INFO ok", None), rec("caught java.lang.OutOfMemoryError", None)], T0 + 60);
        match &c[..] {
            [Change::Open { key, level: Level::Crit, message, value: Some(v), .. }] => {
                assert_eq!(key.to_string(), "log/app/oracle");
                assert_eq!(*v, 2.0);
                assert!(message
                    .en
                    .starts_with("2 match(es) of /ORA-[0-9]{5}|OutOfMemoryError/ in 5 min; last: caught"));
                assert!(message
                    .zh
                    .starts_with("5 分钟内匹配 /ORA-[0-9]{5}|OutOfMemoryError/ 2 次；最近一条：caught"));
            }
            other => panic!("{other:?}"),
        }
        assert!(a.feed("app", &[rec("ORA-01555", None)], T0 + 90).is_empty(), "open once");
        assert!(a.tick(T0 + 299).is_empty());
        // At T0 + 360 the window holds the matches of T0 + 60 and T0 + 90: still two.
        assert!(a.tick(T0 + 359).is_empty());
        assert!(matches!(&a.tick(T0 + 361)[..], [Change::Clear { .. }]), "one left of two");
        assert!(a.tick(T0 + 999).is_empty(), "cleared once");
    }

    #[test]
    fn old_lines_raise_nothing_and_the_quote_is_masked() {
        let mut a = LogAlerts::new(vec![rule(1)]);
        assert!(
            a.feed("app", &[rec("ORA-00600", Some(T0 - 3600))], T0).is_empty(),
            "a backlog older than the window"
        );
        let c = a.feed(
            "app",
            &[rec("ORA-00001 unique constraint for 11010519491231002X phone 13812345678", Some(T0))],
            T0,
        );
        let Change::Open { message, .. } = &c[0] else { panic!("{c:?}") };
        assert!(
            !message.en.contains("11010519491231002X") && !message.en.contains("13812345678"),
            "{message:?}"
        );
        // A record dated ahead of the clock counts now, not in the future.
        let mut b = LogAlerts::new(vec![rule(1)]);
        b.feed("app", &[rec("ORA-00600", Some(T0 + 9999))], T0);
        assert!(matches!(&b.tick(T0 + 301)[..], [Change::Clear { .. }]));
    }

    #[test]
    fn an_alert_open_in_the_store_is_adopted_and_clears_after_a_quiet_window() {
        let mut a = LogAlerts::new(vec![rule(1)]);
        let mut open = Alert::for_test(3, rule(1).key(), Level::Crit);
        open.opened_at = T0 - 50;
        a.adopt(&[open], T0);
        assert!(a.feed("app", &[rec("ORA-00600", Some(T0 + 10))], T0 + 10).is_empty(), "already open");
        assert!(a.tick(T0 + 300).is_empty());
        assert!(matches!(&a.tick(T0 + 311)[..], [Change::Clear { .. }]));
    }
}
