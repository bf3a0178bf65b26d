#!/usr/bin/env bash
# Installs sensegate as a service on a Debian 12 / Raspberry Pi OS board:
#   sudo deploy/install.sh            build (release, -Osize, static Swift runtime), install, enable
#   DESTDIR=/tmp/root deploy/install.sh --no-systemctl   stage the files only (packaging, tests)
# Installs: /usr/local/bin/sensegate, /usr/local/share/sensegate/boards/*.yaml,
# /etc/systemd/system/sensegate.service, /etc/sensegate/sensegate.yaml (only if absent),
# and a system user `sensegate` in the i2c and gpio groups.
set -euo pipefail
cd "$(dirname "$0")/.."
systemctl_too=1
[ "${1:-}" = "--no-systemctl" ] && systemctl_too=0
dest="${DESTDIR:-}"

. deploy/deps.sh
if [ -z "${SENSEGATE_BINARY:-}" ]; then
    sensegate_install_packages build   # not the test tools: this may be a field unit
    sensegate_check_swift
    # -Osize: 0.3 MiB less resident memory than -O, measured in docs/benchmarks.md.
    swift build -c release --product sensegate --static-swift-stdlib -Xswiftc -Osize >&2
    SENSEGATE_BINARY="$(swift build -c release --show-bin-path)/sensegate"
fi

install -d "$dest/usr/local/bin" "$dest/usr/local/share/sensegate/boards" "$dest/etc/systemd/system" "$dest/etc/sensegate"
install -m 0755 "$SENSEGATE_BINARY" "$dest/usr/local/bin/sensegate"
install -m 0644 boards/*.yaml "$dest/usr/local/share/sensegate/boards/"
install -m 0644 systemd/sensegate.service "$dest/etc/systemd/system/sensegate.service"
if [ ! -e "$dest/etc/sensegate/sensegate.yaml" ]; then
    install -m 0640 examples/raspberry-pi.yaml "$dest/etc/sensegate/sensegate.yaml"
    echo "sensegate: wrote $dest/etc/sensegate/sensegate.yaml from examples/raspberry-pi.yaml: edit it" >&2
fi

if [ "$systemctl_too" = 1 ]; then
    for g in i2c gpio; do getent group "$g" >/dev/null || groupadd --system "$g"; done
    getent passwd sensegate >/dev/null || \
        useradd --system --no-create-home --home-dir /var/lib/sensegate --shell /usr/sbin/nologin \
                --user-group --groups i2c,gpio sensegate
    chgrp sensegate /etc/sensegate /etc/sensegate/sensegate.yaml
    systemctl daemon-reload
    systemctl enable sensegate.service
    echo "sensegate: installed. Check the config with: sensegate check --config /etc/sensegate/sensegate.yaml" >&2
    echo "sensegate: then: systemctl start sensegate; journalctl -u sensegate -f" >&2
fi
