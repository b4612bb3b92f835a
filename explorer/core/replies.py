"""Server replies: an incremental parser and a formatter (RFC 5321 section 4.2).

Feed the parser bytes in any chunks (one byte at a time, several replies at once, a reply split
mid-line) with :meth:`ReplyParser.receive_data`, then call :meth:`ReplyParser.next_event` until it
returns :data:`NEED_DATA`. Every event is a complete :class:`Reply` or a :class:`ProtocolError`;
nothing a server sends can make it raise or wait for ever:

* a multi-line reply (``250-`` ... ``250 ``) is one :class:`Reply`;
* deviations that still leave a readable reply (bare LF, a line over 512 octets, a continuation
  whose code differs, text that is not UTF-8) are kept, and named in ``Reply.problems``;
* what was wrong is a :class:`Flaw`: a key and its values, no sentence (the core holds no text a
  person reads: the front ends say it in the learner's language from ``knowledge/reply_problems``);
* a line that is not ``ddd``, ``ddd SP text`` or ``ddd-text`` is a :class:`ProtocolError`
  carrying the offending bytes; so is a line longer than :data:`HARD_LINE_LIMIT` (with or without
  its end: the outcome never depends on how TCP split the bytes), or a reply of more than
  :data:`MAX_REPLY_LINES` lines. The rest of such a line, or of such a reply, is dropped as it
  arrives (and counted in ``discarded``), so that it cannot pass for the reply to a later command.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import Iterable

__all__ = [
    "Reply", "ProtocolError", "Flaw", "ReplyParser", "NEED_DATA", "NeedData", "format_reply",
    "REPLY_LINE_LIMIT", "HARD_LINE_LIMIT", "MAX_REPLY_LINES",
]

#: RFC 5321 4.5.3.1.5: a reply line is at most 512 octets, CRLF included.
REPLY_LINE_LIMIT = 512
#: Past this many bytes without a line ending the parser stops waiting and reports an error.
HARD_LINE_LIMIT = 8192
#: A reply with more lines than this is treated as a broken (or hostile) server.
MAX_REPLY_LINES = 1000

_LINE = re.compile(rb"([2-5][0-9][0-9])([ -]|$)")
_ENHANCED = re.compile(r"([245])\.(\d{1,3})\.(\d{1,3})(?=\s|$)")


class NeedData(Enum):
    NEED_DATA = "NEED_DATA"


#: Returned by ``next_event`` when no complete event is buffered yet.
NEED_DATA = NeedData.NEED_DATA


@dataclass(frozen=True)
class Flaw:
    """What was wrong with bytes from the server: entry ``key`` of the knowledge table
    ``reply_problems``, with the ``values`` of its placeholders as ``(name, value)`` pairs."""

    key: str
    values: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Reply:
    """One complete server reply.

    ``lines`` holds the text of each line (after ``ddd`` and the separator, without the line
    ending), ``enhanced`` the RFC 3463 code of the first line if it has one, ``raw`` the exact
    bytes received, ``problems`` what was wrong with them (empty for a well-formed reply).
    """

    code: int
    lines: tuple[str, ...]
    raw: bytes
    enhanced: str | None = None
    problems: tuple[Flaw, ...] = ()

    @property
    def text(self) -> str:
        """All lines' text joined with newlines."""
        return "\n".join(self.lines)

    @property
    def klass(self) -> int:
        """The first digit: 2 success, 3 go on, 4 try again later, 5 failed."""
        return self.code // 100

    @property
    def is_positive(self) -> bool:
        return self.klass in (2, 3)

    @property
    def multiline(self) -> bool:
        return len(self.lines) > 1


@dataclass(frozen=True)
class ProtocolError:
    """Bytes from the server that are not a reply at all; ``key`` and ``values`` say why, as a
    :class:`Flaw` does."""

    key: str
    raw: bytes
    values: tuple[tuple[str, int], ...] = ()


def _enhanced_of(code: int, text: str) -> str | None:
    match = _ENHANCED.match(text)
    if match and int(match.group(1)) == code // 100:
        return ".".join(match.groups())
    return None


class ReplyParser:
    """Incremental, sans-IO reply parser. See the module docstring."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._lines: list[bytes] = []  # raw lines (ending included) of the reply being read
        self._texts: list[str] = []
        self._problems: list[Flaw] = []
        self._code: int | None = None
        self._events: deque[Reply | ProtocolError] = deque()
        # After an error the rest of the offending line ("line") or of the cut reply ("reply")
        # is dropped as it arrives, so it never becomes the answer to a later command.
        self._skip: str | None = None
        self._skip_head = b""  # the first bytes of the line being dropped
        self.discarded = 0  # bytes dropped in all (counted, never kept: a hostile line is endless)
        self.discarded_lines = 0  # whole lines dropped after a cut

    def receive_data(self, data: bytes) -> None:
        """Add bytes received from the server (any chunking)."""
        self._buffer += data
        self._drain()

    @property
    def pending(self) -> bytes:
        """Bytes received that are not part of a finished event yet (dropped bytes excluded)."""
        return b"".join(self._lines) + bytes(self._buffer)

    @property
    def holds_data(self) -> bool:
        """Whether anything received is still unread: a buffered event or bytes of one."""
        return bool(self._events or self._lines or self._buffer)

    @property
    def skipping(self) -> bool:
        """True while the rest of an over-long line or of a cut reply is being dropped."""
        return self._skip is not None

    def next_event(self) -> Reply | ProtocolError | NeedData:
        """The next complete reply or error, or NEED_DATA."""
        return self._events.popleft() if self._events else NEED_DATA

    def events(self) -> Iterable[Reply | ProtocolError]:
        """Every complete event buffered so far."""
        while self._events:
            yield self._events.popleft()

    # -- internals ---------------------------------------------------------------------------

    def _drain(self) -> None:
        # Lines are read at an offset and the buffer is trimmed once per call: trimming per line
        # would copy the rest of the buffer for every line (quadratic for a 100,000-line reply).
        buffer, start = self._buffer, 0
        try:
            while start < len(buffer):
                end = buffer.find(b"\n", start, start + HARD_LINE_LIMIT)
                if self._skip is not None:
                    start = self._drop(start, end)
                    continue
                if end < 0:
                    if len(buffer) - start > HARD_LINE_LIMIT:
                        # Cut at the limit whatever the chunking, so the event is always the same.
                        head = bytes(buffer[start:start + HARD_LINE_LIMIT])
                        start += HARD_LINE_LIMIT
                        self._fail("line-too-long", head, limit=HARD_LINE_LIMIT)
                        self._skip, self._skip_head = "line", b""
                        continue
                    return
                line = bytes(buffer[start:end + 1])
                start = end + 1
                self._take_line(line)
        finally:
            del buffer[:start]

    def _drop(self, start: int, end: int) -> int:
        """Drop bytes of a skipped line or reply from ``start``; returns where to go on."""
        buffer = self._buffer
        if end < 0:
            end = buffer.find(b"\n", start)
        stop = len(buffer) if end < 0 else end + 1
        if len(self._skip_head) < 4:  # enough of the line to tell a final reply line
            self._skip_head += buffer[start:min(stop, start + 4 - len(self._skip_head))]
        self.discarded += stop - start
        if end < 0:
            return stop
        if self._skip == "line":
            self._skip = None
        else:
            self.discarded_lines += 1
            match = _LINE.match(self._skip_head.rstrip(b"\r\n"))
            if match and match.group(2) != b"-":  # the cut reply's last line
                self._skip = None
        self._skip_head = b""
        return stop

    def _fail(self, key: str, raw: bytes, **values: int) -> None:
        raw = b"".join(self._lines) + raw
        self._reset_reply()
        self._events.append(ProtocolError(key, raw, tuple(values.items())))

    def _reset_reply(self) -> None:
        self._lines, self._texts, self._problems, self._code = [], [], [], None

    def _take_line(self, line: bytes) -> None:
        crlf = line.endswith(b"\r\n")
        content = line[:-2] if crlf else line[:-1]
        match = _LINE.match(content)
        if not match:
            self._fail("not-a-reply-line", line)
            return
        code = int(match.group(1))
        problems = self._problems
        if not crlf:
            _note(problems, Flaw("bare-lf"))
        if len(line) > REPLY_LINE_LIMIT:
            _note(problems, Flaw("over-512", (("octets", len(line)), ("limit", REPLY_LINE_LIMIT))))
        if self._code is None:
            self._code = code
        elif code != self._code:
            _note(problems, Flaw("other-code", (("code", code), ("first", self._code))))
        raw_text = content[4:]
        try:
            text = raw_text.decode("utf-8")
        except UnicodeDecodeError:
            text = raw_text.decode("utf-8", "backslashreplace")
            _note(problems, Flaw("not-utf8"))
        self._lines.append(line)
        self._texts.append(text)
        final = match.group(2) != b"-"
        if not final and len(self._lines) >= MAX_REPLY_LINES:
            self._fail("too-many-lines", b"", limit=MAX_REPLY_LINES)
            self._skip, self._skip_head = "reply", b""
            return
        if final:
            first = self._texts[0]
            reply = Reply(
                code=self._code,
                lines=tuple(self._texts),
                raw=b"".join(self._lines),
                enhanced=_enhanced_of(self._code, first),
                problems=tuple(problems),
            )
            self._reset_reply()
            self._events.append(reply)


def _note(problems: list[Flaw], flaw: Flaw) -> None:
    if flaw not in problems:
        problems.append(flaw)


def format_reply(code: int, lines: Iterable[str] | str = ("",)) -> bytes:
    """The exact bytes of a well-formed reply: ``ddd-text`` CRLF for each line, ``ddd text`` last.

    A line with empty text is sent as the bare code (``250`` CRLF for a one-line reply).
    """
    texts = [lines] if isinstance(lines, str) else list(lines) or [""]
    out = bytearray()
    for index, text in enumerate(texts):
        sep = " " if index == len(texts) - 1 else "-"
        out += f"{code}{sep}{text}".encode("utf-8") if text or sep == "-" else str(code).encode()
        out += b"\r\n"
    return bytes(out)
