"""``smtp-explorer transcript FILE`` and ``smtp-explorer replay FILE``: saved sessions, readable.

FILE is a session saved with ``--save`` or ``/save``, or the sandbox's session log
(``<data-dir>/sessions.jsonl``, with ``--session ID`` when it holds several). AUTH responses
are removed from whatever is shown unless ``--reveal-secrets``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from explorer.cli import UsageError

__all__ = ["register", "run_transcript", "run_replay"]

FORMATS = ("text", "markdown", "html")

EPILOG = """\
formats:
  text       C:/S: lines, RFC 5321 notation: for a hand-in or a diff
  markdown   a report: summary, transcript, every exchange with its meaning
  html       the ladder diagram: one self-contained page (no network), click an arrow
             for its exact bytes and the explanation; prints well

examples:
  smtp-explorer --save lab1.jsonl                 (then work in the REPL, or /save lab1.jsonl)
  smtp-explorer transcript lab1.jsonl --format html -o lab1.html
  smtp-explorer transcript ~/.local/share/smtp-explorer/sandbox/sessions.jsonl --session 3
  smtp-explorer replay lab1.jsonl
"""


def _positive(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a session id (a whole number from 1)")
    return int(value)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE",
                        help="a saved session (--save, /save) or the sandbox's sessions.jsonl")
    parser.add_argument("--session", type=_positive, metavar="ID",
                        help="with the sandbox's session log: which session")
    parser.add_argument("--reveal-secrets", action="store_true",
                        help="show AUTH responses as they were sent (removed by default)")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "transcript", help="turn a saved session into text, Markdown or an HTML ladder diagram",
        description="Write a saved session as a C:/S: transcript, a Markdown report, or a "
        "self-contained HTML page drawing the conversation as a ladder diagram.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(p)
    p.add_argument("--format", "-f", choices=FORMATS, default="text", help="text (default), markdown or html")
    p.add_argument("-o", "--output", type=Path, metavar="OUT", help="write to OUT instead of the terminal")
    p.add_argument("--lint", action="store_true",
                   help="mark the linter's findings on the arrows (html, markdown)")
    p.set_defaults(handler=run_transcript)

    r = subparsers.add_parser(
        "replay", help="step through a saved session offline, forward and back",
        description="Replay a saved session step by step, shown and explained as the explorer "
        "showed it live. Keys: Enter, right arrow or n: next; left arrow, p or b: back; q: quit.")
    _common(r)
    r.add_argument("--hex", action="store_true", help="hex dumps of every exchange")
    r.add_argument("--all", action="store_true", help="print every step at once, without waiting for keys")
    r.set_defaults(handler=run_replay)


def _load(args: argparse.Namespace):
    from explorer.sessionfile import SessionFileError
    from explorer.transcript.sources import load_session

    try:
        return load_session(args.file, session=args.session, reveal_secrets=args.reveal_secrets,
                            lang=args.lang)
    except SessionFileError as exc:
        raise UsageError(str(exc)) from None


def _findings(args: argparse.Namespace, transcript, chunks) -> list | None:
    if not getattr(args, "lint", False):
        return None
    from explorer.transcript.findings import lint_findings

    found = lint_findings(chunks, transcript, args.lang)
    if found is None:
        raise UsageError("--lint: this version has no linter (explorer.lint); leave --lint out")
    return found


def run_transcript(args: argparse.Namespace) -> int:
    from explorer.core.render import visible_text

    transcript, chunks = _load(args)
    findings = _findings(args, transcript, chunks)
    if args.format == "html":
        from explorer.transcript.html import render_html

        out = render_html(transcript, findings)
    elif args.format == "markdown":
        from explorer.transcript.markdown import render_markdown

        out = render_markdown(transcript, findings)
    else:
        from explorer.transcript.text import render_text

        out = render_text(transcript)
    if args.output is None:
        return _guarded(lambda: (sys.stdout.write(out), sys.stdout.flush()))
    try:
        args.output.write_text(out, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {visible_text(str(args.output))}: "
                         f"{visible_text(exc.strerror or str(exc))}") from None
    return 0


def run_replay(args: argparse.Namespace) -> int:
    from explorer.core.render import visible_text
    from explorer.transcript.replay import Replay

    from explorer.repl.console import Console

    transcript, _ = _load(args)
    source = visible_text(str(args.file))
    interactive = not args.all and sys.stdin.isatty() and sys.stdout.isatty()
    if not sys.stdout.isatty():  # a file or a pipe: plain text, no colours
        replay = Replay(transcript, console=Console(write=sys.stdout.write), hex_dump=args.hex,
                        source=source)
    else:
        from prompt_toolkit.output import create_output

        output = create_output(stdout=sys.stdout)
        replay = Replay(transcript, output=output, hex_dump=args.hex, source=source)
    return _guarded(replay.run if interactive else replay.show_all)


def _guarded(action) -> int:
    """Run ``action``; a reader that stops early (``| head``) ends the output quietly."""
    import os

    try:
        action()
    except BrokenPipeError:
        # Python would complain again when it flushes stdout at exit: point it at nothing.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
