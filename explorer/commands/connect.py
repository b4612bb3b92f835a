"""``smtp-explorer connect HOST[:PORT]``: the REPL against a real SMTP server."""

from __future__ import annotations

import argparse

from explorer.commands.base import UsageError, add_save_arguments, help_text
from explorer.core.render import visible_text

__all__ = ["register", "run_connect"]


def register(subparsers: argparse._SubParsersAction, lang: str = "en") -> None:
    from explorer.repl.targets import add_target_arguments

    p = subparsers.add_parser(
        "connect",
        help=help_text("connect.help", lang),
        description=help_text("connect.description", lang),
    )
    add_target_arguments(p, lang)
    p.add_argument("--strict", action="store_true", help=help_text("connect.strict", lang))
    add_save_arguments(p)
    p.set_defaults(handler=run_connect)


def run_connect(args: argparse.Namespace) -> int:
    from explorer.knowledge.tables import text
    from explorer.repl.app import Repl
    from explorer.repl.history import history
    from explorer.repl.launch import intro
    from explorer.repl.targets import TargetError, target_from_args

    try:
        target = target_from_args(args)
    except TargetError as exc:
        raise UsageError(exc.text(args.lang)) from None
    extra = [text("repl", "intro-insecure", args.lang)] if target.insecure else []
    security = text("repl", f"security-{target.security}", args.lang)
    repl = Repl(target, history=history(), strict=args.strict, lang=args.lang, reveal_secrets=args.reveal_secrets,
                intro=intro(text("repl", "intro-target", args.lang, target=visible_text(target.label),
                                 security=security), extra, args.lang))
    status = repl.run()
    from explorer.reports.options import save_after

    return save_after(args, repl.engine, lang=repl.lang) or status
