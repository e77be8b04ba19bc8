#!/usr/bin/env bash
# 500 hosts: aliases of 8 real sshd on loopback (127.0.0.11-18), every other one behind a jump
# host. Measures, with yunwei's release build:
#  1. one poll round, `yunwei status --json` (connect, two probes half a second apart): wall
#     time, client CPU in all and per host, peak memory; RUNS runs (default 3);
#  2. the console idling over IDLE seconds (default 300) with polls every 10 s, in a 120x40
#     pseudo-terminal: CPU share of one core, resident memory, bytes written per minute, and
#     CPU per host and round; htop's own bytes per minute at its default refresh beside it;
#  3. a key to its frame while the polls arrive: letters typed into the filter prompt, each timed
#     until yunwei has written it to the terminal.
#   benches/fleet500.sh [IDLE_SECONDS] [RUNS]
#   HOSTS=N benches/fleet500.sh ...       another fleet size
#   YUNWEI_BIN=PATH benches/fleet500.sh   measures that binary instead of building one
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-300}
runs=${2:-3}
hosts=${HOSTS:-500}
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
command -v htop >/dev/null || { apt-get update -qq && apt-get install -y -qq htop >/dev/null; }
. benches/lib/sshfleet.sh
bin=$(fleet_binary)
# Every connection is a descriptor, on the client and on the servers.
ulimit -n 65536 2>/dev/null || ulimit -n 8192
work=$(mktemp -d)
export FLEET_SHARED_PROBE=${FLEET_SHARED_PROBE:-1}
trap 'fleet_stop; rm -rf "$work"' EXIT
fleet_start_servers 8
fleet_config "$hosts" 10 "$work/fleet.toml"
fleet_prewarm "$bin"
export HOME=$work/home XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data LANG=C.UTF-8
unset SSH_AUTH_SOCK YUNWEI_CONFIG YUNWEI_DB NO_COLOR

for run in $(seq 1 "$runs"); do
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" \
        "$bin" --config "$work/fleet.toml" status --json > "$work/out.json" 2>/dev/null || true
    read -r wall user sys rss < <(tail -1 "$work/time")
    python3 - "$work/out.json" "$hosts" "$run" "$wall" "$user" "$sys" "$rss" <<'PY'
import json, sys
out, n, run, wall, user, sys_s, rss = sys.argv[1:]
v = json.load(open(out))
up = sum(h["reachable"] for h in v)
cpu = float(user) + float(sys_s)
down = sorted({(h.get("error") or {}).get("message", "")[:60] for h in v if not h["reachable"]})[:3]
print(json.dumps({"metric": "status_round", "run": int(run), "hosts": len(v), "reachable": up, "down_reasons": down,
                  "wall_s": float(wall), "cpu_s": round(cpu, 2),
                  "cpu_ms_per_host": round(1000 * cpu / int(n), 3), "max_rss_kib": int(rss)}))
PY
done

pb() { python3 benches/ptybench.py "$@"; }
# Idle: polls every 10 s, nothing pressed. Warm-up covers the first connects of every host.
pb idle --seconds "$secs" --warmup 40 --marker "Fleet health" -- \
    "$bin" --config "$work/fleet.toml" --db "$work/idle.db" | tee "$work/idle.json"
python3 - "$work/idle.json" "$hosts" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
rounds = r["seconds"] / 10
print(json.dumps({"metric": "idle_cpu_per_host_round", "hosts": n,
                  "cpu_ms_per_host_per_round": round(r["cpu_pct_of_one_core"] / 100 * r["seconds"] * 1000 / rounds / n, 4)}))
PY
pb idle --seconds "$secs" --warmup 5 --marker "Load average" -- htop
# A key to its frame while the polls arrive.
pb keys --warmup 40 --rounds 25 --type "zqxj" --marker "Fleet health" -- \
    "$bin" --config "$work/fleet.toml" --db "$work/keys.db"
