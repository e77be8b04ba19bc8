//! Making a decoded log line safe to put on a terminal.
//!
//! A log line is written by whoever can get text into the log (a user name in a failed login,
//! a URL in an access log), so it may carry escape sequences that change the window title, plant
//! hyperlinks, move the cursor, or reorder what is shown with bidirectional overrides.
//! [`sanitize`] removes, and does not replace with placeholders (decision: a coloured log would
//! otherwise be littered with them, and removal already shows the real order of the text):
//!
//! - every escape sequence, whether introduced by ESC (U+001B) or by its C1 form (U+0080–U+009F
//!   as characters): CSI with parameter, private and intermediate bytes (`ESC [`, U+009B); OSC
//!   (`ESC ]`, U+009D) including OSC 8 hyperlinks and title changes, terminated by BEL or ST
//!   (`ESC \` or U+009C); DCS, SOS, PM and APC strings (`ESC P`, `ESC X`, `ESC ^`, `ESC _` and
//!   U+0090, U+0098, U+009E, U+009F); and the two-byte and `nF` ESC sequences (`ESC 7`,
//!   `ESC ( B`);
//! - C0 controls except tab, DEL, and all other C1 controls;
//! - the bidirectional embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069.
//!
//! A sequence is removed whole: a sequence cut short by the end of the line is dropped with
//! everything after its introducer, and a CSI broken by a byte that cannot belong to it ends there
//! (the byte itself is then treated as ordinary text or control). A string (OSC, DCS…) is also
//! ended by CAN, SUB or an ESC that does not start ST, as terminals do.
//!
//! SGR sequences (`ESC [ … m`) are not passed through; their effect on the foreground colour
//! (indexes 0–15) and on bold is returned as [`Sanitized::spans`], byte ranges into the clean
//! text. Backgrounds, 256-colour indexes above 15 and true colour are dropped.
//!
//! Lines without any ESC, control or bidirectional character (the vast majority) take a fast
//! path that only scans the bytes.

use std::borrow::Cow;
use std::ops::Range;

/// A simple text style taken from SGR sequences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Sgr {
    /// Foreground colour index 0–15 (8–15 are the bright colours), `None` for the default.
    pub fg: Option<u8>,
    pub bold: bool,
}

impl Sgr {
    fn is_plain(self) -> bool {
        self == Sgr::default()
    }
}

/// A sanitised line: printable text only, plus the styles its SGR sequences asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sanitized {
    pub text: String,
    /// Styled byte ranges of `text`, in order, not overlapping; unstyled text has no span.
    pub spans: Vec<(Range<usize>, Sgr)>,
}

/// Removes escape sequences, controls and bidirectional overrides from `line` (see the module
/// documentation), keeping SGR styles as spans.
pub fn sanitize(line: &str) -> Sanitized {
    match first_unsafe::<false>(line.as_bytes(), 0) {
        None => Sanitized { text: line.to_string(), spans: Vec::new() },
        Some(at) => {
            let mut out = Writer::new(line.len(), true);
            clean(line, at, &mut out);
            out.finish()
        }
    }
}

/// Like [`sanitize`] but without styles, and borrowing `line` when there is nothing to remove:
/// for plain output, such as `yunwei logs` on standard output.
pub fn sanitize_text(line: &str) -> Cow<'_, str> {
    match first_unsafe::<false>(line.as_bytes(), 0) {
        None => Cow::Borrowed(line),
        Some(at) => {
            let mut out = Writer::new(line.len(), false);
            clean(line, at, &mut out);
            Cow::Owned(out.finish().text)
        }
    }
}

/// [`sanitize_text`] applied to each line of a block of lines separated by `\n`, keeping the
/// newlines: the same result as sanitising line by line (no sequence runs on past the end of its
/// line), but a block without anything to remove is scanned in one go and borrowed.
pub fn sanitize_lines(block: &str) -> Cow<'_, str> {
    let b = block.as_bytes();
    let Some(mut at) = first_unsafe::<true>(b, 0) else {
        return Cow::Borrowed(block);
    };
    let mut out = String::with_capacity(block.len());
    let mut copied = 0;
    loop {
        let start = b[..at].iter().rposition(|&c| c == b'\n').map_or(0, |p| p + 1);
        let end = b[at..].iter().position(|&c| c == b'\n').map_or(b.len(), |p| at + p);
        // Both ends are at newlines (or the ends of the block): character boundaries.
        out.push_str(block.get(copied..start).unwrap_or_default());
        out.push_str(&sanitize_text(block.get(start..end).unwrap_or_default()));
        copied = end;
        match first_unsafe::<true>(b, end) {
            Some(next) => at = next,
            None => break,
        }
    }
    out.push_str(block.get(copied..).unwrap_or_default());
    Cow::Owned(out)
}

/// Bytes that may start something to remove: C0 controls (tab is filtered out later), DEL,
/// `0xC2` (the lead byte of U+0080–U+00BF, which includes the C1 controls) and `0xE2` (the lead
/// byte of U+2000–U+2FFF, which includes the bidirectional controls).
const fn candidate_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b != b'\t' as usize;
        b += 1;
    }
    t[0x7F] = true;
    t[0xC2] = true;
    t[0xE2] = true;
    t
}

static CANDIDATE: [bool; 256] = candidate_table();

/// The position of the next byte that may start something to remove, at or after `from`
/// (newlines excepted when `NL`). Scans 16 bytes at a time without branching per byte, so the
/// compiler can vectorise it.
#[inline]
fn next_candidate<const NL: bool>(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 16 <= b.len() {
        let chunk = &b[i..i + 16];
        let mut any = false;
        for &c in chunk {
            any |= (c < 0x20) & (c != b'\t') & !(NL & (c == b'\n')) | (c == 0x7F) | (c == 0xC2) | (c == 0xE2);
        }
        if any {
            break;
        }
        i += 16;
    }
    b[i..].iter().position(|&c| CANDIDATE[c as usize] && !(NL && c == b'\n')).map(|p| i + p)
}

/// What the bytes at `i` are, when they are not ordinary text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unsafe {
    /// A control or bidirectional character of this many bytes, removed.
    Char(usize),
    /// ESC.
    Esc,
    /// A C1 control as a character (2 bytes): its code 0x80–0x9F.
    C1(u8),
}

#[inline]
fn classify(b: &[u8], i: usize) -> Option<Unsafe> {
    let c = b[i];
    match c {
        0x1B => Some(Unsafe::Esc),
        b'\t' => None,
        0x00..=0x1F | 0x7F => Some(Unsafe::Char(1)),
        0xC2 => match b.get(i + 1) {
            Some(&n @ 0x80..=0x9F) => Some(Unsafe::C1(n)),
            _ => None,
        },
        0xE2 => match (b.get(i + 1), b.get(i + 2)) {
            (Some(0x80), Some(0xAA..=0xAE)) | (Some(0x81), Some(0xA6..=0xA9)) => Some(Unsafe::Char(3)),
            _ => None,
        },
        _ => None,
    }
}

/// The first position at or after `from` where something must be removed (newlines excepted
/// when `NL`).
#[inline]
fn first_unsafe<const NL: bool>(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(at) = next_candidate::<NL>(b, i) {
        if classify(b, at).is_some() {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// The clean text being built, with its styles.
struct Writer {
    text: String,
    spans: Vec<(Range<usize>, Sgr)>,
    style: Sgr,
    style_from: usize,
    styles: bool,
}

impl Writer {
    fn new(capacity: usize, styles: bool) -> Writer {
        Writer {
            text: String::with_capacity(capacity),
            spans: Vec::new(),
            style: Sgr::default(),
            style_from: 0,
            styles,
        }
    }

    fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// Closes the span of the current style at the current end of the text.
    fn close_span(&mut self) {
        let end = self.text.len();
        if self.style.is_plain() || end <= self.style_from {
            return;
        }
        if let Some((range, style)) = self.spans.last_mut() {
            if range.end == self.style_from && *style == self.style {
                range.end = end;
                return;
            }
        }
        self.spans.push((self.style_from..end, self.style));
    }

    fn set_style(&mut self, style: Sgr) {
        if !self.styles || style == self.style {
            return;
        }
        self.close_span();
        self.style = style;
        self.style_from = self.text.len();
    }

    fn finish(mut self) -> Sanitized {
        if self.styles {
            self.close_span();
        }
        Sanitized { text: self.text, spans: self.spans }
    }
}

/// Copies `line[from..]` into `out`, removing what must go. `line[..start]` is known clean.
fn clean(line: &str, start: usize, out: &mut Writer) {
    let b = line.as_bytes();
    out.push(&line[..start]);
    let mut i = start;
    while i < b.len() {
        match classify(b, i) {
            None => {
                // Ordinary text up to the next removable thing. Candidates are ASCII bytes or
                // UTF-8 lead bytes, so both ends are character boundaries.
                let end = first_unsafe::<false>(b, i + 1).unwrap_or(b.len());
                out.push(line.get(i..end).unwrap_or("\u{FFFD}"));
                i = end;
            }
            Some(Unsafe::Char(n)) => i += n,
            Some(Unsafe::Esc) => i = escape(b, i + 1, out),
            Some(Unsafe::C1(code)) => i = introducer(b, code, i + 2, out),
        }
    }
}

/// Handles the bytes after an ESC at `i`; returns where ordinary processing resumes.
fn escape(b: &[u8], i: usize, out: &mut Writer) -> usize {
    let Some(&next) = b.get(i) else {
        return i; // a lone ESC at the end of the line
    };
    match next {
        // ESC [ ] P X ^ _ are the 7-bit forms of the C1 introducers 0x9B 0x9D 0x90 0x98 0x9E 0x9F.
        0x40..=0x5F => introducer(b, next + 0x40, i + 1, out),
        // nF: intermediates 0x20–0x2F, then a final byte 0x30–0x7E.
        0x20..=0x2F => {
            let mut j = i;
            while j < b.len() && (0x20..=0x2F).contains(&b[j]) {
                j += 1;
            }
            match b.get(j) {
                Some(0x30..=0x7E) => j + 1,
                Some(_) => j, // broken: drop what we have, go on with the odd byte
                None => j,    // unterminated at the end of the line: dropped
            }
        }
        // Fp and Fs two-byte sequences (ESC 7, ESC c, ESC =…).
        0x30..=0x3F | 0x60..=0x7E => i + 1,
        // ESC followed by a control, DEL or non-ASCII: drop the ESC alone.
        _ => i,
    }
}

/// Handles the body of a sequence started by the C1 control `code` (0x80–0x9F), whose body starts
/// at `i`; returns where ordinary processing resumes.
fn introducer(b: &[u8], code: u8, i: usize, out: &mut Writer) -> usize {
    match code {
        0x9B => csi(b, i, out),
        // OSC, DCS, SOS, PM, APC: a string up to ST or BEL.
        0x9D | 0x90 | 0x98 | 0x9E | 0x9F => string_end(b, i),
        // Any other C1 (including a stray ST): just removed.
        _ => i,
    }
}

/// Skips a control string body starting at `i`: up to and including BEL, `ESC \` or U+009C.
/// CAN and SUB abort it (and are consumed); any other ESC aborts it and is processed anew.
/// Unterminated at the end of the line: everything is dropped.
fn string_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            0x07 | 0x18 | 0x1A => return i + 1,
            0x1B => {
                return if b.get(i + 1) == Some(&b'\\') { i + 2 } else { i };
            }
            0xC2 if b.get(i + 1) == Some(&0x9C) => return i + 2,
            _ => i += 1,
        }
    }
    i
}

/// Parses a CSI body starting at `i` (parameter bytes 0x30–0x3F, intermediates 0x20–0x2F, a final
/// 0x40–0x7E), applying it when it is an SGR; returns where ordinary processing resumes.
fn csi(b: &[u8], i: usize, out: &mut Writer) -> usize {
    let mut j = i;
    while j < b.len() && (0x30..=0x3F).contains(&b[j]) {
        j += 1;
    }
    let params_end = j;
    while j < b.len() && (0x20..=0x2F).contains(&b[j]) {
        j += 1;
    }
    match b.get(j) {
        Some(&fin @ 0x40..=0x7E) => {
            let plain_params = b.get(i).is_none_or(|c| !matches!(c, b'<'..=b'?'));
            if fin == b'm' && params_end == j && plain_params && out.styles {
                let style = apply_sgr(out.style, &b[i..params_end]);
                out.set_style(style);
            }
            j + 1
        }
        // Broken or unterminated: drop what was read; the odd byte is processed normally.
        _ => j,
    }
}

/// The style after applying the SGR parameters `params` (e.g. `b"1;31"`) to `style`.
fn apply_sgr(mut style: Sgr, params: &[u8]) -> Sgr {
    let mut fields = params.split(|&c| c == b';').peekable();
    if params.is_empty() {
        return Sgr::default();
    }
    while let Some(field) = fields.next() {
        if field.contains(&b':') {
            // ITU T.416 form: 38:5:n or 38:2:[cs]:r:g:b in one field.
            let mut sub = field.split(|&c| c == b':');
            let head = sub.next().and_then(number);
            if head == Some(38) {
                style.fg = match (sub.next().and_then(number), sub.next().and_then(number)) {
                    (Some(5), Some(n)) if n < 16 => Some(n as u8),
                    _ => None,
                };
            }
            continue;
        }
        match number(field).unwrap_or(0) {
            0 => style = Sgr::default(),
            1 => style.bold = true,
            22 => style.bold = false,
            n @ 30..=37 => style.fg = Some((n - 30) as u8),
            39 => style.fg = None,
            n @ 90..=97 => style.fg = Some((n - 90 + 8) as u8),
            n @ (38 | 48) => {
                // 38;5;n / 38;2;r;g;b (48: the background, skipped the same way).
                let colour = match fields.next().and_then(number) {
                    Some(5) => fields.next().and_then(number).filter(|&n| n < 16).map(|n| n as u8),
                    Some(2) => {
                        for _ in 0..3 {
                            fields.next();
                        }
                        None
                    }
                    _ => None,
                };
                if n == 38 {
                    style.fg = colour;
                }
            }
            _ => {}
        }
    }
    style
}

fn number(field: &[u8]) -> Option<u32> {
    if field.is_empty() {
        return Some(0);
    }
    let mut n: u32 = 0;
    for &c in field {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n.saturating_mul(10).saturating_add(u32::from(c - b'0'));
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &str) -> String {
        let s = sanitize(line);
        assert_eq!(sanitize_text(line), s.text, "sanitize and sanitize_text disagree on {line:?}");
        s.text
    }

    #[test]
    fn clean_lines_are_unchanged() {
        for line in ["", "plain", "tab\there", "中文日志 “引号” — 破折号 °C", "€ é ü ½"]
        {
            assert_eq!(sanitize(line), Sanitized { text: line.to_string(), spans: vec![] });
            assert!(matches!(sanitize_text(line), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn title_change_is_removed() {
        assert_eq!(text("user \x1b]0;pwned\x07root login"), "user root login");
        assert_eq!(text("a\x1b]2;标题\x1b\\b"), "ab");
        // Terminated by the C1 ST character.
        assert_eq!(text("a\x1b]0;x\u{9c}b"), "ab");
    }

    #[test]
    fn osc8_hyperlink_keeps_only_the_visible_text() {
        let line = "see \x1b]8;;http://evil.example/\x1b\\click here\x1b]8;;\x1b\\ now";
        assert_eq!(text(line), "see click here now");
        let bel = "see \x1b]8;id=1;http://evil.example/\x07click\x1b]8;;\x07.";
        assert_eq!(text(bel), "see click.");
    }

    #[test]
    fn c1_forms_are_removed() {
        assert_eq!(text("a\u{9b}31mred\u{9b}0m b"), "ared b");
        assert_eq!(text("a\u{9d}0;pwned\u{7}b"), "ab");
        assert_eq!(text("x\u{90}qdata\u{9c}y"), "xy");
        assert_eq!(text("x\u{85}y\u{9c}z"), "xyz");
        assert_eq!(sanitize("a\u{9b}1;32mgo").spans, vec![(1..3, Sgr { fg: Some(2), bold: true })]);
    }

    #[test]
    fn bidi_controls_are_removed() {
        assert_eq!(text("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        let all = "a\u{202A}b\u{202B}c\u{202C}d\u{202D}e\u{202E}f\u{2066}g\u{2067}h\u{2068}i\u{2069}j";
        assert_eq!(text(all), "abcdefghij");
        // Neighbours in the same block stay.
        assert_eq!(text("\u{2029}\u{202F}\u{2065}\u{206A}‘’"), "\u{2029}\u{202F}\u{2065}\u{206A}‘’");
    }

    #[test]
    fn controls_are_removed() {
        assert_eq!(text("a\x00b\x07c\x08d\re\x7ff\tg"), "abcdef\tg");
        assert_eq!(text("bell\u{7}"), "bell");
    }

    #[test]
    fn csi_with_private_and_intermediate_bytes() {
        assert_eq!(text("a\x1b[?1049hb\x1b[2Jc\x1b[1;1Hd\x1b[0 qe\x1b[>4;2mf"), "abcdef");
        // The private-marker SGR-like `ESC [ > 4 ; 2 m` is not a colour.
        assert!(sanitize("\x1b[>4;2mf").spans.is_empty());
    }

    #[test]
    fn other_escape_forms() {
        assert_eq!(text("a\x1b7b\x1b8c\x1bcd\x1b(Be\x1b#8f"), "abcdef");
        assert_eq!(text("a\x1bPdcs data\x1b\\b"), "ab");
        assert_eq!(text("a\x1b_apc\x1b\\b\x1b^pm\x07c\x1bXsos\x1b\\d"), "abcd");
        // ESC followed by non-ASCII: only the ESC goes.
        assert_eq!(text("a\x1b中"), "a中");
    }

    #[test]
    fn unterminated_sequences_are_dropped() {
        assert_eq!(text("ok\x1b]0;no end"), "ok");
        assert_eq!(text("ok\x1b[12;3"), "ok");
        assert_eq!(text("ok\x1b"), "ok");
        assert_eq!(text("ok\x1bP unterminated dcs"), "ok");
        assert_eq!(text("ok\x1b("), "ok");
        // A CSI broken by a non-parameter byte ends there; the byte is ordinary text.
        assert_eq!(text("a\x1b[12中b"), "a中b");
        // A string aborted by another ESC: the new sequence is parsed.
        assert_eq!(text("a\x1b]0;t\x1b[31mred"), "ared");
    }

    #[test]
    fn sgr_becomes_spans() {
        let s = sanitize("\x1b[31mERROR\x1b[0m plain \x1b[1;92mok\x1b[22m!\x1b[m end");
        assert_eq!(s.text, "ERROR plain ok! end");
        assert_eq!(
            s.spans,
            vec![
                (0..5, Sgr { fg: Some(1), bold: false }),
                (12..14, Sgr { fg: Some(10), bold: true }),
                (14..15, Sgr { fg: Some(10), bold: false }),
            ]
        );
        // 256-colour low indexes, colon form, true colour and backgrounds.
        let s = sanitize("\x1b[38;5;3ma\x1b[38:5:12mb\x1b[38;2;1;2;3mc\x1b[41md\x1b[48;5;1;33me");
        assert_eq!(s.text, "abcde");
        assert_eq!(
            s.spans,
            vec![
                (0..1, Sgr { fg: Some(3), bold: false }),
                (1..2, Sgr { fg: Some(12), bold: false }),
                (4..5, Sgr { fg: Some(3), bold: false })
            ]
        );
        // A span reaching the end of the line is closed; same styles merge.
        let s = sanitize("\x1b[1mbo\x1b[1mld");
        assert_eq!(s.spans, vec![(0..4, Sgr { fg: None, bold: true })]);
    }

    #[test]
    fn blocks_of_lines() {
        let block = "plain\nuser \x1b]0;pwned\x07root\n\x1b[31mred\nunterminated \x1b]0;title\nnext\r\n\n中文\u{202E}";
        let by_line: Vec<String> = block.split('\n').map(text).collect();
        assert_eq!(sanitize_lines(block), by_line.join("\n"));
        assert_eq!(sanitize_lines(block), "plain\nuser root\nred\nunterminated \nnext\n\n中文");
        assert!(matches!(sanitize_lines("a\nb\tc\n中文\n"), Cow::Borrowed(_)));
        assert_eq!(sanitize_lines("a\x07\n"), "a\n");
    }

    #[test]
    fn never_panics_on_odd_input() {
        for line in ["\x1b", "\x1b[", "\x1b]", "\u{9b}", "\u{9d}", "\x1b[38;5", "\x1b[38;2;1m", "\u{c2}"] {
            let s = sanitize(line);
            assert!(s.text.chars().all(|c| c == '\t' || !c.is_control()), "{line:?} -> {:?}", s.text);
        }
        let long = "日志\x1b[31m".repeat(1000);
        assert_eq!(text(&long), "日志".repeat(1000));
    }
}
