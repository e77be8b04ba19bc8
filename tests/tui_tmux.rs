//! End-to-end: the built binary in a real terminal (tmux), driven with send-keys and read with
//! capture-pane. Sees the local host, opens help, quits, and checks the terminal is restored;
//! two consoles share one database, one is killed with SIGKILL, and the data stays intact.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn new(tag: &str) -> Tmux {
        let ok = Command::new("tmux").arg("-V").output().map(|o| o.status.success()).unwrap_or(false);
        assert!(
            ok,
            "tmux is required for the end-to-end tests: apt-get install -y tmux (scripts/test does it)"
        );
        Tmux { socket: format!("yunwei-e2e-{}-{tag}", std::process::id()) }
    }

    fn cmd(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts a window running `script` under sh, at a fixed size. Options are set in the same
    /// tmux call that creates the session, so a command that ends at once is still captured.
    fn start(&self, name: &str, script: &str, first: bool) {
        if first {
            self.cmd(&[
                "-f",
                "/dev/null",
                "start-server",
                ";",
                "set-option",
                "-g",
                "remain-on-exit",
                "on",
                ";",
                "set-option",
                "-g",
                "history-limit",
                "5000",
                ";",
                "new-session",
                "-d",
                "-s",
                "e2e",
                "-n",
                name,
                "-x",
                "100",
                "-y",
                "30",
                "sh",
                "-c",
                script,
            ]);
        } else {
            self.cmd(&["new-window", "-d", "-t", "e2e", "-n", name, "sh", "-c", script]);
        }
    }

    fn screen(&self, name: &str) -> String {
        self.cmd(&["capture-pane", "-p", "-J", "-S", "-200", "-t", &format!("e2e:{name}")])
    }

    fn keys(&self, name: &str, keys: &[&str]) {
        for k in keys {
            self.cmd(&["send-keys", "-t", &format!("e2e:{name}"), k]);
            // A lone Esc followed at once by a key reads as Alt+key; type like a person.
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn format(&self, name: &str, fmt: &str) -> String {
        self.cmd(&["display-message", "-p", "-t", &format!("e2e:{name}"), fmt]).trim().to_string()
    }

    fn wait_for(&self, name: &str, what: &str, cond: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen(name);
            if cond(&s) {
                return s;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}; the screen:\n{s}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").arg("-L").arg(&self.socket).arg("kill-server").output();
    }
}

/// The pid of a process whose parent is `parent`.
fn child_of(parent: u32) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.filter_map(|e| e.ok()).find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // The command name is in parentheses and may hold spaces: read after the last ')'.
        let rest = &stat[stat.rfind(')')? + 2..];
        let ppid: u32 = rest.split_whitespace().nth(1)?.parse().ok()?;
        (ppid == parent).then_some(pid)
    })
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap().trim().to_string()
}

/// A shell prefix that isolates the run from the developer's own config and data.
fn env_prefix(home: &Path) -> String {
    format!(
        "export HOME='{h}' XDG_CONFIG_HOME='{h}/config' XDG_DATA_HOME='{h}/data' LANG=C.UTF-8 TERM=xterm-256color; \
         unset YUNWEI_CONFIG YUNWEI_DB LC_ALL NO_COLOR; ",
        h = home.display()
    )
}

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_yunwei"))
}

#[test]
fn console_shows_local_host_opens_help_quits_and_restores_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::new("basic");
    let h = home.path().display().to_string();
    let script = format!(
        "{env}stty -g > '{h}/stty.before'; echo BEFORE-MARKER; '{bin}'; echo \"EXIT:$?\"; stty -g > '{h}/stty.after'; sleep 60",
        env = env_prefix(home.path()),
        bin = bin().display(),
    );
    t.start("main", &script, true);
    let host = hostname();
    let s = t.wait_for("main", "the local host's row", |s| s.contains(&host) && s.contains("Fleet health"));
    assert!(s.contains("alerts"), "{s}");
    assert_eq!(t.format("main", "#{alternate_on}"), "1", "the console uses the alternate screen");
    // Wait for the second reading, which has CPU %, then open help.
    t.keys("main", &["?"]);
    let s = t.wait_for("main", "the help overlay", |s| s.contains("Help: keys"));
    assert!(s.contains("quit") && s.contains("open detail"), "{s}");
    t.keys("main", &["Escape"]);
    t.wait_for("main", "help to close", |s| !s.contains("Help: keys"));
    // Detail of the local host, then back.
    t.keys("main", &["Enter"]);
    t.wait_for("main", "the host detail", |s| s.contains("Host detail") && s.contains("Filesystems"));
    t.keys("main", &["Escape", "q"]);
    let s = t.wait_for("main", "the exit", |s| s.contains("EXIT:0"));
    assert!(s.contains("BEFORE-MARKER"), "the primary screen is back:\n{s}");
    assert_eq!(t.format("main", "#{alternate_on}"), "0", "alternate screen left");
    assert_eq!(t.format("main", "#{cursor_flag}"), "1", "cursor shown again");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !home.path().join("stty.after").exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let before = std::fs::read_to_string(home.path().join("stty.before")).unwrap();
    let after = std::fs::read_to_string(home.path().join("stty.after")).unwrap();
    assert_eq!(before, after, "terminal modes restored (raw mode off)");
    // The database was created private.
    use std::os::unix::fs::PermissionsExt;
    let db = home.path().join("data/yunwei/yunwei.db");
    assert_eq!(std::fs::metadata(&db).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::metadata(db.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
}

#[test]
fn ctrl_c_and_sigterm_restore_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::new("signals");
    let env = env_prefix(home.path());
    let bin = bin();
    t.start(
        "ctrlc",
        &format!("{env}echo MARK-A; '{}' demo; echo \"EXIT-A:$?\"; sleep 60", bin.display()),
        true,
    );
    t.wait_for("ctrlc", "the demo", |s| s.contains("demo-db1") && s.contains("DEMO"));
    t.keys("ctrlc", &["C-c"]);
    let s = t.wait_for("ctrlc", "exit after Ctrl-C", |s| s.contains("EXIT-A:0"));
    assert!(s.contains("MARK-A"), "{s}");
    assert_eq!(t.format("ctrlc", "#{alternate_on}"), "0");
    assert_eq!(t.format("ctrlc", "#{cursor_flag}"), "1");

    // SIGTERM from outside (a closing SSH session, systemd, kill) restores the terminal too.
    // The shell stays alive afterwards so the pane's modes can be read (tmux reports a dead
    // pane's cursor as hidden).
    t.start("term", &format!("{env}'{}' demo; echo \"EXIT-B:$?\"; sleep 60", bin.display()), false);
    t.wait_for("term", "the second demo", |s| s.contains("demo-db1"));
    let shell: u32 = t.format("term", "#{pane_pid}").parse().unwrap();
    let pid = child_of(shell).expect("the console runs under the pane's shell");
    assert_eq!(t.format("term", "#{alternate_on}"), "1");
    let _ = Command::new("kill").arg("-TERM").arg(pid.to_string()).status();
    t.wait_for("term", "exit after SIGTERM", |s| s.contains("EXIT-B:"));
    let s = t.screen("term");
    assert!(s.contains("EXIT-B:0"), "a clean exit, not death by the signal:\n{s}");
    assert_eq!(t.format("term", "#{alternate_on}"), "0", "alternate screen left after SIGTERM");
    assert_eq!(t.format("term", "#{cursor_flag}"), "1", "cursor shown after SIGTERM");
    // The demo's temporary database directory is removed on the way out.
    assert!(!std::env::temp_dir().join(format!("yunwei-demo-{pid}")).exists(), "demo directory left behind");
}

#[test]
fn two_consoles_share_a_database_and_survive_kill_9() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::new("shared");
    let cfg = home.path().join("fast.toml");
    std::fs::write(&cfg, "[ssh]\npoll_interval_s = 1\n\n[[hosts]]\nname = \"共享-本机\"\nlocal = true\n")
        .unwrap();
    let db = home.path().join("shared.db");
    for (i, name) in ["a", "b"].iter().enumerate() {
        let script = format!(
            "{env}exec '{bin}' --config '{cfg}' --db '{db}'",
            env = env_prefix(home.path()),
            bin = bin().display(),
            cfg = cfg.display(),
            db = db.display()
        );
        t.start(name, &script, i == 0);
    }
    for name in ["a", "b"] {
        t.wait_for(name, "the host row", |s| s.contains("共享-本机"));
    }
    // Both write a sample every second; let them run side by side.
    std::thread::sleep(Duration::from_secs(4));
    for name in ["a", "b"] {
        let s = t.screen(name);
        assert!(!s.to_lowercase().contains("locked"), "{name} shows a lock error:\n{s}");
        assert!(!s.contains("recording health samples"), "{name} failed to record:\n{s}");
    }
    // SIGKILL one of them mid-run; the other goes on, and the file is intact.
    let pid = t.format("a", "#{pane_pid}");
    let _ = Command::new("kill").arg("-KILL").arg(&pid).status();
    std::thread::sleep(Duration::from_secs(2));
    let s = t.screen("b");
    assert!(s.contains("共享-本机") && !s.to_lowercase().contains("locked"), "{s}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let rows: i64 = conn.query_row("SELECT count(*) FROM health_raw", [], |r| r.get(0)).unwrap();
    assert!(rows >= 4, "samples were recorded: {rows}");
    t.keys("b", &["q"]);
    t.wait_for("b", "b to exit", |_| t.format("b", "#{pane_dead}") == "1");
}

#[test]
fn bad_database_and_config_stop_before_the_terminal_is_taken() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::new("bad");
    let garbage = home.path().join("notes.db");
    std::fs::write(&garbage, "not a database at all\n".repeat(100)).unwrap();
    let bad_cfg = home.path().join("bad.toml");
    std::fs::write(&bad_cfg, "[general]\nlang = 3\n").unwrap();
    let script = format!(
        "{env}'{bin}' --db '{g}'; echo \"EXIT1:$?\"; '{bin}' --config '{c}'; echo \"EXIT2:$?\"",
        env = env_prefix(home.path()),
        bin = bin().display(),
        g = garbage.display(),
        c = bad_cfg.display()
    );
    t.start("main", &script, true);
    let s = t.wait_for("main", "both exits", |s| s.contains("EXIT2:"));
    assert!(s.contains("is not a yunwei database"), "{s}");
    assert!(s.contains("EXIT1:1"), "{s}");
    assert!(s.contains("bad.toml:2:8:"), "{s}");
    assert!(s.contains("EXIT2:2"), "{s}");
    // The file that was not a database is untouched.
    assert!(std::fs::read_to_string(&garbage).unwrap().starts_with("not a database at all"));
}

#[test]
fn a_panic_restores_the_terminal_before_printing() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::new("panic");
    let script = format!(
        "{env}YUNWEI_FAULT_PANIC=1 '{bin}' 2> '{h}/stderr'; echo \"EXIT:$?\"; sleep 60",
        env = env_prefix(home.path()),
        bin = bin().display(),
        h = home.path().display()
    );
    t.start("main", &script, true);
    t.wait_for("main", "the exit", |s| s.contains("EXIT:"));
    let s = t.screen("main");
    assert!(s.contains("EXIT:101"), "{s}");
    assert_eq!(t.format("main", "#{alternate_on}"), "0");
    assert_eq!(t.format("main", "#{cursor_flag}"), "1");
    let err = std::fs::read_to_string(home.path().join("stderr")).unwrap();
    assert!(err.contains("injected fault"), "the panic message is printed: {err}");
    // It was printed after the restore: no escape sequence follows it.
    let after = &err[err.find("injected fault").unwrap()..];
    assert!(!after.contains('\u{1b}'), "{after:?}");
}
