//! The alerts as the store keeps them ([`Alert`]), and the one list of open alerts the app holds
//! ([`OpenAlerts`]): the status bar counts from it, the fleet table marks hosts from it, the host
//! detail lists from it. Panes borrow it; nobody keeps a copy.

use std::collections::HashMap;

use super::AlertKey;
use crate::health::Level;

/// One alert as recorded, open or cleared.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Alert {
    pub id: i64,
    /// In JSON: `key` (the slash form), `source` and the subject's named parts.
    #[serde(flatten)]
    pub key: AlertKey,
    pub level: Level,
    pub value: Option<f64>,
    pub message: String,
    pub opened_at: i64,
    /// The last open or level change.
    pub updated_at: i64,
    pub acked_at: Option<i64>,
    pub acked_by: Option<String>,
    pub cleared_at: Option<i64>,
    /// The host it is about: the key's, or the one its source named (a backup job's host).
    #[serde(skip)]
    pub host: Option<String>,
    /// The message in Chinese (None: recorded by a yunwei before both were kept).
    #[serde(skip)]
    pub message_zh: Option<String>,
    /// What the acknowledgement said.
    pub note: Option<String>,
    /// Out of sight until then.
    pub snoozed_until: Option<i64>,
    pub snoozed_by: Option<String>,
}

impl Alert {
    /// An open alert opened at `id` seconds, for tests.
    #[cfg(test)]
    pub fn for_test(id: i64, key: AlertKey, level: Level) -> Alert {
        Alert {
            id,
            host: key.host().map(str::to_string),
            key,
            level,
            value: None,
            message: String::new(),
            opened_at: id,
            updated_at: id,
            acked_at: None,
            acked_by: None,
            cleared_at: None,
            message_zh: None,
            note: None,
            snoozed_until: None,
            snoozed_by: None,
        }
    }

    /// The reason in words, in `lang`.
    pub fn reason(&self, lang: crate::i18n::Lang) -> &str {
        match (lang, &self.message_zh) {
            (crate::i18n::Lang::ZhCn, Some(zh)) if !zh.is_empty() => zh,
            _ => &self.message,
        }
    }

    /// Where it stands at `now`, given the silences in force.
    pub fn state(&self, now: i64, silences: &[super::Silence]) -> super::AlertState {
        use super::AlertState;
        if self.cleared_at.is_some() {
            AlertState::Cleared
        } else if silences.iter().any(|s| s.active(now) && s.covers(self)) {
            AlertState::Silenced
        } else if self.snoozed_until.is_some_and(|t| t > now) {
            AlertState::Snoozed
        } else if self.acked_at.is_some() {
            AlertState::Acknowledged
        } else {
            AlertState::Open
        }
    }

    pub fn is_open(&self) -> bool {
        self.cleared_at.is_none()
    }

    pub fn is_acked(&self) -> bool {
        self.acked_at.is_some()
    }
}

/// The order the stream is shown in: the critical first, then by age, the newest first.
pub fn by_severity_and_age(a: &Alert, b: &Alert) -> std::cmp::Ordering {
    b.level.cmp(&a.level).then(b.opened_at.cmp(&a.opened_at)).then(b.id.cmp(&a.id))
}

/// Every open alert, as the store last reported them (of every yunwei process on the
/// database), with the worst level of each host worked out once per report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpenAlerts {
    alerts: Vec<Alert>,
    worst_by_host: HashMap<String, Level>,
}

impl OpenAlerts {
    /// The list from the store's report; a cleared alert in it is left out.
    pub fn new(alerts: Vec<Alert>) -> OpenAlerts {
        let alerts: Vec<Alert> = alerts.into_iter().filter(Alert::is_open).collect();
        let mut worst_by_host: HashMap<String, Level> = HashMap::new();
        for a in &alerts {
            if let Some(host) = a.key.host() {
                let worst = worst_by_host.entry(host.to_string()).or_insert(a.level);
                *worst = (*worst).max(a.level);
            }
        }
        OpenAlerts { alerts, worst_by_host }
    }

    /// In the store's order (newest first).
    pub fn iter(&self) -> std::slice::Iter<'_, Alert> {
        self.alerts.iter()
    }

    pub fn len(&self) -> usize {
        self.alerts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.alerts.is_empty()
    }

    /// How many are not acknowledged yet (the status bar's count).
    pub fn unacknowledged(&self) -> usize {
        self.alerts.iter().filter(|a| !a.is_acked()).count()
    }

    /// The worst level among the host's open alerts; `None` when it has none.
    pub fn host_level(&self, host: &str) -> Option<Level> {
        self.worst_by_host.get(host).copied()
    }

    /// The open alerts about one host.
    pub fn of_host<'a>(&'a self, host: &'a str) -> impl Iterator<Item = &'a Alert> + 'a {
        self.alerts.iter().filter(move |a| a.key.host() == Some(host))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::Metric;

    fn alert(id: i64, key: AlertKey, level: Level) -> Alert {
        Alert::for_test(id, key, level)
    }

    #[test]
    fn counts_marks_and_lists_per_host() {
        let mut acked = alert(3, AlertKey::health("db1", Metric::Disk, "/u01"), Level::Crit);
        acked.acked_at = Some(10);
        acked.acked_by = Some("zhang.san".into());
        let mut cleared = alert(5, AlertKey::health("db3", Metric::Cpu, ""), Level::Crit);
        cleared.cleared_at = Some(20);
        let list = OpenAlerts::new(vec![
            alert(1, AlertKey::health("db1", Metric::Load, ""), Level::Warn),
            alert(2, AlertKey::health("db2", Metric::FailedUnits, ""), Level::Warn),
            acked,
            alert(4, AlertKey::Backup { job: "nightly".into() }, Level::Crit),
            cleared,
        ]);
        assert_eq!(list.len(), 4, "the cleared one is left out");
        assert_eq!(list.unacknowledged(), 3);
        // An acknowledged alert still marks its host.
        assert_eq!(list.host_level("db1"), Some(Level::Crit));
        assert_eq!(list.host_level("db2"), Some(Level::Warn));
        assert_eq!(list.host_level("db3"), None);
        assert_eq!(list.host_level("nightly"), None, "a backup key names no host");
        let ids: Vec<i64> = list.of_host("db1").map(|a| a.id).collect();
        assert_eq!(ids, [1, 3]);
        assert_eq!(list.iter().map(|a| a.id).collect::<Vec<_>>(), [1, 2, 3, 4]);
        let empty = OpenAlerts::default();
        assert!(empty.is_empty());
        assert_eq!((empty.unacknowledged(), empty.host_level("db1")), (0, None));
    }
}
