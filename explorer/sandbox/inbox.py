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
from explorer.knowledge.tables import text as table_text
from explorer.sandbox.storage import StoredMessage
from explorer.width import pad, width

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


def _clip(text: str, columns: int) -> str:
    """``text`` cut to ``columns`` display columns (a Chinese name takes two per character)."""
    if width(text) <= columns:
        return text
    while width(text) > columns - 1:
        text = text[:-1]
    return text + "~"


def _say(key: str, lang: str, **values: object) -> str:
    return table_text("inbox", key, lang, **values)


def _count(key: str, number: int, lang: str, **values: object) -> str:
    return _say(f"{key}-{'1' if number == 1 else 'n'}", lang, n=number, **values)


def _when(stored: StoredMessage) -> str:
    try:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(stored.path.stat().st_mtime))
    except OSError:
        return "?"


def format_list(messages: list[StoredMessage], root: str, lang: str = "en") -> str:
    """The numbered list: date, mailbox, sender, size and decoded subject of each message, in
    columns aligned by display width (a decoded Chinese name or subject is two columns a character)."""
    if not messages:
        return _say("empty", lang, root=visible_text(root))
    size = _say("column-size", lang)
    lines = [_count("count", len(messages), lang, root=visible_text(root)),
             f"{'#':>4}  {pad(_say('column-stored', lang), 16)}  {pad(_say('column-mailbox', lang), 26)}  "
             f"{pad(_say('column-from', lang), 26)}  {' ' * (9 - width(size))}{size}  {_say('column-subject', lang)}"]
    for number, stored in enumerate(messages, 1):
        message = _parse(stored.data)
        sender = visible_text(decoded_header(message, "From") or "-")
        subject = visible_text(decoded_header(message, "Subject") or _say("no-subject", lang))
        lines.append(f"{number:>4}  {_when(stored):16}  {pad(_clip(visible_text(stored.recipient), 26), 26)}"
                     f"  {pad(_clip(sender, 26), 26)}  {_size(len(stored.data)):>9}  {subject}")
    return "\n".join(lines)


def _parts(message: Message, number: str, depth: int, out: list[str], lang: str) -> None:
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
        details.append(_count("part-count", len(children), lang))
        out.append(f"  {'  ' * depth}{number}  {visible_text('  '.join(details))}")
        for index, child in enumerate(children, 1):
            _parts(child, f"{number}.{index}", depth + 1, out, lang)
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


def format_message(stored: StoredMessage, number: int, total: int, lang: str = "en") -> str:
    """One message in ``lang``: where it is, its headers decoded, its MIME parts, its first text part."""
    message = _parse(stored.data)
    lines = [_say("message", lang, number=number, total=total, path=visible_text(str(stored.path))),
             _say("where", lang, mailbox=visible_text(stored.recipient), size=len(stored.data),
                  stored=_when(stored)),
             "", _say("headers", lang)]
    names: list[str] = []
    for name in message.keys():
        if name not in names:
            names.append(name)
    for name in names[:SHOWN_HEADERS]:
        lines.append(f"  {visible_text(name)}: {visible_text(decoded_header(message, name))}")
    if len(names) > SHOWN_HEADERS:
        lines.append(_say("more-headers", lang, n=len(names) - SHOWN_HEADERS))
    if message.defects:
        lines.append(_say("defects", lang,
                          defects=visible_text("; ".join(type(d).__name__ for d in message.defects))))
    lines += ["", _say("parts", lang)]
    _parts(message, "1", 0, lines, lang)
    text = _first_text(message)
    if text is not None:
        lines += ["", _say("body", lang)]
        shown = text[:BODY_PREVIEW]
        lines += [f"  {visible_text(line)}" for line in shown.splitlines()]
        if len(text) > BODY_PREVIEW:
            lines.append(_say("more-text", lang, n=len(text) - BODY_PREVIEW))
    return "\n".join(lines)
