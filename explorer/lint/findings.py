"""What the linter reports: a :class:`Finding` per mistake, and its explanation from the table.

A finding says *where* (line and byte offset in everything the client sent, the chunk it came
in and when) and *which* mistake (``key``). Every text a learner reads about it lives in
``explorer/knowledge/mistakes.toml`` under ``[mistake.<key>]``, per language: ``what`` is wrong,
``why`` it matters, what a real ``server`` does with it, and the ``fix``. :func:`explain` fills
those texts for one finding.

Findings that come from the protocol core's own checks (an out-of-order command, a syntax
problem) carry the core's reason key in ``reason``; their texts take the core's explanation from
``knowledge/warnings.toml`` through the ``{advice}`` and ``{advice_fix}`` placeholders.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Any

from explorer.knowledge.guide import advice
from explorer.knowledge.tables import DEFAULT_LANG, load, pick

__all__ = ["Finding", "Explanation", "explain", "label", "mistake_keys", "make", "located"]

@dataclass(frozen=True)
class Finding:
    """One mistake in what a client sent.

    ``line`` (1-based) and ``offset`` (0-based) count in the client's byte stream: every byte it
    sent in the session, in order (lines end at LF). ``chunk_index`` is the index, in the
    sequence given to the linter, of the chunk holding that byte, and ``time`` its timestamp
    (both None when unknown, as for :func:`explorer.lint.lint_outgoing`). A finding holds no
    byte of what was sent (a credential may be there): the front ends show the exchange, redacted.
    ``where`` is one of command, auth, header, body, message, session.
    ``count`` is how many lines of the same message had this mistake (the first is the one
    located). ``values`` fill the placeholders of the texts; they are already safe to print.
    """

    key: str
    line: int
    offset: int
    chunk_index: int | None = None
    time: float | None = None
    where: str = "command"
    severity: str = "error"
    reason: str | None = None
    count: int = 1
    values: tuple[tuple[str, str], ...] = ()

    def value(self, name: str) -> str | None:
        return dict(self.values).get(name)


@dataclass(frozen=True)
class Explanation:
    """The four texts of a finding, in one language, placeholders filled."""

    key: str
    what: str
    why: str
    server: str
    fix: str
    reference: str = ""


@functools.cache
def _table() -> dict[str, Any]:
    return load("mistakes")


def mistake_keys() -> tuple[str, ...]:
    """Every mistake the table explains."""
    return tuple(_table()["mistake"])


def _entry(key: str) -> dict[str, Any]:
    try:
        return _table()["mistake"][key]
    except KeyError:
        raise KeyError(f"no mistake {key!r} in knowledge/mistakes.toml") from None


def make(key: str, line: int, offset: int, *, where: str = "command", reason: str | None = None,
         values: dict[str, str] | None = None, severity: str | None = None) -> Finding:
    """A finding, its severity taken from the table unless given."""
    return Finding(key=key, line=line, offset=offset, where=where,
                   severity=severity or _entry(key).get("severity", "error"), reason=reason,
                   values=tuple(sorted((values or {}).items())))


class _Keep(dict):
    # A placeholder without a value stays as it is, so a text never fails to format.
    def __missing__(self, name: str) -> str:
        return "{" + name + "}"


def _fill(text: str, values: dict[str, str]) -> str:
    return text.format_map(_Keep(values))


def label(name: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """A short label of the front ends that show findings (``[labels]`` in mistakes.toml)."""
    texts = pick(_table()["labels"], lang)
    return _fill(texts[name], {k: str(v) for k, v in values.items()})


def explain(finding: Finding, lang: str = DEFAULT_LANG) -> Explanation:
    """The texts of ``finding`` in ``lang`` (falling back to English field by field)."""
    entry = _entry(finding.key)
    texts = pick(entry, lang)
    values = dict(finding.values)
    values.setdefault("count", str(finding.count))
    values.setdefault("where", label(f"where_{finding.where}", lang))
    if finding.reason:
        try:
            core = advice(finding.reason, lang)
            values.setdefault("advice", core.text)
            values.setdefault("advice_fix", core.fix)
        except KeyError:  # a reason key the core added later: keep the generic text
            values.setdefault("advice", finding.reason)
            values.setdefault("advice_fix", "")
    return Explanation(finding.key, *(_fill(texts.get(f, ""), values)
                                      for f in ("what", "why", "server", "fix")),
                       reference=entry.get("reference", ""))


def located(finding: Finding, chunk_index: int | None, time: float | None) -> Finding:
    """The finding with the chunk (and its time) that carried its byte."""
    return replace(finding, chunk_index=chunk_index, time=time)
