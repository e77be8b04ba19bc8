//! Reading and following a file on a remote host over SSH, one bounded chunk per exec, keyed by
//! the file's inode and byte offset: a reconnect, a restart of the remote sshd, a rotation or a
//! copy-truncate never loses or repeats a line. The script is POSIX `sh`; every argument is
//! quoted; the bytes come back raw (decoded by the caller, GBK included).

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
}

/// One exec's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chunk {
    /// Bytes of the file from the cursor's offset; `more` when the file has more already.
    Data {
        bytes: Vec<u8>,
        more: bool,
    },
    /// The name now points to another file: what was left of the old one has been read (or it
    /// is gone); reading goes on at the start of the new file.
    Rotated,
    /// The file shrank below the offset: reading starts again at 0.
    Truncated,
    Missing,
    Unreadable,
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
    let last = match (cursor.inode, begin) {
        (None, Begin::LastLines(n)) => n.to_string(),
        _ => String::new(),
    };
    let script = r#"f=$1; ino=$2; off=$3; max=$4; last=$5
[ -e "$f" ] || { echo "@@yw missing"; exit 0; }
[ -r "$f" ] || { echo "@@yw unreadable"; exit 0; }
set -- $(ls -diL -- "$f"); cur=$1
size=$(wc -c < "$f" | tr -d ' ')
if [ -z "$ino" ]; then
  if [ -n "$last" ]; then
    start=$(head -c "$size" -- "$f" | tail -n "$last" | wc -c | tr -d ' ')
    start=$((size - start))
  else
    start=0
  fi
  echo "@@yw begin $cur $start"
  exit 0
fi
if [ "$ino" != "$cur" ]; then
  old=$(find "$(dirname -- "$f")" -maxdepth 1 -inum "$ino" 2>/dev/null | head -n 1)
  if [ -n "$old" ]; then
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
        "sh -c {} yunwei-logs {} {} {} {} {}",
        shell_quote(script),
        shell_quote(path),
        shell_quote(&inode),
        shell_quote(&cursor.offset.to_string()),
        shell_quote(&MAX_CHUNK.to_string()),
        shell_quote(&last)
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
        Some("begin") => {
            let ino = num(words.next())?;
            cursor.inode = Some(ino);
            cursor.current = Some(ino);
            cursor.offset = num(words.next())?;
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
            Ok(Chunk::Data { bytes: body[..got].to_vec(), more: cursor.offset < size })
        }
        _ => Err(format!("unexpected answer: {header:?}")),
    }
}

/// Splits raw bytes into complete lines, keeping an incomplete last line in `partial`.
pub fn complete_lines(partial: &mut Vec<u8>, bytes: &[u8]) -> Vec<Vec<u8>> {
    partial.extend_from_slice(bytes);
    let mut lines = Vec::new();
    let mut start = 0;
    while let Some(pos) = partial[start..].iter().position(|&b| b == b'\n') {
        let mut line = &partial[start..start + pos];
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        lines.push(line.to_vec());
        start += pos + 1;
    }
    partial.drain(..start);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the command locally through `sh -c`, as the remote shell would.
    fn run(cmd: &str) -> Vec<u8> {
        std::process::Command::new("sh").arg("-c").arg(cmd).output().unwrap().stdout
    }

    fn read_all(path: &str, cursor: &mut RemoteCursor, begin: Begin) -> (Vec<String>, Vec<Chunk>) {
        let mut lines = Vec::new();
        let mut events = Vec::new();
        let mut partial = Vec::new();
        for _ in 0..20 {
            let out = run(&command(path, cursor, begin));
            let chunk = apply(cursor, &out).unwrap();
            match &chunk {
                Chunk::Data { bytes, more } => {
                    lines.extend(
                        complete_lines(&mut partial, bytes)
                            .into_iter()
                            .map(|l| String::from_utf8(l).unwrap()),
                    );
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

    #[test]
    fn foreign_output_is_an_error_not_a_panic() {
        let mut c = RemoteCursor::default();
        assert!(apply(&mut c, b"This account is currently not available.\n").is_err());
        assert!(apply(&mut c, b"@@yw data x").is_err());
        assert!(apply(&mut c, b"").is_err());
    }
}
