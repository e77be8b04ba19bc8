//! The non-interactive commands, run as the built binary: status (table and JSON, exit codes),
//! check-config on every bad config fixture, completions, and usage errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn yunwei(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yunwei"));
    // Keep the developer's own config and database out of the tests.
    c.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("YUNWEI_CONFIG")
        .env_remove("YUNWEI_DB")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    c
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output { status, stdout, stderr } = cmd.output().expect("run yunwei");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into(),
        String::from_utf8_lossy(&stderr).into(),
    )
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap().trim().to_string()
}

#[test]
fn status_json_has_the_stable_fields() {
    let home = tempfile::tempdir().unwrap();
    let (code, out, err) = run(yunwei(home.path()).args(["status", "--json"]));
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let hosts = v.as_array().unwrap();
    assert_eq!(hosts.len(), 1);
    let h = &hosts[0];
    assert_eq!(h["name"], hostname());
    assert_eq!(h["reachable"], true);
    for key in [
        "name",
        "reachable",
        "error",
        "cpu_pct",
        "load1",
        "load5",
        "load15",
        "cores",
        "mem_total_kib",
        "mem_available_kib",
        "mem_used_pct",
        "swap_total_kib",
        "swap_used_pct",
        "uptime_s",
        "disks",
        "net",
        "top_processes",
        "failed_units",
    ] {
        assert!(h.get(key).is_some(), "missing {key}");
    }
    let cpu = h["cpu_pct"].as_f64().expect("status takes two readings, so CPU % is known");
    assert!((0.0..=100.0).contains(&cpu));
    assert!(h["mem_total_kib"].as_u64().unwrap() > 0);
    let disk = &h["disks"][0];
    for key in ["mount", "fs_type", "size_kib", "used_kib", "avail_kib", "used_pct", "inodes_used_pct"] {
        assert!(disk.get(key).is_some(), "disk missing {key}");
    }
    let p = &h["top_processes"][0];
    for key in ["pid", "name", "rss_kib"] {
        assert!(p.get(key).is_some(), "process missing {key}");
    }
    // No database is created by a status check.
    assert!(!home.path().join("data/yunwei/yunwei.db").exists());
}

#[test]
fn status_exit_code_follows_thresholds() {
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("crit.toml");
    // Any used disk is critical with these limits, so the check must fail.
    std::fs::write(&cfg, "[thresholds]\ndisk_pct = { warn = 0, crit = 0.001 }\n").unwrap();
    let (code, out, _) = run(yunwei(home.path()).args(["--config", cfg.to_str().unwrap(), "status"]));
    assert_eq!(code, 1, "{out}");
    assert!(out.lines().nth(1).unwrap().contains("critical"), "{out}");
    // Chinese output through --lang.
    let (_, out, _) =
        run(yunwei(home.path()).args(["--lang", "zh-CN", "--config", cfg.to_str().unwrap(), "status"]));
    assert!(out.starts_with("主机"), "{out}");
}

#[test]
fn status_filters_by_host_and_tag() {
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("two.toml");
    std::fs::write(
        &cfg,
        "[[hosts]]\nname = \"本机\"\nlocal = true\ntags = [\"a\"]\n\n[[hosts]]\nname = \"also-local\"\nlocal = true\ntags = [\"b\"]\n",
    )
    .unwrap();
    let c = cfg.to_str().unwrap();
    let (_, out, _) = run(yunwei(home.path()).args(["--config", c, "status", "--json", "--tag", "b"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["name"], "also-local");
    let (_, out, _) = run(yunwei(home.path()).args(["--config", c, "status", "--json", "--host", "本机"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["name"], "本机");
    let (code, _, err) = run(yunwei(home.path()).args(["--config", c, "status", "--host", "nope"]));
    assert_eq!(code, 2);
    assert!(err.contains("no such host"), "{err}");
}

#[test]
fn a_remote_host_that_refuses_is_down_with_an_error_object() {
    let home = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let cfg = home.path().join("remote.toml");
    std::fs::write(&cfg, format!("[[hosts]]\nname = \"app1\"\naddress = \"127.0.0.1\"\nport = {port}\n"))
        .unwrap();
    let (code, out, _) =
        run(yunwei(home.path()).args(["--config", cfg.to_str().unwrap(), "status", "--json"]));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["reachable"], false);
    assert_eq!(v[0]["error"]["kind"], "refused");
    assert!(v[0]["error"]["message"].as_str().unwrap().contains("127.0.0.1"), "{out}");
    let (_, table, _) = run(yunwei(home.path()).args(["--config", cfg.to_str().unwrap(), "status"]));
    assert!(table.contains("refused"), "{table}");
}

fn bad_config_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad-config")
}

#[test]
fn check_config_reports_every_bad_fixture_with_its_position() {
    let home = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for entry in std::fs::read_dir(bad_config_dir()).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let expects: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("# expect: ")).collect();
        assert!(!expects.is_empty(), "{} has no # expect: line", path.display());
        let (code, out, err) = run(yunwei(home.path())
            .current_dir(bad_config_dir())
            .args(["check-config", path.file_name().unwrap().to_str().unwrap()]));
        assert_eq!(code, 2, "{}: {out}", path.display());
        for e in expects {
            assert!(err.lines().any(|l| l == e), "{}: expected line\n  {e}\nin\n{err}", path.display());
        }
        // The console refuses to start with the same messages.
        let (code, _, err2) = run(yunwei(home.path()).current_dir(bad_config_dir()).args([
            "--config",
            path.file_name().unwrap().to_str().unwrap(),
            "status",
        ]));
        assert_eq!(code, 2);
        assert!(err2.starts_with(err.lines().next().unwrap()), "{err2}");
        checked += 1;
    }
    assert!(checked >= 14, "only {checked} bad configs");
}

#[test]
fn check_config_summarises_a_good_file() {
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("good.toml");
    std::fs::write(
        &cfg,
        "[general]\nlang = \"zh-CN\"\n\n[[hosts]]\nname = \"bastion\"\naddress = \"127.0.0.2\"\n\n[[hosts]]\nname = \"app1\"\naddress = \"127.0.0.3\"\njump = \"bastion\"\n",
    )
    .unwrap();
    let (code, out, err) = run(yunwei(home.path()).args(["check-config", cfg.to_str().unwrap()]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2"), "{out}");
    // No file at all: the defaults apply and that is said.
    let (code, out, _) = run(yunwei(home.path()).args(["check-config"]));
    assert_eq!(code, 0);
    assert!(out.contains("no config file"), "{out}");
    // A --config that does not exist is an error, not the defaults.
    let (code, _, err) = run(yunwei(home.path()).args(["--config", "/nonexistent/y.toml", "check-config"]));
    assert_eq!(code, 2, "{err}");
    // A bad theme or keymap named by the command line is reported too.
    let (code, _, err) = run(yunwei(home.path()).args(["--theme", "neon", "check-config"]));
    assert_eq!(code, 2);
    assert!(err.contains("neither a built-in"), "{err}");
}

#[test]
fn env_config_is_honoured() {
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("env.toml");
    std::fs::write(&cfg, "[[hosts]]\nname = \"from-env\"\nlocal = true\n").unwrap();
    let (_, out, _) = run(yunwei(home.path()).env("YUNWEI_CONFIG", &cfg).args(["status", "--json"]));
    assert!(out.contains("from-env"), "{out}");
    // XDG_CONFIG_HOME/yunwei/config.toml is the default location.
    std::fs::create_dir_all(home.path().join("config/yunwei")).unwrap();
    std::fs::write(
        home.path().join("config/yunwei/config.toml"),
        "[[hosts]]\nname = \"from-xdg\"\nlocal = true\n",
    )
    .unwrap();
    let (_, out, _) = run(yunwei(home.path()).args(["status", "--json"]));
    assert!(out.contains("from-xdg"), "{out}");
}

#[test]
fn completions_version_and_usage_errors() {
    let home = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let (code, out, _) = run(yunwei(home.path()).args(["completions", shell]));
        assert_eq!(code, 0);
        assert!(out.contains("check-config"), "{shell} completion lacks subcommands");
    }
    let (code, out, _) = run(yunwei(home.path()).arg("--version"));
    assert_eq!(code, 0);
    assert!(out.starts_with("yunwei "));
    let (code, _, err) = run(yunwei(home.path()).args(["--lang", "fr", "status"]));
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = run(yunwei(home.path()).args(["frobnicate"]));
    assert_eq!(code, 2);
    // The console needs a terminal and says so instead of garbling a pipe.
    let (code, _, err) = run(yunwei(home.path()).stdin(std::process::Stdio::null()));
    assert_eq!(code, 2);
    assert!(err.contains("needs a terminal"), "{err}");
}

#[test]
fn a_process_named_with_escape_sequences_cannot_reach_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    // A process whose name is an OSC title change, big enough to be among the top processes.
    let mut hostile = Command::new("python3")
        .args([
            "-c",
            "import ctypes,sys,time; ctypes.CDLL(None).prctl(15, b'\\x1b]0;pwned\\x07', 0, 0, 0); \
             x = b'y' * (1200 << 20); print('ready', flush=True); time.sleep(60)",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(hostile.stdout.take().unwrap()), &mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready");
    let (_, json, _) = run(yunwei(home.path()).args(["status", "--json"]));
    let (_, table, _) = run(yunwei(home.path()).args(["status"]));
    let _ = hostile.kill();
    let _ = hostile.wait();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let names: Vec<String> = v[0]["top_processes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert!(
        names.iter().any(|n| n == "\u{FFFD}]0;pwned\u{FFFD}"),
        "the hostile process is listed, made visible: {names:?}"
    );
    assert!(!json.contains('\u{1b}') && !table.contains('\u{1b}'));
}

#[test]
fn status_security_covers_this_machine() {
    let home = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (code, out, err) = run(yunwei(home.path()).args(["status", "--json", "--security"]));
    assert!(code == 0 || code == 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ports: Vec<u64> = v[0]["security"]["listening_tcp_ports"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_u64())
        .collect();
    assert!(ports.contains(&u64::from(port)), "{ports:?}");
    // The table says each host's posture on a line under it, in the reader's language.
    let (_, table, err) = run(yunwei(home.path()).args(["--lang", "zh-CN", "status", "--security"]));
    assert!(
        table.lines().any(|l| l.contains("：安全状况：防火墙：") && l.contains("；待装安全更新：")),
        "{table}{err}"
    );
    drop(listener);
}

#[test]
fn check_config_says_what_ssh_config_adds_and_skips() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".ssh")).unwrap();
    std::fs::write(
        home.path().join(".ssh/config"),
        "Host gw\n  HostName 127.0.0.5\n\nMatch user root\n  Port 2222\n\nHost db1\n  ProxyJump gw\n",
    )
    .unwrap();
    let (code, out, _) = run(yunwei(home.path()).args(["check-config"]));
    assert_eq!(code, 0);
    assert!(out.contains("from ~/.ssh/config: 2 hosts: gw, db1"), "{out}");
    assert!(out.contains("warning:") && out.contains("Match"), "{out}");
}

#[test]
fn help_speaks_the_users_language() {
    let help = |lang: &str, args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_yunwei"))
            .env("LANG", lang)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let zh = help("zh_CN.UTF-8", &["--help"]);
    for words in
        ["用法：", "命令", "选项", "不带命令时打开控制台", "轮询每台主机一次", "配置文件", "打印帮助"]
    {
        assert!(zh.contains(words), "{words}:\n{zh}");
    }
    let logs = help("zh_CN.UTF-8", &["logs", "--help"]);
    assert!(logs.contains("不遮盖身份证号和手机号") && logs.contains("用法："), "{logs}");
    // --lang wins over the locale, both ways.
    assert!(help("zh_CN.UTF-8", &["--lang", "en", "--help"]).contains("Usage: yunwei"));
    assert!(help("C.UTF-8", &["--lang=zh-CN", "status", "--help"]).contains("只看这台主机"));
    let en = help("C.UTF-8", &["--help"]);
    assert!(en.contains("Usage: yunwei [OPTIONS] [COMMAND]") && en.contains("Poll every host once"), "{en}");
    assert!(
        !en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) && c != '运' && c != '维' && c != '台'),
        "{en}"
    );
}

/// The mode bits and bytes of a file, and whether SQLite's -wal or -shm are beside it: what
/// must not change when a database is only viewed or refused.
fn untouched(path: &Path) -> (u32, Vec<u8>, bool) {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o7777;
    let side = ["-wal", "-shm"].iter().any(|ext| {
        let mut s = path.as_os_str().to_owned();
        s.push(ext);
        PathBuf::from(s).exists()
    });
    (mode, std::fs::read(path).unwrap(), side)
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A real yunwei database: `logs --no-mask` creates it and writes its audit row.
fn real_db(home: &Path, log: &Path) -> PathBuf {
    let db = home.join("y.db");
    let (code, _, err) = run(yunwei(home).arg("--db").arg(&db).args(["logs", "--no-mask"]).arg(log));
    assert_eq!(code, 0, "{err}");
    db
}

#[test]
fn a_database_without_owner_write_permission_is_viewed_or_refused_never_written() {
    // The tests run as root, who could write the file anyway: the mode bits decide.
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("a.log");
    std::fs::write(&log, "2026-11-27 03:04:05 INFO 手机 13812345678\n").unwrap();
    let db = real_db(home.path(), &log);
    chmod(&db, 0o444);
    let before = untouched(&db);
    assert!(!before.2, "closed cleanly, no -wal left");
    let shown = db.display().to_string();

    // What must write refuses, and says why and what to do, before anything is printed.
    for (lang, want) in [
        (
            "en",
            format!(
                "yunwei logs: --no-mask is written to the audit log first, and that failed: {shown}: the \
                 database is read-only (mode 0444: not writable by its owner) and this command must write \
                 to it; yunwei never makes it writable itself: make it writable (chmod u+w {shown}) or pass \
                 another --db\n"
            ),
        ),
        (
            "zh-CN",
            format!(
                "yunwei logs：--no-mask 须先写入审计日志，但写入失败：{shown}：数据库只读（权限 0444：属主不可写），\
                 而此命令必须写入；运维台不会自行改为可写：请使其可写（chmod u+w {shown}），或用 --db 指定其他文件\n"
            ),
        ),
    ] {
        let (code, out, err) =
            run(yunwei(home.path()).args(["--lang", lang, "--db"]).arg(&db).args(["logs", "--no-mask"]).arg(&log));
        assert_eq!((code, out.as_str(), err), (1, "", want));
        assert!(untouched(&db) == before, "the database was changed");
    }
    // Masked output needs no audit row: it still works.
    let (code, out, _) = run(yunwei(home.path()).arg("--db").arg(&db).arg("logs").arg(&log));
    assert_eq!((code, out.contains("138****5678")), (0, true));

    // status reads it, and changes nothing.
    let (code, out, err) = run(yunwei(home.path()).arg("--db").arg(&db).arg("status"));
    assert!(code == 0 || code == 1, "{err}");
    assert!(out.starts_with("Host"), "{out}");
    // Nothing is said about the database (a busy machine may be told its CPU is not judged).
    assert!(!err.lines().any(|l| l.starts_with("yunwei status:")), "{err}");
    assert!(untouched(&db) == before, "the database was changed");
}

#[test]
fn a_loose_database_is_tightened_saying_so_once_and_a_refused_file_is_left_as_it_was() {
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("a.log");
    std::fs::write(&log, "x\n").unwrap();
    let db = real_db(home.path(), &log);
    chmod(&db, 0o644);
    let args = |c: &mut Command| {
        c.arg("--db").arg(&db).args(["logs", "--no-mask"]).arg(&log);
    };
    let mut c = yunwei(home.path());
    args(&mut c);
    let (code, _, err) = run(&mut c);
    assert_eq!(code, 0);
    assert_eq!(
        err,
        format!(
            "yunwei logs: {} was readable by others (mode 0644); it is now 0600, for its owner only\n",
            db.display()
        )
    );
    assert_eq!(untouched(&db).0, 0o600);
    let mut c = yunwei(home.path());
    args(&mut c);
    assert_eq!(run(&mut c).2, "", "said once");

    // Not a database: refused, and left exactly as it was, mode included.
    let notes = home.path().join("notes.db");
    std::fs::write(&notes, "my notes\n".repeat(100)).unwrap();
    chmod(&notes, 0o664);
    let before = untouched(&notes);
    let (code, _, err) =
        run(yunwei(home.path()).arg("--db").arg(&notes).args(["logs", "--no-mask"]).arg(&log));
    assert_eq!(code, 1);
    assert!(
        err.ends_with(&format!(
            "{}: is not a yunwei database (not an SQLite file, or damaged); it was left as it is: move it \
             aside or pass another --db\n",
            notes.display()
        )),
        "{err}"
    );
    assert!(untouched(&notes) == before, "the refused file was changed");
    let (_, out, err) = run(yunwei(home.path()).arg("--db").arg(&notes).arg("status"));
    assert!(out.starts_with("Host"), "status still reports the fleet: {out}");
    assert_eq!(
        err.lines().next().map(|l| format!("{l}\n")).unwrap_or_default(),
        format!(
            "yunwei status: CPU is not judged: {}: is not a yunwei database (not an SQLite file, or damaged); \
             it was left as it is: move it aside or pass another --db\n",
            notes.display()
        )
    );
    assert!(untouched(&notes) == before, "the refused file was changed");
}

#[test]
fn database_path_errors_name_the_path_and_say_what_to_do() {
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("a.log");
    std::fs::write(&log, "x\n").unwrap();
    let h = home.path().display().to_string();
    let fail = |lang: &str, db: &Path| {
        let (code, out, err) = run(yunwei(home.path())
            .args(["--lang", lang, "--db"])
            .arg(db)
            .args(["logs", "--no-mask"])
            .arg(&log));
        assert_eq!((code, out.as_str()), (1, ""), "{err}");
        assert!(!err.contains("os error") && !err.contains("unable to open"), "{err}");
        let prefix = if lang == "en" {
            "yunwei logs: --no-mask is written to the audit log first, and that failed: "
        } else {
            "yunwei logs：--no-mask 须先写入审计日志，但写入失败："
        };
        err.strip_prefix(prefix).unwrap_or_else(|| panic!("{err}")).trim_end().to_string()
    };
    assert_eq!(
        fail("en", home.path()),
        format!("{h}: is a directory; --db names the database file itself, e.g. --db {h}/yunwei.db")
    );
    assert_eq!(
        fail("zh-CN", home.path()),
        format!("{h}：是目录；--db 应指定数据库文件本身，例如 --db {h}/yunwei.db")
    );
    let typo = home.path().join("typo/y.db");
    assert_eq!(
        fail("en", &typo),
        format!("{h}/typo/y.db: its folder {h}/typo does not exist; create it (mkdir -p {h}/typo) or pass another --db")
    );
    assert_eq!(
        fail("zh-CN", &typo),
        format!(
            "{h}/typo/y.db：所在目录 {h}/typo 不存在；请先创建（mkdir -p {h}/typo），或用 --db 指定其他文件"
        )
    );
    assert!(!home.path().join("typo").exists());

    // Not permitted: run as nobody, on a database in root's private folder, and on one nobody
    // may read but not write.
    if Command::new("setpriv").arg("--version").output().is_err() {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let shared = tempfile::Builder::new().prefix("yunwei-perm").tempdir_in("/tmp").unwrap();
    chmod(shared.path(), 0o755);
    std::fs::create_dir(shared.path().join("private")).unwrap();
    chmod(&shared.path().join("private"), 0o700);
    let hidden = shared.path().join("private/y.db");
    let readable = real_db(shared.path(), &log);
    chmod(&readable, 0o644);
    let open_log = shared.path().join("a.log");
    std::fs::copy(&log, &open_log).unwrap();
    chmod(&open_log, 0o644);
    let as_nobody = |db: &Path| {
        let out = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_yunwei")])
            .env("HOME", shared.path())
            .env("LANG", "C.UTF-8")
            .arg("--db")
            .arg(db)
            .args(["logs", "--no-mask"])
            .arg(&open_log)
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let prefix = "yunwei logs: --no-mask is written to the audit log first, and that failed: ";
    assert_eq!(
        as_nobody(&hidden),
        (
            Some(1),
            format!(
                "{prefix}{}: permission denied: the database or its folder belongs to another user; run \
                 yunwei as its owner or pass another --db\n",
                hidden.display()
            )
        )
    );
    let before = untouched(&readable);
    assert_eq!(
        as_nobody(&readable),
        (
            Some(1),
            format!(
                "{prefix}{r}: the database is read-only (mode 0644: this user may not write it) and this \
                 command must write to it; yunwei never makes it writable itself: make it writable (chmod \
                 u+w {r}) or pass another --db\n",
                r = readable.display()
            )
        )
    );
    assert!(untouched(&readable) == before);
    assert_eq!(std::fs::metadata(&readable).unwrap().permissions().mode() & 0o777, 0o644);
}

#[test]
fn status_judges_cpu_only_from_a_consoles_history_never_from_its_own_half_second() {
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("cpu.toml");
    // Every CPU reading reaches these limits; nothing else can.
    std::fs::write(
        &cfg,
        "[thresholds]\ncpu_pct = { warn = 0, crit = 0 }\ndisk_pct = { warn = 100, crit = 100 }\n\
         inodes_pct = { warn = 100, crit = 100 }\nmem_pct = { warn = 100, crit = 100 }\n\
         swap_pct = { warn = 100, crit = 100 }\nload_per_core = { warn = 10000, crit = 10000 }\n\n\
         [[hosts]]\nname = \"本机-cpu\"\nlocal = true\n",
    )
    .unwrap();
    let db = home.path().join("y.db");
    let status = |lang: &str| {
        let (code, out, err) = run(yunwei(home.path())
            .args(["--lang", lang, "--config", cfg.to_str().unwrap(), "--db"])
            .arg(&db)
            .args(["status", "--json"]));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        (code, v[0].clone(), err)
    };
    // No console records to this database: the figure is reported, not judged.
    let (code, h, err) = status("en");
    assert_eq!(
        (code, h["cpu_level"].clone(), h["level"] != "crit"),
        (0, serde_json::Value::Null, true),
        "{h}"
    );
    let cpu = h["cpu_pct"].as_f64().unwrap();
    assert_eq!(
        err,
        format!(
            "本机-cpu: CPU {cpu:.0} % is one 0.5 s sample and is not judged: CPU counts only when it stays high \
             for 5 minutes, which only a console recording to {} can tell\n",
            db.display()
        )
    );
    let (_, h, err) = status("zh-CN");
    assert_eq!(
        err,
        format!(
            "本机-cpu：CPU {:.0} % 只是 0.5 秒的一次采样，不作判定：CPU 持续偏高 5 分钟才计入，只有正在记录到 {} 的控制台能判断\n",
            h["cpu_pct"].as_f64().unwrap(),
            db.display()
        )
    );
    assert!(!db.exists(), "status creates no database");

    // A console recorded six minutes at 95 %: critical, as in the console.
    let record = |from: i64, to: i64| {
        let mut store = yunwei::store::Store::open(&db).unwrap();
        let samples: Vec<yunwei::health::HostSample> = (from..=to)
            .step_by(10)
            .map(|ts| yunwei::health::HostSample {
                name: "本机-cpu".into(),
                reachable: true,
                cpu_pct: Some(95.0),
                sampled_at: ts,
                ..Default::default()
            })
            .collect();
        store.record_samples(&samples).unwrap();
    };
    let now = chrono::Utc::now().timestamp();
    record(now - 360, now);
    let (code, h, err) = status("en");
    assert_eq!(
        (code, h["cpu_level"].as_str(), h["level"].as_str()),
        (1, Some("crit"), Some("crit")),
        "{h} {err}"
    );
    assert!(err.is_empty(), "{err}");
    let (code, out, _) =
        run(yunwei(home.path()).args(["--config", cfg.to_str().unwrap(), "--db"]).arg(&db).arg("status"));
    assert_eq!(code, 1);
    assert!(out.lines().nth(1).unwrap().contains("critical"), "{out}");

    // A history that stopped ten minutes ago is no console recording now.
    std::fs::remove_file(&db).unwrap();
    record(now - 960, now - 600);
    let (code, h, _) = status("en");
    assert_eq!((code, h["cpu_level"].clone()), (0, serde_json::Value::Null), "{h}");
}

/// Under zh-CN every command and error path speaks Chinese: clap's own errors, the refusals,
/// check-config on every bad fixture and without a file, status and logs errors. A message
/// printed in English only (a new `eprintln!` that skips the catalogue) fails here.
#[test]
fn every_command_and_error_speaks_chinese_under_zh_cn() {
    let home = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad-config");
    let mut runs: Vec<Vec<String>> = vec![
        vec!["status", "--foo"],
        vec!["--lang"],
        vec!["--theme"],
        vec!["stauts"],
        vec!["completions"],
        vec!["completions", "tcsh"],
        vec!["status", "--db", "x.db"],
        vec!["logs", "--theme", "mono", "/etc/hostname"],
        vec!["completions", "bash", "--config", "c.toml"],
        vec!["logs", "-n", "5", "/etc/hostname"],
        vec!["logs", "/no/such/file.log"],
        vec!["logs", "--encoding", "latin1", "/etc/hostname"],
        vec!["logs", "--host", "nowhere", "/var/log/x"],
        vec!["status", "--host", "nowhere"],
        vec!["check-config"],
        vec!["check-config", "/no/such/config.toml"],
        vec!["demo"],
    ]
    .into_iter()
    .map(|a| a.into_iter().map(String::from).collect())
    .collect();
    let mut names: Vec<_> = std::fs::read_dir(&fixtures).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    for f in names {
        runs.push(vec!["check-config".into(), f.display().to_string()]);
    }
    // yunwei db: each command on a sound, a damaged, a read-only and a loose database, and
    // every refusal of a backup.
    let dbs = home.path().join("dbs");
    std::fs::create_dir_all(&dbs).unwrap();
    let good = dbs.join("good.db");
    let mut store = yunwei::store::Store::open(&good).unwrap();
    let samples: Vec<_> = (0..3000)
        .map(|i| yunwei::health::HostSample {
            name: "应用1".into(),
            reachable: true,
            sampled_at: i,
            ..Default::default()
        })
        .collect();
    store.record_samples(&samples).unwrap();
    drop(store);
    let copy = |name: &str, mode: u32| {
        let p = dbs.join(name);
        std::fs::copy(&good, &p).unwrap();
        chmod(&p, mode);
        p.display().to_string()
    };
    let (ro, loose, bad) = (copy("ro.db", 0o444), copy("loose.db", 0o644), copy("bad.db", 0o600));
    let mut bytes = std::fs::read(&bad).unwrap();
    for b in &mut bytes[5 * 4096 + 8..5 * 4096 + 600] {
        *b ^= 0x5a;
    }
    std::fs::write(&bad, &bytes).unwrap();
    let g = good.display().to_string();
    let d = dbs.display().to_string();
    for args in [
        vec!["db".to_string()],
        vec!["db".into(), "backup".into()],
        vec!["db".into(), "frob".into()],
        vec!["db".into(), "check".into()],
        vec!["db".into(), "stats".into()],
        vec!["db".into(), "backup".into(), "x.db".into()],
        vec!["db".into(), "--help".into()],
        vec!["db".into(), "backup".into(), "--help".into()],
        vec!["--theme".into(), "mono".into(), "db".into(), "check".into()],
        vec!["--db".into(), g.clone(), "db".into(), "check".into()],
        vec!["--db".into(), g.clone(), "db".into(), "check".into(), "--quick".into()],
        vec!["--db".into(), g.clone(), "db".into(), "stats".into()],
        vec!["--db".into(), g.clone(), "db".into(), "backup".into(), format!("{d}/new.db")],
        vec!["--db".into(), g.clone(), "db".into(), "backup".into(), g.clone()],
        vec!["--db".into(), g.clone(), "db".into(), "backup".into(), format!("{d}/nope/x.db")],
        vec!["--db".into(), g.clone(), "db".into(), "backup".into(), d.clone()],
        vec!["--db".into(), g.clone(), "db".into(), "backup".into(), format!("{d}/bad.db/x.db")],
        vec!["--db".into(), bad.clone(), "db".into(), "check".into()],
        vec!["--db".into(), bad.clone(), "db".into(), "stats".into()],
        vec!["--db".into(), bad.clone(), "db".into(), "backup".into(), format!("{d}/bad-copy.db")],
        vec!["--db".into(), ro.clone(), "db".into(), "backup".into(), format!("{d}/ro-copy.db")],
        vec!["--db".into(), loose.clone(), "db".into(), "check".into()],
        vec!["--db".into(), format!("{d}/notes.txt"), "db".into(), "check".into()],
    ] {
        runs.push(args);
    }
    std::fs::write(dbs.join("notes.txt"), "not a database\n".repeat(100)).unwrap();
    // Bad theme and keymap files, a folder where a file should be, and names that are no
    // built-in: each through check-config (by option and by the config), at the console's
    // start and at the demo's, saying what it says in Chinese.
    let files = home.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    let bad = [
        ("--theme", "role.toml", "[roles]\nokk = { fg = \"blue\" }\n", "role.toml:2:1：未知的角色 `okk`"),
        ("--theme", "colour.toml", "[roles]\nok = { fg = \"blu\" }\n", "colour.toml:2:13：`blu` 不是颜色"),
        ("--theme", "modifier.toml", "[roles]\nok = { modifiers = [\"blink!\"] }\n", "未知的修饰 `blink!`"),
        ("--theme", "borders.toml", "borders = \"round\"\n", "borders.toml:1:11：borders 须为"),
        ("--theme", "key.toml", "bordres = \"ascii\"\n", "未知的顶层键 `bordres`；是不是想写 `borders`？"),
        ("--theme", "type.toml", "[roles]\nok = { fg = 3 }\n", "roles.ok.fg 应为字符串，实际为整数"),
        ("--theme", "syntax.toml", "[roles\n", "syntax.toml:1:7：TOML 语法错误：表没有结束"),
        ("--theme", "base.toml", "base = \"drak\"\n", "未知的基础主题 `drak`"),
        ("--keymap", "action.toml", "[fleet]\n\"x\" = \"refesh\"\n", "action.toml:2:7：未知的操作 `refesh`"),
        ("--keymap", "twice.toml", "[global]\n\"ctrl-r\" = \"refresh\"\n\"C-r\" = \"quit\"\n", "绑定了两次"),
        (
            "--keymap",
            "badkey.toml",
            "[fleet]\n\"hyper-x\" = \"quit\"\n",
            "badkey.toml:2:1：`hyper-x` 不是按键",
        ),
        ("--keymap", "scope.toml", "[fleat]\n\"x\" = \"quit\"\n", "未知的顶层键 `fleat`"),
        ("--keymap", "dup.toml", "[fleet]\n\"x\" = \"quit\"\n\"x\" = \"help\"\n", "重复的键"),
        ("--keymap", "ksyntax.toml", "[fleet\n", "TOML 语法错误"),
    ];
    let mut expected: Vec<(Vec<String>, String)> = Vec::new();
    let mut choices: Vec<(&str, String, String)> = Vec::new();
    for (option, name, text, says) in bad {
        std::fs::write(files.join(name), text).unwrap();
        choices.push((option, files.join(name).display().to_string(), says.to_string()));
    }
    let folder = files.display().to_string();
    choices.push(("--theme", folder.clone(), "也不是可读取的文件：是一个目录".into()));
    choices.push(("--keymap", folder, "也不是可读取的文件：是一个目录".into()));
    choices.push(("--theme", "solarized".into(), "主题 `solarized` 既不是内置主题".into()));
    choices.push(("--keymap", "emacs".into(), "键位 `emacs` 既不是内置键位".into()));
    for (i, (option, value, says)) in choices.into_iter().enumerate() {
        let key = option.trim_start_matches("--");
        let config = files.join(format!("config-{i}.toml"));
        std::fs::write(&config, format!("[general]\n{key} = {value:?}\n")).unwrap();
        let config = config.display().to_string();
        for args in [
            vec![option.to_string(), value.clone(), "check-config".into()],
            vec!["check-config".into(), config.clone()],
            vec![option.to_string(), value.clone()],
            vec!["--config".into(), config, "demo".into()],
        ] {
            expected.push((args.clone(), says.clone()));
            runs.push(args);
        }
    }
    let mut english = Vec::new();
    for args in &runs {
        // Both ways of choosing the language: the flag, and the locale alone.
        for by_flag in [true, false] {
            let mut cmd = yunwei(home.path());
            if by_flag {
                cmd.arg("--lang").arg("zh-CN");
            } else {
                cmd.env("LANG", "zh_CN.UTF-8");
            }
            let (_, out, err) = run(cmd.args(args).stdin(std::process::Stdio::null()));
            let text = format!("{out}{err}");
            assert!(!text.trim().is_empty(), "{args:?} said nothing");
            if let Some((_, says)) = expected.iter().find(|(a, _)| a == args) {
                assert!(text.contains(says.as_str()), "{args:?} does not say {says:?}:\n{text}");
            }
            for r in yunwei::i18n::english_runs(&text) {
                english.push(format!("{args:?}: {r:?} in\n{text}"));
            }
        }
    }
    assert!(english.is_empty(), "English under zh-CN:\n{}", english.join("\n---\n"));
}

/// Outside a Chinese locale the theme and keymap errors read in English, at their positions,
/// from check-config and at the console's start.
#[test]
fn theme_and_keymap_errors_read_in_english_otherwise() {
    let home = tempfile::tempdir().unwrap();
    let theme = home.path().join("t.toml");
    std::fs::write(&theme, "[roles]\nokk = { fg = \"blue\" }\n").unwrap();
    let keymap = home.path().join("k.toml");
    std::fs::write(&keymap, "[fleet]\n\"x\" = \"refesh\"\n").unwrap();
    let (t, k) = (theme.display().to_string(), keymap.display().to_string());
    for (args, says) in [
        (vec!["--theme", &t, "check-config"], format!("{t}:2:1: unknown role `okk`; did you mean `ok`?")),
        (vec!["--keymap", &k], format!("{k}:2:7: unknown action `refesh`; did you mean `refresh`?")),
        (vec!["--theme", "solarized", "demo"], "solarized: theme `solarized` is neither a built-in".into()),
    ] {
        for lang in [Some("en"), None] {
            let mut cmd = yunwei(home.path());
            if let Some(lang) = lang {
                cmd.arg("--lang").arg(lang);
            }
            let (code, _, err) = run(cmd.args(&args).stdin(std::process::Stdio::null()));
            assert_eq!(code, 2, "{args:?}: {err}");
            assert!(err.contains(&says), "{args:?} ({lang:?}) does not say {says:?}: {err}");
        }
    }
}

/// Names, paths and error texts from outside never reach the terminal raw: an escape sequence
/// or a bidirectional override in a path or a host name is shown escaped, in clap's errors, the
/// refusals, check-config and status, in both languages.
#[test]
fn cli_errors_escape_control_and_bidi_characters() {
    let home = tempfile::tempdir().unwrap();
    let evil = "x\u{1b}]0;pwned\u{7}\u{202e}gpj.toml";
    let dir = home.path().join("evil\u{1b}[31m\u{2066}");
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("c.toml");
    std::fs::write(&cfg, "[general]\nlang = 3\n").unwrap();
    let cases: Vec<Vec<String>> = vec![
        vec!["check-config".into(), evil.into()],
        vec!["check-config".into(), cfg.display().to_string()],
        vec!["status".into(), "--host".into(), format!("h\u{1b}[2J\u{202d}")],
        vec!["status".into(), format!("--bad\u{1b}[31m\u{202e}")],
        vec![format!("st\u{1b}[1mat\u{2067}")],
        vec!["logs".into(), format!("/no/such/{evil}")],
        vec!["--config".into(), cfg.display().to_string(), "status".into()],
        vec!["--theme".into(), evil.into(), "check-config".into()],
        vec!["--keymap".into(), format!("/no/such/{evil}")],
    ];
    for args in &cases {
        for lang in ["en", "zh-CN"] {
            let (code, out, err) = run(yunwei(home.path()).arg("--lang").arg(lang).args(args));
            assert_ne!(code, 0, "{args:?}");
            let text = format!("{out}{err}");
            assert!(
                !text.chars().any(|c| c == '\u{1b}'
                    || c == '\u{7}'
                    || ('\u{202a}'..='\u{202e}').contains(&c)
                    || ('\u{2066}'..='\u{2069}').contains(&c)),
                "{args:?} ({lang}) let a control or bidi character through: {text:?}"
            );
            // Escaped as text (clap itself drops the ESC of a colour sequence it quotes).
            assert!(text.contains("\\u{"), "{args:?} ({lang}) shows the character escaped: {text:?}");
        }
    }
}

/// The completion scripts offer the values of --lang, --theme and --keymap from the real
/// lists.
#[test]
fn completions_offer_lang_theme_and_keymap_values() {
    let home = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let (code, out, err) = run(yunwei(home.path()).args(["completions", shell]));
        assert_eq!(code, 0, "{err}");
        for name in yunwei::theme::builtin_names().chain(yunwei::keymap::BUILTIN).chain(["zh-CN", "auto"]) {
            assert!(out.contains(name), "{shell} completion lacks {name}");
        }
    }
    let (_, out, _) = run(yunwei(home.path()).args(["completions", "fish"]));
    let after = |option: &str| {
        let at = out.find(option).unwrap_or(0);
        out[at..].chars().take(400).collect::<String>()
    };
    assert!(after("-l lang").contains("zh-CN"), "{}", after("-l lang"));
    assert!(after("-l theme").contains("high-contrast"), "{}", after("-l theme"));
    assert!(after("-l keymap").contains("vim"), "{}", after("-l keymap"));
}

/// An option a subcommand has no use for is refused, with the reason, in the user's language.
#[test]
fn options_a_subcommand_ignores_are_refused() {
    let home = tempfile::tempdir().unwrap();
    for (args, option) in [
        (vec!["status", "--keymap", "vim"], "--keymap"),
        (vec!["--theme", "mono", "status"], "--theme"),
        (vec!["logs", "--keymap", "vim", "/etc/hostname"], "--keymap"),
        (vec!["check-config", "--db", "x.db"], "--db"),
        (vec!["completions", "bash", "--config", "c.toml"], "--config"),
    ] {
        let (code, out, err) = run(yunwei(home.path()).args(&args));
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(
            err.contains(&format!(
                "'{option}' has no effect on 'yunwei {}'",
                args.iter().find(|a| !a.starts_with('-') && !["mono", "x.db", "vim"].contains(a)).unwrap()
            )),
            "{err}"
        );
        let (code, _, err) = run(yunwei(home.path()).arg("--lang").arg("zh-CN").args(&args));
        assert_eq!(code, 2);
        assert!(err.contains(option) && err.contains("不起作用"), "{err}");
    }
    // --lines means something only with --follow.
    let (code, _, err) = run(yunwei(home.path()).args(["logs", "-n", "5", "/etc/hostname"]));
    assert_eq!(code, 2);
    assert!(err.contains("--follow"), "{err}");
    // What each command does use is still fine.
    let (code, _, err) = run(yunwei(home.path()).args(["--theme", "mono", "check-config"]));
    assert_eq!(code, 0, "{err}");
}

/// The subcommands `yunwei [PATH…] --help` lists, by their whole path (`db check`), `help` left
/// out.
fn listed_subcommands(home: &Path, path: &[String]) -> Vec<Vec<String>> {
    let (code, out, _) = run(yunwei(home).args(path).args(["--lang", "en", "--help"]));
    assert_eq!(code, 0, "{out}");
    let names: Vec<String> = out
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|n| n != "help")
        .collect();
    let mut all = Vec::new();
    for name in names {
        let mut sub = path.to_vec();
        sub.push(name);
        all.push(sub.clone());
        all.extend(listed_subcommands(home, &sub));
    }
    all
}

#[test]
fn the_man_page_is_valid_roff_naming_every_subcommand_in_english_and_chinese() {
    let home = tempfile::tempdir().unwrap();
    let subs = listed_subcommands(home.path(), &[]);
    assert!(subs.len() >= 9, "{subs:?}");
    assert!(subs.iter().all(|s| s[0] != "man"), "`man` is hidden from the help");
    let version = env!("CARGO_PKG_VERSION");
    let groff = Path::new("/usr/bin/groff").exists();
    for (lang, name_heading) in [("en", ".SH NAME"), ("zh-CN", ".SH 名称")] {
        let (code, page, err) = run(yunwei(home.path()).args(["man", "--lang", lang]));
        assert_eq!(code, 0, "{err}");
        assert!(page.contains(&format!(".TH YUNWEI 1 \"\" \"yunwei {version}\"")), "{page}");
        assert!(page.contains(&format!("{name_heading}\n")), "{lang}: {page}");
        for sub in &subs {
            let heading = format!(".SS \"yunwei {}\"\n", sub.join(" "));
            assert!(page.contains(&heading), "{lang}: {heading} missing");
        }
        assert!(!page.contains(".SS \"yunwei man\""), "{lang}");
        if groff {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("yunwei.1");
            std::fs::write(&file, &page).unwrap();
            let out = Command::new("groff")
                .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
                .arg(&file)
                .output()
                .unwrap();
            let warnings = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success() && warnings.is_empty(), "{lang}: groff says:\n{warnings}");
        } else {
            eprintln!("skipped: groff is not installed, the page is not typeset");
        }
    }
    // Not a command a person is offered.
    for shell in ["bash", "zsh", "fish"] {
        let (_, out, _) = run(yunwei(home.path()).args(["completions", shell]));
        assert!(!out.split(|c: char| !c.is_alphanumeric() && c != '-').any(|w| w == "man"), "{shell}");
    }
    let (code, _, err) = run(yunwei(home.path()).args(["man", "--db", "x.db"]));
    assert_eq!(code, 2, "{err}");
}

#[test]
fn the_packaged_watch_unit_runs_yunwei_watch_as_the_named_user_and_systemd_accepts_it() {
    let unit = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/yunwei-watch@.service"))
        .unwrap();
    for line in [
        "ExecStart=/usr/bin/yunwei watch",
        "User=%i",
        "KillSignal=SIGTERM",
        "UMask=0077",
        "WantedBy=multi-user.target",
    ] {
        assert!(unit.lines().any(|l| l == line), "{line} in the unit");
    }
    // systemd's own check, where systemd is (the binary the unit names is this build's).
    let Ok(out) = std::process::Command::new("systemd-analyze").arg("--version").output() else { return };
    if !out.status.success() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("yunwei-watch@root.service");
    std::fs::write(&path, unit.replace("/usr/bin/yunwei", env!("CARGO_BIN_EXE_yunwei"))).unwrap();
    let out = std::process::Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn every_command_has_its_help_in_chinese() {
    let home = tempfile::tempdir().unwrap();
    let top = yunwei(home.path()).args(["--help"]).output().unwrap();
    let text = String::from_utf8_lossy(&top.stdout).into_owned();
    let names: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .collect();
    assert!(names.contains(&"shell") && names.contains(&"replay"), "{names:?}");
    for name in names {
        let out = yunwei(home.path()).args(["--lang", "zh-CN", name, "--help"]).output().unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(said.contains("用法") && said.contains("打印帮助"), "{name}: {said}");
    }
}
