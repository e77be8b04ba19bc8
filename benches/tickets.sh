#!/usr/bin/env bash
# The ticket queue at scale: N tickets (default 100000) with about ten events each (a million
# events), seeded once into target/bench-tickets-N.db by benches/tickets.rs; then the store's
# list, filters and searches timed in-process (median and worst of 20), and the same as whole
# `yunwei ticket list` commands (process start included), each run RUNS times (default 10).
#   benches/tickets.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
runs=${RUNS:-10}
cargo build --release -q
cargo bench --no-run --bench tickets -q 2>/dev/null || cargo bench --no-run --bench tickets
bin=$(cargo bench --no-run --bench tickets --message-format=json 2>/dev/null |
    grep -o '"executable":"[^"]*tickets[^"]*"' | tail -1 | cut -d'"' -f4)
[ -x "$bin" ] || { echo "benches/tickets.sh: bench binary not found" >&2; exit 2; }
db=$PWD/target/bench-tickets-$n.db
if [ ! -s "$db" ]; then
    echo "seeding $n tickets into $db (once; delete it to seed again)" >&2
    start=$(date +%s)
    "$bin" seed "$db.part" "$n"
    mv "$db.part" "$db"
    for f in -wal -shm; do [ -e "$db.part$f" ] && mv "$db.part$f" "$db$f"; done
    echo "seeded in $(( $(date +%s) - start )) s" >&2
fi
sqlite3 "$db" "SELECT 'events', count(*) FROM ticket_events" | tr '|' ' ' >&2
"$bin" time "$db"
export YUNWEI_DB=$db YUNWEI_NOW=2026-12-31T00:00:00+08:00 YUNWEI_OPERATOR=bench
python3 - "$PWD/target/release/yunwei" "$runs" <<'PY'
import json, subprocess, sys, time
bin, runs = sys.argv[1], int(sys.argv[2])
cases = {
    "cli_list_open": ["ticket", "list"],
    "cli_list_assignee": ["ticket", "list", "--assignee", "赵工"],
    "cli_search_chinese_all_limit_100": ["ticket", "list", "--all", "--search", "推送", "--limit", "100"],
    "cli_show": ["ticket", "show", "YW-20261115-050", "--json"],
}
for name, args in cases.items():
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = subprocess.run([bin, *args], capture_output=True)
        times.append((time.perf_counter() - t0) * 1000)
        if out.returncode != 0:
            sys.exit(f"{name}: exit {out.returncode}: {out.stderr.decode()}")
    times.sort()
    print(json.dumps({"metric": name, "median_ms": round(times[len(times) // 2], 2), "max_ms": round(times[-1], 2)}))
PY
# The console on that database: time to its first frame through a pseudo-terminal, and to the
# Tickets tab showing the queue (the console starts on the fleet; the queue is read by the
# ticket thread meanwhile), both as benches/ptybench.py measures htop.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data LANG=C.UTF-8
unset YUNWEI_CONFIG NO_COLOR
python3 benches/ptybench.py first-frame --runs "$runs" --marker "Fleet health" -- "$PWD/target/release/yunwei" --db "$db"
# Every twentieth seeded ticket stays open.
python3 benches/ptybench.py tab --runs "$runs" --marker "Fleet health" --open 3 --until "$((n / 20)) shown" -- "$PWD/target/release/yunwei" --db "$db"
