//! `yunwei man`, hidden from the help: prints the manual page, generated from the command tree
//! with clap_mangen, in the language of `--lang` (the same localized tree `--help` shows). The
//! release script writes `yunwei.1` and `yunwei.zh_CN.1` with it from the binary it packages.
//!
//! One page holds everything: the top command's synopsis and options, then a `.SS` section for
//! each subcommand (nested ones named by their path, `yunwei db check`) with its own synopsis
//! and options, without repeating the global options; then the environment, the files and the
//! exit status.

use std::io::Write;

use clap::Command;
use clap_mangen::roff::{bold, italic, roman, Roff};

use crate::i18n::{Lang, Msg};

/// The arguments of `yunwei man` (none of its own: the language is the global `--lang`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ManArgs {}

/// Prints the page for `command` (the whole `yunwei` command tree, localized) on standard
/// output.
pub fn run(lang: Lang, command: Command) -> i32 {
    let page = page(command, lang);
    let mut out = std::io::stdout().lock();
    match out.write_all(page.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(e) => {
            crate::cli::errors::say("man", &format!("{}: {e}", Msg::WriteFailed.text(lang)));
            1
        }
    }
}

/// The lines that `roff` puts before every page it renders (the apostrophe string); clap_mangen
/// renders each section as a page of its own, so they are kept once, at the top.
const PREAMBLE: [&str; 2] = [".ie \\n(.g .ds Aq \\(aq", ".el .ds Aq '"];

/// What `render` writes, as text, without the preamble (and, with `headings` false, without
/// its `.SH` lines: a subcommand's synopsis and options are parts of its `.SS`).
fn piece(render: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>, headings: bool) -> String {
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = render(&mut buf);
    String::from_utf8_lossy(&buf)
        .lines()
        .filter(|l| !PREAMBLE.contains(l) && (headings || !l.starts_with(".SH")))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The manual page of `command` in roff, its own words in `lang` (clap_mangen's section
/// headings are English; they are replaced by the catalogue's).
pub fn page(command: Command, lang: Lang) -> String {
    let mut command = with_command_value(command, Msg::ManCommandValue.text(lang));
    command.build();
    let version = command.get_version().unwrap_or_default().to_string();
    let name = command.get_name().to_string();
    let man = clap_mangen::Man::new(command.clone())
        .title(name.to_uppercase())
        .section("1")
        .source(format!("{name} {version}"))
        .manual(Msg::ManUserCommands.text(lang));
    let mut out: String = PREAMBLE.iter().map(|l| format!("{l}\n")).collect();
    // `.TH` by hand: roff drops the empty date, which would move the source into its place.
    let mut title = Roff::new();
    title.control(
        "TH",
        [
            name.to_uppercase().as_str(),
            "1",
            "",
            &format!("{name} {version}"),
            Msg::ManUserCommands.text(lang),
        ],
    );
    out.push_str(&piece(|w| title.to_writer(w), true).replace(" 1  ", " 1 \"\" "));
    out.push_str(&piece(|w| man.render_name_section(w), true));
    out.push_str(&piece(|w| man.render_synopsis_section(w), true));
    out.push_str(&piece(|w| man.render_description_section(w), true));
    out.push_str(&piece(|w| man.render_options_section(w), true));
    let globals: Vec<String> = command
        .get_arguments()
        .filter(|a| a.is_global_set())
        .map(|a| a.get_id().to_string())
        .chain(["help".to_string(), "version".to_string()])
        .collect();
    let mut heading = Roff::new();
    heading.control("SH", [Msg::CliCommands.text(lang).to_uppercase().as_str()]);
    out.push_str(&piece(|w| heading.to_writer(w), true));
    for sub in visible_subcommands(&command) {
        subcommand(&mut out, sub, &globals);
    }
    let mut rest = Roff::new();
    closing(&mut rest, &name, lang);
    out.push_str(&piece(|w| rest.to_writer(w), true));
    out.push_str(&piece(|w| man.render_version_section(w), true));
    localize_headings(&out, lang)
}

/// `cmd` and each of its subcommands that has subcommands of its own, with `value` as the name
/// the synopsis gives their place.
fn with_command_value(cmd: Command, value: &'static str) -> Command {
    let names: Vec<String> =
        cmd.get_subcommands().filter(|s| s.has_subcommands()).map(|s| s.get_name().to_string()).collect();
    let mut cmd = if cmd.has_subcommands() { cmd.subcommand_value_name(value) } else { cmd };
    for name in names {
        cmd = cmd.mut_subcommand(name, |s| with_command_value(s, value));
    }
    cmd
}

/// The subcommands a person can call, in the order of the help: not hidden, not `help`.
fn visible_subcommands(cmd: &Command) -> impl Iterator<Item = &Command> {
    cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help")
}

/// A `.SS` section for `sub` (already built, so its bin name is its whole path): its synopsis,
/// what it does, its own options (`globals` are described once, at the top); then one for each
/// of its own subcommands.
fn subcommand(out: &mut String, sub: &Command, globals: &[String]) {
    let path = sub.get_bin_name().unwrap_or_else(|| sub.get_name()).to_string();
    let mut own = sub.clone();
    for id in globals {
        if own.get_arguments().any(|a| a.get_id().as_str() == id) {
            own = own.mut_arg(id.as_str(), |a| a.hide(true));
        }
    }
    let man = clap_mangen::Man::new(own.clone());
    let mut head = Roff::new();
    head.control("SS", [path.as_str()]);
    out.push_str(&piece(|w| head.to_writer(w), true));
    out.push_str(&piece(|w| man.render_synopsis_section(w), false));
    if let Some(about) = own.get_long_about().or_else(|| own.get_about()) {
        let mut text = Roff::new();
        text.control("PP", []).text([roman(about.to_string())]);
        out.push_str(&piece(|w| text.to_writer(w), true));
    }
    if own.get_arguments().any(|a| !a.is_hide_set()) {
        out.push_str(&piece(|w| man.render_options_section(w), false));
    }
    for child in visible_subcommands(sub) {
        subcommand(out, child, globals);
    }
}

/// The environment, files and exit status.
fn closing(roff: &mut Roff, name: &str, lang: Lang) {
    let t = |m: Msg| m.text(lang);
    let entry = |roff: &mut Roff, head: &str, body: &str| {
        roff.control("TP", []);
        roff.text([bold(head)]);
        roff.text([roman(body)]);
    };
    roff.control("SH", [t(Msg::ManEnvironment)]);
    entry(roff, "YUNWEI_CONFIG", t(Msg::ManEnvConfig));
    entry(roff, "YUNWEI_DB", t(Msg::ManEnvDb));
    entry(roff, "YUNWEI_OPERATOR", t(Msg::ManEnvOperator));
    entry(roff, "NO_COLOR", t(Msg::ManEnvNoColor));
    entry(roff, "LC_ALL, LC_MESSAGES, LANG", t(Msg::ManEnvLocale));
    roff.control("SH", [t(Msg::ManFiles)]);
    for (path, m) in [
        (format!("~/.config/{name}/config.toml"), Msg::ManFileConfig),
        (format!("~/.local/share/{name}/{name}.db"), Msg::ManFileDb),
        (format!("/usr/share/doc/{name}/README.md"), Msg::ManFileReadme),
    ] {
        roff.control("TP", []);
        roff.text([italic(path)]);
        roff.text([roman(t(m))]);
    }
    roff.control("SH", [t(Msg::ManExitStatus)]);
    for (code, m) in [("0", Msg::ManExit0), ("1", Msg::ManExit1), ("2", Msg::ManExit2)] {
        entry(roff, code, t(m));
    }
}

/// clap_mangen's fixed English words replaced by the catalogue's in `lang`.
fn localize_headings(page: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return page.to_string();
    }
    let mut out = String::with_capacity(page.len());
    for line in page.lines() {
        let line = match line {
            ".SH NAME" => format!(".SH {}", Msg::ManName.text(lang)),
            ".SH SYNOPSIS" => format!(".SH {}", Msg::ManSynopsis.text(lang)),
            ".SH DESCRIPTION" => format!(".SH {}", Msg::ManDescription.text(lang)),
            ".SH VERSION" => format!(".SH {}", Msg::ManVersion.text(lang)),
            // groff breaks lines only at spaces, and Chinese has none: a break point (`\:`)
            // after each full-width comma, stop and bracket lets a long sentence wrap.
            other if !other.starts_with('.') => other
                .replace("Possible values:", Msg::ManPossibleValues.text(lang))
                .replace("[default: ", Msg::ManDefault.text(lang))
                .replace('，', "，\\:")
                .replace('、', "、\\:")
                .replace('；', "；\\:")
                .replace('。', "。\\:")
                .replace('）', "）\\:"),
            other => other.to_string(),
        };
        out.push_str(&line);
        out.push('\n');
        // Justifying Chinese text only stretches the spaces beside the Latin words.
        if line.starts_with(".TH ") {
            out.push_str(".ad l\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Arg;

    fn tree() -> Command {
        Command::new("yunwei")
            .version("1.2.3")
            .about("the console")
            .arg(Arg::new("config").long("config").global(true).help("Config file"))
            .subcommand(
                Command::new("status")
                    .about("Poll every host once")
                    .arg(Arg::new("json").long("json").action(clap::ArgAction::SetTrue).help("Print JSON")),
            )
            .subcommand(Command::new("secret").hide(true).about("not for people"))
            .subcommand(
                Command::new("db")
                    .about("Look after the database")
                    .subcommand(Command::new("check").about("Check the database，完整地")),
            )
    }

    #[test]
    fn one_page_names_every_visible_subcommand_and_the_global_options_once() {
        let page = page(tree(), Lang::En);
        assert!(
            page.starts_with(".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n.TH YUNWEI 1 \"\" \"yunwei 1.2.3\""),
            "{page}"
        );
        assert_eq!(page.matches(".ie \\n(.g").count(), 1, "{page}");
        for heading in [".SH NAME", ".SH SYNOPSIS", ".SH COMMANDS", ".SH ENVIRONMENT", ".SH \"EXIT STATUS\""]
        {
            assert!(page.contains(&format!("{heading}\n")), "{heading} missing:\n{page}");
        }
        for sub in ["yunwei status", "yunwei db", "yunwei db check"] {
            assert!(page.contains(&format!(".SS \"{sub}\"\n")), "{sub} missing:\n{page}");
        }
        assert!(!page.contains("secret") && !page.contains("not for people"), "{page}");
        assert_eq!(page.matches("\\fB\\-\\-config\\fR").count(), 2, "the synopsis and the option:\n{page}");
        assert!(page.contains("Print JSON") && page.contains("[\\fIcommand\\fR]"), "{page}");
        // Every line is a request, a macro or text that cannot be taken for one.
        for line in page.lines() {
            assert!(!line.starts_with('\'') && !line.is_empty(), "{line:?}");
        }
    }

    #[test]
    fn the_chinese_page_has_chinese_headings_and_break_points() {
        let page = page(tree(), Lang::ZhCn);
        for heading in [".SH 名称", ".SH 概述", ".SH 命令", ".SH 环境变量", ".SH 退出状态"] {
            assert!(page.contains(&format!("{heading}\n")), "{heading} missing:\n{page}");
        }
        assert!(page.contains(".ad l\n") && page.contains("，\\:完整地"), "{page}");
        assert!(page.contains("[\\fI命令\\fR]"), "{page}");
    }
}
