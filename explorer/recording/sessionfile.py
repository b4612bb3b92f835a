"""Saved sessions: a JSON Lines file with every chunk that crossed the wire, exact and timestamped.

Line 1 is ``{"type": "meta", "format": "smtp-explorer-session", "version": 1, ...}``; then one
``{"type": "chunk", "t": ..., "dir": "client"|"server", "tls": ..., "data": <Base64 of the exact
bytes>, "visible": <the visible rendering>}`` per chunk, in order. Other ``type``s (annotations such
as parsed commands and replies) may follow or be interleaved; readers skip types they do not know.

Secrets (AUTH credentials) are redacted by default: a chunk holding one is written with the
secret replaced by a marked placeholder and ``"redacted": true``, never with a fake encoding
that pretends to be what was sent. Annotation lines (``{"type": "exchange", ...}``, one per arrow
of the ladder, and ``{"type": "marker", ...}``) are written by ``explorer.reports.save``; they
are derived from the chunks, which stay the source of truth.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from explorer.core.render import visible, visible_text

__all__ = ["WireChunk", "SavedSession", "SessionFileError", "write_session", "read_session",
           "redact", "redact_spans", "find_spans", "as_wire_chunks", "PLACEHOLDER", "FORMAT"]

FORMAT = "smtp-explorer-session"
VERSION = 1
PLACEHOLDER = b"<secret removed>"


@dataclass(frozen=True)
class WireChunk:
    time: float
    direction: str  # "client" or "server"
    data: bytes
    tls: bool = False
    redacted: bool = False


@dataclass(frozen=True)
class SavedSession:
    meta: dict
    chunks: tuple[WireChunk, ...]
    extra: tuple[dict, ...] = field(default=())  # lines of other types, in file order


class SessionFileError(Exception):
    """A session file that cannot be read, in one line."""


def as_wire_chunks(chunks: Iterable[Any]) -> list[WireChunk]:
    """Any chunks with ``time``, ``direction`` and ``data`` (the transport's, the sandbox's) as
    :class:`WireChunk`; a missing ``tls`` or ``redacted`` is False."""
    out = []
    for chunk in chunks:
        if isinstance(chunk, WireChunk):
            out.append(chunk)
        else:
            out.append(WireChunk(float(chunk.time), chunk.direction, bytes(chunk.data),
                                 bool(getattr(chunk, "tls", False)),
                                 bool(getattr(chunk, "redacted", False))))
    return out


def find_spans(chunks: Iterable[Any], secrets: Iterable[bytes]) -> list[tuple[str, int, int]]:
    """Every occurrence of every secret in each direction's byte stream, as (direction, start,
    end) offsets into everything that direction sent; a secret split over two chunks is found."""
    chunks = list(chunks)
    spans = []
    for direction in ("client", "server"):
        stream = b"".join(c.data for c in chunks if c.direction == direction)
        for secret in {s for s in secrets if s}:
            at = stream.find(secret)
            while at >= 0:
                spans.append((direction, at, at + len(secret)))
                at = stream.find(secret, at + len(secret))
    return spans


def redact_spans(chunks: Iterable[Any], spans: Iterable[tuple[str, int, int]]) -> list[WireChunk]:
    """Replace each (direction, start, end) span of the byte streams by :data:`PLACEHOLDER`.

    The placeholder goes in the chunk where the span starts; the span's bytes are dropped from
    any later chunk it spills into; overlapping spans merge. Chunk count, order and times stay.
    """
    chunks = as_wire_chunks(chunks)
    merged: dict[str, list[list[int]]] = {"client": [], "server": []}
    for direction, start, end in sorted(spans, key=lambda s: (s[0], s[1])):
        if end <= start:
            continue
        runs = merged[direction]
        if runs and start <= runs[-1][1]:
            runs[-1][1] = max(runs[-1][1], end)
        else:
            runs.append([start, end])
    out: list[WireChunk] = []
    offsets = {"client": 0, "server": 0}
    for chunk in chunks:
        begin = offsets[chunk.direction]
        finish = begin + len(chunk.data)
        offsets[chunk.direction] = finish
        data, pos = bytearray(), begin
        for start, end in merged[chunk.direction]:
            if end <= pos or start >= finish:
                continue
            if start >= pos:
                data += chunk.data[pos - begin:start - begin] + PLACEHOLDER
            pos = min(end, finish)
        data += chunk.data[pos - begin:]
        changed = bytes(data) != chunk.data
        out.append(WireChunk(chunk.time, chunk.direction, bytes(data), chunk.tls,
                             chunk.redacted or changed) if changed else chunk)
    return out


def redact(chunks: Iterable[WireChunk], secrets: Iterable[bytes]) -> list[WireChunk]:
    """Replace every occurrence of a secret (in either direction, even split over two chunks)
    by :data:`PLACEHOLDER`."""
    chunks = as_wire_chunks(chunks)
    return redact_spans(chunks, find_spans(chunks, list(secrets)))


def write_session(path: Path, chunks: Iterable[WireChunk], meta: dict | None = None, *,
                  secrets: Iterable[bytes] = (), reveal_secrets: bool = False,
                  extra: Iterable[dict] = ()) -> None:
    """Write a session file; secrets are redacted unless ``reveal_secrets``."""
    kept = as_wire_chunks(chunks) if reveal_secrets else redact(chunks, secrets)
    lines = [{"type": "meta", "format": FORMAT, "version": VERSION, "secrets_revealed": reveal_secrets,
              **(meta or {})}]
    for c in kept:
        lines.append({"type": "chunk", "t": c.time, "dir": c.direction, "tls": c.tls,
                      "data": base64.b64encode(c.data).decode("ascii"), "visible": visible(c.data),
                      "redacted": c.redacted})
    lines.extend(extra)
    Path(path).write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines),
                          encoding="utf-8")


#: Timestamps a session file may hold (seconds since 1970): before 2100, not negative, not NaN.
_LATEST = 4102444800.0


def _timestamp(value: object) -> float:
    number = float(value)  # TypeError/ValueError for what is not a number
    if not 0 <= number < _LATEST:  # NaN fails this too
        raise ValueError(f"timestamp {value!r} is not a time this session could have")
    return number


def read_session(path: Path) -> SavedSession:
    """Read a session file; :class:`SessionFileError` says in one line what is wrong."""
    shown = visible_text(str(path))  # the name and the reasons may hold anything: keep them safe
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SessionFileError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise SessionFileError(f"{shown}: is a folder, not a saved session") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionFileError(f"{shown}: cannot read it ({visible_text(str(exc))})") from None
    meta: dict | None = None
    chunks: list[WireChunk] = []
    extra: list[dict] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("not an object")
            kind = item.get("type")
            if number == 1 or meta is None:
                if kind != "meta" or item.get("format") != FORMAT:
                    raise ValueError("not an smtp-explorer session file (no meta line)")
                if item.get("version") != VERSION:
                    raise ValueError(f"version {item.get('version')!r} is not supported")
                meta = item
            elif kind == "chunk":
                if item["dir"] not in ("client", "server"):
                    raise ValueError(f"dir must be client or server, not {item['dir']!r}")
                chunks.append(WireChunk(_timestamp(item["t"]), item["dir"],
                                        base64.b64decode(item["data"], validate=True),
                                        bool(item.get("tls")), bool(item.get("redacted"))))
            else:
                extra.append(item)
        except KeyError as exc:
            raise SessionFileError(f"{shown}:{number}: no {visible_text(str(exc))} field") from None
        except (ValueError, TypeError, binascii.Error) as exc:
            raise SessionFileError(f"{shown}:{number}: {visible_text(str(exc))}") from None
        except RecursionError:
            raise SessionFileError(f"{shown}:{number}: nested too deeply to be a session line") from None
    if meta is None:
        raise SessionFileError(f"{shown}: empty file, not a saved session")
    return SavedSession(meta, tuple(chunks), tuple(extra))
