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
import functools
import os
import sys
from pathlib import Path
from typing import Callable

from explorer.reports.options import REVEAL

__all__ = ["USAGE_ERROR", "UsageError", "Parser", "help_text", "help_lang", "message", "add_lang_argument", "resolve_lang",
           "add_reveal_argument", "add_save_arguments", "add_session_arguments", "counting_number", "load_session_args",
           "print_lines", "print_problems", "silence_stdout", "write_guarded"]

#: argparse's own exit status for a usage mistake; every front end uses it.
USAGE_ERROR = 2


class UsageError(Exception):
    """A mistake in what the user asked for: reported in one line, exit status 2."""



def help_text(key: str, lang: str = "en", /, **values: object) -> str:
    """The ``--help`` text ``key`` in ``lang`` (the table ``cli_help``), placeholders filled."""
    from explorer.knowledge.tables import text

    return text("cli_help", key, lang, **values)


def message(key: str, lang: str = "en", /, **values: object) -> str:
    """What a command says, entry ``key`` of the table ``cli_messages`` in ``lang``, filled."""
    from explorer.knowledge.tables import text

    return text("cli_messages", key, lang, **values)


def help_lang(argv: list[str]) -> str:
    """The language ``--help`` speaks, known before the parser is built: ``--lang`` in ``argv``
    (read here without argparse, which is what is being built), then what
    :func:`resolve_lang` would choose. No warning here: parsing gives it once."""
    from explorer.language import DEFAULT, choose, normalise, system_locale

    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(argv):
            return normalise(argv[index + 1]) or DEFAULT
        if arg.startswith("--lang="):
            return normalise(arg.partition("=")[2]) or DEFAULT
    fallback = system_locale() if sys.platform == "win32" else None
    return choose(None, os.environ, fallback).lang


@functools.cache
def _formatter(base: type[argparse.HelpFormatter], lang: str) -> type[argparse.HelpFormatter]:
    """``base`` (argparse's formatter, or its Raw variant) speaking ``lang``: the "usage:"
    heading from the table, and help texts wrapped by display width when they hold Chinese."""
    from explorer.knowledge.argparse_text import help_heading
    from explorer.width import fill, is_wide, unwrap

    from explorer.width import width as columns

    heading = help_text("heading.usage", lang)
    # argparse aligns a wrapped usage under its heading by len(): a Chinese heading is laid out as
    # spaces of its display width, then written over them.
    stand_in = " " * columns(heading)

    class Formatter(base):  # type: ignore[valid-type, misc]
        def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[override]
            super().add_usage(usage, actions, groups, stand_in if prefix is None else prefix)

        def format_help(self) -> str:
            text = super().format_help()
            text = heading + text[len(stand_in):] if text.startswith(stand_in) else text
            if not is_wide(heading):
                return text
            # argparse ends a section's heading with an ASCII colon; a Chinese one takes "：".
            return "\n".join(help_heading(line) if is_wide(line) else line for line in text.split("\n"))

        def _split_lines(self, text: str, width: int) -> list[str]:
            # argparse wraps by len(): a Chinese line would take twice the columns.
            if not is_wide(text):
                return super()._split_lines(text, width)
            return fill(unwrap(text), width).split("\n")

        def _fill_text(self, text: str, width: int, indent: str) -> str:
            # A Raw formatter keeps the description's lines as written (the table wraps them).
            if not is_wide(text) or base._fill_text is not argparse.HelpFormatter._fill_text:
                return super()._fill_text(text, width, indent)
            return fill(unwrap(text), width, indent)

    Formatter.__name__ = f"{base.__name__}_{lang}"
    return Formatter


class Parser(argparse.ArgumentParser):
    """argparse, with errors reported as one line and exit status 2 (its own convention too),
    speaking ``lang`` in its help: headings from the table ``cli_help``, wrapping by display
    width. Sub-parsers (``add_subparsers``) speak the same language."""

    def __init__(self, *args: object, lang: str = "en", **kwargs: object) -> None:
        self.lang = lang
        base = kwargs.pop("formatter_class", argparse.HelpFormatter)
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, formatter_class=_formatter(base, lang), add_help=False,  # type: ignore[arg-type]
                         **kwargs)
        # argparse names its two groups' titles in English; they are the documented attributes
        # an application sets for its own headings.
        self._positionals.title = help_text("heading.positional", lang)
        self._optionals.title = help_text("heading.options", lang)
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help=help_text("option.help", lang))

    def add_subparsers(self, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("parser_class", functools.partial(Parser, lang=self.lang))
        return super().add_subparsers(**kwargs)

    def error(self, said: str) -> None:  # type: ignore[override]
        # argparse's sentence is English (its msgids); said again in the parser's language.
        from explorer.knowledge.argparse_text import translate

        said = message("see-help", self.lang, message=translate(said, self.lang))
        self.exit(USAGE_ERROR, message("error", self.lang, message=said) + "\n")


def add_lang_argument(parser: argparse.ArgumentParser, *, default: object) -> None:
    """The one ``--lang`` option every command shares (resolved by :func:`resolve_lang`)."""
    from explorer.language import ENV, LANGUAGES

    parser.add_argument("--lang", default=default, metavar="|".join(LANGUAGES),
                        help=help_text("option.lang", _lang(parser), env=ENV))


def resolve_lang(args: argparse.Namespace) -> None:
    """Replace ``args.lang`` (None or what was typed) by the language to use; warn in one line."""
    from explorer.language import choose, system_locale

    fallback = system_locale() if sys.platform == "win32" else None  # no LANG there, as a rule
    choice = choose(getattr(args, "lang", None), os.environ, fallback)
    if choice.warning:
        print(f"smtp-explorer: warning: {choice.warning}", file=sys.stderr)
    args.lang = choice.lang


def _lang(parser: argparse.ArgumentParser) -> str:
    return getattr(parser, "lang", "en")  # a plain ArgumentParser (a test's) speaks English


def add_reveal_argument(parser: argparse.ArgumentParser, what: str, *, top_level: bool = False) -> None:
    """``--reveal-secrets``: ``what`` (``saved`` or ``shown``) says where the secrets would appear.
    On a sub-command it keeps what was given before the sub-command (the top-level parser's
    default is False)."""
    lang = _lang(parser)
    parser.add_argument(REVEAL, action="store_true", default=False if top_level else argparse.SUPPRESS,
                        help=help_text("option.reveal", lang, what=help_text(f"option.reveal.{what}", lang)))


def _save_ok(text: str) -> Path:
    """--save FILE or --save DIR/ is checked before the session, so that a bad path does not
    lose one. A folder (an existing one, or any name written with its slash) gets the session
    inside it; an existing file is never overwritten (the session gets a new name, and says so)."""
    path = Path(text).expanduser()
    folder = path if path.is_dir() or text.endswith(("/", os.sep)) else path.parent
    if not folder.is_dir():
        from explorer.commands.values import BadValue

        raise BadValue("no-such-folder", value=repr(text), folder=repr(str(folder)))
    return path


def add_save_arguments(parser: argparse.ArgumentParser, *, per_session: bool = False,
                       top_level: bool = False) -> None:
    """Add ``--save FILE`` and ``--reveal-secrets``; ``per_session`` for the standalone sandbox.
    On a sub-command they keep what was given before it (``smtp-explorer --save f.jsonl connect
    HOST`` saves): only the top-level parser (``top_level``) sets the defaults."""
    key = "option.save.per-session" if per_session else "option.save"
    from explorer.commands.values import typed

    parser.add_argument("--save", type=typed(_save_ok, _lang(parser)), metavar="FILE", default=None if top_level else argparse.SUPPRESS,
                        help=help_text(key, _lang(parser)))
    add_reveal_argument(parser, "saved", top_level=top_level)


def print_lines(lines: list[str]) -> int:
    """Print ``lines`` to standard output; the exit status 0."""
    print("\n".join(lines))
    return 0


def counting_number(key: str, lang: str = "en") -> Callable[[str], int]:
    """An argparse type for a whole number from 1 (a session id, a message number...); ``key``
    (of ``cli_messages``) says what a wrong value is not, in ``lang``."""
    from explorer.commands.values import BadValue, typed

    def convert(text: str) -> int:
        if not (text.isascii() and text.isdigit()) or int(text) < 1:
            raise BadValue(key, value=repr(text))
        return int(text)
    return typed(convert, lang)


def add_session_arguments(parser: argparse.ArgumentParser) -> None:
    """FILE, ``--session ID``, ``--reveal-secrets`` and ``--lang``: for the commands that read a
    recorded session (``transcript``, ``replay``, ``inspect``)."""
    lang = _lang(parser)
    parser.add_argument("file", type=Path, metavar="FILE", help=help_text("option.session-file", lang))
    parser.add_argument("--session", type=counting_number("not-a-session-id", lang), metavar="ID",
                        help=help_text("option.session-id", lang))
    add_reveal_argument(parser, "shown")


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


def print_problems(paths: list[Path], check: Callable[[Path], list], lang: str = "en") -> int:
    """``lesson check`` and ``rubric check``: each file's problems, one ``file:line`` per line,
    or ``FILE: ok``, in ``lang``; exit status 1 if any file has a problem."""
    from explorer.lessons.model import check_text

    failed = 0
    for path in paths:
        problems = check(Path(path))
        failed += bool(problems)
        for problem in problems:
            print(problem.render(lang))
        if not problems:
            print(check_text("ok", lang, path=path))
    return 1 if failed else 0
