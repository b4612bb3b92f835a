"""``smtp-explorer inbox``: the sandbox's stored messages, listed, or one shown decoded."""

from __future__ import annotations

import argparse
from pathlib import Path

from explorer.commands.base import UsageError, counting_number, help_text, message

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction, lang: str = "en") -> None:
    inbox = subparsers.add_parser(
        "inbox", help=help_text("inbox.help", lang), description=help_text("inbox.description", lang))
    inbox.add_argument("number", nargs="?", type=counting_number("not-a-message-number", lang), metavar="N",
                       help=help_text("inbox.number", lang))
    inbox.add_argument("--data-dir", type=Path, help=help_text("inbox.data-dir", lang))
    inbox.add_argument("--mailbox", metavar="ADDRESS", help=help_text("inbox.mailbox", lang))
    inbox.set_defaults(handler=_run_inbox)


def _run_inbox(args: argparse.Namespace) -> int:
    from explorer.core.render import visible_text
    from explorer.sandbox.inbox import format_list, format_message
    from explorer.sandbox.storage import MaildirStore, default_data_dir

    data_dir = args.data_dir if args.data_dir is not None else default_data_dir()
    if not data_dir.is_dir():
        raise UsageError(message("inbox-no-data", args.lang, path=visible_text(str(data_dir))))
    store = MaildirStore(data_dir)
    messages = store.messages()
    if args.mailbox:
        messages = [m for m in messages if m.recipient == args.mailbox.strip().lower()]
    if args.number is None:
        print(format_list(messages, str(store.root), args.lang))
        return 0
    if args.number > len(messages):
        raise UsageError(message("inbox-no-message", args.lang, number=args.number, count=len(messages)))
    print(format_message(messages[args.number - 1], args.number, len(messages), args.lang))
    return 0
