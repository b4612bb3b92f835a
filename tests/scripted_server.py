"""A deliberately misbehaving SMTP server on loopback, for the error paths of the clients.

It plays a script for one connection: send bytes, read a line, sleep, or close. Whatever the
client does, the server thread ends when the script ends, the client goes away, or
:meth:`ScriptedServer.close` is called: a sleep is a wait on an event, and close wakes a blocked
accept or read by shutting the sockets down, so no test waits for a clock.
"""

from __future__ import annotations

import socket
import threading


class ScriptedServer:
    """``ScriptedServer([("send", b"220 hi\\r\\n"), ("read",), ("close",)])`` on 127.0.0.1."""

    def __init__(self, script: list[tuple], *, tls_context=None):
        self.script = script
        self.received = b""
        self.tls_context = tls_context
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(10)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._conn: socket.socket | None = None
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self._listener.accept()
        except OSError:
            return
        self._conn = conn
        if self._stop.is_set():  # closed while accepting
            conn.close()
            return
        conn.settimeout(10)
        lines = 0
        try:
            for action, *args in self.script:
                if action == "send":
                    conn.sendall(args[0])
                elif action == "read":  # until one more line from the client has arrived
                    lines += 1
                    while self.received.count(b"\n") < lines:
                        chunk = conn.recv(4096)
                        if not chunk:
                            return
                        self.received += chunk
                elif action == "sleep":
                    if self._stop.wait(args[0]):
                        break
                elif action == "close":
                    break
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        """Stop now: wake the thread wherever it waits (accept, read, sleep), then join it."""
        self._stop.set()
        for sock in (self._listener, self._conn):
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # not connected, or already closed by the script
        self._listener.close()
        self._thread.join(timeout=15)
        assert not self._thread.is_alive(), "the scripted server did not stop"
