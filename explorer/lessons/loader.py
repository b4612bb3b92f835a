"""Reading and checking lesson files: TOML data in, a :class:`Lesson` or ``file:line`` problems out.

Loading a lesson only parses TOML: it executes nothing, opens no other file and touches no
network. Every problem names the file, the line and the field, so an instructor can fix it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from explorer.knowledge.keyed import KeyedError
from explorer.lessons.locate import Checker
from explorer.lessons.model import PLACEHOLDER, Lesson, Problem, read_toml
from explorer.lessons.steps import ONE_LINE, line_break, read_scenarios, read_step
from explorer.lessons.translate import check_translations, localise
from explorer.sandbox.profile import DEFAULT_PROFILE, PROFILE_NAMES

__all__ = ["LessonError", "LessonNotFound", "load_lesson", "check_lesson", "bundled_dir", "find_lesson", "list_lessons"]

TOP_KEYS = {"title", "summary", "level", "language", "needs", "variables", "step"}
NEEDS_KEYS = {"server", "scenarios", "profile"}
LEVELS = ("beginner", "intermediate", "advanced")


class LessonError(Exception):
    """A lesson file with problems; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
def _undefined(value: Any, variables: dict[str, str], check: Checker, path: tuple) -> None:
    if isinstance(value, str):
        bad = _CONTROL.search(value)
        if line_break(value) and len(path) == 3 and path[0] == "step" and path[2] in ONE_LINE:
            check.add(path, "line-break")
        elif bad:
            check.add(path, "control-character", character=repr(bad.group()))
        for name in PLACEHOLDER.findall(value):
            if name not in variables:
                check.add(path, "undefined-variable", name=name)
    elif isinstance(value, dict):
        for key, item in value.items():
            _undefined(item, variables, check, path + (key,))
    elif isinstance(value, list):
        for item in value:
            _undefined(item, variables, check, path)


def _parse(path: Path, lang: str | None = None) -> tuple[Lesson | None, list[Problem]]:
    data, text, stopped = read_toml(path, "no-file", escape_hint=True)
    if data is None:
        return None, stopped
    check = Checker(path, text)
    check_translations(data, check.add)
    data = localise(data, lang or "")
    check.unknown(data, TOP_KEYS, ())
    for key in ("title", "summary", "level", "language"):
        _undefined(data.get(key), {}, check, (key,))
    title = check.string(data, "title", ())
    summary = check.string(data, "summary", ())
    level = check.string(data, "level", ())
    if level and level not in LEVELS:
        check.add(("level",), "one-of", allowed=", ".join(LEVELS))
    language = check.string(data, "language", ())
    needs = data.get("needs", {})
    if not isinstance(needs, dict):
        check.add(("needs",), "needs-table")
        needs = {}
    check.unknown(needs, NEEDS_KEYS, ("needs",))
    server = needs.get("server", "sandbox")
    if server not in ("sandbox", "any"):
        check.add(("needs", "server"), "needs-server")
    scenarios = read_scenarios(needs.get("scenarios", []), check, ("needs", "scenarios"))
    profile = needs.get("profile", DEFAULT_PROFILE)
    if profile not in PROFILE_NAMES:
        check.add(("needs", "profile"), "one-of", allowed=", ".join(PROFILE_NAMES))
        profile = DEFAULT_PROFILE
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
        check.add(("variables",), "variables-table")
        variables = {}
    steps_data = data.get("step")
    if not isinstance(steps_data, list) or not steps_data:
        check.add(("step",), "no-steps")
        steps_data = []
    for index, table in enumerate(steps_data):
        _undefined(table, variables, check, ("step", index))
    steps = tuple(s for i, t in enumerate(steps_data) if (s := read_step(i, t, check, variables)) is not None)
    if steps_data and not any(isinstance(t, dict) and "connect" in t for t in steps_data):
        check.add(("step", 0), "no-connect")
    lesson = Lesson(path, lesson_name(path), title, summary, level, language, server, tuple(scenarios),
                    dict(variables), steps, profile=profile)
    return lesson, sorted(check.problems, key=lambda problem: problem.line)  # in the file's order


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


class LessonNotFound(KeyedError, LookupError):
    """No lesson by that name or path; :meth:`text` says so in any language."""

    table = "lessons"

    def text(self, lang: str = "en") -> str:
        from explorer.lessons.texts import text

        values = dict(self.values)
        if self.key == "no-lesson-called" and not values["names"]:
            values["names"] = text("none", lang)
        return text(self.key, lang, **values)


def find_lesson(name: str, extra: Path | None = None) -> Path:
    """A lesson by path, or by name among the bundled ones (and ``extra``); LessonNotFound if none."""
    given = Path(name)
    if given.suffix == ".toml" or given.exists():
        if not given.is_file():
            raise LessonNotFound("no-lesson-file", path=name)
        return given
    for path in list_lessons(extra):
        if name in (path.stem, lesson_name(path)):
            return path
    names = ", ".join(lesson_name(p) for p in list_lessons(extra))
    raise LessonNotFound("no-lesson-called", name=repr(name), names=names)
