#!/usr/bin/env bash
# One check round of 200 backup jobs on 20 hosts: twenty real OpenSSH servers on loopback
# (127.0.0.11 … 127.0.0.30), ten jobs each over real files with set times and sizes, checked by
# `yunwei backup check` (no verification: the round alone). Reports the wall time and the
# client's CPU (farm-bench when it is there, else /usr/bin/time once) and the remote commands
# the servers started for one round, counted from their logs (aim: 20, one per host).
#
# usage: benches/backups.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
hosts=20
per=10
cargo build --release --quiet
bin=$PWD/target/release/yunwei
work=$(mktemp -d /tmp/yunwei-bench-backups.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p /run/sshd "$work/files"
ssh-keygen -q -t ed25519 -N '' -f "$work/id" -C bench
ssh-keygen -q -t ed25519 -N '' -f "$work/hostkey" -C bench-host
cp "$work/id.pub" "$work/authorized_keys"
: >"$work/known_hosts"
user=$(id -un)
cfg=$work/config.toml
printf '[ssh]\nknown_hosts = "%s"\nimport_ssh_config = false\nconnect_timeout_s = 5\n\n' "$work/known_hosts" >"$cfg"
for i in $(seq 1 "$per"); do
    for n in 1 2 3; do
        truncate -s "$((100 + n))M" "$work/files/job$i-$n.dmp.gz"
        touch -d "$((n * 24 - 20)) hours ago" "$work/files/job$i-$n.dmp.gz"
    done
done
for h in $(seq 1 "$hosts"); do
    ip=127.0.0.$((10 + h))
    port=$((22000 + h))
    d=$work/sshd$h
    mkdir -p "$d"
    cat >"$d/sshd_config" <<CFG
ListenAddress $ip:$port
PidFile $d/sshd.pid
HostKey $work/hostkey
AuthorizedKeysFile $work/authorized_keys
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
LogLevel VERBOSE
MaxStartups 100
CFG
    /usr/sbin/sshd -f "$d/sshd_config" -D -E "$d/log" &
    pids+=($!)
    echo "[$ip]:$port $(cut -d' ' -f1,2 "$work/hostkey.pub")" >>"$work/known_hosts"
    printf '[[hosts]]\nname = "bak-%02d"\naddress = "%s"\nport = %d\nuser = "%s"\nidentity_file = "%s"\n\n' \
        "$h" "$ip" "$port" "$user" "$work/id" >>"$cfg"
    for i in $(seq 1 "$per"); do
        printf '[[jobs]]\nname = "bak-%02d-job%02d"\nhost = "bak-%02d"\npath = "%s/files/job%d-*.dmp.gz"\nevery = "1d"\nmin_size = "50MB"\nshrink_pct = 50\n\n' \
            "$h" "$i" "$h" "$work" "$i" >>"$cfg"
    done
done
sleep 1
run=("$bin" --config "$cfg" --db "$work/b.db" backup check)
"${run[@]}" >"$work/first.txt" || true
tail -1 "$work/first.txt"
count() { cat "$work"/sshd*/log | grep -c 'Starting session: command' || true; }
before=$(count)
"${run[@]}" >/dev/null || true
echo "remote commands for one round of $((hosts * per)) jobs on $hosts hosts: $(($(count) - before))"
echo "== one round, $((hosts * per)) jobs on $hosts hosts"
if command -v farm-bench >/dev/null 2>&1; then
    farm-bench -n "$runs" --timeout 600 -- "${run[@]}"
else
    /usr/bin/time -f "%e s wall, %U s user, %S s sys, peak %M KiB" "${run[@]}" >/dev/null
fi
