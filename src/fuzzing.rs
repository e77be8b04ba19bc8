//! The parsers that read outside input, one entry per fuzz target: each takes arbitrary bytes,
//! runs the parser on them and checks what must hold whatever the input (no panic, and the
//! invariants noted at each target). Used by the cargo-fuzz targets in `fuzz/` (nightly) and
//! by `tests/fuzz_regressions.rs`, which replays the committed regression inputs and a short seeded run
//! on the stable toolchain in every test run. Not an API.

use std::path::Path;
use std::time::Instant;

/// A fuzz target: arbitrary bytes in, a panic when something that must hold does not.
pub type Target = fn(&[u8]);

/// Every target, by name (the file names under `fuzz/fuzz_targets/` and `fuzz/regressions/`).
pub const TARGETS: &[(&str, Target)] = &[
    ("proc_files", proc_files),
    ("df", df),
    ("remote_probe", remote_probe),
    ("security", security),
    ("ssh_config", ssh_config),
    ("known_hosts", known_hosts),
    ("config", config),
    ("log_decode", log_decode),
    ("sanitize", sanitize),
    ("mask", mask),
    ("timestamps", timestamps),
    ("ticket_import", ticket_import),
];

fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// Whether `s` holds a character that could act on a terminal.
fn acts_on_terminal(s: &str) -> bool {
    s.chars().any(|c| c != '\t' && (c.is_control() || crate::text::is_unprintable(c)))
}

/// `/proc/stat`, `loadavg`, `uptime`, `meminfo`, `net/dev`, `/proc/PID/status`, failed units.
pub fn proc_files(data: &[u8]) {
    use crate::health::parse::*;
    let t = text(data);
    if let (Ok(a), Ok(b)) = (parse_proc_stat(&t), parse_proc_stat(&t)) {
        // The same counters twice: no time passed, so no busy figure or a sane one.
        if let Some(p) = cpu_busy_pct(&a.total, &b.total) {
            assert!((0.0..=100.0).contains(&p), "cpu {p}");
        }
    }
    let _ = parse_loadavg(&t);
    let _ = parse_uptime(&t);
    if let Ok(m) = parse_meminfo(&t) {
        let _ = m;
    }
    if let Ok(n) = parse_net_dev(&t) {
        for r in net_rates(&n, &n, 1.0) {
            assert!(r.rx_bytes_per_s >= 0.0 && r.tx_bytes_per_s >= 0.0);
        }
    }
    let _ = parse_proc_status(&t, 1);
    let _ = parse_proc_ppid(&t);
    for unit in parse_failed_units(&t) {
        let _ = unit;
    }
}

/// `df -PTk` and `df -PTi` output, and the merge of the two.
pub fn df(data: &[u8]) {
    use crate::health::parse::{merge_disks, parse_df, DfKind};
    let t = text(data);
    let blocks = parse_df(&t, DfKind::Blocks).unwrap_or_default();
    let inodes = parse_df(&t, DfKind::Inodes).unwrap_or_default();
    for d in merge_disks(&blocks, &inodes) {
        assert!(!d.used_pct.is_nan(), "used {}", d.used_pct);
    }
}

/// The remote probe's whole output, twice (the second round computes rates); the sample that
/// comes out is sanitised: no name, mount or unit can act on the terminal.
pub fn remote_probe(data: &[u8]) {
    let t = text(data);
    let mut state = crate::health::remote::RemoteState::default();
    let now = Instant::now();
    let _ = crate::health::remote::parse_probe("h", &t, &mut state, now, 0);
    let s =
        crate::health::remote::parse_probe("h", &t, &mut state, now + std::time::Duration::from_secs(1), 1);
    for p in &s.top_processes {
        assert!(!acts_on_terminal(&p.name), "process name {:?}", p.name);
    }
    for d in &s.disks {
        assert!(!acts_on_terminal(&d.mount), "mount {:?}", d.mount);
    }
    for u in &s.failed_units {
        assert!(!acts_on_terminal(u), "unit {u:?}");
    }
}

/// The security-posture script's output.
pub fn security(data: &[u8]) {
    let _ = crate::health::security::parse_security(&text(data), 0);
}

/// A `~/.ssh/config` text, queried for every alias and a pattern host, with its tokens.
pub fn ssh_config(data: &[u8]) {
    use crate::fleet::ssh_config::{expand, SshConfig, TokenSet, Tokens};
    let t = text(data);
    let cfg = SshConfig::parse_user(&t, Path::new("/nonexistent/.ssh/config"), Path::new("/nonexistent"));
    let tokens = Tokens { host: "h".into(), original: "h".into(), port: 22, ..Tokens::default() };
    for alias in cfg.aliases().iter().take(64).chain(std::iter::once(&"x.example".to_string())) {
        let q = cfg.query(alias);
        for key in ["hostname", "proxycommand", "userknownhostsfile"] {
            if let Some(v) = q.raw(key) {
                for set in [TokenSet::HostName, TokenSet::ProxyCommand, TokenSet::Files] {
                    let _ = expand(v, set, &tokens);
                }
            }
        }
    }
}

/// known_hosts text, looked up for a few names (plain, with a port, hashed forms compared).
pub fn known_hosts(data: &[u8]) {
    let t = text(data);
    for name in ["10.0.0.5", "[10.0.0.5]:2222", "web1.example", ""] {
        for key in crate::ssh::fuzz_known_hosts(&t, name) {
            let _ = key;
        }
    }
}

/// yunwei's own config file: parsed, and every error rendered in both languages.
pub fn config(data: &[u8]) {
    let t = text(data);
    match crate::config::parse_str(&t, Path::new("fuzz.toml")) {
        Ok(c) => {
            let _ = c.summary(crate::i18n::Lang::En);
        }
        Err(errors) => {
            for e in &errors.0 {
                for lang in [crate::i18n::Lang::En, crate::i18n::Lang::ZhCn] {
                    assert!(!acts_on_terminal(&e.render(lang)), "error text acts on the terminal");
                }
            }
        }
    }
}

/// Log bytes split into lines and decoded in every encoding, line by line and as a block.
pub fn log_decode(data: &[u8]) {
    use crate::logs::decode::{split_lines, Decoder, Encoding};
    let (lines, rest) = split_lines(data);
    assert!(rest <= data.len());
    for encoding in [Encoding::Auto, Encoding::Utf8, Encoding::Gb18030] {
        let mut d = Decoder::new(encoding);
        for l in &lines {
            let _ = d.decode_line(l);
        }
        let _ = d.decode(data);
    }
}

/// The sanitiser: whatever goes in, nothing that acts on a terminal comes out, and cleaning
/// twice changes nothing more.
pub fn sanitize(data: &[u8]) {
    use crate::logs::sanitize::{sanitize_lines, sanitize_text};
    let t = text(data);
    for line in t.split('\n') {
        let once = sanitize_text(line);
        assert!(!acts_on_terminal(&once), "{once:?} from {line:?}");
        assert_eq!(sanitize_text(&once), once, "not idempotent on {line:?}");
    }
    let block = sanitize_lines(&t);
    assert!(!block
        .chars()
        .any(|c| c != '\n' && c != '\t' && (c.is_control() || crate::text::is_unprintable(c))));
}

/// The masker: masking keeps the text's length in characters, and masking twice changes
/// nothing more.
pub fn mask(data: &[u8]) {
    use crate::logs::mask::{find_personal, mask};
    let t = text(data);
    for (range, _) in find_personal(&t) {
        assert!(range.start <= range.end && range.end <= t.len() && t.is_char_boundary(range.start));
    }
    let once = mask(&t);
    assert_eq!(once.chars().count(), t.chars().count());
    assert_eq!(mask(&once), once);
}

/// Timestamps and severities at the start of log lines, and journald JSON entries.
pub fn timestamps(data: &[u8]) {
    use chrono::TimeZone;
    let Some(now) = chrono::FixedOffset::east_opt(8 * 3600)
        .and_then(|tz| tz.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).single())
    else {
        return;
    };
    let t = text(data);
    for line in t.lines().take(256) {
        if let Some((_, range)) = crate::logs::record::parse_timestamp(line, now) {
            assert!(
                range.end <= line.len()
                    && line.is_char_boundary(range.start)
                    && line.is_char_boundary(range.end)
            );
        }
        let _ = crate::logs::record::severity(line);
    }
    if let Ok(entry) = crate::logs::journal::parse(data) {
        let mut d = crate::logs::decode::Decoder::new(crate::logs::decode::Encoding::Auto);
        let r = crate::logs::journal::to_record(&entry, &mut d, now);
        for l in &r.lines {
            assert!(!acts_on_terminal(l), "journal line {l:?}");
        }
    }
}

/// `ticket import`'s sheet reader (UTF-8 or GBK CSV): a sheet is read whole or refused with
/// its problems; every row read has its caller and summary, a history that starts as `new`
/// and never goes back in time, and no text that could act on a terminal (a description keeps
/// its line breaks); every problem names a line of the sheet.
pub fn ticket_import(data: &[u8]) {
    let Some(offset) = chrono::FixedOffset::east_opt(8 * 3600) else { return };
    match crate::tickets::import::parse(data, offset, 1_796_054_400) {
        Ok(rows) => {
            for r in &rows {
                assert!(!r.caller.trim().is_empty() && !r.summary.trim().is_empty());
                assert_eq!(r.moves.first().map(|m| m.1), Some(crate::tickets::Status::New));
                assert!(r.moves.windows(2).all(|w| w[0].0 <= w[1].0), "{:?}", r.moves);
                assert!(r.moves.windows(2).all(|w| w[0].1.can_move_to(w[1].1)), "{:?}", r.moves);
                for s in [&r.caller, &r.summary] {
                    assert!(!acts_on_terminal(s.as_str()), "{s:?}");
                }
                // A description keeps its line breaks; nothing else in it acts on a terminal.
                assert!(r.description.split('\n').all(|l| !acts_on_terminal(l)), "{:?}", r.description);
            }
        }
        Err(problems) => {
            assert!(!problems.is_empty());
            let lines = data.iter().filter(|b| **b == b'\n').count() as u64 + 1;
            assert!(problems.iter().all(|p| p.line <= lines), "{problems:?}");
        }
    }
}
