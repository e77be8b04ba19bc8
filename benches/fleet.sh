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
[ -x /usr/sbin/sshd ] || { echo "benches/fleet.sh: needs openssh-server (scripts/test installs it)" >&2; exit 2; }
if [ -n "${YUNWEI_BIN:-}" ]; then
    bin=$YUNWEI_BIN     # a binary built earlier (before/after comparisons); no build
else
    cargo build --release -q
    bin=$PWD/target/release/yunwei
fi
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p /run/sshd "$work/home"
user=$(id -un)
ssh-keygen -q -t ed25519 -N '' -f "$work/id_ed25519"
: > "$work/known_hosts"
ports=()
for i in $(seq 1 $servers); do
    d="$work/sshd$i"; mkdir -p "$d"
    ssh-keygen -q -t ed25519 -N '' -f "$d/host_key"
    cp "$work/id_ed25519.pub" "$d/authorized_keys"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    ports+=("$port")
    cat > "$d/sshd_config" <<CFG
ListenAddress 127.0.0.1:$port
HostKey $d/host_key
PidFile $d/sshd.pid
AuthorizedKeysFile $d/authorized_keys
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
MaxStartups 400
MaxSessions 400
SetEnv HOME=$work/home
CFG
    /usr/sbin/sshd -D -e -f "$d/sshd_config" 2>"$d/log" &
    pids+=($!)
    echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$d/host_key.pub")" >> "$work/known_hosts"
done
sleep 1

# N host entries: server i % servers; every other one through the first server as a jump host.
make_config() {
    local n=$1 poll=$2 out=$3
    {
        printf '[ssh]\nknown_hosts = "%s"\nconnect_timeout_s = 5\ncommand_timeout_s = 10\npoll_interval_s = %s\nimport_ssh_config = false\n\n' "$work/known_hosts" "$poll"
        printf '[[hosts]]\nname = "bastion"\naddress = "127.0.0.1"\nport = %s\nuser = "%s"\nidentity_file = "%s"\n\n' "${ports[0]}" "$user" "$work/id_ed25519"
        for h in $(seq 2 "$n"); do
            p=${ports[$((h % servers))]}
            printf '[[hosts]]\nname = "host-%03d"\naddress = "127.0.0.1"\nport = %s\nuser = "%s"\nidentity_file = "%s"\n' "$h" "$p" "$user" "$work/id_ed25519"
            [ $((h % 2)) -eq 0 ] && printf 'jump = "bastion"\n'
            printf '\n'
        done
    } > "$out"
}
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
