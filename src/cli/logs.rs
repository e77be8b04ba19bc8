//! `yunwei logs`: prints log files decoded (UTF-8 or GB18030), sanitised (no escape sequence
//! reaches the terminal) and masked (resident ID and mobile numbers), filtered like `grep -E`;
//! with `--follow`, like `tail -n N -F` over several files at once.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use std::fs::File;
use std::io::Read;

use crate::cli::errors::say;
use crate::i18n::{fill, Lang, Msg};
use crate::logs::decode::{Decoder, Encoding};
use crate::logs::filter::Filter;
use crate::logs::follow::{FollowEvent, Follower, Start};
use crate::logs::mask::mask;
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
    /// The files
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// How often followed files are checked for new lines.
const FOLLOW_EVERY: Duration = Duration::from_millis(100);

/// Lines longer than this are cut, so memory stays bounded whatever the file holds.
const MAX_LINE: usize = 1 << 20;
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
        let filter = Filter::new(&inc, &exc).map_err(|e| e.to_string())?;
        Ok(LinePipeline { filter, no_mask })
    }

    /// The printable line, or None when the filter drops it.
    pub fn process(&self, decoder: &mut Decoder, raw: &[u8]) -> Option<String> {
        let decoded = decoder.decode(raw);
        let clean = sanitize_text(&decoded);
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
    let operator = match crate::config::load(g.config.as_deref()) {
        Ok(cfg) => crate::store::audit::resolve_operator(cfg.general.operator.as_deref()),
        Err(_) => crate::store::audit::resolve_operator(None),
    };
    let files: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
    let target = match &args.host {
        Some(host) => format!("{host}:{}", files.join(" ")),
        None => files.join(" "),
    };
    let store = crate::store::Store::open(&crate::cli::db_path(g)).map_err(|e| e.to_string())?;
    store
        .audit(&operator, "logs.no_mask", &target, "yunwei logs --no-mask printed unmasked records")
        .map(|_| ())
        .map_err(|e| e.to_string())
}

pub fn run(g: &crate::cli::Global, args: &LogsArgs) -> i32 {
    let lang = crate::cli::early_lang(g);
    let t = |m: Msg, args: &[(&str, &str)]| fill(m.text(lang), args);
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
    if args.no_mask {
        if let Err(e) = audit_no_mask(g, args) {
            say("logs", &t(Msg::LogsCliAuditFailed, &[("e", &e)]));
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
    let result = if let Some((target, pool)) = remote_target {
        remote(args, encoding, &pipeline, &target, &pool, &mut out, lang)
    } else if args.follow {
        follow(args, encoding, &pipeline, &mut out, lang)
    } else {
        read_all(args, encoding, &pipeline, &mut out, lang)
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

/// Whole files, one after the other, in blocks of complete lines; memory stays bounded
/// whatever their size.
fn read_all(
    args: &LogsArgs,
    encoding: Encoding,
    p: &LinePipeline,
    out: &mut impl Write,
    lang: Lang,
) -> io::Result<i32> {
    let many = args.paths.len() > 1;
    let mut code = 0;
    for path in &args.paths {
        let prefix = label(path, many);
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) => {
                say("logs", &format!("{}: {}", path.display(), crate::i18n::io_error(&e, lang)));
                code = 1;
                continue;
            }
        };
        let mut decoder = Decoder::new(encoding);
        let mut buf = vec![0u8; BLOCK * 2];
        let mut filled = 0;
        loop {
            if filled == buf.len() {
                buf.resize((buf.len() * 2).min(MAX_LINE + BLOCK), 0);
            }
            let n = match file.read(&mut buf[filled..]) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    say("logs", &format!("{}: {}", path.display(), crate::i18n::io_error(&e, lang)));
                    code = 1;
                    break;
                }
            };
            let eof = n == 0;
            filled += n;
            // Complete lines only; a line longer than MAX_LINE is cut where the buffer ends.
            let used = match buf[..filled].iter().rposition(|&c| c == b'\n') {
                _ if eof => filled,
                Some(last) => last + 1,
                None if filled >= MAX_LINE => filled,
                None => continue,
            };
            let mut result = Ok(());
            p.process_block(&mut decoder, &buf[..used], |line| {
                if result.is_ok() {
                    result = writeln!(out, "{prefix}{line}");
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

/// `tail -n N -F` over every path: the last lines, then what is appended, across rotation and
/// truncation, and files that appear later. Runs until interrupted.
fn follow(
    args: &LogsArgs,
    encoding: Encoding,
    p: &LinePipeline,
    out: &mut impl Write,
    lang: Lang,
) -> io::Result<i32> {
    let many = args.paths.len() > 1;
    let mut sources: Vec<(Follower, Decoder)> = args
        .paths
        .iter()
        .map(|path| (Follower::open(path, Start::LastLines(args.lines)), Decoder::new(encoding)))
        .collect();
    let mut last_header: Option<usize> = None;
    loop {
        for (i, (follower, decoder)) in sources.iter_mut().enumerate() {
            for ev in follower.poll() {
                let name = follower.path().display().to_string();
                match ev {
                    FollowEvent::Lines(lines) => {
                        let kept: Vec<String> = lines.iter().filter_map(|l| p.process(decoder, l)).collect();
                        if kept.is_empty() {
                            continue;
                        }
                        if many && last_header != Some(i) {
                            writeln!(out, "==> {} <==", crate::health::printable(&name))?;
                            last_header = Some(i);
                        }
                        for line in kept {
                            writeln!(out, "{line}")?;
                        }
                    }
                    FollowEvent::Rotated => say("logs", &format!("{name}: {}", Msg::LogsRotated.text(lang))),
                    FollowEvent::Truncated => {
                        say("logs", &format!("{name}: {}", Msg::LogsTruncated.text(lang)))
                    }
                    FollowEvent::Missing => say("logs", &format!("{name}: {}", Msg::LogsMissing.text(lang))),
                    FollowEvent::Appeared => {
                        say("logs", &format!("{name}: {}", Msg::LogsCliAppeared.text(lang)))
                    }
                    FollowEvent::Error(e) => say("logs", &format!("{name}: {e}")),
                }
            }
        }
        out.flush()?;
        std::thread::sleep(FOLLOW_EVERY);
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
    use crate::logs::remote::{apply, command, complete_lines, Begin, Chunk, RemoteCursor};
    let many = args.paths.len() > 1;
    let begin = if args.follow { Begin::LastLines(args.lines) } else { Begin::Start };
    struct Source {
        path: String,
        cursor: RemoteCursor,
        partial: Vec<u8>,
        decoder: Decoder,
        done: bool,
        said: Option<String>,
    }
    let mut sources: Vec<Source> = args
        .paths
        .iter()
        .map(|p| Source {
            path: p.to_string_lossy().into_owned(),
            cursor: RemoteCursor::default(),
            partial: Vec::new(),
            decoder: Decoder::new(encoding),
            done: false,
            said: None,
        })
        .collect();
    let mut conn: Option<crate::ssh::SshConn> = None;
    let mut backoff = crate::ssh::Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
    let mut code = 0;
    let mut last_header: Option<usize> = None;
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
                            say("logs", &format!("{}: {e}", target.endpoint.name));
                            return Ok(1);
                        }
                        let e = fill(Msg::LogsCliRetrying.text(lang), &[("e", &e.to_string())]);
                        say("logs", &format!("{}: {e}", target.endpoint.name));
                        std::thread::sleep(backoff.next_delay());
                        continue;
                    }
                }
            }
            let Some(c) = conn.as_mut() else { continue };
            let output = match c.exec(&command(&src.path, &src.cursor, begin)) {
                Ok(o) => o.stdout,
                Err(e) => {
                    let e = fill(Msg::LogsCliReconnecting.text(lang), &[("e", &e.to_string())]);
                    say("logs", &format!("{}: {e}", target.endpoint.name));
                    conn = None;
                    if !args.follow {
                        return Ok(1);
                    }
                    continue;
                }
            };
            let name = crate::health::printable(&src.path).into_owned();
            let note = |src: &mut Source, text: String| {
                if src.said.as_deref() != Some(text.as_str()) {
                    say("logs", &format!("{}:{name}: {text}", target.endpoint.name));
                    src.said = Some(text);
                }
            };
            match apply(&mut src.cursor, &output) {
                Ok(Chunk::Data { bytes, more }) => {
                    busy |= more;
                    let lines = complete_lines(&mut src.partial, &bytes);
                    let kept: Vec<String> =
                        lines.iter().filter_map(|l| p.process(&mut src.decoder, l)).collect();
                    if !kept.is_empty() {
                        src.said = None;
                        if many && last_header != Some(i) {
                            writeln!(out, "==> {}:{name} <==", target.endpoint.name)?;
                            last_header = Some(i);
                        }
                        for line in kept {
                            writeln!(out, "{line}")?;
                        }
                    }
                    if !more && !args.follow && src.cursor.inode.is_some() && bytes.is_empty() {
                        // The end of the file as it was: the last line may lack its newline.
                        if !src.partial.is_empty() {
                            let rest = std::mem::take(&mut src.partial);
                            if let Some(line) = p.process(&mut src.decoder, &rest) {
                                writeln!(out, "{line}")?;
                            }
                        }
                        src.done = true;
                    }
                }
                Ok(Chunk::Rotated) => {
                    src.partial.clear();
                    note(src, Msg::LogsRotated.text(lang).into());
                    busy = true;
                }
                Ok(Chunk::Truncated) => {
                    src.partial.clear();
                    note(src, Msg::LogsTruncated.text(lang).into());
                    busy = true;
                }
                Ok(Chunk::Missing) | Ok(Chunk::Unreadable) if !args.follow => {
                    let why = Msg::LogsCliMissingOrUnreadable.text(lang);
                    say("logs", &format!("{}:{name}: {why}", target.endpoint.name));
                    code = 1;
                    src.done = true;
                }
                Ok(Chunk::Missing) => note(src, Msg::LogsMissing.text(lang).into()),
                Ok(Chunk::Unreadable) => note(src, Msg::LogsCliNotReadable.text(lang).into()),
                Err(e) => {
                    say("logs", &format!("{}:{name}: {e}", target.endpoint.name));
                    if !args.follow {
                        code = 1;
                        src.done = true;
                    }
                }
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

/// How often a followed remote file is asked for new lines.
const REMOTE_EVERY: Duration = Duration::from_millis(500);
