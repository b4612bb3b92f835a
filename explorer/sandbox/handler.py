"""The envelope and message hooks: scenarios that judge MAIL and RCPT, and delivery after DATA.

aiosmtpd calls ``handle_MAIL``, ``handle_RCPT`` and ``handle_DATA`` with the connection
(``server``, a :class:`~explorer.sandbox.protocol.SandboxSMTP`), its session and envelope. A hook
that returns a reply must also update the envelope itself (aiosmtpd leaves that to it).
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any

from explorer.sandbox.context import MAX_RECIPIENTS, ServerContext
from explorer.sandbox.recording import SandboxEvent
from explorer.sandbox.storage import mailbox_name

__all__ = ["SandboxHandler", "subject_of"]

_SUBJECT = re.compile(rb"^subject:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.I | re.M)


def subject_of(message: bytes) -> bytes | None:
    """The raw Subject header value (unfolded), from the header block only."""
    end = message.find(b"\r\n\r\n")
    head = message if end < 0 else message[: end + 2]
    match = _SUBJECT.search(head)
    if match is None:
        return None
    return re.sub(rb"\r?\n(?=[ \t])", b"", match[1]).rstrip(b"\r\n")


def _sender_check(server: Any) -> str:
    """When the sender must match the login: "mail", "data" (after DATA) or "" (never)."""
    when = server.profile.sender_must_match
    if "sender-must-match" in server.ctx.scenarios:
        return when or "mail"
    return when


def _shown(address: str) -> str:
    # The null reverse-path: aiosmtpd hands over "<>" for MAIL FROM:<>.
    return "" if address == "<>" else address


class SandboxHandler:
    """aiosmtpd handler hooks bound to one sandbox's shared state."""

    def __init__(self, ctx: ServerContext):
        self.ctx = ctx

    def __dir__(self) -> list[str]:
        # aiosmtpd looks for handle_* hooks with dir(handler) on every connection.
        return ["handle_DATA", "handle_MAIL", "handle_RCPT"]

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,
                          mail_options: list[str]) -> str:
        # Kept even when refused: it names the student when nothing else does.
        self.ctx.recorder.update(server.record, mail_from=address)
        if _sender_check(server) == "mail":
            refusal = self._sender_refusal(server, session, address)
            if refusal is not None:
                return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return server.reply("mail_ok", sender=_shown(address))

    def _sender_refusal(self, server: Any, session: Any, address: str) -> str | None:
        """The reply refusing ``address`` as sender for this login, or None if it may send."""
        account = session.auth_data if session.authenticated else None
        if account is None:
            return server.reply("sender_unauthenticated")
        if address.lower() in {account.address.lower(), account.username.lower()}:
            return None
        return server.reply("sender_mismatch", sender=_shown(address), user=account.username)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        ctx, profile = self.ctx, server.profile
        scenarios = ctx.scenarios
        if mailbox_name(address) is None:
            return server.reply("bad_mailbox", recipient=address)
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return server.reply("too_many_recipients")
        local = ctx.accounts.is_local_domain(address)
        if profile.relay == "auth" and not local and not session.authenticated:
            return server.reply("relay_denied", recipient=address)
        if ((("unknown-recipient" in scenarios) or (profile.unknown_recipient and local))
                and not ctx.accounts.is_known_address(address)):
            return server.reply("unknown_recipient", recipient=address)
        if "mailbox-full" in scenarios:
            return server.reply("mailbox_full", recipient=address)
        if "greylist" in scenarios and not ctx.greylist_passes(envelope.mail_from, address):
            return server.reply("greylisted", recipient=address)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return server.reply("rcpt_ok", recipient=address)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        ctx = self.ctx
        if _sender_check(server) == "data":  # as Office 365: refused only now, nothing stored
            refusal = self._sender_refusal(server, session, envelope.mail_from)
            if refusal is not None:
                return refusal
        data: bytes = envelope.original_content or b""
        recipients = list(envelope.rcpt_tos)
        server.awaiting_reply = True
        # The store runs as its own task: if the client vanishes meanwhile, the message is still
        # completed (never half-written) and recorded.
        task = asyncio.ensure_future(self._store(server, envelope.mail_from, recipients, data))
        ctx.in_flight.add(task)
        task.add_done_callback(self._settled)
        try:
            paths = await asyncio.shield(task)
        except OSError:
            return server.reply("storage_error")
        queue_id = paths[0].name.rsplit(".", 1)[0] if paths else "-"
        return server.reply("data_ok", queue_id=queue_id)

    def _settled(self, task: asyncio.Task) -> None:
        self.ctx.in_flight.discard(task)
        if not task.cancelled():
            task.exception()  # seen here, so an error nobody awaited any more is not logged

    async def _store(self, server: Any, sender: str, recipients: list[str],
                     data: bytes) -> list[Path]:
        ctx = self.ctx
        assert ctx.writer is not None
        try:
            staged = ctx.store.stage(recipients, data)  # into tmp/: fast, no sync
        except ValueError as exc:  # not a usable mailbox (RCPT refuses those already)
            raise OSError(str(exc)) from None
        paths = await ctx.writer.submit(staged)  # synced and in new/ when this returns
        record = server.record
        ctx.recorder.update(record, messages=record.messages + 1, stored=paths)
        ctx.recorder.emit(SandboxEvent(
            "message-stored", time.time(), record.id, record.peer, sender=_shown(sender),
            recipients=tuple(recipients), size=len(data), paths=tuple(paths),
            subject=subject_of(data)))
        return paths
