#!/usr/bin/env bash
# A fleet through bridged brokers (docs/benchmarks.md, "A fleet through bridged brokers"):
# N gateways (the deployed build, 5 BME280s each on the simulated board) publishing to two edge
# mosquittos bridged to a central one; per-gateway and broker cost as N grows, then an edge broker
# killed and a bridge link cut, and every gateway's `seq` checked at the central subscriber
# (bench/fleet.py). Prints a Markdown table. About 2 minutes per size.
#   bench/fleet.sh                     # 10, 50 and 200 gateways
#   SIZES="10" bench/fleet.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/deps.sh
sensegate_check_swift
swift build -c release --product sensegate --static-swift-stdlib -Xswiftc -Osize --scratch-path .build-static >&2
sensegate="$(swift build -c release --scratch-path .build-static --show-bin-path)/sensegate"
exec python3 bench/fleet.py --sensegate "$sensegate" --sizes "${SIZES:-10 50 200}"
