#!/usr/bin/env python3
"""A city's fleet through the broker tier (docs/benchmarks.md, "A fleet through bridged brokers";
issue 20). Run it through bench/fleet.sh, which builds the deployed sensegate.

For each N: a central mosquitto; two edge mosquittos, each bridged to the central one
(`topic sensegate/# out 1`, persistent bridge sessions), edge B's link passing through a relay
this script can cut; N gateways (processes, each 5 BME280s at 1 Hz on its simulated board, QoS 1,
`mqtt.brokers` [A, B] for half of them and [B, A] for the other half, failover after 5 s); and a
subscriber on the central broker. After a steady window it measures each gateway's RSS and CPU and
the brokers' CPU, then:
  1. kills edge A (SIGKILL) for 20 s: its gateways fail over to B and come back when A is back;
  2. cuts B's bridge link for 20 s: B queues for the central broker and forwards after;
then lets the fleet run, stops every gateway cleanly, and checks at the central subscriber that
each gateway's `seq` is complete (every number from 1, where a fresh gateway starts, to its last
arrived).
"""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

from procstat import cpu_seconds, free_port, rss_kib, wait_listening

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
BOARD = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "boards", "sim.yaml")


class Broker:
    def __init__(self, work, name, port, bridge_to=None):
        self.name, self.port = name, port
        self.conf = os.path.join(work, f"{name}.conf")
        with open(self.conf, "w") as f:
            f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n")
            f.write(f"persistence true\npersistence_location {work}/\npersistence_file {name}.db\n")
            if bridge_to:
                f.write(
                    f"connection {name}-to-central\naddress 127.0.0.1:{bridge_to}\ntopic sensegate/# out 1\n"
                    f"cleansession false\nremote_clientid {name}-bridge\nrestart_timeout 1 5\n"
                    "notifications false\nbridge_attempt_unsubscribe false\n"
                )
        self.start()

    def start(self):
        self.proc = subprocess.Popen([MOSQUITTO, "-c", self.conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_listening(self.port)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(10)


class Relay:
    """A TCP relay on `port` to `target`, standing for a bridge's network link: `cut()` closes it
    and every connection through it, `restore()` listens again."""

    def __init__(self, port, target):
        self.port, self.target = port, target
        self.lock = threading.Lock()
        self.conns = []
        self.restore()

    def restore(self):
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", self.port))
        self.server.listen(16)
        threading.Thread(target=self._accept, args=(self.server,), daemon=True).start()

    def _accept(self, server):
        while True:
            try:
                a, _ = server.accept()
            except OSError:
                return
            try:
                b = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                a.close()
                continue
            with self.lock:
                self.conns += [a, b]
            for x, y in ((a, b), (b, a)):
                threading.Thread(target=self._pipe, args=(x, y), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self):
        self.server.close()
        with self.lock:
            for c in self.conns:
                try:
                    c.shutdown(socket.SHUT_RDWR)
                    c.close()
                except OSError:
                    pass
            self.conns = []


def gateway_config(work, i, brokers, sensors):
    d = os.path.join(work, f"g{i}")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "config.yaml")
    with open(path, "w") as c:
        w = c.write
        w(f"node: g{i}\nboard: {BOARD}\nstate_dir: {d}/state\nlog_level: notice\n")
        w("mqtt:\n  brokers: [" + ", ".join(f"mqtt://127.0.0.1:{p}" for p in brokers) + "]\n")
        w("  qos: 1\n  failover: {after: 5s, retry_primary: 10s}\nsensors:\n")
        for k in range(sensors):
            w(f"  - {{name: s{k}, driver: bme280, bus: i2c-{10 + k // 2}, address: {'0x76' if k % 2 == 0 else '0x77'}, interval: 1s}}\n")
        w(f"simulation: {{seed: {i + 1}}}\n")
    return path, d


def sample(pids, seconds):
    """Mean RSS (KiB) per process and CPU seconds per process over `seconds`."""
    c0 = {p: cpu_seconds(p) for p in pids}
    rss = {p: [] for p in pids}
    for _ in range(seconds):
        time.sleep(1)
        for p in pids:
            rss[p].append(rss_kib(p))
    return {p: (statistics.mean(rss[p]), (cpu_seconds(p) - c0[p]) / seconds) for p in pids}


def run(n, args):
    work = os.path.join(args.work, f"n{n}")
    os.makedirs(work)
    central = Broker(work, "central", free_port())
    relay_port = free_port()
    relay = Relay(relay_port, central.port)
    edge_a = Broker(work, "edge-a", free_port(), bridge_to=central.port)
    edge_b = Broker(work, "edge-b", free_port(), bridge_to=relay_port)
    sub_path = os.path.join(work, "central.txt")
    sub_out = open(sub_path, "w")
    sub = subprocess.Popen(
        ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(central.port), "-q", "1", "-c", "-i", f"fleet-sub-{n}",
         "-t", "sensegate/#", "-F", "%U %t %p"], stdout=sub_out, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    gateways, logs = [], []
    for i in range(n):
        brokers = [edge_a.port, edge_b.port] if i % 2 == 0 else [edge_b.port, edge_a.port]
        path, d = gateway_config(work, i, brokers, args.sensors)
        log = open(os.path.join(d, "gateway.log"), "w")
        gateways.append(subprocess.Popen([args.sensegate, "run", "--config", path], stdout=log, stderr=subprocess.STDOUT))
        logs.append(log)
    try:
        time.sleep(args.warmup)
        dead = [i for i, g in enumerate(gateways) if g.poll() is not None]
        if dead:
            raise RuntimeError(f"gateways exited: {dead[:5]} (see {work}/g{dead[0]}/gateway.log)")
        pids = [g.pid for g in gateways]
        brokers = {"central": central.proc.pid, "edge A": edge_a.proc.pid, "edge B": edge_b.proc.pid}
        lines0, t0 = sum(1 for _ in open(sub_path, "rb")), time.time()
        m = sample(pids + list(brokers.values()), args.duration)
        lines1, t1 = sum(1 for _ in open(sub_path, "rb")), time.time()
        steady = {
            "rss_mib": statistics.mean(m[p][0] for p in pids) / 1024,
            "rss_max_mib": max(m[p][0] for p in pids) / 1024,
            "cpu_pct": statistics.mean(m[p][1] for p in pids) * 100,
            "cpu_max_pct": max(m[p][1] for p in pids) * 100,
            "brokers": {k: (m[v][0] / 1024, m[v][1] * 100) for k, v in brokers.items()},
            "central_msgs_per_s": (lines1 - lines0) / (t1 - t0),
        }
        print(f"{n} gateways: steady {json.dumps(steady)}", file=sys.stderr)

        print(f"{n} gateways: edge A killed", file=sys.stderr)
        edge_a.kill()
        time.sleep(args.outage)
        edge_a.start()
        time.sleep(args.settle)
        print(f"{n} gateways: edge B's bridge link cut", file=sys.stderr)
        relay.cut()
        time.sleep(args.outage)
        relay.restore()
        time.sleep(args.settle)
        for g in gateways:
            g.send_signal(signal.SIGTERM)
        stopped = [g.wait(60) for g in gateways]
        time.sleep(args.drain)
    finally:
        for g in gateways:
            if g.poll() is None:
                g.kill()
        sub.terminate()
        sub.wait()
        sub_out.close()
        for b in (edge_a, edge_b, central):
            if b.proc.poll() is None:
                b.stop()
        relay.cut()
        for log in logs:
            log.close()

    seqs = {}
    dupes = 0
    with open(sub_path, errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split(" ", 2)
            if len(parts) < 3:
                continue
            node = parts[1].split("/")[1] if parts[1].count("/") >= 1 else ""
            try:
                seq = json.loads(parts[2]).get("seq")
            except (ValueError, AttributeError):
                continue
            if seq is None:
                continue
            s = seqs.setdefault(node, set())
            if seq in s:
                dupes += 1
            s.add(seq)
    missing = {}
    for node, s in seqs.items():
        gap = max(s) - len(s)  # a fresh state directory: numbering starts at 1
        if gap:
            missing[node] = gap
    failovers = sum(1 for i in range(n) for line in open(os.path.join(work, f"g{i}", "gateway.log"), errors="replace")
                    if "moving to" in line)
    returns = sum(1 for i in range(n) for line in open(os.path.join(work, f"g{i}", "gateway.log"), errors="replace")
                  if "moving back" in line)
    return {"n": n, "steady": steady, "nodes_seen": len(seqs), "numbered": sum(len(s) for s in seqs.values()),
            "missing": missing, "duplicates": dupes, "failovers": failovers, "returns": returns,
            "clean_stops": sum(1 for rc in stopped if rc == 0)}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sensegate", required=True)
    p.add_argument("--sizes", default="10 50 200")
    p.add_argument("--sensors", type=int, default=5)
    p.add_argument("--warmup", type=int, default=15)
    p.add_argument("--duration", type=int, default=20)
    p.add_argument("--outage", type=int, default=20)
    p.add_argument("--settle", type=int, default=25)
    p.add_argument("--drain", type=int, default=10)
    p.add_argument("--work", default="/tmp/sensegate-fleet")
    args = p.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    results = [run(int(n), args) for n in args.sizes.split()]
    with open(os.path.join(args.work, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    print("| gateways | readings/s at the central broker | RSS per gateway, mean (max) | CPU per gateway, mean (max) "
          "| edge A, B: CPU | central: RSS, CPU | fail-overs, returns | `seq` missing | duplicates | clean stops |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        s = r["steady"]
        b = s["brokers"]
        missing = sum(r["missing"].values())
        print(f"| {r['n']} | {s['central_msgs_per_s']:.0f} | {s['rss_mib']:.1f} MiB ({s['rss_max_mib']:.1f}) "
              f"| {s['cpu_pct']:.2f} % ({s['cpu_max_pct']:.2f}) | {b['edge A'][1]:.1f} %, {b['edge B'][1]:.1f} % "
              f"| {b['central'][0]:.1f} MiB, {b['central'][1]:.1f} % | {r['failovers']}, {r['returns']} "
              f"| {missing} of {r['numbered'] + missing} ({len(r['missing'])} gateways) | {r['duplicates']} | {r['clean_stops']} of {r['n']} |")


if __name__ == "__main__":
    main()
