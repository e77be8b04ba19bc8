//! `[[jobs]]`: the backups and data-exchange jobs the Backups tab and `yunwei backup` watch,
//! and `[backups]`: how often they are checked.
//!
//! ```toml
//! [backups]
//! check_interval = "10m"              # default 10m
//! timeout = "60s"                     # one host's check round, default 60s
//! verify_timeout = "30m"              # one verification, default 30m
//!
//! [[jobs]]
//! name = "db1-oracle-expdp"
//! host = "db1"                        # omitted = local
//! path = "/backup/oracle/*.dmp.gz"    # glob; the newest match is the artefact
//! kind = "backup"                     # backup | push | receive | report
//! every = "1d"                        # expected period, or:
//! # schedule = "30 2 * * *"           # cron (5 fields), in the host's time zone unless tz = "…"
//! grace = "6h"                        # default 1h
//! min_size = "100MB"
//! shrink_pct = 50
//! verify = "gzip -t"
//! run = "/opt/scripts/backup_oracle.sh"
//! ```

use std::time::Duration;

use serde::Serialize;

use super::check::{entry_name, key_str, Checker, Key, Place, Value};
use super::messages::CfgMsg;
use super::Section;
use crate::backups::{Due, Kind, Spec};
use crate::i18n::both;

const JOB_KEYS: &[&str] = &[
    "name",
    "host",
    "path",
    "kind",
    "every",
    "schedule",
    "tz",
    "grace",
    "min_size",
    "shrink_pct",
    "verify",
    "run",
];
const BACKUPS_KEYS: &[&str] = &["check_interval", "timeout", "verify_timeout"];
/// The grace of a job that names none.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(3600);

/// `[backups]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Backups {
    /// How often every job is checked.
    #[serde(with = "humantime_serde_lite")]
    pub check_interval: Duration,
    /// How long one host's check round may take.
    #[serde(with = "humantime_serde_lite")]
    pub timeout: Duration,
    /// How long one verification may take.
    #[serde(with = "humantime_serde_lite")]
    pub verify_timeout: Duration,
}

impl Default for Backups {
    fn default() -> Self {
        Backups {
            check_interval: Duration::from_secs(600),
            timeout: Duration::from_secs(60),
            verify_timeout: Duration::from_secs(1800),
        }
    }
}

/// Durations in JSON as humantime writes them (`10m`).
mod humantime_serde_lite {
    pub fn serialize<S: serde::Serializer>(d: &std::time::Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&humantime::format_duration(*d).to_string())
    }
}

impl Section for Backups {
    fn check(ck: &mut Checker<'_>, key: &Key<'_>, value: &Value<'_>) -> Self {
        let mut out = Backups::default();
        let Some(table) = ck.table(value, &key_str(key).to_string()) else { return out };
        let place = Place::named("backups");
        let day = Duration::from_secs(86400);
        for (k, v) in table.iter() {
            let name = key_str(k);
            let range = Duration::from_secs(10)..=day;
            let slot = match name {
                "check_interval" => &mut out.check_interval,
                "timeout" => &mut out.timeout,
                "verify_timeout" => &mut out.verify_timeout,
                _ => {
                    ck.unknown_key(k, "[backups]", BACKUPS_KEYS);
                    continue;
                }
            };
            if let Some(d) = ck.duration(&place, name, v, range) {
                *slot = d;
            }
        }
        out
    }
}

impl Serialize for Spec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Job", 10)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("host", &self.host)?;
        st.serialize_field("path", &self.path)?;
        st.serialize_field("kind", self.kind.as_str())?;
        st.serialize_field("due", &self.due.describe())?;
        st.serialize_field("grace", &humantime::format_duration(self.grace).to_string())?;
        st.serialize_field("min_size", &self.min_size)?;
        st.serialize_field("shrink_pct", &self.shrink_pct)?;
        st.serialize_field("verify", &self.verify)?;
        st.serialize_field("run", &self.run)?;
        st.end()
    }
}

impl Section for Vec<Spec> {
    fn check(ck: &mut Checker<'_>, _key: &Key<'_>, value: &Value<'_>) -> Self {
        let mut out: Vec<Spec> = Vec::new();
        for (number, item, table) in ck.array_of_tables(value, "jobs", &CfgMsg::TypeJobTables) {
            let place = Place::entry("jobs", number, entry_name(table));
            let mut spec = Spec {
                name: String::new(),
                host: None,
                path: String::new(),
                kind: Kind::Backup,
                due: Due::Every(Duration::ZERO),
                grace: DEFAULT_GRACE,
                min_size: None,
                shrink_pct: None,
                verify: None,
                run: None,
            };
            let mut every = None;
            let mut schedule: Option<(String, &Value<'_>)> = None;
            let mut tz: Option<(chrono_tz::Tz, &Value<'_>)> = None;
            let mut misspelt = Vec::new();
            let mut bad = false;
            for (key, value) in table.iter() {
                let name = key_str(key);
                match name {
                    "name" => spec.name = ck.shown_name(&place, name, value).unwrap_or_default(),
                    "host" => spec.host = ck.host_ref(&place, name, &format!("[[jobs]] #{number}"), value),
                    "path" => match ck.nonempty_string(&place, name, value) {
                        Some(p) if p.starts_with('/') => spec.path = p,
                        Some(_) => {
                            ck.report(
                                value.span(),
                                both(&CfgMsg::JobPathRelative, &[("label", &place.label)]),
                            );
                            bad = true;
                        }
                        None => bad = true,
                    },
                    "kind" => match ck.choice::<Kind>(&place, name, value) {
                        Some(k) => spec.kind = k,
                        None => bad = true,
                    },
                    "every" => {
                        let range = Duration::from_secs(60)..=Duration::from_secs(400 * 86400);
                        every = ck.duration(&place, name, value, range);
                        bad |= every.is_none();
                    }
                    "schedule" => match ck.nonempty_string(&place, name, value) {
                        Some(s) => schedule = Some((s, value)),
                        None => bad = true,
                    },
                    "tz" => match ck.nonempty_string(&place, name, value) {
                        Some(s) => match s.trim().parse::<chrono_tz::Tz>() {
                            Ok(z) => tz = Some((z, value)),
                            Err(_) => {
                                ck.report(
                                    value.span(),
                                    both(&CfgMsg::JobTzUnknown, &[("label", &place.label), ("value", &s)]),
                                );
                                bad = true;
                            }
                        },
                        None => bad = true,
                    },
                    "grace" => {
                        let range = Duration::ZERO..=Duration::from_secs(400 * 86400);
                        match ck.duration(&place, name, value, range) {
                            Some(g) => spec.grace = g,
                            None => bad = true,
                        }
                    }
                    "min_size" => spec.min_size = ck.size(&place, name, value),
                    "shrink_pct" => {
                        spec.shrink_pct = ck
                            .ranged(&place, name, value, 1, 99, CfgMsg::UnitPercent)
                            .and_then(|n| u8::try_from(n).ok())
                    }
                    "verify" => spec.verify = ck.nonempty_string(&place, name, value),
                    "run" => spec.run = ck.nonempty_string(&place, name, value),
                    _ => misspelt.extend(ck.unknown_key(key, &place.label, JOB_KEYS)),
                }
            }
            for (field, set) in [("name", !spec.name.is_empty()), ("path", !spec.path.is_empty())] {
                if !set && !misspelt.contains(&field) && table.get(field).is_none() {
                    ck.report(
                        item.span(),
                        both(&CfgMsg::JobMissing, &[("label", &place.label), ("key", &field)]),
                    );
                }
            }
            match (every, schedule) {
                (Some(_), Some((_, v))) => {
                    ck.report(v.span(), both(&CfgMsg::JobEveryAndSchedule, &[("label", &place.label)]))
                }
                (Some(p), None) => {
                    spec.due = Due::Every(p);
                    if let Some((_, v)) = tz {
                        ck.report(v.span(), both(&CfgMsg::JobTzWithoutSchedule, &[("label", &place.label)]));
                    }
                }
                (None, Some((text, v))) => match Due::schedule(&text, tz.map(|(z, _)| z)) {
                    Ok(due) => spec.due = due,
                    Err(e) => {
                        use crate::backup_words::schedule_error;
                        use crate::i18n::Lang;
                        let why = crate::i18n::Both {
                            en: schedule_error(&e, Lang::En),
                            zh: schedule_error(&e, Lang::ZhCn),
                        };
                        let args: [(&str, &dyn crate::i18n::Localized); 3] =
                            [("label", &place.label), ("value", &text), ("why", &why)];
                        ck.report(v.span(), both(&CfgMsg::JobScheduleBad, &args))
                    }
                },
                (None, None) => {
                    if !bad && !misspelt.contains(&"every") && !misspelt.contains(&"schedule") {
                        ck.report(item.span(), both(&CfgMsg::JobNoDue, &[("label", &place.label)]));
                    }
                }
            }
            if !spec.name.is_empty() && out.iter().any(|o| o.name == spec.name) {
                ck.report(item.span(), both(&CfgMsg::JobTwice, &[("name", &spec.name)]));
            }
            out.push(spec);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::backups::{Due, Kind};
    use crate::config::tests::parse;

    #[test]
    fn jobs_as_the_issue_writes_them() {
        let c = parse(
            "[backups]\ncheck_interval = \"5m\"\n\
             [[hosts]]\nname = \"db1\"\naddress = \"10.0.0.9\"\n\
             [[jobs]]\nname = \"db1-oracle-expdp\"\nhost = \"db1\"\npath = \"/backup/oracle/*.dmp.gz\"\n\
             kind = \"backup\"\nevery = \"1d\"\ngrace = \"6h\"\nmin_size = \"100MB\"\nshrink_pct = 50\n\
             verify = \"gzip -t\"\nrun = \"/opt/scripts/backup_oracle.sh\"\n\
             [[jobs]]\nname = \"padis-monthly\"\npath = \"/data/report/padis-*.xml\"\nkind = \"report\"\n\
             schedule = \"0 9 5 * *\"\ntz = \"Asia/Shanghai\"\n",
        )
        .unwrap();
        assert_eq!(c.backups.check_interval.as_secs(), 300);
        assert_eq!(c.jobs.len(), 2);
        let a = &c.jobs[0];
        assert_eq!((a.host.as_deref(), a.min_size, a.shrink_pct), (Some("db1"), Some(100_000_000), Some(50)));
        assert_eq!(a.due, Due::Every(std::time::Duration::from_secs(86400)));
        assert_eq!(a.grace.as_secs(), 6 * 3600);
        let b = &c.jobs[1];
        assert_eq!((b.kind, b.host.clone(), b.grace), (Kind::Report, None, super::DEFAULT_GRACE));
        assert_eq!(b.due.describe(), "0 9 5 * * (Asia/Shanghai)");
    }

    #[test]
    fn bad_jobs_are_named_where_they_are() {
        let errors = parse(
            "[[jobs]]\nname = \"a\"\npath = \"backup/*.gz\"\nevery = \"1d\"\n\
             [[jobs]]\nname = \"b\"\npath = \"/b\"\nevery = \"1d\"\nschedule = \"0 1 * * *\"\n\
             [[jobs]]\nname = \"c\"\npath = \"/c\"\nschedule = \"0 1 * *\"\n\
             [[jobs]]\nname = \"d\"\npath = \"/d\"\nschedule = \"0 1 * * *\"\ntz = \"Mars/Olympus\"\n\
             [[jobs]]\nname = \"a\"\npath = \"/e\"\n\
             [[jobs]]\nname = \"f\"\npath = \"/f\"\nevry = \"1d\"\nkind = \"bakup\"\nhost = \"nowhere\"\n",
        )
        .unwrap_err();
        let text = errors.to_string();
        for want in [
            "config.toml:3:8",
            "absolute",
            "both `every` and `schedule`",
            "4 fields",
            "Mars/Olympus",
            "has neither `every` nor `schedule`",
            "two [[jobs]] entries are named \"a\"",
            "every",
            "\"backup\"",
            "nowhere",
        ] {
            assert!(text.contains(want), "{want:?} in:\n{text}");
        }
    }
}
