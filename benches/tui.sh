#!/usr/bin/env bash
# yunwei against htop (and top), measured the same way from outside through a 120x40
# pseudo-terminal (benches/ptybench.py): time to the first frame, then CPU share, resident
# memory and bytes written to the terminal while idle. Prints JSON lines and the ratios.
#   benches/tui.sh [IDLE_SECONDS]     (default 120)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-120}
command -v htop >/dev/null || { apt-get update -qq && apt-get install -y -qq htop >/dev/null; }
cargo build --release -q
bin=$PWD/target/release/yunwei
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data LANG=C.UTF-8
unset YUNWEI_CONFIG YUNWEI_DB NO_COLOR
pb() { python3 benches/ptybench.py "$@"; }

# A database with a year of history for 20 hosts, as a long-running console leaves it.
pb first-frame --runs 1 --marker "Fleet health" -- "$bin" --db "$work/year.db" >/dev/null
python3 benches/seed_year.py "$work/year.db" --hosts 20 >&2
ls -la "$work/year.db" >&2

{
pb first-frame --marker "Fleet health" -- "$bin" --db "$work/fresh.db"
pb first-frame --marker "Fleet health" -- "$bin" --db "$work/year.db"
pb first-frame --marker "Load average" -- htop
pb first-frame --marker "load average" -- top
pb idle --seconds "$secs" --marker "Fleet health" -- "$bin" --db "$work/idle.db"
pb idle --seconds "$secs" --marker "Load average" -- htop
pb idle --seconds "$secs" --marker "Load average" -- htop -d 100
pb idle --seconds "$secs" --marker "load average" -- top -d 10
} | tee "$work/results.jsonl"

python3 - "$work/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def pick(metric, want):
    return [r for r in rows if r["metric"] == metric and want(r["cmd"])][0]
y_ff = pick("first_frame_ms", lambda c: "fresh.db" in c)
y_idle = pick("idle", lambda c: "yunwei" in c)
print("\nratios (yunwei / other; below 1 means yunwei uses less):")
for other in ("htop", "top"):
    o = pick("first_frame_ms", lambda c: c == other)
    print(f"  first frame vs {other}: {y_ff['median'] / o['median']:.2f}")
for other in ("htop", "htop -d 100", "top -d 10"):
    o = pick("idle", lambda c: c == other)
    cpu = y_idle["cpu_pct_of_one_core"] / o["cpu_pct_of_one_core"] if o["cpu_pct_of_one_core"] else float("nan")
    print(f"  idle vs {other}: cpu {cpu:.2f}, rss {y_idle['rss_kib'] / o['rss_kib']:.2f}, "
          f"bytes/min {y_idle['bytes_per_minute'] / max(o['bytes_per_minute'], 1):.3f}")
PY
