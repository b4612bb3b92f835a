"""Checks on the message content a client sent after 354: header, body, line ends, terminator.

The content is checked as it crossed the wire (dot-stuffed, line ends as sent). Every scan is a
regular expression or a ``find`` over the whole content, except the walk over the header lines,
so a 10 MB message costs a few passes in C, never one Python step per byte or a quadratic scan.

A mistake that repeats on many lines of one message (a bare LF on every line) is reported once,
at its first line, with ``count`` saying how many lines have it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Iterator

from explorer.core.render import visible, visible_text
from explorer.lint.commands import split_ending
from explorer.lint.findings import Finding, make

__all__ = ["Envelope", "lint_message", "LINE_LIMIT", "addresses"]

#: RFC 5322 2.1.1 / RFC 5321 4.5.3.1.6: 998 characters, then CRLF.
LINE_LIMIT = 998

_FIELD = re.compile(rb"([\x21-\x39\x3b-\x7e]+)[ \t]*:")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_PART_8BIT = re.compile(rb"(?im)^content-transfer-encoding:[ \t]*(?:8bit|binary)[ \t]*\r?$")
_ANGLE = re.compile(r"<([^<>]*)>")
_BARE_ADDRESS = re.compile(r"[^\s,<>\"();:]+@[^\s,<>\"();:]+")


@dataclass(frozen=True)
class Envelope:
    """What the commands before the message said: MAIL FROM, the AUTH user, SMTPUTF8."""

    mail_from: str | None = None  # the reverse-path without brackets; None if unknown
    user: str | None = None  # the authenticated user, if known
    smtputf8: bool = False  # MAIL FROM carried SMTPUTF8: UTF-8 headers are allowed


def addresses(value: str) -> list[str]:
    """The addresses in a header value such as ``"Li Lei" <li@example.com>``, lower-case."""
    found = _ANGLE.findall(value) or _BARE_ADDRESS.findall(value)
    return [a.strip().lower() for a in found if a.strip()]


class _Lines:
    """Line numbers for offsets in the content."""

    def __init__(self, data: bytes, base: int, line: int):
        self.data, self.base, self.line = data, base, line

    def number(self, offset: int) -> int:
        return self.line + self.data.count(b"\n", 0, offset)

    def finding(self, key: str, offset: int, where: str, **extra) -> Finding:
        return make(key, self.number(offset), self.base + offset, where=where, **extra)


def _blank_line(data: bytes) -> tuple[int, int] | None:
    """(start, end) of the first empty line (CRLF or a bare LF), found with find."""
    if data[:1] == b"\n" or data[:2] == b"\r\n":
        return 0, 1 if data[:1] == b"\n" else 2
    ends = [(at + 1, at + 1 + length) for at, length in
            ((data.find(b"\n\r\n"), 2), (data.find(b"\n\n"), 1)) if at >= 0]
    return min(ends) if ends else None


def _header(data: bytes, lines: _Lines) -> tuple[int, dict[bytes, tuple[int, bytes]], list[Finding]]:
    """Walk the header: (offset where the body begins, the fields, findings)."""
    blank = _blank_line(data)
    stop = blank[0] if blank else len(data)
    fields: dict[bytes, tuple[int, bytes]] = {}
    kept: dict[bytes, tuple[int, bytes]] | None = None  # the fields before the first stray line
    strays: list[int] = []  # stray lines followed by a field: header-no-colon
    pending: int | None = None  # the first stray line since the last field
    first_stray: int | None = None
    found: list[Finding] = []
    current: bytes | None = None
    pos = index = 0
    while pos < stop:
        nl = data.find(b"\n", pos, stop)
        end = stop if nl < 0 else nl + 1
        content = split_ending(data[pos:end])[0].rstrip(b"\r")
        if content[:1] in (b" ", b"\t"):
            if not content.strip(b" \t") or index == 0:
                found.append(lines.finding("bad-folding", pos, "header"))
            elif current is not None:
                offset, value = fields[current]
                fields[current] = (offset, value + content)
        else:
            match = _FIELD.match(content)
            if match:
                name = match.group(1).lower()
                current = None if name in fields else name  # a repeated field is not kept
                fields.setdefault(name, (pos, content[match.end():]))
                if pending is not None:
                    strays.append(pending)
                    pending = None
            else:
                current = None
                if first_stray is None:
                    first_stray, kept = pos, dict(fields)
                    if blank is None:  # no blank line at all: the body began here
                        break
                if pending is None:
                    pending = pos
                else:
                    strays.append(pos)
        pos, index = end, index + 1
    if blank is None:
        if first_stray is None:
            return len(data), fields, found
        found.append(lines.finding("no-blank-line", first_stray, "body"))
        return first_stray, kept or {}, found
    found += [lines.finding("header-no-colon", at, "header") for at in strays if
              pending is None or at < pending]
    if pending is not None:
        found.append(lines.finding("no-blank-line", pending, "body"))
        return pending, fields, found
    return blank[1], fields, found


def _scan(data: bytes, needle: bytes, start: int, end: int,
          keep: Callable[[int], bool] | None = None) -> Iterator[int]:
    """Where ``needle`` occurs in ``data[start:end]`` (and ``keep`` agrees), found with find."""
    at = data.find(needle, start, end)
    while at >= 0:
        if keep is None or keep(at):
            yield at
        at = data.find(needle, at + 1, end)


def _long_lines(data: bytes, start: int, end: int) -> Iterator[int]:
    """Starts of the lines over the limit: the lengths are measured in C, the lines are only
    walked when one is too long."""
    if end - start <= LINE_LIMIT or max(map(len, data[start:end].split(b"\n"))) <= LINE_LIMIT:
        return
    at = start
    while at < end:
        nl = data.find(b"\n", at, end)
        stop = end if nl < 0 else nl
        if len(data[at:stop].rstrip(b"\r")) > LINE_LIMIT:
            yield at
        at = stop + 1


def _line_mistakes(data: bytes, lines: _Lines, body: int, terminated: bool,
                   aggregate: bool) -> list[Finding]:
    """Line ends, bare CRs, long lines and unstuffed periods, per region (header, body).

    The counts come from ``bytes.count`` where a plain count says it (a bare LF is an LF that is
    neither CRLF nor TAB LF), so a clean 10 MB message costs a few passes in C."""
    size = len(data)

    def bare_lf(at: int) -> bool:
        return at == 0 or data[at - 1] not in (0x0D, 0x09)

    def bare_cr(at: int) -> bool:
        return data[at + 1:at + 2] != b"\n" and (at + 1 < size or terminated)

    def unstuffed(at: int) -> bool:
        return data[at + 2:at + 3] not in (b".", b"\r", b"\n", b"")

    found: list[Finding] = []
    for where, start, end in (("header", 0, body), ("body", body, size)):
        if start >= end:
            continue
        count = data.count
        checks = [
            ("message-bare-lf", lambda: _scan(data, b"\n", start, end, bare_lf),
             count(b"\n", start, end) - count(b"\r\n", start, end) - count(b"\t\n", start, end)),
            ("message-tab-lf", lambda: _scan(data, b"\t\n", start, end), None),
            ("message-bare-cr", lambda: _scan(data, b"\r", start, end, bare_cr),
             None if not terminated else count(b"\r", start, end) - count(b"\r\n", start, end)),
            ("message-line-too-long", lambda: _long_lines(data, start, end), None),
            ("dot-not-stuffed", lambda: (at + 1 for at in _scan(data, b"\n.", max(start - 1, 0),
                                                               end - 1, unstuffed)), None),
        ]
        if start == 0:  # the first line has no LF before it
            if data[:1] == b"." and data[1:2] not in (b".", b"\r", b"\n", b""):
                checks[-1] = ("dot-not-stuffed", _prepend(0, checks[-1][1]), None)
        for key, occurrences, quick in checks:
            if quick == 0:
                continue
            if not aggregate:
                found += [lines.finding(key, at, where) for at in occurrences()]
                continue
            first = next(iter(occurrences()), None)
            if first is None:
                continue
            total = quick if quick is not None else sum(1 for _ in occurrences())
            found.append(replace(lines.finding(key, first, where), count=total))
    return found


def _prepend(first: int, rest: Callable[[], Iterator[int]]) -> Callable[[], Iterator[int]]:
    def occurrences() -> Iterator[int]:
        yield first
        yield from rest()
    return occurrences


def _lookalikes(data: bytes) -> list[tuple[int, bytes]]:
    """Every line holding a single period whose line ends are not both CRLF: (offset, bytes)."""
    out: list[tuple[int, bytes]] = []
    if data[:1] == b"." and data[1:2] in (b"\r", b"\n") and not data.startswith(b".\r\n"):
        out.append((0, data[:3] if data[1:3] == b"\r\n" else data[:2]))
    dots = sorted(list(_scan(data, b"\n.", 0, len(data))) + list(_scan(data, b"\r.", 0, len(data))))
    for p in dots:
        if data[p + 2:p + 3] not in (b"\r", b"\n"):
            continue
        before_crlf = data[p:p + 1] == b"\n" and p > 0 and data[p - 1:p] == b"\r"
        after_crlf = data[p + 2:p + 4] == b"\r\n"
        if before_crlf and after_crlf:
            continue  # a real CRLF.CRLF: the caller's content should have ended there
        start = p - 1 if before_crlf else p
        out.append((p + 1, data[start: p + (4 if after_crlf else 3)]))
    return out


def lint_message(data: bytes, *, base: int = 0, line: int = 1, envelope: Envelope = Envelope(),
                 terminated: bool = True, structure: bool = True, complete: bool = True,
                 aggregate: bool = True) -> list[Finding]:
    """The mistakes in message content ``data``, as sent after 354 (without the final ``.`` CRLF).

    ``base`` and ``line`` are the offset and line number of ``data``'s first byte in the client's
    stream. ``terminated``: a proper CRLF.CRLF followed. ``structure``: ``data`` starts at the
    start of the message, so its header can be checked. ``complete``: the message is all here
    (missing From or Date, From against the envelope, a terminator that never came).
    ``aggregate``: report a repeated line mistake once per header/body (else at every line).
    """
    lines = _Lines(data, base, line)
    found: list[Finding] = []
    body, fields = 0, {}
    if structure:
        body, fields, found = _header(data, lines)
    found += _line_mistakes(data, lines, body, terminated, aggregate)
    found += _terminators(data, lines, body, terminated, complete)
    if structure:
        found += _non_ascii(data, lines, body, fields, envelope)
    if structure and complete:
        found += _required(data, lines, fields, envelope)
    return sorted(found, key=lambda f: f.offset)  # stable: From before Date at one offset


def _terminators(data: bytes, lines: _Lines, body: int, terminated: bool,
                 complete: bool) -> list[Finding]:
    seen = _lookalikes(data)
    if not seen:
        return []
    where = lambda offset: "header" if offset < body else "body"  # noqa: E731
    if complete and not terminated:
        offset, sequence = seen[0]
        return [replace(lines.finding("bad-terminator", offset, "message",
                                      values={"sequence": visible(sequence)}), count=len(seen))]
    offset, sequence = seen[0]
    return [replace(lines.finding("smuggling-terminator", offset, where(offset),
                                  values={"sequence": visible(sequence)}), count=len(seen))]


def _non_ascii(data: bytes, lines: _Lines, body: int, fields: dict[bytes, tuple[int, bytes]],
               envelope: Envelope) -> list[Finding]:
    found: list[Finding] = []
    if not envelope.smtputf8 and not data[:body].isascii():
        head = _NON_ASCII.search(data, 0, body)
        found.append(lines.finding("non-ascii-header", head.start(), "header"))  # type: ignore[union-attr]
    if not data[body:].isascii() and not _declared(data, body, fields):
        text = _NON_ASCII.search(data, body)
        found.append(lines.finding("non-ascii-body", text.start(), "body"))  # type: ignore[union-attr]
    return found


def _declared(data: bytes, body: int, fields: dict[bytes, tuple[int, bytes]]) -> bool:
    """Does the message declare 8-bit text (MIME-Version, a charset, 8bit or binary)?"""
    if b"mime-version" not in fields:
        return False
    ctype = fields.get(b"content-type", (0, b""))[1].lower()
    cte = fields.get(b"content-transfer-encoding", (0, b""))[1].strip().lower()
    if ctype.strip().startswith(b"multipart/"):
        return _PART_8BIT.search(data, body) is not None
    return b"charset" in ctype and cte in (b"8bit", b"binary")


def _required(data: bytes, lines: _Lines, fields: dict[bytes, tuple[int, bytes]],
              envelope: Envelope) -> list[Finding]:
    found: list[Finding] = []
    for name, key in ((b"from", "missing-from"), (b"date", "missing-date")):
        if name not in fields:
            found.append(lines.finding(key, 0, "header"))
    if b"from" not in fields:
        return found
    offset, value = fields[b"from"]
    shown = addresses(value.decode("utf-8", "replace"))
    if not shown:
        return found
    values = {"header_from": visible_text(shown[0])}
    user = (envelope.user or "").strip().lower()
    mail_from = (envelope.mail_from or "").strip().lower()
    if "@" in user:
        if user not in shown:
            found.append(lines.finding("from-not-auth-user", offset, "header",
                                       values={**values, "user": visible_text(user)}))
    elif mail_from and mail_from not in shown:
        found.append(lines.finding("from-not-mail-from", offset, "header",
                                   values={**values, "mail_from": visible_text(mail_from)}))
    return found
