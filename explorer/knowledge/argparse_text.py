"""argparse's own sentences in the learner's language, without touching the standard library.

argparse writes its errors in English (through ``gettext``, whose catalogue has no Chinese for a
program's own domain). Rather than replace ``argparse._`` for the whole process, the parser hands
the finished English message to :func:`translate`, which recognises it by the ``en`` texts of the
table ``cli_argparse`` (argparse's messages, with ``{placeholders}`` where it fills in values) and
says it again with the same values in the chosen language. A message it does not know is kept.
"""

from __future__ import annotations

import functools
import re
from string import Formatter

__all__ = ["translate", "help_heading"]

_TABLE = "cli_argparse"
_NESTED = "message"  # the placeholder that holds another argparse message


@functools.cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(key, the regular expression of its English text), in the table's order."""
    from explorer.knowledge.tables import load, pick

    found = []
    for key, entry in load(_TABLE).items():
        parts = []
        for literal, name, _spec, _conv in Formatter().parse(pick(entry, "en")["text"]):
            parts.append(re.escape(literal))
            if name:
                parts.append(f"(?P<{name}>.*?)")
        found.append((key, re.compile("".join(parts) + r"\Z", re.DOTALL)))
    return tuple(found)


def translate(message: str, lang: str) -> str:
    """argparse's English ``message`` said in ``lang`` (as it is if unknown, or for English)."""
    if lang == "en":
        return message
    from explorer.knowledge.tables import text

    for key, pattern in _patterns():
        match = pattern.match(message)
        if match:
            values = match.groupdict()
            if _NESTED in values:
                values[_NESTED] = translate(values[_NESTED], lang)
            return text(_TABLE, key, lang, **values)
    return message


def help_heading(line: str) -> str:
    """A help section's heading line ("位置参数:") ending in the full-width colon a Chinese
    heading takes; any other line unchanged."""
    return line[:-1] + "：" if line.endswith(":") and not line.startswith(" ") else line
