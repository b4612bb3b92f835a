"""The REPL's history file: nothing secret enters it, in memory or on disk, and it is private."""

from __future__ import annotations

import base64
import os
import stat
import sys

import pytest
from repl_driver import RIGHT, run_repl, sandbox_target

from explorer.repl.history import SafeFileHistory, SafeMemoryHistory, is_secret_entry

BLOB = base64.b64encode(b"\0learner@sandbox.test\0password123").decode()


@pytest.mark.parametrize("line, secret", [
    ("EHLO pc", False), ("AUTH LOGIN", False), ("MAIL FROM:<learner@sandbox.test>", False),
    (f"AUTH PLAIN {BLOB}", True), (f"auth plain {BLOB}", True), (f"AUTH {BLOB}", True),
    (f"/raw AUTH PLAIN {BLOB}", True), (f"/raw AUTH LOGIN\\r\\n{BLOB}\\r\\n", True),
])
def test_what_counts_as_a_secret_line(line, secret) -> None:
    assert is_secret_entry(line) is secret


def test_the_file_is_private_and_keeps_only_what_is_not_secret(tmp_path) -> None:
    path = tmp_path / "history"
    path.write_text(f"\n# old\n+AUTH PLAIN {BLOB}\n\n# old\n+NOOP\n")  # an older version's file
    os.chmod(path, 0o644)
    kept = SafeFileHistory(str(path))
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert list(kept.load_history_strings()) == ["NOOP"]
    kept.append_string("EHLO pc")
    kept.append_string(f"AUTH PLAIN {BLOB}")
    kept.secret_input = True  # the server waits for an AUTH answer
    kept.append_string("cGFzc3dvcmQxMjM=")
    text = path.read_text()
    assert "+EHLO pc" in text and "cGFzc3dvcmQxMjM=" not in text
    assert text.count(BLOB) == 1  # the old line stays on disk but is never offered again


def test_a_repl_session_leaves_no_secret_in_its_history(sandbox, tmp_path) -> None:
    path = tmp_path / "history"
    keys = ["/connect", "EHLO me", "AUTH LOGIN", RIGHT, "password123", "AUTH PLAIN " + BLOB,
            "/raw AUTH PLAIN " + BLOB, "NOOP", "/quit"]
    run_repl(sandbox_target(sandbox), keys, sandbox=lambda: sandbox, history=SafeFileHistory(str(path)))
    text = path.read_text()
    password = base64.b64encode(b"password123").decode()
    for secret in ("password123", password, password.upper(), BLOB, BLOB.upper()):
        assert secret not in text
    assert "+EHLO me" in text and "+NOOP" in text and "+AUTH LOGIN" in text


def test_the_memory_history_filters_too() -> None:
    memory = SafeMemoryHistory()
    memory.append_string(f"AUTH {BLOB}")
    memory.append_string("QUIT")
    assert memory.get_strings() == ["QUIT"]


def test_credential_lines_typed_after_a_refused_auth_stay_out() -> None:
    memory = SafeMemoryHistory()
    for line in ("EHLO pc", "AUTH LOGIN", "bGVhcm5lckBzYW5kYm94LnRlc3Q=", "cGFzc3dvcmQxMjM=", "QUIT"):
        memory.append_string(line)  # AUTH LOGIN was refused (530): no AUTH prompt, typed at ready>
    assert memory.get_strings() == ["EHLO pc", "AUTH LOGIN", "QUIT"]
