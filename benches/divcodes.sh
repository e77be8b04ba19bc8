#!/usr/bin/env bash
# Division codes at the scale of a whole country's twelve-digit edition: two editions of about
# 700,000 rows built from two real Hainan editions (benches/divcodes_gen.py; ../shared/data is
# needed), each imported into a new database, then diffed (JSON, every change). Each step is
# timed over several runs by farm-bench when it is there (else once by /usr/bin/time), with its
# peak memory. Aims (issue 11): each import under 2 s, the diff under 1 s.
#
# usage: benches/divcodes.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
data=../shared/data/divisions
if [ ! -f "$data/nbs-hainan-2017.csv" ]; then
    echo "benches/divcodes.sh: $data is not there (the shared real data); nothing to measure" >&2
    exit 2
fi
out=target/bench-divcodes
mkdir -p "$out"
python3 benches/divcodes_gen.py "$data/nbs-hainan-2017.csv" "$data/nbs-hainan-2023.csv" "$out/old.csv" "$out/new.csv"
cargo build --release --quiet
bin=$PWD/target/release/yunwei
# The diff's database: both editions, imported once.
rm -f "$out"/diff.db*
"$bin" --db "$out/diff.db" divcode import "$out/old.csv" --version old >/dev/null
"$bin" --db "$out/diff.db" divcode import "$out/new.csv" --version new >/dev/null
"$bin" --db "$out/diff.db" divcode diff old new >"$out/diff.txt"
head -1 "$out/diff.txt"
time_it() {
    local label=$1
    shift
    echo "== $label"
    if command -v farm-bench >/dev/null 2>&1; then
        farm-bench -n "$runs" --timeout 600 -- "$@"
    else
        /usr/bin/time -f "%e s, peak %M KiB" "$@" >/dev/null
    fi
}
# Each import into a database of its own, made anew before every run.
for which in old new; do
    time_it "import $which ($(($(wc -l <"$out/$which.csv") - 1)) rows)" \
        sh -c "rm -f '$out'/imp.db* && exec '$bin' --db '$out/imp.db' divcode import '$out/$which.csv' --version $which >/dev/null"
done
time_it "diff old new --json" sh -c "exec '$bin' --db '$out/diff.db' divcode diff old new --json >/dev/null"
