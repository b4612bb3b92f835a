"""The state one running sandbox shares between its connections.

Everything here is touched from the server's event-loop thread only, except ``scenarios``,
which another thread may replace whole (an atomic attribute assignment) to switch scenarios
at run time; connections read it afresh for every command.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from explorer.sandbox.accounts import AccountBook
from explorer.sandbox.profile import Profile, load_profile
from explorer.sandbox.recording import Recorder
from explorer.sandbox.scenarios import ActiveScenarios
from explorer.sandbox.storage import MaildirStore
from explorer.sandbox.writer import BatchWriter

if TYPE_CHECKING:
    from explorer.sandbox.protocol import SandboxSMTP

MAX_RECIPIENTS = 100  # RFC 5321 4.5.3.1.8: a server must accept at least 100
GREYLIST_MEMORY = 100_000  # pairs remembered before the greylist starts afresh


@dataclass
class ServerContext:
    """Configuration and shared state of one sandbox server."""

    hostname: str
    accounts: AccountBook
    store: MaildirStore
    recorder: Recorder
    writer: BatchWriter | None
    scenarios: ActiveScenarios
    tls_context: ssl.SSLContext | None
    allow_plaintext_auth: bool | None  # None: allowed on loopback connections only
    idle_timeout: float
    max_sessions: int
    max_message_size: int
    language: str = "en"
    command_timeout: float = 60.0  # the longest one line may take, first octet to line end
    profile: Profile = field(default_factory=load_profile)
    loop: asyncio.AbstractEventLoop | None = None
    live: set["SandboxSMTP"] = field(default_factory=set)
    greylist_seen: set[tuple[str, str]] = field(default_factory=set)
    in_flight: set[asyncio.Future] = field(default_factory=set)
    closing: bool = False
    serving: int = 0  # sessions admitted (greeted with 220) and not yet closed

    def greylist_passes(self, sender: str, recipient: str) -> bool:
        """False the first time a sender/recipient pair is seen, True on every retry."""
        pair = (sender.lower(), recipient.lower())
        if pair in self.greylist_seen:
            return True
        if len(self.greylist_seen) >= GREYLIST_MEMORY:
            self.greylist_seen.clear()
        self.greylist_seen.add(pair)
        return False
