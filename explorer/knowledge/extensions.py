"""EHLO keywords explained from ``extensions.toml``: what a server's extension means, and what
changes when a client uses it."""

from __future__ import annotations

from dataclasses import dataclass

from . import tables

__all__ = ["ExtensionInfo", "explain_extension", "known_extensions"]

# "AUTH=LOGIN PLAIN" is the pre-standard form of the AUTH keyword: one entry covers every
# "AUTH=<mechanism>", whatever the mechanism.
_OLD_AUTH = "AUTH="


@dataclass(frozen=True)
class ExtensionInfo:
    """What an EHLO keyword means and how a client uses it."""

    keyword: str  # upper-case, as the server wrote it ("SIZE", "AUTH=LOGIN")
    known: bool  # True if the keyword is in the table
    meaning: str  # for an unknown keyword, the table's friendly "not in our table" text
    usage: str
    reference: str  # "" if unknown


def explain_extension(keyword: str, lang: str = "en") -> ExtensionInfo:
    """Explain an EHLO keyword, case-insensitively.

    ``keyword`` may be the bare keyword ("size") or a whole EHLO line without its reply code
    ("SIZE 35882577", "AUTH=LOGIN PLAIN"): only the first word counts. A keyword that is not in
    the table gets ``known=False`` and the general text about unknown extensions. Raises
    ``ValueError`` with a one-line message for an empty keyword.
    """
    table = tables.load("extensions")
    words = keyword.split() if isinstance(keyword, str) else []
    if not words:
        message = tables.pick(table["errors"], lang)["empty"]
        raise ValueError(tables.fill(message, value=repr(keyword)))
    word = words[0].upper()
    key = _OLD_AUTH if word.startswith(_OLD_AUTH) else word
    entry = table["keyword"].get(key)
    if entry is None:
        texts = tables.pick(table["unknown"], lang)
        return ExtensionInfo(word, False, texts["meaning"], texts["usage"], "")
    texts = tables.pick(entry, lang)
    return ExtensionInfo(word, True, texts["meaning"], texts["usage"], entry.get("reference", ""))


def known_extensions() -> tuple[str, ...]:
    """Every keyword in the table, in alphabetical order ("AUTH=" stands for "AUTH=<mechs>")."""
    return tuple(sorted(tables.load("extensions")["keyword"]))
