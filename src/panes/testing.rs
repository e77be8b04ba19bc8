//! What the panes' own tests share: a fixed context, rendering one pane alone into ratatui's
//! TestBackend, and reading the screen back as text and cells.

use ratatui::backend::TestBackend;
use ratatui::buffer::Cell;
use ratatui::layout::Rect;
use ratatui::Terminal;

use super::Pane;
use crate::health::{DiskUsage, HostSample, ProcessMem};
use crate::i18n::Lang;
use crate::keymap::Keymap;
use crate::theme::{Palette, Theme};
use crate::ui::Ctx;

/// The default theme and keymap at a fixed moment (2026-11-27 03:04:05 +08:00).
pub fn ctx(lang: Lang) -> Ctx {
    Ctx {
        lang,
        theme: Theme::load("default").unwrap(),
        palette: Palette::Ansi16,
        keymap: Keymap::load("default").unwrap(),
        thresholds: Default::default(),
        demo: false,
        now: chrono::DateTime::parse_from_rfc3339("2026-11-27T03:04:05+08:00").unwrap(),
        poll_interval_s: 10,
        ascii: false,
        host_keys_unverified: false,
        alerts: Default::default(),
        silences: Vec::new(),
        export_dir: std::path::PathBuf::from("/var/lib/yunwei-test"),
        db_read_only: None,
    }
}

/// The pane drawn alone over the whole `w`×`h` screen.
pub fn draw(pane: &mut dyn Pane, ctx: &Ctx, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| pane.render(f, Rect::new(0, 0, w, h), ctx)).unwrap();
    term
}

/// The screen as text, one line per row, wide characters once.
pub fn screen(term: &Terminal<TestBackend>) -> String {
    let buf = term.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            out.push_str(sym);
        }
        out.push('\n');
    }
    out
}

/// Where `needle` first starts on the screen, in cells (so after Chinese text too).
pub fn pos(term: &Terminal<TestBackend>, needle: &str) -> (u16, u16) {
    let text = screen(term);
    for (y, line) in text.lines().enumerate() {
        if let Some(i) = line.find(needle) {
            let x = unicode_width::UnicodeWidthStr::width(&line[..i]);
            return (x as u16, y as u16);
        }
    }
    panic!("{needle:?} is not on the screen:\n{text}");
}

/// The cell where `needle` starts.
pub fn cell_at<'t>(term: &'t Terminal<TestBackend>, needle: &str) -> &'t Cell {
    &term.backend().buffer()[pos(term, needle)]
}

/// A reachable 4-core host with 8 GiB (half used), one filesystem `/data 数据` of 1 GiB at
/// `disk` %, and one process, sampled at `at`.
pub fn sample(name: &str, cpu: f64, disk: f64, at: i64) -> HostSample {
    HostSample {
        name: name.into(),
        reachable: true,
        cpu_pct: Some(cpu),
        load1: Some(0.4),
        load5: Some(0.3),
        load15: Some(0.2),
        cores: Some(4),
        mem_total_kib: Some(8 * 1024 * 1024),
        mem_available_kib: Some(4 * 1024 * 1024),
        mem_used_pct: Some(50.0),
        swap_total_kib: Some(0),
        uptime_s: Some(86400 * 3 + 3600),
        disks: vec![DiskUsage {
            mount: "/data 数据".into(),
            fs_type: "ext4".into(),
            size_kib: 1024 * 1024,
            used_kib: (disk / 100.0 * 1024.0 * 1024.0).round() as u64,
            avail_kib: 512 * 1024,
            used_pct: disk,
            inodes_used_pct: None,
        }],
        top_processes: vec![ProcessMem {
            pid: 42,
            name: "java".into(),
            rss_kib: 2 * 1024 * 1024,
            by_yunwei: false,
        }],
        sampled_at: at,
        ..Default::default()
    }
}

/// A key press as the terminal sends it.
pub fn key(code: crossterm::event::KeyCode) -> crate::event::Event {
    use crossterm::event::{Event as TermEvent, KeyEvent, KeyModifiers};
    crate::event::Event::Terminal(TermEvent::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

/// The whole app drawn on a `w`×`h` screen.
pub fn draw_app(app: &mut crate::app::App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| app.render(f)).unwrap();
    term
}
