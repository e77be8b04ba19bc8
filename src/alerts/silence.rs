//! Where an alert stands ([`AlertState`]) and the silences of maintenance windows
//! ([`Silence`]): a host, a job or a key pattern kept quiet until a time, by someone, for a
//! reason. A silence ends by itself at its `until`, or earlier when someone lifts it.

use super::{Alert, AlertKey};

/// An alert's state, from its row and the silences in force. In precedence order: a cleared
/// alert is cleared whatever else; a silenced one is silenced even when acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    Open,
    Acknowledged,
    Snoozed,
    Silenced,
    Cleared,
}

impl AlertState {
    pub const ALL: [AlertState; 5] = [
        AlertState::Open,
        AlertState::Acknowledged,
        AlertState::Snoozed,
        AlertState::Silenced,
        AlertState::Cleared,
    ];

    /// The stable name, in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Open => "open",
            AlertState::Acknowledged => "acknowledged",
            AlertState::Snoozed => "snoozed",
            AlertState::Silenced => "silenced",
            AlertState::Cleared => "cleared",
        }
    }

    /// Whether it asks for the engineer on duty: open, or acknowledged (seen, not over).
    /// Snoozed, silenced and cleared alerts are out of the way.
    pub fn wants_attention(self) -> bool {
        matches!(self, AlertState::Open | AlertState::Acknowledged)
    }
}

/// What a silence covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every alert about a host: its health, and the jobs that run on it.
    Host,
    /// One backup or exchange job.
    Job,
    /// Every alert whose key (`health/db1/disk/%2Fu01`) matches a pattern with `*` and `?`.
    Pattern,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Host => "host",
            Scope::Job => "job",
            Scope::Pattern => "pattern",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        [Scope::Host, Scope::Job, Scope::Pattern].into_iter().find(|x| x.as_str() == s)
    }
}

/// One silence, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Silence {
    pub id: i64,
    pub scope: Scope,
    pub target: String,
    pub reason: String,
    pub created_by: String,
    pub created_at: i64,
    pub until: i64,
    /// Lifted before its time.
    pub ended_at: Option<i64>,
    pub ended_by: Option<String>,
}

impl Silence {
    /// In force at `now`: begun, not past its end, not lifted.
    pub fn active(&self, now: i64) -> bool {
        self.created_at <= now && now < self.until && self.ended_at.is_none_or(|t| t > now)
    }

    /// Whether it covers the alert.
    pub fn covers(&self, a: &Alert) -> bool {
        self.covers_key(&a.key, a.host.as_deref().or(a.key.host()))
    }

    /// Whether it covers an alert with this key, about this host.
    pub fn covers_key(&self, key: &AlertKey, host: Option<&str>) -> bool {
        match self.scope {
            Scope::Host => host == Some(self.target.as_str()),
            Scope::Job => matches!(key, AlertKey::Backup { job } if *job == self.target),
            Scope::Pattern => crate::text::wildcard(&self.target, &key.to_string()),
        }
    }

    /// When it ends: lifted, or its `until`.
    pub fn ends_at(&self) -> i64 {
        self.ended_at.map_or(self.until, |t| t.min(self.until))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::Metric;
    use crate::health::Level;

    fn silence(scope: Scope, target: &str) -> Silence {
        Silence {
            id: 1,
            scope,
            target: target.into(),
            reason: "kernel update".into(),
            created_by: "王".into(),
            created_at: 100,
            until: 200,
            ended_at: None,
            ended_by: None,
        }
    }

    fn alert(key: AlertKey, host: Option<&str>) -> Alert {
        let mut a = Alert::for_test(50, key, Level::Crit);
        a.host = host.map(str::to_string);
        a
    }

    #[test]
    fn a_silence_covers_its_host_its_job_or_its_pattern_while_in_force() {
        let disk = alert(AlertKey::health("db1", Metric::Disk, "/u01"), Some("db1"));
        let job = alert(AlertKey::Backup { job: "db1-expdp".into() }, Some("db1"));
        let other = alert(AlertKey::health("db2", Metric::Cpu, ""), Some("db2"));
        let host = silence(Scope::Host, "db1");
        assert!(host.covers(&disk) && host.covers(&job) && !host.covers(&other));
        let by_job = silence(Scope::Job, "db1-expdp");
        assert!(by_job.covers(&job) && !by_job.covers(&disk));
        let pattern = silence(Scope::Pattern, "health/*/disk/*");
        assert!(pattern.covers(&disk) && !pattern.covers(&other) && !pattern.covers(&job));
        assert!(silence(Scope::Pattern, "backup/db1-*").covers(&job));
        // In force from its start to its end, or until lifted.
        assert!(!host.active(99) && host.active(100) && host.active(199) && !host.active(200));
        let lifted = Silence { ended_at: Some(150), ended_by: Some("李".into()), ..host.clone() };
        assert!(lifted.active(149) && !lifted.active(150));
        assert_eq!((lifted.ends_at(), host.ends_at()), (150, 200));
    }

    #[test]
    fn state_in_precedence_order() {
        let mut a = alert(AlertKey::health("db1", Metric::Cpu, ""), Some("db1"));
        let silences = [silence(Scope::Host, "db1")];
        assert_eq!(a.state(120, &[]), AlertState::Open);
        a.acked_at = Some(60);
        assert_eq!(a.state(120, &[]), AlertState::Acknowledged);
        a.snoozed_until = Some(130);
        assert_eq!(a.state(120, &[]), AlertState::Snoozed);
        assert_eq!(a.state(130, &[]), AlertState::Acknowledged, "a snooze ends by itself");
        assert_eq!(a.state(120, &silences), AlertState::Silenced);
        assert_eq!(a.state(200, &silences), AlertState::Acknowledged, "so does a silence");
        a.cleared_at = Some(125);
        assert_eq!(a.state(120, &silences), AlertState::Cleared);
        let names: Vec<&str> = AlertState::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names.join(" "), "open acknowledged snoozed silenced cleared");
        assert_eq!(Scope::parse("job"), Some(Scope::Job));
        assert_eq!(Scope::parse("hosts"), None);
    }
}
