//! `yunwei logs` as the built binary: whole files (UTF-8 and GBK, escape sequences, masking,
//! --grep/--exclude like grep -E) and --follow across appends, rotation by rename and
//! copy-truncate, with no line lost or repeated.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The database `--no-mask` audits into: one per test process, never the user's own.
fn test_db() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("yunwei-logs-cli-{}", std::process::id()));
    // A folder named by $YUNWEI_DB must exist: yunwei creates only its default data folder.
    fs::create_dir_all(&dir).unwrap();
    dir.join("y.db")
}

fn yunwei() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yunwei"));
    c.env_remove("YUNWEI_CONFIG").env("LANG", "C.UTF-8").env("YUNWEI_DB", test_db());
    c
}

fn append(path: &Path, text: &[u8]) {
    let mut f = fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
    f.write_all(text).unwrap();
}

#[test]
fn whole_files_are_decoded_sanitised_masked_and_filtered() {
    let dir = tempfile::tempdir().unwrap();
    let utf8 = dir.path().join("app.log");
    fs::write(
        &utf8,
        "2026-11-27 03:04:05,123 ERROR 办理人身份证11010519491231002X 电话+86 13812345678\n\
         \tat com.example.Svc.run(Svc.java:42)\n\
         2026-11-27 03:04:06,000 INFO title \u{1b}]0;pwned\u{7} link \u{1b}]8;;http://x\u{1b}\\here\u{1b}]8;;\u{1b}\\ \u{202e}cba\n\
         2026-11-27 03:04:07,000 WARN wrong check digit 110105194912310025 and run 1381234567890123\n",
    )
    .unwrap();
    let gbk = dir.path().join("gbk.log");
    // 警告：磁盘已满 in GBK, with a four-byte GB18030 character (U+20000) after it.
    let mut bytes = vec![0xbe, 0xaf, 0xb8, 0xe6, 0xa3, 0xba, 0xb4, 0xc5, 0xc5, 0xcc, 0xd2, 0xd1, 0xc2, 0xfa];
    bytes.extend([b' ', 0x95, 0x32, 0x82, 0x36, b'\n']);
    fs::write(&gbk, &bytes).unwrap();

    let out = yunwei().arg("logs").arg(&utf8).arg(&gbk).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{7}'), "{text:?}");
    assert!(text.contains("110105********002X"), "{text}");
    assert!(text.contains("+86 138****5678"), "{text}");
    assert!(text.contains("110105194912310025"), "a wrong check digit is not an ID: {text}");
    assert!(text.contains("1381234567890123"), "a longer digit run is not a mobile: {text}");
    assert!(text.contains("gbk.log:警告：磁盘已满 \u{20000}"), "{text}");
    assert!(text
        .lines()
        .all(|l| l.starts_with(&*utf8.to_string_lossy()) || l.starts_with(&*gbk.to_string_lossy())));

    // --grep keeps lines matching any pattern, --exclude drops, like grep -E; --no-mask shows all.
    let out = yunwei()
        .args(["logs", "--grep", "ERROR|WARN", "--grep", "磁盘", "--exclude", "wrong", "--no-mask"])
        .arg(&utf8)
        .arg(&gbk)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("11010519491231002X"), "{text}");
    // A search for a number that is masked finds nothing (as in the pane); --no-mask finds it.
    let out = yunwei().args(["logs", "--grep", "11010519491231002X"]).arg(&utf8).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "masked numbers cannot be searched for");
    let out =
        yunwei().args(["logs", "--no-mask", "--grep", "11010519491231002X"]).arg(&utf8).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    let out = yunwei().args(["logs", "--grep", "ERROR"]).arg(&utf8).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("110105********002X") && !text.contains("11010519491231002X"), "{text}");
    // A bad pattern is a usage error; a missing file is reported and the others still printed.
    assert_eq!(yunwei().args(["logs", "--grep", "("]).arg(&utf8).output().unwrap().status.code(), Some(2));
    let out = yunwei().args(["logs"]).arg(dir.path().join("missing.log")).arg(&gbk).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.log"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("磁盘"));
}

/// Reads the follower's output lines on a thread, so the test can wait with a timeout.
fn lines_of(child: &mut std::process::Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

fn expect(rx: &mpsc::Receiver<String>, want: &[&str]) {
    for w in want {
        let got = rx.recv_timeout(Duration::from_secs(5)).unwrap_or_else(|_| panic!("no line {w:?}"));
        assert_eq!(&got, w);
    }
}

#[test]
fn follow_survives_rotation_and_truncation_without_losing_or_repeating_lines() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    fs::write(&log, "old-1\nold-2\nold-3\n").unwrap();
    let mut child = yunwei()
        .args(["logs", "--follow", "--lines", "2"])
        .arg(&log)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let rx = lines_of(&mut child);
    expect(&rx, &["old-2", "old-3"]);
    append(&log, b"new-1\nnew-");
    expect(&rx, &["new-1"]);
    append(&log, b"2 \x1b[31mred\x1b[0m 13912345678\n");
    expect(&rx, &["new-2 red 139****5678"]);
    // Rotation by rename: what is written to the old file after the rename still comes first.
    fs::rename(&log, dir.path().join("app.log.1")).unwrap();
    append(&dir.path().join("app.log.1"), b"late-1\n");
    std::thread::sleep(Duration::from_millis(50));
    fs::write(&log, "rot-1\n").unwrap();
    expect(&rx, &["late-1", "rot-1"]);
    // Copy-truncate: the file shrinks, reading starts again at 0.
    fs::write(&log, "").unwrap();
    std::thread::sleep(Duration::from_millis(400));
    append(&log, b"trunc-1\n");
    expect(&rx, &["trunc-1"]);
    // Nothing else was printed: no line repeated.
    assert!(rx.recv_timeout(Duration::from_millis(600)).is_err());
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn no_mask_is_an_audit_row_before_anything_is_printed() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("id.log");
    fs::write(&log, "2026-11-27 03:04:05 INFO 身份证11010519491231002X\n").unwrap();
    let db = dir.path().join("data").join("y.db");
    // A folder the user names must exist: yunwei creates only its default data folder.
    fs::create_dir(dir.path().join("data")).unwrap();
    let out = yunwei()
        .env("YUNWEI_DB", &db)
        .env("YUNWEI_OPERATOR", "zhang.san")
        .args(["logs", "--no-mask"])
        .arg(&log)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("11010519491231002X"));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let rows: Vec<(String, String, String)> = conn
        .prepare("SELECT operator, action, target FROM audit")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows, vec![("zhang.san".into(), "logs.no_mask".into(), log.display().to_string())]);
    // Masked output needs no record.
    yunwei().env("YUNWEI_DB", &db).arg("logs").arg(&log).output().unwrap();
    let n: i64 = conn.query_row("SELECT count(*) FROM audit", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
    // No audit log, no unmasked output.
    let out = yunwei()
        .env("YUNWEI_DB", "/proc/yunwei-none/y.db")
        .args(["logs", "--no-mask"])
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("audit"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
