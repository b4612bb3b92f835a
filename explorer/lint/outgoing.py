"""Lint what a learner is about to send, before it goes out (for the REPL: it warns, never blocks).

The same checks as for a recorded session, applied to the exact bytes of one send in the
session's present state. Positions count in those bytes: offset 0 and line 1 are the first byte
and line of ``outgoing``; ``chunk_index`` and ``time`` are None.
"""

from __future__ import annotations

from explorer.core import states as st
from explorer.core.session import ClientSession
from explorer.core.states import State
from explorer.lint import commands as cmd
from explorer.lint.content import Envelope, lint_message
from explorer.lint.findings import Finding, make

__all__ = ["lint_outgoing"]

# Checks on the message as a whole: made when the terminator goes out, and located there.
_WHOLE = frozenset({"missing-from", "missing-date", "from-not-auth-user", "from-not-mail-from"})


def lint_outgoing(session: ClientSession, outgoing: bytes, *, in_data: bool,
                  message_so_far: bytes | None = None, envelope: Envelope | None = None,
                  with_core_checks: bool = True) -> list[Finding]:
    """The mistakes in ``outgoing``, the exact bytes about to be sent in ``session``.

    ``in_data``: the session is in DATA (after 354), so ``outgoing`` is message content.
    ``message_so_far``: in DATA, the content already sent since the 354, exactly; with it the
    header is checked too and, when ``outgoing`` ends the message, the message as a whole
    (From, Date). ``None`` checks the lines of ``outgoing`` only. ``envelope``: MAIL FROM, the
    AUTH user and SMTPUTF8, for the From checks. ``with_core_checks``: add the protocol core's
    order and syntax findings for the first command (pass False when the caller already shows
    ``session.check`` for it, as the REPL does for a typed command).
    """
    if in_data:
        return _content(outgoing, message_so_far, envelope or Envelope())
    return _commands(session, outgoing, with_core_checks)


def _content(outgoing: bytes, so_far: bytes | None, envelope: Envelope) -> list[Finding]:
    before = so_far or b""
    combined = before + outgoing
    if combined.startswith(b".\r\n"):
        end: int | None = 0
    else:
        found = combined.find(b"\r\n.\r\n", max(0, len(before) - 4))
        end = None if found < 0 else found + 2
    content = combined if end is None else combined[:end]
    line = 1 - before.count(b"\n")
    findings = lint_message(content, base=-len(before), line=line, envelope=envelope,
                            terminated=end is not None, structure=so_far is not None,
                            complete=end is not None and so_far is not None, aggregate=False)
    out: list[Finding] = []
    for finding in findings:
        if finding.key in _WHOLE and end is not None:
            at = end - len(before)
            out.append(make(finding.key, 1 + outgoing.count(b"\n", 0, max(at, 0)), max(at, 0),
                            where=finding.where, values=dict(finding.values)))
        elif finding.offset >= 0:
            out.append(finding)
    return out


def _commands(session: ClientSession, outgoing: bytes, core: bool) -> list[Finding]:
    found: list[Finding] = []
    pipelining = session.context.capabilities.has("PIPELINING")
    previous: tuple[str, str] | None = None  # (exchange, how to name it) of the line before
    pos, line = 0, 1
    while pos < len(outgoing):
        first = previous is None
        auth = first and session.state is State.AUTH_EXCHANGE
        where = "auth" if auth else "command"
        nl = outgoing.find(b"\n", pos)
        if nl < 0:
            found += cmd.partial_findings(outgoing[pos:], pos, line, where)
            break
        raw = outgoing[pos:nl + 1]
        content = cmd.split_ending(raw)[0]
        found += cmd.ending_findings(raw, pos, line, where)
        if previous is not None and not cmd.may_follow(previous[0], pipelining):
            found.append(make("no-wait", line, pos, values={"previous": previous[1]}))
        if auth:
            found += cmd.credential(content, pos, line, raw, "auth")[0]
            previous = (st.AUTH_LINE, "AUTH")
        else:
            command = cmd.read_command(content)
            if first and core:
                found += cmd.core_findings(session.check(command), command, raw, pos, line)
            if command.verb == "AUTH":
                initial = command.argument.partition(" ")[2].strip().encode("utf-8",
                                                                              "surrogateescape")
                if initial:
                    at = pos + max(raw.find(initial), 0)
                    found += cmd.credential(initial, at, line, raw, "command")[0]
            verb = command.verb
            previous = (verb if verb in st.EFFECTS else st.UNKNOWN, verb[:20] or "?")
        pos, line = nl + 1, line + 1
    return found
