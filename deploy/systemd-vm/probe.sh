#!/bin/sh
# What a process can do: run by deploy/systemd-vm/guest-test.sh as an ExecStartPost= of the
# sensegate unit (so inside its sandbox, as its user), and as the same user outside it.
#   probe.sh OUTPUT-FILE
{
    touch /var/lib/sensegate/probe-file 2>/dev/null && echo "state_dir writable" || echo "state_dir denied"
    touch /srv/open/probe-file 2>/dev/null && echo "srv writable" || echo "srv denied"
    (exec 3<>/dev/i2c-0) 2>/dev/null && echo "i2c open" || echo "i2c denied"
    (exec 3</dev/vda) 2>/dev/null && echo "disk open" || echo "disk denied"
    echo "user $(id -un) groups $(id -Gn)"
} > "$1"
exit 0
