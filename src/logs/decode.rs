//! Splitting raw log bytes into lines and decoding them as UTF-8 or GB18030 (a superset of GBK
//! and GB2312).
//!
//! Lines are split on raw bytes, before decoding: in UTF-8, GBK and GB18030 the byte `0x0A` only
//! ever means a newline (the trail bytes of GBK and GB18030 characters are `0x30..=0x39` and
//! `0x40..=0xFE`), so no character is ever cut in two.
//!
//! With [`Encoding::Auto`] every line is decoded on its own: as UTF-8 when it is valid UTF-8,
//! else as GB18030. One GBK line inside a UTF-8 file (a message copied from an old system, a
//! name typed on a GBK terminal) is therefore read as GBK without turning the UTF-8 lines after
//! it into mojibake, and a GBK file stays GBK line by line (GBK text of any length is practically
//! never valid UTF-8). An explicit encoding applies to every line. Bytes that are invalid in the
//! chosen encoding become U+FFFD; decoding never panics.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// The encoding of a log source, as written in the config (`encoding = "auto"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Decide per line: a line of valid UTF-8 is UTF-8, any other line GB18030.
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

/// Decodes the lines of one source as its encoding says. It keeps no state between lines
/// ([`Encoding::Auto`] decides each line afresh), so one per source or one per file both do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoder {
    encoding: Encoding,
}

impl Decoder {
    pub fn new(encoding: Encoding) -> Decoder {
        Decoder { encoding }
    }

    /// The encoding asked for.
    pub fn requested(&self) -> Encoding {
        self.encoding
    }

    /// Decodes one line (without its `\n`), or a block of complete lines, borrowing when the
    /// bytes are valid UTF-8 and UTF-8 may be their encoding. Invalid bytes become U+FFFD. A
    /// block decodes exactly as its lines one by one do: with [`Encoding::Auto`] only the lines
    /// that are not valid UTF-8 are decoded as GB18030 (a newline is never part of a character,
    /// not even of a broken one).
    pub fn decode<'a>(&mut self, raw: &'a [u8]) -> Cow<'a, str> {
        match self.encoding {
            Encoding::Gb18030 => gb18030(raw),
            // `from_utf8` first: it is much faster than the lossy decoder on valid text.
            Encoding::Utf8 => match std::str::from_utf8(raw) {
                Ok(text) => Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(raw),
            },
            Encoding::Auto => match std::str::from_utf8(raw) {
                Ok(text) => Cow::Borrowed(text),
                Err(_) => Cow::Owned(auto_lines(raw)),
            },
        }
    }

    /// Decodes one line (without its `\n`) into an owned string. Invalid bytes become U+FFFD.
    pub fn decode_line(&mut self, raw: &[u8]) -> String {
        self.decode(raw).into_owned()
    }
}

fn gb18030(raw: &[u8]) -> Cow<'_, str> {
    if raw.is_ascii() {
        // ASCII is the same in GB18030 (0x80 alone is not ASCII).
        return Cow::Borrowed(std::str::from_utf8(raw).unwrap_or_default());
    }
    encoding_rs::GB18030.decode_without_bom_handling(raw).0
}

/// Lines (or one line) that are not all valid UTF-8: the valid lines as they are, each line
/// holding an invalid byte as GB18030.
fn auto_lines(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len() + raw.len() / 2);
    let mut rest = raw;
    while !rest.is_empty() {
        let bad = match std::str::from_utf8(rest) {
            Ok(text) => {
                out.push_str(text);
                break;
            }
            Err(e) => e.valid_up_to(),
        };
        let line_start = rest[..bad].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        // Valid UTF-8 up to `bad`, so up to the start of its line too.
        out.push_str(std::str::from_utf8(&rest[..line_start]).unwrap_or_default());
        let line_end = rest[bad..].iter().position(|&b| b == b'\n').map_or(rest.len(), |i| bad + i);
        out.push_str(&gb18030(&rest[line_start..line_end]));
        rest = &rest[line_end..];
    }
    out
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
    fn auto_decides_each_line_on_its_own() {
        let mut d = Decoder::new(Encoding::Auto);
        assert_eq!(d.decode_line(b"plain ascii"), "plain ascii");
        assert_eq!(d.decode_line(&gbk("错误: 用户登录失败")), "错误: 用户登录失败");
        // A UTF-8 line after a GBK one is UTF-8 again, and a GBK one after it GBK.
        let utf8 = "2026-11-27 03:04:05 错误 数据库连接失败，正在重试第三次连接请求中";
        assert_eq!(d.decode_line(utf8.as_bytes()), utf8);
        assert_eq!(d.decode_line(&gbk("警告")), "警告");
        // A line that is neither shows U+FFFD where GB18030 cannot read it either.
        assert_eq!(d.decode_line(b"bad \xff byte"), "bad \u{FFFD} byte");
    }

    #[test]
    fn one_gbk_line_in_a_utf8_block_leaves_the_other_lines_alone() {
        let mut block = "第一行 UTF-8\n".as_bytes().to_vec();
        block.extend_from_slice(&gbk("第二行是 GBK：身份证号码\n"));
        block.extend_from_slice("第三行 UTF-8\n第四行\n".as_bytes());
        block.extend_from_slice(&gbk("最后一行"));
        let mut d = Decoder::new(Encoding::Auto);
        let whole = d.decode(&block).into_owned();
        assert_eq!(whole, "第一行 UTF-8\n第二行是 GBK：身份证号码\n第三行 UTF-8\n第四行\n最后一行");
        let (lines, _) = split_lines(&block);
        let one_by_one: Vec<String> = lines.iter().map(|l| d.decode_line(l)).collect();
        assert_eq!(one_by_one.join("\n") + "\n最后一行", whole);
        // An explicit encoding is kept for every line: GBK stays GBK, UTF-8 stays UTF-8.
        let mut gbk_only = Decoder::new(Encoding::Gb18030);
        assert_eq!(gbk_only.decode(&gbk("磁盘\n警告")), "磁盘\n警告");
        assert_ne!(gbk_only.decode("中文".as_bytes()), "中文");
        let mut utf8_only = Decoder::new(Encoding::Utf8);
        assert_eq!(utf8_only.decode(&gbk("错")), "\u{FFFD}\u{FFFD}");
    }

    /// iconv, the oracle for GB18030: each line of a mixed file decodes as iconv decodes that
    /// line alone (UTF-8 lines as UTF-8, GBK lines as GB18030).
    #[test]
    fn mixed_lines_decode_as_iconv_decodes_each() {
        let Ok(probe) = std::process::Command::new("iconv").arg("--version").output() else {
            eprintln!("skipped: no iconv");
            return;
        };
        assert!(probe.status.success());
        let iconv = |line: &[u8], from: &str| -> String {
            use std::io::Write;
            let mut child = std::process::Command::new("iconv")
                .args(["-f", from, "-t", "UTF-8"])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child.stdin.take().unwrap().write_all(line).unwrap();
            String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
        };
        let lines: Vec<Vec<u8>> = vec![
            "2026-11-27 03:04:05 INFO 用户登录成功".as_bytes().to_vec(),
            gbk("2026-11-27 03:04:06 ERROR 错误：数据库连接失败 張三"),
            gb18030("2026-11-27 03:04:07 WARN 姓名：𠮷祥"),
            "2026-11-27 03:04:08 INFO 恢复正常 ✓".as_bytes().to_vec(),
        ];
        let block = lines.join(&b'\n');
        let mut d = Decoder::new(Encoding::Auto);
        let decoded = d.decode(&block).into_owned();
        let expected: Vec<String> = lines
            .iter()
            .map(|l| if std::str::from_utf8(l).is_ok() { iconv(l, "UTF-8") } else { iconv(l, "GB18030") })
            .collect();
        assert_eq!(decoded, expected.join("\n"));
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
