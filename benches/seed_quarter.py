#!/usr/bin/env python3
"""Fills a yunwei database with a quarter (2026Q4) of history for N hosts, as a console that
ran all quarter leaves it: 5-minute health aggregates, each of four filesystems' 5-minute
aggregates (/u01 filling on every fifth host, /data coming and going), a boot or two, a
failed-service alert now and then, and two baseline runs per host (last quarter's and this
one's) of 27 items, a few of them failing, with a sign on every tenth host. The schema must
exist (run yunwei on the file once first).

  seed_quarter.py DB [--hosts N]
"""
import argparse
import math
import random
import sqlite3

ITEMS = ["pass_max_days", "pass_warn_age", "pw_complexity", "pw_history", "empty_passwords",
         "uid0_accounts", "login_lockout", "tmout", "permit_root_login", "ssh_ciphers",
         "ssh_protocol", "mgmt_source_restricted", "legacy_services", "password_authentication",
         "default_accounts", "sudo_all", "umask", "auditd", "rsyslog", "log_retention", "firewall",
         "listening_ports", "anti_malware", "security_updates", "eol_distribution", "selinux",
         "time_sync"]

p = argparse.ArgumentParser()
p.add_argument("db")
p.add_argument("--hosts", type=int, default=50)
a = p.parse_args()
con = sqlite3.connect(a.db)
start = 1790784000  # 2026-10-01T00:00:00+08:00
end = start + 92 * 86400
rng = random.Random(15)
with con:
    for h in range(a.hosts):
        name = f"bench-{h:03}"
        con.execute("INSERT OR IGNORE INTO hosts(name) VALUES (?)", (name,))
        hid = con.execute("SELECT id FROM hosts WHERE name = ?", (name,)).fetchone()[0]
        agg, fs = [], []
        for b in range(start - 100 * 86400, end, 300):
            v = 30 + 25 * math.sin(b / 86400 * math.tau) + rng.random() * 10
            reach = 0 if (h % 7 == 3 and (b // 300) % 97 == 0) else 30
            row = [hid, b, 30, reach]
            for base in (v, v / 40, 60 + h % 30, 5, 70, 10, 1e6 * v / 30, 4e5 * v / 30):
                row += [base * 0.8, base, base * 1.2]
            agg.append(row)
            f = (b - start) / (end - start)
            for mount, used in (("/", 40.0), ("/var", 55.0 + 3 * math.sin(b / 86400)),
                                ("/u01", 50 + 30 * f if h % 5 == 0 else 62.0),
                                ("/data", 35.0)):
                if mount == "/data" and (b // 86400) % 30 > 20:
                    continue
                fs.append((hid, mount, b, 5, used, used, used, 8.0, 8.0, 8.0))
        con.executemany("INSERT OR REPLACE INTO health_5m VALUES (" + ",".join("?" * 28) + ")", agg)
        con.executemany("INSERT OR REPLACE INTO fs_5m VALUES (?,?,?,?,?,?,?,?,?,?)", fs)
        con.execute("INSERT OR IGNORE INTO boots VALUES (?, ?)", (hid, start + (h % 80) * 86400))
        if h % 4 == 0:
            con.execute("INSERT INTO alerts (source, subject, host, level, value, message, opened_at, updated_at)"
                        " VALUES ('health', ?, ?, 'warn', 1, '1 failed unit: kdump.service', ?, ?)",
                        (f"{name}/failed_units", name, start + 86400 * (h % 60), start + 86400 * (h % 60)))
        for at, fails in ((start - 20 * 86400, 6), (end - 3 * 86400, 3)):
            cur = con.execute("INSERT INTO baseline_runs (host_id, at, complete, as_root) VALUES (?, ?, 1, 1)",
                              (hid, at))
            run = cur.lastrowid
            bad = set(rng.sample(ITEMS, fails))
            con.executemany(
                "INSERT INTO baseline_items VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                [(run, i, "fail" if i in bad else "pass", "value of " + i, "expected", "期望", "/etc/x")
                 for i in ITEMS])
            if h % 10 == 0:
                con.execute("INSERT INTO baseline_signs VALUES (?, 0, 'tmp_exe', 0, ?, NULL, NULL)",
                            (run, "pid 4242 /tmp/.x/kdevtmpfsi: kdevtmpfsi"))
    con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('health_agg_watermark', ?)", (str(end),))
    con.execute("""INSERT OR REPLACE INTO health_1d
        SELECT host_id, (bucket / 86400) * 86400 AS day, sum(samples), sum(reachable_samples),
               sum(cpu_avg * samples), sum(CASE WHEN cpu_avg IS NULL THEN 0 ELSE samples END),
               max(cpu_max), max(mem_max), max(swap_max), max(load1_max), max(disk_max)
        FROM health_5m GROUP BY host_id, day""")
    con.execute("""INSERT OR REPLACE INTO fs_1d
        SELECT host_id, mount, (bucket / 86400) * 86400 AS day, max(used_max), max(inodes_max)
        FROM fs_5m GROUP BY host_id, mount, day""")
