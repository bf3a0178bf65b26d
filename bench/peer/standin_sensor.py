"""
The side-by-side benchmark's stand-in sensor for mqtt-io (bench/peer.sh): a BME280 that costs
nothing to read. Each read returns the time it was taken (seconds since the epoch, to the
millisecond), so the subscriber can measure read → broker latency and tell readings apart, and
counts itself; a thread writes the count of reads taken, and when, to `count_file` once a second.
Installed as mqtt_io/modules/sensor/sensegate_standin.py in the benchmark's private venv.
"""

import os
import threading
import time

from ...types import ConfigType, SensorValueType
from . import GenericSensor

REQUIREMENTS = ()
CONFIG_SCHEMA = {"count_file": {"type": "string", "required": True, "empty": False}}


class Sensor(GenericSensor):
    """A BME280 stand-in: temperature, humidity or pressure, each one read."""

    SENSOR_SCHEMA = {
        "type": {
            "type": "string",
            "required": False,
            "default": "temperature",
            "allowed": ["temperature", "humidity", "pressure"],
        }
    }

    def setup_module(self) -> None:
        self.reads = 0
        self.lock = threading.Lock()
        self.path = self.config["count_file"]
        threading.Thread(target=self._write_count, daemon=True).start()

    def _write_count(self) -> None:
        while True:
            time.sleep(1)
            with self.lock:
                reads, at = self.reads, time.time()
            with open(self.path + ".tmp", "w", encoding="utf8") as f:
                f.write(f"{reads} {at:.6f}\n")
            os.replace(self.path + ".tmp", self.path)

    def get_value(self, sens_conf: ConfigType) -> SensorValueType:
        # Counted and stamped under one lock: a snapshot's count is exactly the reads stamped
        # before its time.
        with self.lock:
            self.reads += 1
            return time.time()
