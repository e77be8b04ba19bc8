use std::time::Duration;

use super::probe::{openssl_date, read_round, read_trace, round};
use super::*;
use crate::i18n::Lang;

#[test]
fn targets_as_each_kind_writes_them() {
    let e = endpoint(Kind::Http, "https://10.20.1.5:8443/api/health?x=1#top").unwrap();
    assert_eq!(
        (e.host.as_str(), e.port, e.tls, e.path.as_str()),
        ("10.20.1.5", 8443, true, "/api/health?x=1")
    );
    assert_eq!(e.host_header(), "10.20.1.5:8443");
    let e = endpoint(Kind::Http, "http://birth.example.gov.cn?q=1").unwrap();
    assert_eq!((e.port, e.path.as_str(), e.host_header()), (80, "/?q=1", "birth.example.gov.cn".to_string()));
    let e = endpoint(Kind::Tcp, "[::1]:5432").unwrap();
    assert_eq!((e.host.as_str(), e.port, e.authority()), ("::1", 5432, "[::1]:5432".to_string()));
    assert_eq!(endpoint(Kind::Tls, "padis.example.cn").unwrap().port, 443);
    assert_eq!(
        endpoint(Kind::Tls, "https://padis.example.cn:9443/x").unwrap().authority(),
        "padis.example.cn:9443"
    );
    assert_eq!(endpoint(Kind::Ping, "10.0.0.1").unwrap().host, "10.0.0.1");
    assert_eq!(endpoint(Kind::Dns, "[fe80::1%eth0]").unwrap().host, "fe80::1%eth0");
    // A URL keeps every character of its path: it reaches the host as one quoted argument.
    let odd = "http://127.0.0.1:8080/a;b'c\"$(touch${IFS}/tmp/x)`id`";
    assert_eq!(endpoint(Kind::Http, odd).unwrap().path, "/a;b'c\"$(touch${IFS}/tmp/x)`id`");
}

#[test]
fn bad_targets_say_why() {
    assert_eq!(endpoint(Kind::Tcp, "db1"), Err(TargetError::Form(Kind::Tcp)));
    assert_eq!(endpoint(Kind::Tcp, "db1:0"), Err(TargetError::Port("0".into())));
    assert_eq!(endpoint(Kind::Tcp, "db1:http"), Err(TargetError::Port("http".into())));
    assert_eq!(endpoint(Kind::Tcp, "a;b:1"), Err(TargetError::HostChar(';')));
    assert_eq!(endpoint(Kind::Ping, "-f"), Err(TargetError::HostChar('-')));
    assert_eq!(endpoint(Kind::Dns, "$(id)"), Err(TargetError::HostChar('$')));
    assert_eq!(endpoint(Kind::Http, "ftp://x/"), Err(TargetError::Form(Kind::Http)));
    assert_eq!(endpoint(Kind::Http, "http://u:p@x/"), Err(TargetError::Credentials));
    assert_eq!(endpoint(Kind::Http, "http://x/a b"), Err(TargetError::UrlChar(' ')));
    assert_eq!(endpoint(Kind::Http, "http://x'y/"), Err(TargetError::HostChar('\'')));
}

fn http(name: &str) -> Spec {
    let mut s = Spec::new(name, Kind::Http, "https://10.20.1.5:8443/api/health").unwrap();
    s.expect_status = vec![200];
    s.expect_body = Some("\"status\":\"UP\"".into());
    s.warn_ms = Some(500);
    s.crit_ms = Some(2000);
    s
}

fn done(ms: f64, status: u16, body: bool, cert: Option<i64>) -> Probe {
    Probe::Done {
        latency_ms: ms,
        status: Some(status),
        body_matched: Some(body),
        cert_not_after: cert,
        cert_unread: None,
        addresses: Vec::new(),
    }
}

const NOW: i64 = 1_800_000_000;
const DAY: i64 = 86_400;

#[test]
fn each_rule_decides_its_state() {
    let s = http("police-api");
    let v = judge(&s, &done(12.0, 200, true, Some(NOW + 90 * DAY)), NOW);
    assert_eq!(v.state, State::Ok);
    assert_eq!(words::reasons(&v.reasons, Lang::En), "status 200 in 12 ms");
    assert_eq!(words::reasons(&v.reasons, Lang::ZhCn), "状态码 200，耗时 12 毫秒");

    let v = judge(&s, &done(12.0, 503, true, None), NOW);
    assert_eq!((v.state, v.reasons.clone()), (State::Crit, vec![Reason::Status(503)]));
    let v = judge(&s, &done(12.0, 200, false, None), NOW);
    assert_eq!(words::reasons(&v.reasons, Lang::En), "body did not match");
    let v = judge(&s, &done(700.0, 200, true, None), NOW);
    assert_eq!(
        (v.state, words::reasons(&v.reasons, Lang::En)),
        (State::Warn, "slow: 700 ms (limit 500 ms)".into())
    );
    let v = judge(&s, &done(2300.0, 200, true, None), NOW);
    assert_eq!(v.state, State::Crit);
    // A certificate made for 5 days, a moment ago.
    let v = judge(&s, &done(5.0, 200, true, Some(NOW + 5 * DAY - 3)), NOW);
    assert_eq!(v.state, State::Warn);
    assert_eq!(words::reasons(&v.reasons, Lang::En), "TLS certificate expires in 5 days");
    assert_eq!(words::reasons(&v.reasons, Lang::ZhCn), "TLS 证书 5 天后过期");
    assert_eq!(v.cert_expires_at, Some(NOW + 5 * DAY - 3));
    let v = judge(&s, &done(5.0, 200, true, Some(NOW - 3 * DAY - 5)), NOW);
    assert_eq!(words::reasons(&v.reasons, Lang::En), "TLS certificate expired 3 days ago");
    assert_eq!(v.state, State::Crit);
    // Every reason that applies is said, the deciding one first.
    let v = judge(&s, &done(900.0, 500, true, Some(NOW + 2 * DAY)), NOW);
    assert_eq!(
        words::reasons(&v.reasons, Lang::En),
        "status 500; TLS certificate expires in 2 days; slow: 900 ms (limit 500 ms)"
    );
    // Without expect_status any 2xx or 3xx passes.
    let mut loose = http("x");
    loose.expect_status.clear();
    assert_eq!(judge(&loose, &done(1.0, 302, true, None), NOW).state, State::Ok);
    assert_eq!(judge(&loose, &done(1.0, 404, true, None), NOW).state, State::Crit);

    let failed = Probe::Failed { fault: Fault::TimedOut, latency_ms: None };
    let v = judge(&s, &failed, NOW);
    assert_eq!((v.state, words::reasons(&v.reasons, Lang::En)), (State::Crit, "timed out after 5 s".into()));
    let v = judge(&s, &Probe::Cannot(Cannot::NoTool(vec!["curl".into(), "wget".into()])), NOW);
    assert_eq!(v.state, State::Unknown);
    assert_eq!(words::reasons(&v.reasons, Lang::En), "none of curl, wget is installed on the probing host");
    assert_eq!(words::reasons(&v.reasons, Lang::ZhCn), "探测主机上 curl, wget 均未安装");
}

#[test]
fn a_tcp_check_judges_only_latency() {
    let mut s = Spec::new("db", Kind::Tcp, "10.0.0.9:1521").unwrap();
    s.warn_ms = Some(100);
    let p = Probe::Done {
        latency_ms: 0.4,
        status: None,
        body_matched: None,
        cert_not_after: None,
        cert_unread: None,
        addresses: vec![],
    };
    let v = judge(&s, &p, NOW);
    assert_eq!((v.state, words::reasons(&v.reasons, Lang::En)), (State::Ok, "answered in 0.4 ms".into()));
}

#[test]
fn a_round_is_one_command_with_every_target_quoted() {
    let mut a = http("a");
    a.target = "http://127.0.0.1:8080/x;y'z\"$(touch${IFS}/tmp/owned)".into();
    a.endpoint = endpoint(Kind::Http, &a.target).unwrap();
    let b = Spec::new("b", Kind::Tcp, "10.0.0.9:1521").unwrap();
    let script = round([&a, &b]);
    assert_eq!(script.args.len(), 16);
    assert_eq!(script.args[5], a.target);
    assert_eq!(script.args[6], "\"status\":\"UP\"");
    assert_eq!(&script.args[8..12], ["1", "tcp", "10.0.0.9", "1521"]);
    let line = script.command_line();
    assert!(line.contains("'http://127.0.0.1:8080/x;y'\\''z\"$(touch${IFS}/tmp/owned)'"), "{line}");
}

#[test]
fn a_rounds_lines_are_read_into_probes() {
    let specs = [
        Spec::new("t", Kind::Tcp, "h:1").unwrap(),
        http("h"),
        Spec::new("s", Kind::Tls, "h:443").unwrap(),
        Spec::new("d", Kind::Dns, "h").unwrap(),
        Spec::new("p", Kind::Ping, "h").unwrap(),
        Spec::new("n", Kind::Ping, "h").unwrap(),
        Spec::new("missing", Kind::Tcp, "h:2").unwrap(),
    ];
    let refs: Vec<&Spec> = specs.iter().collect();
    let out = "T bash curl openssl getent timeout\n\
        R\t1\tok\t0.012345s\t200\t1\tDec  7 12:00:00 2026 GMT\t\n\
        R\t0\trefused\t1200\t-\t-\t-\tbash: connect: Connection refused\n\
        R\t2\ttls\t5000\t-\t-\t-\terror:0A000410:SSL routines::sslv3 alert handshake failure\n\
        R\t3\tok\t800\t-\t-\t-\t10.0.0.1 10.0.0.2 \n\
        R\t4\tok\t0.045ms\t-\t-\t-\t\n\
        R\t5\tnotool\t-\t-\t-\t-\tping\n\
        R\t1\tok\t1\t500\t0\t-\tlate duplicate\n\
        D\n";
    let r = read_round(out.as_bytes(), &refs).unwrap();
    assert_eq!(r.tools, ["bash", "curl", "openssl", "getent", "timeout"]);
    assert_eq!(r.probes[0], Probe::Failed { fault: Fault::Refused, latency_ms: Some(1.2) });
    match &r.probes[1] {
        Probe::Done { latency_ms, status, body_matched, cert_not_after, .. } => {
            assert!((latency_ms - 12.345).abs() < 1e-6);
            assert_eq!((*status, *body_matched), (Some(200), Some(true)));
            assert_eq!(*cert_not_after, openssl_date("Dec 7 12:00:00 2026 GMT"));
            assert_eq!(*cert_not_after, Some(1_796_644_800));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(&r.probes[2], Probe::Failed { fault: Fault::Tls(s), .. } if s.contains("handshake failure"))
    );
    assert!(matches!(&r.probes[3], Probe::Done { addresses, .. } if addresses == &["10.0.0.1", "10.0.0.2"]));
    assert!(matches!(r.probes[4], Probe::Done { latency_ms, .. } if (latency_ms - 0.045).abs() < 1e-9));
    assert_eq!(r.probes[5], Probe::Cannot(Cannot::NoTool(vec!["ping".into()])));
    assert!(matches!(&r.probes[6], Probe::Cannot(Cannot::Other(w)) if w.contains("printed nothing")));
    assert!(read_round(b"Last login: yesterday\n", &refs).is_err());
}

#[test]
fn a_trace_names_its_tool() {
    assert_eq!(read_trace(b"U tracepath\n 1: 127.0.0.1 0.05ms reached\n").0.as_deref(), Some("tracepath"));
    assert_eq!(read_trace(b"U\n").0, None);
    let s = probe::trace("10.0.0.1", 30);
    assert_eq!(s.args, ["10.0.0.1", "30"]);
}

#[test]
fn states_order_and_plugin_codes() {
    let codes: Vec<i32> =
        [State::Ok, State::Warn, State::Crit, State::Unknown].iter().map(|s| s.plugin_code()).collect();
    assert_eq!(codes, [0, 1, 2, 3]);
    assert!(State::Crit.severity() > State::Unknown.severity());
    assert_eq!(State::parse("warn"), Some(State::Warn));
    assert_eq!(Origin::of("local"), Origin::Local);
    assert_eq!(Origin::of("exchange1").name(), "exchange1");
    assert_eq!(Duration::from_secs(5), Spec::new("x", Kind::Dns, "a").unwrap().timeout);
}
