//! Warn/crit thresholds for host figures, their validation, and the classification of a
//! [`HostSample`] (and of single figures, for colouring cells) into [`Level`]s.

use serde::{Deserialize, Serialize};

use super::HostSample;

/// Severity of one figure or of a whole host; ordered, so `max` gives the worst.
/// Its name (JSON, the alerts table) is the variant in lower case, through serde and strum.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Level {
    Ok,
    Warn,
    Crit,
}

/// A warn/crit pair: a value at or above `crit` is [`Level::Crit`], at or above `warn` is
/// [`Level::Warn`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub warn: f64,
    pub crit: f64,
}

impl Limits {
    pub const fn new(warn: f64, crit: f64) -> Self {
        Limits { warn, crit }
    }

    /// Classifies `value`. NaN is [`Level::Ok`] (it compares false with both limits).
    pub fn level(&self, value: f64) -> Level {
        if value >= self.crit {
            Level::Crit
        } else if value >= self.warn {
            Level::Warn
        } else {
            Level::Ok
        }
    }
}

/// Thresholds for every classified figure. Missing fields take the defaults:
/// disk 80/90, inodes 80/90, mem 90/95, swap 50/80, load per core 1.5/3.0, cpu 80/90.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    pub disk_pct: Limits,
    pub inodes_pct: Limits,
    pub mem_pct: Limits,
    pub swap_pct: Limits,
    pub load_per_core: Limits,
    pub cpu_pct: Limits,
    /// Errors per second on one interface (receive and transmit).
    pub net_errors_per_s: Limits,
    /// Drops per second on one interface (receive and transmit).
    pub net_drops_per_s: Limits,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            disk_pct: Limits::new(80.0, 90.0),
            inodes_pct: Limits::new(80.0, 90.0),
            mem_pct: Limits::new(90.0, 95.0),
            swap_pct: Limits::new(50.0, 80.0),
            load_per_core: Limits::new(1.5, 3.0),
            cpu_pct: Limits::new(80.0, 90.0),
            net_errors_per_s: Limits::new(1.0, 10.0),
            net_drops_per_s: Limits::new(10.0, 100.0),
        }
    }
}

impl Thresholds {
    /// Every problem found, one message each (empty when valid): warn must not exceed crit,
    /// values must be finite, percentages within 0..=100, load per core not negative.
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let entries = [
            ("disk_pct", &self.disk_pct, true),
            ("inodes_pct", &self.inodes_pct, true),
            ("mem_pct", &self.mem_pct, true),
            ("swap_pct", &self.swap_pct, true),
            ("load_per_core", &self.load_per_core, false),
            ("cpu_pct", &self.cpu_pct, true),
            ("net_errors_per_s", &self.net_errors_per_s, false),
            ("net_drops_per_s", &self.net_drops_per_s, false),
        ];
        for (name, limits, is_pct) in entries {
            let mut values_ok = true;
            for (which, v) in [("warn", limits.warn), ("crit", limits.crit)] {
                if !v.is_finite() {
                    problems.push(format!("{name}: {which} ({v}) must be a finite number"));
                    values_ok = false;
                } else if is_pct && !(0.0..=100.0).contains(&v) {
                    problems.push(format!("{name}: {which} ({v}) must be within 0..=100"));
                    values_ok = false;
                } else if v < 0.0 {
                    problems.push(format!("{name}: {which} ({v}) must not be negative"));
                    values_ok = false;
                }
            }
            if values_ok && limits.warn > limits.crit {
                problems
                    .push(format!("{name}: warn ({}) must not exceed crit ({})", limits.warn, limits.crit));
            }
        }
        problems
    }

    pub fn disk_level(&self, pct: f64) -> Level {
        self.disk_pct.level(pct)
    }

    pub fn inodes_level(&self, pct: f64) -> Level {
        self.inodes_pct.level(pct)
    }

    pub fn mem_level(&self, pct: f64) -> Level {
        self.mem_pct.level(pct)
    }

    pub fn swap_level(&self, pct: f64) -> Level {
        self.swap_pct.level(pct)
    }

    pub fn load_level(&self, load_per_core: f64) -> Level {
        self.load_per_core.level(load_per_core)
    }

    pub fn cpu_level(&self, pct: f64) -> Level {
        self.cpu_pct.level(pct)
    }

    /// The worse of an interface's errors and drops per second.
    pub fn iface_level(&self, rate: &crate::health::NetRate) -> Level {
        self.net_errors_per_s.level(rate.errors_per_s).max(self.net_drops_per_s.level(rate.drops_per_s))
    }

    /// The worst level over every figure of the sample. An unreachable host is
    /// [`Level::Crit`]; any failed systemd unit makes it at least [`Level::Warn`] (a failed
    /// unit is often a one-shot job and needs a look, not a page). Missing figures count as Ok.
    pub fn host_level(&self, sample: &HostSample) -> Level {
        let cpu = sample.cpu_pct.filter(|_| sample.reachable).map(|v| self.cpu_level(v));
        self.host_level_but_cpu(sample).max(cpu.unwrap_or(Level::Ok))
    }

    /// As [`Thresholds::host_level`], without the CPU figure: a single CPU reading says
    /// little (a build, a backup's compression), and CPU counts only when it stays high for
    /// five minutes, which the caller judges ([`crate::alerts::health::CPU_SUSTAIN_S`]).
    pub fn host_level_but_cpu(&self, sample: &HostSample) -> Level {
        if !sample.reachable {
            return Level::Crit;
        }
        let mut level = Level::Ok;
        for disk in &sample.disks {
            level = level.max(self.disk_level(disk.used_pct));
            if let Some(pct) = disk.inodes_used_pct {
                level = level.max(self.inodes_level(pct));
            }
        }
        let figures = [
            sample.mem_used_pct.map(|v| self.mem_level(v)),
            sample.swap_used_pct.map(|v| self.swap_level(v)),
            sample.load_per_core().map(|v| self.load_level(v)),
        ];
        for l in figures.into_iter().flatten() {
            level = level.max(l);
        }
        for n in sample.net.iter().filter(|n| n.iface != "lo") {
            level = level.max(self.iface_level(n));
        }
        if !sample.failed_units.is_empty() {
            level = level.max(Level::Warn);
        }
        level
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::DiskUsage;

    fn healthy() -> HostSample {
        HostSample {
            name: "db1".into(),
            reachable: true,
            cpu_pct: Some(12.0),
            load1: Some(2.0),
            cores: Some(4),
            mem_used_pct: Some(40.0),
            swap_used_pct: None,
            disks: vec![DiskUsage {
                mount: "/".into(),
                fs_type: "xfs".into(),
                size_kib: 100,
                used_kib: 50,
                avail_kib: 50,
                used_pct: 50.0,
                inodes_used_pct: Some(10.0),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn limits_boundaries_are_inclusive() {
        let l = Limits::new(80.0, 90.0);
        assert_eq!(l.level(79.99), Level::Ok);
        assert_eq!(l.level(80.0), Level::Warn);
        assert_eq!(l.level(89.9), Level::Warn);
        assert_eq!(l.level(90.0), Level::Crit);
        assert_eq!(l.level(150.0), Level::Crit);
        assert_eq!(l.level(f64::NAN), Level::Ok);
    }

    #[test]
    fn defaults_and_per_figure_levels() {
        let t = Thresholds::default();
        assert!(t.validate().is_empty());
        assert_eq!(t.disk_level(85.0), Level::Warn);
        assert_eq!(t.inodes_level(91.0), Level::Crit);
        assert_eq!(t.mem_level(92.0), Level::Warn);
        assert_eq!(t.mem_level(95.0), Level::Crit);
        assert_eq!(t.swap_level(49.0), Level::Ok);
        assert_eq!(t.swap_level(50.0), Level::Warn);
        assert_eq!(t.load_level(1.49), Level::Ok);
        assert_eq!(t.load_level(3.0), Level::Crit);
        assert_eq!(t.cpu_level(80.0), Level::Warn);
    }

    #[test]
    fn levels_order_and_serialize_lowercase() {
        assert!(Level::Ok < Level::Warn && Level::Warn < Level::Crit);
        assert_eq!(serde_json::to_string(&Level::Crit).unwrap(), "\"crit\"");
        assert_eq!(serde_json::to_string(&Level::Ok).unwrap(), "\"ok\"");
    }

    #[test]
    fn validate_reports_each_problem() {
        let t = Thresholds {
            disk_pct: Limits::new(95.0, 90.0),
            mem_pct: Limits::new(90.0, 120.0),
            load_per_core: Limits::new(-1.0, 400.0),
            cpu_pct: Limits::new(f64::NAN, 90.0),
            ..Default::default()
        };
        assert_eq!(
            t.validate(),
            [
                "disk_pct: warn (95) must not exceed crit (90)",
                "mem_pct: crit (120) must be within 0..=100",
                "load_per_core: warn (-1) must not be negative",
                "cpu_pct: warn (NaN) must be a finite number",
            ]
        );
        // equal warn and crit is allowed; load per core may exceed 100
        let t = Thresholds {
            swap_pct: Limits::new(70.0, 70.0),
            load_per_core: Limits::new(150.0, 200.0),
            ..Default::default()
        };
        assert!(t.validate().is_empty());
    }

    #[test]
    fn serde_defaults_and_unknown_fields() {
        let t: Thresholds = serde_json::from_str(r#"{"disk_pct": {"warn": 70, "crit": 85}}"#).unwrap();
        assert_eq!(t.disk_pct, Limits::new(70.0, 85.0));
        assert_eq!(t.mem_pct, Thresholds::default().mem_pct);
        assert!(serde_json::from_str::<Thresholds>(r#"{"disk": {"warn": 1, "crit": 2}}"#).is_err());
        assert!(
            serde_json::from_str::<Thresholds>(r#"{"disk_pct": {"warn": 1, "crit": 2, "x": 3}}"#).is_err()
        );
        assert!(serde_json::from_str::<Thresholds>(r#"{"disk_pct": {"warn": 1}}"#).is_err());
        let back: Thresholds =
            serde_json::from_str(&serde_json::to_string(&Thresholds::default()).unwrap()).unwrap();
        assert_eq!(back, Thresholds::default());
    }

    #[test]
    fn host_level_is_worst_figure() {
        let t = Thresholds::default();
        assert_eq!(t.host_level(&healthy()), Level::Ok);

        let mut s = healthy();
        s.load1 = Some(8.0); // 2.0 per core
        assert_eq!(t.host_level(&s), Level::Warn);
        s.disks[0].inodes_used_pct = Some(95.0);
        assert_eq!(t.host_level(&s), Level::Crit);

        let mut s = healthy();
        s.swap_used_pct = Some(81.0);
        assert_eq!(t.host_level(&s), Level::Crit);

        let mut s = healthy();
        s.cpu_pct = Some(85.0);
        assert_eq!(t.host_level(&s), Level::Warn);

        let mut s = healthy();
        s.mem_used_pct = Some(96.0);
        assert_eq!(t.host_level(&s), Level::Crit);

        let mut s = healthy();
        s.failed_units = vec!["smartd.service".into()];
        assert_eq!(t.host_level(&s), Level::Warn);

        let mut s = healthy();
        s.disks[0].used_pct = 90.0;
        assert_eq!(t.host_level(&s), Level::Crit);
    }

    #[test]
    fn unreachable_host_is_crit() {
        let s = HostSample { name: "gone".into(), reachable: false, ..Default::default() };
        assert_eq!(Thresholds::default().host_level(&s), Level::Crit);
    }
}
