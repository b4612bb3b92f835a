"""Where smtp-explorer keeps its files: one data root per user.

``SMTP_EXPLORER_DATA`` names the root directly (tests and classrooms use it); otherwise it is
``$XDG_DATA_HOME/smtp-explorer``, or ``~/.local/share/smtp-explorer``.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_root", "DATA_ENV"]

#: The environment variable that names the data root directly.
DATA_ENV = "SMTP_EXPLORER_DATA"


def data_root() -> Path:
    explicit = os.environ.get(DATA_ENV)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "smtp-explorer"
