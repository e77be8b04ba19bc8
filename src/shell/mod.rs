//! The shell on a host in one key (`S` in the console, `yunwei shell HOST`): an interactive
//! session through the host's jump chain, made by the same [`SshPool::connect`] as every poll
//! (the same shared bastion sessions, the same authentication and the same host-key decisions;
//! there is no second path), or this machine's login shell on a PTY of its own; recorded as
//! asciicast v2 ([`record`]) and audited (`shell.start` when it opens, `shell.end` with the
//! exit status and the recording's SHA-256 when it ends). [`replay`] plays a recording back.
//!
//! The host key is decided before anything else: a refused host is refused with its reason
//! before the terminal is touched, whether or not standard input is one.

pub mod log;
mod messages;
pub mod pty;
pub mod record;
pub mod replay;
pub mod signals;

use std::io::{self, Write};
use std::os::fd::RawFd;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::fleet::{Access, FleetHost};
use crate::i18n::{both, io_both, Both, Lang, Localized};
use crate::ssh::{PtyRequest, ShellChannel, ShellRead, SshError, SshPool};
use crate::store::{Access as DbAccess, Store, StoreOptions};

pub use messages::ShellMsg;

/// The audit actions of a session.
pub const START: &str = "shell.start";
pub const END: &str = "shell.end";
pub const PRUNE: &str = "shell.prune";

/// What the interactive loop needs of the other end: a remote channel or a local PTY.
pub trait Peer {
    fn fd(&self) -> RawFd;
    /// The `poll` events to wait for on [`Peer::fd`].
    fn events(&self) -> libc::c_short;
    fn read(&mut self, buf: &mut [u8]) -> Result<ShellRead, Both>;
    /// What it took of `data` (0: nothing now). A call that took nothing is made again with
    /// the same leading bytes (never fewer): libssh2 finishes the packet it began first.
    fn write(&mut self, data: &[u8]) -> Result<usize, Both>;
    /// The `poll` events to add while input waits to be written: POLLOUT for a PTY; none for
    /// SSH, whose [`Peer::events`] already say what libssh2 waits for (with the remote's
    /// window full that is input, and waiting for POLLOUT would spin).
    fn write_events(&self) -> libc::c_short {
        libc::POLLOUT
    }
    /// Standard input ended (a pipe): tell the shell.
    fn input_closed(&mut self) -> Result<(), Both>;
    fn resize(&mut self, cols: u16, rows: u16) -> Result<(), Both>;
    /// Keeps an idle connection alive; called every few seconds.
    fn keepalive(&mut self) {}
    /// The exit status, once the output has ended.
    fn finish(&mut self) -> Option<i32>;
}

impl Peer for ShellChannel<'_> {
    fn fd(&self) -> RawFd {
        ShellChannel::fd(self)
    }
    fn events(&self) -> libc::c_short {
        ShellChannel::events(self)
    }
    fn write_events(&self) -> libc::c_short {
        0
    }
    fn read(&mut self, buf: &mut [u8]) -> Result<ShellRead, Both> {
        ShellChannel::read(self, buf).map_err(|e| e.texts())
    }
    fn write(&mut self, data: &[u8]) -> Result<usize, Both> {
        ShellChannel::write(self, data).map_err(|e| e.texts())
    }
    fn input_closed(&mut self) -> Result<(), Both> {
        self.send_eof().map_err(|e| e.texts())
    }
    fn resize(&mut self, cols: u16, rows: u16) -> Result<(), Both> {
        ShellChannel::resize(self, cols, rows).map_err(|e| e.texts())
    }
    fn keepalive(&mut self) {
        ShellChannel::keepalive(self);
    }
    fn finish(&mut self) -> Option<i32> {
        Some(ShellChannel::finish(self)).filter(|s| *s >= 0)
    }
}

/// The size of the terminal on standard output, if it is one.
pub fn terminal_size() -> Option<(u16, u16)> {
    let mut ws = libc::winsize { ws_row: 0, ws_col: 0, ws_xpixel: 0, ws_ypixel: 0 };
    // SAFETY: TIOCGWINSZ fills the winsize passed; fd 1 may be anything (the call then fails).
    let rc = unsafe { libc::ioctl(1, libc::TIOCGWINSZ, &mut ws) };
    (rc == 0 && ws.ws_col > 0 && ws.ws_row > 0).then_some((ws.ws_col, ws.ws_row))
}

/// How long one wait lasts at most: libssh2 may hold data without the socket being readable
/// (see `SshConn::wait`), and a resize is looked for this often (there is no handler of
/// SIGWINCH of our own; the console's input reader has one, which only wakes the wait early).
const SLICE: Duration = Duration::from_millis(100);
/// Output read in one go before input is looked at again.
const OUTPUT_BUDGET: usize = 256 * 1024;
/// Input held for a peer that does not take it, before standard input is read again.
const INPUT_HELD: usize = 64 * 1024;
const KEEPALIVE: Duration = Duration::from_secs(20);

/// Copies standard input to the peer and its output to standard output (and `rec`) until the
/// shell ends; follows the terminal's size when `tty`.
pub fn relay(
    peer: &mut dyn Peer,
    mut rec: Option<&mut record::Recorder>,
    tty: bool,
    stop: Option<&signals::StopSignals>,
) -> Result<(), Stopped> {
    let term_fail = |e: &io::Error| Stopped::Failed(both(&ShellMsg::TerminalIo, &[("e", &io_both(e))]));
    let mut out = io::stdout().lock();
    let mut buf = vec![0u8; 32 * 1024];
    let mut input: Vec<u8> = Vec::new();
    let mut stdin_open = true;
    // Standard input ended; said to the shell once what was read before is sent.
    let mut eof_due = false;
    let mut size = if tty { terminal_size() } else { None };
    let mut last_alive = Instant::now();
    let mut last_flush = Instant::now();
    loop {
        let mut read = 0usize;
        loop {
            match peer.read(&mut buf)? {
                ShellRead::Data(n) => {
                    out.write_all(&buf[..n]).map_err(|e| term_fail(&e))?;
                    if let Some(rec) = rec.as_deref_mut() {
                        rec.output(&buf[..n]);
                    }
                    read += n;
                    if read >= OUTPUT_BUDGET {
                        break;
                    }
                }
                ShellRead::Nothing => break,
                ShellRead::Eof => {
                    out.flush().map_err(|e| term_fail(&e))?;
                    return Ok(());
                }
            }
        }
        if read > 0 {
            out.flush().map_err(|e| term_fail(&e))?;
            last_alive = Instant::now();
        }
        if let Some(rec) = rec.as_deref_mut() {
            if last_flush.elapsed() >= Duration::from_millis(500) {
                rec.flush();
                last_flush = Instant::now();
            }
        }
        if !input.is_empty() {
            let n = peer.write(&input)?;
            input.drain(..n);
        }
        if eof_due && input.is_empty() {
            eof_due = false;
            peer.input_closed()?;
        }
        // Nothing else goes to the peer while input is half sent (libssh2 refuses any other
        // packet until that one is out): the resize and the keepalive wait for it.
        if tty && input.is_empty() {
            let now = terminal_size();
            if now.is_some() && now != size {
                size = now;
                if let Some((cols, rows)) = now {
                    peer.resize(cols, rows)?;
                    if let Some(rec) = rec.as_deref_mut() {
                        rec.resize(cols, rows);
                    }
                }
            }
        }
        if input.is_empty() && last_alive.elapsed() >= KEEPALIVE {
            peer.keepalive();
            last_alive = Instant::now();
        }
        let want_in = stdin_open && input.len() < INPUT_HELD;
        let mut events = peer.events();
        if !input.is_empty() {
            events |= peer.write_events();
        }
        let mut fds = [
            libc::pollfd { fd: peer.fd(), events, revents: 0 },
            libc::pollfd { fd: stop.map_or(-1, |s| s.fd()), events: libc::POLLIN, revents: 0 },
            libc::pollfd { fd: if want_in { 0 } else { -1 }, events: libc::POLLIN, revents: 0 },
        ];
        let slice = if read >= OUTPUT_BUDGET { Duration::ZERO } else { SLICE };
        // SAFETY: poll reads and writes the array of pollfds it is given (a negative fd is
        // skipped).
        let rc = unsafe {
            libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, slice.as_millis() as libc::c_int)
        };
        if rc < 0 {
            let err = io::Error::last_os_error();
            if err.raw_os_error() != Some(libc::EINTR) {
                return Err(term_fail(&err));
            }
            continue;
        }
        if let Some(sig) = stop.filter(|_| fds[1].revents != 0).and_then(|s| s.take()) {
            out.flush().map_err(|e| term_fail(&e))?;
            return Err(Stopped::Signal(sig));
        }
        if want_in && fds[2].revents != 0 {
            // SAFETY: reads into the buffer, at most its length.
            let n = unsafe { libc::read(0, buf.as_mut_ptr().cast(), buf.len()) };
            let err = (n < 0).then(io::Error::last_os_error);
            let again =
                err.as_ref().is_some_and(|e| matches!(e.raw_os_error(), Some(libc::EAGAIN | libc::EINTR)));
            if n > 0 {
                input.extend_from_slice(&buf[..n as usize]);
            } else if !again {
                // The end, a hang-up, a closed or broken descriptor: input is over.
                stdin_open = false;
                eof_due = true;
            }
        }
    }
}

/// Why the relay stopped before the shell ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    Failed(Both),
    /// SIGTERM, SIGHUP or SIGINT came.
    Signal(libc::c_int),
}

impl From<Both> for Stopped {
    fn from(b: Both) -> Self {
        Stopped::Failed(b)
    }
}

impl Stopped {
    pub fn text(&self) -> Both {
        match self {
            Stopped::Failed(b) => b.clone(),
            Stopped::Signal(sig) => {
                both(&ShellMsg::EndedBySignal, &[("signal", &signal_name(*sig).to_string())])
            }
        }
    }
}

fn signal_name(sig: libc::c_int) -> &'static str {
    match sig {
        libc::SIGTERM => "SIGTERM",
        libc::SIGHUP => "SIGHUP",
        libc::SIGINT => "SIGINT",
        _ => "a signal",
    }
}

/// What to open a shell on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub host: String,
    /// The ticket it was opened from (its number).
    pub ticket: Option<String>,
}

/// How a session went.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub host: String,
    pub exit_status: Option<i32>,
    pub recording: Option<PathBuf>,
    pub lasted: Duration,
    /// What went wrong on the way without ending the session (a recording cut short).
    pub notes: Vec<Both>,
}

impl Outcome {
    /// The line said when the session is over.
    pub fn summary(&self) -> Both {
        let secs = self.lasted.as_secs() as i64;
        let lasted = Both::new(
            crate::alert_words::lasted(0, secs, Lang::En),
            crate::alert_words::lasted(0, secs, Lang::ZhCn),
        );
        match self.exit_status {
            Some(s) => both(
                &ShellMsg::Ended,
                &[("host", &self.host), ("status", &s.to_string()), ("lasted", &lasted)],
            ),
            None => both(&ShellMsg::EndedNoStatus, &[("host", &self.host), ("lasted", &lasted)]),
        }
    }
}

/// Opens shells on the fleet's hosts, recorded and audited in one database.
pub struct Launcher {
    pub hosts: Vec<FleetHost>,
    /// The pool the polls connect through (None: only local hosts, or a demo).
    pub pool: Option<Arc<SshPool>>,
    pub settings: crate::config::Shell,
    pub db_path: PathBuf,
    pub operator: String,
    /// Names of hosts that are simulated (the demo's).
    pub simulated: Vec<String>,
    pub lang: Lang,
}

/// Why a shell did not open, or broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellError {
    pub text: Both,
    /// The SSH failure's kind, when it was one (a refused host key).
    pub ssh: Option<crate::ssh::ErrorKind>,
    /// The signal that ended the session (the command then exits as killed by it).
    pub signal: Option<libc::c_int>,
}

impl From<Both> for ShellError {
    fn from(text: Both) -> Self {
        ShellError { text, ssh: None, signal: None }
    }
}

impl From<SshError> for ShellError {
    fn from(e: SshError) -> Self {
        ShellError { text: e.texts(), ssh: Some(e.kind), signal: None }
    }
}

/// The other end, reached before the terminal is touched.
pub enum Link {
    Remote { conn: crate::ssh::SshConn, via: Vec<String> },
    Local { shell: PathBuf },
}

/// All a session needs, made before the terminal is touched: the other end (its host key
/// decided), the database the audit rows go to, the folder of the recordings.
pub struct Prepared {
    pub link: Link,
    store: Store,
    dir: PathBuf,
}

impl Launcher {
    /// The host named, or why not.
    pub fn host(&self, name: &str) -> Result<&FleetHost, ShellError> {
        if self.simulated.iter().any(|s| s == name) {
            return Err(both(&ShellMsg::DemoHost, &[("host", &name.to_string())]).into());
        }
        self.hosts.iter().find(|h| h.name == name).ok_or_else(|| {
            let list: Vec<&str> = self.hosts.iter().map(|h| h.name.as_str()).collect();
            both(&ShellMsg::NoSuchHost, &[("host", &name.to_string()), ("list", &list.join(", "))]).into()
        })
    }

    /// Step one: the host found and connected (its key decided), or this machine's shell.
    pub fn prepare(&self, req: &Request) -> Result<Prepared, ShellError> {
        let link = self.connect(req)?;
        let store =
            Store::open_with(&self.db_path, StoreOptions::new(DbAccess::Write, true)).map_err(|e| {
                both(
                    &ShellMsg::CannotAudit,
                    &[("path", &self.db_path.display().to_string()), ("e", &e.to_string())],
                )
            })?;
        let dir = record::sessions_dir(&self.db_path).map_err(|e| {
            both(
                &ShellMsg::CannotRecord,
                &[("path", &self.db_path.display().to_string()), ("e", &io_both(&e))],
            )
        })?;
        Ok(Prepared { link, store, dir })
    }

    fn connect(&self, req: &Request) -> Result<Link, ShellError> {
        let host = self.host(&req.host)?;
        match (&host.access, host.target(), &self.pool) {
            (Access::Local, _, _) => {
                let shell =
                    std::env::var_os("SHELL").filter(|s| !s.is_empty()).unwrap_or_else(|| "/bin/sh".into());
                Ok(Link::Local { shell: PathBuf::from(shell) })
            }
            (_, Some(target), Some(pool)) => {
                let conn = pool.connect(&target)?;
                Ok(Link::Remote { conn, via: target.via.iter().map(|e| e.name.clone()).collect() })
            }
            // (A host reached over SSH always has a target, and the launcher a pool then.)
            _ => Err(both(&ShellMsg::DemoHost, &[("host", &req.host)]).into()),
        }
    }

    /// Deletes the recordings older than `keep_days` (by their time of last change), each
    /// named in one audit row.
    pub fn prune(&self, store: &Store, dir: &Path, now: std::time::SystemTime) -> io::Result<usize> {
        let keep = Duration::from_secs(u64::from(self.settings.keep_days) * 86_400);
        let mut gone = Vec::new();
        // One file that cannot be read or removed does not keep the others, nor the row.
        for entry in std::fs::read_dir(dir)?.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("cast") {
                continue;
            }
            let Ok(modified) = entry.metadata().and_then(|m| m.modified()) else { continue };
            if now.duration_since(modified).is_ok_and(|age| age > keep) && std::fs::remove_file(&path).is_ok()
            {
                gone.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        if !gone.is_empty() {
            let detail =
                serde_json::json!({ "keep_days": self.settings.keep_days, "deleted": gone }).to_string();
            let _ = store.audit(&self.operator, PRUNE, &dir.display().to_string(), &detail);
        }
        Ok(gone.len())
    }

    /// Step two, once the terminal is the shell's: audits the start, records, relays until the
    /// shell ends, audits the end. `tty`: standard input is a terminal (raw mode is the
    /// caller's).
    pub fn run(&self, req: &Request, prepared: Prepared, tty: bool) -> Result<Outcome, ShellError> {
        let started_at = chrono::Utc::now();
        let started = Instant::now();
        let Prepared { link, store, dir } = prepared;
        let _ = self.prune(&store, &dir, std::time::SystemTime::now());
        let (cols, rows) = if tty { terminal_size().unwrap_or((80, 24)) } else { (80, 24) };
        let term =
            std::env::var("TERM").ok().filter(|t| !t.is_empty()).unwrap_or_else(|| "xterm-256color".into());
        let mut recorder = if self.settings.record {
            let path = dir.join(record::file_name(&req.host, started_at));
            Some(record::Recorder::create(&path, cols, rows, &req.host, &term).map_err(|e| {
                both(&ShellMsg::CannotRecord, &[("path", &path.display().to_string()), ("e", &io_both(&e))])
            })?)
        } else {
            None
        };
        let session = format!("{}-{}", started_at.format("%Y%m%dT%H%M%S%.3fZ"), std::process::id());
        let recording = recorder.as_ref().map(|r| r.path().display().to_string());
        let via = match &link {
            Link::Remote { via, .. } => via.clone(),
            Link::Local { .. } => Vec::new(),
        };
        let start = serde_json::json!({
            "session": session,
            "host": req.host,
            "via": via,
            "ticket": req.ticket,
            "started_at": started_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "recording": recording,
            "terminal": tty,
        });
        store.audit(&self.operator, START, &req.host, &start.to_string()).map_err(|e| {
            if let Some(rec) = recorder.take() {
                let path = rec.path().to_path_buf();
                drop(rec);
                let _ = std::fs::remove_file(path);
            }
            both(
                &ShellMsg::CannotAudit,
                &[("path", &self.db_path.display().to_string()), ("e", &e.to_string())],
            )
        })?;
        let recorded = match &recording {
            Some(path) => both(&ShellMsg::RecordedTo, &[("path", path)]),
            None => both(&ShellMsg::NotRecorded, &[]),
        };
        let via_words = if via.is_empty() {
            Both::new("", "")
        } else {
            both(&ShellMsg::Via, &[("chain", &via.join(" → "))])
        };
        say_line(
            self.lang,
            &both(
                &ShellMsg::Banner,
                &[
                    ("host", &crate::text::escape_unprintable(&req.host).into_owned()),
                    ("via", &via_words),
                    ("recorded", &recorded),
                ],
            ),
        );
        // Held until the end row is written: a signal then ends the session, not the process.
        let stop = signals::StopSignals::install().ok();
        let (relayed, exit_status) = match link {
            Link::Remote { mut conn, .. } => {
                let pty = tty.then(|| PtyRequest { term: term.clone(), cols, rows });
                match conn.open_shell(pty.as_ref()) {
                    Ok(mut channel) => {
                        let r = relay(&mut channel, recorder.as_mut(), tty, stop.as_ref());
                        let status = Peer::finish(&mut channel);
                        (r, status)
                    }
                    Err(e) => (Err(Stopped::Failed(e.texts())), None),
                }
            }
            Link::Local { shell } => match pty::LocalShell::start(&shell, &term, cols, rows) {
                Ok(mut local) => {
                    let r = relay(&mut local, recorder.as_mut(), tty, stop.as_ref());
                    let status = local.finish();
                    (r, status)
                }
                Err(e) => (Err(Stopped::Failed(e)), None),
            },
        };
        let ended_at = chrono::Utc::now();
        let mut notes = Vec::new();
        let (sha256, path) = match recorder {
            Some(rec) => {
                let path = rec.path().to_path_buf();
                let (sha, err) = rec.finish();
                if let Some(e) = &err {
                    notes.push(both(
                        &ShellMsg::RecordingCut,
                        &[("path", &path.display().to_string()), ("e", &io_both(e))],
                    ));
                }
                (Some(sha), Some(path))
            }
            None => (None, None),
        };
        let end = serde_json::json!({
            "session": session,
            "host": req.host,
            "ticket": req.ticket,
            "started_at": started_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "ended_at": ended_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "exit_status": exit_status,
            "recording": path.as_ref().map(|p| p.display().to_string()),
            "sha256": sha256,
            "error": relayed.as_ref().err().map(|e| e.text().en),
            "recording_error": notes.first().map(|n| n.en.clone()),
        });
        if let Err(e) = store.audit(&self.operator, END, &req.host, &end.to_string()) {
            notes.push(both(
                &ShellMsg::CannotAudit,
                &[("path", &self.db_path.display().to_string()), ("e", &e.to_string())],
            ));
        }
        drop(stop);
        if let Err(stopped) = relayed {
            let signal = match stopped {
                Stopped::Signal(sig) => Some(sig),
                Stopped::Failed(_) => None,
            };
            return Err(ShellError { text: stopped.text(), ssh: None, signal });
        }
        Ok(Outcome { host: req.host.clone(), exit_status, recording: path, lasted: started.elapsed(), notes })
    }
}

/// Drops what the terminal has sent that nobody read: keys typed into the end of a session,
/// and the terminal's late answers to queries the remote side printed (a colour, the cursor's
/// place), which would otherwise reach the console's keys or the local shell.
pub fn discard_typeahead() {
    std::thread::sleep(Duration::from_millis(100));
    // SAFETY: tcflush on standard input; harmless when it is not a terminal.
    unsafe { libc::tcflush(0, libc::TCIFLUSH) };
}

/// A line of our own on standard error, between the shell's output (`\r\n`: raw mode may be on).
pub fn say_line(lang: Lang, text: &dyn Localized) {
    let mut out = io::stderr().lock();
    let _ = write!(out, "\r\n{}\r\n", crate::text::escape_unprintable(&text.in_lang(lang)));
    let _ = out.flush();
}

/// Every sequence a shell may have left on: put back before the console takes the screen
/// again (the main screen, the cursor shown, colours, mouse and paste modes off, the whole
/// screen scrolling, the normal keypad and character set).
pub const TERMINAL_RESET: &str = concat!(
    // Any sequence left open cancelled; the normal character set shifted in.
    "\u{18}\u{0f}",
    "\u{1b}[?1049l",
    // Mouse reports in every encoding, focus reports.
    "\u{1b}[?9l\u{1b}[?1000l\u{1b}[?1002l\u{1b}[?1003l\u{1b}[?1004l\u{1b}[?1005l\u{1b}[?1006l\u{1b}[?1015l",
    // Bracketed paste, cursor keys, autowrap on; the kitty keyboard and modifyOtherKeys off.
    "\u{1b}[?2004l\u{1b}[?1l\u{1b}[?7h\u{1b}[<u\u{1b}[>4m",
    // A soft reset (insert mode, keyboard lock, origin), the whole screen scrolling again (the
    // cursor kept where it is: resetting the margins alone moves it to the top-left, and what
    // follows would overprint the screen), colours, the cursor shown, the normal keypad and
    // ASCII.
    "\u{1b}[!p\u{1b}7\u{1b}[r\u{1b}8\u{1b}[0m\u{1b}[?25h\u{1b}>\u{1b}(B",
    "\r\n",
);

#[cfg(test)]
mod tests {
    use super::*;

    fn launcher(dir: &Path, keep_days: u32) -> Launcher {
        Launcher {
            hosts: vec![FleetHost { name: "here".into(), tags: Vec::new(), access: Access::Local }],
            pool: None,
            settings: crate::config::Shell { record: true, keep_days },
            db_path: dir.join("y.db"),
            operator: "王工".into(),
            simulated: vec!["demo-db".into()],
            lang: Lang::En,
        }
    }

    #[test]
    fn recordings_older_than_keep_days_are_deleted_and_each_deletion_audited() {
        let dir = tempfile::tempdir().unwrap();
        let l = launcher(dir.path(), 30);
        let store = Store::open_with(&l.db_path, StoreOptions::new(DbAccess::Write, true)).unwrap();
        let sessions = record::sessions_dir(&l.db_path).unwrap();
        let now = std::time::SystemTime::now();
        for (name, days) in [("old.cast", 31u64), ("young.cast", 29), ("old.txt", 400)] {
            let f = std::fs::File::create(sessions.join(name)).unwrap();
            f.set_modified(now - Duration::from_secs(days * 86_400)).unwrap();
        }
        assert_eq!(l.prune(&store, &sessions, now).unwrap(), 1);
        assert!(!sessions.join("old.cast").exists());
        assert!(sessions.join("young.cast").exists() && sessions.join("old.txt").exists());
        let rows = store.audit_of_actions(&[PRUNE]).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].operator, "王工");
        assert!(rows[0].detail.contains("old.cast") && rows[0].detail.contains("30"), "{:?}", rows[0]);
        // Nothing to delete: no row.
        assert_eq!(l.prune(&store, &sessions, now).unwrap(), 0);
        assert_eq!(store.audit_of_actions(&[PRUNE]).unwrap().len(), 1);
    }

    #[test]
    fn unknown_and_simulated_hosts_are_said_before_anything_opens() {
        let dir = tempfile::tempdir().unwrap();
        let l = launcher(dir.path(), 30);
        let req = |h: &str| Request { host: h.into(), ticket: None };
        let e = l.prepare(&req("nope")).err().unwrap();
        assert!(e.text.en.contains("nope: no such host (hosts: here)"), "{e:?}");
        assert!(e.text.zh.contains("没有这台主机"));
        let e = l.prepare(&req("demo-db")).err().unwrap();
        assert!(e.text.en.contains("simulated"), "{e:?}");
        assert!(!l.db_path.exists() && !dir.path().join("sessions").exists());
    }

    #[test]
    fn the_summary_says_the_exit_status_in_both_languages() {
        let o = Outcome {
            host: "db1".into(),
            exit_status: Some(7),
            recording: None,
            lasted: Duration::from_secs(125),
            notes: Vec::new(),
        };
        let s = o.summary();
        assert!(s.en.contains("db1 ended (exit status 7) after 2m"), "{}", s.en);
        assert!(s.zh.contains("退出码 7"), "{}", s.zh);
    }
}
