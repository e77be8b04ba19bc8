//! Every screen the console has, at 80x24 and 40x12, in English and Chinese, each snapshot
//! holding the text once and the cell styles under three themes: the default, `mono` (no
//! colour at all) and the 256-colour `dark` theme brought down to a 16-colour terminal. The
//! text is the same under every theme; mono uses only modifiers, 16 colours only the ANSI ones.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier, Style};
use ratatui::Terminal;

use super::{alerts_of, app, draw, key, local_sample, logs_app, typed, T0};
use crate::app::App;
use crate::event::{Event, Notice, WorkerMsg};
use crate::health::{DiskUsage, HistRange, ProcessMem};
use crate::i18n::{Lang, Msg};
use crate::logs::sources::SourceStatus;
use crate::panes::testing::screen;
use crate::store::health::HistPoint;
use crate::theme::{Palette, Theme};
use crate::workers::health::HealthMsg;
use crate::workers::logs::LogsMsg;
use crate::workers::store::StoreMsg;

const SIZES: [(u16, u16); 2] = [(80, 24), (40, 12)];
const LANGS: [Lang; 2] = [Lang::En, Lang::ZhCn];

/// The themes each screen is drawn in: name, theme.
fn themes() -> [(&'static str, Theme); 3] {
    [
        ("default", Theme::load("default").unwrap()),
        ("mono", Theme::load("mono").unwrap()),
        ("dark on 16 colours", Theme::load("dark").unwrap().for_palette(Palette::Ansi16)),
    ]
}

fn send(app: &mut App, msg: WorkerMsg) {
    app.on_event(Event::Worker(msg));
}

fn with_alerts(mut app: App) -> App {
    let rows = alerts_of(&app);
    send(&mut app, WorkerMsg::Store(StoreMsg::Alerts(rows)));
    app
}

fn history(host: &str) -> WorkerMsg {
    let points: Vec<HistPoint> = (0..60)
        .map(|i| HistPoint {
            ts: T0 - 3600 + i * 60,
            cpu_pct: Some(((i * 7) % 100) as f64),
            mem_used_pct: Some(40.0 + (i % 20) as f64),
            load1: Some(0.5 + (i % 5) as f64 / 10.0),
            rx_bps: Some(1000.0 * (i % 8) as f64),
            tx_bps: Some(500.0),
        })
        .collect();
    WorkerMsg::Store(StoreMsg::History { host: host.into(), range: HistRange::Hour, points })
}

/// The fleet table with open alerts: marks, a critical host, a down host, a host not yet polled.
fn fleet(lang: Lang) -> App {
    with_alerts(app(lang))
}

/// The local host's detail: filesystems, processes (one of them yunwei's own), security
/// posture, an hour of history.
fn detail_local(lang: Lang) -> App {
    use crate::health::security::{Firewall, Security};
    let mut app = app(lang);
    let mut s = local_sample();
    s.disks.push(DiskUsage {
        mount: "/".into(),
        fs_type: "xfs".into(),
        size_kib: 50 * 1024 * 1024,
        used_kib: 46 * 1024 * 1024,
        avail_kib: 4 * 1024 * 1024,
        used_pct: 92.0,
        inodes_used_pct: Some(12.0),
    });
    s.top_processes.push(ProcessMem {
        pid: 4242,
        name: "yunwei".into(),
        rss_kib: 20 * 1024,
        by_yunwei: true,
    });
    s.security = Some(std::sync::Arc::new(Security {
        firewall: Some(Firewall { active: true, kind: "firewalld".into(), rules: Some(12) }),
        listening_tcp_ports: vec![22, 1521, 8080],
        failed_ssh_logins_24h: Some(37),
        selinux: Some("enforcing".into()),
        clock_synced: Some(false),
        pending_security_updates: Some(4),
        signs: None,
        collected_at: T0,
    }));
    send(&mut app, WorkerMsg::Health(HealthMsg::Sample(Box::new(s))));
    let mut app = with_alerts(app);
    // 海口-应用1 sorts after the Latin names: the sixth row.
    for _ in 0..5 {
        app.on_event(key(KeyCode::Down));
    }
    app.on_event(key(KeyCode::Enter));
    send(&mut app, history("海口-应用1"));
    app
}

/// The local host's detail scrolled to its end: processes, security posture, failed units.
fn detail_local_end(lang: Lang) -> App {
    let mut app = detail_local(lang);
    for _ in 0..60 {
        app.on_event(key(KeyCode::Down));
    }
    app
}

/// A remote host's detail: critical CPU and disk, several filesystems, no posture yet.
fn detail_remote(lang: Lang) -> App {
    let mut app = app(lang);
    let mut s = crate::panes::testing::sample("remote-1", 97.0, 95.0, T0);
    s.disks.push(DiskUsage {
        mount: "/u01/app/oracle/oradata/ORCL".into(),
        fs_type: "xfs".into(),
        size_kib: 2 * 1024 * 1024 * 1024,
        used_kib: 1024 * 1024 * 1024,
        avail_kib: 1024 * 1024 * 1024,
        used_pct: 50.0,
        inodes_used_pct: Some(3.0),
    });
    send(&mut app, WorkerMsg::Health(HealthMsg::Sample(Box::new(s))));
    let mut app = with_alerts(app);
    for _ in 0..4 {
        app.on_event(key(KeyCode::Down));
    }
    app.on_event(key(KeyCode::Enter));
    send(&mut app, history("remote-1"));
    app
}

/// The Logs pane following three sources, one of them failing.
fn logs(lang: Lang) -> App {
    let mut app = logs_app(lang);
    send(
        &mut app,
        WorkerMsg::Logs(LogsMsg::Status {
            source: 2,
            status: SourceStatus::Error("web1: permission denied".into()),
        }),
    );
    app
}

/// The Logs pane with an include and an exclude filter, a search, wrapped lines.
fn logs_filtered(lang: Lang) -> App {
    let mut app = logs(lang);
    app.on_event(key(KeyCode::Char('-')));
    typed(&mut app, "DEBUG");
    app.on_event(key(KeyCode::Enter));
    app.on_event(key(KeyCode::Char('+')));
    typed(&mut app, "20");
    app.on_event(key(KeyCode::Enter));
    app.on_event(key(KeyCode::Char('/')));
    typed(&mut app, "payment");
    app.on_event(key(KeyCode::Enter));
    app.on_event(key(KeyCode::Char('W')));
    app
}

fn help(lang: Lang) -> App {
    let mut app = fleet(lang);
    app.on_event(key(KeyCode::Char('?')));
    app
}

fn command_line(lang: Lang) -> App {
    let mut app = fleet(lang);
    app.on_event(key(KeyCode::Char(':')));
    typed(&mut app, "theme mo");
    app
}

/// An error in the status bar: a command that does not exist.
fn flash_error(lang: Lang) -> App {
    let mut app = fleet(lang);
    app.on_event(key(KeyCode::Char(':')));
    typed(&mut app, "frobnicate");
    app.on_event(key(KeyCode::Enter));
    app
}

/// A worker's notice that something finished.
fn notice(lang: Lang) -> App {
    let mut app = logs(lang);
    send(
        &mut app,
        WorkerMsg::Notice(Notice::done(Msg::LogsWritten, "/var/lib/yunwei/yunwei-logs-20261127.log")),
    );
    app
}

fn read_only(lang: Lang) -> App {
    let mut app = fleet(lang);
    app.ctx.db_read_only = Some(crate::ui::ReadOnlyDb {
        path: "/srv/yunwei/yunwei.db".into(),
        read_only: crate::store::ReadOnly { mode: 0o444, why: crate::store::ReadOnlyWhy::Mode },
    });
    app
}

type Scene = fn(Lang) -> App;

const SCENES: &[(&str, Scene)] = &[
    ("fleet", fleet),
    ("detail_local", detail_local),
    ("detail_local_end", detail_local_end),
    ("detail_remote", detail_remote),
    ("logs", logs),
    ("logs_filtered", logs_filtered),
    ("help", help),
    ("command_line", command_line),
    ("flash_error", flash_error),
    ("notice", notice),
    ("read_only", read_only),
    ("tickets", tickets),
    ("ticket_detail", ticket_detail),
    ("ticket_form", ticket_form),
];

/// The ticket queue: an overdue P1, an escalation, a fresh call, a paused clock.
fn tickets(lang: Lang) -> App {
    crate::panes::tickets::tests::tickets_app(lang)
}

/// The P1 opened: its clocks, a note and its history.
fn ticket_detail(lang: Lang) -> App {
    let mut app = tickets(lang);
    app.on_event(key(KeyCode::Enter));
    let now = app.ctx.now.timestamp();
    let ticket = crate::panes::tickets::tests::queue(now).remove(0);
    let opened = crate::workers::tickets::Opened { notes: Vec::new(), history: Vec::new(), ticket };
    send(&mut app, WorkerMsg::Tickets(crate::workers::tickets::TicketsMsg::Opened(Box::new(opened))));
    app
}

/// The new-ticket form with a number typed and the choices made.
fn ticket_form(lang: Lang) -> App {
    let mut app = tickets(lang);
    app.on_event(key(KeyCode::Char('n')));
    typed(&mut app, "13812345678");
    for _ in 0..4 {
        app.on_event(key(KeyCode::Tab));
    }
    for c in ['4', 'h', 'h'] {
        app.on_event(key(KeyCode::Char(c)));
    }
    app
}

fn style_name(s: Style) -> String {
    let mut out = String::new();
    for (what, c) in [("fg", s.fg), ("bg", s.bg)] {
        if let Some(c) = c.filter(|c| *c != Color::Reset) {
            let _ = write!(out, "{what}:{c:?} ");
        }
    }
    if !s.add_modifier.is_empty() {
        let _ = write!(out, "{:?}", s.add_modifier);
    }
    out.trim_end().to_string()
}

/// The cell styles as one letter per cell ('.' for plain cells; the second cell of a wide
/// character takes the first's) and the legend of the letters, in the order they first appear.
fn style_map(term: &Terminal<TestBackend>) -> String {
    let buf = term.backend().buffer();
    let mut letters: BTreeMap<String, char> = BTreeMap::new();
    let mut order: Vec<(char, String)> = Vec::new();
    let mut rows = String::new();
    for y in 0..buf.area.height {
        let mut wide = None;
        for x in 0..buf.area.width {
            if let Some(c) = wide.take() {
                rows.push(c);
                continue;
            }
            let name = style_name(buf[(x, y)].style());
            let c = if name.is_empty() {
                '.'
            } else {
                let next = (b'a' + order.len() as u8) as char;
                *letters.entry(name.clone()).or_insert_with(|| {
                    order.push((next, name));
                    next
                })
            };
            if unicode_width::UnicodeWidthStr::width(buf[(x, y)].symbol()) > 1 {
                wide = Some(c);
            }
            rows.push(c);
        }
        rows.push('\n');
    }
    let legend: String = order.iter().map(|(c, n)| format!("{c} = {n}\n")).collect();
    format!("{legend}{rows}")
}

fn is_ansi16(c: Color) -> bool {
    !matches!(c, Color::Rgb(..)) && !matches!(c, Color::Indexed(i) if i >= 16)
}

/// The cells of a row from the start of `needle`, `n` wide.
fn cells<'t>(term: &'t Terminal<TestBackend>, needle: &str, n: u16) -> Vec<&'t ratatui::buffer::Cell> {
    let (x, y) = crate::panes::testing::pos(term, needle);
    (x..x + n).map(|x| &term.backend().buffer()[(x, y)]).collect()
}

/// The last two cells of the figure in `row`'s line under the column `header` (figures are
/// right-aligned under their header's last cell).
fn figure<'t>(term: &'t Terminal<TestBackend>, row: &str, header: &str) -> Vec<&'t ratatui::buffer::Cell> {
    let (hx, _) = crate::panes::testing::pos(term, header);
    let (_, y) = crate::panes::testing::pos(term, row);
    let end = hx + unicode_width::UnicodeWidthStr::width(header) as u16;
    (end - 2..end).map(|x| &term.backend().buffer()[(x, y)]).collect()
}

/// What every screen keeps whatever its size: both tabs, a block title that ends before the
/// corner, the Logs pane's mask state.
fn assert_layout(term: &Terminal<TestBackend>, tag: &str, lang: Lang, scene: &str) {
    let text = screen(term);
    let top = text.lines().next().unwrap_or("");
    // By its name, or its short name where the names do not fit.
    for (tab, short) in [(Msg::PaneFleet, Msg::TabFleetShort), (Msg::PaneLogs, Msg::PaneLogs)] {
        let (tab, short) = (tab.text(lang), short.text(lang));
        assert!(top.contains(tab) || top.contains(short), "{tab}: the tab is on the tab bar: {tag}\n{text}");
    }
    let buf = term.backend().buffer();
    let w = buf.area.width;
    assert_eq!(buf[(w - 2, 1)].symbol(), "─", "{tag}: the title stops before the corner\n{text}");
    if scene.starts_with("logs") || scene == "notice" {
        let masked = Msg::LogsMasked.text(lang);
        assert!(text.lines().nth(1).unwrap_or("").contains(masked), "{tag}: the mask state is said\n{text}");
    }
}

#[test]
fn every_screen_in_both_sizes_languages_and_themes() {
    for (scene, make) in SCENES {
        for lang in LANGS {
            for (w, h) in SIZES {
                let mut out = String::new();
                let mut text = None;
                for (theme_name, theme) in themes() {
                    let mut app = make(lang);
                    app.ctx.theme = theme;
                    let term = draw(&mut app, w, h);
                    let shown = screen(&term);
                    let tag = format!("{scene} {w}x{h} {} {theme_name}", lang.code());
                    match &text {
                        None => {
                            assert_layout(&term, &tag, lang, scene);
                            out.push_str(&shown);
                            text = Some(shown);
                        }
                        Some(first) => assert_eq!(first, &shown, "{tag}: the text depends on the theme"),
                    }
                    let _ = write!(out, "\n--- {theme_name} ---\n{}", style_map(&term));
                    for cell in &term.backend().buffer().content {
                        let colours = [cell.fg, cell.bg];
                        if theme_name == "mono" {
                            assert!(colours.iter().all(|c| *c == Color::Reset), "{tag}: {cell:?}");
                        } else {
                            assert!(colours.iter().all(|c| is_ansi16(*c)), "{tag}: {cell:?}");
                        }
                    }
                }
                let name = format!("{scene}_{w}x{h}_{}", lang.code());
                insta::with_settings!({ prepend_module_to_snapshot => false }, {
                    insta::assert_snapshot!(name, out);
                });
            }
        }
    }
}

/// Without colour a critical host still stands out: its alert mark and its critical figures
/// are bold and reversed, the down host's state too, and a healthy figure is plain.
#[test]
fn in_mono_a_critical_host_stands_out_by_its_modifiers() {
    for lang in LANGS {
        let mut app = fleet(lang);
        app.ctx.theme = Theme::load("mono").unwrap();
        let term = draw(&mut app, 80, 24);
        let text = screen(&term);
        let crit = Modifier::BOLD | Modifier::REVERSED;
        let mark = cells(&term, "! demo-db1", 1)[0];
        assert!(mark.modifier.contains(crit), "{lang:?}: the mark of a critical alert\n{text}");
        let (disk_h, mem_h) = if lang == Lang::En { ("Disk%", "Mem%") } else { ("磁盘%", "内存%") };
        let disk = figure(&term, "demo-db1", disk_h);
        assert_eq!(disk.iter().map(|c| c.symbol()).collect::<String>(), "92");
        assert!(disk.iter().all(|c| c.modifier.contains(crit)), "{lang:?}: disk 92 % {disk:?}\n{text}");
        let down = if lang == Lang::En { "down" } else { "不可达" };
        let (_, y) = crate::panes::testing::pos(&term, "demo-backup");
        let line = text.lines().nth(usize::from(y)).unwrap();
        let x = unicode_width::UnicodeWidthStr::width(&line[..line.find(down).unwrap()]) as u16;
        assert!(term.backend().buffer()[(x, y)].modifier.contains(crit), "{lang:?}: down host");
        let (_, app1_row) = crate::panes::testing::pos(&term, "demo-app1");
        let buf = term.backend().buffer();
        let plain = (0..80)
            .filter(|&x| buf[(x, app1_row)].symbol() == "6")
            .all(|x| !buf[(x, app1_row)].modifier.contains(crit));
        assert!(plain, "{lang:?}: a healthy host has no critical mark");
        // A warning is bold without reverse: unlike both plain and critical.
        let mem = figure(&term, "demo-db1", mem_h);
        assert!(mem.iter().all(|c| c.modifier == Modifier::BOLD), "{lang:?}: memory 94 % warns {mem:?}");
    }
}

/// On a 16-colour terminal the 256-colour dark theme keeps its status colours as ANSI ones.
#[test]
fn on_16_colours_the_dark_theme_keeps_status_colours() {
    let mut app = fleet(Lang::En);
    app.ctx.theme = Theme::load("dark").unwrap().for_palette(Palette::Ansi16);
    let term = draw(&mut app, 80, 24);
    assert_eq!(figure(&term, "demo-db1", "Disk%")[0].fg, Color::LightRed, "critical disk");
    assert_eq!(figure(&term, "demo-db1", "Mem%")[0].fg, Color::LightYellow, "memory warns");
    assert_eq!(cells(&term, "down", 1)[0].fg, Color::LightRed);
    // The 256-colour theme itself would have sent index 203, which a 16-colour terminal lacks.
    let mut app = fleet(Lang::En);
    app.ctx.theme = Theme::load("dark").unwrap();
    assert_eq!(cells(&draw(&mut app, 80, 24), "down", 1)[0].fg, Color::Indexed(203));
}

/// At the smallest layout (20x5) every row fits and the tab bar, too narrow for every tab,
/// drops the app's name first and cuts the last tab with a mark, never mid-word.
#[test]
fn the_smallest_layout_fits_and_marks_what_it_cuts() {
    for lang in LANGS {
        for make in [fleet as Scene, logs, detail_local, help] {
            let mut app = make(lang);
            let term = draw(&mut app, 20, 5);
            let text = screen(&term);
            assert!(text.lines().all(|l| unicode_width::UnicodeWidthStr::width(l) <= 20), "{text}");
            let top = text.lines().next().unwrap_or("");
            assert!(!top.contains(Msg::AppTitle.text(lang)), "{lang:?}: the name goes first: {top:?}");
            assert!(top.contains(Msg::TabFleetShort.text(lang)), "{top:?}");
            assert!(
                top.contains(Msg::PaneLogs.text(lang)) || top.trim_end().ends_with('…'),
                "{lang:?}: a cut tab is marked: {top:?}"
            );
        }
    }
}

/// Below the smallest layout: the notice names the size and the minimum, in both languages,
/// in the warn role (bold in mono).
#[test]
fn too_small_screens() {
    for lang in LANGS {
        for (w, h) in [(19, 4), (10, 3), (80, 4), (19, 24)] {
            let mut out = String::new();
            for (theme_name, theme) in themes() {
                let mut app = fleet(lang);
                app.ctx.theme = theme;
                let term = draw(&mut app, w, h);
                if out.is_empty() {
                    out.push_str(&screen(&term));
                }
                let _ = write!(out, "\n--- {theme_name} ---\n{}", style_map(&term));
                let joined: String = screen(&term).lines().map(str::trim_end).collect();
                assert!(joined.contains("20x5"), "{w}x{h}: the minimum is named: {joined}");
                if w >= 19 {
                    assert!(joined.contains(&format!("{w}x{h}")), "{joined}");
                }
                if theme_name == "mono" {
                    assert!(term.backend().buffer()[(0, 0)].modifier.contains(Modifier::BOLD));
                }
            }
            let name = format!("too_small_{w}x{h}_{}", lang.code());
            insta::with_settings!({ prepend_module_to_snapshot => false }, {
                insta::assert_snapshot!(name, out);
            });
        }
    }
}
