"""Line numbers for TOML keys, so every problem in a lesson file can say ``file:line``, and the
:class:`Checker` that collects those problems.

tomllib gives values, not positions; lesson files are simple (top-level keys, ``[tables]`` and
``[[step]]`` arrays), so one pass over the lines finds where each key path is written.
"""

from __future__ import annotations

import re
from pathlib import Path

from explorer.lessons.model import Problem

__all__ = ["KeyLines", "Checker"]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\" ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=")


class KeyLines:
    """Maps key paths such as ``("step", 2, "expect", "command")`` to the line they start on."""

    def __init__(self, text: str):
        self._lines: dict[tuple, int] = {}
        counters: dict[str, int] = {}
        prefix: tuple = ()
        in_multiline = False
        for number, line in enumerate(text.splitlines(), start=1):
            if in_multiline:
                if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                    in_multiline = False
                continue
            header = _HEADER.match(line)
            if header:
                names = [n.strip().strip('"') for n in header.group(2).split(".")]
                if header.group(1) == "[[":
                    key = ".".join(names)
                    counters[key] = counters.get(key, -1) + 1
                    prefix = (*names[:-1], names[-1], counters[key])
                else:
                    prefix = self._resolve(names, counters)
                self._lines.setdefault(prefix, number)
                continue
            key = _KEY.match(line)
            if key:
                path = prefix + tuple(part.strip() for part in key.group(1).split("."))
                for depth in range(len(prefix) + 1, len(path) + 1):
                    self._lines.setdefault(path[:depth], number)
                value = line[key.end():]
                if value.count('"""') % 2 == 1 or value.count("'''") % 2 == 1:
                    in_multiline = True

    @staticmethod
    def _resolve(names: list[str], counters: dict[str, int]) -> tuple:
        # [step.question] belongs to the latest [[step]].
        path: list = []
        for index, name in enumerate(names):
            path.append(name)
            array = ".".join(names[: index + 1])
            if array in counters:
                path.append(counters[array])
        return tuple(path)

    def line(self, *path: object) -> int:
        """The line of the longest known prefix of ``path`` (1 if nothing matches)."""
        for depth in range(len(path), 0, -1):
            found = self._lines.get(tuple(path[:depth]))
            if found:
                return found
        return 1


class Checker:
    """Collects the problems of one lesson file, each with the line its key is written on."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines = KeyLines(text)
        self.problems: list[Problem] = []

    def _where(self, path: tuple) -> tuple[int, str]:
        name = ".".join(str(p + 1) if isinstance(p, int) else p for p in path)
        return self.lines.line(*path), re.sub(r"^step\.(\d+)", r"step \1", name)

    def add(self, path: tuple, key: str, **values: object) -> None:
        """The problem ``key`` (an entry of the table ``checks``) at the key ``path``."""
        self.problems.append(Problem.of(self.path, *self._where(path), key, **values))

    def string(self, table: dict, key: str, path: tuple, *, required: bool = True) -> str:
        value = table.get(key)
        if value is None:
            if required:
                self.add(path + (key,), "missing")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.add(path + (key,), "non-empty-text")
            return ""
        return value

    def unknown(self, table: dict, allowed: set[str], path: tuple) -> None:
        for key in table:
            if key not in allowed:
                self.add(path + (key,), "unknown-key", allowed=", ".join(sorted(allowed)))
