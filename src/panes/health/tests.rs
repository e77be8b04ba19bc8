//! The fleet pane alone: its table and detail at 80x24 and 40x12, in both languages, with the
//! colours that carry meaning asserted cell by cell.

use ratatui::style::Color;

use super::*;
use crate::alerts::{Alert, AlertKey, Metric, OpenAlerts};
use crate::health::HostError;
use crate::i18n::Lang;
use crate::panes::testing::{cell_at, ctx, draw, pos, sample, screen};
use crate::store::health::HistPoint;

/// 2026-11-27 03:04:00 +08:00, just before the context's clock.
const NOW: i64 = 1_795_719_840;

/// Four hosts: a quiet one with a Chinese name, one hot (CPU crit, disk warn, an open alert),
/// one down with its reason, one whose last figures are ten minutes old.
fn pane() -> (HealthPane, Ctx) {
    let rows = vec![
        HostRow::new("海口-应用1", vec!["app".into()], HostKind::Local),
        HostRow::new("db1", vec!["db".into()], HostKind::Remote),
        HostRow::new("exchange", vec![], HostKind::Remote),
        HostRow::new("old-nfs", vec![], HostKind::Remote),
    ];
    let mut pane = HealthPane::new(rows);
    let mut c = ctx(Lang::En);
    let mut out = Vec::new();
    pane.on_sample(sample("海口-应用1", 12.0, 40.0, NOW), &c, &mut out);
    pane.on_sample(sample("db1", 97.0, 85.0, NOW), &c, &mut out);
    let down = HostSample {
        name: "exchange".into(),
        reachable: false,
        error: Some(HostError { kind: "timeout".into(), message: "no answer within 10 s".into(), zh: None }),
        sampled_at: NOW,
        ..Default::default()
    };
    pane.on_sample(down, &c, &mut out);
    let stale = sample("old-nfs", 30.0, 20.0, NOW - 600);
    pane.on_sample(stale, &c, &mut out);
    c.alerts = OpenAlerts::new(vec![Alert {
        value: Some(97.0),
        message: "CPU 97%".into(),
        opened_at: NOW - 300,
        updated_at: NOW - 300,
        ..Alert::for_test(1, AlertKey::health("db1", Metric::Cpu, ""), Level::Crit)
    }]);
    (pane, c)
}

#[test]
fn table_80x24_and_40x12_in_both_languages() {
    let (mut pane, mut c) = pane();
    let term = draw(&mut pane, &c, 80, 24);
    insta::assert_snapshot!("table_80x24", screen(&term));
    // Colour carries meaning: a critical figure red, a warning yellow, a down host's reason
    // red, the alert mark red, stale figures dimmed.
    let text = screen(&term);
    let (_, row) = pos(&term, "db1");
    let (cpu_x, _) = pos(&term, "CPU%");
    let (disk_x, _) = pos(&term, "Disk%");
    let buf = term.backend().buffer();
    assert_eq!(buf[(cpu_x + 2, row)].fg, Color::Red, "CPU 97 % is critical:\n{text}");
    assert_eq!(buf[(disk_x + 3, row)].fg, Color::Yellow, "disk 85 % warns:\n{text}");
    assert_eq!(buf[(1, row)].symbol(), "!", "{text}");
    assert_eq!(buf[(1, row)].fg, Color::Red, "a critical alert's mark is red");
    let (_, quiet) = pos(&term, "old-nfs");
    assert_eq!(buf[(1, quiet)].symbol(), " ", "no alert, no mark");
    assert_eq!(cell_at(&term, "timed out").fg, Color::Red, "a down host says why, in red");
    assert_eq!(cell_at(&term, "10m").fg, c.theme.roles.stale.fg.unwrap_or(Color::Reset), "stale age dimmed");
    insta::assert_snapshot!("table_40x12", screen(&draw(&mut pane, &c, 40, 12)));
    c.lang = Lang::ZhCn;
    let term = draw(&mut pane, &c, 80, 24);
    insta::assert_snapshot!("table_zh_80x24", screen(&term));
    assert_eq!(cell_at(&term, "超时").fg, Color::Red, "{}", screen(&term));
    insta::assert_snapshot!("table_zh_40x12", screen(&draw(&mut pane, &c, 40, 12)));
}

#[test]
fn detail_80x24_and_40x12_with_history_and_alerts() {
    let (mut pane, mut c) = pane();
    let mut out = Vec::new();
    pane.handle(Action::Open, &c, &mut out);
    assert!(matches!(&pane.view, View::Detail(d) if d.host == "db1"), "the first host sorted by name");
    let history = Command::Store(StoreCmd::History { host: "db1".into(), range: HistRange::Hour });
    assert_eq!(out, vec![history], "opening the detail asks the store for the history");
    let points: Vec<HistPoint> = (0..60)
        .map(|i| HistPoint {
            ts: NOW - 3600 + i * 60,
            cpu_pct: Some(40.0 + (i % 30) as f64 * 2.0),
            mem_used_pct: Some(50.0),
            load1: Some(0.5),
            rx_bps: Some(1000.0),
            tx_bps: None,
        })
        .collect();
    let msg = WorkerMsg::Store(StoreMsg::History { host: "db1".into(), range: HistRange::Hour, points });
    assert_eq!(pane.on_message(msg, &c, &mut out), Taken::Redraw);
    let term = draw(&mut pane, &c, 80, 24);
    insta::assert_snapshot!("detail_80x24", screen(&term));
    assert_eq!(cell_at(&term, "critical").fg, Color::Red, "the open alert's level in its colour");
    insta::assert_snapshot!("detail_40x12", screen(&draw(&mut pane, &c, 40, 12)));
    c.lang = Lang::ZhCn;
    insta::assert_snapshot!("detail_zh_80x24", screen(&draw(&mut pane, &c, 80, 24)));
    insta::assert_snapshot!("detail_zh_40x12", screen(&draw(&mut pane, &c, 40, 12)));
}

#[test]
fn messages_of_other_panes_are_handed_back() {
    let (mut pane, c) = pane();
    let msg = WorkerMsg::Logs(crate::workers::logs::LogsMsg::Status {
        source: 0,
        status: crate::logs::sources::SourceStatus::Missing,
    });
    assert_eq!(pane.on_message(msg.clone(), &c, &mut Vec::new()), Taken::Not(msg));
}

#[test]
fn yunweis_own_processes_are_named_so_and_dimmed_in_the_detail() {
    let rows = vec![HostRow::new("db1", vec![], HostKind::Remote)];
    let mut pane = HealthPane::new(rows);
    let mut c = ctx(Lang::En);
    let mut s = sample("db1", 12.0, 40.0, NOW);
    s.top_processes = vec![
        crate::health::ProcessMem { pid: 42, name: "java".into(), rss_kib: 2 << 20, by_yunwei: false },
        crate::health::ProcessMem { pid: 77, name: "apt-get".into(), rss_kib: 90 << 10, by_yunwei: true },
    ];
    let mut out = Vec::new();
    pane.on_sample(s, &c, &mut out);
    pane.handle(Action::Open, &c, &mut out);
    let term = draw(&mut pane, &c, 100, 40);
    let text = screen(&term);
    assert!(text.contains("      77 apt-get (yunwei's own)"), "{text}");
    assert!(text.contains("      42 java "), "{text}");
    assert_eq!(Some(cell_at(&term, "77 apt-get").fg), c.theme.roles.muted.fg);
    assert_ne!(Some(cell_at(&term, "42 java").fg), c.theme.roles.muted.fg);
    c.lang = Lang::ZhCn;
    assert!(screen(&draw(&mut pane, &c, 100, 40)).contains("apt-get (运维台自身)"));
}

/// What a round could not read is said under the figures it leaves out, in the reader's
/// language, the warning's label in the warning colour.
#[test]
fn what_a_round_could_not_read_is_said_in_the_detail() {
    let rows = vec![HostRow::new("nfs1", vec![], HostKind::Remote)];
    let mut pane = HealthPane::new(rows);
    let mut c = ctx(Lang::En);
    let mut s = sample("nfs1", 12.0, 40.0, NOW);
    s.disks.clear();
    s.warnings = vec![crate::i18n::Both::new(
        "df -PTk: timed out after 5 s (hung mount?)",
        "df -PTk：5 秒内未完成（挂载点无响应？）",
    )];
    let mut out = Vec::new();
    pane.on_sample(s, &c, &mut out);
    pane.handle(Action::Open, &c, &mut out);
    let term = draw(&mut pane, &c, 100, 40);
    let text = screen(&term);
    assert!(
        text.contains("some figures could not be read: df -PTk: timed out after 5 s (hung mount?)"),
        "{text}"
    );
    assert_eq!(Some(cell_at(&term, "some figures could not").fg), c.theme.roles.warn.fg);
    c.lang = Lang::ZhCn;
    let text = screen(&draw(&mut pane, &c, 100, 40));
    assert!(text.contains("部分指标无法读取: df -PTk：5 秒内未完成（挂载点无响应？）"), "{text}");
}

#[test]
fn interfaces_with_errors_and_drops_coloured_by_their_thresholds_in_the_detail() {
    use crate::health::NetRate;
    let rows = vec![HostRow::new("exchange", vec![], HostKind::Remote)];
    let mut pane = HealthPane::new(rows);
    let mut c = ctx(Lang::En);
    let mut s = sample("exchange", 12.0, 40.0, NOW);
    let iface = |name: &str, errors: f64, drops: f64| NetRate {
        iface: name.into(),
        rx_bytes_per_s: 2_000_000.0,
        tx_bytes_per_s: 500_000.0,
        errors_per_s: errors,
        drops_per_s: drops,
    };
    s.net = vec![iface("lo", 0.0, 50.0), iface("eth0", 0.0, 0.0), iface("eth1", 12.5, 15.0)];
    let mut out = Vec::new();
    pane.on_sample(s, &c, &mut out);
    pane.handle(Action::Open, &c, &mut out);
    let term = draw(&mut pane, &c, 100, 60);
    let text = screen(&term);
    assert!(text.contains("Interfaces"), "{text}");
    assert!(text.contains("eth1                  1.9M      488K        12        15"), "{text}");
    let roles = &c.theme.roles;
    let (x, y) = pos(&term, "eth1 ");
    let buf = term.backend().buffer();
    let at = |dx: u16| buf[(x + dx, y)].fg;
    // errors/s 12.5 ≥ crit 10, drops/s 15 ≥ warn 10; the loopback is never judged.
    assert_eq!(Some(at(45)), roles.crit.fg, "{text}");
    assert_eq!(Some(at(55)), roles.warn.fg, "{text}");
    let (lx, ly) = pos(&term, "lo  ");
    assert_eq!(Some(buf[(lx + 55, ly)].fg), roles.muted.fg);
    c.lang = Lang::ZhCn;
    let text = screen(&draw(&mut pane, &c, 100, 60));
    assert!(text.contains("网络接口") && text.contains("丢包/秒"), "{text}");
}

/// Samples that reorder the table leave the selection on its host: placed again when it is
/// next used (a key, a draw), not per sample, and a move goes on from that host.
#[test]
fn selection_follows_its_host_through_samples_that_reorder_the_table() {
    let (mut pane, c) = pane();
    let mut out = Vec::new();
    let _ = draw(&mut pane, &c, 80, 24);
    pane.sort = Column::Cpu;
    // By CPU, biggest first: db1 97, old-nfs 30, 海口-应用1 12, then exchange (down).
    let _ = pane.handle(Action::Top, &c, &mut out);
    let _ = pane.handle(Action::Down, &c, &mut out);
    assert_eq!(pane.selected_host(&c).map(|h| h.name.as_str()), Some("old-nfs"));
    pane.on_sample(sample("old-nfs", 99.0, 20.0, NOW), &c, &mut out);
    pane.on_sample(sample("db1", 5.0, 20.0, NOW), &c, &mut out);
    assert_eq!(pane.selected_host(&c).map(|h| h.name.as_str()), Some("old-nfs"));
    // Now old-nfs 99, 海口-应用1 12, db1 5: Down from old-nfs lands on 海口-应用1.
    let _ = pane.handle(Action::Down, &c, &mut out);
    assert_eq!(pane.table.selected(), Some(1));
    assert_eq!(pane.selected_host(&c).map(|h| h.name.as_str()), Some("海口-应用1"));
    // A draw places it too.
    pane.on_sample(sample("海口-应用1", 100.0, 20.0, NOW), &c, &mut out);
    let _ = draw(&mut pane, &c, 80, 24);
    assert_eq!(pane.table.selected(), Some(0));
}

/// The latest baseline run in the detail: counts, each failing or partly met item with its
/// value (a tab shown as a space), the items the login could not read by name, each sign with
/// its evidence, and what was not looked at; in both languages.
#[test]
fn the_latest_baseline_run_is_shown_with_what_could_not_be_read() {
    use crate::baseline::signs::{Kind, Sign};
    use crate::baseline::{Finding, Item, State};
    let rows = vec![HostRow::new("exchange", vec![], HostKind::Remote)];
    let mut pane = HealthPane::new(rows);
    let mut c = ctx(Lang::En);
    let mut out = Vec::new();
    pane.on_sample(sample("exchange", 12.0, 40.0, NOW), &c, &mut out);
    pane.handle(Action::Open, &c, &mut out);
    let finding = |id: Item, state: State, value: &str| Finding {
        id,
        state,
        value: value.into(),
        expected: "x".into(),
        source: "s".into(),
        note: None,
    };
    let run = crate::store::baseline::StoredRun {
        id: 1,
        host: "exchange".into(),
        at: NOW - 3600,
        complete: false,
        as_root: false,
        error: None,
        findings: vec![
            finding(Item::PassMaxDays, State::NotReadable, "/etc/shadow"),
            finding(Item::SudoAll, State::Fail, "oracle\tALL=(ALL)\tNOPASSWD: ALL"),
            finding(Item::Tmout, State::Warn, "TMOUT is not set"),
            finding(Item::EmptyPasswords, State::NotReadable, "/etc/shadow"),
            finding(Item::Firewall, State::Pass, "firewalld"),
        ],
        signs: vec![Sign {
            kind: Kind::TmpExe,
            weak: false,
            evidence: "pid 23817 /tmp/.x/kdevtmpfsi".into(),
            note: None,
        }],
        unseen: vec![crate::i18n::Both::new("/root/.ssh could not be read", "/root/.ssh 无法读取")],
    };
    let msg = WorkerMsg::Store(StoreMsg::Baseline { host: "exchange".into(), run: Some(Box::new(run)) });
    assert_eq!(pane.on_message(msg.clone(), &c, &mut out), Taken::Redraw);
    let term = draw(&mut pane, &c, 100, 90);
    let text = screen(&term);
    assert!(text.contains("  fail sudo_all oracle ALL=(ALL) NOPASSWD: ALL"), "{text}");
    assert!(text.contains("  not readable pass_max_days empty_passwords"), "{text}");
    assert!(text.contains("pid 23817 /tmp/.x/kdevtmpfsi"), "{text}");
    assert_eq!(Some(cell_at(&term, "fail sudo_all").fg), c.theme.roles.crit.fg);
    c.lang = Lang::ZhCn;
    let text = screen(&draw(&mut pane, &c, 100, 90));
    assert!(text.contains("  无法读取 pass_max_days empty_passwords"), "{text}");
    assert!(text.contains("部分符合 tmout 未设置 TMOUT"), "{text}");
    assert!(text.contains("未能检查：/root/.ssh 无法读取"), "{text}");
}
