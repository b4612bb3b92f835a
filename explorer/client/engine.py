"""The engine: one protocol session paired with one transport and its wire log.

Front ends (the REPL, the lesson runner) call :meth:`Engine.connect` and :meth:`Engine.send` and
render what comes back; they never touch sockets or parse replies themselves.
"""

from __future__ import annotations

import ssl
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

from explorer.core.commands import AuthLine, Command, Outgoing
from explorer.core.replies import NEED_DATA, ProtocolError
from explorer.core.session import (
    Answer, ClientSession, ConnectionClosed, DataLine, EndOfData, StrictModeError, Warning_,
)
from explorer.core.states import State
from explorer.client.transport import Chunk, ReadTimeout, TlsInfo, Transport, TransportError, make_tls_context

__all__ = ["Target", "Engine", "Outcome", "Event", "Stalled", "TlsStarted", "Failure",
           "StrictModeError"]


@dataclass(frozen=True)
class Target:
    """Where to connect. ``security``: "plain", "starttls" (upgrade when offered) or "tls" (465)."""

    host: str
    port: int
    security: str = "plain"
    insecure: bool = False
    cafile: str | None = None  # an extra trust root (the sandbox's own certificate)
    timeout: float = 10.0

    @property
    def label(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass(frozen=True)
class Stalled:
    """No complete reply within the timeout; ``partial`` is what did arrive."""

    partial: bytes
    timeout: float


@dataclass(frozen=True)
class TlsStarted:
    info: TlsInfo


@dataclass(frozen=True)
class Failure:
    """The transport failed (refused, unknown host, TLS error, broken connection)."""

    message: str


Event = Union[Answer, ProtocolError, ConnectionClosed, Stalled, TlsStarted, Failure]


@dataclass
class Outcome:
    """What one step did: the bytes sent, the warnings given beforehand, and what came back."""

    wire: bytes = b""
    warnings: tuple[Warning_, ...] = ()
    events: list[Event] = field(default_factory=list)
    elapsed: float = 0.0


class Engine:
    """Drives a :class:`ClientSession` over a :class:`Transport`."""

    def __init__(self, target: Target, *, strict: bool = False) -> None:
        self.target = target
        self.session = ClientSession(strict=strict)
        self.transport: Transport | None = None
        self.log: list[Chunk] = []  # every Chunk of every connection of this engine, in order
        self.secrets: list[bytes] = []  # credentials sent, so transcripts can leave them out

    @property
    def state(self) -> State:
        return self.session.state

    @property
    def connected(self) -> bool:
        return self.transport is not None and self.transport.connected

    def _context(self) -> ssl.SSLContext:
        cafile = Path(self.target.cafile) if self.target.cafile else None
        return make_tls_context(insecure=self.target.insecure, cafile=cafile)

    def connect(self) -> Outcome:
        """Open the connection and read the greeting (the server speaks first)."""
        self.close()
        started = time.perf_counter()
        t = self.target
        self.transport = Transport(t.host, t.port, timeout=t.timeout, implicit_tls=t.security == "tls",
                                   tls_context=self._context, log=self.log)
        outcome = Outcome()
        try:
            self.transport.open()
        except TransportError as exc:
            self.transport = None
            outcome.events.append(Failure(str(exc)))
            return outcome
        if self.transport.tls is not None:
            outcome.events.append(TlsStarted(self.transport.tls))
        self.session.connection_made(tls=self.transport.tls is not None)
        self._read_replies(outcome)
        outcome.elapsed = time.perf_counter() - started
        return outcome

    def check(self, outgoing: Outgoing | DataLine | EndOfData) -> tuple[Warning_, ...]:
        return self.session.check(outgoing)

    def send(self, outgoing: Outgoing | DataLine | EndOfData) -> Outcome:
        """Send one thing (StrictModeError in strict mode for a refused one) and read its replies."""
        started = time.perf_counter()
        warnings = self.session.check(outgoing)
        wire = self.session.send(outgoing)  # raises StrictModeError before anything is sent
        secret = _secret_of(outgoing)
        if secret:
            self.secrets.append(secret)
        outcome = Outcome(wire, warnings)
        if not self.connected:
            outcome.events.append(Failure("not connected: use /connect first"))
            return outcome
        try:
            self.transport.send(wire)
        except TransportError as exc:
            outcome.events.append(Failure(str(exc)))
            outcome.events.append(self.session.connection_lost())
            return outcome
        self._read_replies(outcome)
        outcome.elapsed = time.perf_counter() - started
        return outcome

    def _read_replies(self, outcome: Outcome) -> None:
        """Read until every pending exchange has its reply, the server closes, or time runs out."""
        session, transport = self.session, self.transport
        while True:
            event = session.next_event()
            if event is not NEED_DATA:
                outcome.events.append(event)
                if isinstance(event, Answer):
                    if event.starttls:
                        try:
                            outcome.events.append(TlsStarted(transport.start_tls()))
                        except TransportError as exc:
                            outcome.events.append(Failure(str(exc)))
                            outcome.events.append(session.connection_lost())
                            return
                    if event.after is State.CLOSED:
                        transport.close()
                        session.connection_lost()
                        return
                continue
            if not session.awaiting_reply:
                return
            try:
                data = transport.receive()
            except ReadTimeout:
                outcome.events.append(Stalled(session.pending_bytes, transport.timeout))
                return
            except TransportError as exc:
                outcome.events.append(Failure(str(exc)))
                outcome.events.append(session.connection_lost())
                return
            if not data:
                outcome.events.append(session.connection_lost())
                return
            session.receive_data(data)

    def wait(self, timeout: float) -> Outcome:
        """Read whatever the server sends within ``timeout`` (for a late or unsolicited reply)."""
        outcome = Outcome()
        if not self.connected:
            return outcome
        try:
            data = self.transport.receive(timeout)
        except ReadTimeout:
            return outcome
        except TransportError as exc:
            outcome.events.append(Failure(str(exc)))
            outcome.events.append(self.session.connection_lost())
            return outcome
        if not data:
            outcome.events.append(self.session.connection_lost())
            return outcome
        self.session.receive_data(data)
        self._read_replies(outcome)
        return outcome

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
            self.transport = None
        if self.session.state is not State.NOT_CONNECTED:
            self.session.connection_lost()


def _secret_of(outgoing: object) -> bytes:
    """The credential inside an AUTH answer or an AUTH initial response, else b""."""
    if isinstance(outgoing, AuthLine) and outgoing.secret:
        return outgoing.text.encode("ascii", "backslashreplace")
    if isinstance(outgoing, Command) and outgoing.verb == "AUTH":
        _, _, initial = outgoing.argument.partition(" ")
        return initial.strip().encode("ascii", "backslashreplace") if initial.strip() not in ("", "=") else b""
    return b""
