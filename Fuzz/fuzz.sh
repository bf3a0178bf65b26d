#!/usr/bin/env bash
# The fuzz targets under libFuzzer (docs/testing.md, "Fuzzing").
#
#   Fuzz/fuzz.sh build                 build .build-fuzz/sensegate-fuzz (-sanitize=fuzzer,address)
#   Fuzz/fuzz.sh run TARGET [ARGS…]    fuzz one target; ARGS go to libFuzzer (-max_total_time=60, -runs=N, …)
#   Fuzz/fuzz.sh ci SECONDS            replay every committed corpus, then fuzz each target SECONDS; fails on a finding
#   Fuzz/fuzz.sh merge TARGET          fold what a run found into the committed corpus, minimised
#   Fuzz/fuzz.sh list                  the targets
#
# Each target reads its seeds from Fuzz/Corpus/TARGET (committed) and keeps what it finds in
# .build-fuzz/work/TARGET (not committed until merged). A crash is written to
# .build-fuzz/artifacts/TARGET-crash-…; replay it with `FUZZ_TARGET=TARGET .build-fuzz/sensegate-fuzz FILE`,
# and keep it as a regression input under Fuzz/Corpus/TARGET once it is fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGETS=(config board command json scalars cli state outbox sensor)
BUILD=.build-fuzz
BINARY=$BUILD/sensegate-fuzz
# Modules the harness links, in dependency order (C objects of CLinuxShim included).
MODULES=(Logging CLinuxShim SenseCore SenseOS SenseWire SenseHardware SenseHardwareLinux SenseSimulator SenseModels SenseAnalysis SenseTraffic
         SenseReaction SenseDrivers SenseMQTT SenseConfig SenseSimulationRig SenseParts SenseDaemon SenseCLI SenseFuzzing)
export SENSEGATE_BOARDS="$PWD/boards"      # the config targets find boards/sim.yaml here
export SWIFT_BACKTRACE=enable=no           # libFuzzer and ASan print the stack; Swift's backtracer would trip ASan
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}"   # Swift's runtime keeps caches for good

build() {
    swift build --build-path "$BUILD" -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -g --target SenseFuzzing
    local objects=() m
    for m in "${MODULES[@]}"; do
        local dir="$BUILD/release/$m.build" src
        if [ -f "$dir/sources" ]; then
            # The module's current sources only: an object left by a file since moved or deleted
            # would be linked twice or reach for symbols that are gone.
            while read -r src; do objects+=("$dir/$(basename "$src").o"); done < "$dir/sources"
        else
            objects+=("$dir"/*.o)   # a C target
        fi
    done
    # SwiftPM renames an executable's `main`, so the entry point is linked here, where libFuzzer supplies `main`.
    swiftc -sanitize=fuzzer,address -g -O -parse-as-library Fuzz/Targets/Entry.swift \
        -I "$BUILD/release/Modules" -I Sources/CMosquitto -I Sources/CSQLite -I Sources/CYAML -I Sources/CGPIOD -I Sources/CCrypto \
        -Xcc -fmodule-map-file="$BUILD/release/CLinuxShim.build/module.modulemap" -I Sources/CLinuxShim/include \
        "${objects[@]}" -lmosquitto -lcrypto -lyaml -lsqlite3 -lgpiod -li2c -o "$BINARY.new" 2> >(grep -v "Cannot export local symbol" >&2)
    mv "$BINARY.new" "$BINARY"   # a rename: a run in progress keeps the binary it started with
    echo "built $BINARY"
}

known() { local t; for t in "${TARGETS[@]}"; do [ "$t" = "$1" ] && return 0; done; echo "unknown target '$1'; targets: ${TARGETS[*]}" >&2; return 64; }

run() {
    local target=$1; shift
    known "$target"
    mkdir -p "$BUILD/work/$target" "$BUILD/artifacts"
    FUZZ_TARGET=$target "$BINARY" -dict="Fuzz/Dictionaries/$target.dict" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$BUILD/artifacts/$target-" "$@" "$BUILD/work/$target" "Fuzz/Corpus/$target"
}

case "${1:-}" in
    build) build ;;
    run) [ $# -ge 2 ] || { echo "usage: $0 run TARGET [libFuzzer args]" >&2; exit 64; }; shift; run "$@" ;;
    ci)
        seconds=${2:-60}
        [ -x "$BINARY" ] || build
        for t in "${TARGETS[@]}"; do
            # libFuzzer runs every committed input first (INITED), then mutates for the time given.
            echo "== $t: the committed corpus ($(ls "Fuzz/Corpus/$t" | wc -l) inputs), then ${seconds} s of fuzzing"
            rm -f "$BUILD/artifacts/$t-"*
            run "$t" -max_total_time="$seconds" -print_final_stats=1 2>&1 \
                | grep -E "^#[0-9]+.*(INITED|DONE)|ERROR|SUMMARY|stat::number_of_executed_units|Test unit written" || true
            if ls "$BUILD/artifacts/$t-"* >/dev/null 2>&1; then
                echo "fuzz: $t found an input it cannot take: $(ls "$BUILD/artifacts/$t-"*)" >&2
                exit 1
            fi
        done
        ;;
    merge)
        [ $# -eq 2 ] || { echo "usage: $0 merge TARGET" >&2; exit 64; }
        known "$2"
        FUZZ_TARGET=$2 "$BINARY" -merge=1 -max_len=65536 "Fuzz/Corpus/$2" "$BUILD/work/$2"
        ;;
    list) printf '%s\n' "${TARGETS[@]}" ;;
    *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 64 ;;
esac
