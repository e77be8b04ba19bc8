//! `[tickets]`: the ticket queue's SLA targets and calendars, read into the tickets domain's
//! own [`SlaPolicy`].
//!
//! ```toml
//! [tickets.sla]
//! response   = { P1 = "15m", P2 = "30m", P3 = "2h", P4 = "8h" }
//! resolution = { P1 = "4h", P2 = "8h", P3 = "24h", P4 = "72h" }
//! calendar   = { P3 = "workdays", P4 = "workdays" }   # "24x7" (default) or "workdays"
//!
//! [tickets.calendar]
//! day_start = "09:00"
//! day_end = "18:00"
//! utc_offset = "+08:00"
//! holidays = ["2026-10-01", "2026-10-02"]
//! workdays = ["2026-10-10"]                             # weekend days worked in exchange
//! ```

use std::time::Duration;

use toml::de::DeValue;

use super::check::{key_str, Checker, Key, Place, Value};
use super::messages::CfgMsg;
use super::Section;
use crate::i18n::both;
use crate::tickets::sla::{CalendarKind, SlaPolicy};

const KEYS: &[&str] = &["sla", "calendar"];
const SLA_KEYS: &[&str] = &["response", "resolution", "calendar"];
const PRIORITIES: &[&str] = &["P1", "P2", "P3", "P4"];
const CALENDAR_KEYS: &[&str] = &["day_start", "day_end", "utc_offset", "holidays", "workdays"];

/// `[tickets]`
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tickets {
    pub sla: SlaPolicy,
}

impl serde::Serialize for Tickets {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let p = &self.sla;
        let mut st = s.serialize_struct("Tickets", 3)?;
        st.serialize_field("response_s", &p.response)?;
        st.serialize_field("resolution_s", &p.resolution)?;
        st.serialize_field("calendar", &p.kinds.map(CalendarKind::as_str))?;
        st.end()
    }
}

/// `tickets.sla.calendar`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
enum Kind {
    #[strum(serialize = "24x7")]
    Always,
    #[strum(serialize = "workdays")]
    Workdays,
}

impl Section for Tickets {
    fn check(ck: &mut Checker<'_>, _key: &Key<'_>, value: &Value<'_>) -> Self {
        let mut out = Tickets::default();
        let Some(table) = ck.table(value, &"tickets".to_string()) else { return out };
        for (k, v) in table.iter() {
            match key_str(k) {
                "sla" => sla(ck, v, &mut out.sla),
                "calendar" => calendar(ck, v, &mut out.sla),
                _ => {
                    ck.unknown_key(k, "[tickets]", KEYS);
                }
            }
        }
        out
    }
}

fn sla(ck: &mut Checker<'_>, value: &Value<'_>, policy: &mut SlaPolicy) {
    let Some(table) = ck.table(value, &"tickets.sla".to_string()) else { return };
    let place = Place::named("tickets.sla");
    for (k, v) in table.iter() {
        let name = key_str(k);
        if !SLA_KEYS.contains(&name) {
            ck.unknown_key(k, &place.label, SLA_KEYS);
            continue;
        }
        let path = format!("tickets.sla.{name}");
        let Some(per) = ck.table(v, &path) else { continue };
        let inner = Place::named(&path);
        for (pk, pv) in per.iter() {
            let Some(i) = PRIORITIES.iter().position(|p| *p == key_str(pk)) else {
                ck.unknown_key(pk, &inner.label, PRIORITIES);
                continue;
            };
            let key = key_str(pk);
            match name {
                "calendar" => {
                    if let Some(kind) = ck.choice::<Kind>(&inner, key, pv) {
                        policy.kinds[i] = match kind {
                            Kind::Always => CalendarKind::Always,
                            Kind::Workdays => CalendarKind::Workdays,
                        };
                    }
                }
                _ => {
                    let range = Duration::from_secs(60)..=Duration::from_secs(366 * 86_400);
                    if let Some(d) = ck.duration(&inner, key, pv, range) {
                        let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                        if name == "response" {
                            policy.response[i] = secs;
                        } else {
                            policy.resolution[i] = secs;
                        }
                    }
                }
            }
        }
    }
}

fn calendar(ck: &mut Checker<'_>, value: &Value<'_>, policy: &mut SlaPolicy) {
    let Some(table) = ck.table(value, &"tickets.calendar".to_string()) else { return };
    let place = Place::named("tickets.calendar");
    let cal = &mut policy.calendar;
    let mut hours_span = None;
    for (k, v) in table.iter() {
        let key = key_str(k);
        match key {
            "day_start" | "day_end" => {
                let Some(s) = ck.string(&place, key, v) else { continue };
                match chrono::NaiveTime::parse_from_str(s.trim(), "%H:%M") {
                    Ok(t) if key == "day_start" => cal.day_start = t,
                    Ok(t) => cal.day_end = t,
                    Err(_) => ck.report(
                        v.span(),
                        both(&CfgMsg::TicketsBadTime, &[("path", &place.path(key)), ("value", &s)]),
                    ),
                }
                hours_span = Some(v.span());
            }
            "utc_offset" => {
                let Some(s) = ck.string(&place, key, v) else { continue };
                match parse_offset(&s) {
                    Some(o) => cal.offset = o,
                    None => ck.report(
                        v.span(),
                        both(&CfgMsg::TicketsBadOffset, &[("path", &place.path(key)), ("value", &s)]),
                    ),
                }
            }
            "holidays" | "workdays" => {
                let DeValue::Array(items) = v.get_ref() else {
                    ck.wrong_type(v, &CfgMsg::TypeStrings, &place.path(key));
                    continue;
                };
                for item in items {
                    let Some(s) = ck.string(&place, key, item) else { continue };
                    match chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
                        Ok(d) if key == "holidays" => {
                            cal.holidays.insert(d);
                        }
                        Ok(d) => {
                            cal.workdays.insert(d);
                        }
                        Err(_) => ck.report(
                            item.span(),
                            both(&CfgMsg::TicketsBadDate, &[("path", &place.path(key)), ("value", &s)]),
                        ),
                    }
                }
            }
            _ => {
                ck.unknown_key(k, &place.label, CALENDAR_KEYS);
            }
        }
    }
    if let Some(span) = hours_span {
        if cal.day_end <= cal.day_start {
            let (start, end) =
                (cal.day_start.format("%H:%M").to_string(), cal.day_end.format("%H:%M").to_string());
            ck.report(span, both(&CfgMsg::TicketsEmptyDay, &[("start", &start), ("end", &end)]));
        }
    }
    if let Some(d) = cal.holidays.intersection(&cal.workdays).next() {
        let d = d.format("%Y-%m-%d").to_string();
        ck.report(value.span(), both(&CfgMsg::TicketsHolidayAndWorkday, &[("date", &d)]));
    }
}

/// `+08:00`, `-05:30`, `Z` or `UTC`.
fn parse_offset(s: &str) -> Option<chrono::FixedOffset> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("z") || s.eq_ignore_ascii_case("utc") {
        return chrono::FixedOffset::east_opt(0);
    }
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if h.abs() > 14 || !(0..60).contains(&m) || rest.len() != 5 {
        return None;
    }
    chrono::FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<crate::config::Config, crate::config::ConfigErrors> {
        crate::config::parse_str(text, std::path::Path::new("t.toml"))
    }

    #[test]
    fn the_defaults_are_the_contracts() {
        let cfg = load("").unwrap();
        assert_eq!(cfg.tickets.sla, SlaPolicy::default());
    }

    #[test]
    fn targets_calendars_holidays_and_exchanged_workdays_are_read() {
        let cfg = load(
            r#"
[tickets.sla]
response = { P1 = "10m", P4 = "1d" }
resolution = { P2 = "6h" }
calendar = { P3 = "workdays", P4 = "workdays" }

[tickets.calendar]
day_start = "08:30"
day_end = "17:30"
utc_offset = "+08:00"
holidays = ["2026-10-01", "2026-10-02"]
workdays = ["2026-10-10"]
"#,
        )
        .unwrap();
        let p = &cfg.tickets.sla;
        assert_eq!(p.response, [600, 1800, 7200, 86_400]);
        assert_eq!(p.resolution[1], 6 * 3600);
        assert_eq!(
            p.kinds,
            [CalendarKind::Always, CalendarKind::Always, CalendarKind::Workdays, CalendarKind::Workdays]
        );
        assert_eq!(p.calendar.day_start.format("%H:%M").to_string(), "08:30");
        assert_eq!(p.calendar.holidays.len(), 2);
        assert!(p.calendar.is_working_day(chrono::NaiveDate::from_ymd_opt(2026, 10, 10).unwrap()));
    }

    #[test]
    fn mistakes_are_named_at_their_place_in_both_languages() {
        let errors = load(
            r#"
[tickets.sla]
response = { P5 = "10m", P1 = "soon" }
calendar = { P1 = "weekdays" }

[tickets.calendar]
day_start = "18:00"
day_end = "9am"
utc_offset = "+8"
holidays = ["2026-13-01", "2026-10-10"]
workdays = ["2026-10-10"]
"#,
        )
        .unwrap_err();
        let en: Vec<String> = errors.0.iter().map(|e| e.render(crate::i18n::Lang::En)).collect();
        let all = en.join("\n");
        assert!(all.contains("t.toml:3:14: unknown key `P5` in [tickets.sla.response]"), "{all}");
        assert!(all.contains("invalid duration \"soon\" for tickets.sla.response.P1"), "{all}");
        assert!(all.contains("invalid value \"weekdays\" for tickets.sla.calendar.P1"), "{all}");
        assert!(
            all.contains("tickets.calendar.day_end: \"9am\" is not a time of day such as \"09:00\""),
            "{all}"
        );
        assert!(
            all.contains("tickets.calendar.utc_offset: \"+8\" is not an offset such as \"+08:00\""),
            "{all}"
        );
        assert!(
            all.contains("tickets.calendar.holidays: \"2026-13-01\" is not a date such as \"2026-10-01\""),
            "{all}"
        );
        assert!(all.contains("2026-10-10 is both a holiday and a workday"), "{all}");
        let zh: Vec<String> = errors.0.iter().map(|e| e.render(crate::i18n::Lang::ZhCn)).collect();
        assert!(zh.join("\n").contains("不是日期"), "{zh:?}");
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("+08:00").map(|o| o.local_minus_utc()), Some(8 * 3600));
        assert_eq!(parse_offset("-05:30").map(|o| o.local_minus_utc()), Some(-(5 * 3600 + 1800)));
        assert_eq!(parse_offset("UTC").map(|o| o.local_minus_utc()), Some(0));
        for bad in ["+8", "08:00", "+25:00", "+08:60", ""] {
            assert_eq!(parse_offset(bad), None, "{bad}");
        }
    }
}
