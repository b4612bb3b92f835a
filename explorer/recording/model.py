"""What the walker returns about a session besides its findings: how the server read the
client's bytes (:class:`Unit`), its replies (:class:`ServerEvent`), all of it in :class:`Analysis`.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from explorer.core.replies import ProtocolError, Reply
from explorer.lint.findings import Finding

__all__ = ["Unit", "ServerEvent", "Analysis"]


@dataclass(frozen=True)
class Unit:
    """What the server read as one thing: a command line, an AUTH answer, the message content
    (up to and including CRLF.CRLF, or to the end if it never came), or a last ``partial`` line
    with no LF. Offsets are in the client's byte stream."""

    kind: str
    start: int
    end: int
    line: int
    verb: str = ""
    connection: int = 1
    state_before: str = ""
    state_after: str = ""
    # What the protocol core expected a server to make of it (its Warning_ objects).
    checks: tuple[Any, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class ServerEvent:
    """A complete reply (or bytes that are no reply), the chunk that completed it (for
    ``leftover`` bytes, the chunk after them), and the exchange it answered (a verb, GREETING,
    AUTH-LINE, BODY; None: nothing was waiting)."""

    chunk_index: int
    reply: Reply | None = None
    error: ProtocolError | None = None
    to: str | None = None
    raw: bytes = b""  # the exact bytes
    offset: int = 0  # where they start in everything the server sent
    connection: int = 1
    unit: int | None = None  # the index (in ``Analysis.units``) of what it answered
    state_before: str = ""
    state_after: str = ""
    closes: bool = False  # the connection ended after it (221, 421)
    starttls: bool = False  # TLS started after it
    leftover: bool = False  # bytes that never became a reply: the connection ended first
    answer: Any = field(default=None, compare=False, repr=False)  # the core's Answer


@dataclass(frozen=True)
class Analysis:
    """A linted session: the findings, and what the front ends need to show it."""

    findings: tuple[Finding, ...]
    units: tuple[Unit, ...]
    server: tuple[ServerEvent, ...]
    client: bytes  # everything the client sent, in order
    client_chunks: tuple[tuple[int, int], ...]  # (chunk index, offset of its first byte)
    times: tuple[float, ...]  # the time of every chunk, by index
    username: str | None  # the user AUTH succeeded for, if known
    messages: int  # messages accepted (2xx after CRLF.CRLF)
    quit: bool  # a complete QUIT line was sent
    tls: tuple[bool, ...] = ()  # per chunk: TLS protected it (its flag, or after STARTTLS's 220)
    opened: tuple[tuple[int, bool], ...] = ()  # per connection: its first chunk, TLS from the start
    # The client's secrets (:mod:`explorer.recording.secrets`: the one definition) as
    # (start, end) offsets in ``client``.
    secrets: tuple[tuple[int, int], ...] = ()

    @functools.cached_property
    def _starts(self) -> list[int]:
        return [start for _, start in self.client_chunks]

    def chunk_of(self, offset: int) -> int | None:
        """The index of the chunk that carried the client byte at ``offset``."""
        if not self.client_chunks:
            return None
        if offset >= len(self.client):
            return len(self.times) - 1
        return self.client_chunks[bisect_right(self._starts, offset) - 1][0]
