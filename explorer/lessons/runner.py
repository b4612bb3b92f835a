"""Running a lesson: what each step suggests and sends, its actions, and the autopilot, which
sends exactly what each step says and prints the verdicts of :mod:`explorer.lessons.judge`."""

from __future__ import annotations

from typing import Callable

from explorer.core.auth import b64encode_text
from explorer.core.commands import AuthLine, MessageData, RawBytes, parse_command
from explorer.core.render import parse_escapes, shown_lines
from explorer.client.engine import Engine, Outcome
from explorer.lessons.judge import judge
from explorer.lessons.model import Lesson, Step, fill
from explorer.lessons.texts import text
from explorer.recording import CLIENT, PLACEHOLDER, SERVER, redact_slice, secret_spans

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
    screen = _Screen(engine, write, lang)
    for step in lesson.steps:
        write(text("auto-step", lang, n=step.index + 1, total=len(lesson.steps), headline=_headline(step, variables)))
        for note in apply_actions(step, engine, sandbox, lang):
            write(f"   {note}")
        if step.kind == "connect" or step.session == "reconnect":
            outcome = engine.connect()
            if step.kind != "connect":
                screen.show(outcome)
        if step.kind == "connect":
            sent = None
        else:
            sent = step_outgoing(step, variables)
            outcome = engine.send(sent)
        screen.show(outcome)
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


class _Screen:
    """Writes what crossed the wire since the last call, as the REPL shows it: the bytes, each
    reply with its one explanation. Secrets go through the one redaction over the whole session
    so far (``AUTH PLAIN <blob>``, a reply that echoes a credential)."""

    def __init__(self, engine: Engine, write: Callable[[str], None], lang: str) -> None:
        self.engine, self.write, self.lang = engine, write, lang
        self.seen = {CLIENT: 0, SERVER: 0}  # bytes of each direction already shown

    def _new(self, direction: str) -> tuple[bytes, int]:
        """Everything ``direction`` sent in the session, and where the part not shown yet starts."""
        stream = b"".join(c.data for c in self.engine.log if c.direction == direction)
        start, self.seen[direction] = self.seen[direction], len(stream)
        return stream, start

    def _wire(self, tag: str, data: bytes) -> None:
        # line by line as the REPL cuts them (at LF only), 8-bit text shown as text
        for line in shown_lines(data):
            self.write(f"   {tag}: {line.text}")

    def show(self, outcome: Outcome) -> None:
        from explorer.core.session import Answer
        from explorer.repl.view import answer_lines, event_lines  # the REPL's words

        spans = secret_spans(list(self.engine.log), self.engine.secrets)
        sent, start = self._new(CLIENT)
        self._wire("C", redact_slice(sent[start:], CLIENT, start, spans))
        heard, cursor = self._new(SERVER)
        for event in outcome.events:
            if isinstance(event, Answer):
                at = heard.find(event.reply.raw, cursor)  # the log holds every byte received
                if at < 0:  # never expected; then show nothing that might be secret
                    self._wire("S", PLACEHOLDER + b"\r\n")
                else:
                    cursor = at + len(event.reply.raw)
                    self._wire("S", redact_slice(event.reply.raw, SERVER, at, spans))
                lines = answer_lines(event, self.lang)
            else:
                lines = event_lines(event, self.lang)
            for line in lines:
                self.write("   " + "".join(part for _, part in line).strip())
