"""The REPL's command history, kept between sessions, with nothing secret in it.

What is typed while an AUTH exchange is under way (the masked ``auth password>`` prompt, a
Base64 line typed by hand, a ``/raw`` answer) never enters the history, in memory or on disk;
neither does a line the recording would call secret (``AUTH PLAIN <blob>``, ``AUTH <blob>``,
the Base64 lines typed after a refused ``AUTH LOGIN``, the same through ``/raw``). The file is readable by its owner only, and a history written by an
older version is read through the same filter, so the Up arrow never brings a secret back.
"""

from __future__ import annotations

import os
from typing import Iterable

from prompt_toolkit.history import FileHistory, History, InMemoryHistory

from explorer.core.render import EscapeError, parse_escapes
from explorer.recording import CLIENT, Chunk, secret_spans

__all__ = ["history", "is_secret_entry", "SecretFilter", "SafeFileHistory", "SafeMemoryHistory"]


def _wire(text: str) -> bytes | None:
    """The bytes a typed line puts on the wire (None for a slash command that sends nothing)."""
    line = text.strip()
    if line[:4].lower() == "/raw":
        try:
            data = parse_escapes(line[4:].strip())
        except (EscapeError, ValueError):
            data = line[4:].strip().encode("utf-8", "replace")
    elif line.startswith("/"):
        return None
    else:
        data = line.encode("utf-8", "replace")
    return data if data.endswith(b"\n") else data + b"\r\n"


def is_secret_entry(text: str, before: Iterable[bytes] = ()) -> bool:
    """Would this line, sent after the lines ``before`` (as the wire has them), carry a secret
    by the recording's one definition (``AUTH PLAIN <blob>``; a Base64 line right after an
    ``AUTH LOGIN`` that was refused)?"""
    data = _wire(text)
    if data is None:
        return False
    earlier = b"".join(before)
    start = len(earlier)
    spans = secret_spans([Chunk(0.0, CLIENT, earlier + data)])
    return any(end > start for _, _, end in spans)


class SecretFilter(History):
    """A history that leaves out secrets. The REPL sets :attr:`secret_input` while the server
    waits for an AUTH answer: whatever is typed then is left out too. The lines typed in this
    session are kept (in memory) so that a line is judged after the ones before it."""

    secret_input = False

    def load_history_strings(self) -> Iterable[str]:
        return [s for s in super().load_history_strings() if not is_secret_entry(s)]  # type: ignore[misc]

    def append_string(self, string: str) -> None:
        typed: list[bytes] = self.__dict__.setdefault("_typed", [])
        secret = self.secret_input or is_secret_entry(string, typed[-20:])
        data = _wire(string)
        if data is not None:
            typed.append(data)
        if not secret:
            super().append_string(string)


class SafeFileHistory(SecretFilter, FileHistory):
    """:class:`~prompt_toolkit.history.FileHistory`, secrets left out, the file mode 0600."""

    def __init__(self, filename: str) -> None:
        os.close(os.open(filename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
        os.chmod(filename, 0o600)  # an older version made it 0644 (on Windows: a no-op)
        super().__init__(filename)


class SafeMemoryHistory(SecretFilter, InMemoryHistory):
    """:class:`~prompt_toolkit.history.InMemoryHistory`, secrets left out."""


def history() -> SecretFilter:
    """The history of earlier sessions (in memory only when the data folder cannot be written)."""
    from explorer.paths import data_root

    try:
        root = data_root()
        root.mkdir(parents=True, exist_ok=True)
        return SafeFileHistory(str(root / "history"))
    except OSError:
        return SafeMemoryHistory()
