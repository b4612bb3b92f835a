"""Errors whose message is a key of a knowledge table, so the front end can show it in any language.

An exception raised deep in the client or the sandbox does not know the learner's language. It
carries a table entry's key and its values instead; ``str(exc)`` stays the English text (logs and
existing callers keep working) and :func:`error_text` renders it in the chosen language.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = ["KeyedError", "error_text", "flaw_text"]


class KeyedError(Exception):
    """An error whose text is entry ``key`` of the table ``table`` (set by each subclass)."""

    table: ClassVar[str]

    def __init__(self, key: str, **values: object):
        self.key, self.values = key, values
        super().__init__(self.text())

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (English when the table lacks that language)."""
        from explorer.knowledge.tables import text  # on first use: keeps importing errors cheap

        return text(self.table, self.key, lang, **self.values)


def error_text(exc: BaseException, lang: str = "en") -> str:
    """What to show for ``exc``: in ``lang`` when it is a :class:`KeyedError`, or an error of
    the protocol core that names its ``table`` entry by ``key`` and ``values`` (the core holds
    no sentence); else ``str(exc)``."""
    if isinstance(exc, KeyedError):
        return exc.text(lang)
    table = getattr(exc, "table", None)
    if isinstance(table, str) and isinstance(getattr(exc, "key", None), str):
        from explorer.knowledge.tables import text

        return text(table, exc.key, lang, **dict(getattr(exc, "values", {})))  # type: ignore[attr-defined]
    return str(exc)


def flaw_text(flaw: object, lang: str = "en") -> str:
    """What the reply parser found wrong, in ``lang``: a ``Flaw`` or a ``ProtocolError`` of
    ``explorer.core.replies`` (a key of ``knowledge/reply_problems`` and its values). A plain
    string, as reports saved before the keys existed hold, is shown as it is."""
    if isinstance(flaw, str):
        return flaw
    from explorer.knowledge.tables import text

    return text("reply_problems", flaw.key, lang, **dict(flaw.values))  # type: ignore[attr-defined]
