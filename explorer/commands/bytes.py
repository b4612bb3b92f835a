"""``smtp-explorer bytes``: the exact bytes a command line puts on the wire."""

from __future__ import annotations

import argparse

from explorer.commands.base import UsageError, print_lines

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "bytes",
        help="show the exact bytes a command would send",
        description="Show the exact bytes an SMTP command line would put on the wire, visible and in hex.",
    )
    p.add_argument("command", nargs="+", metavar="COMMAND", help='e.g. "MAIL FROM:<a@example.org>"')
    p.set_defaults(handler=run_bytes)


def run_bytes(args: argparse.Namespace) -> int:
    from explorer.core.commands import parse_command
    from explorer.reports.explaining import describe_bytes

    try:
        command = parse_command(" ".join(args.command))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return print_lines(describe_bytes(command))
