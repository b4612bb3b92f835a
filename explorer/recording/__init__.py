"""One recorded session: the model every output is made from. The public API (kept stable)::

    from explorer.recording import (Chunk, PLACEHOLDER, Recording, SessionFileError,
                                    read_recordings, redact, secret_spans, write_session)

* :class:`Chunk` ``(time, direction, data, tls=False, redacted=False)``: bytes that crossed the
  wire in one read or one write. The transport, the sandbox and saved files all use it.
* :func:`read_recordings(path) <explorer.recording.reader.read_recordings>` -> ``[Recording]``:
  a saved session (one) or the sandbox's ``sessions.jsonl`` (every session, in order). A
  :class:`Recording` has ``meta`` (a dict: for the sandbox's log ``id``, ``peer``,
  ``username``, ``started_at``, ``ended_at``, ``outcome``, ``messages``, ``tls``, ``tried``
  (the usernames AUTH was tried with), ``mail_from``...), ``chunks`` and ``id``. Anything wrong (no file, not a regular file, more than ``MAX_BYTES``, a bad line)
  raises :class:`SessionFileError` with one line to show.
* :func:`secret_spans(chunks, known) <explorer.recording.secrets.secret_spans>`: what is
  secret, as ``(direction, start, end)`` spans of each direction's byte stream; the definition
  is in :mod:`explorer.recording.secrets`.
* :func:`redact(chunks, known) <explorer.recording.secrets.redact>`: the one redaction; every
  secret becomes :data:`PLACEHOLDER` (``b"<secret removed>"``), in both directions.
* :func:`write_session(path, chunks, meta, secrets=..., reveal_secrets=False)
  <explorer.recording.sessionfile.write_session>`: a saved session, secrets removed.

* :func:`analyse(chunks) <explorer.recording.walker.analyse>` -> :class:`Analysis`: the one
  walker. It splits a recording into connections, reads the client's bytes as the server did,
  pairs each reply with what it answers (pipelining included, RFC 2920) and applies the
  linter's rules; :func:`lint_session` gives its findings alone. (Loaded on first use.)

This package depends on the protocol core, the knowledge tables and the linter's rules; the transport and the sandbox make Chunks, the
reports, the inspector and the REPL read recordings through it.
"""

from __future__ import annotations

from explorer.recording.chunk import CLIENT, SERVER, Chunk, as_chunks
from explorer.recording.reader import MAX_BYTES, Recording, SessionFileError, read_recordings
from explorer.recording.secrets import PLACEHOLDER, apply_spans, redact, redact_slice, secret_spans
from explorer.recording.sessionfile import write_session

__all__ = ["CLIENT", "SERVER", "Chunk", "as_chunks", "MAX_BYTES", "Recording", "SessionFileError",
           "read_recordings", "PLACEHOLDER", "apply_spans", "redact", "redact_slice", "secret_spans",
           "write_session", "analyse", "lint_session", "Analysis", "ServerEvent", "Unit"]

_WALKER = frozenset({"analyse", "lint_session", "Analysis", "ServerEvent", "Unit"})


def __getattr__(name: str):
    # The walker imports the linter's rules, which import this package's secrets: loading it
    # on first use keeps either package importable first.
    if name in _WALKER:
        from explorer.recording import walker

        return getattr(walker, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
