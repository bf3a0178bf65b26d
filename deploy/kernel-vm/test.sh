#!/usr/bin/env bash
# The kernel test suite: sensegate's Linux backends, drivers, pipelines and the daemon itself
# against the kernel's own i2c-stub and gpio-sim in a QEMU guest (docs/testing.md), with the
# daemon's MQTT going to a mosquitto on this machine's loopback.
#   deploy/kernel-vm/test.sh [FILTER...]       e.g. deploy/kernel-vm/test.sh gpio
# Builds what it needs (debug), installs Debian packages, caches the kernel and modules.
set -euo pipefail
cd "$(dirname "$0")/../.."
. deploy/deps.sh
sensegate_install_packages
sensegate_check_swift
swift build --product sensegate >&2
swift build --product sensegate-kernel-tests >&2
bin=$(swift build --show-bin-path)
daemon=$(readlink -f "$bin/sensegate")
tests=$(readlink -f "$bin/sensegate-kernel-tests")

port=$(sensegate_free_port)
work=$(mktemp -d)
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\npersistence false\n' "$port" > "$work/mosquitto.conf"
mosquitto -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 &
broker=$!
trap 'kill $broker 2>/dev/null || true; wait $broker 2>/dev/null || true; rm -rf "$work"' EXIT
sensegate_wait_listening "$port"

VM_BROKER_PORT=$port VM_EXTRA="$daemon" deploy/kernel-vm/vm.sh "$tests" --daemon "$daemon" "$@"
