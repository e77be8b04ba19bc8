//! Health alerts: the engine that turns [`HostSample`]s into alert [`Change`]s (open, escalate,
//! de-escalate, clear), with hysteresis so that a figure wobbling at a threshold does not flap.
//!
//! # Rules
//!
//! * A health alert is keyed `health/<host>/<metric>`, with the mount point after it for disk
//!   and inode alerts ([`AlertKey::Health`]). It opens when a figure reaches `warn`
//!   ([`Level::Warn`]) or `crit` ([`Level::Crit`]) of its [`Thresholds`] entry, and moves up
//!   from Warn to Crit as soon as the figure reaches `crit`.
//! * **Hysteresis.** The margin is [`hysteresis_margin`]: 5 % of the `warn` value, at least 2
//!   points for percentages and at least 0.05 for load per core (disk 80/90: margin 4). An open
//!   alert clears only when its figure falls below `warn - margin`, and moves down from Crit to
//!   Warn only when it falls below `crit - margin`. So a disk at 89.5/90.5/89.5… stays one Crit
//!   alert, and one at 79.5/80.5/79.5… stays one Warn alert.
//! * **CPU** opens (and escalates to Crit) only when the figure has stayed at or above the
//!   threshold for [`CPU_SUSTAIN_S`] (5 minutes): the engine keeps the time it first reached
//!   warn and crit, and any sample below the threshold, a sample without a CPU figure, or an
//!   unreachable sample resets that clock. Once open, the CPU alert de-escalates and clears with
//!   the same hysteresis as every other figure, without waiting.
//! * **Unreachable.** A sample with `reachable == false` opens one Crit alert with the error's
//!   kind and message. While a host is unreachable its figures are unknown: figure alerts
//!   neither open nor clear (an alert open before the outage stays open, with its last level),
//!   and the CPU clock restarts. The first reachable sample clears the Unreachable alert and
//!   evaluates the figures again.
//! * A figure the sample does not have (`None`, or not finite) is unknown too: its alert is
//!   left as it is. The same holds for the whole disk list when it is empty (`df` gave
//!   nothing; a host always has `/`): disk and inode alerts stay. When the list is not empty, a
//!   mount point that is no longer in it clears its disk and inode alerts.
//! * **Failed units**: one Warn alert while any systemd unit is failed; its message names them.
//!   It clears when none is failed. (A change in the list while it stays open is no change.)
//! * [`AlertEngine::restore`] seeds the engine with the alerts already open in the database,
//!   so a restart or a second yunwei process on the same database opens nothing twice (the
//!   store's unique index is the second line of defence).
//!
//! Messages are short English; the UI translates metric names itself from the structured
//! `metric`, `level` and `value` fields.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{level_str, AlertKey, Change};
use crate::health::{printable, HostError, HostSample, Level, Limits, Thresholds};
use crate::i18n::Both;

/// How long CPU must stay over a threshold before its alert opens (or escalates), in seconds.
pub const CPU_SUSTAIN_S: i64 = 5 * 60;

/// At most this many failed units are named in a message; the rest are counted.
const MAX_UNITS_NAMED: usize = 5;

/// What an alert is about.
/// The stable name of a metric, in the database and in JSON, is the variant in snake_case
/// (serde, and strum for [`Metric::as_str`], [`Metric::parse`] and `Display`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::Display,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Metric {
    Unreachable,
    Cpu,
    Load,
    Mem,
    Swap,
    Disk,
    Inodes,
    FailedUnits,
    /// Errors per second on one interface (its name where a disk alert has the mount).
    NetErrors,
    /// Drops per second on one interface.
    NetDrops,
}

impl Metric {
    pub const ALL: [Metric; <Metric as strum::VariantArray>::VARIANTS.len()] =
        crate::text::variants(<Metric as strum::VariantArray>::VARIANTS);

    /// The stable name used in the database and in JSON (snake_case).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The inverse of [`Metric::as_str`].
    pub fn parse(s: &str) -> Option<Metric> {
        s.parse().ok()
    }
}

/// CPU judged by the console's rule from the history a console recorded: the samples
/// (`(ts, reachable, cpu_pct)`, oldest first) go through an engine that knows the CPU alert
/// already open (`open`), exactly as they went through the console's. So a figure must have
/// stayed high for [`CPU_SUSTAIN_S`] to count, and an open alert clears with the same
/// hysteresis; `yunwei status` and the console agree.
pub fn sustained_cpu_level(
    host: &str,
    open: Option<Level>,
    history: &[(i64, bool, Option<f64>)],
    th: &Thresholds,
) -> Level {
    let key = AlertKey::health(host, Metric::Cpu, "");
    let mut engine = AlertEngine::new();
    engine.restore(open.map(|level| (key.clone(), level)));
    for &(ts, reachable, cpu_pct) in history {
        let sample =
            HostSample { name: host.to_string(), reachable, cpu_pct, sampled_at: ts, ..Default::default() };
        engine.evaluate(&sample, th, ts);
    }
    engine.level_of(&key).unwrap_or(Level::Ok)
}

/// The hysteresis margin of a threshold pair: 5 % of `warn`, at least 2 points for
/// percentages and at least 0.05 otherwise (load per core).
pub fn hysteresis_margin(limits: &Limits, is_pct: bool) -> f64 {
    let floor = if is_pct { 2.0 } else { 0.05 };
    (limits.warn.abs() / 20.0).max(floor)
}

/// When CPU first reached each threshold in the current unbroken run.
#[derive(Debug, Clone, Copy, Default)]
struct CpuClock {
    warn_since: Option<i64>,
    crit_since: Option<i64>,
}

/// Remembers which alerts are open (and their level) and how long CPU has been high, and
/// turns each new sample into [`Change`]s. One engine per process; see the module docs.
#[derive(Debug, Default)]
pub struct AlertEngine {
    open: BTreeMap<AlertKey, Level>,
    cpu: HashMap<String, CpuClock>,
}

impl AlertEngine {
    pub fn new() -> Self {
        Self::default()
    }

    /// Seeds the engine with alerts already open in the database (restart, or another yunwei
    /// process), so nothing is opened twice. A key already known takes the given level.
    pub fn restore(&mut self, open: impl IntoIterator<Item = (AlertKey, Level)>) {
        for (key, level) in open {
            if level > Level::Ok {
                self.open.insert(key, level);
            }
        }
    }

    /// The level of the open alert with this key, if any.
    pub fn level_of(&self, key: &AlertKey) -> Option<Level> {
        self.open.get(key).copied()
    }

    /// Every open alert, ordered by key.
    pub fn open_alerts(&self) -> impl Iterator<Item = (&AlertKey, Level)> + '_ {
        self.open.iter().map(|(k, l)| (k, *l))
    }

    /// The worst level over the host's open alerts (Ok when it has none).
    pub fn host_level(&self, host: &str) -> Level {
        self.open.iter().filter(|(k, _)| k.host() == Some(host)).map(|(_, l)| *l).max().unwrap_or(Level::Ok)
    }

    /// Evaluates one sample of one host at time `now` (Unix seconds) against the thresholds.
    pub fn evaluate(&mut self, sample: &HostSample, th: &Thresholds, now: i64) -> Vec<Change> {
        let mut out = Vec::new();
        let host = sample.name.as_str();
        let unreachable_key = AlertKey::health(host, Metric::Unreachable, "");

        if !sample.reachable {
            self.cpu.remove(host);
            if !self.open.contains_key(&unreachable_key) {
                let message = match &sample.error {
                    Some(e) if e.message.is_empty() => Both::new(
                        format!("host unreachable ({})", e.kind),
                        format!("主机不可达（{}）", HostError::kind_text(&e.kind, crate::i18n::Lang::ZhCn)),
                    ),
                    Some(e) => Both::new(
                        format!("host unreachable ({}): {}", e.kind, e.message),
                        format!(
                            "主机不可达（{}）：{}",
                            HostError::kind_text(&e.kind, crate::i18n::Lang::ZhCn),
                            e.text(true)
                        ),
                    ),
                    None => Both::new("host unreachable", "主机不可达"),
                };
                self.open.insert(unreachable_key.clone(), Level::Crit);
                out.push(Change::Open {
                    key: unreachable_key,
                    level: Level::Crit,
                    value: None,
                    message: clean(message),
                    host: None,
                    at: now,
                });
            }
            return out;
        }
        if self.open.remove(&unreachable_key).is_some() {
            out.push(Change::Clear { key: unreachable_key, at: now });
        }

        // CPU, with its 5-minute clock.
        let cpu = sample.cpu_pct.filter(|v| v.is_finite());
        let allowed = self.tick_cpu_clock(host, cpu, &th.cpu_pct, now);
        let since = self.cpu.get(host).and_then(|c| c.warn_since);
        self.gauge(
            AlertKey::health(host, Metric::Cpu, ""),
            cpu,
            &th.cpu_pct,
            true,
            allowed,
            |v, level, limit| match since {
                Some(s) if now - s >= 60 => Both::new(
                    format!(
                        "cpu at {} % for {} min ({} {} %)",
                        num(v),
                        (now - s) / 60,
                        level_str(level),
                        num(limit)
                    ),
                    format!(
                        "CPU {}%，已持续 {} 分钟（{}阈值 {}%）",
                        num(v),
                        (now - s) / 60,
                        zh(level),
                        num(limit)
                    ),
                ),
                _ => Both::new(
                    format!("cpu at {} % ({} {} %)", num(v), level_str(level), num(limit)),
                    format!("CPU {}%（{}阈值 {}%）", num(v), zh(level), num(limit)),
                ),
            },
            now,
            &mut out,
        );

        self.gauge(
            AlertKey::health(host, Metric::Load, ""),
            sample.load_per_core().filter(|v| v.is_finite()),
            &th.load_per_core,
            false,
            Level::Crit,
            |v, level, limit| {
                Both::new(
                    format!("load {v:.2} per core ({} {limit:.2})", level_str(level)),
                    format!("每核负载 {v:.2}（{}阈值 {limit:.2}）", zh(level)),
                )
            },
            now,
            &mut out,
        );
        self.gauge(
            AlertKey::health(host, Metric::Mem, ""),
            sample.mem_used_pct.filter(|v| v.is_finite()),
            &th.mem_pct,
            true,
            Level::Crit,
            |v, level, limit| {
                Both::new(
                    format!("memory at {} % ({} {} %)", num(v), level_str(level), num(limit)),
                    format!("内存已用 {}%（{}阈值 {}%）", num(v), zh(level), num(limit)),
                )
            },
            now,
            &mut out,
        );
        self.gauge(
            AlertKey::health(host, Metric::Swap, ""),
            sample.swap_used_pct.filter(|v| v.is_finite()),
            &th.swap_pct,
            true,
            Level::Crit,
            |v, level, limit| {
                Both::new(
                    format!("swap at {} % ({} {} %)", num(v), level_str(level), num(limit)),
                    format!("交换分区已用 {}%（{}阈值 {}%）", num(v), zh(level), num(limit)),
                )
            },
            now,
            &mut out,
        );

        // Disks and inodes, per mount point.
        for disk in &sample.disks {
            let mount = disk.mount.as_str();
            self.gauge(
                AlertKey::health(host, Metric::Disk, mount),
                Some(disk.used_pct).filter(|v| v.is_finite()),
                &th.disk_pct,
                true,
                Level::Crit,
                |v, level, limit| {
                    Both::new(
                        format!("disk {mount} at {} % ({} {} %)", num(v), level_str(level), num(limit)),
                        format!("磁盘 {mount} 已用 {}%（{}阈值 {}%）", num(v), zh(level), num(limit)),
                    )
                },
                now,
                &mut out,
            );
            self.gauge(
                AlertKey::health(host, Metric::Inodes, mount),
                disk.inodes_used_pct.filter(|v| v.is_finite()),
                &th.inodes_pct,
                true,
                Level::Crit,
                |v, level, limit| {
                    Both::new(
                        format!("inodes on {mount} at {} % ({} {} %)", num(v), level_str(level), num(limit)),
                        format!("{mount} 的 inode 已用 {}%（{}阈值 {}%）", num(v), zh(level), num(limit)),
                    )
                },
                now,
                &mut out,
            );
        }
        // Errors and drops per interface (not the loopback).
        for n in sample.net.iter().filter(|n| n.iface != "lo") {
            let iface = n.iface.as_str();
            self.gauge(
                AlertKey::health(host, Metric::NetErrors, iface),
                Some(n.errors_per_s).filter(|v| v.is_finite()),
                &th.net_errors_per_s,
                false,
                Level::Crit,
                |v, level, limit| {
                    Both::new(
                        format!("{iface}: {} errors/s ({} {})", num(v), level_str(level), num(limit)),
                        format!("{iface}：每秒错误 {} 个（{}阈值 {}）", num(v), zh(level), num(limit)),
                    )
                },
                now,
                &mut out,
            );
            self.gauge(
                AlertKey::health(host, Metric::NetDrops, iface),
                Some(n.drops_per_s).filter(|v| v.is_finite()),
                &th.net_drops_per_s,
                false,
                Level::Crit,
                |v, level, limit| {
                    Both::new(
                        format!("{iface}: {} drops/s ({} {})", num(v), level_str(level), num(limit)),
                        format!("{iface}：每秒丢包 {} 个（{}阈值 {}）", num(v), zh(level), num(limit)),
                    )
                },
                now,
                &mut out,
            );
        }
        if !sample.net.is_empty() {
            let ifaces: BTreeSet<&str> = sample.net.iter().map(|n| n.iface.as_str()).collect();
            let gone: Vec<AlertKey> = self
                .open
                .keys()
                .filter(|k| {
                    matches!(k, AlertKey::Health { host: h, metric: Metric::NetErrors | Metric::NetDrops, mount }
                        if h == host && !ifaces.contains(mount.as_str()))
                })
                .cloned()
                .collect();
            for key in gone {
                self.open.remove(&key);
                out.push(Change::Clear { key, at: now });
            }
        }
        if !sample.disks.is_empty() {
            let mounts: BTreeSet<&str> = sample.disks.iter().map(|d| d.mount.as_str()).collect();
            let gone: Vec<AlertKey> = self
                .open
                .keys()
                .filter(|k| {
                    matches!(k, AlertKey::Health { host: h, metric: Metric::Disk | Metric::Inodes, mount }
                        if h == host && !mounts.contains(mount.as_str()))
                })
                .cloned()
                .collect();
            for key in gone {
                self.open.remove(&key);
                out.push(Change::Clear { key, at: now });
            }
        }

        // Failed systemd units.
        let units_key = AlertKey::health(host, Metric::FailedUnits, "");
        match (sample.failed_units.is_empty(), self.open.contains_key(&units_key)) {
            (false, false) => {
                self.open.insert(units_key.clone(), Level::Warn);
                out.push(Change::Open {
                    key: units_key,
                    level: Level::Warn,
                    value: Some(sample.failed_units.len() as f64),
                    message: units_message(&sample.failed_units),
                    host: None,
                    at: now,
                });
            }
            (true, true) => {
                self.open.remove(&units_key);
                out.push(Change::Clear { key: units_key, at: now });
            }
            _ => {}
        }
        out
    }

    /// Advances the host's CPU clock with this sample and returns the highest level that has
    /// lasted [`CPU_SUSTAIN_S`].
    fn tick_cpu_clock(&mut self, host: &str, cpu: Option<f64>, limits: &Limits, now: i64) -> Level {
        let Some(v) = cpu else {
            self.cpu.remove(host);
            return Level::Ok;
        };
        let clock = self.cpu.entry(host.to_string()).or_default();
        let track = |since: &mut Option<i64>, reached: bool| {
            if reached {
                since.get_or_insert(now);
            } else {
                *since = None;
            }
        };
        track(&mut clock.warn_since, v >= limits.warn);
        track(&mut clock.crit_since, v >= limits.crit);
        let lasted = |since: Option<i64>| since.is_some_and(|s| now - s >= CPU_SUSTAIN_S);
        if lasted(clock.crit_since) {
            Level::Crit
        } else if lasted(clock.warn_since) {
            Level::Warn
        } else {
            Level::Ok
        }
    }

    /// One figure against its limits. `allowed` caps the level the figure may open or escalate
    /// to (the CPU clock; [`Level::Crit`] for every other figure). `message` gets the value, the
    /// new level and that level's threshold. A `None` value is unknown: nothing changes.
    #[allow(clippy::too_many_arguments)]
    fn gauge(
        &mut self,
        key: AlertKey,
        value: Option<f64>,
        limits: &Limits,
        is_pct: bool,
        allowed: Level,
        message: impl Fn(f64, Level, f64) -> Both,
        now: i64,
        out: &mut Vec<Change>,
    ) {
        let Some(v) = value else { return };
        let rising = limits.level(v).min(allowed);
        let limit_of = |level: Level| if level == Level::Crit { limits.crit } else { limits.warn };
        let make_message = |level: Level| clean(message(v, level, limit_of(level)));
        match self.open.get(&key).copied() {
            None => {
                if rising > Level::Ok {
                    let message = make_message(rising);
                    self.open.insert(key.clone(), rising);
                    out.push(Change::Open {
                        key,
                        level: rising,
                        value: Some(v),
                        message,
                        host: None,
                        at: now,
                    });
                }
            }
            Some(current) => {
                let margin = hysteresis_margin(limits, is_pct);
                let falling = if v < limits.warn - margin {
                    Level::Ok
                } else if current == Level::Crit && v < limits.crit - margin {
                    Level::Warn
                } else {
                    current
                };
                let next = falling.max(rising);
                if next == Level::Ok {
                    self.open.remove(&key);
                    out.push(Change::Clear { key, at: now });
                } else if next != current {
                    let message = make_message(next);
                    self.open.insert(key.clone(), next);
                    out.push(Change::Escalate { key, level: next, value: Some(v), message, at: now });
                }
            }
        }
    }
}

/// A number as a short human figure: whole numbers without decimals, others with one.
fn num(v: f64) -> String {
    let s = format!("{v:.1}");
    match s.strip_suffix(".0") {
        Some(whole) => whole.to_string(),
        None => s,
    }
}

fn units_message(units: &[String]) -> Both {
    let named = units.iter().take(MAX_UNITS_NAMED).map(String::as_str).collect::<Vec<_>>().join(", ");
    let more = units.len().saturating_sub(MAX_UNITS_NAMED);
    let (more_en, more_zh) = if more > 0 {
        (format!(" and {more} more"), format!(" 等另 {more} 个"))
    } else {
        Default::default()
    };
    let noun = if units.len() == 1 { "failed unit" } else { "failed units" };
    clean(Both::new(
        format!("{} {noun}: {named}{more_en}", units.len()),
        format!("{} 个服务失败：{named}{more_zh}", units.len()),
    ))
}

/// A level's name in Chinese, as the messages put it before 阈值.
fn zh(level: Level) -> &'static str {
    match level {
        Level::Crit => "严重",
        Level::Warn => "警告",
        Level::Ok => "正常",
    }
}

/// Both texts made printable (a mount point or unit name may hold anything).
fn clean(b: Both) -> Both {
    Both::new(printable(&b.en).into_owned(), printable(&b.zh).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::{DiskUsage, HostError};

    const T0: i64 = 1_800_000_000;

    fn disk(mount: &str, pct: f64, inodes: Option<f64>) -> DiskUsage {
        DiskUsage {
            mount: mount.into(),
            fs_type: "xfs".into(),
            size_kib: 100,
            used_kib: 50,
            avail_kib: 50,
            used_pct: pct,
            inodes_used_pct: inodes,
        }
    }

    fn healthy(name: &str) -> HostSample {
        HostSample {
            name: name.into(),
            reachable: true,
            cpu_pct: Some(10.0),
            load1: Some(1.0),
            cores: Some(4),
            mem_used_pct: Some(40.0),
            swap_used_pct: Some(0.0),
            disks: vec![disk("/", 50.0, Some(10.0)), disk("/u01", 50.0, Some(10.0))],
            ..Default::default()
        }
    }

    fn with_disk(pct: f64) -> HostSample {
        let mut s = healthy("db1");
        s.disks[1].used_pct = pct;
        s
    }

    fn u01() -> AlertKey {
        AlertKey::health("db1", Metric::Disk, "/u01")
    }

    fn metric_of(key: &AlertKey) -> Metric {
        key.metric().unwrap_or_else(|| panic!("not a health key: {key}"))
    }

    fn kinds(changes: &[Change]) -> Vec<(&'static str, Metric, Option<Level>)> {
        changes
            .iter()
            .map(|c| match c {
                Change::Open { key, level, .. } => ("open", metric_of(key), Some(*level)),
                Change::Escalate { key, level, .. } => ("escalate", metric_of(key), Some(*level)),
                Change::Clear { key, .. } => ("clear", metric_of(key), None),
            })
            .collect()
    }

    #[test]
    fn healthy_host_raises_nothing() {
        let mut e = AlertEngine::new();
        assert!(e.evaluate(&healthy("db1"), &Thresholds::default(), T0).is_empty());
        assert_eq!(e.host_level("db1"), Level::Ok);
    }

    #[test]
    fn opens_at_warn_and_at_crit_with_message_and_value() {
        let th = Thresholds::default();
        let mut e = AlertEngine::new();
        let c = e.evaluate(&with_disk(92.0), &th, T0);
        assert_eq!(
            c,
            [Change::Open {
                key: u01(),
                level: Level::Crit,
                value: Some(92.0),
                message: Both::new("disk /u01 at 92 % (crit 90 %)", "磁盘 /u01 已用 92%（严重阈值 90%）"),
                host: None,
                at: T0,
            }]
        );
        let mut e = AlertEngine::new();
        let c = e.evaluate(&with_disk(80.0), &th, T0);
        assert_eq!(kinds(&c), [("open", Metric::Disk, Some(Level::Warn))]);
        assert!(
            matches!(&c[0], Change::Open { message, .. } if message.en == "disk /u01 at 80 % (warn 80 %)")
        );
        // The same figure again changes nothing.
        assert!(e.evaluate(&with_disk(81.0), &th, T0 + 10).is_empty());
        assert_eq!(e.level_of(&u01()), Some(Level::Warn));
    }

    #[test]
    fn interface_errors_and_drops_open_per_interface_and_clear_when_it_goes() {
        use crate::health::NetRate;
        let th = Thresholds::default();
        let mut e = AlertEngine::new();
        let mut s = healthy("db1");
        let iface = |name: &str, errors: f64, drops: f64| NetRate {
            iface: name.into(),
            errors_per_s: errors,
            drops_per_s: drops,
            ..Default::default()
        };
        // The loopback is never judged.
        s.net = vec![iface("lo", 500.0, 500.0), iface("eth0", 12.0, 0.0), iface("bond0", 0.5, 15.0)];
        let c = e.evaluate(&s, &th, T0);
        assert_eq!(
            kinds(&c),
            [("open", Metric::NetErrors, Some(Level::Crit)), ("open", Metric::NetDrops, Some(Level::Warn))]
        );
        assert_eq!(c[0].key(), &AlertKey::health("db1", Metric::NetErrors, "eth0"));
        assert!(
            matches!(&c[1], Change::Open { message, .. } if message.en == "bond0: 15 drops/s (warn 10)"
                && message.zh == "bond0：每秒丢包 15 个（警告阈值 10）"),
            "{c:?}"
        );
        assert_eq!(th.host_level(&s), Level::Crit);
        // eth0 is gone (renamed, unplugged): its alert clears; bond0 calms down.
        s.net = vec![iface("bond0", 0.0, 1.0)];
        let c = e.evaluate(&s, &th, T0 + 10);
        assert_eq!(kinds(&c), [("clear", Metric::NetDrops, None), ("clear", Metric::NetErrors, None)]);
    }

    #[test]
    fn every_figure_opens_its_own_alert() {
        let th = Thresholds::default();
        let mut e = AlertEngine::new();
        let mut s = healthy("db1");
        s.load1 = Some(8.0); // 2.0 per core: warn
        s.mem_used_pct = Some(95.5);
        s.swap_used_pct = Some(60.0);
        s.disks[0].inodes_used_pct = Some(91.0);
        let c = e.evaluate(&s, &th, T0);
        assert_eq!(
            kinds(&c),
            [
                ("open", Metric::Load, Some(Level::Warn)),
                ("open", Metric::Mem, Some(Level::Crit)),
                ("open", Metric::Swap, Some(Level::Warn)),
                ("open", Metric::Inodes, Some(Level::Crit)),
            ]
        );
        let messages: Vec<&str> = c
            .iter()
            .filter_map(|c| match c {
                Change::Open { message, .. } => Some(message.en.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            messages,
            [
                "load 2.00 per core (warn 1.50)",
                "memory at 95.5 % (crit 95 %)",
                "swap at 60 % (warn 50 %)",
                "inodes on / at 91 % (crit 90 %)",
            ]
        );
        assert_eq!(c[3].key(), &AlertKey::health("db1", Metric::Inodes, "/"));
        assert_eq!(e.host_level("db1"), Level::Crit);
    }

    #[test]
    fn escalates_and_de_escalates_with_margin() {
        let th = Thresholds::default(); // disk 80/90, margin 4
        let mut e = AlertEngine::new();
        e.evaluate(&with_disk(85.0), &th, T0);
        let c = e.evaluate(&with_disk(90.0), &th, T0 + 60);
        assert_eq!(kinds(&c), [("escalate", Metric::Disk, Some(Level::Crit))]);
        // Within the margin below crit: still crit.
        assert!(e.evaluate(&with_disk(86.0), &th, T0 + 120).is_empty());
        assert_eq!(e.level_of(&u01()), Some(Level::Crit));
        // Below crit - margin: back to warn.
        let c = e.evaluate(&with_disk(85.9), &th, T0 + 180);
        assert_eq!(
            c,
            [Change::Escalate {
                key: u01(),
                level: Level::Warn,
                value: Some(85.9),
                message: Both::new("disk /u01 at 85.9 % (warn 80 %)", "磁盘 /u01 已用 85.9%（警告阈值 80%）"),
                at: T0 + 180,
            }]
        );
    }

    #[test]
    fn clears_only_below_warn_minus_margin() {
        let th = Thresholds::default();
        let mut e = AlertEngine::new();
        e.evaluate(&with_disk(81.0), &th, T0);
        assert!(e.evaluate(&with_disk(79.0), &th, T0 + 60).is_empty());
        assert!(e.evaluate(&with_disk(76.0), &th, T0 + 120).is_empty());
        let c = e.evaluate(&with_disk(75.9), &th, T0 + 180);
        assert_eq!(c, [Change::Clear { key: u01(), at: T0 + 180 }]);
        assert_eq!(e.level_of(&u01()), None);
        // A crit alert whose figure drops far clears at once (no stop at warn).
        e.evaluate(&with_disk(95.0), &th, T0 + 240);
        let c = e.evaluate(&with_disk(20.0), &th, T0 + 300);
        assert_eq!(kinds(&c), [("clear", Metric::Disk, None)]);
    }

    #[test]
    fn oscillating_around_a_threshold_does_not_flap() {
        let th = Thresholds::default();
        let mut e = AlertEngine::new();
        let mut all = Vec::new();
        for i in 0..20 {
            let v = if i % 2 == 0 { 90.5 } else { 89.5 };
            all.extend(e.evaluate(&with_disk(v), &th, T0 + i * 60));
        }
        assert_eq!(kinds(&all), [("open", Metric::Disk, Some(Level::Crit))]);
        let mut e = AlertEngine::new();
        let mut all = Vec::new();
        for i in 0..20 {
            let v = if i % 2 == 0 { 80.5 } else { 79.5 };
            all.extend(e.evaluate(&with_disk(v), &th, T0 + i * 60));
        }
        assert_eq!(kinds(&all), [("open", Metric::Disk, Some(Level::Warn))]);
    }

    #[test]
    fn margin_is_five_percent_of_warn_with_a_floor() {
        assert_eq!(hysteresis_margin(&Limits::new(80.0, 90.0), true), 4.0);
        assert_eq!(hysteresis_margin(&Limits::new(20.0, 30.0), true), 2.0);
        assert_eq!(hysteresis_margin(&Limits::new(1.5, 3.0), false), 0.075);
        assert_eq!(hysteresis_margin(&Limits::new(0.5, 1.0), false), 0.05);
        // Load per core uses its own margin: opens at 1.5, stays at 1.43, clears below 1.425.
        let th = Thresholds::default();
        let mut e = AlertEngine::new();
        let mut s = healthy("db1");
        s.load1 = Some(6.0);
        assert_eq!(kinds(&e.evaluate(&s, &th, T0)), [("open", Metric::Load, Some(Level::Warn))]);
        s.load1 = Some(5.72); // 1.43
        assert!(e.evaluate(&s, &th, T0 + 60).is_empty());
        s.load1 = Some(5.68); // 1.42
        assert_eq!(kinds(&e.evaluate(&s, &th, T0 + 120)), [("clear", Metric::Load, None)]);
    }

    fn cpu(v: Option<f64>) -> HostSample {
        let mut s = healthy("app1");
        s.cpu_pct = v;
        s
    }

    #[test]
    fn sustained_cpu_from_a_recorded_history() {
        let th = Thresholds::default();
        let run = |from: i64, to: i64, v: f64| -> Vec<(i64, bool, Option<f64>)> {
            (from..=to).step_by(10).map(|t| (T0 + t, true, Some(v))).collect()
        };
        // Four minutes at 95 %: not yet. Five: critical.
        assert_eq!(sustained_cpu_level("db1", None, &run(0, 240, 95.0), &th), Level::Ok);
        assert_eq!(sustained_cpu_level("db1", None, &run(0, 300, 95.0), &th), Level::Crit);
        assert_eq!(sustained_cpu_level("db1", None, &run(0, 300, 85.0), &th), Level::Warn);
        // A dip below warn, or an unreachable round, starts the clock again.
        for dip in [(T0 + 100, true, Some(50.0)), (T0 + 100, false, None)] {
            let mut h = run(0, 300, 95.0);
            h[10] = dip;
            assert_eq!(sustained_cpu_level("db1", None, &h, &th), Level::Ok, "{dip:?}");
        }
        // An alert the console opened stays, with the same hysteresis (crit 90, margin 4).
        assert_eq!(sustained_cpu_level("db1", Some(Level::Crit), &run(0, 30, 87.0), &th), Level::Crit);
        assert_eq!(sustained_cpu_level("db1", Some(Level::Crit), &run(0, 30, 85.0), &th), Level::Warn);
        assert_eq!(sustained_cpu_level("db1", Some(Level::Warn), &run(0, 30, 50.0), &th), Level::Ok);
        assert_eq!(sustained_cpu_level("db1", None, &[], &th), Level::Ok);
    }

    #[test]
    fn cpu_opens_only_after_five_minutes() {
        let th = Thresholds::default(); // cpu 80/90
        let mut e = AlertEngine::new();
        assert!(e.evaluate(&cpu(Some(95.0)), &th, T0).is_empty());
        assert!(e.evaluate(&cpu(Some(96.0)), &th, T0 + 120).is_empty());
        assert!(e.evaluate(&cpu(Some(97.0)), &th, T0 + 299).is_empty(), "4 min 59 s is not enough");
        let c = e.evaluate(&cpu(Some(95.0)), &th, T0 + 300);
        assert_eq!(
            c,
            [Change::Open {
                key: AlertKey::health("app1", Metric::Cpu, ""),
                level: Level::Crit,
                value: Some(95.0),
                message: Both::new(
                    "cpu at 95 % for 5 min (crit 90 %)",
                    "CPU 95%，已持续 5 分钟（严重阈值 90%）"
                ),
                host: None,
                at: T0 + 300,
            }]
        );
    }

    #[test]
    fn cpu_dip_resets_the_clock() {
        let th = Thresholds::default();
        let mut e = AlertEngine::new();
        e.evaluate(&cpu(Some(95.0)), &th, T0);
        e.evaluate(&cpu(Some(95.0)), &th, T0 + 200);
        assert!(e.evaluate(&cpu(Some(50.0)), &th, T0 + 240).is_empty());
        // Clock starts again at T0 + 260.
        assert!(e.evaluate(&cpu(Some(95.0)), &th, T0 + 260).is_empty());
        assert!(e.evaluate(&cpu(Some(95.0)), &th, T0 + 300).is_empty());
        assert!(e.evaluate(&cpu(Some(95.0)), &th, T0 + 559).is_empty());
        assert_eq!(
            kinds(&e.evaluate(&cpu(Some(95.0)), &th, T0 + 560)),
            [("open", Metric::Cpu, Some(Level::Crit))]
        );
        // A missing CPU figure (first round after a reconnect) also resets it.
        let mut e = AlertEngine::new();
        e.evaluate(&cpu(Some(95.0)), &th, T0);
        e.evaluate(&cpu(None), &th, T0 + 200);
        assert!(e.evaluate(&cpu(Some(95.0)), &th, T0 + 300).is_empty());
    }

    #[test]
    fn cpu_warn_then_crit_each_need_five_minutes() {
        let th = Thresholds::default();
        let mut e = AlertEngine::new();
        e.evaluate(&cpu(Some(85.0)), &th, T0);
        assert_eq!(
            kinds(&e.evaluate(&cpu(Some(85.0)), &th, T0 + 300)),
            [("open", Metric::Cpu, Some(Level::Warn))]
        );
        // Reaching crit escalates only after crit has lasted 5 minutes too.
        assert!(e.evaluate(&cpu(Some(95.0)), &th, T0 + 360).is_empty());
        assert!(e.evaluate(&cpu(Some(95.0)), &th, T0 + 659).is_empty());
        let c = e.evaluate(&cpu(Some(95.0)), &th, T0 + 660);
        assert_eq!(kinds(&c), [("escalate", Metric::Cpu, Some(Level::Crit))]);
        assert!(
            matches!(&c[0], Change::Escalate { message, .. } if message.en == "cpu at 95 % for 11 min (crit 90 %)")
        );
        // Clearing does not wait: below 80 - 4 it clears at once.
        assert_eq!(kinds(&e.evaluate(&cpu(Some(70.0)), &th, T0 + 720)), [("clear", Metric::Cpu, None)]);
    }

    fn down(name: &str) -> HostSample {
        HostSample {
            name: name.into(),
            reachable: false,
            error: Some(HostError {
                kind: "timeout".into(),
                message: "connect timed out after 10 s".into(),
                zh: None,
            }),
            ..Default::default()
        }
    }

    #[test]
    fn unreachable_opens_keeps_figures_and_recovers() {
        let th = Thresholds::default();
        let mut e = AlertEngine::new();
        e.evaluate(&with_disk(95.0), &th, T0);
        let c = e.evaluate(&down("db1"), &th, T0 + 60);
        assert_eq!(
            c,
            [Change::Open {
                key: AlertKey::health("db1", Metric::Unreachable, ""),
                level: Level::Crit,
                value: None,
                message: Both::new(
                    "host unreachable (timeout): connect timed out after 10 s",
                    "主机不可达（超时）：connect timed out after 10 s"
                ),
                host: None,
                at: T0 + 60,
            }]
        );
        // Still down: nothing new, and the disk alert is neither cleared nor changed.
        assert!(e.evaluate(&down("db1"), &th, T0 + 120).is_empty());
        assert_eq!(e.level_of(&u01()), Some(Level::Crit));
        // Back: the unreachable alert clears, figures are evaluated again.
        let c = e.evaluate(&with_disk(50.0), &th, T0 + 180);
        assert_eq!(kinds(&c), [("clear", Metric::Unreachable, None), ("clear", Metric::Disk, None)]);
        assert_eq!(e.host_level("db1"), Level::Ok);
        // No error object: a plain message.
        let mut e = AlertEngine::new();
        let s = HostSample { name: "x".into(), reachable: false, ..Default::default() };
        assert!(
            matches!(&e.evaluate(&s, &th, T0)[0], Change::Open { message, .. } if message.en == "host unreachable")
        );
    }

    #[test]
    fn unreachable_restarts_the_cpu_clock() {
        let th = Thresholds::default();
        let mut e = AlertEngine::new();
        e.evaluate(&cpu(Some(95.0)), &th, T0);
        e.evaluate(&down("app1"), &th, T0 + 100);
        let c = e.evaluate(&cpu(Some(95.0)), &th, T0 + 400);
        assert_eq!(kinds(&c), [("clear", Metric::Unreachable, None)]);
    }

    #[test]
    fn restore_prevents_duplicates() {
        let th = Thresholds::default();
        let mut e = AlertEngine::new();
        e.restore([(u01(), Level::Crit), (AlertKey::health("db1", Metric::Unreachable, ""), Level::Crit)]);
        // Same disk figure: nothing opens; the host answered, so unreachable clears.
        let c = e.evaluate(&with_disk(93.0), &th, T0);
        assert_eq!(kinds(&c), [("clear", Metric::Unreachable, None)]);
        // A restored alert follows the usual rules afterwards.
        let c = e.evaluate(&with_disk(85.0), &th, T0 + 60);
        assert_eq!(kinds(&c), [("escalate", Metric::Disk, Some(Level::Warn))]);
        // Restored failed-units alert is not opened again.
        let mut e = AlertEngine::new();
        e.restore([(AlertKey::health("db1", Metric::FailedUnits, ""), Level::Warn)]);
        let mut s = healthy("db1");
        s.failed_units = vec!["smartd.service".into()];
        assert!(e.evaluate(&s, &th, T0).is_empty());
    }

    #[test]
    fn a_mount_that_disappears_clears_its_alerts() {
        let th = Thresholds::default();
        let mut e = AlertEngine::new();
        let mut s = healthy("db1");
        s.disks[1] = disk("/u01", 95.0, Some(85.0));
        assert_eq!(e.evaluate(&s, &th, T0).len(), 2);
        // An empty disk list is "df said nothing": unknown, nothing clears.
        let mut empty = healthy("db1");
        empty.disks.clear();
        assert!(e.evaluate(&empty, &th, T0 + 30).is_empty());
        // Inodes unknown on a present mount: that alert stays.
        s.disks[1] = disk("/u01", 95.0, None);
        assert!(e.evaluate(&s, &th, T0 + 45).is_empty());
        // /u01 unmounted: both its alerts clear.
        s.disks.truncate(1);
        let c = e.evaluate(&s, &th, T0 + 60);
        assert_eq!(
            c,
            [
                Change::Clear { key: u01(), at: T0 + 60 },
                Change::Clear { key: AlertKey::health("db1", Metric::Inodes, "/u01"), at: T0 + 60 },
            ]
        );
        assert_eq!(e.open_alerts().count(), 0);
    }

    #[test]
    fn failed_units_warn_with_names_and_clear() {
        let th = Thresholds::default();
        let mut e = AlertEngine::new();
        let mut s = healthy("db1");
        s.failed_units = vec!["smartd.service".into(), "backup.service".into()];
        let c = e.evaluate(&s, &th, T0);
        assert_eq!(
            c,
            [Change::Open {
                key: AlertKey::health("db1", Metric::FailedUnits, ""),
                level: Level::Warn,
                value: Some(2.0),
                message: Both::new(
                    "2 failed units: smartd.service, backup.service",
                    "2 个服务失败：smartd.service, backup.service"
                ),
                host: None,
                at: T0,
            }]
        );
        assert!(e.evaluate(&s, &th, T0 + 60).is_empty());
        s.failed_units = (0..7).map(|i| format!("u{i}.service")).collect();
        assert!(e.evaluate(&s, &th, T0 + 90).is_empty());
        assert_eq!(
            units_message(&s.failed_units),
            Both::new(
                "7 failed units: u0.service, u1.service, u2.service, u3.service, u4.service and 2 more",
                "7 个服务失败：u0.service, u1.service, u2.service, u3.service, u4.service 等另 2 个"
            )
        );
        s.failed_units.clear();
        assert_eq!(kinds(&e.evaluate(&s, &th, T0 + 120)), [("clear", Metric::FailedUnits, None)]);
    }

    #[test]
    fn hosts_are_independent_and_messages_are_printable() {
        let th = Thresholds::default();
        let mut e = AlertEngine::new();
        e.evaluate(&with_disk(95.0), &th, T0);
        let mut other = healthy("db2");
        other.disks[0] = disk("/evil\u{1b}[2J", 99.0, None);
        let c = e.evaluate(&other, &th, T0);
        assert!(
            matches!(&c[0], Change::Open { message, .. } if message.en == "disk /evil\u{FFFD}[2J at 99 % (crit 90 %)")
        );
        assert_eq!(e.host_level("db1"), Level::Crit);
        assert_eq!(e.open_alerts().count(), 2);
        // db2 has no /u01: db1's alert on it is untouched.
        assert_eq!(e.level_of(&u01()), Some(Level::Crit));
    }

    #[test]
    fn names_round_trip() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.as_str()), Some(m));
            assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{}\"", m.as_str()));
        }
        assert_eq!(Metric::parse("nope"), None);
    }
}
