#!/usr/bin/env bash
# Builds the Debian package for the machine it runs on (docs/packaging.md):
#   deploy/package-deb.sh                         release, -Osize, static Swift runtime, stripped
#   SENSEGATE_BINARY=path deploy/package-deb.sh   package a binary built before
#   OUT=dir deploy/package-deb.sh                 where the .deb goes (default: dist/)
# Prints the package's path. Needs dpkg-dev (dpkg-shlibdeps) and, to check it, lintian.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/deps.sh

version=$(sed -n 's/.*static let string = "\(.*\)".*/\1/p' Sources/SenseWire/Version.swift)
arch=$(dpkg --print-architecture)
out=${OUT:-dist}
# Who answers for the package (Maintainer, changelog). Set it for a real release.
maintainer=${MAINTAINER:-"sensegate maintainers <maintainers@sensegate.github.io>"}
[ -n "$version" ] || { echo "package-deb: no version in Sources/SenseWire/Version.swift" >&2; exit 1; }

if [ -z "${SENSEGATE_BINARY:-}" ]; then
    sensegate_install_packages build
    sensegate_check_swift
    swift build -c release --product sensegate --static-swift-stdlib -Xswiftc -Osize >&2
    SENSEGATE_BINARY="$(swift build -c release --show-bin-path)/sensegate"
fi

stage=$(mktemp -d /tmp/sensegate-deb-XXXXXX)
trap 'rm -rf "$stage"' EXIT
root="$stage/sensegate_${version}_${arch}"
doc="$root/usr/share/doc/sensegate"
install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/sensegate/boards" "$root/lib/systemd/system" \
           "$root/etc/sensegate" "$root/usr/share/man/man1" "$doc"
install -m 0755 "$SENSEGATE_BINARY" "$root/usr/bin/sensegate"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/sensegate"
install -m 0644 boards/*.yaml "$root/usr/share/sensegate/boards/"
# The unit as in the repository, with the packaged binary's path.
sed 's|/usr/local/bin/sensegate|/usr/bin/sensegate|g' systemd/sensegate.service > "$root/lib/systemd/system/sensegate.service"
chmod 0644 "$root/lib/systemd/system/sensegate.service"
# The default configuration (a conffile: an upgrade keeps the technician's edits).
install -m 0644 examples/raspberry-pi.yaml "$root/etc/sensegate/sensegate.yaml"
install -m 0644 deploy/debian/copyright "$doc/copyright"
for f in README.md docs/operations.md docs/configuration.md docs/mqtt.md docs/packaging.md; do
    install -m 0644 "$f" "$doc/$(basename "$f")"
done
gzip -9n "$doc/configuration.md" "$doc/mqtt.md" "$doc/operations.md"
# The changelog and the manual page, dated by the commit they are built from (the same tree
# builds the same package).
when=$(git log -1 --format=%ct 2>/dev/null || date +%s)
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$(date -u -d "@$when" +%Y-%m-%d)/" deploy/debian/sensegate.1 |
    gzip -9n > "$root/usr/share/man/man1/sensegate.1.gz"
chmod 0644 "$root/usr/share/man/man1/sensegate.1.gz"
{
    echo "sensegate ($version) unstable; urgency=medium"
    echo
    echo "  * Built by deploy/package-deb.sh from commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
    echo
    echo " -- $maintainer  $(date -R -u -d "@$when")"
} | gzip -9n > "$doc/changelog.gz"   # a native package: changelog.gz, not changelog.Debian.gz
chmod 0644 "$doc/changelog.gz"

install -m 0755 deploy/debian/postinst deploy/debian/prerm deploy/debian/postrm "$root/DEBIAN/"
(cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"
echo /etc/sensegate/sensegate.yaml > "$root/DEBIAN/conffiles"

# Depends: the shared libraries the binary needs, as dpkg-shlibdeps finds them (no compiler,
# broker or Python), and adduser for postinst.
mkdir -p "$stage/src/debian"
printf 'Source: sensegate\n\nPackage: sensegate\nArchitecture: any\n' > "$stage/src/debian/control"
shlibs=$(cd "$stage/src" && dpkg-shlibdeps -O "$root/usr/bin/sensegate" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "package-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: sensegate
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Depends: $shlibs, adduser, ca-certificates, procps, init-system-helpers (>= 1.54~)
Section: net
Priority: optional
Homepage: https://github.com/sensegate/sensegate
Description: edge sensor gateway: I2C and GPIO sensors to MQTT, with local reflexes
 sensegate reads air-quality, hydrology and traffic sensors over I2C and
 GPIO on a Raspberry Pi class board, analyses them (quality flags, physical
 models, ISA-18.2 alarms, rules), drives actuators locally within their
 safety rules, and publishes everything over MQTT with a durable outbox
 (MQTT 5, SenML, Home Assistant discovery, CAP 1.2 alerts). It runs as a
 hardened systemd service (Type=notify, watchdog, reload).
CONTROL

mkdir -p "$out"
deb="$out/sensegate_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >&2
echo "$deb"
