//! The demo's ticket queue: a night's open tickets as a real queue has them (a P1 whose
//! response is overdue, one pending with its clock paused, an escalation to the second line,
//! work in progress, fresh calls) and the quarter's closed tickets behind them, so the
//! quarterly report of the demo has content. Deterministic: the same tickets for the same
//! moment. Callers, phone numbers and units are invented.

use chrono::{Datelike, FixedOffset, TimeZone};

use crate::store::tickets::{NewTicket, TicketError};
use crate::store::Store;
use crate::tickets::{Category, Channel, Level, Status};

const UNITS: [&str; 8] = [
    "三亚市卫生健康委员会",
    "海口市公安局龙华分局",
    "儋州市民政局",
    "琼海市人民医院",
    "文昌市社会保险事业局",
    "万宁市教育局",
    "省大数据管理局",
    "五指山市政务服务中心",
];
const CALLERS: [&str; 8] = ["李敏", "王海燕", "陈志强", "符晓东", "吴丽娟", "林建国", "黄小梅", "周涛"];
const ENGINEERS: [&str; 4] = ["王工", "赵工", "陈工", "李工"];
const PROBLEMS: [(&str, Category); 10] = [
    ("人口数据推送失败", Category::Data),
    ("户籍系统登录缓慢", Category::Software),
    ("证书过期导致接口调用失败", Category::Security),
    ("专网链路中断", Category::Network),
    ("数据库服务器磁盘告警", Category::Server),
    ("身份证信息核验超时", Category::Software),
    ("统计报表数据不一致", Category::Data),
    ("防火墙策略需开通端口", Category::Security),
    ("打印服务异常", Category::Server),
    ("交换平台任务积压", Category::Data),
];

/// A repeatable number in [0, n) for a ticket.
fn pick(seed: u64, n: usize) -> usize {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    (x % n as u64) as usize
}

fn call(
    i: u64,
    problem: usize,
    channel: Channel,
    impact: Level,
    urgency: Level,
    hosts: &[&str],
) -> NewTicket {
    let (summary, category) = PROBLEMS[problem % PROBLEMS.len()];
    let unit = UNITS[pick(i, UNITS.len())];
    NewTicket {
        channel: Some(channel),
        caller: CALLERS[pick(i + 7, CALLERS.len())].to_string(),
        caller_phone: Some(format!("1389876{:04}", pick(i + 3, 10_000))),
        unit: Some(unit.to_string()),
        category: Some(category),
        subcategory: None,
        impact: Some(impact),
        urgency: Some(urgency),
        summary: summary.to_string(),
        description: format!("{unit}来电反映：{summary}，影响窗口业务办理。"),
        hosts: hosts.iter().map(|h| h.to_string()).collect(),
        alert_id: None,
        assignee: None,
        tags: Vec::new(),
    }
}

/// Writes the demo queue as of `now` (Unix seconds), unless the database has tickets already.
pub fn seed(store: &mut Store, now: i64, offset: FixedOffset) -> Result<(), TicketError> {
    if store.tickets_mark()? > 0 {
        return Ok(());
    }
    let min = 60;
    let hour = 3600;
    let op = "demo";
    // The quarter's closed tickets: about three a day since the quarter began.
    let local = offset.timestamp_opt(now, 0).single().map(|t| t.date_naive()).unwrap_or_default();
    let q_month = (local.month0() / 3) * 3 + 1;
    let q_start = offset
        .from_local_datetime(
            &chrono::NaiveDate::from_ymd_opt(local.year(), q_month, 1)
                .unwrap_or(local)
                .and_hms_opt(8, 30, 0)
                .unwrap_or_default(),
        )
        .single()
        .map(|t| t.timestamp())
        .unwrap_or(now - 60 * 86_400);
    let channels = [
        Channel::Phone,
        Channel::Phone,
        Channel::Phone,
        Channel::Email,
        Channel::Remote,
        Channel::Onsite,
        Channel::Monitoring,
    ];
    let levels = [Level::High, Level::Medium, Level::Medium, Level::Low, Level::Low];
    let mut i: u64 = 0;
    let mut at = q_start;
    while at < now - 2 * 86_400 {
        i += 1;
        let new = call(
            i,
            pick(i, PROBLEMS.len()),
            channels[pick(i + 1, channels.len())],
            levels[pick(i + 2, levels.len())],
            levels[pick(i + 5, levels.len())],
            &[],
        );
        let who = ENGINEERS[pick(i + 9, ENGINEERS.len())];
        let t = store.create_ticket(&new, op, at, offset)?;
        let n = t.number.clone();
        // Most answered within minutes; one in nine late, one in seven resolved late.
        let ack = if pick(i + 11, 9) == 0 { 50 * min } else { (2 + pick(i, 10) as i64) * min };
        store.assign_ticket(&n, who, None, op, at + ack - 60)?;
        store.move_ticket(&n, Status::Acknowledged, None, None, who, at + ack)?;
        store.move_ticket(&n, Status::InProgress, None, None, who, at + ack + 5 * min)?;
        store.note_ticket(&n, "已远程登录排查，定位到原因", who, at + ack + 30 * min)?;
        let fix = if pick(i + 13, 7) == 0 { 30 * hour } else { (1 + pick(i + 4, 5) as i64) * hour };
        store.move_ticket(&n, Status::Resolved, Some("已处理，报告人确认恢复"), None, who, at + ack + fix)?;
        store.move_ticket(&n, Status::Closed, None, None, who, at + ack + fix + 2 * hour)?;
        at += (5 + pick(i + 17, 14) as i64) * hour;
    }
    // Tonight's queue.
    let p1 = store.create_ticket(
        &NewTicket {
            description: "凌晨起向省平台的人口数据推送全部失败，交换平台日志报连接被重置。".into(),
            ..call(900, 0, Channel::Phone, Level::High, Level::High, &["demo-exchange"])
        },
        op,
        now - 40 * min,
        offset,
    )?;
    let _ = p1;
    let pending = store.create_ticket(
        &call(901, 1, Channel::Phone, Level::Medium, Level::Medium, &["demo-app1"]),
        op,
        now - 5 * hour,
        offset,
    )?;
    store.move_ticket(&pending.number, Status::Acknowledged, None, None, "赵工", now - 5 * hour + 8 * min)?;
    store.move_ticket(&pending.number, Status::InProgress, None, None, "赵工", now - 5 * hour + 15 * min)?;
    store.move_ticket(
        &pending.number,
        Status::Pending,
        Some("等待报告人提供复现时间和截图"),
        None,
        "赵工",
        now - 3 * hour,
    )?;
    let esc = store.create_ticket(
        &call(902, 2, Channel::Email, Level::High, Level::Medium, &["demo-app1", "demo-db1"]),
        op,
        now - 3 * hour,
        offset,
    )?;
    store.move_ticket(&esc.number, Status::Acknowledged, None, None, "王工", now - 3 * hour + 10 * min)?;
    store.move_ticket(&esc.number, Status::InProgress, None, None, "王工", now - 3 * hour + 20 * min)?;
    store.escalate_ticket(&esc.number, "李工", "需要二线重新签发证书", None, "王工", now - 2 * hour)?;
    let work = store.create_ticket(
        &call(903, 4, Channel::Monitoring, Level::Medium, Level::High, &["demo-db1"]),
        op,
        now - 2 * hour,
        offset,
    )?;
    store.assign_ticket(&work.number, "陈工", None, op, now - 2 * hour + 2 * min)?;
    store.move_ticket(&work.number, Status::Acknowledged, None, None, "陈工", now - 2 * hour + 6 * min)?;
    store.move_ticket(&work.number, Status::InProgress, None, None, "陈工", now - 2 * hour + 10 * min)?;
    store.note_ticket(&work.number, "/u01 使用率 92%，正在清理归档日志", "陈工", now - hour)?;
    store.create_ticket(
        &call(904, 8, Channel::Phone, Level::Low, Level::Medium, &[]),
        op,
        now - 20 * min,
        offset,
    )?;
    store.create_ticket(
        &call(905, 7, Channel::Remote, Level::Low, Level::Low, &[]),
        op,
        now - 6 * min,
        offset,
    )?;
    let resolved = store.create_ticket(
        &call(906, 5, Channel::Phone, Level::Medium, Level::Low, &[]),
        op,
        now - 9 * hour,
        offset,
    )?;
    store.move_ticket(
        &resolved.number,
        Status::Acknowledged,
        None,
        None,
        "李工",
        now - 9 * hour + 4 * min,
    )?;
    store.move_ticket(&resolved.number, Status::InProgress, None, None, "李工", now - 9 * hour + 10 * min)?;
    store.move_ticket(
        &resolved.number,
        Status::Resolved,
        Some("已调整核验接口超时时间"),
        None,
        "李工",
        now - hour,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tickets::TicketFilter;
    use crate::tickets::sla::{china_standard_time, clocks, SlaPolicy};
    use crate::tickets::Priority;

    #[test]
    fn the_demo_queue_has_an_overdue_p1_a_paused_clock_an_escalation_and_a_quarter_behind_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("d.db")).unwrap();
        // 2026-12-02 03:00 +08:00.
        let now = 1_796_151_600;
        seed(&mut store, now, china_standard_time()).unwrap();
        let before = store.tickets_mark().unwrap();
        seed(&mut store, now, china_standard_time()).unwrap();
        assert_eq!(store.tickets_mark().unwrap(), before, "seeded once");
        let open = store.tickets(&TicketFilter::default()).unwrap();
        let policy = SlaPolicy::default();
        let p1 = open.iter().find(|t| t.priority == Priority::P1).unwrap();
        assert!(clocks(&policy, p1.priority, &p1.timeline, now).response.breached());
        assert!(open.iter().any(|t| t.status == Status::Pending
            && clocks(&policy, t.priority, &t.timeline, now).resolution.paused));
        assert!(open.iter().any(|t| t.escalation_level == 1));
        let all = store.tickets(&TicketFilter { all: true, ..Default::default() }).unwrap();
        let closed = all.iter().filter(|t| t.status == Status::Closed).count();
        assert!(closed > 100, "{closed} closed tickets this quarter");
        assert!(store.verify_tickets().unwrap().broken.is_empty());
    }
}
