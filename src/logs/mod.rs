//! The core of the log features: everything between the raw bytes of a log file and a record
//! that may be shown on screen or written to standard output.
//!
//! The pipeline for every line is, in this order:
//!
//! 1. [`decode::split_lines`] splits raw bytes on `\n` (a newline never occurs inside a GBK or
//!    GB18030 character, so splitting before decoding is safe);
//! 2. [`decode::Decoder`] turns each line into text (UTF-8 or GB18030, decided per line);
//! 3. [`sanitize::sanitize`] removes escape sequences, control characters and bidirectional
//!    overrides, turning SGR colours into style spans;
//! 4. [`mask::mask`] hides resident ID numbers and mobile numbers;
//! 5. [`record::RecordBuilder`] groups lines into multi-line records with a timestamp and a
//!    severity, and [`filter::Filter`] keeps or drops them.
//!
//! Steps 2 to 4 and the line filter also work on whole blocks of complete lines
//! ([`decode::Decoder::decode`], [`sanitize::sanitize_lines`], [`mask::mask`],
//! [`filter::Filter::for_each_matching_line`]) with the same result as line by line: that is how
//! `yunwei logs --grep` gets close to `grep -E` speed (see `benches/logfilter.sh`). Blocks of
//! about 64 KiB keep the allocations below the allocator's mmap threshold.
//!
//! Everything here but [`follow`] (which reads local files with `tail -F` semantics) is pure:
//! no terminal, no file or network access.

pub mod alerts;
pub mod decode;
pub mod filter;
pub mod follow;
pub mod journal;
pub mod lines;
pub mod mask;
pub mod record;
pub mod remote;
pub mod sanitize;
pub mod sources;
