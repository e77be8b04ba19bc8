//! The login shell of this machine on a pseudo-terminal of its own, so that what it prints can
//! be recorded as a remote one's is.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::i18n::{both, io_both, Both};
use crate::ssh::ShellRead;

use super::messages::ShellMsg;

/// A login shell running on a PTY whose master end this holds.
pub struct LocalShell {
    master: OwnedFd,
    child: Child,
}

fn winsize(cols: u16, rows: u16) -> libc::winsize {
    libc::winsize { ws_row: rows, ws_col: cols, ws_xpixel: 0, ws_ypixel: 0 }
}

impl LocalShell {
    /// Starts `shell` as a login shell (`-bash`) in the user's home, on a new PTY of the size
    /// given, with `TERM` set to `term`.
    pub fn start(shell: &Path, term: &str, cols: u16, rows: u16) -> Result<LocalShell, Both> {
        let fail = |e: &std::io::Error| {
            both(&ShellMsg::CannotStartLocal, &[("shell", &shell.display().to_string()), ("e", &io_both(e))])
        };
        let (mut master, mut slave): (RawFd, RawFd) = (-1, -1);
        let ws = winsize(cols.max(1), rows.max(1));
        // SAFETY: openpty writes two descriptors into the locals; the name buffer and termios
        // pointers may be null; `ws` lives across the call.
        let rc =
            unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), &ws) };
        if rc != 0 {
            return Err(fail(&std::io::Error::last_os_error()));
        }
        // SAFETY: both descriptors were just opened by openpty and are owned here alone.
        let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        set_cloexec_nonblock(master.as_raw_fd()).map_err(|e| fail(&e))?;
        let name = shell.file_name().and_then(|n| n.to_str()).unwrap_or("sh");
        let home = std::env::var_os("HOME").unwrap_or_else(|| "/".into());
        let stdio = |fd: &OwnedFd| fd.try_clone().map(Stdio::from);
        let mut cmd = Command::new(shell);
        cmd.arg0(format!("-{name}"))
            .env("TERM", term)
            .current_dir(&home)
            .stdin(stdio(&slave).map_err(|e| fail(&e))?)
            .stdout(stdio(&slave).map_err(|e| fail(&e))?)
            .stderr(stdio(&slave).map_err(|e| fail(&e))?);
        // SAFETY: between fork and exec only async-signal-safe calls: setsid and ioctl.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().map_err(|e| fail(&e))?;
        drop(slave);
        Ok(LocalShell { master, child })
    }
}

fn set_cloexec_nonblock(fd: RawFd) -> std::io::Result<()> {
    // SAFETY: fcntl on a descriptor owned by the caller, with integer arguments only.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 || libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let fdflags = libc::fcntl(fd, libc::F_GETFD);
        if fdflags < 0 || libc::fcntl(fd, libc::F_SETFD, fdflags | libc::FD_CLOEXEC) < 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

fn io_fail(e: &std::io::Error) -> Both {
    both(&ShellMsg::LocalIo, &[("e", &io_both(e))])
}

impl super::Peer for LocalShell {
    fn fd(&self) -> RawFd {
        self.master.as_raw_fd()
    }

    fn events(&self) -> libc::c_short {
        libc::POLLIN
    }

    fn read(&mut self, buf: &mut [u8]) -> Result<ShellRead, Both> {
        // SAFETY: reads into the caller's buffer, at most its length.
        let n = unsafe { libc::read(self.master.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        if n > 0 {
            return Ok(ShellRead::Data(n as usize));
        }
        if n == 0 {
            return Ok(ShellRead::Eof);
        }
        let err = std::io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::EAGAIN) | Some(libc::EINTR) => Ok(ShellRead::Nothing),
            // Every end of the slave closed: the shell and whatever it started are gone.
            Some(libc::EIO) => Ok(ShellRead::Eof),
            _ => Err(io_fail(&err)),
        }
    }

    fn write(&mut self, data: &[u8]) -> Result<usize, Both> {
        // SAFETY: writes from the caller's slice, at most its length.
        let n = unsafe { libc::write(self.master.as_raw_fd(), data.as_ptr().cast(), data.len()) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let err = std::io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::EAGAIN) | Some(libc::EINTR) => Ok(0),
            _ => Err(io_fail(&err)),
        }
    }

    fn input_closed(&mut self) -> Result<(), Both> {
        // Ctrl-D at the start of a line: the shell reads it as the end of its input.
        self.write(b"\x04").map(|_| ())
    }

    fn resize(&mut self, cols: u16, rows: u16) -> Result<(), Both> {
        let ws = winsize(cols, rows);
        // SAFETY: TIOCSWINSZ reads a winsize the call does not keep.
        let rc = unsafe { libc::ioctl(self.master.as_raw_fd(), libc::TIOCSWINSZ, &ws) };
        if rc < 0 {
            return Err(io_fail(&std::io::Error::last_os_error()));
        }
        Ok(())
    }

    fn finish(&mut self) -> Option<i32> {
        match self.child.wait() {
            Ok(status) => status.code(),
            Err(_) => None,
        }
    }
}
