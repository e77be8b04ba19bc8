//! `[notify]`: the command every new critical alert (and, with `warnings`, every new warning)
//! is handed to as JSON on its standard input.

use std::time::Duration;

use serde::Serialize;

use super::check::{key_str, Checker, Key, Place, Value};
use super::messages::CfgMsg;
use super::Section;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notify {
    /// Run with `sh -c`; None: no notifications.
    pub command: Option<String>,
    /// Warnings too, not only critical alerts.
    pub warnings: bool,
    #[serde(serialize_with = "secs")]
    pub timeout: Duration,
    /// Tries after the first that failed.
    pub retries: u32,
    /// The wait before the first retry, doubled before each next.
    #[serde(serialize_with = "secs")]
    pub backoff: Duration,
    /// The most sends in any hour; what the limit holds back goes in one digest after.
    pub max_per_hour: u32,
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&humantime::format_duration(*d).to_string())
}

impl Default for Notify {
    fn default() -> Self {
        Notify {
            command: None,
            warnings: false,
            timeout: Duration::from_secs(10),
            retries: 2,
            backoff: Duration::from_secs(5),
            max_per_hour: 30,
        }
    }
}

const NOTIFY_KEYS: &[&str] = &["command", "warnings", "timeout", "retries", "backoff", "max_per_hour"];

impl Section for Notify {
    fn check(ck: &mut Checker<'_>, key: &Key<'_>, value: &Value<'_>) -> Self {
        let mut out = Notify::default();
        let Some(table) = ck.table(value, &key_str(key).to_string()) else { return out };
        let place = Place::named("notify");
        for (k, v) in table.iter() {
            let name = key_str(k);
            match name {
                "command" => out.command = ck.nonempty_string(&place, name, v),
                "warnings" => out.warnings = ck.boolean(&place, name, v).unwrap_or(false),
                "timeout" => {
                    let range = Duration::from_secs(1)..=Duration::from_secs(600);
                    if let Some(d) = ck.duration(&place, name, v, range) {
                        out.timeout = d;
                    }
                }
                "backoff" => {
                    let range = Duration::from_secs(1)..=Duration::from_secs(3600);
                    if let Some(d) = ck.duration(&place, name, v, range) {
                        out.backoff = d;
                    }
                }
                "retries" => {
                    if let Some(n) = ck.ranged(&place, name, v, 0, 10, CfgMsg::UnitTries) {
                        out.retries = u32::try_from(n).unwrap_or(0);
                    }
                }
                "max_per_hour" => {
                    if let Some(n) = ck.ranged(&place, name, v, 1, 10_000, CfgMsg::UnitSends) {
                        out.max_per_hour = u32::try_from(n).unwrap_or(1);
                    }
                }
                _ => {
                    ck.unknown_key(k, "[notify]", NOTIFY_KEYS);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::config::tests::parse;

    #[test]
    fn notify_as_written_and_its_mistakes() {
        let c = parse(
            "[notify]\ncommand = \"/opt/notify.sh\"\nwarnings = true\nmax_per_hour = 5\ntimeout = \"3s\"\n",
        )
        .unwrap();
        assert_eq!(c.notify.command.as_deref(), Some("/opt/notify.sh"));
        assert!(c.notify.warnings);
        assert_eq!((c.notify.max_per_hour, c.notify.timeout.as_secs(), c.notify.retries), (5, 3, 2));
        assert_eq!(parse("").unwrap().notify.command, None);
        let e = parse("[notify]\ncommand = \"\"\nmax_per_hour = 0\nretrys = 1\n").unwrap_err().to_string();
        assert!(e.contains("max_per_hour") && e.contains("retries") && e.contains("command"), "{e}");
    }
}
