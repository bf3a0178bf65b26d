#!/usr/bin/env bash
# QEMU runs this for each guest connection to 10.0.2.100:1883 (guestfwd=…-cmd:), with the
# connection on stdin and stdout; it relays the bytes to the broker on 127.0.0.1:$1.
exec /usr/bin/python3 -c '
import os, select, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
while True:
    ready, _, _ = select.select([0, s], [], [])
    if 0 in ready:
        data = os.read(0, 65536)
        if not data:
            break
        s.sendall(data)
    if s in ready:
        data = s.recv(65536)
        if not data:
            break
        view = memoryview(data)
        while view:
            view = view[os.write(1, view):]
' "$1"
