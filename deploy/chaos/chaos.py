#!/usr/bin/env python3
"""The chaos run (docs/testing.md, "Chaos run"): the built daemon on the simulated board, under
faults of the broker, the link, the process, the state directory and the sensors, while an
operator commands its actuators and a rule drives them. An independent subscriber with a
persistent session records every message; the run ends with one table of figures and fails
(exit 1) if a goal is missed.

    sudo deploy/chaos/chaos.py [--long] [--bin .build/debug/sensegate] [--keep DIR]

Root is needed: the daemon runs in a network namespace of the run's own (a veth pair to the
host side, nftables rules inside it), and its state directory is a small tmpfs. Bounded: every
loop has a fixed count, every wait a deadline; `--short` (the default, CI) takes about 4 minutes,
`--long` about 12.
"""

import argparse
import fcntl
import json
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from proxy import FaultProxy  # noqa: E402

NODE = "chaos"
ROOT = f"sensegate/{NODE}"
HOST_IP, GW_IP = "10.209.{n}.1", "10.209.{n}.2"

# ext4's shutdown ioctl, as xfstests' godown uses it to emulate a power cut: with NOLOGFLUSH,
# nothing more reaches the device — neither the journal nor the page cache.
EXT4_IOC_SHUTDOWN, EXT4_GOING_FLAGS_NOLOGFLUSH = 0x8004587D, 2

SHORT = dict(broker_kills=5, stop_s=15, loss_s=20, delay_s=15, halfopen_s=15, partition_s=60,
             daemon_kills=12, kills_in_partition=4, disk_s=10, power_cuts=5, commands_every=1.5)
LONG = dict(broker_kills=20, stop_s=20, loss_s=45, delay_s=30, halfopen_s=25, partition_s=60,
            daemon_kills=50, kills_in_partition=12, disk_s=25, power_cuts=20, commands_every=1.0)


# Keepalive 5 s + reconnect backoff at most 2 s + 3 s (config_text below).
PARTITION_RECOVERY_S = 10.0


def run(*cmd, check=True, ns=None):
    if ns:
        cmd = ("ip", "netns", "exec", ns) + cmd
    r = subprocess.run(cmd, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {r.stderr.strip()}")
    return r


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wall(text):
    """A payload's `t` (UTC, milliseconds) as Unix seconds."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Log:
    def __init__(self):
        self.start = time.time()

    def __call__(self, text):
        print(f"[chaos {time.time() - self.start:7.1f}s] {text}", flush=True)


say = Log()


class Network:
    """A namespace for the gateway, joined to the host by a veth pair; nftables inside it."""

    def __init__(self):
        n = os.getpid() % 200 + 20
        self.ns = f"sgchaos{os.getpid()}"
        self.host_ip, self.gw_ip = HOST_IP.format(n=n), GW_IP.format(n=n)
        host_if, gw_if = f"sgh{os.getpid()}"[:15], f"sgg{os.getpid()}"[:15]
        self.host_if = host_if
        try:
            self._create(host_if, gw_if)
        except Exception:
            self.close()
            raise

    def _create(self, host_if, gw_if):
        run("ip", "netns", "add", self.ns)
        run("ip", "link", "add", host_if, "type", "veth", "peer", "name", gw_if)
        run("ip", "link", "set", gw_if, "netns", self.ns)
        run("ip", "addr", "add", f"{self.host_ip}/30", "dev", host_if)
        run("ip", "link", "set", host_if, "up")
        run("ip", "addr", "add", f"{self.gw_ip}/30", "dev", gw_if, ns=self.ns)
        run("ip", "link", "set", gw_if, "up", ns=self.ns)
        run("ip", "link", "set", "lo", "up", ns=self.ns)
        run("nft", "add", "table", "inet", "chaos", ns=self.ns)
        for chain, hook in (("in", "input"), ("out", "output")):
            run("nft", "add", "chain", "inet", "chaos", chain,
                f"{{ type filter hook {hook} priority 0 ; policy accept ; }}", ns=self.ns)

    def heal(self):
        for chain in ("in", "out"):
            run("nft", "flush", "chain", "inet", "chaos", chain, ns=self.ns)

    def lose(self, percent):
        self.heal()
        run("nft", "add", "rule", "inet", "chaos", "out", "ip", "daddr", self.host_ip,
            "numgen", "random", "mod", "100", "<", str(percent), "drop", ns=self.ns)
        run("nft", "add", "rule", "inet", "chaos", "in", "ip", "saddr", self.host_ip,
            "numgen", "random", "mod", "100", "<", str(percent), "drop", ns=self.ns)

    def partition(self):
        self.heal()
        run("nft", "add", "rule", "inet", "chaos", "out", "ip", "daddr", self.host_ip, "drop", ns=self.ns)
        run("nft", "add", "rule", "inet", "chaos", "in", "ip", "saddr", self.host_ip, "drop", ns=self.ns)

    def close(self):
        run("ip", "link", "del", self.host_if, check=False)
        run("ip", "netns", "del", self.ns, check=False)


class StateDisk:
    """The state directory on a small ext4 file system in a loop device, mounted as on a board
    (errors=remount-ro): it can fill up, and it can fail the way a worn SD card does — the kernel
    turns it read-only under the daemon's open files (ext4's trigger_fs_error). Only unmounting,
    fsck and mounting again bring it back, as a technician's reboot would."""

    def __init__(self, work, mib=8):
        self.image = os.path.join(work, "state.img")
        self.dir = os.path.join(work, "state")
        os.makedirs(self.dir)
        with open(self.image, "wb") as f:
            f.truncate(mib << 20)
        run("mkfs.ext4", "-q", "-F", self.image)
        self.mount()

    def mount(self):
        run("mount", "-o", "loop,errors=remount-ro", self.image, self.dir)
        os.chmod(self.dir, 0o755)
        self.device = os.path.basename(run("findmnt", "-n", "-o", "SOURCE", self.dir).stdout.strip())

    def fill(self):
        """Writes a file until the disk refuses: nothing is left, not even root's reserve."""
        self.filler = os.path.join(self.dir, "filler")
        with open(self.filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass

    def unfill(self):
        os.remove(self.filler)

    def fail_read_only(self):
        with open(f"/sys/fs/ext4/{self.device}/trigger_fs_error", "w") as f:
            f.write("chaos: the card fails\n")

    def repair(self):
        run("umount", self.dir)
        code = run("e2fsck", "-f", "-y", self.image, check=False).returncode
        if code >= 4:
            raise RuntimeError(f"e2fsck left errors ({code})")
        self.mount()

    def power_cut(self):
        """From now on no write reaches the device: what was not yet on it is gone."""
        fd = os.open(self.dir, os.O_RDONLY)
        try:
            fcntl.ioctl(fd, EXT4_IOC_SHUTDOWN, struct.pack("I", EXT4_GOING_FLAGS_NOLOGFLUSH))
        finally:
            os.close(fd)

    def power_on(self):
        """Mounting again replays the journal, as the next boot would."""
        run("umount", self.dir)
        self.mount()

    def close(self):
        run("umount", self.dir, check=False)


class Broker:
    def __init__(self, work):
        self.dir = os.path.join(work, "broker")
        os.makedirs(self.dir, mode=0o777)
        os.chmod(self.dir, 0o777)
        self.port = free_port()
        with open(os.path.join(self.dir, "mosquitto.conf"), "w") as f:
            f.write(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
                    f"persistence_location {self.dir}/\nautosave_interval 1\n"
                    "max_queued_messages 0\nmax_inflight_messages 0\n")
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(["mosquitto", "-c", os.path.join(self.dir, "mosquitto.conf")],
                                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "log"), "a"))
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop_clean(self):
        self.proc.terminate()
        self.proc.wait()


class Subscriber:
    """mosquitto_sub with a persistent session: it reconnects by itself after a broker crash."""

    def __init__(self, port, work):
        self.messages = []  # (arrival, retained, topic, payload dict or None)
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(
            ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-q", "1", "-c", "-i", "chaos-platform",
             "-t", f"{ROOT}/#", "-F", "%U|%r|%t|%x"],
            stdout=subprocess.PIPE, stderr=open(os.path.join(work, "subscriber.log"), "a"), text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            parts = line.rstrip("\n").split("|", 3)
            if len(parts) != 4:
                continue
            arrival, retained, topic, hexed = parts
            try:
                payload = json.loads(bytes.fromhex(hexed).decode())
            except ValueError:
                payload = None
            with self.lock:
                self.messages.append((float(arrival), retained == "1", topic, payload))

    def snapshot(self):
        with self.lock:
            return list(self.messages)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class Daemon:
    def __init__(self, binary, config, ns, work):
        self.binary, self.config, self.ns, self.work = binary, config, ns, work
        self.proc = None
        self.runs = []  # dicts: started, ended, how ("kill"/"term"), boundary (seq file after a kill)
        self.rss_kib = 0

    def start(self):
        log = open(os.path.join(self.work, "daemon.log"), "a")
        log.write(f"--- start at {time.time():.3f}\n")
        log.flush()
        self.proc = subprocess.Popen(["ip", "netns", "exec", self.ns, self.binary, "run", "--config", self.config],
                                     stdout=log, stderr=log)
        self.runs.append(dict(started=time.time(), ended=None, how=None, pid=self.proc.pid))

    def sample_rss(self):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        self.rss_kib = max(self.rss_kib, int(line.split()[1]))
        except (OSError, AttributeError):
            pass

    def kill(self, how="kill"):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.runs[-1].update(ended=time.time(), how=how)

    def terminate(self, timeout=20):
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = "hung"
        self.runs[-1].update(ended=time.time(), how="term")
        return code

    def alive(self):
        return self.proc.poll() is None


class Commander(threading.Thread):
    """An operator at the platform: commands to both actuators at random, each with an id."""

    def __init__(self, port, every):
        super().__init__(daemon=True)
        self.port, self.every = port, every
        self.sent = {}
        self.stopping = threading.Event()
        self.rng = random.Random(5)

    def run(self):
        n = 0
        choices = [("pump", {"command": "on", "for": "6s"}), ("pump", {"command": "off", "for": "4s"}),
                   ("pump", {"command": "release"}), ("valve", {"command": "pulse", "for": "2s"}),
                   ("valve", {"command": "on", "for": "4s"}), ("valve", {"command": "release"})]
        while not self.stopping.wait(self.every * (0.5 + self.rng.random())):
            n += 1
            name, body = self.rng.choice(choices)
            body = dict(body, id=f"c{n}", by="chaos")
            self.sent[body["id"]] = (time.time(), name, body["command"])
            try:
                subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(self.port), "-q", "1",
                                "-t", f"{ROOT}/actuator/{name}/set", "-m", json.dumps(body)],
                               capture_output=True, timeout=5)
            except subprocess.TimeoutExpired:
                pass  # the broker is stopped: the command is lost, as the platform's would be


def read_boundary(state):
    """Where the next run's numbering starts: the reservation (or exact value) in the seq file."""
    try:
        with open(os.path.join(state, "seq")) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None  # stopped before its first reservation: the next run starts where it would have


def config_text(state, host_ip, proxy_port):
    return f"""node: {NODE}
board: sim
state_dir: {state}
log_level: info
restart_failsafe: 4s
mqtt:
  broker: mqtt://{host_ip}:{proxy_port}
  keepalive: 5s
  reconnect: {{min: 1s, max: 2s}}
  queue_limit: 100000
  outbox: {{flush_interval: 1s}}
sensors:
  - {{name: air, driver: bme280, bus: i2c-1, address: 0x76, interval: 200ms}}
  - {{name: cabinet, driver: bme280, bus: i2c-1, address: 0x77, interval: 200ms}}
  - {{name: humid, driver: sht3x, bus: i2c-3, address: 0x44, interval: 250ms}}
  - {{name: spare, driver: bme280, bus: i2c-3, address: 0x76, interval: 500ms}}
  - {{name: door, driver: digital_input, pin: GPIO17, bias: pull-up, active_low: true, debounce: 20ms, interval: 1s}}
rules:
  - name: door_pump
    when: {{channel: door.state, equals: 1}}
    then: {{pump: on}}
actuators:
  - name: pump
    pin: GPIO22
    failsafe: off
    min_on: 1s
    min_off: 3s
    max_on: 8s
    max_override: 10s
    exclusive_with: [valve]
    failsafe_when_bad: [door.state]
  - name: valve
    pin: GPIO23
    failsafe: off
    max_on: 5s
    max_override: 5s
simulation:
  seed: 11
  faults:
    # A storm on every bus: half of the transactions fail, in bursts.
    - {{sensor: air, fault: nack, rate: 0.5}}
    - {{sensor: cabinet, fault: bus_error, rate: 0.5}}
    - {{sensor: humid, fault: crc, rate: 0.5}}
    # A chip that disappears for 8 s and comes back (every run).
    - {{sensor: spare, fault: nack, after: 6s, for: 8s}}
"""


CLASSES = (("reply", re.compile(r"/(ack|reply)$")),
           ("state", re.compile(r"/(actuator|alarm|rule|cap)/|/alarms$")),
           ("data", re.compile(r"/(sensor|derived|aggregate)/")))


def class_of(topic):
    for name, pattern in CLASSES:
        if pattern.search(topic):
            return name
    return None


class Phases:
    """What happened when: (name, began, ended) for the recovery figures."""

    def __init__(self):
        self.items = []

    def add(self, name, began, ended):
        self.items.append((name, began, ended))


def wait_flowing(sub, after, timeout):
    """Seconds from `after` until a reading sampled after it arrives (None: not within timeout)."""
    deadline = after + timeout
    while time.time() < deadline:
        fresh = [arrival for arrival, retained, topic, p in sub.snapshot()
                 if arrival >= after and not retained and p and "/sensor/" in topic and "t" in p and wall(p["t"]) >= after]
        if fresh:
            return min(fresh) - after
        time.sleep(0.2)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--long", action="store_true")
    ap.add_argument("--bin", default=".build/debug/sensegate")
    ap.add_argument("--keep", help="keep the run's files in this directory")
    args = ap.parse_args()
    plan = LONG if args.long else SHORT
    if os.geteuid() != 0:
        print("chaos.py: needs root (a network namespace, nftables, a tmpfs)", file=sys.stderr)
        return 2
    binary = os.path.abspath(args.bin)
    rng = random.Random(2026)
    work = tempfile.mkdtemp(prefix="sensegate-chaos-")
    os.chmod(work, 0o755)
    disk = StateDisk(work)
    state = disk.dir
    try:
        net = Network()
    except Exception:
        disk.close()
        raise
    broker = Broker(work)
    proxy = FaultProxy((net.host_ip, 0), ("127.0.0.1", broker.port))
    # The simulated board next to the config: the run needs nothing installed.
    os.makedirs(os.path.join(work, "boards"))
    shutil.copy(os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "boards", "sim.yaml"),
                os.path.join(work, "boards"))
    config = os.path.join(work, "chaos.yaml")
    with open(config, "w") as f:
        f.write(config_text(state, net.host_ip, proxy.port))
    sub = Subscriber(broker.port, work)
    time.sleep(0.5)
    # A clean broker restart saves the platform's session; each crash afterwards restores it.
    broker.stop_clean()
    broker.start()
    daemon = Daemon(binary, config, net.ns, work)
    commander = Commander(broker.port, plan["commands_every"])
    phases = Phases()
    recoveries = {}
    sampler_stop = threading.Event()

    def sampler():
        while not sampler_stop.wait(0.5):
            daemon.sample_rss()

    failures = []
    try:
        daemon.start()
        threading.Thread(target=sampler, daemon=True).start()
        if wait_flowing(sub, time.time(), 20) is None:
            raise RuntimeError("no reading arrived within 20 s of the start")
        commander.start()
        time.sleep(5)

        # 1. The broker crashes, again and again.
        say(f"broker: SIGKILL {plan['broker_kills']}x")
        began = time.time()
        for _ in range(plan["broker_kills"]):
            time.sleep(rng.uniform(0.5, 2.5))
            broker.kill()
            time.sleep(rng.uniform(0.3, 1.5))
            broker.start()
        phases.add("broker SIGKILL", began, time.time())
        recoveries["broker SIGKILL"] = wait_flowing(sub, time.time(), 30)
        time.sleep(3)

        def hold(name, seconds, begin, end, deadline=30, settle=2):
            """One fault held for `seconds`, healed, then the time to a fresh reading."""
            say(f"{name} for {seconds} s")
            began = time.time()
            begin()
            time.sleep(seconds)
            end()
            phases.add(name, began, time.time())
            recoveries[name] = wait_flowing(sub, time.time(), deadline)
            time.sleep(settle)

        def heal_half_open():
            proxy.reset_all()
            proxy.set_mode(FaultProxy.PASS)

        # 2. The broker hangs: its connections stay open, nothing answers.
        hold("broker SIGSTOP", plan["stop_s"], lambda: broker.proc.send_signal(signal.SIGSTOP),
             lambda: broker.proc.send_signal(signal.SIGCONT), settle=3)
        # 3. A lossy link: 20 % of the packets each way.
        hold("20 % packet loss", plan["loss_s"], lambda: net.lose(20), net.heal)
        # 4. A slow link: 300 ms added to everything forwarded.
        hold("300 ms delay", plan["delay_s"], lambda: proxy.set_mode(FaultProxy.DELAY, 0.3),
             lambda: proxy.set_mode(FaultProxy.PASS))
        # 5. Half-open: the connection stays up at both ends, nothing crosses; the keepalive must notice.
        hold("half-open link", plan["halfopen_s"], lambda: proxy.set_mode(FaultProxy.STALL), heal_half_open)
        # 6. A partition: every packet dropped both ways.
        hold(f"{plan['partition_s']} s partition", plan["partition_s"], net.partition, net.heal, deadline=60, settle=3)

        # 7. The daemon killed at random moments: some while the link is cut (the outbox takes
        #    everything), some just after it heals (the outbox replays), the rest at any time.
        say(f"daemon: SIGKILL {plan['daemon_kills']}x")
        began = time.time()
        for i in range(plan["daemon_kills"]):
            cut = i < plan["kills_in_partition"]
            if cut and i % 2 == 0:
                net.partition()
            time.sleep(rng.uniform(0.2, 3.0))
            daemon.kill()
            daemon.runs[-1]["boundary"] = read_boundary(state)
            if cut and i % 2 == 1:
                net.heal()
            daemon.start()
        net.heal()
        phases.add("daemon SIGKILL", began, time.time())
        recoveries["daemon SIGKILL"] = wait_flowing(sub, time.time(), 30)
        time.sleep(5)

        # 8. The card fills up, then space comes back.
        #    The link is down meanwhile, so that the outbox has to write (with the broker there,
        #    a message acknowledged within its flush interval is never written).
        say(f"state directory: full for {plan['disk_s']} s, the link down")
        began = time.time()
        net.partition()
        disk.fill()
        time.sleep(plan["disk_s"])
        net.heal()
        time.sleep(3)
        disk.unfill()
        phases.add("state dir full", began, time.time())
        recoveries["state dir full"] = wait_flowing(sub, time.time(), 30)
        time.sleep(5)

        # 9. The card fails read-only under the running daemon; it goes on from memory. Then the
        #    technician's visit: stop, fsck, mount, start.
        say(f"state directory: read-only for {plan['disk_s']} s, the link down, then repaired")
        began = time.time()
        net.partition()
        disk.fail_read_only()
        time.sleep(plan["disk_s"])
        net.heal()
        # The technician stops it once it delivers again: what waits in memory (the card takes
        # nothing) goes out first. Stopped with neither card nor link, it would be lost.
        if wait_flowing(sub, time.time(), 60) is None:
            failures.append("no reading delivered within 60 s of the link healing on a read-only card")
        time.sleep(2)
        code = daemon.terminate()
        if code != 0:
            failures.append(f"the stop on a read-only card exited {code}")
        daemon.runs[-1]["boundary"] = read_boundary(state)
        disk.repair()
        daemon.start()
        phases.add("read-only card, repaired", began, time.time())
        recoveries["read-only card, repaired"] = wait_flowing(sub, time.time(), 30)
        time.sleep(5)

        # 10. Power cuts while the link is down, so that every reading goes through the outbox:
        #     the device stops taking writes and the process dies in the same instant; the next
        #     boot mounts the file system again (its journal replayed) and starts the daemon.
        say(f"power: cut {plan['power_cuts']}x while the link is down")
        began = time.time()
        net.partition()
        for _ in range(plan["power_cuts"]):
            time.sleep(rng.uniform(1.5, 4.0))
            disk.power_cut()
            daemon.kill(how="power cut")
            disk.power_on()
            daemon.runs[-1]["boundary"] = read_boundary(state)
            daemon.start()
        time.sleep(2)
        net.heal()
        phases.add("power cuts", began, time.time())
        recoveries["power cuts"] = wait_flowing(sub, time.time(), 60)
        time.sleep(8)

        # The end: every fault healed; the daemon stops cleanly and the subscriber drains.
        commander.stopping.set()
        commander.join(timeout=15)
        time.sleep(3)
        code = daemon.terminate()
        if code != 0:
            failures.append(f"the final stop exited {code}")
        time.sleep(3)
    finally:
        sampler_stop.set()
        commander.stopping.set()
        if daemon.proc and daemon.alive():
            daemon.proc.kill()
        sub.stop()
        proxy.close()
        try:
            broker.stop_clean()
        except Exception:
            pass
        net.close()
        if args.keep:
            shutil.copytree(state, os.path.join(work, "state-copy"), dirs_exist_ok=True)
        disk.close()

    messages = sub.snapshot()
    if args.keep:
        with open(os.path.join(work, "messages.jsonl"), "w") as f:
            for m in messages:
                f.write(json.dumps(m) + "\n")
    figures, more_failures = analyse(messages, daemon, phases, recoveries, commander)
    failures += more_failures
    print_table(figures, plan, args.long)
    if args.keep:
        shutil.copytree(work, args.keep, dirs_exist_ok=True)
        print(f"files kept in {args.keep}")
    shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print(f"FAILED: {f}")
    return 1 if failures else 0


def analyse(messages, daemon, phases, recoveries, commander):
    failures = []
    # Health repeats the newest number without taking one (docs/mqtt.md, "seq"): not counted.
    live = [m for m in messages if not m[1] and isinstance(m[3], dict) and "seq" in m[3] and not m[2].endswith("/health")]
    first = {}
    duplicates = 0
    order_breaks = {"state": 0, "reply": 0, "data": 0}
    last_by_class = {}
    reused = 0
    for arrival, _, topic, p in live:
        seq = p["seq"]
        if seq in first:
            # A redelivery repeats the message; a number given to two different messages is the
            # fault `seq` exists to rule out.
            if (first[seq][1], first[seq][2]) == (topic, p):
                duplicates += 1
            else:
                reused += 1
            continue
        first[seq] = (arrival, topic, p)
        c = class_of(topic)
        if c:
            if seq < last_by_class.get(c, 0):
                order_breaks[c] += 1
            last_by_class[c] = max(seq, last_by_class.get(c, 0))
    # Numbering after a crash jumps to the reservation on disk: the numbers between the last one
    # handed out and that boundary were never used. A run's numbers are [its start, the next
    # run's boundary). A number missing within that span was lost; if the run was killed within
    # a flush interval (+0.5 s) of the last message before it, it was numbered in the crash's
    # uncommitted window (documented), otherwise it is a loss the goal forbids.
    runs = daemon.runs
    bounds = [1] + [r.get("boundary") for r in runs[:-1]]
    seqs = sorted(first)
    lost, crash_window = 0, {"kill": 0, "power cut": 0}
    for k, lo in enumerate(bounds):
        if lo is None:
            continue
        hi = next((b for b in bounds[k + 1:] if b is not None), float("inf"))
        mine = [x for x in seqs if lo <= x < hi]
        if not mine:
            continue
        present = set(mine)
        killed_at = runs[k]["ended"] if k < len(runs) and runs[k]["how"] in ("kill", "power cut") else None
        kind = runs[k]["how"] if killed_at else None
        previous_t = None
        for x in range(lo, mine[-1] + 1):
            if x in present:
                p = first[x][2]
                previous_t = wall(p["t"]) if "t" in p else previous_t
                continue
            if killed_at and previous_t and killed_at - previous_t <= 1.5:
                crash_window[kind] += 1
            else:
                lost += 1
    # At a kill, what the daemon read in its last moments may not have been committed: the time
    # from the newest delivered reading of that run to the kill, against the flush interval.
    killed = [r for r in runs if r["how"] in ("kill", "power cut")]
    readings = sorted(wall(p["t"]) for _, topic, p in first.values() if "/sensor/" in topic and "t" in p)
    tails = {"kill": [], "power cut": []}
    for r in killed:
        before = [t for t in readings if r["started"] <= t <= r["ended"]]
        if before:
            tails[r["how"]].append(r["ended"] - max(before))
    produced = len(first) + lost + sum(crash_window.values())
    figures = dict(
        produced=produced, delivered=len(first), lost=lost, crash_window=crash_window, reused=reused, duplicates=duplicates,
        order_breaks=order_breaks, tail_max=max(tails["kill"] or [0.0]), power_tail_max=max(tails["power cut"] or [0.0]),
        kills=sum(1 for r in killed if r["how"] == "kill"), cuts=sum(1 for r in killed if r["how"] == "power cut"), rss_mib=daemon.rss_kib / 1024, recoveries=recoveries,
        runs=len(daemon.runs))
    if lost:
        failures.append(f"{lost} message(s) lost beyond a crash's uncommitted tail")
    if reused:
        failures.append(f"{reused} seq number(s) given to two different messages")
    if any(order_breaks.values()):
        failures.append(f"order broken within a class: {order_breaks}")
    for name, seconds in recoveries.items():
        if seconds is None:
            failures.append(f"no fresh reading after '{name}' within its deadline")
    # After a partition the next connection attempt starts within one keepalive (5 s: an attempt
    # without an answer is given up then) and one backoff (at most 2 s); 3 s more for the
    # connection, the replay and a fresh reading. libmosquitto's own loop, whose blocking
    # connect() waits for the kernel's SYN retries, took 21.5–24.3 s after a 60 s partition.
    partition = next((seconds for name, seconds in recoveries.items() if name.endswith("partition")), None)
    if partition is not None and partition > PARTITION_RECOVERY_S:
        failures.append(f"a fresh reading came {partition:.1f} s after the partition healed (bound {PARTITION_RECOVERY_S:g} s)")
    # The newest reading before a kill is at most one sampling interval (1 s, the door) plus the
    # flush interval (1 s) old, with 0.5 s to spare for a loaded machine.
    if max(figures["tail_max"], figures["power_tail_max"]) > 2.5:
        failures.append(f"a crash lost {max(figures['tail_max'], figures['power_tail_max']):.2f} s of readings (flush interval 1 s)")
    safety, safety_failures = check_actuators(first, daemon)
    figures.update(safety)
    failures += safety_failures
    acks = {p.get("id"): p for _, (_, topic, p) in first.items() if topic.endswith("/ack") and p.get("id")}
    figures["commands"] = (len(commander.sent), sum(1 for i in commander.sent if i in acks),
                           sum(1 for i in commander.sent if i in acks and acks[i].get("ok")))
    # A command sent while the daemon is cut off is lost (it keeps a clean session, so that a
    # stale command never acts late); one sent while all is well must be answered.
    def in_fault(t):
        return any(b - 1.0 <= t <= e + (recoveries.get(n) or 0) + 3.0 for n, b, e in phases.items)
    calm = [i for i, (t, _, _) in commander.sent.items() if not in_fault(t)]
    unanswered = [i for i in calm if i not in acks]
    figures["calm_commands"] = (len(calm), len(calm) - len(unanswered))
    if unanswered:
        failures.append(f"{len(unanswered)} command(s) sent outside every fault went unanswered: {unanswered[:5]}")
    return figures, failures


def check_actuators(first, daemon):
    """The actuators against their rules, from the states the daemon published (`t`, in `seq`
    order): never both on (interlock), pump on ≤ max_on, off ≥ min_off before an ordinary on,
    and at failsafe (off) for `restart_failsafe` after every unclean start."""
    failures = []
    timeline = {"pump": [], "valve": []}
    for s in sorted(first):
        _, topic, p = first[s]
        m = re.search(r"/actuator/(pump|valve)$", topic)
        if m:
            timeline[m.group(1)].append((wall(p["t"]), p["state"], p.get("source"), s))
    kills = [r["ended"] for r in daemon.runs if r["how"] in ("kill", "power cut")]
    ends = [r["ended"] for r in daemon.runs if r["ended"]]

    def intervals(name):
        """(on, off, cut by a crash, source): an on-period ends at the next state or when its run
        ends — a crash leaves the line as it was (counted apart), a clean stop sets failsafe."""
        out = []
        events = timeline[name]
        for i, (t, state, source, _) in enumerate(events):
            if state != "on":
                continue
            end = events[i + 1][0] if i + 1 < len(events) else time.time()
            stop = [e for e in ends if t <= e < end]
            out.append((t, min([end] + stop), any(k in kills for k in stop[:1]), source))
        return out

    # A clean stop publishes every output at its failsafe level first: none may be left on.
    left_on = 0
    for r in daemon.runs:
        if r["how"] != "term":
            continue
        for name, events in timeline.items():
            mine = [e for e in events if r["started"] <= e[0] <= r["ended"] + 1.0]
            if mine and mine[-1][1] == "on":
                left_on += 1
                print(f"chaos: {name} left on at the clean stop at {r['ended']:.3f}: {mine[-3:]}")
    if left_on:
        failures.append(f"{left_on} output(s) left on at a clean stop, no failsafe state published")

    pump, valve = intervals("pump"), intervals("valve")
    overlap = 0.0
    for a0, a1, _, _ in pump:
        for b0, b1, _, _ in valve:
            overlap = max(overlap, min(a1, b1) - max(a0, b0))
    longest = {n: max([b - a for a, b, _, _ in iv] or [0]) for n, iv in (("pump", pump), ("valve", valve))}
    on_at_kill = sum(1 for iv in (pump, valve) for _, _, cut, _ in iv if cut)
    short_off = 0
    events = timeline["pump"]
    for i, (t, state, _, _) in enumerate(events):
        if state != "on":
            continue
        run_start = max([r["started"] for r in daemon.runs if r["started"] <= t] or [0])
        # off since the last on→off in this run, or since the start (history unknown after it)
        off_since = run_start
        for j in range(i - 1, 0, -1):
            if events[j][0] < run_start:
                break
            if events[j][1] == "off" and events[j - 1][1] == "on":
                off_since = events[j][0]
                break
        if i > 0 and events[i - 1][1] == "on":
            continue  # a change of source while on, not a new start
        if t - off_since < 3.0 - 0.05:
            short_off += 1
    early_after_crash = 0
    for r_prev, r in zip(daemon.runs, daemon.runs[1:]):
        if r_prev["how"] not in ("kill", "power cut"):
            continue
        for name in ("pump", "valve"):
            for t, state, _, _ in timeline[name]:
                if state == "on" and r["started"] <= t < r["started"] + 4.0:
                    early_after_crash += 1
    if overlap > 0.01:
        failures.append(f"pump and valve were on together for {overlap:.3f} s")
    if longest["pump"] > 8.0 + 0.3:
        failures.append(f"the pump stayed on {longest['pump']:.2f} s (max_on 8 s)")
    if longest["valve"] > 5.0 + 0.3:
        failures.append(f"the valve stayed on {longest['valve']:.2f} s (max_on 5 s)")
    for name, iv in (("pump", pump), ("valve", valve)):
        for a, b, _, source in iv:
            if b - a > (8.3 if name == "pump" else 5.3):
                print(f"chaos: {name} on {b - a:.2f} s from {a:.3f} ({source}); runs: "
                      + ", ".join(f"{r['started']:.3f}–{r['ended'] or 0:.3f} {r['how']}" for r in daemon.runs if r['started'] <= b and (r['ended'] or b) >= a))
    if short_off:
        failures.append(f"the pump turned on {short_off}x less than min_off (3 s) after turning off")
    if early_after_crash:
        failures.append(f"an output turned on {early_after_crash}x within restart_failsafe of an unclean start")
    return dict(overlap=overlap, longest=longest, on_periods=(len(pump), len(valve)), on_at_kill=on_at_kill, left_on=left_on,
                short_off=short_off, early_after_crash=early_after_crash), failures


def print_table(f, plan, long_form):
    rows = [
        ("form", "long" if long_form else "short (CI)"),
        ("daemon runs (SIGKILLed, power cuts)", f"{f['runs']} ({f['kills']}, {f['cuts']})"),
        ("messages delivered (distinct seq)", f"{f['delivered']}"),
        ("lost: seq gaps within a run", f"{f['lost']}"),
        ("gaps within a run's last flush interval before a kill / a cut", "{} / {}".format(*f["crash_window"].values())),
        ("duplicates (QoS 1 redeliveries)", f"{f['duplicates']}"),
        ("seq given to two different messages", f"{f['reused']}"),
        ("out of order within state / reply / data", "{state} / {reply} / {data}".format(**f["order_breaks"])),
        ("lost at a kill / a cut: newest reading's age (worst)", f"{f['tail_max']:.2f} s / {f['power_tail_max']:.2f} s (flush interval 1 s)"),
        ("commands sent / answered / accepted", "{} / {} / {}".format(*f["commands"])),
        ("commands sent outside faults / answered", "{} / {}".format(*f["calm_commands"])),
        ("pump / valve on-periods", "{} / {}".format(*f["on_periods"])),
        ("longest on: pump (max_on 8 s) / valve (5 s)", f"{f['longest']['pump']:.2f} s / {f['longest']['valve']:.2f} s"),
        ("pump and valve on together", f"{f['overlap']:.3f} s"),
        ("pump on sooner than min_off", f"{f['short_off']}"),
        ("on within restart_failsafe after a crash", f"{f['early_after_crash']}"),
        ("outputs on at a kill (held by the line)", f"{f['on_at_kill']}"),
        ("outputs left on at a clean stop", f"{f['left_on']}"),
        ("peak RSS", f"{f['rss_mib']:.1f} MiB"),
    ]
    for name, seconds in f["recoveries"].items():
        rows.append((f"fresh reading after: {name}", "none" if seconds is None else f"{seconds:.1f} s"))
    width = max(len(r[0]) for r in rows)
    print()
    print(f"| {'figure'.ljust(width)} | value |")
    print(f"|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")


if __name__ == "__main__":
    sys.exit(main())
