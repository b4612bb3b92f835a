"""The class report's one way in: the sandbox's session log, read as sessions with their chunks.

This adapter is the only place the class report touches the log's format; it reads it through
the recording's one reader (:func:`explorer.recording.read_recordings`), with its size bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from explorer.core.render import visible_text
from explorer.knowledge.tables import text
from explorer.recording import Chunk, SessionFileError, read_recordings

__all__ = ["LoggedSession", "read_log", "SessionFileError"]


@dataclass(frozen=True)
class LoggedSession:
    """One session of the sandbox's log: what the server knew about it, and its chunks."""

    id: int
    peer: str
    started: float | None
    ended: float | None
    outcome: str
    username: str | None  # the account AUTH succeeded for
    tried: tuple[str, ...]  # usernames AUTH was tried with, successful or not
    mail_from: tuple[str, ...]  # every MAIL FROM address, accepted or not
    chunks: tuple[Chunk, ...]


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def read_log(path: Path, lang: str = "en") -> list[LoggedSession]:
    """Every session of a session log, in file order; ``SessionFileError`` (one line) if bad."""
    path = Path(path)
    sessions = []
    for recording in read_recordings(path, lang=lang):
        item = recording.meta
        if item.get("source") != "log":
            raise SessionFileError(text("transcript", "reader", lang, "not-log", path=visible_text(str(path))))
        username = item.get("username")
        sessions.append(LoggedSession(
            id=int(item["id"]), peer=str(item.get("peer") or ""),
            started=_number(item.get("started_at")), ended=_number(item.get("ended_at")),
            outcome=str(item.get("outcome") or ""),
            username=username if isinstance(username, str) else None,
            tried=_texts(item.get("tried")), mail_from=_texts(item.get("mail_from")),
            chunks=recording.chunks))
    return sessions
