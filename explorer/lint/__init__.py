"""The protocol linter: what a client got wrong, where, and why it matters. Sans-IO.

The rules: a mistake is a :class:`Finding` with its position (line and byte offset in the
client's byte stream, the chunk and its time); :func:`explain` gives its texts (what, why, what
a real server does, the fix) from ``knowledge/mistakes.toml`` in a language. The one walker of a
recorded session (:mod:`explorer.recording.walker`: ``lint_session``, ``analyse``) applies
them as it reads the session; :func:`lint_outgoing` checks bytes about to be sent, for the REPL.

The SMTP rules are the protocol core's (``ClientSession``, ``syntax_problems``, the state
tables); this package adds what only the bytes and their timing show. It imports no I/O module.
"""

from __future__ import annotations

from explorer.lint.content import Envelope, lint_message
from explorer.lint.findings import Explanation, Finding, explain, label, mistake_keys
from explorer.lint.outgoing import lint_outgoing

__all__ = [
    "Envelope",
    "Explanation",
    "Finding",
    "explain",
    "label",
    "lint_message",
    "lint_outgoing",
    "mistake_keys",
]
