"""Sandbox profiles: each server the learner meets, its replies checked byte for byte against the
texts of docs/providers.md (written out here, not read from the profile files, so a wrong profile
fails), implicit TLS, and no profile ever echoing a command."""

from __future__ import annotations

import base64
import re
import socket
import ssl
import time

import pytest
from clients import FRIEND, LEARNER, PASSWORD, Wire, classic

from explorer.commands import main
from explorer.sandbox import Account
from explorer.sandbox.profile import PROFILE_NAMES, load_profile, parse_profile

CODE = "abcdefghijklmnop"  # the learner's default authorization code
B64_USER = base64.b64encode(LEARNER.encode())
B64_PASS = base64.b64encode(PASSWORD.encode())


def b64(text: str) -> bytes:
    return base64.b64encode(text.encode())


def trusting(box) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(box.certificate_path))


def starttls(wire: Wire, box) -> Wire:
    assert wire.cmd(b"STARTTLS\r\n").startswith(b"220")
    wire.sock = trusting(box).wrap_socket(wire.sock, server_hostname="127.0.0.1")
    return wire


def implicit(box) -> Wire:
    wire = Wire(box.host, box.tls_port)
    wire.sock = trusting(box).wrap_socket(wire.sock, server_hostname="127.0.0.1")
    return wire


def login_plain(wire: Wire, secret: str) -> bytes:
    return wire.cmd(b"AUTH PLAIN " + b64(f"\0{LEARNER}\0{secret}") + b"\r\n")


def test_every_profile_loads_with_a_summary_in_both_languages():
    for name in PROFILE_NAMES:
        profile = load_profile(name)
        assert profile.describe("en") and profile.describe("zh") != profile.describe("en")
        assert set(profile.replies) == set(profile.sources)  # every text keeps its source
    with pytest.raises(ValueError, match="known: teaching, 163, qq, gmail"):
        load_profile("hotmail")


def test_a_reply_without_a_source_is_refused():
    with pytest.raises(ValueError, match="reply quit needs a text and a source"):
        parse_profile("x", {"summary": {"en": "a", "zh": "b"},
                            "replies": {"quit": {"text": "221 Bye"}}})
    with pytest.raises(ValueError, match="bad field"):
        parse_profile("x", {"summary": {"en": "a", "zh": "b"},
                            "replies": {"quit": {"text": "221 {password}", "source": "s"}}})


def test_the_classic_client_delivers_through_the_default_sandbox(sandbox):
    log: list[bytes] = []
    classic.run(sandbox.host, sandbox.port, log)
    assert log[2:5] == [b"334 VXNlcm5hbWU6\r\n", b"334 UGFzc3dvcmQ6\r\n",
                        b"235 2.7.0 Authentication successful\r\n"]
    assert sandbox.wait_until_idle()
    [stored] = sandbox.messages()
    assert stored.recipient == FRIEND


def test_the_classic_client_delivers_through_163(make_sandbox):
    # At 163 only the authorization code logs in: the learner put theirs in the program.
    box = make_sandbox(profile="163", accounts=[Account(LEARNER, "web-login-pw", PASSWORD)])
    log: list[bytes] = []
    classic.run(box.host, box.port, log)
    assert log[:10] == [
        b"220 163.com Anti-spam GT for Coremail System (163com[20141201])\r\n",
        b"250 OK\r\n",
        b"334 dXNlcm5hbWU6\r\n",  # Coremail's prompts are lower case: "username:"
        b"334 UGFzc3dvcmQ6\r\n",
        b"235 Authentication successful\r\n",
        b"250 Mail OK\r\n", b"250 Mail OK\r\n",
        b"354 End data with <CR><LF>.<CR><LF>\r\n",
        log[8], b""]
    assert re.fullmatch(rb"250 Mail OK queued as smtp12,\S+\r\n", log[8])
    assert box.wait_until_idle() and len(box.messages()) == 1


def test_the_classic_client_is_refused_at_auth_by_exim(make_sandbox):
    box = make_sandbox(profile="exim")
    log: list[bytes] = []
    classic.run(box.host, box.port, log)  # it goes on as if logged in
    assert log[0].startswith(b"220 mail.sandbox.test ESMTP Exim 4.96 ")
    assert re.fullmatch(rb"250 mail.sandbox.test Hello alice \[127.0.0.1\]\r\n", log[1])
    assert log[2] == b"503 AUTH command used when not advertised\r\n"
    # its credentials then went out as commands: never echoed back
    assert log[3] == log[4] == b"500 unrecognized command\r\n"
    assert box.wait_until_idle() and box.sessions[-1].username is None  # never logged in


def test_163(make_sandbox):
    box = make_sandbox(profile="163")
    w = Wire.to(box)
    assert w.reply() == b"220 163.com Anti-spam GT for Coremail System (163com[20141201])\r\n"
    ehlo = w.cmd(b"EHLO pc\r\n")
    assert ehlo.startswith(b"250-mail\r\n250-PIPELINING\r\n250-AUTH LOGIN PLAIN XOAUTH2\r\n"
                           b"250-AUTH=LOGIN PLAIN XOAUTH2\r\n250-coremail ")
    assert ehlo.endswith(b"250-STARTTLS\r\n250-ID\r\n250 8BITMIME\r\n") and b"SIZE" not in ehlo
    assert w.cmd(b"MAIL FROM:<learner@sandbox.test>\r\n") == b"553 authentication is required\r\n"
    assert login_plain(w, PASSWORD) == b"535 Error: authentication failed\r\n"  # not the code
    assert login_plain(w, "wrong") == b"535 Error: authentication failed\r\n"
    assert login_plain(w, CODE) == b"235 Authentication successful\r\n"
    assert w.cmd(b"MAIL FROM:<friend@sandbox.test>\r\n") == (
        b"553 Mail from must equal authorized user\r\n")
    assert w.cmd(b"MAIL FROM:<learner@sandbox.test>\r\n") == b"250 Mail OK\r\n"
    assert w.cmd(b"FROB\r\n") == b"502 Error: command not implemented\r\n"
    assert w.cmd(b"QUIT\r\n") == b"221 Bye\r\n"


def test_qq_refuses_auth_without_tls_and_closes(make_sandbox):
    box = make_sandbox(profile="qq")
    w = Wire.to(box)
    assert w.reply() == b"220 newxmesmtplogicsvrszc8.qq.com XMail Esmtp QQ Mail Server.\r\n"
    helo = w.cmd(b"HELO pc\r\n")
    assert re.fullmatch(rb"250-newxmesmtplogicsvrszc8.qq.com-127.0.0.1-[0-9a-f]+\r\n"
                        rb"250-SIZE 73400320\r\n250 OK\r\n", helo)
    ehlo = w.cmd(b"EHLO pc\r\n")
    assert b"250-AUTH LOGIN PLAIN XOAUTH XOAUTH2\r\n250-AUTH=LOGIN\r\n" in ehlo  # offered...
    assert w.cmd(b"AUTH LOGIN\r\n") == (  # ...but refused without TLS, and the line is cut
        b"530 Login fail. A secure connection is requiered(such as ssl). More information at "
        b"http://service.mail.qq.com/cgi-bin/help?id=28\r\n")
    assert w.closed()


def test_qq_over_implicit_tls(make_sandbox):
    box = make_sandbox(profile="qq")
    assert box.tls_port not in (None, box.port)
    w = implicit(box)
    assert w.reply().startswith(b"220 newxmesmtplogicsvrszc8.qq.com ")
    w.cmd(b"EHLO pc\r\n")
    assert w.cmd(b"STARTTLS\r\n") == b"554 5.5.1 Error: TLS already active\r\n"
    assert login_plain(w, PASSWORD) == (
        b"535 Login Fail. Please enter your authorization code to login. More information in "
        b"http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=28&&no=1001256\r\n")
    assert login_plain(w, CODE) == b"235 Authentication successful\r\n"
    assert w.cmd(b"MAIL FROM:<friend@sandbox.test>\r\n") == (
        b"501 mail from address must be same as authorization user\r\n")
    assert w.cmd(b"QUIT\r\n") == b"221 Bye.\r\n"
    w.close()
    assert box.wait_until_idle() and box.sessions[-1].tls


def test_gmail(make_sandbox):
    box = make_sandbox(profile="gmail")
    w = Wire.to(box)
    assert re.fullmatch(rb"220 smtp.gmail.com ESMTP ([0-9a-f]+) - gsmtp\r\n", w.reply())
    ehlo = w.cmd(b"EHLO pc\r\n")
    assert ehlo.startswith(b"250-smtp.gmail.com at your service, [127.0.0.1]\r\n"
                           b"250-SIZE 35882577\r\n") and b"AUTH" not in ehlo
    assert re.fullmatch(rb"530 5.7.0 Must issue a STARTTLS command first. [0-9a-f]+ - gsmtp\r\n",
                        w.cmd(b"MAIL FROM:<learner@sandbox.test>\r\n"))
    assert w.cmd(b"AUTH LOGIN\r\n").startswith(b"530 5.7.0 Must issue a STARTTLS command first.")
    starttls(w, box)
    assert b"250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH\r\n" in w.cmd(
        b"EHLO pc\r\n")
    assert re.fullmatch(rb"534-5.7.9 Application-specific password required. Learn more at\r\n"
                        rb"534 5.7.9  https://support.google.com/mail/\?p=InvalidSecondFactor "
                        rb"[0-9a-f]+ - gsmtp\r\n", login_plain(w, PASSWORD))
    assert login_plain(w, "wrong").startswith(
        b"535-5.7.8 Username and Password not accepted. Learn more at\r\n535 5.7.8  ")
    assert re.fullmatch(rb"221 2.0.0 closing connection [0-9a-f]+ - gsmtp\r\n",
                        w.cmd(b"QUIT\r\n"))


def test_outlook_refuses_the_sender_only_after_data(make_sandbox):
    box = make_sandbox(profile="outlook")
    w = Wire.to(box)
    assert re.fullmatch(rb"220 \S+\.outlook\.office365\.com Microsoft ESMTP MAIL Service ready "
                        rb"at .+ \[[0-9a-f]+\]\r\n", w.reply())
    w.cmd(b"EHLO pc\r\n")
    assert re.fullmatch(rb"451 5.7.3 STARTTLS is required to send mail \[[0-9a-f]+\]\r\n",
                        w.cmd(b"MAIL FROM:<friend@sandbox.test>\r\n"))
    assert w.cmd(b"STARTTLS\r\n") == b"220 2.0.0 SMTP server ready\r\n"
    w.sock = trusting(box).wrap_socket(w.sock, server_hostname="127.0.0.1")
    assert b"250-AUTH LOGIN XOAUTH2\r\n" in w.cmd(b"EHLO pc\r\n")
    assert login_plain(w, PASSWORD).startswith(b"235")
    assert w.cmd(b"MAIL FROM:<friend@sandbox.test>\r\n") == b"250 2.1.0 Sender OK\r\n"
    assert w.cmd(b"RCPT TO:<friend@sandbox.test>\r\n").startswith(b"250")
    assert w.cmd(b"DATA\r\n").startswith(b"354")
    assert re.fullmatch(rb"554 5.2.252 SendAsDenied; learner@sandbox.test not allowed to send "
                        rb"as friend@sandbox.test; .*\r\n",
                        w.cmd(b"Subject: x\r\n\r\nhi\r\n.\r\n"))
    assert w.cmd(b"QUIT\r\n") == b"221 2.0.0 Service closing transmission channel\r\n"
    assert box.messages() == []


def test_postfix(make_sandbox):
    box = make_sandbox(profile="postfix")
    w = Wire.to(box)
    assert w.reply() == b"220 mail.sandbox.test ESMTP Postfix\r\n"
    assert w.cmd(b"EHLO pc\r\n") == (
        b"250-mail.sandbox.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n"
        b"250-ETRN\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n"
        b"250-SMTPUTF8\r\n250 CHUNKING\r\n")
    assert w.cmd(b"AUTH LOGIN\r\n") == b"503 5.5.1 Error: authentication not enabled\r\n"
    assert w.cmd(b"MAIL FROM:<a@elsewhere.example>\r\n") == b"250 2.1.0 Ok\r\n"
    assert w.cmd(b"RCPT TO:<x@elsewhere.example>\r\n") == (
        b"554 5.7.1 <x@elsewhere.example>: Relay access denied\r\n")
    assert w.cmd(b"RCPT TO:<nobody@sandbox.test>\r\n").startswith(
        b"550 5.1.1 <nobody@sandbox.test>: Recipient address rejected: User unknown")
    assert w.cmd(b"RCPT TO:<friend@sandbox.test>\r\n") == b"250 2.1.5 Ok\r\n"
    assert w.cmd(b"QUIT\r\n") == b"221 2.0.0 Bye\r\n"


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_no_profile_echoes_a_command(make_sandbox, name):
    box = make_sandbox(profile=name)
    w = Wire.to(box)
    replies = [w.reply(), w.cmd(b"EHLO pc\r\n")]
    # AUTH last: QQ closes the connection after refusing it without TLS
    for line in (B64_USER, B64_PASS, b"VRFY " + B64_USER, b"AUTH " + B64_PASS):
        replies.append(w.cmd(line + b"\r\n"))
    everything = b"".join(replies)
    assert B64_USER not in everything and B64_PASS not in everything
    assert B64_USER.upper() not in everything and B64_PASS.upper() not in everything


def test_scenarios_combine_with_a_profile(make_sandbox):
    box = make_sandbox(profile="163", scenarios=["unknown-recipient"])
    w = Wire.to(box)
    w.ehlo()
    assert login_plain(w, CODE).startswith(b"235")
    w.cmd(b"MAIL FROM:<learner@sandbox.test>\r\n")
    assert w.cmd(b"RCPT TO:<nobody@sandbox.test>\r\n").startswith(b"550 5.1.1 <nobody@")


def test_sandbox_help_lists_the_profiles(capsys):
    with pytest.raises(SystemExit):
        main(["sandbox", "--help"])
    out = capsys.readouterr().out
    for name in PROFILE_NAMES:
        assert re.search(rf"^  {re.escape(name)} +\S", out, re.M), name
    assert "--tls-port" in out


def test_an_unknown_profile_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["sandbox", "--profile", "hotmail"])
    assert stop.value.code != 0
    assert "unknown profile 'hotmail'" in capsys.readouterr().err


def test_plain_text_on_the_implicit_tls_port_gets_no_smtp(make_sandbox):
    box = make_sandbox(tls_port=0)  # the teaching profile opens it when asked
    with socket.create_connection((box.host, box.tls_port), timeout=5) as sock:
        sock.settimeout(0.3)
        with pytest.raises(TimeoutError):  # the server waits for a TLS ClientHello
            sock.recv(100)


def test_exim_drops_the_client_at_its_third_unknown_command(make_sandbox):
    box = make_sandbox(profile="exim")
    w = Wire.to(box)
    w.reply()
    assert w.cmd(b"FROB\r\n") == w.cmd(b"GRONK\r\n") == b"500 unrecognized command\r\n"
    assert w.cmd(b"ZAP\r\n") == b"500 Too many unrecognized commands\r\n"
    assert w.closed()
    assert box.wait_until_idle() and box.sessions[-1].outcome == "too-many-unknown"


def test_exim(make_sandbox):
    box = make_sandbox(profile="exim")
    w = Wire.to(box)
    w.reply()
    ehlo = w.cmd(b"EHLO pc\r\n")
    assert ehlo.startswith(b"250-mail.sandbox.test Hello pc [127.0.0.1]\r\n")
    assert b"ENHANCEDSTATUSCODES" not in ehlo and b"250-AUTH LOGIN PLAIN\r\n" in ehlo
    assert login_plain(w, "wrong") == b"535 Incorrect authentication data\r\n"
    assert login_plain(w, PASSWORD) == b"235 Authentication succeeded\r\n"
    assert w.cmd(b"MAIL FROM:<learner@sandbox.test>\r\n") == b"250 OK\r\n"
    assert w.cmd(b"RCPT TO:<friend@sandbox.test>\r\n") == b"250 Accepted\r\n"
    assert w.cmd(b"DATA\r\n") == b'354 Enter message, ending with "." on a line by itself\r\n'
    assert re.fullmatch(rb"250 OK id=\S+\r\n", w.cmd(b"Subject: x\r\n\r\nhi\r\n.\r\n"))
    assert w.cmd(b"QUIT\r\n") == b"221 mail.sandbox.test closing connection\r\n"


def test_gmail_accepts_another_sender(make_sandbox):
    # Gmail accepts a MAIL FROM that is not the user and rewrites the From (docs/providers.md fact 7)
    box = make_sandbox(profile="gmail")
    w = implicit(box)
    w.reply()
    w.cmd(b"EHLO pc\r\n")
    assert login_plain(w, CODE).startswith(b"235")
    assert re.fullmatch(rb"250 2.1.0 OK [0-9a-f]+ - gsmtp\r\n",
                        w.cmd(b"MAIL FROM:<friend@sandbox.test>\r\n"))


def test_the_inspector_explains_a_provider_reply(make_sandbox):
    from explorer.reports.inspector import Inspector

    out: list[str] = []
    box = make_sandbox(profile="163", on_event=Inspector(out.append))
    w = Wire.to(box)
    w.reply()
    w.cmd(b"EHLO pc\r\n")
    assert login_plain(w, PASSWORD) == b"535 Error: authentication failed\r\n"
    w.quit()
    assert box.wait_until_idle()
    deadline = time.monotonic() + 5
    while not out and time.monotonic() < deadline:
        time.sleep(0.01)
    text = " ".join("".join(out).split())
    assert "At 163 / 126 (Coremail): The user name or the secret was refused." in text
    assert "What to do there: In the mailbox settings (POP3/SMTP/IMAP)" in text
