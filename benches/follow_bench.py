#!/usr/bin/env python3
"""`yunwei logs --follow` measured from outside: resident memory while the followed file grows
by LINES lines (default 10 million), and the time from a line appended to the file to its
appearance on yunwei's output (median of ROUNDS appends).

  benches/follow_bench.py BINARY [--lines N] [--rounds R]
"""
import argparse
import os
import select
import statistics
import subprocess
import tempfile
import time

p = argparse.ArgumentParser()
p.add_argument("binary")
p.add_argument("--lines", type=int, default=10_000_000)
p.add_argument("--rounds", type=int, default=50)
p.add_argument("--args", default="", help="extra yunwei arguments, e.g. '--config F --host NAME'")
a = p.parse_args()


def hwm(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmHWM:", "VmRSS:")):
                yield line.split()[0][:-1], int(line.split()[1])


with tempfile.TemporaryDirectory() as d:
    log = os.path.join(d, "app.log")
    open(log, "w").close()
    extra = a.args.split()
    global_args = [x for x in extra if x != "--host" and (extra.index(x) == 0 or extra[extra.index(x) - 1] != "--host")]
    host = [extra[extra.index("--host") + 1]] if "--host" in extra else []
    cmd = [a.binary] + global_args + ["logs", "--follow", "--lines", "0"] + (["--host"] + host if host else []) + [log]
    proc = subprocess.Popen(cmd,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.fileno()
    os.set_blocking(out, False)
    time.sleep(2.0 if host else 0.5)

    def drain(until=None, limit=10.0):
        buf = b""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            r, _, _ = select.select([out], [], [], 0.05)
            if r:
                chunk = os.read(out, 1 << 20)
                buf += chunk
                if until is not None and until in buf:
                    return buf, time.monotonic()
            elif until is None:
                return buf, time.monotonic()
        return buf, None

    # Latency: append one marked line, wait for it on the output.
    lat = []
    with open(log, "ab", buffering=0) as f:
        for i in range(a.rounds):
            marker = f"marker-{i}-{time.time_ns()}".encode()
            t0 = time.monotonic()
            f.write(b"2026-11-27 03:04:05,123 INFO " + marker + b"\n")
            _, t1 = drain(marker)
            if t1 is not None:
                lat.append((t1 - t0) * 1000)
            time.sleep(0.05)
    print(f"append-to-output latency ms: median {statistics.median(lat):.1f}, "
          f"min {min(lat):.1f}, max {max(lat):.1f} ({len(lat)} of {a.rounds})")

    # Memory: grow the file by LINES lines in batches while yunwei follows it.
    line = "2026-11-27 03:04:05,123 INFO [exchange-1] 推送成功 batch=%08d mobile 13812345678 ok\n"
    seen = 0
    batch = 100_000
    t0 = time.monotonic()
    with open(log, "ab") as f:
        for start in range(0, a.lines, batch):
            f.write("".join(line % i for i in range(start, min(start + batch, a.lines))).encode())
            f.flush()
            buf, _ = drain(None)
            seen += buf.count(b"\n")
    quiet_since = time.monotonic()
    while seen < a.lines and time.monotonic() - quiet_since < 10:
        buf, _ = drain(None, limit=1.0)
        if buf:
            quiet_since = time.monotonic()
            seen += buf.count(b"\n")
        else:
            time.sleep(0.05)
    mem = dict(hwm(proc.pid))
    print(f"followed {seen} of {a.lines} appended lines in {time.monotonic() - t0:.1f}s; "
          f"VmRSS {mem.get('VmRSS')} KiB, VmHWM (peak) {mem.get('VmHWM')} KiB")
    proc.terminate()
    proc.wait()
