//! The Network pane driven through the app with key events: the grid of checks by place, the
//! selected cell in full, `r` and `t` reaching the thread, a trace's output escaped, and the
//! snapshots at 80x24 and 40x12 in both languages.

use std::collections::BTreeMap;

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};

use crate::app::{App, Focus};
use crate::event::{Command, Event, WorkerMsg};
use crate::i18n::Lang;
use crate::panes::testing::{ctx, screen};
use crate::store::netcheck::NetResult;
use crate::workers::netcheck::{Cell, NetCmd, NetMsg, Trace};

/// The moment of the test context (2026-11-27 03:04:05 +08:00).
const NOW: i64 = 1_795_719_845;

fn result(check: &str, origin: &str, kind: &str, target: &str, state: &str, ms: Option<f64>) -> NetResult {
    let (en, zh) = match state {
        "ok" => (format!("in {} ms", ms.unwrap_or(0.0)), format!("用时 {} 毫秒", ms.unwrap_or(0.0))),
        "warn" => ("TLS certificate expires in 5 days".into(), "TLS 证书将在 5 天后到期".into()),
        "crit" => ("status 503; body did not match".into(), "状态码 503；响应内容不符".into()),
        _ => ("ping is not on the probing host".into(), "探测主机上没有 ping".into()),
    };
    NetResult {
        check: check.into(),
        origin: origin.into(),
        kind: kind.into(),
        target: target.into(),
        state: state.into(),
        latency_ms: ms,
        reason_en: en,
        reason_zh: zh,
        brief: match state {
            "crit" => "status:503",
            "warn" => "cert-expires:5",
            "unknown" => "cannot",
            _ => "",
        }
        .into(),
        cert_expires_at: (kind == "tls").then_some(NOW + 5 * 86_400 + 600),
        checked_at: NOW - 30,
    }
}

fn cell(r: NetResult) -> Cell {
    let failures = if r.state == "ok" {
        Vec::new()
    } else {
        (1..=3).map(|i| NetResult { checked_at: NOW - 60 * i, ..r.clone() }).collect()
    };
    let base = r.latency_ms.unwrap_or(5.0);
    let history = (0..40).map(|i| Some(base + (i % 7) as f64 * 3.0)).collect();
    Cell { result: r, history, failures }
}

fn cells() -> Vec<Cell> {
    vec![
        cell(result(
            "police-api",
            "exchange1",
            "http",
            "https://10.20.1.5:8443/api/health",
            "ok",
            Some(42.0),
        )),
        cell(result("police-api", "local", "http", "https://10.20.1.5:8443/api/health", "crit", Some(12.0))),
        cell(result("birth-platform", "exchange1", "tcp", "10.30.2.8:1521", "ok", Some(3.4))),
        cell(result("padis-report", "local", "tls", "padis.example.gov.cn:443", "warn", Some(88.0))),
        cell(result("padis-report", "exchange1", "tls", "padis.example.gov.cn:443", "warn", Some(91.0))),
        cell(result("民政推送", "exchange1", "ping", "10.40.0.1", "unknown", None)),
        cell(result("dns-internal", "local", "dns", "ga.internal", "ok", Some(1.2))),
    ]
}

fn tools() -> BTreeMap<String, Vec<String>> {
    let has = ["bash", "curl", "openssl", "getent", "timeout", "tracepath"];
    let here = crate::netcheck::probe::TOOLS.iter().filter(|t| !["ping", "mtr", "traceroute"].contains(t));
    BTreeMap::from([
        ("exchange1".to_string(), has.iter().map(|s| s.to_string()).collect()),
        ("local".to_string(), here.map(|s| s.to_string()).collect()),
    ])
}

fn key(code: KeyCode) -> Event {
    Event::Terminal(TermEvent::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn msg(app: &mut App, m: NetMsg) {
    app.on_event(Event::Worker(WorkerMsg::Net(m)));
}

fn network_app(lang: Lang) -> App {
    let mut app = App::new(ctx(lang), Vec::new());
    app.on_event(key(KeyCode::Char('7')));
    assert_eq!(app.focus, Focus::Network);
    msg(&mut app, NetMsg::Checked { cells: cells(), tools: tools() });
    app.outbox.clear();
    app
}

fn sent(app: &mut App) -> Vec<NetCmd> {
    app.outbox
        .drain(..)
        .filter_map(|c| match c {
            Command::Net(n) => Some(n),
            _ => None,
        })
        .collect()
}

fn draw(app: &mut App, w: u16, h: u16) -> ratatui::Terminal<ratatui::backend::TestBackend> {
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    term.draw(|f| app.render(f)).unwrap();
    term
}

#[test]
fn checks_by_place_with_state_and_latency() {
    let mut app = network_app(Lang::En);
    let text = screen(&draw(&mut app, 100, 30));
    assert!(text.contains("5 checks from 2 places  1 crit  2 warn  1 unknown  3 ok"), "{text}");
    assert!(text.contains("check                exchange1 local"), "{text}");
    assert!(text.contains("police-api     HTTPS ✓ 42ms    ! 503"), "{text}");
    assert!(text.contains("birth-platform TCP   ✓ 3.4ms   ·"), "{text}");
    assert!(text.contains("padis-report   TLS   ~ cert 5d ~ cert 5d"), "{text}");
    assert!(text.contains("民政推送       ping  ? not run ·"), "{text}");
    // The selected cell in full: the tools its host lacks are said.
    assert!(text.contains(" police-api from exchange1 "), "{text}");
    assert!(text.contains("missing: wget nc ping nslookup mtr traceroute"), "{text}");
    // Across to the same check from this machine: its failures, newest first.
    app.on_event(key(KeyCode::Right));
    let text = screen(&draw(&mut app, 100, 30));
    assert!(text.contains(" police-api from this machine "), "{text}");
    assert!(text.contains("last failures") && text.contains("missing: ping mtr traceroute"), "{text}");
    assert!(text.contains("03:03:05  crit    status 503; body did not match"), "{text}");
    // A certificate's end in days.
    app.on_event(key(KeyCode::Down));
    app.on_event(key(KeyCode::Down));
    let text = screen(&draw(&mut app, 100, 30));
    assert!(text.contains("ends 12-02 03:14 (in 5 days)"), "{text}");
}

#[test]
fn r_probes_the_cell_now_and_t_traces_its_path() {
    let mut app = network_app(Lang::En);
    app.on_event(key(KeyCode::Char('r')));
    assert_eq!(sent(&mut app), [NetCmd::ProbeNow(Some(("police-api".into(), "exchange1".into())))]);
    let text = screen(&draw(&mut app, 100, 30));
    assert!(text.contains("probing now…") && text.contains("… 42ms"), "{text}");
    // A second r while it probes asks nothing more.
    app.on_event(key(KeyCode::Char('r')));
    assert!(sent(&mut app).is_empty());
    // A newer result ends the wait.
    let mut fresh = cells();
    fresh[0].result.checked_at = crate::clock::now_s() + 1;
    msg(&mut app, NetMsg::Checked { cells: fresh, tools: tools() });
    assert!(!app.panes.network.is_probing("police-api", "exchange1"));
    // No cell where the place does not probe the check: said, nothing sent.
    app.on_event(key(KeyCode::Down));
    app.on_event(key(KeyCode::Right));
    app.on_event(key(KeyCode::Char('t')));
    assert!(sent(&mut app).is_empty());
    let flash = app.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(flash.contains("local does not probe birth-platform"), "{flash}");
    app.on_event(key(KeyCode::Left));
    app.on_event(key(KeyCode::Char('t')));
    assert_eq!(
        sent(&mut app),
        [NetCmd::Trace { check: "birth-platform".into(), origin: "exchange1".into() }]
    );
    let text = screen(&draw(&mut app, 100, 30));
    assert!(text.contains("trace from exchange1 to 10.30.2.8") && text.contains("tracing…"), "{text}");
    // The tool's output, its escapes shown, never sent to the terminal.
    msg(
        &mut app,
        NetMsg::Traced(Trace {
            check: "birth-platform".into(),
            origin: "exchange1".into(),
            tool: Some("tracepath".into()),
            text: " 1?: [LOCALHOST]  pmtu 1500\n 1:  10.30.2.1 \x1b]0;owned\x07 0.4ms\n 2:  10.30.2.8  0.9ms reached\n".into(),
            error: None,
        }),
    );
    let text = screen(&draw(&mut app, 100, 30));
    assert!(text.contains("· tracepath"), "{text}");
    assert!(text.contains("10.30.2.1 \\u{1b}]0;owned\\u{7} 0.4ms"), "{text}");
    assert!(text.contains("10.30.2.8  0.9ms reached"), "{text}");
    assert!(!text.contains('\x1b'));
    // Esc closes it; the cell's detail is back.
    app.on_event(key(KeyCode::Esc));
    let text = screen(&draw(&mut app, 100, 30));
    assert!(!text.contains("tracepath") && text.contains(" birth-platform from exchange1 "), "{text}");
    // S opens a shell on the probing host.
    app.on_event(key(KeyCode::Char('S')));
    assert_eq!(app.shell.as_ref().map(|s| s.host.as_str()), Some("exchange1"));
}

#[test]
fn many_places_scroll_sideways_and_none_configured_says_how() {
    let mut app = network_app(Lang::En);
    let many: Vec<Cell> = (0..9)
        .map(|i| {
            cell(result("police-api", &format!("exchange{i}"), "tcp", "10.20.1.5:8443", "ok", Some(4.0)))
        })
        .collect();
    msg(&mut app, NetMsg::Checked { cells: many, tools: BTreeMap::new() });
    let text = screen(&draw(&mut app, 80, 24));
    assert!(text.contains("exchange0") && !text.contains("exchange8") && text.contains('▶'), "{text}");
    for _ in 0..8 {
        app.on_event(key(KeyCode::Right));
    }
    let text = screen(&draw(&mut app, 80, 24));
    assert!(text.contains("exchange8") && !text.contains("exchange0") && text.contains('◀'), "{text}");
    msg(&mut app, NetMsg::Checked { cells: Vec::new(), tools: BTreeMap::new() });
    let text = screen(&draw(&mut app, 80, 24));
    assert!(text.contains("No network checks: add [[checks]]"), "{text}");
}

#[test]
fn snapshots() {
    for lang in [Lang::En, Lang::ZhCn] {
        for (w, h) in [(80, 24), (40, 12)] {
            let mut app = network_app(lang);
            app.on_event(key(KeyCode::Right));
            let text = screen(&draw(&mut app, w, h));
            insta::assert_snapshot!(format!("network_{}_{w}x{h}", lang.code()), text);
        }
    }
}
