"""The protocol core's warning when a send pipelines where RFC 2920 does not allow it: before the
greeting, without PIPELINING advertised, or with a command that must end a group not last."""

from __future__ import annotations

import pytest

from explorer.core import commands as c
from explorer.core.commands import RawBytes
from explorer.core.pipelining import problem
from explorer.core.session import ClientSession, StrictModeError, Warning_
from explorer.core.states import State
from explorer.knowledge.families import prediction

PIPELINING = Warning_("pipelining", None, "note")
EARLY = Warning_("before-greeting", 554)
# Postfix 3.7.11's replies, as measured on loopback
BANNER = b"220 mail.example.test ESMTP Postfix (Debian/GNU)\r\n"
EHLO_REPLY = b"250-mail.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 CHUNKING\r\n"


def connected() -> ClientSession:
    session = ClientSession()
    session.connection_made()
    return session


def greeted() -> ClientSession:
    session = connected()
    session.receive_data(BANNER)
    assert session.next_event().after is State.GREETED
    return session


def after_ehlo(reply: bytes = EHLO_REPLY) -> ClientSession:
    session = greeted()
    assert session.send(c.ehlo("pc")) == b"EHLO pc\r\n"
    session.receive_data(reply)
    assert session.next_event().after is State.READY
    return session


def test_raw_before_the_greeting_is_an_early_talker() -> None:
    s = connected()
    raw = RawBytes(b"EHLO pc\r\n")
    assert s.check(raw) == (EARLY,)
    assert s.check(c.ehlo("pc")) == (EARLY,)  # said once, not twice
    assert s.send(raw) == b"EHLO pc\r\n"  # sent anyway: the learner may mean it
    strict = ClientSession(strict=True)
    strict.connection_made()
    with pytest.raises(StrictModeError, match="before-greeting"):
        strict.send(raw)


@pytest.mark.parametrize("wire", [
    b"EHLO pc\r\nMAIL FROM:<x@a.test>\r\nRCPT TO:<y@b.test>\r\n",  # EHLO must end a group
    b"MAIL FROM:<x@a.test>\r\nRCPT TO:<y@b.test>\r\nDATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n",
    b"STARTTLS\r\nEHLO pc\r\n",
    b"NOOP\r\nQUIT\r\n",
])
def test_a_command_that_must_end_a_group_not_last(wire: bytes) -> None:
    s = after_ehlo() if not wire.startswith(b"EHLO") else greeted()
    assert s.check(RawBytes(wire)) == (PIPELINING,)
    assert s.send(RawBytes(wire)) == wire


def test_a_group_rfc_2920_allows_gets_no_warning() -> None:
    s = after_ehlo()
    group = RawBytes(b"MAIL FROM:<x@a.test>\r\nRCPT TO:<y@b.test>\r\nRCPT TO:<z@b.test>\r\nDATA\r\n")
    assert s.check(group) == ()
    assert s.check(RawBytes(b"RSET\r\nMAIL FROM:<x@a.test>\r\n")) == ()
    assert s.check(RawBytes(b"EHLO pc\r\n")) == ()  # one line alone is not pipelining


def test_without_pipelining_advertised_even_mail_and_rcpt_must_wait() -> None:
    s = greeted()
    assert s.send(c.helo("pc")) == b"HELO pc\r\n"
    s.receive_data(b"250 mail.example.test\r\n")
    s.next_event()
    assert s.check(RawBytes(b"MAIL FROM:<x@a.test>\r\nRCPT TO:<y@b.test>\r\n")) == (PIPELINING,)
    no_ext = after_ehlo(b"250-mail.example.test\r\n250 SIZE 10240000\r\n")
    assert no_ext.check(RawBytes(b"MAIL FROM:<x@a.test>\r\nRCPT TO:<y@b.test>\r\n")) == (PIPELINING,)


def test_a_command_while_a_reply_is_pending() -> None:
    s = after_ehlo()
    assert s.send(c.mail("x@a.test")) == b"MAIL FROM:<x@a.test>\r\n"
    assert PIPELINING not in s.check(c.rcpt("y@b.test"))  # after MAIL, with PIPELINING: allowed
    assert s.send(c.rcpt("y@b.test")) == b"RCPT TO:<y@b.test>\r\n"
    assert s.send(c.data()) == b"DATA\r\n"
    assert s.check(c.quit_())[0] == PIPELINING  # DATA's 354 (or 554) has not come
    assert s.check(RawBytes(b"QUIT")) == ()  # no line end yet: nothing the server reads now
    s.send(RawBytes(b"QU"))
    assert s.check(RawBytes(b"IT\r\n")) == (PIPELINING,)  # the line that ends now is a command


def test_nothing_to_say_without_a_connection_or_inside_data() -> None:
    group = RawBytes(b"EHLO pc\r\nQUIT\r\n")
    assert ClientSession().check(group) == (Warning_("not-connected", None),)
    s = after_ehlo()
    for wire, reply in ((b"MAIL FROM:<x@a.test>\r\n", b"250 2.1.0 Ok\r\n"),
                        (b"RCPT TO:<y@b.test>\r\n", b"250 2.1.5 Ok\r\n"),
                        (b"DATA\r\n", b"354 End data with <CR><LF>.<CR><LF>\r\n")):
        s.send(RawBytes(wire))
        s.receive_data(reply)
        s.next_event()
    assert s.state is State.DATA and s.check(RawBytes(b"QUIT\r\nQUIT\r\n")) == ()  # content
    s.send(RawBytes(b"hi\r\n.\r\n"))
    s.receive_data(b"250 2.0.0 Ok: queued as 2B6132263F3\r\n")
    s.next_event()
    s.connection_lost()
    assert s.check(group) == (Warning_("closed", None),)


def test_the_rule() -> None:
    assert problem(["GREETING"], ["EHLO"], True) == "before-greeting"
    assert problem([], ["EHLO", "MAIL"], True) == "pipelining"
    assert problem(["MAIL"], ["RCPT", "DATA"], True) is None
    assert problem(["MAIL"], ["RCPT"], False) == "pipelining"
    assert problem(["EHLO", "MAIL"], [], True) is None  # what is pending was said when it went


@pytest.mark.parametrize("key", ["pipelining", "before-greeting"])
def test_who_does_what(key: str) -> None:
    found = prediction(key, "exim")
    assert found.code == 554 and "Exim answers 554" in found.text
    assert "smtpd_forbid_unauth_pipelining" in found.text
    assert prediction(key, "postfix").code is None  # Postfix answers each command in turn
    assert "Exim 回复 554" in prediction(key, None, "zh").text
