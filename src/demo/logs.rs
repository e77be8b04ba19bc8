//! The demo's logs: an application that writes while `yunwei demo` runs, so the Logs tab has
//! something to follow on any machine. Three files in the demo's temporary folder: a Java
//! application log in UTF-8 (log4j lines, stack traces, Oracle errors), a data-exchange job's
//! log in GBK, and an nginx access log. The text comes from a seeded generator (the same lines
//! in the same order on every run); the ID and mobile numbers in it are generated (valid check
//! digits and real dates, so masking takes them), never anyone's own. Each file is rotated as
//! logrotate does (renamed to `.1`, a new one started) when it passes a size.

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};

use crate::logs::sources::{LogEncoding, SourceSpec};

/// The generator's seed: the demo's text is the same on every run.
pub const SEED: u64 = 0x7975_6e77_6569_0009;

/// How many records each file starts with, written before the console opens, dated back from
/// the start.
pub const BACKLOG: usize = 160;

/// The size past which a file is rotated.
pub const ROTATE_BYTES: u64 = 64 * 1024;

/// How often the writer wakes up.
const TICK: Duration = Duration::from_millis(250);

/// One of the demo's log files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoFile {
    /// The Java application's log (UTF-8).
    App,
    /// The data-exchange job's log, written in GBK as such jobs on older systems do.
    Exchange,
    /// nginx's access log.
    Access,
}

impl DemoFile {
    pub const ALL: [DemoFile; 3] = [DemoFile::App, DemoFile::Exchange, DemoFile::Access];

    pub fn file_name(self) -> &'static str {
        match self {
            DemoFile::App => "hukou-app.log",
            DemoFile::Exchange => "exchange-gbk.log",
            DemoFile::Access => "nginx-access.log",
        }
    }

    /// The source's name in the Logs pane (a tag, the same in both languages, as a configured
    /// source's name is).
    pub fn source_name(self) -> &'static str {
        match self {
            DemoFile::App => "app",
            DemoFile::Exchange => "exchange",
            DemoFile::Access => "nginx",
        }
    }

    fn index(self) -> usize {
        match self {
            DemoFile::App => 0,
            DemoFile::Exchange => 1,
            DemoFile::Access => 2,
        }
    }

    /// The bytes of `text` as this file holds them.
    pub fn encode(self, text: &str) -> Cow<'_, [u8]> {
        match self {
            DemoFile::Exchange => encoding_rs::GBK.encode(text).0,
            DemoFile::App | DemoFile::Access => Cow::Borrowed(text.as_bytes()),
        }
    }

    fn encoding(self) -> LogEncoding {
        match self {
            DemoFile::Exchange => LogEncoding::Gb18030,
            DemoFile::App | DemoFile::Access => LogEncoding::Utf8,
        }
    }
}

/// The Logs pane's sources for the demo files in `dir`.
/// The demo's `[[log_alerts]]`: Oracle errors in the application log (critical, once in five
/// minutes is enough) and repeated exchange timeouts (a warning at three in ten minutes).
pub fn alert_rules() -> Vec<crate::logs::alerts::LogRule> {
    let rule = |source: &str, name: &str, pattern: &str, level, window_s, min_count| {
        regex::Regex::new(pattern).ok().map(|pattern| crate::logs::alerts::LogRule {
            source: source.into(),
            name: name.into(),
            pattern,
            level,
            window_s,
            min_count,
        })
    };
    use crate::health::Level;
    [
        rule("app", "oracle", "ORA-[0-9]{5}|OutOfMemoryError", Level::Crit, 300, 1),
        rule("exchange", "timeouts", "超时|timed out", Level::Warn, 600, 3),
    ]
    .into_iter()
    .flatten()
    .collect()
}

pub fn specs(dir: &Path) -> Vec<SourceSpec> {
    DemoFile::ALL
        .iter()
        .map(|f| SourceSpec {
            name: f.source_name().to_string(),
            host: None,
            pattern: dir.join(f.file_name()).display().to_string(),
            encoding: f.encoding(),
            journal: None,
        })
        .collect()
}

/// A small, fast, seeded pseudo-random generator (SplitMix64): the same numbers for the same
/// seed on every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// The check character of the first 17 digits of a resident ID number (GB 11643: ISO 7064
/// MOD 11-2).
pub fn id_check_char(first17: &[u8]) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d.saturating_sub(b'0')) * w).sum();
    char::from(CHECK[(sum % 11) as usize])
}

/// Division codes of real counties, so the numbers look like the ones the team meets.
const REGIONS: [&str; 8] = ["110105", "310104", "440305", "460105", "460106", "330106", "510107", "460200"];

/// A generated resident ID number: a real county, a real birth date (1950–2005), a sequence
/// number and the right check character.
pub fn resident_id(rng: &mut Rng) -> String {
    let region = rng.pick(&REGIONS);
    let start = NaiveDate::from_ymd_opt(1950, 1, 1).map_or(0, |d| d.num_days_from_ce());
    let end = NaiveDate::from_ymd_opt(2005, 12, 31).map_or(0, |d| d.num_days_from_ce());
    let day = rng.range(start as u64, end as u64) as i32;
    let born = NaiveDate::from_num_days_from_ce_opt(day).unwrap_or_default();
    let mut id = format!("{region}{}{:03}", born.format("%Y%m%d"), rng.range(1, 999));
    let check = id_check_char(id.as_bytes());
    id.push(check);
    id
}

/// A generated mainland mobile number.
pub fn mobile(rng: &mut Rng) -> String {
    let prefix = rng.pick(&["138", "139", "136", "150", "158", "186", "177", "199"]);
    format!("{prefix}{:08}", rng.below(100_000_000))
}

/// One record for one file: its text, one or more lines, each ending in a newline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoRecord {
    pub file: DemoFile,
    pub text: String,
}

/// The demo's log text, one record at a time, from a seed.
#[derive(Debug, Clone)]
pub struct Generator {
    rng: Rng,
    seq: u64,
}

const THREADS: [&str; 5] =
    ["http-nio-8080-exec-3", "http-nio-8080-exec-7", "http-nio-8080-exec-12", "main", "pool-2-thread-1"];
const OPERATORS: [&str; 4] = ["zhangwei", "lina", "wangfang", "liuyang"];
const PLACES: [&str; 5] = ["海口市龙华区", "三亚市吉阳区", "儋州市那大镇", "琼海市嘉积镇", "文昌市文城镇"];
const JOBS: [&str; 3] = ["省厅人口推送", "出生医学证明交换", "全国人口信息上报"];

impl Generator {
    pub fn new(seed: u64) -> Generator {
        Generator { rng: Rng::new(seed), seq: 0 }
    }

    /// The next record, dated `at`.
    pub fn next_record(&mut self, at: DateTime<FixedOffset>) -> DemoRecord {
        self.seq += 1;
        let roll = self.rng.below(100);
        if roll < 58 {
            DemoRecord { file: DemoFile::App, text: self.app(at) }
        } else if roll < 80 {
            DemoRecord { file: DemoFile::Access, text: self.access(at) }
        } else {
            DemoRecord { file: DemoFile::Exchange, text: self.exchange(at) }
        }
    }

    fn app(&mut self, at: DateTime<FixedOffset>) -> String {
        let r = &mut self.rng;
        let ts = format!("{},{:03}", at.format("%Y-%m-%d %H:%M:%S"), at.timestamp_subsec_millis());
        let thread = r.pick(&THREADS).to_string();
        let line =
            |level: &str, logger: &str, msg: &str| format!("{ts} {level:<5} [{thread}] {logger} - {msg}\n");
        let roll = r.below(100);
        if roll < 40 {
            let msg = match r.below(5) {
                0 => format!(
                    "居民身份证受理完成 受理号 SL{}{:06} 公民身份号码 {} 联系电话 {}",
                    at.format("%Y%m%d"),
                    self.seq,
                    resident_id(r),
                    mobile(r)
                ),
                1 => {
                    format!("户籍迁入登记完成 户号 {:09} 迁入地 {}", r.below(1_000_000_000), r.pick(&PLACES))
                }
                2 => format!(
                    "用户 {} 登录成功 来源 10.20.{}.{}",
                    r.pick(&OPERATORS),
                    r.range(1, 9),
                    r.range(2, 254)
                ),
                3 => {
                    let total = r.range(2000, 9000);
                    format!("批量核查进度 {}/{total}", r.below(total))
                }
                _ => format!("出生登记信息已推送至省人口库 公民身份号码 {}", resident_id(r)),
            };
            let logger = r.pick(&["c.y.hukou.HouseholdService", "c.y.api.IdCardController", "c.y.App"]);
            line("INFO", logger, &msg)
        } else if roll < 58 {
            let msg = match r.below(3) {
                0 => format!(
                    "执行 SQL 耗时 {} ms: SELECT XM, GMSFHM FROM RK_JBXX WHERE GMSFHM = ?",
                    r.range(2, 90)
                ),
                1 => format!("缓存命中 rk:{} 命中率 {}%", resident_id(r), r.range(80, 99)),
                _ => format!("HikariPool-1 连接池 活动 {} 空闲 {}", r.range(1, 20), r.range(0, 10)),
            };
            line("DEBUG", "c.y.dao.PersonDao", &msg)
        } else if roll < 76 {
            let msg = match r.below(4) {
                0 => format!("数据库连接池使用率 {}%（{}/40）", r.range(80, 97), r.range(32, 39)),
                1 => format!("慢查询 {} ms: UPDATE HJ_QYDJ SET ZT = ? WHERE SLH = ?", r.range(1500, 9000)),
                2 => format!("调用公安人口库核查接口超时，第 {} 次重试", r.range(1, 3)),
                _ => format!("短信通知发送失败 手机 {}，稍后重试", mobile(r)),
            };
            line("WARN", "c.y.hukou.HouseholdService", &msg)
        } else if roll < 90 {
            let batch = format!("{}-{:04}", at.format("%Y%m%d"), r.below(10_000));
            let ora = r.pick(&[
                "ORA-03113: 通信通道的文件结尾",
                "ORA-01555: 快照过旧: 回退段号 12 (名称为 \"_SYSSMU12$\") 过小",
                "ORA-00060: 等待资源时检测到死锁",
            ]);
            let mut text =
                line("ERROR", "c.y.sync.PopulationSyncJob", &format!("户籍数据同步失败 批次 {batch} 已回滚"));
            text.push_str(&format!("com.yunwei.sync.SyncException: 户籍数据同步失败: 批次 {batch}\n"));
            text.push_str(&format!(
                "\tat com.yunwei.sync.PopulationSyncJob.push(PopulationSyncJob.java:{})\n",
                r.range(120, 180)
            ));
            text.push_str("\tat com.yunwei.sync.PopulationSyncJob.run(PopulationSyncJob.java:88)\n");
            text.push_str(
                "\tat java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1136)\n",
            );
            text.push_str("\tat java.base/java.lang.Thread.run(Thread.java:840)\n");
            text.push_str(&format!("Caused by: java.sql.SQLRecoverableException: {ora}\n"));
            text.push_str("\tat oracle.jdbc.driver.T4CTTIoer11.processError(T4CTTIoer11.java:509)\n");
            text.push_str("\tat oracle.jdbc.driver.T4CConnection.doRollback(T4CConnection.java:1073)\n");
            text.push_str("\t... 4 more\n");
            text
        } else {
            let id = resident_id(r);
            let mut text = line(
                "ERROR",
                "c.y.api.IdCardController",
                &format!("调用公安人口库核查接口失败 公民身份号码 {id}"),
            );
            text.push_str("java.net.SocketTimeoutException: Read timed out\n");
            text.push_str("\tat java.base/java.net.SocketInputStream.socketRead0(Native Method)\n");
            text.push_str("\tat org.apache.http.impl.io.SessionInputBufferImpl.fillBuffer(SessionInputBufferImpl.java:153)\n");
            text.push_str("\tat com.yunwei.api.PoliceClient.verify(PoliceClient.java:64)\n");
            text.push_str("\tat com.yunwei.api.IdCardController.check(IdCardController.java:41)\n");
            text
        }
    }

    fn exchange(&mut self, at: DateTime<FixedOffset>) -> String {
        let r = &mut self.rng;
        let ts = at.format("%Y-%m-%d %H:%M:%S");
        let job = r.pick(&JOBS);
        let roll = r.below(100);
        let (level, msg) = if roll < 60 {
            ("信息", format!("推送完成 {} 条，耗时 {} 秒", r.range(100, 5000), r.range(1, 40)))
        } else if roll < 75 {
            ("信息", format!("核查 公民身份号码 {} 与公安库不一致，已转人工复核", resident_id(r)))
        } else if roll < 88 {
            ("警告", format!("对端响应慢 {} 毫秒，本批次延后", r.range(3000, 15000)))
        } else {
            let ora = r.pick(&[
                "ORA-12170: TNS: 连接超时",
                "ORA-12541: TNS: 无监听程序",
                "ORA-00001: 违反唯一约束条件",
            ]);
            ("错误", format!("推送失败 {ora}，将于下一周期重试"))
        };
        format!("{ts} [{job}] {level} {msg}\n")
    }

    fn access(&mut self, at: DateTime<FixedOffset>) -> String {
        let r = &mut self.rng;
        let ip = format!("10.20.{}.{}", r.range(1, 9), r.range(2, 254));
        let status = *r.pick(&[200, 200, 200, 200, 200, 200, 304, 404, 499, 500, 502, 504]);
        let (method, path) = match r.below(5) {
            0 => ("GET", format!("/api/hukou/query?sfzh={}", resident_id(r))),
            1 => ("POST", format!("/api/sms/verify?mobile={}", mobile(r))),
            2 => ("GET", format!("/static/js/app.{:08x}.js", r.next_u64() as u32)),
            3 => ("POST", "/api/household/move-in".to_string()),
            _ => ("GET", "/api/sync/status".to_string()),
        };
        let bytes = r.range(120, 40_000);
        let secs = r.range(1, 2500) as f64 / 1000.0;
        format!(
            "{ip} - - [{}] \"{method} {path} HTTP/1.1\" {status} {bytes} \"-\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64)\" {secs:.3}\n",
            at.format("%d/%b/%Y:%H:%M:%S %z")
        )
    }
}

/// The demo's files, appended to and rotated by size.
pub struct DemoLogFiles {
    dir: PathBuf,
    rotate_bytes: u64,
    sizes: [u64; 3],
}

impl DemoLogFiles {
    /// Starts every file empty in `dir` (created private when missing).
    pub fn create(dir: &Path, rotate_bytes: u64) -> std::io::Result<DemoLogFiles> {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        let files = DemoLogFiles { dir: dir.to_path_buf(), rotate_bytes, sizes: [0; 3] };
        for f in DemoFile::ALL {
            files.open(f, true)?;
        }
        Ok(files)
    }

    pub fn path(&self, f: DemoFile) -> PathBuf {
        self.dir.join(f.file_name())
    }

    fn open(&self, f: DemoFile, truncate: bool) -> std::io::Result<std::fs::File> {
        use std::os::unix::fs::OpenOptionsExt;
        let mut o = std::fs::OpenOptions::new();
        o.create(true).mode(0o600);
        if truncate {
            o.write(true).truncate(true);
        } else {
            o.append(true);
        }
        o.open(self.path(f))
    }

    /// Appends one record, in one write, after rotating its file when it would pass the size.
    pub fn append(&mut self, record: &DemoRecord) -> std::io::Result<()> {
        let bytes = record.file.encode(&record.text);
        let i = record.file.index();
        if self.sizes[i] > 0 && self.sizes[i] + bytes.len() as u64 > self.rotate_bytes {
            let path = self.path(record.file);
            let mut old = path.clone().into_os_string();
            old.push(".1");
            std::fs::rename(&path, old)?;
            self.sizes[i] = 0;
        }
        self.open(record.file, false)?.write_all(&bytes)?;
        self.sizes[i] += bytes.len() as u64;
        Ok(())
    }
}

/// How many records a tick writes: mostly none or one (a few a second), now and then a burst.
fn records_this_tick(schedule: &mut Rng) -> usize {
    if schedule.chance(2) {
        schedule.range(8, 20) as usize
    } else if schedule.chance(70) {
        1
    } else {
        0
    }
}

/// The thread writing the demo's logs; stopped and joined when dropped.
pub struct DemoLogWriter {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl DemoLogWriter {
    /// Creates the files in `dir` with their backlog (the records of the minutes before `now`)
    /// and starts the thread that goes on writing.
    pub fn start(dir: &Path, now: DateTime<FixedOffset>) -> std::io::Result<DemoLogWriter> {
        let mut files = DemoLogFiles::create(dir, ROTATE_BYTES)?;
        let mut generator = Generator::new(SEED);
        for record in backlog(&mut generator, now, BACKLOG) {
            files.append(&record)?;
        }
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new().name("yunwei-demo-logs".into()).spawn(move || {
            let mut schedule = Rng::new(SEED ^ 0x5EED);
            loop {
                match stopped.recv_timeout(TICK) {
                    Err(RecvTimeoutError::Timeout) => {}
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
                }
                for _ in 0..records_this_tick(&mut schedule) {
                    let record = generator.next_record(chrono::Local::now().fixed_offset());
                    // The folder went away (the demo is ending): nothing more to write.
                    if files.append(&record).is_err() {
                        return;
                    }
                }
            }
        })?;
        Ok(DemoLogWriter { stop: Some(stop), thread: Some(thread) })
    }
}

impl Drop for DemoLogWriter {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// `n` records dated back from `now`, about one and a half seconds apart, oldest first.
pub fn backlog(generator: &mut Generator, now: DateTime<FixedOffset>, n: usize) -> Vec<DemoRecord> {
    let mut gap = Rng::new(SEED ^ 0xBAC0);
    let mut offsets: Vec<i64> = Vec::with_capacity(n);
    let mut back = 0i64;
    for _ in 0..n {
        back += gap.range(200, 2800) as i64;
        offsets.push(back);
    }
    offsets.iter().rev().map(|ms| generator.next_record(now - chrono::Duration::milliseconds(*ms))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::mask::{find_personal, mask, Kind};

    fn at() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-12-01T10:00:00.123+08:00").unwrap()
    }

    fn sample(n: usize) -> Vec<DemoRecord> {
        let mut g = Generator::new(SEED);
        (0..n).map(|i| g.next_record(at() + chrono::Duration::seconds(i as i64))).collect()
    }

    #[test]
    fn the_text_is_the_same_on_every_run() {
        assert_eq!(sample(300), sample(300));
        let first = &sample(1)[0];
        assert_eq!(first.file, DemoFile::App);
        assert!(first.text.starts_with("2026-12-01 10:00:00,123 "), "{}", first.text);
    }

    #[test]
    fn check_characters_are_iso_7064() {
        // The standard's own example, and one that ends in X.
        assert_eq!(id_check_char(b"11010519491231002"), 'X');
        assert_eq!(id_check_char(b"44030519900307123"), '6');
    }

    #[test]
    fn every_generated_id_and_mobile_is_masked() {
        let mut r = Rng::new(7);
        for _ in 0..500 {
            let id = resident_id(&mut r);
            let line = format!("号码 {id} 手机 {}", mobile(&mut r));
            let kinds: Vec<Kind> = find_personal(&line).into_iter().map(|(_, k)| k).collect();
            assert_eq!(kinds, [Kind::ResidentId, Kind::Mobile], "{line}");
            let masked = mask(&line);
            assert!(masked.contains(&format!("{}********{}", &id[..6], &id[14..])), "{masked}");
        }
    }

    #[test]
    fn the_mix_has_stack_traces_errors_gbk_ora_and_access_lines() {
        let all = sample(400);
        let text =
            |f: DemoFile| all.iter().filter(|r| r.file == f).map(|r| r.text.as_str()).collect::<String>();
        let app = text(DemoFile::App);
        for needle in ["ERROR", "WARN ", "INFO ", "DEBUG", "户籍数据同步失败", "\tat ", "Caused by: ", "ORA-"]
        {
            assert!(app.contains(needle), "no {needle:?} in the app log");
        }
        let exchange = text(DemoFile::Exchange);
        assert!(exchange.contains("错误") && exchange.contains("警告") && exchange.contains("ORA-"));
        let access = text(DemoFile::Access);
        assert!(access.contains("\"GET /api/") && access.contains("HTTP/1.1\" 50"));
        // Every record opens with a time the Logs pane reads; the lines after it have none.
        let now = at();
        for r in &all {
            let first = r.text.lines().next().unwrap_or_default();
            assert!(crate::logs::record::parse_timestamp(first, now).is_some(), "{first}");
            for more in r.text.lines().skip(1) {
                assert!(crate::logs::record::parse_timestamp(more, now).is_none(), "{more}");
            }
        }
        let errors = all
            .iter()
            .filter(|r| crate::logs::record::severity(&r.text) >= Some(crate::logs::record::Severity::Error));
        assert!(errors.count() >= 20);
        assert!(all.iter().filter(|r| find_personal(&r.text).is_empty()).count() > 100);
    }

    #[test]
    fn files_are_written_gbk_where_asked_and_rotated_like_logrotate() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = DemoLogFiles::create(dir.path(), 2048).unwrap();
        for r in sample(300) {
            files.append(&r).unwrap();
        }
        let raw = std::fs::read(files.path(DemoFile::Exchange)).unwrap();
        assert!(std::str::from_utf8(&raw).is_err(), "GBK, not UTF-8");
        let (decoded, _, bad) = encoding_rs::GBK.decode(&raw);
        assert!(!bad && decoded.contains("推送"), "{decoded}");
        for f in DemoFile::ALL {
            let path = files.path(f);
            assert!(std::fs::metadata(&path).unwrap().len() <= 2048);
            let rotated = std::fs::read(format!("{}.1", path.display())).unwrap();
            assert!(rotated.len() as u64 <= 2048 && rotated.ends_with(b"\n"));
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn the_writer_starts_with_a_backlog_keeps_writing_and_stops_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let now = chrono::Local::now().fixed_offset();
        let writer = DemoLogWriter::start(dir.path(), now).unwrap();
        let app = dir.path().join(DemoFile::App.file_name());
        let first = std::fs::metadata(&app).unwrap().len();
        assert!(first > 0);
        let total = || -> u64 {
            DemoFile::ALL
                .iter()
                .map(|f| std::fs::metadata(dir.path().join(f.file_name())).unwrap().len())
                .sum()
        };
        let before = total();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while total() == before {
            assert!(std::time::Instant::now() < deadline, "nothing written");
            std::thread::sleep(Duration::from_millis(100));
        }
        drop(writer);
        let after = total();
        std::thread::sleep(Duration::from_millis(600));
        assert_eq!(total(), after, "still writing after the drop");
        let sources = specs(dir.path());
        assert_eq!(sources.len(), 3);
        assert_eq!(sources[1].encoding, LogEncoding::Gb18030);
    }
}
