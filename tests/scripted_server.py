"""A deliberately misbehaving SMTP server on loopback, for the error paths of the clients.

It plays a script for one connection: send bytes, read a line, sleep, or close. Whatever the
client does, the server thread ends when the script ends or the client goes away.
"""

from __future__ import annotations

import socket
import threading
import time


class ScriptedServer:
    """``ScriptedServer([("send", b"220 hi\\r\\n"), ("read",), ("close",)])`` on 127.0.0.1."""

    def __init__(self, script: list[tuple], *, tls_context=None):
        self.script = script
        self.received = b""
        self.tls_context = tls_context
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(10)
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self._listener.accept()
        except OSError:
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
                    time.sleep(args[0])
                elif action == "close":
                    break
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self._listener.close()
        self._thread.join(timeout=15)
