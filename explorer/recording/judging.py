"""The findings the walker makes from where and when bytes came, rather than from what they
say: a credential sent as a command, a command sent before the reply it had to wait for, a
message sent as commands after a refused DATA, a session that ends without QUIT or in the
middle of a transaction; and where each finding goes (the chunk, and its time).

A mixin of :class:`explorer.recording.walker._Walker`, whose state it reads: kept apart so that
the walker's module is about reading the bytes as the server did.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace

from explorer.core import states as st
from explorer.core.states import State
from explorer.lint import commands as cmd
from explorer.lint.findings import Finding, located, make

__all__ = ["Judging"]

_OPEN = frozenset({State.MAIL, State.RCPT, State.DATA})


class Judging:
    """Findings of timing and of the end, and their placing (see the module's docstring)."""

    def _secret(self, start: int, raw: bytes) -> bool:
        """Is this line's content, all of it, one of the client's secrets?"""
        content = cmd.split_ending(raw)[0]
        begin = start + len(content) - len(content.lstrip())
        end = start + len(content.rstrip())
        if end <= begin or not self.secrets:
            return False
        at = bisect_right(self.secret_starts, begin) - 1
        return at >= 0 and self.secrets[at][1] >= end

    def _early(self, start: int, *, auth: bool = False) -> None:
        """Was this sent before the reply to the previous exchange arrived?"""
        previous = self.sent[-1]
        chunk = self._chunk_of(start)
        if previous.reply_chunk is None or chunk is None or chunk >= previous.reply_chunk:
            return
        if self.data_refused is not None:
            return  # a message sent as commands after a refused DATA: one finding says it all
        if previous.name == st.GREETING:
            key = "early-talker"
        elif cmd.may_follow(previous.name, self.session.context.capabilities.has("PIPELINING")):
            return
        else:
            key = "no-wait"
        self._add(make(key, self.line, start, values={"previous": previous.shown},
                       where="auth" if auth else "command"))

    def _add_core(self, finding: Finding) -> None:
        if finding.key not in ("unknown-command", "empty-command") or self.data_refused is None:
            self._add(finding)
            return
        # DATA was refused and the message went out anyway: one finding for all its lines.
        if self.as_commands is not None:
            running = self.findings[self.as_commands]
            self.findings[self.as_commands] = replace(running, count=running.count + 1)
            return
        self.as_commands = len(self.findings)
        self._add(make("content-as-commands", finding.line, finding.offset,
                       values={"code": self.data_refused}))

    def _chunk_of(self, offset: int) -> int | None:
        if not self.starts:
            return None
        if offset >= len(self.stream):
            return len(self.times) - 1
        return self.ids[bisect_right(self.starts, offset) - 1]

    def _add(self, finding: Finding) -> None:
        chunk = self._chunk_of(finding.offset)
        if chunk is None and self.times:
            chunk = len(self.times) - 1
        self.findings.append(located(finding, chunk, self.times[chunk] if chunk is not None
                                     else None))

    def _at_end(self) -> None:
        end, line = len(self.stream), self.line
        stalled = any(u.kind == "partial" for u in self.units) or any(
            f.key == "bad-terminator" for f in self.findings)
        # A client that sent its message as commands was hung up on, or will be: QUIT is the
        # least of its problems.
        confused = self.as_commands is not None
        if not (self.quit or self.quit_partial or self.server_closed or stalled or confused):
            self._add(make("no-quit", line, end, where="session"))
        # After CRLF.CRLF (DATA_END) the message is the server's: a client that closes then
        # has only not waited for the 250, nothing is dropped.
        if self.session.state in _OPEN and not (stalled or self.server_closed or self.quit
                                                or confused):
            self._add(make("dropped-mid-transaction", line, end, where="session"))
