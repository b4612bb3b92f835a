"""A tiny loader for the knowledge tables: TOML files shipped inside this package.

Every text a learner reads lives in a TOML table next to this module, under a language key::

    [535]
    reference = "RFC 4954"
    [535.en]
    meaning = "Authentication credentials invalid."
    [535.zh]
    meaning = "..."

so a translation is a data change. :func:`load` reads ``explorer/knowledge/<name>.toml`` once and
caches it; :func:`pick` chooses the language of one entry, falling back field by field to English.
Both are general: any module of the project may add its own table (``stages.toml``,
``warnings.toml``...) and read it through them.

Nothing is read at import time, and this module imports only the standard library.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_LANG",
    "fallback_chain",
    "fill",
    "is_language_tag",
    "language_tags",
    "load",
    "parse",
    "pick",
    "text",
]

#: The language every entry must have, and the last resort of every look-up.
DEFAULT_LANG = "en"

# A table name is a plain file stem: no path separators, so load() can only read this package.
_NAME_RE = re.compile(r"[a-z][a-z0-9_]*")

# BCP 47-like tags as used for keys: "en", "zh", "zh-TW", "pt-BR", "zh-Hans".
_LANG_RE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


def parse(text: str) -> dict[str, Any]:
    """Parse TOML text into a dict: the single parsing function :func:`load` uses.

    Tests use it to build small in-memory tables that go through the same path as the files.
    """
    import tomllib  # imported on first use: it is a fair part of this package's import time

    return tomllib.loads(text)


@functools.cache
def load(name: str) -> dict[str, Any]:
    """Read ``explorer/knowledge/<name>.toml`` once and return it (cached).

    The returned dict is shared by every caller: read it, never modify it.
    Raises ``ValueError`` for a name that is not a plain file stem, ``LookupError`` when no such
    table ships with the package, and ``tomllib.TOMLDecodeError`` (naming the file) for bad data.
    """
    if not _NAME_RE.fullmatch(name):
        raise ValueError(f"{name!r} is not a knowledge table name: use lower-case letters, digits, _")
    # The tables ship as plain files beside this module (importlib.resources costs ~25 ms to
    # import, a fifth of the REPL's start-up budget, for a package that is never zipped).
    resource = Path(__file__).with_name(f"{name}.toml")
    try:
        text = resource.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LookupError(f"no knowledge table {name!r} (expected explorer/knowledge/{name}.toml)") from None
    try:
        return parse(text)
    except ValueError as exc:  # tomllib.TOMLDecodeError: say which file
        raise type(exc)(f"explorer/knowledge/{name}.toml: {exc}") from None


def is_language_tag(key: str) -> bool:
    """True if ``key`` has the shape of a language tag ("en", "zh", "zh-TW")."""
    return bool(_LANG_RE.fullmatch(key))


def language_tags(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """The language keys of an entry: its sub-tables whose key looks like a language tag."""
    return tuple(k for k, v in entry.items() if isinstance(v, Mapping) and is_language_tag(k))


@functools.lru_cache(maxsize=64)
def fallback_chain(lang: str) -> tuple[str, ...]:
    """The languages to try, best first: ``"zh_TW"`` gives ``("zh-TW", "zh", "en")``."""
    tag = (lang or DEFAULT_LANG).strip().replace("_", "-")
    chain: list[str] = []
    parts = tag.split("-")
    for n in range(len(parts), 0, -1):
        candidate = "-".join(parts[:n])
        if candidate and candidate not in chain:
            chain.append(candidate)
    if DEFAULT_LANG not in chain:
        chain.append(DEFAULT_LANG)
    return tuple(chain)


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    # Nested tables merge key by key (a partial translation of `why` keeps the English verbs);
    # anything else in the better language simply replaces the fallback.
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def pick(entry: Mapping[str, Any], lang: str = DEFAULT_LANG) -> dict[str, Any]:
    """The texts of one entry in ``lang``, each missing field filled from the fallback languages.

    ``entry`` is one table entry holding language sub-tables (``{"en": {...}, "zh": {...}}``).
    The result is a new dict: fields of ``lang`` win, then its base language ("zh" for "zh-TW"),
    then English. A pure function: it reads nothing but its arguments.
    """
    key = (id(entry), lang)
    cached = _PICKED.get(key)
    if cached is None or cached[0] is not entry:
        merged: dict[str, Any] = {}
        for tag in reversed(fallback_chain(lang)):
            texts = entry.get(tag)
            if isinstance(texts, Mapping):
                merged = _merge(merged, texts)
        if len(_PICKED) >= _PICKED_MAX:
            _PICKED.clear()
        # The entry is kept with its result, so its id cannot be reused while it is cached.
        cached = _PICKED[key] = (entry, merged)
    return dict(cached[1])


# pick()'s results by (id(entry), lang): a report of ten thousand sessions looks the same few
# hundred entries up tens of thousands of times, and merging the languages is most of the cost.
# The tables are read-only (see load()), so an entry's texts never change under the cache.
_PICKED: dict[tuple[int, str], tuple[Mapping[str, Any], dict[str, Any]]] = {}
_PICKED_MAX = 4096


def fill(template: str, **values: Any) -> str:
    """Fill the ``{placeholders}`` of a template text from the tables."""
    return template.format(**values)


def text(table: str, key: str, lang: str = DEFAULT_LANG, field: str = "text", **values: Any) -> str:
    """The one look-up of a single text: ``field`` of entry ``key`` of ``table``, in ``lang``.

    Falls back to English for a text the language lacks (the completeness test lists where that is
    allowed), and fills the ``{placeholders}`` from ``values`` when any are given.
    """
    template = pick(load(table)[key], lang)[field]
    return fill(template, **values) if values else template
