"""The installed program in a real pseudo-terminal (tmux): what a learner's screen shows."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from scripted_server import ScriptedServer

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")

# An SGR sequence that sets a foreground or background colour (39/49 only reset to the default).
COLOUR = re.compile(r"\x1b\[(?:[0-9]*;)*(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9]*)*m")
_SCRIPT = Path(sys.executable).with_name("smtp-explorer")
# The installed command (as CI installs it), else the module from the source tree (PYTHONPATH).
EXPLORER = str(_SCRIPT) if _SCRIPT.exists() else f"{sys.executable} -m explorer"


class Terminal:
    """One program in its own tmux server (``-L``): a server shared between tests can be
    shutting down, after the last session of another test closed, just as a new one starts."""

    def __init__(self, command: list[str], env: dict[str, str]):
        self.name = f"sx-{uuid.uuid4().hex[:8]}"
        full_env = {**os.environ, **env}
        full_env.pop("NO_COLOR", None) if "NO_COLOR" not in env else None
        shell = " ".join(f"{k}={v}" for k, v in env.items()) + " " + " ".join(command) + "; sleep 60"
        subprocess.run(["tmux", "-L", self.name, "new-session", "-d", "-s", self.name, "-x", "110", "-y", "45", shell],
                       check=True, env=full_env)

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "-L", self.name, "send-keys", "-t", self.name, *keys], check=True)

    def screen(self, escapes: bool = False) -> str:
        args = ["tmux", "-L", self.name, "capture-pane", "-p", "-t", self.name, "-S", "-400"] + (["-e"] if escapes else [])
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen()}")

    def steps(self, *steps: tuple[str, str]) -> str:
        """Type each line (and Enter), then wait for the text it brings; the last screen."""
        screen = ""
        for line, wanted in steps:
            self.keys(line, "Enter")
            screen = self.wait_for(wanted)
        return screen

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.name, "kill-server"], capture_output=True)


@pytest.fixture
def terminal(tmp_path):
    opened: list[Terminal] = []

    def open_(command: list[str], **env: str) -> Terminal:
        term = Terminal(command, {"SMTP_EXPLORER_DATA": str(tmp_path), **env})
        opened.append(term)
        return term

    yield open_
    for term in opened:
        term.close()


def test_a_learner_session_on_the_embedded_sandbox(terminal, tmp_path) -> None:
    term = terminal([EXPLORER])
    screen = term.wait_for("| not connected | TLS off | AUTH no | next: /connect")  # the bottom toolbar
    assert "the embedded sandbox on 127.0.0.1:" in screen
    assert "demo account: learner@sandbox.test" in screen
    term.keys("Right", "Enter")  # accept the ghost text
    term.wait_for("S: 220 sandbox.test")
    term.keys("Right", "Enter")
    term.wait_for("S: 250 HELP\\r\\n")
    term.keys("STARTTLS", "Enter")
    term.wait_for("TLS established")
    term.keys("EHLO me", "Enter")
    screen = term.wait_for("tls ready>")
    term.keys("Right", "Enter")  # AUTH LOGIN
    term.wait_for("auth username>")
    term.keys("Right", "Enter")
    term.wait_for("auth password>")
    term.keys("password123", "Enter")
    screen = term.wait_for("S: 235 2.7.0")
    typed = screen.split("auth password>", 1)[1]  # the banner above prints the demo secrets on purpose
    assert "password123" not in typed and "auth password> ***********" in screen
    # Nor its Base64, which decodes back to it: the placeholder stands on the C: line.
    assert "cGFzc3dvcmQxMjM=" not in typed.replace("\n", "") and "C: <secret removed>\\r\\n" in typed
    for reply in ("S: 250 2.1.0", "S: 250 2.1.5", "S: 354"):  # MAIL FROM, RCPT TO, DATA: each
        term.keys("Right", "Enter")  # accepted from the suggestion once the previous reply is in
        term.wait_for(reply)
    term.wait_for("data>")
    term.keys("Subject: from a terminal", "Enter", "Enter", ".hello", "Enter", ".", "Enter")
    screen = term.wait_for("S: 250 2.0.0")
    assert "C: ..hello\\r\\n" in screen
    term.wait_for("next: QUIT")  # the prompt is back before the key that leaves
    term.keys("C-d")  # leaves, sending QUIT
    screen = term.wait_for("S: 221")
    messages = list((tmp_path / "sandbox" / "mail").glob("*/new/*"))
    assert len(messages) == 1 and b"\r\n.hello\r\n" in messages[0].read_bytes()
    assert (tmp_path / "history").exists()


def test_reveal_secrets_shows_the_password_base64(terminal) -> None:
    term = terminal([EXPLORER, "--reveal-secrets", "--lang", "zh"])
    term.wait_for("/connect")
    screen = term.steps(("/connect", "S: 220 sandbox.test"), ("EHLO me", "S: 250 HELP"), ("AUTH LOGIN", "用户名>"),
                        ("learner@sandbox.test", "密码>"), ("password123", "S: 235 2.7.0"))
    assert "C: cGFzc3dvcmQxMjM=\\r\\n" in screen and "<secret removed>" not in screen


def test_colours_follow_the_terminal_and_no_color(terminal) -> None:
    coloured = terminal([EXPLORER])
    coloured.wait_for("next: /connect")
    coloured.keys("/connect", "Enter")
    coloured.wait_for("greeted>")  # the reply and its explanation drawn, the prompt back
    assert COLOUR.search(coloured.screen(escapes=True).split("sandbox.test ESMTP")[1])
    plain = terminal([EXPLORER], NO_COLOR="1")
    plain.wait_for("next: /connect")
    plain.keys("/connect", "Enter")
    plain.wait_for("greeted>")
    body = plain.screen(escapes=True).split("sandbox.test ESMTP")[1]
    assert "\x1b[1m220" in body  # bold stays: NO_COLOR is about colour
    assert not COLOUR.search(body), body


def test_ctrl_c_cancels_a_pending_read(terminal) -> None:
    silent = ScriptedServer([("sleep", 30)])
    try:
        term = terminal([EXPLORER, "connect", f"127.0.0.1:{silent.port}", "--timeout", "25"])
        term.wait_for("next: /connect")
        term.keys("/connect", "Enter")
        term.wait_for("connecting to")
        time.sleep(0.5)
        term.keys("C-c")
        term.wait_for("interrupted: the reply was not read")
        term.keys("/state", "Enter")
        term.wait_for("expected next:")
    finally:
        silent.close()
