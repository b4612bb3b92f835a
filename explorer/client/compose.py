"""The composer: RFC 5322 messages built with the standard library's ``email`` package, and the
same message shown as it crosses the wire, each line labelled.

    draft = Draft(sender="Li Lei <learner@sandbox.test>", to=("friend@sandbox.test",),
                  subject="你好 😀", body="你好，世界\\n", attachments=(Attachment.from_path("a.pdf"),))
    message = message_bytes(draft)   # From, To, Subject (RFC 2047), Date, Message-ID, MIME parts
    wire(message)                    # what goes after 354: dot-stuffed, ended by CRLF.CRLF
    show(message)                    # the wire lines, visible, with what each one is

Text that is not ASCII gets ``charset=utf-8`` and a transfer encoding that keeps the message
7-bit clean (quoted-printable or Base64, whichever is shorter) unless ``transfer`` says
otherwise; subjects and display names become encoded-words; attachments are Base64. The
message's line ends are CRLF, so the bytes a server stores are exactly :func:`message_bytes`.
"""

from __future__ import annotations

import mimetypes
import stat
import re
from dataclasses import dataclass, replace
from datetime import datetime
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import format_datetime, formatdate, make_msgid
from pathlib import Path

from explorer.core.commands import dot_stuff, encode_message
from explorer.core.render import visible, visible_text
from explorer.knowledge.tables import DEFAULT_LANG, load, pick

__all__ = ["Attachment", "Draft", "ComposeError", "WireLine", "TRANSFERS", "build",
           "message_bytes", "wire", "labelled", "show", "interactive"]

TRANSFERS = ("7bit", "8bit", "quoted-printable", "base64")
_MARKER = "@@smtp-explorer-your-text-goes-here@@"
_BOUNDARY = re.compile(rb'boundary="?([^";\r\n]+)"?', re.IGNORECASE)


class ComposeError(ValueError):
    """A draft that cannot become a message (a file that cannot be read...), in one line."""


def _text(name: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    return pick(load("compose")["labels"], lang)[name].format(**values)


#: The largest file /attach takes: the sandbox's default message size (Base64 adds a third).
ATTACHMENT_LIMIT = 7 * 1024 * 1024

@dataclass(frozen=True)
class Attachment:
    """A file to attach: its name, its bytes and its MIME type."""

    filename: str
    data: bytes
    content_type: str = "application/octet-stream"

    @classmethod
    def from_path(cls, path: str | Path, *, lang: str = DEFAULT_LANG) -> Attachment:
        """Read a file; :class:`ComposeError` if it cannot be read."""
        path = Path(path).expanduser()
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):
                raise ComposeError(_text("not_a_file", lang, path=visible_text(str(path))))
            if info.st_size > ATTACHMENT_LIMIT:
                raise ComposeError(_text("too_big", lang, path=visible_text(str(path)),
                                         octets=info.st_size, limit=ATTACHMENT_LIMIT))
            data = path.read_bytes()
        except OSError as exc:
            raise ComposeError(_text("cannot_read", lang, path=visible_text(str(path)),
                                     reason=exc.strerror or type(exc).__name__)) from None
        guessed = mimetypes.guess_type(path.name)[0]
        return cls(path.name, data, guessed or "application/octet-stream")


@dataclass(frozen=True)
class Draft:
    """What a message should say. ``sender`` and the recipients may carry a display name
    (``"Li Lei <li@example.com>"``). ``date`` and ``message_id`` default to now and a new id
    on the sender's domain. ``transfer`` forces the body's Content-Transfer-Encoding (one of
    :data:`TRANSFERS`). ``smtputf8`` allows raw UTF-8 in the header (RFC 6532), for a server
    that offers SMTPUTF8."""

    sender: str
    to: tuple[str, ...]
    subject: str = ""
    body: str = ""
    cc: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    date: datetime | str | None = None
    message_id: str | None = None
    transfer: str | None = None
    smtputf8: bool = False


def _domain(address: str) -> str:
    return address.rstrip(">").rpartition("@")[2].strip() or "localhost"


def _policy(draft: Draft) -> email_policy.EmailPolicy:
    if draft.smtputf8:
        return email_policy.SMTPUTF8
    # 7bit: non-ASCII text is encoded (quoted-printable or Base64), so any server takes it.
    eight = draft.transfer in ("8bit",)
    return email_policy.SMTP.clone(cte_type="8bit" if eight else "7bit")


def build(draft: Draft, *, lang: str = DEFAULT_LANG) -> EmailMessage:
    """The message as an ``email.message.EmailMessage`` (``ComposeError`` if impossible)."""
    if draft.transfer is not None and draft.transfer not in TRANSFERS:
        raise ComposeError(_text("bad_transfer", lang, transfer=visible_text(draft.transfer),
                                 choices=", ".join(TRANSFERS)))
    message = EmailMessage(policy=_policy(draft))
    try:
        message["From"] = draft.sender
        message["To"] = ", ".join(draft.to)
        if draft.cc:
            message["Cc"] = ", ".join(draft.cc)
        if draft.subject:
            message["Subject"] = draft.subject
        if isinstance(draft.date, datetime):
            message["Date"] = format_datetime(draft.date)
        else:
            message["Date"] = draft.date or formatdate(localtime=True)
        message["Message-ID"] = draft.message_id or make_msgid(domain=_domain(draft.sender))
        body = draft.body if draft.body.endswith("\n") or not draft.body else draft.body + "\n"
        message.set_content(body, charset="utf-8", cte=draft.transfer)
        for attachment in draft.attachments:
            maintype, _, subtype = attachment.content_type.partition("/")
            message.add_attachment(attachment.data, maintype=maintype or "application",
                                   subtype=subtype or "octet-stream", filename=attachment.filename)
    except (ValueError, TypeError) as exc:  # bad address syntax, 7bit with non-ASCII text...
        raise ComposeError(_text("cannot_build", lang, reason=visible_text(str(exc)))) from None
    if not draft.smtputf8:
        # An address itself cannot be an encoded-word (RFC 2047 5): it needs SMTPUTF8.
        for name in ("From", "To", "Cc"):
            for address in getattr(message[name], "addresses", ()):
                if not address.addr_spec.isascii():
                    raise ComposeError(_text("needs_smtputf8", lang,
                                             address=visible_text(address.addr_spec)))
    return message


def message_bytes(draft: Draft, *, lang: str = DEFAULT_LANG) -> bytes:
    """The message's exact bytes (RFC 5322, CRLF line ends): what a server stores."""
    message = build(draft, lang=lang)
    try:
        return message.as_bytes()
    except (ValueError, TypeError, UnicodeError) as exc:  # e.g. a non-ASCII address
        raise ComposeError(_text("cannot_build", lang, reason=visible_text(str(exc)))) from None


def wire(message: bytes) -> bytes:
    """What crosses the wire after 354: CRLF line ends, dot-stuffed, then ``.`` CRLF."""
    return encode_message(message)


@dataclass(frozen=True)
class WireLine:
    """One line as it crosses the wire (CRLF included), and what it is: ``part`` is one of
    header, encoded (a header with an RFC 2047 encoded-word), folded, blank, body,
    quoted-printable, base64, boundary, part-header, terminator. ``stuffed``: dot-stuffed."""

    part: str
    data: bytes
    stuffed: bool = False


def labelled(message: bytes) -> list[WireLine]:
    """The wire lines of ``message`` (as :func:`message_bytes` makes it), each labelled."""
    boundaries = {b"--" + b for b in _BOUNDARY.findall(message)}
    lines = message.split(b"\r\n")
    if lines and lines[-1] == b"":
        lines.pop()
    out: list[WireLine] = []
    in_header, top, transfer = True, True, b"7bit"
    for line in lines:
        if in_header:
            if not line:
                part, in_header = "blank", False
            elif line[:1] in (b" ", b"\t"):
                part = "folded"
            else:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-transfer-encoding":
                    transfer = value.strip().lower()
                part = "encoded" if b"=?" in line else "header" if top else "part-header"
        elif line.rstrip() in boundaries or line.rstrip()[:-2] in boundaries:
            part = "boundary"
            if line.rstrip() in boundaries:  # an opening boundary: a part's header follows
                in_header, top, transfer = True, False, b"7bit"
        else:
            part = {b"base64": "base64", b"quoted-printable": "quoted-printable"}.get(transfer,
                                                                                    "body")
        stuffed = dot_stuff(line)
        out.append(WireLine(part, stuffed + b"\r\n", stuffed != line))
    out.append(WireLine("terminator", b".\r\n"))
    return out


def show(message: bytes, *, lang: str = DEFAULT_LANG) -> list[str]:
    """The message as it crosses the wire, one visible line each, labelled."""
    rows = []
    for line in labelled(message):
        name = _text(f"part_{line.part.replace('-', '_')}", lang)
        if line.stuffed:
            name = _text("stuffed", lang, part=name)
        rows.append((name, visible(line.data)))
    width = max(len(name) for name, _ in rows)
    return [f"{name:<{width}}  {text}" for name, text in rows]


def interactive(draft: Draft, *, lang: str = DEFAULT_LANG) -> tuple[list[str], list[str]]:
    """For typing the body by hand (the REPL's DATA mode): the lines to send before the
    learner's text and after it, as text lines without their CRLF.

    The opening is the header (for a message with attachments: the header, the first MIME
    boundary and the text part's own header) and stops where the empty line goes: the learner
    types it, then the body. The closing (empty without attachments) holds the attachments and
    the closing boundary; send it before the final ``.``. The body is declared UTF-8, 8bit, so
    any text may be typed.
    """
    marked = message_bytes(replace(draft, body=_MARKER, transfer="8bit"), lang=lang)
    before, _, after = marked.partition(_MARKER.encode("ascii") + b"\r\n")
    opening = before.decode("ascii").split("\r\n")[:-2]  # without the blank line
    closing = after.decode("ascii").split("\r\n")[:-1] if after else []
    return opening, closing
