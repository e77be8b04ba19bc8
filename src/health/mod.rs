//! Host health: the sample of one machine (CPU, memory, disks, network, processes, failed
//! units), the pure parsers that build it from /proc and command output, thresholds, and the local probe.

pub mod figures;
pub mod local;
pub mod parse;
pub mod remote;
pub mod security;
pub mod thresholds;

pub use local::LocalProbe;
pub use parse::{
    cpu_busy_pct, is_pseudo_fs, merge_disks, net_rates, parse_df, parse_failed_units, parse_loadavg,
    parse_meminfo, parse_net_dev, parse_proc_stat, parse_proc_status, parse_uptime, CpuStat, CpuTimes,
    DfKind, DfRow, LoadAvg, MemInfo, NetCounters, ParseError,
};
pub use thresholds::{Level, Limits, Thresholds};

use serde::{Deserialize, Serialize};

/// One reading of one host. The JSON field names are a stable public contract.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HostSample {
    pub name: String,
    pub reachable: bool,
    /// `null` when reachable.
    pub error: Option<HostError>,
    /// `None` on the first reading (needs two /proc/stat readings).
    pub cpu_pct: Option<f64>,
    pub load1: Option<f64>,
    pub load5: Option<f64>,
    pub load15: Option<f64>,
    pub cores: Option<u32>,
    pub mem_total_kib: Option<u64>,
    pub mem_available_kib: Option<u64>,
    pub mem_used_pct: Option<f64>,
    pub swap_total_kib: Option<u64>,
    /// `None` when there is no swap.
    pub swap_used_pct: Option<f64>,
    pub uptime_s: Option<u64>,
    pub disks: Vec<DiskUsage>,
    pub net: Vec<NetRate>,
    pub top_processes: Vec<ProcessMem>,
    pub failed_units: Vec<String>,
    /// The sources this sample could not read (a `df` that timed out on a hung mount, a
    /// missing section), in both languages: their figures are missing from it. JSON keeps
    /// the English, as it does the error's message.
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "english")]
    pub warnings: Vec<crate::i18n::Both>,
    /// Security posture, collected every 30 minutes on hosts polled over SSH. Shared: every
    /// sample of the host carries the last one, and with 500 hosts a copy per sample (its
    /// ports, accounts and login failures) was a large part of each round's work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<std::sync::Arc<security::Security>>,
    /// Unix seconds.
    pub sampled_at: i64,
}

impl HostError {
    /// A kind of failure (`timeout`, `refused`, `auth_failed`…) in words of `lang`.
    pub fn kind_text(kind: &str, lang: crate::i18n::Lang) -> &'static str {
        use crate::i18n::Msg;
        let m = match kind {
            "auth_failed" => Msg::ErrAuthFailed,
            "host_key_changed" => Msg::ErrHostKeyChanged,
            "host_key_unknown" => Msg::ErrHostKeyUnknown,
            "timeout" => Msg::ErrTimeout,
            "refused" => Msg::ErrRefused,
            "name_not_resolved" => Msg::ErrNameNotResolved,
            "jump_host_down" => Msg::ErrJumpHostDown,
            "disconnected" => Msg::ErrDisconnected,
            "protocol" => Msg::ErrProtocol,
            "unsupported" => Msg::ErrUnsupported,
            _ => Msg::ErrProbe,
        };
        m.text(lang)
    }
}

/// Texts in both languages written to JSON as their English, and read back as one text.
mod english {
    use crate::i18n::Both;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(texts: &[Both], out: S) -> Result<S::Ok, S::Error> {
        out.collect_seq(texts.iter().map(|t| t.en.as_str()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<Vec<Both>, D::Error> {
        Ok(Vec::<String>::deserialize(input)?.into_iter().map(Both::same).collect())
    }
}

/// Why a host could not be sampled. `message` is English (as JSON keeps it); `zh` the Chinese
/// text when the cause said it in both languages.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HostError {
    pub kind: String,
    pub message: String,
    #[serde(skip)]
    pub zh: Option<String>,
}

impl HostError {
    /// The message for a reader of `zh` (Chinese) or not.
    pub fn text(&self, zh: bool) -> &str {
        match (&self.zh, zh) {
            (Some(text), true) => text,
            _ => &self.message,
        }
    }
}

/// One real filesystem as `df` reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiskUsage {
    pub mount: String,
    /// Empty when `df` printed no Type column.
    pub fs_type: String,
    pub size_kib: u64,
    pub used_kib: u64,
    pub avail_kib: u64,
    /// As `df` prints it: used / (used + avail), rounded up to a whole percent.
    pub used_pct: f64,
    pub inodes_used_pct: Option<f64>,
}

/// Throughput of one interface between two readings, with its errors and drops (both ways).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct NetRate {
    pub iface: String,
    pub rx_bytes_per_s: f64,
    pub tx_bytes_per_s: f64,
    #[serde(default)]
    pub errors_per_s: f64,
    #[serde(default)]
    pub drops_per_s: f64,
}

/// Resident memory of one process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessMem {
    pub pid: u32,
    pub name: String,
    pub rss_kib: u64,
    /// Started by yunwei (its probes, its security scan; of this yunwei or another one on
    /// the same host): named as such, and not the host's own load.
    #[serde(default)]
    pub by_yunwei: bool,
}

/// Makes text from a probed system safe to print: control characters (C0, DEL, C1, and so every
/// escape sequence's introducer) and the bidirectional overrides, which could rewrite the screen
/// or reorder what the user reads, become a visible U+FFFD.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = crate::text::is_unprintable;
    if s.chars().any(bad) {
        std::borrow::Cow::Owned(s.chars().map(|c| if bad(c) { '\u{FFFD}' } else { c }).collect())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

fn clean(s: &mut String) {
    if let std::borrow::Cow::Owned(o) = printable(s) {
        *s = o;
    }
}

impl HostSample {
    /// Applies [`printable`] to every string that came from the probed system.
    pub fn sanitize(&mut self) {
        clean(&mut self.name);
        if let Some(e) = &mut self.error {
            clean(&mut e.message);
            if let Some(zh) = &mut e.zh {
                clean(zh);
            }
        }
        for d in &mut self.disks {
            clean(&mut d.mount);
            clean(&mut d.fs_type);
        }
        for n in &mut self.net {
            clean(&mut n.iface);
        }
        for p in &mut self.top_processes {
            clean(&mut p.name);
        }
        for u in &mut self.failed_units {
            clean(u);
        }
        for w in &mut self.warnings {
            clean(&mut w.en);
            clean(&mut w.zh);
        }
    }

    /// The disk with the highest `used_pct`.
    pub fn fullest_disk(&self) -> Option<&DiskUsage> {
        self.disks.iter().max_by(|a, b| a.used_pct.total_cmp(&b.used_pct))
    }

    /// The highest inode usage over all disks that report one.
    pub fn max_inodes_pct(&self) -> Option<f64> {
        self.disks.iter().filter_map(|d| d.inodes_used_pct).max_by(f64::total_cmp)
    }

    /// 1-minute load divided by the number of cores.
    pub fn load_per_core(&self) -> Option<f64> {
        match (self.load1, self.cores) {
            (Some(load), Some(cores)) if cores > 0 => Some(load / f64::from(cores)),
            _ => None,
        }
    }

    /// Total (rx, tx) bytes per second over every interface except `lo`.
    pub fn net_total(&self) -> (f64, f64) {
        self.net
            .iter()
            .filter(|n| n.iface != "lo")
            .fold((0.0, 0.0), |(rx, tx), n| (rx + n.rx_bytes_per_s, tx + n.tx_bytes_per_s))
    }
}

/// The time span of the detail view's sparklines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HistRange {
    #[default]
    Hour,
    Day,
    Week,
    Month,
}

impl HistRange {
    pub fn next(self) -> HistRange {
        match self {
            HistRange::Hour => HistRange::Day,
            HistRange::Day => HistRange::Week,
            HistRange::Week => HistRange::Month,
            HistRange::Month => HistRange::Hour,
        }
    }

    pub fn seconds(self) -> i64 {
        match self {
            HistRange::Hour => 3600,
            HistRange::Day => 86400,
            HistRange::Week => 7 * 86400,
            HistRange::Month => 30 * 86400,
        }
    }

    /// Longer spans read the 5-minute aggregates rather than raw samples.
    pub fn bucketed(self) -> bool {
        self != HistRange::Hour
    }

    pub fn label(self) -> &'static str {
        match self {
            HistRange::Hour => "1h",
            HistRange::Day => "24h",
            HistRange::Week => "7d",
            HistRange::Month => "30d",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disk(mount: &str, used_pct: f64, inodes: Option<f64>) -> DiskUsage {
        DiskUsage {
            mount: mount.into(),
            fs_type: "ext4".into(),
            size_kib: 100,
            used_kib: used_pct as u64,
            avail_kib: 100 - used_pct as u64,
            used_pct,
            inodes_used_pct: inodes,
        }
    }

    #[test]
    fn helpers_pick_worst_and_sum() {
        let s = HostSample {
            load1: Some(6.0),
            cores: Some(4),
            disks: vec![
                disk("/", 40.0, Some(70.0)),
                disk("/var", 91.0, None),
                disk("/home", 12.0, Some(3.0)),
            ],
            net: vec![
                NetRate {
                    iface: "lo".into(),
                    rx_bytes_per_s: 1000.0,
                    tx_bytes_per_s: 1000.0,
                    ..Default::default()
                },
                NetRate {
                    iface: "eth0".into(),
                    rx_bytes_per_s: 10.0,
                    tx_bytes_per_s: 20.0,
                    ..Default::default()
                },
                NetRate {
                    iface: "eth1:0".into(),
                    rx_bytes_per_s: 1.0,
                    tx_bytes_per_s: 2.0,
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        assert_eq!(s.fullest_disk().map(|d| d.mount.as_str()), Some("/var"));
        assert_eq!(s.max_inodes_pct(), Some(70.0));
        assert_eq!(s.load_per_core(), Some(1.5));
        assert_eq!(s.net_total(), (11.0, 22.0));
    }

    #[test]
    fn helpers_on_empty_sample() {
        let s = HostSample { load1: Some(1.0), cores: Some(0), ..Default::default() };
        assert_eq!(s.fullest_disk(), None);
        assert_eq!(s.max_inodes_pct(), None);
        assert_eq!(s.load_per_core(), None);
        assert_eq!(s.net_total(), (0.0, 0.0));
    }

    #[test]
    fn json_field_names_are_stable() {
        let s = HostSample {
            name: "web1".into(),
            reachable: true,
            disks: vec![disk("/", 50.0, None)],
            top_processes: vec![ProcessMem { pid: 1, name: "init".into(), rss_kib: 844, by_yunwei: false }],
            sampled_at: 1_700_000_000,
            ..Default::default()
        };
        let v = serde_json::to_value(&s).unwrap();
        let obj = v.as_object().unwrap();
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "cores",
                "cpu_pct",
                "disks",
                "error",
                "failed_units",
                "load1",
                "load15",
                "load5",
                "mem_available_kib",
                "mem_total_kib",
                "mem_used_pct",
                "name",
                "net",
                "reachable",
                "sampled_at",
                "swap_total_kib",
                "swap_used_pct",
                "top_processes",
                "uptime_s"
            ]
        );
        assert!(obj["error"].is_null());
        assert_eq!(v["disks"][0]["inodes_used_pct"], serde_json::Value::Null);
        assert_eq!(v["disks"][0]["used_pct"], 50.0);
        assert_eq!(v["top_processes"][0]["rss_kib"], 844);
        let back: HostSample = serde_json::from_value(v).unwrap();
        assert_eq!(back, s);
        // What the probe could not read: a list of English texts, there only when there is one.
        let w = HostSample {
            warnings: vec![crate::i18n::Both::new("df -PTk: timed out", "df -PTk：超时")],
            ..s
        };
        let v = serde_json::to_value(&w).unwrap();
        assert_eq!(v["warnings"], serde_json::json!(["df -PTk: timed out"]));
    }
}

#[cfg(test)]
mod sanitize_tests {
    use super::*;

    #[test]
    fn escape_sequences_from_the_host_never_survive() {
        let mut s = HostSample {
            name: "ok".into(),
            top_processes: vec![ProcessMem {
                pid: 1,
                name: "\u{1b}]0;pwned\u{7}evil".into(),
                rss_kib: 1,
                by_yunwei: false,
            }],
            disks: vec![DiskUsage {
                mount: "/mnt/\u{1b}[2Jx\u{9b}31m".into(),
                fs_type: "ext4".into(),
                size_kib: 1,
                used_kib: 0,
                avail_kib: 1,
                used_pct: 0.0,
                inodes_used_pct: None,
            }],
            failed_units: vec!["a\u{202E}txt.exe.service".into()],
            // What a host printed instead of the probe's output, in both languages' texts.
            error: Some(HostError {
                kind: "probe".into(),
                message: "no probe output; the host printed: \u{1b}[2Jmotd".into(),
                zh: Some("没有探测输出；主机输出的是：\u{1b}[2Jmotd\u{202E}".into()),
            }),
            warnings: vec![crate::i18n::Both::new("df: \u{1b}]0;x\u{7}", "df：\u{1b}]0;x\u{7}")],
            ..Default::default()
        };
        s.sanitize();
        let e = s.error.as_ref().unwrap();
        let all = format!(
            "{} {} {} {} {} {} {}",
            s.top_processes[0].name,
            s.disks[0].mount,
            s.failed_units[0],
            e.message,
            e.zh.as_deref().unwrap_or_default(),
            s.warnings[0].en,
            s.warnings[0].zh
        );
        assert!(!all.chars().any(|c| c.is_control() || c == '\u{202E}'), "{all:?}");
        assert_eq!(s.top_processes[0].name, "\u{FFFD}]0;pwned\u{FFFD}evil");
        // Ordinary text, Chinese included, is left alone and not copied.
        assert!(matches!(printable("海口 /data"), std::borrow::Cow::Borrowed(_)));
    }
}
