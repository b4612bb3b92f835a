"""Rubrics: what an instructor gives points for, as a TOML file, and each student's score.

The format is documented with a complete example in ``docs/rubric.md``. In short: an optional
``title``, then one ``[[item]]`` per line of the rubric, each with a ``name`` (a column of the
grade book), a ``text`` (what it means, for people), ``points`` and a ``check``, one of
:data:`CHECKS`. Checks about messages take an optional ``to`` (only messages to this address
count); ``no-finding`` takes an optional ``keys`` (the linter's mistake keys; without it, any
finding of severity "error"). Loading only parses TOML; every problem is reported as
``file:line: field: message``, like ``lesson check``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from explorer.lessons.locate import KeyLines
from explorer.lessons.model import Problem, read_toml
from explorer.reports.class_facts import Delivery, SessionFacts

__all__ = ["Item", "Rubric", "RubricError", "CHECKS", "check_rubric", "load_rubric", "score"]

#: Every check (their meaning is in docs/rubric.md).
CHECKS = ("delivered", "delivered-after-auth", "subject-has-id", "ehlo", "no-finding",
          "charset-declared")
_MESSAGE_CHECKS = {"delivered", "delivered-after-auth", "subject-has-id", "charset-declared"}
TOP_KEYS = {"title", "item"}
ITEM_KEYS = {"name", "text", "points", "check", "to", "keys"}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class Item:
    """One line of a rubric."""

    name: str
    text: str
    points: int
    check: str
    to: str | None = None
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rubric:
    path: Path
    title: str
    items: tuple[Item, ...]

    @property
    def total(self) -> int:
        return sum(item.points for item in self.items)


class RubricError(Exception):
    """A rubric file with problems; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(map(str, problems[:3])) +
                         (f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""))
        self.problems = problems


def _parse(path: Path) -> tuple[Rubric | None, list[Problem]]:
    data, text, stopped = read_toml(path, "no-rubric-file")
    if data is None:
        return None, stopped
    lines, problems = KeyLines(text), []

    def add(where: tuple, key: str, **values: object) -> None:
        name = ".".join(str(p + 1) if isinstance(p, int) else p for p in where)
        problems.append(Problem.of(path, lines.line(*where), re.sub(r"^item\.(\d+)", r"item \1", name),
                                   key, **values))

    for key in data:
        if key not in TOP_KEYS:
            add((key,), "unknown-key", allowed=", ".join(sorted(TOP_KEYS)))
    title = data.get("title", "")
    if not isinstance(title, str):
        add(("title",), "text")
        title = ""
    entries = data.get("item")
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        add(("item",), "rubric-no-items")
        entries = []
    items, names = [], {}
    for index, entry in enumerate(entries):
        item = _item(entry, index, add)
        if item is None:
            continue
        if item.name.lower() in names:
            add(("item", index, "name"), "rubric-same-name", name=repr(item.name),
                other=names[item.name.lower()] + 1)
            continue
        names[item.name.lower()] = index
        items.append(item)
    return Rubric(path, title, tuple(items)), sorted(problems, key=lambda p: p.line)


def _item(entry: dict, index: int, add: Any) -> Item | None:
    from explorer.lint import mistake_keys

    where = ("item", index)
    before = 0

    def problem(key: str, message: str, **values: object) -> None:  # message: a checks entry
        nonlocal before
        before += 1
        add(where + (key,), message, **values)

    for key in entry:
        if key not in ITEM_KEYS:
            problem(key, "unknown-key", allowed=", ".join(sorted(ITEM_KEYS)))
    name, text = entry.get("name"), entry.get("text", "")
    if not isinstance(name, str) or not _NAME.match(name):
        problem("name", "rubric-name")
    if not isinstance(text, str):
        problem("text", "text")
    points = entry.get("points")
    if not isinstance(points, int) or isinstance(points, bool) or not 0 < points <= 1000:
        problem("points", "rubric-points")
    check = entry.get("check")
    if check not in CHECKS:
        problem("check", "rubric-check", checks=", ".join(CHECKS))
    to = entry.get("to")
    if to is not None:
        if check not in _MESSAGE_CHECKS:
            problem("to", "rubric-to-checks", checks=", ".join(sorted(_MESSAGE_CHECKS)))
        elif not isinstance(to, str) or to.count("@") != 1 or any(c.isspace() or c in "<>" for c in to):
            problem("to", "rubric-to-address")
    keys = entry.get("keys", [])
    if "keys" in entry:
        if check != "no-finding":
            problem("keys", "rubric-keys-check")
        elif not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            problem("keys", "rubric-keys-list")
        else:
            known = set(mistake_keys())
            for key in keys:
                if key not in known:
                    problem("keys", "rubric-unknown-mistake", mistake=repr(key))
    if before:
        return None
    return Item(name, text or name, points, check, to.lower() if to else None, tuple(keys))


def check_rubric(path: Path) -> list[Problem]:
    """Every problem of a rubric file (an empty list: it is fine)."""
    return _parse(Path(path))[1]


def load_rubric(path: Path) -> Rubric:
    """Load a rubric; raises :class:`RubricError` listing every problem."""
    rubric, problems = _parse(Path(path))
    if problems or rubric is None:
        raise RubricError(problems)
    return rubric


def _messages(sessions: Iterable[SessionFacts], to: str | None) -> list[Delivery]:
    found = [d for s in sessions for d in s.deliveries]
    if to is not None:
        found = [d for d in found if to in (r.lower() for r in d.recipients)]
    return found


def _passes(item: Item, student_id: str, sessions: list[SessionFacts]) -> bool:
    check = item.check
    if check == "ehlo":
        return any(s.ehlo for s in sessions)
    if check == "no-finding":
        if not sessions:
            return False
        if item.keys:
            return not any(s.mistakes[key] for s in sessions for key in item.keys)
        return not any(s.errors for s in sessions)
    messages = _messages(sessions, item.to)
    if check == "delivered":
        return bool(messages)
    if check == "delivered-after-auth":
        return any(d.after_auth for d in messages)
    if check == "subject-has-id":
        return any(student_id.lower() in d.subject.lower() for d in messages)
    if check == "charset-declared":
        return bool(messages) and all(d.charset_ok for d in messages)
    raise ValueError(f"unknown check {check!r}")  # load_rubric lets none through


def score(rubric: Rubric, student_id: str, sessions: list[SessionFacts]) -> dict[str, int]:
    """The points of each item (by name) for one student's sessions."""
    return {item.name: item.points if _passes(item, student_id, sessions) else 0
            for item in rubric.items}
