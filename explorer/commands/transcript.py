"""``smtp-explorer transcript FILE``: a saved session as text, Markdown or an HTML ladder.

FILE is a session saved with ``--save`` or ``/save``, or the sandbox's session log
(``<data-dir>/sessions.jsonl``, with ``--session ID`` when it holds several). AUTH responses
are removed from whatever is shown unless ``--reveal-secrets``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from explorer.commands.base import (UsageError, add_session_arguments, help_text, load_session_args, message,
                                    write_guarded)

__all__ = ["register", "run_transcript"]

FORMATS = ("text", "markdown", "html")

def register(subparsers: argparse._SubParsersAction, lang: str = "en") -> None:
    p = subparsers.add_parser(
        "transcript", help=help_text("transcript.help", lang),
        description=help_text("transcript.description", lang), epilog=help_text("transcript.epilog", lang), formatter_class=argparse.RawDescriptionHelpFormatter)
    add_session_arguments(p)
    p.add_argument("--format", "-f", choices=FORMATS, default="text", help=help_text("transcript.format", lang))
    p.add_argument("-o", "--output", type=Path, metavar="OUT", help=help_text("transcript.output", lang))
    p.add_argument("--lint", action="store_true",
                   help=help_text("transcript.lint", lang))
    p.set_defaults(handler=run_transcript)



def _findings(args: argparse.Namespace, transcript) -> list | None:
    if not getattr(args, "lint", False):
        return None
    from explorer.reports.findings import lint_findings

    return lint_findings(transcript)


def run_transcript(args: argparse.Namespace) -> int:
    from explorer.core.render import visible_text

    transcript, _ = load_session_args(args)
    findings = _findings(args, transcript)
    if args.format == "html":
        from explorer.reports.html import render_html

        out = render_html(transcript, findings)
    elif args.format == "markdown":
        from explorer.reports.markdown import render_markdown

        out = render_markdown(transcript, findings)
    else:
        from explorer.reports.text import render_text

        out = render_text(transcript)
    if args.output is None:
        return write_guarded(lambda: (sys.stdout.write(out), sys.stdout.flush()))
    try:
        args.output.write_text(out, encoding="utf-8")
    except OSError as exc:
        raise UsageError(message("cannot-write", args.lang, path=visible_text(str(args.output)),
                                 error=visible_text(exc.strerror or str(exc)))) from None
    return 0
