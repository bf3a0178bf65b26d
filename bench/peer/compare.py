#!/usr/bin/env python3
"""Side by side with mqtt-io (docs/benchmarks.md, "Side by side with mqtt-io"; issue 20).

Runs the same workloads on sensegate (the deployed build, on its simulated board) and on
mqtt-io 2.7.0 (with the stand-in modules of this folder), one system at a time, each against a
private mosquitto with default settings on 127.0.0.1, and prints one Markdown table with both and
their ratios. Run it through bench/peer.sh, which builds sensegate, makes the venv and installs
the stand-ins; this script runs under the venv's Python (it uses paho-mqtt for commands).

Workloads:
  standard  1 BME280 (3 readings/s), 8 digital inputs, 4 outputs, Home Assistant discovery on:
            start → first reading at the broker, RSS, CPU.
  commands  /set → the output's state message, one command at a time, while 50 BME280s'
            150 readings/s flow.
  N sensors N BME280s at 1 Hz (3N readings/s), Home Assistant on: RSS, CPU per delivered reading,
            readings delivered of those due, read → subscriber latency.
  kill      50 BME280s; the broker is stopped for 10 s and started again: readings lost (for
            sensegate, `seq` missing among every message it numbered).
  bare      libmosquitto alone (sensegate-bench bare) publishing 3N QoS 1 messages/s: CPU per
            message, the physical limit of this machine.

A reading is told apart and timed by what it carries: sensegate's `t` (when it was read) and
`seq`; the stand-in's value, which is the time it was read. The stand-in counts its reads, so
readings mqtt-io never took (it fell behind its schedule) and readings it took but never
delivered are both counted.
"""

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime

import paho.mqtt.client as mqtt

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))  # bench/, for procstat
from procstat import cpu_seconds, free_port, rss_kib, wait_listening  # noqa: E402
MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


class Broker:
    """A private mosquitto, default settings but for persistence (a subscriber's session and its
    queue survive a stop) and unlimited queues (the subscriber never loses a message)."""

    def __init__(self, work, port):
        self.port = port
        self.conf = os.path.join(work, f"mosquitto-{port}.conf")
        with open(self.conf, "w") as f:
            f.write(
                f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
                f"persistence_location {work}/\npersistence_file broker-{port}.db\n"
                "max_queued_messages 0\nqueue_qos0_messages true\n"
            )
        self.start()

    def start(self):
        self.proc = subprocess.Popen([MOSQUITTO, "-c", self.conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_listening(self.port)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(10)


class Subscriber:
    """mosquitto_sub with a persistent session at QoS 1, every message to a file with the time it
    arrived; it reconnects by itself when the broker comes back."""

    def __init__(self, work, port, topic, name):
        self.path = os.path.join(work, f"sub-{name}.txt")
        self.out = open(self.path, "w")
        self.proc = subprocess.Popen(
            ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-q", "1", "-c", "-i", f"bench-sub-{name}-{port}",
             "-t", topic, "-F", "%U %t %p"],
            stdout=self.out, stderr=subprocess.DEVNULL)
        time.sleep(0.3)

    def lines(self):
        self.out.flush()
        with open(self.path, errors="replace") as f:
            return f.readlines()

    def arrivals(self):
        """Every message so far as (arrival time, topic, payload)."""
        for line in self.lines():
            parts = line.rstrip("\n").split(" ", 2)
            if len(parts) == 3:
                yield float(parts[0]), parts[1], parts[2]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(5)
        self.out.close()


def rfc3339(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Sensegate:
    name = "sensegate"
    # Everything the node sends, for `seq`: one counter numbers all its classes (docs/mqtt.md).
    filter = "sensegate/#"

    def __init__(self, binary):
        self.binary = binary

    def write(self, work, port, bme280s, inputs=0, outputs=0):
        node = "peer"
        buses = (bme280s + 1) // 2
        with open(os.path.join(work, "board.yaml"), "w") as b:
            b.write("board: peer\ndescription: the side-by-side benchmark's\nsimulated: true\ni2c:\n")
            for i in range(buses):
                b.write(f"  i2c-{i + 1}: sim\n")
            b.write("gpio:\n  chips:\n    gpiochip0: sim\n  lines:" + ("\n" if inputs + outputs else " {}\n"))
            for line in range(inputs + outputs):
                b.write(f"    GPIO{line}: {{chip: gpiochip0, line: {line}, pin: {line + 1}}}\n")
        path = os.path.join(work, "config.yaml")
        with open(path, "w") as c:
            w = c.write
            w(f"node: {node}\nboard: board.yaml\nstate_dir: {work}/state\nlog_level: warning\n")
            w(f"mqtt: {{broker: mqtt://127.0.0.1:{port}, qos: 1}}\nhome_assistant: {{enabled: true}}\nsensors:\n")
            for i in range(bme280s):
                w(f"  - {{name: s{i}, driver: bme280, bus: i2c-{i // 2 + 1}, address: {'0x76' if i % 2 == 0 else '0x77'}, interval: 1s}}\n")
            for i in range(inputs):
                w(f"  - {{name: in{i}, driver: digital_input, pin: GPIO{i}}}\n")
            if outputs:
                w("actuators:\n")
                for i in range(outputs):
                    w(f"  - {{name: out{i}, pin: GPIO{inputs + i}, commands: [on, off]}}\n")
            w("simulation: {seed: 7}\n")
        self.root = f"sensegate/{node}"
        return [self.binary, "run", "--config", path]

    def reading(self, topic, payload):
        """(when it was read, what tells it apart) of a reading, or None."""
        if "/sensor/" not in topic:
            return None
        try:
            p = json.loads(payload)
            return rfc3339(p["t"]), p["seq"]
        except (ValueError, KeyError, TypeError):
            return None

    def numbered(self, topic, payload):
        """The `seq` of any numbered message, or None."""
        try:
            return json.loads(payload).get("seq")
        except (ValueError, AttributeError):
            return None

    def command(self, output, on):
        return f"{self.root}/actuator/{output}/set", "ON" if on else "OFF"

    def state_topic(self, output):
        return f"{self.root}/actuator/{output}"

    def is_state(self, payload, on):
        return f'"state":"{"on" if on else "off"}"' in payload


class MqttIO:
    name = "mqtt-io 2.7.0"
    filter = "peer/sensor/#"

    def __init__(self, python):
        self.python = python

    def write(self, work, port, bme280s, inputs=0, outputs=0):
        self.count_file = os.path.join(work, "reads")
        path = os.path.join(work, "mqtt-io.yml")
        with open(path, "w") as c:
            w = c.write
            w(f"mqtt:\n  host: 127.0.0.1\n  port: {port}\n  client_id: peer\n  topic_prefix: peer\n  ha_discovery:\n    enabled: yes\n")
            # mqtt-io logs every reading at INFO by default; at WARNING it does as little as sensegate.
            w("logging:\n  version: 1\n  handlers: {console: {class: logging.StreamHandler, level: WARNING}}\n")
            w("  loggers: {mqtt_io: {level: WARNING, handlers: [console]}}\n")
            w(f"sensor_modules:\n  - name: bme\n    module: sensegate_standin\n    count_file: {self.count_file}\n")
            if inputs or outputs:
                w("gpio_modules:\n  - name: chip\n    module: sensegate_standin\n")
            if bme280s:
                w("sensor_inputs:\n")
            for i in range(bme280s):
                for quantity in ("temperature", "humidity", "pressure"):
                    w(f"  - {{name: s{i}_{quantity}, module: bme, type: {quantity}, interval: 1, digits: 6}}\n")
            if inputs:
                w("digital_inputs:\n")
                for i in range(inputs):
                    w(f"  - {{name: in{i}, module: chip, pin: {i}}}\n")
            if outputs:
                w("digital_outputs:\n")
                for i in range(outputs):
                    w(f"  - {{name: out{i}, module: chip, pin: {inputs + i}}}\n")
        return [self.python, "-m", "mqtt_io", path]

    def reading(self, topic, payload):
        try:
            t = float(payload)
        except ValueError:
            return None
        return t, (topic, payload)

    def command(self, output, on):
        return f"peer/output/{output}/set", "ON" if on else "OFF"

    def state_topic(self, output):
        return f"peer/output/{output}"

    def is_state(self, payload, on):
        return payload == ("ON" if on else "OFF")

    def reads(self):
        """(reads taken, when counted), or None before the first count."""
        try:
            with open(self.count_file) as f:
                n, at = f.read().split()
            return int(n), float(at)
        except (OSError, ValueError):
            return None


class Run:
    """One system on one workload: its broker, its subscriber, the process."""

    def __init__(self, system, work, bme280s, inputs=0, outputs=0, name="run"):
        self.system = system
        self.work = os.path.join(work, f"{system.name.split()[0]}-{name}")
        os.makedirs(self.work, exist_ok=True)
        self.broker = Broker(self.work, free_port())
        self.sub = Subscriber(self.work, self.broker.port, system.filter, "readings")
        argv = system.write(self.work, self.broker.port, bme280s, inputs, outputs)
        self.log = open(os.path.join(self.work, "gateway.log"), "w")
        self.started = time.time()
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.work)
        self.pid = self.proc.pid

    def first_reading(self, timeout):
        """Seconds from exec to the first reading at the subscriber, or None."""
        end = self.started + timeout
        while time.time() < end:
            for line in self.sub.lines()[:1]:
                return float(line.split(" ", 1)[0]) - self.started
            if self.proc.poll() is not None:
                return None
            time.sleep(0.005)
        return None

    def failure(self, timeout):
        if self.proc.poll() is None:
            return f"no reading within {timeout} s"
        self.log.flush()
        with open(self.log.name, errors="replace") as f:
            first = f.readline().strip()
        return f"exited ({self.proc.returncode}): {first}"

    def window(self, seconds):
        """CPU, RSS and the subscriber's line count over a steady window."""
        c0, t0 = cpu_seconds(self.pid), time.time()
        r0 = self.system.reads() if hasattr(self.system, "reads") else None
        rss = []
        for _ in range(seconds):
            time.sleep(1)
            rss.append(rss_kib(self.pid))
        c1, t1 = cpu_seconds(self.pid), time.time()
        r1 = self.system.reads() if hasattr(self.system, "reads") else None
        taken = (r1[0] - r0[0]) / (r1[1] - r0[1]) if r0 and r1 and r1[1] > r0[1] else None
        time.sleep(1)  # what arrived in the window has reached the file
        return {"cpu": c1 - c0, "span": t1 - t0, "rss": statistics.mean(rss), "rss_max": max(rss),
                "from": t0, "to": t1, "taken_per_s": taken}

    def latencies(self, since, until):
        out = []
        for arrived, topic, payload in self.sub.arrivals():
            if not since <= arrived <= until:
                continue
            r = self.system.reading(topic, payload)
            if r:
                out.append(arrived - r[0])
        return sorted(out)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.sub.stop()
        self.broker.stop()
        self.log.close()


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p))]


def standard(system, work, args):
    run = Run(system, work, 1, inputs=8, outputs=4, name="standard")
    try:
        start = run.first_reading(120)
        time.sleep(args.warmup)
        w = run.window(args.duration)
        return {"start": start, "rss": w["rss"], "cpu_pct": w["cpu"] / w["span"] * 100}
    finally:
        run.stop()


def commands(system, work, args):
    run = Run(system, work, 50, outputs=4, name="commands")
    try:
        run.first_reading(120)
        time.sleep(args.warmup)
        got = threading.Event()
        want = {}

        def on_message(client, userdata, msg):
            if want and msg.topic == want["topic"] and system.is_state(msg.payload.decode(errors="replace"), want["on"]):
                got.set()

        # Two connections, as a platform has them: the watcher's and the commander's. On one, the
        # commander's own PUBACK and the state message meet the broker's Nagle and this host's
        # delayed ACK, and every round trip measured 40 ms of the measuring client.
        watcher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-watcher-{run.broker.port}")
        watcher.on_message = on_message
        watcher.connect("127.0.0.1", run.broker.port)
        watcher.subscribe(system.state_topic("out0"), qos=1)
        watcher.loop_start()
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-commander-{run.broker.port}")
        client.connect("127.0.0.1", run.broker.port)
        client.loop_start()
        time.sleep(1)
        rtts, lost = [], 0
        for i in range(args.commands):
            on = i % 2 == 0
            topic, payload = system.command("out0", on)
            got.clear()
            want.update(topic=system.state_topic("out0"), on=on)
            t0 = time.perf_counter()
            client.publish(topic, payload, qos=1)
            if got.wait(5):
                rtts.append(time.perf_counter() - t0)
            else:
                lost += 1
            time.sleep(0.02 + random.random() * 0.03)
        for c in (client, watcher):
            c.loop_stop()
            c.disconnect()
        rtts.sort()
        return {"p50": percentile(rtts, 0.5), "p99": percentile(rtts, 0.99), "unanswered": lost, "n": args.commands}
    finally:
        run.stop()


def heavy(system, work, args, n):
    run = Run(system, work, n, name=f"n{n}")
    try:
        start = run.first_reading(args.start_timeout)
        if start is None:
            return {"failed": run.failure(args.start_timeout)}
        time.sleep(args.warmup)
        w = run.window(args.duration)
        lat = run.latencies(w["from"], w["to"])
        per_s = len(lat) / w["span"]
        return {"start": start, "rss": w["rss"], "cpu_pct": w["cpu"] / w["span"] * 100,
                "cpu_us": w["cpu"] / max(1, len(lat)) * 1e6, "delivered_per_s": per_s, "due_per_s": 3 * n,
                "taken_per_s": w["taken_per_s"], "p50": percentile(lat, 0.5), "p99": percentile(lat, 0.99)}
    finally:
        run.stop()


def kill(system, work, args):
    run = Run(system, work, 50, name="kill")
    try:
        run.first_reading(120)
        time.sleep(15)
        run.broker.stop()
        stopped = time.time()
        time.sleep(10)
        run.broker.start()
        back = time.time()
        time.sleep(25)
        counted = system.reads() if hasattr(system, "reads") else None
        run.proc.send_signal(signal.SIGTERM)
        run.proc.wait(30)
        time.sleep(2)
        keys, resumed = set(), None
        for arrived, topic, payload in run.sub.arrivals():
            r = system.reading(topic, payload)
            if r is not None and resumed is None and arrived > back:
                resumed = arrived - back
            if counted is not None:
                if r is not None and r[0] <= counted[1]:
                    keys.add(r[1])
            else:
                seq = system.numbered(topic, payload)
                if seq is not None:
                    keys.add(seq)
        if counted is not None:
            lost = counted[0] - len(keys)
            taken = counted[0]
        else:
            seqs = sorted(keys)
            taken = seqs[-1] - seqs[0] + 1 if seqs else 0
            lost = taken - len(seqs)
        return {"taken": taken, "lost": lost, "resumed": resumed, "down": back - stopped}
    finally:
        run.stop()


def bare(args, n):
    port = free_port()
    work = os.path.join(args.work, f"bare-{n}")
    os.makedirs(work, exist_ok=True)
    broker = Broker(work, port)
    try:
        out = subprocess.run([args.bench, "bare", str(port), str(3 * n), str(args.duration)], capture_output=True, text=True, timeout=600)
        # "… CPU 123.4 ms: 20.1 µs per message (0 refused)"
        text = out.stdout.strip()
        return float(text.split(": ")[-1].split(" µs")[0])
    finally:
        broker.stop()


def fmt_ms(s):
    return "—" if s is None else (f"{s * 1000:.0f} ms" if s >= 0.1 else f"{s * 1000:.2f} ms")


def fmt_ratio(a, b):
    """b ÷ a, how many times sensegate's figure mqtt-io's is."""
    if a is None or b is None or a == 0:
        return "—"
    return f"{b / a:.1f}×"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sensegate")
    p.add_argument("--bench", help="sensegate-bench (for the bare publisher)")
    p.add_argument("--sizes", default="50 500 2000 5000 20000")
    p.add_argument("--duration", type=int, default=30)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--commands", type=int, default=200)
    p.add_argument("--start-timeout", type=int, default=300)
    p.add_argument("--work", default="/tmp/sensegate-peer")
    p.add_argument("--table", help="print the table of an earlier run's results.json, and stop")
    p.add_argument("--sensegate-only", action="store_true",
                   help="only sensegate's heavy workload and the bare publisher at each size, one after the other")
    args = p.parse_args()
    if args.table:
        table(json.load(open(args.table)))
        return
    if args.sensegate_only:
        sensegate_only(args)
        return
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    systems = [Sensegate(args.sensegate), MqttIO(sys.executable)]
    sizes = [int(x) for x in args.sizes.split()]
    results = {s.name: {} for s in systems}
    for s in systems:
        print(f"{s.name}: standard load", file=sys.stderr)
        results[s.name]["standard"] = standard(s, args.work, args)
        print(f"{s.name}: commands", file=sys.stderr)
        results[s.name]["commands"] = commands(s, args.work, args)
        print(f"{s.name}: broker stopped for 10 s", file=sys.stderr)
        results[s.name]["kill"] = kill(s, args.work, args)
        for n in sizes:
            print(f"{s.name}: {n} sensors", file=sys.stderr)
            results[s.name][n] = heavy(s, args.work, args, n)
    bares = {}
    for n in (n for n in sizes if 3 * n >= 1500):
        print(f"bare publisher: {3 * n} messages/s", file=sys.stderr)
        bares[n] = bare(args, n)
    with open(os.path.join(args.work, "results.json"), "w") as f:
        json.dump({"systems": [x.name for x in systems], "sizes": sizes,
                   "results": {k: {str(kk): vv for kk, vv in v.items()} for k, v in results.items()},
                   "bare": {str(k): v for k, v in bares.items()}}, f, indent=1)
    table(json.load(open(os.path.join(args.work, "results.json"))))


def sensegate_only(args):
    """sensegate's N-sensor workload and the bare publisher at the same rate, size by size
    (docs/benchmarks.md, "CPU per reading"): one Markdown table."""
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    print("| sensors | readings/s due → delivered | daemon, % of one core | µs per reading | bare publisher | ratio "
          "| p50 / p99 read → subscriber | RSS |")
    print("|---|---|---|---|---|---|---|---|")
    for n in (int(x) for x in args.sizes.split()):
        print(f"sensegate: {n} sensors", file=sys.stderr)
        h = heavy(Sensegate(args.sensegate), args.work, args, n)
        if "failed" in h:
            print(f"| {n} | {h['failed']} | | | | | | |", flush=True)
            continue
        b = bare(args, n)
        print(f"| {n} | {3 * n} → {h['delivered_per_s']:.0f} | {h['cpu_pct']:.1f} % | {h['cpu_us']:.1f} | {b:.1f} µs "
              f"| {h['cpu_us'] / b:.1f}× | {fmt_ms(h['p50'])} / {fmt_ms(h['p99'])} | {h['rss'] / 1024:.1f} MiB |", flush=True)


def table(run):
    """The Markdown table of a run's results.json (also `--table FILE`)."""
    names, sizes, bares = run["systems"], run["sizes"], run["bare"]
    a, b = run["results"][names[0]], run["results"][names[1]]
    print("| workload | measure | sensegate | mqtt-io 2.7.0 | mqtt-io ÷ sensegate |")
    print("|---|---|---|---|---|")
    row = lambda w, m, x, y, r: print(f"| {w} | {m} | {x} | {y} | {r} |")
    sa, sb = a["standard"], b["standard"]
    row("standard", "start → first reading at the broker", fmt_ms(sa["start"]), fmt_ms(sb["start"]), fmt_ratio(sa["start"], sb["start"]))
    row("standard", "RSS", f"{sa['rss'] / 1024:.1f} MiB", f"{sb['rss'] / 1024:.1f} MiB", fmt_ratio(sa["rss"], sb["rss"]))
    row("standard", "CPU, % of one core", f"{sa['cpu_pct']:.2f} %", f"{sb['cpu_pct']:.2f} %", fmt_ratio(sa["cpu_pct"], sb["cpu_pct"]))
    ca, cb = a["commands"], b["commands"]
    w = "commands, 150 readings/s flowing"
    row(w, "/set → state p50", fmt_ms(ca["p50"]), fmt_ms(cb["p50"]), fmt_ratio(ca["p50"], cb["p50"]))
    row(w, "/set → state p99", fmt_ms(ca["p99"]), fmt_ms(cb["p99"]), fmt_ratio(ca["p99"], cb["p99"]))
    row(w, "unanswered", f"{ca['unanswered']} of {ca['n']}", f"{cb['unanswered']} of {cb['n']}", "")
    ka, kb = a["kill"], b["kill"]
    w = "broker stopped 10 s, 150 readings/s"
    row(w, "readings lost", f"{ka['lost']} of {ka['taken']}", f"{kb['lost']} of {kb['taken']}", "")
    row(w, "first reading after the broker is back", fmt_ms(ka["resumed"]), fmt_ms(kb["resumed"]), "")
    for n in sizes:
        ha, hb = a[str(n)], b[str(n)]
        w = f"{n} sensors, {3 * n} readings/s due"
        if "failed" in ha or "failed" in hb:
            row(w, "result", ha.get("failed", "ran (below)"), hb.get("failed", "ran (below)"), "")
        value = lambda h, f: f(h) if "failed" not in h else "—"
        ratio = lambda key: fmt_ratio(ha.get(key), hb.get(key))
        row(w, "start → first reading", value(ha, lambda h: fmt_ms(h["start"])), value(hb, lambda h: fmt_ms(h["start"])), ratio("start"))
        row(w, "RSS", value(ha, lambda h: f"{h['rss'] / 1024:.1f} MiB"), value(hb, lambda h: f"{h['rss'] / 1024:.1f} MiB"), ratio("rss"))
        row(w, "CPU, % of one core", value(ha, lambda h: f"{h['cpu_pct']:.1f} %"), value(hb, lambda h: f"{h['cpu_pct']:.1f} %"), ratio("cpu_pct"))
        row(w, "CPU per delivered reading", value(ha, lambda h: f"{h['cpu_us']:.0f} µs"), value(hb, lambda h: f"{h['cpu_us']:.0f} µs"), ratio("cpu_us"))
        taken = lambda h: f" (taken {h['taken_per_s']:.0f}/s)" if h.get("taken_per_s") else ""
        row(w, "readings delivered/s", value(ha, lambda h: f"{h['delivered_per_s']:.0f}"),
            value(hb, lambda h: f"{h['delivered_per_s']:.0f}{taken(h)}"), "")
        row(w, "read → subscriber p50 / p99", value(ha, lambda h: f"{fmt_ms(h['p50'])} / {fmt_ms(h['p99'])}"),
            value(hb, lambda h: f"{fmt_ms(h['p50'])} / {fmt_ms(h['p99'])}"), "")
        if str(n) in bares and "failed" not in ha:  # below 1,500/s, its 100 wake-ups a second are most of its cost
            bare = bares[str(n)]
            row(w, "bare libmosquitto, CPU per QoS 1 message", f"{bare:.1f} µs (sensegate {ha['cpu_us'] / bare:.1f}×)", "", "")

if __name__ == "__main__":
    main()
