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

__all__ = ["Target", "Engine", "Outcome", "Event", "Stalled", "TlsStarted", "Failure", "Dropped",
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
    """The transport failed (refused, unknown host, TLS error, broken connection).

    ``aborted``: this client closed the connection because of it (a TLS handshake it refused),
    rather than the server going away.
    """

    error: TransportError
    aborted: bool = False

    @property
    def message(self) -> str:
        """The failure in English."""
        return str(self.error)

    def text(self, lang: str = "en") -> str:
        """The failure in ``lang``."""
        return self.error.text(lang)


@dataclass(frozen=True)
class Dropped:
    """Bytes the parser left out after a protocol error: the rest of an over-long line or of a
    cut reply (``lines`` whole lines of it). They are in the wire log, just not shown."""

    octets: int
    lines: int


Event = Union[Answer, ProtocolError, ConnectionClosed, Stalled, TlsStarted, Failure, Dropped]

#: While the rest of a broken reply is being dropped, stop reading after this long a silence,
#: so the prompt comes back soon after the last byte rather than after the whole timeout.
QUIET = 0.3


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
            outcome.events.append(Failure(exc))
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
        """Send one thing (StrictModeError in strict mode for a refused one) and read its replies.

        Whatever the server sent before (a 421 in the middle of DATA, a late reply) is read first
        and comes first in the outcome: it answers nothing this command did.
        """
        started = time.perf_counter()
        early = self.poll().events
        warnings = self.session.check(outgoing)
        wire = self.session.send(outgoing)  # raises StrictModeError before anything is sent
        secret = _secret_of(outgoing)
        if secret:
            self.secrets.append(secret)
        outcome = Outcome(wire, warnings, early)
        if not self.connected:
            outcome.events.append(Failure(TransportError("use-connect")))
            return outcome
        try:
            self.transport.send(wire)
        except TransportError as exc:
            outcome.events.append(Failure(exc))
            outcome.events.append(self.session.connection_lost())
            return outcome
        self._read_replies(outcome)
        outcome.elapsed = time.perf_counter() - started
        return outcome

    def _read_replies(self, outcome: Outcome, *, block: bool = True) -> None:
        """Read until every pending exchange has its reply, the server closes, or time runs out;
        with ``block=False``, only what has already arrived."""
        parser = self.session.parser
        dropped = (parser.discarded, parser.discarded_lines)
        try:
            self._read_events(outcome, block)
        finally:
            parser = self.session.parser  # the same one unless a new connection began
            if parser.discarded > dropped[0]:
                outcome.events.append(Dropped(parser.discarded - dropped[0], parser.discarded_lines - dropped[1]))

    def _read_events(self, outcome: Outcome, block: bool) -> None:
        session, transport = self.session, self.transport
        while True:
            event = session.next_event()
            if event is not NEED_DATA:
                outcome.events.append(event)
                if isinstance(event, Answer):
                    if event.starttls and session.parser.holds_data:
                        # Bytes sent after the 220, before the handshake, would be read as if they
                        # came under TLS (the STARTTLS command injection of CVE-2011-0411): refuse.
                        transport.close()
                        session.connection_lost()
                        outcome.events.append(Failure(TransportError("starttls-injection"), aborted=True))
                        return
                    if event.starttls:
                        try:
                            outcome.events.append(TlsStarted(transport.start_tls()))
                        except TransportError as exc:
                            # The client refused the handshake and hung up; the server did not close.
                            session.connection_lost()
                            outcome.events.append(Failure(exc, aborted=True))
                            return
                    if event.after is State.CLOSED:
                        transport.close()
                        session.connection_lost()
                        return
                continue
            skipping = session.parser.skipping
            if not block:
                if not transport.readable():
                    return
                timeout = None
            elif session.awaiting_reply:
                timeout = None
            elif skipping:  # the rest of a broken reply: read while it keeps coming, not for the timeout
                timeout = QUIET
            else:
                return
            try:
                data = transport.receive(timeout)
            except ReadTimeout:
                if session.awaiting_reply:
                    outcome.events.append(Stalled(session.pending_bytes, transport.timeout))
                return
            except TransportError as exc:
                outcome.events.append(Failure(exc))
                outcome.events.append(session.connection_lost())
                return
            if not data:
                outcome.events.append(session.connection_lost())
                return
            session.receive_data(data)

    def poll(self) -> Outcome:
        """Whatever the server has already sent, without waiting: replies nothing asked for."""
        outcome = Outcome()
        if self.connected:
            self._read_replies(outcome, block=False)
        return outcome

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
            outcome.events.append(Failure(exc))
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
