#!/usr/bin/env bash
# Benchmarks for docs/benchmarks.md: the release daemon on the simulated board with 12 BME280s
# at 1 Hz (examples/bench-12.yaml) against a private mosquitto, for DURATION seconds (default 60).
# Measures: start → first reading at the broker, steady RSS (VmRSS, sampled every second after a
# 10 s warm-up), CPU (utime+stime over the steady window, % of one core), messages delivered,
# and the binary's size (as built, stripped, and with a static Swift runtime as deploy/install.sh
# builds it). Prints a Markdown table.
#   bench/run.sh                 # both binaries, 60 s each
#   DURATION=20 bench/run.sh     # shorter
#   CONFIG=examples/air-station.yaml SPEED=1 bench/run.sh   # another station, its world at real time
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/deps.sh
sensegate_install_packages
sensegate_check_swift
duration=${DURATION:-60}
config=${CONFIG:-examples/bench-12.yaml}
warmup=10

swift build -c release --product sensegate >&2
dynamic="$(swift build -c release --show-bin-path)/sensegate"
# The deployed build (deploy/install.sh): static Swift runtime, optimised for size.
swift build -c release --product sensegate --static-swift-stdlib -Xswiftc -Osize --scratch-path .build-static >&2
static="$(swift build -c release --scratch-path .build-static --show-bin-path)/sensegate"

work=$(mktemp -d /tmp/sensegate-bench-XXXXXX)
chmod 755 "$work"
# SPEED overrides the simulated world's speed (a demo config may run it faster than real time).
cp -r boards "$work/"   # the simulated board next to the config: nothing needs to be installed
if [ -n "${SPEED:-}" ]; then sed "s/^  speed: .*/  speed: $SPEED/" "$config" > "$work/config.yaml"; else cp "$config" "$work/config.yaml"; fi
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
hz=$(getconf CLK_TCK)

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

measure() {   # $1 label, $2 binary
    local label=$1 bin=$2 port
    port=$(sensegate_free_port)
    printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\n' "$port" > "$work/m.conf"
    "$(command -v mosquitto || echo /usr/sbin/mosquitto)" -c "$work/m.conf" 2>/dev/null & local broker=$!
    sensegate_wait_listening "$port"
    mosquitto_sub -h 127.0.0.1 -p "$port" -q 1 -t 'sensegate/+/sensor/#' -F '%U %t' > "$work/sub.txt" & local sub=$!
    sleep 0.5
    rm -rf /tmp/sensegate-bench
    local t0 pid
    t0=$(date +%s.%N)
    "$bin" run --config "$work/config.yaml" --broker "mqtt://127.0.0.1:$port" 2>"$work/daemon.log" & pid=$!
    for _ in $(seq 500); do [ -s "$work/sub.txt" ] && break; sleep 0.01; done
    local first
    first=$(head -n1 "$work/sub.txt" | cut -d' ' -f1)
    sleep "$warmup"
    local c0 s0 rss_max=0 rss_sum=0 n=0 r
    c0=$(ticks "$pid"); s0=$(date +%s.%N)
    for _ in $(seq "$duration"); do
        sleep 1
        r=$(rss_kib "$pid"); rss_sum=$((rss_sum + r)); n=$((n + 1))
        [ "$r" -gt "$rss_max" ] && rss_max=$r
    done
    local c1 s1
    c1=$(ticks "$pid"); s1=$(date +%s.%N)
    kill -TERM "$pid"; wait "$pid" || true
    sleep 0.3
    kill "$sub" "$broker" 2>/dev/null || true; wait "$sub" "$broker" 2>/dev/null || true
    local msgs
    msgs=$(wc -l < "$work/sub.txt")
    awk -v l="$label" -v t0="$t0" -v f="$first" -v c0="$c0" -v c1="$c1" -v s0="$s0" -v s1="$s1" -v hz="$hz" \
        -v sum="$rss_sum" -v n="$n" -v max="$rss_max" -v msgs="$msgs" 'BEGIN {
        printf "| %s | %.0f ms | %.1f MiB (max %.1f) | %.2f %% | %d |\n", l, (f - t0) * 1000, sum / n / 1024, max / 1024,
               (c1 - c0) / hz / (s1 - s0) * 100, msgs }'
}

echo "| binary | start → first reading at broker | steady RSS, mean of ${duration} s | CPU, % of one core | readings delivered |"
echo "|---|---|---|---|---|"
measure "release, dynamic Swift runtime" "$dynamic"
measure "release, -Osize, static Swift runtime" "$static"
echo
strip -o "$work/stripped-dyn" "$dynamic"; strip -o "$work/stripped-static" "$static"
echo "| binary | size | stripped |"
echo "|---|---|---|"
mib() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo "| release, dynamic Swift runtime | $(mib "$dynamic") | $(mib "$work/stripped-dyn") |"
echo "| release, -Osize, static Swift runtime | $(mib "$static") | $(mib "$work/stripped-static") |"
echo
echo "Shared libraries of the static build:"
ldd "$static" | awk '{print "- " $1}'
