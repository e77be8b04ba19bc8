//! `[thresholds]`: warn/crit limits per figure, read into the health domain's own
//! [`Thresholds`] (which validates them; the messages get their place here).

use std::ops::Range;

use toml::de::DeValue;

use super::check::{key_str, Checker, Key, Place, Value};
use super::messages::CfgMsg;
use super::Section;
use crate::health::thresholds::{Limits, Thresholds};
use crate::i18n::{both, Both};

const KEYS: &[&str] = &[
    "disk_pct",
    "inodes_pct",
    "mem_pct",
    "swap_pct",
    "load_per_core",
    "cpu_pct",
    "net_errors_per_s",
    "net_drops_per_s",
];
const LIMIT_KEYS: &[&str] = &["warn", "crit"];

impl Section for Thresholds {
    fn check(ck: &mut Checker<'_>, key: &Key<'_>, value: &Value<'_>) -> Self {
        thresholds(ck, key, value)
    }
}

fn thresholds(ck: &mut Checker<'_>, key: &Key<'_>, value: &Value<'_>) -> Thresholds {
    let mut thresholds = Thresholds::default();
    let Some(table) = ck.table(value, &"thresholds".to_string()) else {
        return thresholds;
    };
    let mut given: Vec<(&str, Range<usize>)> = Vec::new();
    for (k, v) in table.iter() {
        let name = key_str(k);
        let slot = match name {
            "disk_pct" => &mut thresholds.disk_pct,
            "inodes_pct" => &mut thresholds.inodes_pct,
            "mem_pct" => &mut thresholds.mem_pct,
            "swap_pct" => &mut thresholds.swap_pct,
            "load_per_core" => &mut thresholds.load_per_core,
            "cpu_pct" => &mut thresholds.cpu_pct,
            "net_errors_per_s" => &mut thresholds.net_errors_per_s,
            "net_drops_per_s" => &mut thresholds.net_drops_per_s,
            _ => {
                ck.unknown_key(k, "[thresholds]", KEYS);
                continue;
            }
        };
        if let Some(limits) = limits(ck, name, v) {
            *slot = limits;
            given.push((name, k.span()));
        }
    }
    for message in thresholds.validate() {
        let span = given
            .iter()
            .find(|(name, _)| message.strip_prefix(name).is_some_and(|rest| rest.starts_with(':')))
            .map_or_else(|| key.span(), |(_, span)| span.clone());
        ck.report(span, message_of(&message));
    }
    thresholds
}

/// A problem [`Thresholds::validate`] found (`disk_pct: warn (95) must not exceed crit (90)`),
/// as a message of the catalogue in both languages. The domain words its problems in one fixed
/// form; one that is not recognised is kept as it is (and the catalogue test would flag it).
fn message_of(problem: &str) -> Both {
    let parsed = (|| {
        let (name, rest) = problem.split_once(": ")?;
        if let Some(rest) = rest.strip_prefix("warn (") {
            if let Some((warn, crit)) = rest.split_once(") must not exceed crit (") {
                let crit = crit.strip_suffix(')')?;
                return Some(both(
                    &CfgMsg::LimitWarnAboveCrit,
                    &[("name", &name), ("warn", &warn), ("crit", &crit)],
                ));
            }
        }
        let (which, rest) = rest.split_once(" (")?;
        let (value, rule) = rest.split_once(") ")?;
        let m = match rule {
            "must be a finite number" => CfgMsg::LimitNotFinite,
            "must be within 0..=100" => CfgMsg::LimitNotPercent,
            "must not be negative" => CfgMsg::LimitNegative,
            _ => return None,
        };
        Some(both(&m, &[("name", &name), ("which", &which), ("value", &value)]))
    })();
    parsed.unwrap_or_else(|| {
        let text = format!("thresholds.{problem}");
        Both { en: text.clone(), zh: text }
    })
}

fn limits(ck: &mut Checker<'_>, name: &str, value: &Value<'_>) -> Option<Limits> {
    let path = format!("thresholds.{name}");
    let table = ck.table(value, &both(&CfgMsg::LimitsExample, &[("path", &path)]))?;
    let place = Place::named(&path);
    let mut warn = None;
    let mut crit = None;
    let mut ok = true;
    for (k, v) in table.iter() {
        let which = key_str(k);
        let slot = match which {
            "warn" => &mut warn,
            "crit" => &mut crit,
            _ => {
                ck.unknown_key(k, &place.label, LIMIT_KEYS);
                ok = false;
                continue;
            }
        };
        let number = match v.get_ref() {
            DeValue::Integer(i) => i128::from_str_radix(i.as_str(), i.radix()).ok().map(|n| n as f64),
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            _ => {
                ck.wrong_type(v, &CfgMsg::TypeNumber, &place.path(which));
                ok = false;
                continue;
            }
        };
        match number.filter(|n| n.is_finite()) {
            Some(n) => *slot = Some(n),
            None => {
                ck.report(v.span(), both(&CfgMsg::NotFinite, &[("path", &place.path(which))]));
                ok = false;
            }
        }
    }
    for (which, found) in [("warn", warn.is_some()), ("crit", crit.is_some())] {
        if !found && ok {
            ck.report(value.span(), both(&CfgMsg::MissingLimit, &[("path", &path), ("which", &which)]));
        }
    }
    match (warn, crit) {
        (Some(warn), Some(crit)) if ok => Some(Limits { warn, crit }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::config::tests::{error_lines, parse};
    use crate::health::thresholds::{Limits, Thresholds};

    #[test]
    fn thresholds_accept_integers_and_floats() {
        let config = parse("[thresholds]\ncpu_pct = { warn = 75, crit = 92.5 }\n[thresholds.mem_pct]\nwarn = 1e1\ncrit = 20\n").unwrap();
        assert_eq!(config.thresholds.cpu_pct, Limits { warn: 75.0, crit: 92.5 });
        assert_eq!(config.thresholds.mem_pct, Limits { warn: 10.0, crit: 20.0 });
        assert_eq!(config.thresholds.disk_pct, Thresholds::default().disk_pct);
    }

    #[test]
    fn threshold_values_must_be_finite_numbers() {
        assert_eq!(
            error_lines("[thresholds]\ncpu_pct = { warn = nan, crit = \"90\" }\n"),
            vec![
                "config.toml:2:20: thresholds.cpu_pct.warn must be a finite number",
                "config.toml:2:32: expected a number for thresholds.cpu_pct.crit, found a string",
            ]
        );
    }
}
