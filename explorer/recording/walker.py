"""The one walker of a recorded session: chunks in; connections, the client's units, the server's
replies paired with what they answer, the linter's findings and the secrets' offsets out. Sans-IO.

Every reader of a session uses it: the linter (:func:`lint_session`), ``inspect``, the
transcripts and replay (:mod:`explorer.reports.annotate`), the class report. The rules it applies
are the linter's (:mod:`explorer.lint`, a lower layer).

The client's bytes are read the way the server read them: one line at a time outside DATA, the
content up to CRLF.CRLF after a 354, an AUTH answer after a 334. Which of these the next bytes
are depends on the server's replies, so a line is only interpreted once every earlier exchange
has its reply: then the protocol core's ``ClientSession`` is in the state the server was in
when it read that line, even when the client sent everything at once. The chunk order tells
whether the client waited for each reply (a reply recorded after the next command's bytes was
not awaited).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Iterable

from explorer.core import states as st
from explorer.core.commands import AuthLine
from explorer.core.render import visible_text
from explorer.core.replies import NEED_DATA, ProtocolError
from explorer.core.session import Answer, ClientSession, EndOfData
from explorer.core.states import State
from explorer.lint import commands as cmd
from explorer.lint.content import lint_message
from explorer.lint.findings import Finding, make
from explorer.lint.identity import Identity
from explorer.recording.chunk import CLIENT, as_chunks
from explorer.recording.judging import Judging
from explorer.recording.model import Analysis, ServerEvent, Unit
from explorer.recording.secrets import merged, secret_spans

__all__ = ["Unit", "ServerEvent", "Analysis", "analyse", "lint_session"]

_SHOWN = {st.GREETING: "220", st.AUTH_LINE: "AUTH", st.BODY: "CRLF.CRLF"}
_MODES = {State.DATA: "data", State.AUTH_EXCHANGE: "auth"}  # how the server reads next


@dataclass
class _Sent:
    name: str  # the exchange
    shown: str  # how a finding names it
    reply_chunk: int | None = None
    unit: int | None = None  # the unit sent (None: the greeting)


class _Walker(Judging):
    def __init__(self, username: str | None, secrets: list[tuple[int, int]]) -> None:
        self.secrets = secrets  # the client's secret spans, merged, in order
        self.secret_starts = [start for start, _ in secrets]
        self.session = ClientSession()
        self.session.connection_made()
        self.stream = bytearray()
        self.starts: list[int] = []
        self.ids: list[int] = []
        self.times: list[float] = []
        self.cursor = self.scan = 0
        self.line = 1
        self.mode = "command"  # command, auth or data: how the server reads the next bytes
        self.final = False
        greeting = _Sent(st.GREETING, _SHOWN[st.GREETING])
        self.sent = [greeting]
        self.waiting: deque[_Sent] = deque([greeting])
        self.findings: list[Finding] = []
        self.units: list[Unit] = []
        self.server: list[ServerEvent] = []
        self.who = Identity(username)
        self.earlier_user: str | None = None  # the user an earlier connection logged in as
        self.quit = self.quit_partial = self.server_closed = False
        self.messages = 0
        self.data_refused: str | None = None  # the code DATA got, when it was not 354
        self.as_commands: int | None = None  # the content-as-commands finding being counted
        self.connection = 1
        self.opened: list[tuple[int, bool]] = []  # per connection: first chunk, TLS from start
        self.chunk_tls: list[bool] = []
        self.tls_now = self.last_flag = False
        self.server_offset = 0  # server bytes that made events so far

    # -- input ----------------------------------------------------------------------------------

    def feed(self, index: int, time: float, direction: str, data: bytes, tls: bool = False) -> None:
        self.times.append(time)
        if not self.opened:
            self.opened.append((index, tls))
            self.tls_now = tls
        elif self._new_connection(direction, data, tls):
            self._reconnect(index, tls)
        self.last_flag = tls
        self.chunk_tls.append(tls or self.tls_now)
        if direction == "server":
            self.session.receive_data(data)
            while (event := self.session.next_event()) is not NEED_DATA:
                if isinstance(event, ProtocolError):
                    state = self.session.state.value
                    self._event(index, error=event, raw=event.raw, state_before=state,
                                state_after=state)
                else:
                    self._answer(index, event)
                # Pipelining (RFC 2920): the next command the client sent ahead is read now,
                # before the next reply of the same chunk, which answers it.
                self._process()
        elif data:
            self.starts.append(len(self.stream))
            self.ids.append(index)
            self.stream += data
        self._process()

    def _new_connection(self, direction: str, data: bytes, tls: bool) -> bool:
        """A new connection (the REPL's /connect): the chunks' TLS flag drops back to clear
        text, the server speaks after the connection closed, or a 220 comes when nothing was
        waiting (a server sends that only as the greeting of a new connection)."""
        if self.last_flag and not tls:
            return True
        if direction != "server":
            return False
        if self.session.state is State.CLOSED:
            return True
        return data[:4] in (b"220 ", b"220-") and not self.session.pending_bytes \
            and not self.waiting

    def _event(self, index: int, **fields: Any) -> None:
        self.server.append(ServerEvent(index, offset=self.server_offset,
                                       connection=self.connection, **fields))
        self.server_offset += len(fields["raw"])

    def _reconnect(self, index: int, tls: bool) -> None:
        """A new connection: a new protocol session, and an identity that knows nothing yet."""
        self.final = True  # what the client left unread on the old connection is read as it was
        self._process()
        self._leftover(index)
        self._at_end()  # how the old connection ended (no QUIT...) is its own finding
        self.connection += 1
        self.opened.append((index, tls))
        self.tls_now = tls
        self.final = self.quit = self.quit_partial = self.server_closed = False
        self.session = ClientSession()
        self.session.connection_made()
        greeting = _Sent(st.GREETING, _SHOWN[st.GREETING])
        self.sent.append(greeting)
        self.waiting = deque([greeting])
        self.mode = "command"
        self.earlier_user = self.who.user or self.earlier_user
        self.who = Identity(self.who.given)
        self.data_refused = self.as_commands = None

    def _leftover(self, index: int) -> None:
        """Server bytes that never made a reply before the connection (or the recording) ended."""
        pending = self.session.pending_bytes
        if pending:
            state = self.session.state.value
            self._event(index, raw=pending, state_before=state, state_after=state, leftover=True)

    def _answer(self, index: int, answer: Answer) -> None:
        closes = answer.after is State.CLOSED
        self.tls_now |= answer.starttls
        fields = dict(reply=answer.reply, raw=answer.reply.raw, state_before=answer.before.value,
                      state_after=answer.after.value, closes=closes, starttls=answer.starttls,
                      answer=answer)
        if answer.unexpected:
            self._event(index, **fields)
            self.server_closed |= closes
            return
        sent = self.waiting.popleft()
        sent.reply_chunk = index
        self._event(index, to=answer.to, unit=sent.unit, **fields)
        after, code = answer.after, answer.reply.code
        self.mode = _MODES.get(after, "command")
        self.server_closed |= after is State.CLOSED and answer.to != "QUIT"
        if after is State.AUTHENTICATED and answer.before is not State.AUTHENTICATED:
            self.who.authenticated()
        if sent.name == st.BODY and answer.reply.klass == 2:
            self.messages += 1
        if sent.name == "DATA":
            self.data_refused = None if code == 354 else str(code)

    # -- reading the client's bytes as the server did -------------------------------------------

    def _process(self) -> None:
        while self.cursor < len(self.stream) and (self.final or not self.waiting):
            if not (self._content() if self.mode == "data" else self._line()):
                return

    def _line(self) -> bool:
        stream, start = self.stream, self.cursor
        nl = stream.find(b"\n", max(start, self.scan))
        if nl < 0:
            if not self.final:
                self.scan = len(stream)
                return False
            self._partial()
            return True
        raw = bytes(stream[start:nl + 1])
        self._early(start, auth=self.mode == "auth")
        if self.mode == "auth":
            self._auth_answer(raw, start)
        else:
            self._command(raw, start)
        self.line += 1
        self.cursor, self.scan = nl + 1, 0
        return True

    def _content(self) -> bool:
        stream, start = self.stream, self.cursor
        if stream.startswith(b".\r\n", start):
            end: int | None = start + 3
        else:
            found = stream.find(b"\r\n.\r\n", max(start, self.scan))
            if found < 0 and not self.final:
                self.scan = max(start, len(stream) - 4)
                return False
            end = None if found < 0 else found + 5
        stop = len(stream) if end is None else end - 3
        self._early(start)
        for finding in lint_message(bytes(stream[start:stop]), base=start, line=self.line,
                                    envelope=self.who.envelope, terminated=end is not None):
            self._add(finding)
        finish = len(stream) if end is None else end
        self._unit("content", start, finish, self.line,
                   sent=None if end is None else (EndOfData(), st.BODY, _SHOWN[st.BODY]))
        self.line += stream.count(b"\n", start, finish)
        self.cursor, self.scan = finish, 0
        self.mode = "command"
        return True

    def _command(self, raw: bytes, start: int) -> None:
        line = self.line
        command = cmd.read_command(cmd.split_ending(raw)[0])
        verb = command.verb
        # A credential read as a command: AUTH was refused, or never asked for, and the client
        # sent its answers anyway (the one definition of a secret says which lines those are).
        secret = self._secret(start, raw)
        checks = self.session.check(command)
        for finding in cmd.ending_findings(raw, start, line, "command"):
            self._add(finding)
        if secret:
            self._add(make("credentials-as-commands", line, start))
        elif self.session.state is not State.CLOSED:
            for finding in cmd.core_findings(checks, command, raw, start, line):
                self._add_core(finding)
        if verb in st.EFFECTS:
            self.as_commands = self.data_refused = None
        found: list[Finding] = []
        if verb == "MAIL":
            found = self.who.mail(command, raw, start, line)
        elif verb == "RCPT" and not command.argument.isascii() and not self.who.smtputf8:
            found = [make("address-non-ascii", line, start)]
        elif verb == "AUTH":
            found = self.who.auth(command, raw, start, line)
        elif verb == "QUIT":
            self.quit = True
        for finding in found:
            self._add(finding)
        if secret:
            verb = ""  # nothing of it is named anywhere
        name = verb if verb in st.EFFECTS else st.UNKNOWN
        self._unit("command", start, start + len(raw), line, verb, checks, sent=(command, name, visible_text(verb[:20]) or "?"))

    def _auth_answer(self, raw: bytes, start: int) -> None:
        line = self.line
        for finding in cmd.ending_findings(raw, start, line, "auth"):
            self._add(finding)
        content = cmd.split_ending(raw)[0]
        for finding in self.who.answer(content, raw, start, line):
            self._add(finding)
        self._unit("auth", start, start + len(raw), line, "",
                   sent=(AuthLine(content.decode("ascii", "replace").strip()), st.AUTH_LINE,
                         _SHOWN[st.AUTH_LINE]))

    def _partial(self) -> None:
        start, raw = self.cursor, bytes(self.stream[self.cursor:])
        where = "auth" if self.mode == "auth" else "command"
        for finding in cmd.partial_findings(raw, start, self.line, where):
            self._add(finding)
        verb = cmd.read_command(raw).verb if where == "command" else ""
        self.quit_partial |= verb == "QUIT"
        self._unit("partial", start, len(self.stream), self.line, verb)
        self.cursor = len(self.stream)

    # -- bookkeeping ----------------------------------------------------------------------------

    def _unit(self, kind: str, start: int, end: int, line: int, verb: str = "",
              checks: tuple[Any, ...] = (), *,
              sent: tuple[Any, str, str] | None = None) -> None:
        """Record what the server read as one thing; ``sent``: (outgoing, exchange, how a
        finding names it) when the server answers it."""
        before = self.session.state.value
        if sent is not None:
            self.session.send(sent[0])
        self.units.append(Unit(kind, start, end, line, verb, self.connection, before,
                               self.session.state.value, checks))
        if sent is not None:
            item = _Sent(sent[1], sent[2], unit=len(self.units) - 1)
            self.sent.append(item)
            self.waiting.append(item)

    # -- the end --------------------------------------------------------------------------------

    def finish(self, ended: bool) -> Analysis:
        self.final = True
        self._process()
        self._leftover(len(self.times))
        if ended:
            self._at_end()
        findings = sorted(self.findings, key=lambda f: f.offset)  # stable: creation order
        return Analysis(tuple(findings), tuple(self.units), tuple(self.server),
                        bytes(self.stream), tuple(zip(self.ids, self.starts)), tuple(self.times),
                        self.who.user or self.earlier_user, self.messages, self.quit,
                        tuple(self.chunk_tls), tuple(self.opened), tuple(self.secrets))

def analyse(chunks: Iterable[Any], *, ended: bool = True, username: str | None = None) -> Analysis:
    """Lint a session from its chunks (each with ``time``, ``direction`` "client"/"server",
    ``data``; a ``(time, direction, data)`` tuple works too), in the order they crossed the wire.

    ``ended``: the session is over, so what never came is a mistake (QUIT, the end of a line
    or of the message). ``username``: the account AUTH succeeded for, when the recording has
    its credentials masked (the sandbox's log, a saved session).
    """
    chunks = as_chunks(chunks)
    walker = _Walker(username, merged(secret_spans(chunks), CLIENT))
    for index, chunk in enumerate(chunks):
        walker.feed(index, chunk.time, chunk.direction, chunk.data, chunk.tls)
    return walker.finish(ended)


def lint_session(chunks: Iterable[Any], *, ended: bool = True,
                 username: str | None = None) -> list[Finding]:
    """The mistakes of a recorded session, in the order of the client's bytes. See
    :func:`analyse` for the arguments."""
    return list(analyse(chunks, ended=ended, username=username).findings)
