"""SMTP commands and their exact bytes (RFC 5321 section 4.1, RFC 4954, RFC 3207).

A :class:`Command` is a verb and the text after it. Verbs are matched case-insensitively and
always rendered upper-case; so are the ``FROM:`` and ``TO:`` keywords of MAIL and RCPT. Everything
else (addresses, parameters, the EHLO domain) is sent exactly as given.

Three other things a client sends are not commands: a line of an AUTH exchange
(:class:`AuthLine`), the message content after ``354`` (:class:`MessageData`), and bytes typed
with escapes on purpose (:class:`RawBytes`). Each has ``to_bytes()``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

__all__ = [
    "Command", "AuthLine", "MessageData", "RawBytes", "Outgoing", "CommandError", "VERBS",
    "parse_command", "helo", "ehlo", "starttls", "auth", "mail", "rcpt", "data", "rset", "noop",
    "vrfy", "expn", "help_", "quit_", "encode_message", "dot_stuff", "normalise_newlines",
]

CRLF = b"\r\n"

#: Every verb the explorer knows, in the order a session usually uses them.
VERBS: tuple[str, ...] = (
    "HELO", "EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "RSET", "NOOP",
    "VRFY", "EXPN", "HELP", "QUIT",
)

# The verbs whose argument starts with a keyword and a colon (which is upper-cased too).
_KEYWORDS = {"MAIL": "FROM:", "RCPT": "TO:"}


class CommandError(ValueError):
    """A command line that cannot be turned into a command at all (empty, or a control byte).
    ``key`` (an entry of ``knowledge/input_errors``) and ``values`` say why; the front ends say
    it in the learner's language (the core holds no sentence); ``str()`` is the key."""

    table = "input_errors"

    def __init__(self, key: str, **values: object) -> None:
        self.key, self.values = key, values
        super().__init__(key)


@dataclass(frozen=True)
class Command:
    """One SMTP command line: ``verb`` upper-case, ``argument`` the rest (may be empty)."""

    verb: str
    argument: str = ""

    @property
    def line(self) -> str:
        """The command as text, without its line ending."""
        return f"{self.verb} {self.argument}" if self.argument else self.verb

    def to_bytes(self) -> bytes:
        """The exact bytes on the wire: the line and CRLF (UTF-8, as SMTPUTF8 allows)."""
        return self.line.encode("utf-8") + CRLF

    @property
    def known(self) -> bool:
        return self.verb in VERBS


@dataclass(frozen=True)
class AuthLine:
    """A client line inside an AUTH exchange (RFC 4954): Base64 text, or ``*`` to cancel."""

    text: str
    secret: bool = False  # carries a credential: front ends mask it in logs unless asked

    def to_bytes(self) -> bytes:
        return self.text.encode("ascii", "backslashreplace") + CRLF


@dataclass(frozen=True)
class MessageData:
    """The message content sent after 354, already encoded with :func:`encode_message`."""

    wire: bytes

    @classmethod
    def from_text(cls, text: str | bytes) -> MessageData:
        return cls(encode_message(text))

    def to_bytes(self) -> bytes:
        return self.wire


@dataclass(frozen=True)
class RawBytes:
    """Bytes the learner typed on purpose, sent as they are (no CRLF added)."""

    data: bytes = field(default=b"")

    def to_bytes(self) -> bytes:
        return self.data


Outgoing = Command | AuthLine | MessageData | RawBytes

_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def parse_command(line: str) -> Command:
    """Parse a typed command line. The verb and the MAIL/RCPT keyword are upper-cased.

    Raises :class:`CommandError` for an empty line or one with a CR, LF or other control
    character (those belong in ``/raw``, where they are sent on purpose).
    """
    text = line.strip(" ")
    if not text:
        raise CommandError("empty-command")
    bad = _CONTROL.search(text)
    if bad:
        raise CommandError("control-character", character=repr(bad.group()))
    verb, _, argument = text.partition(" ")
    verb = verb.upper()
    keyword = _KEYWORDS.get(verb)
    if keyword:
        # "mail from: <a>" and "MAIL FROM:<a>" are both recognised; the spacing is kept as typed
        # so that a learner's mistake (a space after the colon) reaches the wire unchanged.
        if argument[: len(keyword)].upper() == keyword:
            argument = keyword + argument[len(keyword) :]
    elif verb == "AUTH":
        # SASL mechanism names are upper-case (RFC 4954); the initial response is kept as typed.
        mechanism, sep, rest = argument.strip(" ").partition(" ")
        argument = mechanism.upper() + sep + rest
    return Command(verb, argument.strip(" "))


def _params(params: Mapping[str, str | None] | None) -> str:
    if not params:
        return ""
    parts = [key.upper() if value is None else f"{key.upper()}={value}" for key, value in params.items()]
    return " " + " ".join(parts)


def helo(domain: str) -> Command:
    return Command("HELO", domain)


def ehlo(domain: str) -> Command:
    return Command("EHLO", domain)


def starttls() -> Command:
    return Command("STARTTLS")


def auth(mechanism: str, initial_response: str | None = None) -> Command:
    """``AUTH LOGIN``, ``AUTH PLAIN <b64>``; an empty initial response is sent as ``=``."""
    mechanism = mechanism.upper()
    if initial_response is None:
        return Command("AUTH", mechanism)
    return Command("AUTH", f"{mechanism} {initial_response or '='}")


def mail(sender: str, params: Mapping[str, str | None] | None = None) -> Command:
    """``MAIL FROM:<sender>`` with ESMTP parameters, e.g. ``{"SIZE": "1024", "SMTPUTF8": None}``."""
    return Command("MAIL", f"FROM:<{sender}>{_params(params)}")


def rcpt(recipient: str, params: Mapping[str, str | None] | None = None) -> Command:
    return Command("RCPT", f"TO:<{recipient}>{_params(params)}")


def data() -> Command:
    return Command("DATA")


def rset() -> Command:
    return Command("RSET")


def noop(argument: str = "") -> Command:
    return Command("NOOP", argument)


def vrfy(argument: str) -> Command:
    return Command("VRFY", argument)


def expn(argument: str) -> Command:
    return Command("EXPN", argument)


def help_(topic: str = "") -> Command:
    return Command("HELP", topic)


def quit_() -> Command:
    return Command("QUIT")


_NEWLINES = re.compile(rb"\r\n|\r|\n")


def normalise_newlines(data: bytes) -> bytes:
    """Turn every line ending (CRLF, bare LF, bare CR) into CRLF."""
    return _NEWLINES.sub(CRLF, data)


def dot_stuff(line: bytes) -> bytes:
    """RFC 5321 4.5.2: a line that begins with a period gets one more period in front."""
    return b"." + line if line.startswith(b".") else line


def encode_message(content: str | bytes) -> bytes:
    """The exact bytes sent after 354: CRLF line endings, dot-stuffed, then ``.`` CRLF.

    A message that does not end with a line ending gets CRLF before the terminator, so the
    result always ends with ``CRLF.CRLF``.
    """
    raw = content.encode("utf-8") if isinstance(content, str) else content
    normalised = normalise_newlines(raw)
    lines = normalised.split(CRLF)
    if lines and lines[-1] == b"":
        lines.pop()  # the split after a final CRLF leaves an empty tail, not an empty line
    body = b"".join(dot_stuff(line) + CRLF for line in lines)
    return body + b"." + CRLF
