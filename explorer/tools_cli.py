"""The quick tools that need no server: ``explain``, ``base64`` and ``bytes``."""

from __future__ import annotations

import argparse

from explorer.cli import UsageError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "explain",
        help="explain reply codes, enhanced status codes or a whole reply line",
        description="Explain SMTP reply codes (535), enhanced status codes (5.7.8) or whole reply "
        'lines ("535 5.7.8 authentication failed").',
    )
    p.add_argument("items", nargs="+", metavar="CODE|REPLY")
    p.set_defaults(handler=run_explain)

    p = subparsers.add_parser(
        "base64",
        help="encode or decode Base64, as AUTH uses it",
        description="Encode text to Base64 or decode Base64 to text, as SMTP AUTH does. "
        "Base64 is an encoding, not encryption.",
    )
    p.add_argument("direction", choices=("encode", "decode"))
    p.add_argument("text", nargs="+", metavar="TEXT", help="the text (several words are joined with spaces)")
    p.set_defaults(handler=run_base64)

    p = subparsers.add_parser(
        "bytes",
        help="show the exact bytes a command would send",
        description="Show the exact bytes an SMTP command line would put on the wire, visible and in hex.",
    )
    p.add_argument("command", nargs="+", metavar="COMMAND", help='e.g. "MAIL FROM:<a@example.org>"')
    p.set_defaults(handler=run_bytes)


def _print(lines: list[str]) -> int:
    print("\n".join(lines))
    return 0


def run_explain(args: argparse.Namespace) -> int:
    from explorer.explaining import explain_item

    try:
        blocks = [explain_item(item, args.lang) for item in args.items]
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return _print(["\n".join(block) + ("\n" if i < len(blocks) - 1 else "") for i, block in enumerate(blocks)])


def run_base64(args: argparse.Namespace) -> int:
    from explorer.explaining import describe_base64

    try:
        return _print(describe_base64(args.direction, " ".join(args.text)))
    except ValueError as exc:
        raise UsageError(f"invalid Base64: {exc}") from None


def run_bytes(args: argparse.Namespace) -> int:
    from explorer.core.commands import parse_command
    from explorer.explaining import describe_bytes

    try:
        command = parse_command(" ".join(args.command))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return _print(describe_bytes(command))
