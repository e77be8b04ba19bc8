//! The Alerts pane driven through the app with key events: the stream ordered by severity and
//! age with each alert's state, the acts sent to the store thread (acknowledge with a note,
//! snooze, a silence in three questions, lifting it), a ticket opened from an alert, the
//! banner of a silence in force, and its snapshots at 80x24 and 40x12 in both languages.

use crossterm::event::KeyCode;

use crate::alerts::{Alert, AlertKey, Metric, Silence, SilenceScope};
use crate::app::{App, Focus};
use crate::event::{Command, Event, WorkerMsg};
use crate::health::Level;
use crate::i18n::Lang;
use crate::panes::testing::{ctx, draw_app as draw, key, screen};
use crate::workers::store::{StoreCmd, StoreMsg};

/// The test context's moment: 2026-11-27 03:04:05 +08:00.
const NOW: i64 = 1_795_719_845;

fn alert(id: i64, key: AlertKey, level: Level, ago: i64, en: &str, zh: &str) -> Alert {
    Alert {
        message: en.into(),
        message_zh: Some(zh.into()),
        opened_at: NOW - ago,
        updated_at: NOW - ago,
        ..Alert::for_test(id, key, level)
    }
}

fn stream() -> Vec<Alert> {
    let mut acked = alert(
        2,
        AlertKey::health("db1", Metric::Disk, "/u01"),
        Level::Crit,
        3600,
        "disk /u01 at 93 % (crit 90 %)",
        "磁盘 /u01 已用 93%（严重阈值 90%）",
    );
    acked.acked_at = Some(NOW - 1800);
    acked.acked_by = Some("王工".into());
    acked.note = Some("清理归档日志中".into());
    let mut job = alert(
        3,
        AlertKey::Backup { job: "app1-logs".into() },
        Level::Crit,
        600,
        "failed: verification exited with status 1",
        "校验失败：校验命令退出码 1",
    );
    job.host = Some("app1".into());
    let mut snoozed = alert(
        4,
        AlertKey::health("web2", Metric::Load, ""),
        Level::Warn,
        7200,
        "load 2.10 per core (warn 2.00)",
        "每核负载 2.10（警告阈值 2.00）",
    );
    snoozed.snoozed_until = Some(NOW + 1800);
    snoozed.snoozed_by = Some("李四".into());
    vec![
        alert(
            1,
            AlertKey::Ticket { id: "YW-20261127-0003".into() },
            Level::Warn,
            300,
            "P1 YW-20261127-0003 response at 80 %",
            "P1 YW-20261127-0003 响应时限已用 80%",
        ),
        acked,
        job,
        snoozed,
        alert(
            5,
            AlertKey::health("db2", Metric::Unreachable, ""),
            Level::Crit,
            120,
            "host unreachable (timeout)",
            "主机不可达（超时）",
        ),
    ]
}

fn silence() -> Silence {
    Silence {
        id: 7,
        scope: SilenceScope::Host,
        target: "app1".into(),
        reason: "内核升级".into(),
        created_by: "王工".into(),
        created_at: NOW - 60,
        until: NOW + 3600,
        ended_at: None,
        ended_by: None,
    }
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        app.on_event(key(KeyCode::Char(c)));
    }
}

fn alerts_app(lang: Lang, silenced: bool) -> App {
    let mut app = App::new(ctx(lang), Vec::new());
    app.on_event(Event::Worker(WorkerMsg::Store(StoreMsg::Alerts(stream()))));
    if silenced {
        app.on_event(Event::Worker(WorkerMsg::Store(StoreMsg::Silences(vec![silence()]))));
    }
    app.on_event(key(KeyCode::Char('6')));
    assert_eq!(app.focus, Focus::Alerts);
    app.outbox.clear();
    app
}

fn sent(app: &mut App) -> Vec<StoreCmd> {
    app.outbox
        .drain(..)
        .filter_map(|c| match c {
            Command::Store(s) => Some(s),
            _ => None,
        })
        .collect()
}

#[test]
fn the_stream_is_ordered_by_severity_then_age_with_states_and_a_banner() {
    let mut app = alerts_app(Lang::En, true);
    let text = screen(&draw(&mut app, 120, 30));
    let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("{needle}:\n{text}"));
    // Critical first, the newest first among them; then the warnings.
    assert!(at("db2 unreachable") < at("app1-logs") && at("app1-logs") < at("db1 disk /u01"), "{text}");
    assert!(
        at("db1 disk /u01") < at("YW-20261127-0003") && at("YW-20261127-0003") < at("web2 load"),
        "{text}"
    );
    assert!(text.contains("silenced: host app1 until 04:04 (王工: 内核升级)"), "{text}");
    // The job on the silenced host is silenced; the snoozed one says so; the acknowledged one.
    let line = |needle: &str| text.lines().find(|l| l.contains(needle)).unwrap_or("").to_string();
    assert!(line("app1-logs").contains("silenced"), "{text}");
    assert!(line("web2 load").contains("snoozed"), "{text}");
    assert!(line("db1 disk").contains("acknowledged") && line("db1 disk").contains("1h"), "{text}");
    assert!(text.contains("5 alerts  2 critical  2 open  1 acknowledged  1 snoozed  1 silenced"), "{text}");
    // The selected one (the first) in full.
    assert!(
        text.contains("#5 health/db2/unreachable") && text.contains("host unreachable (timeout)"),
        "{text}"
    );
    // In Chinese, the reasons and the words too.
    let mut app = alerts_app(Lang::ZhCn, true);
    let text = screen(&draw(&mut app, 120, 30));
    assert!(
        text.contains("主机不可达（超时）") && text.contains("已静默") && text.contains("已暂缓"),
        "{text}"
    );
    assert!(text.contains("静默中：主机 app1，至 04:04（王工：内核升级）"), "{text}");
}

#[test]
fn acts_go_to_the_store_thread_and_mistakes_are_asked_again() {
    let mut app = alerts_app(Lang::En, true);
    // a: a note, then the acknowledgement.
    app.on_event(key(KeyCode::Char('a')));
    typed(&mut app, "重启 sshd 后恢复");
    app.on_event(key(KeyCode::Enter));
    assert_eq!(sent(&mut app), [StoreCmd::AckAlert { id: 5, note: Some("重启 sshd 后恢复".into()) }]);
    // An acknowledged one is not acknowledged twice.
    app.on_event(key(KeyCode::Down));
    app.on_event(key(KeyCode::Down));
    app.on_event(key(KeyCode::Char('a')));
    assert!(sent(&mut app).is_empty());
    assert!(app.flash.as_ref().is_some_and(|f| f.text.contains("acknowledged by 王工")));
    // z: a duration (1h proposed); a bad one is said and asked again.
    app.on_event(key(KeyCode::Char('z')));
    for _ in 0..2 {
        app.on_event(key(KeyCode::Backspace));
    }
    typed(&mut app, "soon");
    app.on_event(key(KeyCode::Enter));
    assert!(sent(&mut app).is_empty());
    assert!(app.flash.as_ref().is_some_and(|f| f.error && f.text.contains("soon")));
    for _ in 0..4 {
        app.on_event(key(KeyCode::Backspace));
    }
    typed(&mut app, "30m");
    app.on_event(key(KeyCode::Enter));
    assert_eq!(sent(&mut app), [StoreCmd::SnoozeAlert { id: 2, until: NOW + 1800 }]);
    // m: what (the selected alert's host proposed), until when, why (asked again when empty).
    app.on_event(key(KeyCode::Char('m')));
    let text = screen(&draw(&mut app, 100, 30));
    assert!(text.contains("silence (host/job/pattern NAME): host db1"), "{text}");
    app.on_event(key(KeyCode::Enter));
    let text = screen(&draw(&mut app, 100, 30));
    assert!(text.contains("silence host db1 for (2h) or until (06:00): 2h"), "{text}");
    app.on_event(key(KeyCode::Enter));
    app.on_event(key(KeyCode::Enter));
    assert!(sent(&mut app).is_empty(), "a reason is needed");
    typed(&mut app, "扩容 /u01");
    app.on_event(key(KeyCode::Enter));
    assert_eq!(
        sent(&mut app),
        [StoreCmd::Silence {
            scope: SilenceScope::Host,
            target: "db1".into(),
            reason: "扩容 /u01".into(),
            until: NOW + 7200
        }]
    );
    // A job by name, until a time of day.
    app.on_event(key(KeyCode::Char('m')));
    for _ in 0.."host db1".len() {
        app.on_event(key(KeyCode::Backspace));
    }
    typed(&mut app, "job app1-logs");
    app.on_event(key(KeyCode::Enter));
    app.on_event(key(KeyCode::Backspace));
    app.on_event(key(KeyCode::Backspace));
    typed(&mut app, "2026-11-27 06:00");
    app.on_event(key(KeyCode::Enter));
    typed(&mut app, "换盘");
    app.on_event(key(KeyCode::Enter));
    assert_eq!(
        sent(&mut app),
        [StoreCmd::Silence {
            scope: SilenceScope::Job,
            target: "app1-logs".into(),
            reason: "换盘".into(),
            until: NOW + 3 * 3600 - 245
        }]
    );
    // Esc closes a prompt without effect.
    app.on_event(key(KeyCode::Char('m')));
    app.on_event(key(KeyCode::Esc));
    assert!(sent(&mut app).is_empty());
    // U lifts the silence covering the selected alert (the job on app1).
    app.on_event(key(KeyCode::Up));
    app.on_event(key(KeyCode::Char('U')));
    assert_eq!(sent(&mut app), [StoreCmd::LiftSilence { id: 7 }]);
    // enter asks for the episodes, which then show.
    app.on_event(key(KeyCode::Enter));
    let key3 = AlertKey::Backup { job: "app1-logs".into() };
    assert_eq!(sent(&mut app), [StoreCmd::Episodes { key: key3.clone() }]);
    let mut old = stream()[2].clone();
    old.id = 1;
    old.opened_at = NOW - 86400;
    old.cleared_at = Some(NOW - 80000);
    let rows = vec![stream()[2].clone(), old];
    app.on_event(Event::Worker(WorkerMsg::Store(StoreMsg::Episodes { key: key3, rows })));
    let text = screen(&draw(&mut app, 100, 30));
    assert!(text.contains("2 on record") && text.contains("#1 11-26 03:04 → 11-26 04:50 (1h 46m)"), "{text}");
    // h: the history, read from the store.
    app.on_event(key(KeyCode::Char('h')));
    assert_eq!(sent(&mut app), [StoreCmd::AlertHistory]);
}

#[test]
fn s_asks_for_a_shell_on_the_alerts_host() {
    let mut app = alerts_app(Lang::En, false);
    // The first alert (the most severe, oldest) is on db2.
    app.on_event(key(KeyCode::Char('S')));
    assert_eq!(app.shell, Some(crate::shell::Request { host: "db2".into(), ticket: None }));
    // In the fleet pane with no host selected: said, nothing asked.
    let mut app = App::new(ctx(Lang::ZhCn), Vec::new());
    app.on_event(key(KeyCode::Char('S')));
    assert_eq!(app.shell, None);
    assert!(app.flash.as_ref().is_some_and(|f| f.error && f.text.contains("主机")));
}

#[test]
fn a_ticket_opens_prefilled_from_the_alert() {
    let mut app = alerts_app(Lang::En, false);
    app.on_event(key(KeyCode::Down));
    app.on_event(key(KeyCode::Char('n')));
    assert_eq!(app.focus, Focus::Tickets);
    let text = screen(&draw(&mut app, 120, 40));
    assert!(text.contains("app1: failed: verification exited with status 1"), "{text}");
    assert!(text.contains("monitoring"), "{text}");
}

#[test]
fn snapshots() {
    for lang in [Lang::En, Lang::ZhCn] {
        for (w, h) in [(80, 24), (40, 12)] {
            let mut app = alerts_app(lang, true);
            app.on_event(key(KeyCode::Down));
            let text = screen(&draw(&mut app, w, h));
            insta::assert_snapshot!(format!("alerts_{}_{w}x{h}", lang.code()), text);
        }
        let mut app = App::new(ctx(lang), Vec::new());
        app.on_event(key(KeyCode::Char('6')));
        let text = screen(&draw(&mut app, 80, 24));
        insta::assert_snapshot!(format!("alerts_{}_calm", lang.code()), text);
    }
}

#[test]
fn log_records_matching_a_rule_raise_an_alert_through_the_store_thread() {
    use crate::logs::alerts::{LogAlerts, LogRule};
    use crate::logs::record::Record;
    use crate::logs::sources::SourceSpec;
    use crate::workers::logs::LogsMsg;
    let mut app = App::new(ctx(Lang::En), Vec::new());
    let spec = SourceSpec {
        name: "app".into(),
        host: Some("app1".into()),
        pattern: "/var/log/app.log".into(),
        encoding: Default::default(),
        journal: None,
    };
    app.panes.logs = crate::panes::logs::LogsPane::new(vec![spec.clone()], 1000);
    app.log_alerts = LogAlerts::new(vec![LogRule {
        source: "app".into(),
        name: "oracle".into(),
        pattern: regex::Regex::new("ORA-[0-9]{5}").unwrap(),
        level: Level::Crit,
        window_s: 300,
        min_count: 1,
    }])
    .with_hosts(&[spec]);
    let at = Some(chrono::Local::now().fixed_offset());
    let records = vec![Record::whole(at, None, vec!["ERROR ORA-00600 internal error".into()])];
    app.on_event(Event::Worker(WorkerMsg::Logs(LogsMsg::Records { source: 0, records })));
    match sent(&mut app).as_slice() {
        [StoreCmd::ApplyAlerts(changes)] => {
            assert!(
                matches!(&changes[..], [crate::alerts::Change::Open { key, level: Level::Crit, host: Some(h), .. }] if key.to_string() == "log/app/oracle" && h == "app1"),
                "{changes:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    // The records still reach the Logs pane.
    assert_eq!(app.panes.logs.entries.len(), 1);
}

#[test]
fn the_duty_view_shows_large_figures_rings_for_a_new_critical_alert_and_is_calm_when_all_is_well() {
    let mut app = alerts_app(Lang::En, true);
    app.on_event(key(KeyCode::Char('D')));
    assert!(app.duty.on);
    let text = screen(&draw(&mut app, 80, 24));
    assert!(
        text.contains("night duty") && text.contains("hosts down") && text.contains("critical alerts"),
        "{text}"
    );
    // Two critical alerts ask for attention (the job on the silenced host does not), one host
    // is down, no backup fails but the silenced one; the newest critical first with its age.
    let figs = app.duty_figures();
    assert_eq!((figs.hosts_down, figs.critical, figs.backups_failing, figs.p1_open), (1, 2, 0, 0));
    let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("{needle}:\n{text}"));
    assert!(at("2m  db2") < at("1h  db1"), "{text}");
    assert!(text.contains("silenced: host app1"), "{text}");
    // The first list only primes; a new critical alert then rings and flashes, once.
    assert!(!app.duty.take_bell());
    let mut rows = stream();
    rows.push(alert(
        9,
        AlertKey::health("db3", Metric::Mem, ""),
        Level::Crit,
        5,
        "memory at 97 % (crit 95 %)",
        "内存已用 97%（严重阈值 95%）",
    ));
    app.on_event(Event::Worker(WorkerMsg::Store(StoreMsg::Alerts(rows.clone()))));
    assert!(app.duty.take_bell() && app.duty.flashing());
    assert!(!app.duty.take_bell(), "rung once");
    app.on_event(Event::Worker(WorkerMsg::Store(StoreMsg::Alerts(rows.clone()))));
    assert!(!app.duty.take_bell(), "the same alert again rings nothing");
    // A snoozed new critical rings nothing; neither does one with the bell switched off.
    let mut snoozed = alert(10, AlertKey::health("db4", Metric::Mem, ""), Level::Crit, 5, "m", "m");
    snoozed.snoozed_until = Some(NOW + 600);
    rows.push(snoozed);
    app.on_event(Event::Worker(WorkerMsg::Store(StoreMsg::Alerts(rows.clone()))));
    assert!(!app.duty.take_bell());
    app.duty.bell_enabled = false;
    rows.push(alert(11, AlertKey::health("db5", Metric::Mem, ""), Level::Crit, 5, "m", "m"));
    app.on_event(Event::Worker(WorkerMsg::Store(StoreMsg::Alerts(rows))));
    assert!(!app.duty.take_bell() && app.duty.flashing(), "the flash without the bell");
    app.duty.flash_until = None;
    // Esc goes back to the tabs; D again to the view.
    app.on_event(key(KeyCode::Esc));
    assert!(!app.duty.on && app.focus == Focus::Alerts);
    for lang in [Lang::En, Lang::ZhCn] {
        for (w, h) in [(80, 24), (40, 12)] {
            let mut app = alerts_app(lang, true);
            app.on_event(key(KeyCode::Char('D')));
            let text = screen(&draw(&mut app, w, h));
            insta::assert_snapshot!(format!("duty_{}_{w}x{h}", lang.code()), text);
        }
        // All well: calm and near empty.
        let mut app = App::new(ctx(lang), Vec::new());
        app.on_event(key(KeyCode::Char('D')));
        let text = screen(&draw(&mut app, 80, 24));
        assert!(text.lines().filter(|l| !l.trim().is_empty()).count() <= 4, "{text}");
        insta::assert_snapshot!(format!("duty_{}_calm", lang.code()), text);
    }
}

#[test]
fn a_pending_handover_shows_over_the_console_until_acknowledged() {
    let mut app = alerts_app(Lang::ZhCn, false);
    app.handover = Some((4, "# 交接班：王工 → 李四\n\n## 交接说明\n\ndb1 扩容待审批".into(), 0));
    let text = screen(&draw(&mut app, 80, 24));
    assert!(text.contains("交接班：a 确认") && text.contains("db1 扩容待审批"), "{text}");
    app.on_event(key(KeyCode::Char('6')));
    assert!(app.handover.is_some(), "keys go to the handover first");
    app.on_event(key(KeyCode::Esc));
    assert!(app.handover.is_none() && sent(&mut app).is_empty(), "later: not acknowledged");
    app.handover = Some((4, "# x".into(), 0));
    app.on_event(key(KeyCode::Char('a')));
    assert_eq!(sent(&mut app), [StoreCmd::AckHandover { id: 4 }]);
    assert!(app.handover.is_none());
}

#[test]
fn the_handover_is_written_from_the_duty_view() {
    let mut app = alerts_app(Lang::En, false);
    app.on_event(key(KeyCode::Char('D')));
    let text = screen(&draw(&mut app, 80, 24));
    assert!(text.contains("H handover  Esc tabs"), "{text}");
    app.on_event(key(KeyCode::Char('H')));
    let text = screen(&draw(&mut app, 100, 24));
    assert!(text.contains("handover (8 h), notes:"), "{text}");
    typed(&mut app, "db2 down since 03:02, called the IDC");
    app.on_event(key(KeyCode::Enter));
    assert_eq!(
        sent(&mut app),
        [StoreCmd::WriteHandover {
            since: NOW - 8 * 3600,
            note: "db2 down since 03:02, called the IDC".into()
        }]
    );
    assert!(app.duty.on && app.duty.form.is_none());
    // Esc closes the form without writing; a second Esc leaves the view.
    app.on_event(key(KeyCode::Char('H')));
    app.on_event(key(KeyCode::Esc));
    assert!(sent(&mut app).is_empty() && app.duty.on);
    app.on_event(key(KeyCode::Esc));
    assert!(!app.duty.on);
}
