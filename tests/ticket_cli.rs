//! `yunwei ticket …` as the built binary on real SQLite files: the workflow and its refusals,
//! stale versions, two engineers (separate processes) changing one ticket at once, thirty notes
//! written at the same moment, `kill -9` in the middle of writes, a history edited behind
//! yunwei's back (with the sqlite3 shell) found by `ticket verify`, SLA clocks at a set time,
//! Chinese search, in English and Chinese.

use std::path::Path;
use std::process::{Command, Stdio};

fn yunwei(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yunwei"));
    c.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("YUNWEI_DB", home.join("t.db"))
        .env("YUNWEI_OPERATOR", "王工")
        .env("YUNWEI_NOW", "2026-11-27T01:00:00+08:00")
        .env_remove("YUNWEI_CONFIG")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    c
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("run yunwei");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn sqlite3(db: &Path, sql: &str) -> String {
    let out = Command::new("sqlite3").arg(db).arg(sql).output().expect("sqlite3 is installed");
    assert!(out.status.success(), "sqlite3 {sql}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

const CALL: &[&str] = &[
    "ticket",
    "add",
    "--channel",
    "phone",
    "--caller",
    "李敏",
    "--phone",
    "13812345678",
    "--unit",
    "三亚市卫生健康委员会",
    "--category",
    "data",
    "--impact",
    "high",
    "--urgency",
    "medium",
    "--summary",
    "人口数据推送失败",
    "--description",
    "凌晨起向省平台推送全部失败",
    "--host",
    "exchange",
    "--json",
];

fn add(home: &Path) -> serde_json::Value {
    let (code, out, err) = run(yunwei(home).args(CALL));
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn a_call_becomes_a_numbered_ticket_with_its_clocks_and_walks_the_workflow() {
    let home = tempfile::tempdir().unwrap();
    let t = add(home.path());
    assert_eq!(t["id"], "YW-20261127-001");
    assert_eq!(t["priority"], "P2");
    assert_eq!(t["status"], "new");
    assert_eq!(t["caller_phone"], "138****5678", "masked by default");
    assert_eq!(t["created_at"], "2026-11-27T01:00:00+08:00");
    assert_eq!(t["sla"]["response_due"], "2026-11-27T01:30:00+08:00");
    assert_eq!(t["sla"]["resolution_due"], "2026-11-27T09:00:00+08:00");
    assert_eq!(
        std::fs::metadata(home.path().join("t.db"))
            .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o777)
            .unwrap(),
        0o600
    );

    // A move the workflow does not allow is refused with the allowed ones, in either language.
    let (code, _, err) =
        run(yunwei(home.path()).args(["ticket", "move", "YW-20261127-001", "--to", "resolved"]));
    assert_eq!(code, 2);
    assert!(err.contains("from new it may move to: acknowledged, cancelled"), "{err}");
    let (code, _, err) =
        run(yunwei(home.path()).args(["--lang", "zh-CN", "ticket", "move", "#1", "--to", "closed"]));
    assert_eq!(code, 2);
    assert!(err.contains("新建（new）可以转为：已受理（acknowledged）、已取消（cancelled）"), "{err}");
    let (code, _, err) = run(yunwei(home.path()).args(["ticket", "move", "#1", "--to", "done"]));
    assert_eq!(code, 2);
    assert!(err.contains("--to \"done\" is not one of: new, acknowledged, in_progress"), "{err}");

    // Acknowledged 20 minutes in: the response is met; pending for an hour pauses resolution.
    let step = |now: &str, args: &[&str]| {
        let (code, out, err) = run(yunwei(home.path()).env("YUNWEI_NOW", now).args(args));
        assert_eq!(code, 0, "{args:?}: {err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    step(
        "2026-11-27T01:20:00+08:00",
        &["ticket", "move", "#1", "--to", "acknowledged", "--expect-version", "1", "--json"],
    );
    step("2026-11-27T01:30:00+08:00", &["ticket", "move", "#1", "--to", "in_progress", "--json"]);
    step(
        "2026-11-27T02:00:00+08:00",
        &["ticket", "move", "#1", "--to", "pending", "--note", "等待省平台回复", "--json"],
    );
    let t = step("2026-11-27T03:00:00+08:00", &["ticket", "move", "#1", "--to", "in_progress", "--json"]);
    assert_eq!(t["sla"]["response_met"], true);
    assert_eq!(t["sla"]["paused_s"], 3600);
    assert_eq!(t["sla"]["resolution_due"], "2026-11-27T10:00:00+08:00");
    let t = step(
        "2026-11-27T04:00:00+08:00",
        &["ticket", "escalate", "#1", "--to", "赵工", "--reason", "需要二线", "--json"],
    );
    assert_eq!((t["escalation_level"].as_i64(), t["assignee"].as_str()), (Some(1), Some("赵工")));
    let t = step("2026-11-27T05:00:00+08:00", &["ticket", "move", "#1", "--to", "resolved", "--json"]);
    assert_eq!(t["sla"]["resolution_met"], true);
    assert_eq!(t["version"], 7);
    let shown = step("2026-11-28T05:00:00+08:00", &["ticket", "show", "YW-20261127-001", "--json"]);
    assert_eq!(shown["notes"][0]["text"], "等待省平台回复");
    assert_eq!(shown["notes"][0]["created_at"], "2026-11-27T02:00:00+08:00");
    let fields: Vec<&str> =
        shown["history"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(
        fields.contains(&"escalation_reason") && fields.iter().filter(|f| **f == "status").count() == 6,
        "{fields:?}"
    );

    // Open tickets are listed; resolved is still open, closed is not.
    let (_, out, _) = run(yunwei(home.path()).args(["ticket", "list"]));
    assert!(out.contains("YW-20261127-001   P2  resolved"), "{out}");
    run(yunwei(home.path()).args(["ticket", "move", "#1", "--to", "closed"]));
    let (_, out, _) = run(yunwei(home.path()).args(["--lang", "zh-CN", "ticket", "list"]));
    assert_eq!(out.trim(), "没有工单");
    let (_, out, _) = run(yunwei(home.path()).args(["ticket", "list", "--all", "--search", "推送"]));
    assert!(out.contains("YW-20261127-001"), "{out}");
    let (_, out, _) = run(yunwei(home.path()).args(["ticket", "list", "--all", "--search", "回复"]));
    assert!(out.contains("YW-20261127-001"), "a note's words find the ticket: {out}");
    let (_, out, _) = run(yunwei(home.path()).args(["ticket", "list", "--all", "--search", "打印"]));
    assert_eq!(out.trim(), "no tickets");

    // Unmasked views are audited.
    let (code, out, _) = run(yunwei(home.path()).args(["ticket", "show", "#1", "--no-mask"]));
    assert_eq!(code, 0);
    assert!(out.contains("13812345678"), "{out}");
    let audit = sqlite3(&home.path().join("t.db"), "SELECT operator, action, target FROM audit");
    assert_eq!(audit, "王工|ticket show --no-mask|YW-20261127-001");
}

#[test]
fn two_engineers_assigning_from_one_version_one_wins_and_the_other_is_told_who() {
    let home = tempfile::tempdir().unwrap();
    add(home.path());
    for round in 0..5 {
        let version = {
            let (_, out, _) = run(yunwei(home.path()).args(["ticket", "show", "#1", "--json"]));
            serde_json::from_str::<serde_json::Value>(&out).unwrap()["version"].as_i64().unwrap()
        };
        let spawn = |who: &str| {
            yunwei(home.path())
                .env("YUNWEI_OPERATOR", who)
                .args(["ticket", "assign", "#1", "--to", who, "--expect-version", &version.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(&format!("赵工{round}")), spawn(&format!("钱工{round}")));
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        let mut codes = [a.status.code(), b.status.code()];
        codes.sort();
        assert_eq!(codes, [Some(0), Some(3)], "round {round}");
        let loser = if a.status.code() == Some(3) { a } else { b };
        let err = String::from_utf8_lossy(&loser.stderr);
        assert!(
            err.contains(&format!("changed since version {version}")) && err.contains("changed by"),
            "{err}"
        );
    }
}

#[test]
fn thirty_notes_written_at_the_same_moment_are_all_kept() {
    let home = tempfile::tempdir().unwrap();
    add(home.path());
    let children: Vec<_> = (0..30)
        .map(|i| {
            yunwei(home.path())
                .args(["ticket", "note", "#1", "--text", &format!("第 {i} 条备注")])
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let db = home.path().join("t.db");
    assert_eq!(sqlite3(&db, "SELECT count(*) FROM ticket_notes"), "30");
    assert_eq!(sqlite3(&db, "SELECT count(DISTINCT text) FROM ticket_notes"), "30");
    let (code, out, _) = run(yunwei(home.path()).args(["ticket", "verify"]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 tickets, 33 events"), "{out}");
}

#[test]
fn killed_mid_write_every_ticket_reported_is_kept_and_the_file_is_sound() {
    let home = tempfile::tempdir().unwrap();
    add(home.path());
    let script = format!(
        "while true; do {} {} >> {}/out.jsonl || exit 1; done",
        env!("CARGO_BIN_EXE_yunwei"),
        CALL.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(" "),
        home.path().display()
    );
    let mut loops: Vec<_> = (0..2)
        .map(|_| {
            Command::new("sh")
                .arg("-c")
                .arg(&script)
                .env("HOME", home.path())
                .env("YUNWEI_DB", home.path().join("t.db"))
                .env("YUNWEI_OPERATOR", "王工")
                .env("YUNWEI_NOW", "2026-11-27T01:00:00+08:00")
                .env("XDG_CONFIG_HOME", home.path().join("config"))
                .env_remove("YUNWEI_CONFIG")
                .spawn()
                .unwrap()
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    // Every yunwei of the loops dies by SIGKILL wherever it is.
    let _ = Command::new("pkill").args(["-9", "-f", "ticket add --channel phone"]).status();
    for l in &mut loops {
        let _ = l.kill();
        let _ = l.wait();
    }
    let _ = Command::new("pkill").args(["-9", "-f", "ticket add --channel phone"]).status();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let db = home.path().join("t.db");
    assert_eq!(sqlite3(&db, "PRAGMA integrity_check"), "ok");
    let reported: Vec<String> = std::fs::read_to_string(home.path().join("out.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert!(reported.len() >= 3, "the writers got going: {}", reported.len());
    let stored = sqlite3(&db, "SELECT group_concat(number, ' ') FROM tickets");
    for number in &reported {
        assert!(stored.split(' ').any(|n| n == number), "{number} was reported but is not stored");
    }
    let (code, out, _) = run(yunwei(home.path()).args(["ticket", "verify"]));
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_history_edited_with_the_sqlite3_shell_is_found_and_named() {
    let home = tempfile::tempdir().unwrap();
    add(home.path());
    add(home.path());
    run(yunwei(home.path()).args(["ticket", "move", "20261127-2", "--to", "acknowledged"]));
    let (code, out, _) = run(yunwei(home.path()).args(["ticket", "verify"]));
    assert_eq!(code, 0, "{out}");
    let db = home.path().join("t.db");
    // The history refuses edits; someone who drops the guard and edits is still found.
    let refused =
        Command::new("sqlite3").arg(&db).arg("UPDATE ticket_events SET actor = 'x'").output().unwrap();
    assert!(String::from_utf8_lossy(&refused.stderr).contains("append-only"));
    sqlite3(&db, "DROP TRIGGER ticket_events_no_update; UPDATE ticket_events SET at = at - 3600 WHERE ticket_id = 2 AND seq = 4");
    let (code, out, _) = run(yunwei(home.path()).args(["ticket", "verify"]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("YW-20261127-002: history broken: event 4"), "{out}");
    let (code, out, _) = run(yunwei(home.path()).args(["--lang", "zh-CN", "ticket", "verify"]));
    assert_eq!(code, 1);
    assert!(out.contains("YW-20261127-002：历史链断裂：第 4 条事件"), "{out}");
    // A deleted last event is found too.
    sqlite3(&db, "DROP TRIGGER ticket_events_no_delete; DELETE FROM ticket_events WHERE ticket_id = 1 AND seq = (SELECT max(seq) FROM ticket_events WHERE ticket_id = 1)");
    let (_, out, _) = run(yunwei(home.path()).args(["ticket", "verify", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["broken"].as_array().unwrap().len(), 2);
}

#[test]
fn export_writes_csv_a_spreadsheet_reads_back_masked_and_without_formulas() {
    let home = tempfile::tempdir().unwrap();
    let (code, _, err) = run(yunwei(home.path()).args([
        "ticket",
        "add",
        "--channel",
        "phone",
        "--caller",
        "=HYPERLINK(\"http://x\")",
        "--phone",
        "13812345678",
        "--category",
        "data",
        "--impact",
        "high",
        "--urgency",
        "high",
        "--summary",
        "推送失败, \"省平台\"",
        "--description",
        "第一行\n第二行",
        "--host",
        "a",
        "--host",
        "b",
    ]));
    assert_eq!(code, 0, "{err}");
    run(yunwei(home.path()).env("YUNWEI_NOW", "2026-11-29T01:00:00+08:00").args([
        "ticket",
        "add",
        "--channel",
        "email",
        "--caller",
        "张三",
        "--category",
        "network",
        "--impact",
        "low",
        "--urgency",
        "low",
        "--summary",
        "网络慢",
    ]));
    let (code, csv, _) = run(yunwei(home.path()).args(["ticket", "export", "--to", "2026-11-27"]));
    assert_eq!(code, 0);
    std::fs::write(home.path().join("e.csv"), &csv).unwrap();
    // Python's csv module, as a spreadsheet would, reads the fields back whole.
    let out = Command::new("python3")
        .arg("-c")
        .arg(
            "import csv,json,sys; r=list(csv.DictReader(open(sys.argv[1],encoding='utf-8-sig'))); print(json.dumps(r))",
        )
        .arg(home.path().join("e.csv"))
        .output()
        .expect("python3");
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1, "--to is inclusive, the 29th is left out");
    let r = &rows[0];
    assert_eq!(r["id"], "YW-20261127-001");
    assert_eq!(r["caller"], "'=HYPERLINK(\"http://x\")", "no formula runs");
    assert_eq!(r["caller_phone"], "138****5678");
    assert_eq!(r["summary"], "推送失败, \"省平台\"");
    assert_eq!(r["description"], "第一行\n第二行");
    assert_eq!((r["hosts"].as_str(), r["priority"].as_str()), (Some("a;b"), Some("P1")));
    assert!(csv.starts_with('\u{feff}'), "a byte-order mark, for spreadsheets");
    let (_, csv, _) = run(yunwei(home.path()).args(["ticket", "export", "--no-mask"]));
    assert!(csv.contains("13812345678") && csv.contains("YW-20261129-001"));
    assert_eq!(
        sqlite3(&home.path().join("t.db"), "SELECT action, target FROM audit"),
        "ticket export --no-mask|2 tickets"
    );
    let (code, _, err) =
        run(yunwei(home.path()).args(["--lang", "zh-CN", "ticket", "export", "--from", "2026-13-01"]));
    assert_eq!(code, 2);
    assert!(err.contains("不是日期"), "{err}");
}

/// The team's sheet in GBK (as Excel on a Chinese Windows saves it): a sheet with one bad
/// line is refused whole, every problem named with its line; the good one is imported with
/// its history (SLA clocks from its own times); importing it again is refused; a dry run writes
/// nothing.
#[test]
fn import_a_gbk_sheet_all_or_nothing_every_bad_line_named() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("t.db");
    let header = "编号,来电时间,渠道,报告人,联系电话,单位,类别,影响,紧急,摘要,状态,受理时间,解决时间,关闭时间,处理人\n";
    let good: Vec<String> = (1..=30)
        .map(|i| {
            let d = (i % 28) + 1;
            format!("E-{i:03},2026-10-{d:02} 09:00,电话,李敏,1381234{i:04},三亚市卫生健康委员会,数据,高,中,推送失败 {i},已关闭,2026-10-{d:02} 09:20,2026-10-{d:02} 11:00,2026-10-{d:02} 12:00,王工\n")
        })
        .collect();
    let gbk = |s: &str| encoding_rs::GBK.encode(s).0.into_owned();
    let bad = format!("{header}{}E-031,昨天,传真,,,,数据,特高,中,x,new,,,\n{}E-032,2026-10-02 09:00,电话,王海燕,,,安全,低,低,y,已关闭,,,\n", good[0], good[1]);
    std::fs::write(home.path().join("bad.csv"), gbk(&bad)).unwrap();
    std::fs::write(home.path().join("good.csv"), gbk(&format!("{header}{}", good.concat()))).unwrap();
    let (code, _, err) =
        run(yunwei(home.path()).args(["--lang", "en", "ticket", "import"]).arg(home.path().join("bad.csv")));
    assert_eq!(code, 2, "{err}");
    for line in [
        "bad.csv:3: 报告人 is empty",
        "bad.csv:3: 渠道 “传真” is none of",
        "bad.csv:3: 影响 “特高”",
        "bad.csv:3: 来电时间 “昨天” is not a time",
        "bad.csv:5: a ticket that is closed needs its 受理时间",
        "nothing was imported",
    ] {
        assert!(err.contains(line), "{line}:\n{err}");
    }
    assert_eq!(sqlite3(&db, "SELECT count(*) FROM tickets"), "0");
    let (code, out, err) =
        run(yunwei(home.path()).args(["ticket", "import", "--dry-run"]).arg(home.path().join("good.csv")));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(GBK): 30 tickets would be imported"), "{out}");
    assert_eq!(sqlite3(&db, "SELECT count(*) FROM tickets"), "0");
    let (code, out, err) = run(yunwei(home.path())
        .args(["--lang", "zh-CN", "ticket", "import", "--json"])
        .arg(home.path().join("good.csv")));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["tickets"].as_u64(), v["encoding"].as_str()), (Some(30), Some("GBK")));
    assert_eq!(
        sqlite3(&db, "SELECT count(*) FROM tickets WHERE status = 'closed' AND assignee = '王工'"),
        "30"
    );
    // Its clocks come from the sheet's times: acknowledged after 20 minutes of a P2's 30.
    let (_, out, _) =
        run(yunwei(home.path()).args(["ticket", "show", "--json", v["numbers"][0].as_str().unwrap()]));
    let t: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(t["created_at"], "2026-10-02T09:00:00+08:00");
    assert_eq!(
        (t["sla"]["response_met"].as_bool(), t["sla"]["resolution_met"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(t["tags"][0], "sheet:E-001");
    let (code, _, err) = run(yunwei(home.path())
        .args(["--lang", "zh-CN", "ticket", "import"])
        .arg(home.path().join("good.csv")));
    assert_eq!(code, 2);
    assert!(err.contains("第 2 行：E-001 已导入过"), "{err}");
    assert_eq!(sqlite3(&db, "SELECT count(*) FROM tickets"), "30");
    let (code, _, _) = run(yunwei(home.path()).args(["ticket", "verify"]));
    assert_eq!(code, 0);
}

/// Headless Chromium (Debian's), as the tests start it: no sandbox (root), no network of its
/// own, a profile of its own.
fn chromium(profile: &Path) -> Command {
    let mut c = Command::new("chromium");
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .stdin(Stdio::null());
    c
}

/// The quarterly report on a seeded quarter: the figures in Markdown, the same page in HTML
/// with its four charts inline and no URL, both mode 0600 in a 0700 folder, in both
/// languages; Chromium reads the page (its DOM has the title, the charts and the breaches
/// table) and renders it to a PNG.
#[test]
fn the_quarterly_report_on_a_seeded_quarter_read_by_chromium() {
    use std::os::unix::fs::PermissionsExt;
    let ok = Command::new("chromium").arg("--version").output().map(|o| o.status.success()).unwrap_or(false);
    assert!(
        ok,
        "Debian's chromium is needed for the report test: apt-get install -y chromium (scripts/test does it)"
    );
    let home = tempfile::tempdir().unwrap();
    // The quarter's sheet: 60 tickets over October and November, every fifth acknowledged late.
    let mut sheet =
        String::from("编号,来电时间,渠道,报告人,单位,类别,影响,紧急,摘要,状态,受理时间,解决时间,关闭时间\n");
    let units = ["三亚市卫生健康委员会", "儋州市民政局", "<b>琼海|医院</b>"];
    let cats = ["网络", "安全", "软件", "数据", "服务器"];
    for i in 0..60 {
        let day = 1 + i % 28;
        let month = 10 + i / 30;
        let ack = if i % 5 == 0 { 50 } else { 5 };
        sheet.push_str(&format!(
            "Q-{i},2026-{month}-{day:02} 09:00,电话,李敏,{},{},中,中,推送失败 {i},已关闭,2026-{month}-{day:02} 09:{ack:02},2026-{month}-{day:02} 15:00,2026-{month}-{day:02} 16:00\n",
            units[i % 3],
            cats[i % 5]
        ));
    }
    std::fs::write(home.path().join("q4.csv"), sheet).unwrap();
    let (code, _, err) = run(yunwei(home.path())
        .env("YUNWEI_NOW", "2027-01-02T10:00:00+08:00")
        .args(["ticket", "import"])
        .arg(home.path().join("q4.csv")));
    assert_eq!(code, 0, "{err}");
    for (lang, title, breaches) in [
        ("en", "Quarterly service report 2026Q4", "Every SLA breach"),
        ("zh-CN", "运维服务季度报告 2026Q4", "全部超时记录"),
    ] {
        let out = home.path().join(format!("report-{lang}"));
        let (code, stdout, err) = run(yunwei(home.path())
            .env("YUNWEI_NOW", "2027-01-02T10:00:00+08:00")
            .args(["--lang", lang, "report", "quarterly", "--quarter", "2026Q4", "--out"])
            .arg(&out));
        assert_eq!(code, 0, "{err}");
        assert!(stdout.contains("60"), "{stdout}");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            (mode(&out), mode(&out.join("report.md")), mode(&out.join("report.html"))),
            (0o700, 0o600, 0o600)
        );
        let md = std::fs::read_to_string(out.join("report.md")).unwrap();
        assert!(md.starts_with(&format!("# {title}")) && md.contains(breaches), "{md}");
        // 12 of 60 acknowledged after 50 minutes of a P3's 2 hours: all met. Resolved after 6 h
        // of 24: met.
        assert!(md.contains("100.0% (60 / 60)"), "{md}");
        assert!(md.contains("&lt;b&gt;琼海\\|医院&lt;/b&gt; | 20 | 33.3% |"), "{md}");
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        assert_eq!(html.matches("<svg").count(), 4);
        assert!(!html.contains("http") && !html.contains("<b>"), "self-contained and escaped");
        // The browser's reading of it.
        let profile = home.path().join(format!("chromium-{lang}"));
        let url = format!("file://{}", out.join("report.html").display());
        let dom = chromium(&profile).arg("--dump-dom").arg(&url).output().unwrap();
        let dom = String::from_utf8_lossy(&dom.stdout);
        assert!(dom.contains(&format!("<title>{title}</title>")), "{dom}");
        assert_eq!(dom.matches("<svg").count(), 4, "{dom}");
        assert!(dom.contains(breaches) && dom.contains("&lt;b&gt;琼海|医院&lt;/b&gt;"), "{dom}");
        let png = home.path().join(format!("report-{lang}.png"));
        let shot = chromium(&profile)
            .arg("--window-size=1100,3000")
            .arg(format!("--screenshot={}", png.display()))
            .arg(&url)
            .output()
            .unwrap();
        assert!(shot.status.success(), "{}", String::from_utf8_lossy(&shot.stderr));
        let bytes = std::fs::read(&png).unwrap();
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000,
            "a page was drawn: {} bytes",
            bytes.len()
        );
    }
    // A quarter that is not one.
    let (code, _, err) =
        run(yunwei(home.path()).args(["--lang", "zh-CN", "report", "quarterly", "--quarter", "2026Q5"]));
    assert_eq!(code, 2);
    assert!(err.contains("不是季度"), "{err}");
}

/// A quarter of history for three hosts (one no longer configured, named to test escaping),
/// each filesystem recorded, /u01 of db1 filling; last quarter's baseline of db1 failing and
/// this quarter's passing, web1 inspected by an ordinary login.
fn seed_inspection(db: &Path) {
    use yunwei::baseline::{inspect, script::read, Settings};
    use yunwei::health::{DiskUsage, HostSample};
    let fixture = |name: &str| {
        std::fs::read_to_string(format!("{}/tests/fixtures/baseline/{name}", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
    };
    let mut store = yunwei::store::Store::open(db).unwrap();
    // 2026-10-01T00:00:00+08:00 to the end of the quarter, a sample every 30 minutes.
    let start = 1_790_784_000_i64;
    let end = start + 92 * 86_400;
    let disk = |mount: &str, pct: f64| DiskUsage {
        mount: mount.into(),
        fs_type: "xfs".into(),
        size_kib: 100 << 20,
        used_kib: (pct * 1_048_576.0) as u64,
        avail_kib: ((100.0 - pct) * 1_048_576.0) as u64,
        used_pct: pct.ceil(),
        inodes_used_pct: Some(12.0),
    };
    let mut batch = Vec::new();
    let mut t = start;
    while t < end {
        let f = (t - start) as f64 / (end - start) as f64;
        for (host, reachable) in
            [("db1", true), ("web1", (t / 1800) % 40 != 0), ("<i>old</i>", t < start + 20 * 86_400)]
        {
            let mut disks = vec![disk("/", 41.0)];
            if host == "db1" {
                disks.push(disk("/u01", 50.0 + 35.0 * f));
            }
            let boot =
                if host == "web1" && t > start + 40 * 86_400 { start + 40 * 86_400 } else { start - 86_400 };
            batch.push(HostSample {
                name: host.into(),
                reachable,
                sampled_at: t,
                cpu_pct: reachable.then_some(20.0 + 30.0 * f),
                load1: reachable.then_some(1.5),
                mem_used_pct: reachable.then_some(70.0),
                swap_used_pct: reachable.then_some(3.0),
                uptime_s: reachable.then_some((t - boot) as u64),
                disks: if reachable { disks } else { Vec::new() },
                ..Default::default()
            });
        }
        t += 1800;
    }
    store.record_samples(&batch).unwrap();
    store.maintain_health(end + 3 * 86_400).unwrap();
    // Postures: db1 quiet, web1 guessed at for a day; one posture could not count them.
    let zone = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    for day in 0..92 {
        let at = start + day * 86_400 + 3_600;
        store.record_posture("db1", at, zone, Some(u32::from(day % 30 == 0))).unwrap();
        store.record_posture("web1", at, zone, Some(if day == 10 { 240 } else { 0 })).unwrap();
        store.record_posture("web1", at + 1_800, zone, None).unwrap();
    }
    let today = (end + 86_400) / 86_400;
    let s = Settings::default();
    let before = inspect(&read(&fixture("centos6-root.out")), &s, today - 92, None);
    store.record_baseline_run("db1", start - 30 * 86_400, Ok(&before)).unwrap();
    let now = inspect(&read(&fixture("ubuntu2204-hardened-root.out")), &s, today, None);
    store.record_baseline_run("db1", end - 5 * 86_400, Ok(&now)).unwrap();
    let web = inspect(&read(&fixture("centos7-user.out")), &s, today, None);
    store.record_baseline_run("web1", end - 5 * 86_400, Ok(&web)).unwrap();
}

/// The inspection report on a seeded quarter in both languages: the document's sections, the
/// days until /u01 fills, the follow-up of last quarter (db1 fixed), the reboot, a host that left
/// the config still reported and escaped; the HTML self-contained, read and drawn by Chromium;
/// the CSV safe in a spreadsheet; `--tickets` opens one ticket per failing problem, and a second
/// run opens none.
#[test]
fn the_inspection_report_on_a_seeded_quarter_with_tickets() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("t.db");
    seed_inspection(&db);
    let config = home.path().join("c.toml");
    std::fs::write(&config, "[[hosts]]\nname = \"db1\"\naddress = \"127.0.0.1\"\n[[hosts]]\nname = \"web1\"\naddress = \"127.0.0.1\"\n").unwrap();
    let now = "2027-01-02T10:00:00+08:00";
    let sections = [
        "一、巡检概述与依据",
        "二、巡检范围",
        "三、巡检方法",
        "四、结果汇总",
        "五、问题清单",
        "六、上期整改跟踪",
        "八、巡检结论与处理建议",
    ];
    for lang in ["zh-CN", "en"] {
        let out = home.path().join(format!("insp-{lang}"));
        let (code, stdout, err) = run(yunwei(home.path())
            .env("YUNWEI_NOW", now)
            .args([
                "--config",
                config.to_str().unwrap(),
                "--lang",
                lang,
                "report",
                "inspection",
                "--quarter",
                "2026Q4",
                "--out",
            ])
            .arg(&out));
        assert_eq!(code, 0, "{err}");
        assert!(stdout.contains("2026Q4") && stdout.contains('3'), "{stdout}");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        for f in ["inspection.md", "inspection.html", "findings.csv"] {
            assert_eq!(mode(&out.join(f)), 0o600, "{f}");
        }
        let md = std::fs::read_to_string(out.join("inspection.md")).unwrap();
        if lang == "zh-CN" {
            for s in sections {
                assert!(md.contains(&format!("## {s}")), "{s}:\n{md}");
            }
            assert!(md.starts_with("# 例行巡检报告 2026Q4"), "{md}");
            // /u01 grows 35 points in 92 days and ends near 85%: full in about 40 days.
            let row = md.lines().find(|l| l.starts_with("| /u01 |")).unwrap_or_else(|| panic!("{md}"));
            let days: f64 = row
                .trim_end_matches(" |")
                .rsplit("| ")
                .next()
                .unwrap()
                .parse()
                .unwrap_or_else(|_| panic!("{row}"));
            assert!((35.0..50.0).contains(&days), "{row}");
            assert!(md.contains("| 重启次数 | 1 |"), "web1 rebooted once:\n{md}");
            // Last quarter's db1 problems are fixed now; web1 is inspected as an ordinary login.
            assert!(md.contains("| db1 | 仅 root 账户的 UID 为 0：不符合 | 高 | 已整改 |"), "{md}");
            assert!(md.contains("以普通用户登录"), "{md}");
            // web1's day of password guessing is a problem; db1's odd mistyped one is not.
            assert!(
                md.contains("| SSH 登录失败（24 小时内最多） | 240 | 10-11 01:00；92 天中有 1 天出现失败 |"),
                "{md}"
            );
            assert!(
                md.contains("SSH 登录失败次数过多") && md.contains("24 小时内最多 240 次（2026-10-11）"),
                "{md}"
            );
            assert_eq!(md.matches("| SSH 登录失败次数过多 |").count(), 1, "one problem row: {md}");
            assert!(md.contains("&lt;i&gt;old&lt;/i&gt; | 否（不在当前配置中）"), "{md}");
        } else {
            assert!(md.contains("## 6. Follow-up of the last period") && md.contains("| fixed |"), "{md}");
        }
        let html = std::fs::read_to_string(out.join("inspection.html")).unwrap();
        for external in ["http:", "https:", "src=", "href=", "@import", "url(", "<script", "<i>old"] {
            assert!(!html.contains(external), "{external} in the page");
        }
        assert!(html.matches("<svg").count() >= 7, "availability, and disks, memory and load per host");
        let csv = std::fs::read_to_string(out.join("findings.csv")).unwrap();
        assert!(csv.starts_with('\u{feff}'), "a BOM for spreadsheets");
        let profile = home.path().join(format!("chromium-insp-{lang}"));
        let url = format!("file://{}", out.join("inspection.html").display());
        let dom = chromium(&profile).arg("--dump-dom").arg(&url).output().unwrap();
        let dom = String::from_utf8_lossy(&dom.stdout);
        let title = if lang == "en" { "Inspection report 2026Q4" } else { "例行巡检报告 2026Q4" };
        assert!(dom.contains(&format!("<title>{title}</title>")), "{dom}");
        assert!(dom.matches("<svg").count() >= 7, "{dom}");
        let png = home.path().join(format!("inspection-{lang}.png"));
        let shot = chromium(&profile)
            .arg("--window-size=1100,3000")
            .arg(format!("--screenshot={}", png.display()))
            .arg(&url)
            .output()
            .unwrap();
        assert!(shot.status.success(), "{}", String::from_utf8_lossy(&shot.stderr));
        assert!(std::fs::read(&png).unwrap().len() > 20_000, "a page was drawn");
    }
    // Problems to tickets, once.
    let tickets = |extra: &[&str]| {
        let (code, stdout, err) = run(yunwei(home.path())
            .env("YUNWEI_NOW", now)
            .args([
                "--config",
                config.to_str().unwrap(),
                "--lang",
                "en",
                "report",
                "inspection",
                "--quarter",
                "2026Q4",
                "--tickets",
            ])
            .args(extra)
            .arg("--out")
            .arg(home.path().join("insp-t")));
        assert_eq!(code, 0, "{err}");
        stdout
    };
    let first = tickets(&[]);
    let opened = sqlite3(&db, "SELECT count(*) FROM ticket_tags WHERE tag LIKE 'inspection:%'");
    let n: usize = opened.parse().unwrap();
    assert!(n >= 5, "{first}");
    assert!(
        first.contains(&format!("{n} tickets opened, 0 problems already have an open ticket")),
        "{first}"
    );
    assert_eq!(
        sqlite3(
            &db,
            "SELECT count(*) FROM ticket_tags WHERE tag = 'inspection:web1:baseline/eol_distribution'"
        ),
        "1"
    );
    assert_eq!(
        sqlite3(&db, "SELECT t.category FROM tickets t JOIN ticket_tags g ON g.ticket_id = t.id WHERE g.tag = 'inspection:web1:baseline/eol_distribution'"),
        "security"
    );
    let again = tickets(&[]);
    assert!(
        again.contains(&format!("0 tickets opened, {n} problems already have an open ticket")),
        "{again}"
    );
    assert_eq!(sqlite3(&db, "SELECT count(*) FROM ticket_tags WHERE tag LIKE 'inspection:%'"), opened);
    // A host the database holds nothing of: said, nothing written, not a clean report.
    let empty = home.path().join("insp-none");
    let (code, _, err) = run(yunwei(home.path())
        .env("YUNWEI_NOW", now)
        .args(["--lang", "zh-CN", "report", "inspection", "--quarter", "2026Q4", "--host", "nosuch", "--out"])
        .arg(&empty));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("nosuch：数据库中没有该主机在 2026Q4 的记录")
            && err.contains("yunwei report inspection: 未生成报告")
            && !err.contains("期间没有任何主机"),
        "{err}"
    );
    assert!(!empty.exists(), "nothing written");
}
