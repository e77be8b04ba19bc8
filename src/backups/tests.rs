use std::time::Duration;

use chrono::TimeZone;

use super::probe::{self, fixed_folder, read_poll, read_round, read_verify};
use super::*;

fn shanghai() -> Zone {
    Zone::of_host("/usr/share/zoneinfo/Asia/Shanghai", "+0800")
}

/// Seconds since the epoch of a Beijing wall-clock time.
fn bj(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    chrono_tz::Asia::Shanghai
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .map(|t| t.timestamp())
        .unwrap_or(0)
}

fn spec(due: Due) -> Spec {
    Spec {
        name: "db1-oracle-expdp".into(),
        host: None,
        path: "/backup/oracle/*.dmp.gz".into(),
        kind: Kind::Backup,
        due,
        grace: Duration::from_secs(6 * 3600),
        min_size: Some(100_000_000),
        shrink_pct: Some(50),
        verify: Some("gzip -t".into()),
        run: None,
    }
}

fn art(mtime: i64, size: u64) -> Artefact {
    Artefact { path: format!("/backup/oracle/{mtime}.dmp.gz"), size, mtime }
}

fn files(now: i64, matches: Vec<Artefact>) -> Seen {
    Seen::Files { now, zone: shanghai(), matches, no_folder: false, running_since: None }
}

fn daily() -> Due {
    Due::schedule("30 2 * * *", None).unwrap()
}

#[test]
fn every_state_by_its_rule() {
    let s = spec(daily());
    let now = bj(2026, 12, 2, 10, 0);
    let made = bj(2026, 12, 2, 2, 50);
    let v = classify(&s, &files(now, vec![art(made, 300_000_000), art(made - 86400, 310_000_000)]), None);
    assert_eq!(v.state, State::Ok, "{v:?}");
    assert_eq!(v.expected_at, Some(bj(2026, 12, 3, 2, 30)));
    assert_eq!(v.age_s, Some(now - made));
    assert_eq!(v.previous_size, Some(310_000_000));
    assert_eq!(v.period_s, Some(86400));

    // Yesterday's artefact, 02:40 today: the 02:30 run is due and within its 6 h grace.
    let yesterday = bj(2026, 12, 1, 2, 50);
    let v = classify(&s, &files(bj(2026, 12, 2, 2, 40), vec![art(yesterday, 300_000_000)]), None);
    assert_eq!(v.state, State::Late);
    assert_eq!(v.reason(), &Reason::WithinGrace { expected_at: bj(2026, 12, 2, 2, 30), grace_s: 21600 });
    // At 08:30 the grace is over.
    let v = classify(&s, &files(bj(2026, 12, 2, 8, 30), vec![art(yesterday, 300_000_000)]), None);
    assert_eq!(v.state, State::Missing);
    // Two weeks later: fourteen runs missed, counted from the first.
    let v = classify(&s, &files(bj(2026, 12, 15, 9, 0), vec![art(yesterday, 300_000_000)]), None);
    assert_eq!(
        v.reason(),
        &Reason::PastGrace { expected_at: bj(2026, 12, 2, 2, 30), grace_s: 21600, runs: 14 }
    );

    // No match, no folder.
    assert_eq!(classify(&s, &files(now, vec![]), None).state, State::Missing);
    let gone = Seen::Files { now, zone: shanghai(), matches: vec![], no_folder: true, running_since: None };
    assert_eq!(classify(&s, &gone, None).reason(), &Reason::NoFolder { folder: "/backup/oracle".into() });

    // Shrunk: below min_size, or by more than half.
    let v = classify(&s, &files(now, vec![art(made, 4_096)]), None);
    assert_eq!(v.state, State::Shrunk);
    assert_eq!(v.reason(), &Reason::TooSmall { size: 4096, min_size: 100_000_000 });
    let v = classify(&s, &files(now, vec![art(made, 140_000_000), art(made - 86400, 300_000_000)]), None);
    assert_eq!(
        v.reason(),
        &Reason::ShrankBy { size: 140_000_000, previous: 300_000_000, pct: 53, limit: 50 }
    );
    // Exactly half is not more than half.
    let v = classify(&s, &files(now, vec![art(made, 150_000_000), art(made - 86400, 300_000_000)]), None);
    assert_eq!(v.state, State::Ok);

    // Failed: the newest artefact's verification exited non-zero; an older one's does not count.
    let newest = art(made, 300_000_000);
    let failed = Verification {
        path: newest.path.clone(),
        mtime: newest.mtime,
        size: newest.size,
        at: now,
        status: 1,
        output: "\ngzip: x.dmp.gz: unexpected end of file\n".into(),
        checksum: None,
    };
    let v = classify(&s, &files(now, vec![newest.clone()]), Some(&failed));
    assert_eq!(v.state, State::Failed);
    assert_eq!(
        v.reason(),
        &Reason::VerifyFailed { status: 1, first_line: "gzip: x.dmp.gz: unexpected end of file".into() }
    );
    let older = Verification { mtime: made - 1, ..failed.clone() };
    assert_eq!(classify(&s, &files(now, vec![newest.clone()]), Some(&older)).state, State::Ok);

    // Running, and unknown.
    let running = Seen::Files {
        now,
        zone: shanghai(),
        matches: vec![newest],
        no_folder: false,
        running_since: Some(now),
    };
    assert_eq!(classify(&s, &running, None).state, State::Running);
    let v = classify(&s, &Seen::Unreachable("connection refused".into()), None);
    assert_eq!((v.state, v.newest.clone()), (State::Unknown, None));
    let v = classify(&s, &Seen::Unreadable { folder: "/backup/oracle".into() }, None);
    assert_eq!(v.state, State::Unknown);
}

#[test]
fn the_first_state_in_order_wins_and_the_others_are_kept() {
    let s = spec(daily());
    let made = bj(2026, 12, 1, 2, 50);
    let newest = art(made, 4096);
    let failed = Verification {
        path: newest.path.clone(),
        mtime: made,
        size: 4096,
        at: made,
        status: 2,
        output: "bad".into(),
        checksum: None,
    };
    let seen = Seen::Files {
        now: bj(2026, 12, 3, 9, 0),
        zone: shanghai(),
        matches: vec![newest],
        no_folder: false,
        running_since: Some(made),
    };
    let v = classify(&s, &seen, Some(&failed));
    let states: Vec<State> = v.reasons.iter().map(|(s, _)| *s).collect();
    assert_eq!(states, [State::Failed, State::Missing, State::Shrunk, State::Running]);
    assert_eq!(v.state, State::Failed);
}

#[test]
fn every_period() {
    let s = spec(Due::Every(Duration::from_secs(86400)));
    let now = bj(2026, 12, 2, 12, 0);
    let v = classify(&s, &files(now, vec![art(now - 3600, 300_000_000)]), None);
    assert_eq!((v.state, v.expected_at), (State::Ok, Some(now - 3600 + 86400)));
    let v = classify(&s, &files(now, vec![art(now - 86400 - 3600, 300_000_000)]), None);
    assert_eq!(v.state, State::Late);
    let v = classify(&s, &files(now, vec![art(now - 86400 - 7 * 3600, 300_000_000)]), None);
    assert_eq!(v.state, State::Missing);
}

#[test]
fn schedules_across_month_ends() {
    // The last day of each month at 23:00 is written 0 23 28-31 * * with a check; cron has no
    // "last day", so the common monthly on the 1st is taken across a short February.
    let monthly = Due::schedule("0 1 1 * *", None).unwrap();
    let z = shanghai();
    let jan31 = bj(2027, 1, 31, 12, 0);
    assert_eq!(monthly.due_after(Kind::Backup, jan31, Duration::ZERO, z), Some(bj(2027, 2, 1, 1, 0)));
    let feb = bj(2027, 2, 1, 1, 5);
    assert_eq!(monthly.due_after(Kind::Backup, feb, Duration::ZERO, z), Some(bj(2027, 3, 1, 1, 0)));
    assert_eq!(monthly.period_at(bj(2027, 2, 15, 0, 0), z), Some(28 * 86400));
    // The 31st runs only in months that have one.
    let on31 = Due::schedule("0 3 31 * *", None).unwrap();
    assert_eq!(
        on31.due_after(Kind::Backup, bj(2027, 1, 31, 4, 0), Duration::ZERO, z),
        Some(bj(2027, 3, 31, 3, 0))
    );
    // A leap day.
    let leap = Due::schedule("0 0 29 2 *", None).unwrap();
    assert_eq!(
        leap.due_after(Kind::Backup, bj(2027, 3, 1, 0, 0), Duration::ZERO, z),
        Some(bj(2028, 2, 29, 0, 0))
    );
    // The year's end.
    assert_eq!(
        daily().due_after(Kind::Backup, bj(2026, 12, 31, 3, 0), Duration::ZERO, z),
        Some(bj(2027, 1, 1, 2, 30))
    );
    assert_eq!(monthly.runs_between(bj(2026, 11, 15, 0, 0), bj(2027, 3, 2, 0, 0), z), 4);
}

#[test]
fn a_monthly_report_is_due_by_its_deadline() {
    let mut s = spec(Due::schedule("0 9 5 * *", None).unwrap());
    s.kind = Kind::Report;
    s.grace = Duration::from_secs(24 * 3600);
    s.min_size = None;
    let sent = bj(2026, 12, 2, 15, 0); // November's report, sent before the 5th.
    let v = classify(&s, &files(bj(2026, 12, 20, 9, 0), vec![art(sent, 10_000)]), None);
    assert_eq!((v.state, v.expected_at), (State::Ok, Some(bj(2027, 1, 5, 9, 0))));
    // Sent on the 5th after the deadline, within the grace: it still covers December's.
    let late = bj(2026, 12, 5, 15, 0);
    let v = classify(&s, &files(bj(2026, 12, 20, 9, 0), vec![art(late, 10_000)]), None);
    assert_eq!(v.expected_at, Some(bj(2027, 1, 5, 9, 0)));
    // January's is not there on the 5th at noon: late; on the 6th at 10:00: missing.
    assert_eq!(classify(&s, &files(bj(2027, 1, 5, 12, 0), vec![art(sent, 10_000)]), None).state, State::Late);
    assert_eq!(
        classify(&s, &files(bj(2027, 1, 6, 10, 0), vec![art(sent, 10_000)]), None).state,
        State::Missing
    );
}

#[test]
fn a_schedule_in_a_named_time_zone() {
    // 02:30 in Urumqi (UTC+6) is 04:30 in Beijing.
    let tz: chrono_tz::Tz = "Asia/Urumqi".parse().unwrap();
    let d = Due::schedule("30 2 * * *", Some(tz)).unwrap();
    let after = d.due_after(Kind::Backup, bj(2026, 12, 2, 0, 0), Duration::ZERO, shanghai());
    assert_eq!(after, Some(bj(2026, 12, 2, 4, 30)));
    // And the host's own zone when the job names none: a host on UTC runs it at 10:30 Beijing.
    let utc = Zone::of_host("", "+0000");
    let after = daily().due_after(Kind::Backup, bj(2026, 12, 2, 0, 0), Duration::ZERO, utc);
    assert_eq!(after, Some(bj(2026, 12, 2, 10, 30)));
    // Across a daylight-saving change (New York, 8 March 2026 02:00 → 03:00): the daily 02:30
    // run that day does not exist on the wall clock, so the next is the day after.
    let ny = Zone::named("America/New_York").unwrap();
    let before = chrono_tz::America::New_York.with_ymd_and_hms(2026, 3, 7, 12, 0, 0).single().unwrap();
    let next = daily().due_after(Kind::Backup, before.timestamp(), Duration::ZERO, ny).unwrap();
    let shown = ny.local(next);
    assert!(shown == "2026-03-08 03:00" || shown == "2026-03-09 02:30", "{shown}");
}

#[test]
fn schedules_and_zones_are_read_strictly() {
    assert!(Due::schedule("30 2 * *", None).is_err());
    assert!(Due::schedule("0 30 2 * * *", None).is_err());
    assert!(Due::schedule("61 2 * * *", None).is_err());
    assert!(Due::schedule("0 0 31 2 *", None).is_err(), "31 February never comes");
    assert_eq!(Zone::of_host("../usr/share/zoneinfo/Asia/Shanghai", "").name(), "Asia/Shanghai");
    assert_eq!(Zone::of_host("Etc/UTC\n", "").name(), "Etc/UTC");
    assert_eq!(Zone::of_host("", "+0800").name(), "+08:00");
    assert_eq!(Zone::of_host("nonsense", "garbage").name(), "+00:00");
}

#[test]
fn the_fixed_folder_of_a_glob() {
    assert_eq!(fixed_folder("/backup/oracle/*.dmp.gz"), "/backup/oracle");
    assert_eq!(fixed_folder("/backup/*/db.tar"), "/backup");
    assert_eq!(fixed_folder("/x/plain.tar"), "/x");
    assert_eq!(fixed_folder("/*.gz"), "/");
    assert_eq!(probe::run_key("a b").len(), 16);
}

/// The round script itself, run by this machine's sh on real files with set times and sizes.
#[test]
fn the_round_script_on_real_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("back up's $(touch pwned)");
    std::fs::create_dir(&d).unwrap();
    let mk = |name: &str, size: u64, mtime: &str| {
        let p = d.join(name);
        std::fs::File::create(&p).unwrap().set_len(size).unwrap();
        let ok = std::process::Command::new("touch").arg("-d").arg(mtime).arg(&p).status().unwrap();
        assert!(ok.success());
        p
    };
    mk("a 1.dmp.gz", 3000, "2026-11-30 02:40:00");
    mk("a\n2.dmp.gz", 1000, "2026-12-01 02:40:00");
    std::fs::create_dir(d.join("dir.dmp.gz")).unwrap();
    std::os::unix::fs::symlink(d.join("a 1.dmp.gz"), d.join("link.dmp.gz")).unwrap();
    let base = d.to_string_lossy().to_string();
    let mut a = spec(daily());
    a.path = format!("{base}/*.dmp.gz");
    let mut b = spec(daily());
    b.path = format!("{base}/none-*.gz");
    let mut c = spec(daily());
    c.path = format!("{base}/nope/*.gz");
    let mut e = spec(daily());
    e.path = format!("{base}/$(touch {base}/pwned2)*");
    let specs = [&a, &b, &c, &e];
    let script = probe::round(specs);
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script.text)
        .arg("sh")
        .args(&script.args)
        .output()
        .unwrap();
    let round = read_round(&out.stdout, &specs).unwrap();
    let Seen::Files { matches, no_folder: false, .. } = &round.jobs[0] else { panic!("{round:?}") };
    let names: Vec<(&str, u64)> =
        matches.iter().map(|m| (m.path.rsplit('/').next().unwrap(), m.size)).collect();
    assert_eq!(names, [("a\n2.dmp.gz", 1000), ("a 1.dmp.gz", 3000)]);
    assert_eq!(matches.len(), 2, "the link and its target are one file; the folder is no file: {names:?}");
    assert_eq!(
        matches[0].mtime,
        chrono::Local.with_ymd_and_hms(2026, 12, 1, 2, 40, 0).single().unwrap().timestamp()
    );
    assert!(matches!(&round.jobs[1], Seen::Files { matches, no_folder: false, .. } if matches.is_empty()));
    assert!(matches!(&round.jobs[2], Seen::Files { no_folder: true, .. }));
    assert!(matches!(&round.jobs[3], Seen::Files { matches, .. } if matches.is_empty()));
    assert!(!d.join("pwned").exists() && !d.join("pwned2").exists() && !dir.path().join("pwned").exists());
    assert!(round.now > 1_700_000_000);
    // Cut output is refused.
    let cut = &out.stdout[..out.stdout.len() - 2];
    assert!(read_round(cut, &specs).is_err());
}

#[test]
fn verification_and_runs_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("ok 'x'.gz");
    let gz = std::process::Command::new("sh")
        .arg("-c")
        .arg("printf hello | gzip > \"$1\"")
        .arg("sh")
        .arg(&good)
        .status()
        .unwrap();
    assert!(gz.success());
    let bad = dir.path().join("bad.gz");
    std::fs::write(&bad, b"\x1f\x8b\x08\x00garbage").unwrap();
    let run = |s: probe::Script| {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(s.text)
            .arg("sh")
            .args(&s.args)
            .output()
            .unwrap()
            .stdout
    };
    let v = read_verify(&run(probe::verify("gzip -t", &good.to_string_lossy(), 30))).unwrap();
    assert_eq!(v.status, 0, "{v:?}");
    assert_eq!((v.path.as_str(), v.timed_out), (good.to_str().unwrap(), false));
    assert_eq!(v.checksum.as_deref().map(str::len), Some(64));
    assert!(v.file.is_some());
    let v = read_verify(&run(probe::verify("gzip -t", &bad.to_string_lossy(), 0))).unwrap();
    assert_ne!(v.status, 0);
    assert!(v.output.contains("gzip"), "{v:?}");
    assert_eq!(v.checksum, None);
    // The host's `timeout` bounds a verification.
    let started = std::time::Instant::now();
    let v = read_verify(&run(probe::verify("sleep 20; :", &good.to_string_lossy(), 1))).unwrap();
    assert!(v.timed_out && v.status == 124, "{v:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert!(read_verify(b"M 1 2\0").is_err(), "no path line");
    // A run, started detached, its output and status read back by polls.
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let in_home = |s: probe::Script| {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(s.text)
            .arg("sh")
            .args(&s.args)
            .env("HOME", &home)
            .output()
            .unwrap()
    };
    let started = in_home(probe::start_run("job 1", "echo 'first line'; sleep 1; echo second; exit 3"));
    assert_eq!(String::from_utf8_lossy(&started.stdout).trim(), "started");
    let busy = in_home(probe::start_run("job 1", "true"));
    assert_eq!(busy.status.code(), Some(probe::START_BUSY));
    let mut output = Vec::new();
    let status = loop {
        let p = read_poll(&in_home(probe::poll_run("job 1", output.len() as u64)).stdout).unwrap();
        output.extend_from_slice(&p.chunk);
        if let Some(status) = p.status.filter(|_| p.chunk.is_empty()) {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!((status, String::from_utf8_lossy(&output).as_ref()), (3, "first line\nsecond\n"));
    // A verification started detached, apart from the job's runs, read back the same way.
    let started = in_home(probe::start_verify("job 1", "sleep 1; gzip -t", &good.to_string_lossy(), 30));
    assert_eq!(String::from_utf8_lossy(&started.stdout).trim(), "started", "{started:?}");
    let again = in_home(probe::start_verify("job 1", "gzip -t", &bad.to_string_lossy(), 30));
    assert_eq!(again.status.code(), Some(probe::START_BUSY), "one at a time");
    assert_eq!(in_home(probe::start_run("job 1", "true")).status.code(), Some(0), "a run is apart");
    let mut output = Vec::new();
    let status = loop {
        let p = read_poll(&in_home(probe::poll_verify("job 1", output.len() as u64)).stdout).unwrap();
        output.extend_from_slice(&p.chunk);
        if let Some(status) = p.status.filter(|_| p.chunk.is_empty()) {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(status, 0);
    let v = read_verify(&output).unwrap();
    assert_eq!((v.path.as_str(), v.status), (good.to_str().unwrap(), 0), "{v:?}");
    assert_eq!(v.checksum.as_deref().map(str::len), Some(64));
    let runs = home.join(".cache/yunwei/runs");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&runs).unwrap().permissions().mode() & 0o777, 0o700);
    assert!(read_poll(b"").is_err());
    assert_eq!(read_poll(b"X 3\0tail").unwrap(), probe::Polled { status: Some(3), chunk: b"tail".to_vec() });
    assert_eq!(read_poll(b"X \0").unwrap().status, None);
}
