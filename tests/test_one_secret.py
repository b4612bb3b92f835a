"""One definition of a secret: the walker reads the client's secrets from the redaction's own
decision (``explorer.recording.secrets``), so what the reports flag as credentials sent as
commands is exactly what every output removes, in the server's record and in its log alike."""

from __future__ import annotations

import base64

from clients import LEARNER, PASSWORD, Wire
from transcript_sessions import server_record

from explorer.recording import CLIENT, PLACEHOLDER, analyse, read_recordings, redact, secret_spans
from explorer.recording.secrets import merged

USER_LINE = base64.b64encode(LEARNER.encode()) + b"\r\n"
PASSWORD_LINE = base64.b64encode(PASSWORD.encode()) + b"\r\n"


def _refused_then_sent_anyway(box) -> None:
    w = Wire.to(box).ehlo()
    assert w.cmd(b"AUTH LOGIN\r\n").startswith(b"530")  # require-tls: STARTTLS first
    assert w.cmd(USER_LINE)[:3] == b"500"  # the server reads the credentials as commands
    assert w.cmd(PASSWORD_LINE)[:3] == b"500"
    w.quit()


def _credential_lines(analysis) -> list[bytes]:
    found = [f for f in analysis.findings if f.key == "credentials-as-commands"]
    return [analysis.client[f.offset:analysis.client.index(b"\n", f.offset) + 1] for f in found]


def test_credentials_sent_as_commands_are_the_secrets_redaction_removes(make_sandbox, tmp_path):
    box = make_sandbox(data_dir=tmp_path, scenarios=["require-tls"])
    _refused_then_sent_anyway(box)
    record = server_record(box).chunks  # as sent: the credentials are there
    analysis = analyse(record)
    assert _credential_lines(analysis) == [USER_LINE, PASSWORD_LINE]
    assert analysis.secrets == tuple(merged(secret_spans(record), CLIENT))
    assert [analysis.client[a:b] + b"\r\n" for a, b in analysis.secrets] == [USER_LINE, PASSWORD_LINE]
    # Those lines are named nowhere: no verb, no "unknown command" naming the Base64.
    assert not any(f.key == "unknown-command" for f in analysis.findings)
    # The log holds the placeholder in their place; the walk of it says the same.
    box.stop()  # the log is written once the session is over: stopping waits for it
    [logged] = read_recordings(tmp_path / "sessions.jsonl")
    assert [(c.direction, c.data) for c in logged.chunks] == \
        [(c.direction, c.data) for c in redact(record)]
    assert _credential_lines(analyse(logged.chunks)) == [PLACEHOLDER + b"\r\n"] * 2


def test_a_line_that_only_holds_a_secret_is_not_one(make_sandbox, tmp_path):
    box = make_sandbox(data_dir=tmp_path, scenarios=["require-tls"])
    w = Wire.to(box).ehlo()
    assert w.cmd(b"AUTH LOGIN\r\n").startswith(b"530")
    w.cmd(b"NOOP " + PASSWORD_LINE)  # a command: not read as an answer to the refused AUTH
    w.quit()
    analysis = analyse(server_record(box).chunks)
    assert analysis.secrets == () and _credential_lines(analysis) == []
