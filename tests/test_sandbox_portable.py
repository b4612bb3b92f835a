"""Students' own machines: the sandbox stores mail and speaks TLS without the Linux-only calls
(``import fcntl``, ``os.fdatasync``, ``os.O_DIRECTORY``), as on Windows and macOS."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from explorer.sandbox import filesystem
from explorer.sandbox.storage import MaildirStore

ROOT = Path(__file__).resolve().parents[1]

# A whole sandbox run in a fresh interpreter where the Linux-only calls do not exist: fcntl
# cannot be imported (Windows), os has neither fdatasync nor O_DIRECTORY (macOS and Windows).
# It starts the real server, sends a message over STARTTLS and AUTH with smtplib, stops it, and
# prints what the Maildir holds.
WITHOUT_LINUX_CALLS = textwrap.dedent("""
    import os, smtplib, ssl, sys
    sys.modules["fcntl"] = None  # "import fcntl" now raises ImportError, as on Windows
    del os.fdatasync, os.O_DIRECTORY
    from explorer.sandbox import Sandbox, filesystem
    assert filesystem.fcntl is None and filesystem.msvcrt is None
    box = Sandbox(data_dir=sys.argv[1]).start()
    try:
        with smtplib.SMTP(box.host, box.port, timeout=10) as smtp:
            smtp.starttls(context=ssl.create_default_context(cafile=str(box.certificate_path)))
            smtp.login("learner@sandbox.test", "password123")
            smtp.sendmail("learner@sandbox.test", ["friend@sandbox.test"],
                          b"Subject: portable\\r\\n\\r\\nstored without fcntl\\r\\n")
    finally:
        box.stop()
    for message in box.messages():
        print(message.recipient, message.path.parent.name, repr(message.data))
    print("tls", box.sessions[0].tls)
""")


def test_sandbox_stores_mail_and_speaks_tls_without_linux_only_calls(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_LINUX_CALLS, str(tmp_path / "data")],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "friend@sandbox.test new b'Subject: portable\\r\\n\\r\\nstored without fcntl\\r\\n'",
        "tls True",
    ]
    assert (tmp_path / "data" / "tls" / "cert.pem").is_file()
    assert not any((tmp_path / "data" / "mail" / "friend@sandbox.test" / "tmp").iterdir())


def test_windows_storage_never_opens_a_directory(tmp_path, monkeypatch):
    # Windows: no fdatasync, no O_DIRECTORY, and os.open on a folder fails; the rename into new/
    # is journaled by NTFS, so the folder is not synced at all.
    monkeypatch.delattr(os, "fdatasync")
    monkeypatch.delattr(os, "O_DIRECTORY")
    monkeypatch.setattr(filesystem, "DIRECTORIES_OPEN", False)
    monkeypatch.setattr(filesystem, "fcntl", None)
    real_open = os.open

    def windows_open(path, flags, *args):
        if os.path.isdir(path):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", windows_open)
    store = MaildirStore(tmp_path)
    path = store.deliver("bob@sandbox.test", b"Subject: w\r\n\r\nwindows\r\n")
    assert path.read_bytes() == b"Subject: w\r\n\r\nwindows\r\n"
    assert [m.data for m in store.messages()] == [b"Subject: w\r\n\r\nwindows\r\n"]


class _MacFcntl:
    """macOS's fcntl as far as syncing goes: F_FULLFSYNC, which some file systems refuse."""

    F_FULLFSYNC = 51

    def __init__(self, refuse: bool):
        self.refuse = refuse
        self.calls: list[tuple[int, int]] = []

    def fcntl(self, fd: int, command: int) -> int:
        self.calls.append((fd, command))
        if self.refuse:
            raise OSError(45, "Operation not supported")
        os.fsync(fd)  # what F_FULLFSYNC does, and more, on macOS
        return 0


@pytest.mark.parametrize("refuse", [False, True])
def test_macos_storage_uses_full_fsync_or_falls_back(tmp_path, monkeypatch, refuse):
    mac = _MacFcntl(refuse)
    monkeypatch.delattr(os, "fdatasync")
    monkeypatch.setattr(filesystem, "fcntl", mac)
    monkeypatch.setattr(filesystem.sys, "platform", "darwin")
    store = MaildirStore(tmp_path)
    path = store.deliver("ann@sandbox.test", b"Subject: m\r\n\r\nmac\r\n")
    assert path.read_bytes() == b"Subject: m\r\n\r\nmac\r\n"
    assert [command for _, command in mac.calls] == [_MacFcntl.F_FULLFSYNC]
    assert list((tmp_path / "mail" / "ann@sandbox.test" / "tmp").iterdir()) == []


def test_certificate_lock_without_flock(tmp_path, monkeypatch):
    from explorer.sandbox.tls import load_server_context

    monkeypatch.setattr(filesystem, "fcntl", None)
    monkeypatch.setattr(filesystem, "msvcrt", None)
    context, cert = load_server_context(tmp_path / "tls", ["127.0.0.1"])
    assert context.minimum_version.name == "TLSv1_2"
    first = cert.read_bytes()
    load_server_context(tmp_path / "tls", ["127.0.0.1"])
    assert cert.read_bytes() == first  # the pair made under the lock is reused, not remade


class _WindowsMsvcrt:
    """Windows's msvcrt as far as locking goes: a byte lock that fails while another holds it."""

    LK_NBLCK, LK_UNLCK = 2, 0

    def __init__(self, busy_tries: int):
        self.busy_tries = busy_tries
        self.calls: list[tuple[int, int, int]] = []

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        self.calls.append((os.lseek(fd, 0, os.SEEK_CUR), mode, nbytes))
        if mode == self.LK_NBLCK and self.busy_tries:
            self.busy_tries -= 1
            raise PermissionError(13, "Permission denied")  # what msvcrt raises when held


def test_windows_lock_waits_for_the_holder_then_unlocks(tmp_path, monkeypatch):
    from explorer.sandbox.tls import load_server_context

    windows = _WindowsMsvcrt(busy_tries=2)
    monkeypatch.setattr(filesystem, "fcntl", None)
    monkeypatch.setattr(filesystem, "msvcrt", windows)
    monkeypatch.setattr(filesystem, "LOCK_RETRY", 0.001)
    context, cert = load_server_context(tmp_path / "tls", ["127.0.0.1"])
    assert cert.is_file() and context.minimum_version.name == "TLSv1_2"
    # Two tries while "another sandbox" held it, the lock, then the unlock, all on byte 0.
    assert windows.calls == [(0, 2, 1), (0, 2, 1), (0, 2, 1), (0, 0, 1)]


def test_every_file_written_is_opened_binary_as_windows_needs(tmp_path, monkeypatch):
    # Windows' C library opens a file in text mode unless O_BINARY is given, and then writes LF
    # as CR LF: a message's CRLF would be stored as CR CR LF, a roster's rows likewise. Here
    # O_BINARY exists (as on Windows) and every open for writing without it is noted; the
    # flag is taken off before the real call, since Linux does not know it.
    from explorer.recording.sessionfile import write_session
    from explorer.sandbox.roster import fill_secrets, write_public
    from explorer.sandbox.tls import load_server_context

    binary = 1 << 30
    monkeypatch.setattr(os, "O_BINARY", binary, raising=False)
    real_open = os.open
    text_mode: list[str] = []

    def windows_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR) and not flags & binary:
            text_mode.append(os.path.basename(path))
        return real_open(path, flags & ~binary, *args, **kwargs)

    monkeypatch.setattr(os, "open", windows_open)
    store = MaildirStore(tmp_path / "mail")
    message = b"Subject: w\r\n\r\nbinary\r\nbare\nend\r\n"
    assert store.deliver("bob@sandbox.test", message).read_bytes() == message
    load_server_context(tmp_path / "tls")
    roster = tmp_path / "roster.csv"
    roster.write_bytes(b"id,name,address\r\ns1,Li Lei,s1@sandbox.test\r\n")
    students, missing = fill_secrets(roster)
    assert missing == 2
    write_public(tmp_path / "box", students)
    write_session(tmp_path / "session.jsonl", [])
    assert text_mode == []


class _BrokenMsvcrt(_WindowsMsvcrt):
    """A lock call that fails for another reason than a holder (a bad handle, say)."""

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        self.calls.append((os.lseek(fd, 0, os.SEEK_CUR), mode, nbytes))
        if mode == self.LK_NBLCK and self.busy_tries:
            self.busy_tries -= 1
            raise OSError(22, "Invalid argument")


def test_windows_lock_waits_only_for_a_holder(tmp_path, monkeypatch):
    # Only "held by another" (EACCES, EDEADLOCK) is worth waiting for; any other error would
    # never clear, and the sandbox would hang at start instead of saying why.
    windows = _BrokenMsvcrt(busy_tries=50)
    monkeypatch.setattr(filesystem, "fcntl", None)
    monkeypatch.setattr(filesystem, "msvcrt", windows)
    monkeypatch.setattr(filesystem, "LOCK_RETRY", 0.001)
    with pytest.raises(OSError, match="Invalid argument"):
        with filesystem.locked(tmp_path / ".lock"):
            pass
    assert windows.calls == [(0, 2, 1)]
