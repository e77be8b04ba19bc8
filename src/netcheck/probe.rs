//! The shell scripts a probing host runs, and the reading of what they print.
//!
//! Every script is fixed text run as `sh -c SCRIPT sh ARG…`: a check's target, port and
//! expected body reach the host only as quoted arguments, never as part of the script, so a
//! URL with `;`, quotes or `$(…)` in it is a URL (curl runs with `-g`, so neither are `[]{}`
//! expanded).
//!
//! * [`round`]: every check a host probes, as one command whatever their number. It first
//!   names the tools the host has (`T bash curl …`: `command -v`, a builtin, so no command is
//!   spent on finding them), then runs each probe in a background job with the tool the host
//!   has (tcp: bash's `/dev/tcp`, else `nc`; http: `curl`, else `wget`; tls: `openssl
//!   s_client`; dns: `getent`, else `nslookup`; ping: `ping`), each bounded by `timeout`, so a
//!   silent target costs its timeout and not the sum; each prints one line when it ends.
//! * [`trace`]: a path trace to a target with `mtr -r`, `traceroute` or `tracepath`, whichever
//!   the host has.

use std::collections::HashMap;

use super::{Cannot, Fault, Kind, Probe, Spec};

pub use crate::text::Script;

/// The tools a round looks for, in the order it names them.
pub const TOOLS: &[&str] = &[
    "bash",
    "curl",
    "wget",
    "openssl",
    "nc",
    "ping",
    "getent",
    "nslookup",
    "timeout",
    "mtr",
    "traceroute",
    "tracepath",
];

/// How many arguments each check takes in a round.
const FIELDS: usize = 8;

const ROUND: &str = r#"LC_ALL=C; export LC_ALL
h() { command -v "$1" >/dev/null 2>&1; }
t=
for x in bash curl wget openssl nc ping getent nslookup timeout mtr traceroute tracepath; do h "$x" && t="$t $x"; done
printf 'T%s\n' "$t"
ns() { d=$(date +%s%N 2>/dev/null); case "$d" in ''|*[!0-9]*) d=$(( $(date +%s) * 1000000000 ));; esac; printf '%s' "$d"; }
to() {
  s=$1; shift
  if h timeout; then timeout "$s" "$@"; return; fi
  "$@" & p=$!
  ( sleep "$s"; kill "$p" ) >/dev/null 2>&1 & k=$!
  wait "$p"; r=$?
  kill "$k" 2>/dev/null && return "$r"
  return 124
}
say() {
  m=$(printf '%s' "$7" | tr '\t\r\n' '   ' | cut -c1-300)
  printf 'R\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "${3:--}" "${4:--}" "${5:--}" "${6:--}" "$m"
}
cls() {
  case "$1" in
  *[Rr]efused*) echo refused;;
  *'not known'*|*'esolve'*|*'No address'*|*'nknown host'*|*'name resolution'*|*'gethostbyname'*|*'nodename nor servname'*|*'does not resolve'*|*'bad address'*|*'NXDOMAIN'*|*"can't find"*) echo unresolved;;
  *'imed out'*|*'imeout'*) echo timeout;;
  *'nreachable'*|*'No route'*) echo unreachable;;
  *) echo error;;
  esac
}
na() {
  e=$(printf '%s\n' "$1" | sed -n 's/^ *v:NotBefore: [^;]*; NotAfter: *\([A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]* [0-9]* GMT\)$/\1/p' | head -n 1)
  if [ -z "$e" ]; then e=$(printf '%s\n' "$1" | openssl x509 -noout -enddate 2>/dev/null); e=${e#notAfter=}; fi
  printf '%s' "$e"
}
cert() {
  if h openssl; then
    na "$(echo | to "$3" openssl s_client -connect "$1" -servername "$2" 2>/dev/null)"
  else printf '?'; fi
}
one() {
  i=$1 k=$2 H=$3 P=$4 C=$5 U=$6 E=$7 S=$8
  case "$k" in
  tcp)
    a=$(ns)
    if h bash; then
      m=$(to "$S" bash -c 'a=$EPOCHREALTIME; exec 3<>"/dev/tcp/$1/$2" || exit 1; b=$EPOCHREALTIME; [ -n "$a" ] && printf "@%s %s" "${a/./}" "${b/./}"; exit 0' sh "$H" "$P" 2>&1); r=$?
    elif h nc; then m=$(to "$S" nc -z -v -w "$S" "$H" "$P" 2>&1); r=$?
    else say "$i" notool - - - - "bash nc"; return; fi
    b=$(ns)
    l=$(( (b - a) / 1000 ))
    if [ "$r" -eq 0 ]; then
      o=ok
      case "$m" in @*) set -- ${m#@}; [ "$#" -eq 2 ] && l=$(( $2 - $1 ));; esac
      m=
    elif [ "$r" -eq 124 ]; then o=timeout; else o=$(cls "$m"); fi
    say "$i" "$o" "$l" - - - "$m";;
  http)
    [ -n "$W" ] || { say "$i" error - - - - "no private temporary folder"; return; }
    f=$W/$i
    if h curl; then
      w=$(curl -sS -g -k -o "$f" --max-time "$S" --max-filesize 16777216 -w '%{http_code} %{time_total}' "$U" 2>"$f.e"); r=$?
      m=$(cat "$f.e" 2>/dev/null)
      st=${w%% *}; l=${w#* }s
      case "$r" in
      0) o=ok; m=;;
      6) o=unresolved;;
      7) o=$(cls "$m"); [ "$o" = error ] && o=refused;;
      28) o=timeout;;
      35|51|53|54|58|59|60|64|66|77|80|82|83|90|91) o=tls;;
      *) o=$(cls "$m");;
      esac
    elif h wget; then
      a=$(ns); m=$(to "$S" wget -nv -S -O "$f" -T "$S" -t 1 --no-check-certificate "$U" 2>&1); r=$?; b=$(ns)
      l=$(( (b - a) / 1000 ))
      st=$(printf '%s\n' "$m" | sed -n 's/^ *HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*/\1/p' | tail -n 1)
      if [ -n "$st" ]; then o=ok; m=; elif [ "$r" -eq 124 ]; then o=timeout; elif [ "$r" -eq 5 ]; then o=tls; else o=$(cls "$m"); fi
    else rm -f "$f"; say "$i" notool - - - - "curl wget"; return; fi
    bm=-
    if [ -n "$E" ] && [ "$o" = ok ]; then if grep -qF -e "$E" "$f" 2>/dev/null; then bm=1; else bm=0; fi; fi
    rm -f "$f" "$f.e"
    ce=-
    case "$U" in https:*) [ "$o" = ok ] && ce=$(cert "$C" "$H" "$S");; esac
    say "$i" "$o" "$l" "${st:--}" "$bm" "${ce:--}" "$m";;
  tls)
    if h openssl; then
      a=$(ns); m=$(echo | to "$S" openssl s_client -connect "$C" -servername "$H" 2>&1); r=$?; b=$(ns)
      e=$(na "$m")
      if [ -n "$e" ]; then o=ok; m=
      elif [ "$r" -eq 124 ]; then o=timeout
      else o=$(cls "$m"); [ "$o" = error ] && o=tls; m=$(printf '%s\n' "$m" | grep -i -e error -e errno | head -n 1); fi
      say "$i" "$o" $(( (b - a) / 1000 )) - - "${e:--}" "$m"
    else say "$i" notool - - - - "openssl"; fi;;
  dns)
    a=$(ns)
    if h getent; then
      m=$(to "$S" getent ahosts "$H" 2>&1); r=$?; b=$(ns)
      if [ "$r" -eq 0 ]; then o=ok; m=$(printf '%s\n' "$m" | cut -d ' ' -f 1 | sort -u | head -n 8 | tr '\n' ' ')
      elif [ "$r" -eq 124 ]; then o=timeout; m=
      elif [ "$r" -eq 2 ]; then o=unresolved; m=
      else o=$(cls "$m"); fi
    elif h nslookup; then
      m=$(to "$S" nslookup "$H" 2>&1); r=$?; b=$(ns)
      ad=$(printf '%s\n' "$m" | sed -n '/^Name:/,$s/^Address[^:]*: *\([^ #]*\).*/\1/p' | head -n 8 | tr '\n' ' ')
      if [ -n "$ad" ]; then o=ok; m=$ad; elif [ "$r" -eq 124 ]; then o=timeout; else o=$(cls "$m"); [ "$o" = error ] && o=unresolved; fi
    else say "$i" notool - - - - "getent nslookup"; return; fi
    say "$i" "$o" $(( (b - a) / 1000 )) - - - "$m";;
  ping)
    if h ping; then
      m=$(to "$((S + 1))" ping -n -c 1 -W "$S" "$H" 2>&1); r=$?
      l=$(printf '%s\n' "$m" | sed -n 's/.*time[=<] *\([0-9.]*\) *ms.*/\1/p' | head -n 1)
      case "$r" in
      0) o=ok; m=;;
      1|124) o=timeout; m=;;
      *) case "$m" in *ermission*|*'not permitted'*) o=denied;; *) o=$(cls "$m");; esac;;
      esac
      say "$i" "$o" "${l:+${l}ms}" - - - "$m"
    else say "$i" notool - - - - "ping"; fi;;
  esac
}
W=$(mktemp -d 2>/dev/null) || { W=${TMPDIR:-/tmp}/yunwei-net.$$; mkdir -m 700 "$W" 2>/dev/null || W=; }
while [ "$#" -ge 8 ]; do
  one "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" &
  shift 8
done
wait
[ -n "$W" ] && rm -rf "$W"
printf 'D\n'
"#;

/// The probe timeout in whole seconds, as the tools take it (at least 1).
pub fn seconds(spec: &Spec) -> u64 {
    spec.timeout.as_secs_f64().ceil().max(1.0) as u64
}

/// One round of `checks` on a host: one command, every probe side by side.
pub fn round<'a>(checks: impl IntoIterator<Item = &'a Spec>) -> Script {
    let mut args = Vec::new();
    for (i, c) in checks.into_iter().enumerate() {
        let e = &c.endpoint;
        let url = if c.kind == Kind::Http { c.target.trim().to_string() } else { String::new() };
        // A URL's own host and port for its certificate; a tls check's as written.
        let connect = e.authority();
        args.extend([
            i.to_string(),
            c.kind.as_str().to_string(),
            e.host.clone(),
            e.port.to_string(),
            connect,
            url,
            c.expect_body.clone().unwrap_or_default(),
            seconds(c).to_string(),
        ]);
    }
    debug_assert_eq!(args.len() % FIELDS, 0);
    Script { text: ROUND, args }
}

/// What a round printed.
#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    /// The tools the host has, of [`TOOLS`].
    pub tools: Vec<String>,
    /// Each check's probe, in the order given.
    pub probes: Vec<Probe>,
}

/// A latency as the round writes it: microseconds, or `0.0123s`, or `0.45ms`.
fn latency_ms(field: &str) -> Option<f64> {
    let ms = if let Some(s) = field.strip_suffix("ms") {
        s.parse::<f64>().ok()?
    } else if let Some(s) = field.strip_suffix('s') {
        s.parse::<f64>().ok()? * 1000.0
    } else {
        field.parse::<f64>().ok()? / 1000.0
    };
    (ms.is_finite() && ms >= 0.0).then_some(ms)
}

/// `Dec  7 12:00:00 2026 GMT`, as `openssl x509 -enddate` writes a certificate's end.
pub fn openssl_date(text: &str) -> Option<i64> {
    let text = text.trim();
    let text = text.strip_suffix("GMT").unwrap_or(text).trim();
    let words: Vec<&str> = text.split_whitespace().collect();
    let joined = words.join(" ");
    chrono::NaiveDateTime::parse_from_str(&joined, "%b %d %H:%M:%S %Y").ok().map(|t| t.and_utc().timestamp())
}

/// One `R` line's fields after the index.
fn probe_of(kind: Kind, f: &[&str]) -> Probe {
    let field = |i: usize| f.get(i).copied().filter(|s| *s != "-").unwrap_or("");
    let (outcome, latency, status, body, cert, said) =
        (field(0), field(1), field(2), field(3), field(4), field(5));
    let latency = latency_ms(latency);
    let said = said.trim().to_string();
    let fault = |fault: Fault| Probe::Failed { fault, latency_ms: latency };
    match outcome {
        "ok" => {
            let addresses = if kind == Kind::Dns {
                said.split_whitespace().map(str::to_string).collect()
            } else {
                Vec::new()
            };
            let (cert_not_after, cert_unread) = match cert {
                "" => (None, None),
                "?" => (None, Some("openssl".to_string())),
                date => (openssl_date(date), None),
            };
            Probe::Done {
                latency_ms: latency.unwrap_or(0.0),
                status: status.parse::<u16>().ok().filter(|s| *s > 0),
                body_matched: match body {
                    "1" => Some(true),
                    "0" => Some(false),
                    _ => None,
                },
                cert_not_after,
                cert_unread,
                addresses,
            }
        }
        "refused" => fault(Fault::Refused),
        // What a timed-out probe took is its timeout, not a latency (as the local probes say).
        "timeout" => Probe::Failed { fault: Fault::TimedOut, latency_ms: None },
        "unresolved" => fault(Fault::NotResolved),
        "unreachable" => fault(Fault::Unreachable),
        "tls" => fault(Fault::Tls(said)),
        "notool" => Probe::Cannot(Cannot::NoTool(said.split_whitespace().map(str::to_string).collect())),
        "denied" => Probe::Cannot(Cannot::Denied(said)),
        _ => fault(Fault::Other(if said.is_empty() { outcome.to_string() } else { said })),
    }
}

/// Reads a round's output for `checks` (the same, in the same order, as given to [`round`]).
/// A check whose line is missing (the round was cut short) could not be probed.
pub fn read_round(out: &[u8], checks: &[&Spec]) -> Result<Round, String> {
    let text = String::from_utf8_lossy(out);
    let mut tools = None;
    let mut found: HashMap<usize, Probe> = HashMap::new();
    let mut done = false;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix('T') {
            if tools.is_none() && (rest.is_empty() || rest.starts_with(' ')) {
                tools =
                    Some(rest.split_whitespace().filter(|t| TOOLS.contains(t)).map(str::to_string).collect());
            }
        } else if let Some(rest) = line.strip_prefix("R\t") {
            let fields: Vec<&str> = rest.splitn(7, '\t').collect();
            let Some(i) = fields.first().and_then(|s| s.parse::<usize>().ok()) else { continue };
            let Some(spec) = checks.get(i) else { continue };
            found.entry(i).or_insert_with(|| probe_of(spec.kind, &fields[1..]));
        } else if line == "D" {
            done = true;
        }
    }
    let Some(tools) = tools else {
        return Err("the host's answer is not a round of network checks".into());
    };
    let probes = (0..checks.len())
        .map(|i| {
            found.remove(&i).unwrap_or_else(|| {
                let why = if done { "the probe printed nothing" } else { "the round was cut short" };
                Probe::Cannot(Cannot::Other(why.into()))
            })
        })
        .collect();
    Ok(Round { tools, probes })
}

const TRACE: &str = r#"LC_ALL=C; export LC_ALL
h() { command -v "$1" >/dev/null 2>&1; }
to() { s=$1; shift; if h timeout; then timeout "$s" "$@"; else "$@"; fi; }
if h mtr; then printf 'U mtr\n'; to "$2" mtr -r -n -c 3 "$1" 2>&1
elif h traceroute; then printf 'U traceroute\n'; to "$2" traceroute -n -w 2 -q 1 -m 20 "$1" 2>&1
elif h tracepath; then printf 'U tracepath\n'; to "$2" tracepath -n -m 20 "$1" 2>&1
else printf 'U\n'; exit 127; fi
"#;

/// The exit status of a trace when the host has none of the tools.
pub const TRACE_NO_TOOL: i32 = 127;

/// A path trace from the host to `host`, bounded by `seconds`.
pub fn trace(host: &str, seconds: u64) -> Script {
    Script { text: TRACE, args: vec![host.to_string(), seconds.to_string()] }
}

/// A trace's output: the tool that ran (None: the host has none) and what it printed.
pub fn read_trace(out: &[u8]) -> (Option<String>, String) {
    let text = String::from_utf8_lossy(out);
    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let tool = first.strip_prefix("U ").map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    (tool, rest.to_string())
}
