//! The remote probe: one POSIX `sh` script, run with one exec per host and poll round, prints
//! every source of a [`HostSample`] between markers; [`parse_probe`] turns that output into a
//! sample with the pure parsers of [`super::parse`].
//!
//! The script uses nothing beyond POSIX `sh` (tested with dash, `bash --posix` and busybox `sh`)
//! and tools present on CentOS 6 as on current distributions: `cat`, `grep`, `sort`, `head`,
//! `ps` (procps 3.2.8 to procps-ng 4, busybox; without any `ps` it reads `/proc/*/status`),
//! `df -PT` (falling back to `df -P` where there is no Type column), `systemctl` only when
//! systemd runs. `df` is guarded by `timeout -s KILL 5`; where `timeout` is missing (or is an old
//! busybox one with another syntax) a POSIX background-and-kill replacement does the same, so a
//! hung NFS mount costs at most 5 s, and the inode `df` is skipped when the block `df` timed out.
//!
//! Output format: the first line is `@@yunwei:begin:<nonce>` with a nonce read from
//! `/proc/sys/kernel/random/uuid` (the shell's pid where that is missing); every later marker is
//! `@@yunwei:<nonce>:<section>`, `@@yunwei:<nonce>:rc <exit status>` after a command's output,
//! and `@@yunwei:<nonce>:end` last. Every marker is preceded by a newline, so output without a
//! final newline cannot swallow it (the blank lines this leaves are dropped). A process name or mount point cannot forge a marker because
//! it cannot know the nonce. A section counts only when the next marker follows it, so output
//! cut short by a dropped connection loses only the section it was cut in.
//!
//! The exec command ([`probe_command`]) is `sh -c '<script>'`: it works under any POSIX-like
//! login shell (sh, bash, dash, ksh, zsh, fish), not under csh/tcsh, which reject newlines
//! inside quotes.

use std::time::Instant;

use super::figures::{fill_proc_figures, Rates};
use super::local::TOP_PROCESSES;
use super::parse::{merge_disks, parse_df, parse_failed_units, DfKind};
use super::{HostError, HostSample, ProcessMem};
use crate::i18n::Both;

/// The common start of the probe and security scripts: C locale, a PATH that includes the
/// sbin directories, stdin from /dev/null, the nonce and `begin` marker, the marker function
/// `s`, and the function `t`, which runs a command and kills it after `$W` seconds (with
/// `timeout` where that works, else with the POSIX function `tmo`).
macro_rules! sh_prelude {
    () => {
        r#"exec </dev/null
LC_ALL=C
export LC_ALL
PATH=$PATH:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
N=
read N 2>/dev/null </proc/sys/kernel/random/uuid
[ -n "$N" ] || N=$$
echo "@@yunwei:begin:$N"
s() { echo; echo "@@yunwei:$N:$1"; }
W=5
tmo() {
  "$@" &
  p=$!
  ( sleep "$W"; kill -9 "$p" ) >/dev/null 2>&1 &
  k=$!
  wait "$p"
  r=$?
  kill "$k" 2>/dev/null
  return "$r"
}
if timeout -s KILL 1 true >/dev/null 2>&1; then TO=timeout; else TO=tmo; fi
t() { if [ "$TO" = timeout ]; then timeout -s KILL "$W" "$@"; else tmo "$@"; fi; }
"#
    };
}
pub(crate) use sh_prelude;

/// The shell function `own`: reads `pid sid rss` lines and prints the pids whose session
/// leader was started by a yunwei (its command line holds one of yunwei's script markers,
/// `@@yunwei:` or `@@yw `). sshd makes every exec a session of its own, so whatever a yunwei
/// runs there (this probe, the security scan and its package query, a log read; of this
/// yunwei or another one) is found by one `grep` over a few command lines.
macro_rules! own_fn {
    () => {
        r#"own() {
  o=$(cat)
  f=
  for i in $(printf '%s\n' "$o" | while read -r p i r; do echo "$i"; done | sort -u); do
    case $i in ''|*[!0-9]*|0) ;; *) f="$f /proc/$i/cmdline" ;; esac
  done
  [ -n "$f" ] || return 0
  m=" $(grep -l -F -e '@@yunwei:' -e '@@yw ' $f 2>/dev/null | tr '\n' ' ') "
  printf '%s\n' "$o" | while read -r p i r; do
    case $m in *" /proc/$i/cmdline "*) echo "$p" ;; esac
  done
}
"#
    };
}

/// The probe script. Send it with [`probe_command`]; its output goes to [`parse_probe`].
pub const PROBE_SCRIPT: &str = concat!(
    sh_prelude!(),
    own_fn!(),
    r#"for f in stat loadavg meminfo uptime net/dev; do
  s "$f"
  if [ "$f" = stat ]; then
    grep '^cpu' /proc/stat 2>/dev/null || cat /proc/stat 2>/dev/null
  else
    cat "/proc/$f" 2>/dev/null
  fi
done
s ps
{
  ps -eo pid=,rss=,comm= 2>/dev/null || ps -o pid,rss,comm 2>/dev/null || {
    for d in /proc/[0-9]*; do
      cat "$d/status" 2>/dev/null | {
        n=
        r=
        while IFS= read -r l; do
          case $l in
            Name:*) n=${l#Name:} ;;
            VmRSS:*) r=${l#VmRSS:} ;;
          esac
        done
        set -- $r
        if [ -n "$1" ]; then printf '%s %s %s\n' "${d#/proc/}" "$1" "$n"; fi
      }
    done
  }
} | sort -k2,2nr 2>/dev/null | head -n 10
s own
ps -eo pid=,sid=,rss= 2>/dev/null | sort -k3,3nr 2>/dev/null | head -n 10 | own
if [ -d /run/systemd/system ]; then
  s units
  t systemctl list-units --state=failed --plain --no-legend --no-pager 2>/dev/null ||
    t systemctl --failed --no-legend --no-pager 2>/dev/null
  s "rc $?"
fi
dfx() {
  o=$(t df -PT"$1" 2>&1)
  r=$?
  case $o in
    *Filesystem*) ;;
    *) case $r in 124|137) ;; *) o=$(t df -P"$1" 2>&1); r=$? ;; esac ;;
  esac
  printf '%s\n' "$o"
  s "rc $r"
}
s dfk
dfx k
s dfi
case $r in
  124|137) s "rc skipped" ;;
  *) dfx i ;;
esac
s end
"#
);

/// POSIX single quoting: the result is one shell word whose value is exactly `s`.
pub fn shell_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// The complete command line to exec on the host: `sh -c '<PROBE_SCRIPT>'`.
pub fn probe_command() -> String {
    format!("sh -c {}", shell_quote(PROBE_SCRIPT))
}

// ---------------------------------------------------------------------------------------------
// Splitting the output into sections (shared with the security script)

/// One complete section of script output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Section<'a> {
    pub name: &'a str,
    pub lines: Vec<&'a str>,
    /// The `rc` marker that followed the section's output, if any (`"0"`, `"124"`, `"skipped"`).
    pub rc: Option<&'a str>,
}

impl Section<'_> {
    pub fn text(&self) -> String {
        let mut t = self.lines.join("\n");
        if !t.is_empty() {
            t.push('\n');
        }
        t
    }

    /// The exit status as a number; `None` when absent or not a number.
    pub fn status(&self) -> Option<i32> {
        self.rc.and_then(|r| r.trim().parse().ok())
    }
}

/// Script output split at its markers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Sections<'a> {
    /// Whether the `begin` marker was seen at all.
    pub begun: bool,
    /// Whether the `end` marker was seen.
    pub ended: bool,
    /// Complete sections in output order.
    pub list: Vec<Section<'a>>,
    /// The section the output was cut in (no marker after it).
    pub cut_in: Option<&'a str>,
    /// The first non-blank line before `begin` (shell start-up noise or a login refusal).
    pub noise: Option<&'a str>,
}

impl<'a> Sections<'a> {
    pub fn get(&self, name: &str) -> Option<&Section<'a>> {
        self.list.iter().find(|s| s.name == name)
    }

    /// The names of all complete sections that start with `prefix` (e.g. `"zone "`).
    pub fn with_prefix<'s>(&'s self, prefix: &'s str) -> impl Iterator<Item = &'s Section<'a>> + 's {
        self.list.iter().filter(move |s| s.name.starts_with(prefix))
    }
}

pub(crate) fn split_sections(output: &str) -> Sections<'_> {
    let mut out = Sections::default();
    let mut lines = output.lines();
    let mut nonce = None;
    for line in lines.by_ref() {
        if let Some(n) = line.strip_prefix("@@yunwei:begin:") {
            nonce = Some(n.trim_end());
            break;
        }
        if out.noise.is_none() && !line.trim().is_empty() {
            out.noise = Some(line);
        }
    }
    let Some(nonce) = nonce else {
        return out;
    };
    out.begun = true;
    let mut current: Option<Section<'_>> = None;
    for line in lines {
        let tag = line
            .strip_prefix("@@yunwei:")
            .and_then(|rest| rest.strip_prefix(nonce))
            .and_then(|r| r.strip_prefix(':'));
        let Some(tag) = tag.map(str::trim_end) else {
            if let Some(sec) = &mut current {
                if sec.rc.is_none() {
                    sec.lines.push(line);
                }
            }
            continue;
        };
        if let Some(rc) = tag.strip_prefix("rc ") {
            if let Some(sec) = &mut current {
                sec.rc = Some(rc);
            }
            continue;
        }
        out.list.extend(current.take().map(trim_blank_tail));
        if tag == "end" {
            out.ended = true;
            return out;
        }
        current = Some(Section { name: tag, lines: Vec::new(), rc: None });
    }
    // No marker after the last section: it may be cut anywhere, so it does not count, unless
    // its `rc` line (printed after all of its output) arrived.
    if let Some(sec) = current {
        if sec.rc.is_some() {
            out.list.push(trim_blank_tail(sec));
        } else {
            out.cut_in = Some(sec.name);
        }
    }
    out
}

/// Drops the blank lines at the end of a section: the marker function prints a newline before
/// every marker, so output without a final newline (`/sys/fs/selinux/enforce`) cannot swallow
/// the marker; where the output had one, that leaves a blank line.
fn trim_blank_tail(mut sec: Section<'_>) -> Section<'_> {
    while sec.lines.last().is_some_and(|l| l.trim().is_empty()) {
        sec.lines.pop();
    }
    sec
}

// ---------------------------------------------------------------------------------------------
// Parsing the probe output

/// What the probe of one host remembers between rounds: the previous /proc/stat and
/// /proc/net/dev readings (the latter with the time it was taken), for CPU % and network rates,
/// and the warnings of the last [`parse_probe`].
#[derive(Debug, Clone, Default)]
pub struct RemoteState {
    rates: Rates,
    warnings: Vec<Both>,
}

impl RemoteState {
    /// The sources that were missing or unreadable in the last [`parse_probe`] (e.g.
    /// `df -PTk: timed out after 5 s`); their figures are missing from the sample.
    pub fn last_warnings(&self) -> &[Both] {
        &self.warnings
    }
}

/// Turns the output of [`PROBE_SCRIPT`] into a sample of host `name`, taken at `now` (for
/// network rates) and `sampled_at` (Unix seconds). Never fails: a missing or malformed section
/// leaves its figures empty and adds a warning (see [`RemoteState::last_warnings`]). When
/// neither /proc/stat nor /proc/meminfo came through, the host answered SSH but is no Linux
/// /proc system: the sample is `reachable: false` with an error of kind `probe`. The first call
/// for a host has no CPU % and no network rates. The sample is [`HostSample::sanitize`]d.
pub fn parse_probe(
    name: &str,
    output: &str,
    state: &mut RemoteState,
    now: Instant,
    sampled_at: i64,
) -> HostSample {
    state.warnings.clear();
    let mut s = HostSample { name: name.to_string(), reachable: true, sampled_at, ..Default::default() };
    let sections = split_sections(output);
    if !sections.begun {
        let what = match sections.noise {
            Some(line) => {
                let line = truncate_chars(line.trim(), 200);
                Both::new(
                    format!("no probe output; the host printed: {line}"),
                    format!("没有探测输出；主机输出的是：{line}"),
                )
            }
            None => Both::new("no probe output (empty answer)", "没有探测输出（应答为空）"),
        };
        s.reachable = false;
        s.error = Some(HostError { kind: "probe".into(), message: what.en, zh: Some(what.zh) });
        s.sanitize();
        return s;
    }
    if let Some(cut) = sections.cut_in {
        state.warnings.push(Both::new(
            format!("probe output ended inside the `{cut}` section (connection dropped?)"),
            format!("探测输出在 `{cut}` 段中途中断（连接断开？）"),
        ));
    } else if !sections.ended {
        state.warnings.push(Both::new("probe output has no end marker", "探测输出没有结束标记"));
    }
    let body = |name: &str, label: &str| -> Result<String, Both> {
        match sections.get(name) {
            Some(sec) if !sec.lines.iter().all(|l| l.trim().is_empty()) => Ok(sec.text()),
            Some(_) => {
                Err(Both::new(format!("{label}: empty in probe output"), format!("{label}：探测输出中为空")))
            }
            None => Err(missing(label)),
        }
    };

    let mut warnings = std::mem::take(&mut state.warnings);
    let essentials = fill_proc_figures(
        &mut s,
        |key| body(key, &format!("/proc/{key}")),
        &mut state.rates,
        now,
        &mut warnings,
    );
    state.warnings = warnings;

    match sections.get("ps") {
        Some(sec) => {
            s.top_processes = parse_ps(&sec.lines);
            // yunwei's own processes (where `ps` knows sessions) are named as such.
            let own: std::collections::HashSet<u32> = sections
                .get("own")
                .map(|o| o.lines.iter().filter_map(|l| l.trim().parse().ok()).collect())
                .unwrap_or_default();
            for p in &mut s.top_processes {
                p.by_yunwei = own.contains(&p.pid);
            }
            if s.top_processes.is_empty() {
                state.warnings.push(Both::new(
                    "processes: no `ps` output and no readable /proc/*/status",
                    "进程：没有 `ps` 输出，/proc/*/status 也不可读",
                ));
            }
        }
        None => {
            state.warnings.push(Both::new("processes: missing from probe output", "进程：探测输出中缺失"))
        }
    }

    if let Some(sec) = sections.get("units") {
        match sec.status() {
            Some(0) => s.failed_units = parse_failed_units(&sec.text()),
            Some(rc) if is_timeout(rc) => {
                state.warnings.push(Both::new("systemctl: timed out after 5 s", "systemctl：5 秒内未完成"))
            }
            _ => {
                // `list-units` exits 0 when it runs; anything else means systemd did not answer.
                s.failed_units = parse_failed_units(&sec.text());
                state.warnings.push(match sec.rc {
                    Some(rc) => {
                        Both::new(format!("systemctl: exit status {rc}"), format!("systemctl：退出码 {rc}"))
                    }
                    None => Both::new("systemctl: exit status missing", "systemctl：没有退出码"),
                });
            }
        }
    }

    s.disks = disks(&sections, &mut state.warnings);

    if let Some(both) = essentials.both_missing() {
        s.reachable = false;
        s.error = Some(HostError {
            kind: "probe".into(),
            message: format!("the host answered but is not a Linux /proc system: {}", both.en),
            zh: Some(format!("主机有应答，但不是 Linux /proc 系统：{}", both.zh)),
        });
    }
    state.warnings.extend(essentials.stat_error);
    state.warnings.extend(essentials.meminfo_error);
    s.warnings = state.warnings.clone();
    s.sanitize();
    s
}

/// A section the probe always prints that is not there.
fn missing(label: &str) -> Both {
    Both::new(format!("{label}: missing from probe output"), format!("{label}：探测输出中缺失"))
}

fn is_timeout(rc: i32) -> bool {
    rc == 124 || rc == 137
}

fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// `pid rss name` lines (any header or junk line is skipped), largest RSS first; processes
/// without resident memory (kernel threads) are left out, as in the local probe.
fn parse_ps(lines: &[&str]) -> Vec<ProcessMem> {
    let mut procs: Vec<ProcessMem> = lines
        .iter()
        .filter_map(|line| {
            let line = line.trim_start();
            let (pid, rest) = line.split_once(char::is_whitespace)?;
            let rest = rest.trim_start();
            let (rss, name) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let pid: u32 = pid.parse().ok()?;
            let rss_kib: u64 = rss.parse().ok()?;
            let name = name.trim();
            (rss_kib > 0 && !name.is_empty()).then(|| ProcessMem {
                pid,
                name: name.to_string(),
                rss_kib,
                by_yunwei: false,
            })
        })
        .collect();
    procs.sort_by(|a, b| b.rss_kib.cmp(&a.rss_kib).then(a.pid.cmp(&b.pid)));
    procs.truncate(TOP_PROCESSES);
    procs
}

fn disks(sections: &Sections<'_>, warnings: &mut Vec<Both>) -> Vec<super::DiskUsage> {
    let mut read = |name: &str, kind: DfKind, label: &str| -> Option<Vec<super::parse::DfRow>> {
        let Some(sec) = sections.get(name) else {
            warnings.push(missing(label));
            return None;
        };
        match sec.rc {
            Some("skipped") => {
                warnings.push(Both::new(
                    format!("{label}: skipped after the block df timed out"),
                    format!("{label}：块用量的 df 已超时，未再执行"),
                ));
                return None;
            }
            Some(rc) => match rc.parse::<i32>() {
                Ok(0) => {}
                Ok(rc) if is_timeout(rc) => warnings.push(Both::new(
                    format!("{label}: timed out after 5 s (hung mount?)"),
                    format!("{label}：5 秒内未完成（挂载点无响应？）"),
                )),
                Ok(rc) => warnings.push(Both::new(
                    format!("{label}: exit status {rc} (some filesystems unreadable)"),
                    format!("{label}：退出码 {rc}（部分文件系统不可读）"),
                )),
                Err(_) => warnings.push(Both::new(
                    format!("{label}: odd exit status `{rc}`"),
                    format!("{label}：异常的退出码 `{rc}`"),
                )),
            },
            None => {
                warnings.push(Both::new(format!("{label}: no exit status"), format!("{label}：没有退出码")))
            }
        }
        match parse_df(&sec.text(), kind) {
            Ok(rows) => Some(rows),
            Err(e) => {
                warnings.push(e.after(label));
                None
            }
        }
    };
    let blocks = read("dfk", DfKind::Blocks, "df -PTk");
    let inodes = read("dfi", DfKind::Inodes, "df -PTi");
    match blocks {
        Some(blocks) => merge_disks(&blocks, inodes.as_deref().unwrap_or(&[])),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::LocalProbe;
    use std::collections::BTreeSet;
    use std::path::Path;
    use std::process::Command;
    use std::time::Duration;

    /// Runs `script` with `shell` (e.g. `["dash"]`, `["bash", "--posix"]`), with `dir` put in
    /// front of PATH when given, and returns stdout.
    fn run_script(shell: &[&str], script: &str, dir: Option<&Path>) -> String {
        let mut cmd = Command::new(shell[0]);
        cmd.args(&shell[1..]).arg("-c").arg(script);
        if let Some(dir) = dir {
            let path = std::env::var("PATH").unwrap_or_default();
            cmd.env("PATH", format!("{}:{path}", dir.display()));
        }
        let out = cmd.output().unwrap_or_else(|e| panic!("{shell:?}: {e}"));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn have(program: &str) -> bool {
        Command::new("sh")
            .args(["-c", &format!("command -v {program} >/dev/null")])
            .status()
            .is_ok_and(|s| s.success())
    }

    fn mounts(s: &HostSample) -> BTreeSet<String> {
        s.disks.iter().map(|d| d.mount.clone()).collect()
    }

    fn check_live_probe(shell: &[&str], script: &str) {
        let mut state = RemoteState::default();
        let t0 = Instant::now();
        let first = parse_probe("live", &run_script(shell, script, None), &mut state, t0, 1_700_000_000);
        assert!(first.reachable, "{shell:?}: {:?}", first.error);
        assert_eq!(first.cpu_pct, None, "{shell:?}: first round has no CPU figure");
        assert!(first.net.is_empty());
        std::thread::sleep(Duration::from_millis(500));
        let output = run_script(shell, script, None);
        let second = parse_probe("live", &output, &mut state, Instant::now(), 1_700_000_001);
        assert!(state.last_warnings().is_empty(), "{shell:?}: {:?}\n{output}", state.last_warnings());
        let local = LocalProbe::new("local".into()).sample();
        let cpu = second.cpu_pct.unwrap_or(-1.0);
        assert!((0.0..=100.0).contains(&cpu), "{shell:?}: cpu {cpu}");
        assert_eq!(second.cores, local.cores, "{shell:?}");
        assert_eq!(second.mem_total_kib, local.mem_total_kib, "{shell:?}");
        assert!(second.mem_available_kib.is_some() && second.load1.is_some() && second.uptime_s.is_some());
        assert_eq!(mounts(&second), mounts(&local), "{shell:?}");
        assert!(!second.disks.is_empty(), "{shell:?}");
        assert!(second.disks.iter().any(|d| d.inodes_used_pct.is_some()), "{shell:?}: {:?}", second.disks);
        assert!(!second.top_processes.is_empty(), "{shell:?}");
        assert!(second.top_processes.len() <= TOP_PROCESSES);
        assert!(second.top_processes.windows(2).all(|w| w[0].rss_kib >= w[1].rss_kib));
        assert!(!second.net.is_empty(), "{shell:?}: no net rates");
        assert!(second.net.iter().all(|n| n.rx_bytes_per_s >= 0.0 && n.tx_bytes_per_s >= 0.0));
        assert_eq!(second.sampled_at, 1_700_000_001);
    }

    /// Runs the `own` function of the probe with `input` (`pid sid rss` lines) under `shell`.
    fn own_pids(shell: &str, input: &str) -> String {
        use std::io::Write;
        let mut child = Command::new(shell)
            .arg("-c")
            .arg(concat!(own_fn!(), "own"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
    }

    #[test]
    fn processes_of_sessions_a_yunwei_started_are_its_own() {
        // Sessions as sshd makes them for each exec (setsid), one led by a yunwei script, one
        // by somebody else's command. The trailing `:` keeps the shell from exec-ing sleep.
        let session = |script: &str| Command::new("setsid").args(["sh", "-c", script]).spawn().unwrap();
        let mut ours = session(": @@yunwei:nonce:begin; sleep 30; :");
        let mut logs = session(": @@yw data; sleep 30; :");
        let mut theirs = session(": a backup of somebody else; sleep 30; :");
        std::thread::sleep(Duration::from_millis(300));
        let (a, l, b) = (ours.id(), logs.id(), theirs.id());
        let input = format!("4242 {a} 900000\n4343 {b} 800000\n4444 {l} 700000\n4545 0 10\n4646 {a} 5\n");
        for shell in ["sh", "dash", "bash"] {
            if have(shell) {
                assert_eq!(own_pids(shell, &input), "4242\n4444\n4646\n", "{shell}");
            }
        }
        assert_eq!(own_pids("sh", ""), "");
        for c in [&mut ours, &mut logs, &mut theirs] {
            let _ = c.kill();
            let _ = c.wait();
        }
        // The probe's output marks those of its top processes.
        let out = "@@yunwei:begin:N\n@@yunwei:N:ps\n  700 2000000 java\n 4242 900000 apt-get\n\
                   @@yunwei:N:own\n4242\n@@yunwei:N:end\n";
        let s = parse_probe("h", out, &mut RemoteState::default(), Instant::now(), 0);
        let marks: Vec<(&str, bool)> =
            s.top_processes.iter().map(|p| (p.name.as_str(), p.by_yunwei)).collect();
        assert_eq!(marks, [("java", false), ("apt-get", true)]);
    }

    #[test]
    fn live_probe_with_dash_and_bash_posix() {
        check_live_probe(&["sh"], PROBE_SCRIPT);
        if have("dash") {
            check_live_probe(&["dash"], PROBE_SCRIPT);
        }
        check_live_probe(&["bash", "--posix"], PROBE_SCRIPT);
        // The full command line, as the remote login shell gets it.
        check_live_probe(&["sh"], &probe_command());
    }

    #[test]
    fn live_probe_with_busybox_applets() {
        if !Path::new("/usr/bin/busybox").exists() && !Path::new("/bin/busybox").exists() {
            eprintln!("busybox not installed: skipped");
            return;
        }
        // busybox sh, and busybox's ps, df, sort, head, grep, cat and timeout first in PATH.
        let dir = tempfile::tempdir().unwrap();
        for applet in ["sh", "ps", "df", "sort", "head", "grep", "cat", "timeout", "sleep", "kill"] {
            std::os::unix::fs::symlink("/usr/bin/busybox", dir.path().join(applet))
                .or_else(|_| std::os::unix::fs::symlink("/bin/busybox", dir.path().join(applet)))
                .unwrap();
        }
        let mut state = RemoteState::default();
        let shell = dir.path().join("sh");
        let shell = shell.to_str().unwrap();
        let first = run_script(&[shell], PROBE_SCRIPT, Some(dir.path()));
        parse_probe("bb", &first, &mut state, Instant::now(), 0);
        std::thread::sleep(Duration::from_millis(300));
        let output = run_script(&[shell], PROBE_SCRIPT, Some(dir.path()));
        let s = parse_probe("bb", &output, &mut state, Instant::now(), 0);
        assert!(state.last_warnings().is_empty(), "{:?}\n{output}", state.last_warnings());
        let local = LocalProbe::new("local".into()).sample();
        assert!(s.cpu_pct.is_some());
        assert_eq!(s.mem_total_kib, local.mem_total_kib);
        assert_eq!(mounts(&s), mounts(&local));
        assert!(!s.top_processes.is_empty());
    }

    /// A directory of stand-in commands, put first in PATH.
    fn fake_bin(files: &[(&str, &str)]) -> tempfile::TempDir {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        for (name, body) in files {
            let path = dir.path().join(name);
            std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        dir
    }

    #[test]
    fn without_ps_the_processes_come_from_proc() {
        let dir = fake_bin(&[("ps", "exit 1")]);
        let output = run_script(&["sh"], PROBE_SCRIPT, Some(dir.path()));
        let s = parse_probe("nops", &output, &mut RemoteState::default(), Instant::now(), 0);
        assert!(!s.top_processes.is_empty(), "{output}");
        assert!(s.top_processes.iter().all(|p| !p.name.starts_with(char::is_whitespace) && p.rss_kib > 0));
    }

    fn check_hung_df(dir: &Path) {
        let started = Instant::now();
        let output = run_script(&["sh"], PROBE_SCRIPT, Some(dir));
        let took = started.elapsed();
        assert!(took < Duration::from_secs(15), "{took:?}");
        let mut state = RemoteState::default();
        let s = parse_probe("nfs", &output, &mut state, Instant::now(), 0);
        assert!(s.reachable);
        assert!(s.mem_total_kib.is_some() && !s.top_processes.is_empty());
        assert!(s.disks.is_empty());
        let w = state.last_warnings().iter().map(|w| w.en.as_str()).collect::<Vec<_>>().join("\n");
        assert!(w.contains("df -PTk: timed out"), "{w}");
        assert!(w.contains("df -PTi: skipped"), "{w}");
        // The sample carries them, in Chinese too, for the host detail.
        let zh: Vec<&str> = s.warnings.iter().map(|w| w.zh.as_str()).collect();
        assert!(zh.contains(&"df -PTk：5 秒内未完成（挂载点无响应？）"), "{zh:?}");
        assert!(zh.iter().any(|w| w.starts_with("df -PTi：") && !w.contains("skipped")), "{zh:?}");
    }

    #[test]
    fn hung_df_is_killed_by_timeout() {
        check_hung_df(fake_bin(&[("df", "exec sleep 60")]).path());
    }

    #[test]
    fn hung_df_is_killed_without_timeout() {
        // A `timeout` that does not work (old busybox syntax): the POSIX fallback kills df.
        check_hung_df(fake_bin(&[("df", "exec sleep 60"), ("timeout", "exit 125")]).path());
    }

    #[test]
    fn shell_quote_round_trips() {
        for s in ["", "plain", "it's", "'", "''a'b''", "a b\n\tc $HOME `x` \\ \"q\"", "海口 /data"] {
            let out = run_script(&["sh"], &format!("printf %s {}", shell_quote(s)), None);
            assert_eq!(out, s);
        }
        assert!(probe_command().starts_with("sh -c '"));
    }

    // ----- fixtures

    fn nonce_output(sections: &[(&str, &str)]) -> String {
        let nonce = "6f0c31a2-8a5e-4c55-9d63-1b2f7c0e9a11";
        let mut out = format!("@@yunwei:begin:{nonce}\n");
        for (name, body) in sections {
            out.push_str(&format!("@@yunwei:{nonce}:{name}\n{body}"));
        }
        out
    }

    const C6_STAT: &str = "cpu  1000 10 500 8000 90 5 45 0 0
cpu0 250 3 125 2000 20 2 10 0 0
cpu1 250 2 125 2000 25 1 10 0 0
cpu2 250 3 125 2000 25 1 15 0 0
cpu3 250 2 125 2000 20 1 10 0 0
";
    const C6_MEMINFO: &str = "MemTotal:        3924376 kB
MemFree:          209960 kB
Buffers:          188684 kB
Cached:          2467136 kB
SwapCached:         4568 kB
Active:          2112468 kB
Inactive:        1173716 kB
SwapTotal:       4095996 kB
SwapFree:        4045572 kB
Dirty:               180 kB
Slab:             156504 kB
SReclaimable:      98236 kB
SUnreclaim:        58268 kB
HugePages_Total:       0
Hugepagesize:       2048 kB
";
    const C6_NET: &str = "Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:15455525   32252    0    0    0     0          0         0 15455525   32252    0    0    0     0       0          0
  eth0:7250291147 108917370    0    0    0     0          0         0 304126188485 24112225    0    0    0     0       0          0
";
    // procps 3.2.8 `ps -eo pid=,rss=,comm=` through `sort -k2,2nr | head -n 10`.
    const C6_PS: &str = " 2858 1791644 qemu-kvm
 1523 204800 java
 1187 10240 rsyslogd
    1  1540 init
    2     0 kthreadd
";
    // coreutils 8.4
    const C6_DFK: &str = "Filesystem    Type 1024-blocks      Used Available Capacity Mounted on
/dev/mapper/vg_root-lv_root ext4 51475068 9874300 38979328      21% /
tmpfs        tmpfs     1962188         0   1962188       0% /dev/shm
/dev/sda1     ext4      495844     39915    430329       9% /boot
10.1.5.223:/vol/data nfs 1020054752 56080768 963973984   6% /data
";
    const C6_DFI: &str = "Filesystem    Type    Inodes   IUsed   IFree IUse% Mounted on
/dev/mapper/vg_root-lv_root ext4 3276800 156218 3120582    5% /
tmpfs        tmpfs    490547       1  490546    1% /dev/shm
/dev/sda1     ext4      128016      46  127970    1% /boot
10.1.5.223:/vol/data nfs 63754048 1023 63753025 1% /data
";

    fn centos6(stat: &str, net: &str) -> String {
        nonce_output(&[
            ("stat", stat),
            ("loadavg", "1.31 1.42 1.41 8/2404 75955\n"),
            ("meminfo", C6_MEMINFO),
            ("uptime", "8524541.93 33744186.06\n"),
            ("net/dev", net),
            ("ps", C6_PS),
            ("dfk", C6_DFK),
            ("rc 0", ""),
            ("dfi", C6_DFI),
            ("rc 0", ""),
            ("end", ""),
        ])
    }

    #[test]
    fn centos6_two_rounds() {
        let mut state = RemoteState::default();
        let t0 = Instant::now();
        let s = parse_probe("c6", &centos6(C6_STAT, C6_NET), &mut state, t0, 1_368_668_945);
        assert!(state.last_warnings().is_empty(), "{:?}", state.last_warnings());
        assert!(s.reachable);
        assert_eq!(s.error, None);
        assert_eq!(s.cpu_pct, None);
        assert!(s.net.is_empty());
        assert_eq!(s.cores, Some(4));
        assert_eq!((s.load1, s.load5, s.load15), (Some(1.31), Some(1.42), Some(1.41)));
        assert_eq!(s.uptime_s, Some(8524541));
        assert_eq!(s.mem_total_kib, Some(3924376));
        // No MemAvailable: MemFree + Buffers + Cached + SReclaimable.
        assert_eq!(s.mem_available_kib, Some(209960 + 188684 + 2467136 + 98236));
        assert_eq!(s.swap_total_kib, Some(4095996));
        let swap = s.swap_used_pct.unwrap();
        assert!((swap - 50424.0 * 100.0 / 4095996.0).abs() < 1e-9, "{swap}");
        let top: Vec<(u32, &str, u64)> =
            s.top_processes.iter().map(|p| (p.pid, p.name.as_str(), p.rss_kib)).collect();
        assert_eq!(
            top,
            [
                (2858, "qemu-kvm", 1791644),
                (1523, "java", 204800),
                (1187, "rsyslogd", 10240),
                (1, "init", 1540)
            ]
        );
        let disks: Vec<(&str, &str, f64, Option<f64>)> = s
            .disks
            .iter()
            .map(|d| (d.mount.as_str(), d.fs_type.as_str(), d.used_pct, d.inodes_used_pct))
            .collect();
        assert_eq!(
            disks,
            [
                ("/", "ext4", 21.0, Some(5.0)),
                ("/boot", "ext4", 9.0, Some(1.0)),
                ("/data", "nfs", 6.0, Some(1.0))
            ]
        );
        assert!(s.failed_units.is_empty());
        assert_eq!(s.sampled_at, 1_368_668_945);

        // Two seconds later: 400 busy and 510 idle ticks more, eth0 received 20000 bytes.
        let stat2 = C6_STAT.replace("cpu  1000 10 500 8000 90", "cpu  1300 10 600 8500 100");
        let net2 = C6_NET.replace("eth0:7250291147", "eth0:7250311147");
        let s = parse_probe("c6", &centos6(&stat2, &net2), &mut state, t0 + Duration::from_secs(2), 0);
        let cpu = s.cpu_pct.unwrap();
        assert!((cpu - 400.0 * 100.0 / 910.0).abs() < 1e-9, "{cpu}");
        let eth0 = s.net.iter().find(|n| n.iface == "eth0").unwrap();
        assert_eq!((eth0.rx_bytes_per_s, eth0.tx_bytes_per_s), (10000.0, 0.0));
        assert_eq!(s.net.len(), 2);
    }

    fn container() -> String {
        nonce_output(&[
            ("stat", "cpu  4705 356 584 3699 23 23 0 0 0 0\ncpu0 1393 180 302 1834 11 17 0 0 0 0\ncpu1 3312 176 282 1865 12 6 0 0 0 0\n"),
            ("loadavg", "0.08 0.03 0.05 1/180 42\n"),
            ("meminfo", "MemTotal:        2046768 kB\nMemFree:          845364 kB\nMemAvailable:    1523108 kB\nBuffers:           54948 kB\nCached:           602940 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n"),
            ("uptime", "350.12 650.45\n"),
            ("net/dev", "Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n  eth0:    5230      52    0    0    0     0          0         0      936      12    0    0    0     0       0          0\n"),
            // No ps: read from /proc/*/status (the name keeps the tab of the status line).
            ("ps", "1 2048 \tsh\n7 1024 \tsleep\n"),
            ("dfk", "df: /run/secrets: Permission denied\nFilesystem     Type    1024-blocks     Used Available Capacity Mounted on\noverlay        overlay    61255492 42156228  15957888      73% /\ntmpfs          tmpfs         65536        0     65536       0% /dev\nshm            tmpfs         65536        0     65536       0% /dev/shm\n/dev/sda1      ext4       61255492 42156228  15957888      73% /etc/hosts\n"),
            ("rc 1", ""),
            ("dfi", "df: /run/secrets: Permission denied\nFilesystem     Type      Inodes  IUsed   IFree IUse% Mounted on\noverlay        overlay  3907584 512033 3395551   14% /\ntmpfs          tmpfs     255846     17  255829    1% /dev\nshm            tmpfs     255846      1  255845    1% /dev/shm\n/dev/sda1      ext4     3907584 512033 3395551   14% /etc/hosts\n"),
            ("rc 1", ""),
            ("end", ""),
        ])
    }

    #[test]
    fn minimal_container_without_systemd_and_with_df_errors() {
        let mut state = RemoteState::default();
        let s = parse_probe("ctr", &container(), &mut state, Instant::now(), 0);
        assert!(s.reachable);
        assert_eq!(s.cores, Some(2));
        assert_eq!(s.mem_available_kib, Some(1523108));
        assert_eq!(s.swap_total_kib, Some(0));
        assert_eq!(s.swap_used_pct, None);
        assert_eq!(s.uptime_s, Some(350));
        let top: Vec<(u32, &str, u64)> =
            s.top_processes.iter().map(|p| (p.pid, p.name.as_str(), p.rss_kib)).collect();
        assert_eq!(top, [(1, "sh", 2048), (7, "sleep", 1024)]);
        let disks: Vec<(&str, &str, f64, Option<f64>)> = s
            .disks
            .iter()
            .map(|d| (d.mount.as_str(), d.fs_type.as_str(), d.used_pct, d.inodes_used_pct))
            .collect();
        // 42156228 / (42156228 + 15957888) = 72.5 % -> 73; inodes 512033 / 3907584 = 13.1 -> 14
        assert_eq!(disks, [("/", "overlay", 73.0, Some(14.0)), ("/etc/hosts", "ext4", 73.0, Some(14.0))]);
        assert!(s.failed_units.is_empty());
        let w = state.last_warnings().iter().map(|w| w.en.as_str()).collect::<Vec<_>>().join("\n");
        assert!(w.contains("df -PTk: exit status 1"), "{w}");
        assert!(w.contains("df -PTi: exit status 1"), "{w}");
    }

    #[test]
    fn systemd_failed_units_and_their_errors() {
        let ok = nonce_output(&[
            ("stat", C6_STAT),
            ("units", "kdump.service loaded failed failed Crash recovery kernel arming\n"),
            ("rc 0", ""),
            ("end", ""),
        ]);
        let mut state = RemoteState::default();
        let s = parse_probe("u", &ok, &mut state, Instant::now(), 0);
        assert_eq!(s.failed_units, ["kdump.service"]);
        assert!(s.reachable);
        let w = state.last_warnings().iter().map(|w| w.en.as_str()).collect::<Vec<_>>().join("\n");
        assert!(w.contains("/proc/meminfo: missing"), "{w}");
        assert!(w.contains("df -PTk: missing"), "{w}");

        let bad = nonce_output(&[("meminfo", C6_MEMINFO), ("units", ""), ("rc 1", ""), ("end", "")]);
        let s = parse_probe("u", &bad, &mut state, Instant::now(), 0);
        assert!(s.failed_units.is_empty());
        assert!(s.reachable);
        assert!(state.last_warnings().iter().any(|w| w.en == "systemctl: exit status 1"));
    }

    #[test]
    fn not_a_linux_proc_system() {
        let mut state = RemoteState::default();
        let out = nonce_output(&[("stat", ""), ("loadavg", "0.1 0.2 0.3\n"), ("meminfo", ""), ("end", "")]);
        let s = parse_probe("bsd", &out, &mut state, Instant::now(), 7);
        assert!(!s.reachable);
        let e = s.error.unwrap();
        assert_eq!(e.kind, "probe");
        assert!(e.message.contains("not a Linux /proc system"), "{}", e.message);
        assert!(e.message.contains("/proc/stat") && e.message.contains("/proc/meminfo"), "{}", e.message);
        assert_eq!(s.load1, Some(0.1));

        // A login refusal instead of the script's output.
        let s = parse_probe(
            "nologin",
            "This account is currently not available.\n",
            &mut state,
            Instant::now(),
            7,
        );
        assert!(!s.reachable);
        let e = s.error.unwrap();
        assert_eq!(e.kind, "probe");
        assert!(e.message.contains("This account is currently not available."), "{}", e.message);
        let s = parse_probe("empty", "", &mut state, Instant::now(), 7);
        assert!(!s.reachable);
        assert_eq!(s.name, "empty");
    }

    #[test]
    fn noise_before_begin_is_ignored() {
        let out = format!("Welcome to bashrc!\n\x1b[1mmotd\x1b[0m\n{}", centos6(C6_STAT, C6_NET));
        let mut state = RemoteState::default();
        let s = parse_probe("noisy", &out, &mut state, Instant::now(), 0);
        assert!(state.last_warnings().is_empty(), "{:?}", state.last_warnings());
        assert_eq!(s.disks.len(), 3);
    }

    #[test]
    fn truncated_output_keeps_what_was_complete() {
        let full = centos6(C6_STAT, C6_NET);
        let meminfo_done = full.find(":uptime\n").unwrap();
        let stat_done = full.find(":loadavg\n").unwrap();
        // Cut at every character: never a panic, and a section counts once the marker after it
        // has begun.
        for (cut, _) in full.char_indices() {
            let mut state = RemoteState::default();
            let s = parse_probe("cut", &full[..cut], &mut state, Instant::now(), 0);
            assert_eq!(s.mem_total_kib.is_some(), cut > meminfo_done, "cut at {cut}");
            assert_eq!(s.cores.is_some(), cut > stat_done, "cut at {cut}");
            assert_eq!(s.reachable, cut > stat_done, "cut at {cut}");
            let whole = full[..cut].ends_with(":end");
            assert!(!state.last_warnings().is_empty() || s.error.is_some() || whole, "cut at {cut}");
        }
        // Cut in the middle of the process list.
        let cut = full.find("rsyslogd").unwrap();
        let mut state = RemoteState::default();
        let s = parse_probe("cut", &full[..cut], &mut state, Instant::now(), 0);
        assert!(s.reachable);
        assert_eq!(s.mem_total_kib, Some(3924376));
        assert_eq!(s.uptime_s, Some(8524541));
        assert!(s.top_processes.is_empty());
        assert!(s.disks.is_empty());
        let w = state.last_warnings().iter().map(|w| w.en.as_str()).collect::<Vec<_>>().join("\n");
        assert!(w.contains("ended inside the `ps` section"), "{w}");
        // The block df complete with its exit status, cut inside the inode df.
        let cut = full.find("128016").unwrap();
        let s = parse_probe("cut", &full[..cut], &mut RemoteState::default(), Instant::now(), 0);
        assert_eq!(s.disks.len(), 3);
        assert!(s.disks.iter().all(|d| d.inodes_used_pct.is_none()));
    }

    #[test]
    fn hostile_names_are_sanitized_and_cannot_forge_markers() {
        let out = nonce_output(&[
            ("stat", C6_STAT),
            ("meminfo", C6_MEMINFO),
            (
                "ps",
                " 666 99999 \x1b]0;pwned\x07evil\n@@yunwei:end\n@@yunwei:begin:0000\n 667 88888 \x1b[2J\u{9b}31mx\u{202E}gpj.exe\n",
            ),
            ("units", "a\x1b[31m.service loaded failed failed x\n"),
            ("rc 0", ""),
            ("dfk", "Filesystem Type 1024-blocks Used Available Capacity Mounted on\n/dev/sdb1 ext4 100 50 50 50% /mnt/\x1b[2Jevil\n"),
            ("rc 0", ""),
            ("end", ""),
        ]);
        let mut state = RemoteState::default();
        let s = parse_probe("h\x1b[0m", &out, &mut state, Instant::now(), 0);
        let names: Vec<&str> = s.top_processes.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["\u{FFFD}]0;pwned\u{FFFD}evil", "\u{FFFD}[2J\u{FFFD}31mx\u{FFFD}gpj.exe"]);
        assert_eq!(s.failed_units, ["a\u{FFFD}[31m.service"]);
        assert_eq!(s.disks.len(), 1);
        assert_eq!(s.disks[0].mount, "/mnt/\u{FFFD}[2Jevil");
        assert_eq!(s.name, "h\u{FFFD}[0m");
        let all = format!("{s:?}");
        assert!(!all.contains('\u{1b}'), "{all}");
    }

    #[test]
    fn split_sections_rules() {
        let out =
            "noise\n@@yunwei:begin:N\n@@yunwei:N:a\n1\n2\n@@yunwei:N:rc 3\n@@yunwei:N:b\n@@yunwei:N:c\nx";
        let s = split_sections(out);
        assert!(s.begun && !s.ended);
        assert_eq!(s.noise, Some("noise"));
        assert_eq!(s.list.len(), 2);
        assert_eq!(
            (s.list[0].name, s.list[0].text(), s.list[0].status()),
            ("a", "1\n2\n".to_string(), Some(3))
        );
        assert_eq!((s.list[1].name, s.list[1].text(), s.list[1].rc), ("b", String::new(), None));
        assert_eq!(s.cut_in, Some("c"));
        // A section whose rc arrived is complete even without a following marker.
        let s = split_sections("@@yunwei:begin:N\r\n@@yunwei:N:a\r\nv\r\n@@yunwei:N:rc 0\r\n");
        assert_eq!(s.list.len(), 1);
        assert_eq!(s.list[0].lines, ["v"]);
        assert_eq!(s.cut_in, None);
    }
}

#[cfg(test)]
mod own_fixtures;
