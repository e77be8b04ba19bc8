//! The key of an alert: the source that raised it and the subject it is about, written
//! `source/part/part…`, for example `health/db1/cpu`, `health/db1/disk/%2Fu01`,
//! `backup/nightly-db`, `ticket/T-1024`, `log/syslog/oom-killer`.
//!
//! # Escaping
//!
//! Each part is written as it is, except two characters: `/` becomes `%2F` and `%` becomes
//! `%25` (the percent-encoding of URI path segments, limited to what is needed to split the
//! form again). So a mount point `/u01` is the part `%2Fu01`, a host `a/b` is `a%2Fb`, and a
//! rule named `100%` is `100%25`. Parsing is strict: it accepts exactly what [`AlertKey`]'s
//! `Display` writes (uppercase `%2F`, no empty trailing part), so every key has one spelling and
//! the store can compare keys as text.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use super::health::Metric;

/// Which domain raised an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// The health poller: thresholds, unreachable hosts, failed units.
    Health,
    /// Backups and jobs.
    Backup,
    /// Tickets (an SLA clock running out).
    Ticket,
    /// Log rules.
    Log,
    /// yunwei's own notifications (`[notify] command` failing).
    Notify,
    /// Network checks.
    Check,
    /// The security baseline: signs of compromise, listeners against the recorded baseline.
    Baseline,
}

impl Source {
    pub const ALL: [Source; 7] = [
        Source::Health,
        Source::Backup,
        Source::Ticket,
        Source::Log,
        Source::Notify,
        Source::Check,
        Source::Baseline,
    ];

    /// The stable name: the first part of the key, and the `source` column of the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Health => "health",
            Source::Backup => "backup",
            Source::Ticket => "ticket",
            Source::Log => "log",
            Source::Notify => "notify",
            Source::Check => "check",
            Source::Baseline => "baseline",
        }
    }

    /// The inverse of [`Source::as_str`].
    pub fn parse(s: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The subject's parts, as the error messages name them.
    fn shape(self) -> &'static str {
        match self {
            Source::Health => "<host>/<metric>[/<mount>]",
            Source::Backup => "<job>",
            Source::Ticket => "<id>",
            Source::Log => "<source>/<rule>",
            Source::Notify => "<name>",
            Source::Check => "<check>/<from>",
            Source::Baseline => "<host>/<what>",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Identifies one alert in the stream: at most one is open per key at a time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AlertKey {
    /// `health/<host>/<metric>`, and `health/<host>/<metric>/<mount>` for disk and inode alerts.
    Health {
        host: String,
        metric: Metric,
        /// The mount point for [`Metric::Disk`] and [`Metric::Inodes`], empty otherwise.
        mount: String,
    },
    /// `backup/<job>`.
    Backup { job: String },
    /// `ticket/<id>`.
    Ticket { id: String },
    /// `log/<source>/<rule>`: a rule of a log source matched.
    Log { source: String, rule: String },
    /// `notify/<name>`: the notification command failed.
    Notify { name: String },
    /// `check/<check>/<from>`: a network check probed from a place (`local` or a host).
    Check { check: String, from: String },
    /// `baseline/<host>/<what>`: a kind of sign of compromise (`tmp_exe`…) or `listeners`.
    Baseline { host: String, what: String },
}

/// Why a text is not an alert key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("alert key {0:?}: unknown source (known: health, backup, ticket, log, notify, check, baseline)")]
    UnknownSource(String),
    #[error("alert key {key:?}: expected {kind}/{shape}")]
    Shape { key: String, kind: Source, shape: &'static str },
    #[error("alert key {key:?}: unknown metric {metric:?}")]
    UnknownMetric { key: String, metric: String },
    #[error("alert key {0:?}: `%` must start %2F (for /) or %25 (for %)")]
    Escape(String),
}

impl AlertKey {
    /// A health alert; `mount` is empty unless the metric is about a filesystem.
    pub fn health(host: impl Into<String>, metric: Metric, mount: impl Into<String>) -> AlertKey {
        AlertKey::Health { host: host.into(), metric, mount: mount.into() }
    }

    pub fn source(&self) -> Source {
        match self {
            AlertKey::Health { .. } => Source::Health,
            AlertKey::Backup { .. } => Source::Backup,
            AlertKey::Ticket { .. } => Source::Ticket,
            AlertKey::Log { .. } => Source::Log,
            AlertKey::Notify { .. } => Source::Notify,
            AlertKey::Check { .. } => Source::Check,
            AlertKey::Baseline { .. } => Source::Baseline,
        }
    }

    /// The host the alert is about, when the key names one.
    pub fn host(&self) -> Option<&str> {
        match self {
            AlertKey::Health { host, .. } | AlertKey::Baseline { host, .. } => Some(host),
            AlertKey::Check { from, .. } if from != "local" => Some(from),
            AlertKey::Check { .. }
            | AlertKey::Backup { .. }
            | AlertKey::Ticket { .. }
            | AlertKey::Log { .. }
            | AlertKey::Notify { .. } => None,
        }
    }

    /// The health metric, for health alerts.
    pub fn metric(&self) -> Option<Metric> {
        match self {
            AlertKey::Health { metric, .. } => Some(*metric),
            _ => None,
        }
    }

    /// The subject's parts, unescaped, in order (an empty mount is left out).
    pub fn parts(&self) -> Vec<&str> {
        match self {
            AlertKey::Health { host, metric, mount } if mount.is_empty() => vec![host, metric.as_str()],
            AlertKey::Health { host, metric, mount } => vec![host, metric.as_str(), mount],
            AlertKey::Backup { job } => vec![job],
            AlertKey::Ticket { id } => vec![id],
            AlertKey::Log { source, rule } => vec![source, rule],
            AlertKey::Notify { name } => vec![name],
            AlertKey::Check { check, from } => vec![check, from],
            AlertKey::Baseline { host, what } => vec![host, what],
        }
    }

    /// The subject: the key after `source/`, its parts escaped and joined with `/`.
    pub fn subject(&self) -> String {
        self.parts().into_iter().map(escape).collect::<Vec<_>>().join("/")
    }

    /// The key from its source name and escaped subject, as [`AlertKey::source`] and
    /// [`AlertKey::subject`] give them (the store keeps them in two columns).
    pub fn from_parts(source: &str, subject: &str) -> Result<AlertKey, KeyError> {
        let whole = || format!("{source}/{subject}");
        let src = Source::parse(source).ok_or_else(|| KeyError::UnknownSource(whole()))?;
        let parts = subject.split('/').map(unescape).collect::<Option<Vec<String>>>();
        let parts = parts.ok_or_else(|| KeyError::Escape(whole()))?;
        let shape = || KeyError::Shape { key: whole(), kind: src, shape: src.shape() };
        let key = match src {
            Source::Health => {
                let mut it = parts.into_iter();
                let (Some(host), Some(metric), mount, None) = (it.next(), it.next(), it.next(), it.next())
                else {
                    return Err(shape());
                };
                // An empty mount is left out, never written as an empty last part.
                if mount.as_deref() == Some("") {
                    return Err(shape());
                }
                let Some(known) = Metric::parse(&metric) else {
                    return Err(KeyError::UnknownMetric { key: whole(), metric });
                };
                AlertKey::Health { host, metric: known, mount: mount.unwrap_or_default() }
            }
            Source::Backup => match <[String; 1]>::try_from(parts) {
                Ok([job]) => AlertKey::Backup { job },
                Err(_) => return Err(shape()),
            },
            Source::Ticket => match <[String; 1]>::try_from(parts) {
                Ok([id]) => AlertKey::Ticket { id },
                Err(_) => return Err(shape()),
            },
            Source::Log => match <[String; 2]>::try_from(parts) {
                Ok([source, rule]) => AlertKey::Log { source, rule },
                Err(_) => return Err(shape()),
            },
            Source::Notify => match <[String; 1]>::try_from(parts) {
                Ok([name]) => AlertKey::Notify { name },
                Err(_) => return Err(shape()),
            },
            Source::Check => match <[String; 2]>::try_from(parts) {
                Ok([check, from]) => AlertKey::Check { check, from },
                Err(_) => return Err(shape()),
            },
            Source::Baseline => match <[String; 2]>::try_from(parts) {
                Ok([host, what]) => AlertKey::Baseline { host, what },
                Err(_) => return Err(shape()),
            },
        };
        Ok(key)
    }
}

impl fmt::Display for AlertKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.source(), self.subject())
    }
}

impl FromStr for AlertKey {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<AlertKey, KeyError> {
        match s.split_once('/') {
            Some((source, subject)) => AlertKey::from_parts(source, subject),
            None => match Source::parse(s) {
                Some(src) => Err(KeyError::Shape { key: s.to_string(), kind: src, shape: src.shape() }),
                None => Err(KeyError::UnknownSource(s.to_string())),
            },
        }
    }
}

/// In JSON a key is its slash form plus its source and named parts, so that a reader needs
/// neither to split nor to unescape it:
/// `{"key": "health/db1/disk/%2Fu01", "source": "health", "host": "db1", "metric": "disk",
/// "mount": "/u01"}` (`mount` only when there is one).
impl serde::Serialize for AlertKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("key", &self.to_string())?;
        map.serialize_entry("source", self.source().as_str())?;
        match self {
            AlertKey::Health { host, metric, mount } => {
                map.serialize_entry("host", host)?;
                map.serialize_entry("metric", metric)?;
                if !mount.is_empty() {
                    map.serialize_entry("mount", mount)?;
                }
            }
            AlertKey::Backup { job } => map.serialize_entry("job", job)?,
            AlertKey::Ticket { id } => map.serialize_entry("id", id)?,
            AlertKey::Log { source, rule } => {
                map.serialize_entry("log_source", source)?;
                map.serialize_entry("rule", rule)?;
            }
            AlertKey::Notify { name } => map.serialize_entry("name", name)?,
            AlertKey::Check { check, from } => {
                map.serialize_entry("check", check)?;
                map.serialize_entry("from", from)?;
            }
            AlertKey::Baseline { host, what } => {
                map.serialize_entry("host", host)?;
                map.serialize_entry("what", what)?;
            }
        }
        map.end()
    }
}

/// One part as written in the key: `%` and `/` escaped.
pub fn escape(part: &str) -> Cow<'_, str> {
    if part.contains(['%', '/']) {
        Cow::Owned(part.replace('%', "%25").replace('/', "%2F"))
    } else {
        Cow::Borrowed(part)
    }
}

/// The inverse of [`escape`]; `None` for a `%` that starts neither `%2F` nor `%25`.
fn unescape(part: &str) -> Option<String> {
    let mut out = String::with_capacity(part.len());
    let mut rest = part;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let code = rest.get(at..at + 3)?;
        out.push(match code {
            "%2F" => '/',
            "%25" => '%',
            _ => return None,
        });
        rest = &rest[at + 3..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> AlertKey {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn the_slash_form_of_every_source() {
        let cases = [
            (AlertKey::health("db1", Metric::Cpu, ""), "health/db1/cpu"),
            (AlertKey::health("db1", Metric::FailedUnits, ""), "health/db1/failed_units"),
            (AlertKey::health("db1", Metric::Disk, "/u01"), "health/db1/disk/%2Fu01"),
            (AlertKey::health("db1", Metric::Inodes, "/"), "health/db1/inodes/%2F"),
            (AlertKey::health("海口-应用1", Metric::Mem, ""), "health/海口-应用1/mem"),
            (AlertKey::Backup { job: "nightly-db".into() }, "backup/nightly-db"),
            (AlertKey::Ticket { id: "T-1024".into() }, "ticket/T-1024"),
            (AlertKey::Log { source: "syslog".into(), rule: "oom-killer".into() }, "log/syslog/oom-killer"),
        ];
        for (k, text) in cases {
            assert_eq!(k.to_string(), text);
            assert_eq!(key(text), k, "{text}");
            assert_eq!(format!("{}/{}", k.source(), k.subject()), text);
            assert_eq!(AlertKey::from_parts(k.source().as_str(), &k.subject()), Ok(k));
        }
    }

    #[test]
    fn slash_and_percent_inside_a_part_are_escaped() {
        let k = AlertKey::health("rack/3%", Metric::Disk, "/data/100%");
        assert_eq!(k.to_string(), "health/rack%2F3%25/disk/%2Fdata%2F100%25");
        assert_eq!(key("health/rack%2F3%25/disk/%2Fdata%2F100%25"), k);
        assert_eq!(k.parts(), ["rack/3%", "disk", "/data/100%"]);
        // "%2F" written literally in a name stays itself: its % is escaped.
        let k = AlertKey::Log { source: "a%2Fb".into(), rule: "x/y".into() };
        assert_eq!(k.to_string(), "log/a%252Fb/x%2Fy");
        assert_eq!(key(&k.to_string()), k);
        assert_eq!(escape("plain"), Cow::Borrowed("plain"));
    }

    #[test]
    fn every_key_round_trips_through_its_text() {
        let names = ["", "/", "%", "%%2F", "a/b/c", "%25", "x%", "日志/规则", " sp ace "];
        let mut keys = Vec::new();
        for a in names {
            for m in Metric::ALL {
                keys.push(AlertKey::health(a, m, ""));
                for b in names.iter().filter(|b| !b.is_empty()) {
                    keys.push(AlertKey::health(a, m, *b));
                }
            }
            keys.push(AlertKey::Backup { job: a.into() });
            keys.push(AlertKey::Ticket { id: a.into() });
            for b in names {
                keys.push(AlertKey::Log { source: a.into(), rule: b.into() });
                keys.push(AlertKey::Check { check: a.into(), from: b.into() });
            }
        }
        for k in keys {
            let text = k.to_string();
            assert_eq!(text.parse::<AlertKey>(), Ok(k.clone()), "{text}");
            // The source and each part are separated by exactly the unescaped slashes.
            assert_eq!(text.split('/').count(), 1 + k.parts().len(), "{text}");
        }
    }

    #[test]
    fn malformed_keys_are_errors() {
        let err = |s: &str| s.parse::<AlertKey>().err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            err("weather/haikou"),
            "alert key \"weather/haikou\": unknown source (known: health, backup, ticket, log, notify, check, baseline)"
        );
        assert_eq!(
            err("nonsense"),
            "alert key \"nonsense\": unknown source (known: health, backup, ticket, log, notify, check, baseline)"
        );
        assert_eq!(err("health"), "alert key \"health\": expected health/<host>/<metric>[/<mount>]");
        assert_eq!(err("health/db1"), "alert key \"health/db1\": expected health/<host>/<metric>[/<mount>]");
        assert!(err("health/db1/disk//u01").contains("expected health/"), "an unescaped mount");
        assert!(
            err("health/db1/cpu/").contains("expected health/"),
            "an empty mount is left out, not written"
        );
        assert_eq!(
            err("health/db1/temperature"),
            "alert key \"health/db1/temperature\": unknown metric \"temperature\""
        );
        assert_eq!(err("backup/a/b"), "alert key \"backup/a/b\": expected backup/<job>");
        assert_eq!(err("ticket"), "alert key \"ticket\": expected ticket/<id>");
        assert_eq!(err("log/syslog"), "alert key \"log/syslog\": expected log/<source>/<rule>");
        for bad in ["health/db%/cpu", "health/db%2/cpu", "health/db%2f1/cpu", "backup/%41", "backup/100%"] {
            assert!(err(bad).contains("must start %2F"), "{bad}: {}", err(bad));
        }
    }

    #[test]
    fn accessors_and_json() {
        let k = AlertKey::health("db1", Metric::Disk, "/u01");
        assert_eq!((k.source(), k.host(), k.metric()), (Source::Health, Some("db1"), Some(Metric::Disk)));
        let b = AlertKey::Backup { job: "nightly".into() };
        assert_eq!((b.source(), b.host(), b.metric()), (Source::Backup, None, None));
        assert_eq!(
            serde_json::to_value(&k).unwrap(),
            serde_json::json!({"key": "health/db1/disk/%2Fu01", "source": "health", "host": "db1",
                               "metric": "disk", "mount": "/u01"})
        );
        assert_eq!(
            serde_json::to_value(AlertKey::health("db1", Metric::Cpu, "")).unwrap(),
            serde_json::json!({"key": "health/db1/cpu", "source": "health", "host": "db1", "metric": "cpu"})
        );
        assert_eq!(
            serde_json::to_value(AlertKey::Log { source: "syslog".into(), rule: "oom".into() }).unwrap(),
            serde_json::json!({"key": "log/syslog/oom", "source": "log", "log_source": "syslog", "rule": "oom"})
        );
        for s in Source::ALL {
            assert_eq!(Source::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn keys_order_by_host_then_metric_then_mount() {
        let mut keys = [
            AlertKey::health("db2", Metric::Cpu, ""),
            AlertKey::health("db1", Metric::Disk, "/u01"),
            AlertKey::health("db1", Metric::Disk, "/"),
            AlertKey::health("db1", Metric::Unreachable, ""),
        ];
        keys.sort();
        let text: Vec<String> = keys.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            ["health/db1/unreachable", "health/db1/disk/%2F", "health/db1/disk/%2Fu01", "health/db2/cpu"]
        );
    }
}
