//! The recording of a session: an asciicast v2 file (a JSON header line, then one JSON array
//! per event: `[seconds, "o", text]` for output, `[seconds, "r", "COLSxROWS"]` for a resize),
//! written as the session goes, its SHA-256 taken over every byte written.
//!
//! Only what the terminal showed is recorded, never what was typed: a password typed at a
//! `sudo` prompt is not echoed, so it is not in the file either.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Instant;

use sha2::{Digest, Sha256};

/// The folder of the recordings beside the database file, made 0700 (and put back to 0700
/// when it was laxer).
pub fn sessions_dir(db_path: &Path) -> io::Result<PathBuf> {
    let dir = db_path.parent().map(Path::to_path_buf).unwrap_or_default().join("sessions");
    match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            // Not a link, and ours: in a shared folder another user's `sessions` could take
            // the recordings.
            let meta = std::fs::symlink_metadata(&dir)?;
            if !meta.is_dir() {
                return Err(io::Error::new(io::ErrorKind::AlreadyExists, "not a folder (or a link)"));
            }
            // SAFETY: geteuid takes nothing and cannot fail.
            if std::os::unix::fs::MetadataExt::uid(&meta) != unsafe { libc::geteuid() } {
                return Err(io::Error::new(io::ErrorKind::PermissionDenied, "owned by another user"));
            }
            if meta.permissions().mode() & 0o077 != 0 {
                std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
            }
        }
        Err(e) => return Err(e),
    }
    // Named whole in the audit rows, wherever the console was started.
    std::fs::canonicalize(&dir)
}

/// A file name for a session on `host` starting `at`: the time, the host (letters, digits,
/// `.`, `-` and `_` kept, anything else as `_`) and the process, so two sessions never meet.
pub fn file_name(host: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    let safe: String = host
        .chars()
        .take(64)
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    format!("{}-{}-{}.cast", at.format("%Y%m%dT%H%M%S%.3fZ"), safe, std::process::id())
}

/// A recording being written.
pub struct Recorder {
    path: PathBuf,
    out: BufWriter<File>,
    hash: Sha256,
    started: Instant,
    /// The end of the last output that was cut inside a UTF-8 character.
    partial: Vec<u8>,
    /// The first write that failed: the rest of the session is not recorded.
    failed: Option<io::Error>,
}

impl Recorder {
    /// Creates the file (0600, never over an existing one) and writes the header.
    pub fn create(path: &Path, cols: u16, rows: u16, title: &str, term: &str) -> io::Result<Recorder> {
        let file = OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
        let mut rec = Recorder {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(32 * 1024, file),
            hash: Sha256::new(),
            started: Instant::now(),
            partial: Vec::new(),
            failed: None,
        };
        let header = serde_json::json!({
            "version": 2,
            "width": cols,
            "height": rows,
            "timestamp": chrono::Utc::now().timestamp(),
            "title": title,
            "env": { "TERM": term, "SHELL": "" },
        });
        rec.line(&header.to_string())?;
        rec.out.flush()?;
        Ok(rec)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn line(&mut self, text: &str) -> io::Result<()> {
        self.out.write_all(text.as_bytes())?;
        self.out.write_all(b"\n")?;
        self.hash.update(text.as_bytes());
        self.hash.update(b"\n");
        Ok(())
    }

    fn event(&mut self, kind: &str, data: &str) {
        if self.failed.is_some() {
            return;
        }
        let t = self.started.elapsed().as_secs_f64();
        let line = serde_json::json!([(t * 1_000_000.0).round() / 1_000_000.0, kind, data]).to_string();
        if let Err(e) = self.line(&line) {
            self.failed = Some(e);
        }
    }

    /// What the terminal was sent. Bytes that are not UTF-8 are kept as U+FFFD (asciicast
    /// holds text); a character cut between two reads is joined first.
    pub fn output(&mut self, bytes: &[u8]) {
        let mut data = std::mem::take(&mut self.partial);
        data.extend_from_slice(bytes);
        let keep = incomplete_tail(&data);
        let tail = data.split_off(data.len() - keep);
        self.partial = tail;
        if !data.is_empty() {
            let text = String::from_utf8_lossy(&data).into_owned();
            self.event("o", &text);
        }
    }

    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.event("r", &format!("{cols}x{rows}"));
    }

    /// Writes what is buffered, so a killed process loses little.
    pub fn flush(&mut self) {
        if self.failed.is_none() {
            if let Err(e) = self.out.flush() {
                self.failed = Some(e);
            }
        }
    }

    /// Ends the recording: its SHA-256 (hex) over the bytes written, and the error that cut
    /// it short, if one did.
    pub fn finish(mut self) -> (String, Option<io::Error>) {
        if !self.partial.is_empty() {
            let rest = std::mem::take(&mut self.partial);
            let text = String::from_utf8_lossy(&rest).into_owned();
            self.event("o", &text);
        }
        self.flush();
        if self.failed.is_none() {
            if let Err(e) = self.out.get_ref().sync_all() {
                self.failed = Some(e);
            }
        }
        (hex(&self.hash.finalize()), self.failed)
    }
}

/// How many bytes at the end of `data` begin a UTF-8 character not yet complete.
fn incomplete_tail(data: &[u8]) -> usize {
    let n = data.len();
    for back in 1..=3.min(n) {
        let b = data[n - back];
        if b & 0xC0 == 0x80 {
            continue; // a continuation byte: look further back
        }
        let need = match b {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => return 0,
        };
        return if need > back { back } else { 0 };
    }
    0
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 (hex) of a file, to compare with the one audited.
pub fn file_sha256(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hash = Sha256::new();
    io::copy(&mut file, &mut hash)?;
    Ok(hex(&hash.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recording_is_asciicast_v2_0600_and_hashed_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let sessions = sessions_dir(&dir.path().join("yunwei.db")).unwrap();
        assert_eq!(std::fs::metadata(&sessions).unwrap().permissions().mode() & 0o777, 0o700);
        let path = sessions.join(file_name("web/01 \u{1b}", chrono::Utc::now()));
        assert!(path.file_name().unwrap().to_str().unwrap().contains("-web_01__-"));
        let mut rec = Recorder::create(&path, 80, 24, "web01", "xterm-256color").unwrap();
        // 中 is E4 B8 AD: cut after its first byte, joined in the next event.
        rec.output(b"ok \xe4");
        rec.output(b"\xb8\xad\r\n");
        rec.resize(100, 30);
        rec.output(b"\xff");
        let (sha, err) = rec.finish();
        assert!(err.is_none());
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(file_sha256(&path).unwrap(), sha);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines[0]["version"], 2);
        assert_eq!((lines[0]["width"].as_u64(), lines[0]["height"].as_u64()), (Some(80), Some(24)));
        assert_eq!(lines[1][1], "o");
        assert_eq!(lines[1][2], "ok ");
        assert_eq!(lines[2][2], "中\r\n");
        assert_eq!((lines[3][1].as_str(), lines[3][2].as_str()), (Some("r"), Some("100x30")));
        assert_eq!(lines[4][2], "\u{fffd}");
        // Never over an existing recording.
        assert!(Recorder::create(&path, 80, 24, "x", "xterm").is_err());
    }

    #[test]
    fn a_laxer_sessions_folder_is_put_back_to_0700() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sessions")).unwrap();
        std::fs::set_permissions(dir.path().join("sessions"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        let s = sessions_dir(&dir.path().join("db")).unwrap();
        assert_eq!(std::fs::metadata(s).unwrap().permissions().mode() & 0o777, 0o700);
    }
}
