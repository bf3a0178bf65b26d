#!/usr/bin/env bash
# The whole test suite: installs what it needs (Debian packages), builds, and runs every test —
# unit, driver/emulator round trips, MQTT against real mosquitto brokers on free loopback ports,
# and the built daemon end to end as a process.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/deps.sh
sensegate_install_packages
sensegate_check_swift
swift build --build-tests
swift test --skip-build "$@"
