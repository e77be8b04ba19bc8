//! `yunwei net check` against real servers this test starts on loopback: a TCP listener, HTTP
//! servers with a chosen status and body, one that accepts and never answers, a port that
//! refuses, and `openssl s_server` with a certificate made by `openssl req` that ends in 5 days.
//! The JSON, the exit codes and the monitoring-plugin line of each state.

mod support {
    pub mod netservers;
}

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::netservers::{free_port, http_server, tls_server};

fn yunwei(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_yunwei"))
        .args([
            "--config",
            dir.join("config.toml").to_str().unwrap(),
            "--db",
            dir.join("y.db").to_str().unwrap(),
        ])
        .args(args)
        .env("HOME", dir)
        .env_remove("YUNWEI_CONFIG")
        .env_remove("YUNWEI_DB")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn check(name: &str, kind: &str, target: &str, extra: &str) -> String {
    format!(
        "[[checks]]\nname = \"{name}\"\nkind = \"{kind}\"\ntarget = \"{}\"\ntimeout = \"2s\"\n{extra}\n",
        target.replace('\\', "\\\\").replace('"', "\\\"")
    )
}

fn json(out: &str) -> Vec<serde_json::Value> {
    serde_json::from_str::<serde_json::Value>(out).unwrap().as_array().unwrap().clone()
}

#[test]
fn every_state_from_real_servers_on_loopback() {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("skipped: no openssl binary");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (up, seen) = http_server(200, "{\"status\":\"UP\"}", Duration::ZERO, false);
    let (down, _) = http_server(503, "{\"status\":\"DOWN\"}", Duration::ZERO, false);
    let (slow, _) = http_server(200, "{\"status\":\"UP\"}", Duration::from_millis(400), false);
    let (silent, _) = http_server(200, "", Duration::ZERO, true);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let open = listener.local_addr().unwrap().port();
    let refused = free_port();
    let (tls, _server) = tls_server(dir.path(), 5).expect("openssl s_server");
    let odd = format!("http://127.0.0.1:{up}/a;b'c\"$(touch${{IFS}}{}/owned)`id`?x=1", dir.path().display());
    let up_rules =
        "expect_status = [200]\nexpect_body = '\"status\":\"UP\"'\nwarn_ms = 200\ncrit_ms = 1500\n";
    let config = [
        check("api", "http", &format!("http://127.0.0.1:{up}/api/health"), up_rules),
        check("down", "http", &format!("http://127.0.0.1:{down}/x"), up_rules),
        check("slow", "http", &format!("http://127.0.0.1:{slow}/x"), up_rules),
        check(
            "body",
            "http",
            &format!("http://127.0.0.1:{down}/x"),
            "expect_status = [503]\nexpect_body = 'UP'\n",
        ),
        check("silent", "http", &format!("http://127.0.0.1:{silent}/"), ""),
        check("port", "tcp", &format!("127.0.0.1:{open}"), ""),
        check("refused", "tcp", &format!("127.0.0.1:{refused}"), ""),
        check("cert", "tls", &format!("127.0.0.1:{tls}"), "cert_warn_days = 30\n"),
        check("https", "http", &format!("https://127.0.0.1:{tls}/"), "cert_warn_days = 3\n"),
        check("name", "dns", "localhost", ""),
        check("noname", "dns", "no-such-name.invalid", ""),
        check("odd", "http", &odd, ""),
    ]
    .concat();
    std::fs::write(dir.path().join("config.toml"), config).unwrap();

    let started = Instant::now();
    let (code, out, err) = yunwei(dir.path(), &["net", "check", "--json"]);
    let took = started.elapsed();
    assert_eq!(code, 1, "{out}{err}");
    // All at once: the silent server costs its 2 s timeout once, not once per check.
    assert!(took < Duration::from_secs(8), "{took:?}");
    let rows = json(&out);
    let by =
        |name: &str| rows.iter().find(|r| r["name"] == name).unwrap_or_else(|| panic!("{name} in {out}"));
    let state = |name: &str| by(name)["state"].as_str().unwrap().to_string();
    let reason = |name: &str| by(name)["reason"].as_str().unwrap().to_string();
    assert_eq!(state("api"), "ok", "{}", reason("api"));
    assert!(reason("api").starts_with("status 200 in "), "{}", reason("api"));
    assert_eq!((state("down"), reason("down")), ("crit".into(), "status 503; body did not match".into()));
    assert_eq!(state("slow"), "warn");
    assert!(reason("slow").starts_with("slow: "), "{}", reason("slow"));
    assert_eq!((state("body"), reason("body")), ("crit".into(), "body did not match".into()));
    assert_eq!((state("silent"), reason("silent")), ("crit".into(), "timed out after 2 s".into()));
    assert_eq!(state("port"), "ok");
    assert_eq!((state("refused"), reason("refused")), ("crit".into(), "connection refused".into()));
    assert_eq!((state("cert"), reason("cert")), ("warn".into(), "TLS certificate expires in 5 days".into()));
    assert!(by("cert")["cert_expires_at"].as_str().is_some(), "{out}");
    // cert_warn_days = 3: five days left is fine.
    assert_eq!(state("https"), "ok", "{}", reason("https"));
    assert_eq!(state("name"), "ok");
    assert!(reason("name").contains("127.0.0.1"), "{}", reason("name"));
    assert_eq!((state("noname"), reason("noname")), ("crit".into(), "name not resolved".into()));
    // The odd URL is a URL: its path reached the server as written, nothing ran.
    assert_eq!(state("odd"), "ok", "{}", reason("odd"));
    let requests = seen.lock().unwrap().clone();
    assert!(
        requests.iter().any(|r| r.contains("/a;b'c\"$(touch${IFS}") && r.contains("`id`?x=1")),
        "{requests:?}"
    );
    assert!(!dir.path().join("owned").exists());
    for key in
        ["name", "kind", "target", "from", "state", "latency_ms", "reason", "cert_expires_at", "checked_at"]
    {
        assert!(rows[0].get(key).is_some(), "{key} in {}", rows[0]);
    }
    assert_eq!(rows[0]["from"], "local");

    // The results and the alerts are recorded.
    let db = dir.path().join("y.db");
    let q = |sql: &str| {
        let o = Command::new("sqlite3").arg(&db).arg(sql).output().unwrap();
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    };
    if Command::new("sqlite3").arg("-version").output().is_ok() {
        assert_eq!(q("SELECT count(*) FROM net_results"), "12");
        assert_eq!(q("SELECT count(*) FROM alerts WHERE source = 'check' AND cleared_at IS NULL"), "7");
        assert_eq!(q("SELECT level FROM alerts WHERE subject = 'refused/local'"), "crit");
    }

    // The table in Chinese.
    let (code, out, _) = yunwei(dir.path(), &["--lang", "zh-CN", "net", "check", "--check", "refused"]);
    assert_eq!(code, 1);
    assert!(out.contains("严重") && out.contains("连接被拒绝"), "{out}");

    // The plugin line and exit code of each state.
    for (name, code, word) in [("api", 0, "OK"), ("slow", 1, "WARNING"), ("refused", 2, "CRITICAL")] {
        let (c, out, err) = yunwei(dir.path(), &["net", "check", "--check", name, "--format", "nagios"]);
        assert_eq!(c, code, "{name}: {out}{err}");
        let line = out.lines().next().unwrap_or("");
        assert!(line.starts_with(&format!("{word} - ")), "{line}");
        assert_eq!(out.lines().count(), 1, "{out}");
        if name != "refused" {
            assert!(line.contains(&format!("| '{name}@local'=")) && line.contains("ms;200;1500;0"), "{line}");
        }
    }
    let (c, out, _) = yunwei(dir.path(), &["net", "check", "--check", "cert", "--format", "nagios"]);
    assert_eq!(c, 1);
    assert!(out.contains("'cert@local cert_days'=5;30:;0:"), "{out}");
    // A usage or config error is UNKNOWN (3) under this format.
    let (c, out, err) = yunwei(dir.path(), &["net", "check", "--check", "nope", "--format", "nagios"]);
    assert_eq!(c, 3, "{out}{err}");
    assert!(out.starts_with("UNKNOWN - ") && err.contains("no check is named nope"), "{out}{err}");
    let (c, out, _) = yunwei(dir.path(), &["net", "check", "--format", "nagios", "--bogus"]);
    assert_eq!((c, out.starts_with("UNKNOWN - ")), (3, true));
    let (c, _, _) = yunwei(dir.path(), &["net", "check", "--check", "nope"]);
    assert_eq!(c, 2);
    // The refused check taken out of the config: its alert clears with the next full round.
    let config = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    let kept: Vec<&str> = config.split("[[checks]]").filter(|c| !c.contains("name = \"refused\"")).collect();
    std::fs::write(dir.path().join("config.toml"), kept.join("[[checks]]")).unwrap();
    yunwei(dir.path(), &["net", "check"]);
    if Command::new("sqlite3").arg("-version").output().is_ok() {
        assert_eq!(
            q("SELECT count(*) FROM alerts WHERE subject = 'refused/local' AND cleared_at IS NULL"),
            "0"
        );
        assert_eq!(q("SELECT count(*) FROM alerts WHERE source = 'check' AND cleared_at IS NULL"), "6");
    }
    drop(listener);
}

#[test]
fn a_ping_the_host_cannot_send_is_unknown_and_a_bad_target_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        check("loop", "ping", "127.0.0.1", "") + &check("bad", "tcp", "a;b:1", ""),
    )
    .unwrap();
    let (code, _, err) = yunwei(dir.path(), &["net", "check"]);
    assert_eq!(code, 2);
    assert!(err.contains("config.toml:") && err.contains("a host name cannot hold ';'"), "{err}");
    std::fs::write(dir.path().join("config.toml"), check("loop", "ping", "127.0.0.1", "")).unwrap();
    let (code, out, err) = yunwei(dir.path(), &["net", "check", "--json"]);
    let rows = json(&out);
    let has_ping =
        Command::new("sh").args(["-c", "command -v ping"]).output().is_ok_and(|o| o.status.success());
    if has_ping {
        // Where ping can send (root, or the ping group range) it answers; else it is unknown.
        let s = rows[0]["state"].as_str().unwrap();
        assert!(s == "ok" || s == "unknown", "{out}{err}");
    } else {
        assert_eq!((code, rows[0]["state"].as_str()), (1, Some("unknown")), "{out}{err}");
        assert_eq!(rows[0]["reason"], "ping is not installed on the probing host");
    }
}
