#!/usr/bin/env python3
"""Writes the seed corpora and dictionaries of the fuzz targets (Fuzz/Corpus/<target>/seed-*,
Fuzz/Dictionaries/<target>.dict) from the repository itself: the example configs and board
files, the config keys the decoders read, the documented commands, the CLI's models. Run it
again after adding config keys or commands; libFuzzer's own findings live beside the seeds
(Fuzz/fuzz.sh merges them)."""
import json
import os
import re
import sqlite3
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Fuzz", "Corpus")
DICTS = os.path.join(ROOT, "Fuzz", "Dictionaries")


def read(path):
    with open(os.path.join(ROOT, path), "rb") as f:
        return f.read()


def seeds(target, items):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    for old in os.listdir(d):
        if old.startswith("seed-"):
            os.remove(os.path.join(d, old))
    for i, data in enumerate(items):
        with open(os.path.join(d, "seed-%03d" % i), "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())


def dictionary(target, words):
    os.makedirs(DICTS, exist_ok=True)
    with open(os.path.join(DICTS, target + ".dict"), "w") as f:
        f.write("# libFuzzer dictionary for the %s target, written by Fuzz/make-seeds.py\n" % target)
        for w in sorted(set(words)):
            escaped = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\' else "\\x%02x" % ord(c) for c in w)
            f.write('"%s"\n' % escaped)


# --- config and board files ---------------------------------------------------------------------
examples = sorted(f for f in os.listdir(os.path.join(ROOT, "examples")) if f.endswith(".yaml"))
configs = [read("examples/" + f) for f in examples] + [read("bench/reflex.yaml")]
# OGC SensorThings output (no example carries it): numbers, quoted texts, a derived channel.
configs.append(read("examples/demo.yaml") + b"\nsensorthings:\n  version: v1.1\n  qos: 1\n  datastreams:\n"
               b"    outdoor.temperature: 17\n    outdoor.humidity: \"roof-01:humidity\"\n    derived.dew_point: 9007199254740992\n")
# Signed commands: a key file that is a device (refused), permissions by name and "*".
configs.append(read("examples/demo.yaml") + b"\ncommands:\n  require_signature: true\n  clock_window: 30s\n  keys:\n"
               b"    ops-anna: {file: /dev/null, actuators: [fan], alarms: \"*\", commands: [on, off, ack]}\n"
               b"    platform: {file: /etc/hostname, actuators: \"*\"}\n")
seeds("config", configs)
keys = set()
# The config's own keys, and each I2C part's (its folder under Sources/SenseParts).
sources = [os.path.join("Sources", "SenseConfig", f) for f in os.listdir(os.path.join(ROOT, "Sources", "SenseConfig"))]
for folder, _, files in os.walk(os.path.join(ROOT, "Sources", "SenseParts")):
    sources += [os.path.relpath(os.path.join(folder, f), ROOT) for f in files if f.endswith(".swift")]
for f in sorted(sources):
    text = read(f).decode()
    keys.update(re.findall(r'\b(?:node|required|has)\("([a-z_0-9]+)"\)', text))
    keys.update(re.findall(r'case "([a-z_0-9]+)"', text))
words = [k + ":" for k in keys] + list(keys)
words += ["bme280", "bmp280", "sht4x", "sht3x", "scd4x", "scd30", "sps30", "sen5x", "ads1115", "ms5837", "digital_input", "tipping_bucket",
          "flow_meter", "hcsr04", "traffic", "i2c-1", "0x76", "GPIO17", "pin11", "sim", "mqtt://127.0.0.1:1883",
          "10s", "500ms", "5m", "1h", "7d", "-1", "1e15", "true", "false", "null", "[", "]", "{", "}", ": ", "\n  - ", ", ",
          "derived.", "aggregate.", ".temperature", ".humidity", ".state", "on", "off"]
dictionary("config", words)

seeds("board", [read("boards/" + f) for f in sorted(os.listdir(os.path.join(ROOT, "boards")))])
dictionary("board", ["board:", "description:", "simulated:", "i2c:", "gpio:", "chips:", "lines:", "chip:", "line:", "pin:",
                     "device:", "sda:", "scl:", "gpiochip0", "/dev/i2c-1", "GPIO2", "{", "}", "-1", "65536", "true"])

# --- commands, JSON ------------------------------------------------------------------------------
commands = [
    (0, "actuator/fan/set", '{"command":"on"}'),
    (0, "actuator/fan/set", '{"command":"off","for":"30m","id":"c1","by":"operator","note":"test"}'),
    (0, "actuator/fan/set", '{"command":"override","level":"off","for":"99999999999999999999s"}'),
    (0, "actuator/fan/set", '{"command":"override","level":"on","for":3600}'),
    (0, "actuator/siren/set", '{"command":"pulse","for":"5s"}'),
    (0, "actuator/fan/set", '{"command":"release"}'),
    (1, "actuator/fan/set", '{"command":"on","id":"retained"}'),
    (2, "actuator/fan/set", ""),
    (0, "actuator/fan/toggle", '{"command":"on"}'),
    (0, "actuator/ghost/set/deeper", "{}"),
    (0, "alarm/hot/ack", '{"by":"operator 7"}'),
    (0, "alarm/hot/shelve", '{"for":"1e30h"}'),
    (0, "alarm/hot/shelve", '{"for":"8h","id":"s1"}'),
    (0, "alarm/open/unshelve", ""),
    (0, "alarm/hot/reply", '{"ok":true}'),
]
# Signed (flag 4), with CommandFuzzing.signing's key at ConfigFuzzing.wall: one good, one replayed
# body under another nonce, one with the signature of another topic.
import hashlib, hmac, json as jsonlib
def signed(topic, body, nonce, ts=1_795_406_839, signed_topic=None):
    text = "\n".join(["sensegate-command-v1", "ops", "sensegate/fuzz/" + (signed_topic or topic), str(ts), nonce, body])
    sig = hmac.new(bytes([7] * 32), text.encode(), hashlib.sha256).hexdigest()
    return jsonlib.dumps({"key": "ops", "ts": ts, "nonce": nonce, "body": body, "sig": sig})
commands += [
    (4, "actuator/fan/set", signed("actuator/fan/set", '{"command":"on","by":"ops"}', "0123456789abcdef")),
    (4, "alarm/hot/ack", signed("alarm/hot/ack", '{}', "0123456789abcdeg")),
    (4, "actuator/siren/set", signed("actuator/siren/set", '{"command":"pulse","for":"1s"}', "nonce-for-siren-1", signed_topic="actuator/fan/set")),
    (4, "actuator/fan/set", signed("actuator/fan/set", 'ON', "0123456789abcdeh", ts=1_795_000_000)),
    (4, "actuator/fan/set", '{"command":"on"}'),
]
seeds("command", [bytes([flags]) + topic.encode() + b"\n" + payload.encode() for flags, topic, payload in commands])
dictionary("command", ["command", "on", "off", "pulse", "override", "release", "for", "level", "id", "by", "note", "ack", "shelve",
                       "unshelve", "set", "reply", "actuator/", "alarm/", "fan", "siren", "hot", "open", "/", '"', ":", ",", "{", "}",
                       "30s", "1e30", "99999999999999999999", "-1", "\\u0000", "true", "null", "key", "ts", "nonce", "body",
                       "sig", "ops"])

schemas = sorted(f for f in os.listdir(os.path.join(ROOT, "docs", "schemas")) if f.endswith(".json"))
seeds("json", [p for _, _, p in commands if p] + [read("docs/schemas/" + f) for f in schemas][:6]
      + ['[1,-0.5,2e10,1E-3,true,false,null,"a\\u00e9\\n"]', '{"a":{"b":[[[]]]}}', "1e400", "-", '"\\ud800"'])
dictionary("json", ["{", "}", "[", "]", ":", ",", '"', "\\u", "\\ud83d", "\\n", "true", "false", "null", "-0", "1e308", "0.",
                    "e+", "E-"])

# --- scalars, the command line -------------------------------------------------------------------
scalars = ["10s", "250ms", "1.5m", "2h", "7d", "0", "99999999999999999999s", "1e30h", "-1s", "0x76", "42", "-12", "1e15",
           "0.001", "mqtt://broker.example.org:8883", "mqtts://h", "2026-11-23T04:07:19.123Z", "city/air", "a/+/b"]
seeds("scalars", scalars)
dictionary("scalars", ["ms", "s", "m", "h", "d", "0x", "e", "E", "-", "+", ".", "mqtt://", "mqtts://", ":", "/", "T", "Z", "#", "+",
                       "inf", "nan", "9223372036854775807"])

cli = [["model", "aqi", "pollutant=pm25", "concentration=35.9"], ["model", "rating-curve", "h=1.5", "c=12.5", "h0=0.3", "b=1.6"],
       ["model", "ultrasonic-stage", "echo=5000", "t=20", "mount_height=3"], ["model", "loop-speed", "spacing=4", "dt=0.144"],
       ["model", "nowcast", "values=30,,40,50"], ["model", "--list"], ["check", "--config", "x.yaml"], ["run", "-c", "x", "--log-level", "debug"],
       ["i2c-scan", "1"], ["help", "run"], ["version"], ["model", "traffic-density", "count=10", "period=60", "on_time=5"],
       ["model", "rate-of-rise", "samples=0:1.0,15:1.2,30:1.5"], ["model", "weir-rect", "h=0.2", "length=1", "cd=0.6"],
       ["set", "-c", "x.yaml", "fan", "on", "10m"], ["set", "--config=x.yaml", "siren", "pulse", "5s"], ["watch", "-c", "x.yaml", "--once"],
       ["read", "--config", "x.yaml", "outdoor", "door"], ["model", "dew_point", "temperature=20", "humidity=50"], ["help", "set"]]
seeds("cli", [b"\x00".join(a.encode() for a in args) for args in cli])
models = re.findall(r'Model\(name: "([a-z0-9-]+)"', "".join(read("Sources/SenseCLI/" + f).decode()
                                                            for f in os.listdir(os.path.join(ROOT, "Sources", "SenseCLI"))))
inputs = re.findall(r'Input\(key: "([a-z_0-9]+)"', "".join(read("Sources/SenseCLI/" + f).decode()
                                                           for f in os.listdir(os.path.join(ROOT, "Sources", "SenseCLI"))))
dictionary("cli", models + [k + "=" for k in inputs] + ["model", "check", "run", "i2c-scan", "help", "version", "--config", "-c",
                                                         "set", "watch", "read", "--once", "on", "off", "pulse", "release", "ON",
                                                         "--broker", "--log-level", "--list", "-h", "\x00", "=", "1e15", "-0"])

# --- state files -----------------------------------------------------------------------------------
totals = "total 120\nhour 498724\nhour_count 3\nday 20780\nday_count 40\nevent_count 12\nevent_start 1795406000000000000\n" \
         "last_pulse 1795406839000000000\nend 8\n"
seeds("state", [b"\x00" + b"1000\n", b"\x00" + b"9007199254740991\n", b"\x00" + b"0\n", b"\x01" + totals.encode(),
                b"\x01" + b"total 1\nend 1\n", b"\x02" + b"flood_stage river-gauge.flood_stage.1200 1795406839000000000\n",
                b"\x02" + b"a b -9223372036854775808\n",
                b"\x03" + b"# sensegate: Home Assistant discovery config topics\nhomeassistant/sensor/sensegate_roof/sensor_a_temperature/config\n",
                b"\x03" + b"homeassistant/sensor/+/x/config\nhomeassistant/#\na/config\n//x//config\n"])
dictionary("state", ["homeassistant/", "/config", "+", "#", "sensegate_", "total ", "hour ", "hour_count ", "day ", "day_count ", "event_count ", "event_start ", "last_pulse ", "end ",
                     "\n", " ", "-", "9223372036854775807", "18446744073709551615", "9007199254740991"])


# --- the outbox file ---------------------------------------------------------------------------------
def outbox(rows, version=1, tables=("state", "reply", "data"), schema_ok=True):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "outbox.db")
        db = sqlite3.connect(path)
        db.execute("PRAGMA page_size=512")
        for t in tables:
            if schema_ok:
                db.execute("CREATE TABLE %s(seq INTEGER PRIMARY KEY, created_ms INTEGER NOT NULL, qos INTEGER NOT NULL, "
                           "retain INTEGER NOT NULL, topic TEXT NOT NULL, payload BLOB NOT NULL, schema TEXT)" % t)
            else:
                db.execute("CREATE TABLE %s(x)" % t)
        for t, seq, qos, topic, payload in rows:
            db.execute("INSERT INTO %s VALUES(?,?,?,?,?,?,?)" % t, (seq, 1795406839000, qos, 0, topic, payload, "reading"))
        db.execute("PRAGMA user_version=%d" % version)
        db.commit()
        db.close()
        with open(path, "rb") as f:
            return f.read()


good = [("data", i, 1, "sensegate/n/sensor/a/temperature", b'{"v":%d}' % i) for i in range(1, 6)] + \
       [("state", 6, 1, "sensegate/n/alarm/hot", b"{}"), ("reply", 7, 1, "sensegate/n/actuator/fan/ack", b"{}")]
seeds("outbox", [outbox(good), outbox([]), outbox(good[:2] + [("data", -1, 1, "t", b"x"), ("data", 2 ** 62, 7, "t", b"y")]),
                 outbox(good, version=2), outbox([], tables=("state",)), outbox([], schema_ok=False), b"SQLite format 3\x00" + b"\x00" * 84])
dictionary("outbox", ["SQLite format 3\x00", "\x00\x00\x00\x01", "\x02\x00", "\x0d", "\x05", "\xff\xff\xff\xff"])
# --- what sensors answer ----------------------------------------------------------------------------
# A BME280's calibration as the datasheet's example part holds it (block 1: T and P words, H1;
# block 2: H2…H6), a data block, a Sensirion frame, an ADS1115 conversion, two echo edges.
bme_cal1 = bytes([
    0x70, 0x6B, 0x43, 0x67, 0x18, 0xFC, 0x7D, 0x8E, 0x43, 0xD6, 0xD0, 0x0B, 0x27, 0x0B, 0x8C, 0x00,
    0xF9, 0xFF, 0x8C, 0x3C, 0xF8, 0xC6, 0x70, 0x17, 0x00, 0x4B])
bme_cal2 = bytes([0x5B, 0x01, 0x00, 0x17, 0x2C, 0x03, 0x1E])
bme_raw = bytes([0x51, 0x70, 0x00, 0x7E, 0xF2, 0x00, 0x6A, 0x5C])
def sensirion_frame(words):
    out = b""
    for w in words:
        b = bytes([w >> 8, w & 0xFF])
        crc = 0xFF
        for x in b:
            crc ^= x
            for _ in range(8):
                crc = ((crc << 1) ^ 0x31) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
        out += b + bytes([crc])
    return out
frame = sensirion_frame([0x6667, 0x8E00, 0x4000, 0x6000, 0x0000, 0x0000])
edges = bytes([0]) + (1_000_100_000).to_bytes(8, "big") + bytes([3]) + (1_005_900_000).to_bytes(8, "big")
seeds("sensor", [bme_cal1 + bme_cal2 + bme_raw + bytes([len(frame) // 3]) + frame + b"\x40\x00" + edges,
                 b"\x00" * 41, b"\xff" * 80])
dictionary("sensor", ["\x80\x00\x00", "\xff\xff", "\x00\x00", "\x7f\xff", "\x66\x67\xa2"])

print("seeds and dictionaries written under", os.path.relpath(CORPUS, ROOT), "and", os.path.relpath(DICTS, ROOT))
