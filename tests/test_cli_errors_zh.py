"""argparse's own sentences, the option values it refuses, the accounts' and the lessons' errors:
one line in the chosen language and exit status 2. English is checked unchanged beside them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from explorer.commands import main
from explorer.knowledge.argparse_text import translate
from explorer.sandbox.accounts import AccountError, load_accounts_file, parse_account_spec


def _error(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as stopped:
        status = main(list(argv))
        raise SystemExit(status)
    assert stopped.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    return captured.err


def test_lesson_frobnicate_is_one_chinese_line_and_exit_2(tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "SMTP_EXPLORER_LANG")}
    environ.update(LANG="zh_CN.UTF-8", SMTP_EXPLORER_DATA=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "explorer", "--lang", "zh", "lesson", "frobnicate"],
                          capture_output=True, text=True, encoding="utf-8", env=environ, timeout=60)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("smtp-explorer：错误：没有名为 'frobnicate' 的课程（自带的课程有：anatomy, ")
    assert done.stderr.endswith("）\n") and done.stderr.count("\n") == 1


@pytest.mark.parametrize(("argv", "said"), [
    (["lesson"], "smtp-explorer：错误：缺少必需的参数：NAME|PATH|list|check, PATH（参见 --help）\n"),
    (["explain", "535", "--bogus"], "smtp-explorer：错误：无法识别的参数：--bogus（参见 --help）\n"),
    (["sandbox", "--account"], "smtp-explorer：错误：参数 --account：需要一个值（参见 --help）\n"),
    (["sandbox", "--port", "99999"], "smtp-explorer：错误：参数 --port：'99999' 不是合法的端口号（0 到 65535）（参见 --help）\n"),
    (["sandbox", "--idle-timeout", "0"], "smtp-explorer：错误：参数 --idle-timeout：'0' 必须大于 0（参见 --help）\n"),
    (["sandbox", "--account", "a:"], "smtp-explorer：错误：参数 --account：--account 'a'：密码为空（参见 --help）\n"),
    (["inbox", "0"], "smtp-explorer：错误：参数 N：'0' 不是邮件编号（应为从 1 开始的整数）（参见 --help）\n"),
    (["transcript", "--session", "x", "f"],
     "smtp-explorer：错误：参数 --session：'x' 不是会话编号（应为从 1 开始的整数）（参见 --help）\n"),
    (["bytes", ""], "smtp-explorer：错误：命令为空：请输入一条 SMTP 命令，例如 EHLO 或 MAIL FROM:<...>\n"),
    (["bytes", "HELO\x01a"], "smtp-explorer：错误：命令中有控制字符 '\\x01'；如果是有意发送这样的字节，请用 /raw\n"),
    (["explain", ""], "smtp-explorer：错误：参数为空：请给出一个回复码（如 535）或一行回复\n"),
    (["explain", "999"], "smtp-explorer：错误：'999' 不是一行回复：应当是一个回复码（三位数字，第一位是 2、3、4 或 5），"
     "后面什么都没有，或者是一个空格或连字符再加文字，例如“535 5.7.8 authentication failed”\n"),
    (["lesson", "anatomy", "--set", "x=1"],
     "smtp-explorer：错误：--set x：这个课程没有这个变量（它有：domain, sender, recipient）\n"),
])
def test_usage_mistakes_in_chinese(capsys, argv: list[str], said: str) -> None:
    assert _error(capsys, "--lang", "zh", *argv) == said


def test_invalid_choice_in_chinese_and_english(capsys) -> None:
    said = _error(capsys, "--lang", "zh", "frob")
    assert said.startswith("smtp-explorer：错误：参数 COMMAND：无效的选择：'frob'（可选的有：'explain', ")
    assert said.endswith("'providers'）（参见 --help）\n")
    said = _error(capsys, "--lang", "en", "frob")
    assert said.startswith("smtp-explorer: error: argument COMMAND: invalid choice: 'frob' (choose from 'explain', ")
    assert said.endswith("'providers') (see --help)\n")


@pytest.mark.parametrize(("argv", "said"), [
    (["lesson"], "smtp-explorer: error: the following arguments are required: NAME|PATH|list|check, PATH (see --help)\n"),
    (["sandbox", "--port", "99999"], "smtp-explorer: error: argument --port: '99999' is not a port number (0-65535) (see --help)\n"),
    (["sandbox", "--account", "x"], "smtp-explorer: error: argument --account: --account 'x': expected USER:SECRET or "
     "USER:PASSWORD:CODE (put a secret containing ':' in an --accounts file) (see --help)\n"),
    (["lesson", "frobnicate"], None),
])
def test_the_english_is_unchanged(capsys, argv: list[str], said: str | None) -> None:
    shown = _error(capsys, "--lang", "en", *argv)
    if said is None:
        assert shown.startswith("smtp-explorer: error: no lesson called 'frobnicate' (bundled: anatomy, ")
    else:
        assert shown == said


def test_every_argparse_sentence_is_known() -> None:
    # The msgids argparse writes, as Python 3.11 to 3.13 fill them in.
    for english, chinese in [
        ("expected one argument", "需要一个值"),
        ("expected at most one argument", "最多需要一个值"),
        ("expected at least one argument", "至少需要一个值"),
        ("expected 2 arguments", "需要 2 个值"),
        ("ambiguous option: --s could match --save, --session", "有歧义的选项：--s 可能是 --save, --session 中的任何一个"),
        ("argument --tls: not allowed with argument --starttls", "参数 --tls：不能与参数 --starttls 一起使用"),
        ("one of the arguments --a --b is required", "必须给出参数 --a --b 中的一个"),
        ("argument --n: invalid int value: 'x'", "参数 --n：无效的 int 值：'x'"),
        ("something argparse never said", "something argparse never said"),
    ]:
        assert translate(english, "zh") == chinese
        assert translate(english, "en") == english


def test_account_errors_say_where_in_the_same_language(tmp_path: Path) -> None:
    path = tmp_path / "accounts.toml"
    path.write_text("[[account]]\nusername = 'a b'\npassword = 'x'\n", encoding="utf-8")
    with pytest.raises(AccountError) as failure:
        load_accounts_file(path)
    assert failure.value.text("zh") == f"账户文件 {path} 的第 1 个账户：用户名 'a b' 含有空格或邮件地址中不允许的字符"
    assert str(failure.value) == f"accounts file {path}, account 1: the username 'a b' has a space or a character not allowed in an address"
    with pytest.raises(AccountError) as failure:
        parse_account_spec("bob:pw:")
    assert failure.value.text("zh") == "--account 'bob'：授权码为空"


def test_a_roster_with_a_bad_address_in_chinese(tmp_path: Path, capsys) -> None:
    roster = tmp_path / "class.csv"
    roster.write_text("id,address\ns1,a@@b\n", encoding="utf-8")
    said = _error(capsys, "--lang", "zh", "sandbox", "--roster", str(roster), "--data-dir", str(tmp_path / "d"))
    assert said == f"smtp-explorer：错误：{roster}:2：'a@@b' 不是合法的邮件地址\n"


def test_connect_arguments_in_the_repl_in_chinese() -> None:
    from repl_driver import run_repl

    from explorer.client.engine import Target

    _, shown = run_repl(Target("127.0.0.1", 9), ["/lang zh", "/connect a --bogus", "/connect --timeout"])
    after = shown.split("简体中文", 1)[1]
    assert "参数有误：无法识别的参数：--bogus" in after and "参数有误：参数 --timeout：需要一个值" in after
    assert "unrecognized" not in after and "expected" not in after


def test_the_connect_intro_uses_chinese_brackets(tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "SMTP_EXPLORER_LANG")}
    environ["SMTP_EXPLORER_DATA"] = str(tmp_path)
    for lang, said in (("zh", "：127.0.0.1:9（明文 TCP）\n"), ("en", ": 127.0.0.1:9 (plain TCP)\n")):
        done = subprocess.run([sys.executable, "-m", "explorer", "connect", "127.0.0.1:9", "--lang", lang],
                              capture_output=True, text=True, encoding="utf-8", env=environ, timeout=60,
                              stdin=subprocess.DEVNULL)
        assert done.returncode == 0 and said in done.stdout


@pytest.mark.parametrize(("content", "said"), [
    ('{"type": "chunk"}\n', ":1：不是 smtp-explorer 的会话文件（没有 meta 行）"),
    ('{"type": "meta", "format": "smtp-explorer-session", "version": 99}\n', ":1：不支持版本 99"),
    ('{"type": "meta", "format": "smtp-explorer-session", "version": 1}\n'
     '{"type": "chunk", "t": 1, "dir": "x", "data": ""}\n', ":2：数据块的方向必须是 client 或 server，而不是 'x'"),
    ('{"type": "meta", "format": "smtp-explorer-session", "version": 1}\n'
     '{"type": "chunk", "t": -5, "dir": "client", "data": ""}\n', ":2：时间戳 -5 不可能是这个会话的时间"),
    ('{"id": 1, "chunks": 3}\n', ":1：不是沙箱服务器日志中的会话（没有数据块（chunks））"),
])
def test_a_broken_session_file_is_explained_in_chinese(tmp_path: Path, capsys, content: str, said: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    assert _error(capsys, "--lang", "zh", "transcript", str(path)) == f"smtp-explorer：错误：{path}{said}\n"


def test_history_and_insecure_connect_in_chinese() -> None:
    from repl_driver import run_repl

    from explorer.client.engine import Target

    _, shown = run_repl(Target("127.0.0.1", 9), ["/lang zh", "/history", "/connect 127.0.0.1:9 --insecure",
                                                 "/raw NOOP\\q"])
    after = " ".join(shown.split("简体中文", 1)[1].split())
    assert "未知的转义 \\q（可用的有 \\r \\n \\t \\0 \\xNN 或 \\\\）" in after
    assert "（线路上还没有传送过任何内容）" in after
    assert "警告：--insecure：不验证邮件服务器的证书；连接途中的任何人都可能读到全部内容" in after


def test_a_saved_session_is_not_the_class_log_in_chinese(tmp_path: Path) -> None:
    from explorer.recording import SessionFileError
    from explorer.reports.class_log import read_log

    path = tmp_path / "one.jsonl"
    path.write_text('{"type": "meta", "format": "smtp-explorer-session", "version": 1}\n', encoding="utf-8")
    with pytest.raises(SessionFileError) as failure:
        read_log(path, "zh")
    assert str(failure.value) == f"{path}：这是一个已保存的会话，不是沙箱服务器的日志"
    with pytest.raises(SessionFileError) as failure:
        read_log(path)
    assert str(failure.value) == f"{path}: a saved session, not the sandbox's session log"


def test_a_data_folder_that_is_not_writable_is_said_in_the_os_words(tmp_path: Path, monkeypatch) -> None:
    # Tests run as root here, where every folder is writable: the check is made to fail instead.
    from explorer.sandbox import Sandbox, storage
    from explorer.sandbox.server import SandboxError

    monkeypatch.setattr(storage.os, "access", lambda *_: False)
    with pytest.raises(SandboxError) as failure:
        Sandbox(data_dir=tmp_path, port=0).start()
    said = failure.value.text("zh")
    assert said == f"无法使用数据目录 {tmp_path}：{os.strerror(13)}" and "writable" not in said
