"""The learner-facing texts of lessons (the tutor, the judge, ``lesson list``), from
``knowledge/lessons.toml``: one entry per key, with ``en`` and ``zh``."""

from __future__ import annotations

from explorer.knowledge.tables import DEFAULT_LANG
from explorer.knowledge.tables import text as table_text

__all__ = ["text"]


def text(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """One text in ``lang`` (English filling a gap), its ``{placeholders}`` filled from ``values``."""
    return table_text("lessons", key, lang, **values)
