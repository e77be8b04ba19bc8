//! Following local log files with the semantics of `tail -F`, on raw bytes.
//!
//! A [`Follower`] follows a file *by name*: every [`Follower::poll`] `stat`s the name and compares
//! its identity (device and inode) with the file it has open.
//!
//! - Same file, grown: the new bytes are read and split into complete lines.
//! - Same file, now shorter than what was read (copy-truncate, or truncated to zero): reading
//!   restarts at 0 and [`FollowEvent::Truncated`] says so.
//! - The name points to another file (rotation by rename, or deleted and recreated): the rest of
//!   the old file is read through the handle still open, to its very end (lines a writer added
//!   after the rename included), then [`FollowEvent::Rotated`] and the new file from its start.
//! - The name is gone: the old file is read to its end, then [`FollowEvent::Missing`] (once);
//!   when a file appears under the name, [`FollowEvent::Appeared`] and it is read from its start.
//! - Anything else (permission denied, …) is one [`FollowEvent::Error`] per distinct error, and
//!   the follower keeps trying on every poll.
//!
//! Lines are raw bytes: they are split on `\n` (a newline never occurs inside a GBK or GB18030
//! character, nor inside a UTF-8 one), a trailing `\r` is removed, and decoding is left to the
//! caller. A partial last line is held back until its newline arrives; it is flushed as a line
//! when the file it belongs to ends (rotation, deletion, truncation). Memory stays bounded
//! whatever the file: reads are [`CHUNK`]-sized, a line longer than [`MAX_LINE`] is cut into
//! pieces of that size, and one poll reads at most [`MAX_POLL_BYTES`] (a big backlog is read over
//! several polls, so the caller's loop is never starved). A poll on an unchanged file costs one
//! `stat` and no read.
//!
//! A FIFO, a character device or a socket under the name is a stream: it is opened without
//! blocking (a FIFO with no writer yet does not hold the caller up) and read with plain
//! non-blocking reads as data comes; when every writer has closed, a partial last line is handed
//! out. A stream has no past, so it is read from what comes whatever the [`Start`].
//!
//! A file is binary, as `grep` would say, when its first block holds a NUL byte, when a whole
//! block read later is nothing but NULs, or when [`MAX_UNBROKEN`] bytes come without a newline
//! (`/dev/zero`, a core dump, a database file named by mistake): [`FollowEvent::Binary`] says so
//! and the file is not read further (a new file under the name is read again). A line longer
//! than [`MAX_LINE`] comes out in pieces, each but the last as a [`FollowEvent::Cut`].
//!
//! [`Follower::position`] is the identity of the open file and the offset just after the last
//! line handed out: saved and passed back as [`Start::Resume`] it continues with no line lost or
//! repeated, as long as the file is still there.
//!
//! [`read_lines`] reads a whole file once, with the same line rules and bounded memory, for
//! `yunwei logs` without `--follow`.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileExt, FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::lines::Splitter;
pub use super::lines::{binary_head, cut_point, LineReader, NulRun, BINARY_PROBE, MAX_LINE, MAX_UNBROKEN};

/// The size of one read.
pub const CHUNK: usize = 64 * 1024;
/// The most bytes one [`Follower::poll`] reads; the next poll goes on from there.
pub const MAX_POLL_BYTES: u64 = 8 * 1024 * 1024;
/// Where a file was read up to, and which file that was (so a reconnect or restart can resume
/// without losing or repeating lines). `offset` is always at the start of a line (or of the rest
/// of a line cut at [`MAX_LINE`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub dev: u64,
    pub inode: u64,
    pub offset: u64,
}

/// Where a [`Follower`] starts in the file found under the name when it is opened. A file that
/// appears later (after [`FollowEvent::Missing`], an error, or a rotation) is always read from its
/// start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// Only what is written from now on, like `tail -F` (`tail -n 0 -F`). A partial last line
    /// already in the file is kept and handed out whole once its newline arrives.
    End,
    /// The whole file, then follow.
    Beginning,
    /// The last n complete lines, then follow (a partial last line is held back as with `End`).
    LastLines(usize),
    /// Continue exactly after a saved position when the file under the name is still the same
    /// (device and inode) and not shorter than the offset; otherwise from the start of the
    /// current file, with [`FollowEvent::Rotated`] (another file) or [`FollowEvent::Truncated`]
    /// (the same file, shorter).
    Resume(Position),
}

/// What a [`Follower::poll`] found, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowEvent {
    /// Complete lines, without the newline (and without a `\r` before it), as raw bytes.
    Lines(Vec<Vec<u8>>),
    /// [`MAX_LINE`] bytes of a line that goes on: the rest comes in the next `Cut` or as the
    /// first of the next `Lines`.
    Cut(Vec<u8>),
    /// The file is binary (see the module documentation) and is no longer read; a new file
    /// under the name is.
    Binary,
    /// The name now points to a new file; the old one was read to its end first.
    Rotated,
    /// The same file is now shorter than what was read (copy-truncate): reading restarts at 0.
    Truncated,
    /// The file does not exist (yet). Said once, until it appears.
    Missing,
    /// A file appeared under the name after [`FollowEvent::Missing`]; it is read from its start.
    Appeared,
    /// The file could not be read, e.g. permission denied. Said once per distinct error; the
    /// follower keeps trying.
    Error(String),
}

/// The file currently open, and how far it was read.
struct Current {
    file: File,
    dev: u64,
    inode: u64,
    /// Bytes read from `file` so far (including a held-back partial line).
    offset: u64,
    /// A FIFO, character device or socket: read as data comes, not by offset.
    stream: bool,
    /// Found binary: no longer read.
    binary: bool,
    /// Whether the first bytes of a stream have been looked at for a NUL.
    probed: bool,
}

/// Follows one file by name; see the module documentation.
pub struct Follower {
    path: PathBuf,
    cur: Option<Current>,
    lines: LineReader,
    /// Events found by [`Follower::open`], handed out by the first poll.
    queued: Vec<FollowEvent>,
    /// `Missing` was said and no file has been opened since.
    missing: bool,
    /// The last error said, so that it is said once.
    last_error: Option<String>,
    buf: Vec<u8>,
    /// Read calls made, for the tests on cost.
    reads: u64,
}

impl fmt::Debug for Follower {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Follower")
            .field("path", &self.path)
            .field("position", &self.position())
            .field("held", &self.lines.held())
            .field("missing", &self.missing)
            .field("last_error", &self.last_error)
            .finish()
    }
}

impl Follower {
    /// Follows `path` by name, starting as `start` says in the file there now. Never fails: what
    /// goes wrong (missing file, permission denied) comes out of the first [`Follower::poll`].
    pub fn open(path: &Path, start: Start) -> Follower {
        let mut f = Follower {
            path: path.to_path_buf(),
            cur: None,
            lines: LineReader::new(),
            queued: Vec::new(),
            missing: false,
            last_error: None,
            buf: Vec::new(),
            reads: 0,
        };
        let mut out = Out::default();
        if let Some(size) = f.open_name(&mut out) {
            let stream = f.cur.as_ref().is_some_and(|c| c.stream);
            let offset = if stream {
                0
            } else if f.cur.as_ref().is_some_and(|c| c.binary) {
                size
            } else {
                f.start_offset(start, size, &mut out)
            };
            if let Some(cur) = f.cur.as_mut() {
                cur.offset = offset;
            }
        }
        f.queued = out.events;
        f
    }

    /// The file being followed, as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The open file and the offset just after the last line handed out; `None` while no file is
    /// open (missing, unreadable).
    pub fn position(&self) -> Option<Position> {
        self.cur.as_ref().map(|c| Position {
            dev: c.dev,
            inode: c.inode,
            offset: c.offset.saturating_sub(self.lines.held() as u64),
        })
    }

    /// Reads what is new, without blocking, in one bounded pass: the events since the last call.
    pub fn poll(&mut self) -> Vec<FollowEvent> {
        let mut out = Out { events: std::mem::take(&mut self.queued) };
        let mut budget = MAX_POLL_BYTES;
        match std::fs::metadata(&self.path) {
            Ok(meta) => {
                let same = self.cur.as_ref().is_some_and(|c| c.dev == meta.dev() && c.inode == meta.ino());
                if same && self.cur.as_ref().is_some_and(|c| c.stream) {
                    if self.read_stream(&mut out, &mut budget) {
                        self.last_error = None;
                    }
                } else if same {
                    if self.follow_same(meta.len(), &mut out, &mut budget) {
                        self.last_error = None;
                    }
                } else {
                    if self.cur.is_some() {
                        if !self.finish_old(&mut out, &mut budget) {
                            return out.events;
                        }
                        out.event(FollowEvent::Rotated);
                    }
                    if self.open_name(&mut out).is_some() {
                        self.read_on(&mut out, &mut budget);
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if self.cur.is_some() && !self.finish_old(&mut out, &mut budget) {
                    return out.events;
                }
                self.last_error = None;
                if !self.missing {
                    self.missing = true;
                    out.event(FollowEvent::Missing);
                }
            }
            Err(e) => {
                self.report(&mut out, format!("cannot stat: {e}"));
                // The name is out of reach, but what is open can still be read.
                let size = self.cur.as_ref().and_then(|c| c.file.metadata().ok()).map(|m| m.len());
                if let Some(size) = size {
                    self.follow_same(size, &mut out, &mut budget);
                }
            }
        }
        out.events
    }

    /// The name still points to the open file, now `size` bytes long. False when a read failed.
    fn follow_same(&mut self, size: u64, out: &mut Out, budget: &mut u64) -> bool {
        let Some(mut offset) = self.cur.as_ref().map(|c| c.offset) else { return true };
        if size < offset {
            self.lines.flush(&mut |l, cut| out.line(l, cut));
            if let Some(cur) = self.cur.as_mut() {
                cur.offset = 0;
                // Rewritten from the start: it may be text now.
                cur.binary = false;
            }
            offset = 0;
            out.event(FollowEvent::Truncated);
            self.probe_head(out);
        }
        size <= offset || self.read_on(out, budget) != ReadEnd::Failed
    }

    /// Reads what a stream (FIFO, device, socket) has now, without blocking, within the
    /// budget. When every writer has closed, a partial last line is handed out. False when a
    /// read failed.
    fn read_stream(&mut self, out: &mut Out, budget: &mut u64) -> bool {
        let Some(cur) = self.cur.as_mut() else { return true };
        if cur.binary {
            return true;
        }
        if self.buf.len() < CHUNK {
            self.buf.resize(CHUNK, 0);
        }
        while *budget > 0 {
            let want = (CHUNK as u64).min(*budget) as usize;
            self.reads += 1;
            let n = match cur.file.read(&mut self.buf[..want]) {
                Ok(0) => {
                    // No writer (left): what was held is a whole line.
                    self.lines.flush(&mut |l, cut| out.line(l, cut));
                    return true;
                }
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return true,
                Err(e) => {
                    let msg = format!("cannot read: {e}");
                    if self.last_error.as_ref() != Some(&msg) {
                        out.event(FollowEvent::Error(msg.clone()));
                        self.last_error = Some(msg);
                    }
                    return false;
                }
            };
            let data = &self.buf[..n];
            let first = !cur.probed;
            cur.probed = true;
            cur.offset += n as u64;
            *budget -= n as u64;
            if self.lines.feed(data, first, &mut |l, cut| out.line(l, cut)) {
                cur.binary = true;
                out.event(FollowEvent::Binary);
                return true;
            }
        }
        true
    }

    /// Looks at the start of the open regular file for a NUL byte; says [`FollowEvent::Binary`]
    /// and marks the file when there is one.
    fn probe_head(&mut self, out: &mut Out) {
        let Some(cur) = self.cur.as_mut() else { return };
        if cur.stream {
            return;
        }
        let mut head = [0u8; BINARY_PROBE];
        let n = loop {
            match cur.file.read_at(&mut head, 0) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // A failed read is said by the read that follows.
                Err(_) => return,
            }
        };
        if binary_head(&head[..n]) {
            cur.binary = true;
            // Not read; a file shorter than this later has been rewritten (truncated).
            cur.offset = cur.file.metadata().map_or(0, |m| m.len());
            out.event(FollowEvent::Binary);
        }
    }

    /// Reads the open file on to its end or until the budget is spent, then forgets it, flushing
    /// a partial last line. False when the budget ran out first (the next poll goes on).
    fn finish_old(&mut self, out: &mut Out, budget: &mut u64) -> bool {
        let stream = self.cur.as_ref().is_some_and(|c| c.stream);
        if !stream && self.read_on(out, budget) == ReadEnd::Budget {
            return false;
        }
        self.lines.flush(&mut |l, cut| out.line(l, cut));
        self.cur = None;
        true
    }

    /// Reads the open file from its offset until a read returns nothing or the budget is spent.
    /// A failed read is reported.
    fn read_on(&mut self, out: &mut Out, budget: &mut u64) -> ReadEnd {
        let Some(cur) = self.cur.as_mut() else { return ReadEnd::End };
        if cur.binary {
            return ReadEnd::End;
        }
        if self.buf.len() < CHUNK {
            self.buf.resize(CHUNK, 0);
        }
        loop {
            if *budget == 0 {
                return ReadEnd::Budget;
            }
            let want = (CHUNK as u64).min(*budget) as usize;
            self.reads += 1;
            let n = match cur.file.read_at(&mut self.buf[..want], cur.offset) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let msg = format!("cannot read: {e}");
                    if self.last_error.as_ref() != Some(&msg) {
                        out.event(FollowEvent::Error(msg.clone()));
                        self.last_error = Some(msg);
                    }
                    return ReadEnd::Failed;
                }
            };
            if n == 0 {
                return ReadEnd::End;
            }
            cur.offset += n as u64;
            *budget -= n as u64;
            let data = &self.buf[..n];
            // The head was looked at when the file was opened.
            if self.lines.feed(data, false, &mut |l, cut| out.line(l, cut)) {
                cur.binary = true;
                out.event(FollowEvent::Binary);
                return ReadEnd::End;
            }
        }
    }

    /// Opens the file under the name (at offset 0) and returns its size, or says why it cannot.
    /// Never blocks on a FIFO without a writer: the name is opened non-blocking. A regular file
    /// whose start says it is binary is marked so (and said).
    fn open_name(&mut self, out: &mut Out) -> Option<u64> {
        let opened =
            OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(&self.path).and_then(|file| {
                let meta = file.metadata()?;
                Ok((file, meta))
            });
        match opened {
            Ok((_, meta)) if meta.is_dir() => {
                self.report(out, "cannot read: is a directory".to_string());
                None
            }
            Ok((file, meta)) => {
                let kind = meta.file_type();
                let stream = kind.is_fifo() || kind.is_char_device() || kind.is_socket();
                if !stream {
                    // Reads of a regular file never block anyway; clearing the flag keeps
                    // network file systems that honour it from failing reads with EAGAIN.
                    set_blocking(&file);
                }
                self.cur = Some(Current {
                    file,
                    dev: meta.dev(),
                    inode: meta.ino(),
                    offset: 0,
                    stream,
                    binary: false,
                    probed: false,
                });
                self.last_error = None;
                if self.missing {
                    self.missing = false;
                    out.event(FollowEvent::Appeared);
                }
                self.probe_head(out);
                Some(meta.len())
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                self.last_error = None;
                if !self.missing {
                    self.missing = true;
                    out.event(FollowEvent::Missing);
                }
                None
            }
            Err(e) => {
                self.report(out, format!("cannot open: {e}"));
                None
            }
        }
    }

    /// Where to start in the file just opened (`size` bytes long).
    fn start_offset(&mut self, start: Start, size: u64, out: &mut Out) -> u64 {
        let Some(cur) = self.cur.as_ref() else { return 0 };
        let n = match start {
            Start::Beginning => return 0,
            Start::Resume(pos) => {
                let same = pos.dev == cur.dev && pos.inode == cur.inode;
                return if same && pos.offset <= size {
                    pos.offset
                } else {
                    out.event(if same { FollowEvent::Truncated } else { FollowEvent::Rotated });
                    0
                };
            }
            Start::End => 0,
            Start::LastLines(n) => n,
        };
        match last_lines_start(&cur.file, size, n) {
            Ok(offset) => offset,
            Err(e) => {
                self.report(out, format!("cannot read: {e}"));
                size
            }
        }
    }

    /// Says an error, unless it is the one said last.
    fn report(&mut self, out: &mut Out, msg: String) {
        if self.last_error.as_ref() != Some(&msg) {
            out.event(FollowEvent::Error(msg.clone()));
            self.last_error = Some(msg);
        }
    }
}

/// Clears `O_NONBLOCK` on an open file.
fn set_blocking(file: &File) {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this function's caller owns and keeps open; F_GETFL and
    // F_SETFL touch only the descriptor's status flags.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
        }
    }
}

/// The offset where the last `n` complete lines of `file` (`size` bytes) begin: just after the
/// (n+1)-th newline from the end, or 0. Reads backwards in chunks, so memory stays bounded.
fn last_lines_start(file: &File, size: u64, n: usize) -> io::Result<u64> {
    let mut need = n.saturating_add(1);
    let mut buf = vec![0u8; CHUNK];
    let mut end = size;
    while end > 0 {
        let start = end.saturating_sub(CHUNK as u64);
        let chunk = &mut buf[..(end - start) as usize];
        file.read_exact_at(chunk, start)?;
        for (i, &b) in chunk.iter().enumerate().rev() {
            if b == b'\n' {
                need -= 1;
                if need == 0 {
                    return Ok(start + i as u64 + 1);
                }
            }
        }
        end = start;
    }
    Ok(0)
}

/// Reads a whole file once (no following) as complete lines, with a bounded buffer, calling `f`
/// per line: memory stays bounded whatever the size. The last line counts even without a final
/// newline. Lines follow the rules of [`Follower`] (raw bytes, `\r` before the newline removed,
/// cut at [`MAX_LINE`]). Returns the number of lines (pieces of a cut line count one each).
pub fn read_lines(path: &Path, mut f: impl FnMut(&[u8])) -> io::Result<u64> {
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; CHUNK];
    let mut lines = Splitter::new(MAX_LINE);
    let mut count = 0u64;
    let mut each = |l: &[u8], _cut: bool| {
        count += 1;
        f(l);
    };
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        lines.feed(&buf[..n], &mut each);
    }
    lines.flush(&mut each);
    Ok(count)
}

/// How a [`Follower::read_on`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReadEnd {
    /// A read returned nothing: the end of the file, for now.
    End,
    /// The bytes one poll may read were read.
    Budget,
    /// A read failed (reported).
    Failed,
}

/// The events of one poll, with consecutive lines gathered into one `Lines`.
#[derive(Default)]
struct Out {
    events: Vec<FollowEvent>,
}

impl Out {
    fn line(&mut self, line: &[u8], cut: bool) {
        if cut {
            self.events.push(FollowEvent::Cut(line.to_vec()));
        } else if let Some(FollowEvent::Lines(lines)) = self.events.last_mut() {
            lines.push(line.to_vec());
        } else {
            self.events.push(FollowEvent::Lines(vec![line.to_vec()]));
        }
    }

    fn event(&mut self, event: FollowEvent) {
        self.events.push(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::OpenOptions;
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;

    /// The events as strings: each line as its (lossy) text, other events in angle brackets.
    fn render(events: Vec<FollowEvent>) -> Vec<String> {
        let mut v = Vec::new();
        for e in events {
            match e {
                FollowEvent::Lines(lines) => {
                    v.extend(lines.iter().map(|l| String::from_utf8_lossy(l).into_owned()))
                }
                FollowEvent::Cut(piece) => v.push(format!("{} <cut>", String::from_utf8_lossy(&piece))),
                FollowEvent::Error(msg) => v.push(format!("<Error {msg}>")),
                other => v.push(format!("<{other:?}>")),
            }
        }
        v
    }

    fn append(path: &Path, bytes: &[u8]) {
        let mut f = OpenOptions::new().create(true).append(true).open(path).unwrap();
        f.write_all(bytes).unwrap();
    }

    fn setup(content: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        std::fs::write(&path, content).unwrap();
        (dir, path)
    }

    #[test]
    fn appends_are_picked_up() {
        let (_dir, path) = setup(b"old 1\nold 2\n");
        let mut f = Follower::open(&path, Start::End);
        assert_eq!(render(f.poll()), Vec::<String>::new());
        append(&path, b"a\nb\n");
        assert_eq!(render(f.poll()), ["a", "b"]);
        assert_eq!(render(f.poll()), Vec::<String>::new());
        append(&path, b"c\r\n\n");
        assert_eq!(render(f.poll()), ["c", ""]);
        assert_eq!(f.path(), path.as_path());
    }

    #[test]
    fn an_unchanged_file_costs_no_read() {
        let (_dir, path) = setup(b"a\n");
        let mut f = Follower::open(&path, Start::Beginning);
        assert_eq!(render(f.poll()), ["a"]);
        let reads = f.reads;
        for _ in 0..100 {
            assert!(f.poll().is_empty());
        }
        assert_eq!(f.reads, reads);
    }

    #[test]
    fn a_partial_line_is_held_until_its_newline() {
        let (_dir, path) = setup(b"");
        let mut f = Follower::open(&path, Start::End);
        append(&path, b"first\npar");
        assert_eq!(render(f.poll()), ["first"]);
        let pos = f.position().unwrap();
        assert_eq!(pos.offset, 6, "the position is after the last line handed out");
        append(&path, b"ti");
        assert_eq!(render(f.poll()), Vec::<String>::new());
        append(&path, b"al\r\n");
        assert_eq!(render(f.poll()), ["partial"]);
        assert_eq!(f.position().unwrap().offset, 15);
    }

    #[test]
    fn rotation_reads_the_rest_of_the_old_file_first() {
        let (dir, path) = setup(b"1\n");
        let mut f = Follower::open(&path, Start::Beginning);
        assert_eq!(render(f.poll()), ["1"]);
        // The application keeps its file open across the rename and writes on for a while.
        let mut writer = OpenOptions::new().append(true).open(&path).unwrap();
        writer.write_all(b"2\n").unwrap();
        std::fs::rename(&path, dir.path().join("app.log.1")).unwrap();
        writer.write_all(b"3\n4 without newline").unwrap();
        std::fs::write(&path, b"new 1\n").unwrap();
        assert_eq!(render(f.poll()), ["2", "3", "4 without newline", "<Rotated>", "new 1"]);
        writer.write_all(b"late, lost like tail -F\n").unwrap();
        append(&path, b"new 2\n");
        assert_eq!(render(f.poll()), ["new 2"]);
    }

    #[test]
    fn copy_truncate_restarts_at_zero() {
        let (dir, path) = setup(b"a\nb\n");
        let mut writer = OpenOptions::new().append(true).open(&path).unwrap();
        let mut f = Follower::open(&path, Start::Beginning);
        assert_eq!(render(f.poll()), ["a", "b"]);
        let inode = f.position().unwrap().inode;
        std::fs::copy(&path, dir.path().join("app.log.1")).unwrap();
        OpenOptions::new().write(true).open(&path).unwrap().set_len(0).unwrap();
        assert_eq!(render(f.poll()), ["<Truncated>"]);
        writer.write_all(b"c\n").unwrap();
        assert_eq!(render(f.poll()), ["c"]);
        assert_eq!(f.position().unwrap(), Position { inode, offset: 2, ..f.position().unwrap() });
    }

    #[test]
    fn truncation_to_zero_then_new_lines() {
        let (_dir, path) = setup(b"long line one\nlong line two\npartial");
        let mut f = Follower::open(&path, Start::Beginning);
        assert_eq!(render(f.poll()), ["long line one", "long line two"]);
        // Truncated and rewritten (shorter) between two polls.
        std::fs::write(&path, b"x\ny\n").unwrap();
        assert_eq!(render(f.poll()), ["partial", "<Truncated>", "x", "y"]);
        assert_eq!(render(f.poll()), Vec::<String>::new());
    }

    #[test]
    fn missing_then_present() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("later.log");
        let mut f = Follower::open(&path, Start::End);
        assert_eq!(render(f.poll()), ["<Missing>"]);
        assert_eq!(render(f.poll()), Vec::<String>::new(), "Missing is said once");
        assert_eq!(f.position(), None);
        std::fs::write(&path, b"first\nsecond\n").unwrap();
        assert_eq!(render(f.poll()), ["<Appeared>", "first", "second"]);
        append(&path, b"third\n");
        assert_eq!(render(f.poll()), ["third"]);
    }

    #[test]
    fn deleted_then_recreated() {
        let (_dir, path) = setup(b"a\n");
        let mut f = Follower::open(&path, Start::Beginning);
        assert_eq!(render(f.poll()), ["a"]);
        append(&path, b"b\nc");
        std::fs::remove_file(&path).unwrap();
        assert_eq!(render(f.poll()), ["b", "c", "<Missing>"]);
        assert_eq!(render(f.poll()), Vec::<String>::new());
        std::fs::write(&path, b"d\n").unwrap();
        assert_eq!(render(f.poll()), ["<Appeared>", "d"]);
        // Deleted and recreated between two polls: the old file is still open, so the new one
        // has another inode and it is a rotation.
        append(&path, b"e\n");
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, b"f\n").unwrap();
        assert_eq!(render(f.poll()), ["e", "<Rotated>", "f"]);
    }

    #[test]
    fn resume_on_the_same_file_loses_and_repeats_nothing() {
        let (_dir, path) = setup(b"a\nb\npar");
        let mut f = Follower::open(&path, Start::Beginning);
        assert_eq!(render(f.poll()), ["a", "b"]);
        let pos = f.position().unwrap();
        drop(f);
        // Survives a trip through JSON, as it would through the database.
        let pos: Position = serde_json::from_str(&serde_json::to_string(&pos).unwrap()).unwrap();
        append(&path, b"tial\nc\n");
        let mut f = Follower::open(&path, Start::Resume(pos));
        assert_eq!(render(f.poll()), ["partial", "c"]);
        let pos = f.position().unwrap();
        let mut f = Follower::open(&path, Start::Resume(pos));
        assert_eq!(render(f.poll()), Vec::<String>::new());
        append(&path, b"d\n");
        assert_eq!(render(f.poll()), ["d"]);
    }

    #[test]
    fn resume_after_rotation_or_truncation_starts_over() {
        let (dir, path) = setup(b"a\nb\n");
        let mut f = Follower::open(&path, Start::Beginning);
        assert_eq!(render(f.poll()), ["a", "b"]);
        let pos = f.position().unwrap();
        drop(f);
        append(&path, b"rest of old\n");
        std::fs::rename(&path, dir.path().join("app.log.1")).unwrap();
        std::fs::write(&path, b"new\n").unwrap();
        let mut f = Follower::open(&path, Start::Resume(pos));
        assert_eq!(render(f.poll()), ["<Rotated>", "new"]);

        let pos = f.position().unwrap();
        assert_eq!(pos.offset, 4);
        drop(f);
        std::fs::write(&path, b"z\n").unwrap();
        let mut f = Follower::open(&path, Start::Resume(pos));
        assert_eq!(render(f.poll()), ["<Truncated>", "z"]);
    }

    #[test]
    fn last_lines() {
        let (_dir, path) = setup(b"1\n2\n3\n4\n");
        let mut f = Follower::open(&path, Start::LastLines(2));
        assert_eq!(render(f.poll()), ["3", "4"]);
        append(&path, b"5\n");
        assert_eq!(render(f.poll()), ["5"]);

        let mut f = Follower::open(&path, Start::LastLines(100));
        assert_eq!(render(f.poll()), ["1", "2", "3", "4", "5"]);
        let mut f = Follower::open(&path, Start::LastLines(0));
        assert_eq!(render(f.poll()), Vec::<String>::new());

        // Without a final newline: the last complete lines, and the partial one once it ends.
        let (_dir2, path) = setup(b"1\n2\n3");
        let mut f = Follower::open(&path, Start::LastLines(2));
        assert_eq!(render(f.poll()), ["1", "2"]);
        let mut end = Follower::open(&path, Start::End);
        assert_eq!(render(end.poll()), Vec::<String>::new());
        append(&path, b" end\n");
        assert_eq!(render(f.poll()), ["3 end"]);
        assert_eq!(render(end.poll()), ["3 end"]);
        let mut f = Follower::open(&path, Start::LastLines(9));
        assert_eq!(render(f.poll()), ["1", "2", "3 end"]);

        let (_dir3, path) = setup(b"");
        let mut f = Follower::open(&path, Start::LastLines(3));
        assert_eq!(render(f.poll()), Vec::<String>::new());
    }

    #[test]
    fn last_lines_scans_back_over_several_chunks() {
        let mut content = Vec::new();
        for i in 0..50_000 {
            writeln!(content, "line number {i:06}").unwrap();
        }
        assert!(content.len() > 3 * CHUNK);
        let (_dir, path) = setup(&content);
        let mut f = Follower::open(&path, Start::LastLines(20_000));
        let lines = render(f.poll());
        assert_eq!(lines.len(), 20_000);
        assert_eq!(lines[0], "line number 030000");
        assert_eq!(lines[19_999], "line number 049999");
    }

    #[test]
    fn gbk_bytes_pass_through_untouched() {
        // "警告：磁盘" in GBK, then bytes that are not valid UTF-8 either.
        let gbk: &[u8] = b"\xbe\xaf\xb8\xe6\xa3\xba\xb4\xc5\xc5\xcc 95% \xff\xfe";
        let mut content = gbk.to_vec();
        content.extend_from_slice(b"\r\n");
        content.extend_from_slice(gbk);
        let (_dir, path) = setup(&content);
        let mut f = Follower::open(&path, Start::Beginning);
        assert_eq!(f.poll(), vec![FollowEvent::Lines(vec![gbk.to_vec()])]);
        append(&path, b"\n");
        assert_eq!(f.poll(), vec![FollowEvent::Lines(vec![gbk.to_vec()])]);
        let mut seen = Vec::new();
        assert_eq!(read_lines(&path, |l| seen.push(l.to_vec())).unwrap(), 2);
        assert_eq!(seen, [gbk, gbk]);
    }

    #[test]
    fn long_lines_are_cut_at_the_bound() {
        let mut content = vec![b'x'; 2 * MAX_LINE + MAX_LINE / 2];
        content.extend_from_slice(b"\nshort\n");
        content.extend_from_slice(&vec![b'y'; MAX_LINE]);
        content.extend_from_slice(b"\r\n");
        let (_dir, path) = setup(&content);
        let mut f = Follower::open(&path, Start::Beginning);
        let lens: Vec<usize> = f
            .poll()
            .into_iter()
            .flat_map(|e| match e {
                FollowEvent::Lines(v) => v.into_iter().map(|l| l.len()).collect(),
                FollowEvent::Cut(piece) => vec![piece.len() + 1_000_000_000],
                _ => vec![usize::MAX],
            })
            .collect();
        // The pieces that go on are Cut (here: a billion plus their length).
        let cut = 1_000_000_000 + MAX_LINE;
        assert_eq!(lens, [cut, cut, MAX_LINE / 2, 5, MAX_LINE]);
        let mut lens = Vec::new();
        assert_eq!(read_lines(&path, |l| lens.push(l.len())).unwrap(), 5);
        assert_eq!(lens, [MAX_LINE, MAX_LINE, MAX_LINE / 2, 5, MAX_LINE]);

        // A partial line longer than the bound is not held whole either.
        append(&path, &vec![b'z'; MAX_LINE + 10]);
        assert_eq!(f.poll(), vec![FollowEvent::Cut(vec![b'z'; MAX_LINE])]);
        assert_eq!(f.position().unwrap().offset, content.len() as u64 + MAX_LINE as u64);
        append(&path, b"\n");
        assert_eq!(f.poll(), vec![FollowEvent::Lines(vec![vec![b'z'; 10]])]);
    }

    #[test]
    fn a_long_utf8_line_is_cut_between_characters() {
        // "中" is three bytes: MAX_LINE is not a multiple of three, so the bound falls inside one.
        let text = "中".repeat(MAX_LINE / 3 + 10);
        let (_dir, path) = setup(format!("{text}\n").as_bytes());
        let mut f = Follower::open(&path, Start::Beginning);
        let events = f.poll();
        let FollowEvent::Cut(first) = &events[0] else { panic!("{:?}", &events[0]) };
        assert!(first.len() <= MAX_LINE && first.len() > MAX_LINE - 3);
        let FollowEvent::Lines(rest) = &events[1] else { panic!() };
        let (a, b) = (std::str::from_utf8(first).unwrap(), std::str::from_utf8(&rest[0]).unwrap());
        assert_eq!(format!("{a}{b}"), text);
        assert_eq!(cut_point(b"abcdef", 3), 3);
        assert_eq!(cut_point(b"\x80\x80\x80\x80\x80", 3), 3, "not UTF-8: cut where the bound falls");
    }

    #[test]
    fn one_poll_reads_a_bounded_amount() {
        let line = [b'q'; 99];
        let mut content = Vec::new();
        while content.len() < 3 * MAX_POLL_BYTES as usize {
            content.extend_from_slice(&line);
            content.push(b'\n');
        }
        let total = content.len() / 100;
        let (dir, path) = setup(&content);
        let mut f = Follower::open(&path, Start::Beginning);
        let first = render(f.poll()).len();
        assert!(first > 0 && first as u64 * 100 <= MAX_POLL_BYTES, "{first} lines in one poll");
        // Rotated while the backlog is being read: the old file is still read to its end first.
        std::fs::rename(&path, dir.path().join("app.log.1")).unwrap();
        std::fs::write(&path, b"new\n").unwrap();
        let mut rest = Vec::new();
        for _ in 0..10 {
            rest.extend(render(f.poll()));
        }
        assert_eq!(first + rest.len(), total + 2);
        assert_eq!(rest[rest.len() - 2..], ["<Rotated>", "new"]);
    }

    /// The memory-bound check runs `read_lines` in a process of its own (this test binary, run
    /// for the ignored test below), so that other tests running meanwhile cannot blur its peak.
    #[test]
    fn read_lines_on_a_200_mb_file_keeps_memory_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.log");
        let mut block = Vec::new();
        for i in 0..10_000 {
            // 100 bytes a line, so that lines straddle the chunk boundaries.
            writeln!(block, "{i:05} {}", "x".repeat(93)).unwrap();
        }
        assert_eq!(block.len(), 1_000_000);
        {
            let mut file = std::io::BufWriter::new(File::create(&path).unwrap());
            for _ in 0..200 {
                file.write_all(&block).unwrap();
            }
            file.write_all(b"last line without newline").unwrap();
            file.flush().unwrap();
        }
        let exe = std::env::current_exe().unwrap();
        let child = std::process::Command::new(exe)
            .args(["--exact", "logs::follow::tests::read_lines_memory_child", "--nocapture", "--ignored"])
            .args(["--test-threads", "1"])
            .env("YUNWEI_READ_LINES_FILE", &path)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&child.stdout);
        assert!(child.status.success(), "{stdout}{}", String::from_utf8_lossy(&child.stderr));
        let report =
            stdout.lines().find_map(|l| l.split_once("READ_LINES ").map(|(_, r)| r)).unwrap_or_else(|| {
                panic!("no report from the child: {stdout}");
            });
        let nums: Vec<u64> = report.split(' ').map(|n| n.parse().unwrap()).collect();
        let (lines, bytes, growth_kib) = (nums[0], nums[1], nums[2]);
        assert_eq!(lines, 2_000_001);
        assert_eq!(bytes, 200_000_000 - 2_000_000 + 25);
        assert!(growth_kib < 50 * 1024, "peak memory grew by {growth_kib} KiB");
    }

    fn vm_hwm_kib() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    /// Run by read_lines_on_a_200_mb_file_keeps_memory_bounded in a process of its own; does
    /// nothing when run directly.
    #[test]
    #[ignore = "a child process of read_lines_on_a_200_mb_file_keeps_memory_bounded, which runs it"]
    fn read_lines_memory_child() {
        let Some(path) = std::env::var_os("YUNWEI_READ_LINES_FILE") else { return };
        let before = vm_hwm_kib();
        let mut bytes = 0u64;
        let lines = read_lines(Path::new(&path), |l| bytes += l.len() as u64).unwrap();
        let growth = vm_hwm_kib().saturating_sub(before);
        println!("READ_LINES {lines} {bytes} {growth}");
    }

    /// Runs `body` in a thread whose file access is checked like an unprivileged user's, giving
    /// it a `chmod` that works either way. Not root: as is. Root ignores file modes, but Linux
    /// keeps the file-system user id per thread, so this thread alone becomes `nobody` for file
    /// access (losing CAP_DAC_OVERRIDE with it). None (test skipped) when that is not allowed.
    fn unprivileged<T: Send + 'static>(
        body: impl FnOnce(&dyn Fn(&Path, u32)) -> T + Send + 'static,
    ) -> Option<T> {
        let root = unsafe { libc::geteuid() } == 0;
        let worker = std::thread::spawn(move || {
            let fsuid = |uid: u32| unsafe {
                libc::setfsuid(uid);
                libc::setfsuid(u32::MAX) as u32 == uid
            };
            if root && !fsuid(65534) {
                eprintln!("skipped: cannot change the file-system user id");
                return None;
            }
            let chmod = |path: &Path, mode: u32| {
                if root {
                    fsuid(0);
                }
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
                if root {
                    fsuid(65534);
                }
            };
            let result = body(&chmod);
            if root {
                fsuid(0);
            }
            Some(result)
        });
        worker.join().unwrap()
    }

    #[test]
    fn permission_denied_is_said_once_then_read_when_allowed() {
        let (dir, path) = setup(b"secret\n");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
        let Some((first, second, third)) = unprivileged(move |chmod| {
            let mut f = Follower::open(&path, Start::Beginning);
            let first = render(f.poll());
            let second = render(f.poll());
            chmod(&path, 0o644);
            (first, second, render(f.poll()))
        }) else {
            return;
        };
        assert_eq!(first.len(), 1, "{first:?}");
        assert!(
            first[0].starts_with("<Error cannot open") && first[0].contains("ermission denied"),
            "{first:?}"
        );
        assert_eq!(second, Vec::<String>::new(), "the same error is said once");
        assert_eq!(third, ["secret"]);
    }

    #[test]
    fn an_open_file_is_read_on_while_its_name_is_out_of_reach() {
        let (dir, path) = setup(b"a\n");
        let dir_path = dir.path().to_path_buf();
        std::fs::set_permissions(&dir_path, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        let Some(seen) = unprivileged(move |chmod| {
            let mut writer = OpenOptions::new().append(true).open(&path).unwrap();
            let mut f = Follower::open(&path, Start::Beginning);
            let mut seen = vec![render(f.poll())];
            chmod(&dir_path, 0o000);
            writer.write_all(b"b\n").unwrap();
            seen.push(render(f.poll()));
            writer.write_all(b"c\n").unwrap();
            seen.push(render(f.poll()));
            seen.push(render(f.poll()));
            chmod(&dir_path, 0o755);
            writer.write_all(b"d\n").unwrap();
            seen.push(render(f.poll()));
            seen
        }) else {
            return;
        };
        assert_eq!(seen[0], ["a"]);
        assert_eq!(seen[1].len(), 2, "{:?}", seen[1]);
        assert!(seen[1][0].starts_with("<Error cannot stat") && seen[1][0].contains("ermission denied"));
        assert_eq!(seen[1][1], "b");
        assert_eq!(seen[2], ["c"], "the same error is said once, and what is open is read on");
        assert_eq!(seen[3], Vec::<String>::new());
        assert_eq!(seen[4], ["d"]);
    }

    #[test]
    fn a_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = Follower::open(dir.path(), Start::Beginning);
        assert_eq!(render(f.poll()), ["<Error cannot read: is a directory>"]);
        assert_eq!(render(f.poll()), Vec::<String>::new());
    }

    fn mkfifo(path: &Path) {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "{}", io::Error::last_os_error());
    }

    #[test]
    fn a_fifo_without_a_writer_holds_nothing_up_and_is_read_as_writers_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.fifo");
        mkfifo(&path);
        // Opening and polling return at once although no writer has the FIFO open.
        let mut f = Follower::open(&path, Start::LastLines(10));
        assert_eq!(render(f.poll()), Vec::<String>::new());
        assert_eq!(render(f.poll()), Vec::<String>::new());
        // A writer: lines as they come, a partial line held while the writer is there.
        let mut w = OpenOptions::new().write(true).open(&path).unwrap();
        w.write_all(b"one\ntwo\npar").unwrap();
        assert_eq!(render(f.poll()), ["one", "two"]);
        assert_eq!(render(f.poll()), Vec::<String>::new(), "a writer with nothing to say");
        w.write_all(b"tial\nlast without newline").unwrap();
        assert_eq!(render(f.poll()), ["partial"]);
        // The writer leaves: its last line ends with it.
        drop(w);
        assert_eq!(render(f.poll()), ["last without newline"]);
        assert_eq!(render(f.poll()), Vec::<String>::new());
        // A second writer later is read as well.
        let mut w = OpenOptions::new().write(true).open(&path).unwrap();
        w.write_all("第二个写入者\n".as_bytes()).unwrap();
        assert_eq!(render(f.poll()), ["第二个写入者"]);
    }

    #[test]
    fn dev_zero_is_binary_and_no_longer_read() {
        let mut f = Follower::open(Path::new("/dev/zero"), Start::LastLines(10));
        assert_eq!(render(f.poll()), ["<Binary>"]);
        let reads = f.reads;
        for _ in 0..10 {
            assert_eq!(render(f.poll()), Vec::<String>::new());
        }
        assert_eq!(f.reads, reads, "a binary source is not read again");
    }

    #[test]
    fn a_binary_file_is_said_binary_until_rewritten_as_text() {
        let mut content = b"ELF\x02\x01\x01\0\0\0\0\ngarbage\n".to_vec();
        content.extend_from_slice(&[0x90; 100]);
        let (_dir, path) = setup(&content);
        let mut f = Follower::open(&path, Start::Beginning);
        assert_eq!(render(f.poll()), ["<Binary>"]);
        append(&path, b"more\n");
        assert_eq!(render(f.poll()), Vec::<String>::new());
        // Truncated and written as text again: read again.
        std::fs::write(&path, b"text\n").unwrap();
        assert_eq!(render(f.poll()), ["<Truncated>", "text"]);
        // Also from the end: a binary file never shows its last "lines".
        let (_dir, path) = setup(&content);
        let mut f = Follower::open(&path, Start::LastLines(5));
        assert_eq!(render(f.poll()), ["<Binary>"]);
    }

    #[test]
    fn a_run_of_nuls_or_of_bytes_without_newline_turns_a_text_file_binary() {
        let (_dir, path) = setup(b"a log line\n");
        let mut f = Follower::open(&path, Start::Beginning);
        assert_eq!(render(f.poll()), ["a log line"]);
        append(&path, b"last text\n");
        append(&path, &vec![0u8; CHUNK]);
        assert_eq!(render(f.poll()), ["last text", "<Binary>"]);
        append(&path, b"after\n");
        assert_eq!(render(f.poll()), Vec::<String>::new());

        let (_dir, path) = setup(b"");
        let mut f = Follower::open(&path, Start::Beginning);
        append(&path, &vec![b'y'; MAX_UNBROKEN as usize + 10]);
        let mut seen = Vec::new();
        for _ in 0..4 {
            seen.extend(f.poll());
        }
        let cuts = seen.iter().filter(|e| matches!(e, FollowEvent::Cut(_))).count();
        // The last MiB before the bound is still held when it is reached.
        assert_eq!(cuts, (MAX_UNBROKEN as usize) / MAX_LINE - 1, "pieces until the bound");
        assert_eq!(seen.last(), Some(&FollowEvent::Binary));
    }

    #[test]
    fn read_lines_counts_the_last_line_without_newline() {
        let (_dir, path) = setup(b"a\r\n\nb");
        let mut seen = Vec::new();
        assert_eq!(read_lines(&path, |l| seen.push(l.to_vec())).unwrap(), 3);
        assert_eq!(seen, [b"a".to_vec(), b"".to_vec(), b"b".to_vec()]);
        let (_dir, path) = setup(b"");
        assert_eq!(read_lines(&path, |_| {}).unwrap(), 0);
        assert!(read_lines(Path::new("/nonexistent/yunwei.log"), |_| {}).is_err());
    }
}
