"""`--help` of every command in Chinese, chosen as the rest of the explorer chooses its language;
the English help unchanged."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys

import pytest

from explorer.commands import COMMAND_MODULES, build_parser
from explorer.width import is_wide, width

COMMANDS = ["", "explain", "base64", "bytes", "sandbox", "inbox", "connect", "lesson", "transcript",
            "replay", "inspect", "accounts", "report", "rubric", "providers"]


def _help(*args: str, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items()
               if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "SMTP_EXPLORER_LANG")}
    environ.update(COLUMNS="80", **env)
    done = subprocess.run([sys.executable, "-m", "explorer", *args, "--help"], capture_output=True,
                          text=True, encoding="utf-8", env=environ, timeout=60)
    assert done.returncode == 0 and done.stderr == ""
    return done.stdout


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_the_locale_gives_chinese_help_with_chinese_headings() -> None:
    shown = _help(LANG="zh_CN.UTF-8")
    assert shown.startswith("用法：smtp-explorer [-h] [--version]")
    assert "\n位置参数：\n" in shown and "\n选项：\n" in shown and ":\n" not in shown
    assert "  -h, --help        显示本帮助信息并退出\n" in shown
    assert "    explain         解释回复码、增强状态码或一整行回复\n" in shown
    assert "usage" not in shown and "options" not in shown
    assert max(width(line) for line in shown.splitlines()) <= 80


@pytest.mark.parametrize("args", [("--lang", "zh", "inspect"), ("inspect", "--lang", "zh"),
                                  ("inspect", "--lang=zh")])
def test_lang_anywhere_on_the_line_chooses_the_help(args) -> None:
    shown = _help(*args, LANG="en_US.UTF-8")
    assert shown.startswith("用法：smtp-explorer inspect")
    assert re.search(r"\n  --fail-on-mistakes +只要有一个会话出错，就以状态 1 退出（用于评分）\n", shown)


def test_english_stays_english_whatever_the_locale_says_with_lang_en() -> None:
    shown = _help("base64", "--lang", "en", LANG="zh_CN.UTF-8")
    assert shown.startswith("usage: smtp-explorer base64 [-h]")
    assert "\npositional arguments:\n" in shown and "\noptions:\n" in shown
    assert "  -h, --help       show this help message and exit\n" in shown


def test_a_wrapped_chinese_usage_stays_aligned_and_within_80_columns() -> None:
    shown = _help("sandbox", SMTP_EXPLORER_LANG="zh")
    usage = shown.split("\n\n")[0].splitlines()
    assert len(usage) > 1
    start = width("用法：smtp-explorer sandbox ")
    assert all(line.startswith(" " * start + "[") for line in usage[1:])
    assert all(width(line) <= 80 for line in usage)
    # the sandbox's scenarios are listed in Chinese in its epilog
    assert ("  greylist           灰名单：每对发件人/收件人第一次尝试时回复 451 4.7.1；重试\n"
            "                     则被接受\n") in shown


@pytest.mark.parametrize("command", COMMANDS)
def test_every_help_text_is_chinese_and_fits_80_columns(command) -> None:
    shown = _help(*([command] if command else []), "--lang", "zh")
    for line in shown.splitlines():
        # command examples are typed as they are, whatever their length
        if is_wide(line) and not line.lstrip().startswith("smtp-explorer "):
            assert width(line) <= 80, line


def test_every_option_of_every_command_has_its_chinese_help() -> None:
    parsers = {"": build_parser("zh")}
    parsers.update(_subparsers(parsers[""]))
    assert len(parsers) == len(COMMAND_MODULES) + 1 + 1  # report registers rubric too
    for name, parser in parsers.items():
        assert is_wide(parser.description or ""), name
        for action in parser._actions:
            if action.help not in (None, argparse.SUPPRESS) and not isinstance(action, argparse._SubParsersAction):
                assert is_wide(action.help), (name, action.dest, action.help)


def test_the_sandbox_help_lists_the_profiles_in_chinese() -> None:
    shown = _help("sandbox", "--lang", "zh")
    assert "\n  qq        QQ 邮箱：只能在加密连接上认证（明文连接上 AUTH 得到 530 并断开），\n" in shown
    assert "QQ Mail" not in shown and "a lenient teaching server" not in shown
