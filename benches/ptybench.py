#!/usr/bin/env python3
"""Measures a full-screen terminal program from outside, through a pseudo-terminal of a fixed
size: time until its first frame shows a marker text, and, while it idles, its CPU share, its
resident memory and the bytes it writes to the terminal. Prints one JSON object.

  ptybench.py first-frame --marker TEXT [--runs N] -- CMD...
  ptybench.py idle --marker TEXT [--seconds S] [--warmup S] -- CMD...
"""
import argparse
import fcntl
import json
import os
import pty
import re
import select
import signal
import statistics
import struct
import sys
import termios
import time

ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def spawn(cmd, cols, rows):
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = dict(os.environ, TERM=os.environ.get("BENCH_TERM", "xterm-256color"))
        try:
            os.execvpe(cmd[0], cmd, env)
        finally:
            os._exit(127)
    return pid, fd


def read_some(fd, timeout):
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return b""
    try:
        return os.read(fd, 65536)
    except OSError:
        return None


def stop(pid, fd):
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        if read_some(fd, 0.05) is None:
            break
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
    else:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    os.close(fd)


def wait_marker(fd, marker, start, limit=20.0):
    seen = b""
    while time.monotonic() - start < limit:
        chunk = read_some(fd, 0.5)
        if chunk is None:
            raise SystemExit(f"the program ended before showing {marker!r}: {ANSI.sub(b'', seen)[-400:]!r}")
        seen += chunk
        if marker in ANSI.sub(b"", seen).replace(b"\r", b"").replace(b"\n", b""):
            return time.monotonic() - start, len(seen)
    raise SystemExit(f"no {marker!r} within {limit}s: {ANSI.sub(b'', seen)[-400:]!r}")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return int(rest[11]) + int(rest[12])


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def first_frame(args):
    times = []
    for _ in range(args.runs):
        start = time.monotonic()
        pid, fd = spawn(args.cmd, args.cols, args.rows)
        t, _ = wait_marker(fd, args.marker.encode(), start)
        times.append(t * 1000)
        stop(pid, fd)
        time.sleep(0.2)
    return {"metric": "first_frame_ms", "cmd": " ".join(args.cmd), "runs": len(times),
            "min": round(min(times), 1), "median": round(statistics.median(times), 1), "max": round(max(times), 1)}


def idle(args):
    start = time.monotonic()
    pid, fd = spawn(args.cmd, args.cols, args.rows)
    wait_marker(fd, args.marker.encode(), start)
    warm_end = time.monotonic() + args.warmup
    while time.monotonic() < warm_end:
        if read_some(fd, 0.5) is None:
            raise SystemExit("the program ended during warm-up")
    t0, c0, written = time.monotonic(), cpu_ticks(pid), 0
    end = t0 + args.seconds
    while time.monotonic() < end:
        chunk = read_some(fd, min(1.0, max(0.0, end - time.monotonic())))
        if chunk is None:
            raise SystemExit("the program ended while idle")
        written += len(chunk)
    elapsed = time.monotonic() - t0
    cpu = (cpu_ticks(pid) - c0) / CLK_TCK
    rss, hwm = status_kib(pid, "VmRSS"), status_kib(pid, "VmHWM")
    stop(pid, fd)
    return {"metric": "idle", "cmd": " ".join(args.cmd), "seconds": round(elapsed, 1),
            "cpu_pct_of_one_core": round(100 * cpu / elapsed, 3), "rss_kib": rss, "peak_rss_kib": hwm,
            "bytes_per_minute": round(written * 60 / elapsed)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["first-frame", "idle"])
    p.add_argument("--marker", required=True, help="text that shows the first frame is on screen")
    p.add_argument("--cols", type=int, default=120)
    p.add_argument("--rows", type=int, default=40)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--seconds", type=float, default=120)
    p.add_argument("--warmup", type=float, default=5)
    p.add_argument("cmd", nargs="+")
    args = p.parse_args()
    print(json.dumps(first_frame(args) if args.mode == "first-frame" else idle(args), ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
