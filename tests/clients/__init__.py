"""Hand-written raw-socket SMTP clients, for the linter's and the inspector's tests.

:class:`Wire` is a socket that keeps every byte it sent (``sent``), so a test can compute where a
mistake is; the modules next to this one hold clients that make mistakes on purpose
(:mod:`.mistakes`) and one written like the classic assignment (:mod:`.classic`).
"""

from __future__ import annotations

import socket

LEARNER, PASSWORD = "learner@sandbox.test", "password123"
FRIEND = "friend@sandbox.test"
DATE = b"Sat, 22 Nov 2025 10:00:00 +0000"

#: A correct message: From, To, Date, Subject, a blank line, a body; CRLF everywhere.
GOOD = (b"From: Learner <learner@sandbox.test>\r\nTo: friend@sandbox.test\r\nDate: " + DATE +
        b"\r\nSubject: hello\r\n\r\nHello!\r\n")


def message(*lines: bytes, headers: bytes | None = None) -> bytes:
    """GOOD's header (or ``headers``) with these body lines, CRLF-ended."""
    head = GOOD.split(b"\r\n\r\n")[0] + b"\r\n" if headers is None else headers
    return head + b"\r\n" + b"".join(line + b"\r\n" for line in lines)


class Wire:
    """A raw SMTP connection that remembers exactly what it sent: for mistakes smtplib will not
    make. It reads whole replies, every line of a multi-line one."""

    def __init__(self, host: str, port: int, timeout: float = 5.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sent = bytearray()
        self.buffer = b""

    @classmethod
    def to(cls, box, **kwargs) -> Wire:
        return cls(box.host, box.port, **kwargs)

    def send(self, data: bytes) -> int:
        """Send ``data``; returns the offset of its first byte in everything sent."""
        offset = len(self.sent)
        self.sock.sendall(data)
        self.sent += data
        return offset

    def _line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed by the server; unread: {self.buffer!r}")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\r\n")
        return line + b"\r\n"

    def reply(self) -> bytes:
        """One complete reply, every line of it."""
        lines = [self._line()]
        while lines[-1][3:4] == b"-":
            lines.append(self._line())
        return b"".join(lines)

    def no_reply(self, seconds: float = 0.2) -> bool:
        """True if nothing arrives within ``seconds`` (the server is still waiting for us)."""
        self.sock.settimeout(seconds)
        try:
            return not self.buffer and not self.sock.recv(65536)
        except TimeoutError:
            return True
        finally:
            self.sock.settimeout(5.0)

    def cmd(self, data: bytes) -> bytes:
        self.send(data)
        return self.reply()

    def ehlo(self) -> Wire:
        """Read the greeting and say EHLO."""
        assert self.reply().startswith(b"220")
        assert self.cmd(b"EHLO client.example\r\n").startswith(b"250")
        return self

    def login(self, user: str = LEARNER, password: str = PASSWORD) -> Wire:
        import base64

        assert self.cmd(b"AUTH PLAIN " + base64.b64encode(f"\0{user}\0{password}".encode())
                        + b"\r\n").startswith(b"235")
        return self

    def mail(self, content: bytes, sender: bytes = LEARNER.encode(),
             recipient: bytes = FRIEND.encode()) -> bytes:
        """A whole transaction; ``content`` is sent as it is, then the reply returned."""
        assert self.cmd(b"MAIL FROM:<" + sender + b">\r\n").startswith(b"250")
        assert self.cmd(b"RCPT TO:<" + recipient + b">\r\n").startswith(b"250")
        assert self.cmd(b"DATA\r\n").startswith(b"354")
        self.send(content)
        return self.reply()

    def quit(self) -> None:
        assert self.cmd(b"QUIT\r\n").startswith(b"221")
        self.close()

    def closed(self) -> bool:
        """True once the server has closed the connection (after any pending bytes)."""
        return self.sock.recv(65536) == b""

    def close(self) -> None:
        self.sock.close()
