//! `[baseline]`: the limits the security baseline judges hosts by (`yunwei baseline check`,
//! the inspection report). The standard gives no numbers; the defaults are those most
//! published check scripts use.

use super::check::{key_str, Checker, Key, Place, Value};
use super::messages::CfgMsg;
use super::Section;
use crate::baseline::Settings;

const KEYS: &[&str] = &[
    "pass_max_days",
    "pass_warn_age",
    "pw_min_len",
    "pw_min_class",
    "pw_remember",
    "lockout_deny",
    "lockout_unlock_s",
    "tmout_s",
    "umask",
    "log_retention_days",
    "failed_logins_24h",
];

impl Section for Settings {
    fn check(ck: &mut Checker<'_>, key: &Key<'_>, value: &Value<'_>) -> Self {
        let mut out = Settings::default();
        let Some(table) = ck.table(value, &key_str(key).to_string()) else { return out };
        let place = Place::named("baseline");
        for (k, v) in table.iter() {
            let name = key_str(k);
            let mut num =
                |lo: i128, hi: i128, unit: CfgMsg| ck.ranged(&place, name, v, lo, hi, unit).map(|n| n as u32);
            match name {
                "pass_max_days" => {
                    out.pass_max_days = num(1, 99_999, CfgMsg::UnitDays).unwrap_or(out.pass_max_days)
                }
                "pass_warn_age" => {
                    out.pass_warn_age = num(0, 365, CfgMsg::UnitDays).unwrap_or(out.pass_warn_age)
                }
                "pw_min_len" => out.pw_min_len = num(1, 128, CfgMsg::NoUnit).unwrap_or(out.pw_min_len),
                "pw_min_class" => out.pw_min_class = num(1, 4, CfgMsg::NoUnit).unwrap_or(out.pw_min_class),
                "pw_remember" => out.pw_remember = num(0, 400, CfgMsg::NoUnit).unwrap_or(out.pw_remember),
                "lockout_deny" => out.lockout_deny = num(1, 100, CfgMsg::NoUnit).unwrap_or(out.lockout_deny),
                "lockout_unlock_s" => {
                    out.lockout_unlock_s =
                        num(0, 604_800, CfgMsg::UnitSeconds).unwrap_or(out.lockout_unlock_s)
                }
                "tmout_s" => out.tmout_s = num(1, 86_400, CfgMsg::UnitSeconds).unwrap_or(out.tmout_s),
                "log_retention_days" => {
                    out.log_retention_days =
                        num(1, 36_500, CfgMsg::UnitDays).unwrap_or(out.log_retention_days)
                }
                "failed_logins_24h" => {
                    out.failed_logins_24h =
                        num(1, 10_000_000, CfgMsg::NoUnit).unwrap_or(out.failed_logins_24h)
                }
                "umask" => {
                    let Some(text) = ck.string(&place, name, v) else { continue };
                    match u32::from_str_radix(text.trim(), 8) {
                        Ok(m) if m <= 0o777 && !text.trim().is_empty() => out.umask = m,
                        _ => ck.report(
                            v.span(),
                            crate::i18n::Both::new(
                                format!(
                                    "baseline.umask: {text:?} is not a umask: write it in octal, as \"027\""
                                ),
                                format!("baseline.umask：{text:?} 不是 umask：请写成八进制，例如 \"027\""),
                            ),
                        ),
                    }
                }
                _ => {
                    ck.unknown_key(k, "[baseline]", KEYS);
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
    fn the_limits_are_the_usual_ones_unless_said() {
        let c = parse("").unwrap();
        assert_eq!(c.baseline, crate::baseline::Settings::default());
        let c = parse(
            "[baseline]\npass_max_days = 180\ntmout_s = 300\numask = \"077\"\nfailed_logins_24h = 500\n",
        )
        .unwrap();
        assert_eq!((c.baseline.pass_max_days, c.baseline.tmout_s, c.baseline.umask), (180, 300, 0o077));
        assert_eq!(c.baseline.failed_logins_24h, 500);
        let e = parse("[baseline]\nfailed_logins_24h = 0\n").unwrap_err().to_string();
        assert!(e.contains("failed_logins_24h") && e.contains(":2:"), "{e}");
        let e = parse("[baseline]\numask = \"0x9\"\n").unwrap_err().to_string();
        assert!(e.contains("octal") && e.contains(":2:"), "{e}");
        let e = parse("[baseline]\npw_min_class = 5\n").unwrap_err().to_string();
        assert!(e.contains("pw_min_class"), "{e}");
        let e = parse("[baseline]\npass_max_dayz = 5\n").unwrap_err().to_string();
        assert!(e.contains("pass_max_days"), "{e}");
    }
}
