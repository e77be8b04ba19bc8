//! The figures every probe takes from the same five /proc texts (stat, loadavg, uptime,
//! meminfo, net/dev), local or remote, and the previous readings that CPU % and network rates
//! are computed against.

use std::time::Instant;

use super::parse::{
    cpu_busy_pct, net_rates, parse_loadavg, parse_meminfo, parse_net_dev, parse_proc_stat, parse_uptime,
    CpuTimes, NetCounters,
};
use super::HostSample;
use crate::i18n::Both;

/// The previous /proc/stat and /proc/net/dev readings of one host (the latter with its time).
#[derive(Debug, Clone, Default)]
pub struct Rates {
    prev_cpu: Option<CpuTimes>,
    prev_net: Option<(Vec<NetCounters>, Instant)>,
}

/// The two sources without which a sample says nothing: when both failed, the host is no
/// Linux /proc system (or the probe could not read it at all).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Essentials {
    pub stat_error: Option<Both>,
    pub meminfo_error: Option<Both>,
}

impl Essentials {
    /// Both missing: the sample must say the host could not be probed.
    pub fn both_missing(&self) -> Option<Both> {
        match (&self.stat_error, &self.meminfo_error) {
            (Some(a), Some(b)) => {
                Some(Both::new(format!("{}; {}", a.en, b.en), format!("{}；{}", a.zh, b.zh)))
            }
            _ => None,
        }
    }
}

/// Fills the CPU, load, uptime, memory and network figures of `s` from the texts `read`
/// returns for "stat", "loadavg", "uptime", "meminfo" and "net/dev", taken at `now`. A source
/// that cannot be read or parsed leaves its figures empty: stat and meminfo failures are
/// returned, the others pushed to `warnings`.
pub fn fill_proc_figures(
    s: &mut HostSample,
    read: impl Fn(&str) -> Result<String, Both>,
    rates: &mut Rates,
    now: Instant,
    warnings: &mut Vec<Both>,
) -> Essentials {
    let mut out = Essentials::default();
    match read("stat").and_then(|t| parse_proc_stat(&t).map_err(|e| e.both())) {
        Ok(stat) => {
            s.cores = (stat.cores > 0).then_some(stat.cores);
            if let Some(prev) = &rates.prev_cpu {
                s.cpu_pct = cpu_busy_pct(prev, &stat.total);
            }
            rates.prev_cpu = Some(stat.total);
        }
        Err(e) => out.stat_error = Some(e),
    }
    match read("loadavg").and_then(|t| parse_loadavg(&t).map_err(|e| e.both())) {
        Ok(l) => {
            s.load1 = Some(l.load1);
            s.load5 = Some(l.load5);
            s.load15 = Some(l.load15);
        }
        Err(e) => warnings.push(e),
    }
    match read("uptime").and_then(|t| parse_uptime(&t).map_err(|e| e.both())) {
        Ok(up) => s.uptime_s = Some(up),
        Err(e) => warnings.push(e),
    }
    match read("meminfo").and_then(|t| parse_meminfo(&t).map_err(|e| e.both())) {
        Ok(m) => {
            s.mem_total_kib = Some(m.mem_total_kib);
            s.mem_available_kib = Some(m.mem_available_kib);
            s.mem_used_pct = Some(m.used_pct());
            s.swap_total_kib = Some(m.swap_total_kib);
            s.swap_used_pct = m.swap_used_pct();
        }
        Err(e) => out.meminfo_error = Some(e),
    }
    match read("net/dev").and_then(|t| parse_net_dev(&t).map_err(|e| e.both())) {
        Ok(cur) => {
            if let Some((prev, at)) = &rates.prev_net {
                s.net = net_rates(prev, &cur, now.saturating_duration_since(*at).as_secs_f64());
            }
            rates.prev_net = Some((cur, now));
        }
        Err(e) => warnings.push(e),
    }
    out
}
