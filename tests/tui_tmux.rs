//! End-to-end: the built binary in a real terminal (tmux), driven with send-keys and read with
//! capture-pane. Sees the local host, opens help, quits, and checks the terminal is restored;
//! two consoles share one database, one is killed with SIGKILL, and the data stays intact.

mod support {
    pub mod tmux;
}

use std::process::Command;
use std::time::{Duration, Instant};

use support::tmux::{bin, child_of, env_prefix, hostname, Tmux};

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
