//! A tmux server of the tests' own, driving the built binary in a real terminal: send-keys to
//! type, capture-pane to read the screen.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn new(tag: &str) -> Tmux {
        let ok = Command::new("tmux").arg("-V").output().map(|o| o.status.success()).unwrap_or(false);
        assert!(
            ok,
            "tmux is required for the end-to-end tests: apt-get install -y tmux (scripts/test does it)"
        );
        Tmux { socket: format!("yunwei-e2e-{}-{tag}", std::process::id()) }
    }

    pub fn cmd(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts a window running `script` under sh, at a fixed size. Options are set in the same
    /// tmux call that creates the session, so a command that ends at once is still captured.
    pub fn start(&self, name: &str, script: &str, first: bool) {
        if first {
            self.start_sized(name, script, 100, 30);
        } else {
            self.cmd(&["new-window", "-d", "-t", "e2e", "-n", name, "sh", "-c", script]);
        }
    }

    pub fn screen(&self, name: &str) -> String {
        self.cmd(&["capture-pane", "-p", "-J", "-S", "-200", "-t", &format!("e2e:{name}")])
    }

    pub fn keys(&self, name: &str, keys: &[&str]) {
        for k in keys {
            self.cmd(&["send-keys", "-t", &format!("e2e:{name}"), k]);
            // A lone Esc followed at once by a key reads as Alt+key; type like a person.
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    pub fn format(&self, name: &str, fmt: &str) -> String {
        self.cmd(&["display-message", "-p", "-t", &format!("e2e:{name}"), fmt]).trim().to_string()
    }

    pub fn wait_for(&self, name: &str, what: &str, cond: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen(name);
            if cond(&s) {
                return s;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}; the screen:\n{s}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").arg("-L").arg(&self.socket).arg("kill-server").output();
    }
}

/// The pid of a process whose parent is `parent`.
pub fn child_of(parent: u32) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.filter_map(|e| e.ok()).find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // The command name is in parentheses and may hold spaces: read after the last ')'.
        let rest = &stat[stat.rfind(')')? + 2..];
        let ppid: u32 = rest.split_whitespace().nth(1)?.parse().ok()?;
        (ppid == parent).then_some(pid)
    })
}

pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap().trim().to_string()
}

/// A shell prefix that isolates the run from the developer's own config and data.
pub fn env_prefix(home: &Path) -> String {
    format!(
        "export HOME='{h}' XDG_CONFIG_HOME='{h}/config' XDG_DATA_HOME='{h}/data' LANG=C.UTF-8 TERM=xterm-256color; \
         unset YUNWEI_CONFIG YUNWEI_DB LC_ALL NO_COLOR; ",
        h = home.display()
    )
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_yunwei"))
}

impl Tmux {
    /// The first window, at `cols` x `rows` (the server's options set as it starts).
    pub fn start_sized(&self, name: &str, script: &str, cols: u16, rows: u16) {
        let (cols, rows) = (cols.to_string(), rows.to_string());
        self.cmd(&[
            "-f",
            "/dev/null",
            "start-server",
            ";",
            "set-option",
            "-g",
            "remain-on-exit",
            "on",
            ";",
            "set-option",
            "-g",
            "history-limit",
            "5000",
            ";",
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-n",
            name,
            "-x",
            &cols,
            "-y",
            &rows,
            "sh",
            "-c",
            script,
        ]);
    }

    /// The visible screen only (no scrollback).
    pub fn visible(&self, name: &str) -> String {
        self.cmd(&["capture-pane", "-p", "-J", "-t", &format!("e2e:{name}")])
    }
}
