#!/usr/bin/env bash
# The whole test suite: installs what it needs (Debian packages), builds, and runs every test —
# unit, driver/emulator round trips, MQTT against real mosquitto brokers on free loopback ports,
# the built daemon end to end as a process, and the kernel suite in a VM (deploy/kernel-vm).
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/deps.sh
sensegate_install_packages
sensegate_check_swift
# The module graph: every import declared in Package.swift (and the check proven on a planted one).
python3 deploy/check-imports.py --self-test
python3 deploy/check-imports.py
# The formatting: .swift-format at the root, as `swift format format -i -r Sources Tests Fuzz
# Package.swift` leaves it; any difference fails (--strict makes findings errors).
swift format lint --strict -r Sources Tests Fuzz Package.swift
swift build --build-tests
if [ $# -eq 0 ]; then
    # The hostile-broker test floods the machine for about 15 s: alone, it cannot starve the
    # end-to-end tests that run the simulated world faster than real time. The reflex on a slow
    # card measures latency: alone too, or the suite's parallel tests decide what it measures.
    # A test that fails in this parallel pass is run again alone, loudly, and fails CI only if it
    # fails there too: PollingScheduleTests.aConvertingPartHoldsNoSlot waited 60 s in vain in
    # one of four full runs here on 2026-12-07 (and in two of three under ThreadSanitizer), and
    # passes alone (not understood: docs/testing.md).
    set +e
    swift test --skip-build --skip HostileBrokerTests --skip ReflexSlowCardTests 2>&1 | tee .build/suite.out
    code=${PIPESTATUS[0]}
    set -e
    if [ "$code" -ne 0 ]; then
        failed=$(deploy/failed-tests.sh .build/suite.out)
        [ -n "$failed" ] || exit "$code"
        echo "test.sh: FAILED in the parallel pass, running alone: $failed" >&2
        swift test --skip-build --filter "$failed"
        echo "test.sh: they passed alone (a timing failure of the parallel pass): $failed" >&2
    fi
    swift test --skip-build --filter HostileBrokerTests
    swift test --skip-build --filter ReflexSlowCardTests
else
    swift test --skip-build "$@"
fi
# The chaos run's short form (docs/testing.md, "Chaos run"): the daemon under broker, link,
# process, disk, power and sensor faults while its actuators are commanded; a missed goal fails.
# Root only (a network namespace, nftables, a loop-mounted file system). SENSEGATE_CHAOS=0 leaves it out.
if [ "${SENSEGATE_CHAOS:-1}" != 0 ] && [ $# -eq 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        python3 deploy/chaos/chaos.py --bin "$(swift build --show-bin-path)/sensegate"
    else
        echo "test.sh: not root: the chaos run (deploy/chaos/chaos.py) was NOT run" >&2
    fi
fi
# The suite again under ThreadSanitizer and AddressSanitizer (deploy/sanitizers.sh): any report
# fails. SENSEGATE_SANITIZERS=0 leaves them out.
if [ "${SENSEGATE_SANITIZERS:-1}" != 0 ] && [ $# -eq 0 ]; then
    deploy/sanitizers.sh
fi
# Every parser of outside input under libFuzzer with AddressSanitizer: the committed corpora
# replayed, then each target fuzzed for SENSEGATE_FUZZ_SECONDS (60; 0 leaves it out). Fuzz/fuzz.sh.
if [ "${SENSEGATE_FUZZ_SECONDS:-60}" != 0 ] && [ $# -eq 0 ]; then
    Fuzz/fuzz.sh build
    Fuzz/fuzz.sh ci "${SENSEGATE_FUZZ_SECONDS:-60}"
fi
# The Debian package (docs/packaging.md), built as a technician builds it, then checked: lintian,
# its files, conffile, scripts and Depends; then installed, upgraded, removed and purged with
# apt and dpkg in a Debian 12 root file system, and under a real systemd in a QEMU guest (start
# after READY=1, reload, watchdog, sandbox, journald, upgrade, purge). SENSEGATE_PACKAGE=0 leaves it out.
if [ "${SENSEGATE_PACKAGE:-1}" != 0 ] && [ $# -eq 0 ]; then
    deb=$(OUT=.build/dist deploy/package-deb.sh)
    deploy/check-package.sh "$deb"
    if [ "$(id -u)" = 0 ]; then
        deploy/test-package-root.sh "$deb"   # apt install, upgrade, remove, purge in a Debian 12 root
        deploy/systemd-vm/test.sh "$deb"     # the same under systemd as PID 1 in a QEMU guest
    else
        echo "test.sh: not root: the package's install tests (deploy/test-package-root.sh, deploy/systemd-vm/test.sh) were NOT run" >&2
    fi
fi
# The Linux backends against the kernel's own drivers in a QEMU guest, built against libgpiod v1
# (Debian 12) and v2 (docs/testing.md), then the power-cut test. SENSEGATE_KERNEL_TESTS=0 leaves them out.
if [ "${SENSEGATE_KERNEL_TESTS:-1}" != 0 ] && [ $# -eq 0 ]; then
    deploy/kernel-vm/test.sh
    deploy/kernel-vm/test.sh --libgpiod2
    # Power cuts at the block level (dm-flakey) during heavy outbox traffic, in the same guest.
    python3 deploy/kernel-vm/power_cut.py --bin "$(swift build --show-bin-path)/sensegate"
fi
