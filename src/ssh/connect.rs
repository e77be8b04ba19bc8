//! Establishing one SSH session over a given transport (a TCP socket, or one end of a socket pair
//! bridged through a jump host): TCP connect, handshake, host-key check, authentication. Every
//! step is bounded: the TCP connect by `connect_timeout`, every protocol step by
//! `command_timeout` through `Session::set_timeout`, set before the handshake.

use std::fs;
use std::io::{self, Read};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::os::fd::{AsRawFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ssh2::{ErrorCode, MethodType, Session};

use super::known_hosts::{self, Verdict};
use super::{Endpoint, ErrorKind, HostKeyCheck, SshError, SshMsg, SshSettings};
use crate::i18n::{Both, Lang};

// libssh2 error codes (libssh2.h) that the classification below distinguishes.
const LIBSSH2_ERROR_BANNER_RECV: i32 = -2;
const LIBSSH2_ERROR_BANNER_SEND: i32 = -3;
const LIBSSH2_ERROR_SOCKET_SEND: i32 = -7;
const LIBSSH2_ERROR_TIMEOUT: i32 = -9;
const LIBSSH2_ERROR_SOCKET_DISCONNECT: i32 = -13;
const LIBSSH2_ERROR_FILE: i32 = -16;
const LIBSSH2_ERROR_AUTHENTICATION_FAILED: i32 = -18;
const LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED: i32 = -19;
const LIBSSH2_ERROR_SOCKET_TIMEOUT: i32 = -30;
pub(crate) const LIBSSH2_ERROR_EAGAIN: i32 = -37;
const LIBSSH2_ERROR_SOCKET_RECV: i32 = -43;
const LIBSSH2_ERROR_BAD_SOCKET: i32 = -45;
const LIBSSH2_ERROR_KEYFILE_AUTH_FAILED: i32 = -48;

/// A session that passed the host-key check and authenticated, in blocking mode.
pub(crate) struct Established {
    pub session: Session,
    /// The transport's descriptor (owned by the session), for poll().
    pub fd: RawFd,
    pub host_key_unverified: bool,
    /// The ProxyCommand carrying the session, ended with it.
    pub proxy: Option<super::proxy::ProxyChild>,
}

pub(crate) fn session_code(err: &ssh2::Error) -> i32 {
    match err.code() {
        ErrorCode::Session(code) => code,
        ErrorCode::SFTP(_) => 0,
    }
}

/// Whether the error means the transport itself failed (as opposed to a refusal by the server).
pub(crate) fn is_transport_failure(code: i32) -> bool {
    matches!(
        code,
        LIBSSH2_ERROR_TIMEOUT
            | LIBSSH2_ERROR_SOCKET_TIMEOUT
            | LIBSSH2_ERROR_SOCKET_DISCONNECT
            | LIBSSH2_ERROR_SOCKET_RECV
            | LIBSSH2_ERROR_SOCKET_SEND
            | LIBSSH2_ERROR_BANNER_RECV
            | LIBSSH2_ERROR_BANNER_SEND
            | LIBSSH2_ERROR_BAD_SOCKET
    )
}

/// Maps a libssh2 error of a blocking step that started at `started` to an [`SshError`]. libssh2
/// reports some expired timeouts under another code (a banner that never came is
/// "Failed getting banner"), so a failure at the end of the step's time is a timeout too.
pub(crate) fn classify(err: &ssh2::Error, what: &Both, started: Instant, timeout: Duration) -> SshError {
    let code = session_code(err);
    let timed_out = code == LIBSSH2_ERROR_TIMEOUT
        || code == LIBSSH2_ERROR_SOCKET_TIMEOUT
        || (is_transport_failure(code) && started.elapsed() + Duration::from_millis(100) >= timeout);
    let error = err.message();
    if timed_out {
        SshError::say(ErrorKind::Timeout, SshMsg::NoAnswer, &[("what", what), ("secs", &secs(timeout))])
    } else if is_transport_failure(code) {
        SshError::say(ErrorKind::Disconnected, SshMsg::ConnectionLost, &[("what", what), ("error", &error)])
    } else {
        SshError::say(ErrorKind::Protocol, SshMsg::Step, &[("what", what), ("error", &error)])
    }
}

/// A duration in seconds as the messages give it.
pub(crate) fn secs(d: Duration) -> String {
    d.as_secs_f64().to_string()
}

/// An I/O error in both languages (the common kinds in words, without `(os error N)`).
pub(crate) fn io_both(e: &io::Error) -> Both {
    Both { en: crate::i18n::io_error(e, Lang::En), zh: crate::i18n::io_error(e, Lang::ZhCn) }
}

/// `{label}` filled into a step's message.
pub(crate) fn step(msg: SshMsg, key: &str, value: &str) -> Both {
    crate::i18n::both(&msg, &[(key, &value)])
}

fn endpoint_label(endpoint: &Endpoint) -> String {
    format!("{} ({}@{}:{})", endpoint.name, endpoint.user, endpoint.address, endpoint.port)
}

/// Resolves the endpoint's address and connects to each address in turn, all within `timeout`.
pub(crate) fn tcp_connect(endpoint: &Endpoint, timeout: Duration) -> Result<TcpStream, SshError> {
    let started = Instant::now();
    let addresses = resolve(endpoint, timeout)?;
    let mut last_error = None;
    for address in &addresses {
        let remaining = timeout.saturating_sub(started.elapsed());
        if remaining.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(address, remaining) {
            Ok(stream) => {
                // libssh2 writes small packets; Nagle would delay each request.
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(err) => last_error = Some((*address, err)),
        }
    }
    let label = endpoint_label(endpoint);
    Err(match last_error {
        Some((address, err)) => match err.kind() {
            io::ErrorKind::ConnectionRefused => SshError::say(
                ErrorKind::Refused,
                SshMsg::Refused,
                &[("label", &label), ("address", &address.to_string()), ("port", &endpoint.port.to_string())],
            ),
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => SshError::say(
                ErrorKind::Timeout,
                SshMsg::NoAnswerFrom,
                &[("label", &label), ("address", &address.to_string()), ("secs", &secs(timeout))],
            ),
            _ => SshError::say(
                ErrorKind::Refused,
                SshMsg::CannotConnect,
                &[("label", &label), ("address", &address.to_string()), ("error", &io_both(&err))],
            ),
        },
        None => {
            SshError::say(ErrorKind::Timeout, SshMsg::NoAnswer, &[("what", &label), ("secs", &secs(timeout))])
        }
    })
}

/// getaddrinfo has no timeout of its own: a name is resolved on a helper thread and abandoned
/// when it takes longer than `timeout` (the thread ends when the resolver gives up).
fn resolve(endpoint: &Endpoint, timeout: Duration) -> Result<Vec<SocketAddr>, SshError> {
    let host = endpoint.address.trim_start_matches('[').trim_end_matches(']').to_string();
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, endpoint.port)]);
    }
    let label = endpoint_label(endpoint);
    let port = endpoint.port;
    let (sender, receiver) = mpsc::channel();
    let lookup_host = host.clone();
    let spawned = thread::Builder::new().name("yunwei-resolve".into()).spawn(move || {
        let _ = sender.send((lookup_host.as_str(), port).to_socket_addrs().map(|a| a.collect::<Vec<_>>()));
    });
    if let Err(err) = spawned {
        return Err(SshError::say(
            ErrorKind::Protocol,
            SshMsg::ResolveThread,
            &[("label", &label), ("error", &io_both(&err))],
        ));
    }
    match receiver.recv_timeout(timeout) {
        Ok(Ok(addresses)) if !addresses.is_empty() => Ok(addresses),
        Ok(Ok(_)) => Err(SshError::say(
            ErrorKind::NameNotResolved,
            SshMsg::NoAddress,
            &[("label", &label), ("host", &host)],
        )),
        Ok(Err(err)) => Err(SshError::say(
            ErrorKind::NameNotResolved,
            SshMsg::CannotResolve,
            &[("label", &label), ("host", &host), ("error", &io_both(&err))],
        )),
        Err(_) => Err(SshError::say(
            ErrorKind::NameNotResolved,
            SshMsg::ResolveSlow,
            &[("label", &label), ("host", &host), ("secs", &secs(timeout))],
        )),
    }
}

/// Connects to `endpoint` from this machine: through its ProxyCommand when it has one, else
/// over TCP.
pub(crate) fn establish_direct(
    endpoint: &Endpoint,
    settings: &SshSettings,
    known_hosts_lock: &Mutex<()>,
) -> Result<(Established, bool), SshError> {
    if let Some(reason) = &endpoint.options.unsupported {
        return Err(SshError::say(
            ErrorKind::Unsupported,
            SshMsg::Unsupported,
            &[("name", &endpoint.name), ("reason", reason)],
        ));
    }
    match &endpoint.options.proxy_command {
        Some(command) => {
            let (stream, mut child) = super::proxy::spawn(command, endpoint)?;
            match establish(stream, endpoint, settings, known_hosts_lock) {
                Ok(mut established) => {
                    established.proxy = Some(child);
                    Ok((established, false))
                }
                Err(err) => {
                    // Give a command that is failing a moment to say why.
                    let until = Instant::now() + Duration::from_millis(200);
                    while Instant::now() < until {
                        if let Some(ended) = child.ended(&endpoint.name) {
                            return Err(SshError::both(ErrorKind::Refused, ended));
                        }
                        thread::sleep(Duration::from_millis(20));
                    }
                    Err(err)
                }
            }
        }
        None => {
            let stream = tcp_connect(endpoint, settings.connect_timeout)?;
            Ok((establish(stream, endpoint, settings, known_hosts_lock)?, true))
        }
    }
}

/// Runs the SSH handshake over `stream`, checks the host key and authenticates.
/// `known_hosts_lock` serialises the re-check and append of accept-new between threads.
pub(crate) fn establish<S: AsRawFd + 'static>(
    stream: S,
    endpoint: &Endpoint,
    settings: &SshSettings,
    known_hosts_lock: &Mutex<()>,
) -> Result<Established, SshError> {
    let label = endpoint_label(endpoint);
    let timeout = settings.command_timeout;
    let session = Session::new().map_err(|err| {
        SshError::say(
            ErrorKind::Protocol,
            SshMsg::CannotCreateSession,
            &[("label", &label), ("error", &err.message())],
        )
    })?;
    // Without a timeout a host that accepts TCP and never speaks blocks the handshake forever.
    session.set_timeout(u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX).max(1));

    let check = KeyCheck::of(endpoint, settings);
    let known = match known_hosts::lookup(&check.files(), &check.name) {
        Ok(known) => known,
        Err(_) if check.policy == HostKeyCheck::Off => Vec::new(),
        Err(err) => {
            return Err(SshError::say(
                ErrorKind::HostKeyUnknown,
                SshMsg::CannotReadKnownHosts,
                &[("label", &label), ("error", &io_both(&err))],
            ))
        }
    };
    prefer_recorded_key_types(&session, &known);

    let fd = stream.as_raw_fd();
    let mut session = session;
    session.set_tcp_stream(stream);
    let started = Instant::now();
    session
        .handshake()
        .map_err(|err| classify(&err, &step(SshMsg::StepHandshake, "label", &label), started, timeout))?;

    let host_key_unverified = check_host_key(&session, endpoint, &check, &known, known_hosts_lock)?;
    authenticate(&session, endpoint, timeout)?;
    Ok(Established { session, fd, host_key_unverified, proxy: None })
}

/// How one endpoint's host key is checked, as ssh decides it from `~/.ssh/config` and `[ssh]`.
struct KeyCheck {
    /// The user's files (new keys go to the first), then the system's.
    user_files: Vec<PathBuf>,
    global_files: Vec<PathBuf>,
    policy: HostKeyCheck,
    /// The name looked up and recorded: HostKeyAlias, else `host` or `[host]:port`.
    name: String,
    /// For a port other than 22 without HostKeyAlias, the port-less name a key may be recorded
    /// under (ssh: "found matching key w/out port").
    portless: Option<String>,
    hash: bool,
}

impl KeyCheck {
    fn of(endpoint: &Endpoint, settings: &SshSettings) -> KeyCheck {
        let o = &endpoint.options;
        let policy = match o.host_key_check {
            Some(host) if settings.host_key_check_set => stricter(host, settings.host_key_check),
            Some(host) => host,
            None => settings.host_key_check,
        };
        let (name, portless) = match &o.host_key_alias {
            Some(alias) => (alias.to_lowercase(), None),
            None => (
                known_hosts::host_name(&endpoint.address, endpoint.port),
                (endpoint.port != 22).then(|| known_hosts::host_name(&endpoint.address, 22)),
            ),
        };
        KeyCheck {
            user_files: o.user_known_hosts.clone().unwrap_or_else(|| vec![settings.known_hosts.clone()]),
            global_files: o.global_known_hosts.clone().unwrap_or_else(|| settings.global_known_hosts.clone()),
            policy,
            name,
            portless,
            hash: o.hash_known_hosts,
        }
    }

    fn files(&self) -> Vec<PathBuf> {
        self.user_files.iter().chain(&self.global_files).cloned().collect()
    }

    /// Where a new key is recorded.
    fn record_file(&self) -> Option<&PathBuf> {
        self.user_files.first()
    }

    fn shown_files(&self) -> String {
        self.user_files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    }
}

/// strict > accept-new > off.
fn stricter(a: HostKeyCheck, b: HostKeyCheck) -> HostKeyCheck {
    let rank = |c: HostKeyCheck| match c {
        HostKeyCheck::Strict => 2,
        HostKeyCheck::AcceptNew => 1,
        HostKeyCheck::Off => 0,
    };
    if rank(a) >= rank(b) {
        a
    } else {
        b
    }
}

/// Offers the host-key algorithms in ssh's order: those of the key types recorded for the host
/// first, so a host known by ed25519 is asked for ed25519 even when it prefers another.
fn prefer_recorded_key_types(session: &Session, known: &[known_hosts::KnownKey]) {
    let mut types: Vec<String> = Vec::new();
    for key in known.iter().filter(|k| !k.revoked) {
        if !types.contains(&key.key_type) {
            types.push(key.key_type.clone());
        }
    }
    let supported = session.supported_algs(MethodType::HostKey).unwrap_or_default();
    let order: Vec<&str> =
        known_hosts::algorithm_order(&types).into_iter().filter(|a| supported.contains(a)).collect();
    if order.is_empty() {
        return;
    }
    // A refused preference list only loses the ordering; the check below stays type-aware.
    let _ = session.method_pref(MethodType::HostKey, &order.join(","));
}

/// Applies the host-key policy; returns whether an unverified key was let through (`off`).
fn check_host_key(
    session: &Session,
    endpoint: &Endpoint,
    check: &KeyCheck,
    known: &[known_hosts::KnownKey],
    known_hosts_lock: &Mutex<()>,
) -> Result<bool, SshError> {
    let label = endpoint_label(endpoint);
    let Some((blob, _)) = session.host_key() else {
        return Err(SshError::say(ErrorKind::Protocol, SshMsg::NoHostKey, &[("label", &label)]));
    };
    let blob = blob.to_vec();
    let key_type = known_hosts::blob_key_type(&blob).unwrap_or_else(|| "unknown-key-type".to_string());
    let fingerprint = known_hosts::fingerprint(&blob);
    let files = check.shown_files();
    let host = check.name.clone();
    let mut verdict = known_hosts::verify(known, &key_type, &blob);
    if let (Verdict::Unknown { .. }, Some(portless)) = (&verdict, &check.portless) {
        let without_port = known_hosts::lookup(&check.files(), portless).unwrap_or_default();
        if known_hosts::verify(&without_port, &key_type, &blob) == Verdict::Known {
            verdict = Verdict::Known;
        }
    }

    let revoked = |file: &std::path::Path, line: usize| {
        SshError::say(
            ErrorKind::HostKeyChanged,
            SshMsg::KeyRevoked,
            &[
                ("label", &label),
                ("key_type", &key_type),
                ("fingerprint", &fingerprint),
                ("file", &file.display().to_string()),
                ("line", &line.to_string()),
            ],
        )
    };
    if let Verdict::Revoked { file, line } = &verdict {
        return Err(revoked(file, *line));
    }
    if check.policy == HostKeyCheck::Off {
        return Ok(verdict != Verdict::Known);
    }
    if check.policy == HostKeyCheck::AcceptNew && matches!(verdict, Verdict::Unknown { .. }) {
        let Some(record) = check.record_file() else {
            return Err(SshError::say(
                ErrorKind::HostKeyUnknown,
                SshMsg::NoFileToRecord,
                &[("label", &label)],
            ));
        };
        // Re-read under the lock: another thread may have recorded this host meanwhile.
        let _guard = known_hosts_lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let again = known_hosts::lookup(&check.files(), &check.name).map_err(|err| {
            SshError::say(
                ErrorKind::HostKeyUnknown,
                SshMsg::CannotReadKnownHosts,
                &[("label", &label), ("error", &io_both(&err))],
            )
        })?;
        verdict = known_hosts::verify(&again, &key_type, &blob);
        if matches!(verdict, Verdict::Unknown { .. }) {
            known_hosts::append(record, &check.name, check.hash, &blob).map_err(|err| {
                SshError::say(
                    ErrorKind::HostKeyUnknown,
                    SshMsg::CannotRecord,
                    &[
                        ("label", &label),
                        ("key_type", &key_type),
                        ("fingerprint", &fingerprint),
                        ("file", &record.display().to_string()),
                        ("error", &io_both(&err)),
                    ],
                )
            })?;
            return Ok(false);
        }
    }
    match verdict {
        Verdict::Known => Ok(false),
        Verdict::Changed { file, line } => Err(SshError::say(
            ErrorKind::HostKeyChanged,
            SshMsg::KeyChanged,
            &[
                ("label", &label),
                ("key_type", &key_type),
                ("fingerprint", &fingerprint),
                ("file", &file.display().to_string()),
                ("line", &line.to_string()),
                ("host", &host),
            ],
        )),
        Verdict::Revoked { file, line } => Err(revoked(&file, line)),
        Verdict::Unknown { other_types } => {
            let recorded = if other_types.is_empty() {
                Both::default()
            } else {
                let types = other_types.join(", ");
                crate::i18n::both(&SshMsg::KeyOnlyOtherTypes, &[("types", &types)])
            };
            let first = check.record_file().map(|p| p.display().to_string()).unwrap_or_default();
            Err(SshError::say(
                ErrorKind::HostKeyUnknown,
                SshMsg::KeyUnknown,
                &[
                    ("label", &label),
                    ("key_type", &key_type),
                    ("fingerprint", &fingerprint),
                    ("host", &host),
                    ("files", &files),
                    ("recorded", &recorded),
                    ("port", &endpoint.port.to_string()),
                    ("address", &endpoint.address),
                    ("first", &first),
                ],
            ))
        }
    }
}

/// Public-key authentication only: ssh-agent first (when `SSH_AUTH_SOCK` is set), then each
/// identity file. Passwords and passphrases are never asked for or stored.
fn authenticate(session: &Session, endpoint: &Endpoint, timeout: Duration) -> Result<(), SshError> {
    let label = endpoint_label(endpoint);
    let who = format!("{}@{}", endpoint.user, endpoint.address);
    let user = endpoint.user.as_str();
    let started = Instant::now();
    let methods = session
        .auth_methods(user)
        .map(str::to_string)
        .map_err(|err| classify(&err, &step(SshMsg::StepAuthMethods, "label", &label), started, timeout))?;
    if session.authenticated() {
        return Ok(());
    }
    if !methods.split(',').any(|method| method == "publickey") {
        return Err(SshError::say(
            ErrorKind::AuthFailed,
            SshMsg::AuthOnlyMethods,
            &[("who", &who), ("name", &endpoint.name), ("methods", &methods)],
        ));
    }

    let said =
        |msg: SshMsg, path: &str, error: &str| crate::i18n::both(&msg, &[("path", &path), ("error", &error)]);
    let mut tried: Vec<Both> = Vec::new();
    if std::env::var_os("SSH_AUTH_SOCK").is_some_and(|sock| !sock.is_empty()) {
        match try_agent(session, user, &label, timeout)? {
            None => return Ok(()),
            Some(outcome) => tried.push(outcome),
        }
    } else {
        tried.push(said(SshMsg::AgentNoSocket, "", ""));
    }

    let explicit = !endpoint.identity_files.is_empty();
    let files = if explicit { endpoint.identity_files.clone() } else { default_identity_files() };
    for path in &files {
        let shown = path.display().to_string();
        if !path.exists() {
            tried.push(said(SshMsg::KeyMissing, &shown, ""));
            continue;
        }
        match key_file_state(path) {
            KeyFileState::Encrypted => {
                tried.push(said(SshMsg::KeyEncrypted, &shown, ""));
                continue;
            }
            KeyFileState::Unreadable(err) => {
                let error = io_both(&err);
                tried.push(crate::i18n::both(&SshMsg::KeyUnreadable, &[("path", &shown), ("error", &error)]));
                continue;
            }
            KeyFileState::Plain => {}
        }
        let started = Instant::now();
        match session.userauth_pubkey_file(user, None, path, None) {
            Ok(()) if session.authenticated() => return Ok(()),
            Ok(()) => tried.push(said(SshMsg::KeyNotAccepted, &shown, "")),
            Err(err) => {
                let code = session_code(&err);
                if is_transport_failure(code) {
                    let what = crate::i18n::both(&SshMsg::StepAuthKey, &[("label", &label), ("key", &shown)]);
                    return Err(classify(&err, &what, started, timeout));
                }
                tried.push(match code {
                    LIBSSH2_ERROR_AUTHENTICATION_FAILED | LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED => {
                        said(SshMsg::KeyRejected, &shown, "")
                    }
                    LIBSSH2_ERROR_FILE | LIBSSH2_ERROR_KEYFILE_AUTH_FAILED => {
                        said(SshMsg::KeyUnusable, &shown, err.message())
                    }
                    _ => said(SshMsg::KeyOther, &shown, err.message()),
                });
            }
        }
    }
    if files.is_empty() {
        tried.push(said(SshMsg::NoIdentityFile, "", ""));
    }
    let join = |lang: Lang| {
        tried
            .iter()
            .map(|t| t.get(lang).to_string())
            .collect::<Vec<_>>()
            .join(SshMsg::TriedSeparator.text(lang))
    };
    let tried = Both { en: join(Lang::En), zh: join(Lang::ZhCn) };
    Err(SshError::say(
        ErrorKind::AuthFailed,
        SshMsg::AuthTried,
        &[("who", &who), ("name", &endpoint.name), ("tried", &tried)],
    ))
}

/// `Ok(None)` when the agent logged us in, `Ok(Some(what happened))` when it did not.
fn try_agent(
    session: &Session,
    user: &str,
    label: &str,
    timeout: Duration,
) -> Result<Option<Both>, SshError> {
    let said = |msg: SshMsg, error: &str| crate::i18n::both(&msg, &[("error", &error)]);
    let mut agent = match session.agent() {
        Ok(agent) => agent,
        Err(err) => return Ok(Some(said(SshMsg::AgentUnavailable, err.message()))),
    };
    if let Err(err) = agent.connect() {
        return Ok(Some(said(SshMsg::AgentCannotConnect, err.message())));
    }
    let outcome = (|| {
        if let Err(err) = agent.list_identities() {
            return Ok(Some(said(SshMsg::AgentCannotList, err.message())));
        }
        let identities = agent.identities().unwrap_or_default();
        if identities.is_empty() {
            return Ok(Some(said(SshMsg::AgentNoKeys, "")));
        }
        for identity in &identities {
            let started = Instant::now();
            match agent.userauth(user, identity) {
                Ok(()) if session.authenticated() => return Ok(None),
                Ok(()) => {}
                Err(err) if is_transport_failure(session_code(&err)) => {
                    return Err(classify(
                        &err,
                        &step(SshMsg::StepAuthAgent, "label", label),
                        started,
                        timeout,
                    ))
                }
                Err(_) => {}
            }
        }
        let n = identities.len().to_string();
        Ok(Some(crate::i18n::both(&SshMsg::AgentNoneAccepted, &[("n", &n)])))
    })();
    let _ = agent.disconnect();
    outcome
}

fn default_identity_files() -> Vec<PathBuf> {
    let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) else { return Vec::new() };
    ["id_ed25519", "id_ecdsa", "id_rsa"]
        .iter()
        .map(|name| Path::new(&home).join(".ssh").join(name))
        .filter(|path| path.exists())
        .collect()
}

enum KeyFileState {
    Plain,
    Encrypted,
    Unreadable(io::Error),
}

/// Recognises passphrase-protected keys (OpenSSH format with a cipher, or encrypted PEM) so that
/// the user is told why the key was not used instead of libssh2's generic parse error.
fn key_file_state(path: &Path) -> KeyFileState {
    let mut text = String::new();
    let read = fs::File::open(path).and_then(|file| file.take(1 << 20).read_to_string(&mut text));
    if let Err(err) = read {
        return KeyFileState::Unreadable(err);
    }
    if text.contains("Proc-Type: 4,ENCRYPTED") || text.contains("BEGIN ENCRYPTED PRIVATE KEY") {
        return KeyFileState::Encrypted;
    }
    const BEGIN: &str = "-----BEGIN OPENSSH PRIVATE KEY-----";
    if let Some(start) = text.find(BEGIN) {
        let body: String = text[start + BEGIN.len()..]
            .lines()
            .take_while(|line| !line.starts_with("-----END"))
            .flat_map(|line| line.trim().chars())
            .collect();
        if let Ok(bytes) = STANDARD.decode(body) {
            const MAGIC: &[u8] = b"openssh-key-v1\0";
            if let Some(rest) = bytes.strip_prefix(MAGIC) {
                if known_hosts::blob_key_type(rest).is_some_and(|cipher| cipher != "none") {
                    return KeyFileState::Encrypted;
                }
            }
        }
    }
    KeyFileState::Plain
}

/// Ends both directions of the session's transport (a TCP socket or the Unix socket to a jump
/// host's pump); a descriptor that is no socket (a ProxyCommand's pipe) is left as it is.
pub(crate) fn shut_down(fd: RawFd) {
    // SAFETY: shutdown takes a descriptor and a flag; the descriptor is still open (the session
    // holds it until it is dropped, after this).
    unsafe {
        libc::shutdown(fd, libc::SHUT_RDWR);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_encrypted_openssh_and_pem_keys() {
        let dir = tempfile::tempdir().unwrap();
        let encrypted = dir.path().join("enc");
        let mut body = b"openssh-key-v1\0".to_vec();
        body.extend_from_slice(&10u32.to_be_bytes());
        body.extend_from_slice(b"aes256-ctr");
        fs::write(
            &encrypted,
            format!(
                "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
                STANDARD.encode(&body)
            ),
        )
        .unwrap();
        assert!(matches!(key_file_state(&encrypted), KeyFileState::Encrypted));
        let mut plain_body = b"openssh-key-v1\0".to_vec();
        plain_body.extend_from_slice(&4u32.to_be_bytes());
        plain_body.extend_from_slice(b"none");
        fs::write(
            &encrypted,
            format!(
                "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
                STANDARD.encode(&plain_body)
            ),
        )
        .unwrap();
        assert!(matches!(key_file_state(&encrypted), KeyFileState::Plain));
        fs::write(&encrypted, "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n").unwrap();
        assert!(matches!(key_file_state(&encrypted), KeyFileState::Encrypted));
    }
}
