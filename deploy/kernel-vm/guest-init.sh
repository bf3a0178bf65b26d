#!/bin/sh
# /init of the kernel-test guest (busybox sh): real drivers up, the program run, its exit code
# reported on the second serial port, power off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# /tmp stays the initramfs's own (already RAM, writable): programs copied in under /tmp/… stay visible.
mkdir -p /dev/pts /dev/shm && mount -t devpts pts /dev/pts && mount -t tmpfs shm /dev/shm
modprobe configfs && mount -t configfs none /sys/kernel/config
modprobe i2c-dev
modprobe i2c-stub chip_addr=$(cat /payload/stub_addrs)
modprobe sg_i2c_sim chip_addr=$(cat /payload/sim_addrs)
for d in /sys/class/i2c-dev/*; do
    case "$(cat $d/name)" in
        "SMBus stub driver") export SG_I2C_STUB=/dev/$(basename $d) ;;
        "sensegate i2c simulator") export SG_I2C_SIM=/dev/$(basename $d) ;;
    esac
done
modprobe gpio-sim
g=/sys/kernel/config/gpio-sim/sensegate
mkdir $g $g/bank0
cat /payload/gpio_lines > $g/bank0/num_lines
echo sensegate-sim > $g/bank0/label
echo 1 > $g/live
export SG_GPIO_CHIP=/dev/$(cat $g/bank0/chip_name)
export SG_GPIO_SYSFS=/sys/devices/platform/$(cat $g/dev_name)/$(cat $g/bank0/chip_name)
export SG_I2C_STUB_ADDRS=$(cat /payload/stub_addrs) SG_I2C_SIM_ADDRS=$(cat /payload/sim_addrs)
for m in $(cat /payload/modules); do modprobe "$m"; done
ip link set lo up
if [ -f /payload/network ]; then
    modprobe e1000
    ip link set eth0 up
    ip addr add 10.0.2.15/24 dev eth0
    export SG_BROKER=10.0.2.100:1883
fi
echo "@@READY $(cut -d' ' -f1 /proc/uptime)"
if grep -q sensegate.shell /proc/cmdline; then setsid cttyhack sh; poweroff -f; fi
cd /tmp
eval "set -- $(cat /payload/args)"
/payload/program "$@" > /dev/ttyS1 2>&1
echo "@@EXIT=$?" > /dev/ttyS1
poweroff -f
