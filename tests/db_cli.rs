//! `yunwei db backup|check|stats` as the built binary, on real SQLite files, with the sqlite3
//! shell as the oracle: private sound copies also while a writer records, the refusals, a full
//! disk, a damaged file found, the figures the shell counts, in English and Chinese.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn yunwei(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yunwei"));
    c.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("YUNWEI_CONFIG")
        .env_remove("YUNWEI_DB")
        .env_remove("YUNWEI_OPERATOR")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    c
}

fn run(cmd: &mut Command) -> (i32, String, String) {
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

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

/// A yunwei database with `n` health samples of two hosts, closed cleanly.
fn db_with_samples(dir: &Path, n: i64) -> PathBuf {
    let path = dir.join("y.db");
    let mut store = yunwei::store::Store::open(&path).unwrap();
    let samples: Vec<_> = (0..n)
        .map(|i| yunwei::health::HostSample {
            name: if i % 2 == 0 { "应用1".into() } else { "db1".into() },
            reachable: true,
            cpu_pct: Some(20.0),
            sampled_at: 1_700_000_000 + i,
            ..Default::default()
        })
        .collect();
    store.record_samples(&samples).unwrap();
    drop(store);
    path
}

/// Flips bytes in the middle of a leaf page of health_raw, where the sqlite3 shell finds one.
fn damage(db: &Path) {
    let page: u64 = sqlite3(
        db,
        "SELECT pageno FROM dbstat WHERE name = 'health_raw' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 2",
    )
    .parse()
    .unwrap();
    let mut bytes = std::fs::read(db).unwrap();
    let at = usize::try_from((page - 1) * 4096 + 8).unwrap();
    for b in &mut bytes[at..at + 400] {
        *b ^= 0x5a;
    }
    std::fs::write(db, &bytes).unwrap();
    assert_ne!(sqlite3(db, "PRAGMA integrity_check"), "ok", "the oracle sees the damage");
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn backup_writes_a_private_sound_copy_says_where_and_refuses_to_overwrite() {
    let home = tempfile::tempdir().unwrap();
    let db = db_with_samples(home.path(), 400);
    let target = home.path().join("备份.db");
    let (code, out, err) = run(yunwei(home.path()).arg("--db").arg(&db).args(["db", "backup"]).arg(&target));
    assert_eq!(code, 0, "{err}");
    let size = std::fs::metadata(&target).unwrap().len();
    assert!(
        out.starts_with(&format!("{}: backup written: ", target.display()))
            && out.contains(&format!("({size} bytes), readable by its owner only (0600)")),
        "{out}"
    );
    assert!(out.contains(&format!("recorded in the audit log of {} (db.backup)", db.display())), "{out}");
    assert_eq!(mode(&target), 0o600);
    assert_eq!(sqlite3(&target, "PRAGMA integrity_check"), "ok");
    for table in ["health_raw", "hosts", "audit", "schema_version"] {
        let count = format!("SELECT count(*) FROM {table}");
        let want = if table == "audit" { "0".to_string() } else { sqlite3(&db, &count) };
        assert_eq!(sqlite3(&target, &count), want, "{table}");
    }
    assert_eq!(
        sqlite3(&db, "SELECT action || ' ' || target FROM audit"),
        format!("db.backup {}", target.display())
    );

    // Again: refused, in the user's language, the copy untouched.
    let before = std::fs::read(&target).unwrap();
    for (lang, says) in [
        (
            "en",
            "already exists; yunwei does not overwrite it: name another file, or pass --force to replace it",
        ),
        ("zh-CN", "已存在；运维台不会覆盖它：请另选文件名，或加 --force 替换它"),
    ] {
        let (code, out, err) = run(yunwei(home.path())
            .args(["--lang", lang, "--db"])
            .arg(&db)
            .args(["db", "backup"])
            .arg(&target));
        assert_eq!((code, out.as_str()), (1, ""), "{err}");
        assert!(err.contains(&format!("{}", target.display())) && err.contains(says), "{err}");
    }
    assert_eq!(std::fs::read(&target).unwrap(), before);
    let (code, _, err) =
        run(yunwei(home.path()).arg("--db").arg(&db).args(["db", "backup", "--force"]).arg(&target));
    assert_eq!((code, mode(&target)), (0, 0o600), "{err}");

    // The database itself, even with --force; a folder; a missing folder.
    for (to, says) in [
        (db.clone(), "is the database itself".to_string()),
        (home.path().to_path_buf(), "is a folder; name the backup file itself".to_string()),
        (home.path().join("nope/b.db"), format!("its folder {}/nope does not exist", home.path().display())),
    ] {
        let (code, _, err) =
            run(yunwei(home.path()).arg("--db").arg(&db).args(["db", "backup", "--force"]).arg(&to));
        assert_eq!(code, 1, "{err}");
        assert!(err.starts_with("yunwei db backup: ") && err.contains(&says), "{err}");
    }
    assert_eq!(sqlite3(&db, "PRAGMA integrity_check"), "ok");
    assert_eq!(names_in(home.path()), ["y.db", "备份.db"]);
}

#[test]
fn backup_while_a_writer_records_gives_whole_transactions_only() {
    let home = tempfile::tempdir().unwrap();
    let db = db_with_samples(home.path(), 0);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (db, stop) = (db.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut store = yunwei::store::Store::open(&db).unwrap();
            let mut batches = 0i64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) || batches < 10 {
                let batch: Vec<_> = (0..25)
                    .map(|i| yunwei::health::HostSample {
                        name: "app1".into(),
                        reachable: true,
                        sampled_at: batches * 25 + i,
                        ..Default::default()
                    })
                    .collect();
                store.record_samples(&batch).unwrap();
                batches += 1;
            }
            batches
        })
    };
    for round in 0..4 {
        let target = home.path().join(format!("b{round}.db"));
        let (code, _, err) =
            run(yunwei(home.path()).arg("--db").arg(&db).args(["db", "backup"]).arg(&target));
        assert_eq!(code, 0, "{err}");
        assert_eq!(mode(&target), 0o600);
        assert_eq!(sqlite3(&target, "PRAGMA integrity_check"), "ok");
        let n: i64 = sqlite3(&target, "SELECT count(*) FROM health_raw").parse().unwrap();
        assert_eq!(n % 25, 0, "backup {round} holds part of a transaction: {n} rows");
        assert_eq!(sqlite3(&target, "SELECT coalesce(max(ts) + 1, 0) FROM health_raw"), n.to_string());
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let batches = writer.join().unwrap();
    assert_eq!(sqlite3(&db, "SELECT count(*) FROM health_raw"), (batches * 25).to_string());
    assert_eq!(sqlite3(&db, "SELECT count(*) FROM audit WHERE action = 'db.backup'"), "4");
}

/// A tmpfs of `size` mounted on `dir` for as long as it lives; `None` when this user may not
/// mount (the tests run as root).
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(dir: &Path, size: &str) -> Option<SmallDisk> {
        std::fs::create_dir_all(dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs"])
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| SmallDisk(dir.to_path_buf()))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_leaves_no_backup_and_no_partial_file() {
    let home = tempfile::tempdir().unwrap();
    let db = db_with_samples(home.path(), 4000);
    let out_dir = home.path().join("small");
    let Some(_disk) = SmallDisk::mount(&out_dir, "64k") else {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root)");
        return;
    };
    let db_size = std::fs::metadata(&db).unwrap().len();
    assert!(db_size > 64 * 1024, "the copy ({db_size} bytes) must not fit");
    let target = out_dir.join("b.db");
    for lang in ["en", "zh-CN"] {
        let (code, out, err) = run(yunwei(home.path())
            .args(["--lang", lang, "--db"])
            .arg(&db)
            .args(["db", "backup"])
            .arg(&target));
        let says = if lang == "en" {
            "the disk is full; no backup and no partial file were left"
        } else {
            "磁盘已满；没有留下备份，也没有留下残缺文件"
        };
        assert_eq!((code, out.as_str()), (1, ""), "{err}");
        assert!(err.contains(&target.display().to_string()) && err.contains(says), "{err}");
        assert_eq!(names_in(&out_dir), Vec::<String>::new());
    }
    assert_eq!(sqlite3(&db, "SELECT count(*) FROM audit"), "0", "no backup, no audit row");
}

#[test]
fn a_read_only_database_is_backed_up_and_the_missing_audit_row_is_said() {
    let home = tempfile::tempdir().unwrap();
    let db = db_with_samples(home.path(), 10);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(&db).unwrap();
    for (lang, says) in [
        ("en", "warning: the database {db} is read-only (mode 0444: not writable by its owner), so this backup could not be written to its audit log"),
        ("zh-CN", "警告：数据库 {db} 只读（权限 0444：属主不可写），因此本次备份无法记入其审计日志"),
    ] {
        let target = home.path().join(format!("b-{lang}.db"));
        let (code, out, err) =
            run(yunwei(home.path()).args(["--lang", lang, "--db"]).arg(&db).args(["db", "backup"]).arg(&target));
        assert_eq!(code, 0, "{err}");
        assert!(out.starts_with(&target.display().to_string()), "{out}");
        assert!(err.contains(&says.replace("{db}", &db.display().to_string())), "{err}");
        assert_eq!((mode(&target), sqlite3(&target, "SELECT count(*) FROM health_raw")), (0o600, "10".into()));
    }
    assert_eq!((mode(&db), std::fs::read(&db).unwrap() == before), (0o444, true));
}

#[test]
fn check_passes_a_sound_database_and_fails_a_damaged_one() {
    let home = tempfile::tempdir().unwrap();
    let db = db_with_samples(home.path(), 3000);
    let (code, out, err) = run(yunwei(home.path()).arg("--db").arg(&db).args(["db", "check"]));
    assert_eq!(code, 0, "{out}{err}");
    let own = format!("ok    schema version {}, this yunwei's own", yunwei::store::SCHEMA_VERSION);
    for line in [
        "ok    integrity (integrity_check): ok",
        "ok    foreign keys: every reference resolves",
        own.as_str(),
        "ok    file mode 0600: its owner's only",
        "all is well",
    ] {
        assert!(out.contains(line), "{line}:\n{out}");
    }
    let (code, out, _) =
        run(yunwei(home.path()).arg("--db").arg(&db).args(["db", "check", "--quick", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (code, &v["ok"], &v["check"], &v["schema_version"]),
        (0, &true.into(), &"quick_check".into(), &yunwei::store::SCHEMA_VERSION.into())
    );
    for key in [
        "path",
        "integrity_ok",
        "integrity_errors",
        "foreign_key_violations",
        "journal_mode",
        "file_mode",
        "checks",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }

    // Others may read it: a warning, not a failure.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, out, _) = run(yunwei(home.path()).arg("--db").arg(&db).args(["db", "check"]));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("warn  ")
            && out.contains("mode 0644: others may read it")
            && out.contains("no problem; warnings: 1"),
        "{out}"
    );
    assert_eq!(mode(&db), 0o644, "checking changes nothing");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o600)).unwrap();

    damage(&db);
    for (lang, says) in [
        ("en", "FAIL  integrity (integrity_check): damaged; SQLite reports:"),
        ("zh-CN", "失败  完整性（integrity_check）：已损坏；SQLite 报告："),
    ] {
        let (code, out, err) =
            run(yunwei(home.path()).args(["--lang", lang, "--db"]).arg(&db).args(["db", "check"]));
        assert_eq!(code, 1, "{out}{err}");
        assert!(out.contains(says), "{out}");
    }
    let (code, out, _) = run(yunwei(home.path()).arg("--db").arg(&db).args(["db", "check", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((code, &v["ok"], &v["integrity_ok"]), (1, &false.into(), &false.into()), "{v}");
    // A file that is no database, and none at all.
    std::fs::write(home.path().join("notes.db"), "my notes\n".repeat(300)).unwrap();
    for name in ["notes.db", "none.db"] {
        let (code, out, _) =
            run(yunwei(home.path()).arg("--db").arg(home.path().join(name)).args(["db", "check"]));
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("FAIL  cannot be checked: "), "{out}");
    }
    assert!(!home.path().join("none.db").exists());
}

#[test]
fn check_says_a_newer_schema_is_newer() {
    let home = tempfile::tempdir().unwrap();
    let db = db_with_samples(home.path(), 1);
    let newer = yunwei::store::SCHEMA_VERSION + 2;
    sqlite3(&db, &format!("UPDATE schema_version SET version = {newer}"));
    let (code, out, _) = run(yunwei(home.path()).arg("--db").arg(&db).args(["db", "check"]));
    assert_eq!(code, 1);
    let said = format!(
        "FAIL  schema version {newer} is newer than this yunwei knows ({})",
        yunwei::store::SCHEMA_VERSION
    );
    assert!(out.contains(&said), "{out}");
    // And it can still be backed up (before anyone upgrades anything).
    let (code, _, err) =
        run(yunwei(home.path()).arg("--db").arg(&db).args(["db", "backup"]).arg(home.path().join("b.db")));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn stats_count_what_the_sqlite3_shell_counts_aligned_in_both_languages() {
    let home = tempfile::tempdir().unwrap();
    let db = db_with_samples(home.path(), 2500);
    let (code, out, err) = run(yunwei(home.path()).arg("--db").arg(&db).args(["db", "stats", "--json"]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["bytes_source"], "dbstat");
    assert_eq!(v["file_bytes"].as_u64(), Some(std::fs::metadata(&db).unwrap().len()));
    for t in v["tables"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        assert_eq!(t["rows"].to_string(), sqlite3(&db, &format!("SELECT count(*) FROM {name}")), "{name}");
        let bytes = sqlite3(
            &db,
            // A full-text table's bytes are its shadow tables' (which are not listed).
            &format!(
                "SELECT sum(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = '{name}'
                 OR tbl_name IN ('{name}_data', '{name}_idx', '{name}_content', '{name}_docsize', '{name}_config'))"
            ),
        );
        assert_eq!(t["bytes"].to_string(), bytes, "{name}");
    }
    assert_eq!(v["health"]["rows"], 2500);
    assert_eq!(v["health"]["oldest"], 1_700_000_000);
    assert_eq!(v["health"]["newest"], 1_700_002_499);
    assert_eq!(v["audit"]["rows"], 0);

    for lang in ["en", "zh-CN"] {
        let (code, out, err) =
            run(yunwei(home.path()).args(["--lang", lang, "--db"]).arg(&db).args(["db", "stats"]));
        assert_eq!(code, 0, "{err}");
        // The table of tables: every row ends its Rows, Size and Share columns at the same
        // display column, Chinese headers included.
        let header = if lang == "en" { "Table" } else { "表" };
        let lines: Vec<&str> =
            out.lines().skip_while(|l| !l.starts_with(header)).take_while(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 37, "the header, 35 tables and the total: {out}");
        let widths: Vec<usize> = lines.iter().map(|l| yunwei_widgets::width::width(l)).collect();
        assert!(widths.iter().all(|w| *w == widths[0]), "{widths:?}\n{out}");
        let health = lines.iter().find(|l| l.starts_with("health_raw")).unwrap();
        assert!(health.split_whitespace().nth(1) == Some("2500"), "{health}");
        let says = if lang == "en" {
            "health samples    2500 rows; oldest "
        } else {
            "健康采样    2500 行；最早 "
        };
        assert!(out.contains(says), "{out}");
    }
}

#[test]
fn db_help_completions_and_refused_options() {
    let home = tempfile::tempdir().unwrap();
    let (code, out, _) = run(yunwei(home.path()).args(["--lang", "zh-CN", "db", "--help"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("维护运维台自身的数据库") && out.contains("backup") && out.contains("用法："),
        "{out}"
    );
    let (_, out, _) = run(yunwei(home.path()).args(["--lang", "zh-CN", "db", "backup", "--help"]));
    assert!(out.contains("要创建的备份文件") && out.contains("FILE 已存在时替换它"), "{out}");
    let (_, out, _) = run(yunwei(home.path()).args(["db", "check", "--help"]));
    assert!(out.contains("Run quick_check instead"), "{out}");
    for shell in ["bash", "zsh", "fish"] {
        let (_, out, _) = run(yunwei(home.path()).args(["completions", shell]));
        for word in ["backup", "stats", "quick", "force"] {
            assert!(out.contains(word), "{shell} completion lacks {word}");
        }
    }
    for args in [
        vec!["--theme", "mono", "db", "check"],
        vec!["db", "stats", "--keymap", "vim"],
        vec!["db", "backup", "x.db", "--theme", "dark"],
    ] {
        let (code, _, err) = run(yunwei(home.path()).args(&args));
        assert_eq!(code, 2, "{args:?}");
        let sub = format!("db {}", args.iter().find(|a| ["check", "stats", "backup"].contains(a)).unwrap());
        assert!(err.contains(&format!("has no effect on 'yunwei {sub}'")), "{err}");
    }
    // --config and --db are what they use.
    let (code, _, err) = run(yunwei(home.path()).args(["--config", "/no/such.toml", "db", "check"]));
    assert_eq!(code, 1, "{err}");
}
