//! Network and interface checks: what a check asks (its [`Spec`]: a kind, a target, the hosts
//! that probe it, the limits), what one probe found ([`Probe`]), and the state the two decide
//! ([`judge`]), with every reason that applies ([`Reason`], the first decides).
//!
//! * `probe`: the shell script a host runs for one round of its checks (one command whatever
//!   their number, the probes side by side, each target a quoted argument), the path trace, and
//!   the reading of what they print.
//! * `words`: states and reasons in both languages.
//!
//! No SQL, no terminal, no sockets and no config types here: the in-process probes of this
//! machine are the worker's (`workers::netprobe`).

pub mod probe;
pub mod words;

use std::time::Duration;

/// What a check probes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::VariantArray, strum::IntoStaticStr,
)]
#[strum(serialize_all = "lowercase")]
pub enum Kind {
    /// A TCP connection to `host:port`.
    Tcp,
    /// An HTTP or HTTPS request to a URL: its status and, with `expect_body`, its body.
    Http,
    /// A TLS handshake with `host:port`: the certificate's expiry.
    Tls,
    /// A name resolved as the host's programs resolve it.
    Dns,
    /// One ICMP echo, by the system's `ping`.
    Ping,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Option<Kind> {
        <Kind as strum::VariantArray>::VARIANTS.iter().copied().find(|k| k.as_str() == s)
    }
}

/// A check's state. Ordered from best to worst.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::VariantArray, strum::IntoStaticStr,
)]
#[strum(serialize_all = "lowercase")]
pub enum State {
    Ok,
    /// Slower than `warn_ms`, or a certificate within `cert_warn_days` of its end.
    Warn,
    /// The probe failed, or got a wrong answer, or was slower than `crit_ms`.
    Crit,
    /// The probe could not be run (a tool missing, the host unreachable): nothing is known.
    Unknown,
}

impl State {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Option<State> {
        <State as strum::VariantArray>::VARIANTS.iter().copied().find(|k| k.as_str() == s)
    }

    /// The monitoring-plugin exit code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
    pub fn plugin_code(self) -> i32 {
        match self {
            State::Ok => 0,
            State::Warn => 1,
            State::Crit => 2,
            State::Unknown => 3,
        }
    }

    /// How bad it is for a summary: crit over unknown over warn over ok (a failure is worse
    /// news than a probe that could not run).
    pub fn severity(self) -> u8 {
        match self {
            State::Ok => 0,
            State::Warn => 1,
            State::Unknown => 2,
            State::Crit => 3,
        }
    }
}

/// Where a check is probed from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    /// This machine, in-process.
    Local,
    /// A `[[hosts]]` entry, over its SSH session.
    Host(String),
}

/// The word for this machine in `from` and in JSON.
pub const LOCAL: &str = "local";

impl Origin {
    pub fn name(&self) -> &str {
        match self {
            Origin::Local => LOCAL,
            Origin::Host(h) => h,
        }
    }

    pub fn of(name: &str) -> Origin {
        if name == LOCAL {
            Origin::Local
        } else {
            Origin::Host(name.to_string())
        }
    }
}

/// A check's target, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The host name or address (an IPv6 address without its brackets).
    pub host: String,
    /// 0 for dns and ping.
    pub port: u16,
    /// https, or tls.
    pub tls: bool,
    /// The request target of an HTTP check (`/api/health?x=1`); empty otherwise.
    pub path: String,
}

impl Endpoint {
    /// `host:port`, an IPv6 address in brackets.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The `Host` header: the port left out when it is the scheme's.
    pub fn host_header(&self) -> String {
        let default = if self.tls { 443 } else { 80 };
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        if self.port == default {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

/// Why a target was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetError {
    /// The kind's form: what was expected.
    Form(Kind),
    /// A host name with a character no host name has (the first one).
    HostChar(char),
    /// A port out of 1..=65535 or not a number.
    Port(String),
    /// A URL with a user or a password in it (they would be stored and shown).
    Credentials,
    /// White space or a control character in a URL.
    UrlChar(char),
}

fn valid_host(host: &str) -> Result<(), TargetError> {
    if host.is_empty() {
        return Err(TargetError::HostChar(' '));
    }
    if host.contains(':') {
        // An IPv6 address (written in brackets in a target).
        let (address, zone) = host.split_once('%').unwrap_or((host, ""));
        let bad = address.chars().find(|c| !(c.is_ascii_hexdigit() || matches!(c, ':' | '.')));
        let bad = bad
            .or_else(|| zone.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))));
        return match bad {
            Some(c) => Err(TargetError::HostChar(c)),
            None => Ok(()),
        };
    }
    // A name or an IPv4 address; never an option to a tool (`-x`).
    if host.starts_with(['-', '.']) {
        return Err(TargetError::HostChar(host.chars().next().unwrap_or('-')));
    }
    match host.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))) {
        Some(c) => Err(TargetError::HostChar(c)),
        None => Ok(()),
    }
}

/// `host:port` or `[v6]:port`; `default_port` when the port is left out (None: required).
fn host_port(text: &str, default_port: Option<u16>, kind: Kind) -> Result<(String, u16), TargetError> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or(TargetError::Form(kind))?;
        match after.strip_prefix(':') {
            Some(p) => (host, Some(p)),
            None if after.is_empty() => (host, None),
            None => return Err(TargetError::Form(kind)),
        }
    } else if text.matches(':').count() > 1 {
        // A bare IPv6 address: no port can follow it.
        (text, None)
    } else {
        match text.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (text, None),
        }
    };
    valid_host(host)?;
    let port = match (port, default_port) {
        (Some(p), _) => match p.parse::<u16>() {
            Ok(n) if n > 0 => n,
            _ => return Err(TargetError::Port(p.to_string())),
        },
        (None, Some(d)) => d,
        (None, None) => return Err(TargetError::Form(kind)),
    };
    Ok((host.to_string(), port))
}

/// An `http://` or `https://` URL: its host, port and request target.
fn url(text: &str) -> Result<Endpoint, TargetError> {
    if let Some(c) = text.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(TargetError::UrlChar(c));
    }
    let (tls, rest) = if let Some(r) = text.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = text.strip_prefix("http://") {
        (false, r)
    } else {
        return Err(TargetError::Form(Kind::Http));
    };
    let cut = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(cut);
    if authority.contains('@') {
        return Err(TargetError::Credentials);
    }
    let (host, port) = host_port(authority, Some(if tls { 443 } else { 80 }), Kind::Http)?;
    let tail = tail.split('#').next().unwrap_or("");
    let path = if tail.starts_with('/') { tail.to_string() } else { format!("/{tail}") };
    Ok(Endpoint { host, port, tls, path })
}

/// Reads a target as its kind writes it: tcp `host:port`, http a URL, tls `host[:port]` (443)
/// or an https URL, dns a name, ping a name or an address.
pub fn endpoint(kind: Kind, target: &str) -> Result<Endpoint, TargetError> {
    let target = target.trim();
    match kind {
        Kind::Tcp => {
            let (host, port) = host_port(target, None, kind)?;
            Ok(Endpoint { host, port, tls: false, path: String::new() })
        }
        Kind::Http => url(target),
        Kind::Tls => {
            if target.starts_with("https://") {
                let e = url(target)?;
                return Ok(Endpoint { path: String::new(), ..e });
            }
            let (host, port) = host_port(target, Some(443), kind)?;
            Ok(Endpoint { host, port, tls: true, path: String::new() })
        }
        Kind::Dns | Kind::Ping => {
            let host = target.strip_prefix('[').and_then(|t| t.strip_suffix(']')).unwrap_or(target);
            valid_host(host)?;
            Ok(Endpoint { host: host.to_string(), port: 0, tls: false, path: String::new() })
        }
    }
}

/// One `[[checks]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub name: String,
    pub kind: Kind,
    /// As written.
    pub target: String,
    pub endpoint: Endpoint,
    /// The places that probe it, in the order written (default: this machine).
    pub from: Vec<Origin>,
    pub every: Duration,
    pub timeout: Duration,
    /// The statuses an HTTP check accepts; empty: any 2xx or 3xx.
    pub expect_status: Vec<u16>,
    /// Text the body must contain.
    pub expect_body: Option<String>,
    pub warn_ms: Option<u64>,
    pub crit_ms: Option<u64>,
    /// A certificate ending within this many days warns.
    pub cert_warn_days: u32,
}

/// The default of `cert_warn_days`.
pub const DEFAULT_CERT_WARN_DAYS: u32 = 30;

impl Spec {
    /// A check with the defaults (every minute, 5 s, from here).
    pub fn new(name: &str, kind: Kind, target: &str) -> Result<Spec, TargetError> {
        Ok(Spec {
            name: name.to_string(),
            kind,
            target: target.to_string(),
            endpoint: endpoint(kind, target)?,
            from: vec![Origin::Local],
            every: Duration::from_secs(60),
            timeout: Duration::from_secs(5),
            expect_status: Vec::new(),
            expect_body: None,
            warn_ms: None,
            crit_ms: None,
            cert_warn_days: DEFAULT_CERT_WARN_DAYS,
        })
    }

    /// Whether this check looks at a certificate.
    pub fn has_certificate(&self) -> bool {
        self.kind == Kind::Tls || (self.kind == Kind::Http && self.endpoint.tls)
    }
}

/// How a probe failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    Refused,
    TimedOut,
    NotResolved,
    Unreachable,
    /// The TLS handshake failed: what the library or tool said.
    Tls(String),
    /// Anything else: what was said.
    Other(String),
}

/// Why a probe could not be run (the check is unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cannot {
    /// None of these tools is on the probing host.
    NoTool(Vec<String>),
    /// `ping` is there but may not send (no raw-socket privilege).
    Denied(String),
    /// The probing host could not be reached or did not answer: why.
    Host(String),
    /// Another cause, in words.
    Other(String),
}

/// What one probe found.
#[derive(Debug, Clone, PartialEq)]
pub enum Probe {
    /// It got through.
    Done {
        latency_ms: f64,
        /// The HTTP status.
        status: Option<u16>,
        /// Whether `expect_body` was found (None: not asked, or not read).
        body_matched: Option<bool>,
        /// The certificate's end, seconds since the epoch.
        cert_not_after: Option<i64>,
        /// A certificate was expected but could not be read: why (a tool missing).
        cert_unread: Option<String>,
        /// The addresses a name resolved to (dns).
        addresses: Vec<String>,
    },
    Failed {
        fault: Fault,
        latency_ms: Option<f64>,
    },
    Cannot(Cannot),
}

/// One reason behind a state.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// Nothing wrong: how long it took, the status of an HTTP check.
    Fine {
        latency_ms: f64,
        status: Option<u16>,
    },
    /// A name resolved, to these addresses.
    Resolved {
        latency_ms: f64,
        addresses: Vec<String>,
    },
    Fault(Fault, Duration),
    /// An HTTP status not expected.
    Status(u16),
    /// No status line came back.
    NoStatus,
    BodyMismatch,
    CertExpired {
        days_ago: i64,
    },
    CertExpires {
        days: i64,
    },
    /// Slower than a limit, both in ms.
    Slow {
        ms: u64,
        limit: u64,
    },
    Cannot(Cannot),
}

impl Reason {
    /// A short code of the reason, stored with the result so the grid can say it in a few
    /// cells ([`words::brief`]): `refused`, `timeout`, `status:503`, `cert-expires:5`, …; empty
    /// for a fine one.
    pub fn code(&self) -> String {
        match self {
            Reason::Fine { .. } | Reason::Resolved { .. } => String::new(),
            Reason::Fault(Fault::Refused, _) => "refused".into(),
            Reason::Fault(Fault::TimedOut, _) => "timeout".into(),
            Reason::Fault(Fault::NotResolved, _) => "no-name".into(),
            Reason::Fault(Fault::Unreachable, _) => "unreachable".into(),
            Reason::Fault(Fault::Tls(_), _) => "tls".into(),
            Reason::Fault(Fault::Other(_), _) => "error".into(),
            Reason::Status(s) => format!("status:{s}"),
            Reason::NoStatus => "no-status".into(),
            Reason::BodyMismatch => "body".into(),
            Reason::CertExpired { .. } => "cert-expired".into(),
            Reason::CertExpires { days } => format!("cert-expires:{days}"),
            Reason::Slow { .. } => "slow".into(),
            Reason::Cannot(Cannot::NoTool(_) | Cannot::Denied(_)) => "no-tool".into(),
            Reason::Cannot(Cannot::Host(_)) => "host".into(),
            Reason::Cannot(Cannot::Other(_)) => "cannot".into(),
        }
    }
}

/// A probe judged.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub state: State,
    /// The first decided the state.
    pub reasons: Vec<Reason>,
    pub latency_ms: Option<f64>,
    pub cert_expires_at: Option<i64>,
}

/// Whole days from `now` to `then`, rounded up (a certificate made for 5 days shows 5).
fn days_until(now: i64, then: i64) -> i64 {
    (then - now + 86_399).div_euclid(86_400)
}

/// The state one probe of `spec` puts it in at `now` (seconds since the epoch): a failure,
/// a wrong status or body, or an expired certificate is crit, as is `crit_ms`; `warn_ms` and a
/// certificate within `cert_warn_days` warn; a probe that could not run is unknown.
pub fn judge(spec: &Spec, probe: &Probe, now: i64) -> Verdict {
    match probe {
        Probe::Cannot(why) => Verdict {
            state: State::Unknown,
            reasons: vec![Reason::Cannot(why.clone())],
            latency_ms: None,
            cert_expires_at: None,
        },
        Probe::Failed { fault, latency_ms } => Verdict {
            state: State::Crit,
            reasons: vec![Reason::Fault(fault.clone(), spec.timeout)],
            latency_ms: *latency_ms,
            cert_expires_at: None,
        },
        Probe::Done { latency_ms, status, body_matched, cert_not_after, addresses, .. } => {
            let (mut crit, mut warn) = (Vec::new(), Vec::new());
            if spec.kind == Kind::Http {
                match status {
                    None => crit.push(Reason::NoStatus),
                    Some(s) => {
                        let expected = if spec.expect_status.is_empty() {
                            (200..400).contains(s)
                        } else {
                            spec.expect_status.contains(s)
                        };
                        if !expected {
                            crit.push(Reason::Status(*s));
                        }
                    }
                }
                if spec.expect_body.is_some() && *body_matched == Some(false) {
                    crit.push(Reason::BodyMismatch);
                }
            }
            if let Some(end) = cert_not_after {
                if *end <= now {
                    crit.push(Reason::CertExpired { days_ago: (now - end).div_euclid(86_400) });
                } else {
                    let days = days_until(now, *end);
                    if days <= i64::from(spec.cert_warn_days) {
                        warn.push(Reason::CertExpires { days });
                    }
                }
            }
            let ms = latency_ms.max(0.0).round() as u64;
            match (spec.crit_ms, spec.warn_ms) {
                (Some(c), _) if ms > c => crit.push(Reason::Slow { ms, limit: c }),
                (_, Some(w)) if ms > w => warn.push(Reason::Slow { ms, limit: w }),
                _ => {}
            }
            let state = if !crit.is_empty() {
                State::Crit
            } else if !warn.is_empty() {
                State::Warn
            } else {
                State::Ok
            };
            let mut reasons = crit;
            reasons.extend(warn);
            if reasons.is_empty() {
                reasons.push(if spec.kind == Kind::Dns {
                    Reason::Resolved { latency_ms: *latency_ms, addresses: addresses.clone() }
                } else {
                    Reason::Fine { latency_ms: *latency_ms, status: *status }
                });
            }
            Verdict { state, reasons, latency_ms: Some(*latency_ms), cert_expires_at: *cert_not_after }
        }
    }
}

#[cfg(test)]
mod tests;
