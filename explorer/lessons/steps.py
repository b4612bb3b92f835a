"""Checking one ``[[step]]`` table of a lesson file into a :class:`Step`: what it sends, the
rules that judge it (``lessons/README.md``, "How a step is judged"), its reply, hints, question
and actions, and whether it can pass at all; every problem with ``file:line``."""

from __future__ import annotations

import re
from typing import Any

from explorer.core.commands import CommandError, parse_command
from explorer.core.render import EscapeError, parse_escapes
from explorer.core.states import EFFECTS, State
from explorer.knowledge.codes import known_codes
from explorer.lessons.locate import Checker
from explorer.lessons.model import Question, ReplyRule, Step, fill

__all__ = ["KINDS", "RULES", "ONE_LINE", "line_break", "read_step", "read_scenarios"]

KINDS = ("connect", "command", "auth", "auth_secret", "message", "raw")
RULES = ("verb", "argument", "pattern", "state")
STEP_KEYS = {"narration", *KINDS, *RULES, "reply", "hints", "question", "scenario", "session"}
# What a step sends is one line (or raw bytes written with escapes): a real line break in it is
# a TOML escape with one backslash too few.
ONE_LINE = ("command", "auth", "auth_secret", "raw")
QUESTION_KEYS = {"kind", "prompt", "choices", "answer", "right", "wrong"}
SESSION_ACTIONS = ("reconnect", "close")
# Codes only one kind of exchange can give: a step that expects only these after another
# kind of exchange can never pass.
ONLY_AFTER = {220: {"GREETING", "STARTTLS"}, 221: {"QUIT"}, 235: {"AUTH", "AUTH-LINE"},
              334: {"AUTH", "AUTH-LINE"}, 354: {"DATA"}}
_REPLY_CLASS = re.compile(r"^([2-5])xx$")



def line_break(value: str) -> bool:
    """A real line break: in what a step sends, a TOML escape written with one backslash too few."""
    return "\r" in value or "\n" in value


def _reply_rule(value: Any, check: Checker, path: tuple) -> ReplyRule:
    items = value if isinstance(value, list) else [value]
    classes, codes, none = set(), set(), False
    known = set(known_codes())
    for item in items:
        if item == "none":
            none = True
        elif isinstance(item, str) and _REPLY_CLASS.match(item):
            classes.add(int(item[0]))
        elif isinstance(item, int) and not isinstance(item, bool) and item in known:
            codes.add(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            check.add(path, "no-such-code", code=item)
        else:
            check.add(path, "not-a-reply", item=repr(item))
    if not items:
        check.add(path, "no-reply-listed")
    return ReplyRule(frozenset(classes), frozenset(codes), none)


def _question(table: Any, check: Checker, path: tuple) -> Question | None:
    if not isinstance(table, dict):
        check.add(path, "question-table")
        return None
    check.unknown(table, QUESTION_KEYS, path)
    kind = check.string(table, "kind", path)
    prompt = check.string(table, "prompt", path)
    choices = table.get("choices", [])
    answer = table.get("answer")
    answers: tuple[str, ...] = ()
    if kind == "choice":
        if not isinstance(choices, list) or len(choices) < 2 or not all(isinstance(c, str) for c in choices):
            check.add(path + ("choices",), "choices")
            choices = []
        if not isinstance(answer, int) or isinstance(answer, bool) or not 1 <= answer <= max(len(choices), 1):
            check.add(path + ("answer",), "choice-answer", count=len(choices))
        else:
            answers = (str(answer), choices[answer - 1]) if choices else (str(answer),)
    elif kind == "text":
        given = answer if isinstance(answer, list) else [answer]
        if not given or not all(isinstance(a, str) and a.strip() for a in given):
            check.add(path + ("answer",), "text-answer")
        else:
            answers = tuple(given)
    elif kind:
        check.add(path + ("kind",), "question-kind", kind=repr(kind))
    return Question(kind, prompt, tuple(choices), answers,
                    str(table.get("right", "Right.")), str(table.get("wrong", "Not quite.")))


def read_step(index: int, table: Any, check: Checker, variables: dict[str, str]) -> Step | None:
    path = ("step", index)
    if not isinstance(table, dict):
        check.add(path, "step-table")
        return None
    check.unknown(table, STEP_KEYS, path)
    narration = check.string(table, "narration", path)
    kinds = [k for k in KINDS if k in table]
    if len(kinds) != 1:
        found = ", ".join(kinds) or "none"
        check.add(path, "step-kind", kinds=", ".join(KINDS), found=found)
        return None
    kind = kinds[0]
    send = "" if kind == "connect" else check.string(table, kind, path)
    if kind == "connect" and table["connect"] is not True:
        check.add(path + ("connect",), "must-be-true")
    reply_value = table.get("reply", 220 if kind == "connect" else None)
    if reply_value is None:
        check.add(path + ("reply",), "reply-missing")
        reply = ReplyRule(frozenset(), frozenset(), False)
    else:
        reply = _reply_rule(reply_value, check, path + ("reply",))
    hints = table.get("hints", [])
    if not isinstance(hints, list) or not all(isinstance(h, str) for h in hints):
        check.add(path + ("hints",), "hints-list")
        hints = []
    scenarios = table.get("scenario")
    if scenarios is not None:
        scenarios = read_scenarios(scenarios, check, path + ("scenario",))
    session = table.get("session")
    if session is not None and session not in SESSION_ACTIONS:
        check.add(path + ("session",), "one-of", allowed=", ".join(SESSION_ACTIONS))
    for rule in RULES:
        if rule in table and (not isinstance(table[rule], str) or not table[rule].strip()):
            check.add(path + (rule,), "non-empty-text")
            table = {k: v for k, v in table.items() if k != rule}
    question = _question(table["question"], check, path + ("question",)) if "question" in table else None
    step = Step(index=index, narration=narration, kind="auth" if kind == "auth_secret" else kind, send=send,
                reply=reply, secret=kind == "auth_secret", verb=table.get("verb"), argument=table.get("argument"),
                pattern=table.get("pattern"), state=table.get("state"), hints=tuple(hints), question=question,
                scenarios=tuple(scenarios) if scenarios is not None else None, session=session)
    _can_pass(step, check, path, variables)
    return step


def read_scenarios(value: Any, check: Checker, path: tuple) -> list[str]:
    """A list of sandbox scenario names, each one checked here rather than when the sandbox starts."""
    from explorer.sandbox.scenarios import validate_scenario

    if not isinstance(value, list):
        check.add(path, "scenario-list")
        return []
    for name in value:
        try:
            validate_scenario(str(name))
        except ValueError as exc:
            check.add(path, "reason", error=exc)
    return value


def _can_pass(step: Step, check: Checker, path: tuple, variables: dict[str, str]) -> None:
    """Problems that would make the step fail even when the learner does exactly what it says."""
    try:
        filled = fill(step.send, variables)
    except KeyError:
        return  # reported as an undefined variable
    exchange = {"connect": "GREETING", "auth": "AUTH-LINE", "message": "BODY", "raw": None}.get(step.kind)
    if step.kind == "raw":
        try:
            parse_escapes(filled)
        except EscapeError as exc:
            check.add(path + ("raw",), "bad-escape", error=exc)
    if step.kind == "command":
        if line_break(filled):
            return  # reported already, and no command can be read from it
        exchange = _command_rules(step, filled, check, path, variables)
        if exchange is None:
            return
    elif any(getattr(step, rule) is not None for rule in RULES):
        check.add(path, "rules-for-commands")
    if exchange and step.reply.codes and not step.reply.classes and not step.reply.none:
        if all(exchange not in ONLY_AFTER.get(code, {exchange}) for code in step.reply.codes):
            check.add(path + ("reply",), "never-answers", reply=str(step.reply), exchange=exchange)


def _command_rules(step: Step, filled: str, check: Checker, path: tuple, variables: dict[str, str]) -> str | None:
    """Check a command step's rules against its own command; the exchange it starts (None: unreadable)."""
    try:
        command = parse_command(filled)
    except CommandError as exc:
        check.add(path + ("command",), "reason", error=exc)
        return None
    if step.verb is not None and str(step.verb).upper() != command.verb:
        check.add(path + ("verb",), "own-verb", verb=command.verb)
    if step.argument is not None and (step.pattern is not None or step.state is not None):
        check.add(path + ("argument",), "argument-rule")
    for rule, own in (("argument", command.argument), ("pattern", command.line)):
        try:
            given = getattr(step, rule)
            if given is not None and not re.fullmatch(fill(given, variables), own, re.IGNORECASE):
                what = "argument" if rule == "argument" else "command"
                check.add(path + (rule,), f"own-{what}-mismatch", own=repr(own))
        except re.error as exc:
            check.add(path + (rule,), "bad-pattern", error=str(exc))
        except KeyError:
            pass  # reported as an undefined variable
    if step.state is not None:
        states = {s.value for s in State}
        if step.state not in states:
            check.add(path + ("state",), "not-a-state", state=repr(step.state), states=", ".join(sorted(states)))
    return command.verb if command.verb in EFFECTS else "UNKNOWN"
