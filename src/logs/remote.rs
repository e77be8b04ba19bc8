//! Reading and following a file on a remote host over SSH, one bounded chunk per exec, keyed by
//! the file's inode and byte offset: a reconnect, a restart of the remote sshd, a rotation or a
//! copy-truncate never loses or repeats a line. The script is POSIX `sh`; every argument is
//! quoted; the bytes come back raw (decoded by the caller, GBK included).
//!
//! [`RemoteFile`] applies the line rules of local files ([`crate::logs::lines`]) to what comes:
//! a line longer than [`MAX_LINE`](crate::logs::lines::MAX_LINE) comes out in pieces marked as cut, the partial line held
//! between execs is never longer than that, and a binary file (a NUL in its head, a run of
//! NULs, megabytes without a newline) is said binary once and no longer read; only a rotation
//! or truncation (a new file under the name) has it read again. A character or block device
//! (`/dev/zero`) has no size to read up to: one exec takes at most [`BINARY_PROBE`] bytes of
//! it, so it can never make the remote command stream endless data. A FIFO, a socket or a
//! directory is not read at all (opening a FIFO with no writer would block the session).

use crate::logs::follow::FollowEvent;
use crate::logs::lines::{binary_head, LineReader, BINARY_PROBE};
use crate::text::shell_quote;

/// Most bytes one exec brings back.
pub const MAX_CHUNK: u64 = 4 << 20;

/// What is known of the remote file between execs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteCursor {
    /// Inode of the file being read; None before the first read.
    pub inode: Option<u64>,
    /// Bytes of that file already taken.
    pub offset: u64,
    /// The file the name pointed to when we last looked (a rotation moves us to it).
    current: Option<u64>,
    /// The size of the file read, as the last answer gave it.
    size: u64,
}

/// One exec's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chunk {
    /// Bytes of the file from the cursor's offset; `more` when the file has more already.
    Data {
        bytes: Vec<u8>,
        more: bool,
    },
    /// Bytes of a character or block device as they come, at most [`BINARY_PROBE`] of them.
    Device {
        bytes: Vec<u8>,
    },
    /// The file's head holds a NUL ([`binary_head`]): the cursor is at its end, nothing of it
    /// is read.
    Binary,
    /// The name now points to another file: what was left of the old one has been read (or it
    /// is gone); reading goes on at the start of the new file.
    Rotated,
    /// The file shrank below the offset: reading starts again at 0.
    Truncated,
    Missing,
    Unreadable,
    /// A FIFO, a socket or a directory: not read.
    NotAFile,
}

/// How to begin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Begin {
    Start,
    /// The last `n` complete lines, then what comes.
    LastLines(usize),
}

/// The command for the next chunk. First call (no inode yet): `begin` decides where to start.
pub fn command(path: &str, cursor: &RemoteCursor, begin: Begin) -> String {
    command_reading(path, cursor, begin, MAX_CHUNK)
}

/// The command for the next chunk of at most `max` bytes. With `max` 0 it only looks: whether
/// the file is still the same and not shorter (a binary file is watched that way).
fn command_reading(path: &str, cursor: &RemoteCursor, begin: Begin, max: u64) -> String {
    let last = match (cursor.inode, begin) {
        (None, Begin::LastLines(n)) => n.to_string(),
        _ => String::new(),
    };
    // `wc -c` and `tail` run on regular files only: on /dev/zero they would never end.
    let script = r#"f=$1; ino=$2; off=$3; max=$4; last=$5; probe=$6
[ -e "$f" ] || { echo "@@yw missing"; exit 0; }
[ -r "$f" ] || { echo "@@yw unreadable"; exit 0; }
set -- $(ls -diL -- "$f"); cur=$1
if [ ! -f "$f" ]; then
  if [ -c "$f" ] || [ -b "$f" ]; then
    echo "@@yw device $cur"
    [ "$max" -gt 0 ] && head -c "$probe" -- "$f"
  else
    echo "@@yw notfile $cur"
  fi
  exit 0
fi
size=$(wc -c < "$f" | tr -d ' ')
if [ -z "$ino" ]; then
  start=0
  if [ -n "$last" ]; then
    # A NUL in the head makes it binary (yunwei decides, from the head sent below): no need
    # to scan the whole file for its last lines then.
    h=$(head -c "$probe" -- "$f" | wc -c)
    t=$(head -c "$probe" -- "$f" | tr -d '\000' | wc -c)
    if [ "$h" -eq "$t" ]; then
      start=$(head -c "$size" -- "$f" | tail -n "$last" | wc -c | tr -d ' ')
      start=$((size - start))
    fi
  fi
  echo "@@yw begin $cur $start $size"
  head -c "$probe" -- "$f"
  exit 0
fi
if [ "$ino" != "$cur" ]; then
  old=$(find "$(dirname -- "$f")" -maxdepth 1 -inum "$ino" 2>/dev/null | head -n 1)
  if [ -n "$old" ] && [ "$max" -gt 0 ]; then
    osz=$(wc -c < "$old" | tr -d ' ')
    if [ "$off" -lt "$osz" ]; then
      n=$((osz - off)); [ "$n" -gt "$max" ] && n=$max
      echo "@@yw data $ino $off $n $osz"
      tail -c +$((off + 1)) -- "$old" | head -c "$n"
      exit 0
    fi
  fi
  echo "@@yw rotated $cur"
  exit 0
fi
if [ "$size" -lt "$off" ]; then echo "@@yw truncated $cur"; exit 0; fi
n=$((size - off)); [ "$n" -gt "$max" ] && n=$max
echo "@@yw data $cur $off $n $size"
[ "$n" -gt 0 ] && tail -c +$((off + 1)) -- "$f" | head -c "$n"
exit 0
"#;
    let inode = cursor.inode.map(|i| i.to_string()).unwrap_or_default();
    format!(
        "sh -c {} yunwei-logs {} {} {} {} {} {}",
        shell_quote(script),
        shell_quote(path),
        shell_quote(&inode),
        shell_quote(&cursor.offset.to_string()),
        shell_quote(&max.to_string()),
        shell_quote(&last),
        shell_quote(&BINARY_PROBE.to_string())
    )
}

/// Reads the answer to [`command`] and moves the cursor. `Err` for output that is not ours
/// (a login banner cannot be, it goes to stderr; a broken script can).
pub fn apply(cursor: &mut RemoteCursor, output: &[u8]) -> Result<Chunk, String> {
    let nl = output.iter().position(|&b| b == b'\n').unwrap_or(output.len());
    let header = String::from_utf8_lossy(&output[..nl]).to_string();
    let body = output.get(nl + 1..).unwrap_or(&[]);
    let mut words = header.split_whitespace();
    if words.next() != Some("@@yw") {
        return Err(format!("unexpected answer: {header:?}"));
    }
    let num = |w: Option<&str>| -> Result<u64, String> {
        w.and_then(|s| s.parse().ok()).ok_or_else(|| format!("bad answer: {header:?}"))
    };
    match words.next() {
        Some("missing") => Ok(Chunk::Missing),
        Some("unreadable") => Ok(Chunk::Unreadable),
        Some("notfile") => Ok(Chunk::NotAFile),
        Some("device") => {
            // Never more than asked for, whatever came.
            Ok(Chunk::Device { bytes: body[..body.len().min(BINARY_PROBE)].to_vec() })
        }
        Some("begin") => {
            let ino = num(words.next())?;
            let start = num(words.next())?;
            let size = num(words.next())?;
            cursor.inode = Some(ino);
            cursor.current = Some(ino);
            cursor.size = size;
            if binary_head(body) {
                cursor.offset = size;
                return Ok(Chunk::Binary);
            }
            cursor.offset = start;
            Ok(Chunk::Data { bytes: Vec::new(), more: true })
        }
        Some("rotated") => {
            let cur = num(words.next())?;
            cursor.inode = Some(cur);
            cursor.current = Some(cur);
            cursor.offset = 0;
            Ok(Chunk::Rotated)
        }
        Some("truncated") => {
            cursor.offset = 0;
            Ok(Chunk::Truncated)
        }
        Some("data") => {
            let ino = num(words.next())?;
            let off = num(words.next())?;
            let n = num(words.next())?;
            let size = num(words.next())?;
            if Some(ino) != cursor.inode || off != cursor.offset {
                return Err(format!("answer for another position: {header:?}"));
            }
            // The file may have shrunk between the size and the read: take what came.
            let got = body.len().min(n as usize);
            cursor.offset += got as u64;
            cursor.size = size;
            Ok(Chunk::Data { bytes: body[..got].to_vec(), more: cursor.offset < size })
        }
        _ => Err(format!("unexpected answer: {header:?}")),
    }
}

/// One remote file read as a local file is followed: see the module documentation.
#[derive(Debug, Clone)]
pub struct RemoteFile {
    path: String,
    cursor: RemoteCursor,
    begin: Begin,
    lines: LineReader,
    /// Found binary: watched (for a rotation or truncation), not read.
    binary: bool,
    /// Whether the first bytes of a device have been looked at for a NUL.
    probed: bool,
}

/// What one exec of a [`RemoteFile`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Step {
    /// In order, as a local follower says them: `Lines`, `Cut`, `Binary`, `Rotated`,
    /// `Truncated`, `Missing`.
    pub events: Vec<FollowEvent>,
    /// The file is there but cannot be read.
    pub unreadable: bool,
    /// A FIFO, a socket or a directory: not read.
    pub not_a_file: bool,
    /// The file has more already: ask again at once.
    pub more: bool,
    /// Nothing new came: the file has been read to its end as it is now (or is binary).
    pub caught_up: bool,
}

impl RemoteFile {
    pub fn new(path: &str, begin: Begin) -> RemoteFile {
        RemoteFile {
            path: path.to_string(),
            cursor: RemoteCursor::default(),
            begin,
            lines: LineReader::new(),
            binary: false,
            probed: false,
        }
    }

    /// The path on the host, as given.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Where reading stands (the inode and the offset of the bytes taken).
    pub fn cursor(&self) -> &RemoteCursor {
        &self.cursor
    }

    /// Whether the file was found binary (and is no longer read).
    pub fn is_binary(&self) -> bool {
        self.binary
    }

    /// How many bytes of a partial last line are held back (never more than
    /// [`MAX_LINE`](crate::logs::lines::MAX_LINE)).
    pub fn held(&self) -> usize {
        self.lines.held()
    }

    /// The command for the next exec: a chunk of the file, or only a look at it once it is
    /// binary.
    pub fn command(&self) -> String {
        let max = if self.binary { 0 } else { MAX_CHUNK };
        command_reading(&self.path, &self.cursor, self.begin, max)
    }

    /// Takes the answer to [`RemoteFile::command`]. `Err` for output that is not ours; the
    /// cursor has not moved then.
    pub fn take(&mut self, output: &[u8]) -> Result<Step, String> {
        let from_start = self.cursor.inode.is_some() && self.cursor.offset == 0;
        let chunk = apply(&mut self.cursor, output)?;
        let mut step = Step::default();
        let mut events = Events::default();
        match chunk {
            Chunk::Data { bytes, more } => {
                if !self.binary && self.lines.feed(&bytes, from_start, &mut |l, cut| events.line(l, cut)) {
                    self.binary = true;
                    // Not read further; a file shorter than this later has been rewritten.
                    self.cursor.offset = self.cursor.size;
                    events.0.push(FollowEvent::Binary);
                }
                step.more = more && !self.binary;
                step.caught_up = self.binary || (!more && bytes.is_empty() && self.cursor.inode.is_some());
            }
            Chunk::Device { bytes } => {
                let first = !self.probed;
                self.probed |= !bytes.is_empty();
                if !self.binary && self.lines.feed(&bytes, first, &mut |l, cut| events.line(l, cut)) {
                    self.binary = true;
                    events.0.push(FollowEvent::Binary);
                }
                step.caught_up = self.binary || bytes.is_empty();
            }
            Chunk::Binary => {
                self.binary = true;
                self.lines.discard();
                events.0.push(FollowEvent::Binary);
                step.caught_up = true;
            }
            Chunk::Rotated | Chunk::Truncated => {
                // The end of the file read: its last line is whole, as a local follower says.
                self.lines.flush(&mut |l, cut| events.line(l, cut));
                self.binary = false;
                events.0.push(if chunk == Chunk::Rotated {
                    FollowEvent::Rotated
                } else {
                    FollowEvent::Truncated
                });
                step.more = true;
            }
            Chunk::Missing => {
                self.lines.flush(&mut |l, cut| events.line(l, cut));
                events.0.push(FollowEvent::Missing);
            }
            Chunk::Unreadable => step.unreadable = true,
            Chunk::NotAFile => step.not_a_file = true,
        }
        step.events = events.0;
        Ok(step)
    }

    /// The end of a whole read: a partial last line held back is a line.
    pub fn finish(&mut self) -> Vec<FollowEvent> {
        let mut events = Events::default();
        self.lines.flush(&mut |l, cut| events.line(l, cut));
        events.0
    }
}

/// Events with consecutive lines gathered into one `Lines`.
#[derive(Default)]
struct Events(Vec<FollowEvent>);

impl Events {
    fn line(&mut self, line: &[u8], cut: bool) {
        if cut {
            self.0.push(FollowEvent::Cut(line.to_vec()));
        } else if let Some(FollowEvent::Lines(lines)) = self.0.last_mut() {
            lines.push(line.to_vec());
        } else {
            self.0.push(FollowEvent::Lines(vec![line.to_vec()]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::lines::MAX_LINE;
    use std::io::Write;

    /// Runs the command locally through `sh -c`, as the remote shell would.
    fn run(cmd: &str) -> Vec<u8> {
        std::process::Command::new("sh").arg("-c").arg(cmd).output().unwrap().stdout
    }

    fn read_all(path: &str, cursor: &mut RemoteCursor, begin: Begin) -> (Vec<String>, Vec<Chunk>) {
        let mut lines = Vec::new();
        let mut events = Vec::new();
        let mut reader = LineReader::new();
        for _ in 0..20 {
            let out = run(&command(path, cursor, begin));
            let chunk = apply(cursor, &out).unwrap();
            match &chunk {
                Chunk::Data { bytes, more } => {
                    let mut each = |l: &[u8], _| lines.push(String::from_utf8(l.to_vec()).unwrap());
                    assert!(!reader.feed(bytes, false, &mut each));
                    if !more && !bytes.is_empty() {
                        continue;
                    }
                    if !more {
                        break;
                    }
                }
                other => events.push(other.clone()),
            }
        }
        (lines, events)
    }

    #[test]
    fn reads_follows_rotation_and_truncation_by_inode_and_offset() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a b's $(x).log");
        let path = f.to_str().unwrap().to_string();
        std::fs::write(&f, "l1\nl2\nl3\n").unwrap();
        let mut c = RemoteCursor::default();
        let (lines, _) = read_all(&path, &mut c, Begin::LastLines(2));
        assert_eq!(lines, vec!["l2", "l3"]);
        // Appends, then a rotation with late writes to the old file.
        std::fs::OpenOptions::new().append(true).open(&f).unwrap();
        std::fs::write(&f, "l1\nl2\nl3\nl4\n").unwrap();
        let (lines, _) = read_all(&path, &mut c, Begin::Start);
        assert_eq!(lines, vec!["l4"]);
        std::fs::rename(&f, dir.path().join("old.log")).unwrap();
        std::fs::write(dir.path().join("old.log"), "l1\nl2\nl3\nl4\nlate\n").unwrap();
        std::fs::write(&f, "new1\n").unwrap();
        let (lines, events) = read_all(&path, &mut c, Begin::Start);
        assert_eq!(lines, vec!["late", "new1"]);
        assert_eq!(events, vec![Chunk::Rotated]);
        // A saved cursor resumes exactly (as after a reconnect).
        let mut resumed = c.clone();
        std::fs::write(&f, "new1\nnew2\n").unwrap();
        let (lines, _) = read_all(&path, &mut resumed, Begin::Start);
        assert_eq!(lines, vec!["new2"]);
        // Copy-truncate.
        std::fs::write(&f, "t\n").unwrap();
        let (lines, events) = read_all(&path, &mut resumed, Begin::Start);
        assert_eq!(events, vec![Chunk::Truncated]);
        assert_eq!(lines, vec!["t"]);
        std::fs::remove_file(&f).unwrap();
        let out = run(&command(&path, &resumed, Begin::Start));
        let chunk = apply(&mut resumed, &out).unwrap();
        assert_eq!(chunk, Chunk::Missing);
    }

    #[test]
    fn big_files_come_in_bounded_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("big.log");
        let line = "x".repeat(99) + "\n";
        std::fs::write(&f, line.repeat(100_000)).unwrap(); // 10 MB
        let mut c = RemoteCursor::default();
        let path = f.to_str().unwrap();
        let out = run(&command(path, &c, Begin::Start));
        apply(&mut c, &out).unwrap();
        let out = run(&command(path, &c, Begin::Start));
        let first = apply(&mut c, &out).unwrap();
        match first {
            Chunk::Data { bytes, more } => {
                assert_eq!(bytes.len() as u64, MAX_CHUNK);
                assert!(more);
            }
            other => panic!("{other:?}"),
        }
        let (lines, _) = read_all(path, &mut c, Begin::Start);
        assert_eq!(c.offset, 10_000_000);
        assert!(lines.len() > 55_000, "{}", lines.len());
    }

    /// Runs `file`'s next command locally and takes the answer.
    fn step(file: &mut RemoteFile) -> Step {
        file.take(&run(&file.command())).unwrap()
    }

    /// The lines and pieces of some events, a piece marked with a trailing `<cut>`, other
    /// events in angle brackets.
    fn render(events: &[FollowEvent]) -> Vec<String> {
        let mut v = Vec::new();
        for e in events {
            match e {
                FollowEvent::Lines(lines) => {
                    v.extend(lines.iter().map(|l| String::from_utf8_lossy(l).into_owned()))
                }
                FollowEvent::Cut(p) => v.push(format!("{}<cut>", String::from_utf8_lossy(p))),
                other => v.push(format!("<{other:?}>")),
            }
        }
        v
    }

    /// Steps until the file is caught up (at most `n` execs): every event, in order.
    fn until_caught_up(file: &mut RemoteFile, n: usize) -> Vec<FollowEvent> {
        let mut events = Vec::new();
        for _ in 0..n {
            let s = step(file);
            events.extend(s.events);
            if s.caught_up {
                return events;
            }
        }
        panic!("not caught up after {n} execs: {:?}", render(&events));
    }

    #[test]
    fn a_binary_file_is_said_binary_once_and_only_watched_until_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("core.dump");
        let mut bytes = b"\x7fELF\x02\x01\x01\0\0\0\0garbage\nline\n".to_vec();
        bytes.extend(std::iter::repeat_n(b'x', 100_000));
        std::fs::write(&f, &bytes).unwrap();
        for begin in [Begin::Start, Begin::LastLines(10)] {
            let mut file = RemoteFile::new(f.to_str().unwrap(), begin);
            let first = step(&mut file);
            assert_eq!(render(&first.events), ["<Binary>"], "{begin:?}");
            assert!(file.is_binary() && first.caught_up && !first.more);
            // Watched, not read: the answer is a header alone, even as the file grows.
            std::fs::OpenOptions::new().append(true).open(&f).unwrap().write_all(b"more\n").unwrap();
            let out = run(&file.command());
            assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1, "{:?}", String::from_utf8_lossy(&out));
            let again = file.take(&out).unwrap();
            assert!(again.events.is_empty() && again.caught_up && !again.more, "{again:?}");
            std::fs::write(&f, &bytes).unwrap();
        }
        // Rewritten as text (shorter): read again from its start.
        let mut file = RemoteFile::new(f.to_str().unwrap(), Begin::Start);
        assert_eq!(render(&step(&mut file).events), ["<Binary>"]);
        std::fs::write(&f, "text again\n").unwrap();
        assert_eq!(render(&until_caught_up(&mut file, 5)), ["<Truncated>", "text again"]);
        assert!(!file.is_binary());
    }

    #[test]
    fn dev_zero_is_binary_and_no_exec_brings_more_than_a_probe() {
        let mut file = RemoteFile::new("/dev/zero", Begin::LastLines(10));
        let out = run(&file.command());
        assert!(out.len() <= BINARY_PROBE + 64, "{} bytes", out.len());
        assert!(out.starts_with(b"@@yw device "), "{:?}", String::from_utf8_lossy(&out[..20.min(out.len())]));
        let s = file.take(&out).unwrap();
        assert_eq!(render(&s.events), ["<Binary>"]);
        assert!(s.caught_up && !s.more);
        // Then only looked at: nothing of the device is read any more.
        let out = run(&file.command());
        assert_eq!(String::from_utf8_lossy(&out).lines().count(), 1, "{:?}", String::from_utf8_lossy(&out));
        assert!(file.take(&out).unwrap().events.is_empty());
        // /dev/null is a device that says nothing: caught up at once, nothing shown.
        let mut null = RemoteFile::new("/dev/null", Begin::Start);
        let s = step(&mut null);
        assert!(s.events.is_empty() && s.caught_up && !null.is_binary(), "{s:?}");
    }

    #[test]
    fn a_fifo_or_a_folder_is_not_read_and_does_not_block() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("app.fifo");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(status.success());
        for path in [fifo.to_str().unwrap(), dir.path().to_str().unwrap()] {
            let mut file = RemoteFile::new(path, Begin::LastLines(10));
            let s = step(&mut file);
            assert!(s.not_a_file && s.events.is_empty(), "{path}: {s:?}");
        }
    }

    #[test]
    fn a_3_mib_line_comes_in_marked_pieces_and_the_held_part_stays_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("big.log");
        let mut bytes = b"2026-11-27 03:00:01 ERROR payload ".to_vec();
        bytes.resize(3 * MAX_LINE + 500, b'x');
        bytes.extend_from_slice(b" end\nnext\n");
        std::fs::write(&f, &bytes).unwrap();
        let mut file = RemoteFile::new(f.to_str().unwrap(), Begin::Start);
        let events = until_caught_up(&mut file, 10);
        let shown = render(&events);
        assert_eq!(shown.len(), 5, "{:?}", shown.iter().map(String::len).collect::<Vec<_>>());
        assert!(
            shown[0].starts_with("2026-11-27 03:00:01 ERROR payload xxx") && shown[0].ends_with("x<cut>")
        );
        assert!(shown[1].ends_with("x<cut>") && shown[2].ends_with("x<cut>"));
        assert!(shown[3].ends_with("x end") && !shown[3].contains("<cut>"));
        assert_eq!(shown[4], "next");
        // A partial line longer than the bound is never held whole between execs: 6 MiB
        // written with no newline yet (more than one exec brings).
        std::fs::OpenOptions::new()
            .append(true)
            .open(&f)
            .unwrap()
            .write_all(&vec![b'z'; 6 * MAX_LINE + 10])
            .unwrap();
        let mut pieces = 0;
        loop {
            let s = step(&mut file);
            assert!(file.held() <= MAX_LINE, "held {}", file.held());
            pieces += s.events.iter().filter(|e| matches!(e, FollowEvent::Cut(_))).count();
            if s.caught_up {
                break;
            }
        }
        assert_eq!(pieces, 6);
        assert_eq!(file.held(), 10);
        // The rest once its newline comes; the whole read's end flushes a last partial line.
        std::fs::OpenOptions::new().append(true).open(&f).unwrap().write_all(b"\nno newline").unwrap();
        assert_eq!(render(&until_caught_up(&mut file, 5)), ["zzzzzzzzzz"]);
        assert_eq!(render(&file.finish()), ["no newline"]);
    }

    #[test]
    fn megabytes_without_a_newline_turn_a_remote_text_file_binary() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("app.log");
        let mut bytes = b"a text line\n".to_vec();
        bytes.resize(bytes.len() + crate::logs::lines::MAX_UNBROKEN as usize + 10, b'y');
        std::fs::write(&f, &bytes).unwrap();
        let mut file = RemoteFile::new(f.to_str().unwrap(), Begin::Start);
        let events = until_caught_up(&mut file, 10);
        let shown = render(&events);
        assert_eq!(shown.first().map(String::as_str), Some("a text line"));
        assert_eq!(shown.last().map(String::as_str), Some("<Binary>"));
        assert!(file.is_binary() && file.held() == 0);
    }

    #[test]
    fn a_rotation_hands_out_the_last_line_of_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("app.log");
        std::fs::write(&f, "one\nlast without newline").unwrap();
        let mut file = RemoteFile::new(f.to_str().unwrap(), Begin::LastLines(5));
        assert_eq!(render(&until_caught_up(&mut file, 5)), ["one"]);
        std::fs::rename(&f, dir.path().join("app.log.1")).unwrap();
        std::fs::write(&f, "new\n").unwrap();
        assert_eq!(render(&until_caught_up(&mut file, 5)), ["last without newline", "<Rotated>", "new"]);
    }

    #[test]
    fn foreign_output_is_an_error_not_a_panic() {
        let mut c = RemoteCursor::default();
        assert!(apply(&mut c, b"This account is currently not available.\n").is_err());
        assert!(apply(&mut c, b"@@yw data x").is_err());
        assert!(apply(&mut c, b"").is_err());
    }
}
