"""From chunks (exact bytes, times) to an ordered list of exchanges, each reply paired with its command.

The pairing is the protocol core's, not a second parser: every client chunk goes into a
:class:`~explorer.core.session.ClientSession` as ``RawBytes`` (cut at line ends, and at the
CRLF.CRLF that ends the message content), every server chunk into ``receive_data``; each
:class:`~explorer.core.session.Answer` says which exchange it answers. This module keeps a queue
of its own exchanges in step with the session's queue of pending exchanges.

A session may hold several connections (the REPL's ``/connect``). A new one is recognised when
the server speaks after the previous connection closed (221, 421), when the chunks' TLS flag
drops back to clear text, or when a 220 arrives while nothing was waiting for a reply: a server
never sends that except as the greeting of a new connection.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Iterable, Protocol

from explorer.core.commands import CommandError, RawBytes, parse_command
from explorer.core.replies import NEED_DATA, ProtocolError
from explorer.core.session import Answer, ClientSession
from explorer.core.states import AUTH_LINE, BODY, EFFECTS, UNKNOWN, State
from explorer.reports.explain import client_texts, garbage_texts, partial_texts, reply_texts
from explorer.reports.model import CLIENT, SERVER, Exchange, Marker, Transcript

__all__ = ["annotate", "ChunkLike"]


class ChunkLike(Protocol):
    time: float
    direction: str
    data: bytes


@dataclass
class _Draft:
    """An exchange being built (frozen into an :class:`Exchange` at the end)."""

    direction: str
    kind: str
    data: bytes
    time: float
    tls: bool
    connection: int
    chunks: list[int]
    offset: int
    name: str
    state_before: str
    state_after: str = ""
    code: int | None = None
    enhanced: str | None = None
    answers: int | None = None
    checks: tuple = ()
    problems: tuple[str, ...] = ()
    event: object = None
    whole_line: bytes | None = None
    redacted: bool = False


@dataclass
class _Pending:
    """Client bytes not yet making an exchange: a line without its LF, or unfinished content."""

    data: bytes = b""
    chunks: list[int] = field(default_factory=list)
    offset: int = 0
    time: float = 0.0
    line_so_far: bytes = b""  # for a line flushed early: the whole line, for its label

    def add(self, index: int, piece: bytes, offset: int, when: float) -> None:
        if not self.data:
            self.offset = offset
        self.data += piece
        if index not in self.chunks:
            self.chunks.append(index)
        self.time = when


class _Annotator:
    def __init__(self, lang: str, placeholder: bytes | None) -> None:
        self.lang = lang
        self.placeholder = placeholder
        self.drafts: list[_Draft] = []
        self.markers: list[Marker] = []
        self.chunk_tls: list[bool] = []
        self.connection = 0
        self.session = ClientSession()
        self.queue: deque[int | None] = deque()
        self.tls_now = False
        self.closed_marked = False
        self.last_flag = False
        self.client_offset = self.server_offset = self.server_used = 0

    # -- connections --------------------------------------------------------------------------

    def _new_connection_needed(self, chunk: ChunkLike, flag: bool) -> bool:
        if self.connection == 0:
            return True
        session = self.session
        if session.state in (State.CLOSED, State.NOT_CONNECTED):
            return chunk.direction == SERVER
        if self.last_flag and not flag:
            return True
        return (chunk.direction == SERVER and not session.awaiting_reply
                and not session.pending_bytes and session.state is not State.AWAITING_GREETING
                and chunk.data[:4] in (b"220 ", b"220-"))

    def _open(self, chunk: ChunkLike, flag: bool) -> None:
        self._flush(chunk.time)
        self._flush_server()
        if self.connection and not self.closed_marked:
            self._mark("connection-closed", chunk.time)
        self.connection += 1
        self.session = ClientSession()
        self.session.connection_made(tls=flag)
        self.queue = deque([None])  # the greeting answers nothing the client sent
        self.tls_now = flag
        self.closed_marked = False
        # Offsets run over the whole session, per direction; bytes a closed connection left
        # unparsed are skipped.
        self.server_used = self.server_offset
        self.server_spans: list[tuple[int, int, int, float]] = []
        self.line = _Pending()
        self.content = _Pending()
        self.content_tail = b""
        self._mark("connection-opened", chunk.time)
        if flag:
            self._mark("tls-from-start", chunk.time)

    def _mark(self, kind: str, when: float) -> None:
        self.markers.append(Marker(kind, when, len(self.drafts), self.connection))

    # -- chunks -------------------------------------------------------------------------------

    def feed(self, index: int, chunk: ChunkLike) -> None:
        flag = bool(getattr(chunk, "tls", False))
        if self._new_connection_needed(chunk, flag):
            self._open(chunk, flag)
        self.last_flag = flag
        self.chunk_tls.append(flag or self.tls_now)
        if chunk.direction == CLIENT:
            self._client(index, chunk)
        else:
            self._server(index, chunk)

    def _client(self, index: int, chunk: ChunkLike) -> None:
        data, pos, session = chunk.data, 0, self.session
        while pos < len(data):
            offset = self.client_offset + pos
            if session.state is State.DATA and not self.line.data:
                base = self.content_tail or b"\r\n"
                seen = base + data[pos:]
                at = seen.find(b"\r\n.\r\n")
                end = len(data) if at < 0 else pos + at + 5 - len(base)
                piece = data[pos:end]
                session.send(RawBytes(piece))
                self.content.add(index, piece, offset, chunk.time)
                if at < 0:
                    self.content_tail = seen[-4:]
                else:
                    self.content_tail = b""
                    self._client_exchange(self.content, "content", BODY, queued=True,
                                          before=State.DATA)
                    self.content = _Pending()
                pos = end
                continue
            newline = data.find(b"\n", pos)
            end = len(data) if newline < 0 else newline + 1
            piece = data[pos:end]
            if newline < 0:
                session.send(RawBytes(piece))
                self.line.add(index, piece, offset, chunk.time)
            else:
                self.line.add(index, piece, offset, chunk.time)
                whole = self.line.line_so_far + self.line.data
                kind, name, checks = self._classify(whole)
                session.send(RawBytes(piece))
                self._client_exchange(self.line, kind, name, queued=True, checks=checks,
                                      whole=whole if self.line.line_so_far else None)
                self.line = _Pending()
            pos = end
        self.client_offset += len(data)

    def _classify(self, line: bytes) -> tuple[str, str, tuple]:
        session = self.session
        if session.state is State.AUTH_EXCHANGE:
            return "auth-line", AUTH_LINE, ()
        body = line[:-2] if line.endswith(b"\r\n") else line[:-1]
        try:
            command = parse_command(body.decode("utf-8"))
        except (UnicodeDecodeError, CommandError, ValueError):
            return "unknown", UNKNOWN, ()
        known = command.verb in EFFECTS
        return ("command" if known else "unknown"), (command.verb if known else UNKNOWN), \
            session.check(command)

    def _client_exchange(self, pending: _Pending, kind: str, name: str, *, queued: bool,
                         checks: tuple = (), whole: bytes | None = None,
                         before: State | None = None) -> None:
        # Sending changes the state only at the end of the content (DATA -> DATA_END).
        before = before or self.session.state
        draft = _Draft(CLIENT, kind, pending.data, pending.time, self.chunk_tls[-1],
                       self.connection, list(pending.chunks), pending.offset, name,
                       before.value, self.session.state.value, checks=checks, whole_line=whole)
        if self.placeholder and kind in ("auth-line", "command", "bytes") and self.placeholder in pending.data:
            draft.redacted = True
        self.drafts.append(draft)
        if queued:
            self.queue.append(len(self.drafts) - 1)

    def _flush(self, when: float) -> None:
        """Client bytes still pending when the server speaks (or the session ends) get an arrow."""
        if self.connection == 0:
            return
        if self.line.data:
            line = self.line
            self._client_exchange(line, "bytes", UNKNOWN, queued=False,
                                  whole=line.line_so_far + line.data)
            self.line = _Pending(line_so_far=line.line_so_far + line.data)
        if self.content.data:
            self._client_exchange(self.content, "content", BODY, queued=False)
            self.content = _Pending()

    def _flush_server(self) -> None:
        """Server bytes that never became a complete reply (no line end) still get an arrow."""
        if self.connection == 0 or self.server_used >= self.server_offset:
            return
        first, last = self.server_used, self.server_offset
        spans = [s for s in self.server_spans if s[0] < last and s[1] > first]
        self.drafts.append(_Draft(SERVER, "bytes", self.session.pending_bytes, spans[-1][3],
                                  self.chunk_tls[spans[-1][2]], self.connection,
                                  [s[2] for s in spans], first, UNKNOWN, self.session.state.value,
                                  self.session.state.value))
        self.server_used = last

    def _server(self, index: int, chunk: ChunkLike) -> None:
        self._flush(chunk.time)
        start = self.server_offset
        self.server_offset += len(chunk.data)
        self.server_spans.append((start, self.server_offset, index, chunk.time))
        session = self.session
        session.receive_data(chunk.data)
        while True:
            event = session.next_event()
            if event is NEED_DATA:
                return
            raw = event.reply.raw if isinstance(event, Answer) else event.raw
            first, last = self.server_used, self.server_used + len(raw)
            self.server_used = last
            spans = [s for s in self.server_spans if s[0] < last and s[1] > first] or \
                [self.server_spans[-1]]
            draft = _Draft(SERVER, "reply", raw, spans[-1][3], self.chunk_tls[-1], self.connection,
                           [s[2] for s in spans], first, UNKNOWN, session.state.value, event=event)
            if isinstance(event, ProtocolError):
                draft.kind, draft.state_after = "garbage", session.state.value
                self.drafts.append(draft)
                continue
            self._answer(draft, event)

    def _answer(self, draft: _Draft, answer: Answer) -> None:
        reply = answer.reply
        draft.code, draft.enhanced, draft.problems = reply.code, reply.enhanced, reply.problems
        draft.name = answer.to
        draft.state_before, draft.state_after = answer.before.value, answer.after.value
        if not answer.unexpected and self.queue:
            draft.answers = self.queue.popleft()
        self.drafts.append(draft)
        if answer.starttls:
            self.tls_now = True
            self._mark("tls-started", draft.time)
        if answer.after is State.CLOSED:
            self.session.connection_lost()
            self.closed_marked = True
            self._mark("connection-closed", draft.time)

    # -- the result -----------------------------------------------------------------------------

    def finish(self, meta: dict) -> Transcript:
        self._flush(self.drafts[-1].time if self.drafts else 0.0)
        self._flush_server()
        answered: dict[int, list[int]] = {}
        for number, draft in enumerate(self.drafts):
            if draft.answers is not None:
                answered.setdefault(draft.answers, []).append(number)
        exchanges = []
        for number, d in enumerate(self.drafts):
            if d.direction == CLIENT:
                label, meaning, explanation = client_texts(d.kind, d.name, d.data, d.checks, self.lang,
                                                           redacted=d.redacted, whole_line=d.whole_line)
            elif d.kind == "garbage":
                label, meaning, explanation = garbage_texts(d.event, self.lang)
            elif d.kind == "bytes":
                label, meaning, explanation = partial_texts(d.data, self.lang)
            else:
                label, meaning, explanation = reply_texts(d.event, self.lang)
            exchanges.append(Exchange(
                index=number, direction=d.direction, kind=d.kind, data=d.data, time=d.time,
                tls=d.tls, connection=d.connection, chunks=tuple(d.chunks), offset=d.offset,
                name=d.name,
                label=label, meaning=meaning, explanation=explanation, code=d.code,
                enhanced=d.enhanced, answers=d.answers, answered_by=tuple(answered.get(number, ())),
                state_before=d.state_before, state_after=d.state_after,
                warnings=tuple(w.key for w in d.checks), problems=d.problems, redacted=d.redacted,
                event=d.event, checks=d.checks))
        return Transcript(dict(meta), tuple(exchanges), tuple(self.markers), tuple(self.chunk_tls),
                          self.lang)


def annotate(chunks: Iterable[ChunkLike], *, lang: str = "en", meta: dict | None = None,
             placeholder: bytes | None = None) -> Transcript:
    """Annotate chunks in wire order (``time``, ``direction``, ``data``, optional ``tls``).

    Chunks without a TLS flag (the sandbox's) are marked TLS from the 220 that answers STARTTLS
    on. ``placeholder``: the marker that redaction put in place of AUTH responses, so that
    those lines are labelled as removed secrets.
    """
    annotator = _Annotator(lang, placeholder)
    for index, chunk in enumerate(chunks):
        annotator.feed(index, chunk)
    return annotator.finish(meta or {})
