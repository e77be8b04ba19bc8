//! The demo's network checks: real servers the demo starts on loopback (an interface that
//! answers `{"status":"UP"}`, one that answers 503, one slower than its `warn_ms`, an HTTPS
//! interface whose certificate ends in 5 days, a port that refuses), probed in-process from
//! this machine and, as the demo's exchange host, from `demo-exchange` (the same probes, here);
//! from `demo-backup`, which is down, they are unknown. So the grid shows every state.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use crate::i18n::{tr, Lang};
use crate::netcheck::{Kind, Origin, Spec};
use crate::workers::backups::Place;

/// What an HTTP server of the demo answers.
#[derive(Clone, Copy)]
struct Answer {
    status: u16,
    body: &'static str,
    delay: Duration,
}

fn respond(stream: &mut dyn ReadWrite, a: Answer) {
    let mut buf = [0u8; 4096];
    let mut got = Vec::new();
    while !got.windows(4).any(|w| w == b"\r\n\r\n") && got.len() < 64 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    std::thread::sleep(a.delay);
    let reason = if a.status == 200 { "OK" } else { "Service Unavailable" };
    let text = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        a.status,
        a.body.len(),
        a.body
    );
    let _ = stream.write_all(text.as_bytes());
    let _ = stream.flush();
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

fn serve(listener: TcpListener, a: Answer, tls: Option<Arc<openssl::ssl::SslAcceptor>>) {
    let _ = std::thread::Builder::new().name("yunwei-demo-net".into()).spawn(move || {
        for stream in listener.incoming().flatten() {
            let tls = tls.clone();
            let _ = std::thread::Builder::new().name("yunwei-demo-net".into()).spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                match tls {
                    Some(acceptor) => {
                        if let Ok(mut s) = acceptor.accept(stream) {
                            respond(&mut s, a);
                            let _ = s.shutdown();
                        }
                    }
                    None => {
                        let mut s: TcpStream = stream;
                        respond(&mut s, a);
                    }
                }
            });
        }
    });
}

/// A self-signed certificate for 127.0.0.1 that ends in `days`.
fn acceptor(days: u32) -> Result<openssl::ssl::SslAcceptor, openssl::error::ErrorStack> {
    use openssl::asn1::Asn1Time;
    use openssl::bn::BigNum;
    use openssl::ec::{EcGroup, EcKey};
    use openssl::hash::MessageDigest;
    use openssl::nid::Nid;
    use openssl::pkey::PKey;
    use openssl::ssl::{SslAcceptor, SslMethod};
    use openssl::x509::{X509Builder, X509NameBuilder};
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
    let key = PKey::from_ec_key(EcKey::generate(&group)?)?;
    let mut name = X509NameBuilder::new()?;
    name.append_entry_by_text("CN", "demo-interface.yunwei")?;
    let name = name.build();
    let mut b = X509Builder::new()?;
    b.set_version(2)?;
    let serial = BigNum::from_u32(1)?.to_asn1_integer()?;
    b.set_serial_number(&serial)?;
    b.set_subject_name(&name)?;
    b.set_issuer_name(&name)?;
    b.set_pubkey(&key)?;
    let (from, until) = (Asn1Time::days_from_now(0)?, Asn1Time::days_from_now(days)?);
    b.set_not_before(&from)?;
    b.set_not_after(&until)?;
    b.sign(&key, MessageDigest::sha256())?;
    let cert = b.build();
    let mut a = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls())?;
    a.set_private_key(&key)?;
    a.set_certificate(&cert)?;
    Ok(a.build())
}

fn http_server(a: Answer, tls: Option<Arc<openssl::ssl::SslAcceptor>>) -> Option<u16> {
    let l = TcpListener::bind("127.0.0.1:0").ok()?;
    let port = l.local_addr().ok()?.port();
    serve(l, a, tls);
    Some(port)
}

/// The demo's checks and their places; the servers keep running for the demo's life.
pub fn checks(lang: Lang) -> (Vec<Spec>, BTreeMap<Origin, Place>) {
    let up = Answer { status: 200, body: "{\"status\":\"UP\"}", delay: Duration::ZERO };
    let slow = Answer { delay: Duration::from_millis(700), ..up };
    let broken = Answer { status: 503, body: "{\"status\":\"DOWN\"}", delay: Duration::ZERO };
    let tls = acceptor(5).ok().map(Arc::new);
    let from = vec![Origin::Local, Origin::Host("demo-exchange".into()), Origin::Host("demo-backup".into())];
    let mut out = Vec::new();
    let mut add = |name: &str, kind: Kind, target: String, f: &dyn Fn(&mut Spec)| {
        if let Ok(mut s) = Spec::new(name, kind, &target) {
            s.from = from.clone();
            s.every = Duration::from_secs(30);
            s.timeout = Duration::from_secs(3);
            f(&mut s);
            out.push(s);
        }
    };
    let expect_up = |s: &mut Spec| {
        s.expect_status = vec![200];
        s.expect_body = Some("\"status\":\"UP\"".into());
        s.warn_ms = Some(500);
        s.crit_ms = Some(2000);
    };
    if let Some(p) = http_server(up, None) {
        add("police-api", Kind::Http, format!("http://127.0.0.1:{p}/api/health"), &expect_up);
    }
    if let Some(p) = http_server(slow, None) {
        add("birth-platform", Kind::Http, format!("http://127.0.0.1:{p}/health"), &expect_up);
    }
    if let Some(p) = http_server(broken, None) {
        add("civil-affairs-push", Kind::Http, format!("http://127.0.0.1:{p}/push/status"), &expect_up);
    }
    if let Some(acceptor) = &tls {
        if let Some(p) = http_server(up, Some(Arc::clone(acceptor))) {
            add("padis-report", Kind::Http, format!("https://127.0.0.1:{p}/padis/ping"), &expect_up);
            add("padis-cert", Kind::Tls, format!("127.0.0.1:{p}"), &|_| {});
        }
    }
    // A port that refuses: one bound and let go.
    if let Some(p) = TcpListener::bind("127.0.0.1:0").ok().and_then(|l| l.local_addr().ok()).map(|a| a.port())
    {
        add("health-records-db", Kind::Tcp, format!("127.0.0.1:{p}"), &|_| {});
    }
    add("resolver", Kind::Dns, "localhost".into(), &|_| {});
    let mut places = BTreeMap::new();
    places.insert(Origin::Local, Place::Local { home: None });
    places.insert(Origin::Host("demo-exchange".into()), Place::Local { home: None });
    places.insert(
        Origin::Host("demo-backup".into()),
        Place::Down(tr(lang, "demo-backup is down (a demo host)", "demo-backup 已宕机（演示主机）")),
    );
    (out, places)
}
