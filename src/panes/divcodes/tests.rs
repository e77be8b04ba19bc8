//! The Division codes pane driven through the app with key events, as a reviewer would: what
//! awaits a decision first, deciding the selected change, editing its mapping, accepting many
//! after a confirmation, filters and search, choosing the editions, and its snapshots.

use std::collections::HashMap;

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};

use crate::app::{App, Focus};
use crate::divcodes::diff::diff;
use crate::divcodes::import::{parse, Format};
use crate::divcodes::review::{join, Requests, Review, State};
use crate::divcodes::Code;
use crate::event::{Command, Event, WorkerMsg};
use crate::i18n::Lang;
use crate::panes::testing::{ctx, pos, screen};
use crate::store::divcodes::Version;
use crate::workers::divcodes::{Comparison, DivcodesCmd, DivcodesMsg};

fn version(id: i64, name: &str) -> Version {
    Version {
        id,
        name: name.into(),
        source: format!("{name}.csv"),
        format: "csv".into(),
        encoding: "UTF-8".into(),
        digits: 6,
        rows: 10,
        sha256: String::new(),
        imported_at: 0,
        imported_by: "王工".into(),
        reviews: 0,
    }
}

const OLD: &str = "460000,海南省\n460100,海口市\n460105,秀英街道办事处\n460106,龙华区\n460107,琼山市\n\
460200,三亚市\n460201,凤凰区\n469003,儋州市\n469025,定安县\n469026,乐东黎族自治县";
const NEW: &str = "460000,海南省\n460100,海口市\n460105,秀英街道\n460106,龙华新区\n460109,琼山区\n\
460200,三亚市\n460202,海棠区\n460400,儋州市\n469025,定安县\n469027,乐东黎族自治县";

/// The comparison of the fixture, 469003 already accepted by 王工.
fn comparison() -> Comparison {
    let t = |csv: &str| parse(format!("code,name\n{csv}").as_bytes(), Format::Csv).unwrap().rows;
    let changes = diff(&t(OLD), &t(NEW));
    let danzhou = changes.iter().find(|c| c.id() == "469003").unwrap();
    let mut reviews = HashMap::new();
    reviews.insert(
        "469003".to_string(),
        Review {
            key: danzhou.key(),
            state: State::Accepted,
            mapping: danzhou.mapping.clone(),
            reviewer: "王工".into(),
            at: 1_764_176_645,
        },
    );
    let lines = join(changes, reviews);
    Comparison { old: version(1, "2019"), new: version(2, "2020"), lines, names: HashMap::new() }
}

fn key(code: KeyCode) -> Event {
    Event::Terminal(TermEvent::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        app.on_event(key(KeyCode::Char(c)));
    }
}

fn msg(app: &mut App, m: DivcodesMsg) {
    app.on_event(Event::Worker(WorkerMsg::Divcodes(m)));
}

fn divcodes_app(lang: Lang) -> App {
    let mut app = App::new(ctx(lang), Vec::new());
    app.focus = Focus::Divcodes;
    msg(&mut app, DivcodesMsg::Versions(vec![version(1, "2019"), version(2, "2020"), version(3, "2021")]));
    msg(&mut app, DivcodesMsg::Compared(Box::new(comparison())));
    app.outbox.clear();
    app
}

fn sent(app: &mut App) -> Vec<DivcodesCmd> {
    app.outbox
        .drain(..)
        .filter_map(|c| match c {
            Command::Divcodes(t) => Some(t),
            _ => None,
        })
        .collect()
}

fn draw(app: &mut App, w: u16, h: u16) -> ratatui::Terminal<ratatui::backend::TestBackend> {
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    term.draw(|f| app.render(f)).unwrap();
    term
}

fn decide(requests: Requests) -> DivcodesCmd {
    DivcodesCmd::Decide { old: "2019".into(), new: "2020".into(), requests: Box::new(requests) }
}

#[test]
fn what_awaits_a_decision_comes_first_and_keys_decide_the_selected_change() {
    let mut app = divcodes_app(Lang::En);
    let text = screen(&draw(&mut app, 100, 30));
    let first = text.lines().position(|l| l.contains("460201")).unwrap();
    let renamed = text.lines().position(|l| l.contains("460105")).unwrap();
    assert!(first < renamed, "凤凰区 (removed, nothing to map it to) first:\n{text}");
    assert!(text.contains("? 460201 removed"), "{text}");
    assert!(text.contains("✓ 469003 recoded"), "{text}");
    assert!(text.contains("2019 → 2020  7 changes  1 to decide  1 decided"), "{text}");
    // The detail: both sides, the evidence, the decision.
    app.on_event(key(KeyCode::Char('a')));
    assert_eq!(sent(&mut app), [decide(Requests { accept: vec!["460201".into()], ..Requests::none() })]);
    app.on_event(key(KeyCode::Down));
    app.on_event(key(KeyCode::Char('d')));
    let second = app.panes.divcodes.selected_line().unwrap().change.id().to_string();
    assert_eq!(sent(&mut app), [decide(Requests { reject: vec![second.clone()], ..Requests::none() })]);
    app.on_event(key(KeyCode::Char('u')));
    assert_eq!(sent(&mut app), [decide(Requests { reset: vec![second], ..Requests::none() })]);
    // The mapping of the removed code, typed as a new code.
    app.on_event(key(KeyCode::Home));
    app.on_event(key(KeyCode::Char('e')));
    let text = screen(&draw(&mut app, 100, 30));
    assert!(text.contains("460201 凤凰区 → new code:"), "nothing to map it to yet: {text}");
    typed(&mut app, "460106");
    app.on_event(key(KeyCode::Enter));
    let map = vec![(Code::parse("460201").unwrap(), Code::parse("460106").unwrap())];
    assert_eq!(sent(&mut app), [decide(Requests { map, ..Requests::none() })]);
    // Something that is no code: said, nothing sent, asked again with what was typed.
    app.on_event(key(KeyCode::Char('e')));
    typed(&mut app, "x1");
    app.on_event(key(KeyCode::Enter));
    assert!(sent(&mut app).is_empty());
    let flash = app.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(flash.contains("is not a new code"), "{flash}");
    let text = screen(&draw(&mut app, 100, 30));
    assert!(text.contains("→ new code: x1"), "{text}");
    app.on_event(key(KeyCode::Esc));
    // A recoded one says where it goes now.
    app.on_event(key(KeyCode::End));
    app.on_event(key(KeyCode::Char('e')));
    let text = screen(&draw(&mut app, 100, 30));
    assert!(text.contains("469026 乐东黎族自治县 → new code (now 469027):"), "{text}");
    app.on_event(key(KeyCode::Esc));
    // An import: a file that is not there is said before the name is asked.
    app.on_event(key(KeyCode::Char('i')));
    typed(&mut app, "/nonexistent/list.csv");
    app.on_event(key(KeyCode::Enter));
    let flash = app.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(flash.starts_with("/nonexistent/list.csv: "), "{flash}");
    let list = std::env::temp_dir().join(format!("yw-pane-{}.csv", std::process::id()));
    std::fs::write(&list, "code,name\n460000,海南省\n").unwrap();
    for _ in 0..40 {
        app.on_event(key(KeyCode::Backspace));
    }
    typed(&mut app, list.to_str().unwrap());
    app.on_event(key(KeyCode::Enter));
    let text = screen(&draw(&mut app, 120, 30));
    assert!(text.contains("(Enter: yw-pane-"), "{text}");
    app.on_event(key(KeyCode::Enter));
    assert_eq!(
        sent(&mut app),
        [DivcodesCmd::Import { path: list.clone(), name: format!("yw-pane-{}", std::process::id()) }]
    );
    let _ = std::fs::remove_file(&list);
}

#[test]
fn many_are_accepted_only_after_a_yes() {
    let mut app = divcodes_app(Lang::ZhCn);
    app.on_event(key(KeyCode::Char('A')));
    let text = screen(&draw(&mut app, 100, 30));
    // 460105, 460106 (renamed) and 469026 (recoded, its full name); 469003 is decided already.
    assert!(text.contains("接受 3 处置信度为高的待审变更？"), "{text}");
    app.on_event(key(KeyCode::Char('n')));
    assert!(sent(&mut app).is_empty());
    app.on_event(key(KeyCode::Char('A')));
    app.on_event(key(KeyCode::Char('y')));
    assert_eq!(sent(&mut app), [decide(Requests { accept_confident: true, ..Requests::none() })]);
    app.on_event(key(KeyCode::Char('F')));
    app.on_event(key(KeyCode::Char('y')));
    assert_eq!(sent(&mut app), [decide(Requests { accept_form_only: true, ..Requests::none() })]);
}

#[test]
fn filters_search_and_the_choice_of_editions() {
    let mut app = divcodes_app(Lang::En);
    let ids = |app: &App| -> Vec<String> {
        let p = &app.panes.divcodes;
        let cmp = p.cmp.as_ref().unwrap();
        p.visible.iter().map(|&i| cmp.lines[i].change.id().to_string()).collect()
    };
    app.on_event(key(KeyCode::Char('f')));
    app.on_event(key(KeyCode::Char('k')));
    assert_eq!(ids(&app), ["460201"], "removed only");
    app.on_event(key(KeyCode::Char('k')));
    assert_eq!(ids(&app), ["460105", "460106"], "renamed only");
    app.on_event(key(KeyCode::Char('x')));
    app.on_event(key(KeyCode::Char('s')));
    assert!(!ids(&app).contains(&"469003".to_string()), "not decided only");
    app.on_event(key(KeyCode::Esc));
    let text = screen(&draw(&mut app, 100, 30));
    assert!(text.contains("not decided"), "{text}");
    app.on_event(key(KeyCode::Char('x')));
    app.on_event(key(KeyCode::Char('/')));
    typed(&mut app, "儋州");
    app.on_event(key(KeyCode::Enter));
    assert_eq!(ids(&app), ["469003"]);
    app.on_event(key(KeyCode::Char('/')));
    for _ in 0..2 {
        app.on_event(key(KeyCode::Backspace));
    }
    typed(&mut app, "4601");
    app.on_event(key(KeyCode::Enter));
    assert!(ids(&app).iter().all(|i| i.starts_with("4601")), "{:?}", ids(&app));
    // The editions: 1 then 3.
    app.on_event(key(KeyCode::Char('p')));
    let text = screen(&draw(&mut app, 100, 30));
    assert!(text.contains("compare: press the key of the OLD edition"), "{text}");
    assert!(text.contains("1 2019  6 digits, 10 rows") && text.contains("3 2021  6 digits"), "{text}");
    app.on_event(key(KeyCode::Char('1')));
    app.on_event(key(KeyCode::Char('3')));
    assert_eq!(sent(&mut app), [DivcodesCmd::Compare(Some(("2019".into(), "2021".into())))]);
}

#[test]
fn chinese_names_stay_aligned_and_the_selection_stays_on_its_change() {
    let mut app = divcodes_app(Lang::ZhCn);
    let term = draw(&mut app, 80, 24);
    let text = screen(&term);
    // The new column starts at one display column on every row, after Chinese names too.
    let (x1, _) = pos(&term, "秀英街道 ");
    let (x2, _) = pos(&term, "龙华新区");
    let (x3, _) = pos(&term, "460109 琼山区");
    assert!(x1 == x2 && x2 == x3, "{x1} {x2} {x3}\n{text}");
    // The list read again (a decision recorded): the selection stays on the same change.
    app.on_event(key(KeyCode::Down));
    app.on_event(key(KeyCode::Down));
    let id = app.panes.divcodes.selected_line().unwrap().change.id().to_string();
    msg(&mut app, DivcodesMsg::Compared(Box::new(comparison())));
    assert_eq!(app.panes.divcodes.selected_line().unwrap().change.id(), id);
}

#[test]
fn snapshots_of_the_review() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut app = divcodes_app(lang);
        insta::assert_snapshot!(format!("divcodes_80x24_{}", lang.code()), screen(&draw(&mut app, 80, 24)));
        insta::assert_snapshot!(format!("divcodes_40x12_{}", lang.code()), screen(&draw(&mut app, 40, 12)));
        let mut empty = App::new(ctx(lang), Vec::new());
        empty.focus = Focus::Divcodes;
        msg(&mut empty, DivcodesMsg::Versions(vec![]));
        insta::assert_snapshot!(
            format!("divcodes_empty_80x24_{}", lang.code()),
            screen(&draw(&mut empty, 80, 24))
        );
    }
}
