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
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
"$bench" outbox "$port" "${PACE:-60}" "${BACKLOG:-1000000}"
