//! The shell scripts a job's host runs, and the reading of what they print.
//!
//! Every script is fixed text run as `sh -c SCRIPT sh ARG…`: what comes from the config (a
//! glob, a command, a path) reaches the host only as a quoted argument, never as part of the
//! script. A glob is expanded by the host's shell from an unquoted parameter with `IFS` empty,
//! so its matches are found but nothing in it is run: `$(…)`, backquotes and `;` in a path
//! stay characters of the path. Records are separated by NUL bytes, so a file name with a
//! newline or a tab in it is one record.
//!
//! * [`round`]: one check of every job of a host, as one command whatever their number: the
//!   host's clock and time zone, then for each job its folder's state, the regular files its
//!   glob matches (mode, device, inode, mtime, size, name; symbolic links followed, one file
//!   reached twice counted once) and whether an on-demand run is in progress.
//! * [`verify`]: a job's `verify` command on one artefact, with the artefact's path appended
//!   as `"$1"`, bounded by the host's `timeout`; the path, its status and output, and after a
//!   pass the artefact's SHA-256. [`start_verify`] runs it detached like a run, so that a long
//!   one (`gzip -t` of a large dump) never holds the host's session.
//! * [`start_run`] and [`poll_run`]: an on-demand run, started detached on the host with its
//!   output in a file of the user's (`~/.cache/yunwei/runs`, mode 0700), read back a chunk at a
//!   time so that it streams and never holds the host's session for long; a run survives the
//!   console quitting, and a second one of the same job is refused while it runs.

use std::collections::{HashMap, HashSet};

use super::{Artefact, Seen, Spec, Zone};

pub use crate::text::Script;

const ROUND: &str = r#"set +f
LC_ALL=C; export LC_ALL
printf 'T %s %s\0' "$(date +%s)" "$(date +%z)"
z=$(readlink /etc/localtime 2>/dev/null) || z=
[ -n "$z" ] || z=$(cat /etc/timezone 2>/dev/null) || z=
printf 'Z %s\0' "$z"
r=${HOME:-/tmp}/.cache/yunwei/runs
y() {
  if [ -f "$r/$4.pid" ] && kill -0 "$(cat "$r/$4.pid" 2>/dev/null)" 2>/dev/null; then
    printf 'R %s %s\0' "$1" "$(stat -c %Y "$r/$4.pid" 2>/dev/null)"
  fi
  if [ ! -e "$2" ]; then printf 'N %s\0' "$1"
  elif [ ! -d "$2" ] || [ ! -r "$2" ] || [ ! -x "$2" ]; then printf 'U %s\0' "$1"
  else
    ( IFS=''; i=$1; set -- $3
      stat -L --printf "F $i %f %d %i %Y %s %n\0" -- "$@" 2>/dev/null )
    printf 'E %s\0' "$1"
  fi
}
while [ "$#" -ge 4 ]; do y "$1" "$2" "$3" "$4"; shift 4; done
printf 'D\0'
"#;

const VERIFY: &str = r#"f=$2
printf 'P %s\0' "$f"
m=$(stat -L -c '%Y %s' -- "$f" 2>/dev/null) || m=
printf 'M %s\0' "$m"
t=0
if [ "$3" -gt 0 ] 2>/dev/null && command -v timeout >/dev/null 2>&1; then
  out=$(timeout "$3" sh -c "$1"' "$1"' sh "$f" 2>&1); st=$?
  [ "$st" -eq 124 ] && t=1
else
  out=$(sh -c "$1"' "$1"' sh "$f" 2>&1); st=$?
fi
printf 'S %s %s\0' "$st" "$t"
printf '%s' "$out" | tr -d '\000' | head -c 65536
printf '\0'
if [ "$st" -eq 0 ]; then sha256sum -- "$f" 2>/dev/null | cut -d' ' -f1; fi
printf '\0'
"#;

const START: &str = r#"d=${HOME:-/tmp}/.cache/yunwei/runs
[ -d "${HOME:-/tmp}" ] || { echo "no home folder ${HOME:-/tmp}"; exit 97; }
mkdir -p "$d" && chmod 700 "$d" || { echo "cannot make $d"; exit 97; }
k=$1; shift
if [ -f "$d/$k.pid" ] && kill -0 "$(cat "$d/$k.pid" 2>/dev/null)" 2>/dev/null; then echo busy; exit 98; fi
rm -f "$d/$k.out" "$d/$k.rc"
( sh -c "$@" > "$d/$k.out" 2>&1 < /dev/null; echo $? > "$d/$k.rc.new"; mv -f "$d/$k.rc.new" "$d/$k.rc"; rm -f "$d/$k.pid" ) > /dev/null 2>&1 < /dev/null &
echo $! > "$d/$k.pid"
echo started
"#;

const POLL: &str = r#"d=${HOME:-/tmp}/.cache/yunwei/runs
k=$1
if [ -f "$d/$k.rc" ]; then printf 'X %s\0' "$(cat "$d/$k.rc")"; else printf 'X \0'; fi
tail -c +"$(($2 + 1))" "$d/$k.out" 2>/dev/null | head -c 65536
"#;

/// The exit status [`START`] gives when the job's run is already in progress.
pub const START_BUSY: i32 = 98;
/// The most a poll reads of a run's output at a time.
pub const POLL_CHUNK: usize = 65536;

/// The part of a glob before its first component with a wildcard: the folder that must be
/// there (a path without wildcards: its parent).
pub fn fixed_folder(pattern: &str) -> String {
    let mut folder = String::new();
    let parts: Vec<&str> = pattern.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        if part.contains(['*', '?', '[']) || i + 1 == parts.len() {
            break;
        }
        if i > 0 {
            folder.push('/');
        }
        folder.push_str(part);
    }
    if folder.is_empty() {
        "/".into()
    } else {
        folder
    }
}

/// The name of a job's run files: the job's name hashed, so any name gives a plain file name.
pub fn run_key(job: &str) -> String {
    use sha1::{Digest, Sha1};
    let digest = Sha1::digest(job.as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// One check of the jobs of a host, in the order given.
pub fn round<'a>(jobs: impl IntoIterator<Item = &'a Spec>) -> Script {
    let mut args = Vec::new();
    for (i, spec) in jobs.into_iter().enumerate() {
        args.extend([i.to_string(), fixed_folder(&spec.path), spec.path.clone(), run_key(&spec.name)]);
    }
    Script { text: ROUND, args }
}

/// What a round saw: the host's clock and zone, and each job's [`Seen`], in the order asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    pub now: i64,
    pub zone: Zone,
    pub jobs: Vec<Seen>,
}

/// Reads the output of the round of `specs`; Err says why it cannot be read (every job is
/// then unknown for that reason).
pub fn read_round(out: &[u8], specs: &[&Spec]) -> Result<Round, String> {
    let jobs = specs.len();
    let text = String::from_utf8_lossy(out);
    let mut now = None;
    let mut offset = String::new();
    let mut zone_hint = String::new();
    let mut done = false;
    let mut files: Vec<Vec<(u64, u64, Artefact)>> = vec![Vec::new(); jobs];
    let mut state: Vec<Option<char>> = vec![None; jobs];
    let mut running: HashMap<usize, i64> = HashMap::new();
    let index = |s: &str| s.parse::<usize>().ok().filter(|i| *i < jobs);
    for record in text.split('\0') {
        let (tag, rest) = record.split_once(' ').unwrap_or((record, ""));
        match tag {
            "T" => {
                let (t, z) = rest.split_once(' ').unwrap_or((rest, ""));
                now = t.trim().parse::<i64>().ok();
                offset = z.to_string();
            }
            "Z" => zone_hint = rest.to_string(),
            "R" => {
                let (i, since) = rest.split_once(' ').unwrap_or((rest, ""));
                if let Some(i) = index(i) {
                    running.insert(i, since.trim().parse().unwrap_or(0));
                }
            }
            "N" | "U" | "E" => {
                if let Some(i) = index(rest.trim()) {
                    state[i] = tag.chars().next();
                }
            }
            "F" => {
                let mut p = rest.splitn(7, ' ');
                let fields: Vec<&str> = p.by_ref().take(6).collect();
                let name = p.next();
                let (Some(i), [_, mode, dev, ino, mtime, size], Some(name)) =
                    (fields.first().and_then(|i| index(i)), fields.as_slice(), name)
                else {
                    continue;
                };
                let regular = u32::from_str_radix(mode, 16).is_ok_and(|m| m & 0o170000 == 0o100000);
                let (Ok(dev), Ok(ino), Ok(mtime), Ok(size)) =
                    (dev.parse::<u64>(), ino.parse::<u64>(), mtime.parse::<i64>(), size.parse::<u64>())
                else {
                    continue;
                };
                if regular {
                    files[i].push((dev, ino, Artefact { path: name.to_string(), size, mtime }));
                }
            }
            "D" => done = true,
            _ => {}
        }
    }
    let Some(now) = now else {
        return Err("the host did not say its time (no `date +%s` line)".into());
    };
    if !done {
        return Err("the check stopped before its end (cut off)".into());
    }
    let zone = Zone::of_host(&zone_hint, &offset);
    let mut seen = Vec::with_capacity(jobs);
    for (i, found) in files.into_iter().enumerate() {
        let running_since = running.get(&i).copied();
        seen.push(match state[i] {
            Some('U') => Seen::Unreadable { folder: fixed_folder(&specs[i].path) },
            Some('N') => Seen::Files { now, zone, matches: Vec::new(), no_folder: true, running_since },
            Some('E') => {
                let mut reached = HashSet::new();
                let mut matches: Vec<Artefact> = found
                    .into_iter()
                    .filter(|(dev, ino, _)| reached.insert((*dev, *ino)))
                    .map(|(_, _, a)| a)
                    .collect();
                // Newest first; the same time: by name, for a stable order.
                matches.sort_by(|a, b| b.mtime.cmp(&a.mtime).then_with(|| b.path.cmp(&a.path)));
                Seen::Files { now, zone, matches, no_folder: false, running_since }
            }
            _ => Seen::Unreachable("the check said nothing of this job".into()),
        });
    }
    Ok(Round { now, zone, jobs: seen })
}

/// A verification of the artefact at `path` by `command`, bounded on the host by `timeout_s`
/// seconds (where it has `timeout`; 0: unbounded), run where it is asked (the CLI's tests).
pub fn verify(command: &str, path: &str, timeout_s: u64) -> Script {
    Script { text: VERIFY, args: vec![command.to_string(), path.to_string(), timeout_s.to_string()] }
}

/// The name of a job's verification files, apart from its runs'.
pub fn verify_key(job: &str) -> String {
    format!("v{}", run_key(job))
}

/// Starts a verification detached on the host, its output read back by [`poll_verify`], so
/// that a long one never holds the host's session (the health poll shares it). A second one
/// of the same job while one runs exits [`START_BUSY`]: the one running is then read.
pub fn start_verify(job: &str, command: &str, path: &str, timeout_s: u64) -> Script {
    Script {
        text: START,
        args: vec![
            verify_key(job),
            VERIFY.to_string(),
            "sh".into(),
            command.to_string(),
            path.to_string(),
            timeout_s.to_string(),
        ],
    }
}

/// Reads a detached verification's output from `offset` on.
pub fn poll_verify(job: &str, offset: u64) -> Script {
    Script { text: POLL, args: vec![verify_key(job), offset.to_string()] }
}

/// What a verification printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The path it verified.
    pub path: String,
    /// The artefact's mtime and size as the verification found it (None: it was gone).
    pub file: Option<(i64, u64)>,
    pub status: i32,
    /// The host's `timeout` stopped it.
    pub timed_out: bool,
    pub output: String,
    pub checksum: Option<String>,
}

pub fn read_verify(out: &[u8]) -> Result<Verified, String> {
    let text = String::from_utf8_lossy(out);
    let mut parts = text.split('\0');
    let path = parts.next().and_then(|p| p.strip_prefix("P ")).ok_or("the verification printed nothing")?;
    let m = parts.next().and_then(|p| p.strip_prefix("M ")).ok_or("the verification was cut off")?;
    let file = m.split_once(' ').and_then(|(t, s)| Some((t.parse().ok()?, s.trim().parse().ok()?)));
    let s = parts.next().and_then(|p| p.strip_prefix("S ")).ok_or("the verification was cut off")?;
    let (s, t) = s.split_once(' ').unwrap_or((s, "0"));
    let status = s.trim().parse::<i32>().map_err(|_| format!("an exit status that is no number: {s}"))?;
    let output = parts.next().unwrap_or("").to_string();
    let checksum = parts
        .next()
        .map(|c| c.trim().trim_start_matches('\\').to_string())
        .filter(|c| c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()));
    Ok(Verified { path: path.to_string(), file, status, timed_out: t.trim() == "1", output, checksum })
}

/// Starts a job's `run` command detached on its host.
pub fn start_run(job: &str, command: &str) -> Script {
    Script { text: START, args: vec![run_key(job), command.to_string()] }
}

/// Reads a run's output from `offset` on, and its exit status once it has ended.
pub fn poll_run(job: &str, offset: u64) -> Script {
    Script { text: POLL, args: vec![run_key(job), offset.to_string()] }
}

/// What a poll read: the exit status once the run has ended, and the next chunk of output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Polled {
    pub status: Option<i32>,
    pub chunk: Vec<u8>,
}

pub fn read_poll(out: &[u8]) -> Result<Polled, String> {
    let Some(rest) = out.strip_prefix(b"X ") else {
        return Err("the poll printed no status line".into());
    };
    let end = rest.iter().position(|b| *b == 0).ok_or("the poll's status line is cut off")?;
    let status = std::str::from_utf8(&rest[..end]).ok().and_then(|s| s.trim().parse::<i32>().ok());
    Ok(Polled { status, chunk: rest[end + 1..].to_vec() })
}
