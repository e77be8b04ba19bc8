#!/usr/bin/env bash
# The night-duty view's idle cost against the fleet view's, measured the same way from outside
# through an 80x24 pseudo-terminal (benches/ptybench.py): CPU share of one core, resident
# memory and bytes written to the terminal per minute, the console otherwise the same: this
# machine plus five hosts on loopback whose port refuses (down: critical alerts, so the duty
# view has figures and a list to keep current), polled every 10 s, one database each.
#   benches/duty.sh [IDLE_SECONDS]     (default 120)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-120}
cargo build --release -q
bin=$PWD/target/release/yunwei
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data LANG=C.UTF-8
unset YUNWEI_CONFIG YUNWEI_DB NO_COLOR
cfg=$work/config.toml
printf '[ssh]\npoll_interval_s = 10\nconnect_timeout_s = 2\nimport_ssh_config = false\n\n' >"$cfg"
printf '[[hosts]]\nname = "this"\nlocal = true\n\n' >>"$cfg"
for i in 2 3 4 5 6; do
    printf '[[hosts]]\nname = "db%s"\naddress = "127.0.0.%s"\nport = 1\n\n' "$i" "$i" >>"$cfg"
done
pb() { python3 benches/ptybench.py "$@"; }
{
pb idle --cols 80 --rows 24 --seconds "$secs" --marker "Fleet health" -- "$bin" --config "$cfg" --db "$work/fleet.db"
pb idle --cols 80 --rows 24 --seconds "$secs" --marker "night duty" -- "$bin" --config "$cfg" --db "$work/duty.db" duty
} | tee "$work/results.jsonl"
python3 - "$work/results.jsonl" <<'PY'
import json, sys
fleet, duty = [json.loads(l) for l in open(sys.argv[1])]
for k in ("cpu_pct_of_one_core", "rss_kib", "bytes_per_minute"):
    a, b = fleet[k], duty[k]
    ratio = f"{b / a:.2f}" if a else "-"
    print(f"{k:22} fleet {a:>10}  duty {b:>10}  duty/fleet {ratio}")
PY
