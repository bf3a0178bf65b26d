#!/usr/bin/env python3
"""Writes the scaling load of docs/benchmarks.md ("Cost per sensor"): SENSORS BME280s polled at
1 Hz on a simulated board with a bus per two of them, and Home Assistant discovery on.
Usage: scale-config.py SENSORS OUTDIR [INTERVAL]  (INTERVAL defaults to 1s)
"""
import os
import sys

n = int(sys.argv[1])
out = sys.argv[2]
interval = sys.argv[3] if len(sys.argv) > 3 else "1s"
os.makedirs(out, exist_ok=True)
buses = (n + 1) // 2

with open(os.path.join(out, "board.yaml"), "w") as b:
    b.write("board: scale\ndescription: generated for the scaling benchmark\nsimulated: true\ni2c:\n")
    for i in range(buses):
        b.write(f"  i2c-{i + 1}: sim\n")
    b.write("gpio:\n  chips:\n    gpiochip0: sim\n  lines: {}\n")

with open(os.path.join(out, "config.yaml"), "w") as c:
    w = c.write
    w(f"node: scale\nboard: board.yaml\nstate_dir: {out}/state\nlog_level: info\n")
    w("mqtt: {broker: mqtt://127.0.0.1:1883, qos: 1}\nhome_assistant: {enabled: true}\nsensors:\n")
    for i in range(n):
        w(f"  - {{name: s{i}, driver: bme280, bus: i2c-{i // 2 + 1}, address: {'0x76' if i % 2 == 0 else '0x77'}, interval: {interval}}}\n")
    w("simulation: {seed: 7}\n")
