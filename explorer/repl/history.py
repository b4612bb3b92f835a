"""The REPL's command history, kept in a file between sessions."""

from __future__ import annotations

__all__ = ["history"]


def history():
    """The history of earlier sessions (in memory only when the data folder cannot be written)."""
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    from explorer.paths import data_root

    try:
        root = data_root()
        root.mkdir(parents=True, exist_ok=True)
        return FileHistory(str(root / "history"))
    except OSError:
        return InMemoryHistory()
