#!/usr/bin/env bash
# How `sensegate check` scales with the size of a config (docs/benchmarks.md, "Checking a large
# config"): generated configs of SIZES sensors (each with quality checks, filters, a derived
# channel, a window and an alarm; a rule and an actuator per ten; bench/large-config.py), checked
# by the release binary, best of RUNS wall-clock times each. Prints a Markdown table.
#   bench/check.sh                          # 1000 2000 4000 7000 sensors, best of 3
#   SIZES="500 1000" RUNS=5 bench/check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/deps.sh
sensegate_check_swift
swift build -c release --product sensegate >&2
bin="$(swift build -c release --show-bin-path)/sensegate"
work=$(mktemp -d /tmp/sensegate-check-XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "| sensors | config size | lines | check, best of ${RUNS:-3} | per 1000 sensors |"
echo "|---|---|---|---|---|"
for n in ${SIZES:-1000 2000 4000 7000}; do
    python3 bench/large-config.py "$n" "$work/$n"
    best=""
    for _ in $(seq "${RUNS:-3}"); do
        start=$(date +%s%N)
        "$bin" check --config "$work/$n/config.yaml" > /dev/null
        t=$(( ($(date +%s%N) - start) / 1000000 ))
        if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
    done
    size=$(stat -c %s "$work/$n/config.yaml")
    lines=$(wc -l < "$work/$n/config.yaml")
    echo "| $n | $(awk -v b="$size" 'BEGIN {printf "%.2f MiB", b / 1048576}') | $lines | ${best} ms | $(( best * 1000 / n )) ms |"
done
