"""Issue 12: one recorded session, one renderer. A real sandbox session (a pipelined part, a
refused recipient, a command out of order, a second /connect) is shown by the REPL and its
/history, then read back by ``inspect``, the text, Markdown and HTML transcripts and replay; a
lesson runs under the autopilot. For every reply, each of them says the same words: the meaning
of its code and its explanation (``reply_texts``, made once from the knowledge tables), in
English and in Chinese.

Layouts differ (wrapped at other widths, indented, escaped for HTML or Markdown), words may not:
texts are compared with all white space removed, in the order the replies came.
"""

from __future__ import annotations

import html
import re

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from repl_driver import run_repl, sandbox_target

from explorer.client.engine import Engine
from explorer.commands import main
from explorer.knowledge.tables import text as table_text
from explorer.lessons.loader import find_lesson, load_lesson
from explorer.lessons.runner import autopilot
from explorer.repl.console import Console
from explorer.repl.view import session_lines
from explorer.reports.fmt import marker_text
from explorer.reports.html import render_html
from explorer.reports.inspector import annotate as inspect_lines
from explorer.reports.markdown import md_text, render_markdown
from explorer.reports.model import Exchange, Transcript
from explorer.reports.replay import Replay
from explorer.reports.save import save_engine_session
from explorer.reports.sources import load_transcript
from explorer.reports.text import render_text

PIPELINED = ("/raw MAIL FROM:<learner@sandbox.test>\\r\\nRCPT TO:<friend@sandbox.test>\\r\\n"
             "RCPT TO:<nobody@sandbox.test>\\r\\n")
KEYS = ["/connect", "EHLO client.example", PIPELINED, "RSET", "DATA", "QUIT",
        "/connect", "HELO again.example", "NOOP", "QUIT"]


def _flat(text: str) -> str:
    return "".join(text.split())


def _words(exchange: Exchange) -> list[str]:
    """What every front end must say about a reply: its meaning, then its explanation."""
    return [exchange.meaning, *exchange.explanation]


def _replies(transcript: Transcript) -> list[Exchange]:
    return [e for e in transcript.exchanges if e.kind == "reply"]


def assert_said_in_order(shown: str, replies: list[Exchange], escape=lambda s: s) -> None:
    """Each reply's words are in ``shown``, reply after reply, each word after the last."""
    flat, position = _flat(shown), 0
    for exchange in replies:
        for words in _words(exchange):
            found = flat.find(_flat(escape(words)), position)
            assert found >= 0, (exchange.label, words)
            position = found + 1


@pytest.fixture(params=["en", "zh"])
def session(request, make_sandbox, tmp_path):
    """The REPL's screen, the saved file and its transcript, in one language."""
    lang = request.param
    sandbox = make_sandbox(scenarios=["unknown-recipient"])  # nobody@ is refused
    repl, screen = run_repl(sandbox_target(sandbox), KEYS + ["/history"], sandbox=lambda: sandbox,
                            lang=lang)
    path = tmp_path / "session.jsonl"
    save_engine_session(repl.engine, path, lang=lang)
    return lang, screen, path, load_transcript(path, lang=lang)


def test_the_session_holds_what_the_test_is_about(session) -> None:
    _, _, _, transcript = session
    replies = _replies(transcript)
    assert transcript.connections == 2
    # the pipelined MAIL and RCPTs are each answered, in order, the refused one too
    answered = [(e.code // 100, transcript.exchanges[e.answers].name) for e in replies
                if e.answers is not None]
    assert answered[:5] == [(2, "EHLO"), (2, "MAIL"), (2, "RCPT"), (5, "RCPT"), (2, "RSET")]
    assert all(e.explanation for e in replies)


def test_the_repl_inspect_transcripts_and_replay_give_each_reply_the_same_words(session) -> None:
    lang, screen, path, transcript = session
    replies = _replies(transcript)
    assert_said_in_order(screen, replies)  # as the learner saw them, live
    from explorer.recording import read_recordings

    [recording] = read_recordings(path)
    assert_said_in_order("\n".join(inspect_lines(recording.chunks, lang=lang)), replies)
    assert_said_in_order(render_html(transcript), replies, html.escape)
    assert_said_in_order(render_markdown(transcript), replies, md_text)
    # the text transcript is RFC 5321's notation: the wire alone
    text = render_text(transcript)
    for exchange in replies:
        assert f"S: {exchange.data.decode().splitlines()[0]}" in text
    shown: list[str] = []
    with create_pipe_input() as pipe:
        Replay(transcript, console=Console(write=shown.append), input=pipe,
               output=DummyOutput()).show_all()
    assert_said_in_order("".join(shown), replies)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_autopilot_explains_each_reply_as_the_repl_does(sandbox, tmp_path, lang) -> None:
    lesson = load_lesson(find_lesson("anatomy"))
    engine = Engine(sandbox_target(sandbox))
    out: list[str] = []
    assert autopilot(lesson, engine, lesson.variables, sandbox, out.append, lang)
    path = tmp_path / "auto.jsonl"
    save_engine_session(engine, path, lang=lang)
    replies = _replies(load_transcript(path, lang=lang))
    assert len(replies) == len(re.findall(r"^   S: \d{3}", "\n".join(out), re.M))
    assert_said_in_order("\n".join(out), replies)


def test_history_is_the_saved_session_line_for_line(session) -> None:
    """/history reads the session as /save and the transcripts do: both connections, where
    each opened and closed, every exchange as the wire had it."""
    lang, screen, _, transcript = session
    shown = ["".join(text for _, text in line) for line in session_lines(transcript)]
    assert "   " + marker_text("connection-opened", lang, number=2) in shown
    assert screen.rstrip("\n").endswith("\n".join(shown))


def test_explain_says_what_to_do_in_the_words_a_reply_in_a_session_gets(session, capsys) -> None:
    """``smtp-explorer explain CODE`` and the session's explanation share each text."""
    lang, _, _, transcript = session
    refused = next(e for e in _replies(transcript) if e.code == 503)  # DATA after RSET
    label = _flat(table_text("explain", "what-to-do", lang, text=""))
    [what_to_do] = [line for line in refused.explanation if _flat(line).startswith(label)]
    assert main(["--lang", lang, "explain", str(refused.code)]) == 0
    assert _flat(what_to_do) in _flat(capsys.readouterr().out)
