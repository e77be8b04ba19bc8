//! The SSH layer against real OpenSSH servers started on loopback (see support/sshd.rs): direct
//! hosts, jump hosts and chains, host-key checks, authentication, dead and frozen hosts.

mod support {
    pub mod sshd;
}

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use support::sshd::{self, Sshd, UserKey};
use yunwei::ssh::HostKeyCheck;
use yunwei::ssh::{shell_quote, Endpoint, ErrorKind, SshPool, SshSettings, Target};

const CONNECT: Duration = Duration::from_secs(2);
const COMMAND: Duration = Duration::from_secs(3);

fn settings(known_hosts: &Path, check: HostKeyCheck) -> SshSettings {
    SshSettings {
        known_hosts: known_hosts.to_path_buf(),
        global_known_hosts: Vec::new(),
        host_key_check: check,
        host_key_check_set: true,
        connect_timeout: CONNECT,
        command_timeout: COMMAND,
    }
}

/// A temp dir with a user key and a known_hosts file listing the given servers' ed25519 keys.
struct Client {
    dir: tempfile::TempDir,
    key: UserKey,
}

impl Client {
    fn new() -> Client {
        let dir = tempfile::tempdir().unwrap();
        let key = sshd::user_key(dir.path(), "id_ed25519", "ed25519", "");
        Client { dir, key }
    }

    fn known_hosts(&self) -> PathBuf {
        self.dir.path().join("known_hosts")
    }

    fn trust(&self, servers: &[&Sshd]) {
        let mut text = fs::read_to_string(self.known_hosts()).unwrap_or_default();
        for server in servers {
            text.push_str(&server.known_hosts_line("ed25519"));
            text.push('\n');
        }
        fs::write(self.known_hosts(), text).unwrap();
    }

    fn pool(&self, check: HostKeyCheck) -> Arc<SshPool> {
        SshPool::new(settings(&self.known_hosts(), check))
    }

    fn direct(&self, server: &Sshd, name: &str) -> Target {
        Target { endpoint: server.endpoint(name, &self.key), via: Vec::new() }
    }

    fn via(&self, server: &Sshd, name: &str, jumps: &[&Sshd]) -> Target {
        let via =
            jumps.iter().enumerate().map(|(i, s)| s.endpoint(&format!("bastion{i}"), &self.key)).collect();
        Target { endpoint: server.endpoint(name, &self.key), via }
    }
}

fn server(client: &Client) -> Sshd {
    Sshd::start(&["ed25519"], &[&client.key])
}

#[test]
fn direct_host_runs_commands() {
    let client = Client::new();
    let host = server(&client);
    client.trust(&[&host]);
    let pool = client.pool(HostKeyCheck::Strict);
    let mut conn = pool.connect(&client.direct(&host, "web1")).unwrap();
    assert!(!conn.host_key_unverified());
    let out = conn.exec("echo hi").unwrap();
    assert_eq!((out.stdout.as_slice(), out.stderr.as_slice(), out.exit_status), (&b"hi\n"[..], &b""[..], 0));
    let out = conn.exec("echo oops >&2; exit 3").unwrap();
    assert_eq!(
        (out.stdout.as_slice(), out.stderr.as_slice(), out.exit_status),
        (&b""[..], &b"oops\n"[..], 3)
    );
    // Both streams large at once: neither may stall the other.
    let out = conn.exec("head -c 3000000 /dev/zero; head -c 2000000 /dev/zero >&2").unwrap();
    assert_eq!((out.stdout.len(), out.stderr.len()), (3_000_000, 2_000_000));
}

#[test]
fn through_a_jump_host() {
    let client = Client::new();
    let (bastion, host) = (server(&client), server(&client));
    client.trust(&[&bastion, &host]);
    let pool = client.pool(HostKeyCheck::Strict);
    let mut conn = pool.connect(&client.via(&host, "app1", &[&bastion])).unwrap();
    let out = conn.exec("echo hi; exit 7").unwrap();
    assert_eq!((out.stdout.as_slice(), out.exit_status), (&b"hi\n"[..], 7));
    // Much output through the bounded pump buffers.
    let out = conn.exec("head -c 5000000 /dev/zero").unwrap();
    assert_eq!(out.stdout.len(), 5_000_000);
    assert_eq!(bastion.accepted_logins(), 1);
    assert_eq!(host.accepted_logins(), 1);
}

#[test]
fn through_a_two_hop_chain() {
    let client = Client::new();
    let (outer, inner, host) = (server(&client), server(&client), server(&client));
    client.trust(&[&outer, &inner, &host]);
    let pool = client.pool(HostKeyCheck::Strict);
    let mut conn = pool.connect(&client.via(&host, "db1", &[&outer, &inner])).unwrap();
    assert_eq!(conn.exec("echo hi").unwrap().stdout, b"hi\n");
    let mut second = pool.connect(&client.via(&host, "db1-again", &[&outer, &inner])).unwrap();
    assert_eq!(second.exec("printf two").unwrap().stdout, b"two");
    assert_eq!((outer.accepted_logins(), inner.accepted_logins(), host.accepted_logins()), (1, 1, 2));
}

#[test]
fn many_targets_share_one_bastion_session() {
    let client = Client::new();
    let bastion = server(&client);
    let hosts: Vec<Sshd> = (0..5).map(|_| server(&client)).collect();
    let mut all: Vec<&Sshd> = hosts.iter().collect();
    all.push(&bastion);
    client.trust(&all);
    let pool = client.pool(HostKeyCheck::Strict);
    let started = Instant::now();
    let workers: Vec<_> = hosts
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let target = client.via(host, &format!("t{i}"), &[&bastion]);
            let pool = Arc::clone(&pool);
            thread::spawn(move || {
                let mut conn = pool.connect(&target).unwrap();
                for round in 0..4 {
                    let out = conn.exec(&format!("echo {i}-{round}")).unwrap();
                    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{i}-{round}\n"));
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    eprintln!("20 execs on 5 targets through one bastion: {:?} (including connects)", started.elapsed());
    assert_eq!(bastion.accepted_logins(), 1, "{}", bastion.log());
}

#[test]
fn parallel_bulk_output_through_one_bastion() {
    let client = Client::new();
    let bastion = server(&client);
    let hosts: Vec<Sshd> = (0..4).map(|_| server(&client)).collect();
    let mut all: Vec<&Sshd> = hosts.iter().collect();
    all.push(&bastion);
    client.trust(&all);
    let pool = client.pool(HostKeyCheck::Strict);
    let workers: Vec<_> = hosts
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let target = client.via(host, &format!("bulk{i}"), &[&bastion]);
            let pool = Arc::clone(&pool);
            thread::spawn(move || {
                let mut conn = pool.connect(&target).unwrap();
                for _ in 0..3 {
                    let out =
                        conn.exec("head -c 2000000 /dev/urandom | od -An -tx1 | head -c 3000000").unwrap();
                    assert_eq!(out.stdout.len(), 3_000_000);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    assert_eq!(bastion.accepted_logins(), 1);
}

#[test]
fn dead_port_is_refused_fast() {
    let client = Client::new();
    let ip = sshd::loopback_ip();
    let port = sshd::free_port(ip);
    let target = Target {
        endpoint: Endpoint {
            name: "gone".into(),
            address: ip.to_string(),
            port,
            user: sshd::current_user(),
            identity_files: vec![client.key.private.clone()],
            options: Default::default(),
        },
        via: Vec::new(),
    };
    let started = Instant::now();
    let err = client.pool(HostKeyCheck::Strict).connect(&target).err().unwrap();
    assert_eq!(err.kind, ErrorKind::Refused, "{err}");
    assert!(started.elapsed() < Duration::from_millis(500), "{:?}", started.elapsed());
    assert!(err.message.contains("gone") && err.message.contains(&port.to_string()), "{err}");
}

#[test]
fn dead_port_behind_a_bastion_is_refused() {
    let client = Client::new();
    let bastion = server(&client);
    client.trust(&[&bastion]);
    let ip = sshd::loopback_ip();
    let port = sshd::free_port(ip);
    let target = Target {
        endpoint: Endpoint {
            name: "gone".into(),
            address: ip.to_string(),
            port,
            user: sshd::current_user(),
            identity_files: vec![],
            options: Default::default(),
        },
        via: vec![bastion.endpoint("bastion", &client.key)],
    };
    let err = client.pool(HostKeyCheck::Strict).connect(&target).err().unwrap();
    assert_eq!(err.kind, ErrorKind::Refused, "{err}");
}

/// Accepts connections and never says a word.
fn frozen_listener() -> (std::net::Ipv4Addr, u16) {
    let ip = sshd::loopback_ip();
    let listener = TcpListener::bind((ip, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    (ip, port)
}

#[test]
fn frozen_listener_times_out() {
    let client = Client::new();
    let (ip, port) = frozen_listener();
    let target = Target {
        endpoint: Endpoint {
            name: "frozen".into(),
            address: ip.to_string(),
            port,
            user: sshd::current_user(),
            identity_files: vec![client.key.private.clone()],
            options: Default::default(),
        },
        via: Vec::new(),
    };
    let started = Instant::now();
    let err = client.pool(HostKeyCheck::Strict).connect(&target).err().unwrap();
    let took = started.elapsed();
    eprintln!("frozen listener: {:?} -> {err}", took);
    assert_eq!(err.kind, ErrorKind::Timeout, "{err}");
    assert!(
        took >= COMMAND - Duration::from_millis(200) && took < CONNECT + COMMAND + Duration::from_secs(1),
        "{took:?}"
    );
}

#[test]
fn frozen_listener_behind_a_bastion_times_out_and_spares_others() {
    let client = Client::new();
    let (bastion, host) = (server(&client), server(&client));
    client.trust(&[&bastion, &host]);
    let (ip, port) = frozen_listener();
    let pool = client.pool(HostKeyCheck::Strict);
    let frozen = Target {
        endpoint: Endpoint {
            name: "frozen".into(),
            address: ip.to_string(),
            port,
            user: sshd::current_user(),
            identity_files: vec![client.key.private.clone()],
            options: Default::default(),
        },
        via: vec![bastion.endpoint("bastion", &client.key)],
    };
    let mut healthy = pool.connect(&client.via(&host, "ok", &[&bastion])).unwrap();
    let frozen_pool = Arc::clone(&pool);
    let started = Instant::now();
    let waiter = thread::spawn(move || frozen_pool.connect(&frozen).err());
    // While the frozen target's handshake hangs, the other target keeps working.
    for _ in 0..10 {
        assert_eq!(healthy.exec("echo ok").unwrap().stdout, b"ok\n");
    }
    let err = waiter.join().unwrap().unwrap();
    let took = started.elapsed();
    assert_eq!(err.kind, ErrorKind::Timeout, "{err}");
    assert!(took < CONNECT + COMMAND + Duration::from_secs(1), "{took:?}");
}

#[test]
fn changed_host_key_is_refused_with_fingerprint_and_line() {
    let client = Client::new();
    let host = server(&client);
    let impostor_dir = tempfile::tempdir().unwrap();
    let other = sshd::user_key(impostor_dir.path(), "other", "ed25519", "");
    let recorded = other.public_line.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
    let text =
        format!("# first line\nunrelated.example {recorded}\n[{}]:{} {recorded}\n", host.ip, host.port);
    fs::write(client.known_hosts(), &text).unwrap();
    let offered = sshd::fingerprint(&host.host_key_pub("ed25519"));
    for check in [HostKeyCheck::Strict, HostKeyCheck::AcceptNew] {
        let err = client.pool(check).connect(&client.direct(&host, "web1")).err().unwrap();
        assert_eq!(err.kind, ErrorKind::HostKeyChanged, "{err}");
        assert!(err.message.contains(&offered), "{err} should name {offered}");
        assert!(err.message.contains("line 3"), "{err}");
        assert!(err.message.contains(&client.known_hosts().display().to_string()), "{err}");
        assert!(err.message.contains("ssh-ed25519"), "{err}");
        assert_eq!(fs::read_to_string(client.known_hosts()).unwrap(), text, "the file must stay as it was");
    }
    // Off lets it through, flagged.
    let conn = client.pool(HostKeyCheck::Off).connect(&client.direct(&host, "web1")).unwrap();
    assert!(conn.host_key_unverified());
}

#[test]
fn unknown_host_is_refused_under_strict() {
    let client = Client::new();
    let host = server(&client);
    let err = client.pool(HostKeyCheck::Strict).connect(&client.direct(&host, "new1")).err().unwrap();
    assert_eq!(err.kind, ErrorKind::HostKeyUnknown, "{err}");
    assert!(err.message.contains(&sshd::fingerprint(&host.host_key_pub("ed25519"))), "{err}");
    assert!(!client.known_hosts().exists());
}

#[test]
fn unknown_host_is_recorded_under_accept_new_then_verified() {
    use std::os::unix::fs::PermissionsExt;
    let client = Client::new();
    let host = server(&client);
    let known_hosts = client.dir.path().join("sub/dir/known_hosts");
    let pool = SshPool::new(settings(&known_hosts, HostKeyCheck::AcceptNew));
    let mut conn = pool.connect(&client.direct(&host, "new1")).unwrap();
    assert_eq!(conn.exec("echo hi").unwrap().stdout, b"hi\n");
    assert_eq!(fs::metadata(&known_hosts).unwrap().permissions().mode() & 0o777, 0o600);
    let text = fs::read_to_string(&known_hosts).unwrap();
    assert_eq!(text, format!("{}\n", host.known_hosts_line("ed25519")));
    // OpenSSH agrees with the line written.
    let found = std::process::Command::new("ssh-keygen")
        .args(["-F", &format!("[{}]:{}", host.ip, host.port), "-f"])
        .arg(&known_hosts)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&found.stdout).contains("ssh-ed25519"));
    let strict = SshPool::new(settings(&known_hosts, HostKeyCheck::Strict));
    strict.connect(&client.direct(&host, "new1")).unwrap();
    assert_eq!(fs::read_to_string(&known_hosts).unwrap(), text, "recorded once");
}

#[test]
fn host_known_by_one_key_type_is_not_mistaken_as_changed() {
    let client = Client::new();
    // The server offers both types; known_hosts records one (hashed). libssh2 on its own prefers
    // ed25519, so the ecdsa case below is the one that fails without the type preference.
    let host = Sshd::start(&["ecdsa", "ed25519"], &[&client.key]);
    fs::write(client.known_hosts(), format!("{}\n", host.known_hosts_line("ed25519"))).unwrap();
    let status = std::process::Command::new("ssh-keygen")
        .arg("-H")
        .arg("-f")
        .arg(client.known_hosts())
        .output()
        .unwrap();
    assert!(status.status.success());
    assert!(fs::read_to_string(client.known_hosts()).unwrap().starts_with("|1|"));
    let mut conn = client.pool(HostKeyCheck::Strict).connect(&client.direct(&host, "both")).unwrap();
    assert_eq!(conn.exec("echo hi").unwrap().stdout, b"hi\n");
    // And the other way round.
    fs::write(client.known_hosts(), format!("{}\n", host.known_hosts_line("ecdsa"))).unwrap();
    client.pool(HostKeyCheck::Strict).connect(&client.direct(&host, "both")).unwrap();
}

#[test]
fn refused_key_fails_authentication() {
    let client = Client::new();
    let host = server(&client);
    client.trust(&[&host]);
    let stranger = sshd::user_key(client.dir.path(), "stranger", "ed25519", "");
    let locked = sshd::user_key(client.dir.path(), "locked", "ed25519", "secret passphrase");
    let mut target = client.direct(&host, "web1");
    target.endpoint.identity_files = vec![stranger.private.clone(), locked.private.clone()];
    let err = client.pool(HostKeyCheck::Strict).connect(&target).err().unwrap();
    assert_eq!(err.kind, ErrorKind::AuthFailed, "{err}");
    let who = format!("{}@{}", sshd::current_user(), host.ip);
    assert!(err.message.contains(&who), "{err}");
    assert!(err.message.contains(&format!("{} (rejected", stranger.private.display())), "{err}");
    assert!(
        err.message.contains(&format!("{} (protected by a passphrase", locked.private.display())),
        "{err}"
    );
    assert!(err.message.contains("ssh-agent"), "{err}");
}

#[test]
fn killed_sshd_fails_the_session_and_a_restarted_one_accepts_again() {
    let client = Client::new();
    let mut host = server(&client);
    client.trust(&[&host]);
    let pool = client.pool(HostKeyCheck::Strict);
    let mut conn = pool.connect(&client.direct(&host, "web1")).unwrap();
    assert_eq!(conn.exec("echo hi").unwrap().stdout, b"hi\n");
    host.kill();
    let started = Instant::now();
    let err = conn.exec("echo hi").err().unwrap();
    assert!(matches!(err.kind, ErrorKind::Disconnected | ErrorKind::Timeout), "{err}");
    assert!(started.elapsed() <= COMMAND + Duration::from_millis(500));
    eprintln!("exec on a killed sshd: {:?} -> {err}", started.elapsed());
    assert_eq!(pool.connect(&client.direct(&host, "web1")).err().unwrap().kind, ErrorKind::Refused);
    host.restart();
    let mut again = pool.connect(&client.direct(&host, "web1")).unwrap();
    assert_eq!(again.exec("echo back").unwrap().stdout, b"back\n");
}

#[test]
fn killed_bastion_is_reconnected() {
    let client = Client::new();
    let (mut bastion, host) = (server(&client), server(&client));
    client.trust(&[&bastion, &host]);
    let pool = client.pool(HostKeyCheck::Strict);
    let target = client.via(&host, "app1", &[&bastion]);
    let mut conn = pool.connect(&target).unwrap();
    assert_eq!(conn.exec("echo hi").unwrap().stdout, b"hi\n");
    bastion.kill();
    let err = conn.exec("echo hi").err().unwrap();
    assert!(matches!(err.kind, ErrorKind::Disconnected | ErrorKind::Timeout), "{err}");
    let err = pool.connect(&target).err().unwrap();
    assert_eq!(err.kind, ErrorKind::JumpHostDown, "{err}");
    assert!(err.message.contains("bastion0"), "{err}");
    bastion.restart();
    let mut again = pool.connect(&target).unwrap();
    assert_eq!(again.exec("echo back").unwrap().stdout, b"back\n");
}

#[test]
fn shell_quote_survives_a_real_remote_shell() {
    let client = Client::new();
    let host = server(&client);
    client.trust(&[&host]);
    let mut conn = client.pool(HostKeyCheck::Strict).connect(&client.direct(&host, "web1")).unwrap();
    let hostile = [
        "",
        "it's",
        "''",
        "$(echo pwned)",
        "`id`",
        "a\nb\n",
        "中文 测试 运维台",
        "back\\slash",
        "  spaced  ",
        "%s %d",
        "-n",
        "; rm -rf / #",
        "\"double\" 'single' $HOME ${PATH} * ? [a] ~",
    ];
    for arg in hostile {
        let out = conn.exec(&format!("printf '%s' {}", shell_quote(arg))).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            arg,
            "stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.exit_status, 0);
    }
}

#[test]
fn exec_through_a_bastion_is_not_delayed_by_delayed_acks() {
    let client = Client::new();
    let (bastion, host) = (server(&client), server(&client));
    client.trust(&[&bastion, &host]);
    let pool = client.pool(HostKeyCheck::Strict);
    let mut direct = pool.connect(&client.direct(&host, "direct")).unwrap();
    let mut jumped = pool.connect(&client.via(&host, "jumped", &[&bastion])).unwrap();
    let time = |conn: &mut yunwei::ssh::SshConn| {
        conn.exec("true").unwrap();
        let started = Instant::now();
        for _ in 0..20 {
            assert_eq!(conn.exec("echo x").unwrap().stdout, b"x\n");
        }
        started.elapsed()
    };
    // The best of three rounds each: a busy machine adds noise, delayed ACKs add 40 ms to
    // every exec of every round.
    let direct_time = (0..3).map(|_| time(&mut direct)).min().unwrap();
    let jumped_time = (0..3).map(|_| time(&mut jumped)).min().unwrap();
    eprintln!("20 sequential execs: direct {direct_time:?}, through the bastion {jumped_time:?}");
    // A sanity bound: 40 ms of delayed ACK per exec would add 800 ms.
    assert!(jumped_time < direct_time + Duration::from_millis(400), "{jumped_time:?} vs {direct_time:?}");
}

/// A port where TCP connects hang: a listener that never accepts, its accept queue full, so the
/// kernel drops every further SYN. A jump host's channel open to it gets no answer.
fn unanswered_port() -> (TcpListener, Vec<std::net::TcpStream>, std::net::Ipv4Addr, u16) {
    use std::os::fd::AsRawFd;
    let ip = sshd::loopback_ip();
    let listener = TcpListener::bind((ip, 0)).unwrap();
    // SAFETY: listen(2) on a socket we own; it only changes the length of the accept queue.
    unsafe {
        libc::listen(listener.as_raw_fd(), 0);
    }
    let port = listener.local_addr().unwrap().port();
    let filled = (0..3)
        .filter_map(|_| {
            std::net::TcpStream::connect_timeout(&(ip, port).into(), Duration::from_millis(300)).ok()
        })
        .collect();
    (listener, filled, ip, port)
}

#[test]
fn targets_queued_behind_a_hung_open_move_to_a_new_bastion_session() {
    let client = Client::new();
    let bastion = server(&client);
    let hosts: Vec<Sshd> = (0..3).map(|_| server(&client)).collect();
    let mut all: Vec<&Sshd> = hosts.iter().collect();
    all.push(&bastion);
    client.trust(&all);
    let pool = client.pool(HostKeyCheck::Strict);
    // The bastion's first session is up before the hung open is queued on it.
    let mut first = pool.connect(&client.via(&hosts[0], "first", &[&bastion])).unwrap();
    assert_eq!(first.exec("echo ok").unwrap().stdout, b"ok\n");
    let (_listener, _filled, ip, port) = unanswered_port();
    let hung = Target {
        endpoint: Endpoint {
            name: "hung".into(),
            address: ip.to_string(),
            port,
            user: sshd::current_user(),
            identity_files: vec![client.key.private.clone()],
            options: Default::default(),
        },
        via: vec![bastion.endpoint("bastion0", &client.key)],
    };
    let hung_pool = Arc::clone(&pool);
    let started = Instant::now();
    let hung = thread::spawn(move || hung_pool.connect(&hung).err());
    thread::sleep(Duration::from_millis(300));
    // These queue behind the open that gets no answer.
    let behind: Vec<_> = hosts
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let target = client.via(host, &format!("behind{i}"), &[&bastion]);
            let pool = Arc::clone(&pool);
            thread::spawn(move || {
                let mut conn = pool.connect(&target)?;
                conn.exec(&format!("echo {i}")).map(|out| (out.stdout, started.elapsed()))
            })
        })
        .collect();
    let err = hung.join().unwrap().unwrap();
    assert_eq!(err.kind, ErrorKind::Timeout, "{err}");
    for (i, worker) in behind.into_iter().enumerate() {
        let (stdout, took) = worker.join().unwrap().unwrap_or_else(|err| panic!("behind{i}: {err}"));
        assert_eq!(stdout, format!("{i}\n").into_bytes());
        assert!(took < CONNECT + COMMAND + Duration::from_secs(2), "behind{i}: {took:?}");
    }
    assert_eq!(bastion.accepted_logins(), 2, "a second session took the queued targets");
}
