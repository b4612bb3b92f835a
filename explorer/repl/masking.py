"""The secrets the REPL's screen keeps hidden, and the server's bytes shown without them.

A password typed masked is shown as the placeholder on its way out (see :mod:`.auth_guide`); a
server that echoes it back (its Base64 in any letter case, or the password itself) must not show
it either. Only what is shown changes: the engine, the state and the recordings see every byte.
"""

from __future__ import annotations

from dataclasses import replace

from explorer.client.engine import Event, Stalled
from explorer.core.replies import ProtocolError
from explorer.core.session import Answer
from explorer.recording import SERVER, Chunk, redact

__all__ = ["HiddenSecrets"]


class HiddenSecrets:
    """What this session hid on the screen, to hide in what the server sends back too."""

    def __init__(self) -> None:
        self.values: list[bytes] = []

    def add(self, *values: bytes) -> None:
        """Hide ``values`` (the Base64 sent, the password it carries) from now on."""
        self.values += [value for value in values if value and value not in self.values]

    def _shown(self, data: bytes) -> bytes:
        # The one redaction (an echo in any letter case), given the values as the known secrets.
        return redact([Chunk(0.0, SERVER, data)], self.values)[0].data if self.values else data

    def event(self, event: Event) -> Event:
        """``event`` as the screen shows it: its bytes with the hidden secrets replaced by the
        placeholder (the same event when there is nothing to hide in it)."""
        if isinstance(event, Answer):
            raw = self._shown(event.reply.raw)
            return event if raw == event.reply.raw else replace(event, reply=replace(event.reply, raw=raw))
        if isinstance(event, ProtocolError):
            raw = self._shown(event.raw)
            return event if raw == event.raw else replace(event, raw=raw)
        if isinstance(event, Stalled):
            partial = self._shown(event.partial)
            return event if partial == event.partial else replace(event, partial=partial)
        return event
