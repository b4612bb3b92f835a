"""From chunks (exact bytes, times) to the exchanges of a transcript: the walker's output, worded.

There is one walker (:func:`explorer.recording.walker.analyse`): it splits a recording into connections,
reads the client's bytes as the server read them and pairs each reply with what it answers,
pipelining included. This module only lays its units and replies out as arrows, in the order
they were complete on the wire, and words them (:mod:`.explain`):

* a client line or message still incomplete when the server spoke is cut there: the part sent
  so far is an arrow of its own (``bytes``, or unfinished ``content``);
* markers say where a connection opened or closed and where TLS started.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any, Iterable, Protocol

from explorer.core.states import AUTH_LINE, BODY, EFFECTS, UNKNOWN
from explorer.recording.walker import Analysis, ServerEvent, Unit, analyse
from explorer.reports.explain import client_texts, garbage_texts, partial_texts, reply_texts
from explorer.reports.model import CLIENT, SERVER, Exchange, Marker, Transcript

__all__ = ["annotate", "ChunkLike"]

_KINDS = {"auth": ("auth-line", AUTH_LINE), "content": ("content", BODY),
          "partial": ("bytes", UNKNOWN)}


class ChunkLike(Protocol):
    time: float
    direction: str
    data: bytes


@dataclass
class _Arrow:
    """An exchange before its index is known: ``key`` orders it on the wire."""

    key: tuple
    direction: str
    kind: str
    name: str
    data: bytes
    chunks: tuple[int, ...]
    offset: int
    connection: int
    state_before: str
    state_after: str
    unit: int | None = None  # the unit it completes (client), or answers (server)
    checks: tuple = ()
    whole: bytes | None = None
    event: Any = None


class _Layout:
    def __init__(self, chunks: list[Any], analysis: Analysis, placeholder: bytes | None) -> None:
        self.chunks, self.a, self.placeholder = chunks, analysis, placeholder
        self.spans: dict[str, tuple[list[int], list[int]]] = {}
        for direction in (CLIENT, SERVER):
            starts, ids, total = [], [], 0
            for index, chunk in enumerate(chunks):
                if chunk.direction == direction:
                    starts.append(total)
                    ids.append(index)
                    total += len(chunk.data)
            self.spans[direction] = (starts, ids)
        # Where the client's stream stood when each server chunk (or new connection) came:
        # a client line still open then is cut there.
        cuts, total = set(), 0
        opening = {first for first, _ in analysis.opened}
        for index, chunk in enumerate(chunks):
            if chunk.direction == SERVER or index in opening:
                cuts.add(total)
            if chunk.direction == CLIENT:
                total += len(chunk.data)
        self.cuts = sorted(cuts)

    def chunks_of(self, direction: str, start: int, end: int) -> tuple[int, ...]:
        starts, ids = self.spans[direction]
        first = max(bisect_right(starts, start) - 1, 0)
        last = max(bisect_left(starts, max(end, start + 1)) - 1, first)
        return tuple(ids[first:last + 1])

    def client(self, number: int, unit: Unit) -> list[_Arrow]:
        inside = [c for c in self.cuts if unit.start < c < unit.end]
        kind, name = _KINDS.get(unit.kind, ("command", unit.verb) if unit.verb in EFFECTS
                                else ("unknown", UNKNOWN))
        stream, arrows = self.a.client, []
        for start, end in zip([unit.start, *inside], [*inside, unit.end]):
            last = end == unit.end
            chunks = self.chunks_of(CLIENT, start, end)
            piece = (kind, name) if last else (("content", BODY) if kind == "content"
                                               else ("bytes", UNKNOWN))
            whole = stream[unit.start:end] if inside and piece[0] != "content" else None
            arrows.append(_Arrow(
                (chunks[-1], 5, start), CLIENT, piece[0], piece[1], stream[start:end], chunks,
                start, unit.connection, unit.state_before,
                unit.state_after if last else unit.state_before,
                unit=number if last else None, checks=unit.checks if last else (), whole=whole))
        return arrows

    def server(self, order: int, event: ServerEvent) -> _Arrow:
        end = event.offset + len(event.raw)
        chunks = self.chunks_of(SERVER, event.offset, end)
        if event.leftover:
            kind, key = "bytes", (event.chunk_index, 1, order)
        else:
            kind, key = ("reply" if event.reply is not None else "garbage"), \
                (event.chunk_index, 4, order)
        return _Arrow(key, SERVER, kind, event.to or (event.answer.to if event.answer else UNKNOWN),
                      event.raw, chunks, event.offset, event.connection, event.state_before,
                      event.state_after, unit=event.unit,
                      event=event.answer if event.reply is not None else event.error)

    def markers(self, arrows: list[_Arrow]) -> list[tuple[tuple, str, int]]:
        found: list[tuple[tuple, str, int]] = []
        closed: set[int] = set()
        for order, event in enumerate(self.a.server):
            after = (event.chunk_index, 4, order, 1)
            if event.closes:
                closed.add(event.connection)
                found.append((after, "connection-closed", event.connection))
            elif event.starttls:
                found.append((after, "tls-started", event.connection))
        for number, (first, tls) in enumerate(self.a.opened, start=1):
            if number > 1 and number - 1 not in closed:
                found.append(((first, 2), "connection-closed", number - 1))
            found.append(((first, 3), "connection-opened", number))
            if tls:
                found.append(((first, 3, 1), "tls-from-start", number))
        return sorted(found, key=lambda m: m[0])


def annotate(chunks: Iterable[ChunkLike], *, lang: str = "en", meta: dict | None = None,
             placeholder: bytes | None = None, analysis: Analysis | None = None) -> Transcript:
    """Annotate chunks in wire order (``time``, ``direction``, ``data``, optional ``tls``).

    Chunks without a TLS flag (the sandbox's) are marked TLS from the 220 that answers STARTTLS
    on. ``placeholder``: the marker that redaction put in place of AUTH responses, so that
    those lines are labelled as removed secrets. ``analysis``: the walk of these chunks, when
    the caller has it.
    """
    chunks = list(chunks)
    analysis = analysis or analyse(chunks)
    layout = _Layout(chunks, analysis, placeholder)
    arrows = [a for number, unit in enumerate(analysis.units) for a in layout.client(number, unit)]
    arrows += [layout.server(order, event) for order, event in enumerate(analysis.server)]
    arrows.sort(key=lambda a: a.key)
    keys = [a.key for a in arrows]
    markers = tuple(Marker(kind, _marker_time(chunks, key), bisect_left(keys, key), connection)
                    for key, kind, connection in layout.markers(arrows))
    completes = {a.unit: index for index, a in enumerate(arrows)
                 if a.direction == CLIENT and a.unit is not None}
    answers = [completes.get(a.unit) if a.direction == SERVER and a.unit is not None else None
               for a in arrows]
    answered: dict[int, list[int]] = {}
    for index, asked in enumerate(answers):
        if asked is not None:
            answered.setdefault(asked, []).append(index)
    exchanges = tuple(_exchange(index, a, analysis, chunks, answers[index],
                                tuple(answered.get(index, ())), placeholder, lang)
                      for index, a in enumerate(arrows))
    return Transcript(dict(meta or {}), exchanges, markers, analysis.tls, lang,
                      analysis.findings)


def _marker_time(chunks: list[Any], key: tuple) -> float:
    return float(chunks[min(key[0], len(chunks) - 1)].time) if chunks else 0.0


def _exchange(index: int, a: _Arrow, analysis: Analysis, chunks: list[Any], answers: int | None,
              answered_by: tuple[int, ...], placeholder: bytes | None, lang: str) -> Exchange:
    last = a.chunks[-1] if a.chunks else len(chunks) - 1
    redacted = bool(placeholder) and a.kind in ("auth-line", "command", "bytes") \
        and a.direction == CLIENT and placeholder in a.data  # type: ignore[operator]
    if a.direction == CLIENT:
        texts = client_texts(a.kind, a.name, a.data, a.checks, lang, redacted=redacted,
                             whole_line=a.whole)
    elif a.kind == "garbage":
        texts = garbage_texts(a.event, lang)
    elif a.kind == "bytes":
        texts = partial_texts(a.data, lang)
    else:
        texts = reply_texts(a.event, lang)
    reply = a.event.reply if a.kind == "reply" else None
    return Exchange(
        index=index, direction=a.direction, kind=a.kind, data=a.data,
        time=float(chunks[last].time), tls=analysis.tls[last], connection=a.connection,
        chunks=a.chunks, offset=a.offset, name=a.name, label=texts[0], meaning=texts[1],
        explanation=texts[2], code=reply.code if reply else None,
        enhanced=reply.enhanced if reply else None, answers=answers, answered_by=answered_by,
        state_before=a.state_before, state_after=a.state_after,
        warnings=tuple(w.key for w in a.checks), problems=reply.problems if reply else (),
        redacted=redacted, event=a.event, checks=a.checks)
