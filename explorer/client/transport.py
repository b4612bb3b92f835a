"""Sockets and TLS: moves bytes, and records every chunk with a timestamp.

The transport is blocking with timeouts, which suits a REPL that does one thing at a time; a
Ctrl-C during a read interrupts it (the socket call raises KeyboardInterrupt in the main thread).
Every failure a user can meet (refused, unknown host, timeout, TLS verification) is a
:class:`TransportError` whose message is one line meant for the learner.
"""

from __future__ import annotations

import select
import socket
import ssl
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from explorer.knowledge.keyed import KeyedError
from explorer.recording.chunk import Chunk  # the one Chunk: the transport records in it

__all__ = ["Chunk", "TlsInfo", "Transport", "TransportError", "ReadTimeout", "make_tls_context"]


@dataclass(frozen=True)
class TlsInfo:
    version: str
    cipher: str
    subject: str
    verified: bool


class TransportError(KeyedError):
    """A connection problem, described in one line for the learner (table ``transport_errors``)."""

    table = "transport_errors"


class ReadTimeout(TransportError):
    """Nothing (or not enough) arrived in time."""


def make_tls_context(*, insecure: bool = False, cafile: Path | None = None) -> ssl.SSLContext:
    """A client context that verifies certificates, unless ``insecure``; ``cafile`` adds a trust root."""
    if insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=str(cafile) if cafile else None)


def _subject(cert: dict | None) -> str:
    if not cert:
        return "(not verified: no certificate details)"
    parts = [f"{k}={v}" for rdn in cert.get("subject", ()) for k, v in rdn]
    return ", ".join(parts) or "(empty subject)"


def _describe(exc: BaseException, host: str, port: int) -> TransportError:
    where = f"{host}:{port}"
    if isinstance(exc, UnicodeError):
        return TransportError("bad-host-name", host=repr(host))
    if isinstance(exc, socket.gaierror):
        return TransportError("unknown-host", host=repr(host), reason=exc.strerror)
    if isinstance(exc, ConnectionRefusedError):
        return TransportError("refused", where=where)
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return TransportError("connect-timeout", where=where)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return TransportError("certificate", where=where, reason=exc.verify_message)
    if isinstance(exc, ssl.SSLError):
        return TransportError("tls-failed", where=where, reason=exc.reason or exc)
    if isinstance(exc, OSError):
        return TransportError("cannot-connect", where=where, reason=exc.strerror or exc)
    return TransportError("cannot-connect", where=where, reason=exc)


@dataclass
class Transport:
    """One TCP connection, optionally with TLS from the start (port 465) or after STARTTLS."""

    host: str
    port: int
    timeout: float = 10.0
    implicit_tls: bool = False
    # Made only when TLS starts: loading the system's trust store costs tens of milliseconds.
    tls_context: Callable[[], ssl.SSLContext] = make_tls_context
    log: list[Chunk] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._sock: socket.socket | None = None
        self.tls: TlsInfo | None = None

    @property
    def connected(self) -> bool:
        return self._sock is not None

    def open(self) -> None:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except (OSError, ValueError) as exc:
            raise _describe(exc, self.host, self.port) from None
        self._sock = sock
        if self.implicit_tls:
            self.start_tls()

    def start_tls(self) -> TlsInfo:
        """Wrap the live connection in TLS (after STARTTLS's 220, or at once for port 465)."""
        if self._sock is None:
            raise TransportError("not-connected")
        context = self.tls_context()
        try:
            self._sock = context.wrap_socket(self._sock, server_hostname=self.host)
        except (OSError, ssl.SSLError) as exc:
            self.close()
            raise _describe(exc, self.host, self.port) from None
        sock = self._sock
        cipher = sock.cipher()
        verified = context.verify_mode != ssl.CERT_NONE
        self.tls = TlsInfo(sock.version() or "?", cipher[0] if cipher else "?",
                           _subject(sock.getpeercert()) if verified else "(not verified: --insecure)",
                           verified)
        return self.tls

    def send(self, data: bytes) -> None:
        if self._sock is None:
            raise TransportError("not-connected")
        try:
            self._sock.sendall(data)
        except OSError as exc:
            self.close()
            raise TransportError("broke-sending", reason=exc.strerror or exc) from None
        self.log.append(Chunk(time.time(), "client", data, self.tls is not None))

    def readable(self) -> bool:
        """Whether bytes (or the end of the connection) are there to read now, without waiting."""
        sock = self._sock
        if sock is None:
            return False
        if isinstance(sock, ssl.SSLSocket) and sock.pending():
            return True  # decrypted bytes already inside the TLS layer: select would not see them
        try:
            ready, _, _ = select.select([sock], [], [], 0)  # sockets work with select on every system
        except (OSError, ValueError):
            return True  # a broken socket: the read that follows says how
        return bool(ready)

    def receive(self, timeout: float | None = None) -> bytes:
        """Whatever bytes arrive next; b"" when the server closed. ReadTimeout if none in time."""
        if self._sock is None:
            return b""
        self._sock.settimeout(self.timeout if timeout is None else timeout)
        try:
            data = self._sock.recv(65536)
        except (socket.timeout, TimeoutError):
            raise ReadTimeout("no-reply") from None
        except OSError as exc:
            self.close()
            raise TransportError("broke", reason=exc.strerror or exc) from None
        if data:
            self.log.append(Chunk(time.time(), "server", data, self.tls is not None))
        else:
            self.close()
        return data

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None
