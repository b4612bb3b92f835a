"""The one reader of recordings: a saved session (``--save``, ``/save``) or the sandbox's session
log (``sessions.jsonl``, one session per line), with a bound on what it will read.

A recording that is not a regular file (``/dev/zero``, a FIFO, a folder) or is larger than
:data:`MAX_BYTES` is refused at once, in one line, before a byte is read: never a hang or a
MemoryError. Everything else that is wrong is said as ``file:line: reason``.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from explorer.core.render import EscapeError, parse_escapes, visible_text
from explorer.knowledge.keyed import error_text
from explorer.knowledge.tables import DEFAULT_LANG, text
from explorer.recording.chunk import CLIENT, SERVER, Chunk

__all__ = ["Recording", "SessionFileError", "read_recordings", "read_bounded", "MAX_BYTES", "FORMAT",
           "VERSION", "LOG_FIELDS"]

FORMAT = "smtp-explorer-session"
VERSION = 1
#: The largest recording read: far above a class's day of sessions, far below a machine's memory.
MAX_BYTES = 256 * 1024 * 1024
#: What a session of the sandbox's log says besides its chunks (kept in :attr:`Recording.meta`).
LOG_FIELDS = ("id", "peer", "started_at", "ended_at", "username", "outcome", "tls", "messages",
              "stored", "credentials", "tried", "mail_from")
#: Timestamps a recording may hold (seconds since 1970): before 2100, not negative, not NaN.
_LATEST = 4102444800.0


class SessionFileError(Exception):
    """A recording that cannot be read, in one line."""


@dataclass(frozen=True)
class Recording:
    """One recorded session: what is known about it (``meta``: for a saved session its meta
    line, for the sandbox's log the fields of :data:`LOG_FIELDS` and ``"source": "log"``), its
    chunks in wire order, and the lines of a saved session of types this reader does not know."""

    meta: dict
    chunks: tuple[Chunk, ...]
    extra: tuple[dict, ...] = field(default=())

    @property
    def id(self) -> int | None:
        """The sandbox's session id (None for a saved session)."""
        value = self.meta.get("id")
        return value if isinstance(value, int) else None


def _said(key: str, lang: str, **values: object) -> str:
    return text("transcript", "reader", lang, key, **values)


class _Bad(ValueError):
    """Why a line is not what it should be: a field of ``reader-reason`` in the table
    ``transcript``, said in the reader's language when the line is reported."""

    def __init__(self, key: str, **values: object) -> None:
        self.key, self.values = key, values
        super().__init__(key)


def _reason(exc: BaseException, lang: str) -> str:
    if isinstance(exc, _Bad):
        return text("transcript", "reader-reason", lang, exc.key, **exc.values)
    return visible_text(error_text(exc, lang))  # a bad escape's reason; Python's words for the rest


def read_bounded(path: Path | str, limit: int = MAX_BYTES, lang: str = DEFAULT_LANG) -> str:
    """The text of ``path`` (UTF-8), or :class:`SessionFileError` (one line, in ``lang``) if it
    is not a regular file, is larger than ``limit`` bytes, or cannot be read."""
    shown = visible_text(str(path))
    try:
        info = os.stat(path)  # stat, not open: opening a FIFO would wait for a writer
    except FileNotFoundError:
        raise SessionFileError(_said("no-file", lang, path=shown)) from None
    except OSError as exc:
        raise SessionFileError(_said("unreadable", lang, path=shown,
                                     reason=visible_text(exc.strerror or str(exc)))) from None
    if stat.S_ISDIR(info.st_mode):
        raise SessionFileError(_said("folder", lang, path=shown))
    if not stat.S_ISREG(info.st_mode):
        raise SessionFileError(_said("not-regular", lang, path=shown))
    if info.st_size > limit:
        raise SessionFileError(_said("too-big", lang, path=shown, size=f"{info.st_size:,}", limit=f"{limit:,}"))
    try:
        with open(path, "rb") as stream:
            data = stream.read(limit + 1)  # the file may have grown since stat
    except OSError as exc:
        raise SessionFileError(_said("unreadable", lang, path=shown,
                                     reason=visible_text(exc.strerror or str(exc)))) from None
    if len(data) > limit:
        raise SessionFileError(_said("too-big", lang, path=shown, size=f"{len(data):,}+", limit=f"{limit:,}"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SessionFileError(_said("unreadable", lang, path=shown, reason=visible_text(str(exc)))) from None


def _timestamp(value: object) -> float:
    number = float(value)  # type: ignore[arg-type]  # TypeError/ValueError: not a number
    if not 0 <= number < _LATEST:  # NaN fails this too
        raise _Bad("timestamp", value=visible_text(repr(value)))
    return number


def _direction(value: object) -> str:
    if value not in (CLIENT, SERVER):
        raise _Bad("direction", value=visible_text(repr(value)))
    return str(value)


def _saved(lines: list[str], shown: str, lang: str) -> Recording:
    meta: dict | None = None
    chunks: list[Chunk] = []
    extra: list[dict] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise _Bad("not-object")
            kind = item.get("type")
            if meta is None:
                if kind != "meta" or item.get("format") != FORMAT:
                    raise _Bad("no-meta")
                if item.get("version") != VERSION:
                    raise _Bad("version", version=visible_text(repr(item.get("version"))))
                meta = item
            elif kind == "chunk":
                chunks.append(Chunk(_timestamp(item["t"]), _direction(item["dir"]),
                                    base64.b64decode(item["data"], validate=True),
                                    bool(item.get("tls")), bool(item.get("redacted"))))
            else:
                extra.append(item)
        except KeyError as exc:
            raise SessionFileError(_said("no-field", lang, path=shown, line=number,
                                         name=visible_text(str(exc)))) from None
        except (ValueError, TypeError, binascii.Error) as exc:
            raise SessionFileError(_said("bad-line", lang, path=shown, line=number,
                                         reason=_reason(exc, lang))) from None
    if meta is None:
        raise SessionFileError(_said("empty", lang, path=shown))
    return Recording(meta, tuple(chunks), tuple(extra))


def _log(lines: list[str], shown: str, lang: str) -> list[Recording]:
    sessions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("chunks"), list):
                raise _Bad("no-chunks")
            meta = {key: item.get(key) for key in LOG_FIELDS}
            meta["id"], meta["source"] = int(item["id"]), "log"
            chunks = tuple(Chunk(_timestamp(when), _direction(direction), parse_escapes(text))
                           for when, direction, text in item["chunks"])
        except (ValueError, KeyError, TypeError, EscapeError) as exc:
            raise SessionFileError(_said("log-bad", lang, path=shown, line=number,
                                         reason=_reason(exc, lang))) from None
        sessions.append(Recording(meta, chunks))
    return sessions


def _first_object(lines: list[str], shown: str, lang: str) -> dict | None:
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                item = json.loads(line)
            except ValueError:
                raise SessionFileError(_said("not-json", lang, path=shown, line=number)) from None
            return item if isinstance(item, dict) else None
    return None


def read_recordings(path: Path | str, *, limit: int = MAX_BYTES, lang: str = DEFAULT_LANG) -> list[Recording]:
    """The sessions in ``path``: one for a saved session, each session of the sandbox's log in
    order. :class:`SessionFileError` (one line, in ``lang``) for anything else."""
    shown = visible_text(str(path))
    lines = read_bounded(path, limit, lang).splitlines()
    try:
        first = _first_object(lines, shown, lang)
        if first is not None and first.get("type") is None and "chunks" in first:
            return _log(lines, shown, lang)
        return [_saved(lines, shown, lang)]
    except RecursionError:  # json, deep inside: a file of 100,000 nested brackets
        raise SessionFileError(_said("nested", lang, path=shown)) from None
