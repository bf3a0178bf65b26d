#!/usr/bin/env python3
"""Writes a large but valid sensegate config and its board file, for timing `sensegate check`
(docs/benchmarks.md, "Checking a large config"). Usage: large-config.py SENSORS OUTDIR

Per sensor: a BME280 (two per generated I2C bus) with quality checks and filters, a dew point,
an hourly window, an alarm on the dew point; per ten sensors a rule over their alarms driving an
actuator on a generated GPIO line. Every name is referenced, so the check resolves every kind of
reference.
"""
import os
import sys

n = int(sys.argv[1])
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
buses = (n + 1) // 2
groups = (n + 9) // 10

with open(os.path.join(out, "board.yaml"), "w") as b:
    b.write("board: large\ndescription: generated for the check benchmark\nsimulated: true\ni2c:\n")
    for i in range(buses):
        b.write(f"  i2c-{i + 1}: sim\n")
    b.write("gpio:\n  chips:\n    gpiochip0: sim\n  lines:\n")
    for i in range(groups):
        b.write(f"    OUT{i}: {{chip: gpiochip0, line: {i}}}\n")

with open(os.path.join(out, "config.yaml"), "w") as c:
    w = c.write
    w("node: large\nboard: board.yaml\nstate_dir: /tmp/sensegate-large\nmqtt: {broker: mqtt://127.0.0.1:1883}\nsensors:\n")
    for i in range(n):
        w(f"  - name: s{i}\n    driver: bme280\n    bus: i2c-{i // 2 + 1}\n    address: {'0x76' if i % 2 == 0 else '0x77'}\n"
          f"    interval: 10s\n    channels:\n      temperature:\n        range: [-40, 60]\n"
          f"        rate: {{max: 2, per: 1s}}\n        filters: [{{median: 3}}, {{delta: 0.1}}, {{heartbeat: 5m}}]\n")
    w("derived:\n")
    for i in range(n):
        w(f"  - {{name: dp{i}, model: dew_point, inputs: {{temperature: s{i}.temperature, humidity: s{i}.humidity}}}}\n")
    w("windows:\n")
    for i in range(n):
        w(f"  - {{name: w{i}, channel: s{i}.temperature, length: 1h, functions: [mean, min, max]}}\n")
    w("alarms:\n")
    for i in range(n):
        w(f"  - {{name: a{i}, channel: derived.dp{i}, low: 0, deadband: 0.5, on_delay: 2m, priority: medium}}\n")
    w("rules:\n")
    for g in range(groups):
        members = ", ".join(f"{{alarm: a{i}}}" for i in range(g * 10, min(n, g * 10 + 10)))
        w(f"  - name: r{g}\n    when: {{any: [{members}], for: 1m}}\n    then: {{out{g}: on}}\n")
    w("actuators:\n")
    for g in range(groups):
        w(f"  - {{name: out{g}, pin: OUT{g}, failsafe: off, max_on: 4h, commands: [on, off, release]}}\n")
