//! The parsers on the project's own captures (`tests/fixtures/captures/`, see its README): the
//! same properties as the tests on the shared real captures, on every checkout.

use super::*;
use crate::testdata::own_fixture;

fn counters<'a>(list: &'a [NetCounters], iface: &str) -> &'a NetCounters {
    list.iter().find(|c| c.iface == iface).unwrap_or_else(|| panic!("no {iface} in {list:?}"))
}

fn row<'a>(rows: &'a [DfRow], mount: &str) -> &'a DfRow {
    rows.iter().find(|r| r.mount == mount).unwrap_or_else(|| panic!("no row for {mount:?} in {rows:?}"))
}

// ----- /proc/stat

#[test]
fn stat_2_6_32_has_nine_columns() {
    let s = parse_proc_stat(&own_fixture("rhel6-2.6.32/stat")).unwrap();
    assert_eq!(s.cores, 16);
    assert_eq!(
        s.total,
        CpuTimes {
            user: 4172233,
            nice: 1208,
            system: 903114,
            idle: 61230975,
            iowait: 88412,
            irq: 141,
            softirq: 30377,
            steal: 0,
        }
    );
}

#[test]
fn stat_ten_columns_across_kernels() {
    // (folder, cores, user, idle, steal)
    let cases = [
        ("debian7-3.2-686-pae", 2, 1874311, 98271533, 0),
        ("ubuntu14.04-3.13", 8, 2210933, 40112390, 0),
        ("rhel7-3.10", 4, 982214, 18220911, 0),
        ("ubuntu18.04-4.15", 4, 3311022, 80223991, 0),
        ("debian11-5.10", 6, 5120334, 90221876, 220113),
        ("debian12-6.1", 12, 220411, 3102119, 0),
    ];
    for (dir, cores, user, idle, steal) in cases {
        let s = parse_proc_stat(&own_fixture(&format!("{dir}/stat"))).unwrap();
        assert_eq!((s.cores, s.total.user, s.total.idle, s.total.steal), (cores, user, idle, steal), "{dir}");
    }
}

#[test]
fn stat_without_trailing_newline() {
    let text = own_fixture("debian11-5.10/stat");
    assert!(!text.ends_with('\n'), "fixture changed: expected no final newline");
    let s = parse_proc_stat(&text).unwrap();
    assert_eq!((s.total.irq, s.total.softirq, s.total.steal), (0, 81220, 220113));
}

#[test]
fn stat_192_cpus() {
    let s = parse_proc_stat(&own_fixture("bigsys-192cpu/stat")).unwrap();
    assert_eq!(s.cores, 192);
    assert_eq!(s.total.idle, 19022334112);
    assert_eq!(s.total.iowait, 1203344);
}

#[test]
fn stat_2_4_four_columns_and_other_lines() {
    // 2.4: user nice system idle only, and `page`/`swap`/`disk_io:` lines that are not CPUs.
    let s = parse_proc_stat(&own_fixture("embedded-2.4/stat")).unwrap();
    assert_eq!(s.cores, 1);
    assert_eq!(
        s.total,
        CpuTimes { user: 882211, nice: 0, system: 140223, idle: 9911520, ..Default::default() }
    );
}

#[test]
fn busy_pct_on_own_fixture_pair() {
    let a = parse_proc_stat(&own_fixture("rhel7-3.10/stat")).unwrap();
    let mut b = a.total;
    b.user += 300;
    b.idle += 700;
    assert_eq!(cpu_busy_pct(&a.total, &b), Some(30.0));
}

// ----- loadavg / uptime

#[test]
fn loadavg_across_kernels() {
    let cases = [
        ("embedded-2.4", 0.0, 0.01, 0.0),
        ("rhel6-2.6.32", 0.64, 0.71, 0.69),
        ("debian7-3.2-686-pae", 0.08, 0.04, 0.05),
        ("ubuntu14.04-3.13", 2.14, 1.87, 1.66),
        ("ubuntu18.04-4.15", 1.02, 0.88, 0.79),
        ("debian11-5.10", 0.41, 0.52, 0.47),
        ("debian12-6.1", 2.47, 2.05, 1.93),
    ];
    for (dir, l1, l5, l15) in cases {
        let l = parse_loadavg(&own_fixture(&format!("{dir}/loadavg"))).unwrap();
        assert_eq!((l.load1, l.load5, l.load15), (l1, l5, l15), "{dir}");
    }
}

#[test]
fn uptime_whole_seconds() {
    assert_eq!(parse_uptime(&own_fixture("rhel6-2.6.32/uptime")).unwrap(), 4209577);
    assert_eq!(parse_uptime(&own_fixture("debian11-5.10/uptime")).unwrap(), 1209334);
    assert_eq!(parse_uptime(&own_fixture("debian12-6.1/uptime")).unwrap(), 36011);
}

// ----- meminfo

#[test]
fn meminfo_with_mem_available_3_10_to_7_0() {
    let cases = [
        // folder, total, available, swap total, swap free
        ("rhel7-3.10", 16266508, 11820944, 2097148, 2097148),
        ("debian11-5.10", 4025220, 2911804, 998396, 948220),
        ("debian12-6.1", 32711024, 21402116, 4194300, 3145728),
        ("fedora-7.0-aarch64", 16303212, 10220316, 8388604, 7902212),
    ];
    for (dir, total, avail, st, sf) in cases {
        let m = parse_meminfo(&own_fixture(&format!("{dir}/meminfo"))).unwrap();
        assert_eq!(
            m,
            MemInfo {
                mem_total_kib: total,
                mem_available_kib: avail,
                available_estimated: false,
                swap_total_kib: st,
                swap_free_kib: sf,
            },
            "{dir}"
        );
    }
}

#[test]
fn meminfo_2_6_32_has_no_mem_available() {
    let text = own_fixture("rhel6-2.6.32/meminfo");
    assert!(!text.contains("MemAvailable"));
    let m = parse_meminfo(&text).unwrap();
    assert!(m.available_estimated);
    assert_eq!(m.mem_total_kib, 32877344);
    // MemFree + Buffers + Cached + SReclaimable
    assert_eq!(m.mem_available_kib, 1843216 + 402188 + 21774412 + 1133460);
    let swap = m.swap_used_pct().unwrap();
    assert!((swap - (8388600.0 - 8107544.0) * 100.0 / 8388600.0).abs() < 1e-9, "{swap}");
}

#[test]
fn meminfo_3_13_just_before_mem_available_without_final_newline() {
    let text = own_fixture("ubuntu14.04-3.13/meminfo");
    assert!(!text.ends_with('\n'), "fixture changed: expected no final newline");
    let m = parse_meminfo(&text).unwrap();
    assert!(m.available_estimated);
    assert_eq!(m.mem_available_kib, 311204 + 48112 + 1722340 + 171332);
    let swap = m.swap_used_pct().unwrap();
    assert!((swap - 34.55).abs() < 0.01, "{swap}");
    let used = m.used_pct();
    assert!((used - 71.46).abs() < 0.01, "{used}");
}

#[test]
fn meminfo_32bit_pae_highmem() {
    let m = parse_meminfo(&own_fixture("debian7-3.2-686-pae/meminfo")).unwrap();
    assert!(m.available_estimated);
    assert_eq!(m.mem_total_kib, 3105876);
    assert_eq!(m.mem_available_kib, 914332 + 128804 + 1502264 + 98612);
    assert_eq!(m.swap_used_pct(), Some(0.0));
}

#[test]
fn meminfo_2_4_summary_rows_are_ignored() {
    // `Mem:  62914560 ...` is in bytes and must not be taken for anything.
    let m = parse_meminfo(&own_fixture("embedded-2.4/meminfo")).unwrap();
    assert_eq!(m.mem_total_kib, 61440);
    assert!(m.available_estimated);
    assert_eq!(m.mem_available_kib, 13872 + 3028 + 22416);
    assert_eq!(m.swap_total_kib, 0);
    assert_eq!(m.swap_used_pct(), None);
}

// ----- net/dev

#[test]
fn net_dev_no_space_after_colon_2_6_32_and_3_x() {
    let list = parse_net_dev(&own_fixture("rhel6-2.6.32/net_dev")).unwrap();
    let names: Vec<&str> = list.iter().map(|c| c.iface.as_str()).collect();
    assert_eq!(names, ["lo", "eth0", "eth1", "bond0"]);
    let eth0 = counters(&list, "eth0");
    assert_eq!((eth0.rx_bytes, eth0.tx_bytes), (83311420977, 12004711203));
    assert_eq!((list[2].rx_bytes, list[2].tx_bytes), (2210, 468));
    let list = parse_net_dev(&own_fixture("ubuntu14.04-3.13/net_dev")).unwrap();
    assert_eq!(list.len(), 5);
    let eth0 = counters(&list, "eth0");
    assert_eq!((eth0.rx_bytes, eth0.tx_bytes), (47120918833, 6012773410));
    let veth = counters(&list, "veth7c1e2a0");
    assert_eq!((veth.rx_bytes, veth.tx_bytes), (1208, 3388120));
}

#[test]
fn net_dev_interface_rows_without_header() {
    let list = parse_net_dev(&own_fixture("rhel6-2.6.32/net_dev.iflines")).unwrap();
    assert_eq!(list[0].iface, "lo");
    assert_eq!(list[0].rx_bytes, 918273645);
    let ib0 = counters(&list, "ib0");
    assert_eq!((ib0.rx_bytes, ib0.tx_bytes), (702114556120, 1399200341876));
    let list = parse_net_dev(&own_fixture("debian7-3.2-686-pae/net_dev.iflines")).unwrap();
    let names: Vec<&str> = list.iter().map(|c| c.iface.as_str()).collect();
    assert_eq!(names, ["lo", "eth0", "wlan0"]);
    assert_eq!(list[1].tx_bytes, 88412330);
}

#[test]
fn net_dev_4x_to_6x_and_bigsys() {
    let list = parse_net_dev(&own_fixture("ubuntu18.04-4.15/net_dev")).unwrap();
    let enp = counters(&list, "enp0s31f6");
    assert_eq!((enp.rx_bytes, enp.tx_bytes), (29120443877, 4102993012));
    assert!(list.iter().any(|c| c.iface == "virbr0-nic"));
    let list = parse_net_dev(&own_fixture("debian11-5.10/net_dev")).unwrap();
    assert_eq!(counters(&list, "ens3").tx_bytes, 2204417703);
    assert_eq!(counters(&list, "wg0").rx_bytes, 44120);
    let list = parse_net_dev(&own_fixture("debian12-6.1/net_dev")).unwrap();
    assert_eq!(list.len(), 6);
    let list = parse_net_dev(&own_fixture("bigsys-192cpu/net_dev")).unwrap();
    assert_eq!(list.len(), 40);
    let eth38 = counters(&list, "eth38");
    assert_eq!((eth38.rx_bytes, eth38.tx_bytes), (1_000_000 + 38 * 7919, 500_000 + 38 * 104_729));
}

#[test]
fn rates_per_second_and_counter_reset_on_own_capture() {
    let prev = parse_net_dev(&own_fixture("ubuntu14.04-3.13/net_dev")).unwrap();
    let mut cur = prev.clone();
    for c in &mut cur {
        match c.iface.as_str() {
            "eth0" => {
                c.rx_bytes += 4000;
                c.tx_bytes += 1000;
                c.errors += 3;
                c.drops += 1;
            }
            "docker0" => c.rx_bytes = 10, // reset
            _ => {}
        }
    }
    cur.retain(|c| c.iface != "vethd04bb91");
    cur.push(NetCounters { iface: "new0".into(), rx_bytes: 5, tx_bytes: 5, ..Default::default() });
    let rates = net_rates(&prev, &cur, 2.0);
    let names: Vec<&str> = rates.iter().map(|r| r.iface.as_str()).collect();
    assert_eq!(names, ["lo", "eth0", "docker0", "veth7c1e2a0"]);
    assert_eq!((rates[1].rx_bytes_per_s, rates[1].tx_bytes_per_s), (2000.0, 500.0));
    assert_eq!((rates[1].errors_per_s, rates[1].drops_per_s), (1.5, 0.5));
    assert_eq!((rates[0].errors_per_s, rates[0].drops_per_s), (0.0, 0.0));
    assert_eq!((rates[2].rx_bytes_per_s, rates[2].tx_bytes_per_s), (0.0, 0.0));
}

// ----- df

#[test]
fn df_coreutils_8_4_with_type_and_nfs() {
    let rows = parse_df(&own_fixture("rhel6-2.6.32/df_PTk"), DfKind::Blocks).unwrap();
    assert_eq!(rows.len(), 5);
    let root = row(&rows, "/");
    assert_eq!(root.device, "/dev/mapper/vg_db01-lv_root");
    assert_eq!(root.fs_type.as_deref(), Some("ext4"));
    assert_eq!(
        (root.total, root.used, root.avail, root.pct),
        (Some(51606140), Some(14203484), Some(34781296), Some(29.0))
    );
    let nfs = row(&rows, "/mnt/backup");
    assert_eq!(nfs.device, "filer02.corp.test:/vol/backup");
    assert_eq!(nfs.fs_type.as_deref(), Some("nfs"));
    assert_eq!(nfs.total, Some(2147483648));

    let inodes = parse_df(&own_fixture("rhel6-2.6.32/df_PTi"), DfKind::Inodes).unwrap();
    let disks = merge_disks(&rows, &inodes);
    let got: Vec<(&str, &str, f64, Option<f64>)> =
        disks.iter().map(|d| (d.mount.as_str(), d.fs_type.as_str(), d.used_pct, d.inodes_used_pct)).collect();
    assert_eq!(
        got,
        [
            ("/", "ext4", 29.0, Some(7.0)),
            ("/boot", "ext4", 23.0, Some(1.0)),
            ("/data", "ext4", 77.0, Some(1.0)),
            ("/mnt/backup", "nfs", 60.0, Some(7.0)),
        ]
    );
}

#[test]
fn df_wrapped_devices_without_p() {
    let rows = parse_df(&own_fixture("rhel6-2.6.32/df_Tk-wrapped"), DfKind::Blocks).unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(row(&rows, "/").device, "/dev/mapper/vg_db01-lv_root");
    assert_eq!(row(&rows, "/").fs_type.as_deref(), Some("ext4"));
    let nfs = row(&rows, "/mnt/backup");
    assert_eq!(nfs.device, "filer02.corp.test:/vol/backup");
    assert_eq!(nfs.fs_type.as_deref(), Some("nfs"));
    assert_eq!((nfs.used, nfs.avail, nfs.pct), (Some(1288490188), Some(858993460), Some(60.0)));

    let rows = parse_df(&own_fixture("rhel6-2.6.32/df_li-wrapped"), DfKind::Inodes).unwrap();
    assert_eq!(rows.len(), 5);
    let root = row(&rows, "/");
    assert_eq!(root.device, "/dev/mapper/vg_db01-lv_root");
    assert_eq!(
        (root.total, root.used, root.avail, root.pct),
        (Some(3276800), Some(201377), Some(3075423), Some(7.0))
    );
    assert_eq!(row(&rows, "/data").total, Some(26214400));
    assert_eq!(row(&rows, "/mnt/usb stick").used, Some(12));

    let rows = parse_df(&own_fixture("alpine-busybox/df_k-wrapped"), DfKind::Blocks).unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(row(&rows, "/etc/resolv.conf").device, "/dev/mapper/ubuntu--vg-ubuntu--lv");
    assert_eq!(row(&rows, "/etc/resolv.conf").pct, Some(70.0));
}

#[test]
fn df_alp_pseudo_filesystems_dashes_and_spaces() {
    let rows = parse_df(&own_fixture("rhel7-3.10/df_alP"), DfKind::Blocks).unwrap();
    assert_eq!(rows.len(), 20);
    assert!(rows.iter().all(|r| r.fs_type.is_none()));
    let autofs = row(&rows, "/proc/sys/fs/binfmt_misc");
    assert_eq!(autofs.device, "systemd-1");
    assert_eq!((autofs.total, autofs.used, autofs.avail, autofs.pct), (None, None, None, None));
    assert_eq!(row(&rows, "/sys").pct, None);
    assert_eq!(row(&rows, "/sys").total, Some(0));
    let build = row(&rows, "/srv/build area");
    assert_eq!(build.device, "/dev/sdb1");
    assert_eq!((build.total, build.pct), (Some(209612800), Some(10.0)));

    let disks = merge_disks(&rows, &[]);
    let mounts: Vec<&str> = disks.iter().map(|d| d.mount.as_str()).collect();
    assert_eq!(mounts, ["/", "/boot", "/home", "/srv/build area"]);
    assert_eq!(disks[0].fs_type, "");
    assert_eq!(disks[0].used_pct, 14.0);
    assert_eq!(disks[2].used_pct, 59.0);
    assert_eq!(disks[2].inodes_used_pct, None);
}

#[test]
fn df_skips_diagnostics_and_blank_lines() {
    let rows = parse_df(&own_fixture("rhel7-3.10/df_alP-stderr"), DfKind::Blocks).unwrap();
    assert_eq!(rows.len(), 7);
    assert_eq!(rows[0].mount, "/");
    assert_eq!(rows[5].mount, "/home");
    assert_eq!(rows[6].mount, "/sys/fs/cgroup");
}

#[test]
fn df_snap_squashfs_and_vfat_without_inodes() {
    let blocks = parse_df(&own_fixture("ubuntu18.04-4.15/df_PTk"), DfKind::Blocks).unwrap();
    let inodes = parse_df(&own_fixture("ubuntu18.04-4.15/df_PTi"), DfKind::Inodes).unwrap();
    assert_eq!((blocks.len(), inodes.len()), (9, 9));
    assert_eq!(row(&inodes, "/boot/efi").pct, None);
    assert_eq!(row(&blocks, "/snap/core/6350").pct, Some(100.0));
    let disks = merge_disks(&blocks, &inodes);
    let got: Vec<(&str, &str, f64, Option<f64>)> =
        disks.iter().map(|d| (d.mount.as_str(), d.fs_type.as_str(), d.used_pct, d.inodes_used_pct)).collect();
    assert_eq!(
        got,
        [
            ("/", "ext4", 45.0, Some(4.0)),
            ("/boot/efi", "vfat", 2.0, None),
            ("/srv/media", "xfs", 84.0, Some(1.0))
        ]
    );
}

#[test]
fn df_busybox() {
    // -P without -T: no Type column; the long device name stays on its line.
    let rows = parse_df(&own_fixture("alpine-busybox/df_Pk"), DfKind::Blocks).unwrap();
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|r| r.fs_type.is_none()));
    assert_eq!(row(&rows, "/etc/resolv.conf").device, "/dev/mapper/ubuntu--vg-ubuntu--lv");
    let disks = merge_disks(&rows, &[]);
    let mounts: Vec<&str> = disks.iter().map(|d| d.mount.as_str()).collect();
    assert!(mounts.contains(&"/") && mounts.contains(&"/etc/resolv.conf"), "{mounts:?}");
    assert!(!mounts.contains(&"/dev") && !mounts.contains(&"/proc/acpi"), "tmpfs rows: {mounts:?}");
    // -PT: with types, tmpfs is known by its type whatever the device is called.
    let rows = parse_df(&own_fixture("alpine-busybox/df_PTk"), DfKind::Blocks).unwrap();
    let disks = merge_disks(&rows, &[]);
    let got: Vec<(&str, &str, f64)> =
        disks.iter().map(|d| (d.mount.as_str(), d.fs_type.as_str(), d.used_pct)).collect();
    assert_eq!(got, [("/", "overlay", 70.0), ("/etc/hosts", "ext4", 70.0)]);
    // A busybox built without -i answers with its usage: no header, an error.
    assert!(matches!(
        parse_df(&own_fixture("alpine-busybox/df_Pi-unsupported"), DfKind::Inodes),
        Err(ParseError::Missing { .. })
    ));
}

// ----- /proc/[pid]/status

#[test]
fn status_across_kernels() {
    let cases = [
        ("rhel6-2.6.32/1_status", 1, "init", 1488),
        ("rhel6-2.6.32/4471_status", 4471, "java", 3201876),
        ("debian7-3.2-686-pae/2211_status", 2211, "postgres", 29612),
        ("ubuntu14.04-3.13/1827_status", 1827, "tmux", 6044),
        ("rhel7-3.10/3301_status", 3301, "Web Content", 588120),
        ("ubuntu18.04-4.15/12044_status", 12044, "dockerd", 91204),
        ("debian11-5.10/30412_status", 30412, "gnome-terminal-", 58816),
        ("debian12-6.1/5120_status", 5120, "Isolated Web Co", 880412),
        ("ubuntu24.04-6.8/31207_status", 31207, "nginx", 8812),
        ("ubuntu24.04-6.8/40112_status", 40112, "pause", 4),
        // Read from directory 1187 although its Pid: line says 2301.
        ("mips-openwrt/1187_status", 1187, "uhttpd", 988),
    ];
    for (path, pid, name, rss) in cases {
        let p = parse_proc_status(&own_fixture(path), pid);
        assert_eq!(p, Some(ProcessMem { pid, name: name.into(), rss_kib: rss, by_yunwei: false }), "{path}");
    }
}

#[test]
fn status_kernel_threads_have_no_rss() {
    for path in [
        "rhel6-2.6.32/2_status",
        "debian7-3.2-686-pae/2_status",
        "ubuntu18.04-4.15/2_status",
        "debian12-6.1/2_status",
        "ubuntu24.04-6.8/88_status",
    ] {
        let text = own_fixture(path);
        assert!(!text.contains("VmRSS"), "{path}");
        assert_eq!(parse_proc_status(&text, 2), None, "{path}");
    }
}

// ----- systemctl

#[test]
fn failed_units_in_every_list_units_form() {
    let two = ["logrotate.service", "smartmontools.service"];
    assert_eq!(parse_failed_units(&own_fixture("debian11-5.10/list-units-failed")), two);
    assert_eq!(parse_failed_units(&own_fixture("debian11-5.10/list-units-failed-C-locale")), two);
    assert_eq!(parse_failed_units(&own_fixture("debian11-5.10/list-units-failed-plain")), two);
    assert_eq!(
        parse_failed_units(&own_fixture("nixos-systemd246/list-units-all")),
        ["home-manager-ops.service"]
    );
    assert_eq!(
        parse_failed_units(&own_fixture("rhel7-3.10/list-units")),
        ["kdump.service", "NetworkManager-wait-online.service", "rhnsd.service", "vdo.service"]
    );
    assert!(parse_failed_units(&own_fixture("rhel7-3.10/list-units-healthy")).is_empty());
}
