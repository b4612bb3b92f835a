from __future__ import annotations

import pytest
from hypothesis import given, strategies as hs

from explorer.core import commands as c
from explorer.core.commands import Command, CommandError, encode_message, parse_command

# (command object, exact bytes): checked both ways (object -> bytes, bytes -> parsed object).
GOLDEN = [
    (c.helo("client.example"), b"HELO client.example\r\n"),
    (c.ehlo("[127.0.0.1]"), b"EHLO [127.0.0.1]\r\n"),
    (c.starttls(), b"STARTTLS\r\n"),
    (c.auth("login"), b"AUTH LOGIN\r\n"),
    (c.auth("LOGIN", "dXNlcg=="), b"AUTH LOGIN dXNlcg==\r\n"),
    (c.auth("plain", "AHVzZXIAcGFzcw=="), b"AUTH PLAIN AHVzZXIAcGFzcw==\r\n"),
    (c.auth("PLAIN", ""), b"AUTH PLAIN =\r\n"),
    (c.auth("CRAM-MD5"), b"AUTH CRAM-MD5\r\n"),
    (c.mail("a@example.org"), b"MAIL FROM:<a@example.org>\r\n"),
    (c.mail(""), b"MAIL FROM:<>\r\n"),
    (c.mail("a@example.org", {"SIZE": "1024", "BODY": "8BITMIME"}),
     b"MAIL FROM:<a@example.org> SIZE=1024 BODY=8BITMIME\r\n"),
    (c.mail("用户@例子.中国", {"SMTPUTF8": None}), "MAIL FROM:<用户@例子.中国> SMTPUTF8\r\n".encode()),
    (c.rcpt("b@example.org"), b"RCPT TO:<b@example.org>\r\n"),
    (c.rcpt("b@example.org", {"NOTIFY": "SUCCESS,FAILURE"}), b"RCPT TO:<b@example.org> NOTIFY=SUCCESS,FAILURE\r\n"),
    (c.data(), b"DATA\r\n"),
    (c.rset(), b"RSET\r\n"),
    (c.noop(), b"NOOP\r\n"),
    (c.vrfy("postmaster"), b"VRFY postmaster\r\n"),
    (c.expn("staff"), b"EXPN staff\r\n"),
    (c.help_(), b"HELP\r\n"),
    (c.help_("MAIL"), b"HELP MAIL\r\n"),
    (c.quit_(), b"QUIT\r\n"),
]


@pytest.mark.parametrize("command,wire", GOLDEN, ids=[w.decode("utf-8").strip() for _, w in GOLDEN])
def test_golden_both_ways(command: Command, wire: bytes) -> None:
    assert command.to_bytes() == wire
    assert parse_command(wire.decode("utf-8").removesuffix("\r\n")) == command


@pytest.mark.parametrize("typed,wire", [
    ("ehlo me", b"EHLO me\r\n"),
    ("mail from:<a@b.c>", b"MAIL FROM:<a@b.c>\r\n"),
    ("Mail From: <a@b.c>", b"MAIL FROM: <a@b.c>\r\n"),  # the space is the learner's, kept
    ("rcpt to:<x@y.z>", b"RCPT TO:<x@y.z>\r\n"),
    ("auth login", b"AUTH LOGIN\r\n"),
    ("auth plain AHUAcA==", b"AUTH PLAIN AHUAcA==\r\n"),
    ("  quit  ", b"QUIT\r\n"),
    ("frob nicate", b"FROB nicate\r\n"),
])
def test_verbs_case_insensitive_rendered_upper(typed: str, wire: bytes) -> None:
    assert parse_command(typed).to_bytes() == wire


@pytest.mark.parametrize("typed", ["", "   ", "HELO a\rb", "MAIL\x00", "A\nB"])
def test_parse_refuses_empty_and_control(typed: str) -> None:
    with pytest.raises(CommandError):
        parse_command(typed)


def test_known_verbs() -> None:
    assert parse_command("noop").known and not parse_command("FROB").known


MESSAGES = [
    ("Subject: hi\n\nhello\n", b"Subject: hi\r\n\r\nhello\r\n.\r\n"),
    ("a\r\nb", b"a\r\nb\r\n.\r\n"),
    ("a\rb\r\n", b"a\r\nb\r\n.\r\n"),
    (".leading\n..two\nmid.dle\n.\n", b"..leading\r\n...two\r\nmid.dle\r\n..\r\n.\r\n"),
    ("", b".\r\n"),
    ("\n", b"\r\n.\r\n"),
    ("中文\n", "中文\r\n.\r\n".encode()),
]


@pytest.mark.parametrize("text,wire", MESSAGES)
def test_encode_message(text: str, wire: bytes) -> None:
    assert encode_message(text) == wire


def _unstuff(wire: bytes) -> bytes:
    assert wire.endswith(b".\r\n")
    lines = wire[:-3].split(b"\r\n")[:-1]
    return b"".join((line[1:] if line.startswith(b".") else line) + b"\r\n" for line in lines)


@given(hs.lists(hs.binary(max_size=40).filter(lambda b: b"\r" not in b and b"\n" not in b), max_size=20))
def test_encode_message_roundtrips_and_never_ends_early(lines: list[bytes]) -> None:
    content = b"".join(line + b"\r\n" for line in lines)
    wire = encode_message(content)
    assert wire.endswith(b"\r\n.\r\n") or wire == b".\r\n"
    # The terminator occurs exactly once: at the end.
    assert (b"\r\n" + wire).count(b"\r\n.\r\n") == 1
    assert _unstuff(wire) == content
