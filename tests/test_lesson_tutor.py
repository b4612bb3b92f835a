"""Lessons that forgive and remember: what a step checks, normalised answers, hints that fit the
state, DATA-mode suggestions, progress and the next lesson; every REPL run against the real
sandbox on loopback, through prompt_toolkit's pipe input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from repl_driver import RIGHT, sandbox_target
from test_lessons import GOOD

from explorer.core.commands import MessageData
from explorer.lessons.judge import state_hint
from explorer.lessons.loader import check_lesson, find_lesson, lesson_name, list_lessons, load_lesson
from explorer.lessons.model import Question, fill
from explorer.lessons.progress import Progress, load_progress, progress_file
from explorer.lessons.tutor import Tutor, fast_forward
from explorer.lint import Envelope, lint_message
from explorer.repl.app import Repl
from explorer.repl.console import Console

LESSON = GOOD + """
[[step]]
narration = "Sender."
command = "MAIL FROM:<{sender}>"
argument = "FROM:<[^@]+@sandbox\\\\.test>"
reply = 250
"""


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SMTP_EXPLORER_DATA", str(tmp_path / "data"))
    return tmp_path / "data"


def run_lesson(box, lesson, keys: list[str], start: int = 0) -> tuple[Tutor, str]:
    """Run ``lesson`` in the REPL from step ``start`` (the steps before replayed on the REPL's own
    engine, as ``run_interactive`` does), typing each of ``keys`` and Enter, then Ctrl-D."""
    tutor = Tutor(lesson, dict(lesson.variables), box, start)
    shown: list[str] = []
    with create_pipe_input() as pipe:
        repl = Repl(sandbox_target(box), sandbox=lambda: box, console=Console(write=shown.append), input=pipe,
                    output=DummyOutput(), variables=dict(lesson.variables), tutor=tutor)
        assert fast_forward(lesson, repl.engine, dict(lesson.variables), box, start)
        pipe.send_text("".join(key + "\r" for key in keys) + "\x04")
        assert repl.run() == 0
    return tutor, "".join(shown)


# -- what a step checks --------------------------------------------------------------------------

def test_helo_with_any_name_passes_and_the_argument_rule_is_checked(sandbox, tmp_path, data) -> None:
    path = tmp_path / "forgiving.toml"
    path.write_text(LESSON, encoding="utf-8")
    lesson = load_lesson(path)
    tutor, shown = run_lesson(sandbox, lesson, [RIGHT, "HELO Alice", "MAIL FROM:<x@elsewhere.example>",
                                                "RSET", "mail from:<Alice@Sandbox.Test>"])
    assert "C: HELO Alice\\r\\n" in shown and "   step passed: got 250" in shown
    assert "not yet: this step wants MAIL with an argument like FROM:<learner@sandbox.test>" in shown
    assert tutor.finished and "Lesson complete: T" in shown


def test_the_default_rules_per_verb(sandbox, data) -> None:
    lesson = load_lesson(find_lesson("anatomy"))
    # Step 3 (MAIL) compares the verb only (verb = "MAIL"); step 7 (QUIT) the whole line.
    _tutor, shown = run_lesson(sandbox, lesson, ["MAIL FROM:<someone@sandbox.test>"], start=2)
    assert "   step passed: got 250" in shown
    mail = lesson.steps[2]
    assert mail.verb == "MAIL"
    _tutor, shown = run_lesson(sandbox, lesson, ["HELP", "quit"], start=6)
    assert "not yet: this step wants a QUIT command" in shown
    assert "   step passed: got 221" in shown


# -- answers ---------------------------------------------------------------------------------------

CHOICE = Question("choice", "?", ("The client, with HELO", "The server, with its 220 greeting"),
                  ("2", "The server, with its 220 greeting"))
TEXT = Question("text", "?", (), ("354",))
ZH = Question("choice", "?", ("客户端，发送 HELO", "邮件服务器，发送 220 欢迎信息"), ("2", "邮件服务器，发送 220 欢迎信息"))
FIVE = Question("text", "?", (), ("CRLF.CRLF", "\\r\\n.\\r\\n", "CR LF . CR LF"))


@pytest.mark.parametrize("question,answer,verdict", [
    (CHOICE, "2", True), (CHOICE, " 2. ", True), (CHOICE, "(2)", True), (CHOICE, "２", True),
    (CHOICE, "the server, with its 220 greeting", True), (CHOICE, "THE SERVER WITH ITS 220 GREETING!", True),
    (CHOICE, "1", False), (CHOICE, "The client, with HELO.", False),
    (CHOICE, "3", None), (CHOICE, "the server", None), (CHOICE, "", None),
    (TEXT, "354", True), (TEXT, "354.", True), (TEXT, "'354'", True), (TEXT, "３５４", True), (TEXT, "250", False),
    (FIVE, "crlf.crlf", True), (FIVE, "CR LF . CR LF", True), (FIVE, "\\r\\n.\\r\\n", True), (FIVE, ".", False),
    (FIVE, "CRLFCRLF", False),
    (ZH, "邮件服务器，发送 220 欢迎信息", True), (ZH, "邮件服务器 发送220欢迎信息。", True), (ZH, "邮件服务器发送 220 欢迎信息", True),
    (ZH, "邮件服务器 发送 220 欢迎信息！", True), (ZH, "客户端，发送 HELO", False), (ZH, "邮件服务器", None),
])
def test_answers_are_normalised(question: Question, answer: str, verdict: bool | None) -> None:
    assert question.check(answer) is verdict


def test_an_empty_answer_is_no_attempt(sandbox, data) -> None:
    lesson = load_lesson(find_lesson("anatomy"))
    # Step 5 (DATA) asks a text question: Enter alone asks again, it is not a wrong answer.
    tutor, shown = run_lesson(sandbox, lesson, [RIGHT, "", "   ", "354"], start=4)
    assert "not quite" not in shown
    assert shown.count("(type your answer; /skip moves on without answering)") == 3
    assert "right: Right: 354" in shown and tutor.index == 5


# -- hints that fit the state --------------------------------------------------------------------

def test_back_into_an_open_transaction_suggests_rset(sandbox, data) -> None:
    lesson = load_lesson(find_lesson("anatomy"))
    # From step 4 (RCPT, MAIL already accepted), /back to step 3 (MAIL): the transaction is open.
    tutor, shown = run_lesson(sandbox, lesson, ["/back", RIGHT, RIGHT], start=3)
    hint = ("where you are: A mail transaction is already open (the server accepted MAIL FROM): type RSET to end it")
    assert " ".join(shown.split()).count(hint) == 1  # when the step starts
    assert "next: RSET" in shown and "C: RSET\\r\\n" in shown
    assert "not yet" not in shown.split("C: RSET")[1].split("C: QUIT")[0]  # what it suggested is no miss
    assert "C: MAIL FROM:<learner@sandbox.test>\\r\\n" in shown.split("C: RSET\\r\\n")[1]
    assert tutor.index == 3  # MAIL passed after the RSET: on to RCPT again


@pytest.mark.parametrize("step,state,expected", [
    (2, "mail", ("state-rset", "RSET")), (2, "greeted", ("state-helo", None)), (3, "ready", ("state-mail", None)),
    (4, "mail", ("state-rcpt", None)), (2, "ready", None), (1, "not-connected", ("state-connect", "/connect")),
    (4, "data", ("state-data", None)), (4, "auth-exchange", ("state-auth", None)),
    (5, "rcpt", ("state-no-data", "DATA")), (5, "ready", ("state-no-data", None)), (5, "data", None),
])
def test_state_hints_follow_the_state_table(step: int, state: str, expected) -> None:
    from explorer.core.states import State
    from explorer.lessons.texts import text

    lesson = load_lesson(find_lesson("anatomy"))
    the_step = lesson.steps[step]
    hint, fix = state_hint(the_step, State(state), lesson.variables)
    if expected is None:
        assert (hint, fix) == (None, None)
    else:
        key, command = expected
        values = {"command": fill(the_step.send, lesson.variables)} if the_step.kind == "command" else {}
        assert hint == text(key, **values) and fix == command
    assert state_hint(the_step, State(state), lesson.variables, "zh")[0] != hint or hint is None


def test_an_auth_answer_with_no_334_pending() -> None:
    from explorer.core.states import State
    from explorer.lessons.texts import text

    lesson = load_lesson(find_lesson("auth-login"))
    answer = next(s for s in lesson.steps if s.kind == "auth")
    assert state_hint(answer, State.READY, lesson.variables) == (text("state-no-auth"), None)
    assert state_hint(answer, State.AUTH_EXCHANGE, lesson.variables) == (None, None)


def test_a_step_that_expects_an_error_is_out_of_order_on_purpose() -> None:
    from explorer.core.states import State

    lesson = load_lesson(find_lesson("reply-codes"))
    rcpt_first = next(s for s in lesson.steps if s.reply.codes == frozenset({503}))
    assert state_hint(rcpt_first, State.READY, lesson.variables) == (None, None)


# -- DATA mode -------------------------------------------------------------------------------------

def test_in_data_mode_a_raw_step_is_what_the_suggestion_offers(sandbox, data) -> None:
    lesson = load_lesson(find_lesson("message"))
    raw = next(s for s in lesson.steps if s.kind == "raw" and "Subject" in s.send)
    message = lesson.steps[raw.index + 1]
    lines = fill(message.send, lesson.variables).strip("\n").split("\n")
    tutor, shown = run_lesson(sandbox, lesson, [RIGHT] + [RIGHT] * len(lines) + [RIGHT], start=raw.index)
    assert "next: /raw Subject: a header with a tab bug\\t\\n" in shown
    assert "C: Subject: a header with a tab bug\\t\\n" in shown
    (stored,) = sandbox.messages()
    body = stored.data.split(b"Subject: a header with a tab bug\t\n", 1)[1]
    assert body.startswith(b"From: <learner@sandbox.test>\r\nTo: <friend@sandbox.test>\r\nDate: ")
    assert stored.data.count(b"From: <") == 1
    assert tutor.index == message.index and tutor.asking  # passed: its question waits


# -- progress and the next lesson ------------------------------------------------------------------

def test_a_finished_lesson_is_recorded_listed_and_the_next_one_offered(sandbox, data) -> None:
    lesson = load_lesson(find_lesson("anatomy"))
    tutor, shown = run_lesson(sandbox, lesson, [RIGHT], start=6)  # QUIT, the last step
    assert tutor.finished
    assert "Lesson complete: Anatomy of a session" in shown
    assert "Next lesson: AUTH LOGIN and Base64. Type /quit, then: smtp-explorer lesson auth-login" in shown
    assert load_progress()[str(lesson.path.resolve())] == Progress(0, True)
    assert progress_file().parent == data
    Tutor(load_lesson(find_lesson("reply-codes")), {}, None).skip()  # begun: at step 2
    listed = subprocess.run([sys.executable, "-m", "explorer", "lesson", "list"], capture_output=True, text=True,
                            timeout=60).stdout.splitlines()
    assert listed[0].startswith("anatomy ") and listed[0].endswith("Anatomy of a session  [done]")
    assert listed[2].endswith("Reply codes and recovery  [at step 2]")
    assert listed[1].endswith("AUTH LOGIN and Base64")
    # With anatomy done, finishing auth-login offers reply-codes (the next one not done).
    assert Tutor(load_lesson(find_lesson("auth-login")), {}, None, start=8).skip()[-1] == [
        ("note", "Next lesson: Reply codes and recovery. Type /quit, then: smtp-explorer lesson reply-codes")]


def test_an_old_or_hand_edited_progress_file_is_read_or_ignored(data) -> None:
    data.mkdir()
    progress_file().write_text('{"/a.toml": 3, "/b.toml": {"step": 1, "done": true}, "/c.toml": {"step": -1},'
                               ' "/d.toml": "x"}', encoding="utf-8")
    assert load_progress() == {"/a.toml": Progress(3), "/b.toml": Progress(1, True)}
    progress_file().write_text("[not json", encoding="utf-8")
    assert load_progress() == {}


# -- the bundled lessons' own messages ------------------------------------------------------------

MESSAGES = [(path, step) for path in list_lessons() for step in load_lesson(path).steps if step.kind == "message"]


@pytest.mark.parametrize("path,step", MESSAGES, ids=[f"{lesson_name(p)}-{s.index + 1}" for p, s in MESSAGES])
def test_every_bundled_lesson_message_passes_the_linter(path: Path, step) -> None:
    lesson = load_lesson(path)
    sender = next(fill(s.send, lesson.variables) for s in lesson.steps[:step.index]
                  if s.kind == "command" and s.send.upper().startswith("MAIL FROM:"))
    mail_from = sender.split("<", 1)[1].split(">", 1)[0]
    wire = MessageData.from_text(fill(step.send, lesson.variables)).to_bytes()
    assert wire.endswith(b"\r\n.\r\n")
    assert lint_message(wire[:-3], envelope=Envelope(mail_from=mail_from, smtputf8="SMTPUTF8" in sender)) == []


def test_there_are_bundled_messages_to_lint() -> None:
    assert len(MESSAGES) >= 4 and all(check_lesson(path) == [] for path, _ in MESSAGES)


def test_lang_switches_the_lesson_and_the_tutor(sandbox, data) -> None:
    lesson = load_lesson(find_lesson("anatomy"))
    chinese = load_lesson(find_lesson("anatomy"), "zh").steps[1]
    _tutor, shown = run_lesson(sandbox, lesson, ["/lang zh", "/lesson", "EHLO me"], start=1)
    switched = " ".join(shown.split("-- 步骤 2/7 --", 1)[1].split())
    assert " ".join(chinese.narration.split())[:20] in switched  # the lesson's own translation
    assert f"还不对：这一步要的是 HELO 命令 提示 1/2：{chinese.hints[0]}" in switched


def test_after_the_connection_is_lost_the_tutor_offers_connect_and_does_not_count_it(sandbox, data) -> None:
    lesson = load_lesson(find_lesson("anatomy"))
    # At step 3 (MAIL), QUIT ends the session: a miss; /connect, offered, is no miss; then
    # HELO (not this step's command, a miss that makes MAIL possible) and MAIL pass the step.
    tutor, shown = run_lesson(sandbox, lesson, ["QUIT", RIGHT, "HELO again", RIGHT], start=2)
    assert "where you are: There is no connection: type /connect first." in shown
    assert "next: /connect" in shown
    between = shown.split("next: /connect", 1)[1].split("C: HELO again")[0]
    assert "S: 220 " in between and "not yet" not in between
    assert tutor.index == 3 and shown.split("-- step 4/7 --")[0].count("not yet: ") == 2


def test_progress_that_cannot_be_written_never_stops_a_lesson(data) -> None:
    from explorer.lessons.progress import save_step

    lesson = load_lesson(find_lesson("anatomy"))
    save_step(lesson.path, 2)
    assert load_progress() == {str(lesson.path.resolve()): Progress(2)}
    assert not list(data.glob("*.partial"))
    progress_file().unlink()
    progress_file().mkdir()  # a folder where the file should be: the write fails
    tutor = Tutor(lesson, dict(lesson.variables), None)
    assert tutor.skip() == [[("dim", "   skipped step 1")]]
    assert load_progress() == {} and tutor.index == 1
