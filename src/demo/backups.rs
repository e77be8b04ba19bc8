//! The demo's backup and data-exchange jobs: real files in the demo's folder, with the sizes
//! and modification times that put each job in its state (ok, late, missing, shrunk, failed,
//! running, unknown), a push, a receive and a monthly report among them. They are checked by
//! the same round script as a real host's, run here; the demo's backup host is shown down, so
//! its job is unknown. One job's run is started with the demo, so it shows running.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::backups::{probe, Due, Kind, Spec};
use crate::i18n::{tr, Lang};
use crate::workers::backups::Place;

const HOUR: u64 = 3600;
const DAY: u64 = 86400;

/// The CRC-32 of gzip's trailer (IEEE 802.3, reflected).
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A valid gzip file of `len` bytes of content, stored (deflate blocks of type 0) so its size
/// is about its content's.
fn gzip_stored(len: usize, seed: u8) -> Vec<u8> {
    let data: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect();
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    let mut chunks = data.chunks(65535).peekable();
    while let Some(chunk) = chunks.next() {
        out.push(u8::from(chunks.peek().is_none()));
        let n = chunk.len() as u16;
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&(!n).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&crc32(&data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

fn write(path: &Path, bytes: &[u8], age: Duration) -> std::io::Result<()> {
    let mut f = File::create(path)?;
    f.write_all(bytes)?;
    f.set_modified(SystemTime::now() - age)?;
    Ok(())
}

fn sparse(path: &Path, size: u64, age: Duration) -> std::io::Result<()> {
    let f = File::create(path)?;
    f.set_len(size)?;
    f.set_modified(SystemTime::now() - age)
}

fn spec(name: &str, host: &str, path: String, kind: Kind, due: Due, grace: u64) -> Spec {
    Spec {
        name: name.into(),
        host: Some(host.into()),
        path,
        kind,
        due,
        grace: Duration::from_secs(grace),
        min_size: None,
        shrink_pct: None,
        verify: None,
        run: None,
    }
}

fn every(secs: u64) -> Due {
    Due::Every(Duration::from_secs(secs))
}

/// Makes the demo's files under `dir` and gives its jobs with where each runs.
pub fn jobs(dir: &Path, lang: Lang) -> (Vec<Spec>, Vec<Place>) {
    match make(dir) {
        Ok(jobs) => {
            let places = jobs
                .iter()
                .map(|j| match j.host.as_deref() {
                    Some("demo-backup") => Place::Down(tr(
                        lang,
                        "demo-backup is down (a demo host)",
                        "demo-backup 已宕机（演示主机）",
                    )),
                    _ => Place::Local { home: Some(dir.to_path_buf()) },
                })
                .collect();
            start_running(&jobs, dir);
            (jobs, places)
        }
        Err(_) => (Vec::new(), Vec::new()),
    }
}

fn make(dir: &Path) -> std::io::Result<Vec<Spec>> {
    let d = |sub: &str| -> std::io::Result<String> {
        let p = dir.join(sub);
        std::fs::create_dir_all(&p)?;
        Ok(p.to_string_lossy().into_owned())
    };
    let h = |n: u64| Duration::from_secs(n * HOUR);
    let mut jobs = Vec::new();

    // ok: a week of nightly Oracle dumps, each a valid gzip, verified by gzip -t.
    let oracle = d("demo-db1/oracle")?;
    for day in 0..7u64 {
        let size = 2_100_000 + (day as usize % 3) * 90_000;
        let age = h(3) + Duration::from_secs(day * DAY);
        write(
            &Path::new(&oracle).join(format!("expdp_day{}.dmp.gz", 7 - day)),
            &gzip_stored(size, day as u8),
            age,
        )?;
    }
    let mut s = spec(
        "db1-oracle-expdp",
        "demo-db1",
        format!("{oracle}/*.dmp.gz"),
        Kind::Backup,
        every(DAY),
        6 * HOUR,
    );
    s.min_size = Some(1_000_000);
    s.shrink_pct = Some(50);
    s.verify = Some("gzip -t".into());
    s.run = Some("echo '开始导出 expdp (demo)'; for i in 1 2 3 4 5; do sleep 1; echo \"已导出 ${i}0%\"; done; echo done".into());
    jobs.push(s);

    // shrunk: tonight's MySQL dump is a tenth of last night's.
    let mysql = d("demo-db1/mysql")?;
    sparse(&Path::new(&mysql).join("rk-prev.sql"), 2_400_000_000, h(26))?;
    sparse(&Path::new(&mysql).join("rk-last.sql"), 240_000_000, h(2))?;
    let mut s =
        spec("db1-mysql-dump", "demo-db1", format!("{mysql}/rk-*.sql"), Kind::Backup, every(DAY), 6 * HOUR);
    s.shrink_pct = Some(50);
    s.min_size = Some(100_000_000);
    jobs.push(s);

    // running: an RMAN backup whose run the demo starts.
    let rman = d("demo-db1/rman")?;
    sparse(&Path::new(&rman).join("level0.bkp"), 8_000_000_000, h(20))?;
    let mut s =
        spec("db1-rman-level0", "demo-db1", format!("{rman}/*.bkp"), Kind::Backup, every(DAY), 6 * HOUR);
    s.run = Some("echo 'RMAN level 0 (demo)'; i=0; while [ $i -lt 120 ]; do i=$((i+1)); sleep 1; echo \"piece $i\"; done".into());
    jobs.push(s);

    // late: the application's config archive is a day and two hours old (grace 6 h).
    let conf = d("demo-app1/conf")?;
    sparse(&Path::new(&conf).join("app1-conf.tar"), 12_000_000, h(26))?;
    jobs.push(spec(
        "app1-config-tar",
        "demo-app1",
        format!("{conf}/*.tar"),
        Kind::Backup,
        every(DAY),
        6 * HOUR,
    ));

    // failed: the log archive does not decompress.
    let logs = d("demo-app1/logs")?;
    let mut broken = gzip_stored(600_000, 7);
    broken.truncate(400_000);
    write(&Path::new(&logs).join("app1-logs.tar.gz"), &broken, h(5))?;
    let mut s = spec(
        "app1-logs-archive",
        "demo-app1",
        format!("{logs}/*.tar.gz"),
        Kind::Backup,
        every(DAY),
        6 * HOUR,
    );
    s.verify = Some("gzip -t".into());
    jobs.push(s);

    // missing: the nightly push to civil affairs stopped three days ago.
    let push = d("demo-exchange/outbox/民政")?;
    for day in 3..6u64 {
        sparse(&Path::new(&push).join(format!("mz_{day}.zip")), 5_000_000, h(day * 24))?;
    }
    let due = Due::schedule("0 1 * * *", None).unwrap_or(every(DAY));
    jobs.push(spec(
        "民政-nightly-push",
        "demo-exchange",
        format!("{push}/mz_*.zip"),
        Kind::Push,
        due,
        2 * HOUR,
    ));

    // ok: PADIS's monthly report, due by the 5th at 09:00.
    let padis = d("demo-exchange/padis")?;
    let deadline = last_deadline();
    let sent =
        SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs().saturating_sub(deadline);
    sparse(&Path::new(&padis).join("padis-report.xml"), 800_000, Duration::from_secs(sent + 2 * DAY))?;
    let due = Due::schedule("0 9 5 * *", None).unwrap_or(every(30 * DAY));
    jobs.push(spec(
        "padis-monthly-report",
        "demo-exchange",
        format!("{padis}/padis-*.xml"),
        Kind::Report,
        due,
        DAY,
    ));

    // ok: the birth platform delivers every hour.
    let births = d("演示-海口应用2/inbox/出生")?;
    for n in 0..4u64 {
        sparse(
            &Path::new(&births).join(format!("cs_{n}.dat")),
            300_000 + n * 7_000,
            Duration::from_secs(1200 + n * HOUR),
        )?;
    }
    jobs.push(spec(
        "出生医学证明-receive",
        "演示-海口应用2",
        format!("{births}/cs_*.dat"),
        Kind::Receive,
        every(HOUR),
        1800,
    ));

    // unknown: on the demo's backup host, which is down.
    jobs.push(spec(
        "nfs-offsite-sync",
        "demo-backup",
        "/srv/offsite/*.tar".into(),
        Kind::Backup,
        every(DAY),
        6 * HOUR,
    ));
    Ok(jobs)
}

/// The monthly report's last deadline (the 5th at 09:00 here), seconds since the epoch.
fn last_deadline() -> u64 {
    use chrono::{Datelike, Local, TimeZone};
    let now = Local::now();
    let this = Local.with_ymd_and_hms(now.year(), now.month(), 5, 9, 0, 0).single();
    let t = match this {
        Some(t) if t <= now => t,
        _ => {
            let (y, m) = if now.month() == 1 { (now.year() - 1, 12) } else { (now.year(), now.month() - 1) };
            Local.with_ymd_and_hms(y, m, 5, 9, 0, 0).single().unwrap_or(now)
        }
    };
    u64::try_from(t.timestamp()).unwrap_or(0)
}

/// Starts the RMAN job's run, so the demo shows a job running (its files in the demo folder).
fn start_running(jobs: &[Spec], dir: &Path) {
    if let Some(s) = jobs.iter().find(|s| s.name == "db1-rman-level0") {
        if let Some(run) = &s.run {
            let script = probe::start_run(&s.name, run);
            let _ =
                crate::workers::local::run_sh(script.text, &script.args, Some(dir), Duration::from_secs(5));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backups::State;
    use crate::workers::backups::{check, VerifyMode};

    #[test]
    fn the_stored_gzip_is_valid() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.gz");
        std::fs::write(&p, gzip_stored(200_000, 1)).unwrap();
        let ok = std::process::Command::new("gzip").arg("-t").arg(&p).status().unwrap();
        assert!(ok.success());
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn the_demo_shows_every_state() {
        let dir = tempfile::tempdir().unwrap();
        let (jobs, places) = super::jobs(&dir.path().join("backups"), Lang::En);
        let mut store = crate::store::Store::open(&dir.path().join("y.db")).unwrap();
        let settings = crate::config::Backups::default();
        let statuses =
            check(&jobs, &places, &mut store, VerifyMode::Unverified, &settings, Lang::En).unwrap();
        let mut states: Vec<State> = statuses.iter().map(|s| s.verdict.state).collect();
        states.sort();
        states.dedup();
        assert_eq!(
            states,
            [
                State::Unknown,
                State::Failed,
                State::Missing,
                State::Shrunk,
                State::Late,
                State::Running,
                State::Ok
            ],
            "{:#?}",
            statuses.iter().map(|s| (&s.name, s.verdict.state, &s.reason_en)).collect::<Vec<_>>()
        );
        let kinds: std::collections::HashSet<Kind> = jobs.iter().map(|j| j.kind).collect();
        assert_eq!(kinds.len(), 4);
        assert_eq!(store.open_alert_keys().unwrap().len(), 6);
    }
}
