"""The Maildir store, the session-log redaction, the data directory and the TLS certificate."""

from __future__ import annotations

import ssl
import threading

import pytest
from hypothesis import given, strategies as st

from explorer.sandbox import default_data_dir
from explorer.recording import PLACEHOLDER, Chunk, redact
from explorer.sandbox.storage import MaildirStore, mailbox_name
from explorer.sandbox.tls import ensure_certificate


def test_deliver_into_an_existing_empty_folder(tmp_path):
    # The standard library's Maildir fails here: it only makes tmp/new/cur for a folder it
    # creates itself. Ours makes them whenever they are missing.
    (tmp_path / "mail" / "bob@sandbox.test").mkdir(parents=True)
    store = MaildirStore(tmp_path)
    path = store.deliver("Bob@sandbox.test", b"Subject: x\r\n\r\ny\r\n")
    assert path.parent == tmp_path / "mail" / "bob@sandbox.test" / "new"
    assert path.read_bytes() == b"Subject: x\r\n\r\ny\r\n"
    assert sorted(p.name for p in path.parent.parent.iterdir()) == ["cur", "new", "tmp"]
    assert list((path.parent.parent / "tmp").iterdir()) == []


def test_deliver_recreates_a_removed_mailbox(tmp_path):
    import shutil

    store = MaildirStore(tmp_path)
    store.deliver("a@sandbox.test", b"1")
    shutil.rmtree(tmp_path / "mail" / "a@sandbox.test")
    assert store.deliver("a@sandbox.test", b"2").read_bytes() == b"2"


def test_messages_in_delivery_order_with_unique_names(tmp_path):
    store = MaildirStore(tmp_path)
    results: list = []

    def deliver(n):
        results.append(store.deliver(f"r{n % 3}@sandbox.test", b"%d" % n))

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 30
    messages = store.messages()
    assert sorted(m.data for m in messages) == sorted(b"%d" % n for n in range(30))
    assert {m.recipient for m in messages} == {"r0@sandbox.test", "r1@sandbox.test",
                                               "r2@sandbox.test"}


@pytest.mark.parametrize("address, name", [
    ("Bob@Sandbox.Test", "bob@sandbox.test"), ("用户@sandbox.test", "用户@sandbox.test"),
    ("../../etc@x", None), ("a/b@x", None), ("a\\b@x", None), (".hidden@x", None),
    ("no-at-sign", None), ("a\x00b@x", None), ("a\udcffb@x", None), ("x" * 250 + "@x.test", None),
])
def test_mailbox_names_are_safe(address, name):
    assert mailbox_name(address) == name


def test_default_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("SMTP_EXPLORER_DATA", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "smtp-explorer" / "sandbox"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_data_dir() == tmp_path / "home" / ".local/share/smtp-explorer/sandbox"
    monkeypatch.setenv("SMTP_EXPLORER_DATA", str(tmp_path / "root"))
    assert default_data_dir() == tmp_path / "root" / "sandbox"


def test_redaction_masks_secrets_across_chunks():
    chunks = [Chunk(1.0, "client", b"AUTH PLAIN AGxlYXJu"), Chunk(1.1, "client", b"ZXI=\r\n"),
              Chunk(1.2, "server", b"235 2.7.0 Authentication successful\r\n"),
              Chunk(1.3, "client", b"QUIT\r\n")]
    out = redact(chunks, [b"AGxlYXJuZXI="])
    assert [c.data for c in out] == [b"AUTH PLAIN " + PLACEHOLDER, b"\r\n", chunks[2].data, b"QUIT\r\n"]
    assert [c.time for c in out] == [1.0, 1.1, 1.2, 1.3]


@given(prefix=st.binary(max_size=30), secret=st.binary(min_size=1, max_size=30),
       suffix=st.binary(max_size=30), cuts=st.lists(st.integers(0, 90), max_size=4))
def test_redaction_never_leaks_the_secret(prefix, secret, suffix, cuts):
    stream = prefix + secret + suffix
    points = sorted({0, len(stream), *[c for c in cuts if c < len(stream)]})
    chunks = [Chunk(float(i), "client", stream[a:b]) for i, (a, b) in
              enumerate(zip(points, points[1:]))]
    out = b"".join(c.data for c in redact(chunks, [secret]))
    # In any letter case, and none left between the placeholders.
    assert len(secret) < 4 or all(secret.lower() not in part.lower() for part in out.split(PLACEHOLDER))


def test_certificate_is_made_once_and_trusted(tmp_path):
    cert, key = ensure_certificate(tmp_path / "tls", ["127.0.0.1"])
    first = cert.read_bytes()
    assert ensure_certificate(tmp_path / "tls", ["127.0.0.1"]) == (cert, key)
    assert cert.read_bytes() == first
    assert key.stat().st_mode & 0o077 == 0
    context = ssl.create_default_context(cafile=str(cert))
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    assert context.get_ca_certs()[0]["subject"][0][0] == ("commonName", "smtp-explorer sandbox")
    cert.write_text("garbage")
    ensure_certificate(tmp_path / "tls", ["127.0.0.1"])
    assert cert.read_bytes() != first and b"BEGIN CERTIFICATE" in cert.read_bytes()


@given(st.binary(max_size=300))
def test_fast_visible_is_visible(data):
    from explorer.core.render import visible
    from explorer.sandbox.recording import fast_visible

    assert fast_visible(data) == visible(data)


def test_commit_is_all_or_nothing(tmp_path):
    store = MaildirStore(tmp_path)
    good = store.stage(["a@sandbox.test", "b@sandbox.test"], b"kept")
    doomed = store.stage(["c@sandbox.test", "d@sandbox.test"], b"lost")
    (tmp_path / "mail" / "d@sandbox.test" / "new").rmdir()  # its rename will fail
    first, second = store.commit([good, doomed])
    assert [p.read_bytes() for p in first] == [b"kept", b"kept"]
    assert isinstance(second, FileNotFoundError)
    files = sorted(p.relative_to(tmp_path / "mail").parts[0] for p in
                   (tmp_path / "mail").rglob("*") if p.is_file())
    assert files == ["a@sandbox.test", "b@sandbox.test"]


def test_files_left_in_tmp_by_a_killed_sandbox_are_removed_at_start(tmp_path):
    import os
    import time

    from explorer.sandbox import Sandbox

    store = MaildirStore(tmp_path)
    kept = store.deliver("bob@sandbox.test", b"Subject: kept\r\n\r\nx\r\n")
    tmp = tmp_path / "mail" / "bob@sandbox.test" / "tmp"
    # What kill -9 leaves between the write into tmp/ and the rename into new/.
    left = tmp / "1700000000.M000001P999Q1.host"
    left.write_bytes(b"Subject: half")
    an_hour_ago = time.time() - 3600
    os.utime(left, (an_hour_ago, an_hour_ago))
    being_written = tmp / "1700000001.M000001P998Q1.host"  # another sandbox's, just now
    being_written.write_bytes(b"Subject: in flight")
    box = Sandbox(data_dir=tmp_path, tls=False).start()
    box.stop()
    assert sorted(p.name for p in tmp.iterdir()) == [being_written.name]
    assert [m.data for m in box.messages()] == [kept.read_bytes()]
