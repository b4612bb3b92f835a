"""``smtp-explorer replay FILE``: step through a saved session offline, forward and back."""

from __future__ import annotations

import argparse
import sys

from explorer.commands.base import add_session_arguments, help_text, load_session_args, write_guarded

__all__ = ["register", "run_replay"]


def register(subparsers: argparse._SubParsersAction, lang: str = "en") -> None:
    r = subparsers.add_parser(
        "replay", help=help_text("replay.help", lang), description=help_text("replay.description", lang))
    add_session_arguments(r)
    r.add_argument("--hex", action="store_true", help=help_text("replay.hex", lang))
    r.add_argument("--all", action="store_true", help=help_text("replay.all", lang))
    r.set_defaults(handler=run_replay)


def run_replay(args: argparse.Namespace) -> int:
    from explorer.core.render import visible_text
    from explorer.reports.replay import Replay

    from explorer.repl.console import Console

    transcript, _ = load_session_args(args)
    source = visible_text(str(args.file))
    interactive = not args.all and sys.stdin.isatty() and sys.stdout.isatty()
    if not sys.stdout.isatty():  # a file or a pipe: plain text, no colours
        replay = Replay(transcript, console=Console(write=sys.stdout.write), hex_dump=args.hex,
                        source=source)
    else:
        from prompt_toolkit.output import create_output

        output = create_output(stdout=sys.stdout)
        replay = Replay(transcript, output=output, hex_dump=args.hex, source=source)
    return write_guarded(replay.run if interactive else replay.show_all)
