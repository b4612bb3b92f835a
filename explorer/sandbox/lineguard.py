"""Line limits enforced on the byte stream itself, before aiosmtpd buffers a line.

aiosmtpd checks a command's length only once the whole line has arrived, and keeps every
fragment of a text line until its end: a client that never sends a line end makes it buffer
without limit (a 1 GiB line took 1 GB of memory and ended up whole in the session log). This
guard sees every chunk first and keeps only counts:

- a command line (or an AUTH response after 334) longer than its limit is a verdict at the
  moment the limit is passed, line end or not, so the outcome never depends on how TCP cut
  the stream: the server refuses it, drops the rest and closes; what is kept of the line
  (recorded) ends with the octet that passed the limit, however the stream was cut;
- a line of message text over the limit is left to aiosmtpd (it answers 500 after the final
  dot and the session goes on), but only its first ``TEXT_KEEP`` octets are passed on: the
  rest of the line is dropped here, up to its line end.

Pure bookkeeping, no I/O: the protocol feeds it chunks and acts on what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Callable

__all__ = ["LineGuard", "Fed", "Mode", "TEXT_KEEP"]

#: Octets of an over-long text line handed to aiosmtpd: more than its stream limit (1001), so
#: it marks the message "line too long" exactly as if it had seen the whole line.
TEXT_KEEP = 1002
_HEAD = 8  # octets kept from a line's start: enough for the command name and a space


class Mode(Enum):
    """What the client's next line is, as the last reply told it."""

    COMMAND = "command"
    AUTH = "auth"  # a response to a 334 challenge
    TEXT = "text"  # message text after 354


@dataclass(frozen=True)
class Fed:
    """The outcome of one chunk: ``data`` is what to record and pass on to the SMTP reader;
    ``too_long`` means a line passed its limit (refuse and close: ``data`` ends there);
    ``ended`` that at least one line was completed."""

    data: bytes
    too_long: bool = False
    ended: bool = False


class LineGuard:
    """Counts the octets of the line in progress. ``limit(head, mode)`` gives the longest line
    content allowed (without CRLF) for a line starting with ``head``."""

    def __init__(self, limit: Callable[[bytes, Mode], int]):
        self.limit = limit
        self.mode = Mode.COMMAND
        self.partial = 0  # octets of the line in progress, line end not yet seen
        self._head = b""
        self._cr = False  # the line in progress ends with CR so far
        self._dropping = False  # inside an over-long text line: dropping up to its line end
        self._last = b""  # the last octet dropped (the CR of a CRLF split from its LF)

    def reset(self) -> None:
        """Forget the line in progress (after STARTTLS, whatever came before is discarded)."""
        self.partial, self._head, self._cr, self._dropping, self._last = 0, b"", False, False, b""

    def feed(self, data: bytes) -> Fed:
        """Account for a chunk from the client."""
        if self.mode is Mode.TEXT or self._dropping:
            return self._text(data)
        return self._command(data)

    def _command(self, data: bytes) -> Fed:
        start, ended = 0, False
        while True:
            lf = data.find(b"\n", start)
            if lf < 0:
                break
            head = (self._head + data[start:start + _HEAD])[:_HEAD]
            cr = data[lf - 1:lf] == b"\r" if lf > start else self._cr
            limit = self.limit(head, self.mode)
            if self.partial + (lf - start) - cr > limit:
                return Fed(data[:start + max(0, limit + 1 - self.partial)], True, ended)
            self.partial, self._head, self._cr, ended = 0, b"", False, True
            start = lf + 1
        if start < len(data):
            if len(self._head) < _HEAD:
                self._head = (self._head + data[start:start + _HEAD])[:_HEAD]
            self.partial += len(data) - start
            self._cr = data.endswith(b"\r")
            limit = self.limit(self._head, self.mode)
            if self.partial - self._cr > limit:
                over = self.partial - (limit + 1)
                return Fed(data[:len(data) - over] if over > 0 else data, True, ended)
        return Fed(data, False, ended)

    def _text(self, data: bytes) -> Fed:
        ended = False
        if self._dropping:
            lf = data.find(b"\n")
            if lf < 0:
                self._last = data[-1:] or self._last
                return Fed(b"")
            # Hand on the octet before the LF too: it may be the CR that makes the line end.
            data = (data[lf - 1:] if lf else self._last + data)
            self._dropping, self.partial, self._last = False, 0, b""
        last_lf = data.rfind(b"\n")
        if last_lf >= 0:
            ended, self.partial = True, 0
        self.partial += len(data) - (last_lf + 1)
        if self.partial > TEXT_KEEP:
            cut = len(data) - (self.partial - TEXT_KEEP)
            self._dropping, self._last, self.partial = True, data[-1:], TEXT_KEEP
            return Fed(data[:cut], False, ended)
        return Fed(data, False, ended)
