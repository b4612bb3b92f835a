"""Reading a session back: a saved session (``--save``, ``/save``) or the sandbox's session log.

Either way the chunks are the source of truth: they are annotated again here (the exchange lines
of a saved file are for other programs), in the language asked for, with AUTH responses removed
unless ``reveal_secrets``. The sandbox's log (``<data-dir>/sessions.jsonl``) holds one session
per line, its chunks as visible text that ``parse_escapes`` turns back into the exact bytes.
"""

from __future__ import annotations

import json
from pathlib import Path

from explorer.core.render import EscapeError, parse_escapes, visible_text
from explorer.recording.sessionfile import FORMAT, SessionFileError, WireChunk, read_session
from explorer.reports.model import Transcript
from explorer.reports.secrets import prepare
from explorer.reports.texts import text

__all__ = ["load_transcript", "load_session", "is_sandbox_log", "SessionFileError"]


def _first_object(path: Path) -> dict | None:
    try:
        with open(path, encoding="utf-8") as stream:
            for line in stream:
                if line.strip():
                    item = json.loads(line)
                    return item if isinstance(item, dict) else None
    except (OSError, UnicodeDecodeError, ValueError):
        return None  # read_session says what is wrong, in one line
    return None


def is_sandbox_log(path: Path | str) -> bool:
    """True if ``path`` looks like the sandbox's session log rather than a saved session."""
    first = _first_object(Path(path))
    return bool(first) and first.get("format") != FORMAT and "chunks" in first and "id" in first


def _log_sessions(path: Path, lang: str) -> list[dict]:
    shown = visible_text(str(path))
    sessions = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionFileError(f"{shown}: cannot read it ({visible_text(str(exc))})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("chunks"), list):
                raise ValueError("no chunks")
            int(item["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise SessionFileError(text("sources", "log-bad", lang, path=shown, line=number,
                                        reason=visible_text(str(exc)))) from None
        sessions.append(item)
    return sessions


def _log_chunks(item: dict, path: Path, lang: str) -> list[WireChunk]:
    chunks = []
    try:
        for when, direction, shown in item["chunks"]:
            if direction not in ("client", "server"):
                raise ValueError(f"direction {direction!r}")
            chunks.append(WireChunk(float(when), direction, parse_escapes(shown)))
    except (ValueError, TypeError, EscapeError) as exc:
        raise SessionFileError(text("sources", "log-bad", lang, path=visible_text(str(path)),
                                    line=item.get("id"), reason=visible_text(str(exc)))) from None
    return chunks


def _from_log(path: Path, session: int | None, reveal_secrets: bool, lang: str
              ) -> tuple[Transcript, list[WireChunk]]:
    shown = visible_text(str(path))
    sessions = _log_sessions(path, lang)
    if not sessions:
        raise SessionFileError(text("sources", "log-empty", lang, path=shown))
    ids = [int(s["id"]) for s in sessions]
    if session is None and len(sessions) > 1:
        raise SessionFileError(text("sources", "log-pick", lang, path=shown, count=len(sessions),
                                    first=min(ids), last=max(ids)))
    chosen = sessions[0] if session is None else next((s for s in sessions if int(s["id"]) == session), None)
    if chosen is None:
        raise SessionFileError(text("sources", "log-missing", lang, path=shown, session=session,
                                    first=min(ids), last=max(ids)))
    meta = {"source": "log", "session": int(chosen["id"]), "peer": chosen.get("peer"),
            "started_at": chosen.get("started_at"), "ended_at": chosen.get("ended_at"),
            "outcome": chosen.get("outcome"), "messages": chosen.get("messages"),
            "tls": chosen.get("tls"), "credentials": chosen.get("credentials")}
    return prepare(_log_chunks(chosen, path, lang), reveal_secrets=reveal_secrets, lang=lang,
                   meta=meta)


def load_session(path: Path | str, *, session: int | None = None, reveal_secrets: bool = False,
                 lang: str = "en") -> tuple[Transcript, list[WireChunk]]:
    """Annotate a saved session, or session ``session`` of a sandbox session log; returns the
    annotation and the chunks it was made from (secrets removed unless ``reveal_secrets``).

    Raises :class:`~explorer.recording.sessionfile.SessionFileError` with a one-line message.
    """
    path = Path(path)
    if is_sandbox_log(path):
        return _from_log(path, session, reveal_secrets, lang)
    saved = read_session(path)
    if session is not None:
        raise SessionFileError(text("sources", "session-needs-log", lang,
                                    path=visible_text(str(path))))
    meta = {k: v for k, v in saved.meta.items() if k not in ("type", "format", "version")}
    saved_with = bool(meta.pop("secrets_revealed", False))
    return prepare(saved.chunks, reveal_secrets=reveal_secrets, lang=lang,
                   meta={**meta, "saved_with_secrets": saved_with})


def load_transcript(path: Path | str, *, session: int | None = None, reveal_secrets: bool = False,
                    lang: str = "en") -> Transcript:
    """Like :func:`load_session`, the annotation only."""
    return load_session(path, session=session, reveal_secrets=reveal_secrets, lang=lang)[0]
