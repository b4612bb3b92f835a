"""Raw-socket clients that each make one mistake (or a known few) against a real server.

Every client takes a running sandbox and returns ``(sent, expected)``: every byte it sent, and
the findings the linter must report, as ``(key, offset)`` or ``(key, offset, count)`` where the
offset is computed from the bytes the client itself sent. ``CASES`` maps a name to a client; a
client with a ``scenarios`` attribute needs the sandbox started with those scenarios.
"""

from __future__ import annotations

from typing import Callable

from clients import DATE, FRIEND, GOOD, LEARNER, Wire, message

Expected = list[tuple]
CASES: dict[str, Callable[..., tuple[bytes, Expected]]] = {}
HEAD = GOOD.split(b"\r\n\r\n")[0] + b"\r\n"  # From, To, Date, Subject, CRLF-ended


def case(*scenarios: str):
    def register(client):
        client.scenarios = scenarios
        CASES[client.__name__.replace("_", "-")] = client
        return client
    return register


# -- line ends of commands ------------------------------------------------------------------

@case()
def bare_lf(box):
    w = Wire.to(box)
    w.reply()
    at = w.send(b"EHLO client.example\n")
    assert w.reply().startswith(b"250")  # accepted: the sandbox is lenient
    w.quit()
    return w.sent, [("bare-lf", at + len(b"EHLO client.example"))]


@case()
def bare_cr(box):
    w = Wire.to(box).ehlo()
    inside = w.send(b"HELO x\rMAIL\r\n")
    assert w.reply().startswith(b"250")  # one line for the server: HELO with "x\rMAIL"
    last = w.send(b"QUIT\r")
    assert w.no_reply()  # the server waits for the LF
    w.close()
    return w.sent, [("bare-cr", inside + 6), ("bare-cr", last + 4)]


@case()
def tab_lf(box):
    w = Wire.to(box).ehlo()
    at = w.send(b"QUIT\t\n")
    assert w.reply().startswith(b"500")  # "QUIT\t" is not QUIT
    w.quit()
    return w.sent, [("tab-lf", at + 4)]


@case()
def no_line_end(box):
    w = Wire.to(box).ehlo()
    assert w.mail(GOOD + b".\r\n").startswith(b"250")
    w.send(b"QUIT")
    assert w.no_reply()
    w.close()
    return w.sent, [("no-line-end", len(w.sent))]


# -- the message ----------------------------------------------------------------------------

def _sent_message(box, content: bytes, reply: bytes = b"250", **mail) -> tuple[Wire, int]:
    w = Wire.to(box).ehlo()
    answer = w.mail(content, **mail)
    assert answer.startswith(reply), answer
    start = len(w.sent) - len(content)
    w.quit()
    return w, start


@case()
def no_blank_line(box):
    content = HEAD + b"Hello there, no empty line above me.\r\n.\r\n"
    w, start = _sent_message(box, content)
    return w.sent, [("no-blank-line", start + len(HEAD))]


@case()
def header_no_colon(box):
    content = b"From: learner@sandbox.test\r\nX-Note this line has no colon\r\nDate: " + DATE + \
        b"\r\n\r\nHi\r\n.\r\n"
    w, start = _sent_message(box, content)
    return w.sent, [("header-no-colon", start + content.index(b"X-Note"))]


@case()
def bad_folding(box):
    content = b" folded with nothing to continue\r\n" + HEAD[:-2] + b"\r\n \t\r\n\r\nHi\r\n.\r\n"
    w, start = _sent_message(box, content)
    return w.sent, [("bad-folding", start), ("bad-folding", start + content.index(b" \t\r\n"))]


@case()
def line_too_long(box):
    content = message(b"short", b"x" * 1200) + b".\r\n"
    w, start = _sent_message(box, content, reply=b"500")  # aiosmtpd: Line too long
    return w.sent, [("message-line-too-long", start + content.index(b"xxx"))]


@case()
def dot_not_stuffed(box):
    content = message(b"one", b".hidden line", b"..stuffed line") + b".\r\n"
    w, start = _sent_message(box, content)
    [stored] = box.messages()
    assert b"\r\nhidden line\r\n.stuffed line\r\n" in stored.data  # a period lost
    return w.sent, [("dot-not-stuffed", start + content.index(b".hidden"))]


@case()
def message_bare_lf(box):
    content = HEAD.replace(b"\r\n", b"\n") + b"\nHello\r\n.\r\n"
    w, start = _sent_message(box, content)
    return w.sent, [("message-bare-lf", start + content.index(b"\n"), 5)]


@case()
def message_bare_cr(box):
    content = message(b"a\rb") + b".\r\n"
    w, start = _sent_message(box, content)
    return w.sent, [("message-bare-cr", start + content.index(b"\rb"))]


@case()
def bad_terminator(box):
    w = Wire.to(box).ehlo()
    content = GOOD[:-2] + b"\n.\n"
    w.cmd(b"MAIL FROM:<learner@sandbox.test>\r\n")
    w.cmd(b"RCPT TO:<friend@sandbox.test>\r\n")
    w.cmd(b"DATA\r\n")
    start = w.send(content)
    w.send(b"QUIT\r\n")  # read as message text: the message has not ended
    assert w.no_reply()
    w.close()
    dot = start + len(GOOD) - 1
    return w.sent, [("message-bare-lf", dot - 1, 2), ("bad-terminator", dot)]


@case()
def smuggling(box):
    content = GOOD + b"\n.\r\nMAIL FROM:<boss@sandbox.test>\r\n.\r\n"
    w, start = _sent_message(box, content)
    lf = start + len(GOOD)
    return w.sent, [("message-bare-lf", lf), ("smuggling-terminator", lf + 1)]


@case()
def non_ascii_header(box):
    content = HEAD.replace(b"Subject: hello", "Subject: 你好".encode()) + b"\r\nHi\r\n.\r\n"
    w, start = _sent_message(box, content)
    return w.sent, [("non-ascii-header", start + content.index("你".encode()))]


@case()
def non_ascii_body(box):
    content = message("你好 😀".encode()) + b".\r\n"
    w, start = _sent_message(box, content)
    return w.sent, [("non-ascii-body", start + content.index("你".encode()))]


@case()
def missing_from_and_date(box):
    content = b"Subject: no From, no Date\r\n\r\nHi\r\n.\r\n"
    w, start = _sent_message(box, content)
    return w.sent, [("missing-from", start), ("missing-date", start)]


@case()
def from_not_mail_from(box):
    content = GOOD.replace(b"Learner <learner@", b"Boss <boss@") + b".\r\n"
    w, start = _sent_message(box, content)
    return w.sent, [("from-not-mail-from", start)]


@case()
def from_not_auth_user(box):
    w = Wire.to(box).ehlo().login()
    content = GOOD.replace(b"Learner <learner@", b"Friend <friend@") + b".\r\n"
    assert w.mail(content).startswith(b"250")
    start = len(w.sent) - len(content)
    w.quit()
    return w.sent, [("from-not-auth-user", start)]


@case()
def mail_from_not_auth_user(box):
    w = Wire.to(box).ehlo().login()
    at = len(w.sent)
    assert w.mail(GOOD + b".\r\n", sender=FRIEND.encode()).startswith(b"250")
    w.quit()
    return w.sent, [("mail-from-not-auth-user", at)]


# -- commands -------------------------------------------------------------------------------

@case()
def out_of_order(box):
    w = Wire.to(box).ehlo()
    at = w.send(b"RCPT TO:<friend@sandbox.test>\r\n")
    assert w.reply().startswith(b"503")
    w.quit()
    return w.sent, [("out-of-order", at)]


@case()
def auth_before_ehlo(box):
    w = Wire.to(box)
    w.reply()
    at = w.send(b"AUTH LOGIN\r\n")
    assert w.reply().startswith(b"503")
    w.cmd(b"EHLO client.example\r\n")
    w.quit()
    return w.sent, [("auth-before-ehlo", at)]


@case()
def auth_bad_base64(box):
    w = Wire.to(box).ehlo()
    assert w.cmd(b"AUTH LOGIN\r\n").startswith(b"334")
    at = w.send(LEARNER.encode() + b"\r\n")  # in clear, not Base64
    assert w.reply().startswith(b"501")
    w.quit()
    return w.sent, [("auth-bad-base64", at)]


@case()
def missing_angle_brackets(box):
    w = Wire.to(box).ehlo()
    at = w.send(b"MAIL FROM:learner@sandbox.test\r\n")
    assert w.reply().startswith(b"250")  # the sandbox accepts it; Gmail would not
    w.quit()
    return w.sent, [("missing-angle-brackets", at)]


@case()
def address_non_ascii(box):
    w = Wire.to(box).ehlo()
    at = w.send("MAIL FROM:<jörg@sandbox.test>\r\n".encode())
    assert w.reply().startswith(b"250")
    w.quit()
    return w.sent, [("address-non-ascii", at)]


@case()
def unknown_and_empty_commands(box):
    w = Wire.to(box).ehlo()
    unknown = w.send(b"HELLO there\r\n")
    assert w.reply().startswith(b"500")
    empty = w.send(b"\r\n")
    assert w.reply().startswith(b"500")
    w.quit()
    return w.sent, [("unknown-command", unknown), ("empty-command", empty)]


@case()
def content_as_commands(box):
    w = Wire.to(box).ehlo()
    w.cmd(b"MAIL FROM:<learner@sandbox.test>\r\n")
    data = w.send(b"DATA\r\n")  # no RCPT accepted: refused
    assert w.reply().startswith(b"503")
    content = GOOD + b".\r\n"
    start = w.send(content)
    replies = [w.reply() for _ in range(5)]  # From, To, Date, Subject, the blank line
    assert [r[:3] for r in replies] == [b"500"] * 5
    # aiosmtpd hangs up after five unknown commands, as many servers do after a few
    assert w.reply().startswith(b"502") and w.no_reply()
    w.close()
    return w.sent, [("out-of-order", data), ("content-as-commands", start, content.count(b"\n"))]


@case()
def not_offered(box):
    w = Wire.to(box).ehlo()
    at = w.send(b"AUTH CRAM-SHA1\r\n")
    assert w.reply().startswith(b"504")
    w.quit()
    return w.sent, [("not-offered", at)]


@case()
def space_after_colon(box):
    w = Wire.to(box).ehlo()
    at = w.send(b"MAIL FROM: <learner@sandbox.test>\r\n")
    assert w.reply().startswith(b"250")
    w.quit()
    return w.sent, [("command-syntax", at)]


# -- timing ---------------------------------------------------------------------------------

@case("slow=0.3")
def no_wait(box):
    """One recv per step with a short timeout: the reply is late, the client goes on anyway."""
    w = Wire.to(box)
    w.reply()
    w.send(b"HELO client.example\r\n")
    w.sock.settimeout(0.05)
    try:
        w.sock.recv(1024)
    except TimeoutError:
        pass
    w.sock.settimeout(5)
    at = w.send(b"MAIL FROM:<learner@sandbox.test>\r\n")  # the 250 to HELO has not come yet
    w.reply(), w.reply()
    w.quit()
    return w.sent, [("no-wait", at)]


@case("slow=0.3")
def early_talker(box):
    w = Wire.to(box)
    w.send(b"EHLO client.example\r\n")  # before the (delayed) greeting
    w.reply(), w.reply()
    w.quit()
    return w.sent, [("early-talker", 0)]


# -- the end of the session -----------------------------------------------------------------

@case()
def no_quit(box):
    w = Wire.to(box).ehlo()
    assert w.mail(GOOD + b".\r\n").startswith(b"250")
    w.close()
    return w.sent, [("no-quit", len(w.sent))]


@case()
def dropped_mid_transaction(box):
    w = Wire.to(box).ehlo()
    w.cmd(b"MAIL FROM:<learner@sandbox.test>\r\n")
    w.cmd(b"RCPT TO:<friend@sandbox.test>\r\n")
    w.close()
    return w.sent, [("no-quit", len(w.sent)), ("dropped-mid-transaction", len(w.sent))]
