//! `[[logs]]` (the log sources of the Logs pane) and `[log_pane]` (the pane's own settings).
//! (`[[logs]]` is an array of tables, so TOML cannot also have a `[logs]` table: the pane's
//! settings live in `[log_pane]`.)

use super::messages::CfgMsg;
use crate::i18n::both;
use serde::Serialize;

use super::check::{entry_name, key_str, Checker, Key, Place, Value};
use super::Section;
use crate::logs::journal::JournalSpec;
use crate::logs::sources::{LogEncoding, SourceSpec};

/// One `[[logs]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct LogEntry {
    pub name: String,
    /// A host of `[[hosts]]`; `None` for this machine.
    pub host: Option<String>,
    /// A path, `*` and `?` allowed (expanded when the console starts); empty for the journal.
    pub path: String,
    pub encoding: LogEncoding,
    /// `journal = true`: the systemd journal instead of a file.
    pub journal: bool,
    /// `unit = "nginx"`: only this unit's journal entries (with `journal = true` only).
    pub unit: Option<String>,
}

impl LogEntry {
    /// The source the logs domain follows for this entry.
    pub fn spec(&self) -> SourceSpec {
        SourceSpec {
            name: self.name.clone(),
            host: self.host.clone(),
            pattern: self.path.clone(),
            encoding: self.encoding,
            journal: self.journal.then(|| JournalSpec { unit: self.unit.clone() }),
        }
    }
}

/// Whether `unit` is written as systemd writes unit names (and `journalctl --unit` patterns):
/// letters, digits and `: - _ . \ @`, with `* ? [ ]` for a pattern.
fn unit_name_ok(unit: &str) -> bool {
    unit.chars().all(|c| c.is_ascii_alphanumeric() || ":-_.\\@*?[]".contains(c)) && !unit.starts_with('-')
}

impl super::Config {
    /// The `[[logs]]` entries as the logs domain's sources (empty when there are none).
    pub fn log_specs(&self) -> Vec<SourceSpec> {
        self.logs.iter().map(LogEntry::spec).collect()
    }
}

/// `[log_pane]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogPane {
    /// The most records kept in the pane; the oldest are dropped.
    pub max_records: usize,
}

impl Default for LogPane {
    fn default() -> Self {
        LogPane { max_records: 200_000 }
    }
}

const LOG_KEYS: &[&str] = &["name", "host", "path", "encoding", "format", "journal", "unit"];
const LOG_PANE_KEYS: &[&str] = &["max_records"];

/// Record formats a log source may name; `auto` recognises every known timestamp form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "lowercase")]
enum LogFormat {
    Auto,
}

impl Section for Vec<LogEntry> {
    fn check(ck: &mut Checker<'_>, _key: &Key<'_>, value: &Value<'_>) -> Self {
        let mut logs = Vec::new();
        for (number, item, table) in ck.array_of_tables(value, "logs", &CfgMsg::TypeLogTables) {
            let place = Place::entry("logs", number, entry_name(table));
            let mut entry = LogEntry::default();
            let (mut has_name, mut has_path) = (false, false);
            // Where `path`, `journal = true` and `unit` are written, for the errors that pair them.
            let (mut path_span, mut journal_span, mut unit_span) = (None, None, None);
            let mut misspelt = Vec::new();
            for (key, value) in table.iter() {
                let name = key_str(key);
                match name {
                    "name" => {
                        has_name = true;
                        entry.name = ck.shown_name(&place, name, value).unwrap_or_default();
                    }
                    "host" => entry.host = ck.host_ref(&place, name, &format!("[[logs]] #{number}"), value),
                    "path" => {
                        has_path = true;
                        path_span = Some(key.span());
                        entry.path = ck.nonempty_string(&place, name, value).unwrap_or_default();
                    }
                    "journal" => {
                        if let Some(on) = ck.boolean(&place, name, value) {
                            entry.journal = on;
                            if on {
                                journal_span = Some(key.span());
                            }
                        }
                    }
                    "unit" => {
                        unit_span = Some(key.span());
                        if let Some(unit) = ck.nonempty_string(&place, name, value) {
                            if unit_name_ok(&unit) {
                                entry.unit = Some(unit);
                            } else {
                                let path = place.path(name);
                                ck.report(value.span(), both(&CfgMsg::LogBadUnit, &[("path", &path)]));
                            }
                        }
                    }
                    "encoding" => {
                        if let Some(e) = ck.choice(&place, name, value) {
                            entry.encoding = e;
                        }
                    }
                    "format" => {
                        let _: Option<LogFormat> = ck.choice(&place, name, value);
                    }
                    _ => misspelt.extend(ck.unknown_key(key, &place.label, LOG_KEYS)),
                }
            }
            if !has_name && !misspelt.contains(&"name") {
                ck.report(item.span(), both(&CfgMsg::LogNoName, &[("label", &place.label)]));
            }
            if let (Some(journal), Some(_)) = (journal_span.clone(), path_span) {
                ck.report(journal, both(&CfgMsg::LogJournalAndPath, &[("label", &place.label)]));
            }
            if let (Some(unit), None) = (unit_span, &journal_span) {
                ck.report(unit, both(&CfgMsg::LogUnitNeedsJournal, &[("label", &place.label)]));
            }
            if !has_path && journal_span.is_none() && !misspelt.contains(&"path") {
                ck.report(item.span(), both(&CfgMsg::LogNoPath, &[("label", &place.label)]));
            }
            logs.push(entry);
        }
        logs
    }
}

impl Section for LogPane {
    fn check(ck: &mut Checker<'_>, key: &Key<'_>, value: &Value<'_>) -> Self {
        let mut pane = LogPane::default();
        let Some(table) = ck.table(value, &key_str(key).to_string()) else {
            return pane;
        };
        let place = Place::named("log_pane");
        for (key, value) in table.iter() {
            match key_str(key) {
                "max_records" => {
                    let n = ck.ranged(&place, "max_records", value, 100, 10_000_000, CfgMsg::UnitRecords);
                    if let Some(n) = n.and_then(|n| usize::try_from(n).ok()) {
                        pane.max_records = n;
                    }
                }
                _ => {
                    ck.unknown_key(key, &place.label, LOG_PANE_KEYS);
                }
            }
        }
        pane
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::parse;
    use crate::config::Config;

    #[test]
    fn log_sources_and_pane_settings() {
        let c = parse(
            "[[logs]]\nname = \"应用\"\npath = \"/var/log/app/*.log\"\nencoding = \"gb18030\"\n\
             [[logs]]\nname = \"sys\"\npath = \"/var/log/messages\"\n[log_pane]\nmax_records = 5000\n",
        )
        .unwrap();
        assert_eq!(c.logs.len(), 2);
        assert_eq!(c.logs[0].name, "应用");
        assert_eq!(c.logs[0].encoding, LogEncoding::Gb18030);
        assert_eq!(c.logs[1].encoding, LogEncoding::Auto);
        assert_eq!(c.logs[1].host, None);
        assert_eq!(c.log_pane.max_records, 5000);
        assert_eq!(Config::default().log_pane.max_records, 200_000);
    }

    #[test]
    fn journal_sources() {
        let c = parse(
            "[[hosts]]\nname = \"web1\"\naddress = \"10.0.0.1\"\n\
             [[logs]]\nname = \"journal\"\njournal = true\n\
             [[logs]]\nname = \"nginx\"\njournal = true\nunit = \"nginx.service\"\nhost = \"web1\"\n",
        )
        .unwrap();
        let specs = c.log_specs();
        assert_eq!(specs[0].journal, Some(JournalSpec { unit: None }));
        assert_eq!(specs[0].pattern, "");
        assert_eq!(specs[1].journal, Some(JournalSpec { unit: Some("nginx.service".into()) }));
        assert_eq!(specs[1].host.as_deref(), Some("web1"));
        // journal = false is a file source like any other.
        let c = parse("[[logs]]\nname = \"a\"\npath = \"/x\"\njournal = false\n").unwrap();
        assert_eq!(c.log_specs()[0].journal, None);
    }

    fn errors(text: &str) -> Vec<String> {
        parse(text).unwrap_err().0.iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn journal_errors_are_placed() {
        let e = errors("[[logs]]\nname = \"j\"\npath = \"/var/log/x\"\njournal = true\n");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains(":4:1: ") && e[0].contains("both `journal = true` and `path`"), "{e:?}");
        let e = errors("[[logs]]\nname = \"u\"\npath = \"/var/log/x\"\nunit = \"nginx\"\n");
        assert!(e[0].contains(":4:1: ") && e[0].contains("needs `journal = true`"), "{e:?}");
        let e = errors("[[logs]]\nname = \"u\"\njournal = true\nunit = \"ng inx; rm\"\n");
        assert!(e[0].contains(":4:8: ") && e[0].contains("not a systemd unit name"), "{e:?}");
        let e = errors("[[logs]]\nname = \"u\"\njournal = \"yes\"\n");
        assert!(e.iter().any(|m| m.contains(":3:11: ") && m.contains("boolean")), "{e:?}");
        let e = errors("[[logs]]\nname = \"u\"\njournal = false\n");
        assert!(e[0].contains("has no `path`") && e[0].contains("journal = true"), "{e:?}");
    }

    #[test]
    fn entries_become_the_domains_sources() {
        let entry = LogEntry {
            name: "app".into(),
            host: Some("web1".into()),
            path: "/x".into(),
            encoding: LogEncoding::Utf8,
            ..Default::default()
        };
        let s = crate::logs::sources::specs(vec![entry.spec()]);
        assert_eq!(s[0].host.as_deref(), Some("web1"));
        assert_eq!(s[0].pattern, "/x");
        assert_eq!(s[0].encoding, LogEncoding::Utf8);
    }
}

/// The severities a `[[log_alerts]]` rule may raise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "lowercase")]
enum Severity {
    Warn,
    Crit,
}

const LOG_ALERT_KEYS: &[&str] = &["name", "source", "pattern", "severity", "window", "min_count"];

/// `[[log_alerts]]`: log patterns raised as alerts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogAlertRules(pub Vec<crate::logs::alerts::LogRule>);

impl Serialize for LogAlertRules {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for r in &self.0 {
            seq.serialize_element(&serde_json::json!({
                "name": r.name,
                "source": r.source,
                "pattern": r.pattern.as_str(),
                "severity": crate::alerts::level_str(r.level),
                "window_s": r.window_s,
                "min_count": r.min_count,
            }))?;
        }
        seq.end()
    }
}

impl Section for LogAlertRules {
    fn check(ck: &mut Checker<'_>, _key: &Key<'_>, value: &Value<'_>) -> Self {
        use crate::health::Level;
        use std::time::Duration;
        let mut out: Vec<crate::logs::alerts::LogRule> = Vec::new();
        for (number, item, table) in ck.array_of_tables(value, "log_alerts", &CfgMsg::TypeLogAlertTables) {
            let place = Place::entry("log_alerts", number, entry_name(table));
            let (mut name, mut source, mut pattern) = (None, None, None);
            let (mut level, mut window_s, mut min_count) = (Level::Warn, 300, 1usize);
            let mut misspelt = Vec::new();
            for (key, value) in table.iter() {
                let k = key_str(key);
                match k {
                    "name" => name = ck.shown_name(&place, k, value),
                    "source" => {
                        if let Some(src) = ck.nonempty_string(&place, k, value) {
                            ck.source_ref(&place.label, &src, value.span());
                            source = Some(src);
                        }
                    }
                    "pattern" => {
                        if let Some(text) = ck.nonempty_string(&place, k, value) {
                            match regex::Regex::new(&text) {
                                Ok(re) => pattern = Some(re),
                                Err(e) => {
                                    let why = e.to_string();
                                    let why = why.lines().last().unwrap_or("").trim().to_string();
                                    ck.report(
                                        value.span(),
                                        both(
                                            &CfgMsg::LogAlertPattern,
                                            &[("label", &place.label), ("why", &why)],
                                        ),
                                    );
                                }
                            }
                        }
                    }
                    "severity" => {
                        if let Some(sev) = ck.choice::<Severity>(&place, k, value) {
                            level = match sev {
                                Severity::Warn => Level::Warn,
                                Severity::Crit => Level::Crit,
                            };
                        }
                    }
                    "window" => {
                        let range = Duration::from_secs(10)..=Duration::from_secs(7 * 86400);
                        if let Some(d) = ck.duration(&place, k, value, range) {
                            window_s = d.as_secs() as i64;
                        }
                    }
                    "min_count" => {
                        if let Some(n) = ck.ranged(&place, k, value, 1, 100_000, CfgMsg::UnitMatches) {
                            min_count = usize::try_from(n).unwrap_or(1);
                        }
                    }
                    _ => misspelt.extend(ck.unknown_key(key, &place.label, LOG_ALERT_KEYS)),
                }
            }
            for (field, set) in
                [("source", table.get("source").is_some()), ("pattern", table.get("pattern").is_some())]
            {
                if !set && !misspelt.contains(&field) {
                    ck.report(
                        item.span(),
                        both(&CfgMsg::LogAlertMissing, &[("label", &place.label), ("key", &field)]),
                    );
                }
            }
            let (Some(source), Some(pattern)) = (source, pattern) else { continue };
            let name = name.unwrap_or_else(|| pattern.as_str().to_string());
            if out.iter().any(|r| r.source == source && r.name == name) {
                ck.report(item.span(), both(&CfgMsg::LogAlertTwice, &[("name", &name), ("source", &source)]));
                continue;
            }
            out.push(crate::logs::alerts::LogRule { source, name, pattern, level, window_s, min_count });
        }
        LogAlertRules(out)
    }
}

#[cfg(test)]
mod alert_rule_tests {
    use crate::config::tests::parse;
    use crate::health::Level;

    #[test]
    fn log_alerts_as_the_issue_writes_them() {
        let c = parse(
            "[[logs]]\nname = \"app\"\npath = \"/var/log/app/*.log\"\n\
             [[log_alerts]]\nsource = \"app\"\npattern = \"ORA-[0-9]{5}|OutOfMemoryError\"\nseverity = \"crit\"\n\
             window = \"5m\"\nmin_count = 1\n\
             [[log_alerts]]\nname = \"slow\"\nsource = \"app\"\npattern = \"慢查询\"\n",
        )
        .unwrap();
        let r = &c.log_alerts.0;
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[0].name.as_str(), r[0].level, r[0].window_s, r[0].min_count),
            ("ORA-[0-9]{5}|OutOfMemoryError", Level::Crit, 300, 1)
        );
        assert_eq!((r[1].name.as_str(), r[1].level, r[1].window_s), ("slow", Level::Warn, 300));
        assert_eq!(r[0].key().to_string(), "log/app/ORA-[0-9]{5}|OutOfMemoryError");
    }

    #[test]
    fn bad_rules_are_named_where_they_are() {
        let text = parse(
            "[[logs]]\nname = \"app\"\npath = \"/var/log/app.log\"\n\
             [[log_alerts]]\nsource = \"ap\"\npattern = \"x\"\n\
             [[log_alerts]]\nsource = \"app\"\npattern = \"ORA-(\"\n\
             [[log_alerts]]\nsource = \"app\"\npattern = \"y\"\nseverity = \"fatal\"\nwindow = \"1s\"\nmin_count = 0\n\
             [[log_alerts]]\npattern = \"z\"\n\
             [[log_alerts]]\nsource = \"app\"\npattern = \"y\"\n",
        )
        .unwrap_err()
        .to_string();
        for want in [
            "config.toml:5:10",
            "did you mean \"app\"",
            "not a regular expression",
            "\"fatal\"",
            "window",
            "min_count",
            "has no `source`",
            "two [[log_alerts]] rules of source \"app\" are named \"y\"",
        ] {
            assert!(text.contains(want), "{want}: {text}");
        }
    }
}
