//! `[duty]`: the night-duty view's bell and flash for a new critical alert.

use serde::Serialize;

use super::check::{key_str, Checker, Key, Place, Value};
use super::Section;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Duty {
    /// Ring the terminal's bell when a new critical alert opens.
    pub bell: bool,
    /// Flash the screen when a new critical alert opens.
    pub flash: bool,
}

impl Default for Duty {
    fn default() -> Self {
        Duty { bell: true, flash: true }
    }
}

const DUTY_KEYS: &[&str] = &["bell", "flash"];

impl Section for Duty {
    fn check(ck: &mut Checker<'_>, key: &Key<'_>, value: &Value<'_>) -> Self {
        let mut out = Duty::default();
        let Some(table) = ck.table(value, &key_str(key).to_string()) else { return out };
        let place = Place::named("duty");
        for (k, v) in table.iter() {
            let name = key_str(k);
            let slot = match name {
                "bell" => &mut out.bell,
                "flash" => &mut out.flash,
                _ => {
                    ck.unknown_key(k, "[duty]", DUTY_KEYS);
                    continue;
                }
            };
            if let Some(on) = ck.boolean(&place, name, v) {
                *slot = on;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::config::tests::parse;

    #[test]
    fn bell_and_flash_switch_off() {
        let c = parse("[duty]\nbell = false\n").unwrap();
        assert!(!c.duty.bell && c.duty.flash);
        assert!(parse("").unwrap().duty.bell);
        let e = parse("[duty]\nbel = false\n").unwrap_err().to_string();
        assert!(e.contains("bel") && e.contains("bell"), "{e}");
    }
}
