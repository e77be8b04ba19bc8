#!/usr/bin/env python3
"""Fills a yunwei database with a year of health history for N hosts: 5-minute aggregates for
365 days and raw samples every 10 s for the last 48 hours, as a long-running console leaves it.
The schema must exist (run yunwei on the file once first).

  seed_year.py DB [--hosts N]
"""
import argparse
import math
import random
import sqlite3
import time

p = argparse.ArgumentParser()
p.add_argument("db")
p.add_argument("--hosts", type=int, default=20)
a = p.parse_args()
con = sqlite3.connect(a.db)
now = int(time.time())
bucket0 = (now - 365 * 86400) // 300 * 300
rng = random.Random(7)
with con:
    for h in range(a.hosts):
        con.execute("INSERT OR IGNORE INTO hosts(name) VALUES (?)", (f"bench-{h:03}",))
        hid = con.execute("SELECT id FROM hosts WHERE name = ?", (f"bench-{h:03}",)).fetchone()[0]
        agg = []
        for b in range(bucket0, now - 48 * 3600, 300):
            v = 30 + 25 * math.sin(b / 86400 * math.tau) + rng.random() * 10
            row = [hid, b, 30, 30]
            for base in (v, v / 40, 60, 5, 70, 10, 1e6 * v / 30, 4e5 * v / 30):
                row += [base * 0.8, base, base * 1.2]
            agg.append(row)
        con.executemany("INSERT OR REPLACE INTO health_5m VALUES (" + ",".join("?" * 28) + ")", agg)
        raw = []
        for t in range(now - 48 * 3600, now, 10):
            v = 30 + 25 * math.sin(t / 86400 * math.tau) + rng.random() * 10
            raw.append((hid, t, 1, v, v / 40, 60, 5, 70, 10, 1e6, 4e5))
        con.executemany("INSERT OR REPLACE INTO health_raw VALUES (?,?,?,?,?,?,?,?,?,?,?)", raw)
    con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('health_agg_watermark', ?)",
                (str((now - 48 * 3600) // 300 * 300),))
n5 = con.execute("SELECT count(*) FROM health_5m").fetchone()[0]
nr = con.execute("SELECT count(*) FROM health_raw").fetchone()[0]
print(f"seeded {a.db}: {n5} five-minute rows, {nr} raw rows")
