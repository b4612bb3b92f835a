"""The extensions a server advertises in its EHLO reply (RFC 5321 4.1.1.1 and the extension RFCs).

The first line of a 250 EHLO reply is the server's name and greeting; every further line is an
extension keyword with optional parameters. Keywords are case-insensitive. Old servers still send
``AUTH=LOGIN PLAIN`` (a pre-standard form of ``AUTH``) and it counts as AUTH here.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from functools import cached_property

from explorer.core.replies import Reply

__all__ = ["Extension", "Capabilities", "parse_ehlo"]

_KEYWORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
_MECHANISM = re.compile(r"[A-Za-z0-9_-]{1,20}")


@dataclass(frozen=True)
class Extension:
    """One advertised extension: upper-case keyword, its parameters, and the line as sent."""

    keyword: str
    params: tuple[str, ...]
    line: str
    legacy: bool = False  # the "AUTH=LOGIN" form
    valid: bool = True  # False when the keyword is not a valid ehlo-keyword


@dataclass(frozen=True)
class Capabilities:
    """What an EHLO reply said: the server's greeting line and its extensions, in order."""

    greeting: str = ""
    extensions: tuple[Extension, ...] = ()
    _index: dict[str, Extension] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for ext in self.extensions:
            if ext.legacy:  # the standard form wins when a server sends both AUTH and AUTH=
                self._index.setdefault(ext.keyword, ext)
            else:
                self._index[ext.keyword] = ext

    def has(self, keyword: str) -> bool:
        return keyword.upper() in self._index

    def get(self, keyword: str) -> Extension | None:
        return self._index.get(keyword.upper())

    @cached_property
    def auth_mechanisms(self) -> tuple[str, ...]:
        """The SASL mechanisms from AUTH (and the legacy AUTH=), upper-case, without repeats.

        Only valid mechanism names count (RFC 4422 3.1: up to 20 of A-Z 0-9 - _): a name with
        control characters in it is never suggested to the learner or put on a command line.
        Computed once (the toolbar asks on every keystroke), in one pass over the parameters.
        """
        seen: dict[str, None] = {}
        for ext in self.extensions:
            if ext.keyword == "AUTH":
                for name in ext.params:
                    if _MECHANISM.fullmatch(name):
                        seen.setdefault(name.upper(), None)
        return tuple(seen)

    @property
    def size_limit(self) -> int | None:
        """SIZE's parameter in octets; None if not advertised, 0 if advertised with no limit."""
        ext = self.get("SIZE")
        if ext is None:
            return None
        try:
            return int(ext.params[0]) if ext.params else 0
        except ValueError:
            return 0

    @property
    def keywords(self) -> tuple[str, ...]:
        return tuple(self._index)


def _parse_line(line: str) -> Extension:
    head, _, rest = line.strip().partition(" ")
    legacy = False
    if "=" in head and head.upper().startswith("AUTH="):
        legacy = True
        rest = head[5:] + (" " + rest if rest else "")
        head = "AUTH"
    params = tuple(rest.split())
    return Extension(head.upper(), params, line, legacy, bool(_KEYWORD.fullmatch(head)))


def parse_ehlo(reply: Reply) -> Capabilities:
    """Read a 250 reply to EHLO. Any other reply yields no extensions."""
    if reply.code != 250 or not reply.lines:
        return Capabilities()
    return _parse_lines(reply.lines)


@functools.lru_cache(maxsize=256)
def _parse_lines(lines: tuple[str, ...]) -> Capabilities:
    # Cached: a log of a class's sessions holds the same few EHLO replies thousands of times,
    # and Capabilities is never changed after it is made.
    greeting, *rest = lines
    return Capabilities(greeting, tuple(_parse_line(line) for line in rest if line.strip()))
