#!/usr/bin/env bash
# Boots Debian's own kernel in QEMU with real I2C and GPIO drivers and runs one program inside:
#   /dev/i2c-A   i2c-stub (the kernel's SMBus-only stub), chips at $VM_STUB_ADDRS
#   /dev/i2c-B   sg_i2c_sim (deploy/kernel-vm/modules): register files that also take plain
#                I2C messages (I2C_RDWR), chips at $VM_SIM_ADDRS
#   /dev/gpiochipN  gpio-sim, one bank of $VM_GPIO_LINES lines, driven through its sysfs pulls
# The guest learns the paths from its environment: SG_I2C_STUB, SG_I2C_SIM, SG_GPIO_CHIP,
# SG_GPIO_SYSFS (see guest-init.sh).
#
#   deploy/kernel-vm/vm.sh [--shell] PROGRAM [ARGS...]
#
# Prints the program's output and exits with its exit code (125 if the guest never reported one).
# Environment:
#   SENSEGATE_VM_CACHE  cache of downloads, kernel and modules (default ~/.cache/sensegate-kernel-vm)
#   VM_EXTRA            more host programs to copy in (with their libraries), at the same paths
#   VM_FILES            host files or directories copied in at the same paths (configs, boards)
#   VM_BROKER_PORT      a broker on the host's 127.0.0.1:PORT, reachable in the guest at
#                       10.0.2.100:1883 (user networking, restricted: nothing else is reachable)
#   VM_MODULES          more kernel modules to load in the guest, in order, with their dependencies
#                       (busybox modprobe ignores softdeps: name them; e.g.
#                       "loop dm-flakey crc32c_generic ext4" for deploy/kernel-vm/power_cut.py)
#   VM_KERNEL           pin a kernel ABI, e.g. 6.1.0-57-amd64 (default: what linux-image-amd64 wants)
#   VM_TIMEOUT=300 VM_MEM=1024M VM_CPUS=1
#     One virtual CPU by default: with two on a two-core host, a vCPU thread the host
#     deschedules for milliseconds delays gpio-sim's interrupt work, and two edges of a burst
#     then reach the kernel as one (libgpiod's own gpiomon loses them the same way).
# Facts this relies on (measured on the CI machines, see docs/testing.md): Debian's kernels lack
# CONFIG_GPIO_SIM, so gpio-sim.ko is built here out of tree from Debian's linux-source package;
# /dev/kvm there is paravirtual and hangs a stock kernel, so QEMU runs TCG unless kvm_intel or
# kvm_amd is loaded.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shell_mode=0
if [ "${1:-}" = "--shell" ]; then shell_mode=1; shift; fi
program=$(readlink -f "${1:?usage: vm.sh [--shell] PROGRAM [ARGS...]}"); shift
cache=${SENSEGATE_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sensegate-kernel-vm}
timeout_s=${VM_TIMEOUT:-300}
mem=${VM_MEM:-1024M}
mkdir -p "$cache/downloads"
started=$(date +%s.%N)
say() { printf '[vm %6.1fs] %s\n' "$(awk -v a="$(date +%s.%N)" -v b="$started" 'BEGIN{print a-b}')" "$*" >&2; }

# 1. Debian packages (the only registry used).
packages=(qemu-system-x86 busybox-static cpio kmod xz-utils make gcc libc6-dev)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. The kernel, its headers and the gpio-sim sources, once per kernel ABI (kernel.sh); the
#    modules are rebuilt when their sources change.
. "$here/kernel.sh"
sensegate_fetch_kernel
stamp=$(cat "$here/modules/"* "$0" | sha256sum | cut -c1-16)
build="$k/modules"
if [ "$(cat "$build/.stamp" 2>/dev/null)" != "$stamp" ]; then
    say "building gpio-sim.ko and sg_i2c_sim.ko for $kv"
    rm -rf "$build"
    mkdir -p "$build"
    cp "$k/gpio-sim/gpio-sim.c" "$build/gpio-sim-main.c"
    cp "$k/gpio-sim/gpiolib.h" "$build/"
    cp "$k/gpio-sim/irq_sim.c" "$build/"
    # irq_sim is built in only when some driver selects it, and irq_to_desc() is not exported to
    # modules: link irq_sim into gpio-sim and let it call the exported generic_handle_irq().
    sed -i 's/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq(irqnum);/' "$build/irq_sim.c"
    grep -q 'generic_handle_irq(irqnum);' "$build/irq_sim.c"
    cp "$here/modules/sg_i2c_sim.c" "$build/"
    printf 'obj-m += gpio-sim.o sg_i2c_sim.o\ngpio-sim-y := gpio-sim-main.o irq_sim.o\n' > "$build/Kbuild"
    make -s -C "$k/headers/usr/src/linux-headers-$kv" M="$build" modules 2>&1 | grep -v 'Skipping BTF' >&2 || true
    test -f "$build/gpio-sim.ko" && test -f "$build/sg_i2c_sim.ko"
    depmod -b "$k/image" "$kv"
    echo "$stamp" > "$build/.stamp"
fi

# 3. The initramfs: busybox, the modules, the program and every library it loads.
root="$cache/root.$$"
rm -rf "$root"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,etc,var/tmp,payload,lib/modules/"$kv"/extra}
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"; done
modules_dir="$k/image/lib/modules/$kv"
wanted="configfs i2c-dev i2c-stub"
[ -n "${VM_BROKER_PORT:-}" ] && wanted="$wanted e1000"
wanted="$wanted ${VM_MODULES:-}"
for m in $wanted; do
    modprobe -d "$k/image" -S "$kv" --show-depends "$m" | awk '$1 == "insmod" {print $2}' | while read -r ko; do
        rel=${ko#"$k/image"}
        mkdir -p "$root$(dirname "$rel")"
        cp "$ko" "$root$rel"
    done
done
cp "$build/gpio-sim.ko" "$build/sg_i2c_sim.ko" "$root/lib/modules/$kv/extra/"
cp "$modules_dir"/modules.order "$modules_dir"/modules.builtin* "$root/lib/modules/$kv/"
depmod -b "$root" "$kv"
copy_program() {   # an ELF and each library ldd resolves, at the same paths
    local from=$1 to=$2
    mkdir -p "$root$(dirname "$to")"
    cp -L "$from" "$root$to"
    { ldd "$from" 2>/dev/null || true; } | { grep -o '/[^ ]*' || true; } | sort -u | while read -r lib; do
        [ -e "$root$lib" ] && continue
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
}
copy_program "$program" /payload/program
for p in ${VM_EXTRA:-}; do copy_program "$(readlink -f "$p")" "$(readlink -f "$p")"; done
for f in ${VM_FILES:-}; do mkdir -p "$root$(dirname "$f")"; cp -rL "$f" "$root$f"; done
( cd "$root" && find . -name '*.so*' -printf '/%h\n' | sed 's#^/\./#/#' | sort -u ) > "$root/etc/ld.so.conf"
ldconfig -r "$root" 2>/dev/null || true
printf '%q ' "$@" > "$root/payload/args"
printf '%s\n' "${VM_STUB_ADDRS:-0x50,0x76,0x77}" > "$root/payload/stub_addrs"
printf '%s\n' "${VM_SIM_ADDRS:-0x44,0x62}" > "$root/payload/sim_addrs"
printf '%s\n' "${VM_GPIO_LINES:-16}" > "$root/payload/gpio_lines"
[ -n "${VM_BROKER_PORT:-}" ] && echo 1 > "$root/payload/network"
printf '%s\n' ${VM_MODULES:-} > "$root/payload/modules"
cp "$here/guest-init.sh" "$root/init"
chmod +x "$root/init"
initrd="$cache/initrd.$$.cpio"
( cd "$root" && find . | cpio -o -H newc --quiet ) > "$initrd"
trap 'rm -rf "$root" "$initrd"' EXIT
say "initramfs $(du -h "$initrd" | cut -f1), kernel $kv"

# 4. Boot. The program's output comes on the second serial port; the console on the first.
accel=(-accel tcg)
if [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then accel=(-enable-kvm -cpu host); fi
out="$cache/program.$$.log"
console="$cache/console.$$.log"
trap 'rm -rf "$root" "$initrd" "$out" "$console"' EXIT
append="console=ttyS0 quiet panic=-1 rdinit=/init"
[ $shell_mode = 1 ] && append="$append sensegate.shell"
qemu=(qemu-system-x86_64 "${accel[@]}" -m "$mem" -smp "${VM_CPUS:-1}" -no-reboot -nodefaults -display none
      -kernel "$k/vmlinux" -initrd "$initrd" -append "$append")
if [ -n "${VM_BROKER_PORT:-}" ]; then
    # Restricted user networking: the guest reaches nothing but this one forward to the host's loopback.
    qemu+=(-netdev "user,id=net0,restrict=on,guestfwd=tcp:10.0.2.100:1883-cmd:$here/forward.sh ${VM_BROKER_PORT}"
           -device e1000,netdev=net0)
fi
if [ $shell_mode = 1 ]; then exec "${qemu[@]}" -serial mon:stdio -serial file:"$out"; fi
say "booting (${accel[*]})"
status=0
timeout "$timeout_s" "${qemu[@]}" -serial file:"$console" -serial file:"$out" </dev/null || status=$?
say "guest stopped (qemu $status)"
grep -av '^@@EXIT=' "$out" | tr -d '\r' || true
code=$(tr -d '\r' < "$out" | sed -n 's/^@@EXIT=\([0-9]*\)$/\1/p' | tail -1)
if [ -z "$code" ]; then
    echo "vm: the guest reported no exit code (timeout after ${timeout_s}s or a panic); console:" >&2
    tail -40 "$console" >&2
    exit 125
fi
say "exit code $code"
exit "$code"
