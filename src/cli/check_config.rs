//! `yunwei check-config [FILE]`: validates the config (and the theme and keymap it names),
//! prints a summary and exits 0, or prints every error and exits 2.

use std::path::PathBuf;

use crate::cli::errors::{eprint_clean, print_clean};
use crate::cli::Global;
use crate::config;
use crate::i18n::{fill, Msg};
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
            let lang = crate::cli::early_lang(g);
            for e in &errors.0 {
                eprint_clean(&e.render(lang));
            }
            let n = errors.0.len();
            let m = if n == 1 { Msg::CliCheckErrorsOne } else { Msg::CliCheckErrorsMany };
            let file = location.path().display().to_string();
            eprint_clean(&fill(m.text(lang), &[("file", &file), ("n", &n.to_string())]));
            return 2;
        }
    };
    let lang = crate::cli::lang_with(g, &cfg);
    let mut failed = false;
    let theme_name = g.theme.clone().unwrap_or_else(|| cfg.general.theme.clone());
    if let Err(errs) = Theme::load(&theme_name) {
        failed = true;
        for e in errs {
            eprint_clean(&e.render(lang));
        }
    }
    let keymap_name = g.keymap.clone().unwrap_or_else(|| cfg.general.keymap.clone());
    if let Err(errs) = Keymap::load(&keymap_name) {
        failed = true;
        for e in errs {
            eprint_clean(&e.render(lang));
        }
    }
    if failed {
        return 2;
    }
    if cfg.source.is_none() {
        let file = location.path().display().to_string();
        let host = crate::cli::hostname();
        print_clean(&fill(Msg::CliCheckNoFile.text(lang), &[("file", &file), ("host", &host)]));
    }
    print_clean(&cfg.summary(lang));
    // What the fleet really is once ~/.ssh/config is read, and what could not be imported.
    let fleet = crate::cli::resolve_fleet(&cfg);
    let imported: Vec<&str> = fleet
        .hosts
        .iter()
        .filter(|h| h.tags.iter().any(|t| t == "ssh_config"))
        .map(|h| h.name.as_str())
        .collect();
    if !imported.is_empty() {
        let n = imported.len();
        let m = if n == 1 { Msg::CliSshImportedOne } else { Msg::CliSshImportedMany };
        print_clean(&fill(m.text(lang), &[("n", &n.to_string()), ("list", &imported.join(", "))]));
    }
    for w in &fleet.warnings {
        print_clean(&format!(
            "{}{}",
            crate::cli::errors::after_label(Msg::CliWarningPrefix.text(lang)),
            w.get(lang)
        ));
    }
    0
}
