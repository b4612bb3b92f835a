"""Rubric files: `rubric check` reports every problem as file:line, like `lesson check`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from explorer.reports.rubric import CHECKS, RubricError, check_rubric, load_rubric

GOOD = '''title = "Lab"

[[item]]
name = "delivered"
points = 3
check = "delivered"
to = "grader@lab.test"

[[item]]
name = "clean"
text = "No bare LF"
points = 1
check = "no-finding"
keys = ["bare-lf"]
'''


def test_a_good_rubric(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(GOOD, encoding="utf-8")
    rubric = load_rubric(path)
    assert rubric.title == "Lab" and rubric.total == 4
    assert [(i.name, i.check, i.to, i.keys) for i in rubric.items] == [
        ("delivered", "delivered", "grader@lab.test", ()), ("clean", "no-finding", None, ("bare-lf",))]
    assert rubric.items[0].text == "delivered"  # the name stands in for a missing text


BAD = '''title = "Lab"
colour = "red"

[[item]]
name = "delivered"
points = 0
check = "delivered"

[[item]]
name = "2nd"
points = 1
check = "sent"

[[item]]
name = "clean"
points = 1
check = "ehlo"
keys = ["bare-lf"]

[[item]]
name = "x"
points = 1
check = "no-finding"
keys = ["no-such-mistake"]
to = "a@b.test"

[[item]]
name = "Delivered"
points = 1
check = "delivered"
to = "<grader@lab.test>"
'''


def test_every_problem_with_its_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD, encoding="utf-8")
    assert [str(p) for p in check_rubric(path)] == [
        f"{path}:2: colour: unknown key (allowed: item, title)",
        f"{path}:6: item 1.points: missing, or not a whole number from 1 to 1000",
        f"{path}:10: item 2.name: missing, or not a short name (a letter, then letters, digits, "
        "- or _; it becomes a column of the grade book)",
        f"{path}:12: item 2.check: missing or unknown (one of: {', '.join(CHECKS)})",
        f"{path}:18: item 3.keys: only for the check no-finding",
        f"{path}:24: item 4.keys: 'no-such-mistake' is not a mistake the linter knows "
        "(see knowledge/mistakes.toml)",
        f"{path}:25: item 4.to: only for the checks about messages (charset-declared, delivered, "
        "delivered-after-auth, subject-has-id)",
        f"{path}:31: item 5.to: must be one address, such as \"grader@lab.test\" (no brackets)",
    ]
    with pytest.raises(RubricError):
        load_rubric(path)


def test_duplicate_names_and_empty_rubric(tmp_path):
    path = tmp_path / "dup.toml"
    path.write_text('[[item]]\nname = "a"\npoints = 1\ncheck = "ehlo"\n\n'
                    '[[item]]\nname = "A"\npoints = 1\ncheck = "ehlo"\n', encoding="utf-8")
    assert [str(p) for p in check_rubric(path)] == [
        f"{path}:7: item 2.name: 'A' is also the name of item 1"]
    path.write_text('title = "nothing"\n', encoding="utf-8")
    assert [str(p) for p in check_rubric(path)] == [
        f"{path}:1: item: a rubric needs at least one [[item]]"]
    path.write_text('[[item]\n', encoding="utf-8")
    (problem,) = check_rubric(path)
    assert str(problem).startswith(f"{path}:1: toml: not valid TOML")
    assert [str(p) for p in check_rubric(tmp_path / "none.toml")] == [
        f"{tmp_path / 'none.toml'}: no such rubric file"]


def test_rubric_check_command(tmp_path):
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(BAD, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "explorer", "rubric", "check", str(good),
                           str(bad)], capture_output=True, text=True, timeout=60)
    lines = done.stdout.splitlines()
    assert done.returncode == 1 and lines[0] == f"{good}: ok" and len(lines) == 9
    assert lines[1] == f"{bad}:2: colour: unknown key (allowed: item, title)"
    done = subprocess.run([sys.executable, "-m", "explorer", "rubric", "check", str(good)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == f"{good}: ok\n"
