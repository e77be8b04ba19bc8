//! Small text helpers shared by the config, keymap and theme loaders: positions in a file and
//! "did you mean" suggestions, `~` in paths.

use std::path::{Path, PathBuf};

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut start = offset;
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// The crate's one "did you mean" helper: the candidate nearest to `word` (ignoring case), when
/// it is close enough to be a likely typo. Close enough means a Levenshtein distance of at most 1
/// for a word of one or two characters (anything is two edits from `en`), otherwise at most 2 or
/// a third of the candidate's length, whichever is more. When no candidate is that close, a word
/// of three or more characters may still be a part of one (`identity` for `identity_file`), or
/// contain one. Ties go to the earlier candidate.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let candidates: Vec<&'a str> = candidates.into_iter().collect();
    let lower = word.to_lowercase();
    let short = lower.chars().count() <= 2;
    let closest = candidates
        .iter()
        .map(|&c| {
            let c_lower = c.to_lowercase();
            let limit = if short { 1 } else { 2.max(c_lower.chars().count() / 3) };
            (strsim::levenshtein(&lower, &c_lower), limit, c)
        })
        .filter(|(distance, limit, _)| distance <= limit)
        .min_by_key(|(distance, _, _)| *distance)
        .map(|(_, _, c)| c);
    if closest.is_some() || short {
        return closest;
    }
    candidates.into_iter().find(|c| {
        let c = c.to_lowercase();
        c.contains(&lower) || (c.chars().count() >= 3 && lower.contains(&c))
    })
}

/// Expands a leading `~` or `~/` to `$HOME`; anything else (including `~user`) is kept.
pub fn expand_tilde(s: &str) -> PathBuf {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
    expand_tilde_with(s, home.as_deref())
}

/// [`expand_tilde`] with the home directory passed in.
pub fn expand_tilde_with(s: &str, home: Option<&Path>) -> PathBuf {
    match home {
        Some(home) if s == "~" => home.to_path_buf(),
        Some(home) => match s.strip_prefix("~/") {
            Some(rest) => home.join(rest.trim_start_matches('/')),
            None => PathBuf::from(s),
        },
        None => PathBuf::from(s),
    }
}

/// An enum's `VARIANTS` (from `strum::VariantArray`) as an array, so that `for a in T::ALL`
/// yields values. `N` is the slice's length; a mismatch fails at compile time.
pub const fn variants<T: Copy, const N: usize>(all: &[T]) -> [T; N] {
    assert!(all.len() == N && N > 0);
    let mut out = [all[0]; N];
    let mut i = 1;
    while i < N {
        out[i] = all[i];
        i += 1;
    }
    out
}

/// POSIX single-quoting for a remote shell argument: every argument of every remote command goes
/// through this. `it's` becomes `'it'\''s'`; the result is one word for any POSIX shell, whatever
/// bytes the argument holds (newlines, `$(...)`, non-ASCII).
pub fn shell_quote(arg: &str) -> String {
    let mut quoted = String::with_capacity(arg.len() + 2);
    quoted.push('\'');
    for c in arg.chars() {
        if c == '\'' {
            quoted.push_str("'\\''");
        } else {
            quoted.push(c);
        }
    }
    quoted.push('\'');
    quoted
}

/// A fixed script with its arguments, run by `sh` here or as one quoted command line on a
/// host (the backups' and the network checks' rounds, the baseline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub text: &'static str,
    pub args: Vec<String>,
}

impl Script {
    /// The one command line for a remote exec: `sh -c 'SCRIPT' sh 'ARG'…`, every part quoted.
    pub fn command_line(&self) -> String {
        let mut line = format!("sh -c {} sh", shell_quote(self.text));
        for a in &self.args {
            line.push(' ');
            line.push_str(&shell_quote(a));
        }
        line
    }
}

/// A character that must never reach the terminal from outside: a control character, or a
/// bidirectional embedding, override or isolate (U+202A–U+202E, U+2066–U+2069).
pub fn is_unprintable(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every [`is_unprintable`] character written as `\u{…}`, for messages that quote
/// text from outside (a config value, a file name).
pub fn escape_unprintable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_unprintable) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unprintable(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `bytes` as text, with every byte that is not part of valid UTF-8 written as `\xHH`, so text
/// from outside (a process name, a mount point) is shown as it is rather than dropped or
/// turned into replacement characters.
/// A whole file's text, as spreadsheets and copied lists come: UTF-8 (a byte-order mark
/// dropped), else `legacy` (GBK, GB18030). The label is "UTF-8" or `label`; Err with the offset
/// of the first byte that is neither.
pub fn decode_file(
    bytes: &[u8],
    legacy: &'static encoding_rs::Encoding,
    label: &'static str,
) -> Result<(String, &'static str), usize> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_string(), "UTF-8"));
    }
    let mut decoder = legacy.new_decoder_without_bom_handling();
    let room = decoder.max_utf8_buffer_length_without_replacement(bytes.len()).unwrap_or(bytes.len() * 4);
    let mut text = String::with_capacity(room);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut text, true);
    match result {
        // The bad sequence is `bad` bytes long and ends `extra` bytes before what was read.
        encoding_rs::DecoderResult::Malformed(bad, extra) => {
            Err(read.saturating_sub(usize::from(bad) + usize::from(extra)))
        }
        _ => Ok((text, label)),
    }
}

pub fn decode_escaped(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Shell-style `*` (any run) and `?` (one character) matching, case-sensitive (OpenSSH's
/// `Host` patterns; known_hosts names are lowered first).
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut back: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            back = Some((pi, ti));
            pi += 1;
        } else if let Some((star, at)) = back {
            pi = star + 1;
            ti = at + 1;
            back = Some((star, at + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// One CSV field (RFC 4180). A text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
/// a tab or a carriage return first) gets a `'` in front: callers' names and summaries come
/// from outside.
pub fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_shown_escaped() {
        assert_eq!(decode_escaped(b"plain"), "plain");
        assert_eq!(decode_escaped(b"plain\xff"), "plain\\xFF");
        assert_eq!(decode_escaped("中\u{6587}".as_bytes()), "中文");
        assert_eq!(decode_escaped(b"a\xe4\xb8b"), "a\\xE4\\xB8b", "a cut character is two bad bytes");
    }

    #[test]
    fn unprintable_characters_are_escaped_in_messages() {
        assert_eq!(escape_unprintable("plain 中文"), "plain 中文");
        assert_eq!(escape_unprintable("a\u{202E}b\x1b]0;x\x07"), "a\\u{202e}b\\u{1b}]0;x\\u{7}");
        assert!(is_unprintable('\u{2066}') && !is_unprintable('海'));
    }

    #[test]
    fn positions_count_characters() {
        let t = "a = 1\n名字 = x\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 6), (2, 1));
        let x = t.find('x').unwrap_or(0);
        assert_eq!(line_col(t, x), (2, 6));
    }

    #[test]
    fn suggestions() {
        assert_eq!(nearest("refesh", ["refresh", "quit"]), Some("refresh"));
        assert_eq!(nearest("zzzzzz", ["refresh", "quit"]), None);
        // From the config loader's own suggestion tests, now sharing this helper.
        let host_keys = ["name", "address", "port", "user", "identity_file", "jump", "tags", "local"];
        assert_eq!(nearest("adress", host_keys), Some("address"));
        assert_eq!(nearest("Name", host_keys), Some("name"));
        assert_eq!(nearest("identity", host_keys), Some("identity_file"));
        assert_eq!(nearest("xyzzy", host_keys), None);
        assert_eq!(nearest("q", host_keys), None);
        assert_eq!(
            nearest("poll_interval", ["connect_timeout_s", "poll_interval_s"]),
            Some("poll_interval_s")
        );
        // Distances count characters, not bytes.
        assert_eq!(nearest("海口-跳版机", ["海口-应用1", "海口-跳板机"]), Some("海口-跳板机"));
        // A two-letter word gets one edit only: `fr` is not offered `en`.
        assert_eq!(nearest("fr", ["auto", "en", "zh-CN"]), None);
        assert_eq!(nearest("eb", ["auto", "en", "zh-CN"]), Some("en"));
        // Three edits are too many for a short candidate, fine for a long one.
        assert_eq!(nearest("kitten", ["sitting"]), None);
        assert_eq!(nearest("connect_timeuot_sec", ["connect_timeout_s"]), Some("connect_timeout_s"));
    }

    #[test]
    fn tilde_expansion() {
        let home = Some(Path::new("/home/ops"));
        assert_eq!(expand_tilde_with("~", home), PathBuf::from("/home/ops"));
        assert_eq!(expand_tilde_with("~/.ssh/id_ed25519", home), PathBuf::from("/home/ops/.ssh/id_ed25519"));
        assert_eq!(expand_tilde_with("/etc/x", home), PathBuf::from("/etc/x"));
        assert_eq!(expand_tilde_with("rel/~", home), PathBuf::from("rel/~"));
        assert_eq!(expand_tilde_with("~other/x", home), PathBuf::from("~other/x"));
        assert_eq!(expand_tilde_with("~/x", None), PathBuf::from("~/x"));
        // The real one uses $HOME, whatever it is here.
        if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
            assert_eq!(expand_tilde("~/a"), PathBuf::from(home).join("a"));
        }
    }
}
