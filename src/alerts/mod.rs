//! Alerts: one stream of everything that crossed a threshold or failed, whichever domain saw it.
//!
//! * [`AlertKey`] (in `key`) names an alert by its source and subject, written
//!   `health/<host>/<metric>[/<mount>]`, `backup/<job>`, `ticket/<id>`, `log/<source>/<rule>`.
//!   At most one alert is open per key at a time.
//! * A source turns what it observes into [`Change`]s (open, change level, clear). The health
//!   rules (thresholds, hysteresis, the 5-minute CPU rule) are [`AlertEngine`] in `health`.
//! * `crate::store::alerts` records the changes and reads them back as [`Alert`]s; the app keeps
//!   the open ones in one [`OpenAlerts`] list (in `list`), which every pane reads from.
//!
//! No SQL, no terminal and no config types here.

pub mod baseline;
pub mod health;
pub mod json;
pub mod key;
pub mod list;
pub mod silence;

pub use health::{hysteresis_margin, AlertEngine, Metric, CPU_SUSTAIN_S};
pub use key::{AlertKey, KeyError, Source};
pub use list::{by_severity_and_age, Alert, OpenAlerts};
pub use silence::{AlertState, Scope as SilenceScope, Silence};

use crate::health::Level;
use crate::i18n::Both;

/// The name of an alert level in the database and in JSON (`"warn"`, `"crit"`; `"ok"`).
pub fn level_str(level: Level) -> &'static str {
    level.into()
}

/// The inverse of [`level_str`].
pub fn parse_level(s: &str) -> Option<Level> {
    s.parse().ok()
}

/// One thing that happened to an alert, to be recorded by the store. The message is the
/// reason in words, in both languages (the store keeps both; each reader sees its own).
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A new alert. `host`: the host it is about when its key names none (a backup job's
    /// host), so that silencing the host covers it.
    Open { key: AlertKey, level: Level, value: Option<f64>, message: Both, host: Option<String>, at: i64 },
    /// The level of an open alert changed: Warn to Crit, or Crit to Warn.
    Escalate { key: AlertKey, level: Level, value: Option<f64>, message: Both, at: i64 },
    /// The alert is over.
    Clear { key: AlertKey, at: i64 },
}

impl Change {
    pub fn key(&self) -> &AlertKey {
        match self {
            Change::Open { key, .. } | Change::Escalate { key, .. } | Change::Clear { key, .. } => key,
        }
    }

    pub fn at(&self) -> i64 {
        match self {
            Change::Open { at, .. } | Change::Escalate { at, .. } | Change::Clear { at, .. } => *at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_names_round_trip() {
        for l in [Level::Ok, Level::Warn, Level::Crit] {
            assert_eq!(parse_level(level_str(l)), Some(l));
        }
        assert_eq!(parse_level("fatal"), None);
    }

    /// Stored alerts and `--json` readers depend on these names: they are derived now, so
    /// they are pinned here.
    #[test]
    fn stored_names_are_pinned() {
        let metrics: Vec<&str> = Metric::ALL.iter().map(|m| m.as_str()).collect();
        assert_eq!(
            metrics.join(" "),
            "unreachable cpu load mem swap disk inodes failed_units net_errors net_drops"
        );
        assert_eq!(Metric::FailedUnits.to_string(), "failed_units");
        let levels: Vec<&str> = [Level::Ok, Level::Warn, Level::Crit].map(level_str).to_vec();
        assert_eq!(levels.join(" "), "ok warn crit");
        assert_eq!(parse_level("Crit"), None);
    }
}
