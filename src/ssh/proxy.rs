//! `ProxyCommand`: the command runs as ssh runs it (`$SHELL -c "exec …"`, `/bin/sh` when SHELL
//! is unset), its stdin and stdout one end of a socket pair whose other end carries the SSH
//! session. Its stderr is kept (the last few KiB) for the error message, never written to the
//! terminal, and the command is ended with the session.

use std::io::Read;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;

use super::{Endpoint, ErrorKind, SshError, SshMsg};
use crate::i18n::{both, Both};

/// How much of the command's stderr is kept for the message.
const STDERR_KEPT: usize = 4096;

/// The running command; dropping it ends it.
pub(crate) struct ProxyChild {
    child: Child,
    command: String,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl ProxyChild {
    /// When the command has ended: how, and the end of what it printed on stderr.
    pub(crate) fn ended(&mut self, name: &str) -> Option<Both> {
        let status = self.child.try_wait().ok().flatten()?;
        let said =
            self.stderr.lock().map(|b| String::from_utf8_lossy(&b).trim().to_string()).unwrap_or_default();
        let command = self.command.as_str();
        let how = match status.code() {
            Some(code) => {
                let code = code.to_string();
                both(&SshMsg::ProxyExited, &[("name", &name), ("command", &command), ("code", &code)])
            }
            None => both(&SshMsg::ProxyKilled, &[("name", &name), ("command", &command)]),
        };
        Some(if said.is_empty() {
            how
        } else {
            both(&SshMsg::ProxySaid, &[("ended", &how), ("said", &said)])
        })
    }
}

impl Drop for ProxyChild {
    fn drop(&mut self) {
        // The command runs in a process group of its own: end whatever it started too.
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: kill(2) with a negative pid signals that process group; no memory is shared.
            unsafe {
                libc::kill(-pid, libc::SIGTERM);
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `command` (tokens already expanded) for `endpoint`; returns the session's end of the
/// transport.
pub(crate) fn spawn(command: &str, endpoint: &Endpoint) -> Result<(UnixStream, ProxyChild), SshError> {
    let fail = |what: &str, err: std::io::Error| {
        SshError::say(
            ErrorKind::Refused,
            SshMsg::ProxyCannotStart,
            &[
                ("name", &endpoint.name),
                ("command", &command),
                ("what", &what),
                ("error", &super::io_both(&err)),
            ],
        )
    };
    let (ours, theirs) = UnixStream::pair().map_err(|e| fail("socket pair", e))?;
    let theirs_out = theirs.try_clone().map_err(|e| fail("socket pair", e))?;
    let shell =
        std::env::var("SHELL").ok().filter(|s| !s.is_empty()).unwrap_or_else(|| "/bin/sh".to_string());
    let mut child = Command::new(&shell)
        .arg("-c")
        .arg(format!("exec {command}"))
        .stdin(Stdio::from(std::os::fd::OwnedFd::from(theirs)))
        .stdout(Stdio::from(std::os::fd::OwnedFd::from(theirs_out)))
        .stderr(Stdio::piped())
        // Its own process group: keys typed at the console never signal it, and it is ended whole.
        .process_group(0)
        .spawn()
        .map_err(|e| fail(&shell, e))?;
    let stderr = Arc::new(Mutex::new(Vec::new()));
    if let Some(mut pipe) = child.stderr.take() {
        let kept = Arc::clone(&stderr);
        let _ = thread::Builder::new().name("yunwei-proxy-stderr".into()).spawn(move || {
            let mut chunk = [0u8; 1024];
            while let Ok(n) = pipe.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                if let Ok(mut buf) = kept.lock() {
                    buf.extend_from_slice(&chunk[..n]);
                    let excess = buf.len().saturating_sub(STDERR_KEPT);
                    buf.drain(..excess);
                }
            }
        });
    }
    Ok((ours, ProxyChild { child, command: command.to_string(), stderr }))
}
