//! The demo fleet of `yunwei demo`: a few clearly named demo hosts whose figures are a
//! deterministic recording (the same at the same moment, so history and live rows agree), and
//! thirty days of their history written into the demo database.

use crate::health::{DiskUsage, HostError, HostSample, NetRate, ProcessMem};
use crate::store::Store;

/// One demo host: its name, tags and the character of its recording.
#[derive(Debug, Clone)]
pub struct DemoHost {
    pub name: &'static str,
    pub tags: &'static [&'static str],
    profile: Profile,
}

#[derive(Debug, Clone, Copy)]
enum Profile {
    App,
    Database,
    AppWithFailedUnit,
    Exchange,
    Down,
}

pub const DEMO_HOSTS: [DemoHost; 5] = [
    DemoHost { name: "demo-app1", tags: &["app", "haikou", "demo"], profile: Profile::App },
    DemoHost { name: "demo-db1", tags: &["db", "oracle", "demo"], profile: Profile::Database },
    DemoHost {
        name: "演示-海口应用2", tags: &["app", "海口", "demo"], profile: Profile::AppWithFailedUnit
    },
    DemoHost { name: "demo-exchange", tags: &["exchange", "demo"], profile: Profile::Exchange },
    DemoHost { name: "demo-backup", tags: &["backup", "demo"], profile: Profile::Down },
];

#[derive(Debug, Clone, Default)]
pub struct DemoFleet;

/// A repeatable pseudo-random number in [0, 1) for a host and a moment.
fn noise(seed: u64, t: i64) -> f64 {
    let mut x = seed ^ (t as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// A daily rhythm: quiet at night, busy in office hours (Beijing time).
fn daily(t: i64) -> f64 {
    let hour = ((t + 8 * 3600).rem_euclid(86400)) as f64 / 3600.0;
    let x = (hour - 14.0) / 24.0 * std::f64::consts::TAU;
    0.5 + 0.5 * x.cos()
}

impl DemoFleet {
    pub fn hosts(&self) -> &'static [DemoHost] {
        &DEMO_HOSTS
    }

    pub fn samples_at(&self, t: i64) -> Vec<HostSample> {
        DEMO_HOSTS.iter().enumerate().map(|(i, h)| sample(h, i as u64 + 1, t)).collect()
    }

    /// Writes thirty days of history (one sample every five minutes, every minute for the last
    /// two hours) and aggregates it as the running console would have.
    pub fn seed_history(&self, store: &mut Store, now: i64) -> crate::store::Result<()> {
        let mut batch = Vec::new();
        let start = now - 30 * 86400;
        let mut t = start - start.rem_euclid(300);
        while t < now {
            let step = if now - t > 7200 { 300 } else { 60 };
            batch.extend(self.samples_at(t));
            t += step;
        }
        store.record_samples(&batch)?;
        store.maintain_health(now)?;
        Ok(())
    }
}

fn disk(mount: &str, fs: &str, size_gib: u64, used_pct: f64, inodes: Option<f64>) -> DiskUsage {
    let size_kib = size_gib * 1024 * 1024;
    let used_kib = (size_kib as f64 * used_pct / 100.0) as u64;
    DiskUsage {
        mount: mount.into(),
        fs_type: fs.into(),
        size_kib,
        used_kib,
        avail_kib: size_kib - used_kib,
        used_pct: used_pct.ceil(),
        inodes_used_pct: inodes.map(f64::ceil),
    }
}

fn procs(list: &[(u32, &str, u64)]) -> Vec<ProcessMem> {
    list.iter()
        .map(|(pid, name, rss)| ProcessMem {
            pid: *pid,
            name: (*name).into(),
            rss_kib: *rss,
            by_yunwei: false,
        })
        .collect()
}

fn sample(h: &DemoHost, seed: u64, t: i64) -> HostSample {
    let n = |k: u64| noise(seed * 31 + k, t / 60);
    let day = daily(t);
    let mut s = HostSample {
        name: h.name.into(),
        reachable: true,
        sampled_at: t,
        uptime_s: Some(((t - 1_700_000_000 + seed as i64 * 86400 * 17).rem_euclid(400 * 86400)) as u64),
        ..Default::default()
    };
    let (cores, cpu, mem, swap, load_pc) = match h.profile {
        Profile::App => {
            (8, 15.0 + 45.0 * day + 10.0 * n(1), 55.0 + 15.0 * day + 3.0 * n(2), 2.0, 0.3 + 0.6 * day)
        }
        Profile::Database => {
            (16, 20.0 + 30.0 * day + 8.0 * n(1), 92.0 + 2.0 * n(2), 12.0 + 4.0 * n(3), 0.4 + 0.5 * day)
        }
        Profile::AppWithFailedUnit => {
            (4, 10.0 + 30.0 * day + 10.0 * n(1), 48.0 + 10.0 * day, 0.0, 0.2 + 0.4 * day)
        }
        Profile::Exchange => {
            (4, 35.0 + 40.0 * day + 8.0 * n(1), 71.0 + 5.0 * n(2), 35.0 + 30.0 * day, 1.4 + 1.2 * day)
        }
        Profile::Down => {
            s.reachable = false;
            s.error = Some(HostError {
                kind: "timeout".into(),
                message: crate::i18n::Msg::DemoTimeout.text(crate::i18n::Lang::En).into(),
                zh: Some(crate::i18n::Msg::DemoTimeout.text(crate::i18n::Lang::ZhCn).into()),
            });
            return s;
        }
    };
    let mem_total: u64 = match h.profile {
        Profile::Database => 64 * 1024 * 1024,
        Profile::Exchange => 8 * 1024 * 1024,
        _ => 16 * 1024 * 1024,
    };
    let mem_pct: f64 = mem;
    s.cores = Some(cores);
    s.cpu_pct = Some(cpu.clamp(0.0, 100.0));
    s.load1 = Some(load_pc * cores as f64 * (0.9 + 0.2 * n(4)));
    s.load5 = Some(load_pc * cores as f64);
    s.load15 = Some(load_pc * cores as f64 * 0.95);
    s.mem_total_kib = Some(mem_total);
    s.mem_available_kib = Some((mem_total as f64 * (1.0 - mem_pct / 100.0)) as u64);
    s.mem_used_pct = Some(mem_pct);
    s.swap_total_kib = Some(if swap > 0.0 { 4 * 1024 * 1024 } else { 0 });
    s.swap_used_pct = (swap > 0.0).then_some(swap);
    let rx = (200_000.0 + 4_000_000.0 * day) * (0.8 + 0.4 * n(5));
    let tx = (100_000.0 + 1_500_000.0 * day) * (0.8 + 0.4 * n(6));
    s.net =
        vec![NetRate { iface: "eth0".into(), rx_bytes_per_s: rx, tx_bytes_per_s: tx, ..Default::default() }];
    // The exchange server's link to the provincial network drops packets (a warning).
    if matches!(h.profile, Profile::Exchange) {
        s.net.push(NetRate {
            iface: "eth1".into(),
            rx_bytes_per_s: rx / 4.0,
            tx_bytes_per_s: tx / 3.0,
            errors_per_s: 0.2 * n(7),
            drops_per_s: 12.0 + 6.0 * n(8),
        });
    }
    s.disks = match h.profile {
        Profile::Database => vec![
            disk("/", "xfs", 50, 41.0, Some(9.0)),
            disk("/u01", "xfs", 2048, 91.2, Some(3.0)),
            disk("/backup", "nfs4", 4096, 67.0, None),
        ],
        Profile::Exchange => vec![
            disk("/", "ext4", 100, 58.0, Some(85.3)),
            disk("/data/exchange 出入库", "ext4", 500, 73.0, Some(40.0)),
        ],
        _ => vec![
            disk("/", "xfs", 50, 34.0 + 2.0 * n(7), Some(11.0)),
            disk("/app", "xfs", 200, 62.0, Some(7.0)),
        ],
    };
    s.top_processes = match h.profile {
        Profile::Database => procs(&[
            (2101, "ora_pmon_rkdb", 48_000_000),
            (2230, "ora_dbw0_rkdb", 9_200_000),
            (1822, "tnslsnr", 310_000),
        ]),
        Profile::Exchange => {
            procs(&[(3110, "java", 5_100_000), (990, "rsync", 42_000), (812, "crond", 3_100)])
        }
        _ => procs(&[(4242, "java", 6_400_000), (1501, "nginx", 120_000), (1202, "sshd", 8_200)]),
    };
    if let Profile::AppWithFailedUnit = h.profile {
        s.failed_units = vec!["tomcat@2.service".into()];
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recording_is_repeatable_and_marked() {
        let f = DemoFleet;
        assert_eq!(f.samples_at(1_800_000_000), f.samples_at(1_800_000_000));
        for h in f.hosts() {
            assert!(
                h.name.starts_with("demo-") || h.name.starts_with("演示-"),
                "{} is not marked demo",
                h.name
            );
            assert!(h.tags.contains(&"demo"));
        }
        let s = f.samples_at(1_800_000_000);
        assert!(s.iter().any(|h| !h.reachable));
        assert!(s.iter().all(|h| h.cpu_pct.is_none_or(|c| (0.0..=100.0).contains(&c))));
    }

    #[test]
    fn seeding_fills_raw_and_aggregates() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(&tmp.path().join("d.db")).unwrap();
        let now = 1_800_000_000;
        DemoFleet.seed_history(&mut store, now).unwrap();
        let (raw, agg) = store.health_counts().unwrap();
        assert!(raw > 0 && agg > 5 * 8000, "raw {raw} agg {agg}");
        assert!(!store.health_history("demo-db1", now - 3600, false).unwrap().is_empty());
        assert!(store.health_history("demo-db1", now - 30 * 86400, true).unwrap().len() > 8000);
    }
}
