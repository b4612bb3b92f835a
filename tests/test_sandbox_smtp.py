"""The embedded sandbox against independent clients: smtplib, and raw sockets for mistakes."""

from __future__ import annotations

import base64
import hmac
import json
import smtplib
import ssl
import subprocess
import sys
import threading

import pytest

from explorer.core.render import parse_escapes
from explorer.sandbox import Sandbox, SandboxError

LEARNER, PASSWORD, CODE = "learner@sandbox.test", "password123", "abcdefghijklmnop"
FRIEND = "friend@sandbox.test"
EHLO_PLAIN = [b"SIZE 10485760", b"8BITMIME", b"SMTPUTF8", b"ENHANCEDSTATUSCODES", b"PIPELINING",
              b"STARTTLS", b"AUTH LOGIN PLAIN CRAM-MD5", b"HELP"]


def b64(text: str | bytes) -> bytes:
    return base64.b64encode(text.encode() if isinstance(text, str) else text)


def trusting(box) -> ssl.SSLContext:
    """A client context that verifies the sandbox's certificate (and nothing else)."""
    return ssl.create_default_context(cafile=str(box.certificate_path))


def client(box) -> smtplib.SMTP:
    return smtplib.SMTP(box.host, box.port, local_hostname="student-pc", timeout=5)


def test_plain_session_stores_the_message(sandbox):
    with client(sandbox) as smtp:
        code, text = smtp.ehlo()
        assert code == 250
        assert text.split(b"\n") == [b"sandbox.test greets student-pc"] + EHLO_PLAIN
        assert smtp.mail(LEARNER) == (250, b"2.1.0 Sender <learner@sandbox.test> OK")
        assert smtp.rcpt(FRIEND) == (250, b"2.1.5 Recipient <friend@sandbox.test> OK")
        code, text = smtp.data(b"Subject: hello\r\n\r\nHi there\r\n")
    assert code == 250 and text.startswith(b"2.0.0 OK: message queued as ")
    [stored] = sandbox.messages()
    assert stored.recipient == FRIEND
    assert stored.data == b"Subject: hello\r\n\r\nHi there\r\n"
    assert stored.path.parent == sandbox.data_dir / "mail" / FRIEND / "new"
    assert stored.path.name.startswith(text.decode().rsplit(" ", 1)[1])
    for sub in ("tmp", "new", "cur"):
        assert (sandbox.data_dir / "mail" / FRIEND / sub).is_dir()
    assert list((sandbox.data_dir / "mail" / FRIEND / "tmp").iterdir()) == []


def test_greeting_and_helo_use_no_enhanced_codes(sandbox, raw):
    conn = raw(sandbox)
    assert conn.reply() == (b"220 sandbox.test ESMTP smtp-explorer sandbox: a teaching server, "
                            b"no mail leaves this machine\r\n")
    conn.send(b"HELO old-client\r\n")
    assert conn.reply() == b"250 sandbox.test greets old-client\r\n"
    conn.send(b"NOOP\r\n")
    assert conn.reply() == b"250 2.0.0 OK\r\n"
    conn.send(b"QUIT\r\n")
    assert conn.reply() == b"221 2.0.0 Bye\r\n"


def test_starttls_then_auth_login_and_plain(sandbox):
    for mechanism in ("LOGIN", "PLAIN"):
        with client(sandbox) as smtp:
            smtp.ehlo()
            assert smtp.starttls(context=trusting(sandbox)) == (220, b"2.0.0 Ready to start TLS")
            code, text = smtp.ehlo()
            assert b"STARTTLS" not in text and b"AUTH LOGIN PLAIN CRAM-MD5" in text
            smtp.user, smtp.password = LEARNER, PASSWORD
            method = smtp.auth_login if mechanism == "LOGIN" else smtp.auth_plain
            assert smtp.auth(mechanism, method, initial_response_ok=False) == (
                235, b"2.7.0 Authentication successful")
            smtp.sendmail(LEARNER, [FRIEND], b"Subject: over TLS\r\n\r\nsecret\r\n")
    records = [r for r in sandbox.sessions if r.messages]
    assert len(records) == 2 and all(r.tls and r.username == LEARNER for r in records)
    assert [m.data for m in sandbox.messages()] == [b"Subject: over TLS\r\n\r\nsecret\r\n"] * 2


def test_auth_login_uses_classic_prompts_and_lower_case_mechanism(sandbox, raw):
    conn = raw(sandbox)
    conn.reply()
    conn.send(b"EHLO pc\r\n")
    conn.reply()
    conn.send(b"auth login\r\n")
    assert conn.reply() == b"334 " + b64("Username:") + b"\r\n"
    conn.send(b64(LEARNER) + b"\r\n")
    assert conn.reply() == b"334 " + b64("Password:") + b"\r\n"
    conn.send(b64(CODE) + b"\r\n")
    assert conn.reply() == b"235 2.7.0 Authentication successful\r\n"
    conn.send(b"AUTH PLAIN " + b64(f"\0{LEARNER}\0{PASSWORD}") + b"\r\n")
    assert conn.reply() == b"503 5.5.1 Already authenticated\r\n"


def test_auth_plain_initial_response_lower_case(sandbox, raw):
    conn = raw(sandbox)
    conn.reply()
    conn.send(b"EHLO pc\r\nauth plain " + b64(f"\0{FRIEND}\0friend123") + b"\r\n")
    conn.reply()
    assert conn.reply() == b"235 2.7.0 Authentication successful\r\n"


def test_cram_md5(sandbox, raw):
    with client(sandbox) as smtp:
        smtp.ehlo()
        smtp.user, smtp.password = LEARNER, PASSWORD
        assert smtp.auth("CRAM-MD5", smtp.auth_cram_md5) == (235, b"2.7.0 Authentication successful")
    conn = raw(sandbox)
    conn.reply()
    conn.send(b"EHLO pc\r\nAUTH CRAM-MD5\r\n")
    conn.reply()
    challenge_line = conn.reply()
    assert challenge_line.startswith(b"334 ")
    challenge = base64.b64decode(challenge_line[4:].strip())
    assert challenge.startswith(b"<") and challenge.endswith(b"@sandbox.test>")
    digest = hmac.new(b"wrong", challenge, "md5").hexdigest()
    conn.send(b64(f"{LEARNER} {digest}") + b"\r\n")
    assert conn.reply() == b"535 5.7.8 Authentication credentials invalid\r\n"


def test_wrong_password_and_unknown_mechanism(sandbox, raw):
    with client(sandbox) as smtp:
        smtp.ehlo()
        with pytest.raises(smtplib.SMTPAuthenticationError) as failure:
            smtp.login(LEARNER, "not-the-password")
        assert failure.value.smtp_code == 535
        assert failure.value.smtp_error == b"5.7.8 Authentication credentials invalid"
    conn = raw(sandbox)
    conn.reply()
    conn.send(b"EHLO pc\r\nAUTH XOAUTH2\r\nAUTH LOGIN\r\n*\r\n")
    conn.reply()
    assert conn.reply() == b"504 5.5.4 Unrecognized authentication type\r\n"
    assert conn.reply() == b"334 " + b64("Username:") + b"\r\n"
    assert conn.reply() == b"501 5.7.0 Auth aborted\r\n"


def test_plaintext_auth_refused_when_not_allowed(make_sandbox, raw):
    box = make_sandbox(allow_plaintext_auth=False)
    conn = raw(box)
    conn.reply()
    conn.send(b"EHLO pc\r\n")
    assert b"AUTH" not in conn.reply()
    conn.send(b"AUTH PLAIN " + b64(f"\0{LEARNER}\0{PASSWORD}") + b"\r\n")
    assert conn.reply() == (b"538 5.7.11 Encryption required for requested authentication "
                            b"mechanism: use STARTTLS first\r\n")
    with client(box) as smtp:  # after STARTTLS the same AUTH is fine
        smtp.starttls(context=trusting(box))
        assert smtp.login(LEARNER, PASSWORD)[0] == 235


def test_non_loopback_host_is_noticed():
    assert Sandbox(host="127.0.0.1").loopback and Sandbox(host="::1").loopback
    assert Sandbox(host="localhost").loopback
    assert not Sandbox(host="0.0.0.0").loopback


def test_pipelined_commands_are_answered_in_order(sandbox, raw):
    conn = raw(sandbox)
    conn.reply()
    conn.send(b"EHLO pc\r\n")
    assert b"250-PIPELINING\r\n" in conn.reply()
    conn.send(b"MAIL FROM:<learner@sandbox.test>\r\nRCPT TO:<friend@sandbox.test>\r\n"
              b"RCPT TO:<learner@sandbox.test>\r\nDATA\r\n")
    assert [conn.reply() for _ in range(4)] == [
        b"250 2.1.0 Sender <learner@sandbox.test> OK\r\n",
        b"250 2.1.5 Recipient <friend@sandbox.test> OK\r\n",
        b"250 2.1.5 Recipient <learner@sandbox.test> OK\r\n",
        b"354 End data with <CR><LF>.<CR><LF>\r\n"]
    conn.send(b"Subject: piped\r\n\r\nbody\r\n.\r\nRSET\r\nMAIL FROM:<>\r\nNOOP\r\nQUIT\r\n")
    replies = [conn.reply() for _ in range(5)]
    assert replies[0].startswith(b"250 2.0.0 OK: message queued as ")
    assert replies[1:] == [b"250 2.0.0 OK\r\n", b"250 2.1.0 Sender <> OK\r\n",
                           b"250 2.0.0 OK\r\n", b"221 2.0.0 Bye\r\n"]
    assert sorted(m.recipient for m in sandbox.messages()) == [FRIEND, LEARNER]


def test_leading_dots_and_utf8_survive_byte_for_byte(sandbox):
    message = ("From: Learner <learner@sandbox.test>\r\nTo: 用户@sandbox.test\r\n"
               "Subject: Grüße\r\n\r\n.a line that starts with a dot\r\n..two dots\r\n.\r\n"
               "Ünïcödé: 你好, мир, 🙂\r\n \r\n\tend\r\n").encode("utf-8")
    with client(sandbox) as smtp:
        smtp.ehlo()
        smtp.sendmail(LEARNER, ["用户@sandbox.test"], message,
                      mail_options=["SMTPUTF8", "BODY=8BITMIME"])
    [stored] = sandbox.messages()
    assert stored.data == message
    assert stored.path.read_bytes() == message
    assert stored.path.parent.parent.name == "用户@sandbox.test"
    [record] = sandbox.sessions
    # On the wire the client doubled every leading dot (RFC 5321 4.5.2): the record shows that.
    assert b"\r\n..a line that starts with a dot\r\n...two dots\r\n..\r\n" in record.client_bytes()


def test_stock_replies_get_enhanced_codes(sandbox, raw):
    conn = raw(sandbox)
    conn.reply()
    conn.send(b"EHLO pc\r\nRCPT TO:<a@sandbox.test>\r\nDATA\r\nFROB\r\nMAIL FROM:<a@@b>\r\n")
    conn.reply()
    assert conn.reply() == b"503 5.5.1 Error: need MAIL command\r\n"
    assert conn.reply() == b"503 5.5.1 Error: need RCPT command\r\n"
    assert conn.reply() == b"500 5.5.2 Error: command not recognized\r\n"
    assert conn.reply() == b"553 5.1.3 Error: malformed address\r\n"


def test_unsafe_mailbox_names_are_refused(sandbox, raw):
    conn = raw(sandbox)
    conn.reply()
    conn.send(b'EHLO pc\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<"../../x"@sandbox.test>\r\n')
    conn.reply(), conn.reply()
    assert conn.reply() == (b"553 5.1.3 <../../x@sandbox.test>: Recipient address rejected: "
                            b"not usable as a mailbox name\r\n")
    assert not (sandbox.data_dir / "x@sandbox.test").exists()


def test_session_record_has_the_exact_bytes(sandbox, raw):
    conn = raw(sandbox)
    received = conn.reply()
    conn.send(b"EHLO pc\r\n")
    received += conn.reply()
    conn.send(b"QUIT\r\n")
    received += conn.reply()
    assert conn.closed()
    assert sandbox.wait_until_idle()
    [record] = sandbox.sessions
    assert record.client_bytes() == b"EHLO pc\r\nQUIT\r\n"
    assert record.server_bytes() == received
    assert record.outcome == "quit" and record.peer.startswith("127.0.0.1:")
    times = [chunk.time for chunk in record.chunks]
    assert times == sorted(times) and record.started_at <= times[0]
    assert [c.direction for c in record.chunks] == ["server", "client", "server", "client",
                                                    "server"]


def test_session_log_masks_credentials_unless_asked(make_sandbox):
    for keep in (False, True):
        box = make_sandbox(log_credentials=keep)
        with client(box) as smtp:
            smtp.ehlo()
            smtp.user, smtp.password = LEARNER, PASSWORD
            smtp.auth("PLAIN", smtp.auth_plain)
            smtp.user, smtp.password = LEARNER, PASSWORD  # already authenticated: 503
        box.stop()
        [entry] = [json.loads(line) for line in
                   (box.data_dir / "sessions.jsonl").read_text().splitlines()]
        wire = b"".join(parse_escapes(c[2]) for c in entry["chunks"] if c[1] == "client")
        secret = b64(f"\0{LEARNER}\0{PASSWORD}")
        assert (secret in wire) is keep
        assert (b"AUTH PLAIN <secret removed>\r\n" in wire) is not keep
        assert entry["username"] == LEARNER and entry["outcome"] == "quit"
        # In memory the record stays exact: it is the learner's own session.
        assert secret in box.sessions[0].client_bytes()


def test_events_report_sessions_and_messages(make_sandbox):
    events = []
    box = make_sandbox(on_event=events.append)
    message = b"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\r\nhi\r\n"
    with client(box) as smtp:
        smtp.sendmail(LEARNER, [FRIEND], message)
    box.stop()
    kinds = [e.kind for e in events]
    assert kinds == ["listening", "session-started", "message-stored", "session-ended",
                     "stopped"]
    stored = events[2]
    assert stored.sender == LEARNER and stored.recipients == (FRIEND,)
    assert stored.subject == b"=?utf-8?q?Gr=C3=BC=C3=9Fe?=" and stored.size == len(message)
    assert events[3].record.messages == 1 and events[3].record.outcome == "quit"


def test_two_sandboxes_at_once(make_sandbox):
    first, second = make_sandbox(), make_sandbox()
    assert first.port != second.port and first.data_dir != second.data_dir
    for box, subject in ((first, b"one"), (second, b"two")):
        with client(box) as smtp:
            smtp.sendmail(LEARNER, [FRIEND], b"Subject: " + subject + b"\r\n\r\nx\r\n")
    assert [m.data[9:12] for m in first.messages()] == [b"one"]
    assert [m.data[9:12] for m in second.messages()] == [b"two"]


def test_port_in_use_is_one_clear_error(sandbox, tmp_path):
    with pytest.raises(SandboxError, match="already in use") as failure:
        Sandbox(port=sandbox.port, data_dir=tmp_path / "other").start()
    assert "\n" not in str(failure.value)


def _sandbox_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("sandbox")]


def test_clean_shutdown(tmp_path, raw):
    before = set(_sandbox_threads())
    box = Sandbox(data_dir=tmp_path).start()
    idle = raw(box)
    idle.reply()
    idle.send(b"EHLO pc\r\n")
    idle.reply()
    sending = raw(box)
    sending.reply()
    sending.send(b"EHLO pc\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<friend@sandbox.test>\r\nDATA\r\n")
    for _ in range(4):
        sending.reply()
    sending.send(b"Subject: half\r\n\r\nnot finished")  # no end of data yet
    with client(box) as smtp:
        smtp.sendmail(LEARNER, [FRIEND], b"Subject: whole\r\n\r\ndone\r\n")
    box.stop()
    assert idle.reply() == (b"421 4.3.2 sandbox.test sandbox stopping, closing transmission "
                            b"channel\r\n")
    assert idle.closed()
    assert [m.data for m in box.messages()] == [b"Subject: whole\r\n\r\ndone\r\n"]
    assert list((tmp_path / "mail" / FRIEND / "tmp").iterdir()) == []
    outcomes = sorted(r.outcome for r in box.sessions)
    assert outcomes == ["quit", "server-stopped", "server-stopped"]
    assert set(_sandbox_threads()) == before
    with pytest.raises(OSError):
        raw(box, timeout=1)
    box.stop()  # a second stop is harmless


def test_sandbox_imports_no_prompt_toolkit(tmp_path):
    code = ("import sys, explorer.sandbox.server, explorer.commands.sandbox, explorer.sandbox.inbox;"
            "from explorer.sandbox import Sandbox;"
            f"Sandbox(data_dir={str(tmp_path)!r}).start().stop();"
            "sys.exit('prompt_toolkit' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_a_message_that_cannot_be_stored_gets_451_and_leaves_nothing(sandbox):
    box_dir = sandbox.data_dir / "mail" / FRIEND
    box_dir.mkdir(parents=True)
    (box_dir / "tmp").write_text("not a directory")  # the store cannot write there
    with client(sandbox) as smtp:
        smtp.ehlo()
        smtp.mail(LEARNER)
        smtp.rcpt(LEARNER)
        smtp.rcpt(FRIEND)
        assert smtp.data(b"Subject: lost?\r\n\r\nno\r\n") == (
            451, b"4.3.0 Local error in processing: the message was not stored")
        assert smtp.noop()[0] == 250  # the session goes on
    assert sandbox.messages() == []  # all or nothing: not even the learner's copy
    assert not [p for p in (sandbox.data_dir / "mail").rglob("*") if p.is_file()
                and p.parent.name in ("new", "cur")]


def test_failed_tls_handshake_is_survived(sandbox, raw):
    conn = raw(sandbox)
    conn.reply()
    conn.send(b"EHLO pc\r\n")
    conn.reply()
    conn.send(b"STARTTLS\r\n")
    assert conn.reply() == b"220 2.0.0 Ready to start TLS\r\n"
    conn.send(b"this is not a TLS client hello\r\n" * 4)
    try:
        conn.closed()
    except ConnectionResetError:
        pass
    assert sandbox.wait_until_idle()
    assert sandbox.sessions[-1].outcome in ("tls-failed", "client-closed")
    with client(sandbox) as smtp:  # and the server still serves
        assert smtp.noop()[0] == 250
