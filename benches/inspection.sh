#!/usr/bin/env bash
# The inspection report over N hosts (default 50) with a quarter of history (2026Q4, seeded once
# into target/bench-inspection-N.db by benches/seed_quarter.py): `yunwei report inspection`
# timed as a whole command, RUNS times (default 5), its wall time and peak memory.
#   benches/inspection.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-50}
runs=${RUNS:-5}
cargo build --release -q
bin=$PWD/target/release/yunwei
db=$PWD/target/bench-inspection-$n.db
if [ ! -s "$db" ]; then
    echo "seeding $n hosts' quarter into $db (once; delete it to seed again)" >&2
    rm -f "$db.part"
    YUNWEI_DB="$db.part" "$bin" ticket list >/dev/null
    python3 benches/seed_quarter.py "$db.part" --hosts "$n"
    mv "$db.part" "$db"
fi
sqlite3 "$db" "SELECT 'fs_5m rows', count(*) FROM fs_5m; SELECT 'health_5m rows', count(*) FROM health_5m" | tr '|' ' ' >&2
out=$(mktemp -d)
export YUNWEI_DB=$db YUNWEI_NOW=2027-01-02T10:00:00+08:00 YUNWEI_OPERATOR=bench
cmd=("$bin" --lang zh-CN report inspection --quarter 2026Q4 --out "$out")
"${cmd[@]}" | tail -1
python3 - "$runs" "${cmd[@]}" <<'PY'
import resource, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
walls = []
for _ in range(runs):
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    walls.append(time.perf_counter() - t0)
walls.sort()
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"report inspection: wall median {walls[len(walls)//2]:.3f} s (min {walls[0]:.3f}, max {walls[-1]:.3f}), peak {peak:.1f} MiB")
PY
ls -la "$out" >&2
rm -rf "$out"
