//! `[[logs]]` (the log sources of the Logs pane) and `[log_pane]` (the pane's own settings).
//! (`[[logs]]` is an array of tables, so TOML cannot also have a `[logs]` table: the pane's
//! settings live in `[log_pane]`.)

use super::messages::CfgMsg;
use crate::i18n::both;
use serde::Serialize;

use super::check::{entry_name, key_str, Checker, Key, Place, Value};
use super::Section;
use crate::logs::sources::{LogEncoding, SourceSpec};

/// One `[[logs]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEntry {
    pub name: String,
    /// A host of `[[hosts]]`; `None` for this machine.
    pub host: Option<String>,
    /// A path, `*` and `?` allowed (expanded when the console starts).
    pub path: String,
    pub encoding: LogEncoding,
}

impl LogEntry {
    /// The source the logs domain follows for this entry.
    pub fn spec(&self) -> SourceSpec {
        SourceSpec {
            name: self.name.clone(),
            host: self.host.clone(),
            pattern: self.path.clone(),
            encoding: self.encoding,
        }
    }
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

const LOG_KEYS: &[&str] = &["name", "host", "path", "encoding", "format"];
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
            let mut entry = LogEntry {
                name: String::new(),
                host: None,
                path: String::new(),
                encoding: LogEncoding::Auto,
            };
            let (mut has_name, mut has_path) = (false, false);
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
                        entry.path = ck.nonempty_string(&place, name, value).unwrap_or_default();
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
            if !has_path && !misspelt.contains(&"path") {
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
    fn entries_become_the_domains_sources() {
        let entry = LogEntry {
            name: "app".into(),
            host: Some("web1".into()),
            path: "/x".into(),
            encoding: LogEncoding::Utf8,
        };
        let s = crate::logs::sources::specs(vec![entry.spec()]);
        assert_eq!(s[0].host.as_deref(), Some("web1"));
        assert_eq!(s[0].pattern, "/x");
        assert_eq!(s[0].encoding, LogEncoding::Utf8);
    }
}
