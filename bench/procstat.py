"""What bench/fleet.py and bench/peer/compare.py both need: free loopback ports, waiting for a
listener, and a process's CPU time and resident memory from /proc."""

import os
import random
import socket
import time

HZ = os.sysconf("SC_CLK_TCK")
_given = set()


def free_port():
    """A port nothing listens on, never the same twice in one run."""
    while True:
        port = random.randint(20000, 60000)
        if port in _given:
            continue
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                _given.add(port)
                return port


def wait_listening(port, timeout=5.0):
    end = time.time() + timeout
    while time.time() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def cpu_seconds(pid):
    """User plus system time of `pid`, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
