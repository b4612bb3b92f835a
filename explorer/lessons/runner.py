"""Running a lesson: what each step sends, how an attempt is judged, and the autopilot.

The same judge serves the REPL (a learner's attempts, any of which may differ from the lesson's
suggestion) and the autopilot (which sends exactly what each step says).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from explorer.core.auth import b64encode_text
from explorer.core.commands import AuthLine, Command, CommandError, MessageData, RawBytes, parse_command
from explorer.core.render import parse_escapes, visible
from explorer.core.session import Answer, ConnectionClosed, DataLine, EndOfData
from explorer.client.engine import Engine, Failure, Outcome, Stalled, TlsStarted
from explorer.lessons.loader import fill
from explorer.lessons.model import Lesson, Step

__all__ = ["Verdict", "judge", "step_outgoing", "suggestion_for", "autopilot", "apply_actions"]


@dataclass(frozen=True)
class Verdict:
    """``passed``: the step is done; ``judged``: False while the step is still in progress
    (message lines before the terminator), so it is neither a pass nor a miss."""

    passed: bool
    judged: bool
    reason: str
    code: int | None = None


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


def _answers(outcome: Outcome) -> list[Answer]:
    return [e for e in outcome.events if isinstance(e, Answer)]


def _rule_matches(step: Step, command: Command, variables: dict[str, str], after: str | None) -> str | None:
    """None if ``command`` is what the step asks for, else what differs."""
    if step.verb is not None:
        return None if command.verb == step.verb.upper() else f"this step wants a {step.verb.upper()} command"
    if step.pattern is not None:
        pattern = fill(step.pattern, variables)
        return None if re.fullmatch(pattern, command.line, re.IGNORECASE) else "this is not the command this step asks for"
    if step.state is not None:
        return None if after == step.state else f"this step wants a command that leads to '{step.state}'"
    try:
        expected = parse_command(fill(step.send, variables))
    except CommandError:
        return "the lesson's command cannot be read"
    same = expected.verb == command.verb and expected.argument.casefold() == command.argument.casefold()
    return None if same else f"this step asks for {expected.line}"


def judge(step: Step, sent: object, outcome: Outcome, variables: dict[str, str]) -> Verdict:
    """Judge one attempt at ``step``: what was sent (None: a connection) and what came back."""
    answers = _answers(outcome)
    failure = next((e for e in outcome.events if isinstance(e, Failure)), None)
    if step.kind == "message" and isinstance(sent, (DataLine, EndOfData, RawBytes)) and not answers and not failure:
        return Verdict(False, False, "message in progress")
    expected_kind = {"connect": type(None), "command": Command, "auth": AuthLine,
                     "message": (MessageData, DataLine, EndOfData, RawBytes), "raw": RawBytes}[step.kind]
    if not isinstance(sent, expected_kind):
        return Verdict(False, True, _kind_text(step))
    if isinstance(sent, Command):
        after = answers[-1].after.value if answers else None
        differs = _rule_matches(step, sent, variables, after)
        if differs:
            return Verdict(False, True, differs, answers[-1].reply.code if answers else None)
    if step.kind == "raw" and sent.to_bytes() != parse_escapes(fill(step.send, variables)):
        return Verdict(False, True, f"this step sends the bytes {visible(parse_escapes(fill(step.send, variables)))}")
    code = answers[-1].reply.code if answers else None
    if failure is not None and code is None:
        return Verdict(False, True, failure.message)
    if step.reply.accepts(code):
        return Verdict(True, True, f"got {code}" if code is not None else "no reply, as expected", code)
    got = f"got {code}" if code is not None else "no reply came"
    return Verdict(False, True, f"{got}, this step expects {step.reply}", code)


def _kind_text(step: Step) -> str:
    return {"connect": "this step opens the connection (/connect)",
            "command": "this step wants an SMTP command",
            "auth": "this step wants your answer to the server's AUTH challenge",
            "message": "this step wants the message (after 354), ended by a line with a single '.'",
            "raw": "this step wants bytes sent with /raw"}[step.kind]


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
