"""Pipelining (RFC 2920): which exchanges a client may send before the previous reply came.

One rule, shared by the session's warnings and the linter: a client may send its next line
without waiting only when the server advertised PIPELINING, and only after MAIL, RCPT, RSET or
the message content; every other command (EHLO, HELO, DATA, STARTTLS, AUTH, VRFY, EXPN, NOOP,
QUIT...) must end a group, because what the client may do next depends on its reply. Nothing may
be sent before the server's greeting (RFC 5321 3.1).
"""

from __future__ import annotations

from collections.abc import Sequence

from explorer.core import states as st

__all__ = ["GROUPABLE", "may_follow", "problem"]

#: RFC 2920 3.1: with PIPELINING, the next command may follow these without waiting for their
#: reply; EHLO, DATA, VRFY, EXPN, NOOP, QUIT (and AUTH, STARTTLS) must end a group. The message
#: content ended by CRLF.CRLF (BODY) may be followed by the next command too.
GROUPABLE = frozenset({"MAIL", "RCPT", "RSET", st.BODY})


def may_follow(previous: str, pipelining: bool) -> bool:
    """May a client send its next line before the reply to ``previous`` (an exchange) came?"""
    return pipelining and previous in GROUPABLE


def problem(pending: Sequence[str], new: Sequence[str], pipelining: bool) -> str | None:
    """The warning key when ``new`` exchanges are sent while ``pending`` still wait for replies.

    "before-greeting" if the greeting has not come; "pipelining" if one of them follows an
    exchange it may not follow (``pipelining``: the server advertised PIPELINING); else None.
    """
    chain = [*pending, *new]
    for i in range(max(len(pending), 1), len(chain)):
        if chain[i - 1] == st.GREETING:
            return "before-greeting"
        if not may_follow(chain[i - 1], pipelining):
            return "pipelining"
    return None
