#!/usr/bin/env bash
# "A call about host X": from the running console to a shell prompt on X through a jump host,
# in keystrokes and seconds. Two OpenSSH servers on loopback (a bastion and the host behind it),
# the console in tmux; the keys typed are the ones a person types: / X Enter S. Prints the
# keystrokes and the seconds from the first key to the prompt (median of RUNS).
#   benches/shell_call.sh [RUNS]          (needs sshd, ssh-keygen, tmux; a release build is used)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
bin=${YUNWEI_BIN:-target/release/yunwei}
[ -x "$bin" ] || cargo build --release -q
dir=$(mktemp -d)
sock="yunwei-bench-$$"
cleanup() {
    tmux -L "$sock" kill-server 2>/dev/null || true
    for p in "$dir"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true; done
    rm -rf "$dir"
}
trap cleanup EXIT
ssh-keygen -q -t ed25519 -N '' -f "$dir/id" >/dev/null
cp "$dir/id.pub" "$dir/authorized_keys"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_sshd() { # name port
    ssh-keygen -q -t ed25519 -N '' -f "$dir/$1_host" >/dev/null
    cat >"$dir/$1.conf" <<CONF
ListenAddress 127.0.0.1:$2
HostKey $dir/$1_host
AuthorizedKeysFile $dir/authorized_keys
PidFile $dir/$1.pid
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowTcpForwarding yes
CONF
    /usr/sbin/sshd -f "$dir/$1.conf" -E "$dir/$1.log"
    echo "[127.0.0.1]:$2 $(cut -d' ' -f1,2 "$dir/$1_host.pub")" >>"$dir/known_hosts"
}
host=app-haikou-01
pb=$(port); ph=$(port)
start_sshd bastion "$pb"
start_sshd app "$ph"
cat >"$dir/config.toml" <<CONF
[ssh]
known_hosts = "$dir/known_hosts"
import_ssh_config = false
poll_interval_s = 5

[[hosts]]
name = "bastion"
address = "127.0.0.1"
port = $pb
user = "$(id -un)"
identity_file = "$dir/id"

[[hosts]]
name = "app-haikou-01"
address = "127.0.0.1"
port = $ph
user = "$(id -un)"
identity_file = "$dir/id"
jump = "bastion"
CONF
screen() { tmux -L "$sock" capture-pane -p -t b; }
wait_for() { # pattern, timeout s
    local end=$(( $(date +%s) + ${2:-20} ))
    until screen | grep -qE "$1"; do
        [ "$(date +%s)" -lt "$end" ] || { echo "timed out waiting for $1" >&2; screen >&2; exit 1; }
        sleep 0.02
    done
}
times=()
for i in $(seq "$runs"); do
    tmux -L "$sock" -f /dev/null new-session -d -s b -x 100 -y 30 \
        "HOME=$dir LANG=C.UTF-8 TERM=xterm-256color PS1='prompt\$ ' $bin --config $dir/config.toml --db $dir/y.db"
    wait_for 'app-haikou-01 +up' 30
    start=$(date +%s.%N)
    for k in / "$host" Enter S; do tmux -L "$sock" send-keys -t b "$k"; done
    wait_for '(\$|#) *$' 20
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
    tmux -L "$sock" send-keys -t b 'exit' Enter
    wait_for 'Fleet health' 20
    tmux -L "$sock" send-keys -t b q
    sleep 0.5
    tmux -L "$sock" kill-server 2>/dev/null || true
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(sed -n "$(( (runs + 1) / 2 ))p" <<<"$sorted")
echo "key presses: $(( 1 + ${#host} + 2 )) (/, the host name typed whole, Enter, S)"
echo "seconds from the first key to the shell prompt on app-haikou-01 through bastion: median $median of $runs ($(tr '\n' ' ' <<<"$sorted"))"
