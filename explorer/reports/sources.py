"""Reading a session back for the reports: a saved session (``--save``, ``/save``) or one
session of the sandbox's log, through the recording's one reader.

The chunks are the source of truth: they are annotated again here (the exchange lines of a saved
file are for other programs), in the language asked for, with secrets removed unless
``reveal_secrets``.
"""

from __future__ import annotations

from pathlib import Path

from explorer.core.render import visible_text
from explorer.recording import Chunk, SessionFileError, read_recordings
from explorer.reports.model import Transcript
from explorer.reports.secrets import prepare
from explorer.reports.texts import text

__all__ = ["load_transcript", "load_session", "SessionFileError"]


def load_session(path: Path | str, *, session: int | None = None, reveal_secrets: bool = False,
                 lang: str = "en") -> tuple[Transcript, list[Chunk]]:
    """Annotate a saved session, or session ``session`` of a sandbox session log; returns the
    annotation and the chunks it was made from (secrets removed unless ``reveal_secrets``).

    Raises :class:`~explorer.recording.SessionFileError` with a one-line message.
    """
    shown = visible_text(str(path))
    recordings = read_recordings(path, lang=lang)
    log = recordings[0].meta.get("source") == "log" if recordings else True
    if not log:
        if session is not None:
            raise SessionFileError(text("sources", "session-needs-log", lang, path=shown))
        meta = {k: v for k, v in recordings[0].meta.items() if k not in ("type", "format", "version")}
        saved_with = bool(meta.pop("secrets_revealed", False))
        return prepare(recordings[0].chunks, reveal_secrets=reveal_secrets, lang=lang,
                       meta={**meta, "saved_with_secrets": saved_with})
    if not recordings:
        raise SessionFileError(text("sources", "log-empty", lang, path=shown))
    ids = [r.id for r in recordings]
    if session is None and len(recordings) > 1:
        raise SessionFileError(text("sources", "log-pick", lang, path=shown, count=len(recordings),
                                    first=min(ids), last=max(ids)))
    chosen = recordings[0] if session is None else next((r for r in recordings if r.id == session), None)
    if chosen is None:
        raise SessionFileError(text("sources", "log-missing", lang, path=shown, session=session,
                                    first=min(ids), last=max(ids)))
    meta = {key: chosen.meta.get(key) for key in ("peer", "started_at", "ended_at", "outcome",
                                                    "messages", "tls", "credentials")}
    return prepare(chosen.chunks, reveal_secrets=reveal_secrets, lang=lang,
                   meta={"source": "log", "session": chosen.id, **meta})


def load_transcript(path: Path | str, *, session: int | None = None, reveal_secrets: bool = False,
                    lang: str = "en") -> Transcript:
    """Like :func:`load_session`, the annotation only."""
    return load_session(path, session=session, reveal_secrets=reveal_secrets, lang=lang)[0]
