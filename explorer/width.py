"""Text on a terminal by display width: a Chinese character takes two columns, not one.

``len()`` counts code points, so a Chinese sentence wrapped or padded with it overflows the line by
half. Everything that wraps, indents or aligns text for a terminal goes through :func:`width`,
:func:`pad` and :func:`fill` (wcwidth decides the columns; prompt_toolkit depends on it already).

Chinese has no spaces between words: a line may break between any two Chinese characters, but
not before closing punctuation (，。）...) nor after opening punctuation (（“...), the classic
line-breaking rule of Chinese typesetting. Latin words and protocol tokens (``MAIL FROM:<...>``)
inside Chinese text are never split.
"""

from __future__ import annotations

import re
import textwrap
from functools import lru_cache

__all__ = ["width", "pad", "fill", "is_wide", "unwrap"]

# No line starts with these, and none ends with the opening ones.
_CLOSING = set("，。、；：？！）》」』】〕…—·％,.;:?!)]}%'\"”’")
_OPENING = set("（《「『【〔“‘([{")


@lru_cache(maxsize=4096)
def _char_width(ch: str) -> int:
    from wcwidth import wcwidth

    return max(wcwidth(ch), 0)  # control characters (-1) take no column; they are escaped anyway


def width(text: str) -> int:
    """Columns ``text`` takes on a terminal."""
    if text.isascii():
        return len(text)
    return sum(_char_width(ch) for ch in text)


def is_wide(text: str) -> bool:
    """True if some character of ``text`` takes two columns."""
    return not text.isascii() and any(_char_width(ch) == 2 for ch in text)


def pad(text: str, columns: int) -> str:
    """``text`` with spaces after it up to ``columns`` display columns (the ``:<N`` of f-strings)."""
    return text + " " * max(columns - width(text), 0)


_ATOM = re.compile(r"\s+|[^\s]")


def _atoms(text: str) -> list[str]:
    """Unbreakable pieces: a space, a run of narrow characters (a word), or one wide character,
    with closing punctuation glued to what precedes it and opening punctuation to what follows."""
    atoms: list[str] = []
    glue_next = False
    for ch in (m.group() for m in _ATOM.finditer(text)):
        if ch[0].isspace():
            atoms.append(" ")
            glue_next = False
            continue
        wide = _char_width(ch) == 2
        previous = atoms[-1] if atoms else " "
        # A narrow character continues a narrow word ("5.7.8", "MAIL FROM:<a@b>" stay whole).
        joins = previous != " " and (glue_next or ch in _CLOSING or (not wide and _char_width(previous[-1]) != 2))
        if joins:
            atoms[-1] += ch
        else:
            atoms.append(ch)
        glue_next = ch in _OPENING
    return atoms


def fill(text: str, columns: int, indent: str = "", hanging: str | None = None, **options: bool) -> str:
    """Fill ``text`` into lines of at most ``columns`` display columns (a word longer than a line
    overflows rather than being cut). Text without wide characters is filled by ``textwrap``, as
    before, with ``options`` (``break_on_hyphens``...) passed on to it."""
    hanging = indent if hanging is None else hanging
    if not is_wide(text + indent + hanging):
        return textwrap.fill(text, columns, initial_indent=indent, subsequent_indent=hanging, **options)
    lines: list[str] = []
    line, used, space, empty = indent, width(indent), False, True
    for atom in _atoms(text):
        if atom == " ":
            space = not empty
            continue
        gap = 1 if space else 0
        size = width(atom)
        if not empty and used + gap + size > columns:
            lines.append(line)
            line, used, gap, empty = hanging, width(hanging), 0, True
        line += " " * gap + atom
        used += gap + size
        space, empty = False, False
    lines.append(line)
    return "\n".join(lines)


def unwrap(paragraph: str) -> str:
    """One paragraph's lines joined into one: with a space between Latin words, and with nothing
    between two Chinese characters (a line break in Chinese source text is not a space)."""
    out = ""
    for line in paragraph.split():
        if out and not (is_wide(out[-1]) and is_wide(line[0])):
            out += " "
        out += line
    return out
