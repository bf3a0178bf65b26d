#!/usr/bin/env bash
# Checks a built sensegate package (docs/packaging.md, "Checked"): lintian without errors or
# warnings, the files a station needs, the conffile, the maintainer scripts, a stripped binary,
# the unit pointing at it, and Depends with runtime libraries only.
#   deploy/check-package.sh dist/sensegate_0.7.0_amd64.deb
set -euo pipefail
deb=${1:?usage: deploy/check-package.sh PACKAGE.deb}
fail() { echo "check-package: $deb: $*" >&2; exit 1; }

contents=$(dpkg-deb --contents "$deb" | awk '{print $6}')
for f in ./usr/bin/sensegate ./lib/systemd/system/sensegate.service ./etc/sensegate/sensegate.yaml \
         ./usr/share/sensegate/boards/sim.yaml ./usr/share/sensegate/boards/raspberry-pi-4.yaml \
         ./usr/share/sensegate/boards/raspberry-pi-5.yaml ./usr/share/sensegate/boards/raspberry-pi-zero-2-w.yaml \
         ./usr/share/doc/sensegate/copyright ./usr/share/doc/sensegate/changelog.gz ./usr/share/man/man1/sensegate.1.gz; do
    grep -qxF "$f" <<<"$contents" || fail "has no $f"
done

work=$(mktemp -d /tmp/sensegate-check-package-XXXXXX)
trap 'rm -rf "$work"' EXIT
dpkg-deb --control "$deb" "$work/DEBIAN"
dpkg-deb --extract "$deb" "$work/root"
[ "$(cat "$work/DEBIAN/conffiles")" = /etc/sensegate/sensegate.yaml ] || fail "conffiles is not the configuration alone"
for s in postinst prerm postrm; do [ -x "$work/DEBIAN/$s" ] || fail "has no executable $s"; done
grep -q '^ExecStart=/usr/bin/sensegate run ' "$work/root/lib/systemd/system/sensegate.service" || fail "the unit does not start /usr/bin/sensegate"
if readelf -S "$work/root/usr/bin/sensegate" | grep -q '\.symtab'; then fail "the binary is not stripped"; fi
"$work/root/usr/bin/sensegate" version >/dev/null || fail "the packaged binary does not run here"

depends=$(dpkg-deb --field "$deb" Depends)
for lib in libmosquitto1 libssl3 libgpiod libi2c0 libyaml libsqlite3 adduser ca-certificates procps; do
    grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
if grep -Eq '(^|, )(mosquitto|mosquitto-clients|python3[^,]*|swift[^,]*|clang[^,]*|gcc[^,]*|[a-z0-9.+-]*-dev)( |,|$)' <<<"$depends"; then
    fail "Depends names a build or test tool: $depends"
fi

if command -v lintian >/dev/null; then
    lintian --fail-on error,warning --info "$deb" >&2
else
    fail "lintian is not installed (deploy/deps.sh, test list)"
fi
echo "check-package: $deb: OK ($(du -h "$deb" | cut -f1), Depends: $depends)"
