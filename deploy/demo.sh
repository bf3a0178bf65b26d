#!/usr/bin/env bash
# The demo: installs what it needs, builds sensegate, starts a private mosquitto on a free
# loopback port, runs the daemon on the simulated board (examples/demo.yaml) and prints every
# message it publishes. Ctrl-C stops it all (the daemon publishes "offline" on its way out).
# DEMO_SECONDS=N stops after N seconds; DEMO_CONFIG=examples/air-station.yaml runs the air station.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/deps.sh
sensegate_install_packages
sensegate_check_swift
swift build --product sensegate >&2
bin="$(swift build --show-bin-path)/sensegate"

work=$(mktemp -d /tmp/sensegate-demo-XXXXXX)
chmod 755 "$work"
port=$(sensegate_free_port)
cat > "$work/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
persistence false
CONF
pids=()
cleanup() {
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

mosquitto_bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)
"$mosquitto_bin" -c "$work/mosquitto.conf" 2>"$work/mosquitto.log" & pids+=($!)
sensegate_wait_listening "$port"
echo "── private broker on 127.0.0.1:$port; messages below are what a platform subscribed to sensegate/# receives ──" >&2
mosquitto_sub -h 127.0.0.1 -p "$port" -t 'sensegate/#' -v & pids+=($!)
sleep 0.3
"$bin" run --config "${DEMO_CONFIG:-examples/demo.yaml}" --broker "mqtt://127.0.0.1:$port" & daemon=$!
pids=("$daemon" "${pids[@]}")
if [ -n "${DEMO_SECONDS:-}" ]; then
    sleep "$DEMO_SECONDS"
    kill -TERM "$daemon"
fi
wait "$daemon" || true
sleep 0.3   # let mosquitto_sub print "offline"
