"""The REPL driven through pipe input against the real sandbox: what is sent, what is shown."""

from __future__ import annotations

import email

import pytest
from repl_driver import RIGHT, run_repl, sandbox_target

from explorer.core.states import State


def flat(text: str) -> str:
    """The output with line wrapping undone, to look for a phrase."""
    return " ".join(text.split())


def client_bytes(box) -> bytes:
    (record,) = [s for s in box.sessions]
    return b"".join(c.data for c in record.chunks if c.direction == "client")


def test_complete_session_with_auth_login_and_a_dot_stuffed_line(sandbox) -> None:
    keys = [
        RIGHT,  # /connect, the first suggestion
        RIGHT,  # EHLO client.example
        "AUTH LOGIN",  # (STARTTLS is suggested; the learner chooses otherwise)
        RIGHT,  # the username suggestion
        "password123",  # typed masked
        RIGHT,  # MAIL FROM:<learner@sandbox.test>
        RIGHT,  # RCPT TO:<friend@sandbox.test>
        RIGHT,  # DATA
        "Subject: dots", "", ".leading dot", "last line", ".",
        "QUIT",
    ]
    repl, shown = run_repl(sandbox_target(sandbox), keys, sandbox=lambda: sandbox)
    assert client_bytes(sandbox) == (
        b"EHLO client.example\r\n"
        b"AUTH LOGIN\r\n"
        b"bGVhcm5lckBzYW5kYm94LnRlc3Q=\r\n"
        b"cGFzc3dvcmQxMjM=\r\n"
        b"MAIL FROM:<learner@sandbox.test>\r\n"
        b"RCPT TO:<friend@sandbox.test>\r\n"
        b"DATA\r\n"
        b"Subject: dots\r\n\r\n..leading dot\r\nlast line\r\n.\r\n"
        b"QUIT\r\n"
    )
    # What the learner saw: the greeting first, the bytes of each command, the decoded
    # challenges, the Base64 of both answers, the dot-stuffing, the replies and states.
    assert "S: 220 sandbox.test" in shown
    assert shown.index("S: 220") < shown.index("C: EHLO client.example\\r\\n")
    assert "S: 250-AUTH LOGIN PLAIN CRAM-MD5\\r\\n" in shown
    assert "challenge decoded: Username:" in shown and "challenge decoded: Password:" in shown
    assert "username: learner@sandbox.test  -> Base64: bGVhcm5lckBzYW5kYm94LnRlc3Q=" in shown
    # The password's Base64 would undo the mask: the placeholder stands for it (test_repl_secrets).
    assert "password: ***********  -> Base64: <secret removed>" in shown
    assert "password123" not in shown and "cGFzc3dvcmQxMjM=" not in shown
    assert "Base64 is an encoding, not encryption" in flat(shown)
    assert "C: ..leading dot\\r\\n" in shown and "dot-stuffing" in shown
    assert "S: 235 2.7.0" in shown and "state: authenticating -> authenticated" in shown
    assert "S: 354 " in shown and "S: 221 " in shown
    assert repl.engine.state is State.CLOSED
    (stored,) = sandbox.messages()
    message = email.message_from_bytes(stored.data)
    assert message["Subject"] == "dots"
    assert message.get_payload() == ".leading dot\r\nlast line\r\n"


def test_out_of_order_is_sent_with_a_warning_and_strict_refuses(sandbox) -> None:
    keys = ["/connect", "MAIL FROM:<learner@sandbox.test>", "/strict", "RCPT TO:<friend@sandbox.test>", "/quit"]
    repl, shown = run_repl(sandbox_target(sandbox), keys, sandbox=lambda: sandbox)
    assert "warning (expect 503):" in shown
    assert "RFC 5321 wants HELO or EHLO first" in flat(shown)
    assert "S: 503 " in shown  # the real sandbox did answer 503
    assert "strict mode on" in shown
    assert "strict mode: not sent (helo-first)" in shown
    sent = client_bytes(sandbox)
    assert b"MAIL FROM:<learner@sandbox.test>\r\n" in sent
    assert b"RCPT" not in sent


def test_raw_bytes_and_a_command_without_line_end(sandbox) -> None:
    keys = ["/connect", "/raw HELO me\\n", "/raw NOOP", "/wait 0.3", "/raw \\r\\n", "/quit"]
    repl, shown = run_repl(sandbox_target(sandbox), keys, sandbox=lambda: sandbox)
    assert "C: HELO me\\n" in shown
    assert "no line ending: the server keeps waiting" in flat(shown)
    assert "nothing arrived in 0.3 s" in shown
    sent = client_bytes(sandbox)
    assert sent.startswith(b"HELO me\nNOOP\r\n")


def test_auth_plain_shows_three_parts_and_history_hides_the_secret(sandbox) -> None:
    keys = ["/connect", "EHLO me", "AUTH PLAIN", "learner@sandbox.test", "password123", "/history", "/quit"]
    repl, shown = run_repl(sandbox_target(sandbox), keys, sandbox=lambda: sandbox)
    assert "authzid NUL user NUL password: \\x00learner@sandbox.test\\x00***********" in shown
    assert "-> Base64: <secret removed>" in shown
    assert "S: 235 " in shown
    # The bytes about to go out and /history: the placeholder, the secret nowhere.
    assert shown.count("C: <secret removed>\\r\\n") == 2
    assert "AGxlYXJuZXJAc2FuZGJveC50ZXN0AHBhc3N3b3JkMTIz" not in shown


def test_cram_md5_guided(sandbox) -> None:
    keys = ["/connect", "EHLO me", "AUTH CRAM-MD5", "learner@sandbox.test", "password123", "/quit"]
    repl, shown = run_repl(sandbox_target(sandbox), keys, sandbox=lambda: sandbox)
    assert "user SP hex(HMAC-MD5(password, challenge)): learner@sandbox.test " in shown
    assert "S: 235 " in shown


def test_starttls_upgrades_and_marks_the_session(sandbox) -> None:
    keys = ["/connect", "EHLO me", "STARTTLS", "/state", "EHLO me", "/state", "/quit"]
    repl, shown = run_repl(sandbox_target(sandbox), keys, sandbox=lambda: sandbox)
    assert "TLS established: TLSv1" in shown
    assert "certificate: commonName=smtp-explorer sandbox" in shown
    assert "TLS: on" in shown
    assert "extensions the server offered:" in shown and "SIZE 10485760" in shown
    # The sandbox saw the second EHLO inside TLS, where the learner had to send it again.
    assert client_bytes(sandbox) == b"EHLO me\r\nSTARTTLS\r\nEHLO me\r\nQUIT\r\n"


def test_explorer_commands(sandbox) -> None:
    keys = ["/help", "/help rcpt", "/explain 535 5.7.8", "/b64 decode VXNlcm5hbWU6", "/b64 decode !!",
            "/hepl", "/state", "/scenario greylist", "/scenario", "/scenario nonsense", "/set sender me@x.y",
            "/inbox", "/frobnicate", "/quit"]
    repl, shown = run_repl(sandbox_target(sandbox), keys, sandbox=lambda: sandbox)
    assert "/explain CODE|REPLY" in shown  # /help lists the registry
    assert "RCPT TO:<recipient> [parameters]" in shown
    assert "535  " in shown and "5.7.8  enhanced status code" in shown
    assert "Username:" in shown and "an AUTH LOGIN challenge" in shown
    assert "error: invalid Base64:" in shown
    assert "unknown command /hepl; did you mean /help?" in shown
    assert "makes sense now: (no SMTP command)" in shown and "expected next: /connect" in shown
    assert "sandbox scenarios: greylist" in shown and sandbox.scenarios == frozenset({"greylist"})
    assert "* greylist" in shown
    assert "error: unknown scenario" in shown or "error: 'nonsense'" in shown
    assert repl.addresses.get("sender") == "me@x.y"
    assert "unknown command /frobnicate" in shown


def test_scenario_switch_changes_the_servers_answer(sandbox) -> None:
    keys = ["/connect", "EHLO me", "/scenario require-auth", "MAIL FROM:<learner@sandbox.test>", "/quit"]
    repl, shown = run_repl(sandbox_target(sandbox), keys, sandbox=lambda: sandbox)
    # the teaching sandbox, as Postfix on 25, accepts MAIL without AUTH; the scenario does not
    assert "note (expect 250):" in shown and "S: 530 5.7.0" in shown
    assert "the server answered 530, not the 250 predicted" in " ".join(shown.split())


def test_compose_fills_the_header(sandbox) -> None:
    keys = ["/connect", "HELO me", "MAIL FROM:<learner@sandbox.test>", "RCPT TO:<friend@sandbox.test>", "DATA",
            "/compose 你好", "", "body", ".", "/quit"]
    repl, shown = run_repl(sandbox_target(sandbox), keys, sandbox=lambda: sandbox)
    (stored,) = sandbox.messages()
    message = email.message_from_bytes(stored.data)
    assert str(email.header.make_header(email.header.decode_header(message["Subject"]))) == "你好"
    assert message["Message-ID"] and message["Date"] and message["From"] == "learner@sandbox.test"


def test_a_long_next_step_puts_its_bytes_on_a_line_of_their_own(sandbox) -> None:
    # 80 columns: "next: MAIL FROM:<...>   -> MAIL FROM:<...>\r\n" would wrap inside a token.
    _, out = run_repl(sandbox_target(sandbox), ["/connect", "HELO client.example", "/quit"])
    lines = out.splitlines()
    at = lines.index("next: MAIL FROM:<learner@sandbox.test>")
    assert lines[at + 1] == "   -> MAIL FROM:<learner@sandbox.test>\\r\\n"
    assert "next: EHLO client.example   -> EHLO client.example\\r\\n" in lines  # short: one line


def test_the_tls_lines_fit_80_columns_in_chinese(sandbox) -> None:
    from explorer.width import width

    keys = ["/lang zh", "/connect", "EHLO me", "STARTTLS", "/quit"]
    repl, shown = run_repl(sandbox_target(sandbox), keys, sandbox=lambda: sandbox)
    at = shown.index("   证书：commonName=smtp-explorer sandbox")
    tls = shown[shown.index("   TLS 已建立：TLSv1"):shown.index("\n", shown.index("teaching server", at))].split("\n")
    assert len(tls) >= 3 and all(width(line) <= 80 for line in tls), tls


def test_the_strict_refusal_is_wrapped_in_chinese() -> None:
    from explorer.client.engine import Target
    from explorer.width import width

    _, shown = run_repl(Target("127.0.0.1", 9), ["/lang zh", "/strict", "MAIL FROM:x"])
    start = shown.index("   严格模式：没有发送（not-connected, missing-angle-brackets）；")
    lines = shown[start:].split("\n")[:2]
    assert "可关闭严格模式" in lines[1] and all(width(line) <= 80 for line in lines), lines
