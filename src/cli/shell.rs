//! `yunwei shell HOST`: an interactive, recorded and audited shell on a host through its jump
//! chain (this machine's login shell for a local host); `yunwei shell --list` lists the
//! sessions from the audit log; `yunwei replay FILE` plays a recording back.

use std::io::IsTerminal;
use std::time::Duration;

use serde_json::json;

use crate::cli::errors::{print_clean, print_json, say};
use crate::cli::Global;
use crate::i18n::{both, tr, Lang};
use crate::shell::{log, replay, Launcher, Request, ShellMsg};
use crate::store::{Access, Store};

#[derive(Debug, Clone, clap::Args)]
pub struct ShellArgs {
    /// The host ([[hosts]] name)
    #[arg(value_name = "HOST", required_unless_present = "list")]
    pub host: Option<String>,
    #[arg(long, value_name = "NUMBER", conflicts_with = "list")]
    pub ticket: Option<String>,
    #[arg(long)]
    pub list: bool,
    #[arg(long, requires = "list")]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ReplayArgs {
    #[arg(value_name = "FILE")]
    pub file: std::path::PathBuf,
    #[arg(long, value_name = "N", default_value = "1")]
    pub speed: f64,
    #[arg(long, value_name = "SECONDS")]
    pub idle_limit: Option<f64>,
}

/// The launcher for the config's fleet and database.
pub fn launcher(g: &Global, cfg: &crate::config::Config, lang: Lang) -> Launcher {
    let fleet = crate::cli::resolve_fleet(cfg);
    let remote = fleet.hosts.iter().any(|h| h.target().is_some());
    Launcher {
        hosts: fleet.hosts,
        pool: remote.then(|| crate::fleet::pool_for(cfg)),
        settings: cfg.shell.clone(),
        db_path: crate::cli::db_path(g),
        operator: crate::store::audit::resolve_operator(cfg.general.operator.as_deref()),
        simulated: Vec::new(),
        lang,
    }
}

pub fn run(g: &Global, args: &ShellArgs) -> i32 {
    let cfg = match crate::cli::config_or_say(g, "shell") {
        Ok(cfg) => cfg,
        Err(code) => return code,
    };
    let lang = crate::cli::lang_with(g, &cfg);
    if args.list {
        return list(g, args.json, lang);
    }
    let Some(host) = &args.host else { return 2 };
    let launcher = launcher(g, &cfg, lang);
    let req = Request { host: host.clone(), ticket: args.ticket.clone() };
    // The host key first: a refused host is refused whatever standard input is.
    let prepared = match launcher.prepare(&req) {
        Ok(p) => p,
        Err(e) => {
            say("shell", e.text.get(lang));
            return if e.ssh.is_some() { 1 } else { 2 };
        }
    };
    let tty = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    if tty && crossterm::terminal::enable_raw_mode().is_err() {
        say("shell", &tr(lang, "cannot put the terminal in raw mode", "无法把终端切换到原始模式"));
        return 1;
    }
    let outcome = launcher.run(&req, prepared, tty);
    if tty {
        use std::io::Write;
        let mut out = std::io::stdout();
        let _ = out.write_all(crate::shell::TERMINAL_RESET.as_bytes());
        let _ = out.flush();
        crate::shell::discard_typeahead();
        let _ = crossterm::terminal::disable_raw_mode();
    }
    match outcome {
        Ok(o) => {
            for note in &o.notes {
                say("shell", note.get(lang));
            }
            crate::shell::say_line(lang, &o.summary());
            o.exit_status.unwrap_or(1).clamp(0, 255)
        }
        Err(e) => {
            say("shell", e.text.get(lang));
            // Ended by a signal: exit as killed by it, as a shell would.
            e.signal.map_or(1, |sig| 128 + sig)
        }
    }
}

fn list(g: &Global, as_json: bool, lang: Lang) -> i32 {
    let (path, options) = crate::cli::db_options(g, Access::Read);
    if !path.exists() {
        if as_json {
            print_clean("[]");
        } else {
            print_clean(&tr(lang, "no shell sessions yet", "还没有 shell 会话"));
        }
        return 0;
    }
    let store = match Store::open_with(&path, options) {
        Ok(s) => s,
        Err(e) => {
            say("shell --list", &e.text(lang));
            return 2;
        }
    };
    let sessions = match log::sessions(&store, true) {
        Ok(s) => s,
        Err(e) => {
            say("shell --list", &e.text(lang));
            return 2;
        }
    };
    if as_json {
        let v: Vec<serde_json::Value> = sessions
            .iter()
            .map(|s| {
                json!({
                    "session": s.session, "audit_id": s.audit_id, "operator": s.operator,
                    "host": s.host, "via": s.via, "ticket": s.ticket, "started_at": s.started_at,
                    "ended_at": s.ended_at, "exit_status": s.exit_status,
                    "recording": s.recording.as_ref().map(|p| p.display().to_string()),
                    "sha256": s.sha256, "file": s.file, "error": s.error,
                })
            })
            .collect();
        print_json(&serde_json::to_string_pretty(&v).unwrap_or_default());
        return 0;
    }
    if sessions.is_empty() {
        print_clean(&tr(lang, "no shell sessions yet", "还没有 shell 会话"));
        return 0;
    }
    let head = match lang {
        Lang::En => ["STARTED", "ENDED", "WHO", "HOST", "TICKET", "EXIT", "FILE", "RECORDING"],
        Lang::ZhCn => ["开始", "结束", "操作人", "主机", "工单", "退出码", "文件", "录像"],
    };
    let file_word = |f: &str| match (f, lang) {
        (_, Lang::En) => f.to_string(),
        ("intact", _) => "完好".into(),
        ("changed", _) => "已改动".into(),
        ("missing", _) => "缺失".into(),
        ("unsealed", _) => "未封存".into(),
        _ => "无".into(),
    };
    let mut rows: Vec<Vec<String>> = vec![head.iter().map(|h| h.to_string()).collect()];
    rows.extend(sessions.iter().map(|s| {
        vec![
            s.started_at.clone(),
            s.ended_at.clone().unwrap_or_else(|| tr(lang, "(not ended)", "（未结束）")),
            s.operator.clone(),
            s.host.clone(),
            s.ticket.clone().unwrap_or_else(|| "-".into()),
            s.exit_status.map_or_else(|| "-".into(), |n| n.to_string()),
            file_word(s.file),
            s.recording.as_ref().map_or_else(|| "-".into(), |p| p.display().to_string()),
        ]
        .into_iter()
        .map(|c| crate::text::escape_unprintable(&c).into_owned())
        .collect::<Vec<String>>()
    }));
    print_clean(&crate::cli::columns(&rows));
    0
}

pub fn replay(g: &Global, args: &ReplayArgs) -> i32 {
    let lang = match crate::config::load(g.config.as_deref()) {
        Ok(cfg) => crate::cli::lang_with(g, &cfg),
        Err(_) => crate::cli::early_lang(g),
    };
    if !(args.speed.is_finite() && args.speed > 0.0) {
        say(
            "replay",
            &tr(
                lang,
                "--speed must be a number above 0, such as 2 or 0.5",
                "--speed 应为大于 0 的数，例如 2 或 0.5",
            ),
        );
        return 2;
    }
    if args.idle_limit.is_some_and(|s| !(s.is_finite() && (0.0..=86_400.0).contains(&s))) {
        say(
            "replay",
            &tr(
                lang,
                "--idle-limit must be seconds, from 0 to 86400",
                "--idle-limit 应为 0 到 86400 之间的秒数",
            ),
        );
        return 2;
    }
    let cast = match replay::read(&args.file) {
        Ok(c) => c,
        Err(e) => {
            say("replay", e.get(lang));
            return 2;
        }
    };
    // What the audit log says of the file: played either way, said before.
    let shown = args.file.display().to_string();
    let (db, options) = crate::cli::db_options(g, Access::Read);
    if db.exists() {
        if let Ok(store) = Store::open_with(&db, options) {
            let sessions = log::sessions(&store, false).unwrap_or_default();
            match log::by_recording(&sessions, &args.file) {
                None => say("replay", both(&ShellMsg::ReplayUnaudited, &[("path", &shown)]).get(lang)),
                Some(s) => match (&s.sha256, crate::shell::record::file_sha256(&args.file)) {
                    (Some(want), Ok(got)) if *want != got => say(
                        "replay",
                        both(
                            &ShellMsg::ReplayHashDiffers,
                            &[("path", &shown), ("want", want), ("got", &got)],
                        )
                        .get(lang),
                    ),
                    (Some(_), Ok(_)) => crate::cli::errors::eprint_clean(
                        both(
                            &ShellMsg::ReplayHashMatches,
                            &[("path", &shown), ("id", &s.audit_id.to_string())],
                        )
                        .get(lang),
                    ),
                    _ => {}
                },
            }
        }
    }
    let pace = replay::Pace { speed: args.speed, idle_limit: args.idle_limit.map(Duration::from_secs_f64) };
    let tty = std::io::stdin().is_terminal();
    let raw = tty && crossterm::terminal::enable_raw_mode().is_ok();
    let mut out = std::io::stdout().lock();
    // A key ends the playback early (q, Esc, Ctrl-C: any key).
    let result = replay::play(&cast, pace, &mut out, |gap| {
        if !raw {
            std::thread::sleep(gap);
            return false;
        }
        let mut fds = [libc::pollfd { fd: 0, events: libc::POLLIN, revents: 0 }];
        let ms = gap.as_millis().min(i32::MAX as u128) as libc::c_int;
        // SAFETY: poll on one pollfd of the array given.
        let rc = unsafe { libc::poll(fds.as_mut_ptr(), 1, ms) };
        if rc > 0 {
            let mut b = [0u8; 64];
            // SAFETY: reads into the local buffer, at most its length.
            unsafe { libc::read(0, b.as_mut_ptr().cast(), b.len()) };
            return true;
        }
        false
    });
    if raw {
        let _ = crossterm::terminal::disable_raw_mode();
    }
    match result {
        Ok(()) => 0,
        Err(e) => {
            say("replay", &crate::i18n::io_error(&e, lang));
            1
        }
    }
}
