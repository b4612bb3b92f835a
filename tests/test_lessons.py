"""Lessons: the loader and checker on good and broken files, the autopilot on every bundled
lesson against the sandbox, and one lesson run interactively through the REPL."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import pytest
from clients import LEARNER, PASSWORD
from repl_driver import RIGHT

from explorer.client.engine import Engine, Target
from explorer.lessons.loader import bundled_dir, check_lesson, find_lesson, lesson_name, list_lessons, load_lesson
from explorer.lessons.runner import autopilot

BUNDLED = list_lessons()
GOOD = """\
title = "T"
summary = "S"
level = "beginner"
language = "en"

[variables]
sender = "learner@sandbox.test"

[[step]]
narration = "Connect."
connect = true

[[step]]
narration = "Greet."
command = "HELO me"
reply = 250
"""


def write(tmp_path: Path, text: str, name: str = "lesson.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    return [f"{p.line}: {p.field}: {p.message}" for p in check_lesson(write(tmp_path, text))]


def test_a_good_lesson_loads(tmp_path: Path) -> None:
    lesson = load_lesson(write(tmp_path, GOOD, "07-good-one.toml"))
    assert lesson.name == "good-one" and [s.kind for s in lesson.steps] == ["connect", "command"]
    assert lesson.steps[0].reply.accepts(220) and not lesson.steps[1].reply.accepts(251)


BROKEN = [
    # (what is changed in GOOD, the exact "line: field: message" expected)
    (("level = \"beginner\"", "level = \"expert\""), "3: level: must be one of beginner, intermediate, advanced"),
    (("summary = \"S\"\n", ""), "1: summary: missing (required)"),
    (("title = \"T\"", "title = \"T\"\ncolour = \"red\""), "2: colour: unknown key (allowed: language, level, needs, step, summary, title, variables)"),
    (("command = \"HELO me\"", "command = \"MAIL FROM:<{nobody}>\""),
     "15: step 2.command: uses {nobody}, a variable the lesson never defines (add it under [variables])"),
    (("reply = 250", "reply = 299"), "16: step 2.reply: 299 is not a reply code that exists (see smtp-explorer explain)"),
    (("reply = 250", "reply = 354"), "16: step 2.reply: 354 never answers HELO: this step can never pass"),
    (("reply = 250", "reply = 250\npattern = \"EHLO .*\""), "17: step 2.pattern: does not match the step's own command 'HELO me'"),
    (("reply = 250", "reply = 250\nverb = \"EHLO\""), "17: step 2.verb: the step's own command is HELO, so it can never pass"),
    (("reply = 250", "reply = 250\nstate = \"nowhere\""), None),
    (("narration = \"Greet.\"\n", ""), "13: step 2.narration: missing (required)"),
    (("command = \"HELO me\"\n", ""), None),
    (("reply = 250", "reply = 250\nhint = [\"x\"]"), "17: step 2.hint: unknown key"),
    (("reply = 250", "reply = 250\nscenario = [\"rainy-day\"]"), "17: step 2.scenario: unknown scenario"),
    (("reply = 250", "reply = 250\n[step.question]\nkind = \"choice\"\nprompt = \"?\"\nchoices = [\"a\", \"b\"]\nanswer = 3"),
     "21: step 2.question.answer: must be the number of the right choice (1 to 2)"),
    (("connect = true", "connect = true\nreply = 250\n[oops"), "toml"),
    (("[variables]", "[needs]\nscenarios = [\"sunny\"]\n\n[variables]"), "7: needs.scenarios: unknown scenario 'sunny'"),
    (("reply = 250", "reply = 250\nargument = \"[a-z]+\\\\.example\""), "17: step 2.argument: does not match the step's own argument 'me'"),
    (("reply = 250", "reply = 250\nargument = \"(\""), "17: step 2.argument: not a valid pattern"),
    (("reply = 250", "reply = 250\nargument = \"me\"\npattern = \"HELO me\""),
     "17: step 2.argument: argument goes with verb (or the command's own verb), not with pattern or state"),
    (("narration = \"Connect.\"\nconnect = true", "narration = \"Wait.\"\ncommand = \"NOOP\"\nreply = 250"),
     "9: step 1: no step opens the connection: start the lesson with a step that has connect = true"),
]

ADVICE = ("write \\\\r \\\\n \\\\xNN (two backslashes) in a \"...\" string, or \\r \\n \\xNN in a '...' string: "
          "the explorer turns them into bytes in raw =")


@pytest.mark.parametrize("written", ['raw = "NOOP\\r\\n"', 'raw = "NOOP\\n"', 'command = "HELO me\\n"',
                                     'command = """HELO me\n"""'])
def test_a_real_line_break_in_what_a_step_sends_is_flagged_with_the_toml_advice(tmp_path: Path, written: str) -> None:
    text = GOOD.replace('command = "HELO me"\nreply = 250', written + "\nreply = \"none\"")
    assert problems(tmp_path, text) == [
        f"15: step 2.{written.split()[0]}: contains a real line break (a TOML escape with one backslash): {ADVICE}"]
    escaped = GOOD.replace('command = "HELO me"\nreply = 250', 'raw = "NOOP\\\\r\\\\n"\nreply = 250')
    assert problems(tmp_path, escaped) == []


@pytest.mark.parametrize("written,expected", [
    # \\x41 is no TOML escape: the file does not parse; \\\\q parses but is no explorer escape.
    ('raw = "NOOP\\x41"', "15: toml: not valid TOML: Unescaped '\\' in a string (at line 15, column 14): " + ADVICE),
    ('raw = "NOOP\\\\q"', "15: step 2.raw: unknown escape \\q (use \\r \\n \\t \\0 \\xNN or \\\\): " + ADVICE),
])
def test_a_bad_escape_is_flagged_with_the_toml_advice(tmp_path: Path, written: str, expected: str) -> None:
    text = GOOD.replace('command = "HELO me"\nreply = 250', written + "\nreply = \"none\"")
    assert problems(tmp_path, text) == [expected]


def test_reveal_secrets_without_save_is_refused(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "explorer", "lesson", "anatomy", "--auto", "--reveal-secrets"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == ["smtp-explorer: error: --reveal-secrets keeps the AUTH credentials in the "
                                        "file of --save FILE: give --save too"]


@pytest.mark.parametrize("change,expected", BROKEN)
def test_broken_lessons_name_file_line_and_field(tmp_path: Path, change: tuple[str, str], expected: str | None) -> None:
    old, new = change
    assert old in GOOD
    found = problems(tmp_path, GOOD.replace(old, new, 1))
    assert found, "the checker found nothing"
    if expected == "toml":
        assert re.match(r"\d+: toml: not valid TOML", found[0])
    elif expected is None:
        assert len(found) == 1
    else:
        assert any(f.startswith(expected) for f in found), found


def test_state_rule_and_missing_send_messages(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.replace("reply = 250", "reply = 250\nstate = \"nowhere\"", 1))
    assert found[0].startswith("17: step 2.state: 'nowhere' is not a state (")
    found = problems(tmp_path, GOOD.replace("command = \"HELO me\"\n", "", 1))
    assert found == ["13: step 2: needs exactly one of connect, command, auth, auth_secret, message, raw (found: none)"]


def test_missing_file_and_no_steps(tmp_path: Path) -> None:
    assert [p.message for p in check_lesson(tmp_path / "absent.toml")] == ["no such lesson file"]
    found = problems(tmp_path, GOOD.split("[[step]]")[0])
    assert found == ["1: step: a lesson needs at least one [[step]]"]


def test_check_command_exit_status_and_output(tmp_path: Path) -> None:
    bad = write(tmp_path, GOOD.replace("reply = 250", "reply = 299"), "bad.toml")
    good = write(tmp_path, GOOD, "good.toml")
    done = subprocess.run([sys.executable, "-m", "explorer", "lesson", "check", str(good), str(bad)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{good}: ok", f"{bad}:16: step 2.reply: 299 is not a reply code that exists (see smtp-explorer explain)"]
    done = subprocess.run([sys.executable, "-m", "explorer", "lesson", "check", str(good)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0


def test_the_readme_example_is_a_valid_lesson_that_passes(tmp_path: Path, sandbox) -> None:
    readme = (bundled_dir() / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", readme, re.S).group(1)
    path = write(tmp_path, example, "example.toml")
    assert check_lesson(path) == []
    lesson = load_lesson(path)
    target = Target(sandbox.host, sandbox.port, cafile=str(sandbox.certificate_path))
    assert autopilot(lesson, Engine(target), lesson.variables, sandbox, lambda _: None)


def test_at_least_eight_bundled_lessons_all_valid() -> None:
    assert len(BUNDLED) >= 8
    for path in BUNDLED:
        assert check_lesson(path) == [], path
    assert find_lesson("reply-codes") == bundled_dir() / "03-reply-codes.toml"
    with pytest.raises(LookupError, match="no lesson called 'nope'"):
        find_lesson("nope")


@pytest.mark.parametrize("path", BUNDLED, ids=[lesson_name(p) for p in BUNDLED])
def test_every_bundled_lesson_passes_the_autopilot(path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "explorer", "lesson", str(path), "--auto"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    lesson = load_lesson(path)
    assert done.stdout.count("   PASS: ") == len(lesson.steps)
    assert done.stdout.splitlines()[-1] == f"== {lesson.title}: {len(lesson.steps)}/{len(lesson.steps)} steps passed"
    # The credentials the lesson sends (AUTH PLAIN <blob> included) are shown removed.
    for secret in (f"\0{LEARNER}\0{PASSWORD}", PASSWORD):
        encoded = base64.b64encode(secret.encode()).decode()
        assert encoded not in done.stdout and encoded.upper() not in done.stdout
    if "C: AUTH PLAIN " in done.stdout:
        assert "C: AUTH PLAIN <secret removed>" in done.stdout


def test_the_autopilot_leaves_out_a_credential_the_server_echoes(tmp_path: Path) -> None:
    """AUTH PLAIN <blob>, answered by a 535 that repeats the blob upper-cased: neither is shown
    (the one redaction, over the whole session, as every other output applies it)."""
    from scripted_server import ScriptedServer

    blob = base64.b64encode(f"\0{LEARNER}\0{PASSWORD}".encode())
    path = write(tmp_path, GOOD.replace('"HELO me"', '"EHLO me"') + f"""
[[step]]
narration = "Log in."
command = "AUTH PLAIN {blob.decode()}"
reply = 535
""", "echo.toml")
    server = ScriptedServer([("send", b"220 echo ESMTP\r\n"), ("read",), ("send", b"250 echo\r\n"),
                             ("read",), ("send", b"535 5.7.8 bad credentials: " + blob.upper() + b"\r\n"),
                             ("read",), ("close",)])
    out: list[str] = []
    try:
        lesson = load_lesson(path)
        engine = Engine(Target("127.0.0.1", server.port, "plain", timeout=5.0))
        assert autopilot(lesson, engine, lesson.variables, None, out.append)
    finally:
        server.close()
    shown = "\n".join(out)
    assert "C: AUTH PLAIN <secret removed>\\r\\n" in shown
    assert "S: 535 5.7.8 bad credentials: <secret removed>\\r\\n" in shown
    for secret in (blob, blob.upper(), PASSWORD.encode()):
        assert secret.decode() not in shown


def test_autopilot_fails_when_the_server_disagrees(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("reply = 250", "reply = 251"), "strict.toml")
    done = subprocess.run([sys.executable, "-m", "explorer", "lesson", str(path), "--auto"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "   FAIL: got 250, this step expects 251" in done.stdout


def test_lesson_command_errors_are_one_line(tmp_path: Path) -> None:
    for args, message in ([["lesson", "nope"], "no lesson called 'nope'"],
                          [["lesson", "anatomy", "--set", "nothing=1", "--auto"], "--set nothing: the lesson has no such variable"],
                          [["lesson", "anatomy", "--set", "junk", "--auto"], "write --set NAME=VALUE"]):
        done = subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_set_overrides_a_variable(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "explorer", "lesson", "anatomy", "--auto", "--set", "domain=laptop.example"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "C: HELO laptop.example\\r\\n" in done.stdout


def test_a_lesson_in_the_repl_with_a_wrong_attempt_a_hint_and_questions(sandbox, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SMTP_EXPLORER_DATA", str(tmp_path))
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from explorer.lessons.progress import progress_file
    from explorer.lessons.tutor import Tutor
    from explorer.repl.app import Repl
    from explorer.repl.console import Console

    lesson = load_lesson(find_lesson("anatomy"))
    tutor = Tutor(lesson, dict(lesson.variables), sandbox)
    keys = [RIGHT, "The client", "the client, with HELO.", "2",  # connect; the question: not a choice, wrong, right
            "EHLO me",  # a wrong attempt: this step asks for HELO
            RIGHT, RIGHT, RIGHT, RIGHT, "354.",  # HELO, MAIL, RCPT, DATA; its question
            RIGHT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT,  # the message, line by line, and "."
            "/lesson", RIGHT]  # QUIT
    shown: list[str] = []
    with create_pipe_input() as pipe:
        repl = Repl(Target(sandbox.host, sandbox.port, cafile=str(sandbox.certificate_path)),
                    sandbox=lambda: sandbox, console=Console(write=shown.append), input=pipe,
                    output=DummyOutput(), variables=dict(lesson.variables), tutor=tutor)
        pipe.send_text("".join(k + "\r" for k in keys) + "\x04")
        assert repl.run() == 0
    text = "".join(shown)
    assert "-- step 1/7 --" in text and "-- step 7/7 --" in text
    assert "(type the number of your answer, 1 to 2; /skip moves on without answering)" in text
    assert "   type the number of your answer (1 to 2), or its text" in text
    assert "not quite: Look at the transcript" in text and "right: Yes: the client waits" in text
    assert "not yet: this step wants a HELO command" in text
    assert "hint 1/2: The command is HELO followed by a space and your host name." in text
    assert "right: Right: 354" in text
    assert "Lesson complete: Anatomy of a session" in text
    assert tutor.finished
    (stored,) = sandbox.messages()
    assert b"Subject: My first message over raw SMTP\r\n" in stored.data
    assert progress_file().exists()


def test_progress_is_kept_and_a_resumed_lesson_replays_to_where_it_was(sandbox, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SMTP_EXPLORER_DATA", str(tmp_path))
    from explorer.core.states import State
    from explorer.lessons.progress import Progress, load_progress
    from explorer.lessons.tutor import Tutor, fast_forward

    lesson = load_lesson(find_lesson("anatomy"))
    tutor = Tutor(lesson, dict(lesson.variables), sandbox)
    tutor.skip()
    tutor.skip()
    tutor.skip()
    assert load_progress() == {str(lesson.path.resolve()): Progress(3, False)}
    engine = Engine(Target(sandbox.host, sandbox.port))
    assert fast_forward(lesson, engine, dict(lesson.variables), sandbox, 3)
    assert engine.state is State.MAIL  # connected, HELO, MAIL FROM: ready for step 4, RCPT TO
    tutor.back()
    assert load_progress()[str(lesson.path.resolve())] == Progress(2, False)


def test_control_characters_and_rules_that_are_not_text(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.replace('title = "T"', 'title = "T\\u001b[31m"')
                     .replace('reply = 250', 'reply = 250\npattern = 5'))
    assert found == ["1: title: contains the control character '\\x1b': lesson texts are plain text; write \\\\r "
                     "\\\\n \\\\xNN (two backslashes) in a \"...\" string, or \\r \\n \\xNN in a '...' string: "
                     "the explorer turns them into bytes in raw =",
                     "17: step 2.pattern: must be a non-empty text"]


def test_an_empty_reply_list_and_connect_options_without_a_server(tmp_path: Path) -> None:
    assert problems(tmp_path, GOOD.replace("reply = 250", "reply = []")) == [
        '16: step 2.reply: lists no reply: give a code (250), a class ("2xx") or "none"']
    # Problems come in the file's order, whichever check found them first.
    found = problems(tmp_path, GOOD.replace("[variables]", '[zh]\ntitle = "标题"\nsummary = "概要"\n\n'
                                            '[needs]\nscenarios = ["sunny"]\n\n[variables]'))
    assert [int(line.split(":")[0]) for line in found] == [11, 17, 21]
    assert "unknown scenario 'sunny'" in found[0] and "has no zh translation" in found[1]
    # A missing reply is one problem, said once.
    assert problems(tmp_path, GOOD.replace("reply = 250", "")) == [
        "13: step 2.reply: missing (required): the reply code(s) or class this step expects"]
    done = subprocess.run([sys.executable, "-m", "explorer", "lesson", "anatomy", "--auto", "--tls"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--starttls, --tls and --insecure go with --server" in done.stderr
