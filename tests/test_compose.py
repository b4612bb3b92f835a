"""The composer: messages that round-trip through email parsing and, byte for byte, through the
sandbox's Maildir; their wire form, labelled; and the REPL's piecewise form."""

from __future__ import annotations

import email
import email.policy
import smtplib
from datetime import datetime, timezone

import pytest
from clients import FRIEND, LEARNER, Wire
from hypothesis import given, settings, strategies as st

from explorer.client.compose import (Attachment, ComposeError, Draft, build, interactive, labelled,
                              message_bytes, show, wire)
from explorer.core.commands import dot_stuff
from explorer.lint import Envelope, lint_message

DATE = datetime(2025, 11, 22, 10, 0, tzinfo=timezone.utc)
ATTACHMENT = Attachment("报告.pdf", bytes(range(256)) * 4, "application/pdf")
DRAFTS = {
    "ascii": Draft(f"Learner <{LEARNER}>", (FRIEND,), "Hello", "Hello, world.\n.a period\n",
                   date=DATE, message_id="<1@sandbox.test>"),
    "chinese": Draft(f"李雷 <{LEARNER}>", (f"韩梅梅 <{FRIEND}>",), "你好，世界", "你好，世界！\n第二行\n",
                     cc=("boss@sandbox.test",), date=DATE),
    "emoji": Draft(LEARNER, (FRIEND,), "Party 🎉 time", "See you 😀\n", date=DATE),
    "attachments": Draft(LEARNER, (FRIEND,), "Files 📎", "Two files.\n",
                         attachments=(ATTACHMENT, Attachment("notes.txt", b"a\r\nb\r\n", "text/plain"))),
    "8bit": Draft(LEARNER, (FRIEND,), "eight", "Grüße\n", transfer="8bit"),
    "smtputf8": Draft("jörg@sandbox.test", (FRIEND,), "Grüße", "Grüße\n", smtputf8=True),
}


def parse(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


def body_of(parsed) -> str:
    """The text part, with the message's CRLF line ends read as newlines."""
    return parsed.get_body(("plain",)).get_content().replace("\r\n", "\n")


@pytest.mark.parametrize("name", sorted(DRAFTS))
def test_round_trip_through_email_parsing(name):
    draft = DRAFTS[name]
    data = message_bytes(draft)
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")  # CRLF only
    parsed = parse(data)
    assert str(parsed["From"]) == draft.sender
    assert str(parsed["To"]) == ", ".join(draft.to)
    assert (str(parsed["Cc"]) if draft.cc else None) == (", ".join(draft.cc) or None)
    assert parsed["Subject"] == draft.subject
    assert parsed["Date"].datetime is not None and parsed["Message-ID"].startswith("<")
    assert body_of(parsed) == draft.body
    attached = [(p.get_filename(), p.get_content_type(), p.get_payload(decode=True))
                for p in parsed.iter_attachments()]
    assert attached == [(a.filename, a.content_type, a.data) for a in draft.attachments]
    # byte for byte: parsing and writing it again gives the same message
    policy = email.policy.SMTPUTF8 if draft.smtputf8 else email.policy.SMTP
    assert email.message_from_bytes(data, policy=policy).as_bytes() == data
    # and the linter finds nothing wrong with it
    envelope = Envelope(LEARNER if not draft.smtputf8 else "jörg@sandbox.test", None,
                        draft.smtputf8)
    assert lint_message(wire(data)[:-3], envelope=envelope) == []


def test_headers_and_encodings():
    ascii_ = message_bytes(DRAFTS["ascii"])
    assert ascii_.startswith(b"From: Learner <learner@sandbox.test>\r\nTo: friend@sandbox.test\r\n"
                             b"Subject: Hello\r\nDate: Sat, 22 Nov 2025 10:00:00 +0000\r\n"
                             b"Message-ID: <1@sandbox.test>\r\n")
    assert b"Content-Transfer-Encoding: 7bit" in ascii_
    chinese = message_bytes(DRAFTS["chinese"])
    assert chinese.isascii()  # 7-bit clean: RFC 2047 words and a transfer encoding
    assert b"Subject: =?utf-8?b?" in chinese and b"charset=\"utf-8\"" in chinese
    assert b"Content-Transfer-Encoding: base64" in chinese
    assert b"Content-Transfer-Encoding: quoted-printable" in message_bytes(
        Draft(LEARNER, (FRIEND,), "x", "Mostly ASCII text with one é in it.\n"))
    eight = message_bytes(DRAFTS["8bit"])
    assert b"Content-Transfer-Encoding: 8bit" in eight and "Grüße".encode() in eight
    files = message_bytes(DRAFTS["attachments"])
    assert b"Content-Type: multipart/mixed;" in files
    assert b"filename*=utf-8''%E6%8A%A5%E5%91%8A.pdf" in files
    assert files.count(b"Content-Transfer-Encoding: base64") == 2
    assert b"Message-ID: <" in files and b"@sandbox.test>" in files  # made on the sender's domain


def test_the_wire_form_is_stuffed_and_terminated():
    data = message_bytes(DRAFTS["ascii"])
    on_wire = wire(data)
    assert on_wire.endswith(b"\r\n.\r\n")
    assert b"\r\n..a period\r\n" in on_wire
    unstuffed = b"".join(line[1:] + b"\r\n" if line.startswith(b".") else line + b"\r\n"
                         for line in on_wire[:-3].split(b"\r\n")[:-1])
    assert unstuffed == data


def test_every_wire_line_is_labelled():
    data = message_bytes(DRAFTS["attachments"])
    lines = labelled(data)
    assert b"".join(line.data for line in lines) == wire(data)
    parts = [line.part for line in lines]
    assert parts[0] == "header" and parts[-1] == "terminator"
    assert {"encoded", "blank", "boundary", "part-header", "base64", "body"} <= set(parts) or \
        {"encoded", "blank", "boundary", "part-header", "base64"} <= set(parts)
    [subject] = [line for line in lines if line.data.startswith(b"Subject:")]
    assert subject.part == "encoded"
    stuffed = [line for line in labelled(message_bytes(DRAFTS["ascii"])) if line.stuffed]
    assert [line.data for line in stuffed] == [b"..a period\r\n"]
    shown = show(message_bytes(DRAFTS["ascii"]))
    assert shown[-1].startswith("end of data") and shown[-1].endswith(".\\r\\n")
    assert any(row.startswith("body, dot-stuffed") and "..a period\\r\\n" in row for row in shown)
    assert any(row.startswith("end of header ") for row in shown)
    assert any(row.startswith("header (RFC 2047)") for row in show(message_bytes(DRAFTS["emoji"])))


@pytest.mark.parametrize("name", ["ascii", "chinese", "attachments", "8bit"])
def test_round_trip_through_the_sandbox_maildir_byte_for_byte(sandbox, name):
    data = message_bytes(DRAFTS[name])
    with smtplib.SMTP(sandbox.host, sandbox.port, timeout=5) as client:
        client.sendmail(LEARNER, [FRIEND], data)
    w = Wire.to(sandbox).ehlo()
    assert w.mail(wire(data)).startswith(b"250")  # the composer's own wire form, raw
    w.quit()
    stored = sandbox.messages()
    assert [m.data for m in stored] == [data, data]


def test_interactive_pieces_around_the_typed_body(sandbox):
    draft = Draft(LEARNER, (FRIEND,), "typed 你好", attachments=(ATTACHMENT,), date=DATE)
    opening, closing = interactive(draft)
    assert opening[0] == f"From: {LEARNER}" and opening[-1] == "Content-Transfer-Encoding: 8bit"
    assert "" in opening and closing[-1].endswith("--")  # the top header ended, the part's not
    typed = ["你好！", ".a line with a period", "bye"]
    lines = opening + [""] + typed + closing
    content = b"".join(dot_stuff(line.encode()) + b"\r\n" for line in lines)
    w = Wire.to(sandbox).ehlo()
    assert w.mail(content + b".\r\n").startswith(b"250")
    w.quit()
    [stored] = sandbox.messages()
    parsed = parse(stored.data)
    assert body_of(parsed) == "\n".join(typed) + "\n"
    [part] = parsed.iter_attachments()
    assert part.get_payload(decode=True) == ATTACHMENT.data
    assert lint_message(content, envelope=Envelope(LEARNER)) == []
    plain_opening, plain_closing = interactive(Draft(LEARNER, (FRIEND,), "plain"))
    assert plain_closing == [] and "" not in plain_opening


def test_mistakes_in_a_draft_are_one_line_errors(tmp_path):
    with pytest.raises(ComposeError, match=r"^cannot attach .*missing\.pdf: No such file"):
        Attachment.from_path(tmp_path / "missing.pdf")
    with pytest.raises(ComposeError, match="unknown transfer encoding 'x'|unknown transfer encoding x"):
        build(Draft(LEARNER, (FRIEND,), transfer="x"))
    with pytest.raises(ComposeError, match="jörg@sandbox.test is not ASCII: it needs SMTPUTF8"):
        message_bytes(Draft("jörg@sandbox.test", (FRIEND,)))
    with pytest.raises(ComposeError, match="^cannot build this message"):
        message_bytes(Draft(LEARNER, (FRIEND,), body="你好\n", transfer="7bit"))
    (tmp_path / "a.txt").write_bytes(b"hello")
    assert Attachment.from_path(tmp_path / "a.txt") == Attachment("a.txt", b"hello", "text/plain")


text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp", "Co", "Cn")),
               min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(text.map(lambda s: " ".join(s.split())).filter(bool),
       st.lists(text, max_size=6).map(lambda lines: "".join(line + "\n" for line in lines)))
def test_any_text_round_trips(subject, body):
    data = message_bytes(Draft(LEARNER, (FRIEND,), subject, body, date=DATE,
                               message_id="<p@sandbox.test>"))
    parsed = parse(data)
    assert parsed["Subject"] == subject
    assert body_of(parsed) == (body or "\n")  # email writes an empty body as one newline
    assert lint_message(wire(data)[:-3], envelope=Envelope(LEARNER)) == []
