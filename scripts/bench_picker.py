#!/usr/bin/env python3
"""Times how long a command takes to draw its first screen on a terminal.

    python3 scripts/bench_picker.py --runs 20 --name 'picker' --until REGEX --export-json OUT -- CMD ARGS...

Each run starts CMD with stdin and stderr on a fresh pseudo-terminal (40x120,
TERM=xterm-256color) and stdout to /dev/null, as in `eval "$(xacct assume)"`,
reads what it draws, stops the clock when the text drawn so far (escape
sequences removed) matches REGEX, then kills it. Writes hyperfine's JSON shape
({"results": [{"command", "median", "mean", "stddev", "min", "max", "times"}]},
seconds) so the report reads it like the others. Standard library only.
"""

import argparse
import fcntl
import json
import os
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time

ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]|\r")


def one_run(cmd, until, timeout):
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = dict(os.environ, TERM="xterm-256color")
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdin=slave, stdout=subprocess.DEVNULL, stderr=slave, env=env, start_new_session=True, close_fds=True
    )
    os.close(slave)
    seen = b""
    took = None
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if until.search(ESCAPES.sub(b"", seen).decode("utf-8", "replace")):
                took = time.perf_counter() - start
                break
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        os.close(master)
    if took is None:
        text = ESCAPES.sub(b"", seen).decode("utf-8", "replace")
        raise SystemExit(f"bench_picker: {until.pattern!r} never appeared; the terminal showed:\n{text[-2000:]}")
    return took


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--name", required=True)
    parser.add_argument("--until", required=True, help="regex the first screen matches")
    parser.add_argument("--timeout", type=float, default=20)
    parser.add_argument("--export-json", required=True)
    parser.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    until = re.compile(args.until, re.S)
    for _ in range(args.warmup):
        one_run(cmd, until, args.timeout)
    times = [one_run(cmd, until, args.timeout) for _ in range(args.runs)]
    result = {
        "command": args.name,
        "mean": statistics.mean(times),
        "stddev": statistics.stdev(times) if len(times) > 1 else 0.0,
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "times": times,
    }
    with open(args.export_json, "w") as f:
        json.dump({"results": [result]}, f)
    print(f"{args.name}: median {result['median'] * 1000:.1f} ms (min {result['min'] * 1000:.1f} ms, {args.runs} runs)", file=sys.stderr)


if __name__ == "__main__":
    main()
