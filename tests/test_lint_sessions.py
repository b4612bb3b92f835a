"""The linter on real sessions recorded by the sandbox: hand-written socket clients that make
each mistake (every finding asserted at its exact position), and smtplib, which makes none."""

from __future__ import annotations

import base64
import smtplib
import ssl

import pytest
from clients import FRIEND, GOOD, LEARNER, PASSWORD, Wire, mistakes

from explorer.client.compose import Attachment, Draft, message_bytes
from explorer.lint import explain
from explorer.recording.walker import analyse, lint_session


def recorded(box):
    """The one finished session the sandbox recorded."""
    assert box.wait_until_idle()
    [record] = box.sessions
    return record


def line_of(sent: bytes, offset: int) -> int:
    return sent.count(b"\n", 0, offset) + 1


def check_located(record, findings) -> None:
    """Each finding's chunk is the client chunk that carried its byte, with that chunk's time."""
    starts, offset = {}, 0
    for index, chunk in enumerate(record.chunks):
        if chunk.direction == "client" and chunk.data:
            starts[index] = (offset, offset + len(chunk.data))
            offset += len(chunk.data)
    for finding in findings:
        chunk = record.chunks[finding.chunk_index]
        assert finding.time == chunk.time
        if finding.where == "session":
            assert finding.chunk_index == len(record.chunks) - 1
            continue
        low, high = starts[finding.chunk_index]
        assert low <= finding.offset < high or finding.offset == high == offset


@pytest.mark.parametrize("name", sorted(mistakes.CASES))
def test_each_mistake_is_reported_where_it_is(make_sandbox, name):
    client = mistakes.CASES[name]
    box = make_sandbox(scenarios=client.scenarios)
    sent, expected = client(box)
    record = recorded(box)
    assert record.client_bytes() == sent
    findings = lint_session(record.chunks)
    got = sorted((f.key, f.line, f.offset) for f in findings)
    assert got == sorted((key, line_of(sent, offset), offset) for key, offset, *_ in expected)
    counts = {(key, offset): rest[0] for key, offset, *rest in expected if rest}
    for finding in findings:
        assert finding.count == counts.get((finding.key, finding.offset), 1)
        texts = explain(finding)
        assert texts.what and texts.why and texts.server and texts.fix
        assert "{" not in texts.what + texts.why + texts.server + texts.fix
    check_located(record, findings)


def test_every_mistake_of_the_issue_is_made_by_some_client():
    made = set()
    for name in mistakes.CASES:
        made.add(name)
    required = {"bare-lf", "bare-cr", "tab-lf", "no-line-end", "no-blank-line", "header-no-colon",
                "bad-folding", "line-too-long", "dot-not-stuffed", "bad-terminator", "smuggling",
                "non-ascii-header", "non-ascii-body", "address-non-ascii",
                "missing-from-and-date", "from-not-mail-from", "from-not-auth-user",
                "out-of-order", "auth-before-ehlo", "auth-bad-base64", "missing-angle-brackets",
                "no-wait", "no-quit", "dropped-mid-transaction"}
    assert required <= made


def test_a_mistake_in_a_late_chunk_points_at_that_chunk(sandbox):
    w = Wire.to(sandbox).ehlo()
    w.cmd(b"MAIL FROM:<learner@sandbox.test>\r\n")
    w.cmd(b"RCPT TO:<friend@sandbox.test>\r\n")
    w.cmd(b"DATA\r\n")
    w.send(GOOD[:30])
    w.no_reply(0.05)
    w.send(GOOD[30:] + b".late\r\n")
    w.no_reply(0.05)
    w.send(b".\r\n")
    w.reply()
    w.quit()
    record = recorded(sandbox)
    [finding] = lint_session(record.chunks)
    assert finding.key == "dot-not-stuffed"
    assert finding.offset == bytes(w.sent).index(b".late")
    chunk = record.chunks[finding.chunk_index]
    assert chunk.direction == "client" and chunk.data.startswith(GOOD[30:40])


def test_pipelining_after_ehlo_is_no_mistake(sandbox):
    w = Wire.to(sandbox).ehlo()
    w.send(b"MAIL FROM:<learner@sandbox.test>\r\nRCPT TO:<friend@sandbox.test>\r\nDATA\r\n")
    w.reply(), w.reply()
    assert w.reply().startswith(b"354")
    w.send(GOOD + b".\r\nQUIT\r\n")  # the end of data may be followed by the next command
    assert w.reply().startswith(b"250") and w.reply().startswith(b"221")
    w.close()
    assert lint_session(recorded(sandbox).chunks) == []


def test_content_sent_before_354_is_not_waiting(make_sandbox):
    box = make_sandbox(scenarios=["slow=0.2"])
    w = Wire.to(box).ehlo()
    w.cmd(b"MAIL FROM:<learner@sandbox.test>\r\n")
    w.cmd(b"RCPT TO:<friend@sandbox.test>\r\n")
    at = w.send(b"DATA\r\n" + GOOD + b".\r\n") + len(b"DATA\r\n")
    assert w.reply().startswith(b"354") and w.reply().startswith(b"250")
    w.quit()
    findings = lint_session(recorded(box).chunks)
    assert [(f.key, f.offset, f.value("previous")) for f in findings] == [("no-wait", at, "DATA")]


def test_the_session_log_with_masked_credentials_still_knows_the_user(sandbox):
    w = Wire.to(sandbox).ehlo()
    user, password = base64.b64encode(LEARNER.encode()), base64.b64encode(PASSWORD.encode())
    assert w.cmd(b"AUTH LOGIN\r\n").startswith(b"334")
    w.cmd(user + b"\r\n")
    assert w.cmd(password + b"\r\n").startswith(b"235")
    content = GOOD.replace(b"Learner <learner@", b"<friend@") + b".\r\n"
    assert w.mail(content).startswith(b"250")
    w.quit()
    record = recorded(sandbox)
    exact = analyse(record.chunks)
    assert exact.username == LEARNER
    assert [f.key for f in exact.findings] == ["from-not-auth-user"]
    from explorer.recording import redact

    masked = redact(record.chunks, record.secrets)
    assert user not in b"".join(c.data for c in masked)
    # Without the user, From is compared with MAIL FROM; the masks are no bad Base64.
    assert [f.key for f in lint_session(masked)] == ["from-not-mail-from"]
    assert [f.key for f in lint_session(masked, username=record.username)] == ["from-not-auth-user"]


# -- smtplib: an independent, correct client: no false positives -----------------------------

def smtp(box) -> smtplib.SMTP:
    return smtplib.SMTP(box.host, box.port, local_hostname="student-pc", timeout=5)


def composed(subject="hello", body="Hello!\n", **extra) -> bytes:
    return message_bytes(Draft(sender=f"Learner <{LEARNER}>", to=(FRIEND,), subject=subject,
                               body=body, **extra))


def test_smtplib_sessions_are_clean(sandbox, tmp_path):
    import email

    attachment = tmp_path / "notes.txt"
    attachment.write_bytes(b"line one\n.line two starts with a period\n" * 3)
    messages = [
        composed(),
        composed("你好 😀 emoji", "你好，世界 😀\n.leading period\n"),
        composed("plain", ".only a period follows\n.\n", transfer="8bit"),
        composed("files", "see attached\n", attachments=(Attachment.from_path(attachment),)),
    ]
    with smtp(sandbox) as client:  # plain, no AUTH
        client.sendmail(LEARNER, [FRIEND], messages[0])
        client.noop()
        client.rset()
    context = ssl.create_default_context(cafile=str(sandbox.certificate_path))
    for mechanism in ("CRAM-MD5", "LOGIN", "PLAIN"):
        with smtp(sandbox) as client:
            client.starttls(context=context)
            client.ehlo()  # RFC 3207: what was learnt before TLS is forgotten
            client.user, client.password = LEARNER, PASSWORD
            method = {"CRAM-MD5": client.auth_cram_md5, "LOGIN": client.auth_login,
                      "PLAIN": client.auth_plain}[mechanism]
            client.auth(mechanism, method, initial_response_ok=mechanism != "LOGIN")
            for data in messages:
                client.send_message(email.message_from_bytes(data, policy=email.policy.SMTP))
    with smtp(sandbox) as client:  # two recipients, one message sent as a string
        client.sendmail(LEARNER, [FRIEND, LEARNER], GOOD.decode())
    assert sandbox.wait_until_idle()
    records = sandbox.sessions
    assert len(records) == 5 and sum(r.messages for r in records) == 14
    for record in records:
        analysis = analyse(record.chunks)
        assert analysis.findings == (), record.id
        assert analysis.messages == record.messages
        assert analysis.username == record.username


def test_a_recorded_ten_megabyte_message_is_linted(sandbox):
    line = b"0123456789" * 7 + b"\r\n"
    content = GOOD + line * (10_000_000 // len(line)) + b".bad\r\n.\r\n"  # 10 MB
    w = Wire.to(sandbox).ehlo()
    assert w.mail(content).startswith(b"250")
    w.quit()
    record = recorded(sandbox)
    assert len(record.chunks) > 20  # arrived in many reads
    [finding] = lint_session(record.chunks)
    assert finding.key == "dot-not-stuffed"
    assert finding.offset == bytes(w.sent).index(b".bad")
    assert finding.line == line_of(bytes(w.sent), finding.offset)
