"""Lessons in a real pseudo-terminal (tmux), typed as a learner types: a forgiving step, an answer
by number, a /raw step in DATA mode offered as the suggestion, the end recorded and the next
lesson offered."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_repl_terminal import terminal  # noqa: F401 (the fixture: one tmux server per program)

from explorer.lessons.loader import find_lesson

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")

ROOT = Path(__file__).resolve().parents[1]


def lesson_in(terminal, *args: str):
    """``smtp-explorer lesson ARGS`` as ``python -m explorer``, so that it runs in a checkout too."""
    return terminal([sys.executable, "-m", "explorer", "lesson", *args], PYTHONPATH=str(ROOT))


def test_helo_with_any_name_and_a_choice_by_number(terminal) -> None:  # noqa: F811
    term = lesson_in(terminal, "anatomy")
    term.wait_for("next: /connect")
    for keys, shown in ((["Right"], "(type the number of your answer, 1 to 2; /skip moves on without answering)"),
                        (["the client"], "type the number of your answer (1 to 2), or its text"),  # not a choice
                        (["2."], "right: Yes: the client waits")):
        term.keys(*keys, "Enter")
        term.wait_for(shown)
    term.keys("HELO Alice", "Enter")  # the step shows HELO client.example
    screen = term.wait_for("-- step 3/7 --")
    assert "C: HELO Alice\\r\\n" in screen and "step passed: got 250" in screen


def test_a_raw_step_in_data_mode_then_the_end_of_the_lesson(terminal, tmp_path) -> None:  # noqa: F811
    path = find_lesson("message")
    # Resume at step 8, the /raw header line inside DATA: the replay brings the session there.
    (tmp_path / "lesson-progress.json").write_text(json.dumps({str(path.resolve()): {"step": 7, "done": False}}))
    term = lesson_in(terminal, "message")
    term.wait_for("next: /raw Subject: a header with a tab bug\\t\\n")
    assert "resuming at step 8" in term.wait_for("data>")
    term.keys("Right", "Enter")
    term.wait_for("C: Subject: a header with a tab bug\\t\\n")
    # Each key only once the suggestion it accepts is on the screen (a Right arrow typed ahead
    # would accept nothing).
    for suggested, sent in (("next: From: <learner", "C: From: <learner"), ("next: To: <friend", "C: To: <friend"),
                            ("next: Date: Mon", "C: Date: Mon"), (None, "next: .this line"),
                            ("next: .this line", "C: ..this line starts with a period"), ("next: .   -> ", "answer>")):
        if suggested is not None:
            term.wait_for(suggested)
        term.keys("Right", "Enter")
        term.wait_for(sent)
    term.wait_for("answer>")
    term.keys("crlf.crlf.", "Enter")
    term.wait_for("right: Yes: the CRLF of the last line")
    term.keys("quit", "Enter")
    screen = term.wait_for("Next lesson: Beyond ASCII. Type /quit, then: smtp-explorer lesson beyond-ascii")
    assert "Lesson complete: The message itself" in screen
    messages = list((tmp_path / "sandbox" / "mail").glob("*/new/*"))
    assert len(messages) == 1
    data = messages[0].read_bytes()
    assert b"Subject: a header with a tab bug\t\nFrom: <learner@sandbox.test>\r\n" in data
    assert data.count(b"From: <") == 1
    listed = subprocess.run([sys.executable, "-m", "explorer", "lesson", "list"], capture_output=True, text=True,
                            timeout=60, env={**os.environ, "SMTP_EXPLORER_DATA": str(tmp_path),
                                             "PYTHONPATH": str(ROOT)}).stdout
    assert "The message itself  [done]" in listed
