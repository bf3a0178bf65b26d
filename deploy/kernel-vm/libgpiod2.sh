#!/usr/bin/env bash
# Builds libgpiod v2 (the API of Debian 13 and Raspberry Pi OS trixie) as a shared library from
# the C sources the `gpiod` Python package bundles on PyPI, and prints a PKG_CONFIG_PATH under
# which `pkg-config libgpiod` finds it instead of Debian 12's v1. Cached.
#   PKG_CONFIG_PATH=$(deploy/kernel-vm/libgpiod2.sh) swift build --scratch-path .build-gpiod2 …
set -euo pipefail
cache=${SENSEGATE_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sensegate-kernel-vm}
version=2.5.0   # the Python package; it bundles libgpiod 2.3
sha256=53ae5a1f14d6388c155b591ca0fc0cfa73b44d4f6d8d117e8a9e68f5902d187a
prefix="$cache/libgpiod-v2-$version"
if [ ! -f "$prefix/.done" ]; then
    rm -rf "$prefix"
    mkdir -p "$prefix/src" "$prefix/lib" "$prefix/include" "$prefix/pkgconfig" "$cache/downloads"
    tarball="$cache/downloads/gpiod-$version.tar.gz"
    if [ ! -f "$tarball" ]; then
        python3 -m pip download --quiet --no-deps --no-binary :all: --dest "$cache/downloads" "gpiod==$version" >&2
    fi
    echo "$sha256  $tarball" | sha256sum -c --quiet - >&2
    tar -xzf "$tarball" -C "$prefix/src" --strip-components=1
    api=$(cat "$prefix/src/libgpiod-version.txt")
    for c in "$prefix"/src/lib/*.c; do
        gcc -O2 -fPIC -D_GNU_SOURCE -c -I"$prefix/src/include" -I"$prefix/src/lib" -DGPIOD_API_VERSION_STR="\"$api\"" \
            "$c" -o "$prefix/lib/$(basename "$c" .c).o"
    done
    # Shared: SwiftPM puts pkg-config's libraries before the objects on the link line, where a
    # static archive would contribute nothing.
    gcc -shared -o "$prefix/lib/libgpiod_v2.so" -Wl,-soname,libgpiod_v2.so "$prefix"/lib/*.o
    rm "$prefix"/lib/*.o
    cp "$prefix/src/include/gpiod.h" "$prefix/include/"
    cat > "$prefix/pkgconfig/libgpiod.pc" <<PC
prefix=$prefix
Name: libgpiod
Description: libgpiod $api (v2 API), from PyPI gpiod $version
Version: $api
Cflags: -I\${prefix}/include
Libs: -L\${prefix}/lib -lgpiod_v2
PC
    touch "$prefix/.done"
fi
echo "$prefix/pkgconfig"
