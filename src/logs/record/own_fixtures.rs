//! Timestamps, severities and records on the project's own logs (`tests/fixtures/captures/logs/`):
//! the same properties as the tests on the shared real logs, on every checkout.

use super::*;
use crate::logs::decode::{split_lines, Decoder, Encoding};
use crate::testdata::{own_fixture, own_fixture_bytes};

fn t(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn records_of(text: &str, now: DateTime<FixedOffset>) -> Vec<Record> {
    let mut builder = RecordBuilder::new(now);
    let mut records = Vec::new();
    for line in text.lines() {
        records.extend(builder.push(line.to_string()));
    }
    records.extend(builder.flush());
    records
}

#[test]
fn access_log_every_line_dated() {
    let log = own_fixture("logs/access-combined.log");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 20);
    let now = t("2024-12-31T00:00:00+00:00");
    let (first, range) = parse_timestamp(lines[0], now).unwrap();
    assert_eq!(first, t("2024-06-03T09:07:00+08:00"));
    assert_eq!(&lines[0][range], "03/Jun/2024:09:07:00 +0800");
    // The last line's client is an IPv6 address, colons and all.
    assert!(lines[19].starts_with("2001:db8::7 "));
    assert_eq!(parse_timestamp(lines[19], now).unwrap().0, t("2024-06-03T10:04:07+08:00"));
    assert!(lines.iter().all(|l| parse_timestamp(l, now).is_some()));
    assert!(lines.iter().all(|l| severity(l).is_none()), "no level words in an access log");
}

#[test]
fn java_stack_traces_make_records() {
    let log = own_fixture("logs/java-service-stacktraces.log");
    let now = t("2024-06-01T00:00:00+08:00");
    let records = records_of(&log, now);
    assert_eq!(records.iter().map(|r| r.lines.len()).sum::<usize>(), log.lines().count());
    assert_eq!(records.len(), 9);
    assert_eq!(records[0].ts.unwrap().to_rfc3339(), "2024-05-14T02:10:03.118+08:00");
    assert!(records.iter().all(|r| r.ts.is_some()));
    // The failed batch: its exception, four frames, a `Caused by:` with two frames and `... 9 more`.
    let failed = &records[3];
    assert_eq!(failed.severity, Some(Severity::Error));
    assert_eq!(failed.lines.len(), 10);
    assert!(failed.lines[6].starts_with("Caused by: java.net.ConnectException"));
    assert_eq!(failed.lines[9], "\t... 9 more");
    assert_eq!(records[6].lines.len(), 4);
    let count = |s| records.iter().filter(|r| r.severity == Some(s)).count();
    assert_eq!(
        (count(Severity::Debug), count(Severity::Info), count(Severity::Warn), count(Severity::Error)),
        (1, 4, 2, 2)
    );
}

#[test]
fn auth_logs_and_sysklogd_messages() {
    let now = t("2024-12-31T00:00:00+00:00");
    let log = own_fixture("logs/auth-ubuntu22.04.log");
    let first = parse_timestamp(log.lines().next().unwrap(), now).unwrap();
    assert_eq!(first, (t("2024-06-10T06:25:01+00:00"), 0..15));
    assert!(log.lines().all(|l| parse_timestamp(l, now).is_some()));
    let errors = log.lines().filter(|l| severity(l) == Some(Severity::Error)).count();
    assert_eq!(errors, log.lines().filter(|l| l.contains(": error: ")).count());
    assert_eq!(errors, 2);

    let log = own_fixture("logs/secure-rhel8.log");
    let now = t("2023-12-31T00:00:00+00:00");
    let dated: Vec<_> = log.lines().map(|l| parse_timestamp(l, now).map(|(dt, _)| dt)).collect();
    assert!(dated.iter().all(Option::is_some));
    // `Oct  1`: a single-digit day padded with a space.
    assert_eq!(dated[6], Some(t("2023-10-01T00:00:03+00:00")));

    let log = own_fixture("logs/auth-debian13-rfc3339.log");
    let (first, range) = parse_timestamp(log.lines().next().unwrap(), now).unwrap();
    assert_eq!(first, t("2025-08-20T14:02:11.204512+02:00"));
    assert_eq!(range, 0..32);

    let syslog = own_fixture("logs/messages-centos5-sysklogd.log");
    let now = t("2024-12-31T00:00:00+08:00");
    let first = parse_timestamp(syslog.lines().next().unwrap(), now).unwrap().0;
    assert_eq!(first, t("2024-02-03T04:02:01+08:00"));
    assert!(syslog.lines().all(|l| parse_timestamp(l, now).is_some()));
}

#[test]
fn every_timestamp_form_gives_its_annotated_time() {
    // Each `## at <time>` line gives the wall-clock time of the line below it.
    let log = own_fixture("logs/timestamp-forms.log");
    let lines: Vec<&str> = log.lines().collect();
    let now = t("2024-12-31T23:59:59+05:00");
    let mut checked = 0;
    for pair in lines.windows(2) {
        let Some(expected) = pair[0].strip_prefix("## at ") else { continue };
        let (dt, _) = parse_timestamp(pair[1], now).unwrap_or_else(|| panic!("no time in {:?}", pair[1]));
        assert_eq!(dt.naive_local().format("%Y-%m-%dT%H:%M:%S").to_string(), expected, "{}", pair[1]);
        checked += 1;
    }
    assert_eq!(checked, 10);
}

#[test]
fn gbk_log_is_decoded_then_dated_and_graded() {
    let bytes = own_fixture_bytes("logs/app-gbk.log");
    assert!(std::str::from_utf8(&bytes).is_err(), "fixture changed: expected GBK bytes");
    let mut decoder = Decoder::new(Encoding::Auto);
    let (raw, used) = split_lines(&bytes);
    assert_eq!(used, bytes.len());
    let lines: Vec<String> = raw.iter().map(|l| decoder.decode_line(l)).collect();
    assert_eq!(lines.len(), 5);
    assert!(lines[1].ends_with("磁盘空间不足：/data 剩余 4%"), "{}", lines[1]);
    let now = t("2024-12-31T00:00:00+08:00");
    assert_eq!(parse_timestamp(&lines[2], now).unwrap().0, t("2024-03-18T09:05:40.511+08:00"));
    let levels: Vec<Option<Severity>> = lines.iter().map(|l| severity(l)).collect();
    use Severity::*;
    assert_eq!(levels, [Some(Info), Some(Warn), Some(Error), Some(Info), Some(Info)]);
}
