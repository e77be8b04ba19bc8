//! The read-only POSIX sh script one inspection runs on a host, and the reading of what it
//! prints. It changes nothing and needs nothing but sh and the usual tools; what a non-root
//! login cannot read is said as such (`!`), never left out, so no item passes on a file it
//! could not see.
//!
//! Its output is a list of sections. A header line starts at column 0:
//! `@@ NAME PATH` (a file's text follows), `@@ NAME PATH !` (the file exists and could not be
//! read), `@@ NAME $` (a command's output follows) and, after a command's output,
//! `@@. STATUS` (its exit status; 127 when the command is not there). Every line of content is
//! written with one leading space, so nothing in a file (a line beginning with `@@`) can pass
//! for a header. Comment and blank lines of configuration files are left out on the host.
//! `/etc/shadow` is read by awk into `name kind max warn` (kind: empty, locked or hash):
//! no password hash ever leaves the host.

/// The helpers every part of the script uses: `h` (is a command there), `ind` (indent),
/// `conf` (a file without comments and blank lines), `file NAME PATH…` and `run NAME CMD…`.
#[macro_export]
macro_rules! baseline_prelude {
    () => {
        r#"LC_ALL=C; export LC_ALL
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
h() { command -v "$1" >/dev/null 2>&1; }
T=; h timeout && T="timeout 20"
ind() { sed 's/^/ /'; }
conf() { grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$1" 2>/dev/null | ind; }
file() {
  n=$1; shift
  for p in "$@"; do
    [ -e "$p" ] || continue
    [ -d "$p" ] && continue
    if [ -r "$p" ]; then printf '@@ %s %s\n' "$n" "$p"; conf "$p"; else printf '@@ %s %s !\n' "$n" "$p"; fi
  done
}
run() {
  n=$1; shift
  printf '@@ %s $\n' "$n"
  if h "$1"; then o=$($T "$@" 2>&1); r=$?; [ -n "$o" ] && printf '%s\n' "$o" | ind; printf '@@. %s\n' "$r"
  else printf '@@. 127\n'; fi
}
"#
    };
}

/// What the signs of compromise are read from ([`super::signs`]): every process's executable,
/// name and command line, the PIDs in `/proc` and in `ps` twice a second apart, established
/// connections and listeners with their processes, `/etc/ld.so.preload`, the crontabs and
/// cron folders, the systemd timers and every login's `authorized_keys`. Also run on its own
/// by the security posture (after [`baseline_prelude`]).
#[macro_export]
macro_rules! baseline_signs {
    () => {
        r#"if h ss; then run listen ss -H -lntup; elif h netstat; then run listen netstat -lntup; fi
printf '@@ exe $\n'; ls -l /proc/[0-9]*/exe 2>&1 | ind; printf '@@. 0\n'
printf '@@ comm $\n'
for d in /proc/[0-9]*; do c=; { read -r c < "$d/comm"; } 2>/dev/null; printf ' %s\t%s\n' "${d#/proc/}" "$c"; done
printf '@@. 0\n'
run ps ps -ww -e -o pid= -o args=
file ld-preload /etc/ld.so.preload
if h ss; then run estab ss -H -ntp state established; elif h netstat; then run estab netstat -ntp; fi
if h ps; then
  pp() { (cd /proc && echo [0-9]*); }
  pq() { $T ps -e -o pid= 2>/dev/null | tr -s ' \n' '  '; }
  a=$(pp); b=$(pq); sleep 1; c=$(pp); d=$(pq)
  printf '@@ pids $\n proc %s\n ps %s\n proc %s\n ps %s\n@@. 0\n' "$a" "$b" "$c" "$d"
fi
file cron /etc/crontab /etc/cron.d/* /var/spool/cron/* /var/spool/cron/crontabs/*
for d in /etc/cron.d /var/spool/cron /var/spool/cron/crontabs; do [ -d "$d" ] && [ ! -r "$d" ] && printf '@@ cron %s !\n' "$d"; done
printf '@@ cron-scripts $\n'
for d in /etc/cron.hourly /etc/cron.daily /etc/cron.weekly /etc/cron.monthly; do for f in "$d"/*; do [ -f "$f" ] && printf ' %s %s\n' "$(cksum < "$f" 2>/dev/null | cut -d' ' -f1)" "$f"; done; done
printf '@@. 0\n'
if h systemctl; then run timers systemctl list-unit-files --type=timer --no-legend --no-pager; fi
[ "$B" = 1 ] || { printf '@@ passwd /etc/passwd\n'; awk -F: '{ print " " $1 "\t" $3 "\t" $7 }' /etc/passwd 2>/dev/null; }
awk -F: '$7 !~ /(nologin|false)$/ || $3 == 0 { print $6 }' /etc/passwd 2>/dev/null | sort -u | while read -r d; do
  [ -n "$d" ] && [ "$d" != / ] && [ -d "$d" ] || continue
  if [ ! -x "$d" ] || { [ -d "$d/.ssh" ] && [ ! -x "$d/.ssh" ]; }; then printf '@@ keys %s/.ssh !\n' "$d"; continue; fi
  file keys "$d/.ssh/authorized_keys" "$d/.ssh/authorized_keys2"
done
"#
    };
}

/// The script (no arguments).
pub const SCRIPT: &str = concat!(
    baseline_prelude!(),
    r#"B=1
printf '@@ whoami $\n'; id -u 2>&1 | ind; printf '@@. 0\n'
file os /etc/os-release
file release /etc/redhat-release /etc/kylin-release /etc/centos-release /etc/debian_version
if [ -r /etc/shadow ]; then
  printf '@@ shadow /etc/shadow\n'
  awk -F: '{ k = "hash"; if ($2 == "") k = "empty"; else if ($2 ~ /^[!*]/) k = "locked"; print " " $1 "\t" k "\t" $5 "\t" $6 }' /etc/shadow
else printf '@@ shadow /etc/shadow !\n'; fi
printf '@@ passwd /etc/passwd\n'
awk -F: '{ print " " $1 "\t" $3 "\t" $7 }' /etc/passwd 2>/dev/null
file login.defs /etc/login.defs
file pwquality /etc/security/pwquality.conf /etc/security/pwquality.conf.d/*.conf
file pam /etc/pam.d/system-auth /etc/pam.d/password-auth /etc/pam.d/common-auth /etc/pam.d/common-password /etc/pam.d/common-account /etc/pam.d/sshd /etc/pam.d/login
file faillock /etc/security/faillock.conf
file pwhistory /etc/security/pwhistory.conf
file profile /etc/profile /etc/profile.d/*.sh /etc/bashrc /etc/bash.bashrc
if h sshd && sshd -T >/dev/null 2>&1; then run sshd-t sshd -T; fi
file sshd-config /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf
run ssh-version ssh -V
file hosts-allow /etc/hosts.allow
file hosts-deny /etc/hosts.deny
file sudoers /etc/sudoers /etc/sudoers.d/*
if h systemctl; then
  run units systemctl is-active telnet.socket rsh.socket rlogin.socket rexec.socket vsftpd xinetd tftp.socket auditd rsyslog syslog-ng firewalld ufw nftables iptables chronyd chrony ntpd ntp systemd-timesyncd clamd@scan clamav-daemon
  run enabled systemctl is-enabled telnet.socket rsh.socket rlogin.socket rexec.socket vsftpd xinetd tftp.socket
elif h service; then
  for s in xinetd vsftpd auditd rsyslog iptables ntpd; do run "service-$s" service "$s" status; done
fi
file xinetd /etc/xinetd.d/telnet /etc/xinetd.d/rsh /etc/xinetd.d/rlogin /etc/xinetd.d/tftp
run auditctl auditctl -l
file audit-rules /etc/audit/audit.rules /etc/audit/rules.d/*.rules
file rsyslog /etc/rsyslog.conf /etc/rsyslog.d/*.conf
file logrotate /etc/logrotate.conf /etc/logrotate.d/rsyslog /etc/logrotate.d/syslog
file journald /etc/systemd/journald.conf
run ufw ufw status
# iptables only where its tables are loaded: listing them would load the kernel module.
[ -e /proc/net/ip_tables_names ] && run iptables iptables -S
run firewall-cmd firewall-cmd --state
run getenforce getenforce
run aa-enabled aa-enabled
run timedatectl timedatectl show -p NTPSynchronized
for t in clamscan clamd freshclam rkhunter chkrootkit; do h "$t" && printf '@@ malware-tool $\n %s\n@@. 0\n' "$t"; done
if h yum; then run updates-yum timeout 120 yum -q -C updateinfo list security
elif h apt-get; then run updates-apt apt-get -s -o Debug::NoLocking=1 upgrade
fi
"#,
    baseline_signs!(),
    "printf '@@ end $\\n'\n"
);

/// Whether a section could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// A file's text (comments and blank lines left out on the host).
    Text,
    /// The file exists and the login could not read it.
    Unreadable,
    /// A command's output, with its exit status (127: not there; None: cut short).
    Ran(Option<i32>),
}

/// One section of the script's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    /// The file read (empty for a command).
    pub path: String,
    pub read: Read,
    pub lines: Vec<String>,
}

impl Section {
    /// Whether the command ran and exited 0.
    pub fn ran_ok(&self) -> bool {
        self.read == Read::Ran(Some(0))
    }
}

/// Everything a host's run printed, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Output {
    pub sections: Vec<Section>,
    /// The run printed its last section (it was not cut short).
    pub complete: bool,
}

impl Output {
    /// The sections of one name, in order (several files may feed one name).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Section> + 'a {
        self.sections.iter().filter(move |s| s.name == name)
    }

    pub fn first(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// The lines of every readable section of this name, with the file each came from.
    pub fn lines<'a>(&'a self, name: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.all(name)
            .filter(|s| s.read != Read::Unreadable)
            .flat_map(|s| s.lines.iter().map(|l| (s.path.as_str(), l.as_str())))
    }

    /// Files of this name that exist and could not be read.
    pub fn unreadable(&self, name: &str) -> Vec<&str> {
        self.sections
            .iter()
            .filter(|s| s.name == name && s.read == Read::Unreadable)
            .map(|s| s.path.as_str())
            .collect()
    }

    /// Whether the login was root.
    pub fn as_root(&self) -> bool {
        self.first("whoami").and_then(|s| s.lines.first()).is_some_and(|l| l.trim() == "0")
    }
}

/// Reads the script's output. Lines before the first header are ignored; a content line
/// without its leading space (which the script always writes) is taken as it is.
pub fn read(text: &str) -> Output {
    let mut out = Output::default();
    for line in text.lines() {
        if let Some(status) = line.strip_prefix("@@. ") {
            if let Some(s) = out.sections.last_mut() {
                if matches!(s.read, Read::Ran(_)) {
                    s.read = Read::Ran(status.trim().parse().ok());
                }
            }
            continue;
        }
        if let Some(head) = line.strip_prefix("@@ ") {
            let mut words = head.splitn(2, ' ');
            let name = words.next().unwrap_or("").to_string();
            let rest = words.next().unwrap_or("").trim_end();
            let (path, read) = if rest == "$" {
                (String::new(), Read::Ran(None))
            } else if let Some(p) = rest.strip_suffix(" !") {
                (p.to_string(), Read::Unreadable)
            } else {
                (rest.to_string(), Read::Text)
            };
            if name == "end" {
                out.complete = true;
                break;
            }
            out.sections.push(Section { name, path, read, lines: Vec::new() });
            continue;
        }
        if let Some(s) = out.sections.last_mut() {
            s.lines.push(line.strip_prefix(' ').unwrap_or(line).to_string());
        }
    }
    out
}
