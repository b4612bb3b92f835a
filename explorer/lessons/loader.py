"""Reading and checking lesson files: TOML data in, a :class:`Lesson` or ``file:line`` problems out.

Loading a lesson only parses TOML: it executes nothing, opens no other file and touches no
network. Every problem names the file, the line and the field, so an instructor can fix it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from explorer.core.commands import CommandError, parse_command
from explorer.core.render import EscapeError, parse_escapes
from explorer.core.states import EFFECTS, State
from explorer.knowledge.codes import known_codes
from explorer.lessons.locate import KeyLines
from explorer.lessons.model import PLACEHOLDER, Lesson, Problem, Question, ReplyRule, Step
from explorer.lessons.translate import check_translations, localise

__all__ = ["LessonError", "load_lesson", "check_lesson", "bundled_dir", "find_lesson", "list_lessons"]

TOP_KEYS = {"title", "summary", "level", "language", "needs", "variables", "step"}
NEEDS_KEYS = {"server", "scenarios"}
KINDS = ("connect", "command", "auth", "auth_secret", "message", "raw")
RULES = ("verb", "argument", "pattern", "state")
STEP_KEYS = {"narration", *KINDS, *RULES, "reply", "hints", "question", "scenario", "session"}
# What a step sends is one line (or raw bytes written with escapes): a real line break in it is
# a TOML escape with one backslash too few.
ONE_LINE = ("command", "auth", "auth_secret", "raw")
QUESTION_KEYS = {"kind", "prompt", "choices", "answer", "right", "wrong"}
LEVELS = ("beginner", "intermediate", "advanced")
SESSION_ACTIONS = ("reconnect", "close")
# Codes only one kind of exchange can give: a step that expects only these after another
# kind of exchange can never pass.
ONLY_AFTER = {220: {"GREETING", "STARTTLS"}, 221: {"QUIT"}, 235: {"AUTH", "AUTH-LINE"},
              334: {"AUTH", "AUTH-LINE"}, 354: {"DATA"}}
_REPLY_CLASS = re.compile(r"^([2-5])xx$")


class LessonError(Exception):
    """A lesson file with problems; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


class _Checker:
    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines = KeyLines(text)
        self.problems: list[Problem] = []

    def add(self, path: tuple, message: str) -> None:
        name = ".".join(str(p + 1) if isinstance(p, int) else p for p in path)
        name = re.sub(r"^step\.(\d+)", r"step \1", name)
        self.problems.append(Problem(self.path, self.lines.line(*path), name, message))

    def string(self, table: dict, key: str, path: tuple, *, required: bool = True) -> str:
        value = table.get(key)
        if value is None:
            if required:
                self.add(path + (key,), "missing (required)")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.add(path + (key,), "must be a non-empty text")
            return ""
        return value

    def unknown(self, table: dict, allowed: set[str], path: tuple) -> None:
        for key in table:
            if key not in allowed:
                self.add(path + (key,), f"unknown key (allowed: {', '.join(sorted(allowed))})")


def _reply_rule(value: Any, check: _Checker, path: tuple) -> ReplyRule:
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
            check.add(path, f"{item} is not a reply code that exists (see smtp-explorer explain)")
        else:
            check.add(path, f"{item!r} is not a reply: use a code (250), a class (\"2xx\") or \"none\"")
    if not items:
        check.add(path, "lists no reply: give a code (250), a class (\"2xx\") or \"none\"")
    return ReplyRule(frozenset(classes), frozenset(codes), none)


def _question(table: Any, check: _Checker, path: tuple) -> Question | None:
    if not isinstance(table, dict):
        check.add(path, "must be a table ([step.question])")
        return None
    check.unknown(table, QUESTION_KEYS, path)
    kind = check.string(table, "kind", path)
    prompt = check.string(table, "prompt", path)
    choices = table.get("choices", [])
    answer = table.get("answer")
    answers: tuple[str, ...] = ()
    if kind == "choice":
        if not isinstance(choices, list) or len(choices) < 2 or not all(isinstance(c, str) for c in choices):
            check.add(path + ("choices",), "a choice question needs a list of at least two texts")
            choices = []
        if not isinstance(answer, int) or isinstance(answer, bool) or not 1 <= answer <= max(len(choices), 1):
            check.add(path + ("answer",), f"must be the number of the right choice (1 to {len(choices)})")
        else:
            answers = (str(answer), choices[answer - 1]) if choices else (str(answer),)
    elif kind == "text":
        given = answer if isinstance(answer, list) else [answer]
        if not given or not all(isinstance(a, str) and a.strip() for a in given):
            check.add(path + ("answer",), "a text question needs the accepted answer(s) as text")
        else:
            answers = tuple(given)
    elif kind:
        check.add(path + ("kind",), f"{kind!r} is not a question kind: use \"choice\" or \"text\"")
    return Question(kind, prompt, tuple(choices), answers,
                    str(table.get("right", "Right.")), str(table.get("wrong", "Not quite.")))


def _step(index: int, table: Any, check: _Checker, variables: dict[str, str]) -> Step | None:
    path = ("step", index)
    if not isinstance(table, dict):
        check.add(path, "must be a table ([[step]])")
        return None
    check.unknown(table, STEP_KEYS, path)
    narration = check.string(table, "narration", path)
    kinds = [k for k in KINDS if k in table]
    if len(kinds) != 1:
        found = ", ".join(kinds) or "none"
        check.add(path, f"needs exactly one of {', '.join(KINDS)} (found: {found})")
        return None
    kind = kinds[0]
    send = "" if kind == "connect" else check.string(table, kind, path)
    if kind == "connect" and table["connect"] is not True:
        check.add(path + ("connect",), "must be true")
    reply_value = table.get("reply", 220 if kind == "connect" else None)
    if reply_value is None:
        check.add(path + ("reply",), "missing (required): the reply code(s) or class this step expects")
        reply_value = []
    reply = _reply_rule(reply_value, check, path + ("reply",))
    hints = table.get("hints", [])
    if not isinstance(hints, list) or not all(isinstance(h, str) for h in hints):
        check.add(path + ("hints",), "must be a list of texts")
        hints = []
    scenarios = table.get("scenario")
    if scenarios is not None:
        scenarios = _scenarios(scenarios, check, path + ("scenario",))
    session = table.get("session")
    if session is not None and session not in SESSION_ACTIONS:
        check.add(path + ("session",), f"must be one of {', '.join(SESSION_ACTIONS)}")
    for rule in RULES:
        if rule in table and (not isinstance(table[rule], str) or not table[rule].strip()):
            check.add(path + (rule,), "must be a non-empty text")
            table = {k: v for k, v in table.items() if k != rule}
    question = _question(table["question"], check, path + ("question",)) if "question" in table else None
    step = Step(index=index, narration=narration, kind="auth" if kind == "auth_secret" else kind, send=send,
                reply=reply, secret=kind == "auth_secret", verb=table.get("verb"), argument=table.get("argument"),
                pattern=table.get("pattern"), state=table.get("state"), hints=tuple(hints), question=question,
                scenarios=tuple(scenarios) if scenarios is not None else None, session=session)
    _can_pass(step, check, path, variables)
    return step


def _scenarios(value: Any, check: _Checker, path: tuple) -> list[str]:
    """A list of sandbox scenario names, each one checked here rather than when the sandbox starts."""
    from explorer.sandbox.scenarios import validate_scenario

    if not isinstance(value, list):
        check.add(path, "must be a list of scenario names ([] for none)")
        return []
    for name in value:
        try:
            validate_scenario(str(name))
        except ValueError as exc:
            check.add(path, str(exc))
    return value


def _can_pass(step: Step, check: _Checker, path: tuple, variables: dict[str, str]) -> None:
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
            check.add(path + ("raw",), str(exc))
    if step.kind == "command":
        if _line_break(filled):
            return  # reported already, and no command can be read from it
        exchange = _command_rules(step, filled, check, path, variables)
        if exchange is None:
            return
    elif any(getattr(step, rule) is not None for rule in RULES):
        check.add(path, "verb, argument, pattern and state are rules for a command step")
    if exchange and step.reply.codes and not step.reply.classes and not step.reply.none:
        if all(exchange not in ONLY_AFTER.get(code, {exchange}) for code in step.reply.codes):
            check.add(path + ("reply",), f"{str(step.reply)} never answers {exchange}: this step can never pass")


def _command_rules(step: Step, filled: str, check: _Checker, path: tuple, variables: dict[str, str]) -> str | None:
    """Check a command step's rules against its own command; the exchange it starts (None: unreadable)."""
    try:
        command = parse_command(filled)
    except CommandError as exc:
        check.add(path + ("command",), str(exc))
        return None
    if step.verb is not None and str(step.verb).upper() != command.verb:
        check.add(path + ("verb",), f"the step's own command is {command.verb}, so it can never pass")
    if step.argument is not None and (step.pattern is not None or step.state is not None):
        check.add(path + ("argument",), "argument goes with verb (or the command's own verb), not with pattern or state")
    for rule, own in (("argument", command.argument), ("pattern", command.line)):
        try:
            given = getattr(step, rule)
            if given is not None and not re.fullmatch(fill(given, variables), own, re.IGNORECASE):
                what = "argument" if rule == "argument" else "command"
                check.add(path + (rule,), f"does not match the step's own {what} {own!r}")
        except re.error as exc:
            check.add(path + (rule,), f"not a valid pattern: {exc}")
        except KeyError:
            pass  # reported as an undefined variable
    if step.state is not None:
        states = {s.value for s in State}
        if step.state not in states:
            check.add(path + ("state",), f"{step.state!r} is not a state ({', '.join(sorted(states))})")
    return command.verb if command.verb in EFFECTS else "UNKNOWN"


def fill(template: str, variables: dict[str, str]) -> str:
    """Fill ``{name}`` placeholders; KeyError for an undefined one. ``{{`` stays a brace."""
    return PLACEHOLDER.sub(lambda m: variables[m.group(1)], template).replace("{{", "{").replace("}}", "}")


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What an instructor must write in the file: in a TOML basic string ("...") the backslash of an
# escape is itself escaped; a literal string ('...') takes it as it is.
ESCAPE_ADVICE = ("write \\\\r \\\\n \\\\xNN (two backslashes) in a \"...\" string, or \\r \\n \\xNN in a '...' "
                 "string: the explorer turns them into bytes in raw =")


def _line_break(value: str) -> bool:
    return "\r" in value or "\n" in value


def _undefined(value: Any, variables: dict[str, str], check: _Checker, path: tuple) -> None:
    if isinstance(value, str):
        bad = _CONTROL.search(value)
        if _line_break(value) and len(path) == 3 and path[0] == "step" and path[2] in ONE_LINE:
            check.add(path, "contains a real line break (a TOML escape with one backslash): " + ESCAPE_ADVICE)
        elif bad:
            check.add(path, f"contains the control character {bad.group()!r}: lesson texts are plain text; "
                            + ESCAPE_ADVICE)
        for name in PLACEHOLDER.findall(value):
            if name not in variables:
                check.add(path, f"uses {{{name}}}, a variable the lesson never defines (add it under [variables])")
    elif isinstance(value, dict):
        for key, item in value.items():
            _undefined(item, variables, check, path + (key,))
    elif isinstance(value, list):
        for item in value:
            _undefined(item, variables, check, path)


def _parse(path: Path, lang: str | None = None) -> tuple[Lesson | None, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(path, 0, "file", "no such lesson file")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(path, 0, "file", f"cannot read it: {exc}")]
    check = _Checker(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        return None, [Problem(path, int(found.group(1)) if found else 1, "toml", f"not valid TOML: {exc}")]
    check_translations(data, check.add)
    data = localise(data, lang or "")
    check.unknown(data, TOP_KEYS, ())
    for key in ("title", "summary", "level", "language"):
        _undefined(data.get(key), {}, check, (key,))
    title = check.string(data, "title", ())
    summary = check.string(data, "summary", ())
    level = check.string(data, "level", ())
    if level and level not in LEVELS:
        check.add(("level",), f"must be one of {', '.join(LEVELS)}")
    language = check.string(data, "language", ())
    needs = data.get("needs", {})
    if not isinstance(needs, dict):
        check.add(("needs",), "must be a table ([needs])")
        needs = {}
    check.unknown(needs, NEEDS_KEYS, ("needs",))
    server = needs.get("server", "sandbox")
    if server not in ("sandbox", "any"):
        check.add(("needs", "server"), 'must be "sandbox" or "any"')
    scenarios = _scenarios(needs.get("scenarios", []), check, ("needs", "scenarios"))
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
        check.add(("variables",), "must be a table of texts (name = \"value\")")
        variables = {}
    steps_data = data.get("step")
    if not isinstance(steps_data, list) or not steps_data:
        check.add(("step",), "a lesson needs at least one [[step]]")
        steps_data = []
    for index, table in enumerate(steps_data):
        _undefined(table, variables, check, ("step", index))
    steps = tuple(s for i, t in enumerate(steps_data) if (s := _step(i, t, check, variables)) is not None)
    if steps_data and not any(isinstance(t, dict) and "connect" in t for t in steps_data):
        check.add(("step", 0), "no step opens the connection: start the lesson with a step that has connect = true")
    lesson = Lesson(path, lesson_name(path), title, summary, level, language, server, tuple(scenarios),
                    dict(variables), steps)
    return lesson, check.problems


def lesson_name(path: Path) -> str:
    """``lessons/03-reply-codes.toml`` is called ``reply-codes`` (the number only orders them)."""
    return re.sub(r"^\d+[-_]", "", path.stem)


def check_lesson(path: Path) -> list[Problem]:
    """Every problem of a lesson file (an empty list: it is fine)."""
    return _parse(Path(path))[1]


def load_lesson(path: Path, lang: str | None = None) -> Lesson:
    """Load a lesson, its texts in ``lang`` where it has them; :class:`LessonError` lists every problem."""
    lesson, problems = _parse(Path(path), lang)
    if problems or lesson is None:
        raise LessonError(problems)
    return lesson


def bundled_dir() -> Path:
    """The bundled course: ``explorer/lessons/bundled`` once installed (setup.py maps the
    project's ``lessons/`` folder there), the ``lessons/`` folder itself in a checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "bundled"
    return installed if installed.is_dir() else here.parents[1] / "lessons"


def list_lessons(extra: Path | None = None) -> list[Path]:
    folders = [bundled_dir()] + ([extra] if extra else [])
    return [p for folder in folders if folder.is_dir() for p in sorted(folder.glob("*.toml"))]


def find_lesson(name: str, extra: Path | None = None) -> Path:
    """A lesson by path, or by name among the bundled ones (and ``extra``); LookupError if none."""
    given = Path(name)
    if given.suffix == ".toml" or given.exists():
        if not given.is_file():
            raise LookupError(f"no lesson file {name}")
        return given
    for path in list_lessons(extra):
        if name in (path.stem, lesson_name(path)):
            return path
    names = ", ".join(lesson_name(p) for p in list_lessons(extra))
    raise LookupError(f"no lesson called {name!r} (bundled: {names or 'none'})")
