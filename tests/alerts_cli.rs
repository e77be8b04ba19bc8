//! `yunwei alerts …` as the built binary on a real SQLite file, with alerts raised by a real
//! source (`yunwei backup check` on local jobs, one missing and one late): the list by
//! severity, acknowledging with a note, a snooze and a silence that end by themselves (the
//! clock moved with `YUNWEI_NOW`), a silence lifted early, the exit codes scripts rely on, the
//! audit rows (read with the sqlite3 shell), mistakes said in both languages.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn yunwei(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yunwei"));
    c.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("YUNWEI_DB", home.join("a.db"))
        .env("YUNWEI_CONFIG", home.join("config.toml"))
        .env("YUNWEI_OPERATOR", "值班-张")
        .env_remove("YUNWEI_NOW")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    c
}

fn run(home: &Path, args: &[&str], now: Option<&str>) -> (i32, String, String) {
    let mut cmd = yunwei(home);
    cmd.args(args);
    if let Some(t) = now {
        cmd.env("YUNWEI_NOW", t);
    }
    let out = cmd.output().expect("run yunwei");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn sqlite3(db: &Path, sql: &str) -> String {
    let out = Command::new("sqlite3").arg(db).arg(sql).output().expect("sqlite3 is installed");
    assert!(out.status.success(), "sqlite3 {sql}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Now plus `minutes`, in RFC 3339.
fn later(minutes: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::minutes(minutes)).to_rfc3339()
}

fn alerts(home: &Path, now: Option<&str>) -> (i32, Vec<Value>) {
    let (code, out, err) = run(home, &["alerts", "--json"], now);
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    (code, rows)
}

fn state_of(rows: &[Value], subject: &str) -> String {
    let row = rows.iter().find(|r| r["subject"] == subject).unwrap_or_else(|| panic!("{subject}: {rows:?}"));
    row["state"].as_str().unwrap_or("").to_string()
}

/// A home with two local jobs: one whose folder is gone (missing: critical), one a day and six
/// hours old against a daily period with 12 hours' grace (late: a warning).
fn home() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let late = dir.path().join("bk/late");
    std::fs::create_dir_all(&late).unwrap();
    let file = late.join("app.tar");
    std::fs::write(&file, b"tar").unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(30 * 3600);
    std::fs::File::options().write(true).open(&file).unwrap().set_modified(old).unwrap();
    let b = dir.path().join("bk").display().to_string();
    std::fs::write(
        dir.path().join("config.toml"),
        format!(
            "[[jobs]]\nname = \"db-dump\"\npath = \"{b}/gone/*.gz\"\nevery = \"1d\"\n\n\
             [[jobs]]\nname = \"app-tar\"\npath = \"{b}/late/*.tar\"\nevery = \"1d\"\ngrace = \"12h\"\n"
        ),
    )
    .unwrap();
    dir
}

#[test]
fn acknowledge_snooze_and_silence_from_scripts_end_by_the_clock_and_are_audited() {
    let dir = home();
    let h = dir.path();
    let db = h.join("a.db");
    // Nothing recorded yet: no alert, exit 0, and no database made by looking.
    let (code, out, _) = run(h, &["alerts"], None);
    assert_eq!((code, out.trim()), (0, "no alerts"));
    assert!(!db.exists());
    assert_eq!(run(h, &["backup", "check"], None).0, 1);
    // The critical first; exit 1 while it asks for attention.
    let (code, rows) = alerts(h, None);
    assert_eq!(code, 1);
    let subjects: Vec<&str> = rows.iter().map(|r| r["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects, ["db-dump", "app-tar"]);
    let crit = &rows[0];
    assert_eq!((crit["severity"].as_str(), crit["state"].as_str()), (Some("crit"), Some("open")));
    assert_eq!(crit["source"], "backup");
    assert!(crit["reason"].as_str().unwrap().starts_with("missing: the folder"), "{crit}");
    let opened = crit["opened_at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(opened).is_ok(), "{opened}");
    for field in ["id", "host", "acknowledged_at", "acknowledged_by", "note", "cleared_at"] {
        assert!(crit.get(field).is_some(), "{field} in {crit}");
    }
    assert_eq!(rows[1]["severity"], "warn");
    let id = crit["id"].as_i64().unwrap().to_string();
    // In Chinese, the reason too.
    let (_, out, _) = run(h, &["--lang", "zh-CN", "alerts"], None);
    assert!(out.contains("严重") && out.contains("缺失：目录") && out.contains("未处理"), "{out}");
    // Acknowledged with a note: still open work, so still exit 1.
    let (code, out, err) = run(h, &["alerts", "ack", &id, "--note", "存储挂载丢失，已联系存储组"], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("值班-张"), "{out}");
    let (code, rows) = alerts(h, None);
    assert_eq!((code, state_of(&rows, "db-dump").as_str()), (1, "acknowledged"));
    assert_eq!(rows[0]["note"], "存储挂载丢失，已联系存储组");
    assert_eq!(rows[0]["acknowledged_by"], "值班-张");
    // Snoozed for 30 minutes: out of the way (exit 0: only a warning is left), back by itself.
    assert_eq!(run(h, &["alerts", "snooze", &id, "--for", "30m"], None).0, 0);
    let (code, rows) = alerts(h, None);
    assert_eq!((code, state_of(&rows, "db-dump").as_str()), (0, "snoozed"));
    let (code, rows) = alerts(h, Some(&later(31)));
    assert_eq!((code, state_of(&rows, "db-dump").as_str()), (1, "acknowledged"));
    // A job silenced for a maintenance window of an hour; over by itself an hour later.
    let (code, out, err) =
        run(h, &["alerts", "silence", "--job", "app-tar", "--for", "1h", "--reason", "迁移备份盘"], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 open alert(s) covered now"), "{out}");
    let (_, rows) = alerts(h, None);
    assert_eq!(state_of(&rows, "app-tar"), "silenced");
    let (_, rows) = alerts(h, Some(&later(61)));
    assert_eq!(state_of(&rows, "app-tar"), "open");
    // A pattern, lifted early.
    let (code, out, _) = run(
        h,
        &["alerts", "silence", "--pattern", "backup/*", "--until", &later(120), "--reason", "备份服务器重装"],
        None,
    );
    assert_eq!(code, 0);
    assert!(out.contains("2 open alert(s) covered now"), "{out}");
    let (code, rows) = alerts(h, None);
    assert_eq!((code, state_of(&rows, "db-dump").as_str()), (0, "silenced"));
    let (_, out, _) = run(h, &["alerts", "silences", "--json"], None);
    let silences: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(silences.len(), 2, "{out}");
    let pattern = silences.iter().find(|s| s["scope"] == "pattern").unwrap();
    assert_eq!(
        (pattern["target"].as_str(), pattern["created_by"].as_str()),
        (Some("backup/*"), Some("值班-张"))
    );
    let sid = pattern["id"].as_i64().unwrap().to_string();
    assert_eq!(run(h, &["alerts", "unsilence", &sid], None).0, 0);
    let (code, _, err) = run(h, &["alerts", "unsilence", &sid], None);
    assert_eq!(code, 2);
    assert!(err.contains(&format!("there is no silence #{sid} in force")), "{err}");
    let (code, rows) = alerts(h, None);
    assert_eq!((code, state_of(&rows, "db-dump").as_str()), (0, "snoozed"), "the snooze still holds");
    assert_eq!(alerts(h, Some(&later(31))).0, 1);
    // Every act in the audit log, under the operator's name.
    let acts = sqlite3(
        &db,
        "SELECT group_concat(operator || ' ' || action, ', ') FROM (SELECT * FROM audit ORDER BY id)",
    );
    assert_eq!(
        acts,
        "值班-张 alert.ack, 值班-张 alert.snooze, 值班-张 alert.silence, 值班-张 alert.silence, 值班-张 alert.unsilence"
    );
    assert!(
        sqlite3(&db, "SELECT detail FROM audit WHERE action = 'alert.ack'").contains("note: 存储挂载丢失")
    );
    // The history of the alert: its one episode so far.
    let (code, out, _) = run(h, &["alerts", "history", &id, "--json"], None);
    assert_eq!(code, 0);
    assert_eq!(serde_json::from_str::<Vec<Value>>(&out).unwrap().len(), 1);
    // The folder comes back with a fresh dump: the alert clears, the history keeps it.
    std::fs::create_dir_all(h.join("bk/gone")).unwrap();
    std::fs::write(h.join("bk/gone/d.gz"), b"x").unwrap();
    run(h, &["backup", "check"], None);
    let (_, rows) = alerts(h, None);
    assert!(rows.iter().all(|r| r["subject"] != "db-dump"), "{rows:?}");
    let (_, out, _) = run(h, &["alerts", "--all", "--json"], None);
    let all: Vec<Value> = serde_json::from_str(&out).unwrap();
    let cleared = all.iter().find(|r| r["subject"] == "db-dump").unwrap();
    assert_eq!(cleared["state"], "cleared");
    assert!(cleared["cleared_at"].is_string());
}

#[test]
fn mistakes_are_said_and_change_nothing() {
    let dir = home();
    let h = dir.path();
    run(h, &["backup", "check"], None);
    let (_, rows) = alerts(h, None);
    let id = rows[0]["id"].as_i64().unwrap().to_string();
    let cases: &[(&[&str], &str)] = &[
        (&["alerts", "ack", "999"], "there is no alert #999"),
        (&["alerts", "snooze", &id, "--for", "0s"], "a duration longer than zero"),
        (&["alerts", "snooze", &id, "--for", "soon"], "--for soon"),
        (&["alerts", "silence", "--host", "db1", "--for", "1h", "--reason", "  "], "--reason: say why"),
        (
            &["alerts", "silence", "--host", "db1", "--until", "2020-01-01 00:00", "--reason", "x"],
            "that time has passed",
        ),
        (&["alerts", "silence", "--host", "db1", "--until", "tomorrow", "--reason", "x"], "--until tomorrow"),
    ];
    for (args, said) in cases {
        let (code, _, err) = run(h, args, None);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(said), "{args:?}: {err}");
    }
    // clap's own refusals: no scope, no end, no reason.
    for args in [
        &["alerts", "silence", "--for", "1h", "--reason", "x"][..],
        &["alerts", "silence", "--host", "db1", "--reason", "x"][..],
        &["alerts", "silence", "--host", "db1", "--for", "1h"][..],
    ] {
        assert_eq!(run(h, args, None).0, 2, "{args:?}");
    }
    let (code, _, err) = run(h, &["--lang", "zh-CN", "alerts", "ack", "999"], None);
    assert_eq!(code, 2);
    assert!(err.contains("没有编号为 #999 的告警"), "{err}");
    let (code, _, err) = run(h, &["--lang", "zh-CN", "alerts", "snooze", &id, "--for", "0s"], None);
    assert_eq!(code, 2);
    assert!(err.contains("需要大于零的时长"), "{err}");
    assert_eq!(sqlite3(&h.join("a.db"), "SELECT count(*) FROM audit"), "0", "nothing was done");
    assert_eq!(sqlite3(&h.join("a.db"), "SELECT count(*) FROM silences"), "0");
}

#[test]
fn the_audit_log_exports_and_its_chain_finds_a_row_edited_behind_yunweis_back() {
    let dir = home();
    let h = dir.path();
    let db = h.join("a.db");
    run(h, &["backup", "check"], None);
    let (_, rows) = alerts(h, None);
    let id = rows[0]["id"].as_i64().unwrap().to_string();
    assert_eq!(run(h, &["alerts", "ack", &id, "--note", "已处理"], None).0, 0);
    assert_eq!(
        run(h, &["alerts", "silence", "--job", "app-tar", "--for", "1h", "--reason", "迁移"], None).0,
        0
    );
    assert_eq!(run(h, &["alerts", "snooze", &id, "--for", "10m"], None).0, 0);
    let (code, out, _) = run(h, &["audit", "--json"], None);
    assert_eq!(code, 0);
    let list: Vec<Value> = serde_json::from_str(&out).unwrap();
    let actions: Vec<&str> = list.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["alert.ack", "alert.silence", "alert.snooze"]);
    assert_eq!(list[0]["operator"], "值班-张");
    assert!(chrono::DateTime::parse_from_rfc3339(list[0]["at"].as_str().unwrap()).is_ok());
    let (_, csv, _) = run(h, &["audit", "--csv"], None);
    assert!(csv.starts_with("\u{feff}id,at,operator,action,target,detail\r\n"), "{csv}");
    assert_eq!(csv.lines().count(), 4);
    let (_, out, _) = run(h, &["audit", "--from", "2000-01-01", "--to", "2000-01-02"], None);
    assert_eq!(out.trim(), "no audit rows in that range");
    let (code, _, err) = run(h, &["audit", "--from", "yesterday"], None);
    assert_eq!(code, 2);
    assert!(err.contains("--from \"yesterday\" is not a date"), "{err}");
    let (code, out, _) = run(h, &["audit", "verify"], None);
    assert_eq!((code, out.trim()), (0, "the audit log is intact: 3 rows, each chained to the one before"));
    // Edited with the sqlite3 shell (its trigger dropped first): the row is named.
    sqlite3(&db, "DROP TRIGGER audit_no_update; UPDATE audit SET operator = '别人' WHERE id = 2;");
    let (code, out, _) = run(h, &["audit", "verify", "--json"], None);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["intact"].as_bool(), v["first_bad_row"].as_i64()), (Some(false), Some(2)), "{v}");
    let (code, out, _) = run(h, &["--lang", "zh-CN", "audit", "verify"], None);
    assert_eq!((code, out.trim()), (1, "审计日志第 2 行在写入后被改动"));
}

/// `yunwei watch` twice on one database, with a real notification script: the alert of a
/// missing backup is recorded (a console's `yunwei alerts` sees it), handed to the script
/// once whatever the number of watchers, logged to standard error in the journal's style;
/// SIGTERM stops each cleanly.
#[test]
fn two_headless_watchers_notify_once_and_stop_on_sigterm() {
    let dir = home();
    let h = dir.path();
    let got = h.join("got.jsonl");
    let script = h.join("notify.sh");
    std::fs::write(&script, format!("#!/bin/sh\ncat >> '{}'\n", got.display())).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cfg = h.join("config.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text += &format!("\n[notify]\ncommand = \"{}\"\n", script.display());
    std::fs::write(&cfg, text).unwrap();
    let watch = || {
        yunwei(h)
            .arg("watch")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (watch(), watch());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        if std::fs::read_to_string(&got).unwrap_or_default().lines().count() >= 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    // Long enough for the other watcher's rounds too: still one notification.
    std::thread::sleep(std::time::Duration::from_secs(6));
    let sent: Vec<Value> = std::fs::read_to_string(&got)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // (This machine's own health may raise alerts too: each is sent once as well.)
    let mut ids: Vec<i64> = sent.iter().map(|v| v["id"].as_i64().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), sent.len(), "once each, from the holder of the lease: {sent:?}");
    let dump: Vec<&Value> = sent.iter().filter(|v| v["subject"] == "db-dump").collect();
    assert_eq!(dump.len(), 1, "{sent:?}");
    assert_eq!(dump[0]["severity"], "crit");
    assert!(sent.iter().all(|v| v["subject"] != "app-tar"), "a warning is not sent: {sent:?}");
    let (code, rows) = alerts(h, None);
    assert_eq!(code, 1);
    assert!(rows.iter().any(|r| r["subject"] == "db-dump"), "a console reads what watch records");
    for child in [a, b] {
        let started = std::time::Instant::now();
        // SAFETY: kill(2) on a child this test started.
        unsafe {
            libc::kill(child.id() as i32, libc::SIGTERM);
        }
        let out = child.wait_with_output().unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
        assert_eq!(out.status.code(), Some(0));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("<6>yunwei watch started: 1 host(s), 2 job(s)"), "{err}");
        assert!(err.contains("<3>alert ") && err.contains("backup/db-dump: missing"), "{err}");
        assert!(err.trim_end().ends_with("<6>yunwei watch stopped"), "{err}");
    }
}

#[test]
fn a_shift_handover_is_printed_kept_audited_and_listed() {
    let dir = home();
    let h = dir.path();
    run(h, &["backup", "check"], None);
    let (_, rows) = alerts(h, None);
    let id = rows[0]["id"].as_i64().unwrap().to_string();
    run(h, &["alerts", "ack", &id, "--note", "存储组在查"], None);
    let (code, out, err) = run(
        h,
        &["--lang", "zh-CN", "duty", "handover", "--since", "8h", "--to", "李四", "--note", "备份盘明早更换"],
        None,
    );
    assert_eq!(code, 0, "{err}");
    for want in [
        "# 交接班：值班-张 → 李四",
        "## 新出现的告警（2）",
        "`backup/db-dump`",
        "存储组在查",
        "## 不正常的作业（2）",
        "备份盘明早更换",
        "交接 #1 已记录",
    ] {
        assert!(out.contains(want), "{want}:\n{out}");
    }
    let (code, out, _) = run(h, &["duty", "log", "--json"], None);
    assert_eq!(code, 0);
    let log: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!((log[0]["from"].as_str(), log[0]["to"].as_str()), (Some("值班-张"), Some("李四")));
    assert!(log[0]["acknowledged_at"].is_null());
    assert!(log[0]["markdown"].as_str().unwrap().contains("备份盘明早更换"));
    assert_eq!(sqlite3(&h.join("a.db"), "SELECT count(*) FROM audit WHERE action = 'duty.handover'"), "1");
    let (code, _, err) = run(h, &["duty", "handover", "--since", "soon"], None);
    assert_eq!(code, 2);
    assert!(err.contains("--since soon"), "{err}");
}

/// `yunwei shell HOST ARGS` on a config whose one host, HOST, is this machine (`/bin/sh`),
/// its three streams piped.
fn local_shell(home: &Path, host: &str, args: &[&str]) -> std::process::Child {
    std::fs::write(home.join("config.toml"), format!("[[hosts]]\nname = \"{host}\"\nlocal = true\n"))
        .unwrap();
    yunwei(home)
        .args(["shell", host])
        .args(args)
        .env("SHELL", "/bin/sh")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn a_local_shell_from_a_pipe_is_recorded_audited_listed_and_replayed_clean() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    // The shell prints a clipboard write and a title change among its output.
    let mut child = local_shell(home, "本机", &["--ticket", "T-42"]);
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        input
            .write_all(
                b"printf 'a\\033]52;c;cm0gLXJmIC8=\\007b\\033]0;owned\\007c-%s\\n' $((40+2))\nexit 5\n",
            )
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("shell on 本机") && stderr.contains("exit status 5"), "{stderr}");
    let (code, listed, _) = run(home, &["shell", "--list", "--json"], None);
    assert_eq!(code, 0);
    let v: Vec<Value> = serde_json::from_str(&listed).unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(
        (v[0]["host"].as_str(), v[0]["ticket"].as_str(), v[0]["operator"].as_str()),
        (Some("本机"), Some("T-42"), Some("值班-张"))
    );
    assert_eq!((v[0]["exit_status"].as_i64(), v[0]["file"].as_str()), (Some(5), Some("intact")));
    let cast = v[0]["recording"].as_str().unwrap().to_string();
    // The recording holds what was shown, the sequences included; the replay drops them.
    let raw = std::fs::read_to_string(&cast).unwrap();
    assert!(raw.contains("]52;c;"), "{raw}");
    let (code, played, err) = run(home, &["replay", &cast, "--speed", "100"], None);
    assert_eq!(code, 0, "{err}");
    assert!(played.contains("abc-42"), "{played:?}");
    // (The typed command is echoed as text; no sequence is left to act.)
    assert!(!played.contains("\u{1b}]"), "{played:?}");
    assert!(played.contains("\n# abc-42") || played.contains("abc-42\r\n"), "{played:?}");
    // The table, in Chinese, and the audit rows in the sqlite3 shell.
    let (_, table, _) = run(home, &["--lang", "zh-CN", "shell", "--list"], None);
    assert!(table.contains("工单") && table.contains("T-42") && table.contains("完好"), "{table}");
    let actions =
        sqlite3(&home.join("a.db"), "SELECT group_concat(action, ' ') FROM audit WHERE target = '本机'");
    assert_eq!(actions.trim(), "shell.start shell.end");
    // A replay of a file that is not a recording says where.
    std::fs::write(home.join("bad.cast"), "not json\n").unwrap();
    let (code, _, err) =
        run(home, &["--lang", "zh-CN", "replay", home.join("bad.cast").to_str().unwrap()], None);
    assert_eq!(code, 2);
    assert!(err.contains("bad.cast:1") && err.contains("不是 asciicast"), "{err}");
}

#[test]
fn sigterm_ends_a_shell_with_its_end_row_written() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let mut child = local_shell(home, "here", &[]);
    let mut input = child.stdin.take().unwrap();
    {
        use std::io::Write;
        input.write_all(b"echo started\n").unwrap();
    }
    // The session opens (its start row), then the signal.
    let db = home.join("a.db");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let started = || {
        let out = Command::new("sqlite3")
            .arg(&db)
            .arg("SELECT count(*) FROM audit WHERE action = 'shell.start'")
            .output();
        out.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "1")
    };
    while !started() {
        assert!(std::time::Instant::now() < deadline, "the session did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    drop(input);
    assert_eq!(out.status.code(), Some(128 + 15), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ended by SIGTERM"));
    let end = sqlite3(&db, "SELECT detail FROM audit WHERE action = 'shell.end'");
    let v: Value = serde_json::from_str(&end).unwrap();
    assert_eq!(v["error"], "the session was ended by SIGTERM");
    assert_eq!(v["sha256"].as_str().map(str::len), Some(64));
}
