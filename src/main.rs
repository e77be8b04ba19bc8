//! The `yunwei` binary: command-line parsing and dispatch; everything else is in the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
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
    #[arg(long, global = true, value_name = "auto|en|zh-CN")]
    lang: Option<String>,
    /// Theme: default, dark, light, high-contrast, mono, or a file
    #[arg(long, global = true, value_name = "NAME|PATH")]
    theme: Option<String>,
    /// Keymap: default, vim, or a file
    #[arg(long, global = true, value_name = "NAME|PATH")]
    keymap: Option<String>,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Open the console on a self-contained demo data set (localhost live plus demo hosts)
    Demo,
    /// Poll every host once and print a table (or JSON); exit 1 if any host is down or critical
    Status {
        /// Print a JSON array, one object per host
        #[arg(long)]
        json: bool,
        /// Only this host (repeatable)
        #[arg(long = "host", value_name = "NAME")]
        hosts: Vec<String>,
        /// Only hosts with this tag (repeatable)
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        /// Also collect the security posture (firewall, listening ports, failed logins, SELinux,
        /// clock sync, pending security updates) of hosts reached over SSH
        #[arg(long)]
        security: bool,
    },
    /// Print log files decoded, sanitised and masked; filter like grep -E; follow like tail -F
    Logs {
        /// Keep the lines that match any of these patterns (like grep -E)
        #[arg(long = "grep", value_name = "RE")]
        grep: Vec<String>,
        /// Drop the lines that match any of these patterns
        #[arg(long = "exclude", value_name = "RE")]
        exclude: Vec<String>,
        /// auto (UTF-8 when valid, else GB18030), utf-8 or gb18030
        #[arg(long, default_value = "auto", value_name = "E")]
        encoding: String,
        /// Show resident ID and mobile numbers unmasked
        #[arg(long)]
        no_mask: bool,
        /// Follow like tail -F: by name, across rotation and truncation
        #[arg(short = 'f', long)]
        follow: bool,
        /// With --follow, start with the last N lines
        #[arg(short = 'n', long, default_value_t = 10, value_name = "N")]
        lines: usize,
        /// Read the files on this host (from the config or ~/.ssh/config), over SSH
        #[arg(long, value_name = "NAME")]
        host: Option<String>,
        /// The files
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Validate the config file: print a summary (exit 0) or every error (exit 2)
    CheckConfig {
        /// The file to check [default: as for --config]
        file: Option<PathBuf>,
    },
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Shell {
    Bash,
    Zsh,
    Fish,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(l) = cli.lang.as_deref() {
        if l != "auto" && yunwei::i18n::Lang::parse(l).is_none() {
            eprintln!("yunwei: --lang {l}: use auto, en or zh-CN");
            return ExitCode::from(2);
        }
    }
    let g = Global { config: cli.config, db: cli.db, lang: cli.lang, theme: cli.theme, keymap: cli.keymap };
    let code = match cli.command {
        None => cli::console::run(&g, false),
        Some(Cmd::Demo) => cli::console::run(&g, true),
        Some(Cmd::Status { json, hosts, tags, security }) => {
            cli::status::run(&g, &cli::status::StatusArgs { json, security, hosts, tags })
        }
        Some(Cmd::Logs { grep, exclude, encoding, no_mask, follow, lines, host, paths }) => cli::logs::run(
            &g,
            &cli::logs::LogsArgs { host, grep, exclude, encoding, no_mask, follow, lines, paths },
        ),
        Some(Cmd::CheckConfig { file }) => cli::check_config::run(&g, file.as_deref()),
        Some(Cmd::Completions { shell }) => {
            let shell = match shell {
                Shell::Bash => clap_complete::Shell::Bash,
                Shell::Zsh => clap_complete::Shell::Zsh,
                Shell::Fish => clap_complete::Shell::Fish,
            };
            clap_complete::generate(shell, &mut Cli::command(), "yunwei", &mut std::io::stdout());
            0
        }
    };
    ExitCode::from(code.clamp(0, 255) as u8)
}
