//! `yunwei logs` as the built binary: whole files (UTF-8 and GBK, escape sequences, masking,
//! --grep/--exclude like grep -E) and --follow across appends, rotation by rename and
//! copy-truncate, with no line lost or repeated.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The database `--no-mask` audits into: one per test process, never the user's own, under
/// cargo's scratch folder for tests (a folder in /tmp outlived every run).
fn test_db() -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("logs-cli-{}", std::process::id()));
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

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, bad) = encoding_rs::GBK.encode(text);
    assert!(!bad);
    bytes.into_owned()
}

/// A file with one GBK line between UTF-8 lines: the GBK line is read as GBK and the UTF-8
/// lines after it stay UTF-8, whole and followed.
#[test]
fn one_gbk_line_in_a_utf8_file_decodes_per_line_whole_and_followed() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("mixed.log");
    let mut bytes = "2026-11-27 03:00:01 INFO 第一行\n".as_bytes().to_vec();
    bytes.extend(gbk("2026-11-27 03:00:02 ERROR 错误：数据库连接失败\n"));
    bytes.extend("2026-11-27 03:00:03 INFO 恢复正常\n".as_bytes());
    fs::write(&log, &bytes).unwrap();
    let want = [
        "2026-11-27 03:00:01 INFO 第一行",
        "2026-11-27 03:00:02 ERROR 错误：数据库连接失败",
        "2026-11-27 03:00:03 INFO 恢复正常",
    ];
    let out = yunwei().arg("logs").arg(&log).output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().collect::<Vec<_>>(), want);
    let mut child =
        yunwei().args(["logs", "-f"]).arg(&log).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let rx = lines_of(&mut child);
    expect(&rx, &want);
    append(&log, &gbk("2026-11-27 03:00:04 WARN 警告\n"));
    append(&log, "2026-11-27 03:00:05 INFO 之后\n".as_bytes());
    expect(&rx, &["2026-11-27 03:00:04 WARN 警告", "2026-11-27 03:00:05 INFO 之后"]);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn follow_prints_what_fifo_writers_send_and_a_file_beside_it_goes_on_without_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("app.fifo");
    mkfifo(&fifo);
    let log = dir.path().join("app.log");
    fs::write(&log, "").unwrap();
    let mut child = yunwei()
        .args(["logs", "-f"])
        .arg(&fifo)
        .arg(&log)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let rx = lines_of(&mut child);
    std::thread::sleep(Duration::from_millis(300));
    // No writer has the FIFO open: the file's lines still come.
    append(&log, b"file line 1\n");
    expect(&rx, &[&format!("==> {} <==", log.display()), "file line 1"]);
    // A writer: what it sends is printed, and its last line when it closes.
    {
        let mut w = fs::OpenOptions::new().write(true).open(&fifo).unwrap();
        w.write_all("fifo 第一行\nfifo last without newline".as_bytes()).unwrap();
    }
    expect(&rx, &[&format!("==> {} <==", fifo.display()), "fifo 第一行", "fifo last without newline"]);
    append(&log, b"file line 2\n");
    expect(&rx, &[&format!("==> {} <==", log.display()), "file line 2"]);
    // A second writer later.
    fs::OpenOptions::new().write(true).open(&fifo).unwrap().write_all(b"fifo again\n").unwrap();
    expect(&rx, &[&format!("==> {} <==", fifo.display()), "fifo again"]);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn a_fifo_is_read_whole_until_its_writers_close() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("app.fifo");
    mkfifo(&fifo);
    let child = yunwei().arg("logs").arg(&fifo).stdout(Stdio::piped()).spawn().unwrap();
    {
        let mut w = fs::OpenOptions::new().write(true).open(&fifo).unwrap();
        w.write_all(b"one\n").unwrap();
        std::thread::sleep(Duration::from_millis(200));
        w.write_all(b"two 13912345678").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "one\ntwo 139****5678\n");
}

#[test]
fn binary_files_and_dev_zero_are_named_binary_not_printed() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("core.dump");
    let mut bytes = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0".to_vec();
    bytes.extend_from_slice(b"\x1b]0;pwned\x07 \xff\xfe and a newline\n");
    fs::write(&bin, &bytes).unwrap();
    let text = dir.path().join("app.log");
    fs::write(&text, "a line\n").unwrap();
    let out = yunwei().arg("logs").arg(&bin).arg(&text).arg("/dev/zero").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout, format!("{}:a line\n", text.display()), "nothing of the binary files");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains(&format!("{}: binary file; not shown", bin.display())), "{stderr}");
    assert!(stderr.contains("/dev/zero: binary file; not shown"), "{stderr}");
    // In Chinese, and followed.
    let out = yunwei().args(["--lang", "zh-CN", "logs"]).arg(&bin).output().unwrap();
    assert!(String::from_utf8(out.stderr).unwrap().contains("二进制文件，不显示"));
    let mut child = yunwei()
        .args(["logs", "-f"])
        .arg("/dev/zero")
        .arg(&text)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let rx = lines_of(&mut child);
    expect(&rx, &[&format!("==> {} <==", text.display()), "a line"]);
    append(&text, b"more\n");
    expect(&rx, &["more"]);
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("/dev/zero: binary file; not shown"));
}

#[test]
fn a_line_over_the_bound_is_cut_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("big.log");
    let mut bytes = b"2026-11-27 03:00:01 ERROR payload ".to_vec();
    bytes.resize((1 << 20) + 500, b'x');
    bytes.extend_from_slice(b" end\nnext\n");
    fs::write(&log, &bytes).unwrap();
    let out = yunwei().arg("logs").arg(&log).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("2026-11-27 03:00:01 ERROR payload xxx"));
    assert!(lines[0].ends_with("xxx [line cut at 1 MiB]"), "{}", &lines[0][lines[0].len() - 40..]);
    assert!(lines[1].ends_with("x end") && !lines[1].contains("cut at"));
    assert_eq!(lines[2], "next");
    let out = yunwei().args(["--lang", "zh-CN", "logs"]).arg(&log).output().unwrap();
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .ends_with(" [该行超过 1 MiB，已截断]"));
    let mut child = yunwei()
        .args(["logs", "-f", "-n", "5"])
        .arg(&log)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let rx = lines_of(&mut child);
    let first = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(first.ends_with("xxx [line cut at 1 MiB]"));
    let _ = child.kill();
    let _ = child.wait();
}

/// A stand-in for journalctl on the PATH: prints the captured real entries (all, or those
/// after `--after-cursor`) and logs its arguments.
fn fake_journal(dir: &Path) -> String {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/captures/journal/debian12-systemd252.json");
    let script = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$*\" >> {dir}/args\nafter=\nfor a do case \"$a\" in --after-cursor=*) after=${{a#--after-cursor=}} ;; esac; done\n\
         if [ -n \"$after\" ]; then awk -v c=\"$after\" 'found {{ print }} index($0, c) {{ found = 1 }}' {f}; else cat {f}; fi\n",
        dir = dir.display(),
        f = fixture.display()
    );
    let path = dir.join("journalctl");
    fs::write(&path, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default())
}

#[test]
fn the_journal_is_read_through_journalctl() {
    let dir = tempfile::tempdir().unwrap();
    let path = fake_journal(dir.path());
    let out = yunwei().env("PATH", &path).args(["logs", "--journal", "--unit", "nginx"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 8, "{stdout}");
    assert!(lines[0].ends_with(
        "vm nginx[9521]: connect() failed (111: Connection refused) while connecting to upstream"
    ));
    assert!(lines[1].ends_with("app[9521]: 错误：数据库连接失败"), "the GBK message: {}", lines[1]);
    assert_eq!(lines[4], "\tat X.y(X.java:1)");
    assert!(!stdout.contains('\u{1b}'));
    let args = fs::read_to_string(dir.path().join("args")).unwrap();
    assert!(args.contains("-o json --all --no-pager --quiet --unit=nginx"), "{args}");
    assert!(!args.contains("--follow"));
    // --grep works on journal lines as on files.
    let out = yunwei().env("PATH", &path).args(["logs", "--journal", "--grep", "登录"]).output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 1);
    // --unit needs --journal, and --journal names no files.
    let out = yunwei().args(["logs", "--unit", "nginx", "/tmp/x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = yunwei().args(["logs", "--journal", "/tmp/x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    // Followed: journalctl ending (as when journald restarts) is started again after the
    // last entry's cursor, so nothing is printed twice.
    let mut child = yunwei()
        .env("PATH", &path)
        .args(["logs", "--journal", "-f", "-n", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let rx = lines_of(&mut child);
    let mut got = Vec::new();
    while let Ok(l) = rx.recv_timeout(Duration::from_secs(3)) {
        got.push(l);
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(got.len(), 8, "{got:#?}");
    let args = fs::read_to_string(dir.path().join("args")).unwrap();
    let follows: Vec<&str> = args.lines().filter(|l| l.contains("--follow")).collect();
    assert!(follows.len() >= 2, "{args}");
    assert!(follows[0].contains("--lines=3"));
    assert!(follows[1].contains("--after-cursor=s=433871926244487eb2358c86af3108a0;i=10;"), "{args}");
}
