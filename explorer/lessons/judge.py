"""Judging one attempt at a lesson step, and the hint that fits where the session is.

What a step checks is data (``lessons/README.md``, "How a step is judged"): for a command step,
the verb and the argument (exactly, by a pattern, or not at all), or the whole line by a pattern,
or the state it leads to; then the reply. The REPL's tutor (a learner's attempts, any of which
may differ from the suggestion) and the autopilot (exactly what each step says) share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from explorer.core.commands import AuthLine, Command, CommandError, MessageData, RawBytes, parse_command
from explorer.core.render import parse_escapes, visible, visible_text
from explorer.core.session import Answer, DataLine, EndOfData
from explorer.core.states import IN_ORDER, State
from explorer.client.engine import Failure, Outcome
from explorer.lessons.model import ReplyRule, Step, fill
from explorer.lessons.texts import text

__all__ = ["Verdict", "judge", "state_hint", "ANY_ARGUMENT"]

# Verbs whose argument is the learner's own choice: a step that shows ``HELO client.example``
# also passes ``HELO Alice``, unless the step gives an ``argument`` pattern.
ANY_ARGUMENT = frozenset({"HELO", "EHLO"})


# The states in which the server reads commands (the session is open, nothing is pending): those
# in which the core's table allows NOOP, which is allowed at any such time.
_TALKING = IN_ORDER["NOOP"]


@dataclass(frozen=True)
class Verdict:
    """``passed``: the step is done; ``judged``: False while the step is still in progress
    (message lines before the terminator), so it is neither a pass nor a miss."""

    passed: bool
    judged: bool
    reason: str
    code: int | None = None


def _same(a: str, b: str) -> bool:
    """Equal once case and runs of spaces are set aside."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _rule_matches(step: Step, command: Command, variables: dict[str, str], after: str | None,
                  lang: str) -> str | None:
    """None if ``command`` is what the step asks for, else what differs."""
    if step.pattern is not None:
        if re.fullmatch(fill(step.pattern, variables), command.line, re.IGNORECASE):
            return None
        return text("want-pattern", lang, line=visible_text(fill(step.send, variables)))
    if step.state is not None:
        return None if after == step.state else text("want-state", lang, state=step.state)
    try:
        expected = parse_command(fill(step.send, variables))
    except CommandError:
        return text("unreadable", lang)
    verb = (step.verb or expected.verb).upper()
    if command.verb != verb:
        return text("want-verb", lang, verb=verb)
    if step.argument is not None:
        if re.fullmatch(fill(step.argument, variables), " ".join(command.argument.split()), re.IGNORECASE):
            return None
        return text("want-argument", lang, verb=verb, example=visible_text(expected.argument))
    if step.verb is not None or verb in ANY_ARGUMENT or _same(expected.argument, command.argument):
        return None
    return text("want-line", lang, line=visible_text(expected.line))


def _rule_text(rule: ReplyRule, lang: str) -> str:
    if rule.none:
        return text("rule-none", lang)
    parts = [f"{c}xx" for c in sorted(rule.classes)] + [str(c) for c in sorted(rule.codes)]
    return text("rule-or", lang).join(parts)


def judge(step: Step, sent: object, outcome: Outcome, variables: dict[str, str], lang: str = "en") -> Verdict:
    """Judge one attempt at ``step``: what was sent (None: a connection) and what came back."""
    answers = [e for e in outcome.events if isinstance(e, Answer)]
    failure = next((e for e in outcome.events if isinstance(e, Failure)), None)
    if step.kind == "message" and isinstance(sent, (DataLine, EndOfData, RawBytes)) and not answers and not failure:
        return Verdict(False, False, "message in progress")
    expected_kind = {"connect": type(None), "command": Command, "auth": AuthLine,
                     "message": (MessageData, DataLine, EndOfData, RawBytes), "raw": RawBytes}[step.kind]
    if not isinstance(sent, expected_kind):
        return Verdict(False, True, text(f"kind-{step.kind}", lang))
    if isinstance(sent, Command):
        after = answers[-1].after.value if answers else None
        differs = _rule_matches(step, sent, variables, after, lang)
        if differs:
            return Verdict(False, True, differs, answers[-1].reply.code if answers else None)
    if step.kind == "raw" and sent.to_bytes() != parse_escapes(fill(step.send, variables)):
        return Verdict(False, True, text("want-bytes", lang, bytes=visible(parse_escapes(fill(step.send, variables)))))
    code = answers[-1].reply.code if answers else None
    if failure is not None and code is None:
        return Verdict(False, True, failure.text(lang))
    if step.reply.accepts(code):
        reason = text("got", lang, code=code) if code is not None else text("no-reply-expected", lang)
        return Verdict(True, True, reason, code)
    rule = _rule_text(step.reply, lang)
    if code is None:
        return Verdict(False, True, text("no-reply-but-expects", lang, rule=rule), code)
    return Verdict(False, True, text("got-but-expects", lang, code=code, rule=rule), code)


def state_hint(step: Step, state: State, variables: dict[str, str], lang: str = "en") -> tuple[str | None, str | None]:
    """``(hint, fix)`` when the session is where ``step`` cannot pass (``fix``: a command that
    helps, such as RSET, or None); ``(None, None)`` when the state suits the step. Which verb
    fits which state is the core's ``IN_ORDER`` table."""
    if step.kind == "connect" or step.session == "reconnect":
        return None, None
    if state in (State.NOT_CONNECTED, State.CLOSED):
        return text("state-connect", lang), "/connect"
    if state is State.AUTH_EXCHANGE and step.kind != "auth":
        return text("state-auth", lang), None
    if state is State.DATA and step.kind == "command":
        return text("state-data", lang), None
    if state is State.REJECTED:
        return text("state-rejected", lang), None
    if step.kind == "auth" and state is not State.AUTH_EXCHANGE and state in _TALKING:
        return text("state-no-auth", lang), None
    if step.kind == "message" and state in _TALKING:
        return text("state-no-data", lang), "DATA" if state is State.RCPT else None
    wants_success = bool(step.reply.classes & {2, 3}) or any(code < 400 for code in step.reply.codes)
    if step.kind != "command" or not wants_success:
        return None, None  # a step that expects a 4xx/5xx sends out of order on purpose
    try:
        line = fill(step.send, variables)
        verb = (step.verb or parse_command(line).verb).upper()
    except (CommandError, KeyError):
        return None, None
    allowed = IN_ORDER.get(verb)
    if allowed is None or state in allowed:
        return None, None
    key, fix = None, None
    if state is State.GREETED:
        key = "state-helo"
    elif state in (State.MAIL, State.RCPT) and verb != "DATA":
        key, fix = "state-rset", "RSET"  # the step starts what is already open: end it first
    elif verb in ("RCPT", "DATA") and state in (State.READY, State.AUTHENTICATED):
        key = "state-mail"
    elif verb == "DATA" and state is State.MAIL:
        key = "state-rcpt"
    return (text(key, lang, command=visible_text(line)), fix) if key else (None, None)
