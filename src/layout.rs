//! The house rules of the source layout, checked on the source itself (STYLE.md): no two
//! modules import each other (a parent declaring its children aside), and the domain folders
//! know nothing of the terminal, of SQL, of libssh2 or of the config.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The domains: pure functions and plain structs.
const DOMAINS: &[&str] = &["health", "logs", "alerts", "tickets", "divcodes", "netcheck", "baseline"];
/// What a domain may import from the crate besides the domains themselves.
/// (`i18n`: its languages and the `Both` of a message made where the facts are.)
const DOMAIN_MAY_USE: &[&str] = &["text", "testdata", "i18n"];
/// External crates a domain must not use.
const FORBIDDEN_IN_DOMAINS: &[&str] = &["ratatui", "crossterm", "rusqlite", "ssh2", "toml", "tokio"];

/// Module path (`workers::health`) to its source, without comments and test modules.
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root).unwrap().with_extension("");
                let mut name = rel.to_string_lossy().replace('/', "::");
                for suffix in ["::mod", "lib", "main"] {
                    if name.ends_with(suffix) {
                        name.truncate(name.len() - suffix.len());
                    }
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let text = match text.find("#[cfg(test)]\nmod tests") {
                    Some(i) => text[..i].to_string(),
                    None => text,
                };
                let code: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with("//")).collect();
                out.insert(name, code.join("\n"));
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    walk(&root, &root, &mut out);
    out
}

/// The crate modules `code` (of module `name`) refers to, as `crate::…` or `super::…` paths.
fn imports(name: &str, code: &str, all: &BTreeMap<String, String>) -> BTreeSet<String> {
    let parent = name.rsplit_once("::").map(|(p, _)| p).unwrap_or("");
    let mut out = BTreeSet::new();
    let ident = |s: &str| {
        s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':').collect::<String>()
    };
    for (prefix, base) in [("crate::", ""), ("super::", parent)] {
        for (i, _) in code.match_indices(prefix) {
            if prefix == "crate::" && code[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let path = ident(&code[i + prefix.len()..]);
            let mut parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
            while !parts.is_empty() {
                let joined = parts.join("::");
                let candidate = if base.is_empty() { joined } else { format!("{base}::{joined}") };
                if all.contains_key(&candidate) {
                    out.insert(candidate);
                    break;
                }
                parts.pop();
            }
            if parts.is_empty() && !base.is_empty() {
                out.insert(base.to_string());
            }
        }
    }
    out.remove(name);
    out
}

#[test]
fn no_two_modules_import_each_other() {
    let all = modules();
    assert!(all.contains_key("workers::health") && all.contains_key("event"), "{:?}", all.keys());
    let deps: BTreeMap<&String, BTreeSet<String>> =
        all.iter().map(|(n, c)| (n, imports(n, c, &all))).collect();
    let mut cycles = Vec::new();
    for (a, uses) in &deps {
        for b in uses {
            let back = deps.get(b).is_some_and(|d| d.contains(a.as_str()));
            if a.as_str() < b.as_str() && back {
                cycles.push(format!("{a} <-> {b}"));
            }
        }
    }
    assert!(cycles.is_empty(), "modules that import each other: {cycles:?}");
    // The check sees imports: the app uses the panes, the workers the store.
    assert!(deps[&"app".to_string()].contains("panes"));
    assert!(deps[&"workers::store".to_string()].contains("store"));
}

#[test]
fn domain_folders_know_nothing_of_terminal_sql_ssh_or_config() {
    let all = modules();
    let mut found = Vec::new();
    for (name, code) in &all {
        let top = name.split("::").next().unwrap_or("");
        if !DOMAINS.contains(&top) {
            continue;
        }
        for used in imports(name, code, &all) {
            let used_top = used.split("::").next().unwrap_or("");
            if !DOMAINS.contains(&used_top) && !DOMAIN_MAY_USE.contains(&used_top) {
                found.push(format!("{name} uses crate::{used}"));
            }
        }
        for krate in FORBIDDEN_IN_DOMAINS {
            if code.contains(&format!("{krate}::")) {
                found.push(format!("{name} uses {krate}"));
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}
