#!/usr/bin/env bash
# Fleet polling over SSH, measured against real OpenSSH servers on loopback (127.0.0.x only):
#  1. one poll round (`yunwei status --json`) over 50 and over 200 host entries, aliases of a
#     few sshd servers, half of them behind a jump host: wall time and client CPU per round;
#  2. the console idling with 50 hosts polled every 10 s: CPU share and resident memory.
#   benches/fleet.sh [IDLE_SECONDS]     (default 300)
#   benches/fleet.sh --status-only [RUNS]   only the status rounds over 200 hosts (default 5
#                                           runs), each with its reachable count and wall time
#                                           (FLEET_STDERR=FILE appends yunwei's stderr there)
#   YUNWEI_BIN=PATH benches/fleet.sh ...    measures that binary instead of building one
set -euo pipefail
cd "$(dirname "$0")/.."
status_only=
if [ "${1:-}" = "--status-only" ]; then
    status_only=1
    runs=${2:-5}
    shift $(( $# > 1 ? 2 : 1 ))
fi
secs=${1:-300}
servers=4
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
. benches/lib/sshfleet.sh
bin=$(fleet_binary)
work=$(mktemp -d)
trap 'fleet_stop; rm -rf "$work"' EXIT
fleet_start_servers "$servers"
make_config() { fleet_config "$@"; }
export HOME=$work/home XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data LANG=C.UTF-8
unset SSH_AUTH_SOCK
if [ -n "$status_only" ]; then
    make_config 200 10 "$work/fleet200.toml"
    for run in $(seq 1 "$runs"); do
        start=$(date +%s.%N)
        "$bin" --config "$work/fleet200.toml" status --json > "$work/out.json" 2>>"${FLEET_STDERR:-/dev/null}" || true
        end=$(date +%s.%N)
        python3 -c "import json,sys; v=json.load(open('$work/out.json')); bad=[h for h in v if not h['reachable']]; print(f'run=$run hosts={len(v)} reachable={len(v)-len(bad)} wall_s={$end-$start:.2f}', *sorted({(h.get('error') or {}).get('message','')[:70] for h in bad})[:3], sep='\n  ' if bad else '')"
    done
    exit 0
fi
for n in 50 200; do
    make_config "$n" 10 "$work/fleet$n.toml"
    for run in 1 2 3; do
        /usr/bin/time -f "hosts=$n run=$run wall_s=%e user_s=%U sys_s=%S max_rss_kib=%M" \
            "$bin" --config "$work/fleet$n.toml" status --json > "$work/out$n.json" 2> "$work/time$n" || true
        tail -1 "$work/time$n"
    done
    python3 -c "import json,sys; v=json.load(open('$work/out$n.json')); print(f'hosts={len(v)} reachable={sum(h[\"reachable\"] for h in v)}')"
done
# Time from a line appended to a file on host-002 (behind the jump host) to yunwei's output.
python3 benches/follow_bench.py "$bin" --lines 200000 --rounds 30 --args "--config $work/fleet50.toml --host host-002"
make_config 50 10 "$work/idle50.toml"
python3 benches/ptybench.py idle --seconds "$secs" --warmup 15 --marker "Fleet health" -- \
    "$bin" --config "$work/idle50.toml" --db "$work/idle.db"
