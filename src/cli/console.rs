//! Starting the console (`yunwei` and `yunwei demo`): load and check everything first, so a
//! bad config or database stops before the terminal is touched, then hand over to the loop.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use crate::app::App;
use crate::cli::errors::{eprint_clean, say};
use crate::cli::{db_options, resolve_fleet, resolve_fleet_named, Global};
use crate::config::{self, Config};
use crate::demo::{DemoFleet, DemoLogWriter};
use crate::fleet::Access;
use crate::health::LocalProbe;
use crate::i18n::{fill, Lang, Msg};
use crate::keymap::Keymap;
use crate::panes::health::{HostKind, HostRow};
use crate::store::{Access as DbAccess, Store, StoreOptions};
use crate::theme::{Palette, Theme};
use crate::ui::{Ctx, ReadOnlyDb};
use crate::workers::{ProbeSet, Setup, StoreSetup, Workers};

/// Everything the console needs, loaded and validated.
pub struct Prepared {
    pub ctx: Ctx,
    pub config: Config,
}

/// Loads config, language, theme and keymap; prints every error and returns the exit code on
/// failure.
pub fn prepare(g: &Global, demo: bool) -> Result<Prepared, i32> {
    let cfg = config::load(g.config.as_deref()).map_err(|errors| {
        let lang = crate::cli::early_lang(g);
        for e in &errors.0 {
            eprint_clean(&e.render(lang));
        }
        let n = errors.0.len();
        let m = if n == 1 { Msg::CliConfigHasErrorsOne } else { Msg::CliConfigHasErrorsMany };
        say("", &fill(m.text(lang), &[("n", &n.to_string())]));
        2
    })?;
    let lang = match g.lang.as_deref() {
        Some("auto") | None => Lang::resolve(cfg.general.lang.chosen()),
        Some(l) => Lang::parse(l).ok_or_else(|| {
            say("", &fill(Msg::CliBadLang.text(crate::cli::early_lang(g)), &[("value", l)]));
            2
        })?,
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme_name = theme_choice(g.theme.as_deref(), no_color, &cfg.general.theme);
    let palette = Palette::from_env();
    let theme = Theme::load(&theme_name)
        .map_err(|errs| {
            for e in errs {
                eprint_clean(&e.render(lang));
            }
            2
        })?
        .for_palette(palette);
    let keymap_name = g.keymap.clone().unwrap_or_else(|| cfg.general.keymap.clone());
    let keymap = Keymap::load(&keymap_name).map_err(|errs| {
        for e in errs {
            eprint_clean(&e.render(lang));
        }
        2
    })?;
    let ascii = cfg.general.borders == config::Borders::Ascii || theme.ascii_borders;
    let ctx = Ctx {
        lang,
        theme,
        palette,
        keymap,
        thresholds: cfg.thresholds.clone(),
        demo,
        now: crate::clock::now(),
        poll_interval_s: cfg.ssh.poll_interval_s,
        ascii,
        host_keys_unverified: cfg.ssh.host_key_check == crate::ssh::HostKeyCheck::Off
            && cfg.hosts.iter().any(|h| !h.local),
        alerts: Default::default(),
        silences: Vec::new(),
        export_dir: std::path::PathBuf::from("."),
        db_read_only: None,
    };
    Ok(Prepared { ctx, config: cfg })
}

/// NO_COLOR wins over the config's theme, but not over an explicit `--theme`.
pub fn theme_choice(flag: Option<&str>, no_color: bool, configured: &str) -> String {
    match (flag, no_color) {
        (Some(t), _) => t.to_string(),
        (None, true) => "mono".to_string(),
        (None, false) => configured.to_string(),
    }
}

/// The rows of the fleet table, the probes behind them, and what could not be imported. The
/// demo watches only this machine and the demo hosts, whatever the config lists.
pub fn fleet(cfg: &Config, demo: bool) -> (Vec<HostRow>, ProbeSet, Vec<crate::i18n::Both>) {
    fleet_named(cfg, demo, &crate::cli::hostname())
}

/// As [`fleet`], with `local_name` for this machine when no host is configured.
pub fn fleet_named(
    cfg: &Config,
    demo: bool,
    local_name: &str,
) -> (Vec<HostRow>, ProbeSet, Vec<crate::i18n::Both>) {
    let none = Config::default();
    let resolved = resolve_fleet_named(if demo { &none } else { cfg }, local_name);
    let (rows, probes) = rows_of(&resolved, demo);
    (rows, probes, resolved.warnings)
}

/// The rows and probes of a resolved fleet (plus the demo hosts for the demo).
fn rows_of(resolved: &crate::fleet::Fleet, demo: bool) -> (Vec<HostRow>, ProbeSet) {
    let mut rows = Vec::new();
    let mut probes = ProbeSet::default();
    for h in resolved.hosts.iter().cloned() {
        match h.access {
            Access::Local => {
                rows.push(HostRow::new(h.name.clone(), h.tags.clone(), HostKind::Local));
                probes.local.push(LocalProbe::new(h.name));
            }
            Access::Ssh { .. } => {
                rows.push(HostRow::new(h.name.clone(), h.tags.clone(), HostKind::Remote));
                if let Some(target) = h.target() {
                    probes.remote.push((h.name, target));
                }
            }
        }
    }
    if demo {
        let fleet = DemoFleet;
        for h in fleet.hosts() {
            rows.push(HostRow::new(h.name, h.tags.iter().map(|t| t.to_string()).collect(), HostKind::Demo));
        }
        probes.demo = Some(fleet);
    }
    (rows, probes)
}

/// A private temporary directory for the demo database and the demo's logs, removed when
/// dropped (after the log writer has stopped).
struct DemoDir {
    path: PathBuf,
    logs: Option<DemoLogWriter>,
}

impl DemoDir {
    fn create() -> std::io::Result<DemoDir> {
        use std::os::unix::fs::DirBuilderExt;
        let path = std::env::temp_dir().join(format!("yunwei-demo-{}", std::process::id()));
        std::fs::DirBuilder::new().mode(0o700).create(&path)?;
        Ok(DemoDir { path, logs: None })
    }

    fn logs_dir(&self) -> PathBuf {
        self.path.join("logs")
    }
}

impl Drop for DemoDir {
    fn drop(&mut self) {
        drop(self.logs.take());
        // The demo's detached job runs and verifications (their files under the folder) may
        // still be writing a last line: a removal that meets a new file is tried again.
        for _ in 0..20 {
            match std::fs::remove_dir_all(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    std::thread::sleep(std::time::Duration::from_millis(50))
                }
                _ => break,
            }
        }
    }
}

pub fn run(g: &Global, demo: bool) -> i32 {
    run_with(g, demo, false)
}

/// What the console and `yunwei watch` start from: the workers' setup, and what the screen
/// shows of it.
pub struct Built {
    pub setup: Setup,
    pub rows: Vec<HostRow>,
    pub log_specs: Vec<crate::logs::sources::SourceSpec>,
    pub read_only: Option<ReadOnlyDb>,
    pub export_dir: PathBuf,
    pub notices: Vec<String>,
    /// Opens `S`'s shells: the fleet's hosts, through the polls' pool.
    pub launcher: crate::shell::Launcher,
    /// The demo's folder (its logs, its database): removed when dropped.
    demo_dir: Option<DemoDir>,
}

/// Opens the database (a bad one stops here) and makes the workers' setup: the fleet, the
/// log sources, the jobs, the notifications.
pub fn build(g: &Global, prepared: &Prepared, demo: bool) -> Result<Built, i32> {
    let lang = prepared.ctx.lang;
    // The demo's folder holds its logs, and its database unless `--db` names one.
    let mut demo_dir = None;
    if demo {
        match DemoDir::create() {
            Ok(d) => demo_dir = Some(d),
            Err(e) => {
                say("", &fill(Msg::CliDemoDirFailed.text(lang), &[("e", &crate::i18n::io_error(&e, lang))]));
                return Err(1);
            }
        }
    }
    let temporary_db = demo && g.db.is_none();
    let (db, options) = match &demo_dir {
        Some(d) if temporary_db => (d.path.join("yunwei.db"), StoreOptions::new(DbAccess::Write, false)),
        _ => db_options(g, DbAccess::WriteOrView),
    };
    // Open once here so a bad database stops before the terminal is taken over. A read-only
    // one is viewed, never made writable.
    let store = match Store::open_with(&db, options) {
        Ok(s) => s,
        Err(e) => {
            say("", &e.text(lang));
            return Err(1);
        }
    };
    // A tightened database says so once, in the status bar; a read-only one has its banner.
    let mut notices: Vec<String> = store.tightened_notice(lang).into_iter().collect();
    let read_only = store.read_only().map(|read_only| ReadOnlyDb {
        path: crate::text::escape_unprintable(&db.display().to_string()).into_owned(),
        read_only,
    });
    drop(store);
    // Written records go to the data folder: the database's, or for the demo (whose database
    // is temporary) the default one, made private when missing.
    let export_dir = if temporary_db {
        let dir = crate::store::default_path().parent().map(std::path::Path::to_path_buf).unwrap_or_default();
        use std::os::unix::fs::DirBuilderExt;
        let _ = std::fs::DirBuilder::new().recursive(true).mode(0o700).create(&dir);
        dir
    } else {
        db.parent().map(std::path::Path::to_path_buf).unwrap_or_default()
    };
    // Resolved once: ~/.ssh/config and its includes are read once at start-up.
    let none = Config::default();
    let resolved = resolve_fleet(if demo { &none } else { &prepared.config });
    let (rows, probes) = rows_of(&resolved, demo);
    let poll = Duration::from_secs(if demo { 2 } else { prepared.config.ssh.poll_interval_s.max(1) });

    // The demo's Logs tab follows the logs its writer generates, and this machine's system logs
    // (it watches this machine live) where there are any.
    let mut log_specs = Vec::new();
    if let Some(d) = &mut demo_dir {
        match DemoLogWriter::start(&d.logs_dir(), chrono::Local::now().fixed_offset()) {
            Ok(writer) => {
                d.logs = Some(writer);
                log_specs = crate::demo::logs::specs(&d.logs_dir());
            }
            Err(e) => {
                notices.push(fill(Msg::DemoLogsFailed.text(lang), &[("e", &crate::i18n::io_error(&e, lang))]))
            }
        }
        log_specs.extend(crate::logs::sources::specs(Vec::new()));
    } else {
        log_specs = crate::logs::sources::specs(prepared.config.log_specs());
    }
    notices.extend(resolved.warnings.iter().map(|w| w.get(lang).to_string()));
    let setup = StoreSetup {
        db_path: db,
        create_folder: options.create_folder,
        thresholds: prepared.config.thresholds.clone(),
        operator: crate::store::audit::resolve_operator(prepared.config.general.operator.as_deref()),
        // The demo's history and queue (also in a database named with --db, where the queue is
        // written only when it holds no tickets yet), by the store thread: not before the first
        // frame.
        seed_demo: demo,
        ticket_offset: prepared.config.tickets.sla.calendar.offset,
        lang,
    };
    let tickets = crate::workers::TicketsSetup {
        db_path: setup.db_path.clone(),
        operator: setup.operator.clone(),
        policy: prepared.config.tickets.sla.clone(),
        lang,
    };
    let divcodes =
        crate::workers::DivcodesSetup { db_path: setup.db_path.clone(), operator: setup.operator.clone() };
    let remote_logs = log_specs.iter().any(|s| s.host.is_some());
    let remote_jobs = !demo && prepared.config.jobs.iter().any(|j| j.host.is_some());
    let remote_checks = !demo
        && prepared
            .config
            .checks
            .0
            .iter()
            .any(|c| c.from.iter().any(|o| *o != crate::netcheck::Origin::Local));
    let sessions = (!probes.remote.is_empty() || remote_logs || remote_jobs || remote_checks)
        .then(|| crate::fleet::Sessions::new(crate::fleet::pool_for(&prepared.config)));
    // The jobs of the Backups tab: the demo's over files in its folder, or the config's.
    let (jobs, places) = match &demo_dir {
        Some(d) => crate::demo::backups::jobs(&d.path.join("backups"), lang),
        None => {
            let jobs = prepared.config.jobs.clone();
            let places = crate::workers::backups::places(&jobs, &resolved, sessions.as_deref(), lang);
            (jobs, places)
        }
    };
    let backups = crate::workers::BackupsSetup {
        db_path: setup.db_path.clone(),
        operator: setup.operator.clone(),
        holder: crate::workers::notify::holder_name(),
        jobs,
        places,
        settings: if demo {
            crate::config::Backups {
                check_interval: Duration::from_secs(20),
                ..prepared.config.backups.clone()
            }
        } else {
            prepared.config.backups.clone()
        },
        lang,
    };
    // The checks of the Network tab: the demo's (against servers it starts here), or the config's.
    let (checks, places) = match &demo_dir {
        Some(_) => crate::demo::netcheck::checks(lang),
        None => {
            let checks = prepared.config.checks.0.clone();
            let places = crate::workers::netcheck::places(&checks, &resolved, sessions.as_deref(), lang);
            (checks, places)
        }
    };
    let net = crate::workers::NetSetup {
        db_path: setup.db_path.clone(),
        holder: crate::workers::notify::holder_name(),
        checks,
        places,
        lang,
    };
    let launcher = crate::shell::Launcher {
        hosts: resolved.hosts.clone(),
        pool: match &sessions {
            Some(s) => Some(std::sync::Arc::clone(s.pool())),
            None => resolved
                .hosts
                .iter()
                .any(|h| h.target().is_some())
                .then(|| crate::fleet::pool_for(&prepared.config)),
        },
        settings: prepared.config.shell.clone(),
        db_path: setup.db_path.clone(),
        operator: setup.operator.clone(),
        simulated: rows.iter().filter(|r| r.kind == HostKind::Demo).map(|r| r.name.clone()).collect(),
        lang,
    };
    // The SSH targets of the hosts log sources name (the demo's sources name none).
    let log_target = Box::new(move |name: &str| {
        resolved.hosts.iter().find(|h| h.name == name).and_then(crate::fleet::FleetHost::target)
    });
    // Notifications, from the holder of the lease among the consoles on this database; none
    // from a demo or a database only viewed.
    let notify = match (&prepared.config.notify.command, demo, read_only.is_some()) {
        (Some(_), false, false) => Some(crate::workers::notify::NotifySetup {
            db_path: setup.db_path.clone(),
            settings: prepared.config.notify.clone(),
            holder: crate::workers::notify::holder_name(),
            lang,
            every: Duration::from_secs(5),
        }),
        _ => None,
    };
    let setup = Setup {
        probes,
        poll,
        store: setup,
        tickets,
        divcodes,
        backups,
        net,
        log_specs: log_specs.clone(),
        log_target,
        sessions,
        notify,
    };
    Ok(Built { setup, rows, log_specs, read_only, export_dir, notices, launcher, demo_dir })
}

/// The console, opened on the night-duty view when `duty` (`yunwei duty`).
pub fn run_with(g: &Global, demo: bool, duty: bool) -> i32 {
    // The config, theme and keymap are checked first: their errors are worth reading even
    // where the console cannot start.
    let prepared = match prepare(g, demo) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let lang = prepared.ctx.lang;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        say("", Msg::CliNeedsTerminal.text(lang));
        return 2;
    }
    // A clock set for a drill must be one: said before the terminal is taken.
    if let Err(e) = crate::cli::ticket::now(lang) {
        say("", &e);
        return 2;
    }
    let built = match build(g, &prepared, demo) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let Built { setup, rows, log_specs, read_only, export_dir, notices, launcher, demo_dir } = built;
    // A handover not yet acknowledged by this engineer shows first.
    let pending = Store::open_with(&setup.store.db_path, StoreOptions::new(DbAccess::Read, false))
        .ok()
        .and_then(|s| s.pending_handover(&setup.store.operator).ok().flatten());
    let mut app = App::new(prepared.ctx, rows);
    app.handover = pending.filter(|_| read_only.is_none()).map(|h| (h.id, h.markdown, 0));
    app.ctx.export_dir = export_dir;
    app.ctx.db_read_only = read_only;
    app.panes.logs =
        crate::panes::logs::LogsPane::new(log_specs.clone(), prepared.config.log_pane.max_records);
    app.panes.tickets = crate::panes::tickets::TicketsPane::new(prepared.config.tickets.sla.clone());
    app.duty = crate::panes::alerts::duty::Duty::new(prepared.config.duty.bell, prepared.config.duty.flash);
    app.duty.on = duty;
    app.log_alerts = crate::logs::alerts::LogAlerts::new(if demo {
        crate::demo::logs::alert_rules()
    } else {
        prepared.config.log_alerts.0.clone()
    })
    .with_hosts(&log_specs);
    if !notices.is_empty() {
        app.flash = Some(crate::ui::bars::Flash { text: notices.join("; "), error: true });
    }
    let (tx, rx) = crate::tui::channel();
    let workers = Workers::start(setup, tx.clone());
    let launcher = Some(launcher);
    let code = match crate::tui::run(app, tx, rx, workers, launcher) {
        Ok(()) => 0,
        Err(e) => {
            say("", &e.to_string());
            1
        }
    };
    drop(demo_dir);
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_selects_mono_unless_a_theme_is_asked_for() {
        assert_eq!(theme_choice(None, true, "dark"), "mono");
        assert_eq!(theme_choice(Some("light"), true, "dark"), "light");
        assert_eq!(theme_choice(None, false, "dark"), "dark");
    }

    #[test]
    fn a_host_name_with_odd_characters_is_one_row_not_two() {
        // The table's row and the probe's samples must name the machine alike: the samples
        // scrub control characters from every name, and a row named otherwise got a twin.
        let odd = "web\u{1b}[31m01\u{202e}";
        let (rows, mut probes, _) = fleet_named(&Config::default(), false, odd);
        let ctx = crate::panes::testing::ctx(Lang::En);
        let mut pane = crate::panes::health::HealthPane::new(rows);
        let mut out = Vec::new();
        for _ in 0..2 {
            for s in probes.sample_all() {
                pane.on_sample(s, &ctx, &mut out);
            }
        }
        let names: Vec<&str> = pane.hosts.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["web\\u{1b}[31m01\\u{202e}"]);
        assert!(pane.hosts[0].sample.is_some());
    }

    #[test]
    fn no_config_watches_this_machine_by_its_host_name() {
        let (rows, probes, _) = fleet(&Config::default(), false);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].name, crate::cli::hostname());
        assert_eq!(probes.local.len(), 1);
        let (rows, probes, _) = fleet(&Config::default(), true);
        assert_eq!(rows.len(), 1 + DemoFleet.hosts().len());
        assert!(probes.demo.is_some());
    }
}
