"""`smtp-explorer sandbox` and `smtp-explorer inbox`, run as a user runs them."""

from __future__ import annotations

import contextlib
import queue
import re
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from email.message import EmailMessage

import pytest

from explorer.commands import main
from explorer.sandbox.storage import MaildirStore


def explorer(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


class Lines:
    """Reads a process's output lines in the background, so a test can wait for one."""

    def __init__(self, stream):
        self.queue: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream):
        for line in stream:
            self.queue.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 15.0) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            for line in self.seen:
                match = re.search(pattern, line)
                if match:
                    self.seen.remove(line)
                    return match
            try:
                self.seen.append(self.queue.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                raise AssertionError(f"no line matching {pattern!r}; seen: {self.seen}") from None


@contextlib.contextmanager
def running(*args: str, stdin=subprocess.DEVNULL):
    """`smtp-explorer ARGS` running, with a reader of its output; killed at the end if still up."""
    process = subprocess.Popen([sys.executable, "-m", "explorer", *args], stdin=stdin,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               encoding="utf-8")
    try:
        yield process, Lines(process.stdout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def listening(out: Lines) -> int:
    """The port the standalone sandbox says it listens on."""
    return int(out.wait_for(r"^smtp-explorer sandbox listening on 127\.0\.0\.1:(\d+)$")[1])


def test_standalone_sandbox_end_to_end(tmp_path):
    data = tmp_path / "data"
    with running("sandbox", "--port", "0", "--data-dir", str(data),
                 "--account", "alice:alicepw:alicecode") as (process, out):
        port = listening(out)
        out.wait_for(r"^    learner@sandbox\.test  password password123  authorization code "
                     r"abcdefghijklmnop$")
        out.wait_for(r"^    friend@sandbox\.test  password ")
        out.wait_for(r"^    alice  password alicepw  authorization code alicecode$")
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
            smtp.login("alice", "alicecode")
            smtp.sendmail("alice@sandbox.test", ["friend@sandbox.test"],
                          b"Subject: hi \x1b[31mthere\r\n\r\nbody\r\n")
        stored = out.wait_for(r"session #1 stored 32 octets from <alice@sandbox\.test> to "
                              r"<friend@sandbox\.test>: (.*) -> (mail/friend@sandbox\.test/new/\S+)$")
        assert stored[1] == r"hi \x1b[31mthere"  # the escape is shown, never sent raw
        assert (data / stored[2]).read_bytes() == b"Subject: hi \x1b[31mthere\r\n\r\nbody\r\n"
        out.wait_for(r"session #1 127\.0\.0\.1:\d+: quit, 1 message, user alice, \d+\.\d\d s$")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
        out.wait_for(r"^smtp-explorer sandbox stopped cleanly: 1 session, 1 message accepted$")
    assert "Traceback" not in "".join(out.seen)


def test_sigterm_also_stops_cleanly(tmp_path):
    with running("sandbox", "--port", "0", "--data-dir", str(tmp_path)) as (process, out):
        out.wait_for(r"listening on")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        out.wait_for(r"^smtp-explorer sandbox stopped cleanly: 0 sessions, 0 messages accepted$")


@pytest.mark.parametrize("args, message", [
    (["--account", "nocolon"], r"argument --account: --account 'nocolon': expected USER:SECRET"),
    (["--scenario", "meteor-strike"], r"argument --scenario: unknown scenario 'meteor-strike'"),
    (["--scenario", "size-limit"], r"size-limit needs a number of octets"),
    (["--port", "70000"], r"is not a port number"),
])
def test_bad_arguments_are_one_line_errors(tmp_path, args, message):
    result = explorer("sandbox", "--data-dir", str(tmp_path), *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and re.search(message, result.stderr)


def test_bad_accounts_file_is_a_one_line_error(tmp_path):
    path = tmp_path / "accounts.toml"
    path.write_text("[[account]]\nusername = 'x'\n")
    result = explorer("sandbox", "--port", "0", "--data-dir", str(tmp_path), "--accounts",
                      str(path))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"smtp-explorer: error: accounts file {path}, account 1: password must be a non-empty "
        "string"]


def test_occupied_port_is_a_one_line_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = explorer("sandbox", "--port", str(port), "--data-dir", str(tmp_path))
    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        f"smtp-explorer: error: cannot listen on 127.0.0.1:{port}: the address is already in "
        "use (another sandbox? try another --port, or --port 0)"]
    assert "Traceback" not in result.stdout + result.stderr


def test_help_describes_each_scenario_in_one_line(capsys):
    from explorer.sandbox import SCENARIOS

    with pytest.raises(SystemExit):
        main(["sandbox", "--help"])
    text = capsys.readouterr().out
    for name, description in SCENARIOS.items():
        assert f"  {name:<17}  {description}\n" in text
    assert "[[account]]" in text and "SMTP_EXPLORER_DATA" in text


def _mime_message() -> bytes:
    message = EmailMessage()
    message["From"] = "Learner <learner@sandbox.test>"
    message["To"] = "friend@sandbox.test"
    message["Subject"] = "Grüße aus Köln \x1b[2J"
    message.set_content("Hallo,\nhier ist die Übung.\n")
    message.add_attachment(b"%PDF-1.4 not really", maintype="application", subtype="pdf",
                           filename="notes.pdf")
    return message.as_bytes().replace(b"\n", b"\r\n")


def test_inbox_lists_and_shows_messages(tmp_path, capsys):
    store = MaildirStore(tmp_path)
    data = _mime_message()
    assert b"=?utf-8?" in data  # the subject travels RFC 2047-encoded
    store.deliver("friend@sandbox.test", b"Subject: first\r\n\r\nplain\r\n")
    store.deliver("friend@sandbox.test", data)
    assert main(["inbox", "--data-dir", str(tmp_path)]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0] == f"2 messages in {tmp_path / 'mail'}"
    assert listing[2].split()[0] == "1" and listing[2].endswith("first")
    assert listing[3].split()[0] == "2"
    assert listing[3].endswith(r"Grüße aus Köln \x1b[2J")
    assert "Learner <learner@sandbox.~" in listing[3]  # a long sender is clipped

    assert main(["inbox", "--data-dir", str(tmp_path), "2"]) == 0
    shown = capsys.readouterr().out
    assert "Message 2 of 2: " in shown
    assert "  Subject: Grüße aus Köln \\x1b[2J\n" in shown
    assert "  From: Learner <learner@sandbox.test>\n" in shown
    assert "\x1b" not in shown
    parts = shown.split("MIME parts:\n", 1)[1]
    assert re.search(r"^  1  multipart/mixed  2 parts$", parts, re.M)
    assert re.search(r"^    1\.1  text/plain  charset=utf-8 .*$", parts, re.M)
    assert re.search(r'^    1\.2  application/pdf  encoding=base64  attachment  '
                     r'filename "notes\.pdf"  19 B$', parts, re.M)
    assert "  hier ist die Übung." in shown


def test_inbox_errors(tmp_path, capsys):
    assert main(["inbox", "--data-dir", str(tmp_path / "absent")]) == 2
    assert "no sandbox data directory" in capsys.readouterr().err
    MaildirStore(tmp_path).ensure()
    assert main(["inbox", "--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith("No messages in ")
    assert main(["inbox", "--data-dir", str(tmp_path), "3"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "smtp-explorer: error: there is no message 3: the inbox holds 0 (run 'smtp-explorer "
        "inbox' for the list)"]


def test_inbox_command_line(tmp_path):
    MaildirStore(tmp_path).deliver("a@sandbox.test", b"Subject: =?utf-8?q?caf=C3=A9?=\r\n\r\n.\r\n")
    result = explorer("inbox", "--data-dir", str(tmp_path), "1")
    assert result.returncode == 0 and "  Subject: café\n" in result.stdout


def test_inbox_mailbox_filter(tmp_path, capsys):
    store = MaildirStore(tmp_path)
    store.deliver("a@sandbox.test", b"Subject: for a\r\n\r\n")
    store.deliver("b@sandbox.test", b"Subject: for b\r\n\r\n")
    assert main(["inbox", "--data-dir", str(tmp_path), "--mailbox", "B@sandbox.test"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 message in ") and "for b" in out and "for a" not in out
