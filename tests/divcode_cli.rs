//! `yunwei divcode …` as the built binary on real SQLite files: editions imported (and bad
//! files refused with every bad line named), diffed, reviewed, exported as a mapping and as
//! SQL for each dialect; the SQL round trip on a business database through the `sqlite3`
//! client (impact, apply, reconcile, rollback, reconcile again); in English and Chinese.

use std::path::{Path, PathBuf};
use std::process::Command;

fn yunwei(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yunwei"));
    c.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("YUNWEI_DB", home.join("y.db"))
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

fn ok(home: &Path, args: &[&str]) -> String {
    let (code, out, err) = run(yunwei(home).args(args));
    assert_eq!(code, 0, "yunwei {args:?}: {out}{err}");
    out
}

fn sqlite3(db: &Path, sql: &str) -> String {
    let out = Command::new("sqlite3").arg(db).arg(sql).output().expect("sqlite3 is installed");
    assert!(out.status.success(), "sqlite3 {sql}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A small province with one change of each kind (the names are made up where they must be).
const OLD: &str = "code,name\n460000,海南省\n460100,海口市\n460105,秀英街道办事处\n460106,龙华区\n460107,琼山市\n\
460108,美兰区\n460200,三亚市\n460202,崖州县\n460300,甲市\n460301,东区\n460302,西区\n469003,儋州市\n469025,定安县\n469026,乙县\n\
469027,丙县\n469028,丁县\n469029,戊县\n";
const NEW: &str = "code,name\n460000,海南省\n460100,海口市\n460105,秀英街道\n460106,龙华新区\n460109,琼山区\n\
460108,美兰区\n460200,三亚市\n460203,崖州区\n460204,天涯区\n460500,甲市\n460501,东区\n460502,西区\n460400,儋州市\n469025,定安县\n469030,乙县\n\
469031,丙县\n469032,丙北县\n469033,戊己县\n";

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().to_path_buf();
    std::fs::write(home.join("old.csv"), OLD).unwrap();
    std::fs::write(home.join("new.csv"), NEW).unwrap();
    ok(&home, &["divcode", "import", home.join("old.csv").to_str().unwrap(), "--version", "2023"]);
    ok(&home, &["divcode", "import", home.join("new.csv").to_str().unwrap(), "--version", "2024"]);
    (dir, home)
}

fn diff_json(home: &Path) -> serde_json::Value {
    serde_json::from_str(&ok(home, &["divcode", "diff", "2023", "2024", "--json"])).unwrap()
}

fn change<'a>(j: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    j["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {j}"))
}

#[test]
fn import_versions_and_drop() {
    let (_d, home) = setup();
    let v: serde_json::Value = serde_json::from_str(&ok(&home, &["divcode", "versions", "--json"])).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(
        (v[0]["name"].as_str(), v[0]["rows"].as_i64(), v[0]["digits"].as_i64()),
        (Some("2023"), Some(17), Some(6))
    );
    assert_eq!(v[0]["imported_by"], "王工");
    // The same name twice is refused.
    let (code, _, err) =
        run(yunwei(&home).args(["divcode", "import", "old.csv", "--version", "2023"]).current_dir(&home));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("“2023” is stored already"), "{err}");
    // The published text form, in GB18030, with a title, blank lines, full-width spaces and a note.
    let text = "中华人民共和国县以上行政区划代码\n\n460000\u{3000}海南省\n460100    海口市\n\n469001 五指山市\n注：469001 为省直辖县级市。\n";
    let (gb, _, _) = encoding_rs::GB18030.encode(text);
    std::fs::write(home.join("list.txt"), &gb).unwrap();
    let out = ok(
        &home,
        &[
            "divcode",
            "import",
            home.join("list.txt").to_str().unwrap(),
            "--version",
            "text",
            "--lang",
            "zh-CN",
        ],
    );
    assert!(out.contains("3 行") && out.contains("GB18030") && out.contains("跳过了 2 行"), "{out}");
    // A review holds a version in place; --force drops it with its reviews.
    ok(&home, &["divcode", "review", "2023", "2024", "--accept", "460105"]);
    let (code, _, err) = run(yunwei(&home).args(["divcode", "drop", "2023"]));
    assert_eq!(code, 2);
    assert!(err.contains("1 review decisions refer to it"), "{err}");
    let out = ok(&home, &["divcode", "drop", "2023", "--force"]);
    assert!(out.contains("dropped “2023” and the 1 review"), "{out}");
    let (code, _, err) = run(yunwei(&home).args(["divcode", "diff", "2023", "2024", "--lang", "zh-CN"]));
    assert_eq!(code, 2);
    assert!(err.contains("没有名为“2023”的版本（已有：2024、text）"), "{err}");
    let db = home.join("y.db");
    assert_eq!(
        sqlite3(
            &db,
            "SELECT count(*) FROM divcodes WHERE version_id NOT IN (SELECT id FROM divcode_versions)"
        ),
        "0"
    );
    assert_eq!(
        sqlite3(&db, "SELECT group_concat(action, ' ') FROM (SELECT action FROM audit ORDER BY id)"),
        "divcode.import divcode.import divcode.import divcode.review divcode.drop"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&db).unwrap().permissions().mode() & 0o777, 0o600);
}

#[test]
fn a_bad_file_is_refused_whole_with_every_bad_line_named() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let bad = "code,name\n460000,海南省\n460100,海口市\n460105,\n32060X,某地\n4601055,某地\n460100,另一个名字\n450206,某区\n460105001000,某镇\n";
    std::fs::write(home.join("bad.csv"), bad).unwrap();
    for (lang, want) in [
        (
            "en",
            [
                "bad.csv:4: code 460105 has no name",
                "bad.csv:5: code \"32060X\" is not 6 or 12 digits",
                "bad.csv:6: code \"4601055\" is not 6 or 12 digits (it has 7)",
                "bad.csv:7: code 460100 is on line 3 already, named “海口市”; here it is “另一个名字”",
                "bad.csv:8: the parent 450000 of 450206 is not in the file",
                "bad.csv:9: code 460105001000 has 12 digits, but the file's first code has 6",
                "bad.csv: 6 problems on 6 lines; nothing was imported",
            ],
        ),
        (
            "zh-CN",
            [
                "bad.csv:4: 代码 460105 没有名称",
                "bad.csv:5: 代码 \"32060X\" 不是 6 位或 12 位数字",
                "bad.csv:6: 代码 \"4601055\" 不是 6 位或 12 位数字（实为 7 位）",
                "bad.csv:7: 代码 460100 已在第 3 行出现，名称为“海口市”；此处为“另一个名字”",
                "bad.csv:8: 450206 的上级 450000 不在文件中",
                "bad.csv:9: 代码 460105001000 为 12 位，而文件中第一个代码为 6 位",
                "bad.csv：6 行共 6 处问题；未导入任何内容",
            ],
        ),
    ] {
        let (code, out, err) = run(yunwei(home)
            .args(["divcode", "import", "bad.csv", "--version", "x", "--lang", lang])
            .current_dir(home));
        assert_eq!(code, 2, "{out}{err}");
        for w in want {
            assert!(err.contains(w), "{lang}: {w:?} not in:\n{err}");
        }
    }
    let v = ok(home, &["divcode", "versions", "--json"]);
    assert_eq!(v.trim(), "[]", "nothing was stored");
    // Neither UTF-8 nor GB18030; a CSV without its code column; an empty file; a missing file.
    std::fs::write(home.join("bin.csv"), [0x34, 0x36, 0x30, 0x30, 0x30, 0x30, 0x2c, 0xff, 0xff, 0x0a])
        .unwrap();
    std::fs::write(home.join("nocode.csv"), "id,name\n1,x\n").unwrap();
    std::fs::write(home.join("empty.csv"), "").unwrap();
    for (file, want) in [
        ("bin.csv", "bin.csv: neither UTF-8 nor GB18030"),
        ("nocode.csv", "nocode.csv:1: the header has no “code” column"),
        ("empty.csv", "empty.csv: the file holds no codes"),
        ("absent.csv", "absent.csv: cannot be read"),
    ] {
        let (code, _, err) =
            run(yunwei(home).args(["divcode", "import", file, "--version", "x"]).current_dir(home));
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(want), "{want:?} not in {err}");
    }
}

#[test]
fn the_diff_classifies_each_kind_with_its_evidence() {
    let (_d, home) = setup();
    let j = diff_json(&home);
    assert_eq!((j["old"].as_str(), j["new"].as_str()), (Some("2023"), Some("2024")));
    let c = change(&j, "460105");
    assert_eq!(
        (c["kind"].as_str(), c["form_only"].as_bool(), c["confidence"].as_str()),
        (Some("renamed"), Some(true), Some("high"))
    );
    assert_eq!(c["review"], "proposed");
    assert_eq!(change(&j, "460106")["form_only"], false);
    let c = change(&j, "460107");
    assert_eq!((c["kind"].as_str(), c["confidence"].as_str()), (Some("recoded"), Some("medium")));
    assert_eq!(c["evidence"], "same stem “琼山”");
    assert_eq!(c["mapping"], serde_json::json!([{"from": "460107", "to": "460109"}]));
    // A prefecture recoded, and its districts with it.
    assert_eq!(change(&j, "460300")["mapping"][0]["to"], "460500");
    assert_eq!(change(&j, "460301")["mapping"][0]["to"], "460501");
    assert_eq!(change(&j, "460301")["confidence"], "high");
    // A county-level city made prefecture-level keeps its name.
    let c = change(&j, "469003");
    assert_eq!((c["kind"].as_str(), c["confidence"].as_str()), (Some("recoded"), Some("high")));
    assert_eq!(c["old"][0], serde_json::json!({"code": "469003", "name": "儋州市", "parent": "460000"}));
    // 崖州县 split into 崖州区 and 天涯区; 丁县 removed with nothing to map it to.
    let c = change(&j, "460202");
    assert_eq!((c["kind"].as_str(), c["new"].as_array().map(Vec::len)), (Some("split"), Some(2)));
    assert_eq!(c["mapping"], serde_json::json!([{"from": "460202", "to": "460203"}]));
    // 丙县 keeps its full name under a new code beside the new 丙北县: recoded, and 丙北县 added.
    assert_eq!(change(&j, "469027")["kind"], "recoded");
    assert_eq!(change(&j, "469032")["kind"], "added");
    let c = change(&j, "469028");
    assert_eq!((c["kind"].as_str(), c["mapping"].as_array().map(Vec::len)), (Some("removed"), Some(0)));
    // The prefix keeps the ids: 4691 has nothing, 4690 only the province-governed counties.
    let p: serde_json::Value =
        serde_json::from_str(&ok(&home, &["divcode", "diff", "2023", "2024", "--prefix", "4690", "--json"]))
            .unwrap();
    let touches = |c: &serde_json::Value| {
        ["old", "new"]
            .iter()
            .any(|s| c[s].as_array().unwrap().iter().any(|d| d["code"].as_str().unwrap().starts_with("4690")))
    };
    assert!(p["changes"].as_array().unwrap().iter().all(touches), "{p}");
    // A change that leaves the prefix keeps its kind: 469003 → 460400 under --prefix 4690.
    let c = change(&p, "469003");
    assert_eq!((c["kind"].as_str(), c["mapping"][0]["to"].as_str()), (Some("recoded"), Some("460400")));
    // The text: what awaits a decision first, Chinese aligned.
    let out = ok(&home, &["divcode", "diff", "2023", "2024", "--lang", "zh-CN"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].contains("1 个撤销的代码没有对应，等待决定"), "{out}");
    assert!(lines[3].starts_with("469028  撤销"), "{out}");
    let col = |l: &str| yunwei_widgets::width::width(&l[..l.find("代码相同").unwrap_or(l.len())]);
    let renamed: Vec<&&str> = lines.iter().filter(|l| l.contains("代码相同")).collect();
    assert!(renamed.len() >= 2 && renamed.iter().all(|l| col(l) == col(renamed[0])), "{out}");
}

#[test]
fn reviews_are_kept_by_whom_and_when_and_refused_whole() {
    let (_d, home) = setup();
    let out = ok(&home, &["divcode", "review", "2023", "2024", "--accept-form-only"]);
    assert!(out.contains("1 decision by 王工 (1 accepted)"), "{out}");
    ok(
        &home,
        &[
            "divcode",
            "review",
            "2023",
            "2024",
            "--accept-confident",
            "--reject",
            "460106",
            "--map",
            "469028=469025",
        ],
    );
    let j = diff_json(&home);
    assert_eq!(change(&j, "460106")["review"], "rejected");
    assert_eq!(change(&j, "469003")["review"], "accepted");
    let c = change(&j, "469028");
    assert_eq!((c["review"].as_str(), c["reviewer"].as_str()), (Some("edited"), Some("王工")));
    assert_eq!(c["mapping"], serde_json::json!([{"from": "469028", "to": "469025"}]));
    assert_eq!(c["reviewed_at"], "2026-11-27T01:00:00+08:00");
    assert_eq!(change(&j, "460107")["review"], "proposed", "medium is not accepted by --accept-confident");
    // Unknown ids and codes: every one named, nothing decided.
    let (code, _, err) = run(yunwei(&home).args([
        "divcode",
        "review",
        "2023",
        "2024",
        "--accept",
        "460107",
        "999999",
        "--map",
        "460000=460100",
        "469029=469099",
        "x=1",
    ]));
    assert_eq!(code, 2);
    assert!(err.contains("“x=1” is not FROM=TO"), "{err}");
    let (code, _, err) = run(yunwei(&home).args([
        "divcode",
        "review",
        "2023",
        "2024",
        "--accept",
        "460107",
        "999999",
        "--map",
        "460000=460100",
        "469029=469099",
    ]));
    assert_eq!(code, 2);
    for w in [
        "no change has the id “999999”",
        "460000 is in no change",
        "469099 is not in the new edition",
        "nothing was decided",
    ] {
        assert!(err.contains(w), "{w} not in {err}");
    }
    assert_eq!(change(&diff_json(&home), "460107")["review"], "proposed");
    let (code, _, err) = run(yunwei(&home).args(["divcode", "review", "2023", "2024"]));
    assert_eq!(code, 2);
    assert!(err.contains("say what to decide"), "{err}");
    let audit = sqlite3(
        &home.join("y.db"),
        "SELECT count(*) FROM audit WHERE action = 'divcode.review' AND operator = '王工'",
    );
    let decided =
        diff_json(&home)["changes"].as_array().unwrap().iter().filter(|c| c["review"] != "proposed").count();
    assert_eq!(audit, (decided).to_string());
}

#[test]
fn the_mapping_csv_holds_the_accepted_lines() {
    let (_d, home) = setup();
    ok(
        &home,
        &[
            "divcode",
            "review",
            "2023",
            "2024",
            "--accept",
            "469003",
            "460300",
            "--reject",
            "460107",
            "--map",
            "469028=469025",
        ],
    );
    let out = home.join("map.csv");
    ok(&home, &["divcode", "mapping", "2023", "2024", "--out", out.to_str().unwrap()]);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "\u{feff}old_code,old_name,new_code,new_name,kind,review,reviewer,reviewed_at");
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines.contains(&"469003,儋州市,460400,儋州市,recoded,accepted,王工,2026-11-27T01:00:00+08:00"),
        "{text}"
    );
    assert!(
        lines.contains(&"469028,丁县,469025,定安县,removed,edited,王工,2026-11-27T01:00:00+08:00"),
        "{text}"
    );
    let all = ok(&home, &["divcode", "mapping", "2023", "2024", "--all"]);
    assert!(all.contains("460107,琼山市,460109,琼山区,recoded,rejected"), "{all}");
    assert!(all.contains(",,460204,天涯区,split,proposed,,"), "{all}");
    assert!(text.contains("\r\n"), "CRLF, for spreadsheets");
}

/// The statements for each dialect: identifiers and literals quoted its way.
#[test]
fn sql_for_each_dialect() {
    let (_d, home) = setup();
    let (code, _, err) = run(yunwei(&home)
        .args([
            "divcode",
            "sql",
            "2023",
            "2024",
            "--dialect",
            "sqlite",
            "--table",
            "p",
            "--column",
            "c",
            "--key",
            "id",
            "--out-dir",
            "x",
        ])
        .current_dir(&home));
    assert_eq!(code, 2);
    assert!(err.contains("no accepted change maps a code to another"), "{err}");
    assert!(!home.join("x/apply.sql").exists());
    ok(&home, &["divcode", "review", "2023", "2024", "--accept", "469003"]);
    for (dialect, want) in [
        ("oracle", "UPDATE \"RK\".\"PERSON\" SET \"HJ\"\"DZ\" = '460400' WHERE \"HJ\"\"DZ\" = '469003';"),
        ("postgres", "UPDATE \"RK\".\"PERSON\" SET \"HJ\"\"DZ\" = '460400' WHERE \"HJ\"\"DZ\" = '469003';"),
        ("mysql", "UPDATE `RK`.`PERSON` SET `HJ\"DZ` = '460400' WHERE `HJ\"DZ` = '469003';"),
    ] {
        let dir = home.join(dialect);
        ok(
            &home,
            &[
                "divcode",
                "sql",
                "2023",
                "2024",
                "--dialect",
                dialect,
                "--table",
                "RK.PERSON",
                "--column",
                "HJ\"DZ",
                "--key",
                "ID",
                "--out-dir",
                dir.to_str().unwrap(),
            ],
        );
        let apply = std::fs::read_to_string(dir.join("apply.sql")).unwrap();
        assert!(apply.contains(want), "{dialect}: {apply}");
        let rollback = std::fs::read_to_string(dir.join("rollback.sql")).unwrap();
        assert!(rollback.to_ascii_lowercase().contains("yw_bak_2023_2024"), "{rollback}");
        // Written files are not replaced unless asked.
        let (code, _, err) = run(yunwei(&home).args([
            "divcode",
            "sql",
            "2023",
            "2024",
            "--dialect",
            dialect,
            "--table",
            "t",
            "--column",
            "c",
            "--key",
            "k",
            "--out-dir",
            dir.to_str().unwrap(),
        ]));
        assert_eq!(code, 2);
        assert!(err.contains("exists; it may be the SQL someone reviewed"), "{err}");
    }
    let (code, _, err) = run(yunwei(&home)
        .args([
            "divcode",
            "sql",
            "2023",
            "2024",
            "--dialect",
            "db2",
            "--table",
            "t",
            "--column",
            "c",
            "--key",
            "k",
            "--out-dir",
            "y",
        ])
        .current_dir(&home));
    assert_eq!(code, 2);
    assert!(err.contains("--dialect \"db2\" is not one of: oracle, mysql, postgres, sqlite"), "{err}");
}

/// Impact, apply, reconcile, rollback, reconcile again: on a real SQLite database through the
/// `sqlite3` client, the counts read by `[[divcodes.impact]]` commands, one of them with
/// twelve-digit values under six-digit codes.
#[test]
fn the_sql_round_trip_through_sqlite3() {
    let (_d, home) = setup();
    let biz = home.join("biz.db");
    // 60 people: 10 under each of 469003 (→460400), 460300 (→460500), 460301 (→460501),
    // 460107 (→460109), 469028 (edited →469025), 469025 itself; one without.
    sqlite3(
        &biz,
        "CREATE TABLE \"person's\" (id INTEGER PRIMARY KEY, hjdz TEXT, xzqh TEXT);
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 59)
         INSERT INTO \"person's\" (hjdz, xzqh)
           SELECT code, code || printf('%06d', 100000 + i) FROM n,
             (SELECT column1 AS code, column2 AS k FROM (VALUES ('469003', 0), ('460300', 1), ('460301', 2),
                                                                ('460107', 3), ('469028', 4), ('469025', 5)))
           WHERE i % 6 = k;
         INSERT INTO \"person's\" (hjdz, xzqh) VALUES (NULL, NULL);",
    );
    assert_eq!(sqlite3(&biz, "SELECT count(*) FROM \"person's\""), "61");
    let q = |sql: &str| format!("sqlite3 -tabs {} {}", biz.display(), shell(sql));
    std::fs::create_dir_all(home.join("config/yunwei")).unwrap();
    std::fs::write(
        home.join("config/yunwei/config.toml"),
        format!(
            "[[divcodes.impact]]\nname = \"户籍\"\ncommand = {:?}\n\n[[divcodes.impact]]\nname = \"xzqh\"\ncommand = {:?}\n",
            q("SELECT hjdz, count(*) FROM \"person's\" GROUP BY hjdz"),
            q("SELECT xzqh, count(*) FROM \"person's\" GROUP BY xzqh"),
        ),
    )
    .unwrap();
    ok(
        &home,
        &[
            "divcode",
            "review",
            "2023",
            "2024",
            "--accept-confident",
            "--accept",
            "460107",
            "--map",
            "469028=469025",
        ],
    );
    let before = ok(&home, &["divcode", "impact", "2023", "2024", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&before).unwrap();
    assert_eq!(report["targets"][0]["total"], 61);
    let impact = report["changes"].as_array().unwrap().iter().find(|c| c["id"] == "469003").unwrap();
    assert_eq!(impact["targets"][0]["old"]["469003"], 10);
    assert_eq!(
        impact["targets"][1]["old"]["469003"], 10,
        "twelve-digit values counted under their six-digit code"
    );
    std::fs::write(home.join("before.json"), &before).unwrap();
    let text = ok(&home, &["divcode", "impact", "2023", "2024", "--lang", "zh-CN"]);
    assert!(text.contains("户籍：共 61 条记录"), "{text}");

    for (column, matching) in [("hjdz", "exact"), ("xzqh", "prefix")] {
        let dir = home.join(format!("sql-{column}"));
        ok(
            &home,
            &[
                "divcode",
                "sql",
                "2023",
                "2024",
                "--dialect",
                "sqlite",
                "--table",
                "person's",
                "--column",
                column,
                "--key",
                "id",
                "--match",
                matching,
                "--out-dir",
                dir.to_str().unwrap(),
            ],
        );
        let apply = std::fs::read_to_string(dir.join("apply.sql")).unwrap();
        let pipe = |file: &str| {
            let out = Command::new("sqlite3")
                .arg(&biz)
                .stdin(std::fs::File::open(dir.join(file)).unwrap())
                .output()
                .unwrap();
            assert!(out.status.success(), "{file}: {}\n{apply}", String::from_utf8_lossy(&out.stderr));
        };
        pipe("apply.sql");
        assert_eq!(
            sqlite3(&biz, &format!("SELECT count(*) FROM \"person's\" WHERE {column} LIKE '469003%'")),
            "0"
        );
        assert_eq!(
            sqlite3(&biz, "SELECT count(*) FROM yw_bak_2023_2024"),
            "50",
            "10 rows under each of 5 mapped codes"
        );
        // A second apply over itself is refused by the backup table being there.
        let again = Command::new("sqlite3")
            .arg(&biz)
            .stdin(std::fs::File::open(dir.join("apply.sql")).unwrap())
            .output()
            .unwrap();
        assert!(!again.status.success());
        let (code, out, err) = run(yunwei(&home)
            .args(["divcode", "reconcile", "2023", "2024", "--before", "before.json"])
            .current_dir(&home));
        if column == "hjdz" {
            // Only the column the SQL changed reconciles; the other target still holds the old codes.
            assert_eq!(code, 1, "{out}{err}");
            assert!(out.contains("户籍: 61 records before, 61 now; 8 mappings checked"), "{out}");
            assert!(out.contains("xzqh: 469003 still holds 10 records"), "{out}");
        } else {
            assert_eq!(code, 1, "hjdz was rolled back: {out}{err}");
            assert!(out.contains("户籍: 469003 still holds 10 records"), "{out}");
            assert!(!out.contains("xzqh: 4"), "{out}");
        }
        let whole = sqlite3(&biz, &format!(
            "SELECT group_concat(p || '=' || n, ' ') FROM (SELECT substr({column}, 1, 6) AS p, count(*) AS n FROM \"person's\" WHERE {column} IS NOT NULL GROUP BY p ORDER BY p)"
        ));
        assert_eq!(whole, "460109=10 460400=10 460500=10 460501=10 469025=20");
        pipe("rollback.sql");
        let (code, out, err) = run(yunwei(&home)
            .args([
                "divcode",
                "reconcile",
                "2023",
                "2024",
                "--before",
                "before.json",
                "--rolled-back",
                "--lang",
                "zh-CN",
            ])
            .current_dir(&home));
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("已恢复：每个代码下的记录数与之前相同"), "{out}");
        assert_eq!(sqlite3(&biz, "SELECT count(*) FROM sqlite_master WHERE name = 'yw_bak_2023_2024'"), "0");
    }
    // Both columns applied: everything reconciles.
    for column in ["hjdz", "xzqh"] {
        let dir = home.join(format!("sql-{column}"));
        let out = Command::new("sqlite3")
            .arg(&biz)
            .stdin(std::fs::File::open(dir.join("apply.sql")).unwrap())
            .output()
            .unwrap();
        assert!(out.status.success());
        sqlite3(&biz, "DROP TABLE yw_bak_2023_2024");
    }
    let (code, out, err) = run(yunwei(&home)
        .args(["divcode", "reconcile", "2023", "2024", "--before", "before.json"])
        .current_dir(&home));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("reconciled: every mapped code moved as mapped"), "{out}");
    // A record on a code the new edition does not have, that nothing moves: found.
    sqlite3(&biz, "INSERT INTO \"person's\" (hjdz, xzqh) VALUES ('469029', '469029100000')");
    let (code, out, _) = run(yunwei(&home)
        .args(["divcode", "reconcile", "2023", "2024", "--before", "before.json"])
        .current_dir(&home));
    assert_eq!(code, 1);
    assert!(
        out.contains("户籍: 469029 still holds 1 records, and the new edition has no such code"),
        "{out}"
    );
    sqlite3(&biz, "DELETE FROM \"person's\" WHERE hjdz = '469029'");
    // A record lost on the way is found.
    sqlite3(
        &biz,
        "DELETE FROM \"person's\" WHERE id = (SELECT min(id) FROM \"person's\" WHERE hjdz = '460400')",
    );
    let (code, out, _) = run(yunwei(&home)
        .args(["divcode", "reconcile", "2023", "2024", "--before", "before.json", "--json"])
        .current_dir(&home));
    assert_eq!(code, 1);
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    let m = r["mismatches"].as_array().unwrap();
    assert!(
        m.iter().any(|m| m["what"] == "new_count"
            && m["code"] == "460400"
            && m["expected"] == 10
            && m["found"] == 9),
        "{out}"
    );
    assert!(m.iter().any(|m| m["what"] == "total" && m["before"] == 61 && m["after"] == 60), "{out}");
    // A command that fails says so, with what it printed on its standard error.
    std::fs::write(
        home.join("config/yunwei/config.toml"),
        format!("[[divcodes.impact]]\nname = \"bad\"\ncommand = {:?}\n", q("SELECT x FROM nowhere")),
    )
    .unwrap();
    let (code, out, err) = run(yunwei(&home).args(["divcode", "impact", "2023", "2024"]));
    assert_eq!(code, 1);
    assert!(
        err.contains("bad: the command exited with status 1") && err.contains("no such table: nowhere"),
        "{err}"
    );
    assert!(out.is_empty(), "no table when nothing was counted: {out}");
    // A before file that counted nothing proves nothing.
    let (_, empty, _) = run(yunwei(&home).args(["divcode", "impact", "2023", "2024", "--json"]));
    std::fs::write(home.join("empty.json"), empty).unwrap();
    let (code, _, err) = run(yunwei(&home)
        .args(["divcode", "reconcile", "2023", "2024", "--before", "empty.json"])
        .current_dir(&home));
    assert_eq!(code, 2);
    assert!(err.contains("empty.json counted nothing"), "{err}");
}

/// POSIX single quotes for the test's own commands.
fn shell(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[test]
fn the_national_tables_diff() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/divisions");
    if !dir.join("mca-county-2019.csv").exists() {
        eprintln!("skipped: {} is not there (the shared real data)", dir.display());
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    for y in ["2019", "2020"] {
        ok(
            home,
            &["divcode", "import", dir.join(format!("mca-county-{y}.csv")).to_str().unwrap(), "--version", y],
        );
    }
    let j: serde_json::Value =
        serde_json::from_str(&ok(home, &["divcode", "diff", "2019", "2020", "--json"])).unwrap();
    let c = change(&j, "220381");
    assert_eq!(
        (c["kind"].as_str(), c["confidence"].as_str()),
        (Some("moved"), Some("high")),
        "公主岭市 to 长春市"
    );
    assert_eq!(c["evidence"], "same name; parent 220300 → 220100");
    let c = change(&j, "320611");
    assert_eq!(c["kind"], "merged", "港闸区 and 海门市 into 海门区");
    let out = ok(home, &["divcode", "review", "2019", "2020", "--accept-confident"]);
    assert!(out.contains("decisions by 王工"), "{out}");
}
