#!/usr/bin/env bash
# The outbox benchmarks for docs/benchmarks.md, release build, against a mosquitto on 127.0.0.1:
#   - bytes written per hour at the reference load (10 messages/s), broker away and broker up;
#   - replay rate after a 1-hour outage (36,000 messages), order checked by a subscriber;
#   - RSS, reopen time and replay rate with a backlog of BACKLOG messages (default 1,000,000).
#   bench/outbox.sh                       # 60 s at the reference pace, 1,000,000 backlog
#   PACE=20 BACKLOG=200000 bench/outbox.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/deps.sh
sensegate_install_packages
sensegate_check_swift
swift build -c release --product sensegate-bench >&2
bench="$(swift build -c release --show-bin-path)/sensegate-bench"
work=$(mktemp -d /tmp/sensegate-outbox-XXXXXX)
chmod 755 "$work"
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work" /tmp/sensegate-outbox-bench-*' EXIT
port=$(sensegate_free_port)
# max_queued_messages 0: the broker keeps every message for the benchmark's subscriber.
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\nset_tcp_nodelay true\n' "$port" > "$work/m.conf"
"$(command -v mosquitto || echo /usr/sbin/mosquitto)" -c "$work/m.conf" 2>/dev/null &
sensegate_wait_listening "$port"
"$bench" outbox "$port" "${PACE:-60}" "${BACKLOG:-1000000}"

# The daemon itself, as deployed (static Swift runtime, -Osize, like deploy/install.sh and
# bench/run.sh), on examples/bench-12.yaml: RSS with the broker away and an empty outbox, then
# with a backlog of BACKLOG messages; then the replay to a fresh broker, counted by mosquitto_sub,
# with the daemon's RSS sampled every 0.5 s. The subscriber's persistent session is made (and
# saved by a clean broker stop) before the daemon starts, so the broker keeps every message for
# it however fast the daemon reconnects; the replay is timed from the first message received.
swift build -c release --product sensegate --static-swift-stdlib -Xswiftc -Osize --scratch-path .build-static >&2
daemon="$(swift build -c release --scratch-path .build-static --show-bin-path)/sensegate"
backlog=${BACKLOG:-1000000}
port2=$(sensegate_free_port)
daemon_config() {   # $1: state directory
    sed -e "s#^state_dir: .*#state_dir: $1#" -e "s#broker: .*#broker: mqtt://127.0.0.1:$port2\n  reconnect: {min: 1s, max: 2s}\n  outbox: {max_messages: 2000000, max_megabytes: 1024}#" \
        examples/bench-12.yaml > "$1.yaml"
}
rss_of() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
mosquitto_bin="$(command -v mosquitto || echo /usr/sbin/mosquitto)"
mkdir -p "$work/db" && chmod 777 "$work/db"   # the broker drops to the mosquitto user when run as root
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location %s/db/\nmax_queued_messages 0\nset_tcp_nodelay true\n' "$port2" "$work" > "$work/m2.conf"
"$mosquitto_bin" -c "$work/m2.conf" 2>/dev/null & broker2=$!
sensegate_wait_listening "$port2"
mosquitto_sub -h 127.0.0.1 -p "$port2" -q 1 -c -i backlog-watch -E -t 'sensegate/backlog/#'
kill -TERM $broker2; wait $broker2 || true
mkdir -p "$work/empty" "$work/state"
daemon_config "$work/empty"
"$daemon" run --config "$work/empty.yaml" 2>"$work/empty.log" & pid=$!
sleep 15
rss_empty=$(rss_of $pid)
kill -TERM $pid; wait $pid || true
"$bench" outbox-fill "$work/state/outbox.db" "$backlog" >&2
daemon_config "$work/state"
"$daemon" run --config "$work/state.yaml" 2>"$work/daemon.log" & pid=$!
sleep 15
rss_away=$(rss_of $pid)
"$mosquitto_bin" -c "$work/m2.conf" 2>/dev/null &
sensegate_wait_listening "$port2"
mosquitto_sub -h 127.0.0.1 -p "$port2" -q 1 -c -i backlog-watch -t 'sensegate/backlog/#' > "$work/received.txt" &
up=""
peak=$rss_away; last=0; still=0
while :; do
    sleep 0.5
    r=$(rss_of $pid); [ "$r" -gt "$peak" ] && peak=$r
    n=$(wc -l < "$work/received.txt")
    [ -z "$up" ] && [ "$n" -gt 0 ] && up=$(date +%s.%N)
    [ "$n" -ge "$backlog" ] && break
    if [ "$n" -eq "$last" ]; then still=$((still + 1)); [ "$still" -ge 60 ] && break; else still=0; fi
    last=$n
done
done_at=$(date +%s.%N)
n=$(wc -l < "$work/received.txt")
up=${up:-$done_at}
sleep 2
rss_after=$(rss_of $pid)
kill -TERM $pid; wait $pid || true
echo "| daemon (bench-12, static build), broker away 15 s, empty outbox: RSS | $((rss_empty / 1024)) MiB ($rss_empty KiB) |"
echo "| daemon, broker away 15 s, $backlog messages waiting: RSS | $((rss_away / 1024)) MiB ($rss_away KiB) |"
echo "| daemon: backlog delivered to a subscriber | $n of $backlog in $(awk -v a="$done_at" -v b="$up" 'BEGIN{printf "%.1f", a-b}') s, $(awk -v a="$done_at" -v b="$up" -v n="$n" 'BEGIN{printf "%d", n/(a-b)}') msg/s (from the first message, sampled every 0.5 s, with 36 live readings/s) |"
echo "| daemon: peak RSS during the replay (sampled every 0.5 s); 2 s after | $((peak / 1024)) MiB ($peak KiB); $((rss_after / 1024)) MiB |"
grep -E "outbox" "$work/daemon.log" | head -3 >&2
