"""The linter and the composer in the REPL: warnings before sending (never blocking), /attach
and /compose. Skipped until the REPL is wired to them (explorer.repl.slash has /attach)."""

from __future__ import annotations

import email
import email.policy

import pytest
from repl_driver import run_repl, sandbox_target

from explorer.recording.walker import lint_session
from explorer.repl.slash import COMMANDS

pytestmark = pytest.mark.skipif("attach" not in COMMANDS, reason="REPL not wired to the linter yet")

TO_DATA = ["/connect", "EHLO me", "MAIL FROM:<learner@sandbox.test>",
           "RCPT TO:<friend@sandbox.test>", "DATA"]


def flat(text: str) -> str:
    return " ".join(text.split())


def test_raw_mistakes_are_warned_about_and_sent_anyway(sandbox):
    keys = ["/connect", "EHLO me", "/raw NOOP\\t\\n", "/raw QUIT", "/wait 0.2", "/raw \\r\\n"]
    repl, shown = run_repl(sandbox_target(sandbox), keys, sandbox=lambda: sandbox)
    assert "mistake [tab-lf] line 1, byte 4:" in shown
    assert "mistake [no-line-end] line 1, byte 4:" in shown
    assert "S: 500 " in shown and "S: 221 " in shown  # both went out


def test_message_mistakes_in_data_mode(sandbox):
    keys = TO_DATA + ["/raw Subject: hi\\t\\n", "From: learner@sandbox.test", "Hello there", "."]
    repl, shown = run_repl(sandbox_target(sandbox), keys, sandbox=lambda: sandbox)
    assert "[message-tab-lf] line 1, byte 11" in shown
    assert "[no-blank-line] line 1, byte 0" in shown  # the body began with no empty line
    assert "[missing-date]" in shown  # judged when '.' ends the message
    assert "S: 250 2.0.0 OK" in shown


def test_attach_and_compose_build_a_mime_message(sandbox, tmp_path):
    report = tmp_path / "report.pdf"
    report.write_bytes(bytes(range(256)) * 8)
    keys = TO_DATA[:1] + [f"/attach {report}"] + TO_DATA[1:] + [
        "/compose 报告 📎", "", "Here is the report.", ".leading period", ".", "QUIT"]
    repl, shown = run_repl(sandbox_target(sandbox), keys, sandbox=lambda: sandbox)
    assert "will attach report.pdf (2048 octets, application/pdf)" in shown
    assert "header (RFC 2047):" in shown and "mistake [" not in shown
    [stored] = sandbox.messages()
    message = email.message_from_bytes(stored.data, policy=email.policy.default)
    assert message["Subject"] == "报告 📎"
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert body == "Here is the report.\n.leading period\n"
    [part] = message.iter_attachments()
    assert part.get_filename() == "report.pdf" and part.get_payload(decode=True) == report.read_bytes()
    assert sandbox.wait_until_idle()
    [record] = sandbox.sessions
    assert lint_session(record.chunks) == []


def test_attach_errors_are_one_line(sandbox, tmp_path):
    keys = ["/attach", f"/attach {tmp_path / 'missing.bin'}"]
    repl, shown = run_repl(sandbox_target(sandbox), keys, sandbox=lambda: sandbox)
    assert "error: usage: /attach FILE" in shown
    assert "error: cannot attach " in shown and "No such file" in shown
