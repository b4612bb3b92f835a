"""``smtp-explorer explain``: reply codes, enhanced status codes and whole reply lines, explained."""

from __future__ import annotations

import argparse

from explorer.commands.base import UsageError, print_lines

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "explain",
        help="explain reply codes, enhanced status codes or a whole reply line",
        description="Explain SMTP reply codes (535), enhanced status codes (5.7.8) or whole reply "
        'lines ("535 5.7.8 authentication failed").',
    )
    p.add_argument("items", nargs="+", metavar="CODE|REPLY")
    p.set_defaults(handler=run_explain)


def run_explain(args: argparse.Namespace) -> int:
    from explorer.reports.explaining import explain_item

    try:
        blocks = [explain_item(item, args.lang) for item in args.items]
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return print_lines(["\n".join(block) + ("\n" if i < len(blocks) - 1 else "") for i, block in enumerate(blocks)])
