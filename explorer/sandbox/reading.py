"""How the sandbox reads a client: line limits before the line end, timeouts, a bounded record.

A mixin for ``SandboxSMTP`` (``protocol.py``), ahead of aiosmtpd's ``SMTP`` in the class's
bases, so every chunk from the client passes here before aiosmtpd's reader buffers it:

- the ``LineGuard`` (``lineguard.py``) applies each line's limit as the octets arrive: an
  over-long command line is refused (500) and the connection closed at once, line end or not;
  an over-long line of message text is not buffered;
- the idle timeout counts any byte as activity (aiosmtpd restarts it on valid commands only,
  so a long DATA could be cut off), and a line must also end within the command timeout of its
  first octet: without that bound a client dripping one byte every few seconds holds its
  session for ever. Both answer 421 before closing (aiosmtpd closes silently);
- the record keeps a message's text up to the size limit and a little more: what follows
  cannot be stored anyway, and a client sending a gigabyte would otherwise put a gigabyte into
  memory and into the session log.
"""

from __future__ import annotations

from typing import Any

from explorer.sandbox.lineguard import LineGuard, Mode

__all__ = ["ReadingLimits", "COMMAND_LINE_LIMIT", "EXTENDED_LIMITS"]

COMMAND_LINE_LIMIT = 510  # RFC 5321 4.5.3.1.4: 512 octets including CRLF
# RFC 1870 (SIZE) adds 26 octets to MAIL, RFC 6531 (SMTPUTF8) 10; an AUTH initial response may
# be longer (RFC 4954 4), up to what the line reader accepts.
EXTENDED_LIMITS = {"MAIL": COMMAND_LINE_LIMIT + 26 + 10, "AUTH": 999}
LINGER = 1.0  # seconds an over-long line's sender is read (and ignored) after the last reply
TEXT_RECORD_SLACK = 4096  # octets of message text recorded past the size limit


class ReadingLimits:
    """Line limits, timeouts and the record's bound; state set up by ``_init_reading``.
    The class it is mixed into gives ``reply(key)`` (the profile's wording) and ``_write``."""

    ctx: Any
    record: Any
    session: Any
    transport: Any
    loop: Any
    data_size_limit: int | None
    command_size_limits: Any
    _close_reason: str | None
    _timeout_handle: Any
    _timeout_duration: float

    def _init_reading(self) -> None:
        self._guard = LineGuard(self._line_limit)
        self._lingering = False  # the last reply is out; input is dropped until the close
        self._last_byte = self.ctx.loop.time() if self.ctx.loop is not None else 0.0
        self._line_started = self._last_byte
        self._text_octets = 0  # message text received since the last 354
        self._text_tail = b""  # its last three octets
        self._tail_unrecorded = 0  # how many of them the record does not have

    def data_received(self, data: bytes) -> None:
        if self._lingering:
            return
        guard = self._guard
        was_open = guard.partial > 0
        fed = guard.feed(data)
        if fed.data and self.record is not None:
            self.ctx.recorder.add(self.record, "client", self._to_record(fed.data))
        if fed.too_long:
            self._close_lingering("command-too-long", self.reply("command_too_long"))
            return
        now = self._last_byte = self.loop.time()
        if guard.partial and (fed.ended or not was_open):
            self._line_started = now
            self._arm_for_line()
        if fed.data:
            super().data_received(fed.data)  # type: ignore[misc]

    def _to_record(self, data: bytes) -> bytes:
        if self._guard.mode is not Mode.TEXT:
            return data
        seen, self._text_octets = self._text_octets, self._text_octets + len(data)
        room = max((self.data_size_limit or 0) + TEXT_RECORD_SLACK - seen, 0)
        tail, unrecorded = self._text_tail, self._tail_unrecorded
        combined = tail + data
        self._text_tail = combined[-3:]
        if not self.data_size_limit or room >= len(data):
            self._tail_unrecorded = 0
            return data
        # Past the limit only the message's end is worth keeping, so that the record still
        # shows the final dot and what the client pipelined after it. The dot line may begin
        # in the previous chunk: the last octets seen, and how many went unrecorded, find it.
        kept = len(tail) - unrecorded + room  # combined[:kept] is recorded
        dot = combined.rfind(b"\n.\r\n") + 1
        if dot and dot + 3 > kept:
            self._tail_unrecorded = 0
            return data[:room] + combined[max(dot, kept):]
        self._tail_unrecorded = max(0, min(3, len(combined) - kept))
        return data[:room]

    def _next_line_is(self, sent: bytes) -> None:
        """A reply went out: it says what the client's next line is (message text after 354,
        an AUTH response after 334, else a command), and so which limit applies."""
        code = sent[:3]
        if code == b"354":
            self._guard.mode, self._text_octets = Mode.TEXT, 0
            self._text_tail, self._tail_unrecorded = b"", 0
        else:
            self._guard.mode = Mode.AUTH if code == b"334" else Mode.COMMAND

    def _line_limit(self, head: bytes, mode: Mode) -> int:
        if mode is Mode.AUTH:
            return EXTENDED_LIMITS["AUTH"]
        if not (self.session and self.session.extended_smtp):
            return COMMAND_LINE_LIMIT
        return self.command_size_limits[head.split(b" ", 1)[0].upper().decode("latin-1")]

    def close_with(self, reason: str, status: str | None = None) -> None:
        """Send a last reply (written now, not delayed) and close the connection."""
        if self._close_reason is None:
            self._close_reason = reason
        if status is not None:
            self._write(status.encode("utf-8") + b"\r\n")  # type: ignore[attr-defined]
        if self.transport is not None:
            self.transport.close()

    def _close_lingering(self, reason: str, status: str) -> None:
        # A client still sending when the server closes gets a reset, and a reset can destroy
        # the reply before the client reads it. So: the reply, then our end of the stream
        # (FIN), then what still arrives is read and dropped until the client closes, or for
        # LINGER seconds. A TLS stream cannot be half-closed: it is closed at once.
        transport = self.transport
        if transport is None or not transport.can_write_eof():
            return self.close_with(reason, status)
        self._close_reason = self._close_reason or reason
        self._write(status.encode("utf-8") + b"\r\n")  # type: ignore[attr-defined]
        self._lingering = True
        transport.write_eof()
        self.loop.call_later(LINGER, transport.close)

    def eof_received(self) -> bool | None:
        if self._lingering and self.transport is not None:
            self.transport.close()
            return None
        return super().eof_received()  # type: ignore[misc]

    def _deadline(self) -> tuple[float, str]:
        idle = self._last_byte + self._timeout_duration
        if self._guard.partial and self._line_started + self.ctx.command_timeout < idle:
            return self._line_started + self.ctx.command_timeout, "command-timeout"
        return idle, "idle-timeout"

    def _arm_for_line(self) -> None:
        # A line has begun: its own deadline may come before the idle timer aiosmtpd armed.
        handle = self._timeout_handle
        deadline, _ = self._deadline()
        if handle is None or handle.when() > deadline:
            self._reset_timeout(max(deadline - self.loop.time(), 0.001))  # type: ignore[attr-defined]

    def _timeout_cb(self) -> None:
        # aiosmtpd arms the timer at connect and after each valid command; the real deadline
        # (see _deadline) is checked here, and the timer armed again for what is left of it.
        if self.transport is None or self._lingering:
            return
        deadline, reason = self._deadline()
        left = deadline - self.loop.time()
        if left > 0:
            self._reset_timeout(left)  # type: ignore[attr-defined]
            return
        self.close_with(reason, self.reply("idle_timeout"))
