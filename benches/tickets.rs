//! The ticket queue at scale, the Rust side of `benches/tickets.sh`:
//!
//! `tickets seed DB N`: N tickets over a quarter, each with about ten events (created, status,
//! priority, assigned, acknowledged, in progress, two notes, resolved, closed), 5 % left open,
//! their summaries and notes Chinese phrases from a small vocabulary.
//!
//! `tickets time DB [RUNS]`: the store's list (open tickets, most urgent first, with their SLA
//! clocks), filters (status, assignee, category, priority) and searches (a two-character
//! Chinese word, two words, an ASCII word), each RUNS times (default 20); prints the median
//! and worst in milliseconds as JSON lines. Run without arguments (as `cargo bench` does) it
//! only prints its usage.

use std::time::Instant;

use yunwei::store::tickets::{NewTicket, TicketFilter};
use yunwei::store::Store;
use yunwei::tickets::sla::{self, china_standard_time, SlaPolicy};
use yunwei::tickets::{Category, Channel, Level, Status};

const USAGE: &str = "usage: tickets seed DB N | tickets time DB [RUNS]";

const SUBJECTS: &[&str] =
    &["人口数据", "户籍系统", "数据交换", "备份任务", "身份核验", "省平台接口", "统计报表", "网络专线"];
const PROBLEMS: &[&str] =
    &["推送失败", "访问缓慢", "登录报错", "同步中断", "证书过期", "磁盘告警", "无法打印", "超时"];
const UNITS: &[&str] =
    &["三亚市卫生健康委员会", "海口市公安局", "儋州市民政局", "琼海市人民医院", "省政务服务中心"];
const PEOPLE: &[&str] = &["王工", "赵工", "钱工", "孙工", "李工"];

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["seed", db, n] => n.parse().map_err(|e| format!("N: {e}")).and_then(|n| seed(db, n)),
        ["time", db] => time(db, 20),
        ["time", db, runs] => runs.parse().map_err(|e| format!("RUNS: {e}")).and_then(|r| time(db, r)),
        _ => {
            println!("{USAGE}");
            Ok(())
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tickets: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn seed(db: &str, n: usize) -> Result<(), String> {
    let mut store = Store::open(std::path::Path::new(db)).map_err(|e| e.to_string())?;
    // 2026-10-01 00:00 +08:00, and a ticket every quarter / n.
    let start = 1_790_784_000_i64;
    let step = (92 * 86_400 / n.max(1)) as i64;
    let levels = [Level::High, Level::Medium, Level::Low];
    let begun = Instant::now();
    for i in 0..n {
        let at = start + i as i64 * step;
        let subject = SUBJECTS[i % SUBJECTS.len()];
        let problem = PROBLEMS[(i / 3) % PROBLEMS.len()];
        let new = NewTicket {
            channel: Some(Channel::ALL[i % Channel::ALL.len()]),
            caller: format!("来电人{}", i % 997),
            caller_phone: Some(format!("1381234{:04}", i % 10_000)),
            unit: Some(UNITS[i % UNITS.len()].to_string()),
            category: Some(Category::ALL[i % Category::ALL.len()]),
            impact: Some(levels[i % 3]),
            urgency: Some(levels[(i / 3) % 3]),
            summary: format!("{subject}{problem}"),
            description: format!("{}报告{subject}{problem}，影响业务办理，编号 {i}", UNITS[i % UNITS.len()]),
            hosts: vec![format!("app{}", i % 40)],
            ..Default::default()
        };
        if i % 10_000 == 0 && i > 0 {
            eprintln!("seeded {i} tickets in {:.0} s", begun.elapsed().as_secs_f64());
        }
        let who = PEOPLE[i % PEOPLE.len()];
        let t = store.create_ticket(&new, who, at, china_standard_time()).map_err(|e| format!("{e:?}"))?;
        let key = t.number.clone();
        store
            .assign_ticket(&key, PEOPLE[(i + 1) % PEOPLE.len()], None, who, at + 60)
            .map_err(|e| format!("{e:?}"))?;
        store
            .move_ticket(&key, Status::Acknowledged, None, None, who, at + 300)
            .map_err(|e| format!("{e:?}"))?;
        if i % 20 == 0 {
            continue;
        }
        store
            .move_ticket(&key, Status::InProgress, None, None, who, at + 600)
            .map_err(|e| format!("{e:?}"))?;
        store.note_ticket(&key, "已联系报告人，正在排查", who, at + 900).map_err(|e| format!("{e:?}"))?;
        store
            .note_ticket(&key, &format!("处理完毕，原因：{problem}"), who, at + 3000)
            .map_err(|e| format!("{e:?}"))?;
        store
            .move_ticket(&key, Status::Resolved, None, None, who, at + 3600)
            .map_err(|e| format!("{e:?}"))?;
        store.move_ticket(&key, Status::Closed, None, None, who, at + 7200).map_err(|e| format!("{e:?}"))?;
    }
    Ok(())
}

fn time(db: &str, runs: usize) -> Result<(), String> {
    let store = Store::open(std::path::Path::new(db)).map_err(|e| e.to_string())?;
    let policy = SlaPolicy::default();
    // The end of the quarter, when the open tickets are all overdue.
    let now = 1_798_732_800_i64;
    let cases: Vec<(&str, TicketFilter, bool)> = vec![
        ("list_open_sorted_by_sla", TicketFilter::default(), true),
        (
            "filter_status_pending_or_new",
            TicketFilter { statuses: vec![Status::Acknowledged], all: true, ..Default::default() },
            true,
        ),
        ("filter_assignee_open", TicketFilter { assignee: Some("赵工".into()), ..Default::default() }, true),
        (
            "filter_category_all_limit_100",
            TicketFilter {
                category: Some(Category::Data),
                all: true,
                limit: Some(100),
                ..Default::default()
            },
            false,
        ),
        (
            "search_two_chinese_chars_all_limit_100",
            TicketFilter { search: Some("推送".into()), all: true, limit: Some(100), ..Default::default() },
            false,
        ),
        (
            "search_rare_all_limit_100",
            TicketFilter {
                search: Some("编号 99999".into()),
                all: true,
                limit: Some(100),
                ..Default::default()
            },
            false,
        ),
        (
            "search_chinese_all_limit_500",
            TicketFilter {
                search: Some("证书过期".into()),
                all: true,
                limit: Some(500),
                ..Default::default()
            },
            false,
        ),
        (
            "search_two_words_open",
            TicketFilter { search: Some("户籍 超时".into()), ..Default::default() },
            true,
        ),
        (
            "search_chinese_all",
            TicketFilter { search: Some("证书过期".into()), all: true, ..Default::default() },
            false,
        ),
    ];
    let count =
        store.tickets(&TicketFilter { all: true, ..Default::default() }).map_err(|e| e.to_string())?.len();
    println!("{{\"tickets\": {count}}}");
    for (name, filter, sort) in cases {
        let mut times = Vec::new();
        let mut found = 0;
        for _ in 0..runs {
            let t0 = Instant::now();
            let mut tickets = store.tickets(&filter).map_err(|e| e.to_string())?;
            if sort {
                tickets.sort_by_cached_key(|t| {
                    let c = sla::clocks(&policy, t.priority, &t.timeline, now);
                    sla::urgency_key(&c, t.priority, t.created_at, now)
                });
            }
            found = tickets.len();
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{{\"metric\": \"{name}\", \"found\": {found}, \"median_ms\": {:.2}, \"max_ms\": {:.2}}}",
            times[times.len() / 2],
            times[times.len() - 1]
        );
    }
    Ok(())
}
