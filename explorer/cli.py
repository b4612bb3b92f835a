"""Command-line entry point: parses arguments and hands over to one front end.

Each sub-command lives in its own module, listed in ``COMMAND_MODULES``; a module offers
``register(subparsers)``, which adds its parser and sets ``handler`` to a function taking the
parsed arguments and returning an exit status. Modules import their heavy dependencies inside the
handler, so ``--help`` and the quick tools stay fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence

from explorer import __version__

COMMAND_MODULES: tuple[str, ...] = (
    "explorer.tools_cli",
    "explorer.sandbox.cli",
    "explorer.repl.cli",
    "explorer.lessons.cli",
    "explorer.transcript_cli",
    "explorer.inspect_cli",
)
#: What runs when no sub-command is given: the REPL against the embedded sandbox.
DEFAULT_HANDLER = ("explorer.repl.cli", "run_sandbox_repl")

USAGE_ERROR = 2


class UsageError(Exception):
    """A mistake in what the user asked for: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, with errors reported as one line and exit status 2 (its own convention too)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(USAGE_ERROR, f"smtp-explorer: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="smtp-explorer",
        description=(
            "An educational, step-by-step SMTP protocol explorer: see the exact bytes, "
            "understand every reply, make mistakes safely."
        ),
    )
    parser.add_argument("--version", action="version", version=f"smtp-explorer {__version__}")
    from explorer.transcript.options import add_save_arguments

    add_save_arguments(parser)  # for the REPL started without a sub-command
    add_lang_argument(parser, default=None)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    for sub in set(subparsers.choices.values()):
        # Every command takes --lang after its name too; SUPPRESS keeps a --lang given before the
        # command (``smtp-explorer --lang zh explain 535``) from being reset by the sub-parser.
        add_lang_argument(sub, default=argparse.SUPPRESS)
    return parser


def add_lang_argument(parser: argparse.ArgumentParser, *, default: object) -> None:
    """The one ``--lang`` option every command shares (resolved by :func:`resolve_lang`)."""
    from explorer.language import ENV, LANGUAGES

    parser.add_argument("--lang", default=default, metavar="|".join(LANGUAGES),
                        help=f"language of what the explorer says (default: ${ENV}, then the locale)")


def resolve_lang(args: argparse.Namespace) -> None:
    """Replace ``args.lang`` (None or what was typed) by the language to use; warn in one line."""
    from explorer.language import choose, system_locale

    fallback = system_locale() if sys.platform == "win32" else None  # no LANG there, as a rule
    choice = choose(getattr(args, "lang", None), os.environ, fallback)
    if choice.warning:
        print(f"smtp-explorer: warning: {choice.warning}", file=sys.stderr)
    args.lang = choice.lang


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    # Arguments that are not UTF-8 arrive with lone surrogates: make them U+FFFD, as text.
    argv = [a.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for a in argv]
    if argv:
        args = build_parser().parse_args(argv)
        handler = getattr(args, "handler", None)
    else:  # the REPL: no parser to build, which keeps the first prompt quick
        args, handler = argparse.Namespace(save=None, reveal_secrets=False, lang=None), None
    resolve_lang(args)
    if handler is None:
        module, name = DEFAULT_HANDLER
        handler = getattr(importlib.import_module(module), name)
    try:
        return int(handler(args) or 0)
    except UsageError as exc:
        print(f"smtp-explorer: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("smtp-explorer: interrupted", file=sys.stderr)
        return 130
    except RecursionError:  # json, deep inside: a file of 100,000 nested brackets
        print("smtp-explorer: error: the input is nested too deeply to be what it should be",
              file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:
        # The reader went away (``smtp-explorer explain 535 | head -3``): not an error to report.
        # Point stdout at /dev/null so Python's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
