//! End-to-end: `yunwei demo` in a real terminal (tmux) visits every pane and is resized through
//! sizes from 20x5 to 200x60 and below the minimum, in English and Chinese. After each resize
//! the screen must be whole (the frame fits the new size, nothing is left of the old one), the
//! too-small notice names the minimum, keys still work, and the process ends cleanly with
//! nothing on stderr.

mod support {
    pub mod tmux;
}

use std::time::{Duration, Instant};

use support::tmux::{bin, env_prefix, Tmux};
use unicode_width::UnicodeWidthStr;

const SIZES: &[(u16, u16)] =
    &[(80, 24), (20, 5), (40, 12), (80, 24), (120, 40), (200, 60), (16, 4), (20, 5), (19, 24), (80, 24)];

/// The words that show which screen is up, in one language.
struct Words {
    fleet: &'static str,
    detail: &'static str,
    logs: &'static str,
    help: &'static str,
}

const EN: Words =
    Words { fleet: "Fleet health", detail: "Host detail", logs: "following", help: "Help: keys" };
const ZH: Words =
    Words { fleet: "主机健康", detail: "主机详情", logs: "跟随中", help: "帮助：按键" };

struct Console<'t> {
    t: &'t Tmux,
    name: &'static str,
}

impl Console<'_> {
    fn target(&self) -> String {
        format!("e2e:{}", self.name)
    }

    /// The visible screen, one line per row.
    fn screen(&self) -> String {
        self.t.cmd(&["capture-pane", "-p", "-t", &self.target()])
    }

    /// A key, without the pause of `Tmux::keys`: every key here waits for what it changes.
    fn press(&self, key: &str) {
        self.t.cmd(&["send-keys", "-t", &self.target(), key]);
    }

    fn wait(&self, what: &str, cond: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let s = self.screen();
            if cond(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "{}: timed out waiting for {what}; the screen:\n{s}",
                self.name
            );
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// The second row, where the focused pane's block has its title.
    fn title_row(s: &str) -> String {
        s.lines().nth(1).unwrap_or("").to_string()
    }

    fn resize(&self, w: u16, h: u16) {
        self.t.cmd(&["resize-window", "-t", &self.target(), "-x", &w.to_string(), "-y", &h.to_string()]);
        let size = format!("{w}x{h}");
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.t.format(self.name, "#{pane_width}x#{pane_height}") != size {
            assert!(Instant::now() < deadline, "tmux did not resize to {size}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Whether the screen is a whole frame of `w`x`h`: the pane's box from its top corners to its
/// bottom ones, every row between closed on both sides at the last column, nothing wider.
fn frame_problem(s: &str, w: u16, h: u16) -> Option<String> {
    let lines: Vec<&str> = s.lines().collect();
    if lines.len() > usize::from(h) {
        return Some(format!("{} rows on a {h}-row screen", lines.len()));
    }
    if let Some(l) = lines.iter().find(|l| l.width() > usize::from(w)) {
        return Some(format!("a row wider than {w}: {l:?}"));
    }
    let w = usize::from(w);
    let edge = |l: &str, first: char, last: char| {
        let l = l.trim_end();
        l.starts_with(first) && l.ends_with(last) && l.width() == w
    };
    if !lines.get(1).is_some_and(|l| edge(l, '┌', '┐')) {
        return Some("the box does not open on the second row across the width".into());
    }
    let bottom = lines.iter().rposition(|l| l.starts_with('└'))?;
    if !edge(lines[bottom], '└', '┘') {
        return Some("the box's bottom does not reach the last column".into());
    }
    if bottom + 2 != usize::from(h) {
        return Some(format!("the box ends on row {bottom}, not above the status bar"));
    }
    for l in &lines[2..bottom] {
        // The help overlay's own box may open inside the pane's, but the edges are the pane's.
        if !edge(l, '│', '│') && !edge(l, '│', '┐') && !edge(l, '│', '┘') {
            return Some(format!("a row not closed at both edges: {l:?}"));
        }
    }
    None
}

/// The screen with what changes by itself (figures, the clock, sparklines) made alike.
fn settled(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_digit() || "▁▂▃▄▅▆▇█".contains(c) { '0' } else { c }).collect()
}

/// After a resize: the screen is consistent, and a forced full repaint (Ctrl-L) changes nothing
/// but what changes by itself, so nothing was left over from the previous size.
fn check_size(c: &Console<'_>, words: &Words, w: u16, h: u16) {
    let tag = format!("{} at {w}x{h}", c.name);
    if w < 20 || h < 5 {
        let s = c.wait("the too-small notice", |s| s.contains("20x5"));
        assert!(s.lines().count() <= usize::from(h), "{tag}:\n{s}");
        // Keys other than q change nothing: the notice stays.
        c.press("2");
        c.press("?");
        std::thread::sleep(Duration::from_millis(200));
        let s = c.screen();
        assert!(s.contains("20x5") && !s.contains(words.help), "{tag}: only the notice:\n{s}");
        return;
    }
    let s = c.wait("a whole frame", |s| frame_problem(s, w, h).is_none() && s.contains(words.fleet));
    let mut before = settled(&s);
    let mut tries = 0;
    loop {
        c.press("C-l");
        std::thread::sleep(Duration::from_millis(150));
        let after = settled(&c.screen());
        if after == before {
            break;
        }
        // The demo's figures, alerts and states change by themselves (the first alerts come
        // after some seconds): only a screen that settles proves nothing was left over.
        tries += 1;
        assert!(
            tries < 12,
            "{tag}: a full repaint changes the screen (something was left over):\n{before}\n---\n{after}"
        );
        before = after;
    }
    // Every pane answers keys at this size.
    c.press("Enter");
    c.wait("the host detail", |s| {
        Console::title_row(s).contains(words.detail) && frame_problem(s, w, h).is_none()
    });
    c.press("Escape");
    c.wait("the fleet again", |s| Console::title_row(s).contains(words.fleet));
    c.press("2");
    c.wait("the Logs pane", |s| {
        Console::title_row(s).contains(words.logs) && frame_problem(s, w, h).is_none()
    });
    c.press("?");
    c.wait("the help", |s| s.contains(words.help));
    c.press("Escape");
    c.wait("help closed", |s| !s.contains(words.help));
    c.press(":");
    c.wait("the command line", |s| s.lines().last().is_some_and(|l| l.starts_with(':')));
    c.press("Escape");
    c.wait("the command line closed", |s| s.lines().last().is_some_and(|l| !l.starts_with(':')));
    c.press("1");
    c.wait("the fleet", |s| Console::title_row(s).contains(words.fleet));
}

#[test]
fn every_pane_survives_resizing_from_20x5_to_200x60_in_both_languages() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::new("resize");
    let h = home.path().display().to_string();
    let runs = [("en", "C.UTF-8", &EN), ("zh", "zh_CN.UTF-8", &ZH)];
    for (i, (name, lang, _)) in runs.iter().enumerate() {
        let script = format!(
            "{env}export LANG={lang}; '{bin}' demo 2>'{h}/{name}.stderr'; echo \"EXIT:$?\"; sleep 60",
            env = env_prefix(home.path()),
            bin = bin().display(),
        );
        t.start(name, &script, i == 0);
    }
    for (name, _, words) in runs {
        let c = Console { t: &t, name };
        c.resize(80, 24);
        c.wait("the demo fleet", |s| s.contains("demo-db1") && s.contains(words.fleet));
        for &(w, h) in SIZES {
            c.resize(w, h);
            check_size(&c, words, w, h);
        }
        c.press("q");
        let s = c.wait("the exit", |s| s.contains("EXIT:"));
        assert!(s.contains("EXIT:0"), "{name}: a clean exit:\n{s}");
        let stderr = std::fs::read_to_string(home.path().join(format!("{name}.stderr"))).unwrap();
        assert!(stderr.is_empty(), "{name}: stderr:\n{stderr}");
    }
}

/// The frame check itself: a whole frame passes; a row left over from a wider screen, a box
/// that stops short or a screen taller than the pane do not.
#[test]
fn the_frame_check_sees_what_a_resize_could_leave_behind() {
    let whole = " tab\n┌ t ┐\n│ a │\n└───┘\n hint\n";
    assert_eq!(frame_problem(whole, 5, 5), None);
    assert!(frame_problem(" tab\n┌ t ┐\n│ a │ old\n└───┘\n hint\n", 5, 5).is_some());
    assert!(frame_problem(" tab\n┌ t ┐\n│ a  \n└───┘\n hint\n", 5, 5).is_some());
    assert!(frame_problem(" tab\n┌ t ┐\n│ a │\n└──┘\n hint\n", 5, 5).is_some());
    assert!(frame_problem(whole, 6, 5).is_some(), "the box must reach the last column");
    assert!(frame_problem(whole, 5, 4).is_some());
    assert_eq!(settled("12% ▁▂█ 03:04"), "00% 000 00:00");
}
