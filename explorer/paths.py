"""Where smtp-explorer keeps its files: one data root per user.

``SMTP_EXPLORER_DATA`` names the root directly (tests and classrooms use it). Otherwise the root
is where each system expects an application's data, as platformdirs knows it:
``$XDG_DATA_HOME/smtp-explorer`` or ``~/.local/share/smtp-explorer`` on Linux (where it has
always been), ``~/Library/Application Support/smtp-explorer`` on macOS and
``%LOCALAPPDATA%\\smtp-explorer`` on Windows. The sandbox's mail, the REPL's history and the
lesson progress all live under it.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_root", "DATA_ENV", "APP_NAME"]

#: The environment variable that names the data root directly.
DATA_ENV = "SMTP_EXPLORER_DATA"
APP_NAME = "smtp-explorer"


def data_root() -> Path:
    """The data root: ``$SMTP_EXPLORER_DATA`` if set, else the system's user data folder."""
    explicit = os.environ.get(DATA_ENV)
    if explicit:
        return Path(explicit).expanduser()
    # Imported here: only a run that writes data pays for it, not `--help` or start-up.
    import platformdirs

    # appauthor=False: no vendor folder level on Windows (%LOCALAPPDATA%\smtp-explorer).
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
