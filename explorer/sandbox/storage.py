"""Where accepted mail goes: one Maildir per recipient under ``<data-dir>/mail/<address>/``.

A message is written to ``tmp/``, synced, then renamed into ``new/`` and the directory synced
(each in the way the system allows: see ``filesystem.py``), all before the server answers 250: a message acknowledged is a message kept,
and a reader never sees a half-written file. The bytes stored are exactly the message the client
sent (after SMTP dot-unstuffing), CRLF line ends included: nothing is added, so a learner can
compare them with what their program sent.

We make ``tmp/new/cur`` ourselves: the standard library's ``mailbox.Maildir`` only creates them
when it creates the folder itself, so pointed at an existing empty folder every ``add()`` fails.
"""

from __future__ import annotations

import errno
import itertools
import os
import re
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from explorer.paths import DATA_ENV, data_root
from explorer.sandbox.filesystem import open_binary, sync_dir, sync_file

__all__ = ["MaildirStore", "StoredMessage", "default_data_dir", "mailbox_name", "DATA_ENV"]

MAILDIR_SUBDIRS = ("tmp", "new", "cur")
# A file in tmp/ lives for one turn of the event loop (written, synced, renamed into new/): one
# older than this was left by a sandbox that was killed (kill -9, a power cut) mid-delivery.
# Maildir readers wait 36 hours because other programs may write there; only the sandbox
# does, but another sandbox may share the folder, so a margin is kept. Were a live file
# removed all the same, its rename would fail and the client get 451, never a false 250.
STALE_TMP_SECONDS = 30.0
MAX_ADDRESS_OCTETS = 254  # RFC 5321 4.5.3.1.3: a path is at most 256 octets with the brackets


def default_data_dir() -> Path:
    """The sandbox's folder under the smtp-explorer data root (see ``explorer.paths``)."""
    return data_root() / "sandbox"


_UNSAFE = re.compile(r"[/\\\x00-\x1f\x7f]")


def mailbox_name(address: str) -> str | None:
    """The folder name for a recipient address, or ``None`` if it cannot safely be one.

    Addresses are case-folded (one mailbox for Bob@ and bob@). Anything that could leave the
    mail folder or confuse a file system is refused: a slash, a backslash, a control character,
    a leading dot, or more octets than an SMTP path may have.
    """
    name = address.strip().lower()
    if not name or name.startswith(".") or "@" not in name or _UNSAFE.search(name):
        return None
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from undecodable bytes
        return None
    return name if len(encoded) <= MAX_ADDRESS_OCTETS else None


@dataclass(frozen=True)
class StoredMessage:
    """One message file in a recipient's Maildir: where it is, whose it is, its exact bytes."""

    path: Path
    recipient: str
    data: bytes


class MaildirStore:
    """Writes messages into per-recipient Maildirs and lists what they hold. Thread-safe."""

    def __init__(self, data_dir: Path):
        self.root = Path(data_dir) / "mail"
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._root = str(self.root)
        self._made: dict[str, str] = {}  # mailbox name -> folder whose tmp/new/cur exist
        self._host = socket.gethostname().replace("/", "\\057").replace(":", "\\072") or "sandbox"

    def ensure(self) -> None:
        """Create the mail root (and check it is writable) before any client connects."""
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK | os.X_OK):
            # The operating system's own words, as for any other failure to use the folder.
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self.root))

    def clean_tmp(self, older_than: float = STALE_TMP_SECONDS) -> int:
        """Remove the half-delivered files a killed sandbox left in the mailboxes' tmp/
        (older than ``older_than`` seconds); returns how many were removed."""
        cutoff = time.time() - older_than
        removed = 0
        try:
            boxes = [entry.path for entry in os.scandir(self._root)
                     if entry.is_dir(follow_symlinks=False)]
        except FileNotFoundError:
            return 0
        for box in boxes:
            try:
                leftovers = list(os.scandir(os.path.join(box, "tmp")))
            except OSError:  # no tmp/ (yet), or not readable: nothing of ours there
                continue
            for entry in leftovers:
                try:
                    if (entry.is_file(follow_symlinks=False)
                            and entry.stat(follow_symlinks=False).st_mtime < cutoff):
                        os.unlink(entry.path)
                        removed += 1
                except OSError:  # gone meanwhile, or not ours to remove: leave it
                    continue
        return removed

    def maildir(self, recipient: str) -> Path:
        """The Maildir of a recipient, with ``tmp/new/cur`` created if missing."""
        return Path(self._folder(recipient))

    def _folder(self, recipient: str) -> str:
        # Plain strings and a cache: this runs for every message the server stores.
        name = mailbox_name(recipient)
        if name is None:
            raise ValueError(f"{recipient!r} cannot be a mailbox name")
        folder = self._made.get(name)
        if folder is None:
            folder = os.path.join(self._root, name)
            for sub in MAILDIR_SUBDIRS:
                os.makedirs(os.path.join(folder, sub), exist_ok=True)
            with self._lock:
                self._made[name] = folder
        return folder

    def _unique(self) -> str:
        # The classic Maildir name: seconds . M microseconds P pid Q counter . host
        now = time.time()
        with self._lock:
            serial = next(self._counter)
        return f"{int(now)}.M{int(now % 1 * 1e6):06d}P{os.getpid()}Q{serial}.{self._host}"

    def deliver(self, recipient: str, data: bytes) -> Path:
        """Store ``data`` for ``recipient``; returns the final path once it is durable.

        Blocking. The server does the same in two halves: :meth:`stage` per message, then
        :meth:`commit` per batch (see ``writer.py``).
        """
        result = self.commit([self.stage([recipient], data)])[0]
        if isinstance(result, OSError):
            raise result
        return result[0]

    def stage(self, recipients: list[str], data: bytes) -> list[list]:
        """Write a message into each recipient's tmp/, not yet synced: the first half of a
        delivery, cheap enough for the event loop. Returns the open files for :meth:`commit`.

        All or nothing: on an error no file is left behind and the error is raised.
        """
        staged: list[list] = []
        try:
            for recipient in recipients:
                staged.append(self._stage(recipient, data))
        except BaseException:
            for tmp_path, _, fd in staged:
                os.close(fd)
                _unlink(tmp_path)
            raise
        return staged

    def commit(self, messages: list[list[list]]) -> list[list[Path] | OSError]:
        """The second half, for staged messages: one result per message (its paths, or the
        error after its files were removed). Blocking: it syncs to disk.

        In phases over the whole batch: sync each file (the first sync commits the file
        system's journal for all of them, so the others cost little), rename each into new/,
        then sync each new/ directory once. Every path returned is durable.
        """
        errors: dict[int, OSError] = {}
        for index, staged in enumerate(messages):
            for entry in staged:
                try:
                    if index not in errors:
                        sync_file(entry[2])
                except OSError as exc:
                    errors.setdefault(index, exc)
                finally:
                    os.close(entry[2])
        for index, staged in enumerate(messages):
            for tmp_path, new_path, _ in staged:
                if index in errors:
                    break
                try:
                    os.rename(tmp_path, new_path)
                except OSError as exc:
                    errors.setdefault(index, exc)
        folders: dict[str, list[int]] = {}
        for index, staged in enumerate(messages):
            if index not in errors:
                for _, new_path, _ in staged:
                    folders.setdefault(os.path.dirname(new_path), []).append(index)
        for folder, indexes in folders.items():
            try:
                sync_dir(folder)
            except OSError as exc:  # durability cannot be promised for these messages
                for index in indexes:
                    errors.setdefault(index, exc)
        results: list[list[Path] | OSError] = []
        for index, staged in enumerate(messages):
            if index in errors:
                for tmp_path, new_path, _ in staged:
                    _unlink(tmp_path)
                    _unlink(new_path)
                results.append(errors[index])
            else:
                results.append([Path(new_path) for _, new_path, _ in staged])
        return results

    def _stage(self, recipient: str, data: bytes) -> list:
        """Write ``data`` into the recipient's tmp/; returns [tmp path, new path, open fd]."""
        folder = self._folder(recipient)
        name = self._unique()
        tmp_path = os.path.join(folder, "tmp", name)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        try:
            fd = open_binary(tmp_path, flags)
        except FileNotFoundError:  # the folder was removed while we ran: make it again
            with self._lock:
                self._made.pop(os.path.basename(folder), None)
            self._folder(recipient)
            fd = open_binary(tmp_path, flags)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
        except BaseException:
            os.close(fd)
            _unlink(tmp_path)
            raise
        return [tmp_path, os.path.join(folder, "new", name), fd]

    def messages(self) -> list[StoredMessage]:
        """Every message in every mailbox, oldest first (by delivery time, then name)."""
        found: list[tuple[int, str, Path, str]] = []
        if not self.root.is_dir():
            return []
        for box in self.root.iterdir():
            if not box.is_dir():
                continue
            for sub in ("new", "cur"):
                folder = box / sub
                if not folder.is_dir():
                    continue
                for path in folder.iterdir():
                    if path.name.startswith(".") or not path.is_file():
                        continue
                    found.append((_sort_key(path), path.name, path, box.name))
        found.sort(key=lambda item: (item[0], item[1]))
        result = []
        for _, _, path, recipient in found:
            try:
                result.append(StoredMessage(path, recipient, path.read_bytes()))
            except FileNotFoundError:  # moved or deleted meanwhile
                continue
        return result


def _sort_key(path: Path) -> int:
    # The Maildir name starts with the delivery time; fall back to the file's mtime.
    head = path.name.split(".", 2)
    try:
        return int(head[0]) * 1_000_000 + int(head[1].lstrip("M").split("P", 1)[0])
    except (ValueError, IndexError):
        try:
            return path.stat().st_mtime_ns // 1000
        except OSError:
            return 0


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass

