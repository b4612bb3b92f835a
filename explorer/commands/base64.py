"""``smtp-explorer base64 encode|decode``: Base64 as AUTH uses it (an encoding, not encryption)."""

from __future__ import annotations

import argparse

from explorer.commands.base import UsageError, help_text, message, print_lines

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction, lang: str = "en") -> None:
    p = subparsers.add_parser(
        "base64",
        help=help_text("base64.help", lang),
        description=help_text("base64.description", lang),
    )
    p.add_argument("direction", choices=("encode", "decode"))
    p.add_argument("text", nargs="+", metavar="TEXT", help=help_text("base64.text", lang))
    p.set_defaults(handler=run_base64)


def run_base64(args: argparse.Namespace) -> int:
    from explorer.knowledge.keyed import error_text
    from explorer.reports.explaining import describe_base64

    try:
        return print_lines(describe_base64(args.direction, " ".join(args.text), args.lang))
    except ValueError as exc:
        raise UsageError(message("invalid-base64", args.lang, error=error_text(exc, args.lang))) from None
