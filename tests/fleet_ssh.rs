//! The fleet over SSH, end to end through the built binary: real OpenSSH servers on loopback
//! (direct, behind a jump host, a two-hop chain), a dead port, frozen listeners and a changed
//! host key, polled all at once by `yunwei status`, and in the console a host whose sshd is
//! killed goes down with its reason and recovers by itself when sshd is back.

mod support {
    pub mod netservers;
    pub mod sshd;
    pub mod tmux;
}

use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use support::sshd::{self, Sshd, UserKey};
use support::tmux::{bin, env_prefix, Tmux};

/// Accepts connections and never says a word, like a hung host.
fn frozen_listener() -> (TcpListener, String, u16) {
    let ip = sshd::loopback_ip();
    let l = TcpListener::bind((ip, 0)).unwrap();
    let port = l.local_addr().unwrap().port();
    let keep = l.try_clone().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in keep.incoming().flatten() {
            held.push(s);
        }
    });
    (l, ip.to_string(), port)
}

struct Fleet {
    dir: tempfile::TempDir,
    key: UserKey,
    bastion: Sshd,
    direct: Sshd,
    inner: Sshd,
    behind: Sshd,
    changed: Sshd,
    _frozen: Vec<TcpListener>,
    config: PathBuf,
}

fn host(name: &str, s: &Sshd, key: &UserKey, jump: Option<&str>, tags: &[&str]) -> String {
    let mut h = format!(
        "[[hosts]]\nname = \"{name}\"\naddress = \"{}\"\nport = {}\nuser = \"{}\"\nidentity_file = \"{}\"\ntags = [{}]\n",
        s.ip,
        s.port,
        sshd::current_user(),
        key.private.display(),
        tags.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(", ")
    );
    if let Some(j) = jump {
        h.push_str(&format!("jump = \"{j}\"\n"));
    }
    h + "\n"
}

fn fleet(poll_s: u64) -> Fleet {
    let dir = tempfile::tempdir().unwrap();
    let key = sshd::user_key(dir.path(), "id_ed25519", "ed25519", "");
    let start = || Sshd::start(&["ed25519"], &[&key]);
    let (bastion, direct, inner, behind, changed) = (start(), start(), start(), start(), start());
    let other = start();
    // known_hosts: every server's real key, except `changed`, recorded with another server's key.
    let mut kh = String::new();
    for s in [&bastion, &direct, &inner, &behind] {
        kh.push_str(&s.known_hosts_line("ed25519"));
        kh.push('\n');
    }
    let wrong = other.known_hosts_line("ed25519");
    let wrong_key = wrong.split_once(' ').unwrap().1;
    kh.push_str(&format!("[{}]:{} {wrong_key}\n", changed.ip, changed.port));
    let known_hosts = dir.path().join("known_hosts");
    fs::write(&known_hosts, kh).unwrap();

    let mut cfg = format!(
        "[ssh]\nknown_hosts = \"{}\"\nconnect_timeout_s = 2\ncommand_timeout_s = 3\npoll_interval_s = {poll_s}\nimport_ssh_config = false\n\n",
        known_hosts.display()
    );
    cfg += &host("bastion", &bastion, &key, None, &["jump"]);
    cfg += &host("direct-1", &direct, &key, None, &["app"]);
    cfg += &host("inner-hop", &inner, &key, Some("bastion"), &["jump"]);
    cfg += &host("海口-应用-behind", &behind, &key, Some("inner-hop"), &["app"]);
    cfg += &host("changed-key", &changed, &key, None, &["db"]);
    let dead_ip = sshd::loopback_ip();
    let dead_port = sshd::free_port(dead_ip);
    cfg += &format!("[[hosts]]\nname = \"dead-port\"\naddress = \"{dead_ip}\"\nport = {dead_port}\n\n");
    let mut frozen = Vec::new();
    for i in 0..3 {
        let (l, ip, port) = frozen_listener();
        cfg += &format!("[[hosts]]\nname = \"frozen-{i}\"\naddress = \"{ip}\"\nport = {port}\n\n");
        frozen.push(l);
    }
    let config = dir.path().join("fleet.toml");
    fs::File::create(&config).unwrap().write_all(cfg.as_bytes()).unwrap();
    drop(other);
    Fleet { dir, key, bastion, direct, inner, behind, changed, _frozen: frozen, config }
}

fn yunwei(home: &Path) -> Command {
    let mut c = Command::new(bin());
    c.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("SSH_AUTH_SOCK")
        .env("LANG", "C.UTF-8");
    c
}

#[test]
fn status_polls_the_whole_fleet_at_once_and_says_why_hosts_are_down() {
    let f = fleet(10);
    let started = Instant::now();
    let out = yunwei(f.dir.path())
        .args(["--config", f.config.to_str().unwrap(), "status", "--json"])
        .output()
        .unwrap();
    let wall = started.elapsed();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "some hosts are down: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let by = |name: &str| v.as_array().unwrap().iter().find(|h| h["name"] == name).cloned().unwrap();
    for name in ["bastion", "direct-1", "inner-hop", "海口-应用-behind"] {
        let h = by(name);
        assert_eq!(h["reachable"], true, "{name}: {h}");
        assert!(h["cpu_pct"].as_f64().is_some(), "{name}: two readings give CPU %: {h}");
        assert!(h["mem_total_kib"].as_u64().unwrap() > 0);
        assert!(!h["disks"].as_array().unwrap().is_empty(), "{name}: {h}");
        assert!(h.get("security").is_none(), "no posture unless asked for");
    }
    let kind = |name: &str| by(name)["error"]["kind"].as_str().unwrap().to_string();
    assert_eq!(kind("dead-port"), "refused");
    for i in 0..3 {
        assert_eq!(kind(&format!("frozen-{i}")), "timeout");
    }
    assert_eq!(kind("changed-key"), "host_key_changed");
    let msg = by("changed-key")["error"]["message"].as_str().unwrap().to_string();
    assert!(msg.contains("SHA256:") && msg.contains("known_hosts"), "{msg}");
    // Three frozen hosts at 3 s each would take 9 s one after the other.
    eprintln!("status over the fleet took {wall:?}");
    assert!(wall < Duration::from_millis(8500), "polled one after the other? {wall:?}");
    // --security adds the posture: the sshd's own port is among the listening ones.
    let out = yunwei(f.dir.path())
        .args([
            "--config",
            f.config.to_str().unwrap(),
            "status",
            "--json",
            "--security",
            "--host",
            "海口-应用-behind",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ports: Vec<u64> = v[0]["security"]["listening_tcp_ports"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_u64())
        .collect();
    assert!(ports.contains(&u64::from(f.behind.port)), "{ports:?}");
    // Each jump host carried its targets over one login.
    assert_eq!(f.bastion.accepted_logins(), 3, "bastion: its own poll and one chain per status run");
    let _ = (&f.direct, &f.inner, &f.behind, &f.changed, &f.key);
}

#[test]
fn a_host_whose_sshd_dies_goes_down_with_its_reason_and_recovers_by_itself() {
    let mut f = fleet(1);
    let t = Tmux::new("fleet");
    let script = format!(
        "{env}unset SSH_AUTH_SOCK; exec '{bin}' --config '{cfg}' --db '{db}'",
        env = env_prefix(f.dir.path()),
        bin = bin().display(),
        cfg = f.config.display(),
        db = f.dir.path().join("y.db").display()
    );
    t.start("main", &script, true);
    let row = |s: &str, name: &str| s.lines().find(|l| l.contains(name)).unwrap_or("").to_string();
    let s = t.wait_for("main", "every host polled", |s| {
        row(s, "direct-1").contains(" up ")
            && row(s, "海口-应用-behind").contains(" up ")
            && row(s, "frozen-2").contains("timed out")
    });
    assert!(row(&s, "dead-port").contains("connection refused"), "{s}");
    assert!(row(&s, "changed-key").contains("host key changed"), "{s}");
    // Kill the direct host's sshd: the row says why; start it again: it comes back alone.
    f.direct.kill();
    let s = t.wait_for("main", "direct-1 down", |s| row(s, "direct-1").contains("down"));
    let reason = row(&s, "direct-1");
    assert!(
        reason.contains("refused") || reason.contains("disconnected") || reason.contains("timed out"),
        "{reason}"
    );
    f.direct.restart();
    t.wait_for("main", "direct-1 back up", |s| row(s, "direct-1").contains(" up "));
    // A host behind two jump hosts is up as well (its own sessions never depended on direct-1;
    // waited for, since a loaded machine may be between two of its rounds).
    t.wait_for("main", "the host behind two jump hosts up", |s| row(s, "海口-应用-behind").contains(" up "));
    // The detail of a remote host shows its filesystems and security posture.
    t.keys("main", &["/"]);
    t.keys("main", &["direct-1", "Enter", "Enter"]);
    let s = t.wait_for("main", "the remote detail", |s| s.contains("Filesystems"));
    assert!(s.contains("Host detail: direct-1"), "{s}");
    t.keys("main", &["End"]);
    let s = t.wait_for("main", "the security posture", |s| s.contains("Security ("));
    assert!(s.contains("listening TCP ports"), "{s}");
    t.keys("main", &["Escape", "q"]);
}

#[test]
fn logs_on_a_host_behind_two_jump_hosts_survive_an_sshd_restart_without_loss_or_repeats() {
    use std::io::{BufRead, BufReader};
    let mut f = fleet(10);
    let log = f.dir.path().join("remote app.log");
    // GBK bytes and an ID number, read whole first.
    let mut first = b"2026-11-27 03:04:05 ERROR id 11010519491231002X ".to_vec();
    first.extend([0xbe, 0xaf, 0xb8, 0xe6, b'\n']);
    first.extend(b"line-2\n");
    fs::write(&log, &first).unwrap();
    let out = yunwei(f.dir.path())
        .args(["--config", f.config.to_str().unwrap(), "logs", "--host", "海口-应用-behind"])
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text, "2026-11-27 03:04:05 ERROR id 110105********002X 警告\nline-2\n");

    // Follow, kill the host's sshd, write meanwhile, start it again: every line once, in order.
    let mut child = yunwei(f.dir.path())
        .args([
            "--config",
            f.config.to_str().unwrap(),
            "logs",
            "--follow",
            "--lines",
            "1",
            "--host",
            "海口-应用-behind",
        ])
        .arg(&log)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let next = || rx.recv_timeout(Duration::from_secs(15)).expect("a line in time");
    assert_eq!(next(), "line-2");
    let append = |s: &str| {
        let mut h = fs::OpenOptions::new().append(true).open(&log).unwrap();
        h.write_all(s.as_bytes()).unwrap();
    };
    append("a-1\n");
    assert_eq!(next(), "a-1");
    f.behind.kill();
    append("b-1\nb-2\n");
    std::thread::sleep(Duration::from_secs(2));
    f.behind.restart();
    assert_eq!(next(), "b-1");
    assert_eq!(next(), "b-2");
    append("c-1\n");
    assert_eq!(next(), "c-1");
    assert!(rx.recv_timeout(Duration::from_secs(2)).is_err(), "a line was repeated");
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn ssh_agent_is_tried_first_and_passphrases_are_never_asked_for() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    // An encrypted key: usable only through the agent, where the user loaded it.
    let key = sshd::user_key(dir.path(), "id_locked", "ed25519", "correct horse");
    let server = Sshd::start(&["ed25519"], &[&key]);
    let known_hosts = dir.path().join("known_hosts");
    fs::write(&known_hosts, server.known_hosts_line("ed25519") + "\n").unwrap();
    let cfg = dir.path().join("agent.toml");
    fs::write(
        &cfg,
        format!(
            "[ssh]\nknown_hosts = \"{}\"\nimport_ssh_config = false\n\n{}",
            known_hosts.display(),
            host("locked", &server, &key, None, &[])
        ),
    )
    .unwrap();
    let sock = dir.path().join("agent.sock");
    let mut agent = Command::new("ssh-agent").arg("-D").arg("-a").arg(&sock).spawn().expect("ssh-agent runs");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !sock.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let askpass = dir.path().join("askpass.sh");
    fs::write(&askpass, "#!/bin/sh\necho 'correct horse'\n").unwrap();
    fs::set_permissions(&askpass, fs::Permissions::from_mode(0o700)).unwrap();
    let added = Command::new("ssh-add")
        .arg(&key.private)
        .env("SSH_AUTH_SOCK", &sock)
        .env("SSH_ASKPASS", &askpass)
        .env("SSH_ASKPASS_REQUIRE", "force")
        .env("DISPLAY", ":0")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(added.status.success(), "ssh-add: {}", String::from_utf8_lossy(&added.stderr));

    let status = |with_agent: bool| {
        let mut c = yunwei(dir.path());
        c.args(["--config", cfg.to_str().unwrap(), "status", "--json"]);
        if with_agent {
            c.env("SSH_AUTH_SOCK", &sock);
        }
        let out = c.stdin(std::process::Stdio::null()).output().unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let v = status(true);
    assert_eq!(v[0]["reachable"], true, "through the agent: {v}");
    let v = status(false);
    assert_eq!(v[0]["error"]["kind"], "auth_failed", "without the agent the encrypted key is refused: {v}");
    let msg = v[0]["error"]["message"].as_str().unwrap();
    assert!(msg.contains("id_locked"), "names the key: {msg}");
    let _ = agent.kill();
    let _ = agent.wait();
}

#[test]
fn a_remote_log_source_in_the_logs_tab_survives_an_sshd_restart() {
    let mut f = fleet(10);
    let log = f.dir.path().join("remote-app.log");
    fs::write(&log, "2026-11-27 03:04:05 INFO r-0 身份证11010519491231002X\n").unwrap();
    let mut cfg = fs::read_to_string(&f.config).unwrap();
    cfg += &format!(
        "[[logs]]\nname = \"远程\"\nhost = \"海口-应用-behind\"\npath = \"{}/remote-*.log\"\n",
        f.dir.path().display()
    );
    fs::write(&f.config, cfg).unwrap();
    let t = Tmux::new("remotelogs");
    let script = format!(
        "{env}unset SSH_AUTH_SOCK; exec '{bin}' --config '{cfg}' --db '{db}'",
        env = env_prefix(f.dir.path()),
        bin = bin().display(),
        cfg = f.config.display(),
        db = f.dir.path().join("y.db").display()
    );
    t.start("main", &script, true);
    t.wait_for("main", "the fleet", |s| s.contains("Fleet health"));
    t.keys("main", &["Tab"]);
    let s = t.wait_for("main", "the remote record", |s| s.contains("r-0"));
    assert!(s.contains("110105********002X") && !s.contains("11010519491231002X"), "masked:\n{s}");
    let append = |text: &str| {
        let mut h = fs::OpenOptions::new().append(true).open(&log).unwrap();
        h.write_all(text.as_bytes()).unwrap();
    };
    append("2026-11-27 03:04:06 WARN r-1\n");
    t.wait_for("main", "r-1", |s| s.contains("r-1"));
    f.behind.kill();
    append("2026-11-27 03:04:07 ERROR r-2\n2026-11-27 03:04:08 INFO r-3\n");
    std::thread::sleep(Duration::from_secs(2));
    f.behind.restart();
    let s = t.wait_for("main", "r-2 and r-3 after the restart", |s| s.contains("r-2") && s.contains("r-3"));
    for marker in ["r-0", "r-1", "r-2", "r-3"] {
        assert_eq!(s.matches(marker).count(), 1, "{marker} once:\n{s}");
    }
    t.keys("main", &["q"]);
}

// --- One SSH session per host, shared (`yunwei::fleet`), at the API level. ---

use std::sync::Arc;
use yunwei::config::HostKeyCheck;
use yunwei::fleet::{Class, HostLink, Sessions};
use yunwei::health::remote::probe_command;
use yunwei::ssh::{ErrorKind, SshPool, SshSettings, Target};

const EXEC: Duration = Duration::from_secs(5);

/// A user key, a known_hosts file trusting `servers`, and the registry of host links.
fn sessions_for(dir: &Path, servers: &[&Sshd]) -> Arc<Sessions> {
    let known_hosts = dir.join("known_hosts");
    let lines: String = servers.iter().map(|s| s.known_hosts_line("ed25519") + "\n").collect();
    fs::write(&known_hosts, lines).unwrap();
    Sessions::new(SshPool::new(SshSettings {
        known_hosts,
        global_known_hosts: Vec::new(),
        host_key_check: HostKeyCheck::Strict,
        host_key_check_set: true,
        connect_timeout: Duration::from_secs(2),
        command_timeout: Duration::from_secs(5),
    }))
}

fn direct(server: &Sshd, name: &str, key: &UserKey) -> Target {
    Target { endpoint: server.endpoint(name, key), via: Vec::new() }
}

/// Follows `path` on the link as the remote log reader does, one bounded chunk per exec, from
/// the start to the end of the file: the bytes read.
fn catch_up(link: &HostLink, path: &Path) -> u64 {
    use yunwei::logs::remote::{apply, command, Begin, Chunk, RemoteCursor};
    let mut cursor = RemoteCursor::default();
    let mut total = 0;
    loop {
        let out =
            link.exec(&command(&path.to_string_lossy(), &cursor, Begin::Start), EXEC, Class::Logs).unwrap();
        match apply(&mut cursor, &out.stdout).unwrap() {
            Chunk::Data { bytes, more } => {
                total += bytes.len() as u64;
                if !more {
                    return total;
                }
            }
            other => panic!("{other:?}"),
        }
    }
}

fn log_file(dir: &Path, name: &str, bytes: usize) -> PathBuf {
    let line = "2026-11-27 03:04:05 INFO a line of a busy application log, long enough to count\n";
    let path = dir.join(name);
    fs::write(&path, line.repeat(bytes / line.len() + 1)).unwrap();
    path
}

#[test]
fn four_clients_of_one_host_make_one_login() {
    let dir = tempfile::tempdir().unwrap();
    let key = sshd::user_key(dir.path(), "id_ed25519", "ed25519", "");
    let server = Sshd::start(&["ed25519"], &[&key]);
    let sessions = sessions_for(dir.path(), &[&server]);
    let target = direct(&server, "web1", &key);
    let classes = [Class::Health, Class::Logs, Class::Logs, Class::Probe];
    let clients: Vec<_> = classes
        .into_iter()
        .enumerate()
        .map(|(i, class)| {
            let link = sessions.link(&target);
            std::thread::spawn(move || {
                for round in 0..5 {
                    let out = link.exec(&format!("echo {i}-{round}"), EXEC, class).unwrap();
                    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{i}-{round}\n"));
                }
            })
        })
        .collect();
    for client in clients {
        client.join().unwrap();
    }
    assert_eq!(server.accepted_logins(), 1, "{}", server.log());
    assert_eq!(sessions.link(&target).logins(), 1);
}

#[test]
fn a_log_catch_up_holds_the_health_poll_up_by_one_chunk_at_most() {
    let dir = tempfile::tempdir().unwrap();
    let key = sshd::user_key(dir.path(), "id_ed25519", "ed25519", "");
    let server = Sshd::start(&["ed25519"], &[&key]);
    let sessions = sessions_for(dir.path(), &[&server]);
    let target = direct(&server, "app1", &key);
    let link = sessions.link(&target);
    // One chunk alone: what a health poll may have to wait for.
    let big = log_file(dir.path(), "big.log", 10 << 20);
    let alone = Instant::now();
    let out = link.exec(
        &format!("head -c {} {}", yunwei::logs::remote::MAX_CHUNK, big.display()),
        EXEC,
        Class::Logs,
    );
    assert_eq!(out.unwrap().stdout.len() as u64, yunwei::logs::remote::MAX_CHUNK);
    let chunk = alone.elapsed();
    // Four log sources of the host catch up at once (10 MB each) while the health poll runs.
    let readers: Vec<_> = (0..4)
        .map(|i| {
            let link = sessions.link(&target);
            let path = log_file(dir.path(), &format!("app{i}.log"), 10 << 20);
            std::thread::spawn(move || {
                let started = Instant::now();
                let size = fs::metadata(&path).unwrap().len();
                assert_eq!(catch_up(&link, &path), size);
                started.elapsed()
            })
        })
        .collect();
    let started = Instant::now();
    let mut waits = Vec::new();
    while !readers.iter().all(|r| r.is_finished()) && started.elapsed() < Duration::from_secs(60) {
        let asked = Instant::now();
        let out = link.exec("echo ok", EXEC, Class::Health).unwrap();
        assert_eq!(out.stdout, b"ok\n");
        waits.push(asked.elapsed());
        std::thread::sleep(Duration::from_millis(100));
    }
    let catch_ups: Vec<Duration> = readers.into_iter().map(|r| r.join().unwrap()).collect();
    let worst = waits.iter().max().copied().unwrap_or_default();
    eprintln!(
        "one {} MiB chunk alone: {chunk:?}; 4 x 10 MB catch-ups: {catch_ups:?}; {} health polls meanwhile, \
         the slowest answered in {worst:?}",
        yunwei::logs::remote::MAX_CHUNK >> 20,
        waits.len()
    );
    assert!(waits.len() >= 3, "the health poll ran during the catch-up: {waits:?}");
    // One chunk in flight (with room for a busy machine), far from the catch-up as a whole and
    // from a poll interval (10 s by default).
    assert!(worst < chunk * 3 + Duration::from_millis(500), "{worst:?} vs one chunk {chunk:?}");
    assert!(worst < Duration::from_secs(10));
    assert_eq!(server.accepted_logins(), 1);
}

#[test]
fn a_shared_session_comes_back_after_sshd_is_killed_and_restarted() {
    let dir = tempfile::tempdir().unwrap();
    let key = sshd::user_key(dir.path(), "id_ed25519", "ed25519", "");
    let mut server = Sshd::start(&["ed25519"], &[&key]);
    let sessions = sessions_for(dir.path(), &[&server]);
    let link = sessions.link(&direct(&server, "db1", &key));
    assert_eq!(link.exec("echo hi", EXEC, Class::Health).unwrap().stdout, b"hi\n");
    server.kill();
    let err = link.exec("echo hi", EXEC, Class::Health).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Disconnected | ErrorKind::Timeout), "{err}");
    // Reconnecting to a dead port: refused, then the same answer at once until the backoff ends.
    let err = link.exec("echo hi", EXEC, Class::Logs).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Refused, "{err}");
    let asked = Instant::now();
    assert_eq!(link.exec("echo hi", EXEC, Class::Logs).unwrap_err().kind, ErrorKind::Refused);
    assert!(asked.elapsed() < Duration::from_millis(100), "during the backoff: {:?}", asked.elapsed());
    server.restart();
    let started = Instant::now();
    let back = loop {
        match link.exec("echo back", EXEC, Class::Health) {
            Ok(out) => break out,
            Err(err) => {
                assert!(started.elapsed() < Duration::from_secs(5), "still down: {err}");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    };
    assert_eq!(back.stdout, b"back\n");
    assert_eq!(link.logins(), 2);
}

#[test]
fn five_hosts_with_health_polling_and_twenty_log_sources_make_five_logins() {
    let dir = tempfile::tempdir().unwrap();
    let key = sshd::user_key(dir.path(), "id_ed25519", "ed25519", "");
    let servers: Vec<Sshd> = (0..5).map(|_| Sshd::start(&["ed25519"], &[&key])).collect();
    let sessions = sessions_for(dir.path(), &servers.iter().collect::<Vec<_>>());
    let mut clients = Vec::new();
    for (h, server) in servers.iter().enumerate() {
        let target = direct(server, &format!("host-{h}"), &key);
        let health = sessions.link(&target);
        clients.push(std::thread::spawn(move || {
            for _ in 0..3 {
                let out = health.exec(&yunwei::health::remote::probe_command(), EXEC, Class::Health).unwrap();
                assert!(String::from_utf8_lossy(&out.stdout).contains("MemTotal"));
            }
        }));
        for s in 0..4 {
            let link = sessions.link(&target);
            let path = log_file(dir.path(), &format!("h{h}-s{s}.log"), 64 << 10);
            clients.push(std::thread::spawn(move || {
                let size = fs::metadata(&path).unwrap().len();
                assert_eq!(catch_up(&link, &path), size);
            }));
        }
    }
    for client in clients {
        client.join().unwrap();
    }
    let logins: Vec<usize> = servers.iter().map(Sshd::accepted_logins).collect();
    eprintln!("logins per host with 1 health poller and 4 log sources each: {logins:?}");
    assert_eq!(logins, vec![1; 5]);
}

/// The jump-host scale of `benches/fleet.sh` in small: many targets (aliases of a few servers)
/// behind one bastion, connected all at once while direct hosts connect too. Before the open
/// timeout counted from the moment the open was sent, the targets at the end of the bastion's
/// queue of channel opens timed out without their open ever being sent.
#[test]
fn a_hundred_targets_behind_one_bastion_connect_at_once_and_all_answer() {
    let dir = tempfile::tempdir().unwrap();
    let key = sshd::user_key(dir.path(), "id_ed25519", "ed25519", "");
    let servers: Vec<Sshd> = (0..4).map(|_| Sshd::start(&["ed25519"], &[&key])).collect();
    let known_hosts = dir.path().join("known_hosts");
    let lines: String = servers.iter().map(|s| s.known_hosts_line("ed25519") + "\n").collect();
    fs::write(&known_hosts, lines).unwrap();
    // A short connect timeout, as a cron check would set it: the queue alone used to exceed it.
    let pool = SshPool::new(SshSettings {
        known_hosts,
        global_known_hosts: Vec::new(),
        host_key_check: HostKeyCheck::Strict,
        host_key_check_set: true,
        connect_timeout: Duration::from_secs(2),
        command_timeout: Duration::from_secs(10),
    });
    let bastion = servers[0].endpoint("bastion", &key);
    let started = Instant::now();
    let clients: Vec<_> = (0..200)
        .map(|i| {
            let server = &servers[1 + i % 3];
            let jumped = i % 2 == 0;
            let via = if jumped { vec![bastion.clone()] } else { Vec::new() };
            let target = Target { endpoint: server.endpoint(&format!("host-{i:03}"), &key), via };
            let pool = Arc::clone(&pool);
            std::thread::spawn(move || {
                // The health probe, as `yunwei status` runs it: the load the opens queue under.
                let result = pool.connect(&target).and_then(|mut conn| conn.exec(&probe_command()));
                (i, jumped, result.map(|out| String::from_utf8_lossy(&out.stdout).contains("MemTotal")))
            })
        })
        .collect();
    let results: Vec<_> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    let took = started.elapsed();
    let failed: Vec<String> = results
        .iter()
        .filter(|(_, _, r)| !matches!(r, Ok(true)))
        .map(|(i, jumped, r)| format!("host-{i:03} (jumped: {jumped}): {r:?}"))
        .collect();
    let jumped = results.iter().filter(|(_, j, _)| *j).count();
    let logins = servers[0].accepted_logins();
    eprintln!("{} hosts, {jumped} behind one bastion: {took:?}, {logins} bastion sessions", results.len());
    assert!(failed.is_empty(), "{} of {} failed:\n{}", failed.len(), results.len(), failed.join("\n"));
    assert!((1..=4).contains(&logins), "{logins} sessions to the bastion");
}

/// The console itself, as the issue measures it: five hosts polled for health and twenty log
/// sources (four a host) in the Logs tab make five logins, one per host, counted in each test
/// sshd's own log, not 25.
#[test]
fn the_console_with_five_hosts_and_twenty_remote_log_sources_logs_in_five_times() {
    let dir = tempfile::tempdir().unwrap();
    let key = sshd::user_key(dir.path(), "id_ed25519", "ed25519", "");
    let servers: Vec<Sshd> = (0..5).map(|_| Sshd::start(&["ed25519"], &[&key])).collect();
    let known_hosts = dir.path().join("known_hosts");
    let lines: String = servers.iter().map(|s| s.known_hosts_line("ed25519") + "\n").collect();
    fs::write(&known_hosts, lines).unwrap();
    let mut cfg = format!(
        "[ssh]\nknown_hosts = \"{}\"\nconnect_timeout_s = 3\ncommand_timeout_s = 5\npoll_interval_s = 1\nimport_ssh_config = false\n\n",
        known_hosts.display()
    );
    for (h, server) in servers.iter().enumerate() {
        cfg += &host(&format!("host-{h}"), server, &key, None, &[]);
    }
    for h in 0..5 {
        for s in 0..4 {
            let path = dir.path().join(format!("h{h}-s{s}.log"));
            fs::write(&path, format!("2026-11-27 03:04:05 INFO mark-{h}-{s}\n")).unwrap();
            cfg += &format!(
                "[[logs]]\nname = \"h{h}s{s}\"\nhost = \"host-{h}\"\npath = \"{}\"\n\n",
                path.display()
            );
        }
    }
    let config = dir.path().join("fleet.toml");
    fs::write(&config, cfg).unwrap();
    let t = Tmux::new("sharedsessions");
    let script = format!(
        "{env}unset SSH_AUTH_SOCK; exec '{bin}' --config '{cfg}' --db '{db}'",
        env = env_prefix(dir.path()),
        bin = bin().display(),
        cfg = config.display(),
        db = dir.path().join("y.db").display()
    );
    t.start("main", &script, true);
    t.wait_for("main", "five hosts up", |s| s.contains("Fleet health") && s.matches(" up ").count() >= 5);
    t.keys("main", &["Tab"]);
    // Each file holds one record: 20 records means every source delivered (the screen shows
    // eight source headers and "+12 more sources").
    let shown = t.wait_for("main", "a record of each of the 20 sources", |s| s.contains("· 20 records ·"));
    assert!(!shown.contains("error:"), "no source failed:\n{shown}");
    // A few more health rounds and log polls on the same sessions.
    std::thread::sleep(Duration::from_secs(3));
    let logins: Vec<usize> = servers.iter().map(Sshd::accepted_logins).collect();
    eprintln!("logins per host (1 health poller + 4 log sources each): {logins:?}");
    assert_eq!(logins, vec![1; 5], "one login per host:\n{shown}");
    t.keys("main", &["q"]);
}

/// The journal of a host reached over SSH, through a stand-in journalctl first on the host's
/// PATH (this machine has no journal of its own to read): read whole, then followed across an
/// sshd kill and restart with every entry once, resumed by cursor.
#[test]
fn a_remote_journal_is_read_by_cursor_and_survives_an_sshd_restart_without_loss_or_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let bin_dir = dir.path().join("bin");
    fs::create_dir(&bin_dir).unwrap();
    let journal = dir.path().join("journal.json");
    let script = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$*\" >> {j}.args\nafter=; lines=\nfor a do case \"$a\" in\n  \
         --after-cursor=*) after=${{a#--after-cursor=}} ;;\n  --lines=*) lines=${{a#--lines=}} ;;\nesac; done\n\
         if [ -n \"$after\" ]; then awk -v c=\"\\\"__CURSOR\\\":\\\"$after\\\"\" 'found {{ print }} index($0, c) {{ found = 1 }}' {j}\n\
         elif [ -n \"$lines\" ]; then tail -n \"$lines\" {j}; else cat {j}; fi\n",
        j = journal.display()
    );
    let fake = bin_dir.join("journalctl");
    fs::write(&fake, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    let entry = |i: u32, msg: &str| {
        format!(
            "{{\"__CURSOR\":\"s=x;i={i}\",\"__REALTIME_TIMESTAMP\":\"{}\",\"PRIORITY\":\"3\",\"SYSLOG_IDENTIFIER\":\"nginx\",\"_PID\":\"7\",\"MESSAGE\":\"{msg}\"}}\n",
            1_796_100_000_000_000u64 + u64::from(i) * 1_000_000
        )
    };
    let write = |text: &str| {
        let mut h = fs::OpenOptions::new().create(true).append(true).open(&journal).unwrap();
        h.write_all(text.as_bytes()).unwrap();
    };
    write(&(entry(1, "e-1") + &entry(2, "e-2 13912345678")));

    let key = sshd::user_key(dir.path(), "id_ed25519", "ed25519", "");
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", bin_dir.display());
    let mut server = Sshd::start_with_env(&["ed25519"], &[&key], &[("PATH", &path)]);
    let known_hosts = dir.path().join("known_hosts");
    fs::write(&known_hosts, server.known_hosts_line("ed25519") + "\n").unwrap();
    let cfg = format!(
        "[ssh]\nknown_hosts = \"{}\"\nconnect_timeout_s = 2\ncommand_timeout_s = 3\nimport_ssh_config = false\n\n{}",
        known_hosts.display(),
        host("web1", &server, &key, None, &["web"])
    );
    let config = dir.path().join("fleet.toml");
    fs::write(&config, cfg).unwrap();

    let out = yunwei(dir.path())
        .args([
            "--config",
            config.to_str().unwrap(),
            "logs",
            "--host",
            "web1",
            "--journal",
            "--unit",
            "nginx",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].ends_with("nginx[7]: e-1") && lines[1].ends_with("nginx[7]: e-2 139****5678"), "{text}");

    use std::io::{BufRead, BufReader};
    let mut child = yunwei(dir.path())
        .args(["--config", config.to_str().unwrap(), "logs", "--host", "web1", "--journal", "-f", "-n", "1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let next = || rx.recv_timeout(Duration::from_secs(15)).expect("a line in time");
    assert!(next().ends_with("e-2 139****5678"), "the last entry first");
    write(&entry(3, "a-1"));
    assert!(next().ends_with("nginx[7]: a-1"));
    server.kill();
    write(&(entry(4, "b-1") + &entry(5, "b-2")));
    std::thread::sleep(Duration::from_secs(2));
    server.restart();
    assert!(next().ends_with("nginx[7]: b-1"));
    assert!(next().ends_with("nginx[7]: b-2"));
    write(&entry(6, "c-1"));
    assert!(next().ends_with("nginx[7]: c-1"));
    assert!(rx.recv_timeout(Duration::from_secs(2)).is_err(), "an entry was repeated");
    let _ = child.kill();
    let _ = child.wait();
    let args = fs::read_to_string(format!("{}.args", journal.display())).unwrap();
    assert!(args.lines().next().unwrap().contains("--unit=nginx"), "{args}");
    assert!(args.contains("--after-cursor=s=x;i=5"), "resumed after the last entry shown: {args}");
}

/// One host over a real sshd (`web1`), its config, and the folder of both.
fn one_host(dir: &Path, extra: &str) -> (Sshd, PathBuf) {
    let key = sshd::user_key(dir, "id_ed25519", "ed25519", "");
    let server = Sshd::start(&["ed25519"], &[&key]);
    let known_hosts = dir.join("known_hosts");
    fs::write(&known_hosts, server.known_hosts_line("ed25519") + "\n").unwrap();
    let cfg = format!(
        "[ssh]\nknown_hosts = \"{}\"\nconnect_timeout_s = 2\ncommand_timeout_s = 3\nimport_ssh_config = false\n\n{}{extra}",
        known_hosts.display(),
        host("web1", &server, &key, None, &["web"])
    );
    let config = dir.join("fleet.toml");
    fs::write(&config, cfg).unwrap();
    (server, config)
}

/// Over SSH as on this machine: a binary file (a core dump, /bin/ls) and /dev/zero are named
/// binary on standard error, not printed, and not read on (the read of /dev/zero ends, with no
/// timeout nor reconnect); the text file beside them is printed; in English and Chinese, whole
/// and followed.
#[test]
fn remote_binary_files_and_dev_zero_are_named_binary_not_printed() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, config) = one_host(dir.path(), "");
    let bin = dir.path().join("core.dump");
    let mut bytes = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0".to_vec();
    bytes.extend_from_slice(b"\x1b]0;pwned\x07 \xff\xfe and a newline\n");
    fs::write(&bin, &bytes).unwrap();
    let text = dir.path().join("app.log");
    fs::write(&text, "2026-11-27 03:00:01 INFO a line\n").unwrap();
    let logs = |lang: &str, follow: bool| {
        let mut c = yunwei(dir.path());
        c.args(["--lang", lang, "--config", config.to_str().unwrap(), "logs", "--host", "web1"]);
        if follow {
            c.arg("-f");
        }
        c.arg(&bin).arg("/bin/ls").arg("/dev/zero").arg(&text);
        c
    };
    let out = logs("en", false).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stdout, format!("==> web1:{} <==\n2026-11-27 03:00:01 INFO a line\n", text.display()));
    for name in [bin.display().to_string(), "/bin/ls".into(), "/dev/zero".into()] {
        assert!(stderr.contains(&format!("web1:{name}: binary file; not shown")), "{name}: {stderr}");
    }
    assert!(!stderr.contains("pwned") && !stderr.contains('\u{1b}'), "{stderr}");
    assert!(!stderr.contains("reconnect"), "no exec timed out: {stderr}");
    let out = logs("zh-CN", false).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.matches("二进制文件，不显示").count(), 3, "{stderr}");

    // Followed: the text file goes on; each binary one is said once.
    use std::io::{BufRead, BufReader};
    let mut child = logs("zh-CN", true)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let next = || rx.recv_timeout(Duration::from_secs(15)).expect("a line in time");
    assert_eq!(next(), format!("==> web1:{} <==", text.display()));
    assert_eq!(next(), "2026-11-27 03:00:01 INFO a line");
    fs::OpenOptions::new()
        .append(true)
        .open(&text)
        .unwrap()
        .write_all(b"2026-11-27 03:00:02 INFO more\n")
        .unwrap();
    fs::OpenOptions::new().append(true).open(&bin).unwrap().write_all(b"appended text\n").unwrap();
    assert_eq!(next(), "2026-11-27 03:00:02 INFO more");
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    for name in [bin.display().to_string(), "/bin/ls".into(), "/dev/zero".into()] {
        let said = format!("web1:{name}: 二进制文件，不显示");
        assert_eq!(stderr.matches(&said).count(), 1, "{name} once: {stderr}");
    }
}

/// A remote line of 3 MiB comes in 1 MiB pieces, each but the last marked as cut, in the
/// user's language, whole and followed; the line after it is whole.
#[test]
fn a_remote_3_mib_line_is_cut_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, config) = one_host(dir.path(), "");
    let log = dir.path().join("big.log");
    let mut bytes = b"2026-11-27 03:00:01 ERROR payload ".to_vec();
    bytes.resize(3 * (1 << 20) + 500, b'x');
    bytes.extend_from_slice(b" end\n2026-11-27 03:00:02 INFO next\n");
    fs::write(&log, &bytes).unwrap();
    let logs = |lang: &str| {
        let mut c = yunwei(dir.path());
        c.args(["--lang", lang, "--config", config.to_str().unwrap(), "logs", "--host", "web1"]);
        c
    };
    let out = logs("en").arg(&log).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{:?}", lines.iter().map(|l| l.len()).collect::<Vec<_>>());
    assert!(lines[0].starts_with("2026-11-27 03:00:01 ERROR payload xxx"));
    for piece in &lines[..3] {
        assert!(piece.ends_with("xxx [line cut at 1 MiB]"), "{}", &piece[piece.len() - 40..]);
        assert_eq!(piece.len(), (1 << 20) + " [line cut at 1 MiB]".len());
    }
    assert!(lines[3].ends_with("x end") && !lines[3].contains("cut at"));
    assert_eq!(lines[4], "2026-11-27 03:00:02 INFO next");
    let out = logs("zh-CN").arg(&log).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.matches(" [该行超过 1 MiB，已截断]\n").count(), 3);
    // Followed from the last lines: the pieces are the last lines too.
    let mut child = logs("en")
        .args(["-f", "-n", "5"])
        .arg(&log)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::{BufRead, BufReader};
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        first.starts_with("2026-11-27 03:00:01 ERROR payload")
            && first.ends_with("xxx [line cut at 1 MiB]\n")
    );
}

/// In the console's Logs tab, remote sources as local ones: a binary file and /dev/zero on the
/// host say so in their header (and show nothing), a 3 MiB line shows as one record with its
/// pieces marked as cut, in English and in Chinese.
#[test]
fn remote_binary_sources_and_a_cut_line_in_the_logs_tab() {
    let dir = tempfile::tempdir().unwrap();
    let core = dir.path().join("core.dump");
    fs::write(&core, b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0 2026-11-27 03:00:09 ERROR garbage\n").unwrap();
    let big = dir.path().join("big.log");
    let mut bytes = b"2026-11-27 03:00:01 ERROR payload ".to_vec();
    bytes.resize(3 * (1 << 20) + 500, b'x');
    bytes.extend_from_slice(b" end\n2026-11-27 03:00:02 INFO next\n");
    fs::write(&big, &bytes).unwrap();
    let sources = format!(
        "[[logs]]\nname = \"core\"\nhost = \"web1\"\npath = \"{}\"\n\n[[logs]]\nname = \"zero\"\nhost = \"web1\"\npath = \"/dev/zero\"\n\n\
         [[logs]]\nname = \"big\"\nhost = \"web1\"\npath = \"{}\"\n",
        core.display(),
        big.display()
    );
    let (_server, config) = one_host(dir.path(), &sources);
    for (lang, binary, cut) in [
        ("en", "binary file; not shown", "[line cut at 1 MiB]"),
        ("zh-CN", "二进制文件，不显示", "[该行超过 1 MiB，已截断]"),
    ] {
        let t = Tmux::new(&format!("remotebin-{lang}"));
        let script = format!(
            "{env}unset SSH_AUTH_SOCK; exec '{bin}' --lang {lang} --config '{cfg}' --db '{db}'",
            env = env_prefix(dir.path()),
            bin = bin().display(),
            cfg = config.display(),
            db = dir.path().join(format!("y-{lang}.db")).display()
        );
        t.start("main", &script, true);
        t.wait_for("main", "the fleet", |s| s.contains("web1"));
        t.keys("main", &["Tab"]);
        let s = t.wait_for("main", "both binary sources and the cut line", |s| {
            s.matches(binary).count() == 2 && s.contains(cut) && s.contains("03:00:02 INFO next")
        });
        assert!(!s.contains("garbage"), "nothing of the binary file:\n{s}");
        assert_eq!(s.matches(cut).count(), 3, "three pieces marked:\n{s}");
        t.keys("main", &["q"]);
    }
}

/// `divcode impact` runs its `[[divcodes.impact]]` commands on the hosts they name, over the
/// same SSH as health (here behind two jump hosts), the command with its quotes and tabs intact
/// through `sh -c`; a host that cannot be reached is said with its reason, the others counted.
#[test]
fn divcode_impact_runs_its_commands_over_ssh_behind_two_jump_hosts() {
    let f = fleet(10);
    let home = f.dir.path();
    let db = home.join("d.db");
    let old = home.join("old.csv");
    let new = home.join("new.csv");
    fs::write(&old, "code,name\n460000,海南省\n469003,儋州市\n").unwrap();
    fs::write(&new, "code,name\n460000,海南省\n460400,儋州市\n").unwrap();
    for (file, name) in [(&old, "2014"), (&new, "2015")] {
        let out = yunwei(home)
            .arg("--db")
            .arg(&db)
            .args(["divcode", "import"])
            .arg(file)
            .args(["--version", name])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let mut cfg = fs::read_to_string(&f.config).unwrap();
    cfg += "[[divcodes.impact]]\nname = \"户籍\"\nhost = \"海口-应用-behind\"\ncommand = \"printf '469003\\\\t12\\\\n460400\\\\t3\\\\n'; echo \\\"it's $(whoami)\\\" >&2\"\n\n";
    cfg += "[[divcodes.impact]]\nname = \"gone\"\nhost = \"dead-port\"\ncommand = \"printf '469003\\\\t1\\\\n'\"\n";
    let config = home.join("impact.toml");
    fs::write(&config, &cfg).unwrap();
    let out = yunwei(home)
        .args(["--config", config.to_str().unwrap(), "--db", db.to_str().unwrap()])
        .args(["divcode", "impact", "2014", "2015", "--json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "one target could not be counted: {stderr}");
    assert!(stderr.contains("gone (dead-port): the command did not run"), "{stderr}");
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert_eq!(v["targets"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(
        (v["targets"][0]["name"].as_str(), v["targets"][0]["total"].as_u64()),
        (Some("户籍"), Some(15))
    );
    let change = &v["changes"][0];
    assert_eq!(change["targets"][0]["old"]["469003"], 12);
    assert_eq!(change["targets"][0]["new"]["460400"], 3);
}

// --- Backup jobs over SSH (`yunwei backup`, the Backups tab). ---

/// Runs `sh -c` here for the test's fixtures (`touch -d`, `truncate`, `gzip`).
fn sh(script: &str) {
    let out = Command::new("sh").arg("-c").arg(script).output().unwrap();
    assert!(out.status.success(), "{script}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Commands sshd started for the server's sessions (its log says each).
fn commands_run(s: &Sshd) -> usize {
    s.log().matches("Starting session: command").count()
}

/// `backup check` over SSH: every state from files with set times and sizes on a real sshd
/// host (and one job on this machine), a corrupt gzip found by `--verify`, a glob that matches
/// nothing, a folder whose name has spaces, quotes and `$(…)` (never run), an unreachable host;
/// one remote command per host per round, whatever the number of jobs.
#[test]
fn backup_check_over_ssh_decides_every_state_with_one_command_per_host() {
    let f = fleet(10);
    let home = f.dir.path();
    let base = home.join("bk it's $(touch PWNED)");
    fs::create_dir_all(&base).unwrap();
    let b = base.display().to_string();
    let q = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
    sh(&format!(
        "cd {d} && printf 'oracle dump' | gzip > ok1.dmp.gz && touch -d '1 hour ago' ok1.dmp.gz \
         && printf 'older dump' | gzip > ok0.dmp.gz && touch -d '25 hours ago' ok0.dmp.gz \
         && truncate -s 10M late.tar && touch -d '27 hours ago' late.tar \
         && truncate -s 300M big-1.sql && touch -d '26 hours ago' big-1.sql \
         && truncate -s 20M big-2.sql && touch -d '2 hours ago' big-2.sql \
         && printf 'not gzip at all' > bad.gz && touch -d '3 hours ago' bad.gz \
         && truncate -s 1M old.zip && touch -d '3 days ago' old.zip \
         && printf 'report' > padis.xml && touch -d '2 hours ago' padis.xml",
        d = q(&b)
    ));
    let job = |name: &str, host: Option<&str>, glob: &str, extra: &str| {
        let host = host.map(|h| format!("host = \"{h}\"\n")).unwrap_or_default();
        format!("[[jobs]]\nname = \"{name}\"\n{host}path = {:?}\n{extra}\n", format!("{b}/{glob}"))
    };
    let mut cfg = fs::read_to_string(&f.config).unwrap();
    cfg += &job(
        "ok",
        Some("direct-1"),
        "ok*.dmp.gz",
        "every = \"1d\"\nverify = \"gzip -t\"\nmin_size = \"10B\"\nshrink_pct = 50",
    );
    cfg += &job("late", Some("direct-1"), "late.tar", "every = \"1d\"\ngrace = \"6h\"");
    cfg += &job("shrunk", Some("direct-1"), "big-*.sql", "every = \"1d\"\nshrink_pct = 50");
    cfg += &job("failed", Some("direct-1"), "bad.gz", "every = \"1d\"\nverify = \"gzip -t\"");
    cfg += &job(
        "missing",
        Some("direct-1"),
        "old.zip",
        "kind = \"push\"\nschedule = \"0 1 * * *\"\ntz = \"Asia/Shanghai\"\ngrace = \"2h\"",
    );
    cfg += &job("no-match", Some("direct-1"), "none-*.gz", "every = \"1d\"");
    cfg += &job("injection", Some("direct-1"), "$(touch PWNED2)*", "every = \"1d\"");
    cfg += &job("报送", None, "padis.xml", "kind = \"report\"\nschedule = \"0 9 5 * *\"\ngrace = \"1d\"");
    cfg += &job("unreachable", Some("dead-port"), "x.gz", "every = \"1d\"");
    cfg += &job("behind", Some("海口-应用-behind"), "ok1.dmp.gz", "every = \"1d\"");
    let config = home.join("backup.toml");
    fs::write(&config, &cfg).unwrap();
    let db = home.join("b.db");
    let check = |extra: &[&str]| {
        let out = yunwei(home)
            .args(["--config", config.to_str().unwrap(), "--db", db.to_str().unwrap(), "backup", "check"])
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let before = commands_run(&f.direct);
    let (code, out, err) = check(&["--json", "--verify"]);
    assert_eq!(code, Some(1), "{err}");
    let after = commands_run(&f.direct);
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let state = |name: &str| {
        let r = rows.iter().find(|r| r["name"] == name).unwrap_or_else(|| panic!("{name}: {out}"));
        (
            r["state"].as_str().unwrap_or("").to_string(),
            r["reason"].as_str().unwrap_or("").to_string(),
            r.clone(),
        )
    };
    assert_eq!(state("ok").0, "ok", "{out}");
    assert_eq!(state("late").0, "late", "{out}");
    assert_eq!(state("shrunk").0, "shrunk", "{out}");
    assert!(state("shrunk").1.contains("93% smaller"), "{out}");
    let (s, why, failed) = state("failed");
    assert_eq!(s, "failed", "{out}");
    assert!(
        why.contains("gzip") && failed["verify_output"].as_str().unwrap().contains("not in gzip format"),
        "{failed}"
    );
    assert_eq!(state("missing").0, "missing", "{out}");
    assert_eq!(state("no-match").0, "missing");
    assert!(state("no-match").1.contains("no file matches"), "{out}");
    assert_eq!(state("injection").0, "missing");
    assert_eq!(state("报送").0, "ok", "{out}");
    let (s, why, _) = state("unreachable");
    assert_eq!(s, "unknown");
    assert!(why.starts_with("not checked"), "{why}");
    assert_eq!(state("behind").0, "ok", "behind two jump hosts: {out}");
    let (_, _, ok) = state("ok");
    assert_eq!(ok["newest"]["path"].as_str().unwrap(), format!("{b}/ok1.dmp.gz"));
    assert!(ok["newest"]["size"].as_u64().unwrap() > 10);
    assert_eq!(ok["verify_status"], 0);
    assert_eq!(ok["checksum"].as_str().map(str::len), Some(64));
    assert!(ok["previous_size"].as_u64().is_some());
    assert!(!base.join("PWNED").exists() && !base.join("PWNED2").exists() && !home.join("PWNED").exists());
    // One round command for the host's seven jobs, and for each of its two jobs with `verify`
    // a verification started detached and read back by short polls (at least one each).
    let commands = after - before;
    assert!((1 + 2 * 2..=1 + 2 * 12).contains(&commands), "{commands}: {}", f.direct.log());
    // Without --verify the last result is used, and no verification runs: one command.
    let before = commands_run(&f.direct);
    let (code, out, _) = check(&["--lang", "zh-CN"]);
    assert_eq!(code, Some(1));
    assert_eq!(commands_run(&f.direct) - before, 1);
    assert!(out.contains("校验失败") && out.contains("迟到") && out.contains("未知"), "{out}");
    // One job alone: exit 0 when it is ok; a name that is no job is a usage error.
    assert_eq!(check(&["--job", "ok"]).0, Some(0));
    let (code, _, err) = check(&["--job", "okk"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("did you mean ok?"), "{err}");
    // The history lists the artefacts seen, with the verification.
    let out = yunwei(home)
        .args([
            "--config",
            config.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "backup",
            "history",
            "ok",
            "--json",
        ])
        .output()
        .unwrap();
    let seen: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0]["verify_status"], 0);
    // The alerts: one open per job that is not ok, through sqlite3.
    let open = Command::new("sqlite3")
        .arg(&db)
        .arg("SELECT count(*) FROM alerts WHERE source = 'backup' AND cleared_at IS NULL")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&open.stdout).trim(), "7");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(fs::metadata(&db).unwrap().permissions().mode() & 0o777, 0o600);
}

/// The Backups tab runs a job's `run` on its host after a confirmation, streams its output,
/// refuses a second run while it runs, and records the run (who, exit status, output) in the
/// database and the audit log.
#[test]
fn a_backup_run_from_the_tab_streams_and_is_recorded() {
    let f = fleet(10);
    let home = f.dir.path();
    let dump = home.join("dump.gz");
    sh(&format!("printf x | gzip > '{}'", dump.display()));
    let mut cfg = fs::read_to_string(&f.config).unwrap();
    cfg += &format!(
        "[general]\noperator = \"值班-王\"\n[[jobs]]\nname = \"db-dump\"\nhost = \"direct-1\"\npath = \"{}\"\nevery = \"1d\"\n\
         run = \"echo 'start dump'; sleep 2; echo \\\"it's done\\\"; exit 3\"\n",
        dump.display()
    );
    fs::write(&f.config, cfg).unwrap();
    let db = home.join("y.db");
    let t = Tmux::new("backuprun");
    let script = format!(
        "{env}unset SSH_AUTH_SOCK; exec '{bin}' --config '{cfg}' --db '{db}'",
        env = env_prefix(home),
        bin = bin().display(),
        cfg = f.config.display(),
        db = db.display()
    );
    t.start("main", &script, true);
    t.wait_for("main", "the fleet", |s| s.contains("Fleet health"));
    t.keys("main", &["5"]);
    t.wait_for("main", "the job", |s| s.contains("db-dump") && s.contains("ok"));
    t.keys("main", &["b"]);
    let s = t.wait_for("main", "the confirmation", |s| s.contains("Run on direct-1?"));
    assert!(s.contains("echo 'start dump'"), "{s}");
    t.keys("main", &["y"]);
    t.wait_for("main", "the output streaming", |s| s.contains("start dump") && s.contains("running"));
    t.keys("main", &["b"]);
    t.wait_for("main", "the second run refused", |s| s.contains("a run is in progress"));
    t.wait_for("main", "the end", |s| s.contains("it's done") && s.contains("ended, exit 3"));
    t.keys("main", &["q"]);
    std::thread::sleep(Duration::from_millis(500));
    let q = |sql: &str| {
        let out = Command::new("sqlite3").arg(&db).arg(sql).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(q("SELECT count(*) FROM job_runs"), "1", "a second run was refused");
    assert_eq!(q("SELECT started_by || '|' || status || '|' || host FROM job_runs"), "值班-王|3|direct-1");
    assert!(q("SELECT output FROM job_runs").contains("start dump\nit's done"));
    assert_eq!(q("SELECT group_concat(action, ',') FROM (SELECT action FROM audit WHERE action LIKE 'backup.%' ORDER BY id)"), "backup.run,backup.run.end");
    assert!(q("SELECT detail FROM audit WHERE action = 'backup.run.end'").contains("\"status\":3"));
}

#[test]
fn a_long_verification_never_holds_the_hosts_health_poll() {
    use yunwei::backups::Artefact;
    use yunwei::workers::backups::{verify_one, Place};
    let dir = tempfile::tempdir().unwrap();
    let key = sshd::user_key(dir.path(), "id_ed25519", "ed25519", "");
    let server = Sshd::start(&["ed25519"], &[&key]);
    let sessions = sessions_for(dir.path(), &[&server]);
    let link = sessions.link(&direct(&server, "db1", &key));
    let dump = dir.path().join("full dump.gz");
    sh(&format!("printf data | gzip > '{}'", dump.display()));
    let meta = fs::metadata(&dump).unwrap();
    use std::os::unix::fs::MetadataExt;
    let a = Artefact { path: dump.to_string_lossy().into_owned(), size: meta.len(), mtime: meta.mtime() };
    let settings = yunwei::config::Backups::default();
    let place = Place::Ssh(link.clone());
    let lang = yunwei::i18n::Lang::En;
    // A verification of four seconds (a large dump's `gzip -t`), while the health poll goes on.
    let job = std::thread::spawn({
        let (place, a, settings) = (place.clone(), a.clone(), settings.clone());
        move || verify_one(&place, "db1-dump", "sleep 4; gzip -t", &a, &settings, lang)
    });
    let started = Instant::now();
    let mut waits = Vec::new();
    while !job.is_finished() && started.elapsed() < Duration::from_secs(30) {
        let asked = Instant::now();
        assert_eq!(link.exec("echo ok", EXEC, Class::Health).unwrap().stdout, b"ok\n");
        waits.push(asked.elapsed());
        std::thread::sleep(Duration::from_millis(200));
    }
    let v = job.join().unwrap().unwrap();
    assert!(started.elapsed() >= Duration::from_secs(4));
    assert_eq!((v.status, v.path.as_str(), v.size), (0, a.path.as_str(), a.size), "{v:?}");
    assert_eq!(v.checksum.as_deref().map(str::len), Some(64));
    // Had the verification held the session, one poll would have waited its 4 s and few
    // would have run; they ran all along, each answered at once (one slow answer is allowed
    // for a loaded machine, as in the log catch-up test above).
    let worst = waits.iter().max().copied().unwrap_or_default();
    let slow = waits.iter().filter(|w| **w >= Duration::from_secs(1)).count();
    // A wait of 4 s or more is either the verification holding the session or a wait on a
    // quiet socket for an answer libssh2 already held (5 s, the exec timeout, seen on a loaded
    // machine before `SshConn` waited in slices).
    assert!(waits.len() >= 6, "the health poll ran meanwhile: {waits:?}");
    assert!(slow <= 1, "{slow} health polls waited a second or more: {waits:?}");
    assert!(worst < Duration::from_secs(3), "a health poll waited {worst:?}: {waits:?}");
    // The host bounds a verification by `verify_timeout`: said as such, not as a failure.
    let short = yunwei::config::Backups { verify_timeout: Duration::from_secs(1), ..settings };
    let err = verify_one(&place, "db1-dump", "sleep 20; gzip -t", &a, &short, lang).unwrap_err();
    assert!(err.contains("did not end within 1s"), "{err}");
    // A corrupt artefact: the status and gzip's words kept.
    fs::write(&dump, b"\x1f\x8b\x08\x00garbage").unwrap();
    let v = verify_one(&place, "db1-dump", "gzip -t", &a, &settings, lang).unwrap();
    assert_ne!(v.status, 0);
    assert!(v.output.contains("gzip"), "{v:?}");
    assert_eq!(server.accepted_logins(), 1);
}

/// yunwei on the fleet's config and the database `db`.
fn on_db(f: &Fleet, db: &Path) -> Command {
    let mut c = yunwei(f.dir.path());
    c.arg("--config").arg(&f.config).arg("--db").arg(db);
    c
}

/// The sessions `yunwei shell --list --json` reports.
fn shell_sessions(f: &Fleet, db: &Path) -> Vec<serde_json::Value> {
    let out = on_db(f, db).args(["shell", "--list", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap().as_array().unwrap().clone()
}

#[test]
fn a_shell_from_the_console_through_two_jump_hosts_is_recorded_audited_and_plays_back() {
    let f = fleet(2);
    let db = f.dir.path().join("y.db");
    let t = Tmux::new("shell");
    let script = format!(
        "{env}unset SSH_AUTH_SOCK; exec '{bin}' --config '{cfg}' --db '{db}'",
        env = env_prefix(f.dir.path()),
        bin = bin().display(),
        cfg = f.config.display(),
        db = db.display()
    );
    t.start("main", &script, true);
    let row = |s: &str, name: &str| s.lines().find(|l| l.contains(name)).unwrap_or("").to_string();
    t.wait_for("main", "the host behind two jump hosts up", |s| row(s, "海口-应用-behind").contains(" up "));
    // Logins so far: the polls' (each host's) and the pool's jump sessions.
    std::thread::sleep(Duration::from_secs(1));
    let before = [f.bastion.accepted_logins(), f.inner.accepted_logins(), f.behind.accepted_logins()];
    // The call: "海口 behind is acting up". Filter to it, S.
    t.keys("main", &["/"]);
    t.keys("main", &["behind", "Enter", "S"]);
    let s = t.wait_for("main", "the shell's banner and prompt", |s| {
        s.contains("yunwei: shell on 海口-应用-behind via bastion → inner-hop") && s.trim_end().ends_with('#')
    });
    assert!(s.contains("recorded to "), "{s}");
    t.keys("main", &["echo mark-$((6*7))", "Enter"]);
    t.wait_for("main", "the command's output", |s| s.contains("\nmark-42"));
    // The PTY follows the terminal's size.
    t.cmd(&["resize-window", "-t", "e2e:main", "-x", "120", "-y", "40"]);
    std::thread::sleep(Duration::from_millis(500));
    t.keys("main", &["stty size", "Enter"]);
    t.wait_for("main", "the new size on the host", |s| s.contains("\n40 120"));
    t.keys("main", &["exit 7", "Enter"]);
    let s =
        t.wait_for("main", "the console back", |s| s.contains("Fleet health") && s.contains("exit status 7"));
    assert!(!s.contains("mark-42"), "the console's screen is its own again:\n{s}");
    t.keys("main", &["q"]);
    std::thread::sleep(Duration::from_millis(500));

    // The shell went through the jump sessions the polls use (no new login on either jump
    // host) and logged in once on the host.
    let after = [f.bastion.accepted_logins(), f.inner.accepted_logins(), f.behind.accepted_logins()];
    assert_eq!(after, [before[0], before[1], before[2] + 1], "logins before the shell {before:?}");
    let sessions = shell_sessions(&f, &db);
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let s = &sessions[0];
    assert_eq!(s["host"], "海口-应用-behind");
    assert_eq!(s["via"], serde_json::json!(["bastion", "inner-hop"]));
    assert_eq!(s["exit_status"], 7);
    assert_eq!(s["file"], "intact");
    assert_eq!(s["sha256"].as_str().map(str::len), Some(64));
    let cast = PathBuf::from(s["recording"].as_str().unwrap());
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(fs::metadata(&cast).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(fs::metadata(cast.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
    // The recording plays back (its typing shown as the terminal echoed it).
    let out = on_db(&f, &db).args(["replay", "--speed", "1000"]).arg(&cast).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let played = String::from_utf8_lossy(&out.stdout);
    assert!(played.contains("mark-42") && played.contains("40 120"), "{played}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("matches the audit row"));
    // The audit log has both rows, chained.
    let out = on_db(&f, &db).args(["audit", "--json"]).output().unwrap();
    let audit = String::from_utf8_lossy(&out.stdout);
    assert!(audit.contains("shell.start") && audit.contains("shell.end"), "{audit}");
    let verify = on_db(&f, &db).args(["audit", "verify"]).output().unwrap();
    assert_eq!(verify.status.code(), Some(0));
    // A recording changed afterwards is named as such.
    fs::OpenOptions::new()
        .append(true)
        .open(&cast)
        .unwrap()
        .write_all(b"[99.0, \"o\", \"forged\"]\n")
        .unwrap();
    assert_eq!(shell_sessions(&f, &db)[0]["file"], "changed");
}

#[test]
fn a_changed_host_key_refuses_the_shell_as_polling_does_even_without_a_terminal() {
    let f = fleet(2);
    let db = f.dir.path().join("y.db");
    let status = yunwei(f.dir.path())
        .args(["--config", f.config.to_str().unwrap(), "status", "--json"])
        .output()
        .unwrap();
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let polled = status.as_array().unwrap().iter().find(|h| h["name"] == "changed-key").cloned().unwrap();
    let out =
        on_db(&f, &db).args(["shell", "changed-key"]).stdin(std::process::Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(polled["error"]["kind"], "host_key_changed", "{polled}");
    let reason = polled["error"]["message"].as_str().unwrap_or_default().to_string();
    assert!(!reason.is_empty() && said.contains(&reason), "shell said {said:?}; polling said {polled}");
    assert!(said.to_lowercase().contains("host key changed"), "{said}");
    // Nothing was opened, recorded or audited.
    assert!(!f.dir.path().join("sessions").exists());
    assert!(!db.exists() || shell_sessions(&f, &db).is_empty());
    // Input from a pipe: no PTY, the shell reads it, its exit status is ours.
    let mut child = on_db(&f, &db)
        .args(["shell", "direct-1"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"echo piped-$((1+1))\nexit 4\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("piped-2"));
    let sessions = shell_sessions(&f, &db);
    assert_eq!((sessions.len(), sessions[0]["exit_status"].as_i64()), (1, Some(4)));
}

/// A folder of links to what the probe round needs from a host's PATH, without curl and wget
/// (and without nc, ping and timeout): a host where an HTTP check cannot run and the probes'
/// time limits are the round's own.
fn bare_path(dir: &Path) -> PathBuf {
    let bin = dir.join("bare-bin");
    fs::create_dir_all(&bin).unwrap();
    for tool in [
        "sh", "bash", "date", "tr", "cut", "mktemp", "cat", "rm", "grep", "sed", "tail", "sort", "head",
        "openssl", "getent", "sleep", "env",
    ] {
        let found = Command::new("sh").arg("-c").arg(format!("command -v {tool}")).output().unwrap();
        let path = String::from_utf8_lossy(&found.stdout).trim().to_string();
        if !path.is_empty() {
            std::os::unix::fs::symlink(&path, bin.join(tool)).unwrap();
        }
    }
    bin
}

/// `net check` probing from real sshd hosts: a host with curl, one without curl or wget on its
/// PATH (its HTTP check unknown, the rest done with bash, openssl and getent), one behind two
/// jump hosts, a dead one, and here; one remote command per host per round whatever the number
/// of its checks; a URL holding `;`, quotes and `$(…)` reaches the server as written and runs
/// nothing on the host.
#[test]
fn network_checks_from_hosts_with_and_without_curl_one_command_per_host() {
    use support::netservers::{free_port, http_server, tls_server};
    let f = fleet(10);
    let home = f.dir.path();
    let bare_bin = bare_path(home);
    let bare = Sshd::start_with_env(&["ed25519"], &[&f.key], &[("PATH", bare_bin.to_str().unwrap())]);
    let mut cfg = fs::read_to_string(&f.config).unwrap();
    let kh_path = home.join("known_hosts");
    let mut kh = fs::read_to_string(&kh_path).unwrap();
    kh.push_str(&bare.known_hosts_line("ed25519"));
    kh.push('\n');
    fs::write(&kh_path, kh).unwrap();
    cfg += &host("bare", &bare, &f.key, None, &["app"]);

    let (up, seen) = http_server(200, "{\"status\":\"UP\"}", Duration::ZERO, false);
    let (down, _) = http_server(503, "{\"status\":\"DOWN\"}", Duration::ZERO, false);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let open = listener.local_addr().unwrap().port();
    let refused = free_port();
    let certs = home.join("certs");
    fs::create_dir_all(&certs).unwrap();
    let Some((tls, _server)) = tls_server(&certs, 5) else {
        eprintln!("skipped: openssl could not make or serve a certificate");
        return;
    };
    let odd = format!("http://127.0.0.1:{up}/a;b'c\"$(touch${{IFS}}{}/owned)`id`?x=1", home.display());
    let check = |name: &str, kind: &str, target: &str, from: &[&str], extra: &str| {
        let from: Vec<String> = from.iter().map(|f| format!("{f:?}")).collect();
        format!(
            "[[checks]]\nname = \"{name}\"\nkind = \"{kind}\"\ntarget = {target:?}\nfrom = [{}]\ntimeout = \"3s\"\n{extra}\n",
            from.join(", ")
        )
    };
    let all = ["direct-1", "bare", "local"];
    cfg += &check(
        "api",
        "http",
        &format!("http://127.0.0.1:{up}/api/health"),
        &["direct-1", "bare", "local", "海口-应用-behind", "dead-port"],
        "expect_status = [200]\nexpect_body = '\"status\":\"UP\"'\n",
    );
    cfg += &check("down", "http", &format!("http://127.0.0.1:{down}/x"), &["direct-1"], "");
    cfg += &check("port", "tcp", &format!("127.0.0.1:{open}"), &all, "");
    cfg += &check("refused", "tcp", &format!("127.0.0.1:{refused}"), &all, "");
    cfg += &check("cert", "tls", &format!("127.0.0.1:{tls}"), &all, "");
    cfg += &check("name", "dns", "localhost", &all, "");
    // A TLS server that accepts and never speaks: the handshake waits for its timeout, from the
    // host without timeout(1) too.
    cfg += &check("mute", "tls", &format!("127.0.0.1:{open}"), &["direct-1", "bare"], "");
    cfg += &check("odd", "http", &odd, &["direct-1"], "");
    let config = home.join("net.toml");
    fs::write(&config, &cfg).unwrap();
    let db = home.join("n.db");
    let (direct_before, bare_before) = (commands_run(&f.direct), commands_run(&bare));
    let started = Instant::now();
    let out = yunwei(home)
        .args(["--config", config.to_str().unwrap(), "--db", db.to_str().unwrap(), "net", "check", "--json"])
        .output()
        .unwrap();
    let took = started.elapsed();
    let (text, err) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{text}{err}");
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}{err}"));
    let at = |name: &str, from: &str| {
        let r = rows
            .iter()
            .find(|r| r["name"] == name && r["from"] == from)
            .unwrap_or_else(|| panic!("{name} from {from}: {text}"));
        (r["state"].as_str().unwrap_or("").to_string(), r["reason"].as_str().unwrap_or("").to_string())
    };
    for from in ["direct-1", "local", "海口-应用-behind"] {
        assert_eq!(at("api", from).0, "ok", "{from}: {:?}", at("api", from));
    }
    assert!(at("api", "direct-1").1.starts_with("status 200 in "), "{:?}", at("api", "direct-1"));
    assert_eq!(
        at("api", "bare"),
        ("unknown".into(), "none of curl, wget is installed on the probing host".into())
    );
    let (s, why) = at("api", "dead-port");
    assert!(s == "unknown" && why.starts_with("the probing host did not answer"), "{why}");
    assert_eq!(at("down", "direct-1"), ("crit".into(), "status 503".into()));
    for from in all {
        assert_eq!(at("port", from).0, "ok", "{from}: {:?}", at("port", from));
        assert_eq!(at("refused", from), ("crit".into(), "connection refused".into()), "{from}");
        assert_eq!(at("cert", from), ("warn".into(), "TLS certificate expires in 5 days".into()), "{from}");
        assert_eq!(at("name", from).0, "ok", "{from}: {:?}", at("name", from));
    }
    for from in ["direct-1", "bare"] {
        assert_eq!(at("mute", from), ("crit".into(), "timed out after 3 s".into()), "{from}");
    }
    assert_eq!(at("odd", "direct-1").0, "ok", "{:?}", at("odd", "direct-1"));
    let requests = seen.lock().unwrap().clone();
    assert!(
        requests.iter().any(|r| r.contains("/a;b'c\"$(touch${IFS}") && r.contains("`id`?x=1")),
        "{requests:?}"
    );
    assert!(!home.join("owned").exists());
    // One command per host for its six or seven checks; all at once, not one after another.
    assert_eq!(commands_run(&f.direct) - direct_before, 1, "{}", f.direct.log());
    assert_eq!(commands_run(&bare) - bare_before, 1, "{}", bare.log());
    assert!(took < Duration::from_secs(25), "{took:?}");
    drop(listener);
}

/// `baseline check` over SSH: the read-only script runs as one command on a host behind two
/// jump hosts and on a direct one, beside this machine; every item is judged on each, a dead
/// host is said and makes the exit 1, and no password hash is in what comes back.
#[test]
fn baseline_check_runs_one_read_only_command_per_host() {
    let f = fleet(10);
    let home = f.dir.path();
    let before = commands_run(&f.direct);
    let out = yunwei(home)
        .args(["--config", f.config.to_str().unwrap(), "baseline", "check", "--json"])
        .args(["--host", "direct-1", "--host", "海口-应用-behind", "--host", "dead-port"])
        .output()
        .unwrap();
    let (text, err) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!text.contains("$6$") && !text.contains("$y$"), "a password hash came back");
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}{err}"));
    let host =
        |name: &str| rows.iter().find(|r| r["host"] == name).unwrap_or_else(|| panic!("{name}: {text}"));
    for name in ["direct-1", "海口-应用-behind"] {
        let h = host(name);
        assert_eq!(h["complete"], true, "{h}");
        let items = h["items"].as_array().unwrap();
        assert_eq!(items.len(), 27, "{h}");
        for key in ["id", "clause", "state", "value", "expected", "source"] {
            assert!(items[0].get(key).is_some(), "{key} in {}", items[0]);
        }
        let state = |id: &str| {
            items.iter().find(|i| i["id"] == id).map(|i| i["state"].as_str().unwrap_or("").to_string())
        };
        assert_eq!(state("uid0_accounts").as_deref(), Some("pass"), "{h}");
        assert!(state("listening_ports").is_some());
    }
    assert_eq!(commands_run(&f.direct) - before, 1, "{}", f.direct.log());
    let dead = host("dead-port");
    assert!(dead["error"].as_str().is_some_and(|e| e.contains("refused")), "{dead}");
    // In Chinese, as a table.
    let out = yunwei(home)
        .args([
            "--config",
            f.config.to_str().unwrap(),
            "--lang",
            "zh-CN",
            "baseline",
            "check",
            "--host",
            "direct-1",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("检查项") && text.contains("direct-1：符合"), "{text}");
}

/// `baseline record` keeps a host's listeners; a listener that appears afterwards fails
/// `listening_ports`, raises the `baseline/<host>/listeners` alert, and is gone from the
/// finding once it closes. Each run is stored.
#[test]
fn a_new_listener_since_the_recorded_baseline_is_flagged() {
    let f = fleet(10);
    let home = f.dir.path();
    let cfg = f.config.to_str().unwrap();
    let out =
        yunwei(home).args(["--config", cfg, "baseline", "record", "--host", "direct-1"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.starts_with("direct-1: recorded ") && text.contains(" listeners"), "{text}");
    // The host (this machine, over SSH) starts listening.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let check = || {
        let out = yunwei(home)
            .args(["--config", cfg, "baseline", "check", "--json", "--host", "direct-1"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let rows: Vec<serde_json::Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        let item =
            rows[0]["items"].as_array().unwrap().iter().find(|i| i["id"] == "listening_ports").cloned();
        (rows[0].clone(), item.unwrap(), out.status.code())
    };
    let (row, item, code) = check();
    assert!(row["baseline_recorded_at"].as_i64().is_some(), "{row}");
    let mine = format!("tcp 127.0.0.1:{port}");
    assert_eq!(item["state"], "fail", "{item}");
    // Other tests' servers come and go on this machine meanwhile: look for this listener
    // among the new ones, wherever it falls in the list.
    let value = item["value"].as_str().unwrap();
    let new = value.split("new: ").nth(1).and_then(|v| v.split("; ").next()).unwrap_or("");
    assert!(new.split(", ").any(|l| l.starts_with(&mine)), "{item}");
    assert_eq!(code, Some(1));
    let alerts = yunwei(home).args(["--config", cfg, "alerts", "--json"]).output().unwrap();
    let alerts = String::from_utf8_lossy(&alerts.stdout);
    assert!(alerts.contains("\"subject\": \"direct-1/listeners\"") && alerts.contains(&mine), "{alerts}");
    drop(listener);
    let (_, item, _) = check();
    assert!(!item["value"].as_str().unwrap().contains(&mine), "closed, not new any more: {item}");
    let db = home.join("data/yunwei/yunwei.db");
    let count = |sql: &str| {
        let o = Command::new("sqlite3").arg(&db).arg(sql).output().unwrap();
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    };
    assert_eq!(count("SELECT count(*) FROM baseline_runs"), "3");
    assert_eq!(count("SELECT count(*) FROM baseline_records"), "1");
    assert_eq!(count("SELECT count(*) FROM baseline_items WHERE item = 'listening_ports'"), "3");
}
