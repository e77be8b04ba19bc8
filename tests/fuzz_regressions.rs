//! The fuzz targets on the stable toolchain, in every test run: each replays its committed
//! regression inputs (`fuzz/regressions/<target>/`: what cargo-fuzz runs found, crashes and
//! hangs included, and a sample of their corpora) and then a short seeded mutation run from
//! the project's own fixtures, so a parser that starts
//! to panic on hostile input fails here even where no nightly toolchain is present. The long
//! runs are `scripts/fuzz` (cargo-fuzz, nightly).

use std::fs;
use std::path::{Path, PathBuf};

use yunwei::fuzzing::TARGETS;

/// Mutations per target and run: a few seconds in a debug build for all of them.
const MUTATIONS: usize = 20_000;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The project's own fixtures that make good starting points for `target`.
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let captures = root().join("tests/fixtures/captures");
    let mut files: Vec<PathBuf> = Vec::new();
    let mut walk = vec![captures];
    while let Some(dir) = walk.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    let name_has = |p: &Path, parts: &[&str]| {
        let n = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        parts.iter().any(|x| n.contains(x))
    };
    let mut chosen: Vec<Vec<u8>> = match target {
        "proc_files" => files
            .iter()
            .filter(|p| {
                name_has(p, &["stat", "meminfo", "loadavg", "uptime", "net_dev", "status", "list-units"])
            })
            .filter_map(|p| fs::read(p).ok())
            .collect(),
        "df" => files.iter().filter(|p| name_has(p, &["df"])).filter_map(|p| fs::read(p).ok()).collect(),
        "log_decode" | "sanitize" | "mask" | "timestamps" => files
            .iter()
            .filter(|p| p.to_string_lossy().contains("/logs/") || name_has(p, &["journal", ".json"]))
            .filter_map(|p| fs::read(p).ok())
            .collect(),
        "config" => {
            let dir = root().join("tests/fixtures/bad-config");
            let mut v: Vec<PathBuf> =
                fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
            v.sort();
            v.iter().filter_map(|p| fs::read(p).ok()).collect()
        }
        _ => Vec::new(),
    };
    chosen.extend(builtin_seeds(target));
    chosen
}

fn builtin_seeds(target: &str) -> Vec<Vec<u8>> {
    let s: &[&str] = match target {
        "remote_probe" => &[
            "__YW_BEGIN__\n__YW_SECTION__ stat\ncpu  1 2 3 4 5 6 7 0 0 0\n__YW_SECTION__ meminfo\nMemTotal: 100 kB\nMemAvailable: 50 kB\n__YW_END__\n",
            "This account is currently not available.\n",
        ],
        "security" => &["firewall=active iptables 12\nports=22,80\nfailed_logins=3\nselinux=Enforcing\nclock_synced=yes\nupdates=4\n"],
        "ssh_config" => &[
            "Host web1 \"two words\" !bad *.example\n  HostName %h.example\n  Port 2222\n  ProxyJump u@gw:22,gw2\nMatch all\n  User m\nHost gw\n  ProxyCommand nc %h %p\n  UserKnownHostsFile ~/kh %d/kh2\nInclude conf.d/*\n",
        ],
        "known_hosts" => &[
            "10.0.0.5 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n[10.0.0.5]:2222,web1.example ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ==\n|1|c2FsdA==|aGFzaA== ecdsa-sha2-nistp256 AAAA\n@revoked * ssh-ed25519 AAAA\n@cert-authority *.example ssh-ed25519 AAAA\n",
        ],
        "config" => &["[general]\nlang = \"zh-CN\"\n[[hosts]]\nname = \"app1\"\naddress = \"10.0.0.1\"\njump = \"gw\"\n[[logs]]\nname = \"应用\"\npath = \"/var/log/*.log\"\n"],
        "ticket_import" => &[
            "编号,来电时间,渠道,报告人,联系电话,单位,类别,影响,紧急,摘要,状态,受理时间,解决时间,关闭时间\nE-1,2026-10-08 09:12,电话,李敏,13812345678,三亚市卫生健康委员会,数据,高,中,\"推送失败, 偶发\",已关闭,2026-10-08 09:20,2026-10-08 11:00,2026-10-08 12:00\nE-2,2026/10/09 14:00,email,王海燕,,,software,low,low,慢,cancelled,,,2026-10-09 15:00\n",
        ],
        _ => &[],
    };
    let mut v: Vec<Vec<u8>> = s.iter().map(|x| x.as_bytes().to_vec()).collect();
    // What an adversary reaches for, everywhere.
    v.push(
        "\u{1b}[31mred\u{1b}]0;title\u{7}\u{202e}evil\u{2066} 110105199003071234 13812345678 \r\n"
            .as_bytes()
            .to_vec(),
    );
    v.push(vec![0xff, 0xfe, 0x00, 0x80, b'\n', 0xd5, 0xfd, 0xb3, 0xa3]);
    v
}

/// xorshift64: deterministic, so a failure here is the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&[u8]] = &[
    b"\x1b[",
    b"\x1b]",
    b"\x07",
    b"\xe2\x80\xae",
    b"\xe2\x81\xa6",
    b"\x00",
    b"\n",
    b"\r\n",
    b"%",
    b"%h",
    b"[",
    b"]",
    b"=",
    b"\"",
    b"Host ",
    b"Include ",
    b"110105199003071234",
    b"+8613812345678",
    b"2026-12-01T10:00:00+08:00",
    b"__YW_SECTION__ ",
    b"|1|",
    b"\xff",
    b"\xc0\x80",
    b"{",
    b"}",
    b"9999999999999999999999",
];

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    for _ in 0..=rng.below(8) {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 => data.splice(at..at, TOKENS[rng.below(TOKENS.len())].iter().copied()).for_each(drop),
            2 if !data.is_empty() => {
                let end = (at + rng.below(64)).min(data.len());
                data.drain(at.min(end)..end);
            }
            3 => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len() + 1);
                let to = (from + rng.below(256)).min(other.len());
                data.splice(at..at, other[from..to].iter().copied()).for_each(drop);
            }
            4 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] = (rng.next() & 0xff) as u8;
            }
            _ => data.truncate(at),
        }
    }
    data
}

#[test]
fn every_target_survives_its_corpus_and_a_seeded_mutation_run() {
    let mut report = Vec::new();
    for (name, run) in TARGETS {
        let corpus = root().join("fuzz/regressions").join(name);
        let mut replayed = 0;
        if let Ok(entries) = fs::read_dir(&corpus) {
            let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            files.sort();
            for f in files {
                let data = fs::read(&f).unwrap();
                let outcome = std::panic::catch_unwind(|| run(&data));
                assert!(outcome.is_ok(), "{name}: {} makes the target fail", f.display());
                replayed += 1;
            }
        }
        let seeds = seeds(name);
        assert!(!seeds.is_empty(), "{name} has no seeds");
        for s in &seeds {
            run(s);
        }
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ name.len() as u64);
        for i in 0..MUTATIONS {
            let data = mutate(&mut rng, &seeds);
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "{name}: mutation {i} fails the target; input bytes: {data:?}");
        }
        report.push(format!(
            "{name}: {replayed} regression files, {} seeds, {MUTATIONS} mutations",
            seeds.len()
        ));
    }
    eprintln!("{}", report.join("\n"));
}
