//! SIGTERM, SIGHUP and SIGINT while a shell runs: they end the session (its `shell.end` row
//! written, the terminal put back) instead of leaving raw mode on and the audit unsealed. A
//! handler of our own writes the signal's number to a pipe the relay waits on, then calls the
//! handler that was there before (the console's), which stays in place afterwards.

use std::os::fd::RawFd;
use std::sync::atomic::{AtomicI32, Ordering};

const SIGNALS: [libc::c_int; 3] = [libc::SIGTERM, libc::SIGHUP, libc::SIGINT];

/// The pipe's write end while a session runs (-1 otherwise).
static PIPE: AtomicI32 = AtomicI32::new(-1);
/// The handlers before ours, as their addresses and flags (0: the default), one per signal.
static OLD_HANDLER: [std::sync::atomic::AtomicUsize; 3] =
    [const { std::sync::atomic::AtomicUsize::new(0) }; 3];
static OLD_FLAGS: [AtomicI32; 3] = [const { AtomicI32::new(0) }; 3];

extern "C" fn on_signal(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    let fd = PIPE.load(Ordering::SeqCst);
    if fd >= 0 {
        let byte = sig as u8;
        // SAFETY: write(2) is async-signal-safe; one byte from a local.
        unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
    }
    let Some(i) = SIGNALS.iter().position(|s| *s == sig) else { return };
    let old = OLD_HANDLER[i].load(Ordering::SeqCst);
    if old == libc::SIG_DFL || old == libc::SIG_IGN {
        return;
    }
    // SAFETY: `old` is the address of the handler installed before ours, of the kind its
    // flags say; it is called as the kernel would have called it.
    unsafe {
        if OLD_FLAGS[i].load(Ordering::SeqCst) & libc::SA_SIGINFO != 0 {
            let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                std::mem::transmute(old);
            f(sig, info, ctx);
        } else {
            let f: extern "C" fn(libc::c_int) = std::mem::transmute(old);
            f(sig);
        }
    }
}

/// Our handlers, for as long as this lives.
pub struct StopSignals {
    read: RawFd,
    write: RawFd,
    old: Vec<(libc::c_int, libc::sigaction)>,
}

impl StopSignals {
    pub fn install() -> std::io::Result<StopSignals> {
        let mut fds = [-1; 2];
        // SAFETY: pipe2 writes two descriptors into the array.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let mut me = StopSignals { read: fds[0], write: fds[1], old: Vec::new() };
        PIPE.store(me.write, Ordering::SeqCst);
        for (i, sig) in SIGNALS.iter().enumerate() {
            // SAFETY: sigaction with zeroed structs filled as the man page says; the old one
            // is kept to put back.
            unsafe {
                let mut new: libc::sigaction = std::mem::zeroed();
                new.sa_sigaction = on_signal as *const () as usize;
                new.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
                libc::sigemptyset(&mut new.sa_mask);
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(*sig, &new, &mut old) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                OLD_HANDLER[i].store(old.sa_sigaction, Ordering::SeqCst);
                OLD_FLAGS[i].store(old.sa_flags, Ordering::SeqCst);
                me.old.push((*sig, old));
            }
        }
        Ok(me)
    }

    /// The descriptor that turns readable when a signal came.
    pub fn fd(&self) -> RawFd {
        self.read
    }

    /// The signal that came, if one did.
    pub fn take(&self) -> Option<libc::c_int> {
        let mut byte = 0u8;
        // SAFETY: reads one byte into a local from our own non-blocking pipe.
        let n = unsafe { libc::read(self.read, (&mut byte as *mut u8).cast(), 1) };
        (n == 1).then_some(libc::c_int::from(byte))
    }
}

impl Drop for StopSignals {
    fn drop(&mut self) {
        for (sig, old) in &self.old {
            // SAFETY: puts back the action read at install.
            unsafe { libc::sigaction(*sig, old, std::ptr::null_mut()) };
        }
        PIPE.store(-1, Ordering::SeqCst);
        // SAFETY: both ends are ours.
        unsafe {
            libc::close(self.read);
            libc::close(self.write);
        }
    }
}
