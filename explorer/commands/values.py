"""Option values argparse refuses, said in the learner's language.

argparse reports a ``type`` function's ``ArgumentTypeError`` by its text alone; a type wrapped by
:func:`typed` turns a keyed refusal into that text in the parser's language.
"""

from __future__ import annotations

import argparse
from typing import Callable, TypeVar

from explorer.knowledge.keyed import KeyedError, error_text

__all__ = ["BadValue", "typed"]

T = TypeVar("T")


class BadValue(KeyedError, ValueError):
    """A value an option cannot take: entry ``key`` of the table ``cli_messages``."""

    table = "cli_messages"


def typed(convert: Callable[[str], T], lang: str) -> Callable[[str], T]:
    """``convert`` as an argparse ``type`` whose refusal (a ``ValueError``: keyed, such as
    :class:`BadValue`, is said in ``lang``; a plain one as it is) argparse reports."""
    def run(text: str) -> T:
        try:
            return convert(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(error_text(exc, lang)) from None
    run.__name__ = convert.__name__  # argparse names the type by it in some messages
    return run
