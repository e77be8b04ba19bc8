//! The remote probe's output assembled from the project's own captures
//! (`tests/fixtures/captures/`), as a RHEL 6 host and a BusyBox container would answer.

use super::*;
use crate::testdata::own_fixture;
use std::time::Duration;

fn probe_output(sections: &[(&str, String)]) -> String {
    let nonce = "3d2e91c0-7b4a-4f1e-a6d5-55c0e8b2f019";
    let mut out = format!("@@yunwei:begin:{nonce}\n");
    for (name, body) in sections {
        out.push_str(&format!("@@yunwei:{nonce}:{name}\n{body}"));
    }
    out.push_str(&format!("@@yunwei:{nonce}:end\n"));
    out
}

fn rhel6(stat: String, net: String) -> String {
    let c = |name: &str| own_fixture(&format!("rhel6-2.6.32/{name}"));
    probe_output(&[
        ("stat", stat),
        ("loadavg", c("loadavg")),
        ("meminfo", c("meminfo")),
        ("uptime", c("uptime")),
        ("net/dev", net),
        // procps 3.2.8 `ps -eo pid=,rss=,comm=`, sorted; kthreadd has no resident memory.
        ("ps", " 4471 3201876 java\n    1  1488 init\n    2     0 kthreadd\n".into()),
        ("dfk", c("df_PTk")),
        ("rc 0", String::new()),
        ("dfi", c("df_PTi")),
        ("rc 0", String::new()),
    ])
}

#[test]
fn rhel6_host_two_rounds() {
    let stat = own_fixture("rhel6-2.6.32/stat");
    let net = own_fixture("rhel6-2.6.32/net_dev");
    let mut state = RemoteState::default();
    let t0 = Instant::now();
    let s = parse_probe("db01", &rhel6(stat.clone(), net.clone()), &mut state, t0, 1_700_000_000);
    assert!(state.last_warnings().is_empty(), "{:?}", state.last_warnings());
    assert!(s.reachable);
    assert_eq!(s.cores, Some(16));
    assert_eq!((s.load1, s.load5, s.load15), (Some(0.64), Some(0.71), Some(0.69)));
    assert_eq!(s.uptime_s, Some(4209577));
    // 2.6.32: no MemAvailable, estimated.
    assert_eq!(s.mem_available_kib, Some(1843216 + 402188 + 21774412 + 1133460));
    let top: Vec<(u32, &str)> = s.top_processes.iter().map(|p| (p.pid, p.name.as_str())).collect();
    assert_eq!(top, [(4471, "java"), (1, "init")]);
    let disks: Vec<(&str, &str, f64, Option<f64>)> = s
        .disks
        .iter()
        .map(|d| (d.mount.as_str(), d.fs_type.as_str(), d.used_pct, d.inodes_used_pct))
        .collect();
    assert_eq!(
        disks,
        [
            ("/", "ext4", 29.0, Some(7.0)),
            ("/boot", "ext4", 23.0, Some(1.0)),
            ("/data", "ext4", 77.0, Some(1.0)),
            ("/mnt/backup", "nfs", 60.0, Some(7.0)),
        ]
    );

    // Two seconds later: 300 busy and 700 idle ticks more; eth0 (no space after its colon)
    // received 8000 bytes.
    let stat2 = stat.replacen("cpu  4172233 1208 903114 61230975", "cpu  4172533 1208 903114 61231675", 1);
    let net2 = net.replacen("eth0:83311420977", "eth0:83311428977", 1);
    assert!(stat2 != stat && net2 != net, "fixture changed");
    let s = parse_probe("db01", &rhel6(stat2, net2), &mut state, t0 + Duration::from_secs(2), 0);
    assert_eq!(s.cpu_pct, Some(30.0));
    let eth0 = s.net.iter().find(|n| n.iface == "eth0").unwrap();
    assert_eq!((eth0.rx_bytes_per_s, eth0.tx_bytes_per_s), (4000.0, 0.0));
    assert_eq!(s.net.len(), 4);
}

#[test]
fn busybox_container_without_df_inodes() {
    let out = probe_output(&[
        ("stat", own_fixture("debian11-5.10/stat") + "\n"),
        ("meminfo", own_fixture("debian11-5.10/meminfo")),
        ("dfk", own_fixture("alpine-busybox/df_PTk")),
        ("rc 0", String::new()),
        ("dfi", own_fixture("alpine-busybox/df_Pi-unsupported")),
        ("rc 1", String::new()),
    ]);
    let mut state = RemoteState::default();
    let s = parse_probe("c1", &out, &mut state, Instant::now(), 0);
    assert!(s.reachable);
    let disks: Vec<(&str, Option<f64>)> =
        s.disks.iter().map(|d| (d.mount.as_str(), d.inodes_used_pct)).collect();
    assert_eq!(disks, [("/", None), ("/etc/hosts", None)]);
    let w = state.last_warnings().iter().map(|w| w.en.as_str()).collect::<Vec<_>>().join("\n");
    assert!(w.contains("df -PTi: exit status 1"), "{w}");
    assert!(w.contains("df -PTi: df output: `Filesystem ...` header not found"), "{w}");
}
