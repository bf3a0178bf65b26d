#!/usr/bin/env bash
# The kernel test suite: sensegate's Linux backends, drivers, pipelines and the daemon itself
# against the kernel's own i2c-stub and gpio-sim in a QEMU guest (docs/testing.md), with the
# daemon's MQTT going to a mosquitto on this machine's loopback.
#   deploy/kernel-vm/test.sh [--libgpiod2] [FILTER...]       e.g. deploy/kernel-vm/test.sh gpio
# Builds what it needs (debug), installs Debian packages, caches the kernel and modules.
# --libgpiod2 builds both binaries against libgpiod v2 instead of Debian 12's v1 (deploy/kernel-vm/
# libgpiod2.sh, its own build folder .build-gpiod2) and runs the same suite with them.
set -euo pipefail
cd "$(dirname "$0")/../.."
. deploy/deps.sh
sensegate_install_packages
sensegate_check_swift
build=(swift build)
if [ "${1:-}" = "--libgpiod2" ]; then
    shift
    pkgconfig=$(deploy/kernel-vm/libgpiod2.sh)
    export PKG_CONFIG_PATH=$pkgconfig
    export LD_LIBRARY_PATH="$(dirname "$pkgconfig")/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"   # for vm.sh's ldd
    build=(swift build --scratch-path .build-gpiod2)
fi
"${build[@]}" --product sensegate >&2
"${build[@]}" --product sensegate-kernel-tests >&2
bin=$("${build[@]}" --show-bin-path)
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
