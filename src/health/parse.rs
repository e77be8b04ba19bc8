//! Pure parsers for /proc files (stat, loadavg, uptime, meminfo, net/dev, [pid]/status) and for
//! the output of `df -P` and `systemctl list-units`, across kernel generations 2.4 to 7.x.

use std::collections::HashSet;

use super::{DiskUsage, NetRate, ProcessMem};

/// What was wrong with a file or a command output, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// A line that should hold data does not (1-based line number).
    #[error("{source_name} line {line}: {message}")]
    BadLine { source_name: &'static str, line: usize, message: String },
    /// Something required never appeared.
    #[error("{source_name}: {what} not found")]
    Missing { source_name: &'static str, what: &'static str },
}

impl ParseError {
    /// The same in Chinese: the line, or what was missing (a field keeps the name the source
    /// gives it); the English says what exactly was wrong with a line.
    pub fn zh(&self) -> String {
        match self {
            ParseError::BadLine { source_name, line, .. } => {
                format!("{source_name} 第 {line} 行格式无法识别")
            }
            ParseError::Missing { source_name, what } => {
                let what = match *what {
                    "aggregate `cpu` line" => "汇总的 `cpu` 行",
                    "load averages" => "负载均值",
                    "uptime" => "运行时间",
                    "MemFree (needed without MemAvailable)" => "MemFree（没有 MemAvailable 时需要）",
                    "`Filesystem ...` header" => "`Filesystem ...` 表头",
                    other => other,
                };
                format!("{source_name} 中没有{what}")
            }
        }
    }

    pub fn both(&self) -> crate::i18n::Both {
        crate::i18n::Both::new(self.to_string(), self.zh())
    }

    /// [`ParseError::both`] after the command whose output it was (`df -PTk: …`).
    pub fn after(&self, command: &str) -> crate::i18n::Both {
        crate::i18n::Both::new(format!("{command}: {self}"), format!("{command}：{}", self.zh()))
    }
}

fn bad_line(source_name: &'static str, idx: usize, message: impl Into<String>) -> ParseError {
    ParseError::BadLine { source_name, line: idx + 1, message: message.into() }
}

// ---------------------------------------------------------------------------------------------
// /proc/stat

/// Cumulative CPU time counters of the aggregate `cpu` line, in USER_HZ ticks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CpuTimes {
    pub user: u64,
    pub nice: u64,
    pub system: u64,
    pub idle: u64,
    pub iowait: u64,
    pub irq: u64,
    pub softirq: u64,
    pub steal: u64,
}

/// What the health sample needs from /proc/stat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuStat {
    pub total: CpuTimes,
    /// Number of `cpuN` lines (online CPUs).
    pub cores: u32,
}

/// Parses /proc/stat. Kernels before 2.6.11 print fewer than 8 columns; missing ones are 0.
/// Only lines starting with `cpu` are looked at, so partial captures (no `intr`/`btime`) work.
pub fn parse_proc_stat(text: &str) -> Result<CpuStat, ParseError> {
    const SRC: &str = "/proc/stat";
    let mut total = None;
    let mut cores = 0u32;
    for (idx, line) in text.lines().enumerate() {
        let mut fields = line.split_whitespace();
        let Some(label) = fields.next() else { continue };
        if label == "cpu" {
            if total.is_some() {
                return Err(bad_line(SRC, idx, "second aggregate `cpu` line"));
            }
            let mut vals = [0u64; 8];
            let mut n = 0;
            for field in fields {
                let v: u64 =
                    field.parse().map_err(|_| bad_line(SRC, idx, format!("`{field}` is not a counter")))?;
                if n < vals.len() {
                    vals[n] = v;
                }
                n += 1;
            }
            if n < 4 {
                return Err(bad_line(SRC, idx, format!("`cpu` line has {n} columns, at least 4 expected")));
            }
            total = Some(CpuTimes {
                user: vals[0],
                nice: vals[1],
                system: vals[2],
                idle: vals[3],
                iowait: vals[4],
                irq: vals[5],
                softirq: vals[6],
                steal: vals[7],
            });
        } else if label
            .strip_prefix("cpu")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        {
            cores += 1;
        }
    }
    match total {
        Some(total) => Ok(CpuStat { total, cores }),
        None => Err(ParseError::Missing { source_name: SRC, what: "aggregate `cpu` line" }),
    }
}

/// Busy percentage between two readings: busy = user+nice+system+irq+softirq+steal,
/// idle = idle+iowait (guest time is already inside user).
///
/// `None` when no time passed, or when the busy or idle sum went backwards (counter reset,
/// different host). Single columns are not checked: per-CPU iowait is known to step back a
/// little on tickless kernels while the idle+iowait sum stays monotonic.
pub fn cpu_busy_pct(prev: &CpuTimes, cur: &CpuTimes) -> Option<f64> {
    fn busy(t: &CpuTimes) -> u64 {
        t.user
            .saturating_add(t.nice)
            .saturating_add(t.system)
            .saturating_add(t.irq)
            .saturating_add(t.softirq)
            .saturating_add(t.steal)
    }
    fn idle(t: &CpuTimes) -> u64 {
        t.idle.saturating_add(t.iowait)
    }
    let d_busy = busy(cur).checked_sub(busy(prev))?;
    let d_idle = idle(cur).checked_sub(idle(prev))?;
    let d_total = d_busy.checked_add(d_idle)?;
    if d_total == 0 {
        return None;
    }
    Some(d_busy as f64 * 100.0 / d_total as f64)
}

// ---------------------------------------------------------------------------------------------
// /proc/loadavg, /proc/uptime

/// The three load averages of /proc/loadavg.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoadAvg {
    pub load1: f64,
    pub load5: f64,
    pub load15: f64,
}

/// Parses /proc/loadavg (`0.21 0.37 0.39 1/719 19737`).
pub fn parse_loadavg(text: &str) -> Result<LoadAvg, ParseError> {
    const SRC: &str = "/proc/loadavg";
    let (idx, line) =
        first_non_blank(text).ok_or(ParseError::Missing { source_name: SRC, what: "load averages" })?;
    let mut vals = [0f64; 3];
    let mut fields = line.split_whitespace();
    for (i, slot) in vals.iter_mut().enumerate() {
        let field =
            fields.next().ok_or_else(|| bad_line(SRC, idx, format!("only {i} of 3 load averages")))?;
        *slot = parse_non_negative(field)
            .ok_or_else(|| bad_line(SRC, idx, format!("`{field}` is not a load average")))?;
    }
    Ok(LoadAvg { load1: vals[0], load5: vals[1], load15: vals[2] })
}

/// Parses /proc/uptime (`7192.55 29212.05`) into whole seconds since boot.
pub fn parse_uptime(text: &str) -> Result<u64, ParseError> {
    const SRC: &str = "/proc/uptime";
    let (idx, line) =
        first_non_blank(text).ok_or(ParseError::Missing { source_name: SRC, what: "uptime" })?;
    let field = line.split_whitespace().next().unwrap_or_default();
    let secs = parse_non_negative(field)
        .ok_or_else(|| bad_line(SRC, idx, format!("`{field}` is not a number of seconds")))?;
    // Truncation is intended: whole seconds; the value is finite and >= 0 here.
    Ok(secs as u64)
}

fn first_non_blank(text: &str) -> Option<(usize, &str)> {
    text.lines().enumerate().find(|(_, l)| !l.trim().is_empty())
}

fn parse_non_negative(field: &str) -> Option<f64> {
    field.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0)
}

// ---------------------------------------------------------------------------------------------
// /proc/meminfo

/// Memory figures from /proc/meminfo, in KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemInfo {
    pub mem_total_kib: u64,
    pub mem_available_kib: u64,
    /// True when the kernel has no `MemAvailable` (before 3.14, not back-ported) and
    /// `mem_available_kib` was estimated.
    pub available_estimated: bool,
    pub swap_total_kib: u64,
    pub swap_free_kib: u64,
}

impl MemInfo {
    /// (total − available) / total · 100; 0 when the total is 0.
    pub fn used_pct(&self) -> f64 {
        if self.mem_total_kib == 0 {
            return 0.0;
        }
        let used = self.mem_total_kib.saturating_sub(self.mem_available_kib);
        used as f64 * 100.0 / self.mem_total_kib as f64
    }

    /// (swap total − swap free) / swap total · 100; `None` without swap.
    pub fn swap_used_pct(&self) -> Option<f64> {
        if self.swap_total_kib == 0 {
            return None;
        }
        let used = self.swap_total_kib.saturating_sub(self.swap_free_kib);
        Some(used as f64 * 100.0 / self.swap_total_kib as f64)
    }
}

/// Parses /proc/meminfo. Only `Key: value kB` lines are read, so the 2.4-style summary rows
/// (`total: used: free:` / `Mem: <bytes>`) in front of them are ignored.
///
/// Without `MemAvailable` the estimate is the one `free` has always shown as
/// "available" on such kernels (procps' "free + buffers/cache"):
/// `MemFree + Buffers + Cached + SReclaimable`, clamped to `MemTotal`. procps-ng's more exact
/// low-watermark formula needs `/proc/sys/vm/min_free_kbytes`, which is not in meminfo, so it
/// is not used; the estimate is a little optimistic (it counts shmem and the watermark as free).
pub fn parse_meminfo(text: &str) -> Result<MemInfo, ParseError> {
    const SRC: &str = "/proc/meminfo";
    const KEYS: [&str; 8] =
        ["MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SReclaimable", "SwapTotal", "SwapFree"];
    let mut vals: [Option<u64>; 8] = [None; 8];
    for (idx, line) in text.lines().enumerate() {
        let Some((key, rest)) = line.split_once(':') else {
            continue;
        };
        let Some(slot) = KEYS.iter().position(|k| *k == key.trim()) else {
            continue;
        };
        let mut fields = rest.split_whitespace();
        let value = fields.next().and_then(|v| v.parse::<u64>().ok());
        let unit_ok = matches!(fields.next(), None | Some("kB"));
        match value {
            Some(v) if unit_ok => vals[slot] = Some(v),
            _ => return Err(bad_line(SRC, idx, format!("bad value for {}", key.trim()))),
        }
    }
    let [total, free, available, buffers, cached, sreclaimable, swap_total, swap_free] = vals;
    let mem_total_kib = total.ok_or(ParseError::Missing { source_name: SRC, what: "MemTotal" })?;
    let (mem_available_kib, available_estimated) = match available {
        Some(a) => (a, false),
        None => {
            let free = free.ok_or(ParseError::Missing {
                source_name: SRC,
                what: "MemFree (needed without MemAvailable)",
            })?;
            let estimate = free
                .saturating_add(buffers.unwrap_or(0))
                .saturating_add(cached.unwrap_or(0))
                .saturating_add(sreclaimable.unwrap_or(0));
            (estimate.min(mem_total_kib), true)
        }
    };
    Ok(MemInfo {
        mem_total_kib,
        mem_available_kib,
        available_estimated,
        swap_total_kib: swap_total.unwrap_or(0),
        swap_free_kib: swap_free.unwrap_or(0),
    })
}

// ---------------------------------------------------------------------------------------------
// /proc/net/dev

/// Cumulative counters of one interface: bytes, and the errors and drops both ways.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NetCounters {
    pub iface: String,
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    /// Receive and transmit errors (`errs`), summed.
    pub errors: u64,
    /// Receive and transmit drops (`drop`), summed.
    pub drops: u64,
}

/// Parses /proc/net/dev. The two header lines are skipped when present. Handles
/// `eth0:68210035552 ...` (2.6.32 prints no space after the colon) and alias names that
/// contain a colon (`eth1:0: 123 ...`): the name ends at the colon after which the 16 counters
/// follow, which is always the last colon of the line.
pub fn parse_net_dev(text: &str) -> Result<Vec<NetCounters>, ParseError> {
    const SRC: &str = "/proc/net/dev";
    let mut out = Vec::new();
    for (idx, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.contains('|') {
            continue; // blank or one of the two header lines
        }
        let Some(colon) = line.rfind(':') else {
            return Err(bad_line(SRC, idx, "no `iface:` prefix"));
        };
        let iface = line[..colon].trim();
        if iface.is_empty() {
            return Err(bad_line(SRC, idx, "empty interface name"));
        }
        let mut counters = [0u64; 16];
        let mut n = 0;
        for field in line[colon + 1..].split_whitespace() {
            let v = field
                .parse::<u64>()
                .map_err(|_| bad_line(SRC, idx, format!("`{field}` is not a counter ({iface})")))?;
            if n < counters.len() {
                counters[n] = v;
            }
            n += 1;
        }
        if n != 16 {
            return Err(bad_line(SRC, idx, format!("{iface}: {n} counters, 16 expected")));
        }
        // Receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes
        // packets errs drop fifo colls carrier compressed.
        out.push(NetCounters {
            iface: iface.to_string(),
            rx_bytes: counters[0],
            tx_bytes: counters[8],
            errors: counters[2].saturating_add(counters[10]),
            drops: counters[3].saturating_add(counters[11]),
        });
    }
    Ok(out)
}

/// Bytes, errors and drops per second for every interface present in both readings. A counter that went
/// backwards (32-bit wrap, driver reset) gives 0 for this sample, never a negative rate.
/// Returns nothing when `dt_secs` is not a positive, finite number.
pub fn net_rates(prev: &[NetCounters], cur: &[NetCounters], dt_secs: f64) -> Vec<NetRate> {
    if !(dt_secs.is_finite() && dt_secs > 0.0) {
        return Vec::new();
    }
    let rate = |before: u64, now: u64| now.saturating_sub(before) as f64 / dt_secs;
    cur.iter()
        .filter_map(|c| {
            let p = prev.iter().find(|p| p.iface == c.iface)?;
            Some(NetRate {
                iface: c.iface.clone(),
                rx_bytes_per_s: rate(p.rx_bytes, c.rx_bytes),
                tx_bytes_per_s: rate(p.tx_bytes, c.tx_bytes),
                errors_per_s: rate(p.errors, c.errors),
                drops_per_s: rate(p.drops, c.drops),
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// df

/// Which `df` output is being parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DfKind {
    /// `df -PTk` (or `-Pk`, `-alP`, `-Tk`): sizes, converted to KiB.
    Blocks,
    /// `df -PTi` (or `-Pi`, `-li`): inode counts.
    Inodes,
}

/// One row of `df`. For [`DfKind::Blocks`] the numbers are KiB, for [`DfKind::Inodes`]
/// inode counts. `None` where df printed `-` (btrfs inodes, autofs).
#[derive(Debug, Clone, PartialEq)]
pub struct DfRow {
    pub device: String,
    /// `None` when the output has no Type column (`df -Pk`).
    pub fs_type: Option<String>,
    pub total: Option<u64>,
    pub used: Option<u64>,
    pub avail: Option<u64>,
    /// The Use%/Capacity/IUse% column.
    pub pct: Option<f64>,
    pub mount: String,
}

struct DfLayout {
    has_type: bool,
    /// Size of one block of the size columns, in bytes (1024 for `-k`, 512 for plain `-P`).
    block_bytes: u64,
}

/// Parses `df -P` style output (with or without `-T`, `-k`, `-i`, `-a`, `-l`).
///
/// * The header decides whether there is a Type column and the block size
///   (`1K-blocks`/`1024-blocks`/`512-blocks`); sizes are returned in KiB.
/// * Everything after the percent column is the mount point (it may contain spaces).
/// * A line holding only a device name (non-`-P` df wraps long names) is joined with the next.
/// * `-` in a numeric column gives `None`.
/// * Diagnostics (`df: '/mnt/x': Permission denied`, `/bin/df: ...`), blank lines and
///   anything before the header are skipped.
pub fn parse_df(text: &str, kind: DfKind) -> Result<Vec<DfRow>, ParseError> {
    const SRC: &str = "df output";
    let mut layout: Option<DfLayout> = None;
    let mut pending_device: Option<String> = None;
    let mut rows = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        let Some(first) = line.split_whitespace().next() else {
            continue;
        };
        if first.ends_with("df:") {
            continue; // a diagnostic from df on stderr
        }
        if first == "Filesystem" {
            layout = Some(df_header(line, kind).map_err(|m| bad_line(SRC, idx, m))?);
            continue;
        }
        let Some(layout) = &layout else {
            continue; // noise before the header
        };
        let joined;
        let line = match pending_device.take() {
            Some(device) => {
                joined = format!("{device} {}", line.trim_start());
                joined.as_str()
            }
            None if !line.starts_with(char::is_whitespace) && line.split_whitespace().nth(1).is_none() => {
                pending_device = Some(first.to_string());
                continue;
            }
            None => line,
        };
        let row = df_row(line, layout, kind).map_err(|m| bad_line(SRC, idx, m))?;
        rows.push(row);
    }
    if layout.is_none() {
        return Err(ParseError::Missing { source_name: SRC, what: "`Filesystem ...` header" });
    }
    if let Some(device) = pending_device {
        return Err(ParseError::BadLine {
            source_name: SRC,
            line: text.lines().count(),
            message: format!("device `{device}` without figures at end of output"),
        });
    }
    Ok(rows)
}

fn df_header(line: &str, kind: DfKind) -> Result<DfLayout, String> {
    let cols: Vec<&str> = line.split_whitespace().collect();
    let has_type = cols.get(1) == Some(&"Type");
    let size_col = cols.get(if has_type { 2 } else { 1 }).copied().unwrap_or("");
    let is_inodes = size_col == "Inodes";
    match (kind, is_inodes) {
        (DfKind::Blocks, true) => return Err("inode header where block sizes were expected".into()),
        (DfKind::Inodes, false) => return Err(format!("`{size_col}` where the Inodes column was expected")),
        _ => {}
    }
    let block_bytes = if is_inodes {
        1
    } else if let Some(size) = size_col.strip_suffix("-blocks") {
        match size {
            "1K" | "1k" => 1024,
            other => other
                .parse::<u64>()
                .ok()
                .filter(|b| *b > 0)
                .ok_or_else(|| format!("unknown block size column `{size_col}`"))?,
        }
    } else {
        return Err(format!("unknown size column `{size_col}` (human-readable sizes are not supported)"));
    };
    Ok(DfLayout { has_type, block_bytes })
}

fn df_row(line: &str, layout: &DfLayout, kind: DfKind) -> Result<DfRow, String> {
    // Fields with their byte offsets, so the mount point keeps its inner spacing.
    let mut fields = Vec::with_capacity(8);
    let mut start = None;
    for (i, ch) in line.char_indices() {
        match (ch.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                fields.push((s, &line[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        fields.push((s, &line[s..]));
    }
    let fixed = if layout.has_type { 6 } else { 5 };
    if fields.len() <= fixed {
        return Err(format!("{} fields, at least {} expected", fields.len(), fixed + 1));
    }
    let num = |i: usize| -> Result<Option<u64>, String> {
        let field = fields[i].1;
        if field == "-" {
            return Ok(None);
        }
        let v: u64 = field.parse().map_err(|_| format!("`{field}` is not a number"))?;
        Ok(Some(match kind {
            DfKind::Inodes => v,
            DfKind::Blocks if layout.block_bytes == 1024 => v,
            DfKind::Blocks => {
                // u128: blocks * block size cannot overflow before the division.
                let kib = u128::from(v) * u128::from(layout.block_bytes) / 1024;
                u64::try_from(kib).unwrap_or(u64::MAX)
            }
        }))
    };
    let first_num = fixed - 4;
    let pct_field = fields[fixed - 1].1;
    let pct = if pct_field == "-" {
        None
    } else {
        let p = pct_field
            .strip_suffix('%')
            .and_then(|p| p.parse::<f64>().ok())
            .ok_or_else(|| format!("`{pct_field}` is not a percentage"))?;
        Some(p)
    };
    Ok(DfRow {
        device: fields[0].1.to_string(),
        fs_type: layout.has_type.then(|| fields[1].1.to_string()),
        total: num(first_num)?,
        used: num(first_num + 1)?,
        avail: num(first_num + 2)?,
        pct,
        mount: line[fields[fixed].0..].to_string(),
    })
}

/// Filesystems that hold no user data and are left out of the disk list.
///
/// `overlay` is kept: it is the root filesystem inside containers. `squashfs` (snap loop
/// mounts, always 100 % full) and `iso9660` (read-only media) are skipped.
pub fn is_pseudo_fs(fs_type: &str) -> bool {
    matches!(
        fs_type,
        "proc"
            | "sysfs"
            | "devtmpfs"
            | "devpts"
            | "tmpfs"
            | "ramfs"
            | "cgroup"
            | "cgroup2"
            | "pstore"
            | "securityfs"
            | "debugfs"
            | "tracefs"
            | "configfs"
            | "fusectl"
            | "mqueue"
            | "hugetlbfs"
            | "autofs"
            | "binfmt_misc"
            | "bpf"
            | "nsfs"
            | "rpc_pipefs"
            | "selinuxfs"
            | "efivarfs"
            | "squashfs"
            | "iso9660"
            | "fuse.lxcfs"
            | "fuse.gvfsd-fuse"
            | "fuse.portal"
    )
}

/// df's percentage: used / (used + avail), rounded up; `None` when both are 0.
fn df_pct(used: u64, avail: u64) -> Option<f64> {
    let denom = u128::from(used) + u128::from(avail);
    if denom == 0 {
        return None;
    }
    let pct = (u128::from(used) * 100).div_ceil(denom);
    Some(pct as f64)
}

/// Joins `df -PTk` and `df -PTi` rows into the disk list.
///
/// Skips pseudo filesystems ([`is_pseudo_fs`] on the type, or on the device name when df
/// printed no Type column, as `df -P` names tmpfs/proc/... by their type), rows with no or zero
/// size, and repeated device+mount pairs. `used_pct` is computed as df does it (rounded up);
/// when used and avail are both 0 or missing, df's own percent column is used, and rows with
/// neither are skipped. Inode rows are matched by device and mount, else by mount.
pub fn merge_disks(blocks: &[DfRow], inodes: &[DfRow]) -> Vec<DiskUsage> {
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    let mut out = Vec::new();
    for row in blocks {
        let kind_name = row.fs_type.as_deref().unwrap_or(&row.device);
        if is_pseudo_fs(kind_name) {
            continue;
        }
        let Some(size_kib) = row.total.filter(|t| *t > 0) else {
            continue;
        };
        if !seen.insert((row.device.as_str(), row.mount.as_str())) {
            continue;
        }
        let used_kib = row.used.unwrap_or(0);
        let avail_kib = row.avail.unwrap_or(0);
        let Some(used_pct) = df_pct(used_kib, avail_kib).or(row.pct) else {
            continue;
        };
        let inode_row = inodes
            .iter()
            .find(|i| i.device == row.device && i.mount == row.mount)
            .or_else(|| inodes.iter().find(|i| i.mount == row.mount));
        let inodes_used_pct = inode_row.and_then(|i| match (i.used, i.avail) {
            (Some(u), Some(a)) => df_pct(u, a),
            _ => None,
        });
        out.push(DiskUsage {
            mount: row.mount.clone(),
            fs_type: row.fs_type.clone().unwrap_or_default(),
            size_kib,
            used_kib,
            avail_kib,
            used_pct,
            inodes_used_pct,
        });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// /proc/[pid]/status

/// Name and resident memory of one process from its /proc/[pid]/status. `pid` is the
/// directory the file was read from (the `Pid:` line can differ, e.g. for threads).
/// Kernel threads have no `VmRSS:` line and give `None`.
pub fn parse_proc_status(text: &str, pid: u32) -> Option<ProcessMem> {
    let mut name = None;
    let mut rss = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("Name:") {
            // "Name:\t<comm>": the comm itself may contain (and end in) spaces.
            let value = rest.strip_prefix('\t').unwrap_or_else(|| rest.trim_start());
            name = Some(value.to_string());
        } else if let Some(rest) = line.strip_prefix("VmRSS:") {
            rss = rest.split_whitespace().next().and_then(|v| v.parse().ok());
        }
        if name.is_some() && rss.is_some() {
            break;
        }
    }
    Some(ProcessMem { pid, name: name?, rss_kib: rss?, by_yunwei: false })
}

/// The parent pid from a `/proc/<pid>/status` file (`PPid:`).
pub fn parse_proc_ppid(text: &str) -> Option<u32> {
    text.lines().find_map(|l| l.strip_prefix("PPid:")).and_then(|v| v.trim().parse().ok())
}

// ---------------------------------------------------------------------------------------------
// systemctl

/// Unit names whose ACTIVE column is `failed`, from
/// `systemctl list-units --state=failed --plain --no-legend --no-pager`. Also reads the full
/// `systemctl list-units` forms: header row, `●`/`*` markers, legend and count footer.
pub fn parse_failed_units(text: &str) -> Vec<String> {
    const LOAD_STATES: [&str; 7] =
        ["loaded", "not-found", "masked", "error", "bad-setting", "merged", "stub"];
    text.lines()
        .filter_map(|line| {
            let line = line.trim_start();
            let line = line.strip_prefix('●').or_else(|| line.strip_prefix('*')).unwrap_or(line);
            let mut fields = line.split_whitespace();
            let unit = fields.next()?;
            let load = fields.next()?;
            let active = fields.next()?;
            fields.next()?; // SUB must be there too
            (active == "failed" && LOAD_STATES.contains(&load)).then(|| unit.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::{read_fixture, shared_data};

    // ----- /proc/stat

    #[test]
    fn stat_modern_10_columns() {
        if !shared_data("stat_modern_10_columns") {
            return;
        }
        let s = parse_proc_stat(&read_fixture("proc/procfs-2014-2016-kernel3.x/stat")).unwrap();
        assert_eq!(s.cores, 8);
        assert_eq!(
            s.total,
            CpuTimes {
                user: 301854,
                nice: 612,
                system: 111922,
                idle: 8979004,
                iowait: 3552,
                irq: 2,
                softirq: 3944,
                steal: 0,
            }
        );
    }

    #[test]
    fn stat_with_steal_and_no_trailing_newline() {
        if !shared_data("stat_with_steal_and_no_trailing_newline") {
            return;
        }
        let s = parse_proc_stat(&read_fixture("proc/gopsutil-2017/stat")).unwrap();
        assert_eq!(s.cores, 4);
        assert_eq!(s.total.user, 23644);
        assert_eq!(s.total.steal, 5892);
        let s = parse_proc_stat(&read_fixture("proc/pcp-meminfo-root-007-2021-5.x/stat")).unwrap();
        assert_eq!((s.cores, s.total.irq, s.total.steal), (8, 818, 313));
    }

    #[test]
    fn stat_480_cpus() {
        if !shared_data("stat_480_cpus") {
            return;
        }
        let s = parse_proc_stat(&read_fixture("proc/pcp-bigsys-hp-bl920gen8-2014/stat")).unwrap();
        assert_eq!(s.cores, 480);
        assert_eq!(s.total.idle, 869208946);
        assert_eq!(s.total.softirq, 1144);
    }

    #[test]
    fn stat_partial_collectl_2_6_32_nine_columns() {
        if !shared_data("stat_partial_collectl_2_6_32_nine_columns") {
            return;
        }
        let s = parse_proc_stat(&read_fixture("proc/pcp-collectl-rhel6.4-2.6.32-220/stat.partial")).unwrap();
        assert_eq!(s.cores, 80);
        assert_eq!(s.total.user, 65838609);
        assert_eq!(s.total.irq, 3909);
        assert_eq!(s.total.softirq, 1220310);
        assert_eq!(s.total.steal, 0);
        let s =
            parse_proc_stat(&read_fixture("proc/pcp-collectl-debian-sid-3.2.0-4-rt-686-pae/stat.partial"))
                .unwrap();
        assert_eq!((s.cores, s.total.idle), (2, 249168836));
    }

    #[test]
    fn stat_old_kernel_short_lines_pad_with_zero() {
        // 2.6.0-2.6.10 print 7 columns, 2.4 prints 4.
        let s = parse_proc_stat("cpu  10 20 30 40 50 60 70\ncpu0 10 20 30 40 50 60 70\n").unwrap();
        assert_eq!((s.total.softirq, s.total.steal, s.cores), (70, 0, 1));
        let s = parse_proc_stat("cpu  1 2 3 4\ncpu0 1 2 3 4\ncpu1 0 0 0 0\n").unwrap();
        assert_eq!((s.total.idle, s.total.iowait, s.cores), (4, 0, 2));
    }

    #[test]
    fn stat_errors_name_the_line() {
        let e = parse_proc_stat("intr 5\ncpu  1 x 3 4\n").unwrap_err();
        assert_eq!(
            e,
            ParseError::BadLine {
                source_name: "/proc/stat",
                line: 2,
                message: "`x` is not a counter".into()
            }
        );
        assert!(e.to_string().contains("line 2"));
        assert!(matches!(parse_proc_stat("cpu0 1 2 3 4\n"), Err(ParseError::Missing { .. })));
        assert!(parse_proc_stat("cpu 1 2 3\n").is_err());
    }

    #[test]
    fn busy_pct_between_readings() {
        let prev = CpuTimes { user: 100, idle: 1000, ..Default::default() };
        let cur =
            CpuTimes { user: 130, nice: 5, system: 10, irq: 1, softirq: 2, steal: 2, idle: 1040, iowait: 10 };
        // busy delta 50, idle delta 50
        assert_eq!(cpu_busy_pct(&prev, &cur), Some(50.0));
        assert_eq!(cpu_busy_pct(&cur, &cur), None);
        assert_eq!(cpu_busy_pct(&cur, &prev), None);
        let all_idle = CpuTimes { idle: 1100, ..prev };
        assert_eq!(cpu_busy_pct(&prev, &all_idle), Some(0.0));
    }

    #[test]
    fn busy_pct_tolerates_iowait_stepping_back() {
        let prev = CpuTimes { user: 100, idle: 1000, iowait: 50, ..Default::default() };
        let cur = CpuTimes { user: 125, idle: 1100, iowait: 25, ..Default::default() };
        assert_eq!(cpu_busy_pct(&prev, &cur), Some(25.0));
    }

    #[test]
    fn busy_pct_on_fixture_pair() {
        if !shared_data("busy_pct_on_fixture_pair") {
            return;
        }
        let a = parse_proc_stat(&read_fixture("proc/pcp-meminfo-root-001-2016/stat")).unwrap();
        let mut b = a.total;
        b.user += 300;
        b.idle += 700;
        assert_eq!(cpu_busy_pct(&a.total, &b), Some(30.0));
    }

    // ----- loadavg / uptime

    #[test]
    fn loadavg_fixtures() {
        if !shared_data("loadavg_fixtures") {
            return;
        }
        let cases = [
            ("proc/node_exporter-2014-kernel3.x/loadavg", 0.21, 0.37, 0.39),
            ("proc/pcp-collectl-rhel6.4-2.6.32-220/loadavg", 1.31, 1.42, 1.41),
            ("proc/go-sysinfo-ubuntu1710-4.13/loadavg", 1.55, 1.74, 1.73),
            ("proc/sysstat-root1-5.x-simulated/loadavg", 3.16, 3.24, 3.43),
        ];
        for (path, l1, l5, l15) in cases {
            let l = parse_loadavg(&read_fixture(path)).unwrap();
            assert_eq!((l.load1, l.load5, l.load15), (l1, l5, l15), "{path}");
        }
    }

    #[test]
    fn loadavg_errors() {
        assert!(matches!(parse_loadavg("0.1 0.2\n"), Err(ParseError::BadLine { line: 1, .. })));
        assert!(parse_loadavg("0.1 zz 0.3 1/2 3").is_err());
        assert!(matches!(parse_loadavg("\n"), Err(ParseError::Missing { .. })));
    }

    #[test]
    fn uptime_fixture_and_errors() {
        if !shared_data("uptime_fixture_and_errors") {
            return;
        }
        let up = parse_uptime(&read_fixture("proc/sysstat-root1-5.x-simulated/uptime")).unwrap();
        assert_eq!(up, 7192);
    }

    #[test]
    fn uptime_inline_and_errors() {
        assert_eq!(parse_uptime("350735.47 234388.90").unwrap(), 350735);
        assert!(parse_uptime("-3 1").is_err());
        assert!(parse_uptime("").is_err());
    }

    // ----- meminfo

    #[test]
    fn meminfo_with_mem_available() {
        if !shared_data("meminfo_with_mem_available") {
            return;
        }
        let cases = [
            // path, total, available, swap total, swap free
            ("proc/insights-core-rhel7.1-3.10/meminfo", 8009912, 6820236, 3145724, 3136352),
            ("proc/go-sysinfo-ubuntu1710-4.13/meminfo", 4042048, 3651940, 1048572, 1048572),
            ("proc/pcp-meminfo-root-007-2021-5.x/meminfo", 8141728, 7202848, 8140796, 8140796),
            ("proc/pcp-collectl-fedora43-7.0.12-aarch64/meminfo", 16318912, 12394640, 8388604, 7433224),
            ("proc/pcp-meminfo-root-002-2016-numa/meminfo", 131831052, 118425544, 4194300, 4194300),
        ];
        for (path, total, avail, st, sf) in cases {
            let m = parse_meminfo(&read_fixture(path)).unwrap();
            assert_eq!(
                m,
                MemInfo {
                    mem_total_kib: total,
                    mem_available_kib: avail,
                    available_estimated: false,
                    swap_total_kib: st,
                    swap_free_kib: sf,
                },
                "{path}"
            );
        }
    }

    #[test]
    fn meminfo_2_6_32_estimates_available() {
        if !shared_data("meminfo_2_6_32_estimates_available") {
            return;
        }
        let m = parse_meminfo(&read_fixture("proc/pcp-collectl-rhel6.4-2.6.32-220/meminfo")).unwrap();
        assert!(m.available_estimated);
        assert_eq!(m.mem_total_kib, 793659976);
        // MemFree + Buffers + Cached + SReclaimable
        assert_eq!(m.mem_available_kib, 551202228 + 152028 + 1433260 + 269424);
        assert_eq!(m.swap_used_pct(), Some(0.0));
    }

    #[test]
    fn meminfo_3x_without_available_and_swap_in_use() {
        if !shared_data("meminfo_3x_without_available_and_swap_in_use") {
            return;
        }
        let m = parse_meminfo(&read_fixture("proc/node_exporter-2014-kernel3.x/meminfo")).unwrap();
        assert!(m.available_estimated);
        assert_eq!(m.mem_available_kib, 225472 + 22040 + 930888 + 44772);
        let swap = m.swap_used_pct().unwrap();
        assert!((swap - (4194300.0 - 3155360.0) * 100.0 / 4194300.0).abs() < 1e-9);
        assert!((swap - 24.77).abs() < 0.01);
        let used = m.used_pct();
        assert!((used - 67.31).abs() < 0.01, "{used}");
    }

    #[test]
    fn meminfo_32bit_pae_highmem() {
        if !shared_data("meminfo_32bit_pae_highmem") {
            return;
        }
        let m =
            parse_meminfo(&read_fixture("proc/pcp-collectl-debian-sid-3.2.0-4-rt-686-pae/meminfo")).unwrap();
        assert!(m.available_estimated);
        assert_eq!(m.mem_total_kib, 4148768);
        assert_eq!(m.mem_available_kib, 1761836 + 988 + 1256288 + 381264);
    }

    #[test]
    fn meminfo_without_trailing_newline_and_no_swap() {
        if !shared_data("meminfo_without_trailing_newline_and_no_swap") {
            return;
        }
        let text = read_fixture("proc/procfs-2014-2016-kernel3.x/meminfo");
        assert!(!text.ends_with('\n'), "fixture changed: expected no final newline");
        let m = parse_meminfo(&text).unwrap();
        assert_eq!(m.mem_total_kib, 15666184);
        assert!(m.available_estimated);
        assert_eq!(m.mem_available_kib, 440324 + 1020128 + 12007640 + 1738124);
        assert_eq!(m.swap_total_kib, 0);
        assert_eq!(m.swap_used_pct(), None);
    }

    #[test]
    fn meminfo_embedded_2_4_style_header_is_ignored() {
        if !shared_data("meminfo_embedded_2_4_style_header_is_ignored") {
            return;
        }
        let m = parse_meminfo(&read_fixture("proc/gopsutil-issue1002-embedded/meminfo")).unwrap();
        // "Mem:  260579328 ..." (bytes) must not be taken for anything.
        assert_eq!(m.mem_total_kib, 254472);
        assert_eq!(m.mem_available_kib, 210156);
        assert!(!m.available_estimated);
        assert_eq!(m.swap_total_kib, 0);
        assert_eq!(m.swap_used_pct(), None);
    }

    #[test]
    fn meminfo_estimate_is_clamped_and_errors_are_reported() {
        let m = parse_meminfo("MemTotal: 100 kB\nMemFree: 80 kB\nCached: 50 kB\n").unwrap();
        assert_eq!(m.mem_available_kib, 100);
        assert_eq!(m.used_pct(), 0.0);
        assert!(matches!(
            parse_meminfo("MemFree: 1 kB\n"),
            Err(ParseError::Missing { what: "MemTotal", .. })
        ));
        assert!(matches!(
            parse_meminfo("MemTotal: 100 kB\nMemFree: lots kB\n"),
            Err(ParseError::BadLine { line: 2, .. })
        ));
    }

    // ----- net/dev

    fn counters<'a>(list: &'a [NetCounters], iface: &str) -> &'a NetCounters {
        list.iter().find(|c| c.iface == iface).unwrap_or_else(|| panic!("no {iface} in {list:?}"))
    }

    #[test]
    fn net_dev_no_space_after_colon_3x() {
        if !shared_data("net_dev_no_space_after_colon_3x") {
            return;
        }
        let list = parse_net_dev(&read_fixture("proc/node_exporter-2014-kernel3.x/net_dev")).unwrap();
        assert_eq!(list.len(), 7);
        let eth0 = counters(&list, "eth0");
        assert_eq!((eth0.rx_bytes, eth0.tx_bytes), (68210035552, 9315587528));
        let veth = counters(&list, "veth4B09XN");
        assert_eq!((veth.rx_bytes, veth.tx_bytes), (648, 1943284));
    }

    #[test]
    fn net_dev_collectl_2_6_32_without_header() {
        if !shared_data("net_dev_collectl_2_6_32_without_header") {
            return;
        }
        let list =
            parse_net_dev(&read_fixture("proc/pcp-collectl-rhel6.4-2.6.32-220/net_dev.iflines")).unwrap();
        assert_eq!(list[0].iface, "lo");
        assert_eq!(list[0].rx_bytes, 15455525);
        let eth5 = counters(&list, "eth5");
        assert_eq!((eth5.rx_bytes, eth5.tx_bytes), (494681243553, 2681702662178));
        let storage = counters(&list, "storage");
        assert_eq!(storage.rx_bytes, 470969958419);
        let list =
            parse_net_dev(&read_fixture("proc/pcp-collectl-debian-sid-3.2.0-4-rt-686-pae/net_dev.iflines"))
                .unwrap();
        let names: Vec<&str> = list.iter().map(|c| c.iface.as_str()).collect();
        assert_eq!(names, ["lo", "eth1", "wlan0"]);
        assert_eq!(list[1].tx_bytes, 207162113);
    }

    #[test]
    fn net_dev_4x_5x_and_bigsys() {
        if !shared_data("net_dev_4x_5x_and_bigsys") {
            return;
        }
        let list = parse_net_dev(&read_fixture("proc/pcp-procnet-4.15.14/net_dev")).unwrap();
        let enp = counters(&list, "enp0s25");
        assert_eq!((enp.rx_bytes, enp.tx_bytes), (18690974820, 3777745438));
        assert!(list.iter().any(|c| c.iface == "virbr0-nic"));
        let list = parse_net_dev(&read_fixture("proc/sysstat-root1-5.x-simulated/net_dev")).unwrap();
        assert_eq!(counters(&list, "wlp5s0").tx_bytes, 2446402);
        assert_eq!(counters(&list, "virbr0-1").rx_bytes, 21000);
        let list = parse_net_dev(&read_fixture("proc/pcp-bigsys-hp-bl920gen8-2014/net_dev")).unwrap();
        assert_eq!(list.len(), 49);
        assert_eq!(counters(&list, "eth0").rx_bytes, 14948502);
        let list = parse_net_dev(&read_fixture("proc/procfs-2014-2016-kernel3.x/net_dev")).unwrap();
        assert_eq!(counters(&list, "vethf345468").tx_bytes, 438);
    }

    #[test]
    fn net_dev_alias_interfaces_with_colons() {
        // RHEL 7 alias interfaces as in prometheus/procfs#421.
        let text = "Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n  eth1:0:  123456     789    4    7    0     0          0         0   654321     987    1    2    0     0       0          0\nteam0:1:2041523487 31094820    0    0    0     0          0     70291 1093446581 5497130    0    0    0     0       0          0\n";
        let list = parse_net_dev(text).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(
            list[0],
            NetCounters { iface: "eth1:0".into(), rx_bytes: 123456, tx_bytes: 654321, errors: 5, drops: 9 }
        );
        assert_eq!(list[1].iface, "team0:1");
        assert_eq!(list[1].rx_bytes, 2041523487);
        assert_eq!(list[1].tx_bytes, 1093446581);
    }

    #[test]
    fn net_dev_errors() {
        let e = parse_net_dev("  eth0: 1 2 3\n").unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
        assert!(e.to_string().contains("3 counters"), "{e}");
        assert!(parse_net_dev("garbage line\n").is_err());
        assert_eq!(parse_net_dev("").unwrap(), vec![]);
    }

    #[test]
    fn rates_per_second_and_counter_reset() {
        if !shared_data("rates_per_second_and_counter_reset") {
            return;
        }
        let prev = parse_net_dev(&read_fixture("proc/procfs-2014-2016-kernel3.x/net_dev")).unwrap();
        let mut cur = prev.clone();
        for c in &mut cur {
            match c.iface.as_str() {
                "eth0" => {
                    c.rx_bytes += 2000;
                    c.tx_bytes += 500;
                    c.errors += 6;
                    c.drops += 40;
                }
                "docker0" => c.rx_bytes = 10, // reset
                _ => {}
            }
        }
        cur.retain(|c| c.iface != "vethf345468");
        cur.push(NetCounters { iface: "new0".into(), rx_bytes: 5, tx_bytes: 5, ..Default::default() });
        let rates = net_rates(&prev, &cur, 2.0);
        let names: Vec<&str> = rates.iter().map(|r| r.iface.as_str()).collect();
        assert_eq!(names, ["lo", "docker0", "eth0"]);
        let eth0 = &rates[2];
        assert_eq!((eth0.rx_bytes_per_s, eth0.tx_bytes_per_s), (1000.0, 250.0));
        assert_eq!((eth0.errors_per_s, eth0.drops_per_s), (3.0, 20.0));
        assert_eq!((rates[1].rx_bytes_per_s, rates[1].tx_bytes_per_s), (0.0, 0.0));
        assert!(net_rates(&prev, &cur, 0.0).is_empty());
        assert!(net_rates(&prev, &cur, f64::NAN).is_empty());
    }

    // ----- df

    fn row<'a>(rows: &'a [DfRow], mount: &str) -> &'a DfRow {
        rows.iter().find(|r| r.mount == mount).unwrap_or_else(|| panic!("no row for {mount:?} in {rows:?}"))
    }

    #[test]
    fn df_alp_without_type_column() {
        if !shared_data("df_alp_without_type_column") {
            return;
        }
        let rows = parse_df(&read_fixture("df/insights-core-2016-df_-alP.txt"), DfKind::Blocks).unwrap();
        assert_eq!(rows.len(), 9);
        let root = row(&rows, "/");
        assert_eq!(root.device, "/dev/mapper/vg_lxcrhel6sat56-lv_root");
        assert_eq!(root.fs_type, None);
        assert_eq!(
            (root.total, root.used, root.avail, root.pct),
            (Some(98571884), Some(4244032), Some(89313940), Some(5.0))
        );
        assert_eq!(row(&rows, "/sys").pct, None);
        assert_eq!(row(&rows, "/dev/shm").used, Some(491660));
    }

    #[test]
    fn df_dashes_and_spaces_in_mount() {
        if !shared_data("df_dashes_and_spaces_in_mount") {
            return;
        }
        let rows =
            parse_df(&read_fixture("df/insights-core-df_-alP-systemd-autofs-dashes.txt"), DfKind::Blocks)
                .unwrap();
        assert_eq!(rows.len(), 20);
        let autofs = row(&rows, "/proc/sys/fs/binfmt_misc");
        assert_eq!(autofs.device, "systemd-1");
        assert_eq!((autofs.total, autofs.used, autofs.avail, autofs.pct), (None, None, None, None));
        let vmt = row(&rows, "/V M T o o l s");
        assert_eq!(vmt.device, "/dev/sdb1");
        assert_eq!(vmt.total, Some(52402180));
        assert_eq!(vmt.pct, Some(3.0));
    }

    #[test]
    fn df_skips_stderr_and_blank_lines() {
        if !shared_data("df_skips_stderr_and_blank_lines") {
            return;
        }
        let rows =
            parse_df(&read_fixture("df/insights-core-df_-alP-with-stderr.txt"), DfKind::Blocks).unwrap();
        assert_eq!(rows.len(), 9);
        assert_eq!(rows[0].mount, "/");
        assert_eq!(rows[8].mount, "/sys/fs/cgroup");
    }

    #[test]
    fn df_skips_stderr_after_the_header() {
        let text = "Filesystem     Type 1024-blocks    Used Available Capacity Mounted on\n/dev/sda2      xfs     17813504 2127172  15686332      12% /\ndf: '/mnt/x': Permission denied\n/dev/sda1      xfs      1038336  185676    852660      18% /boot\n";
        let rows = parse_df(text, DfKind::Blocks).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].fs_type.as_deref(), Some("xfs"));
    }

    #[test]
    fn df_wrapped_device_inodes() {
        if !shared_data("df_wrapped_device_inodes") {
            return;
        }
        let rows =
            parse_df(&read_fixture("df/insights-core-2016-df_-li-wrapped.txt"), DfKind::Inodes).unwrap();
        assert_eq!(rows.len(), 10);
        let root = row(&rows, "/");
        assert_eq!(root.device, "/dev/mapper/vg_lxcrhel6sat56-lv_root");
        assert_eq!(
            (root.total, root.used, root.avail, root.pct),
            (Some(6275072), Some(124955), Some(6150117), Some(2.0))
        );
        assert_eq!(row(&rows, "/VM Tools").used, Some(15));
        assert_eq!(row(&rows, "/V M T o o l s").used, Some(6));
        assert_eq!(row(&rows, "/home").total, Some(106954752));
    }

    #[test]
    fn df_wrapped_nfs_device_with_type() {
        if !shared_data("df_wrapped_nfs_device_with_type") {
            return;
        }
        let rows =
            parse_df(&read_fixture("df/dd-agent-centos-df-Tk-wrapped-nfs.txt"), DfKind::Blocks).unwrap();
        assert_eq!(rows.len(), 4);
        let nfs = row(&rows, "/cor");
        assert_eq!(nfs.device, "10.1.5.223:/vil/cor");
        assert_eq!(nfs.fs_type.as_deref(), Some("nfs"));
        assert_eq!(
            (nfs.total, nfs.used, nfs.avail, nfs.pct),
            (Some(1020054752), Some(56080768), Some(963973984), Some(6.0))
        );
        assert_eq!(row(&rows, "/").fs_type.as_deref(), Some("ext4"));
    }

    // `df -PTi` on a machine with btrfs (inode columns are "-" on btrfs in coreutils >= 8.x)
    const DF_PTI_BTRFS: &str = "\
Filesystem     Type        Inodes  IUsed     IFree IUse% Mounted on
/dev/nvme0n1p3 btrfs            -      -         -     - /
/dev/nvme0n1p3 btrfs            -      -         -     - /home
/dev/nvme0n1p1 vfat             0      0         0     - /boot/efi
/dev/sdb1      ext4      61054976 611201  60443775    2% /srv/data dir
";
    const DF_PTK_BTRFS: &str = "\
Filesystem     Type     1024-blocks      Used Available Capacity Mounted on
udev           devtmpfs     8131308         0   8131308       0% /dev
tmpfs          tmpfs        1631208      2016   1629192       1% /run
/dev/nvme0n1p3 btrfs      497006592 312457784 182548040      64% /
/dev/nvme0n1p3 btrfs      497006592 312457784 182548040      64% /home
/dev/nvme0n1p3 btrfs      497006592 312457784 182548040      64% /home
/dev/loop0     squashfs       56832     56832         0     100% /snap/core18/2128
/dev/nvme0n1p1 vfat          523248      5364    517884       2% /boot/efi
/dev/sdb1      ext4       960302804 824141200  87306976      91% /srv/data dir
overlay        overlay    497006592 312457784 182548040      64% /var/lib/docker/overlay2/3f0c/merged
";

    #[test]
    fn df_pti_btrfs_dashes() {
        let rows = parse_df(DF_PTI_BTRFS, DfKind::Inodes).unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0].fs_type.as_deref(), Some("btrfs"));
        assert_eq!((rows[0].total, rows[0].used, rows[0].pct), (None, None, None));
        assert_eq!(rows[3].mount, "/srv/data dir");
        assert_eq!(rows[3].used, Some(611201));
    }

    #[test]
    fn df_kind_mismatch_and_missing_header_are_errors() {
        let e = parse_df(DF_PTI_BTRFS, DfKind::Blocks).unwrap_err();
        assert!(matches!(e, ParseError::BadLine { line: 1, .. }), "{e}");
        let e = parse_df(DF_PTK_BTRFS, DfKind::Inodes).unwrap_err();
        assert!(e.to_string().contains("1024-blocks"), "{e}");
        assert!(matches!(
            parse_df("df: cannot read table of mounted file systems\n", DfKind::Blocks),
            Err(ParseError::Missing { .. })
        ));
        let e = parse_df(
            "Filesystem 1K-blocks Used Available Use% Mounted on\n/dev/sda1 100 x 50 50% /\n",
            DfKind::Blocks,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "df output line 2: `x` is not a number");
        assert!(parse_df("Filesystem 1K-blocks Used Available Use% Mounted on\n/dev/sda1\n", DfKind::Blocks)
            .is_err());
    }

    #[test]
    fn df_512_byte_blocks_are_converted_to_kib() {
        let text = "Filesystem 512-blocks     Used Available Capacity Mounted on\n/dev/sda1    2076672   371352   1705320      18% /boot\n";
        let rows = parse_df(text, DfKind::Blocks).unwrap();
        assert_eq!((rows[0].total, rows[0].used, rows[0].avail), (Some(1038336), Some(185676), Some(852660)));
    }

    #[test]
    fn merge_skips_pseudo_duplicates_and_computes_pct() {
        let blocks = parse_df(DF_PTK_BTRFS, DfKind::Blocks).unwrap();
        let inodes = parse_df(DF_PTI_BTRFS, DfKind::Inodes).unwrap();
        let disks = merge_disks(&blocks, &inodes);
        let mounts: Vec<&str> = disks.iter().map(|d| d.mount.as_str()).collect();
        assert_eq!(
            mounts,
            ["/", "/home", "/boot/efi", "/srv/data dir", "/var/lib/docker/overlay2/3f0c/merged"]
        );
        let root = &disks[0];
        assert_eq!(root.fs_type, "btrfs");
        // 312457784 * 100 / (312457784 + 182548040) = 63.12.. -> df rounds up to 64
        assert_eq!(root.used_pct, 64.0);
        assert_eq!(root.inodes_used_pct, None);
        let data = &disks[3];
        // 824141200 * 100 / 911448176 = 90.42 -> 91
        assert_eq!(data.used_pct, 91.0);
        // 611201 * 100 / 61054976 = 1.001 -> 2
        assert_eq!(data.inodes_used_pct, Some(2.0));
        assert_eq!((data.size_kib, data.used_kib, data.avail_kib), (960302804, 824141200, 87306976));
        assert_eq!(disks[2].inodes_used_pct, None); // vfat: 0 inodes
    }

    #[test]
    fn merge_real_df_outputs_without_type_column() {
        if !shared_data("merge_real_df_outputs_without_type_column") {
            return;
        }
        let blocks =
            parse_df(&read_fixture("df/insights-core-df_-alP-systemd-autofs-dashes.txt"), DfKind::Blocks)
                .unwrap();
        let disks = merge_disks(&blocks, &[]);
        let mounts: Vec<&str> = disks.iter().map(|d| d.mount.as_str()).collect();
        assert_eq!(mounts, ["/", "/V M T o o l s", "/boot"]);
        assert_eq!(disks[0].fs_type, "");
        assert_eq!(disks[0].used_pct, 12.0);
        assert_eq!(disks[2].used_pct, 18.0);

        let blocks = parse_df(&read_fixture("df/insights-core-2016-df_-alP.txt"), DfKind::Blocks).unwrap();
        let inodes =
            parse_df(&read_fixture("df/insights-core-2016-df_-li-wrapped.txt"), DfKind::Inodes).unwrap();
        let disks = merge_disks(&blocks, &inodes);
        assert_eq!(disks.len(), 1);
        assert_eq!(disks[0].used_pct, 5.0);
        // 124955 * 100 / (124955 + 6150117) = 1.99 -> 2
        assert_eq!(disks[0].inodes_used_pct, Some(2.0));

        let blocks =
            parse_df(&read_fixture("df/dd-agent-centos-df-Tk-wrapped-nfs.txt"), DfKind::Blocks).unwrap();
        let disks = merge_disks(&blocks, &[]);
        let mounts: Vec<&str> = disks.iter().map(|d| d.mount.as_str()).collect();
        assert_eq!(mounts, ["/", "/boot", "/cor"]);
        assert_eq!(disks[2].fs_type, "nfs");
        // 70963180 / (70963180 + 17706052) = 80.03 -> 81, as printed
        assert_eq!(disks[0].used_pct, 81.0);
    }

    #[test]
    fn pseudo_fs_list() {
        for fs in ["tmpfs", "proc", "cgroup2", "squashfs", "autofs", "iso9660"] {
            assert!(is_pseudo_fs(fs), "{fs}");
        }
        for fs in ["ext4", "xfs", "btrfs", "overlay", "nfs", "nfs4", "vfat", "zfs"] {
            assert!(!is_pseudo_fs(fs), "{fs}");
        }
    }

    // ----- /proc/[pid]/status

    #[test]
    fn status_across_kernels() {
        if !shared_data("status_across_kernels") {
            return;
        }
        let cases = [
            ("proc/pcp-procpid-2.6.32-rhel6/2858_status", 2858, "qemu-kvm", 1791644),
            ("proc/pcp-procpid-2.6.32-rhel6/1_status", 1, "init", 1540),
            ("proc/pcp-procpid-3.2.0-debian7/8381_status", 8381, "postgres", 7932),
            ("proc/procfs-2014-2016-kernel3.x/3116_status", 3116, "tmux", 144852),
            ("proc/pcp-procpid-3.19.0-fedora/1069_status", 1069, "postgres", 3056),
            ("proc/pcp-procpid-4.2.3-fedora/7137_status", 7137, "JS Helper", 1320920),
            ("proc/pcp-procpid-4.14.5-docker/26304_status", 26304, "prometheus", 47980),
            ("proc/pcp-procpid-4.18.13-podman/25731_status", 25731, "podman", 18380),
            ("proc/procfs-HEAD-kernel4.x/26231_status", 26231, "prometheus", 6716),
            ("proc/pcp-procpid-5.5.7/214983_status", 214983, "gnome-terminal-", 170972),
            ("proc/sysstat-root1-5.x-simulated/8407_status", 8407, "gnome-terminal-", 42156),
            ("proc/gopsutil-k8s-pause-6.x/23819_status", 23819, "pause", 0),
            ("proc/gopsutil-mips-or-128bit-sigmask/1060_status", 1060, "server", 2892),
        ];
        for (path, pid, name, rss) in cases {
            let p = parse_proc_status(&read_fixture(path), pid);
            assert_eq!(
                p,
                Some(ProcessMem { pid, name: name.into(), rss_kib: rss, by_yunwei: false }),
                "{path}"
            );
        }
    }

    #[test]
    fn status_kernel_threads_have_no_rss() {
        if !shared_data("status_kernel_threads_have_no_rss") {
            return;
        }
        for path in [
            "proc/pcp-procpid-2.6.32-rhel6/2_status",
            "proc/pcp-procpid-3.2.0-debian7/2_status",
            "proc/pcp-procpid-3.19.0-fedora/2_status",
        ] {
            assert_eq!(parse_proc_status(&read_fixture(path), 2), None, "{path}");
        }
    }

    #[test]
    fn status_of_nothing_is_none() {
        assert_eq!(parse_proc_status("", 5), None);
    }

    // ----- systemctl

    #[test]
    fn failed_units_plain_form() {
        let text = "nm-wait-online.service loaded failed failed wait for network manager to connect to something\nsmartd.service         masked failed dead   smartd.service\n";
        assert_eq!(parse_failed_units(text), ["nm-wait-online.service", "smartd.service"]);
        assert!(parse_failed_units("").is_empty());
        assert!(parse_failed_units("0 loaded units listed.\n").is_empty());
    }

    #[test]
    fn failed_units_full_list_units_forms() {
        if !shared_data("failed_units_full_list_units_forms") {
            return;
        }
        assert_eq!(
            parse_failed_units(&read_fixture("systemctl/check_systemd-list-units-failed.txt")),
            ["smartd.service"]
        );
        assert_eq!(
            parse_failed_units(&read_fixture("systemctl/check_systemd-list-units-all-systemd246-nixos.txt")),
            ["nm-wait-online.service"]
        );
        assert_eq!(
            parse_failed_units(&read_fixture("systemctl/insights-core-rhel7-openstack-list-units.txt")),
            [
                "docker-storage-setup.service",
                "NetworkManager-wait-online.service",
                "ovirt-guest-agent.service",
                "openstack-swift-proxy.service"
            ]
        );
        assert!(
            parse_failed_units(&read_fixture("systemctl/insights-core-rhel7-vm-list-units.txt")).is_empty()
        );
    }
}

#[cfg(test)]
mod own_fixtures;
