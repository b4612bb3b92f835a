"""A client-side SMTP session, sans-IO: outgoing things become bytes, incoming bytes become events.

    session = ClientSession()
    session.connection_made()
    session.receive_data(b"220 mx.example ESMTP\\r\\n")
    session.next_event()            # -> Answer(reply=Reply(220...), to="GREETING", ...)
    wire = session.send(ehlo("client.example"))   # -> b"EHLO client.example\\r\\n"

``check(outgoing)`` says, before anything is sent, what a real server will most likely do with a
command that is out of order or malformed. ``send`` sends it anyway (a learner may make mistakes
on purpose) unless the session is strict, where it raises :class:`StrictModeError`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace

from explorer.core import pipelining
from explorer.core import states as st
from explorer.core.capabilities import Capabilities, parse_ehlo
from explorer.core.commands import VERBS, AuthLine, Command, MessageData, Outgoing, RawBytes, parse_command
from explorer.core.replies import NeedData, ProtocolError, Reply, ReplyParser
from explorer.core.states import State
from explorer.core.syntax import syntax_problems

__all__ = [
    "ClientSession", "Context", "Warning_", "Answer", "ConnectionClosed", "StrictModeError",
    "DataLine", "EndOfData",
]


@dataclass(frozen=True)
class DataLine:
    """One line of message content typed in DATA mode: dot-stuffed and ended with CRLF."""

    text: str

    def to_bytes(self) -> bytes:
        raw = self.text.encode("utf-8")
        return (b"." + raw if raw.startswith(b".") else raw) + b"\r\n"


@dataclass(frozen=True)
class EndOfData:
    """The end-of-data marker: a line holding one period (the CRLF before it ended the last line)."""

    def to_bytes(self) -> bytes:
        return b".\r\n"


@dataclass(frozen=True)
class Warning_:
    """A prediction about something the client is about to send.

    ``key`` names the explanation in ``knowledge/warnings.toml``; ``code`` is the reply a real
    server will most likely give (None if no reply will come at all, or if each command gets its
    own reply, as most servers do with commands pipelined too early); ``severity`` is "error"
    for out-of-order or malformed commands (strict mode refuses those) and "note" for a likely
    policy refusal that depends on the server.
    """

    key: str
    code: int | None
    severity: str = "error"


@dataclass(frozen=True)
class Context:
    """What the session has learnt beyond its state."""

    introduced: bool = False  # HELO or EHLO was accepted
    esmtp: bool = False  # it was EHLO: extensions may be used
    tls: bool = False
    authenticated: bool = False
    capabilities: Capabilities = field(default_factory=Capabilities)
    recipients: int = 0  # accepted in the open transaction
    messages: int = 0  # accepted by the server in this session


@dataclass(frozen=True)
class Answer:
    """A reply, with the exchange it answered and the state change it caused."""

    reply: Reply
    to: str  # a verb, or GREETING / AUTH-LINE / BODY / UNKNOWN
    before: State
    after: State
    unexpected: bool = False  # a reply nothing was waiting for
    starttls: bool = False  # 220 to STARTTLS: the transport must now do the TLS handshake


@dataclass(frozen=True)
class ConnectionClosed:
    """The connection ended. ``mid_transaction`` if a transaction or a reply was left open."""

    before: State
    mid_transaction: bool


class StrictModeError(Exception):
    """Raised by ``send`` in strict mode for an out-of-order or malformed command."""

    def __init__(self, warnings: tuple[Warning_, ...]):
        super().__init__(", ".join(w.key for w in warnings))
        self.warnings = warnings


_OPEN = frozenset({State.MAIL, State.RCPT, State.DATA, State.DATA_END})
_NO_REPLIES = frozenset({State.NOT_CONNECTED, State.CLOSED, State.DATA})


def _exchange_of(outgoing: Outgoing | DataLine | EndOfData) -> str:
    if isinstance(outgoing, Command):
        return outgoing.verb if outgoing.verb in st.EFFECTS else st.UNKNOWN
    if isinstance(outgoing, AuthLine):
        return st.AUTH_LINE
    return st.BODY


class ClientSession:
    """The client's side of one SMTP connection. See the module docstring."""

    def __init__(self, *, strict: bool = False) -> None:
        self.strict = strict
        self.state = State.NOT_CONNECTED
        self.context = Context()
        self._parser = ReplyParser()
        self._pending: deque[str] = deque()  # exchanges waiting for their reply, oldest first
        self._data_tail = b""  # last bytes of content sent in DATA, to find CRLF.CRLF
        self._raw_tail = b""  # a line sent with /raw whose LF has not been sent yet

    # -- connection ---------------------------------------------------------------------------

    def connection_made(self, *, tls: bool = False) -> None:
        """The TCP (or implicit TLS) connection is open: the server speaks first."""
        self.state = State.AWAITING_GREETING
        self.context = Context(tls=tls)
        self._parser = ReplyParser()
        self._pending = deque([st.GREETING])
        self._raw_tail = b""

    def connection_lost(self) -> ConnectionClosed:
        """The connection ended (EOF, reset, or after 221/421)."""
        event = ConnectionClosed(self.state, self.state in _OPEN or bool(self._pending))
        self.state = State.CLOSED
        # Nothing of a closed connection holds any more: no TLS, no login, no extensions.
        self.context = Context(messages=self.context.messages)
        self._pending.clear()
        return event

    @property
    def awaiting_reply(self) -> bool:
        return bool(self._pending)

    @property
    def unfinished_line(self) -> bytes:
        """What ``RawBytes`` sent after its last LF: a line the server still waits to see end."""
        return self._raw_tail

    @property
    def parser(self) -> ReplyParser:
        """The reply parser of this connection (what it dropped, whether it is dropping now)."""
        return self._parser

    @property
    def pending_bytes(self) -> bytes:
        """Bytes from the server that do not make a complete reply yet."""
        return self._parser.pending

    # -- the client speaks --------------------------------------------------------------------

    def check(self, outgoing: Outgoing | DataLine | EndOfData) -> tuple[Warning_, ...]:
        """What a real server will most likely make of ``outgoing`` now, before it is sent."""
        found = self._check(outgoing)
        ahead = self._ahead(outgoing)
        if ahead is None or any(w.key == ahead.key for w in found):
            return found
        return (ahead, *found)

    def _ahead(self, outgoing: Outgoing | DataLine | EndOfData) -> Warning_ | None:
        """Sent before the replies it must wait for: before the greeting, or pipelined where
        RFC 2920 does not allow it (``/raw`` with several lines, or a reply still pending)."""
        if self.state in _NO_REPLIES or not isinstance(outgoing, (RawBytes, Command, AuthLine)):
            return None  # no connection; or message content, which CRLF.CRLF ends, not a reply
        if isinstance(outgoing, RawBytes):
            *lines, _ = (self._raw_tail + outgoing.to_bytes()).split(b"\n")
            new = [self._raw_exchange(line) for line in lines]
        else:
            new = [_exchange_of(outgoing)]
        key = pipelining.problem(self._pending, new, self.context.capabilities.has("PIPELINING"))
        if key is None:
            return None
        if key == "before-greeting":
            return Warning_(key, st.OUT_OF_ORDER[(None, State.AWAITING_GREETING)][0])
        # Servers differ (knowledge/families.toml): most answer each command in turn, some hang up.
        return Warning_(key, None, "note")

    def _check(self, outgoing: Outgoing | DataLine | EndOfData) -> tuple[Warning_, ...]:
        if isinstance(outgoing, (RawBytes, DataLine, EndOfData, MessageData)):
            if self.state in (State.NOT_CONNECTED, State.CLOSED):
                return (Warning_(st.OUT_OF_ORDER[(None, self.state)][1], None),)
            if self.state is not State.DATA and not isinstance(outgoing, RawBytes):
                return (Warning_("content-outside-data", 500),)
            return ()
        if isinstance(outgoing, AuthLine):
            if self.state is State.AUTH_EXCHANGE:
                return ()
            return (Warning_("auth-line-outside-exchange", 500),)
        if self.state is State.DATA:
            return (Warning_("command-inside-data", None, "note"),)
        problems = tuple(Warning_(*problem) for problem in syntax_problems(outgoing))
        return self._order_warnings(outgoing) + problems

    def _order_warnings(self, command: Command) -> tuple[Warning_, ...]:
        verb, state, ctx = command.verb, self.state, self.context
        allowed = st.IN_ORDER.get(verb)
        if allowed is None:
            if state in (State.NOT_CONNECTED, State.CLOSED):
                return (Warning_(st.OUT_OF_ORDER[(None, state)][1], None),)
            return (Warning_("unknown-verb", 500),)
        if state not in allowed:
            code, key = (
                st.OUT_OF_ORDER.get((verb, state))
                or st.OUT_OF_ORDER.get((None, state))
                or st.OUT_OF_ORDER.get((verb, None))
                or (503, "out-of-order")
            )
            return (Warning_(key, code),)
        caps = ctx.capabilities
        if verb in ("AUTH", "STARTTLS") and not ctx.esmtp:
            return (Warning_("extension-after-helo", 502),)
        if verb == "STARTTLS":
            if ctx.tls:
                return (Warning_("tls-already", 503),)
            if not caps.has("STARTTLS"):
                return (Warning_("starttls-not-advertised", 502),)
        if verb == "AUTH":
            mechanism = command.argument.split(" ", 1)[0].upper()
            if not caps.auth_mechanisms:
                return (Warning_("auth-not-advertised", 502),)
            if mechanism and mechanism not in caps.auth_mechanisms:
                return (Warning_("mechanism-not-advertised", 504),)
        if verb == "MAIL" and not ctx.authenticated:
            if caps.has("STARTTLS") and not ctx.tls and not caps.auth_mechanisms:
                return (Warning_("tls-probably-required", 530, "note"),)
            if caps.auth_mechanisms:
                return (Warning_("auth-probably-required", 530, "note"),)
        if verb in ("EHLO", "HELO") and state in (State.MAIL, State.RCPT):
            return (Warning_("ehlo-resets-transaction", None, "note"),)
        return ()

    def send(self, outgoing: Outgoing | DataLine | EndOfData) -> bytes:
        """Record ``outgoing`` as sent and return its exact bytes.

        In strict mode, raises :class:`StrictModeError` instead when :meth:`check` finds an error.
        """
        if self.strict:
            errors = tuple(w for w in self.check(outgoing) if w.severity == "error")
            if errors:
                raise StrictModeError(errors)
        wire = outgoing.to_bytes()
        if self.state is State.DATA:
            self._track_content(wire)
        elif isinstance(outgoing, RawBytes):
            # Each complete line will get a reply; a line that reads as a command counts as one,
            # so MAIL typed with /raw still opens a transaction. A last line without LF waits.
            *lines, self._raw_tail = (self._raw_tail + wire).split(b"\n")
            for line in lines:
                self._pending.append(self._raw_exchange(line))
        elif isinstance(outgoing, (Command, AuthLine)):
            self._pending.append(_exchange_of(outgoing))
        return wire

    def _raw_exchange(self, line: bytes) -> str:
        if self.state is State.AUTH_EXCHANGE:
            return st.AUTH_LINE
        try:
            command = parse_command(line.rstrip(b"\r").decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return st.UNKNOWN
        return _exchange_of(command)

    def _track_content(self, wire: bytes) -> None:
        # The content starts right after 354, as if after a CRLF; it ends at CRLF.CRLF.
        seen = (self._data_tail or b"\r\n") + wire
        if b"\r\n.\r\n" in seen:
            self._data_tail = b""
            self.state = State.DATA_END
            self._pending.append(st.BODY)
        else:
            self._data_tail = seen[-4:]

    # -- the server speaks --------------------------------------------------------------------

    def receive_data(self, data: bytes) -> None:
        """Bytes from the server, in any chunking."""
        self._parser.receive_data(data)

    def next_event(self) -> Answer | ProtocolError | NeedData:
        """The next reply (as an :class:`Answer`, with the state already updated), or NEED_DATA."""
        event = self._parser.next_event()
        if isinstance(event, ProtocolError):
            # Garbage still answers the oldest exchange: left pending, every later command would
            # wait for a reply that already came and be shown the previous command's answer.
            if self._pending and self._pending.popleft() == st.BODY:
                self.context = replace(self.context, recipients=0)
                self.state = self._base(self.context)  # the transaction is over either way
            return event
        if not isinstance(event, Reply):
            return event
        unexpected = not self._pending
        exchange = st.UNKNOWN if unexpected else self._pending.popleft()
        before = self.state
        after = self._apply(exchange, event)
        return Answer(event, exchange, before, after, unexpected, exchange == "STARTTLS" and event.code == 220)

    def _apply(self, exchange: str, reply: Reply) -> State:
        code = str(reply.code)
        effects = st.EFFECTS[exchange]
        target = st.GLOBAL_EFFECTS.get(code) or effects.get(code) or effects.get(code[0]) or effects["*"]
        ctx = self.context
        if reply.code == 250 and exchange in ("EHLO", "HELO"):
            esmtp = exchange == "EHLO"
            caps = parse_ehlo(reply) if esmtp else Capabilities()
            ctx = replace(ctx, introduced=True, esmtp=esmtp, capabilities=caps)
        elif exchange == "STARTTLS" and reply.code == 220:
            # RFC 3207 4.2: all knowledge from before TLS is discarded.
            ctx = Context(tls=True, messages=ctx.messages)
        elif target is State.AUTHENTICATED:
            ctx = replace(ctx, authenticated=True)
        elif exchange == st.BODY and reply.klass == 2:
            ctx = replace(ctx, messages=ctx.messages + 1)
        if target == st.BASE:
            target = self._base(ctx)
        elif target == st.SAME:
            target = self.state
        # Only when the count changes: replace() costs more than the rest of this method.
        if target in _OPEN:
            if exchange == "RCPT" and reply.klass == 2:
                ctx = replace(ctx, recipients=ctx.recipients + 1)
        elif ctx.recipients:
            ctx = replace(ctx, recipients=0)
        if target is State.DATA:
            self._data_tail = b""
        self.context = ctx
        self.state = target
        return target

    def _base(self, ctx: Context) -> State:
        if self.state in (State.AWAITING_GREETING, State.REJECTED, State.CLOSED):
            return self.state
        if not ctx.introduced:
            return State.GREETED
        return State.AUTHENTICATED if ctx.authenticated else State.READY

    # -- what now -----------------------------------------------------------------------------

    def expected_step(self) -> str | None:
        """The one step expected next (a template with ``{placeholders}``), or None: wait."""
        state, ctx = self.state, self.context
        if state in (State.READY, State.AUTHENTICATED):
            if ctx.messages:
                return "QUIT"
            caps = ctx.capabilities
            if state is State.READY and caps.has("STARTTLS") and not ctx.tls:
                return "STARTTLS"
            mechanisms = caps.auth_mechanisms
            if state is State.READY and mechanisms:
                return "AUTH LOGIN" if "LOGIN" in mechanisms else f"AUTH {mechanisms[0]}"
        return st.NEXT_STEP[state]

    def sensible_verbs(self) -> tuple[str, ...]:
        """The verbs that make sense now, from the state table and what the server advertised."""
        if self.state not in st.IN_ORDER["QUIT"]:
            return ()
        return tuple(
            verb
            for verb in VERBS
            if not any(w.severity == "error" for w in self._order_warnings(Command(verb)))
        )
