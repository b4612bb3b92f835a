"""The command line: ``smtp-explorer`` parses its arguments here and hands over to one front end.

Each sub-command lives in its own module of this package, listed in ``COMMAND_MODULES``; a module offers
``register(subparsers)``, which adds its parser and sets ``handler`` to a function taking the
parsed arguments and returning an exit status. Modules import their heavy dependencies inside the
handler, so ``--help`` and the quick tools stay fast. What they share (``UsageError``, the
parser class, ``--lang``, ``--save``, ``--reveal-secrets``) is in :mod:`.base`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from explorer import __version__, stopping
from explorer.commands.base import (USAGE_ERROR, Parser, UsageError, add_lang_argument, add_save_arguments,
                                    help_lang, help_text, message, resolve_lang, silence_stdout)

__all__ = ["main", "build_parser"]

COMMAND_MODULES: tuple[str, ...] = tuple(f"explorer.commands.{name}" for name in (
    "explain", "base64", "bytes", "sandbox", "inbox", "connect", "lesson", "transcript",
    "replay", "inspect", "accounts", "report", "providers"))
#: What runs when no sub-command is given: the REPL against the embedded sandbox.
DEFAULT_HANDLER = ("explorer.commands.repl", "run_sandbox_repl")


def build_parser(lang: str = "en") -> argparse.ArgumentParser:
    """The whole command line, its help in ``lang``."""
    parser = Parser(prog="smtp-explorer", description=help_text("top.description", lang), lang=lang)
    parser.add_argument("--version", action="version", version=f"smtp-explorer {__version__}",
                        help=help_text("option.version", lang))
    add_save_arguments(parser, top_level=True)  # for the REPL, and before any sub-command
    add_lang_argument(parser, default=None)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")  # Parsers in lang
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers, lang)
    for sub in set(subparsers.choices.values()):
        # Every command takes --lang after its name too; SUPPRESS keeps a --lang given before the
        # command (``smtp-explorer --lang zh explain 535``) from being reset by the sub-parser.
        add_lang_argument(sub, default=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    stopping.catch_early()  # a stop signal while the parser and the front end load is kept
    try:
        return _main(argv)
    finally:
        stopping.release(deliver=False)  # the handlers from before, whatever happened


def _main(argv: Sequence[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    # Arguments that are not UTF-8 arrive with lone surrogates: make them U+FFFD, as text.
    argv = [a.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for a in argv]
    if argv:
        args = build_parser(help_lang(argv)).parse_args(argv)
        handler = getattr(args, "handler", None)
    else:  # the REPL: no parser to build, which keeps the first prompt quick
        args, handler = argparse.Namespace(save=None, reveal_secrets=False, lang=None), None
    resolve_lang(args)
    if handler is None:
        module, name = DEFAULT_HANDLER
        handler = getattr(importlib.import_module(module), name)
    try:
        if not getattr(handler, "keeps_stop_signals", False):
            stopping.release()  # the usual Ctrl-C; one kept meanwhile is delivered now
        return int(handler(args) or 0)
    except UsageError as exc:
        print(message("error", args.lang, message=exc), file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print(message("interrupted", args.lang), file=sys.stderr)
        return 130
    except RecursionError:  # json, deep inside: a file of 100,000 nested brackets
        print(message("error", args.lang, message=message("nested-too-deeply", args.lang)), file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:  # ``smtp-explorer explain 535 | head -3``
        silence_stdout()
        return 141
