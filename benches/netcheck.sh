#!/usr/bin/env bash
# One round of 100 network checks from 10 hosts: ten real OpenSSH servers on loopback
# (127.0.0.41 … 127.0.0.50), each probing ten checks of its own (three HTTP with status and body,
# three TCP, two TLS with a certificate's end, two DNS) against servers on 127.0.0.1 (Python's
# threaded HTTP server, `openssl s_server -www`, a listener, a refused port), through
# `yunwei net check`. Reports the wall time and the client's CPU (farm-bench when it is there,
# else /usr/bin/time once) and the remote commands the servers started for one round, counted
# from their logs (aim: 10, one per host), and the whole machine's CPU for one round (the ten
# stand-in hosts share this machine's cores: their logins and probes are most of it).
#
# usage: benches/netcheck.sh [RUNS]   (NETBENCH_HOSTS=N for another number of hosts,
#                                      NETBENCH_SHOW=1 to print the first round's table)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
hosts=${NETBENCH_HOSTS:-10}
command -v openssl >/dev/null || { echo "needs openssl (scripts/test installs it)" >&2; exit 2; }
[ -x /usr/sbin/sshd ] || { echo "needs openssh-server (scripts/test installs it)" >&2; exit 2; }
cargo build --release --quiet
bin=${YUNWEI_BIN:-$PWD/target/release/yunwei}
work=$(mktemp -d /tmp/yunwei-bench-net.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The targets.
mkdir -p "$work/www/api"
printf '{"status":"UP"}' >"$work/www/api/health"
http=$(free_port)
(cd "$work/www" && exec python3 -m http.server --bind 127.0.0.1 "$http" >/dev/null 2>&1) &
pids+=($!)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 \
    -days 20 -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1
tls=$(free_port)
openssl s_server -quiet -www -accept "$tls" -cert "$work/cert.pem" -key "$work/key.pem" </dev/null >/dev/null 2>&1 &
pids+=($!)
listen=$(free_port)
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $listen)); s.listen(512)
held = []
while True:
    c, _ = s.accept(); held.append(c)
" &
pids+=($!)
refused=$(free_port)

# The hosts.
mkdir -p /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$work/id" -C bench
ssh-keygen -q -t ed25519 -N '' -f "$work/hostkey" -C bench-host
cp "$work/id.pub" "$work/authorized_keys"
: >"$work/known_hosts"
user=$(id -un)
cfg=$work/config.toml
printf '[ssh]\nknown_hosts = "%s"\nimport_ssh_config = false\nconnect_timeout_s = 5\n\n' "$work/known_hosts" >"$cfg"
check() { # name kind target from [extra]
    printf '[[checks]]\nname = "%s"\nkind = "%s"\ntarget = "%s"\nfrom = ["%s"]\ntimeout = "3s"\nwarn_ms = 500\n%s\n' \
        "$1" "$2" "$3" "$4" "${5:-}" >>"$cfg"
}
for h in $(seq 1 "$hosts"); do
    ip=127.0.0.$((40 + h))
    port=$((23000 + h))
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
    name=$(printf 'ex-%02d' "$h")
    printf '[[hosts]]\nname = "%s"\naddress = "%s"\nport = %d\nuser = "%s"\nidentity_file = "%s"\n\n' \
        "$name" "$ip" "$port" "$user" "$work/id" >>"$cfg"
    for i in 1 2 3; do
        check "$name-api$i" http "http://127.0.0.1:$http/api/health" "$name" "expect_status = [200]
expect_body = '\"status\":\"UP\"'"
    done
    check "$name-port1" tcp "127.0.0.1:$listen" "$name"
    check "$name-port2" tcp "127.0.0.1:$http" "$name"
    check "$name-refused" tcp "127.0.0.1:$refused" "$name"
    check "$name-cert1" tls "127.0.0.1:$tls" "$name" "cert_warn_days = 30"
    check "$name-cert2" tls "127.0.0.1:$tls" "$name" "cert_warn_days = 10"
    check "$name-dns1" dns "localhost" "$name"
    check "$name-dns2" dns "no-such-name.invalid" "$name"
done
sleep 1
run=("$bin" --config "$cfg" --db "$work/n.db" net check)
"${run[@]}" >"$work/first.txt" || true
[ -n "${NETBENCH_SHOW:-}" ] && cat "$work/first.txt"
echo "states of one round: $(awk '$1 ~ /^(ok|warn|crit|unknown)$/ { print $1 }' "$work/first.txt" | sort | uniq -c | tr -s ' \n' ' ')"
count() { cat "$work"/sshd*/log | grep -c 'Starting session: command' || true; }
before=$(count)
cpu() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
c0=$(cpu)
"${run[@]}" >/dev/null || true
c1=$(cpu)
echo "machine CPU for one round (client, sshd sessions and the probes they start, the targets): $(( (c1 - c0) * 1000 / $(getconf CLK_TCK) )) ms"
echo "remote commands for one round of $((hosts * 10)) checks from $hosts hosts: $(($(count) - before))"
echo "== one round, $((hosts * 10)) checks from $hosts hosts"
if command -v farm-bench >/dev/null 2>&1; then
    farm-bench -n "$runs" --timeout 600 -- "${run[@]}"
else
    /usr/bin/time -f "%e s wall, %U s user, %S s sys, peak %M KiB" "${run[@]}" >/dev/null
fi
