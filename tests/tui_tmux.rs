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
        assert!(
            !s.contains("recording health samples failed") && !s.contains("记录健康采样失败"),
            "{name} failed to record:\n{s}"
        );
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

/// The Logs tab follows a configured file: lines appended while the console runs appear, ID
/// numbers masked and escape sequences gone (the terminal's title is untouched); a search finds
/// a record; a reveal writes an audit row; `q` quits cleanly.
#[test]
fn logs_tab_follows_a_file_masked_and_clean_and_searches() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path().display().to_string();
    let log = home.path().join("app.log");
    std::fs::write(&log, "2026-11-27 03:00:00 INFO started\n").unwrap();
    std::fs::create_dir_all(home.path().join("config/yunwei")).unwrap();
    std::fs::write(
        home.path().join("config/yunwei/config.toml"),
        format!("[general]\noperator = \"值班员\"\n\n[[logs]]\nname = \"应用\"\npath = \"{h}/*.log\"\n"),
    )
    .unwrap();
    let t = Tmux::new("logs");
    let script = format!(
        "{env}'{bin}'; echo \"EXIT:$?\"; sleep 60",
        env = env_prefix(home.path()),
        bin = bin().display()
    );
    t.start("main", &script, true);
    t.wait_for("main", "the fleet", |s| s.contains("Fleet health"));
    t.cmd(&["select-pane", "-t", "e2e:main", "-T", "original-title"]);
    t.keys("main", &["Tab"]);
    t.wait_for("main", "the Logs tab with the first line", |s| s.contains("Logs ·") && s.contains("started"));
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
        f.write_all("2026-11-27 03:00:01 INFO 用户 11010519491231002X 登录 手机 13812345678\n".as_bytes())
            .unwrap();
        f.write_all(b"2026-11-27 03:00:02 ERROR \x1b]0;pwned\x07payment \x1b[31mfailed\x1b[0m \x1b]8;;http://evil/\x07link\x1b]8;;\x07 end\n")
            .unwrap();
    }
    let s = t.wait_for("main", "the appended lines", |s| s.contains("payment failed link end"));
    assert!(s.contains("110105********002X") && s.contains("138****5678"), "masked:\n{s}");
    assert!(!s.contains("11010519491231002X") && !s.contains("13812345678"), "{s}");
    assert!(!s.contains("pwned") && !s.contains("evil"), "{s}");
    assert_eq!(t.format("main", "#{pane_title}"), "original-title", "no title change got through");
    // Search: the record is found and following pauses.
    t.keys("main", &["/"]);
    for c in ["s", "t", "a", "r", "t", "e", "d"] {
        t.keys("main", &[c]);
    }
    t.keys("main", &["Enter"]);
    let s = t.wait_for("main", "the search", |s| s.contains("paused") && s.contains("/started"));
    assert!(s.contains("▶"), "the found record is marked:\n{s}");
    // Reveal: the numbers show, and the audit log says who looked.
    t.keys("main", &["v"]);
    t.wait_for("main", "the reveal", |s| s.contains("REVEALED") && s.contains("11010519491231002X"));
    t.keys("main", &["v", "q"]);
    t.wait_for("main", "the exit", |s| s.contains("EXIT:0"));
    let store = yunwei::store::Store::open(&home.path().join("data/yunwei/yunwei.db")).unwrap();
    let rows = store.audit_recent(10).unwrap();
    assert!(
        rows.iter().any(|r| r.action == "logs.reveal" && r.target == "应用" && r.operator == "值班员"),
        "{rows:?}"
    );
}

#[test]
fn a_read_only_database_is_viewed_with_a_banner_and_never_written() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("fast.toml");
    std::fs::write(&cfg, "[ssh]\npoll_interval_s = 1\n\n[[hosts]]\nname = \"只读-本机\"\nlocal = true\n")
        .unwrap();
    let db = home.path().join("ro.db");
    let log = home.path().join("a.log");
    std::fs::write(&log, "x\n").unwrap();
    // A real database (with its audit row), closed cleanly, then made read-only.
    let made =
        Command::new(bin()).arg("--db").arg(&db).args(["logs", "--no-mask"]).arg(&log).output().unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(&db).unwrap();

    let t = Tmux::new("readonly");
    let script = format!(
        "{env}'{bin}' --lang zh-CN --config '{cfg}' --db '{db}'; echo \"EXIT:$?\"; sleep 60",
        env = env_prefix(home.path()),
        bin = bin().display(),
        cfg = cfg.display(),
        db = db.display()
    );
    t.start("main", &script, true);
    let s = t.wait_for("main", "the banner", |s| s.contains("只读-本机") && s.contains("数据库只读"));
    assert!(s.contains(&format!("数据库 {} 只读（权限 0444：属主不可写）", db.display())), "{s}");
    // Several rounds are polled, shown, and not recorded.
    std::thread::sleep(Duration::from_secs(3));
    let s = t.screen("main");
    let status_bar = s.lines().rfind(|l| !l.trim().is_empty()).unwrap_or_default();
    assert!(!status_bar.contains("失败"), "nothing failed:\n{s}");
    t.keys("main", &["Enter"]);
    t.wait_for("main", "the host detail", |s| s.contains("主机详情"));
    t.keys("main", &["a"]);
    t.wait_for("main", "the refusal", |s| s.contains("无法确认告警"));
    t.keys("main", &["Escape", "q"]);
    t.wait_for("main", "the exit", |s| s.contains("EXIT:0"));
    assert_eq!(std::fs::metadata(&db).unwrap().permissions().mode() & 0o7777, 0o444);
    assert!(std::fs::read(&db).unwrap() == before, "the database was written");
    for side in ["ro.db-wal", "ro.db-shm"] {
        assert!(!home.path().join(side).exists(), "{side} was created");
    }
}

/// Ctrl-Z hands the terminal back to a real shell with job control (prompt shown, primary
/// screen, cooked mode), and `fg` brings the console back, fully redrawn, still answering keys.
#[test]
fn ctrl_z_suspends_to_the_shell_and_fg_resumes_with_the_screen_restored() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::new("suspend");
    t.start("z", "PS1='PROMPT$ ' exec bash --norc --noprofile -i", true);
    t.wait_for("z", "the shell prompt", |s| s.contains("PROMPT$"));
    let line = format!(
        "{}stty -g > '{h}/stty.before'; '{}' demo",
        env_prefix(home.path()),
        bin().display(),
        h = home.path().display()
    );
    t.cmd(&["send-keys", "-t", "e2e:z", "-l", &line]);
    t.keys("z", &["Enter"]);
    t.wait_for("z", "the demo", |s| s.contains("demo-db1") && s.contains("DEMO"));
    assert_eq!(t.format("z", "#{alternate_on}"), "1");
    t.keys("z", &["C-z"]);
    let s = t.wait_for("z", "the shell after Ctrl-Z", |s| {
        s.contains("Stopped") && s.trim_end().ends_with("PROMPT$")
    });
    assert!(!s.contains("demo-db1"), "the console's screen is gone:\n{s}");
    assert_eq!(t.format("z", "#{alternate_on}"), "0", "alternate screen left while stopped");
    assert_eq!(t.format("z", "#{cursor_flag}"), "1", "cursor shown while stopped");
    // The shell reads a line as usual: the terminal is not in raw mode.
    let check = format!("stty -g > '{h}/stty.stopped'; echo STOPPED-OK", h = home.path().display());
    t.cmd(&["send-keys", "-t", "e2e:z", "-l", &check]);
    t.keys("z", &["Enter"]);
    t.wait_for("z", "the shell's answer", |s| s.contains("\nSTOPPED-OK"));
    let before = std::fs::read_to_string(home.path().join("stty.before")).unwrap();
    let stopped = std::fs::read_to_string(home.path().join("stty.stopped")).unwrap();
    assert_eq!(before, stopped, "terminal modes as before the console while it is stopped");
    t.cmd(&["send-keys", "-t", "e2e:z", "-l", "fg"]);
    t.keys("z", &["Enter"]);
    let s = t.wait_for("z", "the console again", |s| s.contains("demo-db1") && s.contains("Fleet health"));
    assert!(!s.contains("STOPPED-OK") && !s.contains("PROMPT$"), "fully redrawn, no shell text left:\n{s}");
    assert_eq!(t.format("z", "#{alternate_on}"), "1", "back on the alternate screen");
    // Keys work again (raw mode): help opens and closes, q quits to the prompt.
    t.keys("z", &["?"]);
    t.wait_for("z", "the help overlay", |s| s.contains("Help: keys"));
    t.keys("z", &["Escape", "q"]);
    t.wait_for("z", "the prompt after quitting", |s| {
        s.trim_end().ends_with("PROMPT$") && !s.contains("demo-db1")
    });
    assert_eq!(t.format("z", "#{alternate_on}"), "0");
}

/// A prompt in the real terminal: Ctrl-U, Ctrl-W, Ctrl-A and arrows edit it, and `q`, Tab or
/// `2` typed there stay in it (the console neither quits nor changes tabs).
#[test]
fn prompt_keys_edit_the_line_and_never_reach_the_pane_behind() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::new("prompt");
    let script = format!("{}'{}' demo; echo \"EXIT:$?\"; sleep 60", env_prefix(home.path()), bin().display());
    t.start("p", &script, true);
    t.wait_for("p", "the demo", |s| s.contains("demo-db1") && s.contains("demo-app1"));
    t.keys("p", &["/", "q", "Tab", "2", "C-u"]);
    t.cmd(&["send-keys", "-t", "e2e:p", "-l", "web /var/log"]);
    t.keys(
        "p",
        &[
            "C-w", "C-w", "d", "b", "2", "C-a", "x", "C-a", "Delete", "End", "BSpace", "1", "Home", "Right",
            "Enter",
        ],
    );
    let s = t.wait_for("p", "the filtered table", |s| s.contains("demo-db1") && !s.contains("demo-app1"));
    assert!(s.contains("Fleet health"), "still on the fleet tab:\n{s}");
    assert!(s.contains("Filter (name or tag): db1"), "{s}");
    t.keys("p", &["q"]);
    t.wait_for("p", "the exit", |s| s.contains("EXIT:0"));
}

/// The Tickets tab as two engineers on one bastion use it: a phone ticket typed into the form
/// in under 30 keys beyond its text shows on the other console within two seconds; a change
/// made elsewhere since a console read the ticket is refused with who and when, and `r` reads
/// it again with the typed text kept; a half-filled form survives `kill -9`.
#[test]
fn tickets_tab_two_consoles_a_phone_ticket_a_stale_change_and_a_draft_after_kill_9() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::new("tickets");
    let cfg = home.path().join("t.toml");
    std::fs::write(&cfg, "[general]\nlang = \"zh-CN\"\n\n[[hosts]]\nname = \"本机\"\nlocal = true\n")
        .unwrap();
    let db = home.path().join("t.db");
    let console = |who: &str| {
        format!(
            "{env}export YUNWEI_OPERATOR={who}; exec '{bin}' --config '{cfg}' --db '{db}'",
            env = env_prefix(home.path()),
            bin = bin().display(),
            cfg = cfg.display(),
            db = db.display()
        )
    };
    t.start("a", &console("王工"), true);
    t.start("b", &console("赵工"), false);
    for name in ["a", "b"] {
        t.wait_for(name, "the console", |s| s.contains("本机"));
        t.keys(name, &["3"]);
        t.wait_for(name, "the empty queue", |s| s.contains("这里没有工单"));
    }
    // A phone ticket: every key that is not the ticket's own text is counted.
    let counted = std::cell::Cell::new(0);
    let key = |k: &str| {
        counted.set(counted.get() + 1);
        t.keys("a", &[k]);
    };
    let text = |s: &str| t.cmd(&["send-keys", "-t", "e2e:a", "-l", s]);
    key("n");
    text("13812345678");
    key("Tab");
    text("三亚市卫生健康委员会");
    key("Tab");
    text("李敏");
    key("Tab");
    key("Tab"); // the channel: phone, as it is
    key("4"); // data
    key("h"); // impact high
    key("h"); // urgency high: P1
    text("人口数据推送失败");
    key("Tab");
    text("凌晨起推送全部失败");
    t.wait_for("a", "the priority as chosen", |s| s.contains("优先级 ‼P1") || s.contains("优先级 P1"));
    key("C-s");
    let counted = counted.get();
    assert!(counted < 30, "{counted} keys beyond the text");
    eprintln!("a phone ticket took {counted} keys beyond its text");
    let a = t.wait_for("a", "the new ticket", |s| s.contains("已创建工单 YW-"));
    assert!(a.contains("‼P1") && a.contains("人口数据推送失败"), "{a}");
    let started = std::time::Instant::now();
    let b = t.wait_for("b", "the ticket on the other console", |s| s.contains("人口数据推送失败"));
    assert!(started.elapsed() < Duration::from_secs(3), "shown after {:?}", started.elapsed());
    assert!(!b.contains("13812345678"), "no phone on the queue:\n{b}");
    // b opens it; meanwhile a assigns it; b's assignment is refused, then made on `r`.
    t.keys("b", &["Enter"]);
    t.wait_for("b", "the detail", |s| s.contains("尚未指派"));
    t.keys("a", &["A"]);
    text("陈工");
    t.keys("a", &["Enter"]);
    t.wait_for("a", "a's assignment", |s| s.contains("已指派给 陈工"));
    t.keys("b", &["A"]);
    t.cmd(&["send-keys", "-t", "e2e:b", "-l", "李工"]);
    t.keys("b", &["Enter"]);
    let b = t.wait_for("b", "the refusal", |s| s.contains("已由 王工") && s.contains("按 r 重新读取"));
    assert!(b.contains("未完成"), "{b}");
    t.keys("b", &["r"]);
    t.wait_for("b", "the prompt with the text kept", |s| s.contains("指派给：李工"));
    t.keys("b", &["Enter"]);
    t.wait_for("b", "b's assignment", |s| s.contains("已指派给 李工"));
    // A half-filled form, then kill -9: the draft is there on the next start.
    t.keys("a", &["Escape", "n"]);
    text("13900001111");
    key("Tab");
    text("儋州市民政局");
    std::thread::sleep(Duration::from_millis(500));
    let pid = t.format("a", "#{pane_pid}");
    let _ = Command::new("kill").arg("-KILL").arg(&pid).status();
    t.start("c", &console("王工"), false);
    t.wait_for("c", "the console", |s| s.contains("本机"));
    t.keys("c", &["3"]);
    t.wait_for("c", "the draft kept", |s| s.contains("未填完的工单已保存"));
    t.keys("c", &["n"]);
    t.wait_for("c", "the draft in the form", |s| s.contains("13900001111") && s.contains("儋州市民政局"));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let assignee: String = conn.query_row("SELECT assignee FROM tickets", [], |r| r.get(0)).unwrap();
    assert_eq!(assignee, "李工");
    t.keys("b", &["q"]);
}

/// The Division codes tab as a reviewer uses it: two editions imported on the command line,
/// the change with nothing to map it to first, one accepted, one mapped to a code typed in,
/// the high-confidence ones accepted after a yes; a review on the command line meanwhile shows
/// without a key; everything in the database and the audit log as the reviewer.
#[test]
fn divcodes_tab_reviews_two_editions_with_the_command_line_alongside() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::new("divcodes");
    let cfg = home.path().join("t.toml");
    std::fs::write(&cfg, "[general]\nlang = \"zh-CN\"\n\n[[hosts]]\nname = \"本机\"\nlocal = true\n")
        .unwrap();
    let db = home.path().join("d.db");
    let old = home.path().join("old.csv");
    let new = home.path().join("new.csv");
    std::fs::write(&old, "code,name\n460000,海南省\n460100,海口市\n460105,秀英街道办事处\n460107,琼山市\n460200,三亚市\n460201,凤凰区\n469003,儋州市\n469025,定安县\n").unwrap();
    std::fs::write(&new, "code,name\n460000,海南省\n460100,海口市\n460105,秀英街道\n460109,琼山区\n460200,三亚市\n460202,海棠区\n460400,儋州市\n469025,定安县\n").unwrap();
    let cli = |args: &[&str]| {
        let out = Command::new(bin())
            .env("YUNWEI_OPERATOR", "赵工")
            .env("HOME", home.path())
            .arg("--db")
            .arg(&db)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    cli(&["divcode", "import", old.to_str().unwrap(), "--version", "2019"]);
    cli(&["divcode", "import", new.to_str().unwrap(), "--version", "2020"]);
    let console = format!(
        "{env}export YUNWEI_OPERATOR=王工; exec '{bin}' --config '{cfg}' --db '{db}'",
        env = env_prefix(home.path()),
        bin = bin().display(),
        cfg = cfg.display(),
        db = db.display()
    );
    t.start("a", &console, true);
    t.wait_for("a", "the console", |s| s.contains("本机"));
    t.keys("a", &["4"]);
    let s = t.wait_for("a", "the review", |s| s.contains("2019 → 2020") && s.contains("5 处变更"));
    let first = s.lines().position(|l| l.contains("460201 撤销")).unwrap_or(usize::MAX);
    let other = s.lines().position(|l| l.contains("460105 更名")).unwrap_or(0);
    assert!(first < other, "the removed code without a mapping first:\n{s}");
    // 凤凰区 merged into 海棠区 by the reviewer: the code typed in.
    t.keys("a", &["e"]);
    t.wait_for("a", "the mapping prompt", |s| s.contains("460201 凤凰区 → 新代码："));
    t.cmd(&["send-keys", "-t", "e2e:a", "-l", "460202"]);
    t.keys("a", &["Enter"]);
    t.wait_for("a", "the edit", |s| s.contains("王工 记录了 1 条决定") && s.contains("→460202 海棠区"));
    // The high-confidence ones, after a yes.
    t.keys("a", &["A"]);
    t.wait_for("a", "the question", |s| s.contains("接受 2 处置信度为高的待审变更？"));
    t.keys("a", &["y"]);
    t.wait_for("a", "the acceptance", |s| s.contains("王工 记录了 2 条决定"));
    // Meanwhile on the command line: 琼山 rejected, shown without a key.
    let started = std::time::Instant::now();
    cli(&["divcode", "review", "2019", "2020", "--reject", "460107"]);
    let s = t.wait_for("a", "the other reviewer's decision", |s| s.contains("已审 4 处"));
    assert!(started.elapsed() < Duration::from_secs(5), "shown after {:?}", started.elapsed());
    assert!(s.contains("✗ 460107"), "{s}");
    let json: serde_json::Value =
        serde_json::from_str(&cli(&["divcode", "diff", "2019", "2020", "--json"])).unwrap();
    let review = |id: &str| {
        let c = json["changes"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap();
        (c["review"].as_str().unwrap().to_string(), c["reviewer"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(review("460201"), ("edited".into(), "王工".into()));
    assert_eq!(review("469003"), ("accepted".into(), "王工".into()));
    assert_eq!(review("460107"), ("rejected".into(), "赵工".into()));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'divcode.review' AND operator = '王工'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 3);
    t.keys("a", &["q"]);
}

/// The alert stream end to end: a host that refuses SSH goes down, the Alerts tab lists it,
/// it is acknowledged with a note typed in the tab, silenced from the command line alongside
/// (the tab shows the banner without a key), the night-duty view shows the figures, and
/// `yunwei alerts` reads what the tab did; the audit rows are read with sqlite3.
#[test]
fn alerts_tab_and_duty_view_with_the_command_line_alongside() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::new("alerts");
    let cfg = home.path().join("a.toml");
    std::fs::write(
        &cfg,
        "[ssh]\npoll_interval_s = 5\nconnect_timeout_s = 2\nimport_ssh_config = false\n\n\
         [[hosts]]\nname = \"db9\"\naddress = \"127.0.0.9\"\nport = 1\n",
    )
    .unwrap();
    let db = home.path().join("a.db");
    let cli = |args: &[&str]| {
        let out = Command::new(bin())
            .env("YUNWEI_OPERATOR", "赵工")
            .env("HOME", home.path())
            .arg("--config")
            .arg(&cfg)
            .arg("--db")
            .arg(&db)
            .args(args)
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let console = format!(
        "{env}export YUNWEI_OPERATOR=王工; exec '{bin}' --config '{cfg}' --db '{db}'",
        env = env_prefix(home.path()),
        bin = bin().display(),
        cfg = cfg.display(),
        db = db.display()
    );
    t.start("a", &console, true);
    t.wait_for("a", "the host down", |s| s.contains("db9") && s.contains("down"));
    t.keys("a", &["6"]);
    t.wait_for("a", "the alert", |s| s.contains("db9 unreachable") && s.contains("open"));
    t.keys("a", &["a"]);
    t.wait_for("a", "the note prompt", |s| s.contains("note:"));
    t.cmd(&["send-keys", "-t", "e2e:a", "-l", "机房断电，已报修"]);
    t.keys("a", &["Enter"]);
    t.wait_for("a", "the acknowledgement", |s| s.contains("acknowledged") && s.contains("王工 "));
    let (code, out) = cli(&["alerts", "--json"]);
    assert_eq!(code, Some(1), "a critical alert acknowledged still asks for attention: {out}");
    assert!(out.contains("\"acknowledged_by\": \"王工\"") && out.contains("机房断电，已报修"), "{out}");
    // Silenced from the command line: the tab shows the banner by itself.
    let (code, _) = cli(&["alerts", "silence", "--host", "db9", "--for", "1h", "--reason", "更换电源"]);
    assert_eq!(code, Some(0));
    t.wait_for("a", "the banner", |s| s.contains("silenced: host db9") && s.contains("更换电源"));
    assert_eq!(cli(&["alerts"]).0, Some(0), "silenced: nothing asks for attention");
    // The night-duty view: the silenced host is out of it, so the screen is calm.
    t.keys("a", &["D"]);
    let s = t.wait_for("a", "the duty view", |s| s.contains("night duty") && s.contains("All quiet"));
    assert!(s.contains("silenced: host db9"), "{s}");
    t.keys("a", &["Escape"]);
    t.wait_for("a", "the tabs again", |s| s.contains("6 Alerts"));
    t.keys("a", &["U"]);
    t.wait_for("a", "the silence lifted", |s| !s.contains("silenced: host db9"));
    t.keys("a", &["D"]);
    t.wait_for("a", "the figures", |s| s.contains("hosts down") && s.contains("db9"));
    t.keys("a", &["q"]);
    std::thread::sleep(Duration::from_millis(500));
    let out = Command::new("sqlite3")
        .arg(&db)
        .arg("SELECT group_concat(operator || ' ' || action, ', ') FROM (SELECT * FROM audit ORDER BY id)")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "王工 alert.ack, 赵工 alert.silence, 王工 alert.unsilence"
    );
}

/// `yunwei shell` on this machine, in a real terminal: a program in it that leaves the
/// alternate screen and a scroll region on (killed, as a crashed editor would be) does not
/// make the closing line land over what the terminal showed before; the line comes under
/// the prompt it was called from, and the terminal is back on the main screen.
#[test]
fn a_shell_that_leaves_the_alternate_screen_on_ends_under_its_prompt() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("config.toml"), "[[hosts]]\nname = \"here\"\nlocal = true\n").unwrap();
    let t = Tmux::new("shellend");
    t.start("s", "PS1='PROMPT$ ' exec bash --norc --noprofile -i", true);
    t.wait_for("s", "the shell prompt", |s| s.contains("PROMPT$"));
    let line = format!(
        "{}for i in 1 2 3 4 5 6; do echo kept-$i; done; SHELL=/bin/sh '{}' --config '{}/config.toml' --db '{}/y.db' shell here",
        env_prefix(home.path()),
        bin().display(),
        home.path().display(),
        home.path().display()
    );
    t.cmd(&["send-keys", "-t", "e2e:s", "-l", &line]);
    t.keys("s", &["Enter"]);
    t.wait_for("s", "the shell's prompt", |s| {
        let end = s.trim_end();
        s.contains("kept-6") && s.contains(".cast") && (end.ends_with('$') || end.ends_with('#'))
    });
    t.cmd(&["send-keys", "-t", "e2e:s", "-l", "printf '\\033[?1049h\\033[5;10r\\033[3;1Hin-editor'; exit 3"]);
    t.keys("s", &["Enter"]);
    let s = t.wait_for("s", "the closing line and the prompt", |s| {
        s.contains("exit status 3") && s.trim_end().ends_with("PROMPT$")
    });
    assert_eq!(t.format("s", "#{alternate_on}"), "0", "back on the main screen:\n{s}");
    let lines: Vec<&str> = s.lines().collect();
    for i in 1..=6 {
        assert!(lines.contains(&format!("kept-{i}").as_str()), "kept-{i} overprinted:\n{s}");
    }
    let kept = lines.iter().position(|l| *l == "kept-6").unwrap();
    let closing = lines.iter().position(|l| l.contains("exit status 3")).unwrap();
    assert!(closing > kept, "the closing line under what was shown:\n{s}");
}
