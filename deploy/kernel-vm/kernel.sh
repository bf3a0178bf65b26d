# Sourced by the VM harnesses (vm.sh, deploy/systemd-vm/test.sh): Debian's own kernel, its
# headers and the gpio-sim sources, fetched with apt once per kernel ABI into the cache.
# Needs $cache and a say function; sets kv (the ABI, e.g. 6.1.0-57-amd64) and k (its folder,
# with image/ the unpacked package, vmlinux the uncompressed kernel, headers/, gpio-sim/).
sensegate_fetch_kernel() {
    if [ -n "${VM_KERNEL:-}" ]; then kv=$VM_KERNEL; else
        kv=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/{sub("linux-image-", "", $2); print $2; exit}')
    fi
    local kabi=${kv%-amd64}
    local series
    series=$(echo "$kv" | cut -d. -f1,2)
    k="$cache/kernel-$kv"
    [ -f "$k/.unpacked" ] && return 0
    say "fetching Debian's kernel $kv, its headers and linux-source-$series (about 240 MB, once)"
    rm -rf "$k"
    mkdir -p "$k" "$cache/downloads"
    ( cd "$cache/downloads" && apt-get download -qq -o APT::Sandbox::User=root "linux-image-$kv" "linux-headers-$kv" \
          "linux-headers-$kabi-common" "linux-kbuild-$series" "linux-source-$series" )
    dpkg-deb -x "$cache"/downloads/linux-image-"${kv}"_*.deb "$k/image"
    local d
    for d in "linux-headers-${kv}_" "linux-headers-${kabi}-common_" "linux-kbuild-${series}_"; do
        dpkg-deb -x "$cache"/downloads/"$d"*.deb "$k/headers"
    done
    # The headers' Makefile includes the common tree by its installed path: point it here.
    sed -i "s#^include /usr/src/#include $k/headers/usr/src/#" "$k/headers/usr/src/linux-headers-$kv/Makefile"
    mkdir -p "$k/gpio-sim"
    dpkg-deb --fsys-tarfile "$cache"/downloads/linux-source-"${series}"_*.deb \
        | tar -xO "./usr/src/linux-source-$series.tar.xz" | xz -dc -T0 \
        | tar -x -C "$k/gpio-sim" --strip-components=3 \
            "linux-source-$series/drivers/gpio/gpio-sim.c" "linux-source-$series/drivers/gpio/gpiolib.h" \
            "linux-source-$series/kernel/irq/irq_sim.c"
    # The kernel boots faster uncompressed (QEMU enters it through its PVH note, no in-guest XZ).
    local vmlinuz="$k/image/boot/vmlinuz-$kv" offset
    offset=$(grep -abo $'\xfd7zXZ\x00' "$vmlinuz" | head -1 | cut -d: -f1)
    tail -c +$((offset + 1)) "$vmlinuz" | xz -dc --single-stream > "$k/vmlinux" 2>/dev/null || true
    touch "$k/.unpacked"
}
