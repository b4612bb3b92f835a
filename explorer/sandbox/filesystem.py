"""File-system calls that differ between Linux, macOS and Windows, each with its fallback.

Most students run Windows or macOS, where the Linux calls the Maildir and the certificate
lock would use are missing or weaker:

- ``os.fdatasync`` is Linux only. macOS's ``fsync`` hands the data to the drive but not
  through its cache; ``fcntl(F_FULLFSYNC)`` is the call that does, so it is used there, with
  ``fsync`` if the file system refuses it. Windows has ``os.fsync`` (``_commit``).
- ``os.O_DIRECTORY`` and opening a directory at all: POSIX systems sync a directory to make a
  rename durable; Windows cannot open a directory with ``os.open`` and NTFS journals the
  rename itself, so there is nothing to do.
- ``fcntl.flock``: POSIX only; Windows locks a byte of the file with ``msvcrt.locking``.
- ``os.open``: Windows' C library opens a file in *text* mode unless ``O_BINARY`` is given, and
  then writes each LF as CR LF: a stored message or a roster's CRLF would become CR CR LF.

The module-level names are looked up at call time, so a test can take them away
(``monkeypatch.delattr``) and check the fallback really stores messages.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import time
from pathlib import Path
from typing import Iterator

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

try:
    import msvcrt
except ImportError:  # everything but Windows
    msvcrt = None  # type: ignore[assignment]

__all__ = ["open_binary", "sync_file", "sync_dir", "locked"]

LOCK_RETRY = 0.05  # seconds between tries of a Windows lock (msvcrt has no blocking wait)
# What msvcrt.locking raises while another process holds the byte (EDEADLOCK is 36 on Windows).
_HELD = frozenset({errno.EACCES, getattr(errno, "EDEADLOCK", errno.EDEADLK)})
DIRECTORIES_OPEN = os.name != "nt"  # Windows cannot os.open() a directory


def open_binary(path: Path | str, flags: int, mode: int = 0o600) -> int:
    """``os.open`` for bytes that must reach the file as they are (binary mode on Windows too);
    ``mode`` defaults to readable by the owner only."""
    return os.open(path, flags | getattr(os, "O_BINARY", 0), mode)


def sync_file(fd: int) -> None:
    """Make an open file's data durable, as well as the system allows."""
    full = getattr(fcntl, "F_FULLFSYNC", None) if fcntl is not None else None
    if full is not None and sys.platform == "darwin":
        try:
            fcntl.fcntl(fd, full)
            return
        except OSError:  # a file system without it (some network shares): plain fsync
            pass
    datasync = getattr(os, "fdatasync", None)
    if datasync is not None:
        datasync(fd)
    else:
        os.fsync(fd)


def sync_dir(folder: Path | str) -> None:
    """Make renames into ``folder`` durable; nothing to do where directories cannot be opened."""
    if not DIRECTORIES_OPEN:
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def locked(path: Path | str) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` (created if missing) for the ``with`` block,
    waiting for another process that holds it. Without any lock call, the block runs unlocked."""
    with open(path, "a+b") as handle:
        if fcntl is not None and hasattr(fcntl, "flock"):
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        elif msvcrt is not None:
            handle.seek(0)
            while True:
                try:
                    msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
                    break
                except OSError as exc:
                    if exc.errno not in _HELD:  # an error that waiting will not clear
                        raise
                    time.sleep(LOCK_RETRY)  # held by another process: wait as flock would
            try:
                yield
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            yield
