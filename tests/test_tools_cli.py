"""The quick tools, run as a learner runs them: the installed command, its output, its status."""

from __future__ import annotations

import subprocess
import sys

import pytest

from explorer import __version__
from explorer.commands import main


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True, text=True, timeout=60)


def test_version_and_help_both_ways() -> None:
    for command in ([sys.executable, "-m", "explorer"], ["smtp-explorer"]):
        done = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and done.stdout.strip() == f"smtp-explorer {__version__}"
    done = run("--help")
    assert done.returncode == 0
    for word in ("explain", "base64", "bytes", "sandbox", "inbox", "connect"):
        assert word in done.stdout


def test_explain_a_whole_reply_line(capsys) -> None:
    assert main(["explain", "535 5.7.8 authentication failed"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("reply: 535 5.7.8 authentication failed 535 Authentication credentials invalid")
    assert "authorization code" in out and "5.7.8 enhanced status code (RFC 3463)" in out
    assert "subject 7: x.7.x: security or policy status" in out


def test_explain_codes_known_unknown_and_enhanced(capsys) -> None:
    assert main(["explain", "354", "299", "5.1.1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("354  ")
    assert "299  " in out and "digit 1: 2yz" in out
    assert "5.1.1  enhanced status code" in out


@pytest.mark.parametrize("args,message", [
    (["explain", "5x5"], "'5x5' is not a reply line"),
    (["explain", "9.9.9"], "'9.9.9' is not an enhanced status code"),
    (["explain", " "], "empty argument"),
    (["base64", "decode", "VXNlcm5hbWU"], "invalid Base64: length 11 is not a multiple of 4"),
    (["base64", "decode", "V$=="], "invalid Base64: '$' is not in the Base64 alphabet"),
    (["bytes", ""], "empty command"),
    (["bytes", "HELO\x01a"], "control character"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_is_one_line_and_status_2(args: list[str], message: str) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("smtp-explorer: error: ") and message in lines[0]
    assert "Traceback" not in done.stderr


def test_base64_both_ways(capsys) -> None:
    assert main(["base64", "encode", "learner@sandbox.test"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "bGVhcm5lckBzYW5kYm94LnRlc3Q="
    assert main(["base64", "decode", "UGFzc3dvcmQ6"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[:2] == ["Password:", "  an AUTH LOGIN challenge: the server asks for the password"]
    assert "not encryption" in out
    assert main(["base64", "decode", "AGxlYXJuZXJAc2FuZGJveC50ZXN0AHBhc3N3b3JkMTIz"]) == 0
    out = capsys.readouterr().out
    assert "AUTH PLAIN parts: authzid='' user='learner@sandbox.test' password='password123'" in out


def test_base64_speaks_the_learners_language(capsys) -> None:
    assert main(["base64", "decode", "UGFzc3dvcmQ6", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[:2] == ["Password:", "  AUTH LOGIN 的质询：邮件服务器要你提供密码"]
    assert "Base64 是一种编码，不是加密" in out and "not encryption" not in out
    assert main(["base64", "decode", "AGxlYXJuZXJAc2FuZGJveC50ZXN0AHBhc3N3b3JkMTIz", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "AUTH PLAIN 的三部分：授权身份='' 用户名='learner@sandbox.test' 密码='password123'" in out


def test_base64_decode_never_prints_raw_control_bytes(capsys) -> None:
    assert main(["base64", "decode", "G1syShs="]) == 0  # ESC [ 2 J ESC
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "\\x1b[2J\\x1b"


def test_bytes_shows_visible_and_hex(capsys) -> None:
    assert main(["bytes", "MAIL FROM:<a@example.org>"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "27 bytes: MAIL FROM:<a@example.org>\\r\\n"
    assert out[1].startswith("00000000  4d 41 49 4c 20 46 52 4f 4d 3a 3c 61 40 65 78 61")
    assert out[2].startswith("00000010  6d 70 6c 65 2e 6f 72 67 3e 0d 0a")
    assert len(out) == 3


def test_bytes_notes_a_mistake(capsys) -> None:
    assert main(["bytes", "mail", "from:a@example.org"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("25 bytes: MAIL FROM:a@example.org\\r\\n")
    assert "must be inside angle brackets" in out


def test_explain_an_ehlo_keyword(capsys) -> None:
    assert main(["explain", "SIZE", "auth=login"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("SIZE The server declares the largest message it will accept")
    assert "Reference: RFC 1870" in out and "AUTH=LOGIN The old way of advertising AUTH" in out


def test_a_reader_that_goes_away_is_not_a_traceback() -> None:
    reader = subprocess.Popen(["head", "-c", "10"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    writer = subprocess.run([sys.executable, "-m", "explorer", "explain", *["535"] * 400],
                            stdout=reader.stdin, stderr=subprocess.PIPE, text=True, timeout=60)
    reader.stdin.close()
    reader.wait(timeout=10)
    assert writer.returncode in (0, 141) and writer.stderr == ""


@pytest.mark.parametrize("args,message", [
    (["connect", "127.0.0.1:1", "--timeout", "nan"], "--timeout must be a number of seconds above 0"),
    (["connect", "127.0.0.1:1", "--save", "/nonexistent-folder/x.jsonl"], "the folder '/nonexistent-folder' does not exist"),
    (["explain", "X\x1b[31m"], None),
])
def test_more_bad_input(args: list[str], message: str | None, tmp_path) -> None:
    done = run(*args)
    assert "Traceback" not in done.stderr and "\x1b" not in done.stdout + done.stderr
    if message:
        assert done.returncode == 2 and message in done.stderr


def test_deeply_nested_json_is_one_line(tmp_path) -> None:
    deep = tmp_path / "deep.jsonl"
    deep.write_text("[" * 100000 + "\n")
    for command in ("transcript", "inspect", "replay"):
        done = run(command, str(deep))
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
