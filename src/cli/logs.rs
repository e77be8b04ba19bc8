//! `yunwei logs`: prints log files or the systemd journal decoded (UTF-8 or GB18030, per line),
//! sanitised (no escape sequence reaches the terminal) and masked (resident ID and mobile
//! numbers), filtered like `grep -E`; with `--follow`, like `tail -n N -F` over several files
//! at once, each read on a thread of its own (a FIFO without a writer holds up no other file).
//! A binary file is named as binary instead of printed; a line cut at the length limit says so.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use std::fs::File;
use std::io::Read;

use crate::cli::errors::say;
use crate::i18n::{fill, Lang, Msg};
use crate::logs::decode::{Decoder, Encoding};
use crate::logs::filter::Filter;
use crate::logs::follow::{FollowEvent, Follower, Start};
use crate::logs::journal::{self, JournalSpec, JournalStart, LocalJournal};
use crate::logs::lines::{binary_head, cut_point, NulRun, MAX_LINE, MAX_UNBROKEN};
use crate::logs::mask::mask;
use crate::logs::record::Record;
use crate::logs::sanitize::{sanitize_lines, sanitize_text};

/// The arguments of `yunwei logs`.
#[derive(Debug, Clone, clap::Args)]
pub struct LogsArgs {
    /// Keep the lines that match any of these patterns (like grep -E)
    #[arg(long = "grep", value_name = "RE")]
    pub grep: Vec<String>,
    /// Drop the lines that match any of these patterns
    #[arg(long = "exclude", value_name = "RE")]
    pub exclude: Vec<String>,
    /// auto (UTF-8 when valid, else GB18030), utf-8 or gb18030
    #[arg(long, default_value = "auto", value_name = "E")]
    pub encoding: String,
    /// Show resident ID and mobile numbers unmasked (written to the audit log)
    #[arg(long)]
    pub no_mask: bool,
    /// Follow like tail -F: by name, across rotation and truncation
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// With --follow, start with the last N lines
    #[arg(short = 'n', long, default_value_t = 10, value_name = "N", requires = "follow")]
    pub lines: usize,
    /// Read the files on this host (from the config or ~/.ssh/config), over SSH
    #[arg(long, value_name = "NAME")]
    pub host: Option<String>,
    /// Read the systemd journal (through journalctl) instead of files
    #[arg(long, conflicts_with = "paths")]
    pub journal: bool,
    /// With --journal, only this unit's entries (as journalctl --unit)
    #[arg(long, value_name = "UNIT")]
    pub unit: Option<String>,
    /// The files
    #[arg(required_unless_present = "journal", value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// How often followed files are checked for new lines.
const FOLLOW_EVERY: Duration = Duration::from_millis(100);

/// Whole files are read in blocks of about this size (complete lines each).
const BLOCK: usize = 1 << 16;

/// The pipeline: decode, sanitise, mask (unless `--no-mask`), then filter, so that what is
/// searched is what would be shown.
pub struct LinePipeline {
    filter: Filter,
    no_mask: bool,
}

impl LinePipeline {
    pub fn new(grep: &[String], exclude: &[String], no_mask: bool) -> Result<LinePipeline, String> {
        let inc: Vec<&str> = grep.iter().map(String::as_str).collect();
        let exc: Vec<&str> = exclude.iter().map(String::as_str).collect();
        let filter = Filter::new(&inc, &exc).map_err(|e| format!("bad pattern: {e}"))?;
        Ok(LinePipeline { filter, no_mask })
    }

    /// The printable line, or None when the filter drops it.
    pub fn process(&self, decoder: &mut Decoder, raw: &[u8]) -> Option<String> {
        let decoded = decoder.decode(raw);
        let clean = sanitize_text(&decoded);
        self.process_clean(clean)
    }

    /// A line already decoded and sanitised (a journal record's): masked and filtered.
    pub fn process_clean(&self, clean: std::borrow::Cow<'_, str>) -> Option<String> {
        let shown = if self.no_mask { clean } else { std::borrow::Cow::Owned(mask(&clean).into_owned()) };
        self.filter.matches(&shown).then(|| shown.into_owned())
    }

    /// A block of complete lines at once (same result as line by line, much faster). Only the
    /// lines the filter keeps are masked, and the masked line must still match: a search for a
    /// number that is masked finds nothing, as in the pane.
    pub fn process_block(&self, decoder: &mut Decoder, raw: &[u8], mut f: impl FnMut(&str)) {
        let decoded = decoder.decode(raw);
        let clean = sanitize_lines(&decoded);
        if self.no_mask {
            self.filter.for_each_matching_line(&clean, &mut f);
        } else if !self.filter.is_active() {
            for line in mask(&clean).lines() {
                f(line);
            }
        } else {
            self.filter.for_each_matching_line(&clean, |line| {
                let shown = mask(line);
                if matches!(shown, std::borrow::Cow::Borrowed(_)) || self.filter.matches(&shown) {
                    f(&shown);
                }
            });
        }
    }
}

/// Unmasked personal data leaves only on record: one audit row (who, which files, on which
/// host) before anything is printed.
fn audit_no_mask(g: &crate::cli::Global, args: &LogsArgs) -> Result<(), String> {
    let cfg = crate::config::load(g.config.as_deref()).ok();
    let lang = crate::cli::lang_of(g, cfg.as_ref());
    let operator =
        crate::store::audit::resolve_operator(cfg.as_ref().and_then(|c| c.general.operator.as_deref()));
    let fail = |error: String| crate::i18n::Msg::LogsNoMaskAuditFailed.fill(lang, &[("error", &error)]);
    let mut files: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
    if args.journal {
        files.push(format!(
            "journal{}",
            args.unit.as_ref().map(|u| format!(" --unit={u}")).unwrap_or_default()
        ));
    }
    let target = match &args.host {
        Some(host) => format!("{host}:{}", files.join(" ")),
        None => files.join(" "),
    };
    // The audit row must be written: a read-only database refuses, with the reason.
    let (path, options) = crate::cli::db_options(g, crate::store::Access::Write);
    let store = crate::store::Store::open_with(&path, options).map_err(|e| fail(e.text(lang)))?;
    if let Some(notice) = store.tightened_notice(lang) {
        say("logs", &notice);
    }
    store
        .audit(&operator, "logs.no_mask", &target, "yunwei logs --no-mask printed unmasked records")
        .map(|_| ())
        .map_err(|e| fail(e.text(lang)))
}

pub fn run(g: &crate::cli::Global, args: &LogsArgs) -> i32 {
    let lang = crate::cli::early_lang(g);
    let t = |m: Msg, args: &[(&str, &str)]| fill(m.text(lang), args);
    let says = Says { lang };
    let encoding: Encoding = match args.encoding.parse() {
        Ok(e) => e,
        Err(_) => {
            say("logs", &t(Msg::LogsCliBadEncoding, &[("value", &args.encoding)]));
            return 2;
        }
    };
    let pipeline = match LinePipeline::new(&args.grep, &args.exclude, args.no_mask) {
        Ok(p) => p,
        Err(e) => {
            say("logs", &t(Msg::LogsCliBadPattern, &[("e", &e)]));
            return 2;
        }
    };
    if args.paths.is_empty() && !args.journal {
        say("logs", Msg::LogsCliNoFiles.text(lang));
        return 2;
    }
    // Checked here: clap counts the flag's default as present for `requires`.
    if args.unit.is_some() && !args.journal {
        say("logs", Msg::LogsCliUnitNeedsJournal.text(lang));
        return 2;
    }
    if args.no_mask {
        if let Err(e) = audit_no_mask(g, args) {
            crate::cli::errors::eprint_clean(&e);
            return 1;
        }
    }
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(256 * 1024, stdout.lock());
    let remote_target = match &args.host {
        None => None,
        Some(name) => match remote_target(g, name) {
            Ok(t) => t,
            Err(code) => return code,
        },
    };
    let journal = args.journal.then(|| JournalSpec { unit: args.unit.clone() });
    let result = match (remote_target, journal) {
        (Some((target, pool)), Some(j)) => {
            remote_journal(args, &j, encoding, &pipeline, (&target, &pool), &mut out, lang)
        }
        (Some((target, pool)), None) => remote(args, encoding, &pipeline, &target, &pool, &mut out, lang),
        (None, Some(j)) if args.follow => follow(args, Some(j), encoding, &pipeline, &says, &mut out),
        (None, Some(j)) => read_journal(&j, encoding, &pipeline, &mut out),
        (None, None) if args.follow => follow(args, None, encoding, &pipeline, &says, &mut out),
        (None, None) => read_all(args, encoding, &pipeline, &says, &mut out),
    };
    match result.and_then(|code| out.flush().map(|_| code)) {
        Ok(code) => code,
        // The reader went away (`| head`): not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            say("logs", &crate::i18n::io_error(&e, lang));
            1
        }
    }
}

fn label(path: &Path, many: bool) -> String {
    if many {
        format!("{}:", crate::health::printable(&path.display().to_string()))
    } else {
        String::new()
    }
}

/// What `yunwei logs` says besides the lines, in the user's language.
struct Says {
    lang: Lang,
}

impl Says {
    /// The mark after a line cut at the length limit.
    fn cut(&self) -> String {
        format!(" {}", Msg::LogsLineCut.text(self.lang))
    }

    fn binary(&self, name: &str) {
        say("logs", &format!("{name}: {}", Msg::LogsCliBinary.text(self.lang)));
    }
}

/// Whole files, one after the other, in blocks of complete lines; memory stays bounded
/// whatever their size. A FIFO is read until its writers close. A binary file (a NUL byte in
/// its first block, a block of NULs, or megabytes without a newline) is named as binary on
/// standard error and not printed (exit code 1); a line cut at the length limit is marked.
fn read_all(
    args: &LogsArgs,
    encoding: Encoding,
    p: &LinePipeline,
    says: &Says,
    out: &mut impl Write,
) -> io::Result<i32> {
    let many = args.paths.len() > 1;
    let mut code = 0;
    let cut_mark = says.cut();
    for path in &args.paths {
        let prefix = label(path, many);
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) => {
                say("logs", &format!("{}: {}", path.display(), crate::i18n::io_error(&e, says.lang)));
                code = 1;
                continue;
            }
        };
        let mut decoder = Decoder::new(encoding);
        let mut buf = vec![0u8; BLOCK * 2];
        let mut filled = 0;
        let mut first = true;
        let mut nuls = NulRun::default();
        // Bytes since the last newline, pieces already printed included.
        let mut unbroken = 0u64;
        loop {
            if filled == buf.len() {
                buf.resize((buf.len() * 2).min(MAX_LINE + BLOCK), 0);
            }
            let n = match file.read(&mut buf[filled..]) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    say("logs", &format!("{}: {}", path.display(), crate::i18n::io_error(&e, says.lang)));
                    code = 1;
                    break;
                }
            };
            let fresh = &buf[filled..filled + n];
            if (first && n > 0 && binary_head(fresh)) || nuls.feed(fresh) {
                says.binary(&path.display().to_string());
                code = 1;
                break;
            }
            first &= n == 0;
            let eof = n == 0;
            filled += n;
            // Complete lines only; a line longer than MAX_LINE is cut where the buffer ends.
            let (used, cut) = match buf[..filled].iter().rposition(|&c| c == b'\n') {
                _ if eof => (filled, false),
                Some(last) => (last + 1, false),
                None if filled >= MAX_LINE => (cut_point(&buf[..filled], MAX_LINE.min(filled)), true),
                None => continue,
            };
            unbroken = match buf[..used].iter().rposition(|&c| c == b'\n') {
                Some(last) => (used - last - 1) as u64,
                None => unbroken + used as u64,
            };
            if unbroken >= MAX_UNBROKEN {
                says.binary(&path.display().to_string());
                code = 1;
                break;
            }
            let mark = if cut { cut_mark.as_str() } else { "" };
            let mut result = Ok(());
            p.process_block(&mut decoder, &buf[..used], |line| {
                if result.is_ok() {
                    result = writeln!(out, "{prefix}{line}{mark}");
                }
            });
            result?;
            if eof {
                break;
            }
            buf.copy_within(used..filled, 0);
            filled -= used;
        }
    }
    Ok(code)
}

/// The whole local journal (or a unit's), once, as `journalctl -o json` gives it.
fn read_journal(
    j: &JournalSpec,
    encoding: Encoding,
    p: &LinePipeline,
    out: &mut impl Write,
) -> io::Result<i32> {
    let mut reader = match LocalJournal::spawn(JOURNALCTL.as_ref(), j, None, JournalStart::All, false) {
        Ok(r) => r,
        Err(e) => {
            say("logs", &format!("journalctl: {e}"));
            return Ok(1);
        }
    };
    let mut decoder = Decoder::new(encoding);
    loop {
        let read = reader.poll(Duration::from_millis(200));
        let now = chrono::Local::now().fixed_offset();
        for entry in read.entries {
            match entry {
                Ok(e) => print_record(&journal::to_record(&e, &mut decoder, now), p, "", out)?,
                Err(e) => say("logs", &format!("journal: {e}")),
            }
        }
        match read.ended {
            None => {}
            Some(Ok(())) => return Ok(0),
            Some(Err(e)) => {
                say("logs", &format!("journalctl: {e}"));
                return Ok(1);
            }
        }
    }
}

/// Prints the lines of a record (decoded and sanitised already) that the filter keeps.
fn print_record(r: &Record, p: &LinePipeline, prefix: &str, out: &mut impl Write) -> io::Result<()> {
    for line in &r.lines {
        if let Some(shown) = p.process_clean(std::borrow::Cow::Borrowed(line)) {
            writeln!(out, "{prefix}{shown}")?;
        }
    }
    Ok(())
}

/// The program a journal source runs.
const JOURNALCTL: &str = "journalctl";

/// What a followed source's thread hands to the printing loop.
enum Found {
    /// Raw lines, each with whether it is a piece cut at the length limit.
    Lines(Vec<(Vec<u8>, bool)>),
    /// Journal records, decoded and sanitised.
    Records(Vec<Record>),
    /// A line for standard error.
    Note(String),
    /// The source turned out binary.
    Binary,
}

/// `tail -n N -F` over every path (or the journal): the last lines, then what is appended,
/// across rotation and truncation, and files that appear later. Each source is read on a
/// thread of its own, so one that blocks (a FIFO, a hung NFS mount) holds up no other. Runs
/// until interrupted.
fn follow(
    args: &LogsArgs,
    journal: Option<JournalSpec>,
    encoding: Encoding,
    p: &LinePipeline,
    says: &Says,
    out: &mut impl Write,
) -> io::Result<i32> {
    let (tx, rx) = mpsc::channel::<(usize, Found)>();
    let mut names = Vec::new();
    if let Some(j) = journal {
        names.push("journal".to_string());
        let (tx, lines) = (tx.clone(), args.lines);
        let lang = says.lang;
        std::thread::spawn(move || follow_journal(j, encoding, lines, 0, lang, tx));
    } else {
        for (i, path) in args.paths.iter().enumerate() {
            names.push(path.display().to_string());
            let (tx, path, lines) = (tx.clone(), path.clone(), args.lines);
            let lang = says.lang;
            std::thread::spawn(move || follow_file(&path, lines, i, lang, tx));
        }
    }
    drop(tx);
    let many = names.len() > 1;
    let mut decoders: Vec<Decoder> = names.iter().map(|_| Decoder::new(encoding)).collect();
    let mut last_header: Option<usize> = None;
    let cut_mark = says.cut();
    let mut header = |i: usize, out: &mut dyn Write| -> io::Result<()> {
        if many && last_header != Some(i) {
            writeln!(out, "==> {} <==", crate::health::printable(&names[i]))?;
            last_header = Some(i);
        }
        Ok(())
    };
    while let Ok((i, found)) = rx.recv() {
        match found {
            Found::Lines(lines) => {
                let kept: Vec<String> = lines
                    .iter()
                    .filter_map(|(l, cut)| {
                        let line = p.process(&mut decoders[i], l)?;
                        Some(if *cut { line + &cut_mark } else { line })
                    })
                    .collect();
                if !kept.is_empty() {
                    header(i, out)?;
                    for line in kept {
                        writeln!(out, "{line}")?;
                    }
                }
            }
            Found::Records(records) => {
                let mut text = Vec::new();
                for r in &records {
                    print_record(r, p, "", &mut text)?;
                }
                if !text.is_empty() {
                    header(i, out)?;
                    out.write_all(&text)?;
                }
            }
            Found::Note(note) => say("logs", &note),
            Found::Binary => says.binary(&names[i]),
        }
        out.flush()?;
    }
    Ok(0)
}

/// The thread of one followed file: polls it every [`FOLLOW_EVERY`] and hands on what it found.
fn follow_file(path: &Path, lines: usize, i: usize, lang: Lang, tx: mpsc::Sender<(usize, Found)>) {
    let mut follower = Follower::open(path, Start::LastLines(lines));
    let name = path.display().to_string();
    loop {
        let mut batch: Vec<(Vec<u8>, bool)> = Vec::new();
        let mut found = Vec::new();
        for ev in follower.poll() {
            let note = match ev {
                FollowEvent::Lines(lines) => {
                    batch.extend(lines.into_iter().map(|l| (l, false)));
                    continue;
                }
                FollowEvent::Cut(piece) => {
                    batch.push((piece, true));
                    continue;
                }
                FollowEvent::Binary => {
                    found.push(Found::Lines(std::mem::take(&mut batch)));
                    found.push(Found::Binary);
                    continue;
                }
                FollowEvent::Rotated => format!("{name}: {}", Msg::LogsRotated.text(lang)),
                FollowEvent::Truncated => format!("{name}: {}", Msg::LogsTruncated.text(lang)),
                FollowEvent::Missing => format!("{name}: {}", Msg::LogsMissing.text(lang)),
                FollowEvent::Appeared => format!("{name}: {}", Msg::LogsCliAppeared.text(lang)),
                FollowEvent::Error(e) => format!("{name}: {e}"),
            };
            found.push(Found::Lines(std::mem::take(&mut batch)));
            found.push(Found::Note(note));
        }
        found.push(Found::Lines(batch));
        for f in found {
            if matches!(&f, Found::Lines(l) if l.is_empty()) {
                continue;
            }
            if tx.send((i, f)).is_err() {
                return;
            }
        }
        std::thread::sleep(FOLLOW_EVERY);
    }
}

/// The thread of the followed journal: `journalctl --follow`, started again after the last
/// entry's cursor when it ends (no entry twice, none lost).
fn follow_journal(
    j: JournalSpec,
    encoding: Encoding,
    lines: usize,
    i: usize,
    lang: Lang,
    tx: mpsc::Sender<(usize, Found)>,
) {
    let mut decoder = Decoder::new(encoding);
    let mut cursor: Option<String> = None;
    loop {
        match LocalJournal::spawn(JOURNALCTL.as_ref(), &j, cursor.as_deref(), JournalStart::Last(lines), true)
        {
            Err(e) => {
                if tx
                    .send((
                        i,
                        Found::Note(fill(
                            Msg::LogsCliRetrying.text(lang),
                            &[("e", &format!("journalctl: {e}"))],
                        )),
                    ))
                    .is_err()
                {
                    return;
                }
            }
            Ok(mut reader) => loop {
                let read = reader.poll(FOLLOW_EVERY);
                let now = chrono::Local::now().fixed_offset();
                let mut records = Vec::new();
                for entry in read.entries {
                    match entry {
                        Ok(e) => {
                            records.push(journal::to_record(&e, &mut decoder, now));
                            cursor = Some(e.cursor);
                        }
                        Err(e) => {
                            if tx.send((i, Found::Note(format!("journal: {e}")))).is_err() {
                                return;
                            }
                        }
                    }
                }
                if !records.is_empty() && tx.send((i, Found::Records(records))).is_err() {
                    return;
                }
                if let Some(end) = read.ended {
                    let why = end.err().unwrap_or_else(|| Msg::LogsCliJournalEnded.text(lang).into());
                    let note =
                        fill(Msg::LogsCliJournalRestart.text(lang), &[("e", &format!("journalctl: {why}"))]);
                    if tx.send((i, Found::Note(note))).is_err() {
                        return;
                    }
                    break;
                }
            },
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// The SSH target of `--host NAME` (None when the host is this machine), with the pool.
fn remote_target(
    g: &crate::cli::Global,
    name: &str,
) -> Result<Option<(crate::ssh::Target, std::sync::Arc<crate::ssh::SshPool>)>, i32> {
    let lang = crate::cli::early_lang(g);
    let cfg = crate::config::load(g.config.as_deref()).map_err(|errors| {
        for e in &errors.0 {
            crate::cli::errors::eprint_clean(&e.render(lang));
        }
        2
    })?;
    let fleet = crate::cli::resolve_fleet(&cfg);
    let Some(host) = fleet.hosts.iter().find(|h| h.name == name) else {
        let names: Vec<&str> = fleet.hosts.iter().map(|h| h.name.as_str()).collect();
        let list = names.join(", ");
        say("logs", &fill(Msg::CliNoSuchHost.text(lang), &[("host", name), ("list", &list)]));
        return Err(2);
    };
    Ok(host.target().map(|t| (t, crate::fleet::pool_for(&cfg))))
}

/// Files on a host reached over SSH: whole (up to their size when we started), or followed
/// every second. The cursor (inode and offset) survives a lost connection, so a reconnect
/// resumes exactly where reading stopped.
fn remote(
    args: &LogsArgs,
    encoding: Encoding,
    p: &LinePipeline,
    target: &crate::ssh::Target,
    pool: &std::sync::Arc<crate::ssh::SshPool>,
    out: &mut impl Write,
    lang: Lang,
) -> io::Result<i32> {
    use crate::logs::remote::{Begin, RemoteFile};
    let many = args.paths.len() > 1;
    let begin = if args.follow { Begin::LastLines(args.lines) } else { Begin::Start };
    let says = Says { lang };
    let cut_mark = says.cut();
    struct Source {
        file: RemoteFile,
        decoder: Decoder,
        done: bool,
        said: Option<String>,
    }
    let mut sources: Vec<Source> = args
        .paths
        .iter()
        .map(|p| Source {
            file: RemoteFile::new(&p.to_string_lossy(), begin),
            decoder: Decoder::new(encoding),
            done: false,
            said: None,
        })
        .collect();
    let mut conn: Option<crate::ssh::SshConn> = None;
    let mut backoff = crate::ssh::Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
    let mut code = 0;
    let mut last_header: Option<usize> = None;
    let host = crate::health::printable(&target.endpoint.name).into_owned();
    loop {
        let mut busy = false;
        for (i, src) in sources.iter_mut().enumerate() {
            if src.done {
                continue;
            }
            if conn.is_none() {
                match pool.connect(target) {
                    Ok(c) => {
                        conn = Some(c);
                        backoff.reset();
                    }
                    Err(e) => {
                        if !args.follow {
                            say("logs", &format!("{host}: {e}"));
                            return Ok(1);
                        }
                        let e = fill(Msg::LogsCliRetrying.text(lang), &[("e", &e.to_string())]);
                        say("logs", &format!("{host}: {e}"));
                        std::thread::sleep(backoff.next_delay());
                        continue;
                    }
                }
            }
            let Some(c) = conn.as_mut() else { continue };
            let output = match c.exec(&src.file.command()) {
                Ok(o) => o.stdout,
                Err(e) => {
                    let e = fill(Msg::LogsCliReconnecting.text(lang), &[("e", &e.to_string())]);
                    say("logs", &format!("{host}: {e}"));
                    conn = None;
                    if !args.follow {
                        return Ok(1);
                    }
                    continue;
                }
            };
            let name = format!("{host}:{}", crate::health::printable(src.file.path()));
            let note = |said: &mut Option<String>, text: &str| {
                if said.as_deref() != Some(text) {
                    say("logs", &format!("{name}: {text}"));
                    *said = Some(text.to_string());
                }
            };
            let mut step = match src.file.take(&output) {
                Ok(step) => step,
                Err(e) => {
                    say("logs", &format!("{name}: {e}"));
                    if !args.follow {
                        code = 1;
                        src.done = true;
                    }
                    continue;
                }
            };
            busy |= step.more;
            let ended = !args.follow && step.caught_up;
            if ended {
                // The end of the file as it was: the last line may lack its newline.
                step.events.extend(src.file.finish());
                src.done = true;
            }
            // Printed as they come, so that a note on standard error follows the lines before it.
            let mut kept: Vec<String> = Vec::new();
            let mut print = |kept: &mut Vec<String>, said: &mut Option<String>| -> io::Result<()> {
                if kept.is_empty() {
                    return Ok(());
                }
                *said = None;
                if many && last_header != Some(i) {
                    writeln!(out, "==> {name} <==")?;
                    last_header = Some(i);
                }
                for line in kept.drain(..) {
                    writeln!(out, "{line}")?;
                }
                out.flush()
            };
            for ev in step.events {
                match ev {
                    FollowEvent::Lines(lines) => {
                        kept.extend(lines.iter().filter_map(|l| p.process(&mut src.decoder, l)));
                        continue;
                    }
                    FollowEvent::Cut(piece) => {
                        kept.extend(p.process(&mut src.decoder, &piece).map(|l| l + &cut_mark));
                        continue;
                    }
                    _ => print(&mut kept, &mut src.said)?,
                }
                match ev {
                    FollowEvent::Binary => {
                        says.binary(&name);
                        if !args.follow {
                            code = 1;
                            src.done = true;
                        }
                    }
                    FollowEvent::Rotated => note(&mut src.said, Msg::LogsRotated.text(lang)),
                    FollowEvent::Truncated => note(&mut src.said, Msg::LogsTruncated.text(lang)),
                    FollowEvent::Missing if !args.follow => {
                        say("logs", &format!("{name}: {}", Msg::LogsCliMissingOrUnreadable.text(lang)));
                        code = 1;
                        src.done = true;
                    }
                    FollowEvent::Missing => note(&mut src.said, Msg::LogsMissing.text(lang)),
                    _ => {}
                }
            }
            print(&mut kept, &mut src.said)?;
            let problem = if step.unreadable {
                Some((Msg::LogsCliMissingOrUnreadable, Msg::LogsCliNotReadable))
            } else if step.not_a_file {
                Some((Msg::LogsNotAFile, Msg::LogsNotAFile))
            } else {
                None
            };
            match problem {
                Some((whole, _)) if !args.follow => {
                    say("logs", &format!("{name}: {}", whole.text(lang)));
                    code = 1;
                    src.done = true;
                }
                Some((_, followed)) => note(&mut src.said, followed.text(lang)),
                None => {}
            }
        }
        out.flush()?;
        if sources.iter().all(|s| s.done) {
            return Ok(code);
        }
        if !busy {
            std::thread::sleep(REMOTE_EVERY);
        }
    }
}

/// The journal of a host reached over SSH: one bounded one-shot `journalctl` per exec after the
/// cursor of the last entry printed, so a reconnect resumes exactly. Without `--follow`, the
/// whole journal (chunk after chunk) and done; with it, the last `-n` entries, then every half
/// second what is new.
fn remote_journal(
    args: &LogsArgs,
    j: &JournalSpec,
    encoding: Encoding,
    p: &LinePipeline,
    (target, pool): (&crate::ssh::Target, &std::sync::Arc<crate::ssh::SshPool>),
    out: &mut impl Write,
    lang: Lang,
) -> io::Result<i32> {
    let start = if args.follow { JournalStart::Last(args.lines) } else { JournalStart::All };
    let mut cursor: Option<String> = None;
    let mut decoder = Decoder::new(encoding);
    let mut conn: Option<crate::ssh::SshConn> = None;
    let mut backoff = crate::ssh::Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
    let host = crate::health::printable(&target.endpoint.name).into_owned();
    loop {
        if conn.is_none() {
            match pool.connect(target) {
                Ok(c) => {
                    conn = Some(c);
                    backoff.reset();
                }
                Err(e) if args.follow => {
                    say(
                        "logs",
                        &format!(
                            "{host}: {}",
                            fill(Msg::LogsCliRetrying.text(lang), &[("e", &e.to_string())])
                        ),
                    );
                    std::thread::sleep(backoff.next_delay());
                    continue;
                }
                Err(e) => {
                    say("logs", &format!("{host}: {e}"));
                    return Ok(1);
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        let output = match c.exec(&journal::remote_command(j, cursor.as_deref(), start)) {
            Ok(o) => o,
            Err(e) => {
                say(
                    "logs",
                    &format!(
                        "{host}: {}",
                        fill(Msg::LogsCliReconnecting.text(lang), &[("e", &e.to_string())])
                    ),
                );
                conn = None;
                if !args.follow {
                    return Ok(1);
                }
                continue;
            }
        };
        if journal::no_journal(&output.stdout) {
            say("logs", &format!("{host}: {}", Msg::LogsCliNoJournalctl.text(lang)));
            return Ok(1);
        }
        let (lines, _) = crate::logs::decode::split_lines(&output.stdout);
        let now = chrono::Local::now().fixed_offset();
        for line in &lines {
            match journal::parse(line) {
                Ok(e) => {
                    print_record(&journal::to_record(&e, &mut decoder, now), p, "", out)?;
                    cursor = Some(e.cursor);
                }
                Err(e) if !line.iter().all(u8::is_ascii_whitespace) => {
                    say("logs", &format!("{host}: journal: {e}"))
                }
                Err(_) => {}
            }
        }
        out.flush()?;
        if lines.is_empty() && output.exit_status != 0 {
            let said = String::from_utf8_lossy(&output.stderr).trim().to_string();
            say("logs", &format!("{host}: journalctl: {said}"));
            if !args.follow {
                return Ok(1);
            }
        }
        if lines.len() < journal::REMOTE_CHUNK {
            if !args.follow {
                return Ok(0);
            }
            std::thread::sleep(REMOTE_EVERY);
        }
    }
}

/// How often a followed remote file is asked for new lines.
const REMOTE_EVERY: Duration = Duration::from_millis(500);
