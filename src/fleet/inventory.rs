//! The fleet to watch: hosts from the config and, when `import_ssh_config` is on, the `Host`
//! entries of `~/.ssh/config`, resolved into a local probe or an SSH route (jump chain
//! included, outermost bastion first).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::ssh_config::{expand, tilde, HostConfig, SshConfig, TokenSet, Tokens};
use crate::config::{expand_tilde, Config, HostEntry};
use crate::i18n::{both, Both, Lang};
use crate::ssh::{HostKeyCheck, HostOptions, SshMsg};

/// One hop of an SSH route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointSpec {
    pub name: String,
    pub address: String,
    pub port: u16,
    pub user: String,
    pub identity_files: Vec<PathBuf>,
    /// What `~/.ssh/config` says of the hop beyond where it is (defaults for config hosts).
    pub options: HostOptions,
}

/// How a host is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    Local,
    Ssh { endpoint: Box<EndpointSpec>, via: Vec<EndpointSpec> },
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
    /// In both languages: the reader's is printed.
    pub warnings: Vec<Both>,
}

/// Where the ssh_config files are: the user's (`~/.ssh/config`, or `[ssh] ssh_config`) and the
/// system's (`/etc/ssh/ssh_config`, not read when `[ssh] ssh_config` names a file, as `ssh -F`).
#[derive(Debug, Clone, Default)]
pub struct SshConfigPaths {
    pub user: Option<PathBuf>,
    pub system: Option<PathBuf>,
    /// What `~` and `%d` stand for; `$HOME` when not given.
    pub home: Option<PathBuf>,
}

impl SshConfigPaths {
    /// The files `cfg` asks for, for the user whose home is `$HOME`.
    pub fn of(cfg: &Config) -> SshConfigPaths {
        match &cfg.ssh.ssh_config {
            Some(path) => SshConfigPaths { user: Some(expand_tilde(path)), system: None, home: None },
            None => SshConfigPaths {
                user: default_ssh_config(),
                system: Some(PathBuf::from("/etc/ssh/ssh_config")),
                home: None,
            },
        }
    }

    /// Only the user's file (tests).
    pub fn user_only(path: &Path) -> SshConfigPaths {
        SshConfigPaths { user: Some(path.to_path_buf()), system: None, home: None }
    }
}

/// Resolves the config's hosts (and `~/.ssh/config` when asked) for a user whose login name is
/// `login`. With no host at all, the fleet is this machine under `local_name`.
pub fn resolve(cfg: &Config, ssh_config: &SshConfigPaths, login: &str, local_name: &str) -> Fleet {
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
            Access::Ssh { endpoint: Box::new(endpoint_of(h, login)), via }
        };
        fleet.hosts.push(FleetHost { name: h.name.clone(), tags: h.tags.clone(), access });
    }
    if cfg.ssh.import_ssh_config {
        if let Some(path) = ssh_config.user.as_deref().filter(|p| p.exists()) {
            let home = ssh_config
                .home
                .clone()
                .or_else(|| std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from));
            import_ssh_config(&mut fleet, path, ssh_config.system.as_deref(), home, login, local_name);
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
        options: HostOptions::default(),
    }
}

/// `[user@]host[:port]` (or `ssh://[user@]host[:port]`) of a ProxyJump hop.
fn split_jump_spec(spec: &str) -> (Option<String>, String, Option<u16>, String) {
    let spec = spec.trim().trim_start_matches("ssh://");
    let (user, rest) = match spec.rsplit_once('@') {
        Some((u, r)) => (Some(u.to_string()), r),
        None => (None, spec),
    };
    let (host, port) = match rest.rsplit_once(':') {
        Some((a, p)) if !a.contains(':') || a.ends_with(']') => {
            (a.trim_matches(['[', ']']).to_string(), p.parse().ok())
        }
        _ => (rest.trim_matches(['[', ']']).to_string(), None),
    };
    (user, host, port, rest.to_string())
}

/// A ProxyJump hop that names no known alias, with no ssh_config applied (tests).
#[cfg(test)]
fn parse_jump_spec(spec: &str, login: &str) -> EndpointSpec {
    let (user, address, port, name) = split_jump_spec(spec);
    EndpointSpec {
        name,
        address,
        port: port.unwrap_or(22),
        user: user.unwrap_or_else(|| login.to_string()),
        identity_files: Vec::new(),
        options: HostOptions::default(),
    }
}

/// How deep ProxyJump chains may go before they are taken for a loop.
const MAX_JUMP_DEPTH: usize = 16;

/// A ProxyJump chain that never ends.
#[derive(Debug)]
struct JumpLoop;

/// Resolves names against the parsed ssh_config as `ssh` would for `ssh NAME`.
struct Resolver<'a> {
    parsed: &'a SshConfig,
    fleet_hosts: &'a [FleetHost],
    aliases: &'a [String],
    login: &'a str,
    home: PathBuf,
    local_host: String,
    uid: u32,
}

impl Resolver<'_> {
    /// The endpoint `ssh NAME` would reach (user and port as a jump spec overrides them).
    fn endpoint(&self, name: &str, user: Option<&str>, port: Option<u16>, shown: &str) -> EndpointSpec {
        let q = self.parsed.query(name);
        let mut problems: Vec<Both> = Vec::new();
        let hostname = match q.first("hostname") {
            Some(h) => {
                let t = Tokens { original: name.to_string(), ..Tokens::default() };
                expand(h, TokenSet::HostName, &t).unwrap_or_else(|e| {
                    problems.push(e.words("HostName", h));
                    name.to_string()
                })
            }
            None => name.to_string(),
        }
        .to_lowercase();
        let port = port.unwrap_or_else(|| match q.first("port") {
            Some(p) => p.parse().unwrap_or_else(|_| {
                problems.push(both(&SshMsg::CfgBadPort, &[("value", &p)]));
                22
            }),
            None => 22,
        });
        let user = user
            .map(str::to_string)
            .or_else(|| q.first("user").map(str::to_string))
            .unwrap_or_else(|| self.login.to_string());
        let host_key_alias =
            q.first("hostkeyalias").filter(|a| !a.eq_ignore_ascii_case("none")).map(str::to_lowercase);
        let tokens = Tokens {
            host: hostname.clone(),
            original: name.to_string(),
            port,
            remote_user: user.clone(),
            local_user: self.login.to_string(),
            home: self.home.to_string_lossy().into_owned(),
            local_host: self.local_host.clone(),
            uid: self.uid,
            key_alias: host_key_alias.clone().unwrap_or_else(|| name.to_string()),
            jump: q
                .raw("proxyjump")
                .filter(|j| !j.eq_ignore_ascii_case("none"))
                .unwrap_or_default()
                .to_string(),
        };
        let mut files = |key: &str, list: &[String]| -> Vec<PathBuf> {
            list.iter()
                .filter(|f| !f.eq_ignore_ascii_case("none"))
                .filter_map(|f| match expand(&tilde(f, &self.home), TokenSet::Files, &tokens) {
                    Ok(p) => Some(PathBuf::from(p)),
                    Err(e) => {
                        problems.push(e.words(key, f));
                        None
                    }
                })
                .collect()
        };
        let identity_files = files("IdentityFile", q.identity_files());
        let user_known_hosts = q.get("userknownhostsfile").map(|l| files("UserKnownHostsFile", l));
        let global_known_hosts = q.get("globalknownhostsfile").map(|l| files("GlobalKnownHostsFile", l));
        let host_key_check =
            q.first("stricthostkeychecking").and_then(|v| match v.to_ascii_lowercase().as_str() {
                // yunwei cannot ask, so "ask" refuses what ssh would ask about.
                "yes" | "true" | "ask" => Some(HostKeyCheck::Strict),
                "accept-new" => Some(HostKeyCheck::AcceptNew),
                "no" | "off" | "false" => Some(HostKeyCheck::Off),
                other => {
                    problems.push(both(&SshMsg::CfgBadStrict, &[("value", &other)]));
                    None
                }
            });
        let proxy_command = match q.raw("proxycommand") {
            Some(c) if !c.eq_ignore_ascii_case("none") => match expand(c, TokenSet::ProxyCommand, &tokens) {
                Ok(c) => Some(c),
                Err(e) => {
                    problems.push(e.words("ProxyCommand", c));
                    None
                }
            },
            _ => None,
        };
        unsupported_options(&q, &mut problems);
        EndpointSpec {
            name: shown.to_string(),
            address: hostname,
            port,
            user,
            identity_files,
            options: HostOptions {
                host_key_alias,
                user_known_hosts,
                global_known_hosts,
                host_key_check,
                hash_known_hosts: yes(q.first("hashknownhosts")),
                proxy_command,
                unsupported: (!problems.is_empty()).then(|| {
                    let join = |lang: Lang| {
                        let parts: Vec<&str> = problems.iter().map(|p| p.get(lang)).collect();
                        parts.join(SshMsg::CfgProblemSeparator.text(lang))
                    };
                    Both { en: join(Lang::En), zh: join(Lang::ZhCn) }
                }),
            },
        }
    }

    /// The hops before `name`, outermost first, from its own ProxyJump.
    fn own_via(&self, name: &str, depth: usize) -> Result<Vec<EndpointSpec>, JumpLoop> {
        let q = self.parsed.query(name);
        match q.first("proxyjump") {
            Some(j) if !j.eq_ignore_ascii_case("none") => {
                let hops: Vec<String> = j.split(',').map(str::to_string).collect();
                self.via_list(&hops, depth + 1)
            }
            _ => Ok(Vec::new()),
        }
    }

    /// `ProxyJump a,b,c` as ssh runs it (`ssh -J a,b -W … c`): the last hop is reached through
    /// the ones before it, whose own ProxyJump then does not apply; the first through its own.
    fn via_list(&self, hops: &[String], depth: usize) -> Result<Vec<EndpointSpec>, JumpLoop> {
        if depth > MAX_JUMP_DEPTH {
            return Err(JumpLoop);
        }
        let Some((last, before)) = hops.split_last() else { return Ok(Vec::new()) };
        let (user, host, port, shown) = split_jump_spec(last);
        let config_host = (!self.aliases.contains(&host))
            .then(|| self.fleet_hosts.iter().find(|h| h.name == host))
            .flatten();
        let (mut hop, own) = match config_host.map(|h| &h.access) {
            Some(Access::Ssh { endpoint, via }) => {
                let mut e = (**endpoint).clone();
                if let Some(u) = user {
                    e.user = u;
                }
                if let Some(p) = port {
                    e.port = p;
                }
                (e, via.clone())
            }
            _ => {
                let e = self.endpoint(&host, user.as_deref(), port, &shown);
                let own = if before.is_empty() { self.own_via(&host, depth)? } else { Vec::new() };
                (e, own)
            }
        };
        let mut via = if before.is_empty() { own } else { self.via_list(before, depth + 1)? };
        if !via.is_empty() {
            // Reached through other hops: its own ProxyCommand does not apply either.
            hop.options.proxy_command = None;
        }
        via.push(hop);
        Ok(via)
    }
}

fn yes(value: Option<&str>) -> bool {
    value.is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "yes" | "true"))
}

/// Options that change how ssh reaches a host in ways yunwei does not follow: such a host is
/// not reached at all rather than reached another way.
fn unsupported_options(q: &HostConfig, problems: &mut Vec<Both>) {
    if q.first("canonicalizehostname")
        .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "yes" | "always"))
    {
        problems.push(both(&SshMsg::CfgCanonicalize, &[]));
    }
    if yes(q.first("proxyusefdpass")) && q.get("proxycommand").is_some() {
        problems.push(both(&SshMsg::CfgFdpass, &[]));
    }
}

fn import_ssh_config(
    fleet: &mut Fleet,
    path: &Path,
    system: Option<&Path>,
    home: Option<PathBuf>,
    login: &str,
    local_name: &str,
) {
    let home =
        home.or_else(|| path.parent().and_then(Path::parent).map(Path::to_path_buf)).unwrap_or_default();
    let parsed = SshConfig::load(Some(path), system, &home);
    let file = path.display().to_string();
    fleet.warnings.extend(parsed.warnings.iter().cloned());
    let aliases = parsed.aliases();
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    let mut imported = Vec::new();
    {
        let resolver = Resolver {
            parsed: &parsed,
            fleet_hosts: &fleet.hosts,
            aliases: &aliases,
            login,
            home,
            local_host: local_name.to_string(),
            uid,
        };
        for alias in &aliases {
            if resolver.fleet_hosts.iter().any(|h| &h.name == alias) {
                continue;
            }
            // A name that could act on the terminal is shown on no screen.
            if alias.chars().any(crate::text::is_unprintable) {
                let name = crate::text::escape_unprintable(alias).into_owned();
                fleet.warnings.push(both(&SshMsg::CfgNameUnprintable, &[("file", &file), ("name", &name)]));
                continue;
            }
            let via = match resolver.own_via(alias, 0) {
                Ok(via) => via,
                Err(JumpLoop) => {
                    fleet.warnings.push(both(&SshMsg::CfgJumpLoop, &[("file", &file), ("name", alias)]));
                    continue;
                }
            };
            let mut endpoint = resolver.endpoint(alias, None, None, alias);
            if !via.is_empty() {
                endpoint.options.proxy_command = None;
            }
            for e in via.iter().chain(std::iter::once(&endpoint)) {
                if let Some(reason) = &e.options.unsupported {
                    fleet.warnings.push(both(
                        &SshMsg::CfgUnsupportedHost,
                        &[("file", &file), ("name", alias), ("reason", reason)],
                    ));
                }
            }
            imported.push(FleetHost {
                name: alias.clone(),
                tags: vec!["ssh_config".into()],
                access: Access::Ssh { endpoint: Box::new(endpoint), via },
            });
        }
    }
    fleet.hosts.extend(imported);
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
        import_ssh_config(&mut fleet, &path, None, None, "ops", "vm");
        let names: Vec<&str> = fleet.hosts.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["good"]);
        assert_eq!(fleet.warnings.len(), 1, "{:?}", fleet.warnings);
        assert!(fleet.warnings[0].en.contains("evil\\u{202e}gpj.exe"), "{:?}", fleet.warnings);
        assert!(!fleet.warnings[0].zh.contains('\u{202E}'));
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
        let f = resolve(&Config::default(), &SshConfigPaths::default(), "ops", "vm1");
        assert_eq!(f.hosts.len(), 1);
        assert_eq!(f.hosts[0].name, "vm1");
        assert_eq!(f.hosts[0].access, Access::Local);
    }

    #[test]
    fn a_local_name_with_odd_characters_is_escaped_once() {
        let f =
            resolve(&Config::default(), &SshConfigPaths::default(), "ops", "web\u{1b}]0;x\u{7}01\u{202e}");
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
        let f = resolve(&c, &SshConfigPaths::default(), "ops", "vm");
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
        let f = resolve(&c, &SshConfigPaths::user_only(&path), "ops", "vm");
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
        assert!(
            f.warnings.iter().any(|w| w.en.contains("Match") && w.zh.contains("Match")),
            "{:?}",
            f.warnings
        );
        assert!(
            f.warnings.iter().any(|w| w.en.contains("loop") && w.zh.contains("循环")),
            "{:?}",
            f.warnings
        );
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
        let f = resolve(&Config::default(), &SshConfigPaths::user_only(&path), "ops", "vm");
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
        let f = resolve(&c, &SshConfigPaths::user_only(&path), "ops", "vm");
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
