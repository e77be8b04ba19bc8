//! yunwei decides as OpenSSH decides. Every case here is put to the real `ssh` client (and to
//! `ssh -G` for configuration) and to yunwei, against a real sshd on loopback, and the test
//! asserts that both come to the same decision: connect or refuse, the key recorded, the command
//! a ProxyCommand ran. A new OpenSSH release that decides differently fails here.

mod support {
    pub mod sshd;
}

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::sshd::{self, Sshd, UserKey};
use yunwei::config::Config;
use yunwei::fleet::inventory::{resolve, SshConfigPaths};
use yunwei::ssh::{ErrorKind, HostKeyCheck};

/// The user's passwd home: what `ssh` takes `~` and `%d` for (yunwei takes `$HOME`).
fn passwd_home() -> PathBuf {
    let user = sshd::current_user();
    let out = Command::new("getent").args(["passwd", &user]).output().expect("getent passwd");
    let line = String::from_utf8_lossy(&out.stdout).to_string();
    PathBuf::from(line.trim().split(':').nth(5).expect("a home field"))
}

/// A second key pair whose public half stands for a key the server does not have.
fn wrong_key(dir: &Path, key_type: &str) -> String {
    let k = sshd::user_key(dir, &format!("wrong_{key_type}"), key_type, "");
    let mut f = k.public_line.split_whitespace();
    format!("{} {}", f.next().unwrap(), f.next().unwrap())
}

/// `type base64` of the server's host key of `key_type`.
fn right_key(server: &Sshd, key_type: &str) -> String {
    let line = server.known_hosts_line(key_type);
    let mut f = line.split_whitespace().skip(1);
    format!("{} {}", f.next().unwrap(), f.next().unwrap())
}

struct World {
    dir: tempfile::TempDir,
    key: UserKey,
    server: Sshd,
}

impl World {
    fn new(host_key_types: &[&str]) -> World {
        let dir = tempfile::tempdir().unwrap();
        let key = sshd::user_key(dir.path(), "id_ed25519", "ed25519", "");
        let server = Sshd::start(host_key_types, &[&key]);
        World { dir, key, server }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `{IP} {PORT} {USER} {KEY} {DIR} {KH}` filled in; `{KH}` is the client's own known_hosts.
    fn fill(&self, template: &str, kh: &Path) -> String {
        template
            .replace("{IP}", &self.server.ip.to_string())
            .replace("{PORT}", &self.server.port.to_string())
            .replace("{USER}", &sshd::current_user())
            .replace("{KEY}", &self.key.private.display().to_string())
            .replace("{DIR}", &self.dir.path().display().to_string())
            .replace("{KH}", &kh.display().to_string())
    }

    /// Puts the case to both clients, each with its own copy of `known_hosts`; returns both
    /// outcomes and both files afterwards.
    fn decide(
        &self,
        case: &str,
        config: &str,
        known_hosts: &str,
        host: &str,
        ours: HostKeyCheckSetting,
    ) -> Decision {
        let prepare = |who: &str| {
            let kh = self.path(&format!("{case}-{who}-known_hosts"));
            fs::write(&kh, self.fill(known_hosts, &kh)).unwrap();
            let cfg_path = self.path(&format!("{case}-{who}-ssh_config"));
            fs::write(&cfg_path, self.fill(&config.replace("{WHO}", who), &kh)).unwrap();
            (kh, cfg_path)
        };
        let (kh, cfg_path) = prepare("ssh");
        let ssh = self.ssh(&cfg_path, host);
        let ssh_kh = fs::read_to_string(&kh).unwrap_or_default();
        let (kh, cfg_path) = prepare("yunwei");
        let yunwei = self.yunwei(&cfg_path, host, ours);
        let yunwei_kh = fs::read_to_string(&kh).unwrap_or_default();
        Decision { case: case.to_string(), ssh, ssh_kh, yunwei, yunwei_kh }
    }

    fn ssh(&self, config: &Path, host: &str) -> Result<(), String> {
        let out = Command::new("ssh")
            .arg("-F")
            .arg(config)
            .args(["-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=5", host, "true"])
            .env_remove("SSH_AUTH_SOCK")
            .stdin(Stdio::null())
            .output()
            .expect("run ssh");
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).to_string())
        }
    }

    fn yunwei(
        &self,
        config: &Path,
        host: &str,
        ours: HostKeyCheckSetting,
    ) -> Result<(), (ErrorKind, String)> {
        let mut cfg = Config::default();
        cfg.ssh.known_hosts = self.path("yunwei-default-known_hosts").display().to_string();
        cfg.ssh.connect_timeout_s = 5;
        if let HostKeyCheckSetting::Set(check) = ours {
            cfg.ssh.host_key_check = check;
            cfg.ssh.host_key_check_set = true;
        }
        let paths =
            SshConfigPaths { user: Some(config.to_path_buf()), system: None, home: Some(passwd_home()) };
        let fleet = resolve(&cfg, &paths, &sshd::current_user(), "vm");
        let Some(target) = fleet.hosts.iter().find(|h| h.name == host).and_then(|h| h.target()) else {
            return Err((ErrorKind::Protocol, format!("{host} not in the fleet: {fleet:?}")));
        };
        let pool = yunwei::fleet::pool_for(&cfg);
        let mut conn = pool.connect(&target).map_err(|e| (e.kind, e.message))?;
        let out = conn.exec("true").map_err(|e| (e.kind, e.message))?;
        if out.exit_status == 0 {
            Ok(())
        } else {
            Err((ErrorKind::Protocol, format!("exit {}", out.exit_status)))
        }
    }
}

#[derive(Clone, Copy)]
enum HostKeyCheckSetting {
    /// `[ssh] host_key_check` not written: the host's StrictHostKeyChecking decides.
    Unset,
    Set(HostKeyCheck),
}
use HostKeyCheckSetting::{Set, Unset};

struct Decision {
    case: String,
    ssh: Result<(), String>,
    ssh_kh: String,
    yunwei: Result<(), (ErrorKind, String)>,
    yunwei_kh: String,
}

impl Decision {
    /// Both connected, or both refused (yunwei with `kind`).
    fn agree(&self, connect: bool, kind: Option<ErrorKind>) -> &Self {
        assert_eq!(self.ssh.is_ok(), connect, "{}: ssh: {:?}", self.case, self.ssh);
        assert_eq!(
            self.yunwei.is_ok(),
            connect,
            "{}: yunwei: {:?} (ssh: {:?})",
            self.case,
            self.yunwei,
            self.ssh
        );
        if let (Some(kind), Err((got, message))) = (kind, &self.yunwei) {
            assert_eq!(*got, kind, "{}: {message}", self.case);
        }
        self
    }

    /// Both recorded the same keys (lines added to known_hosts; hashed names compared as hashed).
    fn recorded_alike(&self, before: usize) -> &Self {
        let added = |text: &str| -> Vec<String> {
            text.lines()
                .skip(before)
                .map(|l| {
                    let f: Vec<&str> = l.split_whitespace().collect();
                    let name =
                        if f[0].starts_with("|1|") { "|1|hashed".to_string() } else { f[0].to_string() };
                    format!("{name} {} {}", f[1], f[2])
                })
                .collect()
        };
        assert_eq!(
            added(&self.yunwei_kh),
            added(&self.ssh_kh),
            "{}:\nssh:\n{}\nyunwei:\n{}",
            self.case,
            self.ssh_kh,
            self.yunwei_kh
        );
        self
    }
}

const DIRECT: &str = "Host web\n  HostName {IP}\n  Port {PORT}\n  User {USER}\n  IdentityFile {KEY}\n";

fn common(extra: &str) -> String {
    format!("{extra}Host *\n  UserKnownHostsFile {{KH}}\n  GlobalKnownHostsFile {{DIR}}/no-global\n")
}

#[test]
fn host_key_alias_names_the_entry_that_is_checked() {
    let w = World::new(&["ed25519"]);
    let right = right_key(&w.server, "ed25519");
    let wrong = wrong_key(w.dir.path(), "ed25519");
    let config = common(&format!("{DIRECT}  HostKeyAlias MyAlias\n  StrictHostKeyChecking yes\n"));
    w.decide("alias-right", &config, &format!("myalias {right}\n"), "web", Unset).agree(true, None);
    w.decide("alias-wrong", &config, &format!("myalias {wrong}\n[{{IP}}]:{{PORT}} {right}\n"), "web", Unset)
        .agree(false, Some(ErrorKind::HostKeyChanged));
    w.decide("alias-absent", &config, &format!("[{{IP}}]:{{PORT}} {right}\n"), "web", Unset)
        .agree(false, Some(ErrorKind::HostKeyUnknown));
}

#[test]
fn per_host_known_hosts_files_and_policy_apply() {
    let w = World::new(&["ed25519"]);
    let right = right_key(&w.server, "ed25519");
    let wrong = wrong_key(w.dir.path(), "ed25519");
    // yunwei's own [ssh] file records a wrong key: the host's UserKnownHostsFile is what counts.
    fs::write(w.path("yunwei-default-known_hosts"), format!("[{}]:{} {wrong}\n", w.server.ip, w.server.port))
        .unwrap();
    let strict = common(&format!("{DIRECT}  StrictHostKeyChecking yes\n"));
    w.decide("user-file", &strict, &format!("[{{IP}}]:{{PORT}} {right}\n"), "web", Unset).agree(true, None);
    // The global file is read after the user's.
    fs::write(w.path("global"), w.fill(&format!("[{{IP}}]:{{PORT}} {right}\n"), Path::new(""))).unwrap();
    let global =
        format!("{DIRECT}  StrictHostKeyChecking yes\n  GlobalKnownHostsFile {{DIR}}/global\n") + &common("");
    w.decide("global-file", &global, "", "web", Unset).agree(true, None);
    // StrictHostKeyChecking accept-new records the new key in the first user file.
    let accept = common(&format!("{DIRECT}  StrictHostKeyChecking accept-new\n"));
    w.decide("accept-new", &accept, "", "web", Unset).agree(true, None).recorded_alike(0);
    // With [ssh] host_key_check written too, the stricter applies: strict wins over accept-new.
    let d = w.decide("stricter-config", &accept, "", "web", Set(HostKeyCheck::Strict));
    assert!(d.ssh.is_ok());
    assert!(matches!(d.yunwei, Err((ErrorKind::HostKeyUnknown, _))), "{:?}", d.yunwei);
    // … and the host's "yes" wins over [ssh] accept-new, as ssh refuses.
    w.decide("stricter-host", &strict, "", "web", Set(HostKeyCheck::AcceptNew))
        .agree(false, Some(ErrorKind::HostKeyUnknown));
}

#[test]
fn keys_recorded_without_the_port_match_another_port() {
    let w = World::new(&["ed25519"]);
    let right = right_key(&w.server, "ed25519");
    let wrong = wrong_key(w.dir.path(), "ed25519");
    let strict = common(&format!("{DIRECT}  StrictHostKeyChecking yes\n"));
    w.decide("portless", &strict, &format!("{{IP}} {right}\n"), "web", Unset).agree(true, None);
    w.decide("portless-wildcard", &strict, &format!("127.0.0.* {right}\n"), "web", Unset).agree(true, None);
    w.decide("portless-wrong", &strict, &format!("{{IP}} {wrong}\n"), "web", Unset)
        .agree(false, Some(ErrorKind::HostKeyUnknown));
    // A different key without the port is not "changed" for this port: accept-new records it.
    let accept = common(&format!("{DIRECT}  StrictHostKeyChecking accept-new\n"));
    w.decide("portless-wrong-accept", &accept, &format!("{{IP}} {wrong}\n"), "web", Unset)
        .agree(true, None)
        .recorded_alike(1);
}

#[test]
fn key_types_are_chosen_in_openssh_order() {
    let w = World::new(&["ed25519", "ecdsa"]);
    let ed = right_key(&w.server, "ed25519");
    let ec = right_key(&w.server, "ecdsa");
    let wrong_ed = wrong_key(w.dir.path(), "ed25519");
    let wrong_ec = wrong_key(w.dir.path(), "ecdsa");
    let wrong_rsa = wrong_key(w.dir.path(), "rsa");
    let strict = common(&format!("{DIRECT}  StrictHostKeyChecking yes\n"));
    let kh = |a: &str, b: &str| format!("[{{IP}}]:{{PORT}} {a}\n[{{IP}}]:{{PORT}} {b}\n");
    // ed25519 comes first: a wrong ed25519 line is a changed key, whatever the ecdsa line says.
    w.decide("wrong-ed-right-ec", &strict, &kh(&ec, &wrong_ed), "web", Unset)
        .agree(false, Some(ErrorKind::HostKeyChanged));
    // A stale line of another type beside the right one is not a change.
    w.decide("right-ed-wrong-ec", &strict, &kh(&wrong_ec, &ed), "web", Unset).agree(true, None);
    w.decide("right-ed-wrong-rsa", &strict, &kh(&wrong_rsa, &ed), "web", Unset).agree(true, None);
    // Only ecdsa recorded: ecdsa is asked for first although the server prefers ed25519.
    w.decide("only-ec", &strict, &format!("[{{IP}}]:{{PORT}} {ec}\n"), "web", Unset).agree(true, None);
}

#[test]
fn lines_openssh_cannot_read_are_ignored() {
    use base64::Engine;
    let w = World::new(&["ed25519", "ecdsa"]);
    let ed = right_key(&w.server, "ed25519");
    let ec_b64 = right_key(&w.server, "ecdsa").split_whitespace().nth(1).unwrap().to_string();
    let blob =
        base64::engine::general_purpose::STANDARD.decode(ed.split_whitespace().nth(1).unwrap()).unwrap();
    let truncated = base64::engine::general_purpose::STANDARD.encode(&blob[..blob.len() - 4]);
    let strict = common(&format!("{DIRECT}  StrictHostKeyChecking yes\n"));
    w.decide("truncated", &strict, &format!("[{{IP}}]:{{PORT}} ssh-ed25519 {truncated}\n"), "web", Unset)
        .agree(false, Some(ErrorKind::HostKeyUnknown));
    let accept = common(&format!("{DIRECT}  StrictHostKeyChecking accept-new\n"));
    w.decide("mislabelled", &accept, &format!("[{{IP}}]:{{PORT}} ssh-ed25519 {ec_b64}\n"), "web", Unset)
        .agree(true, None)
        .recorded_alike(1);
}

#[test]
fn names_are_lower_case_and_hash_known_hosts_hashes_recorded_lines() {
    let w = World::new(&["ed25519"]);
    let right = right_key(&w.server, "ed25519");
    // ssh-keygen -H hashes the names of a file: hash "myalias" as ssh would look it up.
    let plain = w.path("to-hash");
    fs::write(&plain, format!("myalias {right}\n")).unwrap();
    let status = Command::new("ssh-keygen")
        .arg("-H")
        .arg("-f")
        .arg(&plain)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let hashed = fs::read_to_string(&plain).unwrap();
    assert!(hashed.starts_with("|1|"), "{hashed}");
    let alias = common(&format!("{DIRECT}  HostKeyAlias MYALIAS\n  StrictHostKeyChecking yes\n"));
    w.decide("hashed-alias", &alias, &hashed, "web", Unset).agree(true, None);
    // HashKnownHosts yes under accept-new: both record a hashed line, and each reads the other's.
    let hash = common(&format!("{DIRECT}  StrictHostKeyChecking accept-new\n  HashKnownHosts yes\n"));
    let d = w.decide("hash-record", &hash, "", "web", Unset);
    d.agree(true, None).recorded_alike(0);
    assert!(d.yunwei_kh.starts_with("|1|") && d.ssh_kh.starts_with("|1|"), "{}\n{}", d.yunwei_kh, d.ssh_kh);
    let strict = common(&format!("{DIRECT}  StrictHostKeyChecking yes\n"));
    let swapped = Decision {
        case: "swapped".into(),
        ssh: {
            let kh = w.path("swap-ssh");
            fs::write(&kh, &d.yunwei_kh).unwrap();
            let cfg = w.path("swap-ssh-config");
            fs::write(&cfg, w.fill(&strict, &kh)).unwrap();
            w.ssh(&cfg, "web")
        },
        ssh_kh: String::new(),
        yunwei: {
            let kh = w.path("swap-yunwei");
            fs::write(&kh, &d.ssh_kh).unwrap();
            let cfg = w.path("swap-yunwei-config");
            fs::write(&cfg, w.fill(&strict, &kh)).unwrap();
            w.yunwei(&cfg, "web", Unset)
        },
        yunwei_kh: String::new(),
    };
    swapped.agree(true, None);
}

#[test]
fn identity_file_and_user_known_hosts_file_expand_tokens() {
    let w = World::new(&["ed25519"]);
    let right = right_key(&w.server, "ed25519");
    let user = sshd::current_user();
    let expanded = w.path(&format!("k_{user}_{}_{}_{user}", w.server.port, w.server.ip));
    fs::copy(&w.key.private, &expanded).unwrap();
    let config =
        "Host web\n  HostName {IP}\n  Port {PORT}\n  User {USER}\n  IdentityFile {DIR}/k_%r_%p_%h_%u\n  \
                  StrictHostKeyChecking yes\n  UserKnownHostsFile {DIR}/kh_%h_%p\n";
    fs::write(
        w.path(&format!("kh_{}_{}", w.server.ip, w.server.port)),
        format!("[{}]:{} {right}\n", w.server.ip, w.server.port),
    )
    .unwrap();
    w.decide("tokens", config, "", "web", Unset).agree(true, None);
}

/// A ProxyCommand that writes its arguments to a log and relays to the host with bash's
/// /dev/tcp (no netcat needed).
fn proxy_script(w: &World) -> PathBuf {
    let path = w.path("proxy.sh");
    fs::write(
        &path,
        "#!/bin/bash\nlog=$1; shift\nprintf '%s\\n' \"$*\" >> \"$log\"\nexec 3<>/dev/tcp/$1/$2 || exit 1\n\
         cat <&3 2>/dev/null &\nreader=$!\ntrap 'kill $reader 2>/dev/null' EXIT HUP TERM\ncat >&3\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn proxy_command_runs_as_ssh_runs_it() {
    let w = World::new(&["ed25519"]);
    let right = right_key(&w.server, "ed25519");
    proxy_script(&w);
    let kh = format!("[{{IP}}]:{{PORT}} {right}\n");
    let config = common(&format!(
        "{DIRECT}  StrictHostKeyChecking yes\n  ProxyCommand {{DIR}}/proxy.sh {{DIR}}/{{WHO}}.log %h %p %r %n 100%%\n  \
         ProxyJump nowhere.invalid\n"
    ));
    w.decide("proxy", &config, &kh, "web", Unset).agree(true, None);
    // Each client ran the command once per connection, with the same expanded arguments.
    let ssh_log = fs::read_to_string(w.path("ssh.log")).unwrap();
    let yunwei_log = fs::read_to_string(w.path("yunwei.log")).unwrap();
    let first = |log: &str| log.lines().next().unwrap_or_default().to_string();
    assert_eq!(first(&yunwei_log), first(&ssh_log));
    assert_eq!(
        first(&ssh_log),
        format!("{} {} {} web 100%", w.server.ip, w.server.port, sshd::current_user())
    );
    // ProxyCommand none, met first, leaves a later ProxyJump out too: a direct connection.
    let none = common(&format!(
        "{DIRECT}  StrictHostKeyChecking yes\n  ProxyCommand none\n  ProxyJump nowhere.invalid\n"
    ));
    w.decide("proxy-none", &none, &kh, "web", Unset).agree(true, None);
    // A command that fails: both refuse, and yunwei says what the command said.
    let failing = common(&format!(
        "{DIRECT}  StrictHostKeyChecking yes\n  ProxyCommand sh -c 'echo no route to %h >&2; exit 3'\n"
    ));
    let d = w.decide("proxy-fails", &failing, &kh, "web", Unset);
    d.agree(false, None);
    let (_, message) = d.yunwei.as_ref().unwrap_err();
    assert!(message.contains("no route to") && message.contains("status 3"), "{message}");
}

#[test]
fn proxy_jump_hops_are_looked_up_as_ssh_looks_them_up() {
    let w = World::new(&["ed25519"]);
    let bastion = Sshd::start(&["ed25519"], &[&w.key]);
    let kh = format!(
        "[{{IP}}]:{{PORT}} {}\n[{}]:{} {}\n",
        right_key(&w.server, "ed25519"),
        bastion.ip,
        bastion.port,
        right_key(&bastion, "ed25519")
    );
    let (bip, bport) = (bastion.ip, bastion.port);
    // user@alias:port: the alias's HostName applies, the spec's user and port win.
    let alias = common(&format!(
        "Host web\n  HostName {{IP}}\n  Port {{PORT}}\n  ProxyJump {{USER}}@gw:{bport}\nHost gw\n  HostName {bip}\n  Port 1\n  User nobody\n\
         Host *\n  User {{USER}}\n  IdentityFile {{KEY}}\n  StrictHostKeyChecking yes\n"
    ));
    w.decide("jump-alias", &alias, &kh, "web", Unset).agree(true, None);
    // A raw hop gets the pattern blocks that match it (here its user and key).
    let raw = common(&format!(
        "Host web\n  HostName {{IP}}\n  Port {{PORT}}\n  User {{USER}}\n  IdentityFile {{KEY}}\n  ProxyJump {bip}:{bport}\nHost 127.*\n  User {{USER}}\n  IdentityFile {{KEY}}\n  \
         StrictHostKeyChecking yes\n"
    ));
    w.decide("jump-raw", &raw, &kh, "web", Unset).agree(true, None);
    // ProxyJump a,b runs as -J: b is reached through a, and b's own ProxyJump does not apply.
    let chain = common(&format!(
        "Host web\n  HostName {{IP}}\n  Port {{PORT}}\n  ProxyJump gw1,gw2\nHost gw1 gw2\n  HostName {bip}\n  Port {bport}\n\
         Host gw2\n  ProxyJump 127.0.0.1:1\nHost *\n  User {{USER}}\n  IdentityFile {{KEY}}\n  StrictHostKeyChecking yes\n"
    ));
    w.decide("jump-chain", &chain, &kh, "web", Unset).agree(true, None);
    // A single hop's own ProxyJump does apply (here to a dead port: both fail).
    let own = common(&format!(
        "Host web\n  HostName {{IP}}\n  Port {{PORT}}\n  ProxyJump gw2\nHost gw2\n  HostName {bip}\n  Port {bport}\n  ProxyJump 127.0.0.1:1\n\
         Host *\n  User {{USER}}\n  IdentityFile {{KEY}}\n  StrictHostKeyChecking yes\n"
    ));
    w.decide("jump-own", &own, &kh, "web", Unset).agree(false, Some(ErrorKind::JumpHostDown));
}

/// `ssh -G NAME` as `key value` pairs (keys in lower case, repeated keys kept in order).
fn ssh_g(config: &Path, host: &str) -> Vec<(String, String)> {
    let out = Command::new("ssh").arg("-F").arg(config).args(["-G", host]).output().expect("ssh -G");
    assert!(out.status.success(), "ssh -G {host}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect()
}

#[test]
fn configuration_is_read_as_ssh_g_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let home = passwd_home();
    let inc = dir.path().join("inc.conf");
    fs::write(&inc, "Match host nomatch\n  User from-match\nHost db1\n  User from-include\n  Port 2201\n")
        .unwrap();
    let config = dir.path().join("config");
    fs::write(
        &config,
        format!(
            "Host web1 \"web two\"\n  HostName %h.Example.COM\n  HostKeyAlias Web-Alias\n  UserKnownHostsFile ~/kh_a %d/kh_b\n  \
             StrictHostKeyChecking accept-new\n  ProxyCommand none\n  ProxyJump gw\n\
             Host db1\n  Include {}\n  HashKnownHosts yes\n\
             Host !db1 *1\n  User patterned\n  Port 2222\n  GlobalKnownHostsFile /etc/g1 /etc/g2\n\
             Match host nothing-matches-this\n  User never\n\
             Host gw\n  HostName 10.1.1.1\n  ProxyCommand ssh -W %h:%p other\n\
             Host *\n  User fallback\n  StrictHostKeyChecking no\n",
            inc.display()
        ),
    )
    .unwrap();
    let paths = SshConfigPaths { user: Some(config.clone()), system: None, home: Some(home.clone()) };
    let fleet = resolve(&Config::default(), &paths, "ops", "vm");
    for host in ["web1", "db1", "gw"] {
        let g = ssh_g(&config, host);
        let get = |k: &str| g.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        let ours = fleet.hosts.iter().find(|h| h.name == host).unwrap_or_else(|| panic!("{host}: {fleet:?}"));
        let yunwei::fleet::Access::Ssh { endpoint, via } = &ours.access else { panic!("{host} is remote") };
        let o = &endpoint.options;
        assert_eq!(Some(endpoint.address.clone()), get("hostname"), "{host}: hostname");
        assert_eq!(Some(endpoint.port.to_string()), get("port"), "{host}: port");
        assert_eq!(Some(endpoint.user.clone()), get("user"), "{host}: user");
        assert_eq!(o.host_key_alias, get("hostkeyalias"), "{host}: hostkeyalias");
        let files = |v: &Option<Vec<PathBuf>>| {
            v.as_ref().map(|l| l.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" "))
        };
        match &o.user_known_hosts {
            Some(_) => assert_eq!(
                files(&o.user_known_hosts),
                get("userknownhostsfile"),
                "{host}: userknownhostsfile"
            ),
            None => assert_eq!(
                get("userknownhostsfile").as_deref(),
                Some(format!("{0}/.ssh/known_hosts {0}/.ssh/known_hosts2", home.display()).as_str())
            ),
        }
        if o.global_known_hosts.is_some() {
            assert_eq!(
                files(&o.global_known_hosts),
                get("globalknownhostsfile"),
                "{host}: globalknownhostsfile"
            );
        }
        let strict = get("stricthostkeychecking").unwrap();
        let expected = match strict.as_str() {
            "true" => Some(HostKeyCheck::Strict),
            "accept-new" => Some(HostKeyCheck::AcceptNew),
            "false" => Some(HostKeyCheck::Off),
            _ => None,
        };
        assert_eq!(o.host_key_check, expected, "{host}: stricthostkeychecking {strict}");
        assert_eq!(
            o.hash_known_hosts,
            get("hashknownhosts").as_deref() == Some("yes"),
            "{host}: hashknownhosts"
        );
        assert_eq!(o.proxy_command.is_some(), get("proxycommand").is_some(), "{host}: proxycommand");
        assert_eq!(!via.is_empty(), get("proxyjump").is_some(), "{host}: proxyjump");
    }
}

#[test]
fn hosts_yunwei_cannot_reach_as_ssh_would_are_unsupported_in_status_and_check_config() {
    let dir = tempfile::tempdir().unwrap();
    let ssh_config = dir.path().join("ssh_config");
    fs::write(&ssh_config, "Host canon\n  HostName 127.0.0.1\n  Port 1\n  CanonicalizeHostname yes\n")
        .unwrap();
    let config = dir.path().join("yunwei.toml");
    fs::write(&config, format!("[ssh]\nssh_config = \"{}\"\n", ssh_config.display())).unwrap();
    let bin = env!("CARGO_BIN_EXE_yunwei");
    let db = dir.path().join("y.db");
    let out = Command::new(bin)
        .args(["--lang", "en", "--config"])
        .arg(&config)
        .arg("--db")
        .arg(&db)
        .args(["status", "--json"])
        .env("HOME", dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let host =
        json.as_array().unwrap().iter().find(|h| h["name"] == "canon").unwrap_or_else(|| panic!("{json}"));
    assert_eq!(host["reachable"], false, "{host}");
    assert_eq!(host["error"]["kind"], "unsupported", "{host}");
    let out = Command::new(bin)
        .args(["--lang", "en", "--config"])
        .arg(&config)
        .arg("check-config")
        .env("HOME", dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("CanonicalizeHostname") && text.contains("canon"), "{text}");

    // In Chinese, the warning, the reason and the SSH layer's own words are Chinese too.
    fs::write(
        &ssh_config,
        "Host canon\n  HostName 127.0.0.1\n  Port 1\n  CanonicalizeHostname yes\nHost dead\n  HostName 127.0.0.1\n  Port 1\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(bin)
            .args(["--lang", "zh-CN", "--config"])
            .arg(&config)
            .args(args)
            .env("YUNWEI_DB", &db)
            .env("HOME", dir.path())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
    };
    let checked = run(&["check-config"]);
    assert!(checked.contains("不支持 CanonicalizeHostname") && checked.contains("不会连接它"), "{checked}");
    let status = run(&["status"]);
    assert!(status.contains("无法按 ssh 的方式连接"), "{status}");
    assert!(status.contains("拒绝连接") && status.contains("端口 1 上有 sshd 在运行吗"), "{status}");
    assert!(!status.contains("connection refused"), "{status}");
}

/// A `%` token ssh does not know for an option makes ssh refuse the host; yunwei does not reach
/// it either (unsupported), and says which token.
#[test]
fn unknown_tokens_are_refused_as_ssh_refuses_them() {
    let w = World::new(&["ed25519"]);
    let config = w.path("config");
    // idf reaches a real sshd: ssh expands IdentityFile only once connected.
    let text = w.fill(
        "Host pc\n  ProxyCommand echo %u\nHost hn\n  HostName x%p\nHost idf\n  HostName {IP}\n  Port {PORT}\n  \
         IdentityFile ~/k_%y\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n\
         Host fine\n  HostName %h.example\n  IdentityFile ~/k_%r_%u_%d_%p_%h_%n_%C\n  ProxyCommand echo %h %p %r %n %%\n",
        Path::new(""),
    );
    fs::write(&config, text).unwrap();
    let paths = SshConfigPaths { user: Some(config.clone()), system: None, home: Some(passwd_home()) };
    let fleet = resolve(&Config::default(), &paths, "ops", "vm");
    for host in ["pc", "hn", "idf", "fine"] {
        // ssh expands the tokens when it connects (ssh -G leaves ProxyCommand's as written).
        let out = Command::new("ssh")
            .arg("-F")
            .arg(&config)
            .args(["-o", "BatchMode=yes", "-o", "ConnectTimeout=1", host, "true"])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let refused_by_ssh = String::from_utf8_lossy(&out.stderr).contains("unknown key");
        let h = fleet.hosts.iter().find(|h| h.name == host).unwrap();
        let yunwei::fleet::Access::Ssh { endpoint, .. } = &h.access else { panic!() };
        assert_eq!(
            endpoint.options.unsupported.is_some(),
            refused_by_ssh,
            "{host}: {:?}",
            endpoint.options.unsupported
        );
    }
    assert!(
        fleet.warnings.iter().any(|w| w.en.contains("%u") && w.zh.contains("未知的占位符")),
        "{:?}",
        fleet.warnings
    );
}
