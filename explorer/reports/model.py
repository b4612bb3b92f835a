"""What an annotated session is made of: exchanges (the arrows) and markers (what is not an arrow).

An *exchange* is one thing that crossed the wire as a unit of the protocol: a command line, a
line of an AUTH exchange, the whole message content (from 354 to CRLF.CRLF), or one complete
reply (all its lines). Each keeps its exact bytes, where they came from (chunk indices), the time
it was complete, whether TLS protected it, and what the protocol core made of it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from explorer.core.render import visible
from explorer.core.replies import Flaw

__all__ = ["Exchange", "Marker", "Transcript", "CLIENT", "SERVER", "KINDS"]

CLIENT, SERVER = "client", "server"

#: Kinds of exchange: what the client sends, and what the server sends.
KINDS = ("command", "unknown", "auth-line", "content", "bytes", "reply", "garbage")


@dataclass(frozen=True)
class Exchange:
    """One arrow of the ladder diagram. Texts are safe (visible rendering) and in one language."""

    index: int  # position in the session, from 0
    direction: str  # CLIENT or SERVER
    kind: str  # one of KINDS
    data: bytes  # the exact bytes
    time: float  # when the last byte was on the wire (seconds since the epoch)
    tls: bool
    connection: int  # 1 for the first connection of the session, 2 after a reconnect...
    chunks: tuple[int, ...]  # the chunks (indices) these bytes came in
    offset: int  # where the bytes start in everything this direction sent in the session
    name: str  # the exchange as the core names it: EHLO, AUTH-LINE, BODY, GREETING, UNKNOWN...
    label: str  # one line for the arrow: the command as sent, or "250 <meaning>"
    meaning: str  # one line: what the verb or the reply code means
    explanation: tuple[str, ...] = ()  # why now, what next, state change, warnings
    code: int | None = None
    enhanced: str | None = None
    answers: int | None = None  # a reply: the index of the client exchange it answers
    answered_by: tuple[int, ...] = ()  # a client exchange: the replies to it
    state_before: str = ""
    state_after: str = ""
    warnings: tuple[str, ...] = ()  # keys of the core's warnings for a client exchange
    # What was malformed in a reply: the core's flaws (keys, shown in any language); a report
    # saved before the keys existed holds English sentences, kept as they are.
    problems: tuple[Flaw | str, ...] = ()
    redacted: bool = False
    # The core's own objects, for the replay's REPL rendering (not saved, not compared).
    event: Any = field(default=None, compare=False, repr=False)
    checks: tuple[Any, ...] = field(default=(), compare=False, repr=False)

    @property
    def visible(self) -> str:
        return visible(self.data)

    @property
    def klass(self) -> int | None:
        """The reply class (2 to 5), or None for what the client sends."""
        return self.code // 100 if self.code is not None else None

    def to_json(self) -> dict:
        """The ``{"type": "exchange", ...}`` line of a saved session."""
        return {
            "type": "exchange", "index": self.index, "dir": self.direction, "kind": self.kind,
            "t": self.time, "tls": self.tls, "connection": self.connection,
            "chunks": list(self.chunks), "offset": self.offset, "name": self.name,
            "data": base64.b64encode(self.data).decode("ascii"), "visible": self.visible,
            "label": self.label, "meaning": self.meaning, "explanation": list(self.explanation),
            "code": self.code, "enhanced": self.enhanced, "answers": self.answers,
            "answered_by": list(self.answered_by), "state_before": self.state_before,
            "state_after": self.state_after, "warnings": list(self.warnings),
            "problems": [_flaw_json(p) for p in self.problems], "redacted": self.redacted,
        }

    @classmethod
    def from_json(cls, item: dict) -> Exchange:
        """The inverse of :meth:`to_json` (without the core's objects)."""
        return cls(
            index=int(item["index"]), direction=item["dir"], kind=item["kind"],
            data=base64.b64decode(item["data"], validate=True), time=float(item["t"]),
            tls=bool(item["tls"]), connection=int(item["connection"]),
            chunks=tuple(int(c) for c in item["chunks"]), offset=int(item["offset"]),
            name=item["name"], label=item["label"], meaning=item["meaning"],
            explanation=tuple(item["explanation"]), code=item.get("code"),
            enhanced=item.get("enhanced"), answers=item.get("answers"),
            answered_by=tuple(item.get("answered_by", ())),
            state_before=item.get("state_before", ""), state_after=item.get("state_after", ""),
            warnings=tuple(item.get("warnings", ())), problems=tuple(_flaw_of(p) for p in item.get("problems", ())),
            redacted=bool(item.get("redacted")),
        )


def _flaw_json(flaw: Flaw | str) -> dict | str:
    return flaw if isinstance(flaw, str) else {"key": flaw.key, "values": dict(flaw.values)}


def _flaw_of(item: dict | str) -> Flaw | str:
    if isinstance(item, dict):
        return Flaw(str(item["key"]), tuple((str(k), v) for k, v in dict(item.get("values", {})).items()))
    return str(item)


@dataclass(frozen=True)
class Marker:
    """Something between arrows: a connection opened or closed, TLS started."""

    kind: str  # connection-opened, connection-closed, tls-started, tls-from-start
    time: float
    before: int  # the index of the first exchange after it (len(exchanges) at the very end)
    connection: int

    def to_json(self) -> dict:
        return {"type": "marker", "kind": self.kind, "t": self.time, "before": self.before,
                "connection": self.connection}


@dataclass(frozen=True)
class Transcript:
    """A whole annotated session. ``chunk_tls`` says, per chunk, whether TLS protected it."""

    meta: dict
    exchanges: tuple[Exchange, ...]
    markers: tuple[Marker, ...]
    chunk_tls: tuple[bool, ...]
    lang: str = "en"
    # The linter's findings on the same walk (explorer.lint.Finding), for --lint.
    findings: tuple[Any, ...] = field(default=(), compare=False, repr=False)

    @property
    def start(self) -> float | None:
        return self.exchanges[0].time if self.exchanges else None

    @property
    def duration(self) -> float:
        return self.exchanges[-1].time - self.exchanges[0].time if self.exchanges else 0.0

    @property
    def connections(self) -> int:
        return max((e.connection for e in self.exchanges), default=0)

    @property
    def redacted(self) -> bool:
        return any(e.redacted for e in self.exchanges)

    def first_tls(self) -> Exchange | None:
        return next((e for e in self.exchanges if e.tls), None)

    def markers_before(self, index: int) -> list[Marker]:
        """The markers shown just before exchange ``index`` (``len(exchanges)``: at the end)."""
        return [m for m in self.markers if m.before == index]

    def exchange_of_chunk(self, chunk: int) -> Exchange | None:
        """The first exchange made (partly) of chunk number ``chunk``."""
        return next((e for e in self.exchanges if chunk in e.chunks), None)

    def exchange_at(self, when: float) -> Exchange | None:
        """The last exchange complete at ``when`` (the first one if ``when`` is earlier)."""
        found = None
        for exchange in self.exchanges:
            if exchange.time <= when:
                found = exchange
            else:
                break
        return found or (self.exchanges[0] if self.exchanges else None)
