//! The Logs pane alone at 80x24 and 40x12, in both languages: sources' header lines, records
//! merged by time, masking, and the severity colours asserted cell by cell.

use ratatui::style::Color;

use super::*;
use crate::i18n::Lang;
use crate::logs::record::RecordBuilder;
use crate::logs::sources::LogEncoding;
use crate::panes::testing::{cell_at, ctx, draw, pos, screen};

fn spec(name: &str, host: Option<&str>) -> SourceSpec {
    SourceSpec {
        name: name.into(),
        host: host.map(str::to_string),
        pattern: format!("/var/log/{name}.log"),
        encoding: LogEncoding::Auto,
        journal: None,
    }
}

fn records(lines: &[&str]) -> Vec<Record> {
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-27T12:00:00+08:00").unwrap();
    let mut b = RecordBuilder::new(now);
    let mut out: Vec<_> = lines.iter().filter_map(|l| b.push(l.to_string())).collect();
    out.extend(b.flush());
    out
}

/// Two local sources and a remote one still connecting, fed as the log workers feed it.
fn pane(c: &Ctx) -> LogsPane {
    let mut pane =
        LogsPane::new(vec![spec("app", None), spec("系统", None), spec("web", Some("web1"))], 1000);
    let mut out = Vec::new();
    let mut feed = |msg: LogsMsg| {
        let taken = pane.on_message(WorkerMsg::Logs(msg), c, &mut out);
        assert!(!matches!(taken, Taken::Not(_)), "the Logs pane takes its own messages");
    };
    feed(LogsMsg::Status { source: 0, status: SourceStatus::Following(1) });
    feed(LogsMsg::Status { source: 1, status: SourceStatus::Missing });
    feed(LogsMsg::Records {
        source: 0,
        records: records(&[
            "2026-11-27 03:00:01 INFO 用户 13812345678 登录成功",
            "2026-11-27 03:00:04 ERROR payment failed for 11010519491231002X",
            "java.lang.IllegalStateException: 余额不足",
            "\tat com.example.Pay.run(Pay.java:42)",
            "2026-11-27 03:00:06 WARN slow query 1200 ms",
            "2026-11-27 03:00:08 DEBUG cache hit",
        ]),
    });
    feed(LogsMsg::Records {
        source: 1,
        records: records(&[
            "Nov 27 03:00:02 host sshd[1]: Accepted publickey",
            "Nov 27 03:00:07 host kernel: 警告 温度过高",
        ]),
    });
    assert!(out.is_empty(), "records ask nothing of the workers: {out:?}");
    pane
}

#[test]
fn records_80x24_and_40x12_in_both_languages_with_severity_colours() {
    let mut c = ctx(Lang::En);
    let mut p = pane(&c);
    let term = draw(&mut p, &c, 80, 24);
    let text = screen(&term);
    insta::assert_snapshot!("logs_80x24", text);
    assert!(text.contains("138****5678") && text.contains("110105********002X"), "masked:\n{text}");
    assert!(!text.contains("13812345678"), "{text}");
    assert_eq!(cell_at(&term, "ERROR payment").fg, Color::Red, "errors are red (crit)");
    assert_eq!(cell_at(&term, "WARN slow").fg, Color::Yellow, "warnings are yellow");
    let debug = cell_at(&term, "DEBUG cache").fg;
    assert!(debug != Color::Red && debug != Color::Yellow, "debug is muted, not alarming");
    assert_eq!(cell_at(&term, "java.lang").fg, Color::Red, "a stack trace keeps its record's colour");
    // Merged by time across the two sources.
    let rows: Vec<u16> = ["登录成功", "Accepted", "ERROR payment", "WARN slow", "温度过高", "DEBUG"]
        .iter()
        .map(|n| pos(&term, n).1)
        .collect();
    assert!(rows.windows(2).all(|w| w[0] < w[1]), "{rows:?}\n{text}");
    insta::assert_snapshot!("logs_40x12", screen(&draw(&mut p, &c, 40, 12)));
    c.lang = Lang::ZhCn;
    insta::assert_snapshot!("logs_zh_80x24", screen(&draw(&mut p, &c, 80, 24)));
    insta::assert_snapshot!("logs_zh_40x12", screen(&draw(&mut p, &c, 40, 12)));
}

#[test]
fn a_remote_source_whose_host_is_unknown_says_so_in_both_languages() {
    let mut c = ctx(Lang::En);
    let mut p = pane(&c);
    let msg = WorkerMsg::Logs(LogsMsg::Status { source: 2, status: SourceStatus::NoSuchHost });
    assert_eq!(p.on_message(msg, &c, &mut Vec::new()), Taken::Redraw);
    let term = draw(&mut p, &c, 80, 24);
    assert_eq!(cell_at(&term, "no such host").fg, cell_at(&term, "missing").fg, "{}", screen(&term));
    c.lang = Lang::ZhCn;
    assert!(screen(&draw(&mut p, &c, 80, 24)).contains("没有这台经 SSH 连接的主机"));
}
