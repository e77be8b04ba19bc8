//! Sessions dropped after a command timed out are freed, directly and through a jump host: a
//! console whose hosts go away and come back for weeks must not lose memory with each
//! reconnect. Its own test binary, since it reads the allocator's totals for the whole process.

mod support {
    pub mod sshd;
}

use std::fs;
use std::time::Duration;

use support::sshd::{self, Sshd};
use yunwei::ssh::{ErrorKind, HostKeyCheck, SshPool, SshSettings, Target};

/// Bytes in use by malloc in every arena, and in blocks of their own.
fn heap_in_use() -> usize {
    // SAFETY: mallinfo2 only reads the allocator's statistics.
    let info = unsafe { libc::mallinfo2() };
    info.uordblks + info.hblkhd
}

#[test]
fn sessions_dropped_after_a_timeout_are_freed() {
    let dir = tempfile::tempdir().unwrap();
    let key = sshd::user_key(dir.path(), "id_ed25519", "ed25519", "");
    let host = Sshd::start(&["ed25519"], &[&key]);
    let bastion = Sshd::start(&["ed25519"], &[&key]);
    let known_hosts = dir.path().join("known_hosts");
    fs::write(
        &known_hosts,
        format!("{}\n{}\n", host.known_hosts_line("ed25519"), bastion.known_hosts_line("ed25519")),
    )
    .unwrap();
    let pool = SshPool::new(SshSettings {
        known_hosts,
        global_known_hosts: Vec::new(),
        host_key_check: HostKeyCheck::Strict,
        host_key_check_set: true,
        connect_timeout: Duration::from_secs(5),
        command_timeout: Duration::from_secs(5),
    });
    let direct = Target { endpoint: host.endpoint("web1", &key), via: Vec::new() };
    let behind =
        Target { endpoint: host.endpoint("web2", &key), via: vec![bastion.endpoint("bastion", &key)] };
    let cycle = |target: &Target| {
        let mut conn = pool.connect(target).expect("connects");
        let err = conn.exec_with_timeout("sleep 30", Duration::from_millis(150)).expect_err("times out");
        assert_eq!(err.kind, ErrorKind::Timeout, "{err:?}");
    };
    // The first rounds allocate what lives as long as the process (OpenSSL's tables, the
    // pool's bastion session).
    for _ in 0..4 {
        cycle(&direct);
        cycle(&behind);
    }
    let before = heap_in_use();
    let rounds = 25;
    for _ in 0..rounds {
        cycle(&direct);
        cycle(&behind);
    }
    let grown = heap_in_use().saturating_sub(before);
    // A lost session costs some 80 KiB: 50 of them would be about 4 MiB.
    assert!(grown < 1024 * 1024, "{grown} bytes more in use after {} timed-out sessions", 2 * rounds);
}
