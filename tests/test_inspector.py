"""The inspector: live sessions of the sandbox as annotated transcripts, and ``inspect FILE``."""

from __future__ import annotations

import base64
import json
import re
import signal
import smtplib
import subprocess
import sys
import time

import pytest
from clients import FRIEND, GOOD, LEARNER, PASSWORD, Wire, classic

from explorer.commands import main
from explorer.reports.inspector import (Inspector, SessionInfo, annotate, event_lines, printer,
                                record_lines)
from explorer.sandbox import SandboxEvent
from explorer.recording import Chunk as WireChunk, write_session


def line_of(sent: bytes, offset: int) -> int:
    return sent.count(b"\n", 0, offset) + 1


def wait_for(out: list[str], count: int = 1) -> str:
    deadline = time.monotonic() + 5
    while len(out) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(out) >= count
    return "".join(out)


def test_the_classic_assignment_client_read_by_the_inspector(make_sandbox):
    out: list[str] = []
    box = make_sandbox(on_event=Inspector(out.append))
    log: list[bytes] = []
    sent = classic.run(box.host, box.port, log)
    assert log[-1] == b""  # QUIT without CRLF: the 221 never came
    text = wait_for(out)
    tab = sent.index(b"\t\n")
    quit_at = len(sent)
    # both bugs, named where they are
    assert f"[message-tab-lf] line {line_of(sent, tab)}, byte {tab}" in text
    assert f"[no-line-end] line {line_of(sent, quit_at)}, byte {quit_at}" in text
    assert "C: Subject: Hello from my client\\t\\n" in text
    assert "C: QUIT\n" in text
    # AUTH after HELO: accepted by the default profile, as by Postfix and 163; still named, with
    # who does what
    assert "[auth-after-helo]" in text and "[credentials-as-commands]" not in text
    assert "Postfix and 163 (Coremail) accept it" in text and "Exim answers 503" in text
    assert log[2:5] == [b"334 VXNlcm5hbWU6\r\n", b"334 UGFzc3dvcmQ6\r\n",
                        b"235 2.7.0 Authentication successful\r\n"]
    assert base64.b64encode(PASSWORD.encode()).decode() not in text
    # peer, replies explained, summary
    assert text.startswith("== session #1 from 127.0.0.1:") and f"account {LEARNER}" in text
    assert "-> 250 (answers HELO) Requested mail action okay, completed." in text
    assert "-> 354 (answers DATA) Start mail input" in text
    # each reply explained in the words of the REPL and the transcripts (reply_explanation)
    flat = " ".join(text.split())
    assert ("why now: You sent DATA after at least one RCPT TO was accepted: the server is now "
            "in data mode") in flat
    assert "message(s) stored: 1" in text and "ended: closed by the client" in text
    flat = " ".join(text.split())  # the summary line wraps where it is long
    assert "message-tab-lf at line" in flat and "no-line-end at line" in flat


def test_a_clean_session_with_the_account_name(make_sandbox):
    out: list[str] = []
    box = make_sandbox(on_event=Inspector(out.append, show_secrets=True))
    with smtplib.SMTP(box.host, box.port, local_hostname="student-pc", timeout=5) as client:
        client.login(LEARNER, PASSWORD)
        client.sendmail(LEARNER, [FRIEND], GOOD)
    text = wait_for(out)
    assert f"account {LEARNER}" in text and "no mistakes found" in text
    assert "ended: quit" in text and "message(s) stored: 1" in text
    assert "-> 235 (answers the AUTH answer)" in text or "-> 235 (answers AUTH)" in text


def test_a_long_message_is_shortened_around_its_mistakes(sandbox):
    body = b"".join(b"line %d\r\n" % i for i in range(300))
    content = GOOD + body.replace(b"line 150\r\n", b".line 150\r\n") + b".\r\n"
    w = Wire.to(sandbox).ehlo()
    assert w.mail(content).startswith(b"250")
    w.quit()
    assert sandbox.wait_until_idle()
    [record] = sandbox.sessions
    lines = record_lines(record)
    text = "\n".join(lines)
    assert "C: .line 150\\r\\n" in text and "[dot-not-stuffed]" in text
    assert "C: line 149\\r\\n" not in text and "C: line 299\\r\\n" in text
    assert text.count("more line(s)") == 2
    # of the message's 300 lines, the head, the line with the mistake and the end
    assert len([line for line in lines if " C: " in line]) < 30


def test_whatever_the_client_sends_is_shown_safely(sandbox):
    w = Wire.to(sandbox).ehlo()
    w.cmd(b"NOOP \x1b[31mred\x07\r\n")
    w.quit()
    assert sandbox.wait_until_idle()
    [record] = sandbox.sessions
    text = "\n".join(record_lines(record))
    assert "\x1b" not in text and "\x07" not in text and "\\x1b[31mred\\x07" in text
    assert all(line.isprintable() for line in text.splitlines())


def test_only_finished_sessions_are_printed():
    assert event_lines(SandboxEvent("session-started", 0.0, 1, "peer")) == []
    assert event_lines(SandboxEvent("message-stored", 0.0, 1, "peer")) == []


def test_annotate_works_on_plain_chunks():
    chunks = [(0.0, "server", b"220 hi\r\n"), (0.5, "client", b"HELO x\n"),
              (0.6, "server", b"250 ok\r\n")]
    lines = annotate(chunks, SessionInfo(source="demo.jsonl"))
    assert lines[0] == "== session from demo.jsonl, no AUTH =="
    assert lines[1] == "   0.000 S: 220 hi\\r\\n"
    assert "   0.500 C: HELO x\\n" in lines
    assert any("[bare-lf] line 1, byte 6" in line for line in lines)
    assert any("[no-quit]" in line for line in lines)


# -- smtp-explorer inspect FILE -------------------------------------------------------------

def saved(tmp_path, sandbox) -> tuple:
    w = Wire.to(sandbox).ehlo()
    assert w.mail(GOOD + b".oops\r\n.\r\n").startswith(b"250")
    w.send(b"QUIT")
    w.no_reply(0.05)
    w.close()
    assert sandbox.wait_until_idle()
    [record] = sandbox.sessions
    path = tmp_path / "session.jsonl"
    write_session(path, [WireChunk(c.time, c.direction, c.data) for c in record.chunks],
                  {"peer": record.peer})
    return path, bytes(w.sent)


def test_inspect_a_saved_session(tmp_path, sandbox, capsys):
    path, sent = saved(tmp_path, sandbox)
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("== session from 127.0.0.1:")
    dot = sent.index(b".oops")
    assert f"[dot-not-stuffed] line {line_of(sent, dot)}, byte {dot}" in out
    assert f"[no-line-end] line {line_of(sent, len(sent))}, byte {len(sent)}" in out
    assert main(["inspect", "--fail-on-mistakes", str(path)]) == 1


def test_inspect_the_sandbox_session_log(tmp_path, sandbox, capsys):
    with smtplib.SMTP(sandbox.host, sandbox.port, timeout=5) as client:
        client.login(LEARNER, PASSWORD)
        client.sendmail(LEARNER, [FRIEND], GOOD)
    w = Wire.to(sandbox).ehlo()
    w.cmd(b"MAIL FROM:learner@sandbox.test\r\n")
    w.close()
    assert sandbox.wait_until_idle()
    log = sandbox.data_dir / "sessions.jsonl"
    deadline = time.monotonic() + 5
    while log.read_text().count("\n") < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert main(["inspect", str(log)]) == 0
    out = capsys.readouterr().out
    assert "== session #1 from 127.0.0.1:" in out and f"account {LEARNER}" in out
    assert "== session #2 from" in out and "[missing-angle-brackets]" in out
    assert "no mistakes found" in out  # session 1, credentials masked in the log
    assert main(["inspect", "--session", "2", str(log)]) == 0
    assert "session #1 " not in capsys.readouterr().out
    assert main(["inspect", "--session", "9", str(log)]) == 2
    assert "no session 9" in capsys.readouterr().err


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("not json at all\n", ":1: not JSON: neither an smtp-explorer session file"),
    ('{"type": "other"}\n', "not an smtp-explorer session file"),
    ('{"type": "meta", "format": "smtp-explorer-session", "version": 1}\n{"type": "chunk"}\n',
     ":2: "),
    (json.dumps({"id": 1, "peer": "x", "chunks": [[0, "sideways", "x"]]}) + "\n",
     "not a session of the sandbox's log"),
])
def test_inspect_errors_are_one_line(tmp_path, capsys, content, message):
    path = tmp_path / "file.jsonl"
    if content is not None:
        path.write_text(content)
    assert main(["inspect", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("smtp-explorer: error: ") and message in err


def test_inspect_runs_as_a_program_without_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "explorer", "inspect", str(tmp_path / "none")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().endswith("no such file")


def _sandbox_has_inspect() -> bool:
    from explorer.commands import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return "--inspect" in sub.choices["sandbox"]._option_string_actions


@pytest.mark.skipif(not _sandbox_has_inspect(), reason="sandbox --inspect not wired yet")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sandbox_inspect_prints_the_classic_clients_bugs(tmp_path, lang):
    from explorer.lint import label
    from explorer.knowledge.tables import text as table_text

    process = subprocess.Popen(
        [sys.executable, "-m", "explorer", "--lang", lang, "sandbox", "--port", "0", "--inspect",
         "--data-dir", str(tmp_path / "data")],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            lines.append(process.stdout.readline())
            match = re.search(r"([0-9.]+):(\d+)$", lines[-1].strip())
            if match:
                break
        else:
            raise AssertionError(f"no banner: {lines}")
        sent = classic.run(match[1], int(match[2]))
        while f"-- {label('summary', lang)} --" not in lines[-1] and time.monotonic() < deadline:
            lines.append(process.stdout.readline())
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=15)
    finally:
        process.kill()
    text = "".join(lines) + rest
    assert process.returncode == 0 and "Traceback" not in text
    tab = sent.index(b"\t\n")
    assert f"[message-tab-lf] {label('at', lang, line=line_of(sent, tab), offset=tab)}" in text
    assert f"[no-line-end] {label('at', lang, line=line_of(sent, len(sent)), offset=len(sent))}" in text
    assert "C: Subject: Hello from my client\\t\\n" in text
    # replies explained in the console's language (the one explanation's words)
    assert table_text("explain", "why-now", lang, text="") in text


def test_the_printer_hook_prints_then_passes_the_record_on(sandbox):
    import io

    with smtplib.SMTP(sandbox.host, sandbox.port, timeout=5) as client:
        client.sendmail(LEARNER, [FRIEND], GOOD)
    assert sandbox.wait_until_idle()
    [record] = sandbox.sessions
    out, passed = io.StringIO(), []
    printer(passed.append, out=out)(record)
    assert out.getvalue().startswith("== session #1 from") and "no mistakes found" in out.getvalue()
    assert passed == [record]
    broken = io.StringIO()
    printer(out=broken)(object())  # not a record: one line, no exception
    assert broken.getvalue().startswith("could not show session #? as a transcript: ")
    assert broken.getvalue().count("\n") == 2
