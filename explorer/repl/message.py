"""The message being written in DATA mode: what the linter needs to know about it, the files
``/attach`` collected, and the MIME parts ``/compose`` still sends before the final '.'."""

from __future__ import annotations

from typing import TYPE_CHECKING

from explorer.core.commands import Command, RawBytes
from explorer.core.session import DataLine
from explorer.core.states import State
from explorer.knowledge.tables import load, pick
from explorer.repl import view

if TYPE_CHECKING:
    from explorer.repl.app import Repl

__all__ = ["MessageDesk"]


class MessageDesk:
    """Kept by the REPL; the linter reads it, ``/attach`` and ``/compose`` write it."""

    def __init__(self) -> None:
        self.attachments: list = []  # explorer.client.compose.Attachment, for the next /compose
        self.closing: list[str] = []  # what /compose still sends before the final "."
        self.so_far = b""  # the content sent since the 354
        self.mail_from: str | None = None  # the last MAIL FROM sent

    def data_started(self) -> None:
        self.so_far, self.closing = b"", []

    def take_closing(self) -> list[str]:
        closing, self.closing = self.closing, []
        return closing

    def lint(self, repl: Repl, outgoing, wire: bytes) -> None:
        """Warn about mistakes in the bytes about to go out (never blocks: mistakes are allowed)."""
        from explorer.lint import Envelope, lint_outgoing  # on first use: keeps start-up quick

        in_data = repl.engine.state is State.DATA
        findings = lint_outgoing(
            repl.engine.session, wire, in_data=in_data,
            message_so_far=self.so_far if in_data else None,
            envelope=Envelope(mail_from=self.mail_from),
            with_core_checks=isinstance(outgoing, RawBytes))  # a command's: shown by the core
        repl.say_lines(view.finding_lines(findings, repl.lang))
        if in_data:
            self.so_far += wire
        elif isinstance(outgoing, Command) and outgoing.verb == "MAIL":
            path = outgoing.argument[5:].strip()
            self.mail_from = path[1:].partition(">")[0] if path.startswith("<") else path

    def compose(self, repl: Repl, subject: str | None) -> bool:
        """Send the header the composer makes (RFC 2047 subject, Date, Message-ID, MIME); the
        learner types the empty line and the body; attachments go out before the final '.'."""
        from explorer.client.compose import ComposeError, Draft, interactive, labelled  # email: slow

        texts = pick(load("compose")["labels"], repl.lang)
        book = repl.addresses  # the header matches the envelope of the open transaction
        draft = Draft(sender=(book.header("sender") or [""])[0], to=tuple(book.header("recipient")),
                      subject=subject or texts["default_subject"], attachments=tuple(self.attachments))
        try:
            opening, self.closing = interactive(draft, lang=repl.lang)
        except ComposeError as exc:
            repl.error(str(exc))
            return False
        self.attachments.clear()
        parts = labelled("".join(line + "\r\n" for line in opening).encode("ascii"))
        for line, part in zip(opening, parts):
            repl.say([("dim", "   " + texts["part_" + part.part.replace("-", "_")] + ":")])
            repl.send(DataLine(line))
        done = "header_done_attachments" if draft.attachments else "header_done"
        repl.say([("dim", "   " + texts[done].format(count=len(draft.attachments)))])
        return True
