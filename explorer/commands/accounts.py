"""``smtp-explorer accounts generate``: a class roster with a password and an authorization code
per student, for the sandbox's class mode (``sandbox --roster FILE``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from explorer.commands.base import UsageError, help_text, message
from explorer.commands.values import BadValue, typed

__all__ = ["register"]

def _count(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 100_000:
        raise BadValue("not-a-student-count", value=repr(text))
    return int(text)


def register(subparsers: argparse._SubParsersAction, lang: str = "en") -> None:
    parser = subparsers.add_parser(
        "accounts", help=help_text("accounts.help", lang),
        description=help_text("accounts.description", lang),
        epilog=help_text("accounts.epilog", lang), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["generate"], help=help_text("accounts.action", lang))
    parser.add_argument("--count", type=typed(_count, lang), metavar="N", help=help_text("accounts.count", lang))
    parser.add_argument("--prefix", default="s", help=help_text("accounts.prefix", lang))
    parser.add_argument("--domain", default="lab.test", help=help_text("accounts.domain", lang))
    parser.add_argument("--from", dest="source", type=Path, metavar="CSV",
                        help=help_text("accounts.from", lang))
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                        help=help_text("accounts.output", lang))
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from explorer.core.render import visible_text
    from explorer.knowledge.keyed import error_text
    from explorer.sandbox.roster import RosterError, fill_secrets, generate, write_new

    if (args.count is None) == (args.source is None):
        raise UsageError(message("accounts-needs-source", args.lang))
    try:
        if args.source is not None:
            students, _ = fill_secrets(args.source, out=args.output)
        else:
            students = generate(args.count, args.prefix, args.domain)
            write_new(args.output, students)
    except RosterError as exc:
        raise UsageError(visible_text(exc.text(args.lang))) from None
    except ValueError as exc:
        raise UsageError(visible_text(error_text(exc, args.lang))) from None
    # Never the secrets: this line may be on a projector.
    print(message("accounts-wrote", args.lang, count=len(students), path=visible_text(str(args.output))))
    return 0
