//! `[shell]`: the recorded shell on a host (`S` in the console, `yunwei shell HOST`).

use serde::Serialize;

use super::check::{key_str, Checker, Key, Place, Value};
use super::messages::CfgMsg;
use super::Section;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shell {
    /// Record every session as an asciicast file in `sessions/` beside the database.
    pub record: bool,
    /// Recordings older than this many days are deleted (each deletion audited).
    pub keep_days: u32,
}

impl Default for Shell {
    fn default() -> Self {
        Shell { record: true, keep_days: 180 }
    }
}

const SHELL_KEYS: &[&str] = &["record", "keep_days"];

impl Section for Shell {
    fn check(ck: &mut Checker<'_>, key: &Key<'_>, value: &Value<'_>) -> Self {
        let mut out = Shell::default();
        let Some(table) = ck.table(value, &key_str(key).to_string()) else { return out };
        let place = Place::named("shell");
        for (k, v) in table.iter() {
            let name = key_str(k);
            match name {
                "record" => {
                    if let Some(on) = ck.boolean(&place, name, v) {
                        out.record = on;
                    }
                }
                "keep_days" => {
                    if let Some(n) = ck.ranged(&place, name, v, 1, 36_500, CfgMsg::UnitDays) {
                        out.keep_days = n as u32;
                    }
                }
                _ => {
                    ck.unknown_key(k, "[shell]", SHELL_KEYS);
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
    fn recording_is_on_and_kept_half_a_year_unless_said() {
        let c = parse("").unwrap();
        assert!(c.shell.record);
        assert_eq!(c.shell.keep_days, 180);
        let c = parse("[shell]\nrecord = false\nkeep_days = 30\n").unwrap();
        assert!(!c.shell.record);
        assert_eq!(c.shell.keep_days, 30);
        let e = parse("[shell]\nkeep_days = 0\n").unwrap_err().to_string();
        assert!(e.contains("keep_days") && e.contains("36500"), "{e}");
        let e = parse("[shell]\nrecrod = true\n").unwrap_err().to_string();
        assert!(e.contains("record"), "{e}");
    }
}
