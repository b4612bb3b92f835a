"""What every sub-command shares: the usage error, the parser class, and the shared options.

The sub-command modules import this module (downward); nothing here imports a sub-command, and
only the standard library is imported at import time, so ``--help`` and the first prompt stay
quick. The shared options are defined once here:

* ``--lang en|zh``: the language of everything the learner reads, on every command (resolved
  with the environment and the locale into ``args.lang`` by :func:`resolve_lang`);
* ``--save FILE`` and ``--reveal-secrets``: write the session when it ends, secrets removed
  unless asked for (``args.save``, ``args.reveal_secrets``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable

from explorer.reports.options import REVEAL

__all__ = ["USAGE_ERROR", "UsageError", "Parser", "add_lang_argument", "resolve_lang",
           "add_reveal_argument", "add_save_arguments", "add_session_arguments", "counting_number", "load_session_args",
           "print_lines", "print_problems", "silence_stdout", "write_guarded"]

#: argparse's own exit status for a usage mistake; every front end uses it.
USAGE_ERROR = 2


class UsageError(Exception):
    """A mistake in what the user asked for: reported in one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse, with errors reported as one line and exit status 2 (its own convention too)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(USAGE_ERROR, f"smtp-explorer: error: {message} (see --help)\n")


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


def add_reveal_argument(parser: argparse.ArgumentParser, what: str, *, top_level: bool = False) -> None:
    """``--reveal-secrets``: ``what`` says where the secrets would appear. On a sub-command it
    keeps what was given before the sub-command (the top-level parser's default is False)."""
    parser.add_argument(REVEAL, action="store_true", default=False if top_level else argparse.SUPPRESS,
                        help=f"keep AUTH credentials in {what} (removed by default)")


def _save_ok(text: str) -> Path:
    """--save FILE or --save DIR/ is checked before the session, so that a bad path does not
    lose one. A folder (an existing one, or any name written with its slash) gets the session
    inside it; an existing file is never overwritten (the session gets a new name, and says so)."""
    path = Path(text).expanduser()
    folder = path if path.is_dir() or text.endswith(("/", os.sep)) else path.parent
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r}: the folder {str(folder)!r} does not exist")
    return path


def add_save_arguments(parser: argparse.ArgumentParser, *, per_session: bool = False,
                       top_level: bool = False) -> None:
    """Add ``--save FILE`` and ``--reveal-secrets``; ``per_session`` for the standalone sandbox.
    On a sub-command they keep what was given before it (``smtp-explorer --save f.jsonl connect
    HOST`` saves): only the top-level parser (``top_level``) sets the defaults."""
    where = ("write each session, when it ends, to FILE-N.jsonl (N: the session number; a "
             "folder gets session-N.jsonl)" if per_session else "when the session ends, write it to FILE")
    parser.add_argument("--save", type=_save_ok, metavar="FILE", default=None if top_level else argparse.SUPPRESS,
                        help=f"{where}: JSON Lines with every byte, timed, and the explanations; "
                        "'smtp-explorer transcript' and 'smtp-explorer replay' read it")
    add_reveal_argument(parser, "the saved file", top_level=top_level)


def print_lines(lines: list[str]) -> int:
    """Print ``lines`` to standard output; the exit status 0."""
    print("\n".join(lines))
    return 0


def counting_number(what: str):
    """An argparse type for a whole number from 1 (a session id, a message number...)."""
    def convert(text: str) -> int:
        if not (text.isascii() and text.isdigit()) or int(text) < 1:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what} (a whole number from 1)")
        return int(text)
    return convert


def add_session_arguments(parser: argparse.ArgumentParser) -> None:
    """FILE, ``--session ID``, ``--reveal-secrets`` and ``--lang``: for the commands that read a
    recorded session (``transcript``, ``replay``, ``inspect``)."""
    parser.add_argument("file", type=Path, metavar="FILE",
                        help="a saved session (--save, /save) or the sandbox's sessions.jsonl")
    parser.add_argument("--session", type=counting_number("a session id"), metavar="ID",
                        help="with the sandbox's session log: which session")
    add_reveal_argument(parser, "what is shown")


def load_session_args(args: argparse.Namespace):
    """The session that :func:`add_session_arguments` named, read; UsageError (one line) if not."""
    from explorer.recording import SessionFileError
    from explorer.reports.sources import load_session

    try:
        return load_session(args.file, session=args.session, reveal_secrets=args.reveal_secrets,
                            lang=args.lang)
    except SessionFileError as exc:
        raise UsageError(str(exc)) from None


def silence_stdout() -> None:
    """The reader of standard output went away (``| head``): not an error to report. Point
    stdout at nothing so that Python's final flush does not fail again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def write_guarded(action: Callable[[], object]) -> int:
    """Run ``action``; a reader that stops early (``| head``) ends the output quietly (status 0)."""
    try:
        action()
    except BrokenPipeError:
        silence_stdout()
    return 0


def print_problems(paths: list[Path], check: Callable[[Path], list]) -> int:
    """``lesson check`` and ``rubric check``: each file's problems, one ``file:line`` per line,
    or ``FILE: ok``; exit status 1 if any file has a problem."""
    failed = 0
    for path in paths:
        problems = check(Path(path))
        failed += bool(problems)
        for problem in problems:
            print(problem)
        if not problems:
            print(f"{path}: ok")
    return 1 if failed else 0
