"""What one logged session shows about a student's work: greeting, AUTH, messages delivered,
mistakes. Read from the linter's analysis (no second reading of the bytes).

The linter hands each exchange its reply in order: the greeting first, then one reply per
command line, AUTH answer and terminated message, in the order the client sent them (a client
that pipelines gets its replies in that order too). Pairing the two sequences gives, for each
message the server accepted, its envelope and its content.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from email.header import decode_header, make_header

from explorer.core import states as st
from explorer.recording.walker import Analysis, analyse
from explorer.lint.commands import envelope_path, read_command, split_ending
from explorer.reports.class_log import LoggedSession

__all__ = ["Delivery", "SessionFacts", "session_facts", "CHARSET_KEYS"]

#: The linter's findings that say a message's non-ASCII text is not declared.
CHARSET_KEYS = frozenset({"non-ascii-body", "non-ascii-header"})
_SUBJECT_LIMIT = 200
# A header field and its folded lines; the email package's full parser costs more than the
# linter itself on a log of ten thousand sessions.
_SUBJECT = re.compile(rb"^subject:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.I | re.M)
_FOLD = re.compile(rb"\r?\n(?=[ \t])")


@dataclass(frozen=True)
class Delivery:
    """A message the server accepted: from whom, to whom, its Subject, how it was sent."""

    session: int
    time: float | None
    sender: str
    recipients: tuple[str, ...]
    subject: str
    after_auth: bool  # AUTH had succeeded in this session before the message
    charset_ok: bool  # ASCII, or its non-ASCII text declared (no finding of CHARSET_KEYS)


@dataclass(frozen=True)
class SessionFacts:
    """One session as the report sees it."""

    session: LoggedSession
    ehlo: bool  # greeted with EHLO, and the server said 250
    helo: bool  # greeted with HELO, and the server said 250
    authenticated: bool
    deliveries: tuple[Delivery, ...]
    mistakes: Counter = field(default_factory=Counter)  # finding key -> how many
    errors: int = 0  # findings of severity "error"


def _subject(content: bytes) -> str:
    """The Subject of a message, unfolded and its encoded words decoded (RFC 2047)."""
    head = content.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    found = _SUBJECT.search(head)
    if found is None:
        return ""
    raw = _FOLD.sub(b"", found.group(1)).rstrip(b"\r").decode("utf-8", "replace")
    try:
        text = str(make_header(decode_header(raw)))
    except Exception:  # a broken encoded word is the student's mistake, not the report's failure
        text = raw
    return " ".join(text.split())[:_SUBJECT_LIMIT]


def session_facts(session: LoggedSession) -> SessionFacts:
    """The facts of one session."""
    analysis = analyse(session.chunks, username=session.username)
    replies = [e for e in analysis.server
               if e.to is not None and e.reply is not None and e.to != st.GREETING]
    units = [u for u in analysis.units if u.kind != "partial"]
    ehlo = helo = authenticated = False
    sender, recipients = "", []
    deliveries = []
    for unit, event in zip(units, replies):
        code = event.reply.code  # type: ignore[union-attr]
        ok = 200 <= code < 300
        if unit.kind == "content":
            if ok and recipients:
                deliveries.append(_delivery(session, analysis, unit, event.chunk_index, sender,
                                            recipients, authenticated))
            sender, recipients = "", []
            continue
        if unit.kind == "auth":
            authenticated |= code == 235
            continue
        verb = unit.verb
        if verb == "AUTH":
            authenticated |= code == 235
        elif verb in ("EHLO", "HELO", "RSET") and ok:
            ehlo |= verb == "EHLO"
            helo |= verb == "HELO"
            sender, recipients = "", []
        elif verb in ("MAIL", "RCPT") and ok:
            raw = analysis.client[unit.start:unit.end]
            argument = read_command(split_ending(raw)[0]).argument
            path = envelope_path(argument, "FROM:" if verb == "MAIL" else "TO:")[0]
            if verb == "MAIL":
                sender, recipients = path, []
            else:
                recipients.append(path)
    mistakes = Counter(f.key for f in analysis.findings)
    errors = sum(1 for f in analysis.findings if f.severity == "error")
    return SessionFacts(session, ehlo, helo, authenticated or session.username is not None,
                        tuple(deliveries), mistakes, errors)


def _delivery(session: LoggedSession, analysis: Analysis, unit, chunk: int, sender: str,
              recipients: list[str], authenticated: bool) -> Delivery:
    content = analysis.client[unit.start:unit.end]
    undeclared = any(f.key in CHARSET_KEYS and unit.start <= f.offset < unit.end
                     for f in analysis.findings)
    when = analysis.times[chunk] if chunk < len(analysis.times) else session.ended
    return Delivery(session.id, when, sender, tuple(recipients), _subject(content),
                    authenticated, not undeclared)
