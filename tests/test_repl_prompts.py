"""Prompts that follow the session: addresses learnt rather than fixed, honest "next:" hints,
a /raw line left open, and Base64 pasted where a plain user name belongs."""

from __future__ import annotations

from repl_driver import RIGHT, run_repl, sandbox_target
from scripted_server import ScriptedServer

from explorer.core.states import State
from explorer.client.engine import Target
from explorer.repl.app import Repl
from explorer.repl.console import Console
from explorer.repl.suggest import toolbar

FRIEND_PLAIN = "AGZyaWVuZEBzYW5kYm94LnRlc3QAZnJpZW5kMTIz"  # \0friend@sandbox.test\0friend123


def client_lines(box) -> bytes:
    return b"".join(c.data for s in box.sessions for c in s.chunks if c.direction == "client")


def bar(repl: Repl) -> str:
    return "".join(text for _, text in toolbar(repl, columns=300))


def test_a_real_server_gets_no_sandbox_address() -> None:
    server = ScriptedServer([("send", b"220 mx.example.org ESMTP\r\n"), ("read",), ("send", b"250 mx\r\n"),
                             ("read",), ("send", b"221 bye\r\n")])
    repl = Repl(Target("127.0.0.1", server.port, timeout=5), console=Console(write=lambda _: None))
    repl.connect([])
    repl.submit("EHLO me")
    assert repl.suggestion() is None
    assert repl.next_step() == "MAIL FROM:<...>  (type it in, or /set sender VALUE)"
    assert "sandbox.test" not in bar(repl)
    repl.submit("/set sender me@example.org")
    assert repl.suggestion() == "MAIL FROM:<me@example.org>"
    repl.submit("QUIT")
    server.close()


def test_suggestions_follow_the_login_the_recipient_typed_and_the_envelope(sandbox) -> None:
    keys = ["/connect", "EHLO me", f"AUTH PLAIN {FRIEND_PLAIN}",
            RIGHT,  # MAIL FROM: the address that logged in, not the demo learner
            "RCPT TO:<learner@sandbox.test>", "DATA", RIGHT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT,
            "MAIL FROM:<friend@sandbox.test>",  # after a message the suggestion is QUIT: typed
            RIGHT]  # RCPT TO: the recipient last typed
    repl, shown = run_repl(sandbox_target(sandbox), keys, sandbox=lambda: sandbox)
    sent = client_lines(sandbox)
    assert sent.count(b"MAIL FROM:<friend@sandbox.test>\r\n") == 2
    assert sent.count(b"RCPT TO:<learner@sandbox.test>\r\n") == 2
    assert b"\r\nFrom: <friend@sandbox.test>\r\nTo: <learner@sandbox.test>\r\n" in sent  # as the envelope
    assert "S: 250 2.0.0" in shown


def test_next_never_says_wait_while_the_learner_must_type(sandbox) -> None:
    repl = Repl(sandbox_target(sandbox), console=Console(write=lambda _: None), sandbox=lambda: sandbox)
    repl.connect([])
    for line in ("EHLO me", "AUTH LOGIN", "learner@sandbox.test"):
        repl.submit(line)
    assert repl._prompt_message()[0][1] == "auth password> "
    assert "| next: type the password (hidden as you type) " in bar(repl)
    repl.submit("password123")
    for line in ("MAIL FROM:<learner@sandbox.test>", "RCPT TO:<friend@sandbox.test>", "DATA"):
        repl.submit(line)
    for _ in range(6):  # the template's lines and past them: the learner writes on
        assert "wait for the server" not in bar(repl)
        repl.submit("a line")
    assert bar(repl).endswith("| next: . ")  # past the template: the end of the message
    repl.submit(".")
    repl.submit("QUIT")


def test_raw_without_a_line_end_is_finished_by_the_suggestion_and_ctrl_d_does_not_glue_quit(sandbox) -> None:
    repl, shown = run_repl(sandbox_target(sandbox), ["/connect", "EHLO me", "/raw NOOP", RIGHT, "/raw QUIT"],
                           sandbox=lambda: sandbox)
    sent = client_lines(sandbox)
    assert b"NOOP\r\n" in sent and b"QUITQUIT" not in sent and sent.endswith(b"QUIT\r\n")
    assert "C: \\r\\n" in shown and "S: 221 " in shown
    assert shown.count("next: /raw \\r\\n") >= 2


def test_base64_pasted_at_the_username_prompt_is_noticed_and_asked(sandbox) -> None:
    pasted = "bGVhcm5lckBzYW5kYm94LnRlc3Q="  # Base64 of learner@sandbox.test
    repl, shown = run_repl(sandbox_target(sandbox), ["/connect", "EHLO me", "AUTH LOGIN", pasted, RIGHT,
                                                     "password123", "QUIT"], sandbox=lambda: sandbox)
    flat = " ".join(shown.split())
    assert "That looks like Base64 already: it decodes to 'learner@sandbox.test'." in flat
    sent = client_lines(sandbox)
    assert sent.count(pasted.encode() + b"\r\n") == 1  # once, for the one the server decoded
    assert b"YkdWaGNtNWxja0J6WVc1a1ltOTRMblJsYzNRPQ==" not in sent  # never encoded twice
    assert "S: 235 " in shown


def test_base64_typed_again_after_the_question_is_sent_as_typed(sandbox) -> None:
    pasted = "bGVhcm5lckBzYW5kYm94LnRlc3Q="
    repl, shown = run_repl(sandbox_target(sandbox), ["/connect", "EHLO me", "AUTH LOGIN", pasted, pasted, "*"],
                           sandbox=lambda: sandbox)
    assert b"YkdWaGNtNWxja0J6WVc1a1ltOTRMblJsYzNRPQ==\r\n" in client_lines(sandbox)
    assert repl.engine.state is State.CLOSED
