"""``smtp-explorer accounts generate``: a class roster with a password and an authorization code
per student, for the sandbox's class mode (``sandbox --roster FILE``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from explorer.commands.base import UsageError

__all__ = ["register"]

EPILOG = """\
examples:
  smtp-explorer accounts generate --count 120 --prefix s --domain lab.test -o roster.csv
  smtp-explorer accounts generate --from class.csv -o roster.csv

The roster is CSV with the columns id, name, address, password, code (the address is also the
AUTH username). --from reads an instructor's own CSV with at least id and address (name and
other columns are kept) and generates every missing password and code. The file written is
readable by its owner only, and an existing file is never replaced. Hand each student their
row; start the class server with: smtp-explorer sandbox --roster roster.csv
"""


def _count(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 100_000:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of students (1-100000)")
    return int(text)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "accounts", help="make a class roster: a password and an authorization code per student",
        description="Make the accounts of a class for the sandbox's class mode.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["generate"], help="what to do (generate)")
    parser.add_argument("--count", type=_count, metavar="N", help="how many students")
    parser.add_argument("--prefix", default="s", help="the ids' prefix (default s: s001, s002...)")
    parser.add_argument("--domain", default="lab.test", help="the addresses' domain (default lab.test)")
    parser.add_argument("--from", dest="source", type=Path, metavar="CSV",
                        help="an instructor's CSV (id, name, address): fill in the secrets")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                        help="the roster to write (never replaced if it exists)")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from explorer.core.render import visible_text
    from explorer.sandbox.roster import fill_secrets, generate, write_new

    if (args.count is None) == (args.source is None):
        raise UsageError("accounts generate needs --count N or --from CSV (one of them)")
    try:
        if args.source is not None:
            students, _ = fill_secrets(args.source, out=args.output)
        else:
            students = generate(args.count, args.prefix, args.domain)
            write_new(args.output, students)
    except ValueError as exc:
        raise UsageError(visible_text(str(exc))) from None
    # Never the secrets: this line may be on a projector.
    print(f"wrote {len(students)} accounts to {visible_text(str(args.output))} "
          "(readable by you only; it holds every student's password and code)")
    return 0
