"""Choosing the language: --lang on every command, /lang in the REPL, SMTP_EXPLORER_LANG, the locale."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from repl_driver import run_repl, sandbox_target

from explorer.commands import build_parser
from explorer.language import Choice, choose, normalise
from explorer.lessons.loader import LessonError, check_lesson, load_lesson

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("tag, lang", [
    ("zh", "zh"), ("zh_CN.UTF-8", "zh"), ("zh-Hans", "zh"), ("zh_TW.Big5", "zh"), ("ZH", "zh"),
    ("en", "en"), ("en_GB.UTF-8", "en"), ("C", "en"), ("POSIX", "en"), ("C.UTF-8", "en"),
    ("Chinese (Simplified)_China", "zh"), ("English_United States", "en"),
    ("fr", None), ("de_DE.UTF-8", None), ("", None),
])
def test_normalise_keeps_the_language_part(tag: str, lang: str | None) -> None:
    assert normalise(tag) == lang


def test_the_order_is_lang_option_then_explorer_variable_then_locale() -> None:
    env = {"SMTP_EXPLORER_LANG": "en", "LC_ALL": "zh_CN.UTF-8", "LANG": "zh_CN.UTF-8"}
    assert choose("zh", env) == Choice("zh")
    assert choose(None, env) == Choice("en")
    assert choose(None, {"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}) == Choice("zh")
    # the first locale variable that is set decides, as in POSIX: LC_ALL over LC_MESSAGES over LANG
    assert choose(None, {"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}) == Choice("en")
    assert choose(None, {"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}) == Choice("zh")
    assert choose(None, {"LANG": "zh_CN.UTF-8"}) == Choice("zh")
    assert choose(None, {}) == Choice("en")
    assert choose(None, {}, "Chinese (Simplified)_China") == Choice("zh")  # Windows: no LANG
    assert choose(None, {"LANG": "C"}, "Chinese (Simplified)_China") == Choice("en")


def test_an_unknown_language_asked_for_warns_and_gives_english() -> None:
    choice = choose("fr", {"LANG": "zh_CN.UTF-8"})
    assert choice.lang == "en"
    assert choice.warning == '--lang: there is no language "fr" here (known: en, zh); using English'
    assert choose(None, {"SMTP_EXPLORER_LANG": "klingon"}).warning.startswith("SMTP_EXPLORER_LANG:")
    # a locale that is not one of ours is no request to this program: English, silently
    assert choose(None, {"LANG": "fr_FR.UTF-8"}) == Choice("en")


@pytest.mark.parametrize("argv", [
    ["--lang", "zh", "explain", "535"], ["explain", "535", "--lang", "zh"], ["inspect", "f", "--lang", "zh"],
    ["transcript", "f", "--lang", "zh"], ["replay", "f", "--lang", "zh"], ["lesson", "list", "--lang", "zh"],
    ["connect", "example.org", "--lang", "zh"], ["sandbox", "--lang", "zh"], ["inbox", "--lang", "zh"],
    ["base64", "encode", "x", "--lang", "zh"], ["bytes", "NOOP", "--lang", "zh"],
])
def test_every_command_takes_lang_before_or_after_its_name(argv: list[str]) -> None:
    assert build_parser().parse_args(argv).lang == "zh"


def test_no_lang_given_leaves_the_choice_to_the_environment() -> None:
    assert build_parser().parse_args(["explain", "535"]).lang is None


def _run(*argv: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "SMTP_EXPLORER_LANG")}
    return subprocess.run([sys.executable, "-m", "explorer", *argv], capture_output=True, text=True, timeout=60,
                          cwd=ROOT, env={**clean, "PYTHONPATH": str(ROOT), **env})


def test_the_command_line_warns_once_for_an_unknown_language_and_speaks_english() -> None:
    english = _run("explain", "250")
    done = _run("explain", "250", "--lang", "fr")
    assert done.returncode == 0
    assert done.stderr == 'smtp-explorer: warning: --lang: there is no language "fr" here (known: en, zh); using English\n'
    assert done.stdout == english.stdout
    by_env = _run("explain", "250", SMTP_EXPLORER_LANG="xx")
    assert by_env.stderr.count("\n") == 1 and "SMTP_EXPLORER_LANG" in by_env.stderr


def test_the_repl_switches_language_with_slash_lang(sandbox) -> None:
    repl, shown = run_repl(sandbox_target(sandbox), ["/lang zh", "/help lang", "/lang", "/lang en"],
                           sandbox=lambda: sandbox)
    assert "界面语言：简体中文" in shown
    assert "立即切换探索器的全部讲解" in shown  # /help lang, in Chinese now
    assert "用法：/lang en|zh（当前：zh）" in shown
    assert shown.rstrip().endswith("language: English")
    assert repl.lang == "en"


def test_the_repl_starts_in_the_language_it_is_given(sandbox) -> None:
    repl, shown = run_repl(sandbox_target(sandbox), ["/lang"], sandbox=lambda: sandbox, lang="zh")
    assert "用法：/lang en|zh（当前：zh）" in shown


# --- lessons in two languages -----------------------------------------------------------------

LESSON = '''\
title = "Say hello"
summary = "Greet a server."
level = "beginner"
language = "en"
[zh]
title = "打个招呼"
summary = "向邮件服务器问好。"

[variables]
domain = "client.example"

[[step]]
narration = "Connect."
connect = true
[step.zh]
narration = "先建立连接。"

[[step]]
narration = "Greet with EHLO {domain}."
command = "EHLO {domain}"
reply = 250
hints = ["Type: EHLO {domain}"]
[step.zh]
narration = "用 EHLO {domain} 问候邮件服务器。"
hints = ["输入：EHLO {domain}"]

[step.question]
kind = "text"
prompt = "Which verb greets?"
answer = ["EHLO", "HELO"]
right = "Yes."
wrong = "Look again."
[step.question.zh]
prompt = "哪个命令用来问候？"
answer = ["EHLO", "HELO"]
right = "对。"
wrong = "再看一遍。"
'''


def test_a_lesson_loads_in_the_language_asked_and_in_its_own(tmp_path: Path) -> None:
    path = tmp_path / "hello.toml"
    path.write_text(LESSON, encoding="utf-8")
    assert check_lesson(path) == []
    zh = load_lesson(path, "zh")
    assert (zh.title, zh.language, zh.steps[1].narration) == ("打个招呼", "zh", "用 EHLO {domain} 问候邮件服务器。")
    assert zh.steps[1].hints == ("输入：EHLO {domain}",) and zh.steps[1].question.prompt == "哪个命令用来问候？"
    assert zh.steps[1].send == "EHLO {domain}"  # what is sent never changes
    en = load_lesson(path, "en")
    assert (en.title, en.language, en.steps[1].narration) == ("Say hello", "en", "Greet with EHLO {domain}.")
    assert load_lesson(path) == en


def test_lesson_check_reports_a_translation_that_drifts_from_its_original(tmp_path: Path) -> None:
    path = tmp_path / "hello.toml"
    broken = (LESSON.replace('narration = "用 EHLO {domain} 问候邮件服务器。"', 'narration = "用 EHLO {host} 问候。"')
              .replace('hints = ["输入：EHLO {domain}"]', 'hints = []\ncommand = "HELO x"')
              .replace('narration = "先建立连接。"\n', ''))
    path.write_text(broken, encoding="utf-8")
    problems = [f"{p.line}: {p.field}: {p.message}" for p in check_lesson(path)]
    assert problems == [
        "13: step 1.narration: has no zh translation (add it under [step.zh])",
        "23: step 2.zh.narration: must use the same {variables} as the original ({domain})",
        "24: step 2.zh.hints: must be a list of 1 texts, as the original is",
        "25: step 2.zh.command: cannot be translated here (texts here: narration, hints)",
    ]
    with pytest.raises(LessonError):
        load_lesson(path, "zh")


def test_explain_535_in_chinese_says_what_the_authorization_code_is_and_where_it_is_issued() -> None:
    done = _run("explain", "535", "--lang", "zh")
    assert done.returncode == 0 and done.stderr == ""
    text = "".join(done.stdout.split())  # wrapped by display width: join the lines to read it
    assert text.startswith("535认证凭据无效")
    assert re.search(r"授权码是[^。]*密码", text)  # what it is
    assert re.search(r"163[^。]*“设置→POP3/SMTP/IMAP”", text)  # where 163 issues it
    assert re.search(r"QQ邮箱在“设置→账户”[^。]*授权码", text)  # and QQ
    assert "常见原因：" in text and "下一步怎么做：" in text
    # the same from the environment, as a learner with a Chinese locale runs it
    assert _run("explain", "535", LANG="zh_CN.UTF-8").stdout == done.stdout


def test_the_sandbox_console_and_the_demo_account_speak_chinese(sandbox) -> None:
    import io

    from explorer.sandbox.runner import _banner

    out = io.StringIO()
    _banner(sandbox, out, "zh")
    lines = out.getvalue().splitlines()
    assert lines[0] == f"smtp-explorer 沙箱服务器正在监听 {sandbox.host}:{sandbox.port}"
    assert "    learner@sandbox.test  密码 password123  授权码 abcdefghijklmnop" in lines
    assert lines[-1] == "按 Ctrl-C 停止。"
    english = io.StringIO()
    _banner(sandbox, english)
    assert "    learner@sandbox.test  password password123  authorization code abcdefghijklmnop" in english.getvalue()


def test_lesson_list_in_chinese_is_aligned_by_display_width(tmp_path) -> None:
    from explorer.width import width

    done = _run("lesson", "list", "--lang", "zh", SMTP_EXPLORER_DATA=str(tmp_path))
    rows = done.stdout.splitlines()
    assert rows[0].split()[:3] == ["anatomy", "入门", "7"] and "个步骤" in rows[0]
    # the titles start in one column on the terminal, whatever the level's characters
    starts = {width(row[:row.index("个步骤")]) for row in rows}
    assert len(starts) == 1
