//! App flows and rendering: real key events through the default keymap into the app, rendered
//! into ratatui's TestBackend at 80x24 and 40x12, compared with insta snapshots; where colour
//! carries meaning, the cell styles are asserted too.

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use ratatui::Terminal;

use crate::app::App;
use crate::demo::DemoFleet;
use crate::event::{Command, Event, WorkerMsg};
use crate::health::HistRange;
use crate::health::HostSample;
use crate::i18n::Lang;
use crate::keymap::Keymap;
use crate::panes::health::{HostKind, HostRow, View};
use crate::panes::testing::{ctx, screen};
use crate::panes::Pane;
use crate::store::health::HistPoint;
use crate::workers::health::HealthMsg;
use crate::workers::logs::{LogsCmd, LogsMsg};
use crate::workers::store::{StoreCmd, StoreMsg};

const T0: i64 = 1_800_000_000;

fn local_sample() -> HostSample {
    crate::panes::testing::sample("海口-应用1", 12.0, 50.0, T0)
}

/// An app with a Chinese-named local host and the demo fleet at a fixed moment.
fn app(lang: Lang) -> App {
    let mut rows = vec![HostRow::new("海口-应用1", vec!["app".into()], HostKind::Local)];
    for h in DemoFleet.hosts() {
        rows.push(HostRow::new(h.name, h.tags.iter().map(|t| t.to_string()).collect(), HostKind::Demo));
    }
    rows.push(HostRow::new("remote-1", vec![], HostKind::Remote));
    let mut app = App::new(ctx(lang), rows);
    app.on_event(Event::Worker(WorkerMsg::Health(HealthMsg::Sample(Box::new(local_sample())))));
    for s in DemoFleet.samples_at(T0) {
        app.on_event(Event::Worker(WorkerMsg::Health(HealthMsg::Sample(Box::new(s)))));
    }
    app
}

fn key(code: KeyCode) -> Event {
    Event::Terminal(TermEvent::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        app.on_event(key(KeyCode::Char(c)));
    }
}

fn draw(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| app.render(f)).unwrap();
    term
}

/// The cell where `needle` starts on the screen, in columns.
fn find(term: &Terminal<TestBackend>, needle: &str) -> Option<(u16, u16)> {
    screen(term).contains(needle).then(|| crate::panes::testing::pos(term, needle))
}

#[test]
fn fleet_80x24() {
    let mut app = app(Lang::En);
    let term = draw(&mut app, 80, 24);
    insta::assert_snapshot!("fleet_80x24", screen(&term));
    // The full disk of demo-db1 (92 %) is red; its memory (94 %) is yellow (warn); demo-app1's
    // disk (62 %) is plain. Figures are right-aligned under their header's last column.
    let last_col = |header: &str| find(&term, header).map(|(x, _)| x + header.len() as u16 - 1).unwrap();
    let (_, db) = find(&term, "demo-db1").unwrap();
    let (_, app1) = find(&term, "demo-app1").unwrap();
    let buf = term.backend().buffer();
    assert_eq!(buf[(last_col("Disk%"), db)].symbol(), "2");
    assert_eq!(buf[(last_col("Disk%"), db)].fg, Color::Red);
    assert_eq!(buf[(last_col("Mem%"), db)].fg, Color::Yellow);
    assert_eq!(buf[(last_col("Disk%"), app1)].fg, Color::Reset);
    // The unreachable host's state is red.
    let (x, y) = find(&term, "down").unwrap();
    assert_eq!(term.backend().buffer()[(x, y)].fg, Color::Red);
}

#[test]
fn fleet_chinese_80x24() {
    let mut app = app(Lang::ZhCn);
    let term = draw(&mut app, 80, 24);
    insta::assert_snapshot!("fleet_zh_80x24", screen(&term));
    // Chinese and Latin host names end at the same column: the state column lines up.
    let text = screen(&term);
    let col_of = |name: &str| {
        let line = text.lines().find(|l| l.contains(name)).unwrap();
        let i = line.find("正常").unwrap();
        unicode_width::UnicodeWidthStr::width(&line[..i])
    };
    assert_eq!(col_of("海口-应用1"), col_of("demo-app1"));
    assert_eq!(col_of("演示-海口应用2"), col_of("demo-db1"));
}

#[test]
fn fleet_40x12() {
    let mut app = app(Lang::En);
    let term = draw(&mut app, 40, 12);
    insta::assert_snapshot!("fleet_40x12", screen(&term));
}

#[test]
fn help_overlay_80x24_and_40x12() {
    let mut app = app(Lang::En);
    app.on_event(key(KeyCode::Char('?')));
    assert!(app.help_open());
    insta::assert_snapshot!("help_80x24", screen(&draw(&mut app, 80, 24)));
    insta::assert_snapshot!("help_40x12", screen(&draw(&mut app, 40, 12)));
    // Scrolling is clamped to the content; Esc closes.
    for _ in 0..200 {
        app.on_event(key(KeyCode::Down));
    }
    draw(&mut app, 80, 24);
    app.on_event(key(KeyCode::Esc));
    assert!(!app.help_open());
}

#[test]
fn help_lists_every_bound_key_of_the_live_keymap() {
    let app = app(Lang::En);
    let text: String = crate::ui::help::help_lines(&app.ctx)
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.to_string()).collect::<String>() + "\n")
        .collect();
    for scope in crate::keymap::Scope::ALL {
        for (chord, action) in app.ctx.keymap.bindings(scope) {
            let label = crate::i18n::action_label(*action, Lang::En);
            assert!(
                text.lines().any(|l| l.contains(&chord.to_string()) && l.contains(label)),
                "{chord} {label} missing from help"
            );
        }
    }
}

#[test]
fn tiny_terminals_do_not_panic() {
    let mut app = app(Lang::ZhCn);
    for (w, h) in [(1, 1), (10, 3), (19, 4), (20, 5), (33, 7), (40, 12), (41, 13), (200, 60)] {
        draw(&mut app, w, h);
        app.on_event(key(KeyCode::Char('?')));
        draw(&mut app, w, h);
        app.on_event(key(KeyCode::Esc));
        app.on_event(key(KeyCode::Enter));
        draw(&mut app, w, h);
        app.on_event(key(KeyCode::Esc));
    }
}

/// Below the smallest layout the notice names the size needed, and keys change nothing the user
/// cannot see (no tab switch, no overlay, no prompt) until the terminal grows; q still quits.
#[test]
fn too_small_names_the_minimum_and_only_quit_works() {
    let mut app = app(Lang::En);
    let text = screen(&draw(&mut app, 70, 4));
    assert!(text.contains("70x4") && text.contains("needs at least 20x5"), "{text}");
    for k in [KeyCode::Tab, KeyCode::Char('?'), KeyCode::Char('/'), KeyCode::Char(':'), KeyCode::Enter] {
        app.on_event(key(k));
    }
    assert_eq!(app.focus, crate::app::Focus::Fleet);
    assert!(!app.help_open() && !app.panes.fleet.is_editing() && !app.quit);
    assert_eq!(app.panes.fleet.view, View::Table);
    let text = screen(&draw(&mut app, 80, 24));
    assert!(text.contains("Fleet health") && !text.contains("Filter (name"), "{text}");
    let mut zh = self::app(Lang::ZhCn);
    let text = screen(&draw(&mut zh, 70, 3));
    assert!(text.contains("终端窗口太小：70x3") && text.contains("至少需要 20x5"), "{text}");
    draw(&mut app, 19, 24);
    app.on_event(key(KeyCode::Char('q')));
    assert!(app.quit);
}

/// The arrow means the same for every column: ▲ the values grow down the table, ▼ they shrink,
/// whichever way the column sorts first.
#[test]
fn the_sort_arrow_means_ascending_or_descending_for_every_column() {
    let mut app = app(Lang::En);
    let header = |app: &mut App| screen(&draw(app, 100, 24)).lines().nth(2).unwrap_or("").to_string();
    assert!(header(&mut app).contains("Host▲"), "names A to Z");
    app.on_event(key(KeyCode::Char('I')));
    assert!(header(&mut app).contains("Host▼"));
    let names: Vec<String> =
        app.panes.fleet.visible(&app.ctx).iter().map(|&i| app.panes.fleet.hosts[i].name.clone()).collect();
    assert!(names.windows(2).all(|w| w[0] >= w[1]), "{names:?}");
    app.on_event(key(KeyCode::Char('I')));
    app.on_event(key(KeyCode::Char('>')));
    app.on_event(key(KeyCode::Char('>')));
    assert_eq!(app.panes.fleet.sort, crate::panes::health::Column::Cpu);
    let cpus = |app: &App| -> Vec<f64> {
        let f = &app.panes.fleet;
        f.visible(&app.ctx)
            .iter()
            .filter_map(|&i| f.hosts[i].sample.as_ref().and_then(|s| s.cpu_pct))
            .collect()
    };
    assert!(header(&mut app).contains("CPU%▼"), "biggest first is descending");
    assert!(cpus(&app).windows(2).all(|w| w[0] >= w[1]), "{:?}", cpus(&app));
    app.on_event(key(KeyCode::Char('I')));
    assert!(header(&mut app).contains("CPU%▲"));
    assert!(cpus(&app).windows(2).all(|w| w[0] <= w[1]), "{:?}", cpus(&app));
    // Counted nouns read right: one host, one record.
    let mut one = App::new(ctx(Lang::En), vec![HostRow::new("solo", vec![], HostKind::Local)]);
    let text = screen(&draw(&mut one, 100, 24));
    assert!(text.contains(" 1 host ") && text.contains(" 0 alerts "), "{text}");
}

#[test]
fn open_detail_requests_history_and_shows_it() {
    let mut app = app(Lang::En);
    // Sorted by name: 海口-应用1 sorts after the Latin names; go to demo-db1 (third row).
    app.on_event(key(KeyCode::Down));
    app.on_event(key(KeyCode::Down));
    app.on_event(key(KeyCode::Enter));
    assert_eq!(
        app.outbox.drain(..).collect::<Vec<_>>(),
        vec![Command::Store(StoreCmd::History { host: "demo-db1".into(), range: HistRange::Hour })]
    );
    let points: Vec<HistPoint> = (0..60)
        .map(|i| HistPoint {
            ts: T0 - 3600 + i * 60,
            cpu_pct: Some((i % 10) as f64 * 10.0),
            mem_used_pct: Some(93.0),
            load1: Some(1.0),
            rx_bps: Some(1000.0),
            tx_bps: None,
        })
        .collect();
    app.on_event(Event::Worker(WorkerMsg::Store(StoreMsg::History {
        host: "demo-db1".into(),
        range: HistRange::Hour,
        points,
    })));
    insta::assert_snapshot!("detail_80x24", screen(&draw(&mut app, 80, 24)));
    insta::assert_snapshot!("detail_40x12", screen(&draw(&mut app, 40, 12)));
    // t cycles the range and asks for the new history; Esc goes back to the table.
    app.on_event(key(KeyCode::Char('t')));
    assert_eq!(
        app.outbox.drain(..).collect::<Vec<_>>(),
        vec![Command::Store(StoreCmd::History { host: "demo-db1".into(), range: HistRange::Day })]
    );
    app.on_event(key(KeyCode::Esc));
    assert_eq!(app.panes.fleet.view, View::Table);
}

#[test]
fn filter_sort_and_selection_follow_the_host() {
    let mut app = app(Lang::En);
    app.on_event(key(KeyCode::Char('/')));
    typed(&mut app, "oracle");
    let vis = app.panes.fleet.visible(&app.ctx);
    assert_eq!(vis.len(), 1, "tag filter");
    app.on_event(key(KeyCode::Enter));
    assert_eq!(app.panes.fleet.filter, "oracle");
    app.on_event(key(KeyCode::Esc));
    assert_eq!(app.panes.fleet.filter, "");
    // Sort by state: the unreachable host comes first.
    app.on_event(key(KeyCode::Char('s')));
    let first = app.panes.fleet.visible(&app.ctx)[0];
    assert_eq!(app.panes.fleet.hosts[first].name, "demo-backup");
    // Sort by CPU; the selected host stays selected when a new sample reorders the table.
    app.on_event(key(KeyCode::Char('s')));
    app.on_event(key(KeyCode::Down));
    let chosen = app.panes.fleet.selected_host(&app.ctx).unwrap().name.clone();
    for s in DemoFleet.samples_at(T0 + 3600 * 6) {
        app.on_event(Event::Worker(WorkerMsg::Health(HealthMsg::Sample(Box::new(s)))));
    }
    assert_eq!(app.panes.fleet.selected_host(&app.ctx).unwrap().name, chosen);
}

/// `:theme` with a name that is no theme, or a file with errors, says why in the user's
/// language: the first problem at its position, and how many more there are.
#[test]
fn a_theme_that_cannot_be_loaded_is_explained_in_the_users_language() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.toml");
    std::fs::write(&file, "[roles]\nokk = {}\nwarn = { fg = \"blu\" }\n").unwrap();
    for lang in [Lang::En, Lang::ZhCn] {
        let mut app = app(lang);
        for (arg, expect) in [
            (
                "nope".to_string(),
                ["theme not switched: nope: theme `nope` is neither", "主题未切换：nope：主题 `nope` 既不是"],
            ),
            (file.display().to_string(), ["theme not switched: ", "主题未切换："]),
        ] {
            app.on_event(key(KeyCode::Char(':')));
            typed(&mut app, &format!("theme {arg}"));
            app.on_event(key(KeyCode::Enter));
            let flash = app.flash.clone().unwrap();
            assert!(flash.error);
            let expect = if lang == Lang::En { expect[0] } else { expect[1] };
            assert!(flash.text.starts_with(expect), "{}", flash.text);
            assert_eq!(app.ctx.theme.name, "default");
            if lang == Lang::ZhCn {
                assert!(crate::i18n::english_runs(&flash.text).is_empty(), "{}", flash.text);
            }
        }
        let text = app.flash.clone().unwrap().text;
        let (first, more) = match lang {
            Lang::En => (":2:1: unknown role `okk`", "(1 more: yunwei --theme "),
            Lang::ZhCn => (":2:1：未知的角色 `okk`", "（另有 1 处错误，见 yunwei --theme "),
        };
        assert!(text.contains(first) && text.contains(more), "{text}");
    }
}

#[test]
fn command_line_switches_language_and_theme_and_quits() {
    let mut app = app(Lang::En);
    app.on_event(key(KeyCode::Char(':')));
    typed(&mut app, "lang zh-CN");
    app.on_event(key(KeyCode::Enter));
    assert_eq!(app.ctx.lang, Lang::ZhCn);
    assert!(screen(&draw(&mut app, 80, 24)).contains("主机健康"));
    app.on_event(key(KeyCode::Char(':')));
    typed(&mut app, "theme mono");
    app.on_event(key(KeyCode::Enter));
    assert_eq!(app.ctx.theme.name, "mono");
    app.on_event(key(KeyCode::Char(':')));
    typed(&mut app, "theme nope");
    app.on_event(key(KeyCode::Enter));
    assert!(app.flash.as_ref().is_some_and(|f| f.error));
    app.on_event(key(KeyCode::Char(':')));
    typed(&mut app, "frobnicate");
    app.on_event(key(KeyCode::Enter));
    assert!(app.flash.as_ref().is_some_and(|f| f.error && f.text.contains("frobnicate")));
    assert!(!app.quit);
    app.on_event(key(KeyCode::Char(':')));
    typed(&mut app, "q");
    app.on_event(key(KeyCode::Enter));
    assert!(app.quit);
}

/// The open alerts the real engine and store make of the app's samples.
fn alerts_of(app: &App) -> Vec<crate::alerts::Alert> {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = crate::store::Store::open(&tmp.path().join("a.db")).unwrap();
    let mut engine = crate::alerts::AlertEngine::new();
    let changes: Vec<_> = app
        .panes
        .fleet
        .hosts
        .iter()
        .filter_map(|h| h.sample.as_ref())
        .flat_map(|s| engine.evaluate(s, &app.ctx.thresholds, T0))
        .collect();
    store.apply_alert_changes(&changes).unwrap();
    let open = store.open_alerts().unwrap();
    // Acknowledge demo-exchange's to see that the count leaves acknowledged alerts out.
    for a in open.iter().filter(|a| a.key.host() == Some("demo-exchange")) {
        store.ack_alert(a.id, "zhang.san").unwrap();
    }
    store.open_alerts().unwrap()
}

#[test]
fn alerts_mark_hosts_count_in_the_status_bar_and_show_in_the_detail() {
    let mut app = app(Lang::En);
    let rows = alerts_of(&app);
    let unacked = rows.iter().filter(|a| a.acked_at.is_none()).count();
    assert!(unacked >= 3, "{rows:?}");
    app.on_event(Event::Worker(WorkerMsg::Store(StoreMsg::Alerts(rows))));
    assert_eq!(app.open_alerts(), unacked);
    let term = draw(&mut app, 80, 24);
    let text = screen(&term);
    assert!(text.lines().last().unwrap().contains(&format!(" {unacked} alerts ")), "{text}");
    // Hosts with an alert are marked; the critical ones in red.
    let (x, y) = find(&term, "! demo-db1").unwrap();
    assert_eq!(term.backend().buffer()[(x, y)].fg, Color::Red);
    assert!(find(&term, "! demo-backup").is_some());
    assert!(find(&term, "  demo-app1").is_some(), "no alert, no mark:\n{text}");
    // The detail lists them in words, with who acknowledged.
    for _ in 0..3 {
        app.on_event(key(KeyCode::Down));
    }
    assert_eq!(app.panes.fleet.selected_host(&app.ctx).unwrap().name, "demo-exchange");
    app.on_event(key(KeyCode::Enter));
    let text = screen(&draw(&mut app, 100, 40));
    assert!(text.contains("Open alerts"), "{text}");
    assert!(text.contains("acknowledged by zhang.san"), "{text}");
    app.outbox.clear();
    app.on_event(key(KeyCode::Char('a')));
    assert_eq!(app.outbox, vec![Command::Store(StoreCmd::AckHostAlerts { host: "demo-exchange".into() })]);
}

#[test]
fn ctrl_c_and_q_quit() {
    let mut app = app(Lang::En);
    app.on_event(Event::Terminal(TermEvent::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL))));
    assert!(app.quit);
    let mut app2 = self::app(Lang::En);
    app2.on_event(key(KeyCode::Char('q')));
    assert!(app2.quit);
}

fn ctrl_key(c: char) -> Event {
    Event::Terminal(TermEvent::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)))
}

/// Every prompt edits like a shell line, and what is typed there never reaches the pane or the
/// app behind it: `q` does not quit, Tab and `2` do not switch panes, Esc only closes it.
#[test]
fn prompts_edit_like_a_shell_line_and_keep_their_keys() {
    let mut app = logs_app(Lang::En);
    // The Logs search.
    app.on_event(key(KeyCode::Char('/')));
    typed(&mut app, "q12 ");
    app.on_event(key(KeyCode::Tab));
    app.on_event(key(KeyCode::F(5)));
    app.on_event(ctrl_key('r'));
    assert!(!app.quit && app.focus == crate::app::Focus::Logs, "the keys stayed in the prompt");
    app.on_event(ctrl_key('w'));
    app.on_event(ctrl_key('w'));
    typed(&mut app, "Pay.jav");
    app.on_event(ctrl_key('a'));
    app.on_event(key(KeyCode::Delete));
    app.on_event(ctrl_key('e'));
    typed(&mut app, "a");
    app.on_event(key(KeyCode::Home));
    typed(&mut app, "P");
    app.on_event(Event::Terminal(TermEvent::Paste("\n".into())));
    app.on_event(key(KeyCode::Enter));
    assert_eq!(app.panes.logs.search.as_ref().map(|r| r.as_str()), Some("Pay.java"));
    assert!(!app.quit);
    // An include filter: Ctrl-U kills the line (not undo), Backspace and arrows edit it.
    app.on_event(key(KeyCode::Char('+')));
    typed(&mut app, "nothing like this");
    app.on_event(ctrl_key('u'));
    typed(&mut app, "ERRROR");
    app.on_event(key(KeyCode::Left));
    app.on_event(key(KeyCode::Left));
    app.on_event(key(KeyCode::Backspace));
    app.on_event(key(KeyCode::End));
    app.on_event(key(KeyCode::Enter));
    let filters: Vec<String> = app
        .panes
        .logs
        .filter
        .patterns(crate::logs::filter::Side::Include)
        .map(|(p, _)| p.to_string())
        .collect();
    assert_eq!(filters, vec!["ERROR"]);
    // Pasted text with no prompt open is dropped, not read as keys (`q` would quit).
    app.on_event(Event::Terminal(TermEvent::Paste("q".into())));
    assert!(!app.quit);
    // The `:` command line: Ctrl-W, then a command.
    app.on_event(key(KeyCode::Char(':')));
    typed(&mut app, "theme mono");
    app.on_event(ctrl_key('w'));
    typed(&mut app, "nosuchtheme");
    app.on_event(ctrl_key('w'));
    app.on_event(ctrl_key('w'));
    typed(&mut app, "lang zh-CN");
    app.on_event(key(KeyCode::Enter));
    assert_eq!(app.ctx.lang, Lang::ZhCn);
    // The fleet filter, which filters as it is typed.
    app.on_event(key(KeyCode::Char('1')));
    assert_eq!(app.focus, crate::app::Focus::Fleet);
    app.on_event(key(KeyCode::Char('/')));
    typed(&mut app, "xq2db");
    app.on_event(key(KeyCode::Left));
    app.on_event(key(KeyCode::Left));
    app.on_event(key(KeyCode::Backspace));
    app.on_event(key(KeyCode::Backspace));
    app.on_event(ctrl_key('a'));
    app.on_event(key(KeyCode::Delete));
    assert_eq!(app.panes.fleet.filter, "db");
    assert_eq!(app.focus, crate::app::Focus::Fleet);
    app.on_event(key(KeyCode::Enter));
    assert!(!app.quit);
    let term = draw(&mut app, 80, 24);
    assert!(screen(&term).contains("demo-db1") && !screen(&term).contains("demo-app1"), "{}", screen(&term));
}

#[test]
fn vim_keymap_moves_with_j_and_k() {
    let mut app = app(Lang::En);
    app.ctx.keymap = Keymap::load("vim").unwrap();
    app.on_event(key(KeyCode::Char('j')));
    app.on_event(key(KeyCode::Char('j')));
    assert_eq!(app.panes.fleet.table.selected(), Some(2));
    app.on_event(key(KeyCode::Char('k')));
    assert_eq!(app.panes.fleet.table.selected(), Some(1));
    // The status-bar hints come from the live keymap.
    let hints = app.panes.fleet.hints(&app.ctx);
    assert!(hints.iter().any(|(k, _)| k == "?"));
}

#[test]
fn ascii_borders_use_no_box_characters() {
    let mut app = app(Lang::ZhCn);
    app.ctx.ascii = true;
    let text = screen(&draw(&mut app, 80, 24));
    assert!(text.contains("+-"), "{text}");
    for c in ['┌', '┐', '└', '┘', '│', '─', '…', '↓'] {
        assert!(!text.contains(c), "{c} drawn in ascii mode:\n{text}");
    }
}

#[test]
fn group_by_tag_shows_headers_and_keeps_selection_on_hosts() {
    let mut app = app(Lang::En);
    app.on_event(key(KeyCode::Char('T')));
    assert!(app.panes.fleet.group_by_tag);
    let term = draw(&mut app, 80, 24);
    let text = screen(&term);
    insta::assert_snapshot!("fleet_grouped_80x24", text);
    // Every group has a header with its size; moving down never lands on a header.
    assert!(text.contains("▸ app (3)"), "{text}");
    for _ in 0..10 {
        app.on_event(key(KeyCode::Down));
        assert!(app.panes.fleet.selected_host(&app.ctx).is_some());
    }
}

#[test]
fn stale_figures_are_dimmed_with_their_age() {
    let mut app = app(Lang::En);
    // The local host's sample is from T0; make the clock 95 s later (poll interval 10 s).
    app.ctx.now = chrono::DateTime::from_timestamp(T0 + 95, 0).unwrap().fixed_offset();
    // Only the local host is old: the demo hosts have fresh samples.
    for s in DemoFleet.samples_at(T0 + 90) {
        app.on_event(Event::Worker(WorkerMsg::Health(HealthMsg::Sample(Box::new(s)))));
    }
    let term = draw(&mut app, 80, 24);
    let text = screen(&term);
    let (_, y) = find(&term, "海口-应用1").unwrap();
    let line = text.lines().nth(y as usize).unwrap();
    assert!(line.contains(" 1m "), "the age is shown in the state column: {line}");
    let x = unicode_width::UnicodeWidthStr::width(&line[..line.find(" 1m ").unwrap()]) as u16 + 1;
    assert!(term.backend().buffer()[(x, y)].modifier.contains(ratatui::style::Modifier::DIM));
    assert_eq!(text.matches(" 1m ").count(), 1, "fresh hosts are not marked stale:\n{text}");
}

#[test]
fn down_hosts_say_why_in_words() {
    let mut app = app(Lang::ZhCn);
    let mut s = local_sample();
    s.reachable = false;
    s.error = Some(crate::health::HostError {
        kind: "host_key_changed".into(),
        message: "SHA256:abc".into(),
        zh: None,
    });
    app.on_event(Event::Worker(WorkerMsg::Health(HealthMsg::Sample(Box::new(s)))));
    let text = screen(&draw(&mut app, 80, 24));
    assert!(text.contains("主机密钥已变更: SHA256:abc"), "{text}");
}

#[test]
fn host_key_check_off_is_warned_about_on_every_screen() {
    let mut app = app(Lang::En);
    app.ctx.host_keys_unverified = true;
    for (w, h) in [(80, 24), (40, 12)] {
        let text = screen(&draw(&mut app, w, h));
        assert!(text.lines().next().unwrap().contains("UNVERIFIED"), "{w}x{h}:\n{text}");
    }
    app.on_event(key(KeyCode::Enter));
    assert!(
        screen(&draw(&mut app, 80, 24)).lines().next().unwrap().contains("UNVERIFIED"),
        "the detail view warns too"
    );
    assert!(screen(&draw(&mut app, 150, 30)).lines().next().unwrap().contains("HOST KEYS NOT VERIFIED"));
}

#[test]
fn security_posture_is_shown_in_the_detail() {
    use crate::health::security::{Firewall, Security};
    let mut app = app(Lang::ZhCn);
    let mut s = local_sample();
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
    app.on_event(Event::Worker(WorkerMsg::Health(HealthMsg::Sample(Box::new(s)))));
    // 海口-应用1 sorts after the Latin names: the sixth row.
    for _ in 0..5 {
        app.on_event(key(KeyCode::Down));
    }
    assert_eq!(app.panes.fleet.selected_host(&app.ctx).unwrap().name, "海口-应用1");
    app.on_event(key(KeyCode::Enter));
    let term = draw(&mut app, 100, 50);
    let text = screen(&term);
    for want in [
        "安全状况",
        "防火墙: firewalld (12)",
        "监听的 TCP 端口: 22 1521 8080",
        "SSH 登录失败（24 小时）: 37",
        "时钟同步: 否",
    ] {
        assert!(text.contains(want), "{want} missing:\n{text}");
    }
    // Failed logins and an unsynchronised clock are warnings.
    let (x, y) = find(&term, "时钟同步: 否").unwrap();
    assert_eq!(term.backend().buffer()[(x + 10, y)].symbol(), "否");
    assert_eq!(term.backend().buffer()[(x + 10, y)].fg, Color::Yellow);
}

// ---------------------------------------------------------------------------
// The Logs pane
// ---------------------------------------------------------------------------

fn log_spec(name: &str, host: Option<&str>) -> crate::logs::sources::SourceSpec {
    crate::logs::sources::SourceSpec {
        name: name.into(),
        host: host.map(str::to_string),
        pattern: format!("/var/log/{name}.log"),
        encoding: crate::logs::sources::LogEncoding::Auto,
        journal: None,
    }
}

fn log_records(lines: &[&str]) -> Vec<crate::logs::record::Record> {
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-27T12:00:00+08:00").unwrap();
    let mut b = crate::logs::record::RecordBuilder::new(now);
    let mut out: Vec<_> = lines.iter().filter_map(|l| b.push(l.to_string())).collect();
    out.extend(b.flush());
    out
}

/// The app on the Logs tab (reached with Tab, as a user would) with two local sources and one
/// remote, fed through worker messages.
fn logs_app(lang: Lang) -> App {
    let mut app = app(lang);
    app.panes.logs = crate::panes::logs::LogsPane::new(
        vec![log_spec("app", None), log_spec("系统", None), log_spec("web", Some("web1"))],
        1000,
    );
    app.on_event(key(KeyCode::Tab));
    assert_eq!(app.focus, crate::app::Focus::Logs);
    let status = |source, status| Event::Worker(WorkerMsg::Logs(LogsMsg::Status { source, status }));
    use crate::logs::sources::SourceStatus;
    app.on_event(status(0, SourceStatus::Following(1)));
    app.on_event(status(1, SourceStatus::Missing));
    app.on_event(Event::Worker(WorkerMsg::Logs(LogsMsg::Records {
        source: 0,
        records: log_records(&[
            "2026-11-27 03:00:01 INFO 用户 13812345678 登录成功",
            "2026-11-27 03:00:04 ERROR payment failed for 11010519491231002X",
            "java.lang.IllegalStateException: 余额不足",
            "\tat com.example.Pay.run(Pay.java:42)",
            "2026-11-27 03:00:06 WARN slow query 1200 ms",
            "2026-11-27 03:00:08 DEBUG cache hit",
        ]),
    })));
    app.on_event(Event::Worker(WorkerMsg::Logs(LogsMsg::Records {
        source: 1,
        records: log_records(&[
            "Nov 27 03:00:02 host sshd[1]: Accepted publickey",
            "Nov 27 03:00:07 host kernel: 警告 温度过高",
        ]),
    })));
    app
}

#[test]
fn logs_80x24_and_40x12_with_severity_colours() {
    let mut app = logs_app(Lang::En);
    let term = draw(&mut app, 80, 24);
    let text = screen(&term);
    insta::assert_snapshot!("logs_80x24", text);
    assert!(text.contains("138****5678") && text.contains("110105********002X"), "masked:\n{text}");
    assert!(!text.contains("13812345678"), "{text}");
    assert!(text.contains("connecting…"), "a remote source waits for its session: {text}");
    assert!(text.contains("missing"), "{text}");
    let buf = term.backend().buffer();
    let (x, y) = find(&term, "ERROR payment").unwrap();
    assert_eq!(buf[(x, y)].fg, Color::Red, "errors are red (crit)");
    let (x, y) = find(&term, "WARN slow").unwrap();
    assert_eq!(buf[(x, y)].fg, Color::Yellow, "warnings are yellow");
    let (x, y) = find(&term, "DEBUG cache").unwrap();
    assert_ne!(buf[(x, y)].fg, Color::Red);
    // Records merged by time across sources.
    let order: Vec<usize> = ["登录成功", "Accepted", "ERROR payment", "WARN slow", "温度过高", "DEBUG"]
        .iter()
        .map(|n| find(&term, n).unwrap().1 as usize)
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}\n{text}");

    let mut zh = logs_app(Lang::ZhCn);
    let term = draw(&mut zh, 40, 12);
    insta::assert_snapshot!("logs_zh_40x12", screen(&term));
}

#[test]
fn logs_flow_search_filters_errors_reveal_and_write() {
    let mut app = logs_app(Lang::En);
    // e from following: the last error before the newest record.
    app.on_event(key(KeyCode::Char('E')));
    assert!(!app.panes.logs.follow);
    let cur = app.panes.logs.current().unwrap();
    assert!(app.panes.logs.entries[cur].record.lines[0].contains("ERROR payment"));
    // Search for a word of the stack trace: the whole record is the match.
    app.on_event(key(KeyCode::Char('/')));
    typed(&mut app, "Pay.java");
    app.on_event(key(KeyCode::Enter));
    let cur = app.panes.logs.current().unwrap();
    assert!(app.panes.logs.entries[cur].record.lines[0].contains("ERROR payment"));
    let term = draw(&mut app, 80, 24);
    let (x, y) = find(&term, "(Pay.java").unwrap();
    let x = x + 1;
    assert!(
        term.backend().buffer()[(x, y)].modifier.contains(ratatui::style::Modifier::REVERSED),
        "highlighted"
    );
    // An exclude filter drops whole records; F switches the filters off and on.
    app.on_event(key(KeyCode::Char('-')));
    typed(&mut app, "sshd|kernel");
    app.on_event(key(KeyCode::Enter));
    assert_eq!(app.panes.logs.visible().len(), 4);
    app.on_event(key(KeyCode::Char('F')));
    assert_eq!(app.panes.logs.visible().len(), 6);
    app.on_event(key(KeyCode::Char('F')));
    app.on_event(key(KeyCode::Char('+')));
    typed(&mut app, "(");
    app.on_event(key(KeyCode::Enter));
    assert!(app.flash.as_ref().is_some_and(|f| f.error), "a bad pattern is said");
    app.on_event(key(KeyCode::Char('x')));
    assert_eq!(app.panes.logs.visible().len(), 6);
    // Reveal: unmasked on screen, and an audit command per source shown.
    app.outbox.clear();
    app.on_event(key(KeyCode::Char('v')));
    let audit = |target: &str| {
        Command::Store(StoreCmd::Audit {
            action: "logs.reveal".into(),
            target: target.into(),
            detail: "unmasked personal data in the Logs pane".into(),
        })
    };
    assert_eq!(app.outbox, vec![audit("app"), audit("系统")]);
    let text = screen(&draw(&mut app, 80, 24));
    assert!(text.contains("13812345678") && text.contains("REVEALED"), "{text}");
    app.on_event(key(KeyCode::Char('v')));
    assert!(screen(&draw(&mut app, 80, 24)).contains("138****5678"));
    // Write: the default name, masked text.
    app.outbox.clear();
    app.on_event(key(KeyCode::Char('w')));
    app.on_event(key(KeyCode::Enter));
    match app.outbox.as_slice() {
        [Command::Logs(LogsCmd::Export { path, text })] => {
            // In the data folder, not the working directory; masked, so no audit row of its own.
            assert!(path.starts_with(&app.ctx.export_dir), "{path:?}");
            assert!(path.to_string_lossy().contains("/yunwei-logs-20261127-"), "{path:?}");
            assert!(text.contains("[app] 2026-11-27 03:00:01 INFO 用户 138****5678 登录成功"), "{text}");
        }
        other => panic!("{other:?}"),
    }
    // Revealed, the export is an audit row of its own: which file, how many records, whose.
    app.on_event(key(KeyCode::Char('v')));
    app.outbox.clear();
    app.on_event(key(KeyCode::Char('w')));
    app.on_event(key(KeyCode::Enter));
    match app.outbox.as_slice() {
        [Command::Store(StoreCmd::Audit { action, target, detail }), Command::Logs(LogsCmd::Export { path, text })] =>
        {
            assert_eq!(action, "logs.export_unmasked");
            assert_eq!(target, &path.display().to_string());
            assert_eq!(detail, "6 records, unmasked, of app, 系统");
            assert!(text.contains("13812345678"), "{text}");
        }
        other => panic!("{other:?}"),
    }
    app.on_event(key(KeyCode::Char('v')));
    // End resumes following; W wraps.
    app.on_event(key(KeyCode::End));
    assert!(app.panes.logs.follow);
    app.on_event(key(KeyCode::Char('W')));
    assert!(app.panes.logs.wrap);
    // Tab goes on to the tickets, the division codes, the backups, the alerts, the network
    // checks, and round to the fleet.
    app.on_event(key(KeyCode::Tab));
    assert_eq!(app.focus, crate::app::Focus::Tickets);
    app.on_event(key(KeyCode::Tab));
    assert_eq!(app.focus, crate::app::Focus::Divcodes);
    app.on_event(key(KeyCode::Tab));
    assert_eq!(app.focus, crate::app::Focus::Backups);
    app.on_event(key(KeyCode::Tab));
    assert_eq!(app.focus, crate::app::Focus::Alerts);
    app.on_event(key(KeyCode::Tab));
    assert_eq!(app.focus, crate::app::Focus::Network);
    app.on_event(key(KeyCode::Tab));
    assert_eq!(app.focus, crate::app::Focus::Fleet);
    app.on_event(key(KeyCode::Char('2')));
    assert_eq!(app.focus, crate::app::Focus::Logs);
    app.on_event(key(KeyCode::Char('1')));
    assert_eq!(app.focus, crate::app::Focus::Fleet);
}

#[test]
fn a_log_file_can_be_opened_from_the_pane() {
    let mut app = logs_app(Lang::En);
    let before = app.panes.logs.sources.len();
    app.outbox.clear();
    app.on_event(key(KeyCode::Char('o')));
    typed(&mut app, "/var/log/extra.log");
    app.on_event(key(KeyCode::Enter));
    assert_eq!(app.panes.logs.sources.len(), before + 1);
    match app.outbox.as_slice() {
        [Command::Logs(LogsCmd::Open { index, spec })] => {
            assert_eq!(*index, before);
            assert_eq!(spec.name, "extra.log");
            assert_eq!(spec.pattern, "/var/log/extra.log");
            assert!(spec.host.is_none());
        }
        other => panic!("{other:?}"),
    }
    assert!(screen(&draw(&mut app, 80, 24)).contains("extra.log"));
}

#[test]
fn one_filter_can_be_switched_off_and_on() {
    let mut app = logs_app(Lang::En);
    let all = app.panes.logs.visible().len();
    app.on_event(key(KeyCode::Char('+')));
    typed(&mut app, "ERROR");
    app.on_event(key(KeyCode::Enter));
    app.on_event(key(KeyCode::Char('-')));
    typed(&mut app, "payment");
    app.on_event(key(KeyCode::Enter));
    assert_eq!(app.panes.logs.visible().len(), 0, "the only ERROR record mentions payment");
    assert!(screen(&draw(&mut app, 80, 24)).contains("1:+ERROR 2:-payment"));
    // Filter 2 off: the ERROR record shows again; filter 1 off too: everything.
    app.on_event(key(KeyCode::Char('t')));
    typed(&mut app, "2");
    app.on_event(key(KeyCode::Enter));
    assert_eq!(app.panes.logs.visible().len(), 1);
    // The filter that is off says so in words, not by strikethrough alone.
    let text = screen(&draw(&mut app, 80, 24));
    assert!(text.contains("1:+ERROR 2:-payment(off)"), "{text}");
    let mut zh = logs_app(Lang::ZhCn);
    zh.panes.logs.filter.add(crate::logs::filter::Side::Include, "x").unwrap();
    zh.panes.logs.filter.toggle(crate::logs::filter::Side::Include, 0);
    assert!(screen(&draw(&mut zh, 80, 24)).contains("1:+x（停用）"));
    app.on_event(key(KeyCode::Char('t')));
    typed(&mut app, "1");
    app.on_event(key(KeyCode::Enter));
    assert_eq!(app.panes.logs.visible().len(), all);
    app.on_event(key(KeyCode::Char('t')));
    typed(&mut app, "9");
    app.on_event(key(KeyCode::Enter));
    assert!(app.flash.as_ref().is_some_and(|f| f.text.contains("no such filter")), "{:?}", app.flash);
}

#[test]
fn no_cell_sends_a_control_or_bidirectional_character_to_the_terminal() {
    // A tag is shown as it was written; one with a right-to-left override must not reorder
    // the screen, whichever pane draws it.
    let rows = vec![HostRow::new("app1", vec!["hai\u{202E}kou\u{1b}[2J".into()], HostKind::Local)];
    let mut app = App::new(ctx(Lang::En), rows);
    app.update(crate::action::Action::GroupByTag);
    let term = draw(&mut app, 80, 24);
    let text = screen(&term);
    assert!(text.contains("app1"), "{text}");
    assert!(text.lines().all(|l| !l.chars().any(crate::text::is_unprintable)), "{text:?}");
    assert!(text.contains('\u{FFFD}'), "the tag's header is drawn, with the characters replaced:\n{text}");
}

#[test]
fn a_read_only_database_has_a_banner_and_refuses_what_would_write() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut app = app(lang);
        app.ctx.db_read_only = Some(crate::ui::ReadOnlyDb {
            path: "/srv/yunwei/yunwei.db".into(),
            read_only: crate::store::ReadOnly { mode: 0o444, why: crate::store::ReadOnlyWhy::Mode },
        });
        let text = screen(&draw(&mut app, 80, 24));
        let lines: Vec<&str> = text.lines().collect();
        let badge = if lang == Lang::En { "DB READ-ONLY" } else { "数据库只读" };
        assert!(lines[0].contains(badge), "{text}");
        let banner = if lang == Lang::En {
            "Read-only database /srv/yunwei/yunwei.db (mode 0444: not writable by its owner): health is live, not recorded; acknowledging and unmasking are off"
        } else {
            "数据库 /srv/yunwei/yunwei.db 只读（权限 0444：属主不可写）：健康数据实时显示但不记录；确认告警和显示原文不可用"
        };
        // Two lines above the status bar, whole.
        let joint = if lang == Lang::En { " " } else { "" };
        let shown = format!("{}{joint}{}", lines[21].trim_end(), lines[22].trim_end());
        assert_eq!(shown, banner, "{text}");

        // Acknowledging, in a host's detail: said, not sent.
        app.on_event(key(KeyCode::Enter));
        app.outbox.clear();
        app.on_event(key(KeyCode::Char('a')));
        assert!(app.outbox.is_empty(), "{:?}", app.outbox);
        let flash = app.flash.clone().unwrap();
        assert!(flash.error);
        assert_eq!(
            flash.text,
            if lang == Lang::En {
                "Cannot acknowledge: the database /srv/yunwei/yunwei.db is read-only (mode 0444: not writable by its owner); make it writable and restart yunwei"
            } else {
                "无法确认告警：数据库 /srv/yunwei/yunwei.db 只读（权限 0444：属主不可写）；请使其可写后重启运维台"
            }
        );

        // Unmasking needs an audit row first: refused, and nothing is revealed.
        app.on_event(key(KeyCode::Esc));
        app.on_event(key(KeyCode::Char('2')));
        app.outbox.clear();
        app.on_event(key(KeyCode::Char('v')));
        assert!(app.outbox.is_empty(), "{:?}", app.outbox);
        assert!(!app.panes.logs.revealed);
        assert_eq!(
            app.flash.clone().unwrap().text,
            if lang == Lang::En {
                "Cannot unmask: unmasking is written to the audit log first, and the database /srv/yunwei/yunwei.db is read-only (mode 0444: not writable by its owner)"
            } else {
                "无法显示原文：显示原文须先写入审计日志，而数据库 /srv/yunwei/yunwei.db 只读（权限 0444：属主不可写）"
            }
        );
    }
    // A writable database: no banner, acknowledging is sent.
    let mut app = app(Lang::En);
    assert!(!screen(&draw(&mut app, 80, 24)).contains("READ-ONLY"));
    app.on_event(key(KeyCode::Enter));
    app.outbox.clear();
    app.on_event(key(KeyCode::Char('a')));
    assert_eq!(app.outbox.len(), 1);
}

mod screens;
