"""The ``inspect`` sub-command: a saved session (or the sandbox's session log) as an annotated
transcript, with the linter's findings where they occur and a summary per session.

Reads a saved session (``explorer.recording.sessionfile``, JSON Lines with a meta line) or the sandbox's
``sessions.jsonl`` (one JSON object per session: every session of a class, in order).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from explorer.commands.base import UsageError, add_session_arguments

__all__ = ["register", "load_sessions"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "inspect", help="show a saved session as an annotated transcript, with its mistakes",
        description="Show a saved session (smtp-explorer session file) or the sandbox's "
        "session log (sessions.jsonl in its data directory) as annotated transcripts: every "
        "line sent and received, each reply explained, each mistake of the client where it "
        "occurs, and a summary per session.")
    add_session_arguments(parser)
    parser.add_argument("--fail-on-mistakes", action="store_true",
                        help="exit with status 1 when a session has a mistake (for grading)")
    parser.set_defaults(handler=_run)


def _sandbox_log_session(item: dict) -> tuple[object, list]:
    from explorer.core.render import parse_escapes
    from explorer.reports.inspector import SessionInfo
    from explorer.sandbox.texts import outcome_text

    chunks = []
    for entry in item["chunks"]:
        when, direction, text = entry
        if direction not in ("client", "server"):
            raise ValueError(f"a chunk's direction must be client or server, not {direction!r}")
        chunks.append((float(when), direction, parse_escapes(text)))
    info = SessionInfo(id=item.get("id"), peer=item.get("peer"), username=item.get("username"),
                       started=item.get("started_at"),
                       outcome=outcome_text(str(item.get("outcome", ""))) or None,
                       messages=item.get("messages"))
    return info, chunks


def load_sessions(path: Path) -> list[tuple[object, list]]:
    """The sessions in ``path`` as (SessionInfo, chunks); SessionFileError (one line) if the file
    cannot be read or is neither a saved session nor a sandbox session log."""
    from explorer.core.render import EscapeError
    from explorer.reports.inspector import SessionInfo
    from explorer.recording.sessionfile import SessionFileError, read_session

    try:
        with open(path, encoding="utf-8") as stream:
            first = stream.readline()
    except FileNotFoundError:
        raise SessionFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionFileError(f"{path}: cannot read it ({exc})") from None
    try:
        head = json.loads(first) if first.strip() else None
    except ValueError:
        raise SessionFileError(f"{path}:1: not JSON: neither an smtp-explorer session file "
                               "nor the sandbox's session log") from None
    if isinstance(head, dict) and "chunks" in head and head.get("type") is None:
        sessions = []
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                sessions.append(_sandbox_log_session(item))
            except (ValueError, KeyError, TypeError, EscapeError) as exc:
                raise SessionFileError(f"{path}:{number}: not a session of the sandbox's log "
                                       f"({exc})") from None
        return sessions
    saved = read_session(path)
    meta = saved.meta
    info = SessionInfo(peer=meta.get("peer") or meta.get("target"), username=meta.get("username"),
                       started=meta.get("started_at") if isinstance(meta.get("started_at"),
                                                                    (int, float)) else None,
                       source=str(path))
    return [(info, list(saved.chunks))]


def _run(args: argparse.Namespace) -> int:
    from explorer.core.render import visible_text
    from explorer.reports.inspector import annotate
    from explorer.lint import lint_session
    from explorer.recording.sessionfile import SessionFileError

    try:
        sessions = load_sessions(args.file)
    except SessionFileError as exc:
        raise UsageError(visible_text(str(exc))) from None
    if args.session is not None:
        sessions = [s for s in sessions if getattr(s[0], "id", None) == args.session]
        if not sessions:
            raise UsageError(f"no session {args.session} in {visible_text(str(args.file))}")
    failed = False
    for info, chunks in sessions:
        print("\n".join(annotate(chunks, info, lang=args.lang, show_secrets=args.reveal_secrets)))
        print()
        if args.fail_on_mistakes:
            failed |= any(f.severity == "error"
                          for f in lint_session(chunks, username=getattr(info, "username", None)))
    return 1 if failed else 0
