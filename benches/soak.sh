#!/usr/bin/env bash
# A night-duty console left open: yunwei with HOSTS hosts (default 50; aliases of real sshd on
# loopback, half behind a jump host) polled every POLL seconds (default 10), for MINUTES
# (default 120), in a 120x40 pseudo-terminal. Prints resident memory (anonymous and
# file-backed), threads, descriptors and CPU share each minute, then the spread of resident
# memory over the last hour.
#   benches/soak.sh [MINUTES] [HOSTS] [POLL]
#   YUNWEI_BIN=PATH benches/soak.sh ...     measures that binary instead of building one
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-120}
hosts=${2:-50}
poll=${3:-10}
. benches/lib/sshfleet.sh
bin=$(fleet_binary)
work=$(mktemp -d)
trap 'fleet_stop; rm -rf "$work"' EXIT
fleet_start_servers 4
fleet_config "$hosts" "$poll" "$work/soak.toml"
export HOME=$work/home XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data LANG=C.UTF-8
unset SSH_AUTH_SOCK YUNWEI_CONFIG YUNWEI_DB NO_COLOR
python3 benches/ptybench.py soak --seconds "$((minutes * 60))" --every "${SOAK_EVERY:-60}" \
    --marker "Fleet health" -- "$bin" --config "$work/soak.toml" --db "$work/soak.db"
ls -la "$work/soak.db" "$work/soak.db-wal" 2>/dev/null | awk '{print "# " $5 " " $9}' >&2 || true
