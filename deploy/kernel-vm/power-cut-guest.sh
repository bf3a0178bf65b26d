#!/bin/sh
# The guest side of the power-cut test (deploy/kernel-vm/power_cut.py): the daemon's state
# directory on ext4 over dm-flakey over a loop device, and CYCLES power cuts during heavy outbox
# traffic. A cut freezes the daemon (SIGSTOP: the CPU stops), switches the device to drop every
# write from then on (dm-flakey drop_writes: what had not reached it is gone), kills the daemon,
# unmounts (the page cache's late writes are dropped too) and forgets the cache, then puts the
# device back and mounts it: the journal is replayed as at the next boot, and the daemon starts
# again on what the disk really holds.
#   power-cut-guest.sh CYCLES DAEMON CONFIG DMSETUP MKE2FS
# (the last two by path: busybox's sh prefers its own applets to programs on the PATH)
# Prints one line per event for the host (@@ prefix, times as /proc/uptime; @@CLOCK pairs the
# wall clock with it); exits non-zero when the set-up or the device mapper fails.
set -eu
cycles=$1 daemon=$2 config=$3 dmsetup=$4 mke2fs=$5
dev=sgstate
export DM_DISABLE_UDEV=1   # no udev in this guest: dmsetup makes /dev/mapper nodes itself

uptime_now() { read -r up _ < /proc/uptime; echo "$up"; }
event() { echo "@@$* $(uptime_now)"; }
table() {   # swap the device's table without freezing the file system (that would flush it first)
    $dmsetup suspend --nolockfs --noudevsync $dev
    $dmsetup reload --noudevsync $dev --table "0 $sectors $1 /dev/loop0 0 $2"
    $dmsetup resume --noudevsync $dev
}

truncate -s 64M /tmp/state.img 2>/dev/null || dd if=/dev/zero of=/tmp/state.img bs=1M count=0 seek=64 2>/dev/null
losetup /dev/loop0 /tmp/state.img
sectors=$(blockdev --getsz /dev/loop0)
$dmsetup create --noudevsync $dev --table "0 $sectors linear /dev/loop0 0"
$mke2fs -q -t ext4 /dev/mapper/$dev
mkdir -p /state
mount -t ext4 /dev/mapper/$dev /state

# The wall clock to the hundredth, for the host to compare with the payloads' timestamps: the
# second's edge seen next to /proc/uptime.
s0=$(date +%s)
while [ "$(date +%s)" = "$s0" ]; do :; done
echo "@@CLOCK $((s0 + 1)) $(uptime_now)"

start_daemon() {   # $1: the cycle
    "$daemon" run --config "$config" > "/tmp/daemon.$1.log" 2>&1 &
    pid=$!
    event "RUN $1 $pid"
}

i=1
while [ "$i" -le "$cycles" ]; do
    start_daemon "$i"
    # Odd cycles cut while the link is down, so that every reading goes through the outbox's
    # commits; even cycles cut while the backlog of the previous cut is being replayed (the daemon
    # takes about a second to start in this emulated CPU).
    if [ $((i % 2)) -eq 1 ]; then
        sleep 4
        ip link set eth0 down
        event "LINK_DOWN $i"
        usleep $((1500000 + RANDOM % 3000 * 1000))
    else
        usleep $((1200000 + RANDOM % 2000 * 1000))
    fi
    kill -STOP "$pid"
    event "CUT $i"
    table flakey "0 1 1 drop_writes"
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null || true
    # Proof that the device dropped what came after the cut: this file must not survive it.
    echo "written after the cut" > /state/after-cut
    sync
    umount /state
    echo 3 > /proc/sys/vm/drop_caches
    blockdev --flushbufs /dev/mapper/$dev
    table linear ""
    mount -t ext4 /dev/mapper/$dev /state
    if [ -e /state/after-cut ]; then echo "@@FAIL a write after cut $i reached the device"; rm /state/after-cut; fi
    echo "@@BOUNDARY $i $(cat /state/seq 2>/dev/null || echo none)"
    ip link set eth0 up
    i=$((i + 1))
done

# The last run drains what the cuts left on disk, then stops cleanly.
start_daemon last
sleep 12
kill -TERM "$pid"
wait "$pid" || echo "@@FAIL the last run exited with $?"
event "STOPPED last"
for f in /tmp/daemon.*.log; do
    sed "s#^#@@LOG $(basename "$f" .log) #" "$f" | grep -E ' (error|critical) |outbox|: ready$' || true
done
umount /state
