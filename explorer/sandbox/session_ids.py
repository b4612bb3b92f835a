"""Session ids that no two sessions share, across restarts and across sandboxes sharing a folder.

Every REPL starts an embedded sandbox and a class server may be restarted; all of them append to
the same ``sessions.jsonl``. Each sandbox therefore claims a block of ids by creating the file
``session-ids/<block>`` with ``O_EXCL``, which succeeds for exactly one process on every system
(Windows and macOS included), and hands out the block's ids one by one; when it runs out it
claims the next free block. Block ``b`` holds the ids ``b * BLOCK + 1`` to ``(b + 1) * BLOCK``,
so the first session ever is #1 and a restart's first session is #1001, #2001... Only the
newest markers are kept: the next claim is always above the highest.

Without a folder (no session log) the ids simply count from 1: nothing else can see them.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

__all__ = ["SessionIds", "BLOCK", "FOLDER"]

BLOCK = 1000
FOLDER = "session-ids"
KEEP = 16  # block markers kept below the newest


class SessionIds:
    """Hands out unique session ids; thread-safe. ``folder`` None: a plain counter from 1."""

    def __init__(self, folder: Path | None):
        self.folder = Path(folder) if folder is not None else None
        self._lock = threading.Lock()
        self._next = 1
        self._end = BLOCK + 1 if folder is None else 0  # exclusive; 0: no block claimed yet

    def next(self) -> int:
        """A new id, never handed out before by any sandbox using the same folder."""
        with self._lock:
            if self._next >= self._end:
                if self.folder is None:
                    self._end += BLOCK
                else:
                    try:
                        block = self._claim()
                    except OSError:
                        # The folder cannot be written: neither can the session log, so no
                        # other sandbox will ever see these ids; keep counting.
                        self.folder, block = None, self._end // BLOCK
                    self._next, self._end = block * BLOCK + 1, (block + 1) * BLOCK + 1
            value = self._next
            self._next += 1
            return value

    def _claim(self) -> int:
        assert self.folder is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        taken = [int(name) for name in os.listdir(self.folder) if name.isdigit()]
        block = max(taken) + 1 if taken else 0
        while True:
            try:
                os.close(os.open(self.folder / str(block), os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                                 0o600))
                break
            except FileExistsError:  # another sandbox claimed it between listdir and open
                block += 1
        # Every REPL start claims a block: keep the folder small. Only the highest numbers
        # matter (the next claim is above them), so old markers can go, in use or not.
        for old in taken:
            if old < block - KEEP:
                try:
                    os.remove(self.folder / str(old))
                except OSError:
                    pass  # another sandbox removed it first, or it is not ours to remove
        return block
