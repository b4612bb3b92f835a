"""RFC 5321 limits, the idle timeout and the session cap: the right reply, never a crash, never a
partial message stored."""

from __future__ import annotations

import smtplib
import time

from hypothesis import HealthCheck, example, given, settings, strategies as st

LEARNER, FRIEND = "learner@sandbox.test", "friend@sandbox.test"
COMMAND_TOO_LONG = (b"500 5.5.2 Command line too long (RFC 5321 4.5.3.1.4: 512 octets with "
                    b"CRLF)\r\n")
LINE_TOO_LONG = b"500 5.5.2 Line too long (RFC 5321 4.5.3.1.6: 1000 octets with CRLF)\r\n"
TOO_BIG = b"552 5.3.4 Message size exceeds fixed maximum message size\r\n"


def greeted(raw, box):
    conn = raw(box)
    conn.reply()
    conn.send(b"EHLO pc\r\n")
    conn.reply()
    return conn


def start_data(conn) -> None:
    conn.send(b"MAIL FROM:<learner@sandbox.test>\r\nRCPT TO:<friend@sandbox.test>\r\nDATA\r\n")
    for _ in range(3):
        conn.reply()


def test_command_line_limit_is_512_octets_with_crlf(sandbox, raw):
    conn = greeted(raw, sandbox)
    longest = b"NOOP " + b"x" * 505 + b"\r\n"
    assert len(longest) == 512
    conn.send(longest)
    assert conn.reply() == b"250 2.0.0 OK\r\n"
    conn.send(b"NOOP " + b"x" * 506 + b"\r\n")  # one octet over: refused, and the end
    assert conn.reply() == COMMAND_TOO_LONG
    assert conn.closed()


def test_mail_from_may_be_longer_for_its_parameters(sandbox, raw):
    conn = greeted(raw, sandbox)
    local = b"a" * 64
    conn.send(b"MAIL FROM:<" + local + b"@" + b"d" * 400 + b".test> SIZE=100 BODY=8BITMIME "
              b"SMTPUTF8\r\n")
    assert conn.reply().startswith(b"250 2.1.0 ")


def test_text_line_limit_is_1000_octets(sandbox, raw):
    conn = greeted(raw, sandbox)
    start_data(conn)
    conn.send(b"Subject: long\r\n\r\n" + b"x" * 998 + b"\r\n.\r\n")
    assert conn.reply().startswith(b"250 2.0.0 OK")
    start_data(conn)
    conn.send(b"Subject: too long\r\n\r\n" + b"x" * 1100 + b"\r\nrest\r\n.\r\n")
    assert conn.reply() == LINE_TOO_LONG
    conn.send(b"NOOP\r\n")  # the session goes on
    assert conn.reply() == b"250 2.0.0 OK\r\n"
    assert [len(m.data) for m in sandbox.messages()] == [len(b"Subject: long\r\n\r\n") + 1000]


def test_message_size_limit(make_sandbox, raw):
    box = make_sandbox(max_message_size=1000)
    conn = raw(box)
    conn.reply()
    conn.send(b"EHLO pc\r\n")
    assert b"250-SIZE 1000\r\n" in conn.reply()
    start_data(conn)
    conn.send(b"Subject: big\r\n\r\n" + (b"y" * 98 + b"\r\n") * 20 + b".\r\n")
    assert conn.reply() == TOO_BIG
    conn.send(b"MAIL FROM:<learner@sandbox.test> SIZE=1001\r\n")
    assert conn.reply() == TOO_BIG
    assert box.messages() == []
    assert [p for p in (box.data_dir / "mail").rglob("*") if p.is_file()] == []


def test_too_many_recipients(sandbox, raw):
    conn = greeted(raw, sandbox)
    conn.send(b"MAIL FROM:<learner@sandbox.test>\r\n"
              + b"".join(b"RCPT TO:<r%d@sandbox.test>\r\n" % i for i in range(101)))
    replies = [conn.reply() for _ in range(102)]
    assert all(r.startswith(b"250 ") for r in replies[:101])
    assert replies[101] == b"452 4.5.3 Too many recipients\r\n"


def test_idle_timeout_answers_421(make_sandbox, raw):
    box = make_sandbox(idle_timeout=0.3)
    conn = raw(box)
    conn.reply()
    assert conn.reply() == b"421 4.4.2 sandbox.test Error: timeout exceeded\r\n"
    assert conn.closed()
    assert box.wait_until_idle()
    [record] = box.sessions
    assert record.outcome == "idle-timeout"


def test_half_sent_message_is_not_stored_on_timeout(make_sandbox, raw):
    box = make_sandbox(idle_timeout=0.3)
    conn = greeted(raw, box)
    start_data(conn)
    conn.send(b"Subject: half\r\n\r\nand then the client hangs")
    assert conn.reply() == b"421 4.4.2 sandbox.test Error: timeout exceeded\r\n"
    assert box.messages() == []
    assert [p for p in (box.data_dir / "mail").rglob("*") if p.is_file()] == []
    assert box.wait_until_idle() and box.sessions[0].outcome == "idle-timeout"


def test_session_cap(make_sandbox, raw):
    box = make_sandbox(max_sessions=2)
    first, second = raw(box), raw(box)
    assert first.reply().startswith(b"220 ") and second.reply().startswith(b"220 ")
    third = raw(box)
    assert third.reply() == (b"421 4.7.0 sandbox.test Too many concurrent sessions, try again "
                             b"later\r\n")
    assert third.closed()
    first.send(b"QUIT\r\n")
    first.reply()
    assert first.closed()
    deadline = time.monotonic() + 5
    while sum(r.live for r in box.sessions) > 1 and time.monotonic() < deadline:
        time.sleep(0.01)  # the server sees the QUIT's close a moment after the client
    assert raw(box).reply().startswith(b"220 ")
    assert "too-many-sessions" in [r.outcome for r in box.sessions]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(garbage=st.lists(st.binary(min_size=0, max_size=700).filter(lambda b: b"\n" not in b),
                        min_size=1, max_size=4))
@example(garbage=[b"QUIT", b"\x04\x91\xba\x91y\x1c\\\xa9", b"QUIT", b"\x90\xe2"])  # found by hypothesis
def test_garbage_never_crashes_the_server(sandbox, raw, garbage):
    conn = raw(sandbox)
    conn.reply()
    for line in garbage:
        conn.send(line + b"\r\n")
        reply = conn.reply()
        assert reply[:1] in b"2345" and reply.endswith(b"\r\n")
        if reply.startswith(b"354"):  # a garbage line that happened to be DATA
            conn.send(b".\r\n")
            conn.reply()
        elif reply.startswith(b"221"):  # one that happened to be QUIT: the server said goodbye
            assert conn.closed()
            conn = raw(sandbox)
            conn.reply()
    conn.send(b"NOOP\r\n")
    assert conn.reply() == b"250 2.0.0 OK\r\n"
    conn.close()


def test_smtplib_sees_the_limits_too(make_sandbox):
    box = make_sandbox(max_message_size=500)
    with smtplib.SMTP(box.host, box.port, timeout=5) as smtp:
        try:
            smtp.sendmail(LEARNER, [FRIEND], b"x" * 600)
        except smtplib.SMTPSenderRefused as refused:  # smtplib sends SIZE=600 with MAIL
            assert (refused.smtp_code, refused.smtp_error) == (
                552, b"5.3.4 Message size exceeds fixed maximum message size")
        else:
            raise AssertionError("the message should have been refused")
