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
