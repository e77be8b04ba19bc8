//! Failed SSH logins counted in the project's own auth logs (`tests/fixtures/captures/logs/`):
//! the same properties as the test on the shared real logs, on every checkout. The expected
//! counts were worked out by hand, connection by connection, in the comments.

use super::*;
use crate::testdata::own_fixture;

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

#[test]
fn key_only_sshd_on_ubuntu_counts_unabsorbed_connections() {
    // No `Failed password` at all: invalid users 41230, 41980, 41988, 42240, and 41555 that ran
    // out of attempts (two summary lines, one connection). Closing lines and kex errors do
    // not count.
    let log = own_fixture("logs/auth-ubuntu22.04.log");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(count_failed_logins(&lines, None), 5);
    // Jun 10 08:02 .. Jun 11 00:05: 41230, 41555, 41980, and 41988 logged at 00:00:02, in the
    // five minutes after the clock reading.
    assert_eq!(count_failed_logins(&lines, Some(at("2024-06-11 00:00:00"))), 4);
    assert_eq!(count_failed_logins(&lines, Some(at("2024-06-11 12:00:00"))), 3);
    assert_eq!(count_failed_logins(&lines, Some(at("2024-06-12 00:00:00"))), 2);
    // Read in January, June is last year's: nothing in the window.
    assert_eq!(count_failed_logins(&lines, Some(at("2025-01-02 00:00:00"))), 0);
    // Read a year later on the same day: June 10 is taken as this year's, counted again.
    assert_eq!(count_failed_logins(&lines, Some(at("2025-06-11 00:00:00"))), 4);
}

#[test]
fn password_logins_on_rhel_with_repeats_and_pam() {
    // 9120: one `Failed password` plus `message repeated 2 times` = 3, its PAM line and the
    // summary lines absorbed; 9311: 1; 9315: PAM and invalid-user lines absorbed by its one
    // `Failed password` = 1; 9810: keyboard-interactive = 1.
    let log = own_fixture("logs/secure-rhel8.log");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(count_failed_logins(&lines, None), 6);
    assert_eq!(count_failed_logins(&lines, Some(at("2023-10-01 00:00:00"))), 5);
    assert_eq!(count_failed_logins(&lines, Some(at("2023-10-02 00:00:00"))), 2);
}

#[test]
fn rfc3339_stamps_and_sshd_session() {
    // 3310: invalid user = 1; 3322: two `Failed password` = 2; 3904: PAM absorbed by its
    // `Failed password` = 1. Wall-clock times (+02:00) decide the window.
    let log = own_fixture("logs/auth-debian13-rfc3339.log");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(count_failed_logins(&lines, None), 4);
    assert_eq!(count_failed_logins(&lines, Some(at("2025-08-21 00:00:00"))), 3);
    assert_eq!(count_failed_logins(&lines, Some(at("2025-08-22 00:00:00"))), 1);
}
