"""A lesson's ``[needs] profile``: the sandbox the lesson starts behaves like that server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from explorer.lessons.loader import check_lesson, load_lesson

LESSON = """\
title = "Exim and HELO"
summary = "AUTH after HELO at Exim"
level = "beginner"
language = "en"

[needs]
profile = "exim"

[[step]]
narration = "Connect."
connect = true

[[step]]
narration = "Greet the old way."
command = "HELO me"
reply = 250

[[step]]
narration = "Exim refuses AUTH after HELO."
command = "AUTH LOGIN"
reply = 503
"""


def test_a_lesson_runs_against_the_profile_it_needs(tmp_path: Path) -> None:
    path = tmp_path / "exim.toml"
    path.write_text(LESSON, encoding="utf-8")
    assert load_lesson(path).profile == "exim"
    done = subprocess.run([sys.executable, "-m", "explorer", "lesson", str(path), "--auto"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "S: 503 AUTH command used when not advertised" in done.stdout
    # the teaching profile accepts it: the same lesson fails there
    path.write_text(LESSON.replace('profile = "exim"', 'profile = "teaching"'), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "explorer", "lesson", str(path), "--auto"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "FAIL: got 334, this step expects 503" in done.stdout


def test_an_unknown_profile_is_a_problem_of_the_lesson(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(LESSON.replace('"exim"', '"hotmail"'), encoding="utf-8")
    problems = [str(p) for p in check_lesson(path)]
    assert any("needs.profile: must be one of teaching, 163, qq" in p for p in problems), problems
