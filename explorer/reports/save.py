"""Writing sessions to disk: the REPL's engine (client side) or one sandbox session (server side).

Both write the saved-session format of :mod:`explorer.recording.sessionfile` (every chunk, exact, with
its time and TLS flag), followed by one ``{"type": "exchange", ...}`` line per arrow of the
ladder and one ``{"type": "marker", ...}`` line per connection or TLS event. AUTH responses are
replaced by a marked placeholder unless ``reveal_secrets``.

The command-line options (``--save FILE``, ``--reveal-secrets``, ``/save``) are in
:mod:`explorer.reports.options`, which imports nothing heavy.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from explorer import __version__
from explorer.recording.sessionfile import write_session
from explorer.reports.model import Transcript
from explorer.reports.secrets import prepare

__all__ = ["save_engine_session", "save_sandbox_record", "save_chunks"]


def save_chunks(chunks: Any, path: Path | str, *, secrets: Any = (), reveal_secrets: bool = False,
                lang: str = "en", meta: dict | None = None) -> Transcript:
    """Annotate ``chunks``, remove secrets unless ``reveal_secrets``, write ``path``.

    Returns the annotation that was written. ``OSError`` if the file cannot be written.
    """
    info = {"program": f"smtp-explorer {__version__}", "saved_at": time.time(), "lang": lang,
            **(meta or {})}
    transcript, wire = prepare(list(chunks), secrets=list(secrets), reveal_secrets=reveal_secrets,
                               lang=lang, meta=info)
    extra = [e.to_json() for e in transcript.exchanges] + [m.to_json() for m in transcript.markers]
    # The chunks are already redacted (or deliberately kept): write them as they are.
    write_session(Path(path), wire, transcript.meta, reveal_secrets=True, extra=extra)
    return transcript


def save_engine_session(engine: Any, path: Path | str, reveal_secrets: bool = False, *,
                        lang: str = "en", meta: dict | None = None) -> Transcript:
    """Save everything the REPL's :class:`~explorer.client.engine.Engine` sent and received."""
    target = engine.target
    info = {"source": "repl", "server": target.label, "host": target.host, "port": target.port,
            "security": target.security, **(meta or {})}
    return save_chunks(list(engine.log), path, secrets=list(engine.secrets),
                       reveal_secrets=reveal_secrets, lang=lang, meta=info)


def save_sandbox_record(record: Any, path: Path | str, reveal_secrets: bool = False, *,
                        lang: str = "en", meta: dict | None = None) -> Transcript:
    """Save one session the sandbox saw (a :class:`~explorer.sandbox.SessionRecord`)."""
    info = {"source": "sandbox", "session": record.id, "peer": record.peer,
            "started_at": record.started_at, "ended_at": record.ended_at,
            "outcome": record.outcome, "messages": record.messages, "tls": record.tls,
            **(meta or {})}
    return save_chunks(list(record.chunks), path, secrets=list(record.secrets),
                       reveal_secrets=reveal_secrets, lang=lang, meta=info)
