//! `yunwei status [--json] [--host NAME] [--tag TAG]`: one poll of every host, printed as an
//! aligned table or a JSON array. Exit 0 when every host is reachable and nothing is critical,
//! 1 otherwise, 2 on a usage or config error: it serves as a Nagios-style check.

use std::time::Duration;

use yunwei_widgets::fmt;
use yunwei_widgets::width::{pad_left, pad_right, width};

use crate::cli::console::{fleet, prepare};
use crate::cli::errors::{print_clean, say};
use crate::cli::Global;
use crate::health::thresholds::{Level, Thresholds};
use std::path::Path;

use crate::alerts::health::{sustained_cpu_level, Metric, CPU_SUSTAIN_S};
use crate::alerts::AlertKey;
use crate::health::HostSample;
use crate::i18n::{fill, Lang, Msg};
use crate::store::{Access, Store, StoreOptions};

/// The arguments of `yunwei status`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct StatusArgs {
    /// Print a JSON array, one object per host
    #[arg(long)]
    pub json: bool,
    /// Only this host (repeatable)
    #[arg(long = "host", value_name = "NAME")]
    pub hosts: Vec<String>,
    /// Only hosts with this tag (repeatable)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Also collect the security posture (firewall, listening ports, failed logins, SELinux,
    /// clock sync, pending security updates) of hosts reached over SSH
    #[arg(long)]
    pub security: bool,
    #[arg(long, value_enum, value_name = "table|json|nagios", conflicts_with = "json")]
    pub format: Option<crate::cli::nagios::Format>,
}

pub fn run(g: &Global, args: &StatusArgs) -> i32 {
    let prepared = match prepare(g, false) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let cfg = &prepared.config;
    let lang = prepared.ctx.lang;
    let (rows, mut probes, warnings) = fleet(cfg, false);
    for w in &warnings {
        say("status", w.get(lang));
    }
    for h in &args.hosts {
        if !rows.iter().any(|r| &r.name == h) {
            let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
            let list = names.join(", ");
            say("status", &fill(Msg::CliNoSuchHost.text(lang), &[("host", h), ("list", &list)]));
            return 2;
        }
    }
    let wanted = |name: &str, tags: &[String]| {
        (args.hosts.is_empty() || args.hosts.iter().any(|h| h == name))
            && (args.tags.is_empty() || args.tags.iter().any(|t| tags.contains(t)))
    };
    let keep: Vec<String> =
        rows.iter().filter(|r| wanted(&r.name, &r.tags)).map(|r| r.name.clone()).collect();
    probes.local.retain(|p| keep.iter().any(|k| k == p.name()));
    probes.remote.retain(|(name, _)| keep.contains(name));

    // Remote hosts all at once, each on its own thread; CPU % needs two readings, so local
    // hosts are read twice half a second apart meanwhile.
    let remote = std::mem::take(&mut probes.remote);
    let sessions = crate::fleet::Sessions::new(crate::fleet::pool_for(cfg));
    let security = args.security;
    let remote_thread =
        std::thread::spawn(move || crate::workers::health::poll_once(remote, &sessions, security));
    let _ = probes.sample_all();
    std::thread::sleep(Duration::from_millis(500));
    let mut samples = probes.sample_all();
    // This machine's posture, when asked for, after its CPU readings (its package queries
    // would be counted as the machine's load); it runs while the remote hosts answer.
    let local_security = (security && !probes.local.is_empty()).then(|| {
        std::thread::spawn(|| {
            crate::health::security::local_security(crate::health::security::SECURITY_TIMEOUT)
                .ok()
                .map(|out| crate::health::security::parse_security(&out, chrono::Utc::now().timestamp()))
        })
    });
    if let Some(sec) = local_security.and_then(|t| t.join().ok()).flatten() {
        for s in &mut samples {
            s.security = Some(std::sync::Arc::new(sec.clone()));
        }
    }
    match remote_thread.join() {
        Ok(r) => samples.extend(r),
        Err(_) => {
            say("status", Msg::CliPollInternalError.text(lang));
            return 1;
        }
    }
    samples.sort_by_key(|s| keep.iter().position(|k| *k == s.name));

    // CPU is judged as the console judges it, from what a console records; else not at all.
    let (db, _) = crate::cli::db_choice(g);
    let judge = CpuJudge::open(&db, lang, cfg.ssh.poll_interval_s);
    let now = chrono::Utc::now().timestamp();
    let hosts: Vec<HostStatus> = samples
        .into_iter()
        .map(|sample| {
            let cpu_level = judge.level(&sample, &cfg.thresholds, now);
            HostStatus::new(sample, cpu_level, &cfg.thresholds)
        })
        .collect();
    for h in &hosts {
        let unjudged_high = h.cpu_level.is_none()
            && h.sample.reachable
            && h.sample.cpu_pct.is_some_and(|v| cfg.thresholds.cpu_level(v) > Level::Ok);
        if unjudged_high {
            eprintln!(
                "{}",
                Msg::StatusCpuUnjudged.fill(
                    lang,
                    &[
                        ("host", &crate::text::escape_unprintable(&h.sample.name)),
                        ("cpu", &format!("{} %", fmt::pct(h.sample.cpu_pct))),
                        ("path", &crate::text::escape_unprintable(&db.display().to_string())),
                    ],
                )
            );
        }
    }

    let format = crate::cli::nagios::Format::chosen(args.format, args.json);
    if format == crate::cli::nagios::Format::Nagios {
        let (line, code) = plugin(&hosts, &cfg.thresholds, lang);
        crate::cli::nagios::print(&line);
        return code;
    }
    if format == crate::cli::nagios::Format::Json {
        match serde_json::to_string_pretty(&hosts) {
            Ok(j) => println!("{j}"),
            Err(e) => {
                say("status", &e.to_string());
                return 1;
            }
        }
    } else {
        // Names from ~/.ssh/config and errors from remote hosts are shown escaped.
        print_clean(&table(&hosts, lang));
        // Each host's posture (`--security`), a line each under the table.
        for h in &hosts {
            if let Some(sec) = &h.sample.security {
                print_clean(&posture_line(&h.sample.name, sec, lang));
            }
        }
        // What a host's probe could not read, under the table (its figures are missing).
        for h in &hosts {
            for w in &h.sample.warnings {
                let name = crate::text::escape_unprintable(&h.sample.name);
                say("status", &format!("{name}: {}: {}", Msg::ProbeIncomplete.text(lang), w.get(lang)));
            }
        }
    }
    exit_code(&hosts)
}

/// A host's security posture in one line of the reader's language.
fn posture_line(host: &str, sec: &crate::health::security::Security, lang: Lang) -> String {
    let (sep, colon) = if lang == Lang::ZhCn { ("；", "：") } else { ("; ", ": ") };
    // The ports are in the JSON; the line says what to judge.
    let body: Vec<String> = sec
        .facts(lang)
        .into_iter()
        .filter(|(m, _, _)| *m != Msg::ListeningPorts)
        .map(|(m, v, _)| format!("{}{colon}{v}", m.text(lang)))
        .collect();
    format!(
        "{}{colon}{}{colon}{}",
        crate::text::escape_unprintable(host),
        Msg::Security.text(lang),
        crate::text::escape_unprintable(&body.join(sep))
    )
}

/// One host as `yunwei status` reports it: the sample, and its judgement.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HostStatus {
    #[serde(flatten)]
    pub sample: HostSample,
    /// CPU by the console's rule (high for five minutes), from the history a console records
    /// to the same database; `null` when none does, and the figure is then not judged: one
    /// reading of half a second never makes a host critical.
    pub cpu_level: Option<Level>,
    /// The host's level: the worst figure, CPU as `cpu_level` says; `crit` when unreachable.
    pub level: Level,
}

impl HostStatus {
    pub fn new(sample: HostSample, cpu_level: Option<Level>, th: &Thresholds) -> HostStatus {
        let level = th.host_level_but_cpu(&sample).max(cpu_level.unwrap_or(Level::Ok));
        HostStatus { sample, cpu_level, level }
    }
}

/// Judges CPU from the history in the database, when a console is recording to it.
struct CpuJudge {
    store: Option<Store>,
    /// A host's newest recorded sample must be this recent (seconds) for the history to count.
    fresh_s: i64,
}

impl CpuJudge {
    /// Reads `db` when it exists (never creating or changing it); says once why it cannot.
    fn open(db: &Path, lang: Lang, poll_interval_s: u64) -> CpuJudge {
        let fresh_s = i64::try_from(poll_interval_s.saturating_mul(3)).unwrap_or(i64::MAX).max(60);
        let store = if db.exists() {
            match Store::open_with(db, StoreOptions::new(Access::Read, false)) {
                Ok(s) => Some(s),
                Err(e) => {
                    eprintln!("{}", Msg::StatusDbUnreadable.fill(lang, &[("error", &e.text(lang))]));
                    None
                }
            }
        } else {
            None
        };
        CpuJudge { store, fresh_s }
    }

    /// The host's CPU level by the console's rule, or None when no console records it now.
    fn level(&self, s: &HostSample, th: &Thresholds, now: i64) -> Option<Level> {
        let store = self.store.as_ref()?;
        if !s.reachable {
            return None;
        }
        let history = store.cpu_history(&s.name, now - 2 * CPU_SUSTAIN_S).ok()?;
        let newest = history.last()?;
        if now - newest.0 > self.fresh_s {
            return None;
        }
        let open =
            store.open_alert(&AlertKey::health(&s.name, Metric::Cpu, "")).ok().flatten().map(|a| a.level);
        Some(sustained_cpu_level(&s.name, open, &history, th))
    }
}

/// The monitoring-plugin line of a poll, and its exit code: CRITICAL when a host is down or
/// critical, WARNING when one warns; perfdata per host: CPU, memory, the fullest filesystem and
/// the load per core, with the thresholds of `[thresholds]`.
pub fn plugin(hosts: &[HostStatus], th: &Thresholds, lang: Lang) -> (String, i32) {
    use crate::cli::nagios::{line, Perf, PluginState};
    let state_of = |h: &HostStatus| {
        if !h.sample.reachable || h.level == Level::Crit {
            PluginState::Critical
        } else if h.level == Level::Warn {
            PluginState::Warning
        } else {
            PluginState::Ok
        }
    };
    let state = PluginState::worst(hosts.iter().map(state_of));
    let mut bad = Vec::new();
    for h in hosts.iter().filter(|h| state_of(h) != PluginState::Ok) {
        let what = if !h.sample.reachable {
            let why = h.sample.error.as_ref().map(|e| e.message.clone()).unwrap_or_default();
            crate::i18n::tr(lang, format!("unreachable ({why})"), format!("无法连接（{why}）"))
        } else if h.level == Level::Crit {
            crate::i18n::tr(lang, "critical", "严重")
        } else {
            crate::i18n::tr(lang, "warning", "警告")
        };
        bad.push(format!("{} {what}", h.sample.name));
    }
    let ok = hosts.len() - bad.len();
    let counts = crate::i18n::tr(
        lang,
        format!("{ok} of {} hosts ok", hosts.len()),
        format!("{} 台主机中 {ok} 台正常", hosts.len()),
    );
    let sep = if lang == Lang::ZhCn { "；" } else { "; " };
    let summary = if bad.is_empty() { counts } else { format!("{}{sep}{counts}", bad.join(sep)) };
    let mut perf = Vec::new();
    for h in hosts.iter().filter(|h| h.sample.reachable) {
        let s = &h.sample;
        let pct =
            |label: &str, v: Option<f64>, l: &crate::health::thresholds::Limits, perf: &mut Vec<Perf>| {
                if let Some(v) = v {
                    perf.push(
                        Perf::new(format!("{} {label}", s.name), v, "%")
                            .limits(Some(l.warn), Some(l.crit))
                            .range(Some(0.0), Some(100.0)),
                    );
                }
            };
        pct("cpu", s.cpu_pct, &th.cpu_pct, &mut perf);
        pct("mem", s.mem_used_pct, &th.mem_pct, &mut perf);
        let fullest = s
            .disks
            .iter()
            .map(|d| d.used_pct)
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
        pct("disk", fullest, &th.disk_pct, &mut perf);
        if let (Some(load), Some(cores)) = (s.load1, s.cores.filter(|c| *c > 0)) {
            let l = &th.load_per_core;
            perf.push(
                Perf::new(format!("{} load_per_core", s.name), load / f64::from(cores), "")
                    .limits(Some(l.warn), Some(l.crit))
                    .range(Some(0.0), None),
            );
        }
    }
    (line(state, &summary, &perf), state.code())
}

pub fn exit_code(hosts: &[HostStatus]) -> i32 {
    let bad = hosts.iter().any(|h| !h.sample.reachable || h.level == Level::Crit);
    i32::from(bad)
}

/// The aligned table, with Chinese names and headers taking their real width. Hand-written on
/// purpose: a down host's reason runs to the end of its line without widening the columns,
/// which comfy-table (no column spans) cannot do: it pushed every figure ~100 columns right;
/// it would also add ~105 KiB to the release binary for these 50 lines.
pub fn table(hosts: &[HostStatus], lang: Lang) -> String {
    let headers = [
        Msg::ColHost,
        Msg::ColState,
        Msg::ColCpu,
        Msg::ColLoad,
        Msg::ColMem,
        Msg::ColSwap,
        Msg::ColDisk,
        Msg::ColInodes,
        Msg::NetIn,
        Msg::NetOut,
        Msg::ColUptime,
        Msg::ColFailed,
    ];
    let mut rows: Vec<Vec<String>> = vec![headers.iter().map(|m| m.text(lang).to_string()).collect()];
    for h in hosts {
        let (s, level) = (&h.sample, h.level);
        let state = if !s.reachable {
            Msg::StateDown.text(lang).to_string()
        } else {
            match level {
                Level::Ok => Msg::StateUp.text(lang).to_string(),
                Level::Warn => Msg::Warning.text(lang).to_string(),
                Level::Crit => Msg::Critical.text(lang).to_string(),
            }
        };
        if !s.reachable {
            let why = s
                .error
                .as_ref()
                .map(|e| {
                    let text = e.text(lang == Lang::ZhCn);
                    format!("{}: {text}", crate::health::HostError::kind_text(&e.kind, lang))
                })
                .unwrap_or_default();
            let mut r = vec![crate::text::escape_unprintable(&s.name).into_owned(), state];
            r.push(crate::text::escape_unprintable(&why).into_owned());
            rows.push(r);
            continue;
        }
        let (rx, tx) = s.net_total();
        let disk = s
            .fullest_disk()
            .map(|d| format!("{} {}", fmt::pct(Some(d.used_pct)), d.mount))
            .unwrap_or("-".into());
        rows.push(vec![
            crate::text::escape_unprintable(&s.name).into_owned(),
            state,
            fmt::pct(s.cpu_pct),
            fmt::ratio(s.load_per_core()),
            fmt::pct(s.mem_used_pct),
            fmt::pct(s.swap_used_pct),
            disk,
            fmt::pct(s.max_inodes_pct()),
            if s.net.is_empty() { "-".into() } else { format!("{}/s", fmt::rate(rx)) },
            if s.net.is_empty() { "-".into() } else { format!("{}/s", fmt::rate(tx)) },
            s.uptime_s.map(fmt::duration).unwrap_or("-".into()),
            if s.failed_units.is_empty() { "0".into() } else { s.failed_units.join(",") },
        ]);
    }
    let cols = headers.len();
    let mut widths = vec![0usize; cols];
    for r in &rows {
        // A down host's reason runs to the end of the line and does not widen the columns.
        if r.len() == cols {
            for (i, c) in r.iter().enumerate() {
                widths[i] = widths[i].max(width(c));
            }
        }
    }
    for r in &rows {
        if r.len() != cols {
            widths[0] = widths[0].max(width(&r[0]));
            widths[1] = widths[1].max(width(&r[1]));
        }
    }
    let mut out = String::new();
    for r in &rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let last = i + 1 == r.len();
            let cell = match i {
                0 | 1 | 6 | 11 => {
                    if last {
                        c.clone()
                    } else {
                        pad_right(c, widths[i])
                    }
                }
                _ if r.len() != cols => c.clone(),
                _ => pad_left(c, widths[i]),
            };
            line.push_str(&cell);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::{DiskUsage, HostError};

    fn up(name: &str, disk: f64) -> HostSample {
        HostSample {
            name: name.into(),
            reachable: true,
            cpu_pct: Some(12.0),
            load1: Some(0.5),
            cores: Some(2),
            mem_used_pct: Some(40.0),
            disks: vec![DiskUsage {
                mount: "/".into(),
                fs_type: "ext4".into(),
                size_kib: 100,
                used_kib: disk as u64,
                avail_kib: 100 - disk as u64,
                used_pct: disk,
                inodes_used_pct: Some(3.0),
            }],
            ..Default::default()
        }
    }

    fn judged(s: HostSample, cpu: Option<Level>) -> HostStatus {
        HostStatus::new(s, cpu, &Thresholds::default())
    }

    #[test]
    fn chinese_names_align() {
        let hosts = vec![judged(up("海口-应用1", 10.0), None), judged(up("db1", 20.0), None)];
        let t = table(&hosts, Lang::ZhCn);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3);
        // The state column starts at the same display column on every line.
        let col = |l: &str, needle: &str| l.find(needle).map(|i| width(&l[..i]));
        assert_eq!(col(lines[1], "正常"), col(lines[2], "正常"));
        assert_eq!(col(lines[0], "状态"), col(lines[1], "正常"));
    }

    #[test]
    fn exit_codes() {
        assert_eq!(exit_code(&[judged(up("a", 10.0), None)]), 0);
        assert_eq!(exit_code(&[judged(up("a", 95.0), None)]), 1);
        let mut down = up("b", 10.0);
        down.reachable = false;
        down.error = Some(HostError { kind: "timeout".into(), message: "x".into(), zh: None });
        assert_eq!(exit_code(&[judged(up("a", 10.0), None), judged(down, None)]), 1);
    }

    #[test]
    fn one_cpu_reading_never_makes_a_host_critical() {
        let mut busy = up("a", 10.0);
        busy.cpu_pct = Some(99.0);
        let h = judged(busy.clone(), None);
        assert_eq!((h.level, h.cpu_level), (Level::Ok, None));
        assert_eq!(exit_code(&[h]), 0);
        assert!(table(&[judged(busy.clone(), None)], Lang::En).lines().nth(1).unwrap().contains(" up "));
        // Judged from a console's history, the same figure counts.
        let h = judged(busy, Some(Level::Crit));
        assert_eq!(h.level, Level::Crit);
        assert_eq!(exit_code(&[h]), 1);
    }
}
