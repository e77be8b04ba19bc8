//! `[[hosts]]`: the fleet, one entry per host, with the checks across entries (duplicate
//! names, jump hosts that are unknown, local or in a loop).

use std::collections::HashMap;
use std::ops::Range;

use serde::Serialize;
use toml::de::{DeTable, DeValue};

use super::check::{a_type, entry_name, find, key_str, Checker, Key, Place, Value};
use super::messages::CfgMsg;
use super::Section;
use crate::i18n::both;
use crate::text::nearest;

/// One `[[hosts]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostEntry {
    pub name: String,
    pub address: Option<String>,
    pub port: u16,
    pub user: Option<String>,
    pub identity_file: Option<String>,
    /// Name of another host entry to jump through.
    pub jump: Option<String>,
    pub tags: Vec<String>,
    /// Read /proc directly instead of connecting over SSH.
    pub local: bool,
}

pub(super) const KEYS: &[&str] =
    &["name", "address", "port", "user", "identity_file", "jump", "tags", "local"];

/// Where a host entry's parts are in the file, for the checks across hosts.
struct HostSpans {
    header: Range<usize>,
    name: Option<Range<usize>>,
    jump: Option<Range<usize>>,
}

impl Section for Vec<HostEntry> {
    fn check(ck: &mut Checker<'_>, _key: &Key<'_>, value: &Value<'_>) -> Self {
        let mut hosts = Vec::new();
        let mut spans = Vec::new();
        for (number, item, table) in ck.array_of_tables(value, "hosts", &CfgMsg::TypeHostTables) {
            let (host, span) = host(ck, number, item.span(), table);
            hosts.push(host);
            spans.push(span);
        }
        cross_check_hosts(ck, &hosts, &spans);
        hosts
    }
}

fn host(
    ck: &mut Checker<'_>,
    number: usize,
    header: Range<usize>,
    table: &DeTable<'_>,
) -> (HostEntry, HostSpans) {
    let label_name = entry_name(table);
    let place = Place::entry("hosts", number, label_name);
    let mut host = HostEntry {
        name: String::new(),
        address: None,
        port: 22,
        user: None,
        identity_file: None,
        jump: None,
        tags: Vec::new(),
        local: false,
    };
    let mut spans = HostSpans { header: header.clone(), name: None, jump: None };
    let mut address_span = None;
    let mut has_name = false;
    let mut misspelt = Vec::new();
    for (key, value) in table.iter() {
        let name = key_str(key);
        match name {
            "name" => {
                has_name = true;
                if let Some(v) = ck.shown_name(&place, name, value) {
                    host.name = v;
                    spans.name = Some(value.span());
                }
            }
            "address" => {
                address_span = Some(value.span());
                host.address = ck.nonempty_string(&place, name, value);
            }
            "port" => {
                let port = ck.ranged(&place, name, value, 1, 65535, CfgMsg::NoUnit);
                if let Some(port) = port.and_then(|p| u16::try_from(p).ok()) {
                    host.port = port;
                }
            }
            "user" => host.user = ck.nonempty_string(&place, name, value),
            "identity_file" => host.identity_file = ck.nonempty_string(&place, name, value),
            "jump" => {
                host.jump = ck.nonempty_string(&place, name, value);
                if host.jump.is_some() {
                    spans.jump = Some(value.span());
                }
            }
            "tags" => host.tags = tags(ck, &place, value),
            "local" => host.local = ck.boolean(&place, name, value).unwrap_or(false),
            _ => {
                // A misspelt `name` or `address` is reported once, as the misspelling.
                misspelt.extend(ck.unknown_key(key, &place.label, KEYS));
            }
        }
    }
    if !has_name && !misspelt.contains(&"name") {
        ck.report(header.clone(), both(&CfgMsg::HostNoName, &[("label", &place.label)]));
    }
    // A mistyped `local` was reported already; don't pile a second error on it.
    let local_typed = find(table, "local").is_none_or(|v| v.get_ref().is_bool());
    if host.local {
        if let Some(span) = address_span {
            ck.report(span, both(&CfgMsg::HostLocalAndAddress, &[("label", &place.label)]));
        }
        if let Some(span) = spans.jump.clone() {
            ck.report(span, both(&CfgMsg::HostLocalAndJump, &[("label", &place.label)]));
        }
    } else if address_span.is_none()
        && local_typed
        && !misspelt.iter().any(|k| *k == "address" || *k == "local")
    {
        ck.report(header, both(&CfgMsg::HostNoAddress, &[("label", &place.label)]));
    }
    (host, spans)
}

fn tags(ck: &mut Checker<'_>, place: &Place, value: &Value<'_>) -> Vec<String> {
    let DeValue::Array(items) = value.get_ref() else {
        ck.wrong_type(value, &CfgMsg::TypeStrings, &place.path("tags"));
        return Vec::new();
    };
    let mut tags = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item.get_ref() {
            DeValue::String(s) => match s.chars().find(|&c| crate::text::is_unprintable(c)) {
                Some(c) => {
                    let (n, cp) = ((i + 1).to_string(), format!("{:04X}", u32::from(c)));
                    let path = place.path("tags");
                    ck.report(
                        item.span(),
                        both(&CfgMsg::TagUnprintable, &[("n", &n), ("path", &path), ("cp", &cp)]),
                    )
                }
                None => tags.push(s.to_string()),
            },
            other => {
                let (n, found) = ((i + 1).to_string(), a_type(other));
                let path = place.path("tags");
                ck.report(
                    item.span(),
                    both(&CfgMsg::TagWrongType, &[("n", &n), ("path", &path), ("found", &found)]),
                )
            }
        }
    }
    tags
}

/// Checks between host entries: duplicate names and jump targets.
fn cross_check_hosts(ck: &mut Checker<'_>, hosts: &[HostEntry], spans: &[HostSpans]) {
    // First entry carrying each name.
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, (host, span)) in hosts.iter().zip(spans).enumerate() {
        let Some(name_span) = span.name.clone() else {
            continue;
        };
        match first.get(host.name.as_str()) {
            Some(&earlier) => {
                let (line, _) = ck.line_col(spans[earlier].header.start);
                let (n, first, line) = ((i + 1).to_string(), (earlier + 1).to_string(), line.to_string());
                let args: [(&str, &dyn crate::i18n::Localized); 4] =
                    [("name", &host.name), ("n", &n), ("first", &first), ("line", &line)];
                ck.report(name_span, both(&CfgMsg::DuplicateHost, &args));
            }
            None => {
                first.insert(host.name.as_str(), i);
            }
        }
    }

    // next[i] = the entry host i jumps through, when that is a valid, different entry.
    let mut next: Vec<Option<usize>> = vec![None; hosts.len()];
    for (i, (host, span)) in hosts.iter().zip(spans).enumerate() {
        let (Some(target), Some(jump_span)) = (host.jump.as_deref(), span.jump.clone()) else {
            continue;
        };
        let label = Place::entry("hosts", i + 1, Some(host.name.as_str()).filter(|n| !n.is_empty()));
        if target == host.name {
            ck.report(jump_span, both(&CfgMsg::JumpSelf, &[("label", &label.label), ("target", &target)]));
            continue;
        }
        match first.get(target) {
            Some(&j) if hosts[j].local => ck
                .report(jump_span, both(&CfgMsg::JumpLocal, &[("label", &label.label), ("target", &target)])),
            Some(&j) => next[i] = Some(j),
            None => {
                let others =
                    hosts.iter().map(|h| h.name.as_str()).filter(|n| !n.is_empty() && *n != host.name);
                let hint = match nearest(target, others.clone()) {
                    Some(near) => both(&CfgMsg::HintDidYouMean, &[("near", &near)]),
                    None => {
                        let mut names: Vec<&str> = others.collect();
                        if names.is_empty() {
                            both(&CfgMsg::HintNoOtherHosts, &[])
                        } else {
                            names.truncate(10);
                            both(&CfgMsg::HintDefinedHosts, &[("list", &names.join(", "))])
                        }
                    }
                };
                let args: [(&str, &dyn crate::i18n::Localized); 3] =
                    [("label", &label.label), ("target", &target), ("hint", &hint)];
                ck.report(jump_span, both(&CfgMsg::JumpUnknown, &args));
            }
        }
    }

    // Each host has at most one jump, so every loop is a simple cycle.
    // state: 0 = unvisited, otherwise the walk number that visited it.
    let mut state = vec![0usize; hosts.len()];
    for start in 0..hosts.len() {
        if state[start] != 0 {
            continue;
        }
        let walk = start + 1;
        let mut path = Vec::new();
        let mut at = start;
        loop {
            if state[at] != 0 {
                if state[at] == walk {
                    if let Some(pos) = path.iter().position(|&p| p == at) {
                        report_cycle(ck, hosts, spans, &path[pos..]);
                    }
                }
                break;
            }
            state[at] = walk;
            path.push(at);
            match next[at] {
                Some(n) => at = n,
                None => break,
            }
        }
    }
}

fn report_cycle(ck: &mut Checker<'_>, hosts: &[HostEntry], spans: &[HostSpans], cycle: &[usize]) {
    let Some(first_pos) = (0..cycle.len()).min_by_key(|&p| cycle[p]) else {
        return;
    };
    let mut names: Vec<&str> =
        (0..cycle.len()).map(|k| hosts[cycle[(first_pos + k) % cycle.len()]].name.as_str()).collect();
    names.push(hosts[cycle[first_pos]].name.as_str());
    if let Some(span) = spans[cycle[first_pos]].jump.clone() {
        ck.report(span, both(&CfgMsg::JumpLoop, &[("chain", &names.join(" -> "))]));
    }
}

#[cfg(test)]
mod tests {
    use crate::config::tests::{error_lines, parse};

    #[test]
    fn inline_hosts_and_jump_chains_are_fine() {
        let text = r#"hosts = [
  { name = "a", address = "10.0.0.1" },
  { name = "b", address = "10.0.0.2", jump = "a" },
  { name = "c", address = "10.0.0.3", jump = "b" },
]"#;
        let config = parse(text).unwrap();
        assert_eq!(config.hosts.len(), 3);
        assert_eq!(config.hosts[2].jump.as_deref(), Some("b"));
    }

    #[test]
    fn local_host_with_jump_and_jump_to_local_host() {
        let text = r#"
[[hosts]]
name = "here"
local = true
jump = "gw"

[[hosts]]
name = "gw"
address = "10.0.0.1"
jump = "here"
"#;
        assert_eq!(
            error_lines(text),
            vec![
                "config.toml:5:8: [[hosts]] #1 (here) has both `local = true` and `jump`; a local host is not reached over SSH",
                "config.toml:10:8: [[hosts]] #2 (gw) jumps through \"here\", which is a local host (local = true) and cannot be an SSH jump host",
            ]
        );
    }

    #[test]
    fn missing_name_and_misspelt_name() {
        assert_eq!(
            error_lines("[[hosts]]\naddress = \"h\"\n"),
            vec!["config.toml:1:1: [[hosts]] #1 has no `name`; every host needs one"]
        );
        assert_eq!(
            error_lines("[[hosts]]\nnmae = \"x\"\naddress = \"h\"\n"),
            vec!["config.toml:2:1: unknown key `nmae` in [[hosts]] #1; did you mean `name`?"]
        );
    }

    #[test]
    fn unknown_jump_lists_hosts_when_nothing_is_close() {
        let text = "[[hosts]]\nname = \"a\"\naddress = \"h\"\njump = \"zzzz\"\n[[hosts]]\nname = \"b\"\nlocal = true\n";
        assert_eq!(
            error_lines(text),
            vec!["config.toml:4:8: [[hosts]] #1 (a) jumps through unknown host \"zzzz\"; defined hosts: b"]
        );
    }

    #[test]
    fn two_separate_loops_are_both_named() {
        let text = r#"hosts = [
  { name = "a", address = "1", jump = "b" },
  { name = "b", address = "2", jump = "a" },
  { name = "c", address = "3", jump = "d" },
  { name = "d", address = "4", jump = "c" },
  { name = "e", address = "5", jump = "c" },
]"#;
        let lines = error_lines(text);
        assert_eq!(
            lines,
            vec!["config.toml:2:39: jump loop: a -> b -> a", "config.toml:4:39: jump loop: c -> d -> c",]
        );
    }
}
