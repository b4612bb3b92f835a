"""Saved sessions: a JSON Lines file with every chunk that crossed the wire, exact and timestamped.

Line 1 is ``{"type": "meta", "format": "smtp-explorer-session", "version": 1, ...}``; then one
``{"type": "chunk", "t": ..., "dir": "client"|"server", "tls": ..., "data": <Base64 of the exact
bytes>, "visible": <the visible rendering>}`` per chunk, in order. Other ``type``s (annotations such
as parsed commands and replies) may follow or be interleaved; readers skip types they do not know.

Secrets (AUTH credentials) are redacted by default: a chunk holding one is written with the
secret replaced by a marked placeholder and ``"redacted": true``, never with a fake encoding
that pretends to be what was sent.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from explorer.core.render import visible

__all__ = ["WireChunk", "SavedSession", "SessionFileError", "write_session", "read_session",
           "redact", "PLACEHOLDER", "FORMAT"]

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


def redact(chunks: Iterable[WireChunk], secrets: Iterable[bytes]) -> list[WireChunk]:
    """Replace every occurrence of a secret in client chunks by :data:`PLACEHOLDER`."""
    secrets = [s for s in secrets if s]
    out = []
    for chunk in chunks:
        data = chunk.data
        if chunk.direction == "client":
            for secret in secrets:
                data = data.replace(secret, PLACEHOLDER)
        out.append(WireChunk(chunk.time, chunk.direction, data, chunk.tls,
                             chunk.redacted or data != chunk.data))
    return out


def write_session(path: Path, chunks: Iterable[WireChunk], meta: dict | None = None, *,
                  secrets: Iterable[bytes] = (), reveal_secrets: bool = False,
                  extra: Iterable[dict] = ()) -> None:
    """Write a session file; secrets are redacted unless ``reveal_secrets``."""
    kept = list(chunks) if reveal_secrets else redact(chunks, secrets)
    lines = [{"type": "meta", "format": FORMAT, "version": VERSION, "secrets_revealed": reveal_secrets,
              **(meta or {})}]
    for c in kept:
        lines.append({"type": "chunk", "t": c.time, "dir": c.direction, "tls": c.tls,
                      "data": base64.b64encode(c.data).decode("ascii"), "visible": visible(c.data),
                      "redacted": c.redacted})
    lines.extend(extra)
    Path(path).write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines),
                          encoding="utf-8")


def read_session(path: Path) -> SavedSession:
    """Read a session file; :class:`SessionFileError` says in one line what is wrong."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SessionFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionFileError(f"{path}: cannot read it ({exc})") from None
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
                chunks.append(WireChunk(float(item["t"]), item["dir"],
                                        base64.b64decode(item["data"], validate=True),
                                        bool(item.get("tls")), bool(item.get("redacted"))))
            else:
                extra.append(item)
        except (ValueError, KeyError, TypeError) as exc:
            raise SessionFileError(f"{path}:{number}: {exc}") from None
    if meta is None:
        raise SessionFileError(f"{path}: empty file, not a saved session")
    return SavedSession(meta, tuple(chunks), tuple(extra))
