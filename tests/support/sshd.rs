//! A real OpenSSH server for the tests: `/usr/sbin/sshd -f <own config> -D -e` on a loopback
//! address (127.0.0.x only) and a free high port, with its own host keys, authorized_keys, pid
//! file and an empty HOME in a temp dir. It never touches ~/.ssh or the system's sshd service.
//! Dropping it kills the server and every connection process it forked.

#![allow(dead_code)]

use std::fs;
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use tempfile::TempDir;

const SSHD: &str = "/usr/sbin/sshd";

/// A distinct 127.0.0.x per server, so parallel tests never share an address.
pub fn loopback_ip() -> Ipv4Addr {
    static NEXT: AtomicU8 = AtomicU8::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let base = (std::process::id() % 50) as u8;
    Ipv4Addr::new(127, 0, 0, 2 + (base.wrapping_mul(4).wrapping_add(n) % 250))
}

/// A high port that was free on `ip` a moment ago.
pub fn free_port(ip: Ipv4Addr) -> u16 {
    let listener = TcpListener::bind((ip, 0)).expect("bind a free port on loopback");
    listener.local_addr().expect("local addr").port()
}

/// The login name of the user running the tests (root here: sshd allows key logins only).
pub fn current_user() -> String {
    let out = Command::new("id").arg("-un").output().expect("run id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// With `UsePAM no`, sshd refuses a user whose /etc/shadow password field starts with `!` as
/// locked, even for key logins. Containers often ship root that way; only in that case is the
/// field changed to `*` (no password can log in either way). Nothing is changed otherwise.
fn ensure_user_not_locked(user: &str) {
    let Ok(shadow) = fs::read_to_string("/etc/shadow") else { return };
    let mut changed = false;
    let lines: Vec<String> = shadow
        .lines()
        .map(|line| {
            let mut fields: Vec<&str> = line.split(':').collect();
            if fields.len() > 1 && fields[0] == user && fields[1].starts_with('!') {
                fields[1] = "*";
                changed = true;
            }
            fields.join(":")
        })
        .collect();
    if changed {
        eprintln!("test harness: {user} was locked in /etc/shadow ('!'); set its password field to '*' for key logins");
        fs::write("/etc/shadow", lines.join("\n") + "\n").expect("unlock the test user in /etc/shadow");
    }
}

/// A user key pair generated with ssh-keygen.
pub struct UserKey {
    pub private: PathBuf,
    /// The `type base64 comment` line for authorized_keys.
    pub public_line: String,
}

pub fn user_key(dir: &Path, name: &str, key_type: &str, passphrase: &str) -> UserKey {
    let private = dir.join(name);
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", key_type, "-N", passphrase, "-C", name, "-f"])
        .arg(&private)
        .stdin(Stdio::null())
        .status()
        .expect("run ssh-keygen");
    assert!(status.success(), "ssh-keygen failed");
    let public_line = fs::read_to_string(private.with_extension("pub"))
        .or_else(|_| fs::read_to_string(format!("{}.pub", private.display())))
        .expect("read the public key")
        .trim()
        .to_string();
    UserKey { private, public_line }
}

/// `ssh-keygen -lf` of a public key file: the `SHA256:...` fingerprint.
pub fn fingerprint(public_key_file: &Path) -> String {
    let out = Command::new("ssh-keygen")
        .args(["-E", "sha256", "-lf"])
        .arg(public_key_file)
        .output()
        .expect("ssh-keygen -l");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.split_whitespace().nth(1).expect("a fingerprint").to_string()
}

pub struct Sshd {
    pub ip: Ipv4Addr,
    pub port: u16,
    dir: TempDir,
    child: Option<Child>,
    host_key_types: Vec<String>,
    /// More `NAME=value` settings for the sessions' environment (no spaces in them).
    env: Vec<String>,
}

impl Sshd {
    /// Starts a server with host keys of `host_key_types` (e.g. `["ed25519"]`) that accepts the
    /// given authorized_keys lines.
    pub fn start(host_key_types: &[&str], authorized: &[&UserKey]) -> Sshd {
        Sshd::start_with_env(host_key_types, authorized, &[])
    }

    /// As [`Sshd::start`], with more environment for every session (`SetEnv`), e.g. a `PATH`
    /// that puts a stand-in program first.
    pub fn start_with_env(host_key_types: &[&str], authorized: &[&UserKey], env: &[(&str, &str)]) -> Sshd {
        let ip = loopback_ip();
        let port = free_port(ip);
        let dir = tempfile::tempdir().expect("temp dir for sshd");
        for key_type in host_key_types {
            let path = dir.path().join(format!("ssh_host_{key_type}_key"));
            let status = Command::new("ssh-keygen")
                .args(["-q", "-t", key_type, "-N", "", "-C", "test-host-key", "-f"])
                .arg(&path)
                .status()
                .expect("run ssh-keygen for a host key");
            assert!(status.success());
        }
        let mut keys = fs::File::create(dir.path().join("authorized_keys")).expect("authorized_keys");
        for key in authorized {
            writeln!(keys, "{}", key.public_line).expect("write authorized_keys");
        }
        fs::create_dir_all(dir.path().join("home")).expect("empty home");
        let mut sshd = Sshd {
            ip,
            port,
            dir,
            child: None,
            host_key_types: host_key_types.iter().map(|t| t.to_string()).collect(),
            env: env.iter().map(|(k, v)| format!("{k}={v}")).collect(),
        };
        sshd.write_config();
        ensure_user_not_locked(&current_user());
        sshd.spawn();
        sshd
    }

    fn write_config(&self) {
        let d = self.dir.path().display();
        let mut config = format!(
            "ListenAddress {ip}:{port}\n\
             PidFile {d}/sshd.pid\n\
             AuthorizedKeysFile {d}/authorized_keys\n\
             UsePAM no\n\
             StrictModes no\n\
             PermitRootLogin prohibit-password\n\
             PubkeyAuthentication yes\n\
             PasswordAuthentication no\n\
             KbdInteractiveAuthentication no\n\
             AllowTcpForwarding yes\n\
             MaxStartups 200\n\
             MaxSessions 200\n\
             UseDNS no\n\
             PrintMotd no\n\
             LogLevel VERBOSE\n\
             SetEnv HOME={d}/home{env}\n",
            ip = self.ip,
            port = self.port,
            env = self.env.iter().map(|e| format!(" {e}")).collect::<String>(),
        );
        for key_type in &self.host_key_types {
            config.push_str(&format!("HostKey {d}/ssh_host_{key_type}_key\n"));
        }
        fs::write(self.dir.path().join("sshd_config"), config).expect("write sshd_config");
    }

    fn spawn(&mut self) {
        // sshd needs its privilege-separation directory when run as root.
        fs::create_dir_all("/run/sshd").expect("create /run/sshd");
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("sshd.log"))
            .expect("sshd log");
        let child = Command::new(SSHD)
            .arg("-f")
            .arg(self.dir.path().join("sshd_config"))
            .args(["-D", "-e"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start /usr/sbin/sshd");
        self.child = Some(child);
        let started = Instant::now();
        loop {
            let addr = SocketAddr::from((self.ip, self.port));
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                panic!("sshd exited with {status}: {}", self.log());
            }
            assert!(started.elapsed() < Duration::from_secs(10), "sshd did not listen: {}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }

    /// How many logins this server accepted (one per SSH connection here).
    pub fn accepted_logins(&self) -> usize {
        self.log().matches("Accepted publickey").count()
    }

    /// The public host key file of `key_type`.
    pub fn host_key_pub(&self, key_type: &str) -> PathBuf {
        self.dir.path().join(format!("ssh_host_{key_type}_key.pub"))
    }

    /// `[127.0.0.x]:port type base64`, the known_hosts line for this server's key of `key_type`.
    pub fn known_hosts_line(&self, key_type: &str) -> String {
        let text = fs::read_to_string(self.host_key_pub(key_type)).expect("host key");
        let mut fields = text.split_whitespace();
        let (kind, key) = (fields.next().expect("type"), fields.next().expect("key"));
        format!("[{}]:{} {kind} {key}", self.ip, self.port)
    }

    pub fn endpoint(&self, name: &str, key: &UserKey) -> yunwei::ssh::Endpoint {
        yunwei::ssh::Endpoint {
            name: name.to_string(),
            address: self.ip.to_string(),
            port: self.port,
            user: current_user(),
            identity_files: vec![key.private.clone()],
            options: Default::default(),
        }
    }

    /// Kills the server and every process it forked (the per-connection sshd processes call
    /// setsid, so a process group kill would miss them): established sessions die too.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Stop the whole tree before killing any of it: a connection accepted while the
            // list is read would otherwise fork a session that outlives its killed parent (the
            // child is re-parented to init and its client stays connected). Stopped processes
            // cannot fork, so the set is read again until it stops growing.
            let signal = |pid: u32, sig: libc::c_int| {
                // SAFETY: sending a signal has no memory-safety preconditions.
                unsafe {
                    libc::kill(pid as libc::pid_t, sig);
                }
            };
            let mut pids = vec![child.id()];
            signal(child.id(), libc::SIGSTOP);
            loop {
                // A stop signal lands after kill() returns, and a fork under way still ends:
                // give both a moment before reading the tree again.
                std::thread::sleep(std::time::Duration::from_millis(30));
                let mut grew = false;
                for pid in descendants(child.id()) {
                    if !pids.contains(&pid) {
                        signal(pid, libc::SIGSTOP);
                        pids.push(pid);
                        grew = true;
                    }
                }
                if !grew {
                    break;
                }
            }
            for pid in pids {
                signal(pid, libc::SIGKILL);
            }
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same address, port and host keys.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Every process below `pid`, from /proc.
fn descendants(pid: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    if let Ok(entries) = fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
            let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else { continue };
            // The command name may contain spaces; the fields after its closing parenthesis do not.
            let Some(rest) = stat.rsplit_once(')').map(|(_, rest)| rest) else { continue };
            if let Some(ppid) = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
                parents.push((child, ppid));
            }
        }
    }
    let mut found = Vec::new();
    let mut frontier = vec![pid];
    while let Some(parent) = frontier.pop() {
        for &(child, ppid) in &parents {
            if ppid == parent && !found.contains(&child) {
                found.push(child);
                frontier.push(child);
            }
        }
    }
    found
}
