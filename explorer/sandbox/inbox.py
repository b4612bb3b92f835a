"""Reading the sandbox's Maildir: a numbered list of messages, and one message shown in full.

Everything printed here came from a client, so it goes through ``visible`` / ``visible_text``:
headers are decoded (RFC 2047 encoded words become text) and then rendered safely.
"""

from __future__ import annotations

import email
import email.policy
import time
from email.header import decode_header, make_header
from email.message import Message

from explorer.core.render import visible_text
from explorer.sandbox.storage import StoredMessage

__all__ = ["format_list", "format_message", "decoded_header"]

SHOWN_HEADERS = 40
BODY_PREVIEW = 4000


def _parse(data: bytes) -> Message:
    return email.message_from_bytes(data, policy=email.policy.default)


def decoded_header(message: Message, name: str) -> str:
    """A header's value with encoded words decoded; raw (but safe) if it cannot be decoded."""
    raw = message.get_all(name, failobj=[])
    values = []
    for value in raw:
        try:
            values.append(str(value))
        except Exception:  # a malformed header the email package cannot model
            values.append(_decode_words(getattr(value, "_value", None) or repr(value)))
    return ", ".join(values)


def _decode_words(text: str) -> str:
    try:
        return str(make_header(decode_header(text)))
    except Exception:
        return text


def _size(octets: int) -> str:
    if octets < 1024:
        return f"{octets} B"
    if octets < 1024 * 1024:
        return f"{octets / 1024:.1f} KiB"
    return f"{octets / 1024 / 1024:.1f} MiB"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "~"


def _when(stored: StoredMessage) -> str:
    try:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(stored.path.stat().st_mtime))
    except OSError:
        return "?"


def format_list(messages: list[StoredMessage], root: str) -> str:
    """The numbered list: date, mailbox, sender, size and decoded subject of each message."""
    if not messages:
        return f"No messages in {visible_text(root)}"
    lines = [f"{len(messages)} message{'s' if len(messages) != 1 else ''} in "
             f"{visible_text(root)}",
             f"{'#':>4}  {'stored':16}  {'mailbox':26}  {'from':26}  {'size':>9}  subject"]
    for number, stored in enumerate(messages, 1):
        message = _parse(stored.data)
        sender = visible_text(decoded_header(message, "From") or "-")
        subject = visible_text(decoded_header(message, "Subject") or "(no subject)")
        lines.append(f"{number:>4}  {_when(stored):16}  {_clip(visible_text(stored.recipient), 26):26}"
                     f"  {_clip(sender, 26):26}  {_size(len(stored.data)):>9}  {subject}")
    return "\n".join(lines)


def _parts(message: Message, number: str, depth: int, out: list[str]) -> None:
    content_type = message.get_content_type()
    details = [content_type]
    charset = message.get_param("charset")
    if isinstance(charset, str):
        details.append(f"charset={charset}")
    cte = message.get("Content-Transfer-Encoding")
    if cte:
        details.append(f"encoding={str(cte).strip().lower()}")
    disposition = message.get_content_disposition()
    filename = message.get_filename()
    if disposition:
        details.append(disposition)
    if filename:
        details.append(f'filename "{filename}"')
    if message.is_multipart():
        children = message.get_payload()
        details.append(f"{len(children)} part{'s' if len(children) != 1 else ''}")
        out.append(f"  {'  ' * depth}{number}  {visible_text('  '.join(details))}")
        for index, child in enumerate(children, 1):
            _parts(child, f"{number}.{index}", depth + 1, out)
        return
    payload = message.get_payload(decode=True) or b""
    details.append(_size(len(payload)))
    out.append(f"  {'  ' * depth}{number}  {visible_text('  '.join(details))}")


def _first_text(message: Message) -> str | None:
    for part in message.walk():
        if part.is_multipart() or part.get_content_type() != "text/plain":
            continue
        if part.get_content_disposition() == "attachment":
            continue
        payload = part.get_payload(decode=True) or b""
        charset = part.get_content_charset() or "utf-8"
        try:
            return payload.decode(charset, "replace")
        except LookupError:
            return payload.decode("utf-8", "replace")
    return None


def format_message(stored: StoredMessage, number: int, total: int) -> str:
    """One message: where it is, its headers decoded, its MIME parts, its first text part."""
    message = _parse(stored.data)
    lines = [f"Message {number} of {total}: {visible_text(str(stored.path))}",
             f"Mailbox: {visible_text(stored.recipient)}    Size: {len(stored.data)} octets"
             f"    Stored: {_when(stored)}",
             "", "Headers (decoded):"]
    names: list[str] = []
    for name in message.keys():
        if name not in names:
            names.append(name)
    for name in names[:SHOWN_HEADERS]:
        lines.append(f"  {visible_text(name)}: {visible_text(decoded_header(message, name))}")
    if len(names) > SHOWN_HEADERS:
        lines.append(f"  ... and {len(names) - SHOWN_HEADERS} more")
    if message.defects:
        lines.append(f"  (the email parser noted: "
                     f"{visible_text('; '.join(type(d).__name__ for d in message.defects))})")
    lines += ["", "MIME parts:"]
    _parts(message, "1", 0, lines)
    text = _first_text(message)
    if text is not None:
        lines += ["", "Text:"]
        shown = text[:BODY_PREVIEW]
        lines += [f"  {visible_text(line)}" for line in shown.splitlines()]
        if len(text) > BODY_PREVIEW:
            lines.append(f"  ... ({len(text) - BODY_PREVIEW} more characters)")
    return "\n".join(lines)
