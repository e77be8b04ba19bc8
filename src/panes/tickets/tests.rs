//! The Tickets pane driven through the app with key events, as a user would: the queue's order
//! and marks, filters, acting on a ticket, a stale change, the form, and its snapshots.

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Modifier;

use crate::app::{App, Focus};
use crate::event::{Command, Event, WorkerMsg};
use crate::i18n::{Both, Lang};
use crate::panes::testing::{cell_at, ctx, screen};
use crate::store::tickets::{Caller, Note, Ticket, TicketEvent, TicketFilter};
use crate::theme::Theme;
use crate::tickets::{Category, Channel, Level, Priority, Status};
use crate::workers::tickets::{Did, Opened, TicketsCmd, TicketsMsg};

/// A ticket of `priority` whose status moved as `moves` says (minutes before `now`).
fn ticket(n: u32, priority: Priority, moves: &[(i64, Status)], now: i64, summary: &str) -> Ticket {
    let timeline: Vec<(i64, Status)> = moves.iter().map(|(m, s)| (now - m * 60, *s)).collect();
    let (impact, urgency) = match priority {
        Priority::P1 => (Level::High, Level::High),
        Priority::P2 => (Level::High, Level::Medium),
        Priority::P3 => (Level::Medium, Level::Medium),
        Priority::P4 => (Level::Low, Level::Low),
    };
    Ticket {
        id: i64::from(n),
        number: format!("YW-20261127-{n:03}"),
        channel: Channel::Phone,
        caller: "李敏".into(),
        caller_phone: Some("13812345678".into()),
        unit: Some("三亚市卫生健康委员会".into()),
        category: Category::Data,
        subcategory: None,
        impact,
        urgency,
        priority,
        summary: summary.into(),
        description: String::new(),
        hosts: vec!["db1".into()],
        alert_id: None,
        assignee: n.is_multiple_of(2).then(|| "王工".to_string()),
        escalation_level: 0,
        status: timeline.last().map(|(_, s)| *s).unwrap_or(Status::New),
        created_at: timeline[0].0,
        acknowledged_at: None,
        resolved_at: None,
        closed_at: None,
        updated_at: timeline.last().map(|(t, _)| *t).unwrap_or(now),
        updated_by: "王工".into(),
        version: timeline.len() as i64,
        timeline,
        tags: Vec::new(),
    }
}

/// A night's queue, most urgent first as the thread sorts it.
pub(crate) fn queue(now: i64) -> Vec<Ticket> {
    let mut esc = ticket(
        2,
        Priority::P2,
        &[(180, Status::New), (170, Status::Acknowledged), (160, Status::InProgress)],
        now,
        "证书过期导致接口调用失败",
    );
    esc.escalation_level = 1;
    esc.assignee = Some("李工".into());
    vec![
        ticket(1, Priority::P1, &[(40, Status::New)], now, "人口数据推送失败"),
        esc,
        ticket(3, Priority::P4, &[(10, Status::New)], now, "打印服务异常"),
        ticket(
            4,
            Priority::P3,
            &[
                (300, Status::New),
                (290, Status::Acknowledged),
                (280, Status::InProgress),
                (120, Status::Pending),
            ],
            now,
            "户籍系统登录缓慢",
        ),
    ]
}

fn key(code: KeyCode) -> Event {
    Event::Terminal(TermEvent::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn ctrl(c: char) -> Event {
    Event::Terminal(TermEvent::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)))
}

fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        app.on_event(key(KeyCode::Char(c)));
    }
}

/// The thread's answer to the unfiltered queue: `rows`.
fn queue_read(rows: Vec<Ticket>) -> TicketsMsg {
    TicketsMsg::Queue { filter: TicketFilter::default(), rows, matches: None, p1: Vec::new() }
}

fn msg(app: &mut App, m: TicketsMsg) {
    app.on_event(Event::Worker(WorkerMsg::Tickets(m)));
}

/// The app on the Tickets tab with the night's queue read.
pub(crate) fn tickets_app(lang: Lang) -> App {
    let mut app = App::new(ctx(lang), Vec::new());
    app.focus = Focus::Tickets;
    let now = app.ctx.now.timestamp();
    msg(&mut app, queue_read(queue(now)));
    app.outbox.clear();
    app
}

fn sent(app: &mut App) -> Vec<TicketsCmd> {
    app.outbox
        .drain(..)
        .filter_map(|c| match c {
            Command::Tickets(t) => Some(t),
            _ => None,
        })
        .collect()
}

fn draw(app: &mut App, w: u16, h: u16) -> ratatui::Terminal<ratatui::backend::TestBackend> {
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    term.draw(|f| app.render(f)).unwrap();
    term
}

#[test]
fn the_queue_is_most_urgent_first_and_a_p1_stands_out_in_every_theme() {
    for lang in [Lang::En, Lang::ZhCn] {
        for theme in ["default", "mono"] {
            let mut app = tickets_app(lang);
            app.ctx.theme = Theme::load(theme).unwrap();
            let term = draw(&mut app, 100, 16);
            let text = screen(&term);
            let rows: Vec<&str> = text.lines().filter(|l| l.contains("YW-")).collect();
            assert!(rows[0].contains("‼P1") && rows[0].contains("YW-20261127-001"), "{text}");
            let p1 = cell_at(&term, "‼P1");
            assert!(p1.modifier.contains(Modifier::BOLD), "{theme}: {p1:?}");
            if theme == "mono" {
                assert!(p1.modifier.contains(Modifier::REVERSED), "mono marks a P1 by reversing it: {p1:?}");
            }
            // The P1's response is overdue (40 of 15 minutes), the pending one is paused.
            let (over, paused) =
                if lang == Lang::En { ("over 25m", "paused") } else { ("超时 25m", "暂停") };
            assert!(rows[0].contains(over) && rows[3].contains(paused), "{text}");
            assert!(text.contains("P1: 1") || text.contains("P1：1"), "{text}");
        }
    }
    let mut app = tickets_app(Lang::En);
    app.ctx.ascii = true;
    let text = screen(&draw(&mut app, 100, 16));
    assert!(text.contains("!!P1"), "ASCII mode marks a P1 with !!:\n{text}");
}

#[test]
fn filters_ask_the_thread_and_overdue_is_judged_on_the_clocks_shown() {
    let mut app = tickets_app(Lang::En);
    app.on_event(key(KeyCode::Char('f')));
    app.on_event(key(KeyCode::Char('s')));
    assert_eq!(
        sent(&mut app),
        [TicketsCmd::Query(TicketFilter { statuses: vec![Status::New], ..Default::default() })]
    );
    app.on_event(key(KeyCode::Char('c')));
    app.on_event(key(KeyCode::Char('p')));
    let last = sent(&mut app).pop();
    assert!(
        matches!(&last, Some(TicketsCmd::Query(f)) if f.category == Some(Category::Network) && f.priority == Some(Priority::P1)),
        "{last:?}"
    );
    app.on_event(key(KeyCode::Char('x')));
    sent(&mut app);
    // The thread answers the cleared filter; overdue leaves the P1 alone, asking nothing.
    let now = app.ctx.now.timestamp();
    msg(&mut app, queue_read(queue(now)));
    app.on_event(key(KeyCode::Char('o')));
    assert!(sent(&mut app).is_empty());
    assert_eq!(app.panes.tickets.visible(now).len(), 1);
    app.on_event(key(KeyCode::Esc));
    // A search of every ticket asks for the newest 500.
    app.on_event(key(KeyCode::Char('f')));
    // Open, each of the seven statuses, then every ticket.
    for _ in 0..8 {
        app.on_event(key(KeyCode::Char('s')));
    }
    app.on_event(key(KeyCode::Esc));
    sent(&mut app);
    app.on_event(key(KeyCode::Char('/')));
    typed(&mut app, "推送");
    app.on_event(key(KeyCode::Enter));
    let q = sent(&mut app).pop();
    assert!(
        matches!(&q, Some(TicketsCmd::Query(f)) if f.all && f.limit == Some(500) && f.search.as_deref() == Some("推送")),
        "{q:?}"
    );
}

#[test]
fn acting_on_the_selected_ticket_states_the_version_it_shows() {
    let mut app = tickets_app(Lang::En);
    // Acknowledge the P1 (version 1).
    app.on_event(key(KeyCode::Char('a')));
    assert_eq!(
        sent(&mut app),
        [TicketsCmd::Move { key: "YW-20261127-001".into(), to: Status::Acknowledged, note: None, expect: 1 }]
    );
    // The escalated one is in progress: acknowledging it is refused in words.
    app.on_event(key(KeyCode::Down));
    app.on_event(key(KeyCode::Char('a')));
    assert!(sent(&mut app).is_empty());
    let flash = app.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(flash.contains("only a new ticket is acknowledged"), "{flash}");
    // Move it to pending with a note: the menu names the allowed moves.
    app.on_event(key(KeyCode::Char('m')));
    let text = screen(&draw(&mut app, 100, 16));
    assert!(text.contains("1 pending") && text.contains("2 resolved"), "{text}");
    app.on_event(key(KeyCode::Char('1')));
    typed(&mut app, "等待报告人");
    app.on_event(key(KeyCode::Enter));
    assert_eq!(
        sent(&mut app),
        [TicketsCmd::Move {
            key: "YW-20261127-002".into(),
            to: Status::Pending,
            note: Some("等待报告人".into()),
            expect: 3
        }]
    );
    // Escalate: to whom, then why.
    app.on_event(key(KeyCode::Char('e')));
    typed(&mut app, "二线-刘工");
    app.on_event(key(KeyCode::Enter));
    assert!(sent(&mut app).is_empty());
    typed(&mut app, "需要重签证书");
    app.on_event(key(KeyCode::Enter));
    assert_eq!(
        sent(&mut app),
        [TicketsCmd::Escalate {
            key: "YW-20261127-002".into(),
            to: "二线-刘工".into(),
            reason: "需要重签证书".into(),
            expect: 3
        }]
    );
    // A note, and Esc on a prompt sends nothing.
    app.on_event(key(KeyCode::Char('c')));
    typed(&mut app, "abc");
    app.on_event(key(KeyCode::Esc));
    assert!(sent(&mut app).is_empty());
    app.on_event(key(KeyCode::Char('c')));
    typed(&mut app, "已电话回访");
    app.on_event(key(KeyCode::Enter));
    assert_eq!(
        sent(&mut app),
        [TicketsCmd::Note { key: "YW-20261127-002".into(), text: "已电话回访".into() }]
    );
}

#[test]
fn a_stale_change_says_who_and_r_asks_again_with_the_text_kept() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut app = tickets_app(lang);
        app.on_event(key(KeyCode::Char('A')));
        typed(&mut app, "赵工");
        app.on_event(key(KeyCode::Enter));
        assert!(matches!(&sent(&mut app)[..], [TicketsCmd::Assign { expect: 1, .. }]));
        let why = Both {
            en: "YW-20261127-001 changed since version 1: it is at version 2, changed by 陈工 at 2026-11-27T03:00:00+08:00; read it again".into(),
            zh: "YW-20261127-001 在版本 1 之后已被修改：当前为版本 2，由 陈工 于 2026-11-27T03:00:00+08:00 修改；请重新读取".into(),
        };
        let stale = Some(("陈工".to_string(), app.ctx.now.timestamp() - 240));
        msg(&mut app, TicketsMsg::Refused { key: "YW-20261127-001".into(), why, stale });
        // The queue is asked for again, and the banner leads with the key.
        assert!(matches!(&sent(&mut app)[..], [TicketsCmd::Query(_)]));
        let text = screen(&draw(&mut app, 100, 16));
        let r = if lang == Lang::En { "r reads it again" } else { "按 r 重新读取" };
        let who = if lang == Lang::En {
            "was changed by 陈工 at 2026-11-27 03:00"
        } else {
            "已由 陈工 于 2026-11-27 03:00 修改"
        };
        assert!(text.contains(r) && text.contains(who), "{text}");
        // The thread's fresh queue has the ticket at version 2; r asks again with 赵工 kept.
        let now = app.ctx.now.timestamp();
        let mut rows = queue(now);
        rows[0].version = 2;
        msg(&mut app, queue_read(rows));
        app.on_event(key(KeyCode::Char('r')));
        app.on_event(key(KeyCode::Enter));
        assert_eq!(
            sent(&mut app),
            [TicketsCmd::Assign { key: "YW-20261127-001".into(), to: "赵工".into(), expect: 2 }]
        );
    }
}

#[test]
fn a_phone_ticket_in_ten_keys_with_the_known_caller_filled_in() {
    let mut app = tickets_app(Lang::ZhCn);
    msg(
        &mut app,
        TicketsMsg::Completions {
            units: vec!["三亚市卫生健康委员会".into(), "三亚市公安局".into()],
            callers: vec![Caller {
                phone: "13812345678".into(),
                name: "李敏".into(),
                unit: Some("三亚市卫生健康委员会".into()),
            }],
        },
    );
    let mut keys = 0;
    let mut press = |app: &mut App, e: Event| {
        keys += 1;
        app.on_event(e);
    };
    press(&mut app, key(KeyCode::Char('n')));
    assert!(matches!(&sent(&mut app)[..], [TicketsCmd::SaveDraft(_)]));
    typed(&mut app, "13812345678");
    // Leaving a known number fills in its caller and unit and goes on to the channel.
    press(&mut app, key(KeyCode::Tab));
    let text = screen(&draw(&mut app, 100, 24));
    assert!(text.contains("已知号码：李敏") && text.contains("三亚市卫生健康委员会"), "{text}");
    press(&mut app, key(KeyCode::Char('1'))); // phone
    press(&mut app, key(KeyCode::Char('4'))); // data
    press(&mut app, key(KeyCode::Char('h')));
    press(&mut app, key(KeyCode::Char('m')));
    let text = screen(&draw(&mut app, 100, 24));
    assert!(text.contains("优先级 P2"), "the priority as chosen:\n{text}");
    typed(&mut app, "人口数据推送失败");
    press(&mut app, key(KeyCode::Tab));
    typed(&mut app, "凌晨起");
    app.on_event(key(KeyCode::Enter));
    typed(&mut app, "全部失败");
    press(&mut app, ctrl('s'));
    let cmds = sent(&mut app);
    let Some(TicketsCmd::Create(d)) = cmds.last() else { panic!("{cmds:?}") };
    assert_eq!((d.phone.as_str(), d.caller.as_str()), ("13812345678", "李敏"));
    assert_eq!(d.unit, "三亚市卫生健康委员会");
    assert_eq!(
        (d.channel, d.category, d.impact, d.urgency),
        (Some(Channel::Phone), Some(Category::Data), Some(Level::High), Some(Level::Medium))
    );
    assert_eq!((d.summary.as_str(), d.description.as_str()), ("人口数据推送失败", "凌晨起\n全部失败"));
    assert!(keys <= 10, "{keys} keys beyond the text");
    // Saved: the form closes and the status bar says so.
    let now = app.ctx.now.timestamp();
    let made = ticket(9, Priority::P2, &[(0, Status::New)], now, "人口数据推送失败");
    msg(&mut app, TicketsMsg::Done { did: Did::Created, ticket: Box::new(made) });
    assert!(app.panes.tickets.form.is_none());
    let flash = app.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert_eq!(flash, "已创建工单 YW-20261127-009（P2）");
}

#[test]
fn a_unit_is_completed_and_an_incomplete_form_names_what_it_needs() {
    let mut app = tickets_app(Lang::En);
    msg(
        &mut app,
        TicketsMsg::Completions {
            units: vec!["三亚市卫生健康委员会".into(), "三亚市公安局".into()],
            callers: vec![],
        },
    );
    app.on_event(key(KeyCode::Char('n')));
    app.on_event(key(KeyCode::Tab));
    typed(&mut app, "三亚");
    let text = screen(&draw(&mut app, 100, 24));
    assert!(text.contains("Ctrl-E takes “三亚市卫生健康委员会” · Ctrl-N next (1/2)"), "{text}");
    app.on_event(ctrl('n'));
    app.on_event(ctrl('e'));
    assert_eq!(app.panes.tickets.form.as_ref().map(|f| f.draft().unit), Some("三亚市公安局".to_string()));
    app.on_event(ctrl('s'));
    let flash = app.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert_eq!(flash, "still needed: Caller, Area, Impact, Urgency, Summary");
    assert!(!sent(&mut app).iter().any(|c| matches!(c, TicketsCmd::Create(_))));
}

#[test]
fn esc_on_a_filled_form_asks_and_a_kept_draft_comes_back() {
    let mut app = tickets_app(Lang::En);
    // Esc on an empty form closes it at once.
    app.on_event(key(KeyCode::Char('n')));
    app.on_event(key(KeyCode::Esc));
    assert!(app.panes.tickets.form.is_none());
    assert!(matches!(sent(&mut app).last(), Some(TicketsCmd::DropDraft)));
    app.on_event(key(KeyCode::Char('n')));
    typed(&mut app, "13900001111");
    app.on_event(key(KeyCode::Esc));
    assert!(app.panes.tickets.form.is_some());
    let text = screen(&draw(&mut app, 100, 24));
    assert!(text.contains("Discard this ticket? y discards"), "{text}");
    app.on_event(key(KeyCode::Char('n')));
    assert!(app.panes.tickets.form.is_some(), "n goes back to the form");
    app.on_event(key(KeyCode::Esc));
    app.on_event(key(KeyCode::Char('k')));
    assert!(app.panes.tickets.form.is_none());
    let text = screen(&draw(&mut app, 100, 24));
    assert!(text.contains("A half-filled ticket from"), "{text}");
    app.on_event(key(KeyCode::Char('n')));
    assert_eq!(app.panes.tickets.form.as_ref().map(|f| f.draft().phone), Some("13900001111".to_string()));
    app.on_event(key(KeyCode::Esc));
    app.on_event(key(KeyCode::Char('y')));
    assert!(app.panes.tickets.form.is_none());
    assert!(matches!(sent(&mut app).last(), Some(TicketsCmd::DropDraft)));
    // A draft from an earlier run (the thread reads it at start) comes back too.
    let d = crate::tickets::draft::Draft { summary: "专网中断".into(), ..Default::default() };
    let at = app.ctx.now.timestamp();
    msg(&mut app, TicketsMsg::Draft(Some((Box::new(d), at))));
    app.on_event(key(KeyCode::Char('n')));
    assert_eq!(app.panes.tickets.form.as_ref().map(|f| f.draft().summary), Some("专网中断".to_string()));
}

#[test]
fn the_detail_view_shows_clocks_notes_and_history_with_the_phone_masked() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut app = tickets_app(lang);
        app.on_event(key(KeyCode::Enter));
        assert_eq!(sent(&mut app), [TicketsCmd::Open("YW-20261127-001".into())]);
        let now = app.ctx.now.timestamp();
        let t = queue(now).remove(0);
        let opened = Opened {
            notes: vec![Note {
                id: 1,
                author: "王工".into(),
                text: "已联系报告人".into(),
                created_at: now - 600,
            }],
            history: vec![TicketEvent {
                id: 1,
                seq: 1,
                at: t.created_at,
                actor: "王工".into(),
                field: "status".into(),
                from: None,
                to: Some("new".into()),
            }],
            ticket: t,
        };
        msg(&mut app, TicketsMsg::Opened(Box::new(opened)));
        let term = draw(&mut app, 80, 24);
        let text = screen(&term);
        assert!(text.contains("138****5678") && !text.contains("13812345678"), "{text}");
        assert!(text.contains("已联系报告人"), "{text}");
        let over = if lang == Lang::En { "overdue by 25m" } else { "已超时 25m" };
        assert!(text.contains(over), "{text}");
        insta::assert_snapshot!(format!("ticket_detail_80x24_{}", lang.code()), text);
        app.on_event(key(KeyCode::Esc));
        assert_eq!(sent(&mut app), [TicketsCmd::Close]);
    }
}

#[test]
fn snapshots_of_the_queue_and_the_form() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut app = tickets_app(lang);
        insta::assert_snapshot!(
            format!("ticket_queue_80x24_{}", lang.code()),
            screen(&draw(&mut app, 80, 24))
        );
        insta::assert_snapshot!(
            format!("ticket_queue_40x12_{}", lang.code()),
            screen(&draw(&mut app, 40, 12))
        );
        app.on_event(key(KeyCode::Char('n')));
        typed(&mut app, "13812345678");
        insta::assert_snapshot!(
            format!("ticket_form_80x24_{}", lang.code()),
            screen(&draw(&mut app, 80, 24))
        );
    }
}

#[test]
fn a_cancel_needs_its_reason_and_an_alert_with_a_ticket_says_so() {
    let mut app = tickets_app(Lang::En);
    app.on_event(key(KeyCode::Char('m')));
    app.on_event(key(KeyCode::Char('2')));
    let text = screen(&draw(&mut app, 100, 16));
    assert!(text.contains("cancel YW-20261127-001: why"), "{text}");
    app.on_event(key(KeyCode::Enter));
    assert!(sent(&mut app).is_empty(), "not cancelled without a reason");
    let flash = app.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(flash.contains("needs its reason"), "{flash}");
    app.on_event(key(KeyCode::Char('m')));
    app.on_event(key(KeyCode::Char('2')));
    typed(&mut app, "重复来电");
    app.on_event(key(KeyCode::Enter));
    assert!(
        matches!(&sent(&mut app)[..], [TicketsCmd::Move { to: Status::Cancelled, note: Some(n), .. }] if n == "重复来电")
    );
    // A ticket for alert #3 is in the queue: opening another from it says so.
    let now = app.ctx.now.timestamp();
    let mut rows = queue(now);
    rows[1].alert_id = Some(3);
    msg(&mut app, queue_read(rows));
    let prefill = crate::tickets::draft::Draft {
        alert_id: Some(3),
        channel: Some(Channel::Monitoring),
        ..Default::default()
    };
    let mut out = Vec::new();
    app.panes.tickets.open_form(prefill, Some("db1".into()), Lang::En, &mut out);
    let (flash, _) = app.panes.tickets.take_flash().unwrap_or_default();
    assert_eq!(flash, "alert #3 has its ticket already: YW-20261127-002 (this would be another)");
    assert_eq!(app.panes.tickets.form.as_ref().map(|f| f.draft().channel), Some(Some(Channel::Monitoring)));
}

#[test]
fn the_duty_view_counts_every_open_p1_whatever_the_tabs_filter_shows() {
    let mut app = App::new(ctx(Lang::En), Vec::new());
    let now = app.ctx.now.timestamp();
    let all = queue(now);
    let p1: Vec<_> =
        all.iter().filter(|t| t.priority == Priority::P1 && t.status.is_open()).cloned().collect();
    assert!(!p1.is_empty());
    // The tab filtered down to the P4 tickets: none of them is a P1.
    let p4: Vec<_> = all.iter().filter(|t| t.priority == Priority::P4).cloned().collect();
    msg(
        &mut app,
        TicketsMsg::Queue { filter: TicketFilter::default(), rows: p4, matches: None, p1: p1.clone() },
    );
    assert_eq!(app.duty_figures().p1_open, p1.len());
    assert!(app.duty_figures().p1_next_due.is_some());
}
