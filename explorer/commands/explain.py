"""``smtp-explorer explain``: reply codes, enhanced status codes and whole reply lines, explained."""

from __future__ import annotations

import argparse

from explorer.commands.base import UsageError, help_text, print_lines

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction, lang: str = "en") -> None:
    p = subparsers.add_parser(
        "explain",
        help=help_text("explain.help", lang),
        description=help_text("explain.description", lang),
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
