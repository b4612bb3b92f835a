"""Writing a saved session: a JSON Lines file with every chunk that crossed the wire, exact and
timestamped (read back by :mod:`explorer.recording.reader`).

Line 1 is ``{"type": "meta", "format": "smtp-explorer-session", "version": 1, ...}``; then one
``{"type": "chunk", "t": ..., "dir": "client"|"server", "tls": ..., "data": <Base64 of the exact
bytes>, "visible": <the visible rendering>}`` per chunk, in order. Other ``type``s (annotations such
as parsed commands and replies) may follow or be interleaved; readers skip types they do not know.

Secrets are removed by default (:func:`explorer.recording.secrets.redact`): a chunk holding one
is written with the secret replaced by the placeholder and ``"redacted": true``, never with a
fake encoding that pretends to be what was sent. Annotation lines (``{"type": "exchange", ...}``,
one per arrow of the ladder, and ``{"type": "marker", ...}``) are written by
``explorer.reports.save``; they are derived from the chunks, which stay the source of truth.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any, Iterable

from explorer.core.render import visible
from explorer.recording.chunk import as_chunks
from explorer.recording.reader import FORMAT, VERSION
from explorer.recording.secrets import redact

__all__ = ["write_session"]


def write_session(path: Path, chunks: Iterable[Any], meta: dict | None = None, *,
                  secrets: Iterable[bytes] = (), reveal_secrets: bool = False,
                  extra: Iterable[dict] = ()) -> None:
    """Write a new session file, readable by its owner only (it records a whole session, and
    with ``reveal_secrets`` its credentials); secrets are removed unless ``reveal_secrets``.
    ``FileExistsError`` if ``path`` exists: a saved session is never overwritten."""
    kept = as_chunks(chunks) if reveal_secrets else redact(chunks, secrets)
    lines = [{"type": "meta", "format": FORMAT, "version": VERSION, "secrets_revealed": reveal_secrets,
              **(meta or {})}]
    for c in kept:
        lines.append({"type": "chunk", "t": c.time, "dir": c.direction, "tls": c.tls,
                      "data": base64.b64encode(c.data).decode("ascii"), "visible": visible(c.data),
                      "redacted": c.redacted})
    lines.extend(extra)
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    with os.fdopen(os.open(path, flags, 0o600), "wb") as stream:
        stream.write(text.encode("utf-8"))
