#!/usr/bin/env bash
# Cost per sensor (docs/benchmarks.md, "Cost per sensor"): the deployed build (static Swift
# runtime, -Osize) with SIZES BME280s (every INTERVAL, default 1 s) on the simulated board (bench/scale-config.py),
# Home Assistant discovery on, against a private mosquitto. For each size: `check` (best of 3),
# start (exec → "running" in the log: config read, outputs, session and discovery set up, every
# sensor scheduled) and ready (exec → "first cycle complete: ready": every sensor has read and
# its readings are through the analysis), steady RSS and CPU over DURATION
# seconds after a WARMUP, and readings delivered per second at an independent subscriber.
# Prints a Markdown table.
#   bench/scale.sh                               # 50 500 2000 5000 sensors, 20 s each
#   SIZES="50 20000" DURATION=30 bench/scale.sh
#   BIN=.build/release/sensegate bench/scale.sh  # another binary (no build)
#   SIZES=20000 INTERVAL=10s bench/scale.sh      # each sensor every 10 s
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/deps.sh
sensegate_check_swift
if [ -z "${BIN:-}" ]; then
    swift build -c release --product sensegate --static-swift-stdlib -Xswiftc -Osize --scratch-path .build-static >&2
    BIN="$(swift build -c release --scratch-path .build-static --show-bin-path)/sensegate"
fi
duration=${DURATION:-20}
warmup=${WARMUP:-10}
work=$(mktemp -d /tmp/sensegate-scale-XXXXXX)
chmod 755 "$work"
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

echo "| sensors | check, best of 3 | start → running | start → ready | steady RSS (max) | RSS per sensor over 50 | CPU, % of one core | readings/s delivered |"
echo "|---|---|---|---|---|---|---|---|"
base_rss=""
for n in ${SIZES:-50 500 2000 5000}; do
    python3 bench/scale-config.py "$n" "$work/$n" "${INTERVAL:-1s}"
    best=""
    for _ in 1 2 3; do
        t0=$(now_ms); "$BIN" check --config "$work/$n/config.yaml" > /dev/null; t=$(( $(now_ms) - t0 ))
        if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
    done
    port=$(sensegate_free_port)
    printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\n' "$port" > "$work/m.conf"
    "$(command -v mosquitto || echo /usr/sbin/mosquitto)" -c "$work/m.conf" 2>/dev/null & broker=$!
    sensegate_wait_listening "$port"
    mosquitto_sub -h 127.0.0.1 -p "$port" -q 1 -t 'sensegate/+/sensor/#' -F '%U' > "$work/sub.txt" & sub=$!
    sleep 0.5
    t0=$(now_ms)
    "$BIN" run --config "$work/$n/config.yaml" --broker "mqtt://127.0.0.1:$port" 2>"$work/daemon.log" & pid=$!
    running="" ready=""
    for _ in $(seq 6000); do
        if [ -z "$running" ] && grep -q " running: node" "$work/daemon.log"; then running=$(( $(now_ms) - t0 )); fi
        if grep -q "first cycle complete" "$work/daemon.log"; then ready=$(( $(now_ms) - t0 )); break; fi
        sleep 0.005
    done
    sleep "$warmup"
    c0=$(ticks "$pid"); s0=$(date +%s.%N); m0=$(wc -l < "$work/sub.txt")
    rss_max=0 rss_sum=0 k=0
    for _ in $(seq "$duration"); do
        sleep 1
        r=$(rss_kib "$pid"); rss_sum=$((rss_sum + r)); k=$((k + 1))
        [ "$r" -gt "$rss_max" ] && rss_max=$r
    done
    c1=$(ticks "$pid"); s1=$(date +%s.%N); m1=$(wc -l < "$work/sub.txt")
    kill -TERM "$pid"; wait "$pid" || true
    kill "$sub" "$broker" 2>/dev/null || true; wait "$sub" "$broker" 2>/dev/null || true
    rss=$((rss_sum / k))
    [ -z "$base_rss" ] && { base_rss=$rss; base_n=$n; }
    awk -v n="$n" -v best="$best" -v running="${running:-none}" -v ready="${ready:-none}" -v rss="$rss" -v max="$rss_max" -v base="$base_rss" -v bn="$base_n" \
        -v c0="$c0" -v c1="$c1" -v s0="$s0" -v s1="$s1" -v hz="$hz" -v m0="$m0" -v m1="$m1" 'BEGIN {
        per = (n > bn) ? sprintf("%.1f KiB", (rss - base) / (n - bn)) : "—"
        printf "| %d | %d ms | %s ms | %s ms | %.1f MiB (%.1f) | %s | %.1f %% | %.0f |\n", n, best, running, ready, rss / 1024, max / 1024, per,
               (c1 - c0) / hz / (s1 - s0) * 100, (m1 - m0) / (s1 - s0) }'
done
