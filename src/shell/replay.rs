//! Playing a recording back (`yunwei replay FILE`): its output at its pace (or `--speed`
//! times faster, idle gaps cut to `--idle-limit`), with the sequences that reach beyond the
//! screen dropped: clipboard writes (OSC 52) and every other operating-system command (title,
//! palette, working folder), device control strings (DCS, and SOS, PM and APC alike), and the
//! window operations and queries of CSI (`t`, `n`, `c`) whose answers would be typed into the
//! terminal of whoever plays it.

use std::io::{self, BufRead, Write};
use std::path::Path;
use std::time::Duration;

use crate::i18n::{both, Both};

/// A recording read from its file.
#[derive(Debug, Clone, PartialEq)]
pub struct Cast {
    pub width: u16,
    pub height: u16,
    pub title: String,
    /// `(seconds since the start, output)`, resizes left out.
    pub events: Vec<(f64, String)>,
}

/// Reads an asciicast v2 file; a line that is not one says where.
pub fn read(path: &Path) -> Result<Cast, Both> {
    let file = std::fs::File::open(path).map_err(|e| {
        both(
            &super::messages::ShellMsg::ReplayCannotOpen,
            &[("path", &path.display().to_string()), ("e", &crate::i18n::io_both(&e))],
        )
    })?;
    let mut lines = io::BufReader::new(file).lines();
    let place = |n: usize| format!("{}:{n}", path.display());
    let bad = |n: usize, what: &str| {
        both(&super::messages::ShellMsg::ReplayBadLine, &[("place", &place(n)), ("what", &what.to_string())])
    };
    let header = match lines.next() {
        Some(Ok(line)) => line,
        _ => return Err(bad(1, "no asciicast header")),
    };
    let header: serde_json::Value = serde_json::from_str(&header).map_err(|e| bad(1, &e.to_string()))?;
    if header["version"].as_u64() != Some(2) {
        return Err(bad(1, "not asciicast version 2"));
    }
    let dim = |k: &str| header[k].as_u64().and_then(|n| u16::try_from(n).ok()).unwrap_or(0);
    let mut cast = Cast {
        width: dim("width"),
        height: dim("height"),
        title: header["title"].as_str().unwrap_or_default().to_string(),
        events: Vec::new(),
    };
    for (i, line) in lines.enumerate() {
        let n = i + 2;
        let line = line.map_err(|e| bad(n, &e.to_string()))?;
        if line.trim().is_empty() {
            continue;
        }
        let ev: serde_json::Value = serde_json::from_str(&line).map_err(|e| bad(n, &e.to_string()))?;
        let (Some(t), Some(kind), Some(data)) = (ev[0].as_f64(), ev[1].as_str(), ev[2].as_str()) else {
            return Err(bad(n, "expected [seconds, kind, text]"));
        };
        if kind == "o" {
            cast.events.push((t.max(0.0), data.to_string()));
        }
    }
    Ok(cast)
}

/// Where a [`Sanitizer`] is in a sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Ground,
    Esc,
    /// `ESC (` or `ESC )`: the character set that follows.
    Charset(char),
    /// An escape with intermediates (`ESC % @`, `ESC SP G`, `ESC # 8`): dropped to its end.
    EscSkip,
    /// A CSI's parameters and intermediates so far (kept to be passed on when harmless).
    Csi,
    /// Inside a string to drop (OSC, DCS, SOS, PM, APC) until its terminator.
    Str,
    /// ESC seen inside a string: `\` ends it.
    StrEsc,
}

/// The DEC private modes a replay may set and reset (the cursor, the screens, wrapping,
/// cursor keys, blinking, bracketed paste): all put back by [`RESET`].
const DEC_MODES: &[u32] = &[1, 7, 12, 25, 47, 1047, 1048, 1049, 2004];

/// Whether a complete CSI (`params` between `ESC [` and `last`) only draws on the screen.
/// Everything else is dropped: queries and reports whose answers would be typed into the
/// terminal (`n`, `c`, `x`, `$p`, `>q`, `?u`), window operations (`t`), printing (`i`),
/// keyboard protocols and locks, and the modes that outlast the replay.
fn csi_allowed(params: &str, last: char) -> bool {
    if params.chars().any(|c| ('\u{20}'..='\u{2f}').contains(&c)) {
        // Intermediates: only the cursor's shape (`CSI n SP q`).
        return last == 'q'
            && params.ends_with(' ')
            && params[..params.len() - 1].chars().all(|c| c.is_ascii_digit());
    }
    let numbers = |p: &str| -> Option<Vec<u32>> { p.split(';').map(|n| n.parse().ok()).collect() };
    match params.chars().next() {
        Some('?') => {
            matches!(last, 'h' | 'l')
                && numbers(&params[1..]).is_some_and(|ns| ns.iter().all(|n| DEC_MODES.contains(n)))
        }
        Some('<' | '=' | '>') => false,
        _ => match last {
            'm' | 'H' | 'f' | 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'J' | 'K' | 'L' | 'M' | 'P' | 'X'
            | '@' | 'S' | 'T' | 'd' | 'e' | 'a' | 'b' | 'r' | '`' | 'I' | 'Z' => {
                params.chars().all(|c| c.is_ascii_digit() || c == ';' || c == ':')
            }
            's' | 'u' => params.is_empty(),
            // Insert mode only (`CSI 4 h`): not the keyboard lock (2) or local echo (12).
            'h' | 'l' => params == "4",
            _ => false,
        },
    }
}

/// Removes the sequences that reach beyond the screen from a stream of output, across the
/// boundaries of the events it comes in. What is passed on is an allowlist: drawing, colours,
/// cursor moves, erasing, scrolling, the screens and a few modes [`RESET`] puts back.
#[derive(Debug)]
pub struct Sanitizer {
    state: State,
    csi: String,
    /// Whether the string being dropped is an OSC (BEL ends those too).
    osc: bool,
}

impl Default for Sanitizer {
    fn default() -> Self {
        Sanitizer { state: State::Ground, csi: String::new(), osc: false }
    }
}

impl Sanitizer {
    /// What of `text` may reach the terminal.
    pub fn clean(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            // CAN and SUB end any sequence; terminals run other controls inside one and carry
            // on with it, so here they are dropped there and the sequence goes on.
            let control = c < '\u{20}' && c != '\u{1b}';
            match self.state {
                State::Ground => match c {
                    '\u{1b}' => self.state = State::Esc,
                    '\u{9b}' => self.start_csi(),
                    '\u{9d}' => self.start_str(true),
                    '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => self.start_str(false),
                    '\u{80}'..='\u{9f}' => {}
                    // Of the controls: tab, newline, carriage return, backspace, bell.
                    '\t' | '\n' | '\r' | '\u{8}' | '\u{7}' => out.push(c),
                    _ if control => {}
                    _ => out.push(c),
                },
                State::Esc => match c {
                    '\u{18}' | '\u{1a}' => self.state = State::Ground,
                    _ if control || c == '\u{7f}' => {}
                    '[' => self.start_csi(),
                    ']' => self.start_str(true),
                    'P' | 'X' | '^' | '_' => self.start_str(false),
                    '\u{1b}' => {}
                    '(' | ')' => self.state = State::Charset(c),
                    '\u{20}'..='\u{2f}' => self.state = State::EscSkip,
                    // Save and restore the cursor, index, reverse index, next line, the keypad.
                    '7' | '8' | 'D' | 'E' | 'M' | '=' | '>' => {
                        out.push('\u{1b}');
                        out.push(c);
                        self.state = State::Ground;
                    }
                    // Everything else (a full reset, character-set switches, DECALN…): dropped;
                    // a C1 control sent as UTF-8 is read as one in Ground.
                    '\u{80}'..='\u{9f}' => {
                        self.state = State::Ground;
                        out.push_str(&self.clean(&c.to_string()));
                    }
                    _ => self.state = State::Ground,
                },
                State::EscSkip => {
                    if matches!(c, '\u{18}' | '\u{1a}') || ('\u{30}'..='\u{7e}').contains(&c) {
                        self.state = State::Ground;
                    } else if c == '\u{1b}' {
                        self.state = State::Esc;
                    }
                }
                State::Charset(which) => {
                    if control {
                        if matches!(c, '\u{18}' | '\u{1a}') {
                            self.state = State::Ground;
                        }
                        continue;
                    }
                    // ASCII and the line-drawing set (top, mc, dialog draw boxes with it).
                    if matches!(c, 'B' | '0') {
                        out.push('\u{1b}');
                        out.push(which);
                        out.push(c);
                    }
                    self.state = State::Ground;
                }
                State::Csi => {
                    if control {
                        if matches!(c, '\u{18}' | '\u{1a}') {
                            self.csi.clear();
                            self.state = State::Ground;
                        }
                    } else if ('\u{40}'..='\u{7e}').contains(&c) {
                        if csi_allowed(&self.csi, c) {
                            out.push_str("\u{1b}[");
                            out.push_str(&self.csi);
                            out.push(c);
                        }
                        self.csi.clear();
                        self.state = State::Ground;
                    } else if ('\u{20}'..='\u{3f}').contains(&c) && self.csi.len() < 64 {
                        self.csi.push(c);
                    } else {
                        // Not a CSI after all (far too long, or broken): dropped.
                        self.csi.clear();
                        self.state = if c == '\u{1b}' { State::Esc } else { State::Ground };
                    }
                }
                State::Str => match c {
                    '\u{7}' if self.osc => self.state = State::Ground,
                    '\u{9c}' | '\u{18}' | '\u{1a}' => self.state = State::Ground,
                    '\u{1b}' => self.state = State::StrEsc,
                    _ => {}
                },
                State::StrEsc => {
                    self.state = if c == '\\' { State::Ground } else { State::Str };
                }
            }
        }
        out
    }

    fn start_csi(&mut self) {
        self.csi.clear();
        self.state = State::Csi;
    }

    fn start_str(&mut self, osc: bool) {
        self.osc = osc;
        self.state = State::Str;
    }
}

/// How to play.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// 2.0 plays twice as fast.
    pub speed: f64,
    /// No gap longer than this (after the speed-up).
    pub idle_limit: Option<Duration>,
}

/// What the terminal is put back to after a playback: the main screen, the cursor shown,
/// colours, mouse and paste modes off, the whole screen scrolling.
pub const RESET: &str = crate::shell::TERMINAL_RESET;

/// Plays `cast` into `out` at `pace`; `stop` is asked between events whether to end early
/// (a key on the terminal) and may wait up to the duration it is given.
pub fn play(
    cast: &Cast,
    pace: Pace,
    out: &mut impl Write,
    mut wait: impl FnMut(Duration) -> bool,
) -> io::Result<()> {
    let mut clean = Sanitizer::default();
    let mut last = 0.0f64;
    for (t, data) in &cast.events {
        // A gap of any size (a crafted file, a tiny --speed) waits at most a day.
        let mut gap = Duration::try_from_secs_f64(((t - last) / pace.speed).max(0.0))
            .unwrap_or(Duration::from_secs(86_400))
            .min(Duration::from_secs(86_400));
        if let Some(limit) = pace.idle_limit {
            gap = gap.min(limit);
        }
        last = *t;
        if !gap.is_zero() {
            out.flush()?;
            if wait(gap) {
                break;
            }
        }
        out.write_all(clean.clean(data).as_bytes())?;
    }
    out.write_all(RESET.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(parts: &[&str]) -> String {
        let mut s = Sanitizer::default();
        parts.iter().map(|p| s.clean(p)).collect()
    }

    #[test]
    fn clipboard_title_and_device_strings_are_dropped_colours_kept() {
        // OSC 52 clipboard write, ended by BEL and by ST.
        assert_eq!(clean(&["a\u{1b}]52;c;cm0gLXJmIC8=\u{7}b"]), "ab");
        assert_eq!(clean(&["a\u{1b}]52;c;eA==\u{1b}\\b"]), "ab");
        // Title, cut between two events.
        assert_eq!(clean(&["x\u{1b}]0;ti", "tle\u{7}y"]), "xy");
        // DCS (a sixel or a tmux passthrough), APC, PM, SOS and the C1 forms.
        assert_eq!(clean(&["1\u{1b}Pq#0;2;0;0;0\u{1b}\\2"]), "12");
        assert_eq!(clean(&["1\u{1b}_apc\u{1b}\\2\u{1b}^pm\u{1b}\\3\u{1b}Xsos\u{1b}\\4"]), "1234");
        assert_eq!(clean(&["1\u{9d}52;c;eA==\u{9c}2\u{90}dcs\u{9c}3"]), "123");
        // Window operations and queries whose answers would come back as typing.
        assert_eq!(clean(&["a\u{1b}[21tb\u{1b}[6nc\u{1b}[cd\u{1b}[8;50;200te"]), "abcde");
        // What draws on the screen stays.
        let screen = "\u{1b}[1;31m红\u{1b}[0m\u{1b}[2J\u{1b}[H\u{1b}[?25l\u{1b}7\u{1b}8\r\n";
        assert_eq!(clean(&[screen]), screen);
        assert_eq!(clean(&["\u{1b}[3", "1mx"]), "\u{1b}[31mx");
        // A control inside an escape does not end it (terminals run it and go on).
        assert_eq!(clean(&["a\u{1b}\r]52;c;eA==\u{7}b\u{1b}\u{7}]0;t\u{7}c\u{1b}\u{7f}[21td"]), "abcd");
        assert_eq!(clean(&["a\u{1b}\u{9d}0;t\u{9c}b"]), "ab");
        // Lasting modes, keyboard protocols and queries: dropped; the screen's modes kept.
        for bad in [
            "\u{1b}[2h",
            "\u{1b}[12l",
            "\u{1b}[?1004h",
            "\u{1b}[>1u",
            "\u{1b}[>4;2m",
            "\u{1b}[?u",
            "\u{1b}[?2026$p",
            "\u{1b}[>q",
            "\u{1b}[x",
            "\u{1b}[5i",
            "\u{1b}%@",
            "\u{1b} G",
            "\u{1b}c",
            "\u{0e}",
            "\u{5}",
        ] {
            assert_eq!(clean(&["<", bad, ">"]), "<>", "{bad:?}");
        }
        for good in [
            "\u{1b}[?1049h",
            "\u{1b}[?25l\u{1b}[?2004h",
            "\u{1b}[4h",
            "\u{1b}[2 q",
            "\u{1b}(0qq\u{1b}(B",
            "\u{1b}[1;24r",
            "\u{1b}[s\u{1b}[u",
        ] {
            assert_eq!(clean(&[good]), good, "{good:?}");
        }
    }

    #[test]
    fn a_recording_plays_at_its_pace_sped_up_and_capped() {
        let cast = Cast {
            width: 80,
            height: 24,
            title: String::new(),
            events: vec![(0.5, "a".into()), (10.5, "\u{1b}]52;c;eA==\u{7}b".into()), (11.0, "c".into())],
        };
        let mut waits = Vec::new();
        let mut out = Vec::new();
        let pace = Pace { speed: 2.0, idle_limit: Some(Duration::from_secs(1)) };
        play(&cast, pace, &mut out, |d| {
            waits.push(d.as_millis());
            false
        })
        .unwrap();
        assert_eq!(waits, vec![250, 1000, 250]);
        assert!(String::from_utf8(out).unwrap().starts_with(&format!("abc{RESET}")));
        // A key stops it.
        let mut out = Vec::new();
        play(&cast, pace, &mut out, |_| true).unwrap();
        assert!(String::from_utf8(out).unwrap().starts_with(RESET));
    }

    #[test]
    fn a_broken_recording_says_which_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.cast");
        std::fs::write(&p, "{\"version\": 2, \"width\": 80, \"height\": 24}\n[0.1, \"o\", \"ok\"]\n[oops\n")
            .unwrap();
        let e = read(&p).unwrap_err();
        assert!(e.en.contains("x.cast:3"), "{}", e.en);
        std::fs::write(&p, "{\"version\": 1}\n").unwrap();
        assert!(read(&p).unwrap_err().zh.contains("x.cast:1"));
        std::fs::write(&p, "{\"version\": 2, \"width\": 80, \"height\": 24}\n[0.1, \"r\", \"90x30\"]\n[0.2, \"o\", \"ok\"]\n").unwrap();
        let cast = read(&p).unwrap();
        assert_eq!(cast.events, vec![(0.2, "ok".to_string())]);
    }
}
