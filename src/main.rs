//! The `yunwei` binary: the top-level command (global options and the list of subcommands) and
//! dispatch. Each subcommand's arguments and code live in `src/cli/<command>.rs`; adding one is
//! a new file there, a variant here and a line in the `match`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use yunwei::cli::{self, Global};

#[derive(Parser)]
#[command(
    name = "yunwei",
    version,
    about = "运维台 yunwei: a terminal console for the teams who keep Linux fleets running",
    long_about = "Opens the console when no command is given. Keys: ? shows every key of the active keymap."
)]
struct Cli {
    /// Config file [default: $YUNWEI_CONFIG, else ~/.config/yunwei/config.toml]
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Database file [default: $YUNWEI_DB, else ~/.local/share/yunwei/yunwei.db]
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Interface language
    #[arg(long, global = true, value_name = "auto|en|zh-CN", value_parser = cli::lang_values(), ignore_case = true, hide_possible_values = true)]
    lang: Option<String>,
    /// Theme: default, dark, light, high-contrast, mono, or a file
    #[arg(long, global = true, value_name = "NAME|PATH", value_parser = cli::NameOrPath::themes(), hide_possible_values = true)]
    theme: Option<String>,
    /// Keymap: default, vim, or a file
    #[arg(long, global = true, value_name = "NAME|PATH", value_parser = cli::NameOrPath::keymaps(), hide_possible_values = true)]
    keymap: Option<String>,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Open the console on a self-contained demo data set (localhost live plus demo hosts)
    Demo,
    /// Poll every host once and print a table (or JSON); exit 1 if any host is down or critical
    Status(cli::status::StatusArgs),
    /// Print log files decoded, sanitised and masked; filter like grep -E; follow like tail -F
    Logs(cli::logs::LogsArgs),
    /// Validate the config file: print a summary (exit 0) or every error (exit 2)
    CheckConfig(cli::check_config::CheckConfigArgs),
    /// Print a shell completion script
    Completions(cli::completions::CompletionsArgs),
    /// Look after yunwei's own database: backup, check, stats
    Db(cli::db::DbArgs),
    /// The ticket queue: add, list, show, move, assign, escalate, note, verify, export
    Ticket(cli::ticket::TicketArgs),
    /// Division-code editions: import, diff, review, mapping, SQL, impact, reconcile
    Divcode(cli::divcode::DivcodeArgs),
    /// Backup and data-exchange jobs: check their state now, list what each has left
    Backup(cli::backup::BackupArgs),
    /// Network checks: probe the data interfaces now, from the hosts that use them
    Net(cli::net::NetArgs),
    /// The security baseline (graded protection, level 3): check every host's settings now
    Baseline(cli::baseline::BaselineArgs),
    /// The alert stream: list, acknowledge, snooze, silence for a maintenance window, history
    Alerts(cli::alerts::AlertsArgs),
    /// Night duty: the console on the duty view; the shift handover and its log
    Duty(cli::duty::DutyArgs),
    /// The audit log: export it (table, JSON, CSV) or verify its hash chain
    Audit(cli::audit::AuditArgs),
    /// Run the polls, checks, alerts and notifications with no console (for a systemd unit)
    Watch,
    /// A recorded, audited shell on a host through its jump chain; --list lists the sessions
    Shell(cli::shell::ShellArgs),
    /// Play a shell recording back, with what reaches beyond the screen dropped
    Replay(cli::shell::ReplayArgs),
    /// Reports from the database: the quarterly service report (Markdown and HTML)
    Report(cli::report::ReportArgs),
    /// Print the manual page (roff) in the language of --lang
    #[command(hide = true)]
    Man(cli::man::ManArgs),
}

fn main() -> ExitCode {
    limit_malloc_arenas();
    // The help, the usage and clap's errors are in the user's language: `--lang`, else the
    // locale.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let lang = cli::help::lang_of_args(&args);
    let mut command = cli::help::localized(Cli::command(), lang);
    let parsed = command.try_get_matches_from_mut(&args).and_then(|m| Cli::from_arg_matches(&m));
    // Under `--format nagios` a usage or config error is the plugin's UNKNOWN (3), with its line.
    let plugin = cli::nagios::asked(&args);
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let code = cli::errors::report(&e, lang);
            if plugin && code == 2 {
                println!("{}", cli::nagios::usage_error(lang));
                return ExitCode::from(3);
            }
            return ExitCode::from(code);
        }
    };
    if let Some(l) = cli.lang.as_deref() {
        if l != "auto" && yunwei::i18n::Lang::parse(l).is_none() {
            cli::errors::say(
                "",
                &yunwei::i18n::fill(yunwei::i18n::Msg::CliBadLang.text(lang), &[("value", l)]),
            );
            return ExitCode::from(2);
        }
    }
    let given: Vec<&str> = [
        ("config", cli.config.is_some()),
        ("db", cli.db.is_some()),
        ("theme", cli.theme.is_some()),
        ("keymap", cli.keymap.is_some()),
    ]
    .into_iter()
    .filter_map(|(id, set)| set.then_some(id))
    .collect();
    let sub = match &cli.command {
        None => "",
        Some(Cmd::Demo) => "demo",
        Some(Cmd::Status(_)) => "status",
        Some(Cmd::Logs(_)) => "logs",
        Some(Cmd::CheckConfig(_)) => "check-config",
        Some(Cmd::Completions(_)) => "completions",
        Some(Cmd::Db(args)) => args.command.name(),
        Some(Cmd::Ticket(args)) => args.command.name(),
        Some(Cmd::Report(args)) => args.command.name(),
        Some(Cmd::Divcode(args)) => args.command.name(),
        Some(Cmd::Backup(args)) => args.command.name(),
        Some(Cmd::Net(args)) => args.command.name(),
        Some(Cmd::Baseline(args)) => args.command.name(),
        Some(Cmd::Alerts(args)) => args.name(),
        Some(Cmd::Duty(args)) => args.name(),
        Some(Cmd::Audit(args)) => args.name(),
        Some(Cmd::Watch) => "watch",
        Some(Cmd::Shell(_)) => "shell",
        Some(Cmd::Replay(_)) => "replay",
        Some(Cmd::Man(_)) => "man",
    };
    if let Some(refusal) = cli::errors::refuse_ignored(&mut command, sub, &given, lang) {
        cli::errors::eprint_clean(&refusal);
        return ExitCode::from(2);
    }
    let g = Global { config: cli.config, db: cli.db, lang: cli.lang, theme: cli.theme, keymap: cli.keymap };
    let code = match cli.command {
        None => cli::console::run(&g, false),
        Some(Cmd::Demo) => cli::console::run(&g, true),
        Some(Cmd::Status(args)) => cli::status::run(&g, &args),
        Some(Cmd::Logs(args)) => cli::logs::run(&g, &args),
        Some(Cmd::CheckConfig(args)) => cli::check_config::run(&g, &args),
        Some(Cmd::Completions(args)) => cli::completions::run(&args, Cli::command()),
        Some(Cmd::Db(args)) => cli::db::run(&g, &args),
        Some(Cmd::Ticket(args)) => cli::ticket::run(&g, &args),
        Some(Cmd::Report(args)) => cli::report::run(&g, &args),
        Some(Cmd::Divcode(args)) => cli::divcode::run(&g, &args),
        Some(Cmd::Backup(args)) => cli::backup::run(&g, &args),
        Some(Cmd::Net(args)) => cli::net::run(&g, &args),
        Some(Cmd::Baseline(args)) => cli::baseline::run(&g, &args),
        Some(Cmd::Alerts(args)) => cli::alerts::run(&g, &args),
        Some(Cmd::Duty(args)) => cli::duty::run(&g, &args),
        Some(Cmd::Audit(args)) => cli::audit::run(&g, &args),
        Some(Cmd::Watch) => cli::watch::run(&g),
        Some(Cmd::Shell(args)) => cli::shell::run(&g, &args),
        Some(Cmd::Replay(args)) => cli::shell::replay(&g, &args),
        Some(Cmd::Man(_)) => cli::man::run(lang, cli::help::localized(Cli::command(), lang)),
    };
    let code = if plugin
        && code == 2
        && !cli::nagios::printed()
        && matches!(sub, "status" | "backup check" | "net check")
    {
        println!("{}", cli::nagios::usage_error(lang));
        3
    } else {
        code
    };
    ExitCode::from(code.clamp(0, 255) as u8)
}

/// glibc gives every thread that allocates an arena of its own, up to eight per core, and each
/// keeps the memory its thread freed. With a poller and a session owner per host (before the
/// scheduler and the crew) that was one arena per thread, and a console with 500 hosts held
/// 160 MiB in 15 arenas for some 60 MiB in
/// use; memory freed in one arena never served another, so the resident set also rose after
/// every burst (a reconnect storm) and never came down. Two arenas keep contention low for
/// threads that mostly wait on sockets. `MALLOC_ARENA_MAX` in the environment still decides.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets a parameter of the allocator; it runs before any thread.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}
