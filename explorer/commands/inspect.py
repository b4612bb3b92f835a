"""The ``inspect`` sub-command: a saved session (or the sandbox's session log) as an annotated
transcript, with the linter's findings where they occur and a summary per session.

Reads, through ``explorer.recording``, a saved session (JSON Lines with a meta line) or the sandbox's
``sessions.jsonl`` (one JSON object per session: every session of a class, in order).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from explorer.commands.base import UsageError, add_session_arguments, help_text, message

__all__ = ["register", "load_sessions"]


def register(subparsers: argparse._SubParsersAction, lang: str = "en") -> None:
    parser = subparsers.add_parser(
        "inspect", help=help_text("inspect.help", lang), description=help_text("inspect.description", lang))
    add_session_arguments(parser)
    parser.add_argument("--fail-on-mistakes", action="store_true",
                        help=help_text("inspect.fail-on-mistakes", lang))
    parser.set_defaults(handler=_run)


def load_sessions(path: Path, lang: str = "en") -> list[tuple[object, list]]:
    """The sessions in ``path`` as (SessionInfo, chunks); SessionFileError (one line) if the file
    cannot be read or is neither a saved session nor a sandbox session log."""
    from explorer.recording import read_recordings
    from explorer.reports.inspector import SessionInfo
    from explorer.sandbox.texts import outcome_text

    sessions = []
    for recording in read_recordings(path, lang=lang):
        meta = recording.meta
        started = meta.get("started_at")
        if meta.get("source") == "log":
            info = SessionInfo(id=recording.id, peer=meta.get("peer"), username=meta.get("username"),
                               started=started, outcome=outcome_text(str(meta.get("outcome") or ""), lang) or None,
                               messages=meta.get("messages"))
        else:
            info = SessionInfo(peer=meta.get("peer") or meta.get("target"), username=meta.get("username"),
                               started=started if isinstance(started, (int, float)) else None,
                               source=str(path))
        sessions.append((info, list(recording.chunks)))
    return sessions


def _run(args: argparse.Namespace) -> int:
    from explorer.core.render import visible_text
    from explorer.reports.inspector import annotate
    from explorer.recording.walker import lint_session
    from explorer.recording import SessionFileError

    try:
        sessions = load_sessions(args.file, args.lang)
    except SessionFileError as exc:
        raise UsageError(visible_text(str(exc))) from None
    if args.session is not None:
        sessions = [s for s in sessions if getattr(s[0], "id", None) == args.session]
        if not sessions:
            raise UsageError(message("no-session", args.lang, session=args.session,
                                         path=visible_text(str(args.file))))
    failed = False
    for info, chunks in sessions:
        print("\n".join(annotate(chunks, info, lang=args.lang, show_secrets=args.reveal_secrets)))
        print()
        if args.fail_on_mistakes:
            failed |= any(f.severity == "error"
                          for f in lint_session(chunks, username=getattr(info, "username", None)))
    return 1 if failed else 0
