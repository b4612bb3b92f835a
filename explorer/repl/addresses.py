"""The addresses the REPL suggests, learnt from the session rather than fixed.

The suggestions follow what happened: the address that logged in becomes the sender, the recipient
last typed is offered again, and the message's ``From:``/``To:`` match the envelope of the open
transaction. The sandbox's demo addresses are offered only on a sandbox (the embedded one, or a
server that greets as the sandbox domain, e.g. a class's shared sandbox); on any other server an
address nobody gave is not invented: the learner types it, or sets it with ``/set``.
"""

from __future__ import annotations

from explorer.core.commands import Command, CommandError, parse_command
from explorer.core.session import Answer
from explorer.core.states import GREETING, State

__all__ = ["AddressBook", "NAMES"]

#: The names ``/set`` knows, in the order it lists them.
NAMES = ("domain", "sender", "recipient", "username")


def _sandbox_defaults() -> dict[str, str]:
    from explorer.sandbox.accounts import DEFAULT_ACCOUNTS  # a data table: imports nothing heavy

    learner, friend = DEFAULT_ACCOUNTS[0].address, DEFAULT_ACCOUNTS[1].address
    return {"sender": learner, "recipient": friend, "username": learner}


def _address_of(argument: str, prefix: str) -> str | None:
    """``FROM:<a@b.c> SIZE=10`` -> ``a@b.c`` (None for anything else, or the null path)."""
    head, _, rest = argument.partition(":")
    if head.strip().upper() != prefix or "<" not in rest:
        return None
    address = rest.split("<", 1)[1].split(">", 1)[0].strip()
    return address or None


class AddressBook:
    """What to fill into ``{sender}``, ``{recipient}``, ``{username}`` and ``{domain}``."""

    def __init__(self, given: dict[str, str] | None = None) -> None:
        self.learnt: dict[str, str] = {"domain": "client.example"}
        self.learnt.update(given or {})  # a lesson's variables or the caller's: they always win
        self.on_sandbox = False  # the current target is known to be a sandbox
        self.envelope_from: str | None = None  # MAIL FROM of the open transaction
        self.envelope_to: list[str] = []  # accepted RCPT TO of the open transaction
        self._sent: Command | None = None  # the last MAIL or RCPT sent, until its reply

    def set(self, name: str, value: str) -> None:
        """``/set NAME VALUE``."""
        self.learnt[name] = value

    def get(self, name: str) -> str | None:
        """The value to suggest for ``name``, or None when nothing is known (ask the learner)."""
        value = self.learnt.get(name)
        if value:
            return value
        if name == "username" and self.learnt.get("sender"):
            return self.learnt["sender"]
        return _sandbox_defaults().get(name) if self.on_sandbox else None

    def values(self) -> dict[str, str]:
        """Every name with its current value ("" when unknown), for templates and ``/set``."""
        return {name: self.get(name) or "" for name in NAMES}

    def header(self, name: str) -> list[str]:
        """The addresses for the message's ``From:`` (``name`` "sender") or ``To:`` ("recipient"):
        the envelope's when there is one, so that the header matches it; [] when none is known."""
        envelope = [self.envelope_from] if name == "sender" and self.envelope_from else \
            self.envelope_to if name == "recipient" else []
        fallback = self.get(name)
        return list(envelope) or ([fallback] if fallback else [])

    # -- learning from the session ---------------------------------------------------------------

    def connecting(self, sandbox: bool) -> None:
        self.on_sandbox = sandbox
        self.envelope_from, self.envelope_to = None, []

    def typed(self, text: str) -> None:
        """A command line the learner sent: MAIL and RCPT teach the sender and the recipient."""
        try:
            command = parse_command(text)
        except CommandError:
            return
        self.sent(command)

    def sent(self, command: Command) -> None:
        if command.verb == "MAIL" and (address := _address_of(command.argument, "FROM")):
            self.learnt["sender"] = address
            self._sent = command
        elif command.verb == "RCPT" and (address := _address_of(command.argument, "TO")):
            self.learnt["recipient"] = address
            self._sent = command

    def logged_in(self, username: str) -> None:
        """AUTH succeeded as ``username``: an address that logged in is the one to send from."""
        self.learnt["username"] = username
        if "@" in username:
            self.learnt["sender"] = username

    def answered(self, answer: Answer) -> None:
        """Keep the envelope of the open transaction, and notice a sandbox by its greeting."""
        if answer.to == GREETING and answer.reply.code == 220:
            from explorer.sandbox.accounts import SANDBOX_DOMAIN

            name = answer.reply.lines[0].split(" ", 1)[0].lower()
            self.on_sandbox |= name == SANDBOX_DOMAIN or name.endswith("." + SANDBOX_DOMAIN)
        sent, self._sent = self._sent, None
        if answer.after not in (State.MAIL, State.RCPT, State.DATA, State.DATA_END):
            self.envelope_from, self.envelope_to = None, []
        elif sent is not None and answer.to == sent.verb and answer.reply.klass == 2:
            if sent.verb == "MAIL":
                self.envelope_from, self.envelope_to = _address_of(sent.argument, "FROM"), []
            else:
                self.envelope_to.append(_address_of(sent.argument, "TO") or "")
