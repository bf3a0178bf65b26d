#!/usr/bin/env bash
# The Debian package under a real systemd: boots a Debian 12 root file system (debootstrap,
# cached) with systemd as PID 1 in QEMU on Debian's own kernel, and in it installs the package
# with apt, starts it, reloads it, freezes it for the watchdog, probes its sandbox, upgrades and
# purges it (guest-test.sh says what each step checks). The station publishes over TLS to a
# mosquitto on this machine, which records every message; this script then checks that the
# readings arrived and that no sequence number was used for two different messages across the
# restarts and the upgrade (docs/packaging.md).
#   deploy/systemd-vm/test.sh dist/sensegate_0.7.0_amd64.deb
# Needs root (the image keeps the files' owners). Environment: SENSEGATE_VM_CACHE (as the
# kernel harness), VM_TIMEOUT (600 s), VM_SHELL=1 for a root shell on the console instead of the test.
set -euo pipefail
deb=$(realpath "${1:?usage: deploy/systemd-vm/test.sh PACKAGE.deb}")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${SENSEGATE_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sensegate-kernel-vm}
started=$(date +%s.%N)
say() { printf '[systemd-vm %6.1fs] %s\n' "$(awk -v a="$(date +%s.%N)" -v b="$started" 'BEGIN{print a-b}')" "$*" >&2; }
fail() { echo "systemd-vm: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "needs root (debootstrap, chroot, the image's file owners)"
. "$repo/deploy/deps.sh"
for p in qemu-system-x86 busybox-static cpio kmod e2fsprogs openssl mosquitto mosquitto-clients debootstrap; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" >/dev/null
done

. "$repo/deploy/kernel-vm/kernel.sh"
sensegate_fetch_kernel
. "$here/root.sh"
sensegate_systemd_root

work=$(mktemp -d /tmp/sensegate-systemd-vm-XXXXXX)
broker=""
recorder=""
cleanup() {
    [ -n "$broker" ] && { kill "$broker" "$recorder" 2>/dev/null || true; wait 2>/dev/null || true; }
    rm -rf "$work"
}
trap cleanup EXIT

# 1. The packages: the one under test, and the same files as an older version to upgrade from
#    (this is the first release with a package, so there is no older .deb to take).
version=$(dpkg-deb -f "$deb" Version)
previous="${version}~vmtest1"
dpkg-deb -R "$deb" "$work/prev"
sed -i "s/^Version: .*/Version: $previous/" "$work/prev/DEBIAN/control"
dpkg-deb --root-owner-group -Zxz --build "$work/prev" "$work/sensegate_previous.deb" >/dev/null
rm -rf "$work/prev"

# 2. A broker on this machine with a TLS listener for the guest (a CA of its own, the server
#    certificate naming the guest's address for it, 10.0.2.100) and a plain one for the recorder.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=sensegate vm test CA" \
    -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=10.0.2.100" -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=IP:10.0.2.100,IP:127.0.0.1\n' > "$work/san.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
    -extfile "$work/san.ext" -out "$work/server.pem" 2>/dev/null
tls_port=$(sensegate_free_port)
plain_port=$(sensegate_free_port)
while [ "$plain_port" = "$tls_port" ]; do plain_port=$(sensegate_free_port); done
# user root: the broker keeps this script's user instead of dropping to `mosquitto`, which
# could not read the key in this private folder.
cat > "$work/mosquitto.conf" <<CONF
user root
per_listener_settings false
allow_anonymous true
persistence false
listener $tls_port 127.0.0.1
cafile $work/ca.pem
certfile $work/server.pem
keyfile $work/server.key
listener $plain_port 127.0.0.1
CONF
mosquitto -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 &
broker=$!
sensegate_wait_listening "$tls_port"
sensegate_wait_listening "$plain_port"
mosquitto_sub -h 127.0.0.1 -p "$plain_port" -i sensegate-vm-recorder -q 1 -t 'vmtest/#' -v > "$work/recorded" 2>&1 &
recorder=$!

# 3. The guest's disk: the cached root, the test and its files, as an ext4 image.
say "making the guest's disk"
root="$work/root"
mkdir -p "$root"
tar -C "$root" -xf "$root_tar"
vm="$root/usr/local/lib/sensegate-vm"
mkdir -p "$vm" "$root/root/vm"
install -m 0755 "$here/guest-test.sh" "$here/probe.sh" "$vm/"
install -m 0644 "$here/station.yaml" "$work/ca.pem" "$root/root/vm/"
cp "$deb" "$root/root/vm/sensegate_current.deb"
cp "$work/sensegate_previous.deb" "$root/root/vm/sensegate_previous.deb"
printf '%s\n%s\n' "$version" "$previous" > "$root/root/vm/versions"
install -m 0644 "$here/sensegate-vm-test.service" "$root/etc/systemd/system/"
ln -sf /etc/systemd/system/sensegate-vm-test.service "$root/etc/systemd/system/multi-user.target.wants/sensegate-vm-test.service"
# No udev in the guest: nothing may wait for a device unit (no fstab, no gettys).
: > "$root/etc/fstab"
for u in serial-getty@ttyS0.service serial-getty@ttyS1.service getty@tty1.service; do ln -sf /dev/null "$root/etc/systemd/system/$u"; done
echo sensegate-vm > "$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 sensegate-vm\n' > "$root/etc/hosts"
mkfs.ext4 -q -F -L root -d "$root" "$work/disk.img" 1536M
rm -rf "$root"

# 4. The initramfs: busybox loads the drivers (disk, network, I2C), sets the guest's address on
#    QEMU's user network, mounts the disk and hands over to systemd.
initrd="$work/initrd"
mkdir -p "$initrd"/{bin,dev,proc,sys,newroot,lib/modules/"$kv"}
cp /bin/busybox "$initrd/bin/busybox"
for applet in sh mount umount switch_root modprobe ip mkdir sleep cat echo; do ln -sf busybox "$initrd/bin/$applet"; done
for m in virtio_pci virtio_blk ext4 crc32c_generic e1000 i2c-dev i2c-stub; do
    modprobe -d "$k/image" -S "$kv" --show-depends "$m" | awk '$1 == "insmod" {print $2}' | while read -r ko; do
        rel=${ko#"$k/image"}
        mkdir -p "$initrd$(dirname "$rel")"
        cp "$ko" "$initrd$rel"
    done
done
cp "$k/image/lib/modules/$kv"/modules.order "$k/image/lib/modules/$kv"/modules.builtin* "$initrd/lib/modules/$kv/"
depmod -b "$initrd" "$kv"
install -m 0755 "$here/initramfs-init.sh" "$initrd/init"
( cd "$initrd" && find . | cpio -o -H newc --quiet ) > "$work/initrd.cpio"

# 5. Boot. The test reports on the second serial port and powers the guest off.
accel=(-accel tcg)
if [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then accel=(-enable-kvm -cpu host); fi
append="console=ttyS0 panic=-1 rdinit=/init systemd.unit=multi-user.target systemd.show_status=0"
qemu=(qemu-system-x86_64 "${accel[@]}" -m 1024M -smp 1 -no-reboot -nodefaults -display none
      -kernel "$k/vmlinux" -initrd "$work/initrd.cpio"
      -drive "file=$work/disk.img,if=virtio,format=raw"
      -netdev "user,id=net0,restrict=on,guestfwd=tcp:10.0.2.100:8883-cmd:$repo/deploy/kernel-vm/forward.sh $tls_port"
      -device e1000,netdev=net0)
if [ "${VM_SHELL:-0}" = 1 ]; then
    exec "${qemu[@]}" -append "$append sensegate.shell" -serial mon:stdio -serial file:"$work/guest.log"
fi
say "booting ${accel[*]} (kernel $kv)"
status=0
timeout "${VM_TIMEOUT:-600}" "${qemu[@]}" -append "$append" -serial file:"$work/console.log" \
    -serial file:"$work/guest.log" </dev/null || status=$?
say "guest stopped (qemu $status)"
tr -d '\r' < "$work/guest.log" | grep -av '^@@EXIT=' >&2 || true
code=$(tr -d '\r' < "$work/guest.log" | sed -n 's/^@@EXIT=\([0-9]*\)$/\1/p' | tail -1)
if [ -z "$code" ]; then
    echo "systemd-vm: the guest reported no result (timeout after ${VM_TIMEOUT:-600}s or a panic); console:" >&2
    tr -d '\r' < "$work/console.log" | tail -60 >&2
    exit 125
fi
[ "$code" = 0 ] || fail "the guest's checks failed (exit $code)"

# 6. What the host's broker received: readings from the station, and every sequence number
#    naming one message only (a repeated message, as QoS 1 may deliver it, is the same payload).
kill "$recorder" 2>/dev/null || true
wait "$recorder" 2>/dev/null || true
readings=$(grep -c '^vmtest/vm-station/sensor/' "$work/recorded" || true)
[ "$readings" -ge 20 ] || fail "the host's broker recorded $readings readings from the station (want 20 or more)"
python3 - "$work/recorded" <<'PY' || fail "a sequence number named two different messages"
import json, sys
seen, clashes, count = {}, [], 0
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    topic, _, payload = line.rstrip("\n").partition(" ")
    if "/sensor/" not in topic or not payload.startswith("{"):
        continue
    seq = json.loads(payload).get("seq")
    if seq is None:
        continue
    count += 1
    if seen.setdefault(seq, (topic, payload)) != (topic, payload):
        clashes.append((seq, seen[seq], (topic, payload)))
print(f"systemd-vm: {count} readings with seq, {len(seen)} distinct, {len(clashes)} reused", file=sys.stderr)
for c in clashes[:5]:
    print("  reused:", c, file=sys.stderr)
sys.exit(1 if clashes else 0)
PY
say "the package under systemd: installed, started, reloaded, watched, sandboxed, upgraded and purged as documented; $readings readings reached the host's broker over TLS"
