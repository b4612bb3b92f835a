"""Running a lesson: what each step suggests and sends, its actions, and the autopilot, which
sends exactly what each step says and prints the verdicts of :mod:`explorer.lessons.judge`."""

from __future__ import annotations

from typing import Callable

from explorer.core.auth import b64encode_text
from explorer.core.commands import AuthLine, MessageData, RawBytes, parse_command
from explorer.core.render import parse_escapes, visible
from explorer.client.engine import Engine, Outcome
from explorer.lessons.judge import judge
from explorer.lessons.model import Lesson, Step, fill
from explorer.lessons.texts import text
from explorer.recording import (CLIENT, PLACEHOLDER, SERVER, Chunk, redact, redact_slice,
                                secret_spans)

__all__ = ["step_outgoing", "suggestion_for", "autopilot", "apply_actions"]


def suggestion_for(step: Step, variables: dict[str, str]) -> str | None:
    """What the step suggests typing (None for secrets and message content, handled elsewhere)."""
    if step.kind == "connect":
        return "/connect"
    if step.kind == "raw":
        return "/raw " + fill(step.send, variables)
    if step.kind in ("command",) or (step.kind == "auth" and not step.secret):
        return fill(step.send, variables)
    return None


def step_outgoing(step: Step, variables: dict[str, str]):
    """What the autopilot sends for a step (None for a connect step)."""
    filled = fill(step.send, variables)
    if step.kind == "command":
        return parse_command(filled)
    if step.kind == "auth":
        return AuthLine(b64encode_text(filled), secret=step.secret)
    if step.kind == "message":
        return MessageData.from_text(filled)
    if step.kind == "raw":
        return RawBytes(parse_escapes(filled))
    return None


def apply_actions(step: Step, engine: Engine, sandbox, lang: str = "en") -> list[str]:
    """The step's actions before it starts: switch the sandbox's scenarios, reconnect, close."""
    notes: list[str] = []
    if step.scenarios is not None:
        names = ", ".join(step.scenarios) or text("no-scenario", lang)
        if sandbox is None:
            notes.append(text("action-not-here", lang, scenarios=names))
        else:
            sandbox.set_scenarios(step.scenarios)
            notes.append(text("action-scenarios", lang, scenarios=names))
    if step.session == "close":
        engine.close()
        notes.append(text("action-closed", lang))
    return notes


def autopilot(lesson: Lesson, engine: Engine, variables: dict[str, str], sandbox,
              write: Callable[[str], None], lang: str = "en") -> bool:
    """Send every step's expected input, print the transcript and verdicts; True if all passed."""
    passed = 0
    for step in lesson.steps:
        write(text("auto-step", lang, n=step.index + 1, total=len(lesson.steps), headline=_headline(step, variables)))
        for note in apply_actions(step, engine, sandbox, lang):
            write(f"   {note}")
        if step.kind == "connect" or step.session == "reconnect":
            outcome = engine.connect()
            if step.kind != "connect":
                _transcript(outcome, engine.secrets, write, lang)
        if step.kind == "connect":
            sent = None
        else:
            sent = step_outgoing(step, variables)
            outcome = engine.send(sent)
            _transcript_client(engine, outcome.wire, step.secret, write)
        _transcript(outcome, engine.secrets, write, lang)
        verdict = judge(step, sent, outcome, variables, lang)
        passed += verdict.passed
        write(f"   {'PASS' if verdict.passed else 'FAIL'}: {verdict.reason}")  # the tokens a script greps for
        if step.question is not None:
            write("   " + text("auto-question", lang, prompt=step.question.prompt))
    write(text("auto-total", lang, title=lesson.title, passed=passed, total=len(lesson.steps)))
    return passed == len(lesson.steps)


def _headline(step: Step, variables: dict[str, str]) -> str:
    narration = fill(step.narration, variables).strip()
    first = narration.splitlines()[0] if narration else ""
    return first[:70] + ("..." if len(first) > 70 else "")


def _transcript_client(engine: Engine, wire: bytes, secret: bool,
                       write: Callable[[str], None]) -> None:
    if secret:
        write(f"   C: {visible(PLACEHOLDER)}\\r\\n")
        return
    # The one definition of a secret, over the whole session so far (AUTH PLAIN <blob>...).
    log = list(engine.log)
    sent = sum(len(c.data) for c in log if c.direction == CLIENT)
    wire = redact_slice(wire, CLIENT, sent - len(wire), secret_spans(log, engine.secrets))
    start = 0
    while start < len(wire):
        end = wire.find(b"\n", start)
        end = len(wire) if end < 0 else end + 1
        write(f"   C: {visible(wire[start:end])}")
        start = end


def _transcript(outcome: Outcome, secrets: list[bytes], write: Callable[[str], None],
                lang: str) -> None:
    # The REPL's view: each reply with its one explanation, and its words for what is not a reply.
    from explorer.core.session import Answer
    from explorer.repl.view import answer_lines, event_lines

    for event in outcome.events:
        if isinstance(event, Answer):  # a reply may echo a credential: the one redaction takes it out
            shown = redact([Chunk(0.0, SERVER, event.reply.raw)], secrets)[0].data
            for line in shown.splitlines(keepends=True):
                write(f"   S: {visible(line)}")
            lines = answer_lines(event, lang)
        else:
            lines = event_lines(event, lang)
        for line in lines:
            write("   " + "".join(part for _, part in line).strip())
