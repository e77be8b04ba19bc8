//! demo.tape stays true: its keystrokes are typed into the real binary (`yunwei demo`) in tmux,
//! at the tape's size, with its Sleeps shortened, and every `# expect:` comment is checked
//! against the screen at that point (`# expect-not:` must be absent, `# expect-re:` is a regular
//! expression). The tape's shell lines run too, in a folder where `./target/release/yunwei` is
//! the binary under test.

mod support {
    pub mod tmux;
}

use std::time::{Duration, Instant};

use regex::Regex;
use support::tmux::{bin, env_prefix, Tmux};

/// What the screen must show after the steps before it.
#[derive(Debug)]
enum Expect {
    Has(String),
    Lacks(String),
    Matches(Regex),
}

#[derive(Debug)]
enum Step {
    Type(String),
    /// A tmux key name, and how many times.
    Key(String, usize),
    Sleep(Duration),
    Expect {
        line: usize,
        expect: Expect,
    },
}

#[derive(Debug)]
struct Tape {
    cols: u16,
    rows: u16,
    require: Vec<String>,
    settings: Vec<(String, String)>,
    steps: Vec<Step>,
}

/// Splits a tape line into words and quoted strings (", ' or `).
fn tokens(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' || c == '\'' || c == '`' {
            chars.next();
            let mut s = String::new();
            loop {
                match chars.next() {
                    Some(q) if q == c => break,
                    Some(ch) => s.push(ch),
                    None => return Err(format!("unterminated string in {line:?}")),
                }
            }
            out.push(s);
        } else {
            let mut s = String::new();
            while let Some(&ch) = chars.peek() {
                if ch.is_whitespace() {
                    break;
                }
                s.push(ch);
                chars.next();
            }
            out.push(s);
        }
    }
    Ok(out)
}

/// A vhs duration: `300ms`, `1.5s`, or a bare number of seconds.
fn duration(s: &str) -> Result<Duration, String> {
    let (num, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60.0)
    } else {
        (s, 1.0)
    };
    num.parse::<f64>().map(|v| Duration::from_secs_f64(v * scale)).map_err(|_| format!("bad duration {s:?}"))
}

/// The tmux name of a vhs key command, if it is one.
fn key_name(word: &str) -> Option<String> {
    let name = match word {
        "Enter" => "Enter",
        "Tab" => "Tab",
        "Escape" => "Escape",
        "Up" => "Up",
        "Down" => "Down",
        "Left" => "Left",
        "Right" => "Right",
        "Backspace" => "BSpace",
        "Delete" => "Delete",
        "Space" => "Space",
        "PageUp" => "PPage",
        "PageDown" => "NPage",
        "Home" => "Home",
        "End" => "End",
        _ => {
            let key = word.strip_prefix("Ctrl+")?;
            let mut c = key.chars();
            let (Some(ch), None) = (c.next(), c.next()) else { return None };
            return Some(format!("C-{}", ch.to_ascii_lowercase()));
        }
    };
    Some(name.to_string())
}

fn parse(text: &str) -> Result<Tape, String> {
    let mut tape = Tape { cols: 0, rows: 0, require: Vec::new(), settings: Vec::new(), steps: Vec::new() };
    let size = Regex::new(r"^stty cols (\d+) rows (\d+)$").map_err(|e| e.to_string())?;
    for (n, raw) in text.lines().enumerate() {
        let line_no = n + 1;
        let line = raw.trim();
        if let Some(comment) = line.strip_prefix('#') {
            let comment = comment.trim();
            let expect = if let Some(t) = comment.strip_prefix("expect:") {
                Some(Expect::Has(t.trim().to_string()))
            } else if let Some(t) = comment.strip_prefix("expect-not:") {
                Some(Expect::Lacks(t.trim().to_string()))
            } else if let Some(t) = comment.strip_prefix("expect-re:") {
                Some(Expect::Matches(Regex::new(t.trim()).map_err(|e| format!("line {line_no}: {e}"))?))
            } else {
                None
            };
            if let Some(expect) = expect {
                tape.steps.push(Step::Expect { line: line_no, expect });
            }
            continue;
        }
        let words = tokens(line).map_err(|e| format!("line {line_no}: {e}"))?;
        let mut i = 0;
        let arg = |i: usize| words.get(i).cloned().ok_or_else(|| format!("line {line_no}: argument missing"));
        while i < words.len() {
            let word = words[i].as_str();
            // `Type@100ms`, `Enter@200ms`: a typing speed, irrelevant here.
            let command = word.split('@').next().unwrap_or(word);
            match command {
                "Output" => i += 1,
                "Require" => {
                    tape.require.push(arg(i + 1)?);
                    i += 1;
                }
                "Set" => {
                    tape.settings.push((arg(i + 1)?, arg(i + 2)?));
                    i += 2;
                }
                "Hide" | "Show" => {}
                "Type" => {
                    let text = arg(i + 1)?;
                    if let Some(c) = size.captures(&text) {
                        tape.cols = c[1].parse().map_err(|_| format!("line {line_no}: columns"))?;
                        tape.rows = c[2].parse().map_err(|_| format!("line {line_no}: rows"))?;
                    }
                    tape.steps.push(Step::Type(text));
                    i += 1;
                }
                "Sleep" => {
                    tape.steps.push(Step::Sleep(
                        duration(&arg(i + 1)?).map_err(|e| format!("line {line_no}: {e}"))?,
                    ));
                    i += 1;
                }
                other => {
                    let Some(key) = key_name(other) else {
                        return Err(format!("line {line_no}: the test does not know the command {other:?}"));
                    };
                    let count = words.get(i + 1).and_then(|w| w.parse::<usize>().ok());
                    if count.is_some() {
                        i += 1;
                    }
                    tape.steps.push(Step::Key(key, count.unwrap_or(1)));
                }
            }
            i += 1;
        }
    }
    if tape.cols == 0 {
        return Err("the tape pins no size (a `Type \"stty cols C rows R\"` line)".into());
    }
    Ok(tape)
}

fn tape() -> Tape {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/demo.tape")).unwrap();
    parse(&text).unwrap_or_else(|e| panic!("demo.tape: {e}"))
}

#[test]
fn the_tape_parses_with_its_size_and_checks() {
    let t = tape();
    assert_eq!((t.cols, t.rows), (100, 30));
    assert_eq!(t.require, ["./target/release/yunwei"]);
    assert!(t.settings.iter().any(|(k, v)| k == "Shell" && v == "bash"));
    let expects = t.steps.iter().filter(|s| matches!(s, Step::Expect { .. })).count();
    assert!(expects >= 30, "{expects} checks");
    assert!(t.steps.iter().any(|s| matches!(s, Step::Key(k, 1) if k == "C-u")));
    let bad = parse("Type \"stty cols 80 rows 24\"\nWiggle\n").unwrap_err();
    assert!(bad.contains("line 2") && bad.contains("Wiggle"), "{bad}");
    let counted = parse("Type \"stty cols 80 rows 24\"\nDown@100ms 3 Sleep 2\n").unwrap();
    assert!(matches!(&counted.steps[1], Step::Key(k, 3) if k == "Down"));
    assert!(matches!(&counted.steps[2], Step::Sleep(d) if *d == Duration::from_secs(2)));
}

/// How long a check waits for the screen to show what it expects.
const PATIENCE: Duration = Duration::from_secs(15);

#[test]
fn demo_tape_replayed_in_tmux_shows_what_it_says() {
    let tape = tape();
    let home = tempfile::tempdir().unwrap();
    // The folder the tape runs in: `$PWD/target/release/yunwei` is the binary under test.
    let work = home.path().join("work");
    std::fs::create_dir_all(work.join("target/release")).unwrap();
    std::os::unix::fs::symlink(bin(), work.join("target/release/yunwei")).unwrap();
    for r in &tape.require {
        assert!(work.join(r).exists(), "the tape requires {r}");
    }
    let t = Tmux::new("tape");
    let script = format!(
        "cd '{w}' && {env}PS1='TAPE$ ' exec bash --norc --noprofile -i",
        w = work.display(),
        env = env_prefix(home.path())
    );
    t.start_sized("tape", &script, tape.cols, tape.rows);
    t.wait_for("tape", "the shell", |s| s.contains("TAPE$"));
    let started = Instant::now();
    for step in &tape.steps {
        match step {
            Step::Type(text) => {
                t.cmd(&["send-keys", "-t", "e2e:tape", "-l", text]);
                std::thread::sleep(Duration::from_millis(60));
            }
            // `keys` waits between keys, so an Esc is not read as Alt with the next one.
            Step::Key(key, n) => (0..*n).for_each(|_| t.keys("tape", &[key])),
            Step::Sleep(d) => std::thread::sleep((*d / 20).min(Duration::from_millis(200))),
            Step::Expect { line, expect } => {
                let deadline = Instant::now() + PATIENCE;
                loop {
                    let screen = t.visible("tape");
                    let ok = match expect {
                        Expect::Has(s) => screen.contains(s.as_str()),
                        Expect::Lacks(s) => !screen.contains(s.as_str()),
                        Expect::Matches(re) => re.is_match(&screen),
                    };
                    if ok {
                        break;
                    }
                    assert!(
                        Instant::now() < deadline,
                        "demo.tape line {line}: {expect:?} not met; the screen:\n{screen}"
                    );
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
    }
    // The tape ends by quitting: the console is gone and the terminal is the shell's again.
    t.wait_for("tape", "the prompt after the tape", |s| s.trim_end().ends_with("TAPE$"));
    assert_eq!(t.format("tape", "#{alternate_on}"), "0");
    assert!(started.elapsed() < Duration::from_secs(90), "the replay took {:?}", started.elapsed());
}
