//! `yunwei check-config [FILE]`: validates the config (and the theme and keymap it names),
//! prints a summary and exits 0, or prints every error and exits 2.

use std::path::PathBuf;

use crate::cli::Global;
use crate::config;
use crate::keymap::Keymap;
use crate::theme::Theme;

/// The arguments of `yunwei check-config`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CheckConfigArgs {
    /// The file to check [default: as for --config]
    pub file: Option<PathBuf>,
}

pub fn run(g: &Global, args: &CheckConfigArgs) -> i32 {
    let flag = args.file.as_deref().or(g.config.as_deref());
    let location = config::locate(flag);
    let cfg = match config::load_location(&location) {
        Ok(c) => c,
        Err(errors) => {
            for e in &errors.0 {
                eprintln!("{e}");
            }
            eprintln!("{}: {} error(s); nothing was started", location.path().display(), errors.0.len());
            return 2;
        }
    };
    let mut failed = false;
    let theme_name = g.theme.clone().unwrap_or_else(|| cfg.general.theme.clone());
    if let Err(errs) = Theme::load(&theme_name) {
        failed = true;
        for e in errs {
            eprintln!("{e}");
        }
    }
    let keymap_name = g.keymap.clone().unwrap_or_else(|| cfg.general.keymap.clone());
    if let Err(errs) = Keymap::load(&keymap_name) {
        failed = true;
        for e in errs {
            eprintln!("{e}");
        }
    }
    if failed {
        return 2;
    }
    if cfg.source.is_none() {
        println!("{}: no config file; the defaults apply", location.path().display());
    }
    println!("{}", cfg.summary());
    // What the fleet really is once ~/.ssh/config is read, and what could not be imported.
    let fleet = crate::cli::resolve_fleet(&cfg);
    let imported: Vec<&str> = fleet
        .hosts
        .iter()
        .filter(|h| h.tags.iter().any(|t| t == "ssh_config"))
        .map(|h| h.name.as_str())
        .collect();
    if !imported.is_empty() {
        println!("from ~/.ssh/config: {} host(s): {}", imported.len(), imported.join(", "));
    }
    for w in &fleet.warnings {
        println!("warning: {w}");
    }
    0
}
