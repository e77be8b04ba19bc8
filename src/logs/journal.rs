//! The systemd journal as a log source: the `journalctl` command lines (followed locally, read in
//! bounded one-shot chunks over SSH), and the parsing of its `-o json` output into records.
//!
//! Every entry carries a `__CURSOR`; the last one taken is kept, and every later read starts
//! with `--after-cursor`, so a restarted `journalctl`, a reconnect or a restarted remote sshd
//! resumes exactly after the last entry shown: none twice, none lost.
//!
//! The JSON fields used, as `journalctl -o json` writes them:
//! - `MESSAGE`: a string; an array of byte values when it is not valid UTF-8 (decoded then as the
//!   source's encoding says, GBK included); `null` when journalctl left it out (`--all` is
//!   always passed, so only a journal that lost it gives that).
//! - `__REALTIME_TIMESTAMP`: microseconds since the epoch, as a decimal string.
//! - `PRIORITY`: `0` (emerg) to `7` (debug), the syslog levels.
//! - `SYSLOG_IDENTIFIER`, else `_COMM`, and `_PID`: who wrote it; `_HOSTNAME`.

use std::ffi::OsStr;
use std::io::{self, BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use crate::logs::decode::Decoder;
use crate::logs::record::{Record, Severity};
use crate::logs::sanitize::sanitize_text;
use crate::text::shell_quote;

/// The longest line of `journalctl -o json` output taken: a longer one (an entry of megabytes)
/// is skipped, so memory stays bounded.
pub const MAX_JSON_LINE: usize = 4 << 20;

/// The most entries one remote read brings back.
pub const REMOTE_CHUNK: usize = 2000;

/// What a journal source follows: the whole journal, or one unit's entries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JournalSpec {
    /// A systemd unit (`nginx` or `nginx.service`), passed to `journalctl --unit`.
    pub unit: Option<String>,
}

/// Where to start when no cursor is known yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JournalStart {
    /// The whole journal.
    All,
    /// The last n entries.
    Last(usize),
}

/// The arguments of `journalctl` (without the program name): JSON, every field whole, no
/// pager; after `cursor` when one is known, else as `start` says; following when `follow`.
pub fn args(spec: &JournalSpec, cursor: Option<&str>, start: JournalStart, follow: bool) -> Vec<String> {
    let mut a: Vec<String> = ["-o", "json", "--all", "--no-pager", "--quiet"].map(String::from).to_vec();
    if let Some(unit) = &spec.unit {
        a.push(format!("--unit={unit}"));
    }
    match (cursor, start) {
        (Some(c), _) => a.push(format!("--after-cursor={c}")),
        (None, JournalStart::Last(n)) => a.push(format!("--lines={n}")),
        (None, JournalStart::All) => {}
    }
    if follow {
        a.push("--follow".into());
    }
    a
}

/// The one-shot command a remote read runs: the entries after `cursor` (or the last `start`
/// ones when none is known yet), at most [`REMOTE_CHUNK`] of them, every argument quoted. A
/// host without journalctl answers `@@yw nojournal` (on stdout: it is ours).
pub fn remote_command(spec: &JournalSpec, cursor: Option<&str>, start: JournalStart) -> String {
    let quoted: Vec<String> = args(spec, cursor, start, false).iter().map(|a| shell_quote(a)).collect();
    let script = "command -v journalctl >/dev/null 2>&1 || { echo '@@yw nojournal'; exit 0; }\n\
                  max=$1; shift\n\
                  journalctl \"$@\" | head -n \"$max\"\n";
    format!("sh -c {} yunwei-journal {} {}", shell_quote(script), REMOTE_CHUNK, quoted.join(" "))
}

/// Whether a remote read's output says the host has no journalctl.
pub fn no_journal(output: &[u8]) -> bool {
    output.starts_with(b"@@yw nojournal")
}

/// One journal entry, as much of it as a record needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub cursor: String,
    /// Microseconds since the epoch.
    pub realtime_us: Option<i64>,
    pub priority: Option<u8>,
    /// The message's bytes (a string's UTF-8, or the array's values); empty for `null`.
    pub message: Vec<u8>,
    /// `SYSLOG_IDENTIFIER`, else `_COMM`.
    pub ident: Option<String>,
    pub pid: Option<String>,
    pub hostname: Option<String>,
}

/// Parses one line of `journalctl -o json`. An entry without `__CURSOR` is an error: without it
/// no read could resume after it.
pub fn parse(line: &[u8]) -> Result<Entry, String> {
    let value: Value = serde_json::from_slice(line).map_err(|e| format!("not journal JSON: {e}"))?;
    let Value::Object(map) = value else { return Err("not a journal entry (no JSON object)".into()) };
    let text = |key: &str| -> Option<String> {
        match map.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Array(bytes) => Some(String::from_utf8_lossy(&array_bytes(bytes)).into_owned()),
            _ => None,
        }
    };
    let cursor = match map.get("__CURSOR") {
        Some(Value::String(c)) if !c.is_empty() => c.clone(),
        _ => return Err("a journal entry without __CURSOR".into()),
    };
    let message = match map.get("MESSAGE") {
        Some(Value::String(s)) => s.clone().into_bytes(),
        Some(Value::Array(bytes)) => array_bytes(bytes),
        _ => Vec::new(),
    };
    Ok(Entry {
        cursor,
        realtime_us: text("__REALTIME_TIMESTAMP").and_then(|t| t.trim().parse().ok()),
        priority: text("PRIORITY").and_then(|p| p.trim().parse().ok()).filter(|p| *p <= 7),
        message,
        ident: text("SYSLOG_IDENTIFIER").or_else(|| text("_COMM")).filter(|s| !s.is_empty()),
        pid: text("_PID").filter(|s| !s.is_empty()),
        hostname: text("_HOSTNAME").filter(|s| !s.is_empty()),
    })
}

/// The bytes of a JSON array of byte values (anything else in it is skipped).
fn array_bytes(values: &[Value]) -> Vec<u8> {
    values.iter().filter_map(|v| v.as_u64().and_then(|n| u8::try_from(n).ok())).collect()
}

/// The severity of a syslog priority.
pub fn severity_of(priority: u8) -> Severity {
    match priority {
        0..=2 => Severity::Fatal,
        3 => Severity::Error,
        4 => Severity::Warn,
        5 => Severity::Notice,
        6 => Severity::Info,
        _ => Severity::Debug,
    }
}

/// The entry as a record, in the offset of `now`: the first line as `journalctl -o short-iso`
/// writes it (`2026-11-27T03:04:05+0800 web1 nginx[812]: message`), the message's further lines
/// after it. The message is decoded per line by `decoder` and everything is sanitised (names
/// included: they come from the logged process).
pub fn to_record(entry: &Entry, decoder: &mut Decoder, now: DateTime<FixedOffset>) -> Record {
    let ts =
        entry.realtime_us.and_then(DateTime::from_timestamp_micros).map(|t| t.with_timezone(now.offset()));
    let mut head = String::new();
    if let Some(ts) = ts {
        head.push_str(&ts.format("%Y-%m-%dT%H:%M:%S%z ").to_string());
    }
    if let Some(host) = &entry.hostname {
        head.push_str(host);
        head.push(' ');
    }
    if let Some(ident) = &entry.ident {
        head.push_str(ident);
        if let Some(pid) = &entry.pid {
            head.push_str(&format!("[{pid}]"));
        }
        head.push_str(": ");
    }
    let head = sanitize_text(&head).into_owned();
    let message = entry.message.strip_suffix(b"\n").unwrap_or(&entry.message);
    let text = decoder.decode(message);
    let mut lines: Vec<String> =
        text.split('\n').map(|l| sanitize_text(l.trim_end_matches('\r')).into_owned()).collect();
    if let Some(first) = lines.first_mut() {
        first.insert_str(0, &head);
    }
    let severity = entry.priority.map(severity_of);
    Record::whole(ts, severity, lines)
}

/// A local `journalctl` running as a child process, its output read on a thread of its own (a
/// journalctl that says nothing holds nobody up). Dropping it ends the child.
pub struct LocalJournal {
    child: Child,
    lines: Receiver<Result<Vec<u8>, String>>,
    stderr: Arc<Mutex<String>>,
    ended: bool,
}

/// What [`LocalJournal::poll`] found.
#[derive(Debug, Default)]
pub struct JournalRead {
    /// Entries in order; a line that is not an entry is an `Err` saying why.
    pub entries: Vec<Result<Entry, String>>,
    /// `Some` once journalctl has ended: `Ok` when it exited successfully, else what it said.
    pub ended: Option<Result<(), String>>,
}

/// The most lines one [`LocalJournal::poll`] hands out.
const POLL_LINES: usize = 5000;

impl LocalJournal {
    /// Starts `program` (`journalctl`, or a stand-in) with [`args`].
    pub fn spawn(
        program: &OsStr,
        spec: &JournalSpec,
        cursor: Option<&str>,
        start: JournalStart,
        follow: bool,
    ) -> io::Result<LocalJournal> {
        let mut child = Command::new(program)
            .args(args(spec, cursor, start, follow))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env("SYSTEMD_PAGER", "")
            .spawn()?;
        let (tx, lines) = mpsc::sync_channel(POLL_LINES);
        if let Some(stdout) = child.stdout.take() {
            std::thread::Builder::new().name("yunwei-journal-read".into()).spawn(move || {
                let mut reader = BufReader::with_capacity(64 * 1024, stdout);
                loop {
                    let mut line = Vec::new();
                    let (item, go_on) = match read_bounded_line(&mut reader, &mut line, MAX_JSON_LINE) {
                        Ok(None) => return,
                        Ok(Some(true)) => (Ok(line), true),
                        Ok(Some(false)) => {
                            (Err(format!("a journal entry over {} MiB skipped", MAX_JSON_LINE >> 20)), true)
                        }
                        Err(e) => (Err(format!("cannot read journalctl's output: {e}")), false),
                    };
                    if tx.send(item).is_err() || !go_on {
                        return;
                    }
                }
            })?;
        }
        let stderr = Arc::new(Mutex::new(String::new()));
        if let Some(mut err) = child.stderr.take() {
            let said = Arc::clone(&stderr);
            std::thread::Builder::new().name("yunwei-journal-err".into()).spawn(move || {
                let mut text = Vec::new();
                // The first few KiB say why; the rest is read and dropped so the child never
                // blocks on a full pipe.
                let _ = (&mut err).take(4096).read_to_end(&mut text);
                if let Ok(mut s) = said.lock() {
                    *s = String::from_utf8_lossy(&text).trim().to_string();
                }
                let _ = io::copy(&mut err, &mut io::sink());
            })?;
        }
        Ok(LocalJournal { child, lines, stderr, ended: false })
    }

    /// Waits up to `wait` for output, then takes what else is there (up to a bound).
    pub fn poll(&mut self, wait: Duration) -> JournalRead {
        let mut read = JournalRead::default();
        if self.ended {
            return read;
        }
        let mut next = self.lines.recv_timeout(wait);
        loop {
            match next {
                Ok(Ok(line)) => {
                    if !line.iter().all(u8::is_ascii_whitespace) {
                        read.entries.push(parse(&line));
                    }
                }
                Ok(Err(e)) => read.entries.push(Err(e)),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => {
                    self.ended = true;
                    read.ended = Some(self.exit());
                    break;
                }
            }
            if read.entries.len() >= POLL_LINES {
                break;
            }
            next = self.lines.try_recv().map_err(|e| match e {
                mpsc::TryRecvError::Empty => RecvTimeoutError::Timeout,
                mpsc::TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
            });
        }
        read
    }

    fn exit(&mut self) -> Result<(), String> {
        let status = self.child.wait().map_err(|e| e.to_string())?;
        // The stderr thread may still be taking the last words.
        std::thread::sleep(Duration::from_millis(20));
        let said = self.stderr.lock().map(|s| s.clone()).unwrap_or_default();
        match (status.success(), said.is_empty()) {
            (true, _) => Ok(()),
            (false, true) => Err(format!("journalctl ended: {status}")),
            (false, false) => Err(said),
        }
    }
}

impl Drop for LocalJournal {
    fn drop(&mut self) {
        if !self.ended {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Reads one line (without its `\n`) into `line`, at most `max` bytes of it: `None` at the end
/// of the input, `Some(false)` for a longer line (skipped to its end, `line` left empty).
fn read_bounded_line(reader: &mut impl BufRead, line: &mut Vec<u8>, max: usize) -> io::Result<Option<bool>> {
    line.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(any.then_some(!too_long));
        }
        any = true;
        let (part, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        if !too_long {
            if line.len() + part.len() > max {
                too_long = true;
                line.clear();
            } else {
                line.extend_from_slice(part);
            }
        }
        let used = done.unwrap_or(buf.len());
        reader.consume(used);
        if done.is_some() {
            return Ok(Some(!too_long));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::decode::Encoding;
    use crate::testdata::own_fixture;

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-12-01T12:00:00+08:00").unwrap()
    }

    /// Captured from a real systemd 252 journald (Debian 12): see the fixture's README.
    fn fixture() -> Vec<Entry> {
        own_fixture("journal/debian12-systemd252.json")
            .lines()
            .map(|l| parse(l.as_bytes()).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    #[test]
    fn real_journal_json_becomes_records() {
        let entries = fixture();
        assert_eq!(entries.len(), 7);
        let mut d = Decoder::new(Encoding::Auto);
        let records: Vec<Record> = entries.iter().map(|e| to_record(e, &mut d, now())).collect();
        // A string MESSAGE, PRIORITY 3, SYSLOG_IDENTIFIER and _PID.
        assert_eq!(
            records[0].lines,
            ["2026-12-01T23:19:15+0800 vm nginx[9521]: connect() failed (111: Connection refused) while connecting to upstream"]
        );
        assert_eq!(records[0].severity, Some(Severity::Error));
        assert_eq!(records[0].ts.unwrap().timestamp_micros(), entries[0].realtime_us.unwrap());
        // MESSAGE as an array of bytes: GBK, decoded as GBK by auto.
        assert!(records[1].lines[0].ends_with("app[9521]: 错误：数据库连接失败"), "{:?}", records[1].lines);
        assert_eq!(records[1].severity, Some(Severity::Warn));
        assert!(records[2].lines[0].ends_with("app[9521]: 用户登录成功"));
        assert_eq!(records[2].severity, Some(Severity::Info));
        // A message of several lines is one record of several lines.
        assert_eq!(records[3].lines.len(), 2);
        assert_eq!(records[3].lines[1], "\tat X.y(X.java:1)");
        // MESSAGE null (journalctl without --all leaves out fields over 4096 bytes).
        assert_eq!(entries[4].message, b"");
        assert!(records[4].lines[0].ends_with("big[9521]: "));
        assert_eq!(records[4].severity, Some(Severity::Debug));
        // No SYSLOG_IDENTIFIER: _COMM names the process; PRIORITY 0 is fatal.
        assert!(records[5].lines[0].ends_with("vm python3[9521]: no identifier here"));
        assert_eq!(records[5].severity, Some(Severity::Fatal));
        // Escape sequences in a message (an array: ESC is not valid in JSON strings as
        // journalctl writes them) never reach the terminal.
        assert!(records[6].lines[0].ends_with("esc[9521]: red  done"), "{:?}", records[6].lines);
        assert!(records.iter().flat_map(|r| &r.lines).all(|l| !l.contains('\u{1b}') && !l.contains('\u{7}')));
        // Every entry has its own cursor.
        let mut cursors: Vec<&str> = entries.iter().map(|e| e.cursor.as_str()).collect();
        cursors.dedup();
        assert_eq!(cursors.len(), 7);
    }

    #[test]
    fn an_explicit_encoding_decodes_the_message_bytes() {
        let e = &fixture()[1];
        let mut gbk = Decoder::new(Encoding::Gb18030);
        assert!(to_record(e, &mut gbk, now()).lines[0].ends_with("错误：数据库连接失败"));
        let mut utf8 = Decoder::new(Encoding::Utf8);
        assert!(to_record(e, &mut utf8, now()).lines[0].contains('\u{FFFD}'));
    }

    #[test]
    fn bad_lines_are_errors_not_panics() {
        assert!(parse(b"").is_err());
        assert!(parse(b"[1,2]").is_err());
        assert!(parse(br#"{"MESSAGE":"no cursor"}"#).is_err());
        let e = parse(br#"{"__CURSOR":"s=1","MESSAGE":[104,105,300,"x"],"PRIORITY":"9","_PID":""}"#).unwrap();
        assert_eq!((e.message, e.priority, e.pid), (b"hi".to_vec(), None, None));
        let r =
            to_record(&parse(br#"{"__CURSOR":"s=1"}"#).unwrap(), &mut Decoder::new(Encoding::Auto), now());
        assert_eq!((r.ts, r.lines), (None, vec![String::new()]));
    }

    #[test]
    fn command_lines_resume_after_the_cursor() {
        let unit = JournalSpec { unit: Some("nginx".into()) };
        assert_eq!(
            args(&unit, None, JournalStart::Last(1000), true),
            ["-o", "json", "--all", "--no-pager", "--quiet", "--unit=nginx", "--lines=1000", "--follow"]
        );
        let all = JournalSpec::default();
        assert_eq!(
            args(&all, Some("s=a;i=2"), JournalStart::Last(5), false).last().unwrap(),
            "--after-cursor=s=a;i=2"
        );
        assert!(!args(&all, None, JournalStart::All, false).iter().any(|a| a.starts_with("--lines")));
        // The remote command quotes every argument: a cursor or unit cannot run anything.
        let cmd = remote_command(
            &JournalSpec { unit: Some("x'; touch pwned; '".into()) },
            Some("s=$(id)"),
            JournalStart::All,
        );
        assert!(cmd.contains(&shell_quote("--after-cursor=s=$(id)")), "{cmd}");
        assert!(cmd.contains(&shell_quote("--unit=x'; touch pwned; '")), "{cmd}");
    }

    /// The remote command run by `sh` with a fake journalctl first on PATH: it gets exactly the
    /// arguments, and its output is cut at REMOTE_CHUNK lines.
    #[test]
    fn the_remote_command_runs_journalctl_with_its_arguments_and_bounds_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("journalctl");
        std::fs::write(
            &fake,
            "#!/bin/sh\nfor a do printf '%s\\n' \"$a\"; done\ni=0; while [ $i -lt 5000 ]; do echo $i; i=$((i+1)); done\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        let run = |path: &str| {
            let cmd =
                remote_command(&JournalSpec { unit: Some("a b".into()) }, Some("s=$(id)"), JournalStart::All);
            std::process::Command::new("/bin/sh")
                .arg("-c")
                .arg(cmd)
                .env("PATH", path)
                .output()
                .unwrap()
                .stdout
        };
        let out = String::from_utf8(run(&format!("{}:/usr/bin:/bin", dir.path().display()))).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), REMOTE_CHUNK);
        assert_eq!(
            lines[..7],
            ["-o", "json", "--all", "--no-pager", "--quiet", "--unit=a b", "--after-cursor=s=$(id)"]
        );
        // A PATH with sh but no journalctl.
        let empty = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/bin/sh", empty.path().join("sh")).unwrap();
        let out = run(&format!("{}:/nonexistent", empty.path().display()));
        assert!(no_journal(&out), "{:?}", String::from_utf8_lossy(&out));
    }
}
