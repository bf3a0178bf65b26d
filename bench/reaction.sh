#!/usr/bin/env bash
# The reaction benchmarks for docs/benchmarks.md, release build:
#   - analysis + rules throughput on one core (sensegate-bench pipeline);
#   - reflex latency, input edge → output line on the simulated board (sensegate-bench reflex);
#   - MQTT command → output line through a mosquitto on 127.0.0.1 while 50 QoS 1 readings/s flow,
#     once with mosquitto's default (Nagle's algorithm on the broker's sockets) and once with
#     `set_tcp_nodelay true`;
#   - reflex latency again while FLOOD (5 000) refused commands a second arrive over MQTT.
#   bench/reaction.sh            # 10 000 edges, 2 000 commands
#   EDGES=2000 COMMANDS=500 bench/reaction.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/deps.sh
sensegate_install_packages
sensegate_check_swift
swift build -c release --product sensegate-bench >&2
bench="$(swift build -c release --show-bin-path)/sensegate-bench"
work=$(mktemp -d /tmp/sensegate-reaction-XXXXXX)
chmod 755 "$work"
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

"$bench" pipeline
"$bench" reflex "${EDGES:-10000}"
for nodelay in false true; do
    port=$(sensegate_free_port)
    printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay %s\n' "$port" "$nodelay" > "$work/m.conf"
    "$(command -v mosquitto || echo /usr/sbin/mosquitto)" -c "$work/m.conf" 2>/dev/null & broker=$!
    sensegate_wait_listening "$port"
    printf 'broker set_tcp_nodelay %s: ' "$nodelay"
    "$bench" command "$port" "${COMMANDS:-2000}"
    kill "$broker"; wait "$broker" 2>/dev/null || true
done
port=$(sensegate_free_port)
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$port" > "$work/m.conf"
"$(command -v mosquitto || echo /usr/sbin/mosquitto)" -c "$work/m.conf" 2>/dev/null & broker=$!
sensegate_wait_listening "$port"
"$bench" reflex-flood "$port" "${EDGES:-10000}" "${FLOOD:-5000}"
kill "$broker"; wait "$broker" 2>/dev/null || true
