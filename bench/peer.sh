#!/usr/bin/env bash
# Side by side with mqtt-io (docs/benchmarks.md, "Side by side with mqtt-io"): installs
# mqtt-io 2.7.0 from PyPI in a private venv (.build-peer/venv) with the stand-in modules of
# bench/peer/, builds sensegate as deployed (static Swift runtime, -Osize) and sensegate-bench,
# and runs bench/peer/compare.py: the same workloads on both, one system at a time, each against
# a private mosquitto; prints one Markdown table with ratios. Takes about 25 minutes.
#   bench/peer.sh
#   SIZES="50 2000" DURATION=20 bench/peer.sh
#   SENSEGATE_ONLY=1 SIZES="2000 5000 7000" DURATION=20 bench/peer.sh   # sensegate and the bare publisher only
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/deps.sh
sensegate_check_swift
swift build -c release --product sensegate --static-swift-stdlib -Xswiftc -Osize --scratch-path .build-static >&2
sensegate="$(swift build -c release --scratch-path .build-static --show-bin-path)/sensegate"
swift build -c release --product sensegate-bench >&2
bench="$(swift build -c release --show-bin-path)/sensegate-bench"

venv=.build-peer/venv
if ! "$venv/bin/python" -c 'import mqtt_io, importlib.metadata as m; assert m.version("mqtt-io") == "2.7.0"' 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet mqtt-io==2.7.0 >&2
fi
modules=$("$venv/bin/python" -c 'import mqtt_io.modules, os; print(os.path.dirname(mqtt_io.modules.__file__))')
cp bench/peer/standin_sensor.py "$modules/sensor/sensegate_standin.py"
cp bench/peer/standin_gpio.py "$modules/gpio/sensegate_standin.py"
exec "$venv/bin/python" bench/peer/compare.py --sensegate "$sensegate" --bench "$bench" \
    --sizes "${SIZES:-50 500 2000 5000 20000}" --duration "${DURATION:-30}" --warmup "${WARMUP:-10}" --commands "${COMMANDS:-200}" \
    ${SENSEGATE_ONLY:+--sensegate-only}
