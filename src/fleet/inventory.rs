//! The fleet to watch: hosts from the config and, when `import_ssh_config` is on, the `Host`
//! entries of `~/.ssh/config`, resolved into a local probe or an SSH route (jump chain
//! included, outermost bastion first).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::config::{expand_tilde, Config, HostEntry};

/// One hop of an SSH route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointSpec {
    pub name: String,
    pub address: String,
    pub port: u16,
    pub user: String,
    pub identity_files: Vec<PathBuf>,
}

/// How a host is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    Local,
    Ssh { endpoint: EndpointSpec, via: Vec<EndpointSpec> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetHost {
    pub name: String,
    pub tags: Vec<String>,
    pub access: Access,
}

/// The resolved fleet, with what could not be imported said in words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fleet {
    pub hosts: Vec<FleetHost>,
    pub warnings: Vec<String>,
}

/// Resolves the config's hosts (and `~/.ssh/config` when asked) for a user whose login name is
/// `login`. With no host at all, the fleet is this machine under `local_name`.
pub fn resolve(cfg: &Config, ssh_config: Option<&Path>, login: &str, local_name: &str) -> Fleet {
    let mut fleet = Fleet::default();
    for h in &cfg.hosts {
        let access = if h.local {
            Access::Local
        } else {
            // The config was validated: jumps name existing SSH hosts, without loops.
            let mut via = Vec::new();
            let mut seen = HashSet::new();
            let mut hop = h.jump.as_deref();
            while let Some(name) = hop {
                if !seen.insert(name.to_string()) {
                    break;
                }
                match cfg.hosts.iter().find(|x| x.name == name && !x.local) {
                    Some(j) => {
                        via.push(endpoint_of(j, login));
                        hop = j.jump.as_deref();
                    }
                    None => break,
                }
            }
            via.reverse();
            Access::Ssh { endpoint: endpoint_of(h, login), via }
        };
        fleet.hosts.push(FleetHost { name: h.name.clone(), tags: h.tags.clone(), access });
    }
    if cfg.ssh.import_ssh_config {
        if let Some(path) = ssh_config.filter(|p| p.exists()) {
            import_ssh_config(&mut fleet, path, login);
        }
    }
    if fleet.hosts.is_empty() {
        // The machine's name is whatever its admin set: one with a control or bidirectional
        // character is shown escaped. Escaped here, once, so that the row, the probe's samples
        // and the history all carry the same name (the samples' own scrubbing finds nothing
        // left to change, and the host appears once, not twice).
        fleet.hosts.push(FleetHost {
            name: crate::text::escape_unprintable(local_name).into_owned(),
            tags: vec!["local".into()],
            access: Access::Local,
        });
    }
    fleet
}

fn endpoint_of(h: &HostEntry, login: &str) -> EndpointSpec {
    EndpointSpec {
        name: h.name.clone(),
        address: h.address.clone().unwrap_or_else(|| h.name.clone()),
        port: h.port,
        user: h.user.clone().unwrap_or_else(|| login.to_string()),
        identity_files: h.identity_file.iter().map(|f| expand_tilde(f)).collect(),
    }
}

/// Removes `Match` blocks (which the parser refuses), returning the text and how many went.
fn without_match_blocks(text: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut in_match = false;
    let mut removed = 0;
    for line in text.lines() {
        let first = line.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
        if first == "match" {
            in_match = true;
            removed += 1;
            continue;
        }
        if first == "host" {
            in_match = false;
        }
        if !in_match {
            out.push_str(line);
            out.push('\n');
        }
    }
    (out, removed)
}

/// `[user@]host[:port]` of a ProxyJump hop that names no known alias.
fn parse_jump_spec(spec: &str, login: &str) -> EndpointSpec {
    let spec = spec.trim().trim_start_matches("ssh://");
    let (user, rest) = match spec.rsplit_once('@') {
        Some((u, r)) => (u.to_string(), r),
        None => (login.to_string(), spec),
    };
    let (address, port) = match rest.rsplit_once(':') {
        Some((a, p)) if !a.contains(':') => (a.trim_matches(['[', ']']).to_string(), p.parse().unwrap_or(22)),
        _ => (rest.trim_matches(['[', ']']).to_string(), 22),
    };
    EndpointSpec { name: rest.to_string(), address, port, user, identity_files: Vec::new() }
}

fn import_ssh_config(fleet: &mut Fleet, path: &Path, login: &str) {
    use ssh2_config::{ParseRule, SshConfig};
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            fleet.warnings.push(format!("{}: not imported: {e}", path.display()));
            return;
        }
    };
    let (text, matches) = without_match_blocks(&text);
    if matches > 0 {
        fleet.warnings.push(format!(
            "{}: {matches} Match block(s) are not supported and were skipped; their settings do not apply",
            path.display()
        ));
    }
    let rules = ParseRule::ALLOW_UNKNOWN_FIELDS | ParseRule::ALLOW_UNSUPPORTED_FIELDS;
    let home = path.parent().and_then(Path::parent).map(Path::to_path_buf);
    let mut parser = SshConfig::default();
    if let Some(h) = home {
        parser = parser.home_dir(h);
    }
    let parsed = match parser.parse(&mut text.as_bytes(), rules) {
        Ok(c) => c,
        Err(e) => {
            fleet.warnings.push(format!("{}: not imported: {e}", path.display()));
            return;
        }
    };
    // Concrete aliases only: `Host *` and patterns are defaults, not hosts.
    let aliases: Vec<String> = parsed
        .get_hosts()
        .iter()
        .flat_map(|h| h.pattern.iter())
        .filter(|c| !c.negated && !c.pattern.contains(['*', '?', '!']))
        .map(|c| c.pattern.clone())
        .collect();
    let endpoint = |alias: &str| {
        let p = parsed.query(alias);
        EndpointSpec {
            name: alias.to_string(),
            address: p.host_name.clone().unwrap_or_else(|| alias.to_string()),
            port: p.port.unwrap_or(22),
            user: p.user.clone().unwrap_or_else(|| login.to_string()),
            identity_files: p.identity_file.clone().unwrap_or_default(),
        }
    };
    for alias in &aliases {
        if fleet.hosts.iter().any(|h| &h.name == alias) {
            continue;
        }
        // A name that could act on the terminal is shown on no screen.
        if alias.chars().any(crate::text::is_unprintable) {
            fleet.warnings.push(format!(
                "{}: host {}: the name holds a control or bidirectional character; not imported",
                path.display(),
                crate::text::escape_unprintable(alias)
            ));
            continue;
        }
        // Follow ProxyJump hops, each possibly an alias with its own ProxyJump.
        let mut via: Vec<EndpointSpec> = Vec::new();
        let mut pending: Vec<String> = parsed.query(alias).proxy_jump.clone().unwrap_or_default();
        let mut seen: HashSet<String> = HashSet::from([alias.clone()]);
        let mut looped = false;
        while let Some(hop) = pending.pop() {
            if hop.eq_ignore_ascii_case("none") {
                continue;
            }
            if !seen.insert(hop.clone()) {
                looped = true;
                break;
            }
            if aliases.contains(&hop) {
                via.push(endpoint(&hop));
                // The hop's own jumps come before it.
                pending.extend(parsed.query(&hop).proxy_jump.clone().unwrap_or_default());
            } else if let Some(cfg_host) = fleet.hosts.iter().find(|h| h.name == hop) {
                match &cfg_host.access {
                    Access::Ssh { endpoint, via: hop_via } => {
                        via.push(endpoint.clone());
                        via.extend(hop_via.iter().rev().cloned());
                    }
                    Access::Local => via.push(parse_jump_spec(&hop, login)),
                }
            } else {
                via.push(parse_jump_spec(&hop, login));
            }
        }
        if looped {
            fleet.warnings.push(format!("{}: host {alias}: ProxyJump loop; not imported", path.display()));
            continue;
        }
        via.reverse();
        fleet.hosts.push(FleetHost {
            name: alias.clone(),
            tags: vec!["ssh_config".into()],
            access: Access::Ssh { endpoint: endpoint(alias), via },
        });
    }
}

/// `~/.ssh/config` of the user.
pub fn default_ssh_config() -> Option<PathBuf> {
    std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".ssh/config"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_config_hosts_whose_names_could_act_on_the_terminal_are_skipped_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(
            &path,
            "Host good\n  HostName 127.0.0.5\n\nHost evil\u{202E}gpj.exe\n  HostName 127.0.0.6\n",
        )
        .unwrap();
        let mut fleet = Fleet::default();
        import_ssh_config(&mut fleet, &path, "ops");
        let names: Vec<&str> = fleet.hosts.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["good"]);
        assert_eq!(fleet.warnings.len(), 1, "{:?}", fleet.warnings);
        assert!(fleet.warnings[0].contains("evil\\u{202e}gpj.exe"), "{:?}", fleet.warnings);
        assert!(!fleet.warnings[0].contains('\u{202E}'));
    }
    use crate::config::parse_str;

    fn cfg(text: &str) -> Config {
        parse_str(text, Path::new("t.toml")).unwrap()
    }

    fn via_names(h: &FleetHost) -> Vec<String> {
        match &h.access {
            Access::Ssh { via, .. } => via.iter().map(|e| e.name.clone()).collect(),
            Access::Local => vec!["<local>".into()],
        }
    }

    #[test]
    fn no_hosts_means_this_machine() {
        let f = resolve(&Config::default(), None, "ops", "vm1");
        assert_eq!(f.hosts.len(), 1);
        assert_eq!(f.hosts[0].name, "vm1");
        assert_eq!(f.hosts[0].access, Access::Local);
    }

    #[test]
    fn a_local_name_with_odd_characters_is_escaped_once() {
        let f = resolve(&Config::default(), None, "ops", "web\u{1b}]0;x\u{7}01\u{202e}");
        assert_eq!(f.hosts[0].name, "web\\u{1b}]0;x\\u{7}01\\u{202e}");
        assert_eq!(crate::health::printable(&f.hosts[0].name), f.hosts[0].name, "nothing left to scrub");
    }

    #[test]
    fn jump_chains_resolve_outermost_first() {
        let c = cfg(r#"
[[hosts]]
name = "bastion"
address = "127.0.0.2"
user = "jump"
[[hosts]]
name = "inner"
address = "127.0.0.3"
jump = "bastion"
[[hosts]]
name = "app1"
address = "127.0.0.4"
port = 2222
jump = "inner"
identity_file = "/keys/id"
"#);
        let f = resolve(&c, None, "ops", "vm");
        let app = f.hosts.iter().find(|h| h.name == "app1").unwrap();
        assert_eq!(via_names(app), vec!["bastion", "inner"]);
        match &app.access {
            Access::Ssh { endpoint, via } => {
                assert_eq!(endpoint.port, 2222);
                assert_eq!(endpoint.user, "ops");
                assert_eq!(endpoint.identity_files, vec![PathBuf::from("/keys/id")]);
                assert_eq!(via[0].user, "jump");
            }
            Access::Local => panic!("app1 is remote"),
        }
        assert!(via_names(f.hosts.iter().find(|h| h.name == "bastion").unwrap()).is_empty());
    }

    #[test]
    fn ssh_config_hosts_are_imported_with_their_proxy_jumps() {
        let dir = tempfile::tempdir().unwrap();
        let ssh = dir.path().join(".ssh");
        std::fs::create_dir_all(&ssh).unwrap();
        let path = ssh.join("config");
        std::fs::write(
            &path,
            "Host *\n  User defaultuser\n  ServerAliveInterval 30\n\n\
             Host gw\n  HostName 127.0.0.5\n  Port 2200\n\n\
             Host db1 db2\n  HostName 127.0.0.6\n  ProxyJump gw\n  IdentityFile /k/id_db\n\n\
             Match host db2 exec \"true\"\n  User matched\n\n\
             Host web\n  HostName 127.0.0.7\n  ProxyJump ops@127.0.0.8:2022,gw\n\n\
             Host loop1\n  ProxyJump loop2\nHost loop2\n  ProxyJump loop1\n",
        )
        .unwrap();
        let c = cfg("[[hosts]]\nname = \"db2\"\naddress = \"10.0.0.1\"\n");
        let f = resolve(&c, Some(&path), "ops", "vm");
        let names: Vec<&str> = f.hosts.iter().map(|h| h.name.as_str()).collect();
        // The config's own db2 wins over the imported one; patterns are not hosts; loops are refused.
        assert_eq!(names, vec!["db2", "gw", "db1", "web"], "{:?}", f.warnings);
        let db1 = &f.hosts[2];
        assert_eq!(via_names(db1), vec!["gw"]);
        match &db1.access {
            Access::Ssh { endpoint, via } => {
                assert_eq!(endpoint.address, "127.0.0.6");
                assert_eq!(endpoint.user, "defaultuser");
                assert_eq!(endpoint.identity_files, vec![PathBuf::from("/k/id_db")]);
                assert_eq!(via[0].port, 2200);
            }
            Access::Local => panic!(),
        }
        // ProxyJump a,b: through a first, then b.
        assert_eq!(via_names(&f.hosts[3]), vec!["127.0.0.8:2022", "gw"]);
        assert!(f.warnings.iter().any(|w| w.contains("Match")), "{:?}", f.warnings);
        assert!(f.warnings.iter().any(|w| w.contains("loop")), "{:?}", f.warnings);
    }

    #[test]
    fn ssh_config_include_is_followed() {
        let dir = tempfile::tempdir().unwrap();
        let ssh = dir.path().join(".ssh");
        std::fs::create_dir_all(ssh.join("conf.d")).unwrap();
        std::fs::write(ssh.join("conf.d/dc1.conf"), "Host dc1-app\n  HostName 127.0.0.9\n  User app\n")
            .unwrap();
        let path = ssh.join("config");
        std::fs::write(
            &path,
            format!("Include {}/conf.d/*.conf\n\nHost gw\n  HostName 127.0.0.5\n", ssh.display()),
        )
        .unwrap();
        let f = resolve(&Config::default(), Some(&path), "ops", "vm");
        let app = f.hosts.iter().find(|h| h.name == "dc1-app").unwrap_or_else(|| panic!("{f:?}"));
        match &app.access {
            Access::Ssh { endpoint, .. } => {
                assert_eq!(endpoint.address, "127.0.0.9");
                assert_eq!(endpoint.user, "app");
            }
            Access::Local => panic!(),
        }
    }

    #[test]
    fn import_can_be_switched_off() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, "Host gw\n  HostName 127.0.0.5\n").unwrap();
        let c = cfg("[ssh]\nimport_ssh_config = false\n");
        let f = resolve(&c, Some(&path), "ops", "vm");
        assert_eq!(f.hosts.len(), 1);
        assert_eq!(f.hosts[0].access, Access::Local);
    }

    #[test]
    fn jump_specs() {
        let e = parse_jump_spec("root@10.1.1.1:2022", "ops");
        assert_eq!((e.user.as_str(), e.address.as_str(), e.port), ("root", "10.1.1.1", 2022));
        let e = parse_jump_spec("bastion", "ops");
        assert_eq!((e.user.as_str(), e.address.as_str(), e.port), ("ops", "bastion", 22));
    }
}
