#!/usr/bin/env python3
"""The soak (docs/benchmarks.md, "Soak"): the release daemon on the simulated board with its
world and its own clock running SPEED times faster than real time, for HOURS simulated hours,
against a private mosquitto with a subscriber taking and counting every message. Every SAMPLE
seconds of real time it records the daemon's resident memory, open file descriptors, threads,
the outbox files on disk and the outbox depth from health; it prints a table at every
simulated 2 hours and a verdict: flat, or by how much each figure grew after the first hour.

    bench/soak.py --config examples/bench-12.yaml [--hours 24] [--speed 100] [--bin PATH]
    bench/soak.py --sensors 40 ...        (the heavy load: bench/scale-config.py's N BME280s at 1 Hz)
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from procstat import free_port, wait_listening  # noqa: E402


def proc_figures(pid):
    with open(f"/proc/{pid}/status") as f:
        status = f.read()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    threads = int(re.search(r"Threads:\s+(\d+)", status).group(1))
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return rss, fds, threads


def outbox_bytes(state):
    total = 0
    for name in os.listdir(state):
        if name.startswith("outbox.db"):
            total += os.path.getsize(os.path.join(state, name))
    return total


class Platform:
    """The subscriber taking every message: it counts them and keeps the newest health report."""

    def __init__(self, port, node):
        self.count = 0
        self.health = {}
        self.proc = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-q", "1", "-v",
                                      "-t", f"sensegate/{node}/#"], stdout=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            topic, _, payload = line.partition(" ")
            if topic.endswith("/health"):
                try:
                    self.health = json.loads(payload)
                except ValueError:
                    pass
            else:
                self.count += 1


def prepare(args, work):
    """The config in `work`, pointed at the run's broker and state directory, at the run's speed."""
    if args.sensors:
        subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "scale-config.py"), str(args.sensors), work], check=True)
        source = os.path.join(work, "config.yaml")
    else:
        source = args.config
    with open(source) as f:
        text = f.read()
    node = re.search(r"^node:\s*(\S+)", text, re.M).group(1)
    port = free_port()
    state = os.path.join(work, "state")
    text = re.sub(r"^state_dir:.*$", f"state_dir: {state}", text, flags=re.M)
    text = re.sub(r"mqtt://127\.0\.0\.1:1883", f"mqtt://127.0.0.1:{port}", text)
    text = re.sub(r"^log_level:.*$", "log_level: warning", text, flags=re.M)
    if re.search(r"^simulation:\s*\{", text, re.M):
        text = re.sub(r"^simulation:\s*\{", f"simulation: {{speed: {args.speed}, ", text, flags=re.M)
    elif re.search(r"^simulation:", text, re.M):
        text = re.sub(r"^simulation:\s*$", f"simulation:\n  speed: {args.speed}", text, flags=re.M)
    else:
        text += f"\nsimulation:\n  speed: {args.speed}\n"
    if "board: board.yaml" in text:
        text = text.replace("board: board.yaml", f"board: {work}/board.yaml")
    # The simulated board next to the config: nothing needs to be installed.
    shutil.copytree(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "boards"),
                    os.path.join(work, "boards"), dirs_exist_ok=True)
    config = os.path.join(work, "soak.yaml")
    with open(config, "w") as f:
        f.write(text)
    return config, node, port, state


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="examples/bench-12.yaml")
    ap.add_argument("--sensors", type=int, help="the heavy load: this many BME280s at 1 Hz")
    ap.add_argument("--hours", type=float, default=24)
    ap.add_argument("--speed", type=float, default=100)
    ap.add_argument("--sample", type=float, default=10, help="real seconds between samples")
    ap.add_argument("--bin", default=".build/release/sensegate")
    ap.add_argument("--csv", help="write every sample to this file")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="sensegate-soak-")
    os.chmod(work, 0o755)
    config, node, port, state = prepare(args, work)
    with open(os.path.join(work, "m.conf"), "w") as f:
        f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\n")
    broker = subprocess.Popen(["mosquitto", "-c", os.path.join(work, "m.conf")], stderr=subprocess.DEVNULL)
    wait_listening(port)
    platform = Platform(port, node)
    daemon = subprocess.Popen([os.path.abspath(args.bin), "run", "--config", config], stderr=open(os.path.join(work, "daemon.log"), "w"))
    real_total = args.hours * 3600 / args.speed
    samples = []  # (simulated hours, rss KiB, fds, threads, outbox bytes, depth, messages received)
    started = time.time()
    label = f"{args.sensors} sensors" if args.sensors else os.path.basename(args.config)
    print(f"soak: {label} at {args.speed:g}x for {args.hours:g} simulated hours ({real_total / 60:.1f} min)", flush=True)
    try:
        next_report = 0.0
        while True:
            elapsed = time.time() - started
            if elapsed >= real_total:
                break
            time.sleep(min(args.sample, real_total - elapsed))
            if daemon.poll() is not None:
                raise RuntimeError(f"the daemon exited ({daemon.returncode}); see {work}/daemon.log")
            hours = (time.time() - started) * args.speed / 3600
            rss, fds, threads = proc_figures(daemon.pid)
            depth = platform.health.get("outbox", {}).get("depth")
            samples.append((hours, rss, fds, threads, outbox_bytes(state), depth, platform.count))
            if hours >= next_report:
                print(f"  {hours:5.1f} h  RSS {rss / 1024:6.1f} MiB  fds {fds:3d}  threads {threads:3d}  "
                      f"outbox {samples[-1][4] / 1024:7.0f} KiB depth {depth}  received {platform.count}", flush=True)
                next_report += 2
    finally:
        daemon.terminate()
        code = daemon.wait(timeout=30)
        platform.proc.terminate()
        broker.terminate()
    if args.csv:
        with open(args.csv, "w") as f:
            f.write("sim_hours,rss_kib,fds,threads,outbox_bytes,depth,received\n")
            for row in samples:
                f.write(",".join(str(x) for x in row) + "\n")
    print(verdict(samples, label, args, code))
    shutil.rmtree(work, ignore_errors=True)


def verdict(samples, label, args, code):
    """After the first simulated hour (start-up, first windows, the heap settling), the figures
    of the rest of the run: each one's range and the growth from the first to the last quarter."""
    steady = [s for s in samples if s[0] >= 1]
    if len(steady) < 8:
        return "soak: too few samples for a verdict"
    q = max(1, len(steady) // 4)
    first, last = steady[:q], steady[-q:]

    def mean(rows, i):
        return sum(r[i] for r in rows) / len(rows)

    rate = (steady[-1][6] - steady[0][6]) / ((steady[-1][0] - steady[0][0]) * 3600)
    lines = [
        "",
        f"| {label}, {args.hours:g} simulated hours at {args.speed:g}x | after the first hour | growth, first → last quarter |",
        "|---|---|---|",
        f"| RSS | {min(s[1] for s in steady) / 1024:.1f} – {max(s[1] for s in steady) / 1024:.1f} MiB "
        f"| {(mean(last, 1) - mean(first, 1)) / 1024:+.2f} MiB |",
        f"| open file descriptors | {min(s[2] for s in steady)} – {max(s[2] for s in steady)} | {mean(last, 2) - mean(first, 2):+.1f} |",
        f"| threads | {min(s[3] for s in steady)} – {max(s[3] for s in steady)} | {mean(last, 3) - mean(first, 3):+.1f} |",
        f"| outbox files | {min(s[4] for s in steady) / 1024:.0f} – {max(s[4] for s in steady) / 1024:.0f} KiB "
        f"| {(mean(last, 4) - mean(first, 4)) / 1024:+.0f} KiB |",
        f"| outbox depth (health, every 60 s of real time) | {min(s[5] or 0 for s in steady)} – {max(s[5] or 0 for s in steady)} | |",
        f"| messages received per simulated second | {rate:.1f} ({rate * args.speed:.0f} per real second) | |",
        f"| clean stop | exit {code} | |",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
