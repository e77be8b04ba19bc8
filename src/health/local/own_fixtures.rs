//! The local probe on a /proc built from the project's own captures (`tests/fixtures/captures/`):
//! the same properties as the tests on the shared real captures, on every checkout.

use super::*;
use crate::testdata::own_fixture;

/// A fake /proc in a temporary directory, filled with `(path in /proc, own capture)` pairs.
fn proc_root(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, capture) in files {
        write(&dir, rel, &own_fixture(capture));
    }
    dir
}

fn write(dir: &tempfile::TempDir, rel: &str, text: &str) {
    let path = dir.path().join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

#[test]
fn debian12_root_two_samples() {
    let d = "debian12-6.1";
    let files: Vec<(String, String)> = [
        ("stat", "stat"),
        ("loadavg", "loadavg"),
        ("meminfo", "meminfo"),
        ("uptime", "uptime"),
        ("net/dev", "net_dev"),
        ("1/status", "1_status"),
        ("2/status", "2_status"),
        ("812/status", "812_status"),
        ("4402/status", "4402_status"),
        ("5120/status", "5120_status"),
        ("6021/status", "6021_status"),
    ]
    .iter()
    .map(|(rel, name)| (rel.to_string(), format!("{d}/{name}")))
    .collect();
    let pairs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let root = proc_root(&pairs);
    write(&root, "self/status", "Name:\tnot-a-pid\nVmRSS:\t99999999 kB\n");
    fs::create_dir_all(root.path().join("7777")).unwrap(); // vanished: no status file

    let mut probe = LocalProbe::with_root("own".into(), root.path().to_path_buf()).with_commands(false);
    let first = probe.sample();
    assert!(probe.last_warnings().is_empty(), "{:?}", probe.last_warnings());
    assert!(first.reachable);
    assert_eq!(first.error, None);
    assert_eq!(first.cpu_pct, None);
    assert!(first.net.is_empty());
    assert_eq!(first.cores, Some(12));
    assert_eq!((first.load1, first.load5, first.load15), (Some(2.47), Some(2.05), Some(1.93)));
    assert_eq!(first.uptime_s, Some(36011));
    assert_eq!((first.mem_total_kib, first.mem_available_kib), (Some(32711024), Some(21402116)));
    let mem = first.mem_used_pct.unwrap();
    assert!((mem - (32711024.0 - 21402116.0) * 100.0 / 32711024.0).abs() < 1e-9, "{mem}");
    assert_eq!(first.swap_total_kib, Some(4194300));
    let swap = first.swap_used_pct.unwrap();
    assert!((swap - (4194300.0 - 3145728.0) * 100.0 / 4194300.0).abs() < 1e-9, "{swap}");
    let top: Vec<(u32, &str, u64)> =
        first.top_processes.iter().map(|p| (p.pid, p.name.as_str(), p.rss_kib)).collect();
    assert_eq!(
        top,
        [
            (5120, "Isolated Web Co", 880412),
            (4402, "firefox-esr", 690004),
            (812, "postgres", 146332),
            (1, "systemd", 12804),
            (6021, "pool worker", 4096),
        ]
    );
    assert!(first.disks.is_empty());
    assert!(first.failed_units.is_empty());

    // Second reading: 100 more busy ticks and 300 more idle ticks; eno1 received bytes.
    let stat = own_fixture(&format!("{d}/stat"));
    let bumped = stat.replacen("cpu  220411 1120 80223 3102119", "cpu  220511 1120 80223 3102419", 1);
    assert_ne!(bumped, stat, "fixture changed");
    write(&root, "stat", &bumped);
    let net = own_fixture(&format!("{d}/net_dev"));
    let bumped = net.replacen("eno1: 120334871220", "eno1: 120344871220", 1);
    assert_ne!(bumped, net, "fixture changed");
    write(&root, "net/dev", &bumped);
    let second = probe.sample();
    assert_eq!(second.cpu_pct, Some(25.0));
    assert_eq!(second.net.len(), 6);
    let eno1 = second.net.iter().find(|n| n.iface == "eno1").unwrap();
    assert!(eno1.rx_bytes_per_s > 0.0);
    assert_eq!(eno1.tx_bytes_per_s, 0.0);
    assert!(second.net.iter().filter(|n| n.iface != "eno1").all(|n| n.rx_bytes_per_s == 0.0));
}

#[test]
fn rhel6_meminfo_alone_still_gives_a_sample() {
    let root = proc_root(&[("meminfo", "rhel6-2.6.32/meminfo")]);
    write(&root, "stat", "garbage\n");
    let mut probe = LocalProbe::with_root("half".into(), root.path().to_path_buf()).with_commands(false);
    let s = probe.sample();
    assert!(s.reachable);
    assert_eq!(s.error, None);
    assert_eq!(s.mem_total_kib, Some(32877344));
    // 2.6.32: no MemAvailable, estimated.
    assert_eq!(s.mem_available_kib, Some(1843216 + 402188 + 21774412 + 1133460));
    assert_eq!((s.cores, s.load1), (None, None));
    let warnings = probe.last_warnings().iter().map(|w| w.en.as_str()).collect::<Vec<_>>().join("\n");
    assert!(warnings.contains("loadavg"), "{warnings}");
    assert!(warnings.contains("/proc/stat: aggregate `cpu` line not found"), "{warnings}");
}

#[test]
fn every_kernel_generation_gives_cpu_and_memory() {
    for d in ["rhel6-2.6.32", "debian7-3.2-686-pae", "ubuntu14.04-3.13", "debian11-5.10", "debian12-6.1"] {
        let (stat, loadavg, meminfo) = (format!("{d}/stat"), format!("{d}/loadavg"), format!("{d}/meminfo"));
        let root = proc_root(&[("stat", &stat), ("loadavg", &loadavg), ("meminfo", &meminfo)]);
        let mut probe = LocalProbe::with_root(d.into(), root.path().to_path_buf()).with_commands(false);
        let s = probe.sample();
        assert!(s.reachable, "{d}");
        assert!(s.cores.unwrap() >= 2, "{d}");
        assert!(s.load1.is_some() && s.mem_used_pct.is_some(), "{d}");
        assert!((0.0..=100.0).contains(&s.mem_used_pct.unwrap()), "{d}");
    }
}
