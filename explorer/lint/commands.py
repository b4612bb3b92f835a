"""Checks on one line a client sent outside DATA: a command, or an answer inside AUTH.

The SMTP rules come from the protocol core: ``ClientSession.check`` says whether a command is in
order, ``syntax_problems`` whether it is well formed; this module turns their reason keys into
findings and adds what only the bytes show (the line ending, a bare CR, Base64 that is not).
"""

from __future__ import annotations

from explorer.core import states as st
from explorer.core.auth import Base64Error, b64decode
from explorer.core.commands import Command, CommandError, parse_command
from explorer.core.pipelining import GROUPABLE, may_follow  # the linter names them too
from explorer.core.render import visible, visible_text
from explorer.core.session import Warning_
from explorer.core.syntax import syntax_problems
from explorer.lint.findings import Finding, make
from explorer.recording.secrets import PLACEHOLDER

__all__ = ["split_ending", "ending_findings", "partial_findings", "read_command",
           "core_findings", "credential", "login_name", "MASKS", "GROUPABLE", "may_follow",
           "envelope_path"]

#: What a redacted credential looks like in a recording (the one placeholder of
#: ``explorer.recording``). Such a line is not checked as Base64.
MASKS = (PLACEHOLDER,)

# The core's reason keys for a command sent in the wrong state (the OUT_OF_ORDER table).
_ORDER_REASONS = frozenset(key for _, key in st.OUT_OF_ORDER.values())


def split_ending(raw: bytes) -> tuple[bytes, str]:
    """A line's content and its ending: "crlf", "lf", "tab-lf" or "" (none: no LF at all)."""
    if raw.endswith(b"\r\n"):
        return raw[:-2], "crlf"
    if raw.endswith(b"\t\n"):
        return raw[:-2], "tab-lf"
    if raw.endswith(b"\n"):
        return raw[:-1], "lf"
    return raw, ""


def ending_findings(raw: bytes, offset: int, line: int, where: str) -> list[Finding]:
    """A command (or AUTH) line ended otherwise than CRLF, or with a bare CR inside."""
    content, ending = split_ending(raw)
    found: list[Finding] = []
    cr = content.find(b"\r")
    if cr >= 0:
        found.append(make("bare-cr", line, offset + cr, where=where))
    if ending == "lf":
        found.append(make("bare-lf", line, offset + len(content), where=where))
    elif ending == "tab-lf":
        found.append(make("tab-lf", line, offset + len(content), where=where))
    return found


def partial_findings(raw: bytes, offset: int, line: int, where: str) -> list[Finding]:
    """Bytes with no LF after them: the server still waits for the end of the line."""
    verb = raw.strip(b" \t\r").split(b" ", 1)[0]
    values = {} if where == "auth" else {"verb": visible(verb[:20])}  # an AUTH line is secret
    if raw.rstrip(b" \t").endswith(b"\r"):
        return [make("bare-cr", line, offset + raw.rindex(b"\r"), where=where, values=values)]
    return [make("no-line-end", line, offset + len(raw), where=where, values=values)]


def read_command(content: bytes) -> Command:
    """The command a server would see in a line (ending removed), leniently.

    Trailing white space and CR are dropped and a control character does not stop the verb from
    being read, so that the exchange is paired with its reply as the server paired it; what is
    wrong with the line itself is reported by :func:`ending_findings`.
    """
    text = content.decode("utf-8", "replace").strip(" \t\r")
    try:
        return parse_command(text)
    except CommandError:
        verb, _, argument = text.partition(" ")
        return Command(verb.upper(), argument.strip(" "))


def core_findings(warnings: tuple[Warning_, ...], command: Command, raw: bytes, offset: int,
                  line: int) -> list[Finding]:
    """What the protocol core says about ``command``: ``warnings`` are its ``check`` of the
    command in the session's present state."""
    if not command.verb:
        return [make("empty-command", line, offset)]
    if not warnings:
        return []  # most commands: no need to read their syntax twice
    syntax = {key for key, _, _ in syntax_problems(command)}
    values = {"verb": visible_text(command.verb[:20])}
    found: list[Finding] = []
    for warning in warnings:
        key, reason, severity = _classify(command.verb, warning.key, warning.key in syntax)
        if key is None or (severity is None and warning.severity != "error"):
            continue  # a prediction (e.g. "AUTH will probably be required"): the reply tells
        found.append(make(key, line, offset, reason=reason, values=values,
                          severity=severity if warning.severity != "error" else None))
    return found


def _classify(verb: str, key: str, is_syntax: bool) -> tuple[str | None, str | None, str | None]:
    """(mistake key, core reason, severity override) for one warning of the core."""
    if key == "unknown-verb":
        return "unknown-command", None, None
    if is_syntax:
        if key == "missing-angle-brackets":
            return "missing-angle-brackets", None, None
        if key == "non-ascii-without-smtputf8":
            return "address-non-ascii", None, None
        return "command-syntax", key, "warning"  # a note of the core: tolerated by many servers
    if verb == "AUTH" and key == "ehlo-first":
        return "auth-before-ehlo", None, None
    if verb == "AUTH" and key == "extension-after-helo":
        return "auth-after-helo", None, None
    if key in _ORDER_REASONS:
        return "out-of-order", key, None
    return "not-offered", key, None


def credential(text: bytes, offset: int, line: int, raw: bytes, where: str) -> tuple[list[Finding], bytes | None]:
    """Check an AUTH answer (or initial response); returns findings and its decoded bytes."""
    value = text.strip()
    if not value or value in (b"*", b"=") or any(mask in value for mask in MASKS):
        return [], None
    try:
        return [], b64decode(value.decode("ascii"))
    except (Base64Error, UnicodeDecodeError):
        return [make("auth-bad-base64", line, offset, where=where)], None


def login_name(mechanism: str, decoded: bytes, first_answer: bool) -> str | None:
    """The user name inside a decoded AUTH answer, when this answer carries one."""
    try:
        if mechanism == "PLAIN":  # authzid NUL authcid NUL password (RFC 4616)
            parts = decoded.split(b"\0")
            if len(parts) != 3:
                return None
            return parts[1].decode("utf-8", "replace") or None
        if mechanism == "LOGIN" and first_answer:
            return decoded.decode("utf-8", "replace") or None
        if mechanism == "CRAM-MD5":
            return decoded.decode("utf-8", "replace").rpartition(" ")[0] or None
    except ValueError:
        return None
    return None


def envelope_path(argument: str, keyword: str) -> tuple[str, str]:
    """The address and the parameters of a MAIL (``keyword`` "FROM:") or RCPT ("TO:") argument,
    read as forgivingly as servers do: the brackets and the space after the colon optional."""
    if argument.upper().startswith(keyword):
        argument = argument[len(keyword):].strip()
    if argument.startswith("<"):
        path, _, params = argument[1:].partition(">")
    else:
        path, _, params = argument.partition(" ")
    return path.strip(), params
