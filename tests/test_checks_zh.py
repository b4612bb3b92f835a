"""`lesson check` and `rubric check` in Chinese: the same problems at the same lines, told in the
teacher's language; the English unchanged; every problem the checkers can give has both."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from explorer.knowledge.tables import load
from explorer.lessons.loader import check_lesson
from explorer.width import is_wide
from test_lessons import GOOD as LESSON
from test_rubric import BAD as BAD_RUBRIC

HERE = Path(__file__).resolve().parent.parent / "explorer"


def _check(*args: str, lang: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "SMTP_EXPLORER_LANG")}
    return subprocess.run([sys.executable, "-m", "explorer", *args, "--lang", lang], capture_output=True,
                          text=True, encoding="utf-8", env=environ, timeout=60)


def test_lesson_check_speaks_chinese_at_the_same_lines(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text(LESSON, encoding="utf-8")
    bad.write_text(LESSON.replace("reply = 250", "reply = 299").replace('level = "beginner"', 'level = "expert"'),
                   encoding="utf-8")
    zh = _check("lesson", "check", str(good), str(bad), lang="zh")
    en = _check("lesson", "check", str(good), str(bad), lang="en")
    assert zh.returncode == en.returncode == 1
    assert zh.stdout.splitlines() == [
        f"{good}：没有发现问题",
        f"{bad}:3: level: 必须是以下之一：beginner, intermediate, advanced",
        f"{bad}:16: step 2.reply: 299 不是一个存在的回复码（见 smtp-explorer explain）"]
    assert en.stdout.splitlines() == [
        f"{good}: ok",
        f"{bad}:3: level: must be one of beginner, intermediate, advanced",
        f"{bad}:16: step 2.reply: 299 is not a reply code that exists (see smtp-explorer explain)"]


def test_a_problem_keeps_its_english_message_and_renders_in_either_language(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(LESSON.replace('title = ', 'colour = "red"\ntitle = ', 1), encoding="utf-8")
    (problem,) = check_lesson(path)
    assert problem.message == "unknown key (allowed: language, level, needs, step, summary, title, variables)"
    assert str(problem) == problem.render("en") == f"{path}:1: colour: {problem.message}"
    assert problem.render("zh") == (f"{path}:1: colour: 未知的键（允许的键：language, level, needs, step, "
                                    "summary, title, variables）")


def test_rubric_check_speaks_chinese(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_RUBRIC, encoding="utf-8")
    zh = _check("rubric", "check", str(bad), lang="zh")
    assert zh.returncode == 1
    lines = zh.stdout.splitlines()
    assert lines[0] == f"{bad}:2: colour: 未知的键（允许的键：item, title）"
    assert f"{bad}:24: item 4.keys: 'no-such-mistake' 不是检查器认识的错误（见 knowledge/mistakes.toml）" in lines
    assert f"{bad}:31: item 5.to: 必须是一个邮箱地址，例如 \"grader@lab.test\"（不带尖括号）" in lines
    assert len(lines) == 8 and all(is_wide(line) for line in lines)


def _named_checks(source: str) -> set[str]:
    """The table keys a checker's source names: the key argument of each report call, and the
    key of each ``return "key", {values}`` (the translation checks)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            position = {"add": 1, "report": 1, "problem": 1, "of": 3, "read_toml": 1}.get(name)
            if position is not None and len(node.args) > position:
                arg = node.args[position]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
        elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
            first = node.value.elts[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
    return found


def test_every_check_the_code_names_is_in_the_table() -> None:
    """A mistyped key would only show when an instructor meets that very problem: find them now."""
    table = load("checks")
    named = {"own-argument-mismatch", "own-command-mismatch", "ok"}  # made from parts, or in commands
    for path in list((HERE / "lessons").glob("*.py")) + [HERE / "reports" / "rubric.py"]:
        named |= _named_checks(path.read_text(encoding="utf-8"))
    assert len(named) > 50
    assert sorted(named - set(table)) == []
    assert sorted(set(table) - named) == []  # and no entry is left unused


def test_a_reason_from_the_core_or_the_sandbox_is_said_in_either_language(tmp_path: Path) -> None:
    path = tmp_path / "reasons.toml"
    path.write_text(LESSON.replace('command = "HELO me"', 'raw = "NOOP\\\\q"')
                    .replace('language = "en"\n', 'language = "en"\n\n[needs]\nscenarios = ["nope"]\n'), encoding="utf-8")
    found = check_lesson(path)
    shown = {p.field: (p.render("en"), p.render("zh")) for p in found}
    assert shown["needs.scenarios"][1].endswith("scenarios: 未知的场景 'nope'（可用的场景：require-auth, require-tls, "
                                          "auth-code, sender-must-match, unknown-recipient, greylist, "
                                          "mailbox-full, size-limit, slow, shutdown）")
    assert shown["needs.scenarios"][0].endswith("scenarios: unknown scenario 'nope' (known: require-auth, require-tls, "
                                          "auth-code, sender-must-match, unknown-recipient, greylist, "
                                          "mailbox-full, size-limit, slow, shutdown)")
    raw = next(text for field, text in shown.items() if field.endswith("raw"))
    assert "未知的转义 \\q（可用的有 \\r \\n \\t \\0 \\xNN 或 \\\\）：" in raw[1]
    assert "unknown escape \\q (use \\r \\n \\t \\0 \\xNN or \\\\): " in raw[0]
