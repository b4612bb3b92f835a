from __future__ import annotations

import pytest

from explorer.core import commands as c
from explorer.core.auth import b64encode_text
from explorer.core.commands import AuthLine, MessageData, RawBytes, parse_command
from explorer.core.replies import NEED_DATA, ProtocolError
from explorer.core.session import (
    Answer, ClientSession, DataLine, EndOfData, StrictModeError, Warning_,
)
from explorer.core.states import EFFECTS, IN_ORDER, NEXT_STEP, OUT_OF_ORDER, State

EHLO_REPLY = b"250-sandbox.test\r\n250-SIZE 1048576\r\n250-8BITMIME\r\n250-AUTH LOGIN PLAIN\r\n250 ENHANCEDSTATUSCODES\r\n"


def greeted(**kwargs) -> ClientSession:
    session = ClientSession(**kwargs)
    session.connection_made()
    session.receive_data(b"220 sandbox.test ESMTP\r\n")
    assert session.next_event().after is State.GREETED
    return session


def step(session: ClientSession, outgoing, reply: bytes, wire: bytes | None = None) -> Answer:
    sent = session.send(outgoing)
    if wire is not None:
        assert sent == wire
    session.receive_data(reply)
    answer = session.next_event()
    assert isinstance(answer, Answer)
    assert session.next_event() is NEED_DATA
    return answer


def test_classic_assignment_flow_helo_auth_login_mail_rcpt_data_quit() -> None:
    s = greeted()
    assert s.expected_step() == "EHLO {domain}"
    a = step(s, c.ehlo("client.example"), EHLO_REPLY, b"EHLO client.example\r\n")
    assert (a.to, a.before, a.after) == ("EHLO", State.GREETED, State.READY)
    assert s.context.capabilities.auth_mechanisms == ("LOGIN", "PLAIN")
    assert s.expected_step() == "AUTH LOGIN"
    assert s.check(c.auth("LOGIN")) == ()
    a = step(s, c.auth("LOGIN"), b"334 VXNlcm5hbWU6\r\n", b"AUTH LOGIN\r\n")
    assert a.after is State.AUTH_EXCHANGE and s.expected_step() == "{auth_response}"
    user = AuthLine(b64encode_text("learner@sandbox.test"))
    a = step(s, user, b"334 UGFzc3dvcmQ6\r\n", b"bGVhcm5lckBzYW5kYm94LnRlc3Q=\r\n")
    assert (a.to, a.after) == ("AUTH-LINE", State.AUTH_EXCHANGE)
    a = step(s, AuthLine(b64encode_text("password123"), secret=True), b"235 2.7.0 Authentication successful\r\n")
    assert a.after is State.AUTHENTICATED and s.context.authenticated
    assert s.expected_step() == "MAIL FROM:<{sender}>"
    assert s.check(c.mail("learner@sandbox.test")) == ()
    a = step(s, c.mail("learner@sandbox.test"), b"250 2.1.0 OK\r\n")
    assert a.after is State.MAIL and s.expected_step() == "RCPT TO:<{recipient}>"
    a = step(s, c.rcpt("friend@sandbox.test"), b"250 2.1.5 OK\r\n")
    assert a.after is State.RCPT and s.context.recipients == 1
    a = step(s, c.rcpt("other@sandbox.test"), b"250 2.1.5 OK\r\n")
    assert s.context.recipients == 2 and s.expected_step() == "DATA"
    a = step(s, c.data(), b"354 End data with <CR><LF>.<CR><LF>\r\n", b"DATA\r\n")
    assert a.after is State.DATA and s.expected_step() == "{message}"
    assert s.send(DataLine("Subject: hi")) == b"Subject: hi\r\n"
    assert s.send(DataLine("")) == b"\r\n"
    assert s.send(DataLine(".hidden")) == b"..hidden\r\n"
    assert s.state is State.DATA and not s.awaiting_reply
    assert s.send(EndOfData()) == b".\r\n"
    assert s.state is State.DATA_END and s.awaiting_reply
    s.receive_data(b"250 2.0.0 Ok: queued\r\n")
    a = s.next_event()
    assert (a.to, a.after) == ("BODY", State.AUTHENTICATED)
    assert s.context.messages == 1 and s.context.recipients == 0
    assert s.expected_step() == "QUIT"
    a = step(s, c.quit_(), b"221 2.0.0 Bye\r\n", b"QUIT\r\n")
    assert a.after is State.CLOSED
    closed = s.connection_lost()
    assert not closed.mid_transaction


def test_helo_flow_without_extensions() -> None:
    s = greeted()
    step(s, c.helo("me"), b"250 sandbox.test\r\n")
    assert s.state is State.READY and not s.context.esmtp
    assert s.expected_step() == "MAIL FROM:<{sender}>"
    assert s.check(c.auth("LOGIN")) == (Warning_("extension-after-helo", 502),)
    assert s.check(c.starttls()) == (Warning_("extension-after-helo", 502),)
    assert "AUTH" not in s.sensible_verbs() and "MAIL" in s.sensible_verbs()


def test_whole_message_at_once() -> None:
    s = greeted()
    step(s, c.helo("me"), b"250 ok\r\n")
    step(s, c.mail("a@b.c"), b"250 ok\r\n")
    step(s, c.rcpt("d@e.f"), b"250 ok\r\n")
    step(s, c.data(), b"354 go\r\n")
    a = step(s, MessageData.from_text("Subject: x\n\n.dot\n"), b"250 queued\r\n", b"Subject: x\r\n\r\n..dot\r\n.\r\n")
    assert a.to == "BODY" and a.after is State.READY


def test_terminator_split_across_sends_is_found() -> None:
    s = greeted()
    step(s, c.helo("me"), b"250 ok\r\n")
    step(s, c.mail("a@b.c"), b"250 ok\r\n")
    step(s, c.rcpt("d@e.f"), b"250 ok\r\n")
    step(s, c.data(), b"354 go\r\n")
    for piece in (b"body\r", b"\n", b".", b"\r", b"\n"):
        assert s.state is State.DATA
        s.send(RawBytes(piece))
    assert s.state is State.DATA_END


def test_bare_lf_terminator_does_not_end_data() -> None:
    s = greeted()
    step(s, c.helo("me"), b"250 ok\r\n")
    step(s, c.mail("a@b.c"), b"250 ok\r\n")
    step(s, c.rcpt("d@e.f"), b"250 ok\r\n")
    step(s, c.data(), b"354 go\r\n")
    s.send(RawBytes(b"body\n.\n"))
    assert s.state is State.DATA  # a real server is still waiting for CRLF.CRLF


def test_starttls_resets_to_greeted_and_forgets_extensions() -> None:
    s = greeted()
    step(s, c.ehlo("me"), b"250-mx\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n")
    assert s.expected_step() == "STARTTLS"
    a = step(s, c.starttls(), b"220 2.0.0 Ready to start TLS\r\n")
    assert a.starttls and a.after is State.GREETED
    assert s.context.tls and not s.context.capabilities.extensions
    assert s.expected_step() == "EHLO {domain}"
    assert s.check(c.mail("a@b.c"))[0].key == "helo-first"
    step(s, c.ehlo("me"), b"250-mx\r\n250 AUTH PLAIN LOGIN\r\n")
    assert s.expected_step() == "AUTH LOGIN"
    assert s.check(c.starttls()) == (Warning_("tls-already", 503),)


def test_mail_refused_leaves_no_transaction() -> None:
    s = greeted()
    step(s, c.ehlo("me"), b"250 mx\r\n")
    a = step(s, c.mail("a@b.c"), b"530 5.7.0 Authentication required\r\n")
    assert a.after is State.READY
    a = step(s, c.mail("a@b.c"), b"550 5.7.1 no\r\n")
    assert a.after is State.READY


def test_failed_auth_returns_to_ready_and_cancel() -> None:
    s = greeted()
    step(s, c.ehlo("me"), b"250-mx\r\n250 AUTH LOGIN\r\n")
    step(s, c.auth("LOGIN"), b"334 VXNlcm5hbWU6\r\n")
    step(s, AuthLine("dQ=="), b"334 UGFzc3dvcmQ6\r\n")
    a = step(s, AuthLine("cA=="), b"535 5.7.8 Authentication credentials invalid\r\n")
    assert a.after is State.READY and not s.context.authenticated
    step(s, c.auth("LOGIN"), b"334 VXNlcm5hbWU6\r\n")
    a = step(s, AuthLine("*"), b"501 5.7.0 Auth aborted\r\n")
    assert a.after is State.READY


def test_rset_ends_transaction_and_keeps_authentication() -> None:
    s = greeted()
    step(s, c.ehlo("me"), b"250-mx\r\n250 AUTH PLAIN\r\n")
    step(s, c.auth("PLAIN", "AHUAcA=="), b"235 ok\r\n")
    step(s, c.mail("a@b.c"), b"250 ok\r\n")
    step(s, c.rcpt("x@y.z"), b"550 5.1.1 unknown\r\n")
    assert s.state is State.MAIL and s.context.recipients == 0
    assert s.check(c.data()) == (Warning_("no-valid-recipients", 554),)
    a = step(s, c.rset(), b"250 2.0.0 OK\r\n")
    assert a.after is State.AUTHENTICATED


def test_rset_before_helo_stays_greeted() -> None:
    s = greeted()
    assert step(s, c.rset(), b"250 ok\r\n").after is State.GREETED


def test_421_closes_from_any_exchange() -> None:
    s = greeted()
    step(s, c.ehlo("me"), b"250 mx\r\n")
    a = step(s, c.mail("a@b.c"), b"421 4.3.2 Service shutting down\r\n")
    assert a.after is State.CLOSED
    assert s.check(c.noop()) == (Warning_("closed", None),)


@pytest.mark.parametrize("greeting,state", [(b"554 no SMTP service here\r\n", State.REJECTED),
                                            (b"421 too busy\r\n", State.CLOSED)])
def test_refused_greeting(greeting: bytes, state: State) -> None:
    s = ClientSession()
    s.connection_made()
    s.receive_data(greeting)
    assert s.next_event().after is state
    if state is State.REJECTED:
        assert s.expected_step() == "QUIT"
        assert s.check(c.ehlo("me")) == (Warning_("rejected-session", 503),)
        assert s.check(c.quit_()) == ()


# Out-of-order cases: (setup exchanges, command, expected warning)
def _ready(s: ClientSession, ehlo: bytes = b"250-mx\r\n250-STARTTLS\r\n250 AUTH LOGIN PLAIN\r\n") -> None:
    step(s, c.ehlo("me"), ehlo)


def _authed(s: ClientSession) -> None:
    _ready(s)
    step(s, c.auth("PLAIN", "AHUAcA=="), b"235 ok\r\n")


def _in_mail(s: ClientSession) -> None:
    _authed(s)
    step(s, c.mail("a@b.c"), b"250 ok\r\n")


OUT_OF_ORDER_CASES = [
    ("before greeting", None, "EHLO me", ("before-greeting", 554)),
    ("mail before helo", "greeted", "MAIL FROM:<a@b.c>", ("helo-first", 503)),
    ("rcpt before helo", "greeted", "RCPT TO:<a@b.c>", ("helo-first", 503)),
    ("data before helo", "greeted", "DATA", ("helo-first", 503)),
    ("auth before ehlo", "greeted", "AUTH LOGIN", ("ehlo-first", 503)),
    ("starttls before ehlo", "greeted", "STARTTLS", ("ehlo-first", 503)),
    ("rcpt before mail", _ready, "RCPT TO:<a@b.c>", ("mail-first", 503)),
    ("data before mail", _ready, "DATA", ("rcpt-first", 503)),
    ("auth twice", _authed, "AUTH LOGIN", ("already-authenticated", 503)),
    ("starttls after auth", _authed, "STARTTLS", ("starttls-after-auth", 503)),
    ("nested mail", _in_mail, "MAIL FROM:<a@b.c>", ("nested-mail", 503)),
    ("auth in transaction", _in_mail, "AUTH LOGIN", ("auth-in-transaction", 503)),
    ("starttls in transaction", _in_mail, "STARTTLS", ("starttls-in-transaction", 503)),
    ("data without recipients", _in_mail, "DATA", ("no-valid-recipients", 554)),
    ("unknown verb", _ready, "SEND FROM:<a@b.c>", ("unknown-verb", 500)),
    ("mechanism not offered", _ready, "AUTH CRAM-MD5", ("mechanism-not-advertised", 504)),
    ("auth not offered", lambda s: _ready(s, b"250 mx\r\n"), "AUTH LOGIN", ("auth-not-advertised", 502)),
    ("starttls not offered", lambda s: _ready(s, b"250 mx\r\n"), "STARTTLS", ("starttls-not-advertised", 502)),
]


@pytest.mark.parametrize("name,setup,typed,expected", OUT_OF_ORDER_CASES, ids=[x[0] for x in OUT_OF_ORDER_CASES])
def test_out_of_order_is_predicted_sent_anyway_and_refused_in_strict_mode(name, setup, typed, expected) -> None:
    for strict in (False, True):
        s = ClientSession(strict=strict)
        s.connection_made()
        if setup is not None:
            s.receive_data(b"220 mx\r\n")
            s.next_event()
            if callable(setup):
                setup(s)
        command = parse_command(typed)
        warning = s.check(command)[0]
        assert (warning.key, warning.code, warning.severity) == (*expected, "error")
        if strict:
            with pytest.raises(StrictModeError) as info:
                s.send(command)
            assert info.value.warnings[0].key == expected[0]
        else:
            assert s.send(command) == command.to_bytes()


def test_policy_notes_do_not_block_strict_mode() -> None:
    s = greeted(strict=True)
    _ready(s, b"250-mx\r\n250 STARTTLS\r\n")
    assert s.check(c.mail("a@b.c")) == (Warning_("tls-probably-required", 530, "note"),)
    assert s.send(c.mail("a@b.c")) == b"MAIL FROM:<a@b.c>\r\n"
    s2 = greeted(strict=True)
    _ready(s2)
    assert s2.check(c.mail("a@b.c")) == (Warning_("auth-probably-required", 530, "note"),)


@pytest.mark.parametrize("typed,key,code", [
    ("MAIL FROM:a@b.c", "missing-angle-brackets", 501),
    ("MAIL a@b.c", "mail-syntax", 501),
    ("RCPT TO:<>", "empty-recipient", 501),
    ("RCPT x", "rcpt-syntax", 501),
    ("MAIL FROM:<a@b.c> SIZE=", "bad-parameter", 555),
    ("MAIL FROM:<用户@b.c>", "non-ascii-without-smtputf8", 553),
    ("EHLO", "helo-needs-domain", 501),
    ("DATA now", "no-arguments", 501),
    ("NOOP " + "x" * 520, "line-too-long", 500),
])
def test_malformed_commands(typed: str, key: str, code: int) -> None:
    s = greeted()
    _ready(s, b"250 mx\r\n")
    keys = [(w.key, w.code) for w in s.check(parse_command(typed))]
    assert (key, code) in keys


def test_space_after_colon_is_only_a_note() -> None:
    s = greeted()
    _ready(s, b"250 mx\r\n")
    assert s.check(parse_command("MAIL FROM: <a@b.c>")) == (Warning_("space-after-colon", None, "note"),)


def test_content_and_auth_lines_out_of_place() -> None:
    s = greeted()
    assert s.check(AuthLine("dQ==")) == (Warning_("auth-line-outside-exchange", 500),)
    assert s.check(DataLine("hello")) == (Warning_("content-outside-data", 500),)
    step(s, c.ehlo("me"), b"250-mx\r\n250 AUTH LOGIN\r\n")
    step(s, c.auth("LOGIN"), b"334 VXNlcm5hbWU6\r\n")
    assert s.check(c.mail("a@b.c")) == (Warning_("inside-auth-exchange", 501),)


def test_pipelined_commands_match_replies_in_order() -> None:
    s = greeted()
    step(s, c.ehlo("me"), b"250-mx\r\n250 PIPELINING\r\n")
    for command in (c.mail("a@b.c"), c.rcpt("x@y.z"), c.rcpt("bad@y.z"), c.data()):
        s.send(command)
    s.receive_data(b"250 ok\r\n250 ok\r\n550 no\r\n354 go\r\n")
    answers = [s.next_event() for _ in range(4)]
    assert [(a.to, a.after) for a in answers] == [
        ("MAIL", State.MAIL), ("RCPT", State.RCPT), ("RCPT", State.RCPT), ("DATA", State.DATA)]
    assert s.context.recipients == 1


def test_raw_bytes_expect_one_reply_per_line_and_none_without_line_end() -> None:
    s = greeted()
    s.send(RawBytes(b"HELO me"))
    assert not s.awaiting_reply  # no line end: the server is still waiting for one
    s.send(RawBytes(b"\n"))
    assert s.awaiting_reply
    s.receive_data(b"250 ok\r\n")
    answer = s.next_event()
    assert answer.to == "HELO" and answer.after is State.READY  # the server read one HELO line
    s.send(RawBytes(b"MAIL FROM:<a@b.c>\r\nFROB\r\n"))
    s.receive_data(b"250 ok\r\n500 unknown\r\n")
    assert [(a.to, a.after) for a in (s.next_event(), s.next_event())] == [("MAIL", State.MAIL), ("UNKNOWN", State.MAIL)]


def test_unexpected_reply_and_protocol_error_pass_through() -> None:
    s = greeted()
    s.receive_data(b"421 idle too long\r\n")
    a = s.next_event()
    assert a.unexpected and a.after is State.CLOSED
    s = greeted()
    s.receive_data(b"garbage\r\n")
    assert isinstance(s.next_event(), ProtocolError)


def test_connection_lost_mid_transaction() -> None:
    s = greeted()
    _in_mail(s)
    event = s.connection_lost()
    assert event.mid_transaction and event.before is State.MAIL and s.state is State.CLOSED


def test_tables_are_complete() -> None:
    assert set(NEXT_STEP) == set(State)
    for verb, states in IN_ORDER.items():
        assert verb in EFFECTS
    for (verb, state), (code, key) in OUT_OF_ORDER.items():
        assert verb is None or verb in IN_ORDER
        assert code is None or 200 <= code <= 599
    for exchange, effects in EFFECTS.items():
        assert "*" in effects
