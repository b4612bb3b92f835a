"""The prompts that follow the session, typed in a real pseudo-terminal (tmux): a /raw line left
open is finished by the suggestion, Base64 pasted at ``auth username>`` is questioned, the toolbar
says what to type rather than "wait", and Ctrl-D after ``/raw QUIT`` does not send QUITQUIT."""

from __future__ import annotations

import json
import shutil
import time

import pytest
from test_repl_terminal import EXPLORER, terminal  # noqa: F401 (the fixture: one tmux server per program)

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")


def test_prompts_follow_the_session_in_a_terminal(terminal, tmp_path) -> None:  # noqa: F811
    term = terminal([EXPLORER])
    term.wait_for("next: /connect")
    term.keys("/connect", "Enter")
    term.wait_for("greeted>")
    term.keys("EHLO me", "Enter")
    term.wait_for("ready>")
    term.keys("/raw NOOP", "Enter")
    term.wait_for("next: /raw \\r\\n")  # the line is still open: the suggestion ends it
    term.keys("Right", "Enter")
    term.wait_for("C: \\r\\n")
    term.wait_for("S: 250 ")
    term.keys("AUTH LOGIN", "Enter")
    term.wait_for("auth username>")
    term.keys("bGVhcm5lckBzYW5kYm94LnRlc3Q=", "Enter")  # Base64 of learner@sandbox.test, pasted
    screen = term.wait_for("That looks like Base64 already")
    assert "it decodes to 'learner@sandbox.test'" in " ".join(screen.split())
    term.keys("Right", "Enter")  # the decoded name, encoded once by the explorer
    screen = term.wait_for("auth password>")
    assert "next: type the password (hidden as you type)" in screen  # the toolbar: not "wait"
    term.keys("password123", "Enter")
    term.wait_for("S: 235 ")
    term.keys("/raw QUIT", "Enter")
    term.wait_for("C: QUIT\n")
    # Ctrl-D only once the prompt is back: between prompts the terminal is in cooked mode, and
    # there the line discipline itself eats a Ctrl-D.
    deadline = time.monotonic() + 20
    while term.screen().count("authenticated> ") < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    term.keys("C-d")  # leaving ends the open line first: QUIT, not QUITQUIT
    screen = term.wait_for("S: 221 ")
    assert "QUITQUIT" not in screen
    (record,) = [json.loads(line) for line in (tmp_path / "sandbox" / "sessions.jsonl").read_text().splitlines()]
    sent = "".join(data for _, direction, data in record["chunks"] if direction == "client")
    assert sent.startswith("EHLO me\\r\\nNOOP\\r\\nAUTH LOGIN\\r\\n")  # /raw NOOP, ended by the suggestion
    assert sent.endswith("QUIT\\r\\n") and "QUITQUIT" not in sent
