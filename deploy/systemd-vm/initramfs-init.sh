#!/bin/sh
# /init of the systemd guest's initramfs (busybox): the drivers Debian builds as modules (disk,
# network, I2C), the guest's address on QEMU's user network, then the disk's systemd as PID 1.
# The guest has no udev, so nothing else would load them.
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in virtio_pci virtio_blk crc32c_generic ext4 e1000 i2c-dev; do modprobe "$m"; done
modprobe i2c-stub chip_addr=0x50   # one I2C adapter: a device the service may open
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vda ] && break; sleep 0.2; done
mount -t ext4 -o rw /dev/vda /newroot || { echo "initramfs: cannot mount /dev/vda"; sh; }
if grep -q sensegate.shell /proc/cmdline; then
    # A root shell in the booted guest instead of the test (VM_SHELL=1).
    ln -sf /dev/null /newroot/etc/systemd/system/sensegate-vm-test.service
    rm -f /newroot/etc/systemd/system/serial-getty@ttyS0.service
fi
umount /proc /sys
mount --move /dev /newroot/dev 2>/dev/null || umount /dev
exec switch_root /newroot /sbin/init
