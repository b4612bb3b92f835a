"""Who the client says it is, as a session goes: the AUTH user, MAIL FROM, SMTPUTF8.

The linter needs them to judge the message (From against the login and the envelope) and to
check the AUTH answers. (What is secret is decided once, in :mod:`explorer.recording.secrets`.)
"""

from __future__ import annotations

from explorer.core import states as st
from explorer.core.commands import Command
from explorer.core.render import visible_text
from explorer.lint import commands as cmd
from explorer.lint.content import Envelope
from explorer.lint.findings import Finding, make

__all__ = ["Identity"]


class Identity:
    """The AUTH exchange and the envelope of the present transaction."""

    def __init__(self, username: str | None = None) -> None:
        self.given = username  # from outside (a log whose credentials are masked)
        self.user: str | None = None  # the user AUTH succeeded for
        self.candidate: str | None = None  # the user name of the AUTH under way
        self.mechanism = ""
        self.answers = 0  # answers given in the AUTH under way
        self.mail_from: str | None = None
        self.smtputf8 = False

    @property
    def envelope(self) -> Envelope:
        return Envelope(self.mail_from, self.user, self.smtputf8)

    def authenticated(self) -> None:
        self.user = self.candidate or self.given

    def auth(self, command: Command, raw: bytes, start: int, line: int) -> list[Finding]:
        """An AUTH command: its findings (a bad initial response)."""
        mechanism, _, initial = command.argument.partition(" ")
        self.mechanism, self.answers, self.candidate = mechanism.upper(), 0, None
        initial = initial.strip()
        if not initial:
            return []
        encoded = initial.encode("utf-8", "surrogateescape")
        at = start + max(raw.find(encoded), 0)
        found, decoded = cmd.credential(encoded, at, line, raw, "command")
        if decoded is not None:
            self.candidate = cmd.login_name(self.mechanism, decoded, True)
        self.answers = 1
        return found

    def answer(self, content: bytes, raw: bytes, start: int, line: int) -> list[Finding]:
        """A line answering a 334 challenge."""
        found, decoded = cmd.credential(content, start, line, raw, "auth")
        if decoded is not None:
            self.candidate = cmd.login_name(self.mechanism, decoded, self.answers == 0) \
                or self.candidate
        self.answers += 1
        return found

    def mail(self, command: Command, raw: bytes, start: int, line: int) -> list[Finding]:
        """MAIL FROM: remember the envelope; is it the logged-in user's address?"""
        path, params = cmd.envelope_path(command.argument, "FROM:")
        self.mail_from = path or None
        self.smtputf8 = "SMTPUTF8" in params.upper().split()
        user = (self.user or "").lower()
        if "@" in user and self.mail_from and self.mail_from.lower() != user:
            return [make("mail-from-not-auth-user", line, start,
                         values={"mail_from": visible_text(self.mail_from),
                                 "user": visible_text(user)})]
        return []
