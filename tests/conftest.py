"""Shared fixtures. Sandbox fixtures: a real server on 127.0.0.1, an OS-chosen port, tmp data."""

from __future__ import annotations

import pytest


@pytest.fixture
def make_sandbox(tmp_path):
    """Start sandboxes (keyword arguments as for ``Sandbox``); all are stopped after the test."""
    from explorer.sandbox import Sandbox

    started = []

    def make(**kwargs):
        kwargs.setdefault("data_dir", tmp_path / f"sandbox{len(started)}")
        box = Sandbox(**kwargs).start()
        started.append(box)
        return box

    yield make
    for box in started:
        box.stop()


@pytest.fixture
def sandbox(make_sandbox):
    """One sandbox with the defaults (both default accounts, no scenario)."""
    return make_sandbox()


class RawClient:
    """A socket that reads whole SMTP replies: for mistakes smtplib will not make."""

    def __init__(self, host: str, port: int, timeout: float = 5.0):
        import socket

        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed by the server; unread: {self.buffer!r}")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\r\n")
        return line + b"\r\n"

    def reply(self) -> bytes:
        """One complete reply, all its lines, exactly as sent."""
        lines = [self.line()]
        while lines[-1][3:4] == b"-":
            lines.append(self.line())
        return b"".join(lines)

    def closed(self) -> bool:
        """True once the server has closed the connection (after any pending bytes)."""
        return self.sock.recv(65536) == b""

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def raw():
    """``raw(box)`` connects a RawClient to a sandbox; every one is closed after the test."""
    clients = []

    def connect(box, timeout: float = 5.0) -> RawClient:
        client = RawClient(box.host, box.port, timeout)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.close()
