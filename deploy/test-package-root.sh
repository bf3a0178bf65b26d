#!/usr/bin/env bash
# Installs a built sensegate package with apt in a Debian 12 root file system (debootstrap,
# cached) and checks what dpkg and the maintainer scripts do: user and groups, state and config
# directories, the unit enabled, the default config passing `sensegate check`; an upgrade keeping
# an edited config and the state; remove keeping them; purge removing them. In a chroot, without
# systemd running (docs/packaging.md: the systemd side is the next step, in a VM).
#   deploy/test-package-root.sh dist/sensegate_0.7.0_amd64.deb
set -euo pipefail
deb=$(realpath "${1:?usage: deploy/test-package-root.sh PACKAGE.deb}")
cache=${SENSEGATE_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sensegate-kernel-vm}
tarball="$cache/debian12-package-root.tar"
fail() { echo "test-package-root: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "needs root (debootstrap, chroot)"

if [ ! -f "$tarball" ]; then
    mkdir -p "$cache"
    fresh=$(mktemp -d /tmp/sensegate-debootstrap-XXXXXX)
    debootstrap --variant=minbase --include=adduser,init-system-helpers \
        bookworm "$fresh" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >&2
    tar -C "$fresh" -cf "$tarball.new" . && mv "$tarball.new" "$tarball"
    rm -rf "$fresh"
fi
root=$(mktemp -d /tmp/sensegate-package-root-XXXXXX)
cleanup() {
    umount "$root/proc" 2>/dev/null || true
    rm -rf "$root"
}
trap cleanup EXIT
tar -C "$root" -xf "$tarball"
mount -t proc proc "$root/proc"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/sensegate.deb"
in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

# A first installation: apt fetches the runtime libraries the package depends on.
in_root apt-get update -qq >&2
in_root apt-get install -y -qq /tmp/sensegate.deb >&2
in_root getent passwd sensegate >/dev/null || fail "no sensegate user"
groups=$(in_root id -nG sensegate)
for g in sensegate i2c gpio; do grep -qw "$g" <<<"$groups" || fail "sensegate is not in $g ($groups)"; done
[ "$(in_root stat -c '%U:%G %a' /var/lib/sensegate)" = "sensegate:sensegate 750" ] || fail "state directory: $(in_root stat -c '%U:%G %a' /var/lib/sensegate)"
[ "$(in_root stat -c '%G %a' /etc/sensegate/sensegate.yaml)" = "sensegate 640" ] || fail "config: $(in_root stat -c '%G %a' /etc/sensegate/sensegate.yaml)"
[ -L "$root/etc/systemd/system/multi-user.target.wants/sensegate.service" ] || fail "the unit is not enabled"
in_root sensegate check --config /etc/sensegate/sensegate.yaml >&2 || fail "the default config does not pass check"
in_root man -w sensegate >/dev/null 2>&1 || [ -f "$root/usr/share/man/man1/sensegate.1.gz" ] || fail "no manual page"

# An upgrade (the same version again: the scripts' upgrade path) keeps an edited config and the state.
echo "# edited on site" >> "$root/etc/sensegate/sensegate.yaml"
echo 4242 > "$root/var/lib/sensegate/seq"
in_root dpkg -i --force-confdef --force-confold /tmp/sensegate.deb >&2
grep -q "edited on site" "$root/etc/sensegate/sensegate.yaml" || fail "an upgrade lost the edited config"
[ "$(cat "$root/var/lib/sensegate/seq")" = 4242 ] || fail "an upgrade lost the state"
[ -L "$root/etc/systemd/system/multi-user.target.wants/sensegate.service" ] || fail "an upgrade disabled the unit"

# Remove keeps the config and the state; purge removes both.
in_root dpkg -r sensegate >&2
[ ! -e "$root/usr/bin/sensegate" ] || fail "remove left the binary"
[ -f "$root/etc/sensegate/sensegate.yaml" ] && [ -f "$root/var/lib/sensegate/seq" ] || fail "remove took the config or the state"
in_root dpkg -P sensegate >&2
[ ! -e "$root/etc/sensegate" ] && [ ! -e "$root/var/lib/sensegate" ] || fail "purge left the config or the state"
echo "test-package-root: $(basename "$deb"): install, upgrade, remove and purge as documented"
