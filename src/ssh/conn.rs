//! A connected, authenticated session to one target, owned by one thread (its host's session
//! owner): runs commands in non-blocking mode under one deadline per command, so a frozen host
//! costs at most `command_timeout` and never blocks another thread.

use std::io::{self, Read};
use std::os::fd::RawFd;
use std::time::{Duration, Instant};

use ssh2::{BlockDirections, Session};

use super::connect::{
    io_both, is_transport_failure, secs, session_code, shut_down, step, Established, LIBSSH2_ERROR_EAGAIN,
};
use super::pump::poll_fds;
use super::{ErrorKind, ExecOutput, SshError, SshMsg};

/// More output than any probe prints; a runaway command fails instead of exhausting memory.
const MAX_OUTPUT: usize = 64 * 1024 * 1024;

/// The longest one wait on the socket lasts before libssh2 is asked again (see `wait`).
const WAIT_SLICE: Duration = Duration::from_millis(200);

/// A session to one target. `Send`: it moves into the thread that owns it.
pub struct SshConn {
    session: Session,
    fd: RawFd,
    name: String,
    command_timeout: Duration,
    host_key_unverified: bool,
    /// After a timeout or a lost connection the session is unusable; later execs say so at once.
    broken: Option<SshError>,
    /// The ProxyCommand carrying the session, ended with it (dropped after the session).
    _proxy: Option<super::proxy::ProxyChild>,
}

impl SshConn {
    pub(crate) fn new(established: Established, name: &str, command_timeout: Duration) -> SshConn {
        established.session.set_blocking(false);
        SshConn {
            session: established.session,
            fd: established.fd,
            name: name.to_string(),
            command_timeout,
            host_key_unverified: established.host_key_unverified,
            broken: None,
            _proxy: established.proxy,
        }
    }

    /// Runs one command (already quoted by the caller), reads stdout and stderr to the end,
    /// within command_timeout.
    pub fn exec(&mut self, command: &str) -> Result<ExecOutput, SshError> {
        self.exec_with_timeout(command, self.command_timeout)
    }

    /// As [`SshConn::exec`], with its own time limit (a slow, occasional command such as the
    /// security posture query).
    pub fn exec_with_timeout(&mut self, command: &str, timeout: Duration) -> Result<ExecOutput, SshError> {
        if let Some(err) = &self.broken {
            return Err(SshError::say(
                ErrorKind::Disconnected,
                SshMsg::SessionBroken,
                &[("name", &self.name), ("error", &err.texts())],
            ));
        }
        let deadline = Instant::now() + timeout;
        let result = self.exec_until(command, deadline);
        if let Err(err) = &result {
            if matches!(err.kind, ErrorKind::Timeout | ErrorKind::Disconnected) {
                self.broken = Some(err.clone());
            }
        }
        result
    }

    /// true when host_key_check = off let an unverified key through (the UI warns).
    pub fn host_key_unverified(&self) -> bool {
        self.host_key_unverified
    }

    fn exec_until(&self, command: &str, deadline: Instant) -> Result<ExecOutput, SshError> {
        let mut channel = self.retry(deadline, SshMsg::StepOpenChannel, || self.session.channel_session())?;
        self.retry(deadline, SshMsg::StepStartCommand, || channel.exec(command))?;
        let (mut stdout, mut stderr) = (Output::default(), Output::default());
        loop {
            let out = self.read_stream(&mut channel.stream(0), &mut stdout)?;
            let err = self.read_stream(&mut channel.stderr(), &mut stderr)?;
            if out == Got::Eof && err == Got::Eof {
                break;
            }
            if Instant::now() >= deadline {
                return Err(self.timeout());
            }
            if out == Got::Data || err == Got::Data {
                continue;
            }
            // Data for one stream may have been queued while reading the other.
            if channel.read_window().available > 0 {
                continue;
            }
            self.wait(deadline)?;
        }
        self.retry(deadline, SshMsg::StepCloseChannel, || channel.close())?;
        self.retry(deadline, SshMsg::StepExitStatus, || channel.wait_close())?;
        let killed = channel.exit_signal().ok().and_then(|signal| signal.exit_signal).is_some();
        let exit_status = if killed { -1 } else { channel.exit_status().unwrap_or(-1) };
        Ok(ExecOutput { stdout: stdout.finish(), stderr: stderr.finish(), exit_status })
    }

    fn read_stream(&self, stream: &mut ssh2::Stream, into: &mut Output) -> Result<Got, SshError> {
        match stream.read(into.room()) {
            Ok(0) => Ok(Got::Eof),
            Ok(n) => {
                if into.used + n > MAX_OUTPUT {
                    return Err(SshError::say(
                        ErrorKind::Protocol,
                        SshMsg::OutputTooLarge,
                        &[("name", &self.name), ("mib", &(MAX_OUTPUT >> 20).to_string())],
                    ));
                }
                into.used += n;
                Ok(Got::Data)
            }
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => Ok(Got::Nothing),
            Err(err) => Err(self.io_failure(SshMsg::StepReadOutput, &err)),
        }
    }

    /// Repeats a libssh2 call that would block until it completes or the deadline passes.
    fn retry<T>(
        &self,
        deadline: Instant,
        what: SshMsg,
        mut call: impl FnMut() -> Result<T, ssh2::Error>,
    ) -> Result<T, SshError> {
        loop {
            match call() {
                Ok(value) => return Ok(value),
                Err(err) if session_code(&err) == LIBSSH2_ERROR_EAGAIN => self.wait(deadline)?,
                Err(err) if is_transport_failure(session_code(&err)) => {
                    return Err(SshError::say(
                        ErrorKind::Disconnected,
                        SshMsg::ConnectionLost,
                        &[("what", &step(what, "name", &self.name)), ("error", &err.message())],
                    ));
                }
                Err(err) => {
                    return Err(SshError::say(
                        ErrorKind::Protocol,
                        SshMsg::Step,
                        &[("what", &step(what, "name", &self.name)), ("error", &err.message())],
                    ));
                }
            }
        }
    }

    /// Channel reads report errors as io::Error; the libssh2 code is recovered from the session.
    fn io_failure(&self, what: SshMsg, err: &io::Error) -> SshError {
        let last = ssh2::Error::last_session_error(&self.session);
        let transport = last.as_ref().is_some_and(|last| is_transport_failure(session_code(last)));
        let kind = if transport { ErrorKind::Disconnected } else { ErrorKind::Protocol };
        SshError::say(
            kind,
            SshMsg::ConnectionLost,
            &[("what", &step(what, "name", &self.name)), ("error", &io_both(err))],
        )
    }

    fn timeout(&self) -> SshError {
        SshError::say(
            ErrorKind::Timeout,
            SshMsg::CommandTimeout,
            &[("name", &self.name), ("secs", &secs(self.command_timeout))],
        )
    }

    /// Waits until the socket is ready in the direction libssh2 is blocked on, or for
    /// [`WAIT_SLICE`] at most: the caller then asks libssh2 again.
    ///
    /// The slice is there because libssh2 can answer "would block" while what it waits for is
    /// already in its own buffers (a channel's confirmation queued while it read another
    /// packet; libssh2 issue #671): the socket then stays quiet, and a wait to the deadline
    /// held a health poll for its whole 5 s timeout on a loaded machine before the retry found
    /// the answer at once.
    fn wait(&self, deadline: Instant) -> Result<(), SshError> {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(self.timeout());
        }
        let remaining = remaining.min(WAIT_SLICE);
        let events = match self.session.block_directions() {
            BlockDirections::Outbound => libc::POLLOUT,
            BlockDirections::Both => libc::POLLIN | libc::POLLOUT,
            _ => libc::POLLIN,
        };
        let mut fds = [libc::pollfd { fd: self.fd, events, revents: 0 }];
        poll_fds(&mut fds, remaining).map_err(|err| {
            SshError::say(
                ErrorKind::Disconnected,
                SshMsg::WaitingForServer,
                &[("name", &self.name), ("error", &io_both(&err))],
            )
        })?;
        Ok(())
    }
}

/// The terminal an interactive shell asks the server for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PtyRequest {
    /// `$TERM` of the local terminal, e.g. `xterm-256color`.
    pub term: String,
    pub cols: u16,
    pub rows: u16,
}

/// What one read of an interactive channel gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellRead {
    Data(usize),
    /// Nothing now: wait on [`ShellChannel::fd`].
    Nothing,
    /// The shell closed its output: the session is over.
    Eof,
}

/// An interactive shell on the session: a PTY (or none, for input that is not a terminal)
/// and the user's login shell, read and written without blocking.
pub struct ShellChannel<'a> {
    conn: &'a SshConn,
    channel: ssh2::Channel,
    stderr_done: bool,
    stdout_done: bool,
}

impl SshConn {
    /// Opens the user's login shell on the host: with a terminal as `pty` asks for, or with
    /// plain streams when `pty` is None (input from a pipe, as `ssh` does then). Each step
    /// is bounded by the command timeout; the shell itself by nothing.
    pub fn open_shell(&mut self, pty: Option<&PtyRequest>) -> Result<ShellChannel<'_>, SshError> {
        if let Some(err) = &self.broken {
            return Err(SshError::say(
                ErrorKind::Disconnected,
                SshMsg::SessionBroken,
                &[("name", &self.name), ("error", &err.texts())],
            ));
        }
        let deadline = Instant::now() + self.command_timeout;
        let mut channel = self.retry(deadline, SshMsg::StepOpenChannel, || self.session.channel_session())?;
        if let Some(pty) = pty {
            let dim = Some((u32::from(pty.cols), u32::from(pty.rows), 0, 0));
            self.retry(deadline, SshMsg::StepRequestPty, || channel.request_pty(&pty.term, None, dim))?;
        }
        self.retry(deadline, SshMsg::StepStartShell, || channel.shell())?;
        // Sessions that sit idle in a shell (an editor left open) keep their NAT mappings.
        self.session.set_keepalive(true, 30);
        Ok(ShellChannel { conn: self, channel, stderr_done: false, stdout_done: false })
    }
}

impl ShellChannel<'_> {
    /// The socket to wait on.
    pub fn fd(&self) -> RawFd {
        self.conn.fd
    }

    /// The `poll` events libssh2 is waiting for.
    pub fn events(&self) -> libc::c_short {
        match self.conn.session.block_directions() {
            BlockDirections::Outbound => libc::POLLOUT,
            BlockDirections::Both => libc::POLLIN | libc::POLLOUT,
            _ => libc::POLLIN,
        }
    }

    /// Reads what the shell printed (its standard error after its output) into `buf`.
    pub fn read(&mut self, buf: &mut [u8]) -> Result<ShellRead, SshError> {
        for stderr in [false, true] {
            if (stderr && self.stderr_done) || (!stderr && self.stdout_done) {
                continue;
            }
            let mut stream = if stderr { self.channel.stderr() } else { self.channel.stream(0) };
            match stream.read(buf) {
                Ok(0) => {
                    if stderr {
                        self.stderr_done = true;
                    } else {
                        self.stdout_done = true;
                    }
                }
                Ok(n) => return Ok(ShellRead::Data(n)),
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
                Err(err) => return Err(self.conn.io_failure(SshMsg::StepReadOutput, &err)),
            }
        }
        if self.stdout_done && self.stderr_done {
            Ok(ShellRead::Eof)
        } else {
            Ok(ShellRead::Nothing)
        }
    }

    /// Sends what it can of `data` to the shell; 0 when the channel cannot take more now.
    pub fn write(&mut self, data: &[u8]) -> Result<usize, SshError> {
        match io::Write::write(&mut self.channel, data) {
            Ok(n) => Ok(n),
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => Ok(0),
            Err(err) => Err(self.conn.io_failure(SshMsg::StepSendInput, &err)),
        }
    }

    /// Tells the shell its input ended (the pipe it reads from was closed).
    pub fn send_eof(&mut self) -> Result<(), SshError> {
        let deadline = Instant::now() + self.conn.command_timeout;
        self.conn.retry(deadline, SshMsg::StepSendInput, || self.channel.send_eof())
    }

    /// The terminal changed size.
    pub fn resize(&mut self, cols: u16, rows: u16) -> Result<(), SshError> {
        let deadline = Instant::now() + self.conn.command_timeout;
        let (w, h) = (u32::from(cols), u32::from(rows));
        self.conn.retry(deadline, SshMsg::StepResize, || self.channel.request_pty_size(w, h, None, None))
    }

    /// Keeps an idle session alive; the seconds until it should be called again.
    pub fn keepalive(&mut self) -> u32 {
        self.conn.session.keepalive_send().unwrap_or(30)
    }

    /// Closes the channel and gives the shell's exit status (-1 when killed or not reported).
    pub fn finish(&mut self) -> i32 {
        let deadline = Instant::now() + self.conn.command_timeout;
        let _ = self.conn.retry(deadline, SshMsg::StepCloseChannel, || self.channel.close());
        let _ = self.conn.retry(deadline, SshMsg::StepExitStatus, || self.channel.wait_close());
        let killed = self.channel.exit_signal().ok().and_then(|signal| signal.exit_signal).is_some();
        if killed {
            -1
        } else {
            self.channel.exit_status().unwrap_or(-1)
        }
    }
}

/// libssh2 frees a non-blocking session only if it can finish on the spot what freeing asks
/// (closing its open channels, which needs the peer's answer): otherwise
/// `libssh2_session_free` answers "would block" and the session (some 80 KiB) and its channels
/// are never freed. That is the case for every session dropped after a command timed out or
/// the host stopped answering, so a console whose hosts went away and came back lost memory
/// with each reconnect. Shutting the socket first makes every send and read fail at once:
/// libssh2 then skips the goodbyes and frees everything.
impl Drop for SshConn {
    fn drop(&mut self) {
        shut_down(self.fd);
    }
}

/// What one stream of a command printed, read straight into its own buffer: a read buffer on
/// the stack cost every session's thread 32 KiB of resident stack for as long as it lived
/// (16 MiB with 500 hosts).
#[derive(Default)]
struct Output {
    buf: Vec<u8>,
    used: usize,
}

impl Output {
    const CHUNK: usize = 16 * 1024;

    /// Room for the next read after what was read so far (zeroed once, when first needed).
    fn room(&mut self) -> &mut [u8] {
        if self.buf.len() < self.used + Self::CHUNK {
            self.buf.resize(self.used + Self::CHUNK, 0);
        }
        &mut self.buf[self.used..self.used + Self::CHUNK]
    }

    fn finish(mut self) -> Vec<u8> {
        self.buf.truncate(self.used);
        self.buf
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Got {
    Data,
    Nothing,
    Eof,
}

#[cfg(test)]
mod tests {
    #[test]
    fn conn_is_send() {
        fn is_send<T: Send>() {}
        is_send::<super::SshConn>();
    }
}
