//! The line rules every log reader shares, local (`follow`, `yunwei logs`) or remote (`remote`,
//! read over SSH by offset): lines are raw bytes split on `\n` with a trailing `\r` removed; a
//! line longer than [`MAX_LINE`] comes out in pieces, cut so as never to split a UTF-8
//! character ([`cut_point`]); and a source is binary, as `grep` would say, when its first
//! [`BINARY_PROBE`] bytes hold a NUL ([`binary_head`]), when a run of that many NULs comes later
//! ([`NulRun`]), or when [`MAX_UNBROKEN`] bytes come without a newline. [`LineReader`] applies
//! all of them to a source's bytes as they come, holding at most [`MAX_LINE`] bytes back.

/// The longest line handed out; a longer line is cut into pieces of this size.
pub const MAX_LINE: usize = 1024 * 1024;
/// Bytes without a newline after which a source is taken for binary and no longer read.
pub const MAX_UNBROKEN: u64 = 8 * MAX_LINE as u64;
/// How much of a file's start is looked at for a NUL byte (as `grep` looks at its first buffer).
pub const BINARY_PROBE: usize = 8 * 1024;

/// Whether the first bytes of a file (up to [`BINARY_PROBE`]) say it is binary: a NUL byte,
/// which no text log in UTF-8, GBK or GB18030 holds.
pub fn binary_head(head: &[u8]) -> bool {
    head[..head.len().min(BINARY_PROBE)].contains(&0)
}

/// Counts the NUL bytes in a row across the blocks of a source: a run of [`BINARY_PROBE`] of
/// them (an endless `/dev/zero`, a file of preallocated zeros) says the source is binary.
#[derive(Debug, Clone, Default)]
pub struct NulRun {
    run: usize,
}

impl NulRun {
    /// Takes the next block; true once a long enough run of NULs has been seen.
    pub fn feed(&mut self, block: &[u8]) -> bool {
        if !block.contains(&0) {
            // The common case, one fast scan: no NUL at all.
            self.run = 0;
            return false;
        }
        for &b in block {
            if b == 0 {
                self.run += 1;
                if self.run >= BINARY_PROBE {
                    return true;
                }
            } else {
                self.run = 0;
            }
        }
        false
    }
}

/// The line rules applied to a source's bytes as they come (see the module documentation):
/// complete lines and cut pieces are handed out, a partial last line is held back (never more
/// than [`MAX_LINE`] bytes), and [`LineReader::feed`] says when the source turns out binary.
#[derive(Debug, Clone)]
pub struct LineReader {
    split: Splitter,
    nuls: NulRun,
}

impl Default for LineReader {
    fn default() -> LineReader {
        LineReader::new()
    }
}

impl LineReader {
    pub fn new() -> LineReader {
        LineReader { split: Splitter::new(MAX_LINE), nuls: NulRun::default() }
    }

    /// Takes the next bytes of the source (`from_start`: they begin at its very first byte, so
    /// its head is looked at for a NUL). Each complete line goes to `out` with `false`, each
    /// piece of a line cut at [`MAX_LINE`] with `true`. True when the source is binary: nothing
    /// of these bytes after the last text line is handed out, what was held is dropped, and
    /// the source should no longer be read.
    pub fn feed(&mut self, data: &[u8], from_start: bool, out: &mut impl FnMut(&[u8], bool)) -> bool {
        if from_start && binary_head(data) {
            self.discard();
            return true;
        }
        // The lines before a run of NULs are still text.
        self.split.feed(data, out);
        if self.nuls.feed(data) || self.split.unbroken >= MAX_UNBROKEN {
            self.discard();
            return true;
        }
        false
    }

    /// Hands out what is held as a line, if anything is (the source, or this file of it, ended).
    pub fn flush(&mut self, out: &mut impl FnMut(&[u8], bool)) {
        self.split.flush(out);
        self.nuls = NulRun::default();
    }

    /// Forgets what is held (the source turned out binary, or is read again from its start).
    pub fn discard(&mut self) {
        self.split.discard();
        self.nuls = NulRun::default();
    }

    /// How many bytes are held back (the start of a line whose end has not come yet).
    pub fn held(&self) -> usize {
        self.split.pending.len()
    }
}

/// Splits a byte stream into lines, holding back a partial last line (at most `max` bytes).
/// The callback gets each line, and whether it is a piece cut at `max` (the line goes on).
#[derive(Debug, Clone)]
pub(crate) struct Splitter {
    pending: Vec<u8>,
    max: usize,
    /// Pieces of the current line were already handed out (it was longer than `max`).
    cut: bool,
    /// Bytes of the current line so far, pieces handed out included.
    unbroken: u64,
}

impl Splitter {
    pub(crate) fn new(max: usize) -> Splitter {
        Splitter { pending: Vec::new(), max: max.max(1), cut: false, unbroken: 0 }
    }

    pub(crate) fn feed(&mut self, mut data: &[u8], out: &mut impl FnMut(&[u8], bool)) {
        while let Some(i) = data.iter().position(|&b| b == b'\n') {
            let mut line = &data[..i];
            if line.is_empty() {
                // The `\r` of `\r\n` came with the read before.
                if self.pending.last() == Some(&b'\r') {
                    self.pending.pop();
                }
            } else {
                line = strip_cr(line);
            }
            if self.pending.is_empty() && !self.cut && line.len() <= self.max {
                out(line, false);
            } else {
                self.hold(line, out);
                self.end_line(out);
            }
            self.unbroken = 0;
            data = &data[i + 1..];
        }
        self.unbroken += data.len() as u64;
        self.hold(data, out);
    }

    /// Hands out what is held as a line, if anything is.
    pub(crate) fn flush(&mut self, out: &mut impl FnMut(&[u8], bool)) {
        if self.pending.last() == Some(&b'\r') {
            self.pending.pop();
        }
        if !self.pending.is_empty() {
            self.end_line(out);
        }
        self.cut = false;
        self.unbroken = 0;
    }

    /// Forgets what is held (the source turned out binary).
    fn discard(&mut self) {
        self.pending.clear();
        self.cut = false;
        self.unbroken = 0;
    }

    /// Keeps bytes of a line whose end is not known yet, handing out pieces of `max` bytes (a
    /// few less, so as not to split a UTF-8 character).
    fn hold(&mut self, mut bytes: &[u8], out: &mut impl FnMut(&[u8], bool)) {
        while self.pending.len() + bytes.len() > self.max {
            let take = self.max - self.pending.len();
            self.pending.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            let carry = utf8_carry(&self.pending, bytes[0]).min(self.max - 1);
            let rest = self.pending.split_off(self.pending.len() - carry);
            out(&self.pending, true);
            self.pending = rest;
            self.cut = true;
        }
        self.pending.extend_from_slice(bytes);
    }

    /// Hands out the line held (its `\r` already removed).
    fn end_line(&mut self, out: &mut impl FnMut(&[u8], bool)) {
        // A cut line whose rest was only its `\r` has no piece left.
        if !(self.cut && self.pending.is_empty()) {
            out(&self.pending, false);
        }
        self.pending.clear();
        self.cut = false;
    }
}

/// How many bytes at the end of `piece` start a UTF-8 character that `next` continues (0 when
/// `next` continues none, or the bytes are not UTF-8).
fn utf8_carry(piece: &[u8], next: u8) -> usize {
    if next & 0xC0 != 0x80 {
        return 0;
    }
    for k in 1..=3.min(piece.len()) {
        let b = piece[piece.len() - k];
        if b & 0xC0 == 0xC0 {
            return k;
        }
        if b & 0xC0 != 0x80 {
            return 0;
        }
    }
    0
}

/// Where to cut `bytes` (longer than `at`) near `at` without splitting a UTF-8 character: up
/// to 3 bytes earlier when `at` falls right before a continuation byte, else `at` itself (GBK
/// and GB18030 have no such marks; their characters are cut where the bound falls).
pub fn cut_point(bytes: &[u8], at: usize) -> usize {
    match bytes.get(at) {
        Some(&next) if at > 0 => at - utf8_carry(&bytes[..at], next).min(at - 1),
        _ => at,
    }
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `blocks` (the first from the source's start): the lines and pieces handed out,
    /// a piece marked with a trailing `<cut>`, and whether the source turned binary.
    fn feed_all(blocks: &[&[u8]]) -> (Vec<String>, bool, LineReader) {
        let mut r = LineReader::new();
        let mut seen = Vec::new();
        for (i, b) in blocks.iter().enumerate() {
            let mut each = |l: &[u8], cut: bool| {
                let text = String::from_utf8_lossy(l).into_owned();
                seen.push(if cut { format!("{text}<cut>") } else { text });
            };
            if r.feed(b, i == 0, &mut each) {
                return (seen, true, r);
            }
        }
        (seen, false, r)
    }

    #[test]
    fn a_nul_in_the_head_is_binary_and_nothing_is_handed_out() {
        let (seen, binary, r) = feed_all(&[b"ELF\x02\x01\0\0\nline\n"]);
        assert!(binary);
        assert!(seen.is_empty(), "{seen:?}");
        assert_eq!(r.held(), 0);
        assert!(binary_head(b"a\0"));
        assert!(!binary_head(b"plain text\n"));
        // Only the head counts: a NUL after the first BINARY_PROBE bytes does not.
        let mut late = vec![b'a'; BINARY_PROBE];
        late.push(0);
        assert!(!binary_head(&late));
        // A NUL in bytes that do not start the source is no head.
        let (seen, binary, _) = feed_all(&[b"one\n", b"two\0\n"]);
        assert_eq!((seen, binary), (vec!["one".to_string(), "two\0".to_string()], false));
    }

    #[test]
    fn a_run_of_nuls_across_blocks_is_binary_after_the_text_before_it() {
        let half = vec![0u8; BINARY_PROBE / 2];
        let mut first = b"text\n".to_vec();
        first.extend_from_slice(&half);
        let (seen, binary, r) = feed_all(&[b"start\n", &first, &half]);
        assert!(binary);
        assert_eq!(seen, ["start", "text"]);
        assert_eq!(r.held(), 0, "what was held is dropped");
        // A NUL now and then, less than a run, is not.
        let mut nul_run = NulRun::default();
        for _ in 0..100 {
            assert!(!nul_run.feed(&[0, 0, 0, b'x']));
        }
        assert!(nul_run.feed(&vec![0u8; BINARY_PROBE]));
    }

    #[test]
    fn megabytes_without_a_newline_are_binary_and_the_held_part_stays_bounded() {
        let mut r = LineReader::new();
        let block = vec![b'y'; 512 * 1024];
        let mut pieces = 0;
        let mut fed = 0u64;
        let binary = loop {
            let mut each = |l: &[u8], cut: bool| {
                assert!(cut && l.len() == MAX_LINE);
                pieces += 1;
            };
            let binary = r.feed(&block, fed == 0, &mut each);
            fed += block.len() as u64;
            assert!(r.held() <= MAX_LINE, "held {}", r.held());
            if binary || fed > 2 * MAX_UNBROKEN {
                break binary;
            }
        };
        assert!(binary);
        assert_eq!(fed, MAX_UNBROKEN);
        assert_eq!(pieces, MAX_UNBROKEN as usize / MAX_LINE - 1);
    }

    #[test]
    fn a_long_line_comes_in_marked_pieces_cut_between_utf8_characters() {
        // Three MiB and a bit of "中" (three bytes each; MAX_LINE is no multiple of three).
        let text = "中".repeat(3 * MAX_LINE / 3 + 5);
        let mut bytes = text.as_bytes().to_vec();
        bytes.extend_from_slice(b"\r\nnext\n");
        let mut seen: Vec<(Vec<u8>, bool)> = Vec::new();
        let mut r = LineReader::new();
        // In blocks that end anywhere, as reads and remote chunks do.
        for block in bytes.chunks(100_003) {
            assert!(!r.feed(block, false, &mut |l: &[u8], cut| seen.push((l.to_vec(), cut))));
            assert!(r.held() <= MAX_LINE);
        }
        let cuts: Vec<bool> = seen.iter().map(|(_, c)| *c).collect();
        assert_eq!(cuts, [true, true, true, false, false]);
        let mut joined = String::new();
        for (piece, _) in &seen[..3] {
            assert!(piece.len() <= MAX_LINE && piece.len() > MAX_LINE - 3, "{}", piece.len());
        }
        for (piece, _) in &seen[..4] {
            joined.push_str(std::str::from_utf8(piece).expect("no character split"));
        }
        assert_eq!(joined, text);
        assert_eq!(seen[4].0, b"next");
        assert_eq!(cut_point("ab中".as_bytes(), 3), 2, "not inside the character");
        assert_eq!(cut_point(b"abcdef", 3), 3);
    }

    #[test]
    fn flush_hands_out_the_partial_last_line() {
        let mut r = LineReader::new();
        let mut seen = Vec::new();
        assert!(!r.feed(b"a\r\nlast\r", true, &mut |l: &[u8], _| seen.push(l.to_vec())));
        assert_eq!(r.held(), 5);
        r.flush(&mut |l: &[u8], _| seen.push(l.to_vec()));
        assert_eq!(seen, [b"a".to_vec(), b"last".to_vec()]);
        assert_eq!(r.held(), 0);
    }
}
