//! The command line's own words (what each command and option is for, the headings) in the
//! user's language, from the catalogue. clap's derive attributes keep the English text, which
//! the catalogue repeats; a test pins that the two agree.

use clap::{Arg, ArgAction, Command};

use crate::i18n::{Lang, Msg};

/// (subcommand, argument id or "" for the command itself, its text). "" as subcommand is the
/// top-level command.
const TEXTS: &[(&str, &str, Msg)] = &[
    ("", "", Msg::CliAbout),
    ("", "config", Msg::CliConfig),
    ("", "db", Msg::CliDb),
    ("", "lang", Msg::CliLang),
    ("", "theme", Msg::CliTheme),
    ("", "keymap", Msg::CliKeymap),
    ("demo", "", Msg::CliDemo),
    ("status", "", Msg::CliStatus),
    ("status", "json", Msg::CliStatusJson),
    ("status", "hosts", Msg::CliStatusHost),
    ("status", "tags", Msg::CliStatusTag),
    ("status", "security", Msg::CliStatusSecurity),
    ("status", "format", Msg::CliFormatNagios),
    ("logs", "", Msg::CliLogs),
    ("logs", "grep", Msg::CliLogsGrep),
    ("logs", "exclude", Msg::CliLogsExclude),
    ("logs", "encoding", Msg::CliLogsEncoding),
    ("logs", "no_mask", Msg::CliLogsNoMask),
    ("logs", "follow", Msg::CliLogsFollow),
    ("logs", "lines", Msg::CliLogsLines),
    ("logs", "host", Msg::CliLogsHost),
    ("logs", "journal", Msg::CliLogsJournal),
    ("logs", "unit", Msg::CliLogsUnit),
    ("logs", "paths", Msg::CliLogsPaths),
    ("check-config", "", Msg::CliCheckConfig),
    ("check-config", "file", Msg::CliCheckConfigFile),
    ("completions", "", Msg::CliCompletions),
    ("man", "", Msg::CliMan),
    ("db", "", Msg::CliDbCmd),
    ("db backup", "", Msg::CliDbBackup),
    ("db backup", "file", Msg::CliDbBackupFile),
    ("db backup", "force", Msg::CliDbBackupForce),
    ("db check", "", Msg::CliDbCheck),
    ("db check", "quick", Msg::CliDbCheckQuick),
    ("db check", "json", Msg::CliDbJson),
    ("db stats", "", Msg::CliDbStats),
    ("db stats", "json", Msg::CliDbJson),
    ("ticket", "", Msg::CliTicket),
    ("ticket add", "", Msg::CliTicketAdd),
    ("ticket add", "channel", Msg::CliTicketChannel),
    ("ticket add", "caller", Msg::CliTicketCaller),
    ("ticket add", "phone", Msg::CliTicketPhone),
    ("ticket add", "unit", Msg::CliTicketUnit),
    ("ticket add", "category", Msg::CliTicketCategory),
    ("ticket add", "subcategory", Msg::CliTicketSubcategory),
    ("ticket add", "impact", Msg::CliTicketLevel),
    ("ticket add", "urgency", Msg::CliTicketLevel),
    ("ticket add", "summary", Msg::CliTicketSummary),
    ("ticket add", "description", Msg::CliTicketDescription),
    ("ticket add", "hosts", Msg::CliTicketHost),
    ("ticket add", "assignee", Msg::CliTicketAssignee),
    ("ticket add", "tags", Msg::CliTicketTag),
    ("ticket add", "alert_id", Msg::CliTicketAlert),
    ("ticket add", "json", Msg::CliDbJson),
    ("ticket list", "", Msg::CliTicketList),
    ("ticket list", "statuses", Msg::CliTicketStatus),
    ("ticket list", "overdue", Msg::CliTicketOverdue),
    ("ticket list", "assignee", Msg::CliTicketOnlyAssignee),
    ("ticket list", "category", Msg::CliTicketOnlyCategory),
    ("ticket list", "priority", Msg::CliTicketOnlyPriority),
    ("ticket list", "search", Msg::CliTicketSearch),
    ("ticket list", "all", Msg::CliTicketAll),
    ("ticket list", "limit", Msg::CliTicketLimit),
    ("ticket list", "no_mask", Msg::CliTicketNoMask),
    ("ticket list", "json", Msg::CliDbJson),
    ("ticket show", "", Msg::CliTicketShow),
    ("ticket show", "id", Msg::CliTicketIdFull),
    ("ticket show", "no_mask", Msg::CliTicketNoMask),
    ("ticket show", "json", Msg::CliDbJson),
    ("ticket move", "", Msg::CliTicketMove),
    ("ticket move", "id", Msg::CliTicketId),
    ("ticket move", "to", Msg::CliTicketMoveTo),
    ("ticket move", "note", Msg::CliTicketMoveNote),
    ("ticket move", "expect_version", Msg::CliTicketExpect),
    ("ticket move", "json", Msg::CliDbJson),
    ("ticket assign", "", Msg::CliTicketAssign),
    ("ticket assign", "id", Msg::CliTicketId),
    ("ticket assign", "to", Msg::CliTicketAssignee),
    ("ticket assign", "expect_version", Msg::CliTicketExpect),
    ("ticket assign", "json", Msg::CliDbJson),
    ("ticket escalate", "", Msg::CliTicketEscalate),
    ("ticket escalate", "id", Msg::CliTicketId),
    ("ticket escalate", "to", Msg::CliTicketEscalateTo),
    ("ticket escalate", "reason", Msg::CliTicketReason),
    ("ticket escalate", "expect_version", Msg::CliTicketExpect),
    ("ticket escalate", "json", Msg::CliDbJson),
    ("ticket note", "", Msg::CliTicketNote),
    ("ticket note", "id", Msg::CliTicketId),
    ("ticket note", "text", Msg::CliTicketNoteText),
    ("ticket note", "json", Msg::CliDbJson),
    ("ticket verify", "", Msg::CliTicketVerify),
    ("ticket verify", "json", Msg::CliDbJson),
    ("ticket export", "", Msg::CliTicketExport),
    ("ticket export", "format", Msg::CliTicketFormat),
    ("ticket export", "from", Msg::CliTicketFrom),
    ("ticket export", "to", Msg::CliTicketTo),
    ("ticket export", "no_mask", Msg::CliTicketNoMask),
    ("ticket import", "", Msg::CliTicketImport),
    ("ticket import", "file", Msg::CliTicketImportFile),
    ("ticket import", "dry_run", Msg::CliTicketImportDryRun),
    ("ticket import", "json", Msg::CliDbJson),
    ("report", "", Msg::CliReport),
    ("report quarterly", "", Msg::CliReportQuarterly),
    ("report quarterly", "quarter", Msg::CliReportQuarter),
    ("report quarterly", "out", Msg::CliReportOut),
    ("report inspection", "", Msg::CliReportInspection),
    ("report inspection", "quarter", Msg::CliReportQuarter),
    ("report inspection", "from", Msg::CliReportFrom),
    ("report inspection", "to", Msg::CliReportTo),
    ("report inspection", "hosts", Msg::CliReportHost),
    ("report inspection", "out", Msg::CliReportInspectionOut),
    ("report inspection", "tickets", Msg::CliReportTickets),
    ("backup", "", Msg::CliBackup),
    ("backup check", "", Msg::CliBackupCheck),
    ("backup check", "json", Msg::CliDbJson),
    ("backup check", "job", Msg::CliBackupJob),
    ("backup check", "verify", Msg::CliBackupVerify),
    ("backup check", "format", Msg::CliFormatNagios),
    ("net", "", Msg::CliNet),
    ("net check", "", Msg::CliNetCheck),
    ("net check", "json", Msg::CliNetJson),
    ("net check", "format", Msg::CliFormatNagios),
    ("net check", "checks", Msg::CliNetCheckName),
    ("net check", "from", Msg::CliNetFrom),
    ("baseline", "", Msg::CliBaseline),
    ("baseline check", "", Msg::CliBaselineCheck),
    ("baseline check", "json", Msg::CliBaselineJson),
    ("baseline check", "hosts", Msg::CliBaselineHost),
    ("baseline record", "", Msg::CliBaselineRecord),
    ("baseline record", "hosts", Msg::CliBaselineRecordHost),
    ("backup history", "", Msg::CliBackupHistory),
    ("backup history", "name", Msg::CliBackupName),
    ("backup history", "json", Msg::CliDbJson),
    ("duty", "", Msg::CliDuty),
    ("duty handover", "", Msg::CliDutyHandover),
    ("duty handover", "since", Msg::CliDutySince),
    ("duty handover", "to", Msg::CliDutyTo),
    ("duty handover", "note", Msg::CliDutyNote),
    ("duty log", "", Msg::CliDutyLog),
    ("duty log", "json", Msg::CliDbJson),
    ("watch", "", Msg::CliWatch),
    ("shell", "", Msg::CliShell),
    ("shell", "host", Msg::CliShellHost),
    ("shell", "ticket", Msg::CliShellTicket),
    ("shell", "list", Msg::CliShellList),
    ("shell", "json", Msg::CliDbJson),
    ("replay", "", Msg::CliReplay),
    ("replay", "file", Msg::CliReplayFile),
    ("replay", "speed", Msg::CliReplaySpeed),
    ("replay", "idle_limit", Msg::CliReplayIdle),
    ("audit", "", Msg::CliAudit),
    ("audit", "from", Msg::CliAuditFrom),
    ("audit", "to", Msg::CliAuditTo),
    ("audit", "json", Msg::CliDbJson),
    ("audit", "csv", Msg::CliAuditCsv),
    ("audit verify", "", Msg::CliAuditVerify),
    ("audit verify", "json", Msg::CliDbJson),
    ("alerts", "", Msg::CliAlerts),
    ("alerts", "json", Msg::CliDbJson),
    ("alerts", "all", Msg::CliAlertsAll),
    ("alerts ack", "", Msg::CliAlertsAck),
    ("alerts ack", "id", Msg::CliAlertsId),
    ("alerts ack", "note", Msg::CliAlertsNote),
    ("alerts snooze", "", Msg::CliAlertsSnooze),
    ("alerts snooze", "id", Msg::CliAlertsId),
    ("alerts snooze", "for_", Msg::CliAlertsSnoozeFor),
    ("alerts silence", "", Msg::CliAlertsSilence),
    ("alerts silence", "host", Msg::CliAlertsHost),
    ("alerts silence", "job", Msg::CliAlertsJob),
    ("alerts silence", "pattern", Msg::CliAlertsPattern),
    ("alerts silence", "for_", Msg::CliAlertsSilenceFor),
    ("alerts silence", "until", Msg::CliAlertsUntil),
    ("alerts silence", "reason", Msg::CliAlertsReason),
    ("alerts unsilence", "", Msg::CliAlertsUnsilence),
    ("alerts unsilence", "id", Msg::CliAlertsSilenceId),
    ("alerts silences", "", Msg::CliAlertsSilences),
    ("alerts silences", "json", Msg::CliDbJson),
    ("alerts history", "", Msg::CliAlertsHistory),
    ("alerts history", "id", Msg::CliAlertsId),
    ("alerts history", "json", Msg::CliDbJson),
    ("divcode", "", Msg::CliDivcode),
    ("divcode import", "", Msg::CliDivImport),
    ("divcode import", "file", Msg::CliDivFile),
    ("divcode import", "version", Msg::CliDivVersion),
    ("divcode import", "format", Msg::CliDivFormat),
    ("divcode import", "json", Msg::CliDbJson),
    ("divcode versions", "", Msg::CliDivVersions),
    ("divcode versions", "json", Msg::CliDbJson),
    ("divcode drop", "", Msg::CliDivDrop),
    ("divcode drop", "name", Msg::CliDivDropName),
    ("divcode drop", "force", Msg::CliDivDropForce),
    ("divcode diff", "", Msg::CliDivDiff),
    ("divcode diff", "old", Msg::CliDivOld),
    ("divcode diff", "new", Msg::CliDivNew),
    ("divcode diff", "prefix", Msg::CliDivPrefix),
    ("divcode diff", "accept_confident", Msg::CliDivDiffAccept),
    ("divcode diff", "json", Msg::CliDbJson),
    ("divcode review", "", Msg::CliDivReview),
    ("divcode review", "old", Msg::CliDivOld),
    ("divcode review", "new", Msg::CliDivNew),
    ("divcode review", "prefix", Msg::CliDivPrefix),
    ("divcode review", "accept", Msg::CliDivAccept),
    ("divcode review", "reject", Msg::CliDivReject),
    ("divcode review", "map", Msg::CliDivMap),
    ("divcode review", "accept_confident", Msg::CliDivAcceptConfident),
    ("divcode review", "accept_form_only", Msg::CliDivAcceptFormOnly),
    ("divcode review", "reset", Msg::CliDivReset),
    ("divcode review", "json", Msg::CliDbJson),
    ("divcode mapping", "", Msg::CliDivMapping),
    ("divcode mapping", "old", Msg::CliDivOld),
    ("divcode mapping", "new", Msg::CliDivNew),
    ("divcode mapping", "prefix", Msg::CliDivPrefix),
    ("divcode mapping", "all", Msg::CliDivAll),
    ("divcode mapping", "out", Msg::CliDivOut),
    ("divcode mapping", "force", Msg::CliDivMappingForce),
    ("divcode sql", "", Msg::CliDivSql),
    ("divcode sql", "old", Msg::CliDivOld),
    ("divcode sql", "new", Msg::CliDivNew),
    ("divcode sql", "prefix", Msg::CliDivPrefix),
    ("divcode sql", "dialect", Msg::CliDivDialect),
    ("divcode sql", "table", Msg::CliDivTable),
    ("divcode sql", "column", Msg::CliDivColumn),
    ("divcode sql", "key", Msg::CliDivKey),
    ("divcode sql", "matching", Msg::CliDivMatch),
    ("divcode sql", "out_dir", Msg::CliDivOutDir),
    ("divcode sql", "force", Msg::CliDivSqlForce),
    ("divcode impact", "", Msg::CliDivImpact),
    ("divcode impact", "old", Msg::CliDivOld),
    ("divcode impact", "new", Msg::CliDivNew),
    ("divcode impact", "prefix", Msg::CliDivPrefix),
    ("divcode impact", "targets", Msg::CliDivTarget),
    ("divcode impact", "json", Msg::CliDivImpactJson),
    ("divcode reconcile", "", Msg::CliDivReconcile),
    ("divcode reconcile", "old", Msg::CliDivOld),
    ("divcode reconcile", "new", Msg::CliDivNew),
    ("divcode reconcile", "prefix", Msg::CliDivPrefix),
    ("divcode reconcile", "before", Msg::CliDivBefore),
    ("divcode reconcile", "rolled_back", Msg::CliDivRolledBack),
    ("divcode reconcile", "json", Msg::CliDbJson),
];

/// Every subcommand's path from the top (`db check`), read from the command itself so that
/// none is left with clap's own English `--help` (or none at all).
fn subcommand_paths(cmd: &Command, prefix: &str, out: &mut Vec<String>) {
    for sub in cmd.get_subcommands() {
        let path = if prefix.is_empty() {
            sub.get_name().to_string()
        } else {
            format!("{prefix} {}", sub.get_name())
        };
        subcommand_paths(sub, &path, out);
        out.push(path);
    }
}

/// `cmd` with `f` applied to the subcommand at `path` (`""` is `cmd` itself, `db check` a
/// nested one).
fn at_path(cmd: Command, path: &str, f: &dyn Fn(Command) -> Command) -> Command {
    if path.is_empty() {
        return f(cmd);
    }
    match path.split_once(' ') {
        None => cmd.mut_subcommand(path, f),
        Some((first, rest)) => cmd.mut_subcommand(first, |c| at_path(c, rest, f)),
    }
}

/// The language the command line speaks before anything is loaded: `--lang` when given, else
/// the locale (the config's `lang` is read only once the command runs).
pub fn lang_of_args(args: &[std::ffi::OsString]) -> Lang {
    let args: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let flag = args.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--lang=")
            .map(str::to_string)
            .or_else(|| (a == "--lang").then(|| args.get(i + 1).cloned()).flatten())
    });
    match flag.as_deref().and_then(Lang::parse) {
        Some(lang) => lang,
        None => Lang::resolve(None),
    }
}

/// `cmd` with every text of [`TEXTS`] and clap's headings in `lang`.
pub fn localized(mut cmd: Command, lang: Lang) -> Command {
    let options = Msg::CliOptions.text(lang);
    for (sub, id, msg) in TEXTS {
        let text = msg.text(lang);
        let apply = |c: Command| {
            if id.is_empty() {
                c.about(text)
            } else if lang == Lang::En {
                c.mut_arg(*id, |a| a.help(text))
            } else {
                c.mut_arg(*id, |a| a.help(text).help_heading(options))
            }
        };
        cmd = at_path(cmd, sub, &apply);
    }
    if lang == Lang::En {
        return cmd;
    }
    cmd = cmd.long_about(Msg::CliLongAbout.text(lang));
    let template = format!(
        "{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
        Msg::CliUsage.text(lang)
    );
    // clap makes its own --help and --version only when built; these take their place.
    let help = Arg::new("help")
        .short('h')
        .long("help")
        .action(ArgAction::Help)
        .help(Msg::CliHelpFlag.text(lang))
        .help_heading(options);
    let headings = |c: Command| {
        c.help_template(template.clone())
            .subcommand_help_heading(Msg::CliCommands.text(lang))
            .disable_help_flag(true)
            .arg(help.clone())
    };
    let version = Arg::new("version")
        .short('V')
        .long("version")
        .action(ArgAction::Version)
        .help(Msg::CliVersionFlag.text(lang))
        .help_heading(options);
    let mut paths = Vec::new();
    subcommand_paths(&cmd, "", &mut paths);
    cmd = headings(cmd).disable_version_flag(true).arg(version);
    for path in &paths {
        cmd = at_path(cmd, path, &headings);
    }
    cmd
}
