//! The demo's security baseline: each demo host inspected as the script would read it (the
//! captured shapes of CentOS 6 as root, CentOS 7 as an ordinary login and a hardened Ubuntu),
//! with signs of compromise planted on the exchange host (a miner run from /tmp and deleted,
//! its pool on the command line, a cron line added since the recorded baseline), and last
//! quarter's inspection and postures (failed SSH logins, password guessing on the exchange
//! host), so the demo's database yields an inspection report with findings and a follow-up.

use crate::baseline::script::read;
use crate::baseline::signs::Record;
use crate::baseline::{inspect, Settings};
use crate::store::Store;

const CENTOS6: &str = include_str!("../../tests/fixtures/baseline/centos6-root.out");
const CENTOS7: &str = include_str!("../../tests/fixtures/baseline/centos7-user.out");
const UBUNTU: &str = include_str!("../../tests/fixtures/baseline/ubuntu2204-hardened-root.out");

/// What the miner on demo-exchange left in the run (before the end line), read by the ordinary
/// login the exchange runs as (root's processes cannot be looked into: said).
const MINER: &str = "@@ exe $
 ls: cannot read symbolic link '/proc/1/exe': Permission denied
 lrwxrwxrwx 1 exch exch 0 Dec  1 02:13 /proc/23817/exe -> /tmp/.ICE-unix/.x/kdevtmpfsi (deleted)
 lrwxrwxrwx 1 exch exch 0 Dec  1 02:13 /proc/23902/exe -> /usr/bin/perl
@@. 0
@@ comm $
 1\tsystemd
 23817\tkdevtmpfsi
 23902\tperl
@@. 0
@@ ps $
     1 /usr/lib/systemd/systemd --system
 23817 /tmp/.ICE-unix/.x/kdevtmpfsi -o stratum+tcp://203.0.113.77:3333 -u 4AcX
 23902 [kworker/0:2]
@@. 0
@@ estab $
 0 0 10.20.3.40:42117 203.0.113.77:3333 users:((\"kdevtmpfsi\",pid=23817,fd=9))
@@. 0
@@ pids $
 proc 1 23817 23902
 ps 1 23817 23902
 proc 1 23817 23902
 ps 1 23817 23902
@@. 0
@@ cron /var/spool/cron/exch
 */5 * * * * /tmp/.ICE-unix/.x/kdevtmpfsi >/dev/null 2>&1
";

/// What a clean host shows in the signs part, read as root: every executable where its
/// package put it, the same PIDs in `/proc` and `ps` both times, one SSH session.
const CLEAN_ROOT: &str = "@@ exe $
 lrwxrwxrwx 1 root root 0 Dec  1 02:13 /proc/1/exe -> /usr/lib/systemd/systemd
 ls: cannot read symbolic link '/proc/2/exe': No such file or directory
 lrwxrwxrwx 1 root root 0 Dec  1 02:13 /proc/1202/exe -> /usr/sbin/sshd
 lrwxrwxrwx 1 root root 0 Dec  1 02:13 /proc/1501/exe -> /usr/sbin/nginx
 lrwxrwxrwx 1 app app 0 Dec  1 02:13 /proc/4242/exe -> /usr/lib/jvm/java-11-openjdk/bin/java
@@. 0
@@ comm $
 1\tsystemd
 2\tkthreadd
 1202\tsshd
 1501\tnginx
 4242\tjava
@@. 0
@@ ps $
     1 /usr/lib/systemd/systemd --system
     2 [kthreadd]
  1202 sshd: /usr/sbin/sshd -D [listener]
  1501 nginx: master process /usr/sbin/nginx
  4242 /usr/lib/jvm/java-11-openjdk/bin/java -jar /app/rkxx/rkxx.jar
@@. 0
@@ estab $
 0 0 10.20.3.11:22 10.20.1.5:51514 users:((\"sshd\",pid=1202,fd=4))
@@. 0
@@ pids $
 proc 1 2 1202 1501 4242
 ps 1 2 1202 1501 4242
 proc 1 2 1202 1501 4242
 ps 1 2 1202 1501 4242
@@. 0
";

/// The same read by an ordinary login: other users' executables cannot be read (said).
const CLEAN_USER: &str = "@@ exe $
 ls: cannot read symbolic link '/proc/1/exe': Permission denied
 ls: cannot read symbolic link '/proc/1202/exe': Permission denied
 lrwxrwxrwx 1 app app 0 Dec  1 02:13 /proc/4242/exe -> /usr/lib/jvm/java-1.8.0/bin/java
@@. 0
@@ comm $
 1\tsystemd
 1202\tsshd
 4242\tjava
@@. 0
@@ ps $
     1 /usr/lib/systemd/systemd --system
  1202 /usr/sbin/sshd -D
  4242 /usr/lib/jvm/java-1.8.0/bin/java -jar /app/rkxx/rkxx.jar
@@. 0
@@ estab $
 0 0 10.20.4.21:22 10.20.1.5:50022 users:((\"sshd\",pid=1202,fd=4))
@@. 0
@@ pids $
 proc 1 1202 4242
 ps 1 1202 4242
 proc 1 1202 4242
 ps 1 1202 4242
@@. 0
";

fn without_end(text: &str) -> &str {
    text.find("@@ end $").map_or(text, |at| &text[..at])
}

/// Each demo host's run: its name and the script's output (none for the host that is down).
fn runs() -> Vec<(&'static str, String)> {
    vec![
        ("demo-app1", format!("{}{CLEAN_ROOT}@@ end $\n", without_end(UBUNTU))),
        ("demo-db1", format!("{}{CLEAN_ROOT}@@ end $\n", without_end(CENTOS6))),
        ("演示-海口应用2", format!("{}{CLEAN_USER}@@ end $\n", without_end(CENTOS7))),
        ("demo-exchange", format!("{}{MINER}@@ end $\n", without_end(CENTOS7))),
    ]
}

/// Stores last quarter's inspection (a little before `now - 92 days`), the baseline recorded
/// then, and this quarter's inspection a day ago; demo-backup could not be reached.
pub fn seed(store: &mut Store, now: i64, offset: chrono::FixedOffset) -> crate::store::Result<()> {
    // Once: a demo database opened again keeps what it has.
    if store.latest_baseline_run("demo-app1")?.is_some() {
        return Ok(());
    }
    let settings = Settings::default();
    let today = now.div_euclid(86_400);
    let then_at = now - 95 * 86_400;
    for (host, text) in runs() {
        let out = read(&text);
        // Last quarter: the clean shape of the same host, recorded as its baseline; demo-app1
        // was then still the CentOS 7 it has since been rebuilt from (its problems fixed).
        let earlier_text = if host == "demo-app1" { CENTOS7 } else { text.as_str() };
        let before =
            read(&format!("{}@@ end $\n", without_end(earlier_text).split("@@ exe $").next().unwrap_or("")));
        let earlier = inspect(&before, &settings, today - 95, None);
        store.record_baseline_run(host, then_at, Ok(&earlier))?;
        let record: Record = earlier.record.clone();
        store.set_baseline_record(host, then_at, &record)?;
        let now_run = inspect(&out, &settings, today, Some(&record));
        store.record_baseline_run(host, now - 86_400, Ok(&now_run))?;
        let (new, gone) = crate::baseline::signs::listener_changes(&now_run.record, &record);
        let changes = crate::alerts::baseline::changes(
            host,
            &now_run.signs.found,
            &now_run.signs.looked,
            Some((&new, &gone)),
            now_run.complete,
            now - 86_400,
        );
        store.apply_alert_changes(&changes)?;
    }
    store.record_baseline_run("demo-backup", now - 86_400, Err("connection refused (127.0.0.1:2299)"))?;
    // A quarter of postures, two a day: a few mistyped passwords here and there, and on
    // demo-exchange a week of password guessing three weeks ago.
    for day in 1..=95_i64 {
        for (i, host) in ["demo-app1", "demo-db1", "演示-海口应用2", "demo-exchange"].into_iter().enumerate()
        {
            let typo = u32::from((day + i as i64) % 9 == 0) * (1 + (day as u32 % 3));
            let guessing = host == "demo-exchange" && (19..26).contains(&day);
            let n = if guessing { 180 + (25 - day as u32) * 160 } else { typo };
            for at in [now - day * 86_400 - 3_600, now - day * 86_400 - 43_200] {
                store.record_posture(host, at, offset, Some(n))?;
            }
        }
    }
    Ok(())
}
