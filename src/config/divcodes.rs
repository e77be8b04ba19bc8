//! `[divcodes]`: the division-code review's settings. `[[divcodes.impact]]` entries name the
//! commands that count the business records under each code, run with `sh -c` here or on a
//! host of the fleet, over the same SSH sessions as health.
//!
//! ```toml
//! [[divcodes.impact]]
//! name = "户籍人口"
//! host = "db1"                 # omitted: run here
//! command = "sqlite3 -tabs /data/rk.db 'SELECT hjdz, count(*) FROM person GROUP BY hjdz'"
//! timeout_s = 600              # default 600
//! ```

use serde::Serialize;

use super::check::{entry_name, key_str, Checker, Key, Place, Value};
use super::messages::CfgMsg;
use super::Section;
use crate::divcodes::impact::Entry;
use crate::i18n::both;

const KEYS: &[&str] = &["impact"];
const IMPACT_KEYS: &[&str] = &["name", "host", "command", "timeout_s"];
/// How long an impact command may run by default: counting a big table takes a while.
pub const DEFAULT_TIMEOUT_S: u64 = 600;

/// `[divcodes]`
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Divcodes {
    pub impact: Vec<Entry>,
}

impl Section for Divcodes {
    fn check(ck: &mut Checker<'_>, key: &Key<'_>, value: &Value<'_>) -> Self {
        let mut out = Divcodes::default();
        let Some(table) = ck.table(value, &key_str(key).to_string()) else { return out };
        for (k, v) in table.iter() {
            match key_str(k) {
                "impact" => out.impact = impact(ck, v),
                _ => {
                    ck.unknown_key(k, "[divcodes]", KEYS);
                }
            }
        }
        out
    }
}

fn impact(ck: &mut Checker<'_>, value: &Value<'_>) -> Vec<Entry> {
    let mut out = Vec::new();
    for (number, item, table) in ck.array_of_tables(value, "divcodes.impact", &CfgMsg::TypeImpactTables) {
        let place = Place::entry("divcodes.impact", number, entry_name(table));
        let mut e =
            Entry { name: String::new(), host: None, command: String::new(), timeout_s: DEFAULT_TIMEOUT_S };
        let mut misspelt = Vec::new();
        for (key, value) in table.iter() {
            let name = key_str(key);
            match name {
                "name" => e.name = ck.shown_name(&place, name, value).unwrap_or_default(),
                "host" => {
                    e.host = ck.host_ref(&place, name, &format!("[[divcodes.impact]] #{number}"), value)
                }
                "command" => e.command = ck.nonempty_string(&place, name, value).unwrap_or_default(),
                "timeout_s" => {
                    if let Some(n) = ck.ranged(&place, name, value, 1, 86_400, CfgMsg::UnitSeconds) {
                        e.timeout_s = u64::try_from(n).unwrap_or(DEFAULT_TIMEOUT_S);
                    }
                }
                _ => misspelt.extend(ck.unknown_key(key, &place.label, IMPACT_KEYS)),
            }
        }
        for (field, set) in [("name", !e.name.is_empty()), ("command", !e.command.is_empty())] {
            if !set && !misspelt.contains(&field) && table.get(field).is_none() {
                ck.report(
                    item.span(),
                    both(&CfgMsg::DivImpactMissing, &[("label", &place.label), ("key", &field)]),
                );
            }
        }
        if !e.name.is_empty() && out.iter().any(|o: &Entry| o.name == e.name) {
            ck.report(item.span(), both(&CfgMsg::DivImpactTwice, &[("name", &e.name)]));
        }
        out.push(e);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::config::tests::parse;

    #[test]
    fn impact_entries() {
        let c = parse(
            "[[hosts]]\nname = \"db1\"\naddress = \"10.0.0.9\"\n\
             [[divcodes.impact]]\nname = \"户籍\"\nhost = \"db1\"\ncommand = \"psql -At -c 'SELECT 1'\"\n\
             [[divcodes.impact]]\nname = \"local\"\ncommand = \"sqlite3 -tabs x.db 'SELECT 1'\"\ntimeout_s = 30\n",
        )
        .unwrap();
        assert_eq!(c.divcodes.impact.len(), 2);
        assert_eq!(c.divcodes.impact[0].host.as_deref(), Some("db1"));
        assert_eq!((c.divcodes.impact[1].host.clone(), c.divcodes.impact[1].timeout_s), (None, 30));
        assert_eq!(c.divcodes.impact[0].timeout_s, super::DEFAULT_TIMEOUT_S);
    }

    #[test]
    fn bad_impact_entries_are_named() {
        let errors = parse(
            "[[divcodes.impact]]\nname = \"a\"\n\
             [[divcodes.impact]]\ncommand = \"x\"\nhost = \"nowhere\"\n\
             [[divcodes.impact]]\nname = \"a\"\ncommand = \"y\"\ntimeout = 5\n",
        )
        .unwrap_err();
        let text = errors.to_string();
        assert!(text.contains("[[divcodes.impact]] #1") && text.contains("`command`"), "{text}");
        assert!(text.contains("`name`"), "{text}");
        assert!(text.contains("nowhere"), "{text}");
        assert!(text.contains("timeout_s"), "did you mean: {text}");
        assert!(text.contains("config.toml:6:1: two [[divcodes.impact]] entries are named \"a\""), "{text}");
    }
}
