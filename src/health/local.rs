//! `LocalProbe`: samples the machine it runs on from /proc, `df` and `systemctl` (child
//! processes with a timeout), keeping the previous CPU and network readings for rates.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::figures::{fill_proc_figures, Rates};
use super::parse::{merge_disks, parse_df, parse_failed_units, parse_proc_ppid, parse_proc_status, DfKind};
use super::{HostError, HostSample, ProcessMem};
use crate::i18n::Both;

/// How long `df` and `systemctl` may run before they are killed.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(5);
/// How many processes `top_processes` keeps (largest RSS first).
pub const TOP_PROCESSES: usize = 10;
/// systemd creates this directory when it is PID 1.
const SYSTEMD_MARKER: &str = "/run/systemd/system";

/// Samples the local machine. Keep one probe per host and call [`LocalProbe::sample`]
/// periodically: the first sample has no `cpu_pct` and no network rates.
#[derive(Debug)]
pub struct LocalProbe {
    name: String,
    proc_root: PathBuf,
    run_commands: bool,
    timeout: Duration,
    rates: Rates,
    warnings: Vec<Both>,
    /// yunwei's own pid: its descendants (the security scan, `df`) are marked as its own.
    own_pid: u32,
}

impl LocalProbe {
    /// A probe reading `/proc` and running `df`/`systemctl`.
    pub fn new(name: String) -> Self {
        Self::with_root(name, PathBuf::from("/proc"))
    }

    /// A probe reading the /proc files from `proc_root` (`stat`, `loadavg`, `meminfo`,
    /// `uptime`, `net/dev`, `<pid>/status`). Commands still run unless disabled with
    /// [`LocalProbe::with_commands`].
    pub fn with_root(name: String, proc_root: PathBuf) -> Self {
        LocalProbe {
            name,
            proc_root,
            run_commands: true,
            timeout: COMMAND_TIMEOUT,
            rates: Rates::default(),
            warnings: Vec::new(),
            own_pid: std::process::id(),
        }
    }

    /// Whose descendants count as yunwei's own (default: this process).
    pub fn with_own_pid(mut self, pid: u32) -> Self {
        self.own_pid = pid;
        self
    }

    /// Whether to run `df` and `systemctl` (default true).
    pub fn with_commands(mut self, enabled: bool) -> Self {
        self.run_commands = enabled;
        self
    }

    /// Timeout for each child process (default [`COMMAND_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The sources that could not be read during the last [`LocalProbe::sample`]
    /// (e.g. `df -PTk: timed out after 5s, killed`); their figures are missing from it.
    pub fn last_warnings(&self) -> &[Both] {
        &self.warnings
    }

    /// Takes one sample. Never fails: a source that cannot be read leaves its figures empty
    /// (see [`LocalProbe::last_warnings`]); only when neither /proc/stat nor /proc/meminfo can
    /// be read is the sample `reachable: false` with an error of kind `probe`.
    pub fn sample(&mut self) -> HostSample {
        self.warnings.clear();
        let mut s = HostSample {
            name: self.name.clone(),
            reachable: true,
            sampled_at: unix_now(),
            ..Default::default()
        };

        let mut warnings = std::mem::take(&mut self.warnings);
        let root = self.proc_root.clone();
        let read = |rel: &str| {
            let path = root.join(rel);
            fs::read_to_string(&path).map_err(|e| unreadable(&path, &e))
        };
        let essentials = fill_proc_figures(&mut s, read, &mut self.rates, Instant::now(), &mut warnings);
        self.warnings = warnings;

        s.top_processes = self.top_processes();

        if self.run_commands {
            self.sample_commands(&mut s);
        }

        if let Some(both) = essentials.both_missing() {
            s.reachable = false;
            s.error = Some(HostError { kind: "probe".into(), message: both.en, zh: Some(both.zh) });
        }
        self.warnings.extend(essentials.stat_error);
        self.warnings.extend(essentials.meminfo_error);
        s.warnings = self.warnings.clone();
        // Process names, mount points and unit names are chosen by whoever runs them.
        s.sanitize();
        s
    }

    /// Largest RSS first; processes that vanish while being read are skipped silently. Those
    /// that are yunwei (`own_pid`) or descend from it are marked [`ProcessMem::by_yunwei`].
    fn top_processes(&mut self) -> Vec<ProcessMem> {
        let entries = match fs::read_dir(&self.proc_root) {
            Ok(entries) => entries,
            Err(e) => {
                self.warnings.push(unreadable(&self.proc_root, &e));
                return Vec::new();
            }
        };
        let mut parents: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
        let mut procs: Vec<ProcessMem> = entries
            .filter_map(|entry| {
                let entry = entry.ok()?;
                let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
                // A process name is bytes: one that is not UTF-8 is shown escaped, not dropped.
                let bytes = fs::read(entry.path().join("status")).ok()?;
                let text = crate::text::decode_escaped(&bytes);
                if let Some(ppid) = parse_proc_ppid(&text) {
                    parents.insert(pid, ppid);
                }
                parse_proc_status(&text, pid)
            })
            .collect();
        procs.sort_by(|a, b| b.rss_kib.cmp(&a.rss_kib).then(a.pid.cmp(&b.pid)));
        procs.truncate(TOP_PROCESSES);
        for p in &mut procs {
            p.by_yunwei = p.pid == self.own_pid || descends_from(p.pid, self.own_pid, &parents);
        }
        procs
    }

    fn sample_commands(&mut self, s: &mut HostSample) {
        let timeout = self.timeout;
        let want_units = Path::new(SYSTEMD_MARKER).is_dir();
        // The three commands run side by side: a hung NFS mount costs one timeout, not three.
        let (blocks, inodes, units) = thread::scope(|scope| {
            let blocks = scope.spawn(|| run_command("df", &["-PTk"], timeout));
            let inodes = scope.spawn(|| run_command("df", &["-PTi"], timeout));
            let units = want_units.then(|| {
                scope.spawn(|| {
                    run_command(
                        "systemctl",
                        &["list-units", "--state=failed", "--plain", "--no-legend", "--no-pager"],
                        timeout,
                    )
                })
            });
            (join(blocks, "df -PTk"), join(inodes, "df -PTi"), units.map(|u| join(u, "systemctl")))
        });

        let blocks = blocks.and_then(|t| parse_df(&t, DfKind::Blocks).map_err(|e| e.after("df -PTk")));
        let inodes = inodes.and_then(|t| parse_df(&t, DfKind::Inodes).map_err(|e| e.after("df -PTi")));
        match (blocks, inodes) {
            (Ok(blocks), Ok(inodes)) => s.disks = merge_disks(&blocks, &inodes),
            (Ok(blocks), Err(e)) => {
                self.warnings.push(e);
                s.disks = merge_disks(&blocks, &[]);
            }
            (Err(e), inodes) => {
                self.warnings.push(e);
                if let Err(e) = inodes {
                    self.warnings.push(e);
                }
            }
        }
        match units {
            Some(Ok(text)) => s.failed_units = parse_failed_units(&text),
            Some(Err(e)) => self.warnings.push(e),
            None => {}
        }
    }
}

/// Whether `pid`'s chain of parents reaches `ancestor` (a chain is at most 64 long here).
fn descends_from(pid: u32, ancestor: u32, parents: &std::collections::HashMap<u32, u32>) -> bool {
    let mut at = pid;
    for _ in 0..64 {
        match parents.get(&at) {
            Some(&parent) if parent == ancestor => return true,
            Some(&parent) if parent != 0 && parent != at => at = parent,
            _ => return false,
        }
    }
    false
}

fn join(handle: thread::ScopedJoinHandle<'_, Result<String, Both>>, what: &str) -> Result<String, Both> {
    handle.join().unwrap_or_else(|_| {
        Err(Both::new(format!("{what}: runner thread panicked"), format!("{what}：执行线程异常退出")))
    })
}

/// A file or folder this login could not read, with the system's reason.
fn unreadable(path: &Path, e: &std::io::Error) -> Both {
    let why = crate::i18n::io_error(e, crate::i18n::Lang::ZhCn);
    Both::new(format!("{}: {e}", path.display()), format!("{} 无法读取（{why}）", path.display()))
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Runs `program args` with `LC_ALL=C`, no stdin and stderr discarded, and returns its stdout.
/// A non-zero exit still returns the output when there is some (`df` exits 1 when one mount
/// cannot be read but prints the others). Past `timeout` the child is killed and an error
/// returned; the call itself never waits much longer than `timeout`.
pub(crate) fn run_command(program: &str, args: &[&str], timeout: Duration) -> Result<String, Both> {
    let label = || format!("{program} {}", args.join(" "));
    let failed =
        |en: String, zh: String| Both::new(format!("{}: {en}", label()), format!("{}：{zh}", label()));
    let mut child = Command::new(program)
        .args(args)
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            failed(
                format!("cannot start: {e}"),
                format!("无法启动（{}）", crate::i18n::io_error(&e, crate::i18n::Lang::ZhCn)),
            )
        })?;
    let Some(mut stdout) = child.stdout.take() else {
        kill_and_reap(child);
        return Err(failed("no stdout pipe".into(), "没有标准输出管道".into()));
    };
    // Read on a thread so a full pipe never blocks the child while we wait for it.
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = Vec::new();
        let result = stdout.read_to_end(&mut buf).map(|_| buf);
        // The receiver may have given up already; nothing to do then.
        let _ = tx.send(result);
    });
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(2);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => {
                kill_and_reap(child);
                return Err(failed(
                    format!("wait failed: {e}"),
                    format!("等待进程失败（{}）", crate::i18n::io_error(&e, crate::i18n::Lang::ZhCn)),
                ));
            }
        }
        let now = Instant::now();
        if now >= deadline {
            kill_and_reap(child);
            return Err(failed(
                format!("timed out after {timeout:?}, killed"),
                match timeout.as_millis() {
                    ms if ms % 1000 == 0 => format!("{} 秒内未完成，已终止", ms / 1000),
                    ms => format!("{ms} 毫秒内未完成，已终止"),
                },
            ));
        }
        thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(50));
    };
    // The child has exited; a grandchild could still hold the pipe open, so bound this too.
    let grace = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(200));
    let bytes = match rx.recv_timeout(grace) {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) => {
            return Err(failed(
                format!("reading output: {e}"),
                format!("读取输出失败（{}）", crate::i18n::io_error(&e, crate::i18n::Lang::ZhCn)),
            ))
        }
        Err(_) => return Err(failed("output not closed in time".into(), "输出未按时关闭".into())),
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    if !status.success() && text.trim().is_empty() {
        let zh = match (status.code(), std::os::unix::process::ExitStatusExt::signal(&status)) {
            (Some(code), _) => format!("退出码 {code}，无输出"),
            (None, Some(sig)) => format!("被信号 {sig} 终止，无输出"),
            (None, None) => "执行失败，无输出".to_string(),
        };
        return Err(failed(status.to_string(), zh));
    }
    Ok(text)
}

/// Kills the child and reaps it on a detached thread: a process stuck in the kernel
/// (a hard NFS mount) may take long to die, and the probe must not wait for it.
fn kill_and_reap(mut child: Child) {
    // An error here means the child already exited; the wait below reaps it either way.
    let _ = child.kill();
    thread::spawn(move || {
        let _ = child.wait();
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::{read_fixture, shared_data};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fresh directory under the system temp dir, removed on drop (also on panic).
    struct TempRoot(PathBuf);

    impl TempRoot {
        fn new() -> Self {
            static N: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "yunwei-health-test-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            TempRoot(dir)
        }

        fn write(&self, rel: &str, text: &str) {
            let path = self.0.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
    }

    impl Drop for TempRoot {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn a_process_whose_name_is_not_utf8_is_listed_with_the_bytes_escaped() {
        let root = TempRoot::new();
        root.write("stat", "cpu  1 0 1 10 0 0 0 0 0 0\ncpu0 1 0 1 10 0 0 0 0 0 0\n");
        root.write("meminfo", "MemTotal: 4000000 kB\nMemAvailable: 1000000 kB\n");
        root.write("1/status", "Name:\tsystemd\nVmRSS:\t8000 kB\n");
        fs::create_dir_all(root.0.join("77")).unwrap();
        fs::write(root.0.join("77/status"), b"Name:\tplain\xff\nVmRSS:\t1600000 kB\n").unwrap();
        let mut probe = LocalProbe::with_root("h".into(), root.0.clone()).with_commands(false);
        let s = probe.sample();
        let top: Vec<(u32, &str, u64)> =
            s.top_processes.iter().map(|p| (p.pid, p.name.as_str(), p.rss_kib)).collect();
        assert_eq!(top, [(77, "plain\\xFF", 1600000), (1, "systemd", 8000)]);
    }

    #[test]
    fn yunwei_and_its_children_are_marked_as_its_own() {
        let root = TempRoot::new();
        root.write("stat", "cpu  1 0 1 10 0 0 0 0 0 0\ncpu0 1 0 1 10 0 0 0 0 0 0\n");
        root.write("meminfo", "MemTotal: 4000000 kB\nMemAvailable: 1000000 kB\n");
        let proc = |pid: u32, name: &str, ppid: u32, rss: u64| {
            root.write(
                &format!("{pid}/status"),
                &format!("Name:\t{name}\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t{pid}\nNgid:\t0\nPid:\t{pid}\nPPid:\t{ppid}\nVmRSS:\t{rss} kB\n"),
            )
        };
        proc(1, "systemd", 0, 8000);
        proc(500, "yunwei", 1, 30000);
        proc(600, "sh", 500, 900);
        proc(601, "timeout", 600, 800);
        proc(602, "apt-get", 601, 120000);
        proc(700, "java", 1, 2000000);
        proc(701, "sh", 700, 700);
        let mut probe =
            LocalProbe::with_root("h".into(), root.0.clone()).with_commands(false).with_own_pid(500);
        let s = probe.sample();
        let top: Vec<(&str, bool)> = s.top_processes.iter().map(|p| (p.name.as_str(), p.by_yunwei)).collect();
        assert_eq!(
            top,
            [
                ("java", false),
                ("apt-get", true),
                ("yunwei", true),
                ("systemd", false),
                ("sh", true),
                ("timeout", true),
                ("sh", false)
            ]
        );
    }

    #[test]
    fn fixture_root_two_samples() {
        if !shared_data("fixture_root_two_samples") {
            return;
        }
        let root = TempRoot::new();
        let dir = "proc/sysstat-root1-5.x-simulated";
        let stat = read_fixture(&format!("{dir}/stat"));
        root.write("stat", &stat);
        root.write("loadavg", &read_fixture(&format!("{dir}/loadavg")));
        root.write("meminfo", &read_fixture(&format!("{dir}/meminfo")));
        root.write("uptime", &read_fixture(&format!("{dir}/uptime")));
        let net = read_fixture(&format!("{dir}/net_dev"));
        root.write("net/dev", &net);
        root.write("8407/status", &read_fixture(&format!("{dir}/8407_status")));
        root.write("7137/status", &read_fixture("proc/pcp-procpid-4.2.3-fedora/7137_status"));
        root.write("2/status", &read_fixture("proc/pcp-procpid-3.19.0-fedora/2_status"));
        root.write("1/status", &read_fixture("proc/pcp-procpid-3.19.0-fedora/1_status"));
        root.write("self/status", "Name:\tnot-a-pid\nVmRSS:\t99999999 kB\n");
        fs::create_dir_all(root.0.join("4242")).unwrap(); // vanished: no status file

        let mut probe = LocalProbe::with_root("fixture".into(), root.0.clone()).with_commands(false);
        let first = probe.sample();
        assert!(probe.last_warnings().is_empty(), "{:?}", probe.last_warnings());
        assert_eq!(first.name, "fixture");
        assert!(first.reachable);
        assert_eq!(first.error, None);
        assert_eq!(first.cpu_pct, None);
        assert!(first.net.is_empty());
        assert_eq!(first.cores, Some(9));
        assert_eq!((first.load1, first.load5, first.load15), (Some(3.16), Some(3.24), Some(3.43)));
        assert_eq!(first.uptime_s, Some(7192));
        assert_eq!(first.mem_total_kib, Some(8144960));
        assert_eq!(first.mem_available_kib, Some(4389516));
        let mem = first.mem_used_pct.unwrap();
        assert!((mem - (8144960.0 - 4389516.0) * 100.0 / 8144960.0).abs() < 1e-9);
        assert_eq!(first.swap_total_kib, Some(16777212));
        assert_eq!(first.swap_used_pct, Some(0.0));
        let top: Vec<(u32, &str, u64)> =
            first.top_processes.iter().map(|p| (p.pid, p.name.as_str(), p.rss_kib)).collect();
        assert_eq!(
            top,
            [(7137, "JS Helper", 1320920), (8407, "gnome-terminal-", 42156), (1, "systemd", 8472)]
        );
        assert!(first.disks.is_empty());
        assert!(first.failed_units.is_empty());
        assert!(first.sampled_at > 1_600_000_000);

        // Second reading: 100 more busy ticks and 300 more idle ticks; enp6s0 received bytes.
        let bumped_stat =
            stat.replacen("cpu  96005 2578701 53845 3617879", "cpu  96105 2578701 53845 3618179", 1);
        assert_ne!(bumped_stat, stat, "fixture changed");
        root.write("stat", &bumped_stat);
        let bumped_net = net.replacen("enp6s0: 205916976", "enp6s0: 215916976", 1);
        assert_ne!(bumped_net, net, "fixture changed");
        root.write("net/dev", &bumped_net);
        let second = probe.sample();
        assert_eq!(second.cpu_pct, Some(25.0));
        assert_eq!(second.net.len(), 6);
        let enp = second.net.iter().find(|n| n.iface == "enp6s0").unwrap();
        assert!(enp.rx_bytes_per_s > 0.0);
        assert_eq!(enp.tx_bytes_per_s, 0.0);
        assert!(second.net_total().0 > 0.0);
        let lo = second.net.iter().find(|n| n.iface == "lo").unwrap();
        assert_eq!(lo.rx_bytes_per_s, 0.0);
    }

    #[test]
    fn partial_sources_still_give_a_sample() {
        if !shared_data("partial_sources_still_give_a_sample") {
            return;
        }
        let root = TempRoot::new();
        root.write("meminfo", &read_fixture("proc/pcp-collectl-rhel6.4-2.6.32-220/meminfo"));
        root.write("stat", "garbage\n");
        let mut probe = LocalProbe::with_root("half".into(), root.0.clone()).with_commands(false);
        let s = probe.sample();
        assert!(s.reachable);
        assert_eq!(s.error, None);
        assert_eq!(s.mem_total_kib, Some(793659976));
        assert_eq!(s.cores, None);
        assert_eq!(s.load1, None);
        let warnings = probe.last_warnings().iter().map(|w| w.en.as_str()).collect::<Vec<_>>().join("\n");
        assert!(warnings.contains("loadavg"), "{warnings}");
        assert!(warnings.contains("/proc/stat: aggregate `cpu` line not found"), "{warnings}");
    }

    #[test]
    fn nothing_readable_is_unreachable() {
        let root = TempRoot::new();
        let mut probe = LocalProbe::with_root("void".into(), root.0.join("missing")).with_commands(false);
        let s = probe.sample();
        assert!(!s.reachable);
        let err = s.error.unwrap();
        assert_eq!(err.kind, "probe");
        assert!(err.message.contains("stat"), "{}", err.message);
        assert!(err.message.contains("meminfo"), "{}", err.message);
        assert_eq!(s.name, "void");
    }

    #[test]
    fn real_proc_of_this_machine() {
        let mut probe = LocalProbe::new("localhost".into());
        let first = probe.sample();
        assert!(first.reachable, "{:?}", first.error);
        assert!(first.mem_total_kib.unwrap() > 0);
        assert!(first.cores.unwrap() >= 1);
        assert!(first.load1.unwrap() >= 0.0);
        assert!(first.uptime_s.unwrap() > 0);
        let mem = first.mem_used_pct.unwrap();
        assert!((0.0..=100.0).contains(&mem), "{mem}");
        assert_eq!(first.cpu_pct, None);
        assert!(!first.top_processes.is_empty());
        assert!(first.top_processes.windows(2).all(|w| w[0].rss_kib >= w[1].rss_kib));
        assert!(first.top_processes.len() <= TOP_PROCESSES);
        // df either worked (some real filesystem, at least the root) or said why not.
        assert!(
            !first.disks.is_empty() || probe.last_warnings().iter().any(|w| w.en.contains("df")),
            "{:?}",
            probe.last_warnings()
        );
        for d in &first.disks {
            assert!((0.0..=100.0).contains(&d.used_pct), "{d:?}");
        }
        thread::sleep(Duration::from_millis(300));
        let second = probe.sample();
        let cpu = second.cpu_pct.unwrap();
        assert!((0.0..=100.0).contains(&cpu), "{cpu}");
        assert!(second.net.iter().all(|n| n.rx_bytes_per_s >= 0.0 && n.tx_bytes_per_s >= 0.0));
        assert!(second.sampled_at >= first.sampled_at);
    }

    #[test]
    fn command_output_and_environment() {
        let out = run_command("sh", &["-c", "echo \"$LC_ALL\"; echo oops >&2"], COMMAND_TIMEOUT);
        assert_eq!(out.unwrap(), "C\n");
        // non-zero exit with output: the output counts (df exits 1 on one bad mount)
        let out = run_command("sh", &["-c", "echo partial; exit 1"], COMMAND_TIMEOUT);
        assert_eq!(out.unwrap(), "partial\n");
        let err = run_command("sh", &["-c", "exit 3"], COMMAND_TIMEOUT).unwrap_err();
        assert!(err.en.contains("exit status: 3"), "{err:?}");
        let err = run_command("/nonexistent/yunwei-no-such-cmd", &[], COMMAND_TIMEOUT).unwrap_err();
        assert!(err.en.contains("cannot start"), "{err:?}");
    }

    #[test]
    fn hung_command_is_killed_at_the_timeout() {
        let started = Instant::now();
        let err = run_command("sleep", &["30"], Duration::from_millis(300)).unwrap_err();
        let took = started.elapsed();
        assert!(err.en.contains("timed out"), "{err:?}");
        assert!(took >= Duration::from_millis(300), "{took:?}");
        assert!(took < Duration::from_secs(5), "{took:?}");
    }
}

#[cfg(test)]
mod own_fixtures;
