//! Splitting raw log bytes into lines and decoding them as UTF-8 or GB18030 (a superset of GBK
//! and GB2312).
//!
//! Lines are split on raw bytes, before decoding: in UTF-8, GBK and GB18030 the byte `0x0A` only
//! ever means a newline (the trail bytes of GBK and GB18030 characters are `0x30..=0x39` and
//! `0x40..=0xFE`), so no character is ever cut in two.
//!
//! With [`Encoding::Auto`] a [`Decoder`] decides once per source:
//! - a line that is invalid UTF-8 decides GB18030 at once;
//! - valid UTF-8 decides UTF-8 once at least [`AUTO_DECIDE_BYTES`] non-ASCII bytes have been
//!   seen in valid UTF-8 (a few bytes of GBK text can happen to be valid UTF-8; a longer run
//!   practically never is);
//! - until then each line is decoded as UTF-8 when it is valid UTF-8 and as GB18030 otherwise
//!   (which also decides).
//!
//! Once decided, the decision sticks for the life of the decoder, so a file that starts in UTF-8
//! and later contains a few broken bytes shows them as U+FFFD instead of flipping to GB18030.
//! Bytes that are invalid in the chosen encoding become U+FFFD; decoding never panics.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// How many non-ASCII bytes of valid UTF-8 an [`Encoding::Auto`] decoder must see before it
/// settles on UTF-8 for good.
pub const AUTO_DECIDE_BYTES: usize = 64;

/// The encoding of a log source, as written in the config (`encoding = "auto"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Decide per source: valid UTF-8 stays UTF-8, anything else is GB18030.
    Auto,
    Utf8,
    /// GB18030, which also decodes GBK and GB2312.
    Gb18030,
}

impl FromStr for Encoding {
    type Err = String;

    /// `auto`, `utf-8` / `utf8`, `gb18030` / `gbk` / `gb2312` (case-insensitive).
    fn from_str(s: &str) -> Result<Encoding, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Encoding::Auto),
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "gb18030" | "gbk" | "gb2312" => Ok(Encoding::Gb18030),
            other => Err(format!("unknown encoding {other:?} (expected auto, utf-8 or gb18030)")),
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Auto => "auto",
            Encoding::Utf8 => "utf-8",
            Encoding::Gb18030 => "gb18030",
        })
    }
}

/// Decodes the lines of one source. Keep one per file (or per remote file), since
/// [`Encoding::Auto`] remembers what it decided.
#[derive(Debug, Clone)]
pub struct Decoder {
    requested: Encoding,
    /// `Utf8` or `Gb18030` once decided; always set for an explicit encoding.
    decided: Option<Encoding>,
    /// Non-ASCII bytes of valid UTF-8 seen so far while undecided.
    utf8_evidence: usize,
}

impl Decoder {
    pub fn new(encoding: Encoding) -> Decoder {
        let decided = match encoding {
            Encoding::Auto => None,
            explicit => Some(explicit),
        };
        Decoder { requested: encoding, decided, utf8_evidence: 0 }
    }

    /// The encoding asked for.
    pub fn requested(&self) -> Encoding {
        self.requested
    }

    /// The encoding in use: `Some(Utf8)` or `Some(Gb18030)` once decided, `None` while an
    /// `Auto` decoder has not yet seen enough non-ASCII text.
    pub fn decided(&self) -> Option<Encoding> {
        self.decided
    }

    /// Looks at a chunk of raw bytes (e.g. the first block read from a file) to decide the
    /// encoding early, without decoding. An incomplete UTF-8 character at the very end of the
    /// chunk is not held against UTF-8. Does nothing once decided.
    pub fn observe(&mut self, chunk: &[u8]) {
        if self.decided.is_some() {
            return;
        }
        match std::str::from_utf8(chunk) {
            Ok(text) => self.add_utf8_evidence(text.as_bytes()),
            Err(e) if e.error_len().is_none() => self.add_utf8_evidence(&chunk[..e.valid_up_to()]),
            Err(_) => self.decided = Some(Encoding::Gb18030),
        }
    }

    fn add_utf8_evidence(&mut self, valid: &[u8]) {
        self.utf8_evidence += valid.iter().filter(|b| !b.is_ascii()).count();
        if self.utf8_evidence >= AUTO_DECIDE_BYTES {
            self.decided = Some(Encoding::Utf8);
        }
    }

    /// Decodes one line (without its `\n`), or a block of complete lines, borrowing when the
    /// bytes are already valid UTF-8 and UTF-8 is (or may still be) the encoding. Invalid bytes
    /// become U+FFFD. A block decodes exactly as its lines one by one do (a newline is never
    /// part of a character, not even of a broken one).
    pub fn decode<'a>(&mut self, raw: &'a [u8]) -> Cow<'a, str> {
        match self.decided {
            Some(Encoding::Gb18030) => {
                if raw.is_ascii() {
                    // ASCII is the same in GB18030 (0x80 alone is not ASCII).
                    return Cow::Borrowed(std::str::from_utf8(raw).unwrap_or_default());
                }
                encoding_rs::GB18030.decode_without_bom_handling(raw).0
            }
            // `from_utf8` first: it is much faster than the lossy decoder on valid text.
            Some(_) => match std::str::from_utf8(raw) {
                Ok(text) => Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(raw),
            },
            None => match std::str::from_utf8(raw) {
                Ok(text) => {
                    self.add_utf8_evidence(raw);
                    Cow::Borrowed(text)
                }
                Err(_) => {
                    self.decided = Some(Encoding::Gb18030);
                    encoding_rs::GB18030.decode_without_bom_handling(raw).0
                }
            },
        }
    }

    /// Decodes one line (without its `\n`) into an owned string. Invalid bytes become U+FFFD.
    pub fn decode_line(&mut self, raw: &[u8]) -> String {
        self.decode(raw).into_owned()
    }
}

/// Splits `buf` into complete lines on `\n`, without the newline and without a `\r` right before
/// it. Returns the lines and how many bytes they used up: an incomplete last line (no `\n` yet)
/// is left unconsumed, for the caller to keep and prepend to the next read.
pub fn split_lines(buf: &[u8]) -> (Vec<&[u8]>, usize) {
    let mut lines = Vec::new();
    let mut start = 0;
    while let Some(pos) = buf[start..].iter().position(|&b| b == b'\n') {
        let end = start + pos;
        let line = &buf[start..end];
        lines.push(line.strip_suffix(b"\r").unwrap_or(line));
        start = end + 1;
    }
    (lines, start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
        assert!(!unmappable, "{text} is not all GBK");
        bytes.into_owned()
    }

    fn gb18030(text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding_rs::GB18030.encode(text);
        assert!(!unmappable);
        bytes.into_owned()
    }

    #[test]
    fn encoding_names() {
        assert_eq!("auto".parse(), Ok(Encoding::Auto));
        assert_eq!("UTF-8".parse(), Ok(Encoding::Utf8));
        assert_eq!("utf8".parse(), Ok(Encoding::Utf8));
        assert_eq!("GBK".parse(), Ok(Encoding::Gb18030));
        assert_eq!("gb2312".parse(), Ok(Encoding::Gb18030));
        assert_eq!("gb18030".parse(), Ok(Encoding::Gb18030));
        assert!("latin1".parse::<Encoding>().unwrap_err().contains("latin1"));
        assert_eq!(Encoding::Gb18030.to_string(), "gb18030");
    }

    #[test]
    fn split_keeps_incomplete_tail() {
        let buf = b"one\r\ntwo\n\nthree";
        let (lines, used) = split_lines(buf);
        assert_eq!(lines, vec![&b"one"[..], b"two", b""]);
        assert_eq!(used, 10);
        assert_eq!(&buf[used..], b"three");
        assert_eq!(split_lines(b"no newline"), (vec![], 0));
        // A lone \r inside a line stays (the sanitiser removes it later).
        assert_eq!(split_lines(b"a\rb\n").0, vec![&b"a\rb"[..]]);
    }

    #[test]
    fn split_never_cuts_gbk_characters() {
        let text = "身份证号码\n錯誤：数据库连接失败\n";
        let bytes = gbk(text);
        let (lines, used) = split_lines(&bytes);
        assert_eq!(used, bytes.len());
        let mut d = Decoder::new(Encoding::Gb18030);
        let decoded: Vec<String> = lines.iter().map(|l| d.decode_line(l)).collect();
        assert_eq!(decoded, vec!["身份证号码", "錯誤：数据库连接失败"]);
    }

    #[test]
    fn auto_detects_gbk() {
        let mut d = Decoder::new(Encoding::Auto);
        assert_eq!(d.decode_line(b"plain ascii"), "plain ascii");
        assert_eq!(d.decided(), None);
        assert_eq!(d.decode_line(&gbk("错误: 用户登录失败")), "错误: 用户登录失败");
        assert_eq!(d.decided(), Some(Encoding::Gb18030));
        // Sticks: later lines are GB18030 too.
        assert_eq!(d.decode_line(&gbk("警告")), "警告");
    }

    #[test]
    fn auto_detects_utf8_and_sticks() {
        let mut d = Decoder::new(Encoding::Auto);
        let line = "2026-11-27 03:04:05 错误 数据库连接失败，正在重试第三次连接请求中".as_bytes();
        assert!(line.iter().filter(|b| !b.is_ascii()).count() >= AUTO_DECIDE_BYTES);
        assert_eq!(d.decode_line(line), String::from_utf8_lossy(line));
        assert_eq!(d.decided(), Some(Encoding::Utf8));
        // A broken byte later shows as U+FFFD instead of switching to GB18030.
        assert_eq!(d.decode_line(b"bad \xff byte"), "bad \u{FFFD} byte");
        assert_eq!(d.decided(), Some(Encoding::Utf8));
    }

    #[test]
    fn observe_decides_from_first_chunk() {
        let mut d = Decoder::new(Encoding::Auto);
        d.observe(&gbk("数据库"));
        assert_eq!(d.decided(), Some(Encoding::Gb18030));

        let mut d = Decoder::new(Encoding::Auto);
        let mut chunk = "中".repeat(30).into_bytes();
        chunk.extend_from_slice(&"文".as_bytes()[..2]); // cut mid-character by the read
        d.observe(&chunk);
        assert_eq!(d.decided(), Some(Encoding::Utf8));
    }

    #[test]
    fn blocks_decode_like_their_lines() {
        // A truncated character right before a newline does not swallow the newline.
        let mut block = gbk("第一行");
        block.extend_from_slice(b"\xb0\n");
        block.extend_from_slice(&gbk("第二行\n"));
        let mut d = Decoder::new(Encoding::Gb18030);
        assert_eq!(d.decode(&block), "第一行\u{FFFD}\n第二行\n");
    }

    #[test]
    fn gb18030_four_byte_characters() {
        // U+20BB7 (𠮷) and U+1F600 are four-byte sequences in GB18030, not in GBK.
        let text = "姓名：𠮷祥 😀 ok";
        let bytes = gb18030(text);
        assert_eq!(&bytes[6..10], &[0x95, 0x34, 0xB2, 0x35]);
        let mut d = Decoder::new(Encoding::Auto);
        assert_eq!(d.decode_line(&bytes), text);
        assert_eq!(d.decided(), Some(Encoding::Gb18030));
    }

    #[test]
    fn bad_bytes_become_replacement_characters() {
        let mut d = Decoder::new(Encoding::Gb18030);
        // A lead byte followed by an invalid trail, and a truncated character at the end.
        let out = d.decode_line(b"a\x81\x20b\xb0");
        assert_eq!(out, "a\u{FFFD} b\u{FFFD}");
        let mut d = Decoder::new(Encoding::Utf8);
        assert_eq!(d.decode_line(&gbk("错")), "\u{FFFD}\u{FFFD}");
        assert_eq!(d.decode_line(b"\xe4\xb8"), "\u{FFFD}");
    }
}
