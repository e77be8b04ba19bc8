//! The Rust side of `benches/logfilter.sh`: reads log files the way `yunwei logs --grep` will
//! (split on raw bytes, decode, sanitise, mask, filter) and writes the kept lines to standard
//! output.
//!
//! `logfilter [--exclude RE]... [--lines | --records] RE FILE...`: keeps the lines matching `RE`
//! (like `grep -E RE`), processing blocks of complete lines at a time; with `--lines` it does the
//! same line by line, and with `--records` it groups lines into multi-line records first and keeps
//! whole records. Run without arguments (as `cargo bench` does) it only prints its usage.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;

use yunwei::logs::decode::{split_lines, Decoder, Encoding};
use yunwei::logs::filter::Filter;
use yunwei::logs::mask::mask;
use yunwei::logs::record::{Record, RecordBuilder};
use yunwei::logs::sanitize::{sanitize_lines, sanitize_text};

const USAGE: &str = "usage: logfilter [--exclude RE]... [--lines | --records] RE FILE...";

/// How the file is processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Blocks of complete lines at a time, searched like grep (the default).
    Blocks,
    /// Line by line.
    Lines,
    /// Line by line, grouped into multi-line records; whole records are kept or dropped.
    Records,
}

fn main() -> ExitCode {
    let mut excludes = Vec::new();
    let mut mode = Mode::Blocks;
    let mut rest = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--bench" => {}
            "--records" => mode = Mode::Records,
            "--lines" => mode = Mode::Lines,
            "--exclude" => excludes.extend(args.next()),
            _ => rest.push(arg),
        }
    }
    if rest.len() < 2 {
        eprintln!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let excludes: Vec<&str> = excludes.iter().map(String::as_str).collect();
    let filter = match Filter::new(&[rest[0].as_str()], &excludes) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("logfilter: {e}");
            return ExitCode::from(2);
        }
    };
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    for path in &rest[1..] {
        if let Err(e) = run(path, &filter, mode, &mut out) {
            eprintln!("logfilter: {path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    match out.flush() {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

fn run(path: &str, filter: &Filter, mode: Mode, out: &mut impl Write) -> io::Result<()> {
    let mut file = File::open(path)?;
    let mut decoder = Decoder::new(Encoding::Auto);
    let mut builder = RecordBuilder::new(chrono::Local::now().fixed_offset());
    let mut buf = vec![0u8; 1 << 16];
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0); // a line longer than the buffer
        }
        let n = file.read(&mut buf[filled..])?;
        let eof = n == 0;
        filled += n;
        // Complete lines (all that is left at the end of the file).
        let used =
            if eof { filled } else { buf[..filled].iter().rposition(|&c| c == b'\n').map_or(0, |p| p + 1) };
        match mode {
            Mode::Blocks => {
                // The whole block of lines at once: decode, sanitise, mask, then search it
                // like grep does.
                let text = decoder.decode(&buf[..used]);
                let clean = sanitize_lines(&text);
                let masked = mask(&clean);
                let mut result = Ok(());
                filter.for_each_matching_line(&masked, |line| {
                    if result.is_ok() {
                        result = out.write_all(line.as_bytes()).and_then(|()| out.write_all(b"\n"));
                    }
                });
                result?;
            }
            Mode::Lines | Mode::Records => {
                let (mut lines, consumed) = split_lines(&buf[..used]);
                if consumed < used {
                    lines.push(&buf[consumed..used]);
                }
                for raw in lines {
                    let text = decoder.decode(raw);
                    let clean = sanitize_text(&text);
                    let masked = mask(&clean);
                    if mode == Mode::Records {
                        if let Some(record) = builder.push(masked.into_owned()) {
                            write_record(&record, filter, out)?;
                        }
                    } else if filter.matches(&masked) {
                        out.write_all(masked.as_bytes())?;
                        out.write_all(b"\n")?;
                    }
                }
            }
        }
        if eof {
            break;
        }
        buf.copy_within(used..filled, 0);
        filled -= used;
    }
    if let Some(record) = builder.flush() {
        write_record(&record, filter, out)?;
    }
    Ok(())
}

fn write_record(record: &Record, filter: &Filter, out: &mut impl Write) -> io::Result<()> {
    let text = record.text();
    if filter.matches(&text) {
        out.write_all(text.as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
