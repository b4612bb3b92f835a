"""The one unit of a recording: bytes that crossed the wire in one read or one write."""

from __future__ import annotations

from typing import Any, Iterable, NamedTuple

__all__ = ["Chunk", "CLIENT", "SERVER", "as_chunks"]

CLIENT, SERVER = "client", "server"


class Chunk(NamedTuple):
    """Bytes that crossed the wire in one read or one write: when (``time.time()``), which way
    (``"client"`` or ``"server"``), the exact bytes, whether TLS protected them, and whether a
    secret in them was replaced by :data:`explorer.recording.PLACEHOLDER`.

    A named tuple rather than a dataclass: a tuple of a float, a str, bytes and booleans is left
    alone by the garbage collector, which matters with a thousand sessions kept in memory (the
    sandbox of a class).
    """

    time: float
    direction: str
    data: bytes
    tls: bool = False
    redacted: bool = False


def as_chunks(chunks: Iterable[Any]) -> list[Chunk]:
    """Anything with ``time``, ``direction`` and ``data`` (or such a tuple) as :class:`Chunk`."""
    out: list[Chunk] = []
    for chunk in chunks:
        if isinstance(chunk, Chunk):
            out.append(chunk)
        elif isinstance(chunk, tuple) and not hasattr(chunk, "data"):
            out.append(Chunk(float(chunk[0]), chunk[1], bytes(chunk[2])))
        else:
            out.append(Chunk(float(chunk.time), chunk.direction, bytes(chunk.data),
                             bool(getattr(chunk, "tls", False)), bool(getattr(chunk, "redacted", False))))
    return out
