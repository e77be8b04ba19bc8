//! The log workers: every source has a thread of its own, so a source that blocks (a FIFO, a
//! file on a hung NFS mount, a slow host) holds up no other. A local source follows its files
//! (tail -F semantics, one follower per file), a remote one reads its files by inode and byte
//! offset, a journal source reads `journalctl -o json` (followed locally, in one-shot chunks
//! after a saved cursor over SSH). Lines are decoded, sanitised and grouped into records, and
//! sent to the Logs pane in one batch per source and poll.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::report::Report;
use super::spawn::spawn_guarded;
use crate::fleet::{Class, HostLink, Sessions};
use crate::i18n::Msg;
use crate::logs::decode::Decoder;
use crate::logs::follow::{FollowEvent, Follower, Start};
use crate::logs::journal::{self, JournalSpec, JournalStart, LocalJournal};
use crate::logs::record::{Record, RecordBuilder};
use crate::logs::sanitize::sanitize_text;
use crate::logs::sources::{SourceSpec, SourceStatus};
use crate::ssh::Target;

/// What the Logs pane asks of the log workers.
#[derive(Debug, Clone, PartialEq)]
pub enum LogsCmd {
    /// Follow one more local file, opened from the Logs pane (the source's index in the pane).
    Open { index: usize, spec: SourceSpec },
    /// Write text (the visible records) to a new file; the outcome comes back as a notice.
    Export { path: std::path::PathBuf, text: String },
}

/// What the log workers report.
#[derive(Debug, Clone, PartialEq)]
pub enum LogsMsg {
    /// New records of one source (index into the sources the pane was given), one batch per
    /// poll.
    Records { source: usize, records: Vec<Record> },
    /// What a source's header line says now.
    Status { source: usize, status: SourceStatus },
}

/// The running log workers' inboxes.
#[derive(Default)]
pub struct LogWorkers {
    /// Starts the threads of sources opened from the pane.
    spawner: Option<Spawner>,
    report: Option<Report<LogsMsg>>,
}

/// What a source thread needs to start: the channel to the UI, and the stop channels, held
/// only so the threads stop when the console does.
struct Spawner {
    report: Report<LogsMsg>,
    stop: Mutex<Vec<Sender<()>>>,
}

impl Spawner {
    /// A stop channel for one more thread.
    fn stop_rx(&self) -> Receiver<()> {
        let (tx, rx) = mpsc::channel::<()>();
        if let Ok(mut stop) = self.stop.lock() {
            stop.push(tx);
        }
        rx
    }

    /// Starts the thread of a local source (files or the journal).
    fn local(&self, index: usize, spec: SourceSpec) -> JoinHandle<()> {
        let (rx, report) = (self.stop_rx(), self.report.clone());
        let name = format!("yunwei-log-{}", spec.name);
        spawn_guarded(&name, self.report.raw(), move || match spec.journal.clone() {
            Some(journal) => {
                journal_loop(index, &spec, &journal, std::ffi::OsStr::new(JOURNALCTL), rx, report)
            }
            None => local_log_loop(index, spec, rx, report),
        })
    }
}

impl LogWorkers {
    pub fn dispatch(&self, cmd: LogsCmd) {
        match cmd {
            LogsCmd::Open { index, spec } => {
                if let Some(spawner) = &self.spawner {
                    // Not joined, as the others are not: see `Workers::stop`.
                    drop(spawner.local(index, spec));
                }
            }
            LogsCmd::Export { path, text } => {
                let Some(report) = self.report.clone() else { return };
                // Off the UI thread: a full buffer can be many megabytes.
                std::thread::spawn(move || match write_new_file(&path, &text) {
                    Ok(()) => report.done(Msg::LogsWritten, path.display()),
                    Err(e) => report.problem(Msg::WriteFailed, format!("{}: {e}", path.display())),
                });
            }
        }
    }
}

/// Writes a new file, never over one that exists, readable by its owner only (log records are
/// personal data).
fn write_new_file(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?
        .write_all(text.as_bytes())
}

/// Starts the log workers: a thread per source. A source on a host reached over SSH runs its
/// commands on the host's one shared session from `sessions` (to the target `remote` gives for
/// its host), so a slow host holds up nothing else, and a host's health poll goes before its
/// log reads.
pub fn start(
    specs: Vec<SourceSpec>,
    remote: impl Fn(&str) -> Option<Target>,
    sessions: Option<Arc<Sessions>>,
    report: Report<LogsMsg>,
    handles: &mut Vec<JoinHandle<()>>,
) -> LogWorkers {
    let spawner = Spawner { report: report.clone(), stop: Mutex::new(Vec::new()) };
    for (index, spec) in specs.into_iter().enumerate() {
        let Some(host) = spec.host.clone() else {
            handles.push(spawner.local(index, spec));
            continue;
        };
        let target = remote(&host);
        let rx = spawner.stop_rx();
        let link =
            target.and_then(|t| sessions.as_ref().map(|s| (s.link(&t), s.pool().settings().command_timeout)));
        let report = report.clone();
        let name = format!("yunwei-log-{}", spec.name);
        handles.push(spawn_guarded(&name, report.raw(), move || match (link, spec.journal.clone()) {
            (Some((link, timeout)), Some(journal)) => {
                remote_journal_loop(index, &spec, &journal, link, timeout, rx, report)
            }
            (Some((link, timeout)), None) => remote_log_loop(index, spec, link, timeout, rx, report),
            (None, _) => {
                report.send(LogsMsg::Status { source: index, status: SourceStatus::NoSuchHost });
            }
        }));
    }
    LogWorkers { spawner: Some(spawner), report: Some(report) }
}

/// The program a journal source runs (found on the `PATH`).
const JOURNALCTL: &str = "journalctl";

/// How often followed log files are checked for new lines.
const LOG_POLL: Duration = Duration::from_millis(100);
/// How many lines the pane starts with from each file.
const LOG_START_LINES: usize = 1000;
/// How often a source's glob is expanded again, for files that appear later.
const LOG_RESCAN: Duration = Duration::from_secs(10);

/// One followed file of a source.
struct LogFile {
    follower: Follower,
    decoder: Decoder,
    records: RecordBuilder,
}

/// One source: its files, and the status last sent.
struct LogSourceState {
    spec: SourceSpec,
    files: Vec<LogFile>,
    status: Option<SourceStatus>,
    /// Every file (device, inode) read so far: a rotated file that the glob also matches under
    /// its new name (`app.log` renamed to `app-20261127.log`) is not read a second time.
    seen: std::collections::HashSet<(u64, u64)>,
}

impl LogSourceState {
    fn new(spec: SourceSpec) -> LogSourceState {
        LogSourceState { spec, files: Vec::new(), status: None, seen: Default::default() }
    }

    fn add_files(&mut self, start: Start) {
        use std::os::unix::fs::MetadataExt;
        let now = chrono::Local::now().fixed_offset();
        for path in crate::logs::sources::expand(&self.spec.pattern) {
            if self.files.iter().any(|f| f.follower.path() == path) {
                continue;
            }
            let known = std::fs::metadata(&path).is_ok_and(|m| self.seen.contains(&(m.dev(), m.ino())));
            self.files.push(LogFile {
                follower: Follower::open(&path, if known { Start::End } else { start }),
                decoder: Decoder::new(self.spec.encoding.decoding()),
                records: RecordBuilder::new(now),
            });
        }
    }

    /// Polls every file once: the records found (one batch) and the status to say, if it
    /// changed.
    fn poll(&mut self) -> (Vec<Record>, Option<SourceStatus>) {
        let mut status = None;
        let mut batch = Vec::new();
        let n = self.files.len();
        let now = chrono::Local::now().fixed_offset();
        for file in &mut self.files {
            file.records.set_now(now);
            let mut got_lines = false;
            for ev in file.follower.poll() {
                if let Some(s) = SourceStatus::from_event(&ev, n) {
                    status = Some(s);
                    continue;
                }
                got_lines |= push_lines(&ev, &mut file.decoder, &mut file.records, &mut batch);
            }
            // A quiet poll ends the record being built: nothing more is coming for now.
            if !got_lines {
                batch.extend(file.records.flush());
            }
            if let Some(p) = file.follower.position() {
                self.seen.insert((p.dev, p.inode));
            }
        }
        let recovered = !batch.is_empty() && self.status.as_ref().is_some_and(SourceStatus::is_problem);
        if self.files.is_empty() {
            status = Some(SourceStatus::NoFiles);
        } else if status.is_none() && (self.status.is_none() || recovered) {
            // Lines again after an error: the header stops saying it.
            status = Some(SourceStatus::Following(n));
        }
        let status = status.filter(|s| self.status.as_ref() != Some(s));
        if let Some(s) = &status {
            self.status = Some(s.clone());
        }
        (batch, status)
    }
}

/// Turns a follower's lines and cut pieces (local or remote) into records: decoded, sanitised
/// and grouped, the pieces of a cut line marked and kept in their record (with its time). True
/// when `ev` held any.
fn push_lines(
    ev: &FollowEvent,
    decoder: &mut Decoder,
    records: &mut RecordBuilder,
    batch: &mut Vec<Record>,
) -> bool {
    match ev {
        FollowEvent::Lines(lines) => {
            for raw in lines {
                let text = decoder.decode_line(raw);
                batch.extend(records.push(sanitize_text(&text).into_owned()));
            }
            !lines.is_empty()
        }
        FollowEvent::Cut(piece) => {
            let text = decoder.decode_line(piece);
            batch.extend(records.push_cut(sanitize_text(&text).into_owned()));
            true
        }
        _ => false,
    }
}

/// Follows one local source (one [`Follower`] per file of its glob), decodes, sanitises and
/// groups the lines into records, and sends them in one batch per poll, so the channel carries
/// at most a few messages every 100 ms whatever the files write. Runs on the source's own
/// thread: a file that blocks (a hung NFS mount) holds up only its own source.
fn local_log_loop(index: usize, spec: SourceSpec, rx: Receiver<()>, report: Report<LogsMsg>) {
    let mut source = LogSourceState::new(spec);
    source.add_files(Start::LastLines(LOG_START_LINES));
    let mut next_rescan = Instant::now() + LOG_RESCAN;
    loop {
        if Instant::now() >= next_rescan {
            next_rescan = Instant::now() + LOG_RESCAN;
            source.add_files(Start::Beginning);
        }
        let (batch, status) = source.poll();
        if !batch.is_empty() && !report.send(LogsMsg::Records { source: index, records: batch }) {
            return;
        }
        if let Some(status) = status {
            report.send(LogsMsg::Status { source: index, status });
        }
        match rx.recv_timeout(LOG_POLL) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Follows the local journal through `journalctl -o json --follow` (`program`), in one batch of
/// records per poll. The cursor of the last entry sent is kept: when journalctl ends (journald
/// restarted, the program replaced) it is started again after that cursor, so no entry is
/// shown twice or lost.
fn journal_loop(
    index: usize,
    spec: &SourceSpec,
    journal: &JournalSpec,
    program: &std::ffi::OsStr,
    rx: Receiver<()>,
    report: Report<LogsMsg>,
) {
    let mut decoder = Decoder::new(spec.encoding.decoding());
    let mut cursor: Option<String> = None;
    let mut backoff = crate::ssh::Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
    let mut last_status: Option<SourceStatus> = None;
    let send_status = |status: SourceStatus, last: &mut Option<SourceStatus>| {
        if last.as_ref() != Some(&status) {
            *last = Some(status.clone());
            report.send(LogsMsg::Status { source: index, status });
        }
    };
    loop {
        let start = JournalStart::Last(LOG_START_LINES);
        let wait;
        match LocalJournal::spawn(program, journal, cursor.as_deref(), start, true) {
            Err(e) => {
                send_status(SourceStatus::Error(format!("journalctl: {e}")), &mut last_status);
                wait = backoff.next_delay();
            }
            Ok(mut child) => {
                send_status(SourceStatus::Following(1), &mut last_status);
                loop {
                    let read = child.poll(LOG_POLL);
                    let now = chrono::Local::now().fixed_offset();
                    let mut batch = Vec::new();
                    for entry in read.entries {
                        match entry {
                            Ok(e) => {
                                batch.push(journal::to_record(&e, &mut decoder, now));
                                cursor = Some(e.cursor);
                            }
                            Err(e) => send_status(SourceStatus::Error(e), &mut last_status),
                        }
                    }
                    if !batch.is_empty() {
                        backoff.reset();
                        if last_status.as_ref().is_some_and(SourceStatus::is_problem) {
                            send_status(SourceStatus::Following(1), &mut last_status);
                        }
                        if !report.send(LogsMsg::Records { source: index, records: batch }) {
                            return;
                        }
                    }
                    if let Some(end) = read.ended {
                        let e = end.err().unwrap_or_else(|| "journalctl ended".to_string());
                        send_status(SourceStatus::Error(e), &mut last_status);
                        break;
                    }
                    if matches!(rx.try_recv(), Err(mpsc::TryRecvError::Disconnected)) {
                        return;
                    }
                }
                wait = backoff.next_delay();
            }
        }
        match rx.recv_timeout(wait) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Reads the journal of a host reached over SSH: one bounded one-shot `journalctl` per round
/// on the host's shared session, after the cursor of the last entry taken (the last entries
/// at first), so a reconnect or a restarted sshd resumes exactly: no entry twice, none lost.
fn remote_journal_loop(
    index: usize,
    spec: &SourceSpec,
    journal: &JournalSpec,
    link: HostLink,
    timeout: Duration,
    rx: Receiver<()>,
    report: Report<LogsMsg>,
) {
    let mut decoder = Decoder::new(spec.encoding.decoding());
    let mut cursor: Option<String> = None;
    let mut backoff = crate::ssh::Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
    let mut last_status: Option<SourceStatus> = None;
    let send_status = |status: SourceStatus, last: &mut Option<SourceStatus>| {
        if last.as_ref() != Some(&status) {
            *last = Some(status.clone());
            report.send(LogsMsg::Status { source: index, status });
        }
    };
    loop {
        let mut wait = REMOTE_LOG_POLL;
        let command =
            journal::remote_command(journal, cursor.as_deref(), JournalStart::Last(LOG_START_LINES));
        match link.exec(&command, timeout, Class::Logs) {
            Err(e) => {
                // The cursor stays: the next session resumes where this one stopped.
                send_status(SourceStatus::Error(e.to_string()), &mut last_status);
                wait = backoff.next_delay();
            }
            Ok(out) if journal::no_journal(&out.stdout) => {
                send_status(SourceStatus::NoJournal, &mut last_status);
                wait = backoff.next_delay();
            }
            Ok(out) => {
                backoff.reset();
                let now = chrono::Local::now().fixed_offset();
                let (batch, taken, problem) = remote_entries(&out.stdout, &mut cursor, &mut decoder, now);
                if taken >= journal::REMOTE_CHUNK {
                    wait = Duration::ZERO;
                }
                let said = String::from_utf8_lossy(&out.stderr).trim().to_string();
                let status = match problem {
                    Some(p) => SourceStatus::Error(p),
                    None if taken == 0 && out.exit_status != 0 && !said.is_empty() => {
                        SourceStatus::Error(said)
                    }
                    None => SourceStatus::Following(1),
                };
                send_status(status, &mut last_status);
                if !batch.is_empty() && !report.send(LogsMsg::Records { source: index, records: batch }) {
                    return;
                }
            }
        }
        match rx.recv_timeout(wait) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// The records of one remote journal read, moving `cursor` past each entry taken; how many
/// lines were taken, and the last problem seen. Only complete lines count: an entry cut off by
/// a lost connection is read again next time.
fn remote_entries(
    stdout: &[u8],
    cursor: &mut Option<String>,
    decoder: &mut Decoder,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> (Vec<Record>, usize, Option<String>) {
    let (lines, _) = crate::logs::decode::split_lines(stdout);
    let mut batch = Vec::new();
    let mut problem = None;
    for line in &lines {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match journal::parse(line) {
            Ok(e) => {
                batch.push(journal::to_record(&e, decoder, now));
                *cursor = Some(e.cursor);
            }
            Err(e) => problem = Some(e),
        }
    }
    (batch, lines.len(), problem)
}

/// How often a remote source is asked for new lines (one exec per file).
const REMOTE_LOG_POLL: Duration = Duration::from_millis(500);

/// The command listing the files a remote source's path names: the matches of a glob in its
/// last component (matched by the remote shell's `case`, with nothing evaluated), folders
/// left out, as for a local source.
fn remote_list_command(pattern: &str) -> String {
    let (dir, base) = match pattern.rsplit_once('/') {
        Some((d, b)) => (if d.is_empty() { "/" } else { d }, b),
        None => (".", pattern),
    };
    // Hidden files match only a pattern that starts with a dot, as in the shell.
    let script = r#"d=$1; p=$2
case "$p" in
  .*) set -- "$d"/.* ;;
  *) set -- "$d"/* ;;
esac
for f do
  case "${f##*/}" in
    $p) [ -e "$f" ] && [ ! -d "$f" ] && printf '%s\n' "$f" ;;
  esac
done
exit 0"#;
    format!(
        "sh -c {} yunwei-list {} {}",
        crate::ssh::shell_quote(script),
        crate::ssh::shell_quote(dir),
        crate::ssh::shell_quote(base)
    )
}

/// Follows one source on a host reached over SSH: the files its path names (rescanned every
/// few seconds), each read by inode and byte offset, so a reconnect resumes exactly; records
/// go to the pane in one batch per round, and the source's header says what goes wrong. Every
/// command runs on the host's shared session as a log read: one bounded chunk per exec, after
/// the host's health poll.
fn remote_log_loop(
    index: usize,
    spec: SourceSpec,
    link: HostLink,
    timeout: Duration,
    rx: Receiver<()>,
    report: Report<LogsMsg>,
) {
    use crate::logs::remote::{Begin, RemoteFile};
    struct RemoteSource {
        file: RemoteFile,
        decoder: Decoder,
        records: RecordBuilder,
    }
    let mut files: Vec<RemoteSource> = Vec::new();
    let exec = |command: &str| link.exec(command, timeout, Class::Logs);
    let mut backoff = crate::ssh::Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
    let mut last_status: Option<SourceStatus> = None;
    let mut next_rescan = Instant::now();
    let mut first_scan = true;
    let send_status = |status: SourceStatus, last: &mut Option<SourceStatus>| {
        if last.as_ref() != Some(&status) {
            *last = Some(status.clone());
            report.send(LogsMsg::Status { source: index, status });
        }
    };
    loop {
        let mut wait = REMOTE_LOG_POLL;
        let mut status: Option<SourceStatus> = None;
        {
            let mut failed: Option<String> = None;
            if Instant::now() >= next_rescan {
                next_rescan = Instant::now() + LOG_RESCAN;
                // A path without a wildcard is the file itself, whatever it is (missing, a
                // device), as for a local source: the reads say what it is.
                let listed = if spec.pattern.contains(['*', '?', '[']) {
                    exec(&remote_list_command(&spec.pattern)).map(|out| {
                        String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect::<Vec<_>>()
                    })
                } else {
                    Ok(vec![spec.pattern.clone()])
                };
                match listed {
                    Ok(paths) => {
                        for path in paths.iter().filter(|l| !l.is_empty()) {
                            if files.iter().any(|f| f.file.path() == path) {
                                continue;
                            }
                            let now = chrono::Local::now().fixed_offset();
                            let begin =
                                if first_scan { Begin::LastLines(LOG_START_LINES) } else { Begin::Start };
                            files.push(RemoteSource {
                                file: RemoteFile::new(path, begin),
                                decoder: Decoder::new(spec.encoding.decoding()),
                                records: RecordBuilder::new(now),
                            });
                        }
                        first_scan = false;
                    }
                    Err(e) => failed = Some(e.to_string()),
                }
            }
            let mut batch = Vec::new();
            let now = chrono::Local::now().fixed_offset();
            let files_n = files.len();
            // Whether a file is binary: the header says so while nothing else comes, as for a
            // local source.
            let mut binary = false;
            for f in files.iter_mut().filter(|_| failed.is_none()) {
                f.records.set_now(now);
                let out = match exec(&f.file.command()) {
                    Ok(o) => o.stdout,
                    Err(e) => {
                        failed = Some(e.to_string());
                        break;
                    }
                };
                match f.file.take(&out) {
                    Ok(step) => {
                        if step.more {
                            wait = Duration::ZERO;
                        }
                        let mut got_lines = false;
                        for ev in &step.events {
                            match SourceStatus::from_event(ev, files_n) {
                                Some(s) => status = Some(s),
                                None => {
                                    got_lines |= push_lines(ev, &mut f.decoder, &mut f.records, &mut batch)
                                }
                            }
                        }
                        if step.unreadable {
                            status = Some(SourceStatus::Unreadable);
                        } else if step.not_a_file {
                            status = Some(SourceStatus::NotAFile);
                        }
                        if !got_lines {
                            batch.extend(f.records.flush());
                        }
                        binary |= f.file.is_binary();
                    }
                    Err(e) => status = Some(SourceStatus::Error(e)),
                }
            }
            if let Some(e) = failed {
                // The cursors stay: the next session resumes where this one stopped.
                send_status(SourceStatus::Error(e), &mut last_status);
                wait = backoff.next_delay();
            } else {
                backoff.reset();
                let status = match status {
                    Some(s) => s,
                    None if files.is_empty() => SourceStatus::NoFiles,
                    None if binary && batch.is_empty() => SourceStatus::Binary,
                    None => SourceStatus::Following(files.len()),
                };
                send_status(status, &mut last_status);
            }
            if !batch.is_empty() && !report.send(LogsMsg::Records { source: index, records: batch }) {
                return;
            }
        }
        match rx.recv_timeout(wait) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Event, WorkerMsg};

    #[test]
    fn exports_are_new_files_readable_by_their_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.txt");
        write_new_file(&path, "a\n").unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a\n");
        let again = write_new_file(&path, "b\n").unwrap_err();
        assert_eq!(again.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a\n", "never over an existing file");
    }

    #[test]
    fn remote_listing_matches_the_glob_and_evaluates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["app.log", "app-2.log", "other.txt", "$(touch pwned).log", ".hidden.log"] {
            std::fs::write(dir.path().join(name), "x\n").unwrap();
        }
        // A folder is left out; a FIFO is listed (its reads say it is not a regular file).
        std::fs::create_dir(dir.path().join("folder.log")).unwrap();
        mkfifo(&dir.path().join("pipe.log"));
        let list = |pattern: &str| {
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(remote_list_command(pattern))
                .output()
                .unwrap();
            let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(|l| l.rsplit('/').next().unwrap_or("").to_string())
                .collect();
            names.sort();
            names
        };
        let d = dir.path().display();
        assert_eq!(list(&format!("{d}/app*.log")), vec!["app-2.log", "app.log"]);
        assert_eq!(
            list(&format!("{d}/*.log")),
            vec!["$(touch pwned).log", "app-2.log", "app.log", "pipe.log"]
        );
        assert_eq!(list(&format!("{d}/other.txt")), vec!["other.txt"]);
        assert_eq!(list(&format!("{d}/.*.log")), vec![".hidden.log"]);
        assert!(!std::path::Path::new("pwned").exists() && !dir.path().join("pwned").exists());
    }

    fn spec(name: &str, host: Option<&str>, pattern: String) -> SourceSpec {
        SourceSpec {
            name: name.into(),
            host: host.map(str::to_string),
            pattern,
            encoding: crate::logs::sources::LogEncoding::Auto,
            journal: None,
        }
    }

    /// What the workers sent, gathered until `done` says enough or 10 s have passed.
    struct Seen {
        records: std::collections::HashMap<usize, Vec<Record>>,
        batches: std::collections::HashMap<usize, usize>,
        statuses: std::collections::HashMap<usize, Vec<SourceStatus>>,
    }

    fn gather(
        rx: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
        seen: &mut Seen,
        done: impl Fn(&Seen) -> bool,
    ) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && !done(seen) {
            match rx.try_recv() {
                Ok(Event::Worker(WorkerMsg::Logs(LogsMsg::Records { source, records }))) => {
                    *seen.batches.entry(source).or_default() += 1;
                    seen.records.entry(source).or_default().extend(records);
                }
                Ok(Event::Worker(WorkerMsg::Logs(LogsMsg::Status { source, status }))) => {
                    seen.statuses.entry(source).or_default().push(status);
                }
                Ok(_) => {}
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }

    fn seen() -> Seen {
        Seen { records: Default::default(), batches: Default::default(), statuses: Default::default() }
    }

    fn count(seen: &Seen, source: usize) -> usize {
        seen.records.get(&source).map_or(0, Vec::len)
    }

    fn last_status(seen: &Seen, source: usize) -> Option<&SourceStatus> {
        seen.statuses.get(&source).and_then(|v| v.last())
    }

    #[test]
    fn log_worker_batches_records_and_reports_each_source() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("app.log");
        std::fs::write(&log, "2026-11-27 03:00:01 INFO a\n2026-11-27 03:00:02 ERROR b\n\tat X(Y.java:1)\n")
            .unwrap();
        let specs = vec![
            spec("app", None, format!("{}/*.log", dir.path().display())),
            spec("none", None, format!("{}/*.gz", dir.path().display())),
            spec("web", Some("web1"), "/var/log/x".into()),
        ];
        let (ui, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut handles = Vec::new();
        let workers = start(specs, |_| None, None, Report::new(ui, WorkerMsg::Logs), &mut handles);
        // A file opened from the pane while the workers run, as the fourth source.
        let opened = dir.path().join("opened.txt");
        std::fs::write(&opened, "2026-11-27 03:00:03 WARN opened\n").unwrap();
        workers
            .dispatch(LogsCmd::Open { index: 3, spec: spec("opened", None, opened.display().to_string()) });
        let mut seen = seen();
        gather(&mut rx, &mut seen, |s| s.statuses.len() >= 4 && count(s, 0) >= 2 && count(s, 3) >= 1);
        drop(workers);
        for h in handles {
            h.join().unwrap();
        }
        let records = &seen.records[&0];
        assert_eq!(records.len(), 2, "{records:?}");
        assert_eq!(records[1].lines, vec!["2026-11-27 03:00:02 ERROR b", "\tat X(Y.java:1)"]);
        assert!(seen.batches[&0] <= 2, "batched per poll, not per line: {}", seen.batches[&0]);
        assert_eq!(last_status(&seen, 0), Some(&SourceStatus::Following(1)));
        assert_eq!(last_status(&seen, 1), Some(&SourceStatus::NoFiles));
        assert_eq!(last_status(&seen, 2), Some(&SourceStatus::NoSuchHost));
        assert_eq!(last_status(&seen, 3), Some(&SourceStatus::Following(1)));
        assert_eq!(count(&seen, 3), 1);
    }

    fn mkfifo(path: &std::path::Path) {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    }

    #[test]
    fn a_fifo_without_a_writer_holds_up_no_other_source_and_is_read_when_written() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("app.fifo");
        mkfifo(&fifo);
        let log = dir.path().join("app.log");
        std::fs::write(&log, "").unwrap();
        let specs = vec![
            spec("fifo", None, fifo.display().to_string()),
            spec("file", None, log.display().to_string()),
            spec("zero", None, "/dev/zero".into()),
        ];
        let (ui, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut handles = Vec::new();
        let workers = start(specs, |_| None, None, Report::new(ui, WorkerMsg::Logs), &mut handles);
        std::fs::write(&log, "2026-11-27 03:00:01 INFO file line\n").unwrap();
        let mut seen = seen();
        gather(&mut rx, &mut seen, |s| count(s, 1) >= 1 && last_status(s, 2).is_some());
        assert_eq!(seen.records[&1][0].lines, ["2026-11-27 03:00:01 INFO file line"]);
        assert_eq!(count(&seen, 0), 0, "the FIFO has no writer yet");
        assert_eq!(last_status(&seen, 2), Some(&SourceStatus::Binary), "/dev/zero is binary");
        assert_eq!(count(&seen, 2), 0);
        // A writer comes: its lines arrive, and a line over the bound arrives cut and marked.
        let mut w = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
        use std::io::Write;
        w.write_all(b"2026-11-27 03:00:02 WARN from the fifo\n").unwrap();
        let mut long = b"2026-11-27 03:00:03 ERROR long ".to_vec();
        long.resize(crate::logs::follow::MAX_LINE + 100, b'x');
        long.extend_from_slice(b" end\n2026-11-27 03:00:04 INFO after\n");
        w.write_all(&long).unwrap();
        drop(w);
        gather(&mut rx, &mut seen, |s| count(s, 0) >= 3);
        let fifo_records = &seen.records[&0];
        assert_eq!(fifo_records[0].lines, ["2026-11-27 03:00:02 WARN from the fifo"]);
        let cut = &fifo_records[1];
        assert_eq!(cut.lines.len(), 2);
        assert_eq!(cut.cut, [0]);
        assert!(cut.lines[1].ends_with("x end"));
        assert_eq!(cut.ts, fifo_records[0].ts.map(|t| t + chrono::Duration::seconds(1)));
        assert_eq!(fifo_records[2].lines, ["2026-11-27 03:00:04 INFO after"]);
        drop(workers);
    }

    /// A stand-in for journalctl: prints the captured entries of `$YW_JOURNAL` after the one
    /// `--after-cursor` names (all, or the last `--lines`, without it), then with `--follow`
    /// the entries appended to `$YW_JOURNAL.more` from then on, once each; it logs its
    /// arguments to `$YW_JOURNAL.args` and ends when `$YW_JOURNAL.stop` exists.
    pub(crate) fn fake_journalctl(dir: &std::path::Path) -> std::path::PathBuf {
        let script = r#"#!/bin/sh
j=${YW_JOURNAL:?}
after=; lines=; follow=
for a do
  case "$a" in
    --after-cursor=*) after=${a#--after-cursor=} ;;
    --lines=*) lines=${a#--lines=} ;;
    --follow) follow=1 ;;
  esac
done
printf '%s\n' "$*" >> "$j.args"
touch "$j.more"
seen=$(wc -l < "$j.more")
emit() {
  if [ -n "$after" ]; then
    awk -v c="\"__CURSOR\":\"$after\"" 'found { print } index($0, c) { found = 1 }' "$1"
  elif [ -n "$lines" ]; then
    tail -n "$lines" "$1"
  else
    cat "$1"
  fi
}
emit "$j"
[ -n "$follow" ] || exit 0
while [ ! -e "$j.stop" ]; do
  now=$(wc -l < "$j.more")
  if [ "$now" -gt "$seen" ]; then
    tail -n $((now - seen)) "$j.more"
    seen=$now
  fi
  sleep 0.05
done
exit 3
"#;
        let path = dir.join("journalctl");
        std::fs::write(&path, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn entry(i: usize, message: &str) -> String {
        format!(
            r#"{{"__CURSOR":"s=test;i={i}","__REALTIME_TIMESTAMP":"{}","PRIORITY":"6","SYSLOG_IDENTIFIER":"app","_PID":"42","MESSAGE":"{message}"}}"#,
            1_796_100_000_000_000u64 + i as u64 * 1_000_000
        )
    }

    #[test]
    fn a_journal_source_follows_journalctl_and_resumes_after_its_cursor_when_it_ends() {
        let dir = tempfile::tempdir().unwrap();
        let program = fake_journalctl(dir.path());
        let journal = dir.path().join("journal.json");
        let more = dir.path().join("journal.json.more");
        let first: Vec<String> = (1..=3).map(|i| entry(i, &format!("entry {i}"))).collect();
        std::fs::write(&journal, first.join("\n") + "\n").unwrap();
        std::fs::write(&more, "").unwrap();
        // The journal file is named to the stand-in by a wrapper script: set_var in a threaded
        // test would race.
        let (ui, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let report = Report::new(ui, WorkerMsg::Logs);
        let spec = crate::logs::sources::journal_spec("journal", None, Some("nginx".into()));
        let wrapper = dir.path().join("jc");
        std::fs::write(
            &wrapper,
            format!("#!/bin/sh\nYW_JOURNAL={} exec {} \"$@\"\n", journal.display(), program.display()),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
        let wrapper_os = wrapper.clone().into_os_string();
        let handle = std::thread::spawn(move || {
            let js = spec.journal.clone().unwrap();
            journal_loop(0, &spec, &js, &wrapper_os, stop_rx, report)
        });
        let mut seen = seen();
        gather(&mut rx, &mut seen, |s| count(s, 0) >= 3);
        // Followed: an entry written later arrives.
        std::fs::write(&more, entry(4, "entry 4") + "\n").unwrap();
        gather(&mut rx, &mut seen, |s| count(s, 0) >= 4);
        // journalctl ends (journald restarted): started again after the last cursor; entries
        // added meanwhile come once, nothing twice.
        std::fs::write(dir.path().join("journal.json.stop"), "").unwrap();
        gather(&mut rx, &mut seen, |s| {
            s.statuses.get(&0).is_some_and(|v| v.iter().any(|st| matches!(st, SourceStatus::Error(_))))
        });
        let mut all: Vec<String> = (1..=6).map(|i| entry(i, &format!("entry {i}"))).collect();
        all.push(entry(7, "错误 \\u001b[31mred"));
        std::fs::write(&journal, all.join("\n") + "\n").unwrap();
        std::fs::remove_file(dir.path().join("journal.json.stop")).unwrap();
        gather(&mut rx, &mut seen, |s| count(s, 0) >= 7);
        std::thread::sleep(Duration::from_millis(300));
        gather(&mut rx, &mut seen, |_| false);
        drop(stop_tx);
        handle.join().unwrap();
        let texts: Vec<String> = seen.records[&0].iter().map(|r| r.lines.join("|")).collect();
        let args = std::fs::read_to_string(dir.path().join("journal.json.args")).unwrap_or_default();
        assert_eq!(texts.len(), 7, "{texts:#?} {args} {:?}", seen.statuses);
        for (i, t) in texts.iter().enumerate().take(6) {
            assert!(t.ends_with(&format!("app[42]: entry {}", i + 1)), "{t}");
        }
        assert!(texts[6].ends_with("app[42]: 错误 red"), "sanitised: {:?}", texts[6]);
        assert_eq!(seen.records[&0][6].severity, Some(crate::logs::record::Severity::Info));
        let args = std::fs::read_to_string(dir.path().join("journal.json.args")).unwrap();
        let runs: Vec<&str> = args.lines().collect();
        assert!(
            runs[0].contains("--unit=nginx")
                && runs[0].contains("--lines=1000")
                && runs[0].ends_with("--follow")
        );
        assert!(runs[1].contains("--after-cursor=s=test;i=4"), "{args}");
        assert!(!runs[1].contains("--lines"), "{args}");
    }

    #[test]
    fn a_rotated_file_the_glob_also_matches_is_not_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("app.log");
        std::fs::write(&log, "2026-11-27 03:00:01 INFO a\n").unwrap();
        let mut source = LogSourceState::new(spec("app", None, format!("{}/*.log", dir.path().display())));
        source.add_files(Start::Beginning);
        let lines = |source: &mut LogSourceState| -> usize {
            let mut n = 0;
            for f in &mut source.files {
                for ev in f.follower.poll() {
                    if let FollowEvent::Lines(l) = ev {
                        n += l.len();
                    }
                }
                if let Some(p) = f.follower.position() {
                    source.seen.insert((p.dev, p.inode));
                }
            }
            n
        };
        assert_eq!(lines(&mut source), 1);
        std::fs::rename(&log, dir.path().join("app-20261127.log")).unwrap();
        std::fs::write(&log, "2026-11-27 03:00:02 INFO b\n").unwrap();
        assert_eq!(lines(&mut source), 1, "the new app.log");
        source.add_files(Start::Beginning);
        assert_eq!(source.files.len(), 2);
        assert_eq!(lines(&mut source), 0, "the renamed file was read already");
    }
}
