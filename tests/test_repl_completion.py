"""Completion, ghost-text suggestions and the toolbar, tested directly with Document."""

from __future__ import annotations

from prompt_toolkit.buffer import Buffer
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from explorer.core import commands as c
from explorer.client.engine import Target
from explorer.core.states import State
from explorer.repl.app import Repl
from explorer.repl.console import Console
from explorer.repl.suggest import SmtpCompleter, StepSuggest, toolbar


def make_repl() -> Repl:
    with create_pipe_input() as pipe:
        return Repl(Target("127.0.0.1", 2525), console=Console(write=lambda _: None), input=pipe,
                    output=DummyOutput())


def drive(repl: Repl, *exchanges: tuple, greeting: bytes = b"220 sandbox.test ESMTP\r\n") -> None:
    """Feed the session as if these commands had been sent and answered (no server needed)."""
    session = repl.engine.session
    if session.state is State.NOT_CONNECTED:
        session.connection_made()
        session.receive_data(greeting)
        repl.addresses.answered(session.next_event())
    for outgoing, reply in exchanges:
        session.send(outgoing)
        if isinstance(outgoing, c.Command):
            repl.addresses.sent(outgoing)
        session.receive_data(reply)
        repl.addresses.answered(session.next_event())


def complete(repl: Repl, text: str) -> list[str]:
    return [x.text for x in SmtpCompleter(repl).get_completions(Document(text), CompleteEvent())]


def test_verbs_sensible_first() -> None:
    repl = make_repl()
    drive(repl)
    assert complete(repl, "")[:2] == ["HELO", "EHLO"]
    assert complete(repl, "e") == ["EHLO", "EXPN"]
    drive(repl, (c.ehlo("me"), b"250-mx\r\n250 AUTH PLAIN LOGIN\r\n"))
    first = complete(repl, "")
    assert first.index("AUTH") < first.index("RCPT") and first.index("MAIL") < first.index("DATA")


def test_arguments_from_variables_and_advertised_mechanisms() -> None:
    repl = make_repl()
    drive(repl, (c.ehlo("me"), b"250-mx\r\n250 AUTH PLAIN CRAM-MD5\r\n"))
    assert complete(repl, "MAIL ") == ["FROM:<learner@sandbox.test>"]
    assert complete(repl, "mail FR") == ["FROM:<learner@sandbox.test>"]
    assert complete(repl, "RCPT T") == ["TO:<friend@sandbox.test>"]
    assert complete(repl, "AUTH ") == ["PLAIN", "CRAM-MD5"]
    assert complete(repl, "AUTH c") == ["CRAM-MD5"]
    assert complete(repl, "EHLO ") == ["client.example"]
    repl.submit("/set sender me@example.org")
    assert complete(repl, "MAIL ") == ["FROM:<me@example.org>"]


def test_slash_commands_and_their_arguments() -> None:
    repl = make_repl()
    assert complete(repl, "/sc") == ["/scenario"]
    assert complete(repl, "/h") == ["/help", "/hex", "/history"]
    assert "greylist" in complete(repl, "/scenario gr")
    assert complete(repl, "/b64 d") == ["decode"]
    assert complete(repl, "/connect --st") == ["--starttls"]


def test_ghost_text_is_the_expected_step() -> None:
    repl = make_repl()
    suggest = StepSuggest(repl.suggestion)

    def ghost(text: str) -> str | None:
        found = suggest.get_suggestion(Buffer(), Document(text))
        return found.text if found else None

    assert ghost("") == "/connect"
    drive(repl)
    assert ghost("") == "EHLO client.example" and ghost("eh") == "LO client.example"
    assert ghost("HELO") is None  # the learner went another way: no ghost
    drive(repl, (c.ehlo("me"), b"250 mx\r\n"))
    assert ghost("") == "MAIL FROM:<learner@sandbox.test>"


def test_toolbar_shows_server_stage_tls_auth_and_next() -> None:
    repl = make_repl()
    drive(repl, (c.ehlo("me"), b"250-mx\r\n250 STARTTLS\r\n"))
    text = "".join(t for _, t in toolbar(repl))
    assert text == " 127.0.0.1:2525 | ready | TLS off | AUTH no | next: STARTTLS "


def test_an_out_of_order_verb_is_marked_in_the_learners_language() -> None:
    from prompt_toolkit.formatted_text import to_plain_text

    repl = make_repl()
    drive(repl)
    metas = {x.text: to_plain_text(x.display_meta) for x in SmtpCompleter(repl).get_completions(Document(""), CompleteEvent())}
    assert metas["EHLO"] == "" and metas["DATA"] == "out of order now"
    repl.lang = "zh"
    metas = {x.text: to_plain_text(x.display_meta) for x in SmtpCompleter(repl).get_completions(Document(""), CompleteEvent())}
    assert metas["EHLO"] == "" and metas["DATA"] == "现在发送不合顺序"


def test_set_usage_in_chinese() -> None:
    from repl_driver import run_repl

    _, shown = run_repl(Target("127.0.0.1", 9), ["/lang zh", "/set nothing"])
    assert "用法：/set 名称 值，名称可以是 " in shown.split("简体中文", 1)[1]
