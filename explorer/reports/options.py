"""Saving a session for ``--save FILE`` (the options are in :mod:`explorer.commands.base`) and
the REPL's ``/save``.

This module imports only the standard library at import time, so the REPL and the front ends
stay quick to start; the saving itself (:mod:`explorer.reports.save`) is imported when a
session is saved.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shlex
import time
import sys
from pathlib import Path
from typing import Any, Callable

__all__ = ["save_after", "save_from_repl", "sandbox_save_path", "sandbox_saver"]

REVEAL = "--reveal-secrets"


def _text(key: str, lang: str, **values: object) -> str:
    from explorer.reports.texts import text

    return text("save", key, lang, **values)


def is_folder(path: Path | str) -> bool:
    """``DIR/`` (written with its slash, even before it exists) or an existing folder."""
    text = str(path)
    return text.endswith(("/", os.sep)) or Path(text).expanduser().is_dir()


def _candidates(path: Path | str, name: str):
    """Where to save: ``path``, or inside it if it is a folder; then, as long as those exist,
    the same name with -2, -3... (a saved session is never overwritten)."""
    first = Path(path).expanduser() / name if is_folder(path) else Path(path).expanduser()
    yield first
    for number in itertools.count(2):
        yield first.with_name(f"{first.stem}-{number}{first.suffix or '.jsonl'}")


def _save(engine_or_record: Any, path: Path | str, reveal: bool, lang: str,
          name: str = "") -> tuple[bool, str]:
    """Save an engine's session or a sandbox record (in a new file: see :func:`_candidates`;
    ``name`` for a folder); (True, what was done) or (False, why not)."""
    from explorer.core.render import visible_text
    from explorer.reports.save import save_engine_session, save_sandbox_record
    from explorer.reports.secrets import secrets_state

    save = save_engine_session if hasattr(engine_or_record, "log") else save_sandbox_record
    name = name or time.strftime("session-%Y%m%d-%H%M%S.jsonl")
    for attempt, target in enumerate(_candidates(path, name)):
        try:
            transcript = save(engine_or_record, target, reveal, lang=lang)
        except FileExistsError as exc:
            if attempt < 1000:
                continue
            return False, _text("failed", lang, path=visible_text(str(target)),
                                reason=visible_text(exc.strerror or str(exc)))
        except OSError as exc:
            return False, _text("failed", lang, path=visible_text(str(target)),
                                reason=visible_text(exc.strerror or str(exc)))
        said = _text("saved", lang, path=visible_text(str(target)), exchanges=len(transcript.exchanges),
                     secrets=_text(f"secrets-{secrets_state(transcript)}", lang))
        if attempt:
            first = next(_candidates(path, name))
            said += f" ({_text('renamed', lang, wanted=visible_text(str(first)))})"
        return True, said
    raise AssertionError("unreachable: the candidates never end")  # pragma: no cover


def save_after(args: argparse.Namespace, engine: Any, *, lang: str = "en",
               write: Callable[[str], None] = print,
               error: Callable[[str], None] = lambda line: print(line, file=sys.stderr)) -> int:
    """If ``--save FILE`` was given, save ``engine``'s session; returns 0, or 1 if that failed
    (said in one line: the session itself went well, only the file is missing)."""
    path = getattr(args, "save", None)
    if path is None:
        return 0
    ok, message = _save(engine, Path(path), bool(getattr(args, "reveal_secrets", False)), lang)
    (write if ok else error)(message if ok else f"smtp-explorer: error: {message}")
    return 0 if ok else 1


def save_from_repl(engine: Any, arg: str, *, lang: str = "en") -> tuple[bool, str]:
    """``/save FILE [--reveal-secrets]`` in the REPL: (True, the line to show) or (False, the error)."""
    try:
        words = shlex.split(arg)
    except ValueError as exc:
        return False, _text("usage", lang) + f" ({exc})"
    paths = [w for w in words if w != REVEAL]
    if len(paths) != 1:
        return False, _text("usage", lang)
    return _save(engine, Path(paths[0]).expanduser(), REVEAL in words, lang)


def sandbox_save_path(base: Path | str, session_id: int) -> Path:
    """Where the standalone sandbox saves session ``session_id`` for ``--save BASE``:
    ``class.jsonl`` gives ``class-1.jsonl``, ``class-2.jsonl``...; a folder gets
    ``session-1.jsonl``..."""
    base = Path(base)
    if base.is_dir():
        return base / f"session-{session_id}.jsonl"
    return base.with_name(f"{base.stem}-{session_id}{base.suffix or '.jsonl'}")


def sandbox_saver(base: Path | str, reveal_secrets: bool = False, write: Callable[[str], None] = print,
                  *, lang: str = "en") -> Callable[[Any], None]:
    """For the standalone sandbox: a function that saves each finished session record (it
    reports in one line and never raises: a full disk must not stop the server)."""
    def save(record: Any) -> None:
        ok, message = _save(record, sandbox_save_path(base, record.id), reveal_secrets, lang)
        write(message if ok else f"error: {message}")
    return save
