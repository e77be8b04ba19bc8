# Sourced by the fleet benches: real OpenSSH servers on loopback (127.0.0.x only) and yunwei
# configs whose host entries are aliases of them.
#
#   fleet_start_servers COUNT      starts COUNT sshd on 127.0.0.11, .12, …; sets $work/…,
#                                  the arrays ports[] and ips[], and one user key and known_hosts
#   fleet_config N POLL_S OUT      N host entries (a bastion and host-002 … host-N): entry h on
#                                  server h % COUNT, every even one behind the bastion
#   fleet_prewarm BIN              with FLEET_SHARED_PROBE=1, records the replayed answers first
#
# The caller sets $work (a scratch folder) and traps fleet_stop on EXIT. With
# FLEET_SHARED_PROBE=1 the servers answer the health probe from one copy of its output (the
# first, replayed), so that hundreds of stand-in hosts on one machine do not measure their own ps(1)
# over each other's processes; every other command runs as it would.

# The binary to measure: $YUNWEI_BIN when set (a build kept for a before/after comparison),
# else a fresh release build.
fleet_binary() {
    if [ -n "${YUNWEI_BIN:-}" ]; then
        echo "$YUNWEI_BIN"
    else
        cargo build --release -q >&2
        echo "$PWD/target/release/yunwei"
    fi
}

fleet_pids=()
ports=()
ips=()

fleet_stop() {
    for p in "${fleet_pids[@]}"; do kill "$p" 2>/dev/null || true; done
}

fleet_start_servers() {
    local count=$1 i d port ip
    [ -x /usr/sbin/sshd ] || { echo "needs openssh-server (scripts/test installs it)" >&2; exit 2; }
    mkdir -p /run/sshd "$work/home"
    ssh-keygen -q -t ed25519 -N '' -f "$work/id_ed25519"
    : > "$work/known_hosts"
    local force=
    if [ "${FLEET_SHARED_PROBE:-}" = 1 ]; then
        # The first answer is kept and replayed with shell built-ins only: no process beyond
        # the session's own shell per poll. The security posture (every 30 minutes) is kept
        # the same way: 500 stand-in hosts each simulating an upgrade with apt-get on this one
        # machine at once would measure apt-get, not yunwei. The first session to take the
        # lock runs the real command; the others wait for its answer.
        cat > "$work/answer.sh" <<ANSWER
#!/bin/sh
replay() {
    f=\$1
    if [ ! -e "\$f" ]; then
        if mkdir "\$f.lock" 2>/dev/null; then
            sh -c "\$SSH_ORIGINAL_COMMAND" > "\$f.\$\$" 2>/dev/null
            mv "\$f.\$\$" "\$f"
        else
            while [ ! -e "\$f" ]; do sleep 1; done
        fi
    fi
    while IFS= read -r line; do printf '%s\\n' "\$line"; done < "\$f"
}
case \$SSH_ORIGINAL_COMMAND in
*'s dfk'*) replay $work/probe.out ;;
*'s updates.'*) replay $work/security.out ;;
*) exec sh -c "\$SSH_ORIGINAL_COMMAND" ;;
esac
ANSWER
        chmod +x "$work/answer.sh"
        force="ForceCommand $work/answer.sh"
    fi
    for i in $(seq 1 "$count"); do
        d="$work/sshd$i"
        mkdir -p "$d"
        ip=127.0.0.$((10 + i))
        ssh-keygen -q -t ed25519 -N '' -f "$d/host_key"
        cp "$work/id_ed25519.pub" "$d/authorized_keys"
        port=$(python3 -c 'import socket,sys; s=socket.socket(); s.bind((sys.argv[1],0)); print(s.getsockname()[1])' "$ip")
        ports+=("$port")
        ips+=("$ip")
        cat > "$d/sshd_config" <<CFG
ListenAddress $ip:$port
HostKey $d/host_key
PidFile $d/sshd.pid
AuthorizedKeysFile $d/authorized_keys
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
MaxStartups 1000
MaxSessions 1000
SetEnv HOME=$work/home
$force
CFG
        /usr/sbin/sshd -D -e -f "$d/sshd_config" 2>"$d/log" &
        fleet_pids+=($!)
        echo "[$ip]:$port $(cut -d' ' -f1,2 "$d/host_key.pub")" >> "$work/known_hosts"
    done
    sleep 1
}

fleet_config() {
    local n=$1 poll=$2 out=$3 count=${#ports[@]} h s user
    user=$(id -un)
    {
        printf '[ssh]\nknown_hosts = "%s"\nconnect_timeout_s = 5\ncommand_timeout_s = 10\npoll_interval_s = %s\nimport_ssh_config = false\n\n' "$work/known_hosts" "$poll"
        printf '[[hosts]]\nname = "bastion"\naddress = "%s"\nport = %s\nuser = "%s"\nidentity_file = "%s"\n\n' "${ips[0]}" "${ports[0]}" "$user" "$work/id_ed25519"
        for h in $(seq 2 "$n"); do
            s=$((h % count))
            printf '[[hosts]]\nname = "host-%03d"\naddress = "%s"\nport = %s\nuser = "%s"\nidentity_file = "%s"\n' "$h" "${ips[$s]}" "${ports[$s]}" "$user" "$work/id_ed25519"
            [ $((h % 2)) -eq 0 ] && printf 'jump = "bastion"\n'
            printf '\n'
        done
    } > "$out"
}

# With FLEET_SHARED_PROBE=1: records the replayed answers (the health probe and the security
# posture) once, from one host, before the console starts; otherwise the first security round
# would have every stand-in host wait on one package query.
fleet_prewarm() {
    local bin=$1
    [ "${FLEET_SHARED_PROBE:-}" = 1 ] || return 0
    fleet_config 1 10 "$work/prewarm.toml"
    HOME=$work/home XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data \
        "$bin" --config "$work/prewarm.toml" --db "$work/prewarm.db" status --security --json >/dev/null 2>&1 || true
}
