#!/bin/bash
# The package under systemd, in the guest (deploy/systemd-vm/test.sh boots it): each step as a
# technician or an upgrade would do it, checked. Reports on the second serial port, ends with
# @@EXIT=<failures> and powers the guest off.
exec > /dev/ttyS1 2>&1
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin SYSTEMD_PAGER= SYSTEMD_COLORS=0
cd /root/vm
current=$(sed -n 1p versions)
previous=$(sed -n 2p versions)
failures=0
now() { cut -d' ' -f1 /proc/uptime; }
say() { echo "[guest $(now)] $*"; }
check() { # check DESCRIPTION COMMAND...: runs the command, counts a failure if it fails
    local what=$1; shift
    if "$@"; then say "ok: $what"; else say "FAIL: $what"; failures=$((failures + 1)); fi
}
finish() {
    if [ "$failures" != 0 ]; then
        say "the unit's journal:"
        journalctl --no-pager -u sensegate -n 80
    fi
    echo "@@EXIT=$failures"
    sync
    systemctl poweroff --no-block
    exit 0
}
stop_here() { say "FAIL: $*"; failures=$((failures + 1)); finish; }
prop() { systemctl show -P "$1" sensegate; }
wait_for() { # wait_for SECONDS COMMAND...: until the command succeeds
    local end=$(($(date +%s) + $1)); shift
    until "$@"; do
        [ "$(date +%s)" -ge "$end" ] && return 1
        sleep 0.2
    done
}
is_active() { [ "$(systemctl is-active sensegate)" = active ]; }
status_is() { [ "$(prop StatusText)" = "$1" ]; }
status_has() { prop StatusText | grep -q "$1"; }
# One message on a topic of the station, through the host's broker over TLS.
one_message() { mosquitto_sub --cafile /root/vm/ca.pem -h 10.0.2.100 -p 8883 -i "guest-$RANDOM" -q 1 -C 1 -W "$2" -t "$1"; }
reading_on() { one_message "vmtest/vm-station/sensor/$1" 30 | grep -q '"v":'; }
# node_exporter's /metrics (Debian's prometheus-node-exporter, running here as its own user).
scrape() {
    exec 3<>/dev/tcp/127.0.0.1/9100 || return 1
    printf 'GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
    cat <&3
    exec 3<&-
}
metric() { scrape | tr -d '\r' | awk -v s="$1" 'index($0, s " ") == 1 { print $2; exit }'; }
metric_is() { [ "$(metric "$1")" = "$2" ]; }
journal_since() { journalctl --no-pager -u sensegate --since "@$1" "${@:2}"; }
say "systemd $(systemctl --version | head -1 | cut -d' ' -f2) is PID 1: $(cat /proc/1/comm)"

# 1. apt installs the package (the runtime libraries are already there: no network needed); a
#    first installation enables the unit and starts nothing.
apt-get install -y -q /root/vm/sensegate_previous.deb > apt.log 2>&1 || { cat apt.log; stop_here "apt install"; }
check "installed $previous" test "$(dpkg-query -W -f='${Version}' sensegate)" = "$previous"
check "the unit is enabled" test "$(systemctl is-enabled sensegate)" = enabled
check "a first installation starts nothing" test "$(systemctl is-active sensegate)" = inactive

# 2. The technician edits the config and starts the unit. It stays `activating` until READY=1,
#    which the daemon sends after every sensor's first cycle (the SCD4x's takes 5 s).
install -m 0640 -g sensegate station.yaml /etc/sensegate/sensegate.yaml
install -m 0644 ca.pem /etc/sensegate/vm-ca.pem
systemctl start --no-block sensegate
states=""
while :; do
    s=$(systemctl is-active sensegate)
    case " $states " in *" $s "*) ;; *) states="$states $s" ;; esac
    [ "$s" = active ] && break
    [ "$s" = failed ] && stop_here "the unit failed to start"
    sleep 0.1
done
say "states seen while starting:$states"
check "the unit was activating before it was active" grep -q activating <<<"$states"
main_start=$(prop ExecMainStartTimestampMonotonic)
active_at=$(prop ActiveEnterTimestampMonotonic)
say "active $(((active_at - main_start) / 1000)) ms after the main process started"
check "active only after the first cycle (at least 4 s after exec)" test $((active_at - main_start)) -ge 4000000
check "the journal says why it is ready" sh -c "journalctl --no-pager -u sensegate | grep -q 'first cycle complete: ready'"
check "StatusText" status_is "running 2 sensor(s)"
check "readings reach the host's broker over TLS (kiosk co2)" reading_on kiosk/co2
check "readings reach the host's broker over TLS (outdoor temperature)" reading_on outdoor/temperature
check "the retained status is online" test "$(one_message vmtest/vm-station/status 10)" = online
check "the package linked the metrics file for node_exporter" \
    test "$(readlink /var/lib/prometheus/node-exporter/sensegate.prom)" = /run/sensegate/sensegate.prom
check "node_exporter serves sensegate_up 1" wait_for 30 metric_is sensegate_up 1
check "node_exporter read the file without error" metric_is node_textfile_scrape_error 0
say "node_exporter: $(scrape | tr -d '\r' | grep -E '^sensegate_(sensor_samples_total|mqtt_connected|process_resident_memory_bytes)' | tr '\n' ';')"
check "with the sensors' counts" test "$(scrape | tr -d '\r' | grep -c '^sensegate_sensor_samples_total{sensor=')" = 2
pid=$(prop MainPID)

# 3. Reload: a changed config is applied without a restart; a broken one is refused, the
#    service keeps running the previous one, and the journal names file, line and key.
sed 's/^sensors:$/sensors:\n  - name: cabinet\n    driver: bme280\n    bus: i2c-1\n    address: 0x77\n    interval: 2s/' \
    station.yaml > /etc/sensegate/sensegate.yaml
t=$(date +%s)
systemctl reload sensegate
check "reload applied the new config" wait_for 30 status_is "running 3 sensor(s)"
check "the new sensor publishes" reading_on cabinet/temperature
check "reload kept the process" test "$(prop MainPID)" = "$pid"
sleep 1
t=$(date +%s)
sed -i 's/interval: 2s/interval: -2s/' /etc/sensegate/sensegate.yaml
systemctl reload sensegate
check "a broken config is refused" wait_for 30 status_has "reload refused"
check "the service runs on" is_active
check "the same process" test "$(prop MainPID)" = "$pid"
check "the refusal is in the journal at priority err, naming the file" \
    wait_for 10 sh -c "journalctl --no-pager -u sensegate --since @$t -p err | grep -q '/etc/sensegate/sensegate.yaml:'"
say "the refusal as journalctl shows it:"
journal_since "$t" -p warning -o short-monotonic | tail -5
check "readings go on (outdoor)" reading_on outdoor/temperature

# 4. journald files each line at the daemon's priority: info and notice for ordinary news, err
#    for the refused reload; no raw <N> prefix reaches a message.
priorities=$(journalctl --no-pager -u sensegate _PID="$pid" -o json --output-fields=PRIORITY |
    grep -o '"PRIORITY":"[0-9]"' | sort | uniq -c | tr -s ' \n' ' ')
say "the daemon's journal priorities (count, priority): $priorities"
for p in 3 5 6; do check "the journal holds priority $p" grep -q "\"PRIORITY\":\"$p\"" <<<"$priorities"; done
check "no raw priority prefix in a message" sh -c "! journalctl --no-pager -u sensegate _PID=$pid -o cat | grep -q '^<[0-7]>'"
cp station.yaml /etc/sensegate/sensegate.yaml
systemctl reload sensegate
check "the good config back" wait_for 30 status_is "running 2 sensor(s)"

# 5. The sandbox. systemd's own score, then what the service's processes can do: an
#    ExecStartPost= runs in the unit's sandbox as its user; the same probe runs as that user
#    outside it, to show that the file modes alone would have allowed what the sandbox refuses.
systemd-analyze security --no-pager sensegate > security.txt 2>&1
exposure=$(sed -n 's/.*Overall exposure level for sensegate.service: \([0-9.]*\).*/\1/p' security.txt)
say "systemd-analyze security sensegate, the settings it counts against the unit:"
grep -v '✓' security.txt | grep -v '^ *$' | cut -c1-150
say "$(grep 'Overall exposure' security.txt)"
check "exposure $exposure <= 1.5" awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 1.5) }'
mkdir -p -m 1777 /srv/open
chgrp i2c /dev/i2c-0 && chmod 0660 /dev/i2c-0
chmod 0666 /dev/vda
mkdir -p /run/systemd/system/sensegate.service.d
printf '[Service]\nExecStartPost=/usr/local/lib/sensegate-vm/probe.sh /var/lib/sensegate/probe.out\n' \
    > /run/systemd/system/sensegate.service.d/probe.conf
systemctl daemon-reload
systemctl restart sensegate
runuser -u sensegate -- /usr/local/lib/sensegate-vm/probe.sh /tmp/outside.out
say "the probe inside the sandbox: $(tr '\n' ';' < /var/lib/sensegate/probe.out)"
say "the probe outside it:         $(tr '\n' ';' < /tmp/outside.out)"
inside() { grep -qx "$1" /var/lib/sensegate/probe.out; }
outside() { grep -qx "$1" /tmp/outside.out; }
check "the state directory is writable" inside "state_dir writable"
check "a world-writable /srv/open is not (outside the sandbox it is)" sh -c 'grep -qx "srv denied" /var/lib/sensegate/probe.out && grep -qx "srv writable" /tmp/outside.out'
check "an I2C adapter opens" inside "i2c open"
check "the disk does not, though its mode allows it (outside the sandbox it opens)" sh -c 'grep -qx "disk denied" /var/lib/sensegate/probe.out && grep -qx "disk open" /tmp/outside.out'
check "the user is in the i2c and gpio groups" sh -c 'grep -q "groups .*i2c" /var/lib/sensegate/probe.out && grep -q "groups .*gpio" /var/lib/sensegate/probe.out'
rm -rf /run/systemd/system/sensegate.service.d
systemctl daemon-reload
check "the sandboxed service still reaches the broker over TLS" reading_on outdoor/temperature

# 6. The watchdog: a frozen daemon stops feeding it, systemd kills it within WatchdogSec and
#    restarts it (Restart=on-failure, RestartSec=5s).
check "active before the freeze" wait_for 30 is_active
pid=$(prop MainPID)
restarts=$(prop NRestarts)
watchdog_usec=$(prop WatchdogUSec)
frozen_at=$(date +%s.%N)   # the wall clock, as journalctl -o short-unix shows it
kill -STOP "$pid"
say "froze $pid at $frozen_at (WatchdogSec=$watchdog_usec)"
check "restarted by systemd" wait_for 90 sh -c "[ \"\$(systemctl show -P NRestarts sensegate)\" -gt $restarts ]"
check "active again" wait_for 60 is_active
check "a new process" test "$(prop MainPID)" != "$pid"
timeout_line=$(journalctl --no-pager -u sensegate -o short-unix | grep 'Watchdog timeout' | tail -1)
say "$timeout_line"
killed_at=$(cut -d' ' -f1 <<<"$timeout_line")
say "killed $(awk -v a="${killed_at:-0}" -v b="$frozen_at" 'BEGIN { printf "%.1f", a - b }') s after the freeze"
check "killed by the watchdog within WatchdogSec of the freeze" \
    awk -v a="${killed_at:-0}" -v b="$frozen_at" 'BEGIN { d = a - b; exit !(d > 0 && d <= 30.5) }'
check "readings after the restart" reading_on outdoor/temperature

# 7. An upgrade keeps the edited config, the state and the numbering, and restarts the service.
seq_before=$(cat /var/lib/sensegate/seq)
pid=$(prop MainPID)
apt-get install -y -q /root/vm/sensegate_current.deb > apt.log 2>&1 || { cat apt.log; stop_here "apt upgrade"; }
check "upgraded to $current" test "$(dpkg-query -W -f='${Version}' sensegate)" = "$current"
check "the edited config is kept" cmp -s station.yaml /etc/sensegate/sensegate.yaml
check "the state is kept" test -f /var/lib/sensegate/probe-file
check "the service was restarted" wait_for 60 sh -c "systemctl is-active -q sensegate && [ \"\$(systemctl show -P MainPID sensegate)\" != $pid ]"
check "readings after the upgrade" reading_on kiosk/co2
seq_after=$(cat /var/lib/sensegate/seq)
say "seq reserved: $seq_before before the upgrade, $seq_after after"
check "the numbering continues" test "$seq_after" -gt "$seq_before"

# 8. A stop leaves metrics that say so; purge stops the service and removes the unit, the
#    config, the state and the link for node_exporter.
systemctl stop sensegate
check "after a stop node_exporter serves sensegate_up 0" wait_for 20 metric_is sensegate_up 0
say "node_exporter after the stop: $(scrape | tr -d '\r' | grep -E '^sensegate_|^node_textfile' | tr '\n' ';')"
apt-get purge -y -q sensegate > apt.log 2>&1 || { cat apt.log; stop_here "apt purge"; }
check "stopped" sh -c '! systemctl is-active -q sensegate'
check "the unit is gone" test ! -e /lib/systemd/system/sensegate.service
check "the config is gone" test ! -e /etc/sensegate
check "the state is gone" test ! -e /var/lib/sensegate
check "the link for node_exporter is gone" test ! -L /var/lib/prometheus/node-exporter/sensegate.prom
finish
