# Sourced by deploy/systemd-vm/test.sh: the guest's Debian 12 root file system, with systemd as
# PID 1, node_exporter, and the package's runtime libraries installed (so that `apt install ./sensegate.deb`
# in the guest needs no network), made once from the package test's debootstrap root and cached
# as a tarball named by its package list.
# Needs $cache, $repo and a say function; sets root_tar.
sensegate_systemd_root() {
    . "$repo/deploy/deps.sh"
    local extra=(systemd systemd-sysv dbus mosquitto-clients prometheus-node-exporter "${SENSEGATE_RUNTIME_PACKAGES[@]}")
    local key
    key=$(printf '%s\n' "${extra[@]}" | sha256sum | cut -c1-12)
    root_tar="$cache/debian12-systemd-root-$key.tar"
    [ -f "$root_tar" ] && return 0
    local base="$cache/debian12-package-root.tar"
    if [ ! -f "$base" ]; then
        say "debootstrap: a Debian 12 root file system (once)"
        local fresh
        fresh=$(mktemp -d /tmp/sensegate-debootstrap-XXXXXX)
        debootstrap --variant=minbase --include=adduser,init-system-helpers \
            bookworm "$fresh" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >&2
        tar -C "$fresh" -cf "$base.new" . && mv "$base.new" "$base"
        rm -rf "$fresh"
    fi
    say "adding systemd and the runtime libraries to the root file system (once): ${extra[*]}"
    local work
    work=$(mktemp -d /tmp/sensegate-systemd-root-XXXXXX)
    tar -C "$work" -xf "$base"
    mount -t proc proc "$work/proc"
    cp /etc/resolv.conf "$work/etc/resolv.conf"
    local status=0
    {
        chroot "$work" env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin apt-get update -qq &&
        chroot "$work" env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin \
            apt-get install -y -qq --no-install-recommends "${extra[@]}" &&
        chroot "$work" apt-get clean
    } >&2 || status=$?
    umount "$work/proc"
    if [ $status = 0 ]; then
        rm -rf "$work"/var/lib/apt/lists/* "$work/etc/resolv.conf"
        tar -C "$work" -cf "$root_tar.new" . && mv "$root_tar.new" "$root_tar"
    fi
    rm -rf "$work"
    return $status
}
