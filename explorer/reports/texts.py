"""The learner-facing texts of transcripts, from ``knowledge/transcript.toml``."""

from __future__ import annotations

from explorer.knowledge import tables
from explorer.knowledge.tables import DEFAULT_LANG, load, pick

__all__ = ["text", "group"]


def group(name: str, lang: str = DEFAULT_LANG) -> dict[str, str]:
    """Every text of one group (``labels``, ``page``...) in ``lang``, English filling the gaps."""
    return pick(load("transcript")[name], lang)


def text(name: str, key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """One text, with its ``{placeholders}`` filled from ``values``."""
    return tables.text("transcript", name, lang, key, **values)
