"""``smtp-explorer base64 encode|decode``: Base64 as AUTH uses it (an encoding, not encryption)."""

from __future__ import annotations

import argparse

from explorer.commands.base import UsageError, print_lines

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "base64",
        help="encode or decode Base64, as AUTH uses it",
        description="Encode text to Base64 or decode Base64 to text, as SMTP AUTH does. "
        "Base64 is an encoding, not encryption.",
    )
    p.add_argument("direction", choices=("encode", "decode"))
    p.add_argument("text", nargs="+", metavar="TEXT", help="the text (several words are joined with spaces)")
    p.set_defaults(handler=run_base64)


def run_base64(args: argparse.Namespace) -> int:
    from explorer.reports.explaining import describe_base64

    try:
        return print_lines(describe_base64(args.direction, " ".join(args.text)))
    except ValueError as exc:
        raise UsageError(f"invalid Base64: {exc}") from None
