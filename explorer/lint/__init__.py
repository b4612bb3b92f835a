"""The protocol linter: what a client got wrong, where, and why it matters. Sans-IO.

Given what a client sent in a session (the recorded chunks: time, direction, bytes, with the
server's replies), :func:`lint_session` reports each mistake as a :class:`Finding` with its
position (line and byte offset in the client's byte stream, the chunk and its time);
:func:`explain` gives its texts (what, why, what a real server does, the fix) from
``knowledge/mistakes.toml`` in a language. :func:`analyse` returns the findings together with
how the server read the bytes (commands, AUTH answers, message content) and its replies, for a
transcript. :func:`lint_outgoing` checks bytes about to be sent, for the REPL.

The SMTP rules are the protocol core's (``ClientSession``, ``syntax_problems``, the state
tables); this package adds what only the bytes and their timing show. It imports no I/O module.
"""

from __future__ import annotations

from explorer.lint.content import Envelope, lint_message
from explorer.lint.findings import Explanation, Finding, explain, label, mistake_keys
from explorer.lint.outgoing import lint_outgoing
from explorer.lint.walker import Analysis, ServerEvent, Unit, analyse, lint_session

__all__ = [
    "Analysis",
    "Envelope",
    "Explanation",
    "Finding",
    "ServerEvent",
    "Unit",
    "analyse",
    "explain",
    "label",
    "lint_message",
    "lint_outgoing",
    "lint_session",
    "mistake_keys",
]
