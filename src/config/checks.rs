//! `[[checks]]`: the network checks the Network tab and `yunwei net check` probe.
//!
//! ```toml
//! [[checks]]
//! name = "police-api"
//! kind = "http"                 # tcp | http | tls | dns | ping
//! target = "https://10.20.1.5:8443/api/health"
//! from = ["exchange1", "local"] # hosts that probe it; omitted = local
//! every = "1m"                  # default 1m
//! timeout = "5s"                # default 5s
//! expect_status = [200]         # http: default any 2xx or 3xx
//! expect_body = "\"status\":\"UP\""
//! warn_ms = 500
//! crit_ms = 2000
//! cert_warn_days = 30           # tls and https: days before expiry (default 30)
//! ```

use std::time::Duration;

use serde::Serialize;
use toml::de::DeValue;

use super::check::{a_type, entry_name, key_str, Checker, Key, Place, Value};
use super::messages::CfgMsg;
use super::Section;
use crate::i18n::{both, Both, Lang, Localized};
use crate::netcheck::{endpoint, words, Endpoint, Kind, Origin, Spec, DEFAULT_CERT_WARN_DAYS};

const CHECK_KEYS: &[&str] = &[
    "name",
    "kind",
    "target",
    "from",
    "every",
    "timeout",
    "expect_status",
    "expect_body",
    "warn_ms",
    "crit_ms",
    "cert_warn_days",
];

/// The checks, in the order written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Checks(pub Vec<Spec>);

impl Serialize for Checks {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeSeq, SerializeStruct};
        struct One<'a>(&'a Spec);
        impl Serialize for One<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let c = self.0;
                let mut st = s.serialize_struct("Check", 11)?;
                st.serialize_field("name", &c.name)?;
                st.serialize_field("kind", c.kind.as_str())?;
                st.serialize_field("target", &c.target)?;
                st.serialize_field("from", &c.from.iter().map(Origin::name).collect::<Vec<_>>())?;
                st.serialize_field("every", &humantime::format_duration(c.every).to_string())?;
                st.serialize_field("timeout", &humantime::format_duration(c.timeout).to_string())?;
                st.serialize_field("expect_status", &c.expect_status)?;
                st.serialize_field("expect_body", &c.expect_body)?;
                st.serialize_field("warn_ms", &c.warn_ms)?;
                st.serialize_field("crit_ms", &c.crit_ms)?;
                st.serialize_field("cert_warn_days", &c.cert_warn_days)?;
                st.end()
            }
        }
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for c in &self.0 {
            seq.serialize_element(&One(c))?;
        }
        seq.end()
    }
}

fn from_list(ck: &mut Checker<'_>, place: &Place, number: usize, value: &Value<'_>) -> Option<Vec<Origin>> {
    let DeValue::Array(items) = value.get_ref() else {
        ck.wrong_type(value, &CfgMsg::TypeStrings, &place.path("from"));
        return None;
    };
    if items.is_empty() {
        ck.report(value.span(), both(&CfgMsg::CheckFromEmpty, &[("label", &place.label)]));
        return None;
    }
    let mut out: Vec<Origin> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let DeValue::String(s) = item.get_ref() else {
            let (n, found) = ((i + 1).to_string(), a_type(item.get_ref()));
            let path = place.path("from");
            ck.report(
                item.span(),
                both(&CfgMsg::CheckFromType, &[("n", &n), ("path", &path), ("found", &found)]),
            );
            continue;
        };
        let origin = if s.as_ref() == crate::netcheck::LOCAL {
            Origin::Local
        } else {
            match ck.host_ref(place, "from", &format!("[[checks]] #{number}"), item) {
                Some(h) => Origin::Host(h),
                None => continue,
            }
        };
        if out.contains(&origin) {
            let name = origin.name().to_string();
            ck.report(
                item.span(),
                both(&CfgMsg::CheckFromTwice, &[("label", &place.label), ("name", &name)]),
            );
            continue;
        }
        out.push(origin);
    }
    Some(out)
}

fn statuses(ck: &mut Checker<'_>, place: &Place, value: &Value<'_>) -> Vec<u16> {
    let DeValue::Array(items) = value.get_ref() else {
        ck.wrong_type(value, &CfgMsg::TypeArray, &place.path("expect_status"));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let n = match item.get_ref() {
            DeValue::Integer(int) => i64::from_str_radix(int.as_str(), int.radix()).ok(),
            _ => None,
        };
        match n.and_then(|n| u16::try_from(n).ok()).filter(|n| (100..=599).contains(n)) {
            Some(n) => out.push(n),
            None => {
                let (n, found) = ((i + 1).to_string(), a_type(item.get_ref()));
                let found: String = match item.get_ref() {
                    DeValue::Integer(int) => int.to_string(),
                    _ => found.text(Lang::En).to_string(),
                };
                let path = place.path("expect_status");
                ck.report(
                    item.span(),
                    both(&CfgMsg::CheckStatusType, &[("n", &n), ("path", &path), ("found", &found)]),
                );
            }
        }
    }
    out
}

impl Section for Checks {
    fn check(ck: &mut Checker<'_>, _key: &Key<'_>, value: &Value<'_>) -> Self {
        let mut out: Vec<Spec> = Vec::new();
        for (number, item, table) in ck.array_of_tables(value, "checks", &CfgMsg::TypeCheckTables) {
            let place = Place::entry("checks", number, entry_name(table));
            let mut spec = Spec {
                name: String::new(),
                kind: Kind::Tcp,
                target: String::new(),
                endpoint: Endpoint { host: String::new(), port: 0, tls: false, path: String::new() },
                from: vec![Origin::Local],
                every: Duration::from_secs(60),
                timeout: Duration::from_secs(5),
                expect_status: Vec::new(),
                expect_body: None,
                warn_ms: None,
                crit_ms: None,
                cert_warn_days: DEFAULT_CERT_WARN_DAYS,
            };
            let mut kind = None;
            let mut target: Option<(String, &Value<'_>)> = None;
            let mut misspelt = Vec::new();
            let mut http_only: Vec<(&str, &Value<'_>)> = Vec::new();
            let mut cert_days: Option<&Value<'_>> = None;
            let mut timeout_value = None;
            for (key, value) in table.iter() {
                let name = key_str(key);
                match name {
                    "name" => spec.name = ck.shown_name(&place, name, value).unwrap_or_default(),
                    "kind" => kind = ck.choice::<Kind>(&place, name, value),
                    "target" => target = ck.nonempty_string(&place, name, value).map(|t| (t, value)),
                    "from" => {
                        if let Some(from) = from_list(ck, &place, number, value) {
                            spec.from = from;
                        }
                    }
                    "every" => {
                        let range = Duration::from_secs(5)..=Duration::from_secs(86400);
                        if let Some(d) = ck.duration(&place, name, value, range) {
                            spec.every = d;
                        }
                    }
                    "timeout" => {
                        let range = Duration::from_secs(1)..=Duration::from_secs(300);
                        if let Some(d) = ck.duration(&place, name, value, range) {
                            spec.timeout = d;
                            timeout_value = Some(value);
                        }
                    }
                    "expect_status" => {
                        spec.expect_status = statuses(ck, &place, value);
                        http_only.push((name, value));
                    }
                    "expect_body" => {
                        spec.expect_body = ck.nonempty_string(&place, name, value);
                        // One line: a host's grep would take each line as a pattern of its own.
                        if spec.expect_body.as_deref().is_some_and(|b| b.contains(['\n', '\r'])) {
                            ck.report(value.span(), both(&CfgMsg::CheckBodyLine, &[("label", &place.label)]));
                            spec.expect_body = None;
                        }
                        http_only.push((name, value));
                    }
                    "warn_ms" => {
                        spec.warn_ms = ck
                            .ranged(&place, name, value, 1, 3_600_000, CfgMsg::UnitMs)
                            .and_then(|n| u64::try_from(n).ok())
                    }
                    "crit_ms" => {
                        spec.crit_ms = ck
                            .ranged(&place, name, value, 1, 3_600_000, CfgMsg::UnitMs)
                            .and_then(|n| u64::try_from(n).ok())
                    }
                    "cert_warn_days" => {
                        if let Some(n) = ck.ranged(&place, name, value, 0, 3650, CfgMsg::UnitDays) {
                            spec.cert_warn_days = u32::try_from(n).unwrap_or(DEFAULT_CERT_WARN_DAYS);
                        }
                        cert_days = Some(value);
                    }
                    _ => misspelt.extend(ck.unknown_key(key, &place.label, CHECK_KEYS)),
                }
            }
            for (field, set) in
                [("name", !spec.name.is_empty()), ("kind", kind.is_some()), ("target", target.is_some())]
            {
                if !set && !misspelt.contains(&field) && table.get(field).is_none() {
                    ck.report(
                        item.span(),
                        both(&CfgMsg::CheckMissing, &[("label", &place.label), ("key", &field)]),
                    );
                }
            }
            if let (Some(kind), Some((text, value))) = (kind, target) {
                spec.kind = kind;
                match endpoint(kind, &text) {
                    Ok(e) => {
                        spec.endpoint = e;
                        spec.target = text.trim().to_string();
                    }
                    Err(e) => {
                        let why = Both {
                            en: words::target_error(&e, Lang::En),
                            zh: words::target_error(&e, Lang::ZhCn),
                        };
                        let kind_name = kind.as_str();
                        let args: [(&str, &dyn Localized); 4] =
                            [("label", &place.label), ("value", &text), ("kind", &kind_name), ("why", &why)];
                        ck.report(value.span(), both(&CfgMsg::CheckTarget, &args));
                    }
                }
                if kind != Kind::Http {
                    for (key, value) in &http_only {
                        let kind_name = kind.as_str();
                        let args: [(&str, &dyn Localized); 3] =
                            [("label", &place.label), ("key", key), ("kind", &kind_name)];
                        ck.report(value.span(), both(&CfgMsg::CheckOnlyHttp, &args));
                    }
                }
                if let Some(v) = cert_days {
                    let https = kind == Kind::Http && text.trim().starts_with("https://");
                    if kind != Kind::Tls && !https {
                        ck.report(v.span(), both(&CfgMsg::CheckOnlyCert, &[("label", &place.label)]));
                    }
                }
            }
            if let (Some(w), Some(c)) = (spec.warn_ms, spec.crit_ms) {
                if w > c {
                    let (w, c) = (w.to_string(), c.to_string());
                    ck.report(
                        item.span(),
                        both(
                            &CfgMsg::CheckWarnOverCrit,
                            &[("label", &place.label), ("warn", &w), ("crit", &c)],
                        ),
                    );
                }
            }
            if let Some(v) = timeout_value {
                if spec.timeout >= spec.every {
                    let t = humantime::format_duration(spec.timeout).to_string();
                    let e = humantime::format_duration(spec.every).to_string();
                    ck.report(
                        v.span(),
                        both(
                            &CfgMsg::CheckTimeoutOverEvery,
                            &[("label", &place.label), ("timeout", &t), ("every", &e)],
                        ),
                    );
                }
            }
            if !spec.name.is_empty() && out.iter().any(|o| o.name == spec.name) {
                ck.report(item.span(), both(&CfgMsg::CheckTwice, &[("name", &spec.name)]));
            }
            out.push(spec);
        }
        Checks(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::config::tests::parse;
    use crate::netcheck::{Kind, Origin};

    #[test]
    fn checks_as_the_issue_writes_them() {
        let c = parse(
            "[[hosts]]\nname = \"exchange1\"\naddress = \"10.0.0.9\"\n\
             [[checks]]\nname = \"police-api\"\nkind = \"http\"\ntarget = \"https://10.20.1.5:8443/api/health\"\n\
             from = [\"exchange1\", \"local\"]\nevery = \"1m\"\ntimeout = \"5s\"\nexpect_status = [200]\n\
             expect_body = \"\\\"status\\\":\\\"UP\\\"\"\nwarn_ms = 500\ncrit_ms = 2000\ncert_warn_days = 30\n\
             [[checks]]\nname = \"dns\"\nkind = \"dns\"\ntarget = \"padis.example.cn\"\n",
        )
        .unwrap();
        assert_eq!(c.checks.0.len(), 2);
        let a = &c.checks.0[0];
        assert_eq!(a.from, vec![Origin::Host("exchange1".into()), Origin::Local]);
        assert_eq!((a.endpoint.port, a.endpoint.tls, a.expect_status.clone()), (8443, true, vec![200]));
        assert_eq!(a.expect_body.as_deref(), Some("\"status\":\"UP\""));
        assert_eq!((a.warn_ms, a.crit_ms, a.cert_warn_days), (Some(500), Some(2000), 30));
        let b = &c.checks.0[1];
        assert_eq!((b.kind, b.from.clone(), b.every.as_secs()), (Kind::Dns, vec![Origin::Local], 60));
    }

    #[test]
    fn bad_checks_are_named_where_they_are() {
        let errors = parse(
            "[[checks]]\nname = \"a\"\nkind = \"tcp\"\ntarget = \"db1;rm:1521\"\n\
             [[checks]]\nname = \"b\"\nkind = \"htp\"\ntarget = \"x\"\n\
             [[checks]]\nname = \"c\"\nkind = \"tcp\"\ntarget = \"x:1\"\nexpect_body = \"UP\"\nfrom = []\n\
             [[checks]]\nname = \"d\"\nkind = \"http\"\ntarget = \"http://x/\"\nwarn_ms = 900\ncrit_ms = 100\n\
             expect_status = [700, \"200\"]\nfrom = [\"nowhere\", \"local\", \"local\"]\n\
             [[checks]]\nname = \"a\"\nkind = \"ping\"\ntarget = \"h\"\ntimeout = \"2m\"\ncert_warn_days = 5\n\
             [[checks]]\nkind = \"dns\"\n\
             [[checks]]\nname = \"e\"\nkind = \"http\"\ntarget = \"http://x/\"\nexpect_body = \"UP\\nDOWN\"\n",
        )
        .unwrap_err();
        let text = errors.to_string();
        for want in [
            "config.toml:4:10",
            "a host name cannot hold ';'",
            "\"tcp\"",
            "`expect_body` applies to http checks only",
            "`from` names no place",
            "warn_ms (900) must not be above crit_ms (100)",
            "entry #1 of `expect_status`",
            "nowhere",
            "`from` names \"local\" twice",
            "two [[checks]] entries are named \"a\"",
            "timeout (2m) must be shorter than every (1m)",
            "`cert_warn_days` applies to tls checks",
            "has no `name`",
            "has no `target`",
            "`expect_body` must be one line",
        ] {
            assert!(text.contains(want), "{want:?} in:\n{text}");
        }
    }
}
