"""Running a lesson: what each step suggests and sends, its actions, and the autopilot, which
sends exactly what each step says and prints the verdicts of :mod:`explorer.lessons.judge`."""

from __future__ import annotations

from typing import Callable

from explorer.core.auth import b64encode_text
from explorer.core.commands import AuthLine, MessageData, RawBytes, parse_command
from explorer.core.render import parse_escapes, visible
from explorer.core.session import ConnectionClosed
from explorer.client.engine import Engine, Failure, Outcome, Stalled, TlsStarted
from explorer.lessons.judge import judge
from explorer.lessons.model import Lesson, Step, fill

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
    text = fill(step.send, variables)
    if step.kind == "command":
        return parse_command(text)
    if step.kind == "auth":
        return AuthLine(b64encode_text(text), secret=step.secret)
    if step.kind == "message":
        return MessageData.from_text(text)
    if step.kind == "raw":
        return RawBytes(parse_escapes(text))
    return None


def apply_actions(step: Step, engine: Engine, sandbox) -> list[str]:
    """The step's actions before it starts: switch the sandbox's scenarios, reconnect, close."""
    notes: list[str] = []
    if step.scenarios is not None:
        if sandbox is None:
            notes.append(f"(this step would switch the sandbox to {', '.join(step.scenarios) or 'no scenario'}; "
                         "not on this server)")
        else:
            sandbox.set_scenarios(step.scenarios)
            notes.append(f"sandbox scenarios now: {', '.join(step.scenarios) or 'none'}")
    if step.session == "close":
        engine.close()
        notes.append("connection closed")
    return notes


def autopilot(lesson: Lesson, engine: Engine, variables: dict[str, str], sandbox,
              write: Callable[[str], None]) -> bool:
    """Send every step's expected input, print the transcript and verdicts; True if all passed."""
    passed = 0
    for step in lesson.steps:
        write(f"-- step {step.index + 1}/{len(lesson.steps)}: {_headline(step, variables)}")
        for note in apply_actions(step, engine, sandbox):
            write(f"   {note}")
        if step.kind == "connect" or step.session == "reconnect":
            outcome = engine.connect()
            if step.kind != "connect":
                _transcript(outcome, write)
        if step.kind == "connect":
            sent = None
        else:
            sent = step_outgoing(step, variables)
            outcome = engine.send(sent)
            _transcript_client(outcome.wire, step.secret, write)
        _transcript(outcome, write)
        verdict = judge(step, sent, outcome, variables)
        passed += verdict.passed
        write(f"   {'PASS' if verdict.passed else 'FAIL'}: {verdict.reason}")
        if step.question is not None:
            write(f"   (question not asked by the autopilot: {step.question.prompt})")
    write(f"== {lesson.title}: {passed}/{len(lesson.steps)} steps passed")
    return passed == len(lesson.steps)


def _headline(step: Step, variables: dict[str, str]) -> str:
    text = fill(step.narration, variables).strip()
    first = text.splitlines()[0] if text else ""
    return first[:70] + ("..." if len(first) > 70 else "")


def _transcript_client(wire: bytes, secret: bool, write: Callable[[str], None]) -> None:
    if secret:
        write("   C: [secret removed]\\r\\n")
        return
    start = 0
    while start < len(wire):
        end = wire.find(b"\n", start)
        end = len(wire) if end < 0 else end + 1
        write(f"   C: {visible(wire[start:end])}")
        start = end


def _transcript(outcome: Outcome, write: Callable[[str], None]) -> None:
    for event in outcome.events:
        raw = getattr(event, "reply", None)
        if raw is not None:
            for line in raw.raw.splitlines(keepends=True):
                write(f"   S: {visible(line)}")
        elif isinstance(event, Failure):
            write(f"   error: {event.message}")
        elif isinstance(event, TlsStarted):
            write(f"   (TLS established: {event.info.version}, {event.info.cipher})")
        elif isinstance(event, Stalled):
            write(f"   (no complete reply within {event.timeout:g} s)")
        elif isinstance(event, ConnectionClosed):
            write("   (the server closed the connection)")
        else:
            write(f"   (not a reply: {visible(event.raw)})")
