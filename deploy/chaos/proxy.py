"""A fault-injecting TCP proxy for the chaos run: it forwards a listening address to an upstream
one and can, at any moment, delay what it forwards, stall (hold every connection open and
forward nothing: a half-open link whose far end has gone quiet) or reset every connection."""

import socket
import struct
import threading
import time


class FaultProxy:
    PASS, DELAY, STALL = "pass", "delay", "stall"

    def __init__(self, listen, upstream):
        self.upstream = upstream
        self.mode = self.PASS
        self.delay = 0.0
        self.lock = threading.Lock()
        self.connections = set()
        self.accepted = 0
        self.server = socket.create_server(listen, reuse_port=False)
        self.port = self.server.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True, name="proxy-accept").start()

    def set_mode(self, mode, delay=0.0):
        with self.lock:
            self.mode, self.delay = mode, delay

    def reset_all(self):
        """Every open connection ends with a RST, as a NAT or a firewall that forgot it would."""
        with self.lock:
            conns, self.connections = self.connections, set()
        for s in conns:
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
            except OSError:
                pass

    def close(self):
        self.closed = True
        self.server.close()
        self.reset_all()

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                self.connections.update((client, upstream))
                self.accepted += 1
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True, name="proxy-pump").start()

    def _pump(self, source, sink):
        try:
            while not self.closed:
                with self.lock:
                    mode, delay = self.mode, self.delay
                if mode == self.STALL:
                    # Read nothing, send nothing: the peer's segments pile up unacknowledged at
                    # the application level, and its keepalive has to notice.
                    time.sleep(0.05)
                    continue
                data = source.recv(65536)
                if not data:
                    break
                while self.mode == self.STALL and not self.closed:
                    time.sleep(0.05)  # read just before the stall began: held back like the rest
                with self.lock:
                    mode, delay = self.mode, self.delay
                if mode == self.DELAY and delay > 0:
                    time.sleep(delay)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
