"""The record of every session: exact bytes both ways with timestamps, the peer and the outcome.

In memory a record is exact, credentials included (the learner's own session, shown to them by
the REPL). What is written to disk (``<data-dir>/sessions.jsonl``, one JSON object per finished
session) has every secret replaced by the placeholder (``explorer.recording.redact``) unless
``log_credentials`` is set. Each
chunk is written as ``[time, "client"|"server", text]`` where text is ``visible(data)``: plain
ASCII, and ``explorer.core.render.parse_escapes`` turns it back into the exact bytes.

The recorder is shared by the server thread (which appends) and any reader (REPL, tests), so it
hands out copies taken under a lock.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Literal

from explorer.core.render import visible
from explorer.recording import Chunk, redact
from explorer.sandbox.session_ids import FOLDER as ID_FOLDER, SessionIds

__all__ = ["Chunk", "SessionRecord", "SandboxEvent", "Recorder", "fast_visible"]

Direction = Literal["client", "server"]

# visible() renders byte by byte in Python; the session log renders every byte of every
# session, so it does the common escapes (backslash first, then CR, LF, TAB) with str.replace,
# in C, and only the rare remaining bytes one by one. A test checks it equals visible().
_RARE = {chr(byte): visible(bytes([byte])) for byte in range(256)
         if visible(bytes([byte])) != chr(byte) and chr(byte) not in "\\\r\n\t"}
_NEEDS_ESCAPE = re.compile("[" + re.escape("".join(_RARE)) + "]")


def fast_visible(data: bytes) -> str:
    """Exactly ``explorer.core.render.visible(data)``, several times faster on mail text."""
    text = (data.decode("latin-1").replace("\\", "\\\\").replace("\r", "\\r")
            .replace("\n", "\\n").replace("\t", "\\t"))
    if _NEEDS_ESCAPE.search(text) is None:
        return text
    return _NEEDS_ESCAPE.sub(lambda match: _RARE[match.group()], text)


@dataclass
class SessionRecord:
    """One SMTP session as the server saw it. Copies handed out by the sandbox are snapshots."""

    id: int
    peer: str
    started_at: float
    chunks: list[Chunk] = field(default_factory=list)
    username: str | None = None
    outcome: str = "live"
    ended_at: float | None = None
    messages: int = 0  # messages accepted with 250 after DATA
    stored: list[Path] = field(default_factory=list)  # one file per recipient
    tls: bool = False
    secrets: list[bytes] = field(default_factory=list, repr=False)  # AUTH data, for redaction
    # Who the session belongs to even when AUTH failed (behind NAT every peer is the same):
    # the usernames AUTH was tried with (never a password) and every MAIL FROM address.
    tried: list[str] = field(default_factory=list)
    mail_from: list[str] = field(default_factory=list)

    @property
    def live(self) -> bool:
        return self.ended_at is None

    def client_bytes(self) -> bytes:
        """Everything the client sent, in order."""
        return b"".join(c.data for c in self.chunks if c.direction == "client")

    def server_bytes(self) -> bytes:
        """Everything the server sent, in order."""
        return b"".join(c.data for c in self.chunks if c.direction == "server")

    def copy(self) -> "SessionRecord":
        return replace(self, chunks=list(self.chunks), stored=list(self.stored),
                       secrets=list(self.secrets), tried=list(self.tried),
                       mail_from=list(self.mail_from))


@dataclass(frozen=True)
class SandboxEvent:
    """Something the sandbox reports to ``on_event`` (called from the server thread).

    kind is one of: ``listening``, ``session-started``, ``session-ended`` (``record`` is a
    snapshot), ``message-stored`` (``sender``, ``recipients``, ``size``, ``paths``, ``subject``
    are what the client sent: render them with ``visible``), ``scenarios-changed``
    (``scenarios``), ``warning`` (``text``, written by the sandbox), ``stopped``.
    """

    kind: str
    time: float
    session_id: int | None = None
    peer: str | None = None
    record: SessionRecord | None = None
    sender: str | None = None
    recipients: tuple[str, ...] = ()
    size: int = 0
    paths: tuple[Path, ...] = ()
    subject: bytes | None = None
    scenarios: frozenset[str] = frozenset()
    text: str = ""


class Recorder:
    """Keeps the session records, writes finished ones to the session log, reports events."""

    def __init__(self, *, log_path: Path | None, log_credentials: bool = False,
                 keep_finished: int = 1000,
                 on_event: Callable[[SandboxEvent], None] | None = None):
        self.log_path = log_path
        self.log_credentials = log_credentials
        self.keep_finished = keep_finished
        self.on_event = on_event
        self._lock = threading.Lock()
        self._records: dict[int, SessionRecord] = {}  # in order of opening
        self._finished: deque[int] = deque()  # ids of finished records, oldest first
        self._ids = SessionIds(log_path.parent / ID_FOLDER if log_path is not None else None)
        self.total_sessions = 0
        self.total_messages = 0
        self.log_errors = 0
        self._log = None

    def open_session(self, peer: str) -> SessionRecord:
        with self._lock:
            record = SessionRecord(id=self._ids.next(), peer=peer, started_at=time.time())
            self._records[record.id] = record
            self.total_sessions += 1
        self.emit(SandboxEvent("session-started", record.started_at, record.id, peer))
        return record

    def add(self, record: SessionRecord, direction: Direction, data: bytes) -> None:
        # No lock: list.append, and the list() copy a reader makes, are each atomic in CPython.
        record.chunks.append(Chunk(time.time(), direction,
                                   data if type(data) is bytes else bytes(data)))

    def update(self, record: SessionRecord, **changes: object) -> None:
        """Change fields of a live record under the lock (readers copy under the same lock)."""
        with self._lock:
            for name, value in changes.items():
                if name == "stored":
                    record.stored.extend(value)  # type: ignore[arg-type]
                elif name == "secret":
                    record.secrets.append(value)  # type: ignore[arg-type]
                elif name in ("tried", "mail_from"):
                    getattr(record, name).append(value)
                else:
                    setattr(record, name, value)

    def finish(self, record: SessionRecord, outcome: str) -> None:
        """Close a record once (later calls are ignored), log it, report it."""
        with self._lock:
            if record.ended_at is not None:
                return
            record.ended_at = time.time()
            record.outcome = outcome
            self.total_messages += record.messages
            self._finished.append(record.id)
            while len(self._finished) > self.keep_finished:
                self._records.pop(self._finished.popleft(), None)
            snapshot = record.copy()
        self._write_log(snapshot)
        self.emit(SandboxEvent("session-ended", snapshot.ended_at or 0.0, snapshot.id,
                               snapshot.peer, record=snapshot))

    def snapshot(self) -> list[SessionRecord]:
        with self._lock:
            return [r.copy() for r in self._records.values()]

    def emit(self, event: SandboxEvent) -> None:
        callback = self.on_event
        if callback is None:
            return
        try:
            callback(event)
        except Exception:  # a faulty observer must never take the server down
            pass

    def emit_warning(self, text: str) -> None:
        """Report something that went wrong inside the sandbox (text made by the sandbox)."""
        self.emit(SandboxEvent("warning", time.time(), text=text))

    def _write_log(self, record: SessionRecord) -> None:
        if self.log_path is None:
            return
        chunks = record.chunks if self.log_credentials else redact(record.chunks, record.secrets)
        entry = {
            "id": record.id,
            "peer": record.peer,
            "started_at": record.started_at,
            "ended_at": record.ended_at,
            "username": record.username,
            "tried": record.tried,
            "mail_from": record.mail_from,
            "outcome": record.outcome,
            "tls": record.tls,
            "messages": record.messages,
            "stored": [str(p) for p in record.stored],
            "credentials": "kept" if self.log_credentials else "redacted",
            "chunks": [[round(c.time, 6), c.direction, fast_visible(c.data)] for c in chunks],
        }
        try:
            if self._log is None:  # opened once, kept open: one write per session
                self._log = open(self.log_path, "ab", buffering=0, opener=_private)
            # One write() of the whole line, in append mode: sandboxes sharing a data folder
            # (every REPL's, a restarted class server) never interleave their lines.
            line = memoryview((json.dumps(entry, ensure_ascii=True) + "\n").encode("ascii"))
            while line:
                written = self._log.write(line)
                if not written:
                    raise OSError("the session log took no bytes")
                line = line[written:]
        except OSError:
            self.log_errors += 1  # a full disk must not break the SMTP session

    def close(self) -> None:
        """Close the session log (it is reopened if another session ends)."""
        log, self._log = self._log, None
        if log is not None:
            try:
                log.close()
            except OSError:
                self.log_errors += 1


def _private(path: str, flags: int) -> int:
    # The log may hold credentials (log_credentials): readable by its owner only.
    return os.open(path, flags, 0o600)
