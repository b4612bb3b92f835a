"""Syntax checks for a single command line (RFC 5321 4.1 grammar, simplified for teaching).

Each problem is a reason key (its text lives in ``knowledge/warnings.toml``), the reply a real
server most likely gives, and a severity: "error" for what servers refuse, "note" for what many
servers tolerate but the RFC does not allow.
"""

from __future__ import annotations

import re

from explorer.core.commands import Command

__all__ = ["syntax_problems", "COMMAND_LINE_LIMIT"]

#: RFC 5321 4.5.3.1.4: a command line is at most 512 octets, CRLF included.
COMMAND_LINE_LIMIT = 512

_NO_ARGUMENT = frozenset({"DATA", "RSET", "QUIT", "STARTTLS"})
_NEEDS_ARGUMENT = {"HELO": "helo-needs-domain", "EHLO": "helo-needs-domain",
                   "AUTH": "auth-needs-mechanism", "VRFY": "needs-argument", "EXPN": "needs-argument"}
_PATH = re.compile(r"<[^<>]*>")
_PARAM = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*(=[\x21-\x3c\x3e-\x7e]+)?")


def _path_problems(verb: str, argument: str) -> list[tuple[str, int | None, str]]:
    keyword = "FROM:" if verb == "MAIL" else "TO:"
    if not argument.upper().startswith(keyword):
        return [(f"{verb.lower()}-syntax", 501, "error")]
    rest = argument[len(keyword):]
    problems: list[tuple[str, int | None, str]] = []
    if rest.startswith(" "):
        problems.append(("space-after-colon", None, "note"))
        rest = rest.lstrip(" ")
    match = _PATH.match(rest)
    if not match:
        return problems + [("missing-angle-brackets", 501, "error")]
    if verb == "RCPT" and match.group() == "<>":
        problems.append(("empty-recipient", 501, "error"))
    params = rest[match.end():].split()
    if any(not _PARAM.fullmatch(p) for p in params):
        problems.append(("bad-parameter", 555, "error"))
    if verb == "MAIL" and not argument.isascii() and "SMTPUTF8" not in (p.upper() for p in params):
        problems.append(("non-ascii-without-smtputf8", 553, "error"))
    return problems


def syntax_problems(command: Command) -> list[tuple[str, int | None, str]]:
    """The problems of one command line, in the order a server would meet them."""
    problems: list[tuple[str, int | None, str]] = []
    if len(command.to_bytes()) > COMMAND_LINE_LIMIT:
        problems.append(("line-too-long", 500, "error"))
    verb, argument = command.verb, command.argument
    if verb in _NO_ARGUMENT and argument:
        problems.append(("no-arguments", 501, "error"))
    elif verb in _NEEDS_ARGUMENT and not argument:
        problems.append((_NEEDS_ARGUMENT[verb], 501, "error"))
    elif verb in ("MAIL", "RCPT"):
        problems.extend(_path_problems(verb, argument))
    return problems
