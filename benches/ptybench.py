#!/usr/bin/env python3
"""Measures a full-screen terminal program from outside, through a pseudo-terminal of a fixed
size: time until its first frame shows a marker text, and, while it idles, its CPU share, its
resident memory and the bytes it writes to the terminal. Prints one JSON object.

  ptybench.py first-frame --marker TEXT [--runs N] -- CMD...
  ptybench.py idle --marker TEXT [--seconds S] [--warmup S] -- CMD...
  ptybench.py keys --marker TEXT --open KEY --type TEXT [--rounds N] -- CMD...
  ptybench.py soak --marker TEXT [--seconds S] [--every S] [--window S] -- CMD...

keys measures a key to its frame: it presses OPEN (e.g. "/", the filter prompt), then types
TEXT one key at a time (letters that no other frame writes, e.g. "zqxj"), and for each key
times how long until the program has written that letter to the terminal; then Esc, and again,
ROUNDS times. It prints the median, 95th percentile and maximum.

soak prints a JSON line every S seconds (resident memory split into anonymous and file-backed,
threads, open descriptors, CPU share since the last line), then a summary: the resident memory
at start and end, and its spread (max - min) over the last WINDOW seconds (default 3600).
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


def tab(args):
    """Time from the start to a second marker shown after a key (a tab whose data a worker
    reads while the first frame is already up)."""
    times = []
    for _ in range(args.runs):
        start = time.monotonic()
        pid, fd = spawn(args.cmd, args.cols, args.rows)
        wait_marker(fd, args.marker.encode(), start)
        os.write(fd, args.open.encode())
        t, _ = wait_marker(fd, args.until.encode(), start)
        times.append(t * 1000)
        stop(pid, fd)
        time.sleep(0.2)
    return {"metric": "after_key_ms", "cmd": " ".join(args.cmd), "key": args.open, "until": args.until,
            "runs": len(times), "min": round(min(times), 1), "median": round(statistics.median(times), 1),
            "max": round(max(times), 1)}


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


def keys(args):
    start = time.monotonic()
    pid, fd = spawn(args.cmd, args.cols, args.rows)
    wait_marker(fd, args.marker.encode(), start)
    warm_end = time.monotonic() + args.warmup
    while time.monotonic() < warm_end:
        if read_some(fd, 0.2) is None:
            raise SystemExit("the program ended during warm-up")

    def drain(seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if read_some(fd, 0.05) is None:
                raise SystemExit("the program ended")

    def until_byte(byte, limit=5.0):
        # The key's frame writes the typed character into the prompt's cell; the frames of
        # the polls (once a second at most) write figures and host names, never these letters.
        t0 = time.monotonic()
        seen = b""
        while True:
            chunk = read_some(fd, 0.05)
            if chunk is None:
                raise SystemExit("the program ended")
            seen += chunk
            if byte in ANSI.sub(b"", chunk):
                return time.monotonic()
            if time.monotonic() - t0 > limit:
                raise SystemExit(f"no frame with {byte!r} within {limit}s; it wrote {seen[-600:]!r}")

    times = []
    for _ in range(args.rounds):
        os.write(fd, args.open.encode())
        drain(0.3)
        for ch in args.type:
            t0 = time.monotonic()
            os.write(fd, ch.encode())
            times.append((until_byte(ch.encode()) - t0) * 1000)
            drain(0.05)
        os.write(fd, b"\x1b")
        drain(0.4)
    stop(pid, fd)
    times.sort()
    return {"metric": "key_to_frame_ms", "cmd": " ".join(args.cmd), "keys": len(times),
            "median": round(statistics.median(times), 2), "p95": round(times[int(len(times) * 0.95) - 1], 2),
            "max": round(times[-1], 2)}


def soak(args):
    start = time.monotonic()
    pid, fd = spawn(args.cmd, args.cols, args.rows)
    wait_marker(fd, args.marker.encode(), start)
    t0 = time.monotonic()
    samples, written = [], 0
    last_t, last_cpu = t0, cpu_ticks(pid)
    next_at = t0
    while True:
        now = time.monotonic()
        if now >= next_at:
            cpu = cpu_ticks(pid)
            row = {"t_s": round(now - t0), "rss_kib": status_kib(pid, "VmRSS"),
                   "anon_kib": status_kib(pid, "RssAnon"), "file_kib": status_kib(pid, "RssFile"),
                   "threads": status_kib(pid, "Threads"), "fds": len(os.listdir(f"/proc/{pid}/fd")),
                   "cpu_pct": round(100 * (cpu - last_cpu) / CLK_TCK / max(now - last_t, 1e-9), 2),
                   "bytes_out": written}
            last_t, last_cpu = now, cpu
            samples.append(row)
            print(json.dumps(row), flush=True)
            next_at += args.every
            if now - t0 >= args.seconds:
                break
        chunk = read_some(fd, min(1.0, max(0.0, next_at - time.monotonic())))
        if chunk is None:
            raise SystemExit("the program ended during the soak")
        written += len(chunk)
    stop(pid, fd)
    end = samples[-1]["t_s"]
    window = [r["rss_kib"] for r in samples if r["t_s"] >= end - args.window]
    return {"metric": "soak", "cmd": " ".join(args.cmd), "seconds": end,
            "rss_start_kib": samples[0]["rss_kib"], "rss_end_kib": samples[-1]["rss_kib"],
            "rss_peak_kib": max(r["rss_kib"] for r in samples),
            "window_s": min(args.window, end), "rss_spread_in_window_kib": max(window) - min(window),
            "threads": sorted({r["threads"] for r in samples}), "fds": sorted({r["fds"] for r in samples})}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["first-frame", "idle", "soak", "keys", "tab"])
    p.add_argument("--marker", required=True, help="text that shows the first frame is on screen")
    p.add_argument("--cols", type=int, default=120)
    p.add_argument("--rows", type=int, default=40)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--seconds", type=float, default=120)
    p.add_argument("--warmup", type=float, default=5)
    p.add_argument("--every", type=float, default=60)
    p.add_argument("--open", default="/")
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--type", default="zqxj")
    p.add_argument("--until", default="", help="tab: the text the key's screen shows")
    p.add_argument("--window", type=float, default=3600)
    p.add_argument("cmd", nargs="+")
    args = p.parse_args()
    run = {"first-frame": first_frame, "idle": idle, "soak": soak, "keys": keys, "tab": tab}[args.mode]
    print(json.dumps(run(args), ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
