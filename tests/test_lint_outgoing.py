"""lint_outgoing: what the REPL warns about before the learner's bytes go out."""

from __future__ import annotations

from explorer.core.commands import MessageData, RawBytes, parse_command
from explorer.core.session import ClientSession, DataLine, EndOfData
from explorer.core.states import State
from explorer.lint import Envelope, lint_outgoing

EHLO = (b"250-sandbox.test greets me\r\n250-PIPELINING\r\n250-AUTH LOGIN PLAIN\r\n"
        b"250 HELP\r\n")


def session(*steps: tuple[str, bytes]) -> ClientSession:
    """A session after the greeting and these (command, reply) exchanges."""
    s = ClientSession()
    s.connection_made()
    s.receive_data(b"220 sandbox.test ESMTP\r\n")
    s.next_event()
    for command, reply in steps:
        s.send(parse_command(command))
        s.receive_data(reply)
        s.next_event()
    return s


def keys(found) -> list[tuple]:
    return [(f.key, f.line, f.offset) for f in found]


def test_a_correct_command_gets_nothing():
    s = session(("EHLO me", EHLO))
    assert lint_outgoing(s, parse_command("MAIL FROM:<a@b.c>").to_bytes(), in_data=False) == []


def test_line_ends_typed_with_raw():
    s = session(("EHLO me", EHLO))
    assert keys(lint_outgoing(s, b"QUIT", in_data=False)) == [("no-line-end", 1, 4)]
    assert keys(lint_outgoing(s, b"QUIT\r", in_data=False)) == [("bare-cr", 1, 4)]
    assert keys(lint_outgoing(s, b"NOOP\n", in_data=False)) == [("bare-lf", 1, 4)]
    assert keys(lint_outgoing(s, b"NOOP\t\n", in_data=False)) == [("tab-lf", 1, 4)]


def test_core_checks_are_optional_for_a_caller_that_shows_them():
    s = session(("EHLO me", EHLO))
    wire = parse_command("RCPT TO:<a@b.c>").to_bytes()
    [finding] = lint_outgoing(s, wire, in_data=False)
    assert (finding.key, finding.reason) == ("out-of-order", "mail-first")
    assert lint_outgoing(s, wire, in_data=False, with_core_checks=False) == []


def test_several_commands_at_once_need_pipelining():
    lines = b"MAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\nQUIT\r\n"
    with_pipelining = session(("EHLO me", EHLO))
    found = lint_outgoing(with_pipelining, lines, in_data=False)
    assert keys(found) == [("no-wait", 4, lines.index(b"QUIT"))]  # DATA must end a group
    assert found[0].value("previous") == "DATA"
    without = session(("HELO me", b"250 hello\r\n"))
    assert [f.key for f in lint_outgoing(without, lines, in_data=False)] == ["no-wait"] * 3


def test_an_auth_answer_must_be_base64():
    s = session(("EHLO me", EHLO), ("AUTH LOGIN", b"334 VXNlcm5hbWU6\r\n"))
    assert s.state is State.AUTH_EXCHANGE
    [finding] = lint_outgoing(s, b"learner@sandbox.test\r\n", in_data=False)
    assert (finding.key, finding.where, finding.values) == ("auth-bad-base64", "auth", ())
    assert lint_outgoing(s, b"bGVhcm5lcg==\r\n", in_data=False) == []
    [initial] = lint_outgoing(session(("EHLO me", EHLO)), b"AUTH PLAIN not!base64\r\n",
                              in_data=False)
    assert (initial.key, initial.offset) == ("auth-bad-base64", 11)


def test_message_lines_in_data():
    s = session(("EHLO me", EHLO), ("MAIL FROM:<a@b.c>", b"250 ok\r\n"),
                ("RCPT TO:<d@e.f>", b"250 ok\r\n"), ("DATA", b"354 go\r\n"))
    assert lint_outgoing(s, DataLine(".stuffed by the REPL").to_bytes(), in_data=True) == []
    assert keys(lint_outgoing(s, RawBytes(b".not stuffed\r\n").to_bytes(), in_data=True)) == [
        ("dot-not-stuffed", 1, 0)]
    assert keys(lint_outgoing(s, b"Subject: hi\t\n", in_data=True, message_so_far=b"From: a@b.c\r\n")) \
        == [("message-tab-lf", 1, 11)]
    assert [f.key for f in lint_outgoing(s, b"text\n.\nmore\r\n", in_data=True)] == [
        "message-bare-lf", "smuggling-terminator", "message-bare-lf"]


def test_the_message_as_a_whole_is_judged_at_its_end():
    so_far = b"Subject: hi\r\n\r\nHello\r\n"
    end = EndOfData().to_bytes()
    found = lint_outgoing(ClientSession(), end, in_data=True, message_so_far=so_far)
    assert keys(found) == [("missing-from", 1, 0), ("missing-date", 1, 0)]
    assert lint_outgoing(ClientSession(), end, in_data=True) == []  # the start is unknown
    whole = MessageData.from_text("From: boss@x.y\r\nDate: today\r\n\r\nhi\r\n").to_bytes()
    [finding] = lint_outgoing(ClientSession(), whole, in_data=True, message_so_far=b"",
                              envelope=Envelope("learner@sandbox.test", "learner@sandbox.test"))
    assert (finding.key, finding.offset) == ("from-not-auth-user", len(whole) - 3)


def test_body_text_typed_right_after_the_header():
    found = lint_outgoing(ClientSession(), b"Hello there\r\n", in_data=True,
                          message_so_far=b"From: a@b.c\r\nDate: x\r\n")
    assert keys(found) == [("no-blank-line", 1, 0)]
