//! The command line's errors in the user's language: clap's own (an unknown option, a missing
//! or invalid value) rendered from the catalogue by their kind and context, the options a
//! subcommand has no use for refused, and whatever came from outside escaped on the way out.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::Command;

use crate::i18n::{fill, Lang, Msg};

/// Prints `text` on standard error, a line at a time, with every control or bidirectional
/// character escaped: names, paths and error texts from outside never reach the terminal raw.
pub fn eprint_clean(text: &str) {
    for line in text.lines() {
        eprintln!("{}", crate::text::escape_unprintable(line));
    }
}

/// The same, on standard output.
/// A reader that went away (`| head`) ends the process quietly, as SIGPIPE would (status 141).
/// JSON as printed, still valid JSON: what serde leaves as it is but a terminal would act on
/// (DEL, the C1 controls, the bidirectional overrides) written as `\uXXXX` escapes.
pub fn json_text(json: &str) -> String {
    let mut text = String::with_capacity(json.len());
    for c in json.chars() {
        // A line break is the pretty printer's (serde escapes those inside strings).
        if c != '\n' && crate::text::is_unprintable(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                text.push_str(&format!("\\u{u:04x}"));
            }
        } else {
            text.push(c);
        }
    }
    text
}

/// [`json_text`] on standard output.
pub fn print_json(json: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{}", json_text(json)) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
    }
}

/// Text from outside (a host name, a path, remote output) with what could act on a terminal
/// escaped, for a message.
pub fn shown(s: &str) -> String {
    crate::text::escape_unprintable(s).into_owned()
}

pub fn print_clean(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for line in text.lines() {
        if let Err(e) = writeln!(out, "{}", crate::text::escape_unprintable(line)) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(141);
            }
            return;
        }
    }
}

/// `yunwei <command>: <text>` on standard error, cleaned.
pub fn say(command: &str, text: &str) {
    let who = if command.is_empty() { "yunwei".to_string() } else { format!("yunwei {command}") };
    eprint_clean(&format!("{who}: {text}"));
}

/// Prints a clap error (or the help or version it stands for) and returns the exit code.
pub fn report(e: &clap::Error, lang: Lang) -> u8 {
    let code = u8::try_from(e.exit_code()).unwrap_or(2);
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
        }
        _ => eprint_clean(&render(e, lang)),
    }
    code
}

fn text_of(v: Option<&ContextValue>) -> Option<String> {
    match v? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join(", ")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A clap error as the user reads it. English is clap's own wording; Chinese comes from the
/// catalogue, with the same parts: what is wrong, a suggestion, the usage, where to read more.
pub fn render(e: &clap::Error, lang: Lang) -> String {
    if lang == Lang::En {
        return e.render().to_string();
    }
    let get = |k: ContextKind| text_of(e.get(k));
    let arg = get(ContextKind::InvalidArg).unwrap_or_default();
    let value = get(ContextKind::InvalidValue).unwrap_or_default();
    let t = |m: Msg, args: &[(&str, &str)]| fill(m.text(lang), args);
    let mut head = match e.kind() {
        ErrorKind::UnknownArgument => t(Msg::CliUnknownArg, &[("arg", &arg)]),
        ErrorKind::InvalidSubcommand => {
            t(Msg::CliUnknownSub, &[("arg", &get(ContextKind::InvalidSubcommand).unwrap_or_default())])
        }
        ErrorKind::InvalidValue if value.is_empty() => t(Msg::CliMissingValue, &[("arg", &arg)]),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            t(Msg::CliInvalidValue, &[("arg", &arg), ("value", &value)])
        }
        ErrorKind::MissingRequiredArgument => t(Msg::CliMissingRequired, &[("list", &arg)]),
        ErrorKind::ArgumentConflict => {
            let prior = get(ContextKind::PriorArg);
            if prior.as_deref() == Some(arg.as_str()) || prior.is_none() {
                t(Msg::CliUsedTwice, &[("arg", &arg)])
            } else {
                let other = format!("'{}'", prior.unwrap_or_default());
                t(Msg::CliConflict, &[("arg", &arg), ("other", &other)])
            }
        }
        ErrorKind::TooManyValues => t(Msg::CliTooManyValues, &[("arg", &arg), ("value", &value)]),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            t(Msg::CliWrongValueCount, &[("arg", &arg)])
        }
        ErrorKind::NoEquals => t(Msg::CliNoEquals, &[("arg", &arg)]),
        ErrorKind::MissingSubcommand => {
            t(Msg::CliMissingSub, &[("arg", &get(ContextKind::InvalidSubcommand).unwrap_or_default())])
        }
        ErrorKind::InvalidUtf8 => Msg::CliInvalidUtf8.text(lang).to_string(),
        _ => Msg::CliBadArguments.text(lang).to_string(),
    };
    if let Some(list) = get(ContextKind::ValidValue).filter(|l| !l.is_empty()) {
        head.push_str(&format!("\n  {}", t(Msg::CliPossibleValues, &[("list", &list)])));
    }
    for k in [ContextKind::SuggestedSubcommand, ContextKind::SuggestedArg, ContextKind::SuggestedValue] {
        if let Some(near) = get(k) {
            head.push_str(&format!("\n\n  {}", t(Msg::CliDidYouMean, &[("near", &near)])));
        }
    }
    let usage = get(ContextKind::Usage).map(|u| localized_usage(&u, lang));
    finish(&head, usage.as_deref(), lang)
}

/// `error: <head>`, the usage, and where to read more, in `lang`.
fn finish(head: &str, usage: Option<&str>, lang: Lang) -> String {
    let mut out = format!("{}{head}\n", after_label(Msg::CliErrorPrefix.text(lang)));
    if let Some(usage) = usage {
        out.push('\n');
        out.push_str(usage.trim_end());
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&fill(Msg::CliTryHelp.text(lang), &[("help", "--help")]));
    out.push('\n');
    out
}

/// clap writes `Usage:` itself; the catalogue's word takes its place.
fn localized_usage(usage: &str, lang: Lang) -> String {
    match usage.strip_prefix("Usage:") {
        Some(rest) => format!("{}{}", after_label(Msg::CliUsage.text(lang)), rest.trim_start()),
        None => usage.to_string(),
    }
}

/// A label and the space after it: none after a full-width colon, which has its own.
pub fn after_label(label: &str) -> String {
    if label.ends_with('：') {
        label.to_string()
    } else {
        format!("{label} ")
    }
}

/// The global options each subcommand has no use for. Given anyway, they are refused rather
/// than silently ignored (a `--db` that `check-config` never opens would mislead; `status`
/// reads the console's history from it).
pub const IGNORED: &[(&str, &[&str])] = &[
    ("status", &["theme", "keymap"]),
    ("logs", &["theme", "keymap"]),
    ("check-config", &["db"]),
    ("completions", &["config", "db", "theme", "keymap"]),
    ("man", &["config", "db", "theme", "keymap"]),
    // The config gives their language (and the backup's operator); they draw nothing.
    ("db backup", &["theme", "keymap"]),
    ("db check", &["theme", "keymap"]),
    ("db stats", &["theme", "keymap"]),
    ("ticket add", &["theme", "keymap"]),
    ("ticket list", &["theme", "keymap"]),
    ("ticket show", &["theme", "keymap"]),
    ("ticket move", &["theme", "keymap"]),
    ("ticket assign", &["theme", "keymap"]),
    ("ticket escalate", &["theme", "keymap"]),
    ("ticket note", &["theme", "keymap"]),
    ("ticket verify", &["theme", "keymap"]),
    ("ticket export", &["theme", "keymap"]),
    ("ticket import", &["theme", "keymap"]),
    ("report quarterly", &["theme", "keymap"]),
];

/// The first option of `given` (ids of global options set on the command line) that `sub`
/// ignores, as the error to print; `command` is the whole command tree (for the usage). A
/// nested subcommand is named by its path, `db check`.
pub fn refuse_ignored(command: &mut Command, sub: &str, given: &[&str], lang: Lang) -> Option<String> {
    let ignored = IGNORED.iter().find(|(name, _)| *name == sub)?.1;
    let id = given.iter().find(|g| ignored.contains(g))?;
    command.build();
    let mut found = Some(command);
    for part in sub.split(' ') {
        found = found.and_then(|c| c.find_subcommand_mut(part));
    }
    let usage = found.map(|c| c.render_usage().to_string());
    let head = fill(Msg::CliNotUsedBy.text(lang), &[("arg", &format!("--{id}")), ("sub", sub)]);
    Some(finish(&head, usage.map(|u| localized_usage(&u, lang)).as_deref(), lang))
}

#[cfg(test)]
mod json_tests {
    #[test]
    fn what_a_terminal_acts_on_is_escaped_and_the_json_still_parses() {
        let json = serde_json::to_string(&serde_json::json!({"reason": "a\u{85}b\u{202e}c\u{7f}"})).unwrap();
        let text = super::json_text(&json);
        assert_eq!(super::json_text("[\n  1\n]"), "[\n  1\n]");
        assert_eq!(text, r#"{"reason":"a\u0085b\u202ec\u007f"}"#);
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["reason"], "a\u{85}b\u{202e}c\u{7f}");
    }
}
