//! The Backups pane driven through the app with key events: the jobs grouped by host and kind,
//! verifying and running the selected job (a confirmation first, a second run refused), the
//! output streaming in, and its snapshots at 80x24 and 40x12 in both languages.

use std::time::Duration;

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};

use crate::app::{App, Focus};
use crate::backups::{classify, Artefact, Due, Kind, Seen, Spec, Verification, Zone};
use crate::event::{Command, Event, WorkerMsg};
use crate::i18n::Lang;
use crate::panes::testing::{ctx, screen};
use crate::workers::backups::{BackupsCmd, BackupsMsg, JobStatus};

const NOW: i64 = 1_764_666_600; // 2025-12-02 17:10 in Beijing

fn zone() -> Zone {
    Zone::of_host("Asia/Shanghai", "+0800")
}

fn status(name: &str, host: &str, kind: Kind, artefacts: Vec<(i64, u64)>, verify: Option<i32>) -> JobStatus {
    let spec = Spec {
        name: name.into(),
        host: Some(host.into()),
        path: format!("/backup/{name}/*.gz"),
        kind,
        due: Due::Every(Duration::from_secs(86400)),
        grace: Duration::from_secs(6 * 3600),
        min_size: Some(1_000_000),
        shrink_pct: Some(50),
        verify: Some("gzip -t".into()),
        run: Some(format!("/opt/scripts/{name}.sh")),
    };
    let matches: Vec<Artefact> = artefacts
        .iter()
        .enumerate()
        .map(|(i, (age, size))| Artefact {
            path: format!("/backup/{name}/{i}.gz"),
            size: *size,
            mtime: NOW - age,
        })
        .collect();
    let seen = if host == "down" {
        Seen::Unreachable("connection refused".into())
    } else {
        Seen::Files {
            now: NOW,
            zone: zone(),
            matches: matches.clone(),
            no_folder: false,
            running_since: None,
        }
    };
    let verification = match (verify, matches.first()) {
        (Some(status), Some(a)) => Some(Verification {
            path: a.path.clone(),
            mtime: a.mtime,
            size: a.size,
            at: NOW - 60,
            status,
            output: if status == 0 { String::new() } else { "gzip: unexpected end of file".into() },
            checksum: (status == 0).then(|| "ab".repeat(32)),
        }),
        _ => None,
    };
    let verdict = classify(&spec, &seen, verification.as_ref());
    let reason_en = crate::backup_words::reason(verdict.reason(), zone(), Lang::En);
    let reason_zh = crate::backup_words::reason(verdict.reason(), zone(), Lang::ZhCn);
    JobStatus {
        name: name.into(),
        host: Some(host.into()),
        kind,
        sizes: matches.iter().rev().map(|a| a.size).collect(),
        verdict,
        zone: zone(),
        reason_en,
        reason_zh,
        verification,
        verify_error: None,
        verifying: false,
        run: spec.run.clone(),
        verify: spec.verify.clone(),
        checked_at: NOW,
    }
}

fn jobs() -> Vec<JobStatus> {
    vec![
        status(
            "db1-oracle-expdp",
            "db1",
            Kind::Backup,
            vec![(3600, 310_000_000), (90_000, 300_000_000), (176_400, 305_000_000)],
            Some(0),
        ),
        status("db1-mysql-dump", "db1", Kind::Backup, vec![(7200, 20_000_000), (93_600, 240_000_000)], None),
        status("app1-logs", "app1", Kind::Backup, vec![(10_000, 4_000_000)], Some(1)),
        status("民政-推送", "exchange", Kind::Push, vec![(3 * 86400, 5_000_000)], None),
        status("户籍-接收", "exchange", Kind::Receive, vec![(90_000, 5_000_000)], None),
        status("offsite", "down", Kind::Backup, vec![], None),
    ]
}

fn key(code: KeyCode) -> Event {
    Event::Terminal(TermEvent::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn msg(app: &mut App, m: BackupsMsg) {
    app.on_event(Event::Worker(WorkerMsg::Backups(m)));
}

fn backups_app(lang: Lang) -> App {
    let mut app = App::new(ctx(lang), Vec::new());
    app.focus = Focus::Backups;
    msg(&mut app, BackupsMsg::Checked(jobs()));
    app.outbox.clear();
    app
}

fn sent(app: &mut App) -> Vec<BackupsCmd> {
    app.outbox
        .drain(..)
        .filter_map(|c| match c {
            Command::Backups(b) => Some(b),
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
fn jobs_are_grouped_by_host_and_kind_with_their_states() {
    let mut app = backups_app(Lang::En);
    let text = screen(&draw(&mut app, 120, 30));
    for want in ["app1 · backup", "db1 · backup", "exchange · push", "exchange · receive", "down · backup"]
    {
        assert!(text.contains(want), "{want}:\n{text}");
    }
    assert!(text.contains("! failed    app1-logs"), "{text}");
    assert!(text.contains("! shrunk    db1-mysql-dump"), "{text}");
    assert!(text.contains("✓ ok        db1-oracle-expdp"), "{text}");
    assert!(text.contains("? unknown   offsite"), "{text}");
    assert!(text.contains("~ late      户籍-接收"), "{text}");
    assert!(text.contains("! missing   民政-推送"), "{text}");
    assert!(text.contains("6 jobs  1 ok  1 late  1 shrunk  1 missing  1 failed  1 unknown"), "{text}");
    // The selected job (the first in order) in full, with its verification's output.
    assert!(text.contains("verification exited with status 1: gzip: unexpected end of file"), "{text}");
}

#[test]
fn verify_and_run_the_selected_job_after_a_confirmation() {
    let mut app = backups_app(Lang::En);
    app.on_event(key(KeyCode::Char('v')));
    assert_eq!(sent(&mut app), [BackupsCmd::Verify("app1-logs".into())]);
    // b asks first, naming host and command; n cancels.
    app.on_event(key(KeyCode::Char('b')));
    let text = screen(&draw(&mut app, 100, 30));
    assert!(text.contains("Run on app1?") && text.contains("/opt/scripts/app1-logs.sh"), "{text}");
    app.on_event(key(KeyCode::Char('n')));
    assert!(sent(&mut app).is_empty());
    app.on_event(key(KeyCode::Char('b')));
    app.on_event(key(KeyCode::Char('y')));
    assert_eq!(sent(&mut app), [BackupsCmd::Run("app1-logs".into())]);
    msg(
        &mut app,
        BackupsMsg::RunStarted {
            job: "app1-logs".into(),
            host: "app1".into(),
            command: "/opt/scripts/app1-logs.sh".into(),
        },
    );
    msg(
        &mut app,
        BackupsMsg::RunOutput { job: "app1-logs".into(), text: "packing\x1b[31m logs\n50%\n".into() },
    );
    let text = screen(&draw(&mut app, 100, 30));
    assert!(text.contains("packing\\u{1b}[31m logs") && text.contains("50%"), "escaped, streamed:\n{text}");
    // A second run while it runs is refused, nothing sent.
    app.on_event(key(KeyCode::Char('b')));
    assert!(sent(&mut app).is_empty());
    let flash = app.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(flash.contains("a run is in progress"), "{flash}");
    msg(&mut app, BackupsMsg::RunEnded { job: "app1-logs".into(), status: Some(2) });
    let flash = app.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(flash.contains("exit 2"), "{flash}");
    let text = screen(&draw(&mut app, 100, 30));
    assert!(text.contains("ended, exit 2"), "{text}");
    // A run the thread refuses (already running on its host) leaves the job free to ask again.
    app.on_event(key(KeyCode::Down));
    app.on_event(key(KeyCode::Char('b')));
    app.on_event(key(KeyCode::Char('y')));
    let job = match sent(&mut app).as_slice() {
        [BackupsCmd::Run(job)] => job.clone(),
        other => panic!("{other:?}"),
    };
    app.on_event(key(KeyCode::Char('b')));
    assert!(sent(&mut app).is_empty(), "asked again before the thread answered");
    msg(
        &mut app,
        BackupsMsg::Refused {
            job: job.clone(),
            why: "a run of this job is already in progress on its host".into(),
        },
    );
    app.on_event(key(KeyCode::Char('b')));
    let text = screen(&draw(&mut app, 100, 30));
    assert!(text.contains("y: run"), "asked again after the refusal:\n{text}");
    app.on_event(key(KeyCode::Char('n')));
    // r checks every job now.
    app.on_event(key(KeyCode::Char('r')));
    assert_eq!(sent(&mut app), [BackupsCmd::CheckNow]);
}

#[test]
fn snapshots() {
    for lang in [Lang::En, Lang::ZhCn] {
        for (w, h) in [(80, 24), (40, 12)] {
            let mut app = backups_app(lang);
            app.on_event(key(KeyCode::Down));
            app.on_event(key(KeyCode::Down));
            let text = screen(&draw(&mut app, w, h));
            insta::assert_snapshot!(format!("backups_{}_{w}x{h}", lang.code()), text);
        }
    }
}
