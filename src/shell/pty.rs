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
    /// The shell's exit status once it has ended.
    ended: Option<Option<i32>>,
}

/// A new PTY, both ends close-on-exec from the start (a thread of the console forking
/// meanwhile, a ProxyCommand, inherits neither) and neither the controlling terminal here.
fn open_pty() -> std::io::Result<(OwnedFd, OwnedFd)> {
    // SAFETY: posix_openpt returns a new descriptor or -1.
    let master = unsafe { libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC) };
    if master < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: the descriptor was just opened and is owned here alone.
    let master = unsafe { OwnedFd::from_raw_fd(master) };
    let mut name = [0 as libc::c_char; 128];
    // SAFETY: grantpt/unlockpt on the master; ptsname_r writes at most the buffer's length.
    unsafe {
        if libc::grantpt(master.as_raw_fd()) != 0
            || libc::unlockpt(master.as_raw_fd()) != 0
            || libc::ptsname_r(master.as_raw_fd(), name.as_mut_ptr(), name.len()) != 0
        {
            return Err(std::io::Error::last_os_error());
        }
    }
    // SAFETY: `name` is NUL-terminated by ptsname_r.
    let slave = unsafe { libc::open(name.as_ptr(), libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC) };
    if slave < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: as for the master.
    Ok((master, unsafe { OwnedFd::from_raw_fd(slave) }))
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
        let (master, slave) = open_pty().map_err(|e| fail(&e))?;
        let ws = winsize(cols.max(1), rows.max(1));
        // SAFETY: TIOCSWINSZ reads a winsize the call does not keep.
        unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCSWINSZ, &ws) };
        set_nonblock(master.as_raw_fd()).map_err(|e| fail(&e))?;
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
        Ok(LocalShell { master, child, ended: None })
    }
}

fn set_nonblock(fd: RawFd) -> std::io::Result<()> {
    // SAFETY: fcntl on a descriptor owned by the caller, with integer arguments only.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 || libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) < 0 {
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
            Some(libc::EAGAIN) | Some(libc::EINTR) => {
                // The shell has ended and its output is read: over, even if a job it left in
                // the background keeps the terminal open.
                if self.ended.is_none() {
                    if let Ok(Some(status)) = self.child.try_wait() {
                        self.ended = Some(status.code());
                    }
                }
                Ok(if self.ended.is_some() { ShellRead::Eof } else { ShellRead::Nothing })
            }
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
        // Ctrl-D ends a line typed so far, a second one the input; sent whole.
        let mut rest: &[u8] = b"\x04\x04";
        for _ in 0..50 {
            let n = self.write(rest)?;
            rest = &rest[n..];
            if rest.is_empty() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        Ok(())
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
        if let Some(status) = self.ended {
            return status;
        }
        // Ended early (the relay failed): the shell's process group is hung up, then killed.
        let pid = self.child.id() as libc::pid_t;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
        let mut hung_up = false;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return status.code(),
                Ok(None) if !hung_up => {
                    // SAFETY: signals the process group the shell leads (setsid made it).
                    unsafe { libc::kill(-pid, libc::SIGHUP) };
                    hung_up = true;
                }
                Ok(None) if std::time::Instant::now() >= deadline => {
                    // SAFETY: as above.
                    unsafe { libc::kill(-pid, libc::SIGKILL) };
                    return self.child.wait().ok().and_then(|s| s.code());
                }
                Ok(None) => std::thread::sleep(std::time::Duration::from_millis(20)),
                Err(_) => return None,
            }
        }
    }
}
