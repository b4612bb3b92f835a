"""``smtp-explorer providers``: where to send from: hosts, ports, TLS, and the secret SMTP takes
(the authorization code at 163 and QQ, an app password at Gmail), from the provider table."""

from __future__ import annotations

import argparse

from explorer.commands.base import help_text, print_lines

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction, lang: str = "en") -> None:
    p = subparsers.add_parser(
        "providers",
        help=help_text("providers.help", lang),
        description=help_text("providers.description", lang),
    )
    p.set_defaults(handler=run_providers)


def run_providers(args: argparse.Namespace) -> int:
    from explorer.knowledge.providers import host_lines
    from explorer.reports.explaining import wrap

    # A labelled line keeps its indent; its continuation lines hang under the text.
    return print_lines([wrap(line.lstrip(), "  ", "      ") if line.startswith("  ") else line
                        for line in host_lines(args.lang)])
