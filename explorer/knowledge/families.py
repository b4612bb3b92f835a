"""Server families, and what each answers where servers differ (``families.toml``).

:func:`family_of` recognises the server from its greeting and EHLO lines (Coremail, QQ, gsmtp,
Microsoft ESMTP, Postfix, Exim, the sandbox's teaching profile; the sandbox's other profiles
send their provider's banner and are recognised as that provider). :func:`prediction` gives,
for a warning of the protocol core, the code this family answers and the text that says who
does what.

Only the standard library is imported; nothing is read until the first call.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from explorer.knowledge.tables import DEFAULT_LANG, load, pick

__all__ = ["Prediction", "family_name", "family_of", "label", "prediction"]


@dataclass(frozen=True)
class Prediction:
    """Where servers differ: the code this family answers (None: unknown) and who does what."""

    key: str
    code: int | None
    text: str


@functools.cache
def _families() -> tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...]:
    table = load("families")["family"]
    return tuple((key, re.compile(entry["banner"], re.I), re.compile(entry["ehlo"], re.I))
                 for key, entry in table.items())


def family_of(banner: str, ehlo: Iterable[str] = ()) -> str | None:
    """The family key of a server, from its greeting text and its EHLO lines (codes removed)."""
    lines = list(ehlo)
    for key, by_banner, by_ehlo in _families():
        if by_banner.search(banner) or any(by_ehlo.search(line) for line in lines):
            return key
    return None


def family_name(family: str, lang: str = DEFAULT_LANG) -> str:
    """How a family is named to the learner."""
    return pick(load("families")["family"][family], lang)["name"]


def prediction(warning: str, family: str | None, lang: str = DEFAULT_LANG) -> Prediction | None:
    """For a warning of the protocol core where servers differ: this family's code and the
    text saying who does what; None where servers agree."""
    entry = load("families")["differ"].get(warning)
    if entry is None:
        return None
    code = entry["codes"].get(family) if family else None
    return Prediction(warning, code, pick(entry, lang)["text"])


def label(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """One of the family labels (``family``, ``differs``...), filled in."""
    return pick(load("families")["label"], lang)[key].format(**values)
