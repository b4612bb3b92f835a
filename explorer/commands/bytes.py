"""``smtp-explorer bytes``: the exact bytes a command line puts on the wire."""

from __future__ import annotations

import argparse

from explorer.commands.base import UsageError, help_text, print_lines

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction, lang: str = "en") -> None:
    p = subparsers.add_parser(
        "bytes",
        help=help_text("bytes.help", lang),
        description=help_text("bytes.description", lang),
    )
    p.add_argument("command", nargs="+", metavar="COMMAND", help=help_text("bytes.command", lang))
    p.set_defaults(handler=run_bytes)


def run_bytes(args: argparse.Namespace) -> int:
    from explorer.core.commands import parse_command
    from explorer.knowledge.keyed import error_text
    from explorer.reports.explaining import describe_bytes

    try:
        command = parse_command(" ".join(args.command))
    except ValueError as exc:
        raise UsageError(error_text(exc, args.lang)) from None
    return print_lines(describe_bytes(command))
