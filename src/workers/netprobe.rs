//! The network checks' probes from this machine, in-process, each bounded by its check's
//! timeout: a TCP connect, an HTTP/1.1 request (over TLS for https), a TLS handshake that
//! reads the certificate's end, a name resolved as the system resolves it. `ping` needs a raw
//! socket (root), so it is the system's `ping`, run by the same script a host runs.
//!
//! Certificates are read, not judged: the checks watch internal interfaces, whose certificates
//! are often issued by a private authority, so the chain is not verified (as `curl -k` on a
//! host); the expiry is what the check decides on.

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use openssl::ssl::{SslConnector, SslMethod, SslStream, SslVerifyMode};

use crate::netcheck::{probe as script, Cannot, Fault, Kind, Probe, Spec};

/// The most of a body read for `expect_body`.
const MAX_BODY: usize = 1 << 20;

fn left(deadline: Instant) -> Result<Duration, Fault> {
    let d = deadline.saturating_duration_since(Instant::now());
    if d.is_zero() {
        Err(Fault::TimedOut)
    } else {
        Ok(d)
    }
}

fn io_fault(e: &std::io::Error) -> Fault {
    match e.kind() {
        ErrorKind::ConnectionRefused => Fault::Refused,
        ErrorKind::TimedOut | ErrorKind::WouldBlock => Fault::TimedOut,
        ErrorKind::NetworkUnreachable | ErrorKind::HostUnreachable => Fault::Unreachable,
        _ => Fault::Other(e.to_string()),
    }
}

/// The host's addresses: an address as it is, a name through the system's resolver (in a
/// thread, so a silent resolver costs the timeout and no more).
fn resolve(host: &str, port: u16, deadline: Instant) -> Result<Vec<SocketAddr>, Fault> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let name = host.to_string();
    std::thread::Builder::new()
        .name("yunwei-resolve".into())
        .spawn(move || {
            let _ = tx.send((name.as_str(), port).to_socket_addrs().map(Iterator::collect::<Vec<_>>));
        })
        .map_err(|e| Fault::Other(e.to_string()))?;
    match rx.recv_timeout(left(deadline)?) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(_) => Err(Fault::NotResolved),
        Err(_) => Err(Fault::TimedOut),
    }
}

fn connect(host: &str, port: u16, deadline: Instant) -> Result<TcpStream, Fault> {
    let mut last = Fault::NotResolved;
    for addr in resolve(host, port, deadline)? {
        match TcpStream::connect_timeout(&addr, left(deadline)?) {
            Ok(s) => return Ok(s),
            Err(e) => last = io_fault(&e),
        }
    }
    Err(last)
}

fn timeouts(stream: &TcpStream, deadline: Instant) -> Result<(), Fault> {
    let d = left(deadline)?;
    stream.set_read_timeout(Some(d)).map_err(|e| io_fault(&e))?;
    stream.set_write_timeout(Some(d)).map_err(|e| io_fault(&e))
}

/// The certificate's end, seconds since the epoch.
fn not_after(stream: &SslStream<TcpStream>) -> Option<i64> {
    let cert = stream.ssl().peer_certificate()?;
    let epoch = openssl::asn1::Asn1Time::from_unix(0).ok()?;
    let d = epoch.diff(cert.not_after()).ok()?;
    Some(i64::from(d.days) * 86_400 + i64::from(d.secs))
}

fn handshake(host: &str, stream: TcpStream, deadline: Instant) -> Result<SslStream<TcpStream>, Fault> {
    timeouts(&stream, deadline)?;
    let mut builder =
        SslConnector::builder(SslMethod::tls_client()).map_err(|e| Fault::Tls(e.to_string()))?;
    builder.set_verify(SslVerifyMode::NONE);
    let connector = builder.build();
    let mut config = connector.configure().map_err(|e| Fault::Tls(e.to_string()))?;
    config.set_verify_hostname(false);
    let is_name = host.parse::<IpAddr>().is_err();
    config.set_use_server_name_indication(is_name);
    config.connect(host, stream).map_err(|e| match e {
        openssl::ssl::HandshakeError::Failure(m) | openssl::ssl::HandshakeError::WouldBlock(m) => {
            let e = m.error();
            match e.io_error() {
                Some(io) => io_fault(io),
                None => match e.ssl_error() {
                    Some(stack) => {
                        Fault::Tls(stack.errors().first().and_then(|x| x.reason()).unwrap_or("").to_string())
                    }
                    None => Fault::Tls(String::new()),
                },
            }
        }
        openssl::ssl::HandshakeError::SetupFailure(stack) => Fault::Tls(stack.to_string()),
    })
}

/// A response read: status, and whether `want` was in the body.
fn read_response(
    stream: &mut dyn Read,
    want: Option<&[u8]>,
    deadline: Instant,
    set_timeout: &dyn Fn(Duration) -> std::io::Result<()>,
) -> Result<(Option<u16>, Option<bool>), Fault> {
    let mut buf: Vec<u8> = Vec::with_capacity(16 * 1024);
    let mut chunk = [0u8; 16 * 1024];
    let mut head_end = None;
    let mut length: Option<usize> = None;
    let mut chunked = false;
    loop {
        if let Some(end) = head_end {
            let body = buf.len() - end;
            if length.is_some_and(|n| body >= n) || body >= MAX_BODY {
                break;
            }
            if chunked && buf[end..].windows(5).any(|w| w == b"0\r\n\r\n") {
                break;
            }
        }
        set_timeout(left(deadline)?).map_err(|e| io_fault(&e))?;
        let n = match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            // A TLS peer that closes without its close_notify: what came is what there is.
            Err(e) if e.kind() == ErrorKind::UnexpectedEof || e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => return Err(io_fault(&e)),
        };
        buf.extend_from_slice(&chunk[..n]);
        if head_end.is_none() {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                head_end = Some(i + 4);
                let head = String::from_utf8_lossy(&buf[..i]).to_ascii_lowercase();
                for line in head.lines().skip(1) {
                    if let Some(v) = line.strip_prefix("content-length:") {
                        length = v.trim().parse().ok();
                    }
                    if line.starts_with("transfer-encoding:") && line.contains("chunked") {
                        chunked = true;
                    }
                }
            } else if buf.len() > 64 * 1024 {
                break;
            }
        }
    }
    let status_line = buf.split(|b| *b == b'\n').next().unwrap_or(&[]);
    let status_line = String::from_utf8_lossy(status_line);
    let mut words = status_line.split_whitespace();
    let status = match (words.next(), words.next()) {
        (Some(v), Some(code)) if v.starts_with("HTTP/") => code.parse::<u16>().ok(),
        _ => None,
    };
    let matched = want.map(|want| {
        let body = head_end.map_or(&[][..], |end| &buf[end..]);
        let body = if chunked { dechunk(body) } else { body.to_vec() };
        !want.is_empty() && body.windows(want.len()).any(|w| w == want)
    });
    Ok((status, matched))
}

/// A chunked body's content (what can be read of it).
fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = body.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&body[..eol]);
        let Ok(n) = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16) else { break };
        if n == 0 {
            break;
        }
        let start = eol + 2;
        let end = start.saturating_add(n).min(body.len());
        out.extend_from_slice(&body[start..end]);
        if end + 2 > body.len() {
            break;
        }
        body = &body[end + 2..];
    }
    out
}

fn request(spec: &Spec) -> Vec<u8> {
    let e = &spec.endpoint;
    format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: yunwei/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        e.path,
        e.host_header(),
        env!("CARGO_PKG_VERSION")
    )
    .into_bytes()
}

fn fail(fault: Fault, start: Instant) -> Probe {
    let latency_ms = match fault {
        Fault::TimedOut => None,
        _ => Some(start.elapsed().as_secs_f64() * 1000.0),
    };
    Probe::Failed { fault, latency_ms }
}

fn done(
    start: Instant,
    status: Option<u16>,
    body_matched: Option<bool>,
    cert: Option<i64>,
    addresses: Vec<String>,
) -> Probe {
    Probe::Done {
        latency_ms: start.elapsed().as_secs_f64() * 1000.0,
        status,
        body_matched,
        cert_not_after: cert,
        cert_unread: None,
        addresses,
    }
}

fn http(spec: &Spec, start: Instant, deadline: Instant) -> Result<Probe, Fault> {
    let e = &spec.endpoint;
    let stream = connect(&e.host, e.port, deadline)?;
    timeouts(&stream, deadline)?;
    let want = spec.expect_body.as_deref().map(str::as_bytes);
    if e.tls {
        let mut tls = handshake(&e.host, stream, deadline)?;
        let cert = not_after(&tls);
        tls.write_all(&request(spec)).map_err(|e| io_fault(&e))?;
        let raw = tls.get_ref().try_clone().map_err(|e| io_fault(&e))?;
        let set = move |d: Duration| raw.set_read_timeout(Some(d));
        let (status, matched) = read_response(&mut tls, want, deadline, &set)?;
        Ok(done(start, status, matched, cert, Vec::new()))
    } else {
        let mut stream = stream;
        stream.write_all(&request(spec)).map_err(|e| io_fault(&e))?;
        let raw = stream.try_clone().map_err(|e| io_fault(&e))?;
        let set = move |d: Duration| raw.set_read_timeout(Some(d));
        let (status, matched) = read_response(&mut stream, want, deadline, &set)?;
        Ok(done(start, status, matched, None, Vec::new()))
    }
}

/// One probe of `spec` from here.
pub fn probe(spec: &Spec) -> Probe {
    let start = Instant::now();
    let deadline = start + spec.timeout;
    let e = &spec.endpoint;
    let result = match spec.kind {
        Kind::Tcp => connect(&e.host, e.port, deadline).map(|_| done(start, None, None, None, Vec::new())),
        Kind::Http => http(spec, start, deadline),
        Kind::Tls => connect(&e.host, e.port, deadline)
            .and_then(|s| handshake(&e.host, s, deadline))
            .map(|s| done(start, None, None, not_after(&s), Vec::new())),
        Kind::Dns => resolve(&e.host, 0, deadline).map(|addrs| {
            let mut shown: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
            shown.sort();
            shown.dedup();
            done(start, None, None, None, shown)
        }),
        Kind::Ping => return ping(spec),
    };
    result.unwrap_or_else(|f| fail(f, start))
}

/// `ping` here, by the round's own script.
fn ping(spec: &Spec) -> Probe {
    let round = script::round([spec]);
    let limit = spec.timeout + Duration::from_secs(3);
    match super::local::run_sh(round.text, &round.args, None, limit) {
        Ok((out, _, _)) => match script::read_round(&out, &[spec]) {
            Ok(mut r) => r.probes.pop().unwrap_or(Probe::Cannot(Cannot::Other("no answer".into()))),
            Err(why) => Probe::Cannot(Cannot::Other(why)),
        },
        Err(why) => Probe::Cannot(Cannot::Other(why)),
    }
}

/// Every probe of `specs` from here, side by side: the slowest costs its timeout, not the sum.
pub fn probe_all(specs: &[&Spec]) -> Vec<Probe> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = specs.iter().map(|s| scope.spawn(move || probe(s))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Probe::Cannot(Cannot::Other("the probe stopped".into()))))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_are_read_whole() {
        assert_eq!(dechunk(b"4\r\nWiki\r\n5;x=1\r\npedia\r\n0\r\n\r\n"), b"Wikipedia");
        assert_eq!(dechunk(b"4\r\nWi"), b"Wi");
    }

    #[test]
    fn a_refused_port_and_a_listener() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let open = Spec::new("o", Kind::Tcp, &format!("127.0.0.1:{port}")).unwrap();
        assert!(matches!(probe(&open), Probe::Done { .. }));
        drop(l);
        let shut = Spec::new("s", Kind::Tcp, &format!("127.0.0.1:{port}")).unwrap();
        assert!(matches!(probe(&shut), Probe::Failed { fault: Fault::Refused, .. }), "{:?}", probe(&shut));
        let dns = Spec::new("d", Kind::Dns, "no-such-name.invalid").unwrap();
        assert!(matches!(probe(&dns), Probe::Failed { fault: Fault::NotResolved, .. }));
    }
}
