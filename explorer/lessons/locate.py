"""Line numbers for TOML keys, so every problem in a lesson file can say ``file:line``.

tomllib gives values, not positions; lesson files are simple (top-level keys, ``[tables]`` and
``[[step]]`` arrays), so one pass over the lines finds where each key path is written.
"""

from __future__ import annotations

import re

__all__ = ["KeyLines"]

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
