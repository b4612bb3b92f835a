"""``smtp-explorer`` with no sub-command: the REPL against the embedded sandbox (not a parser of
its own: the top-level parser's ``--save``, ``--reveal-secrets`` and ``--lang`` apply)."""

from __future__ import annotations

import argparse
import socket

from explorer.commands.base import UsageError, message

__all__ = ["run_sandbox_repl"]


def _lang(args: argparse.Namespace | None) -> str:
    # main() has resolved --lang and the environment; a caller of its own may pass no arguments.
    from explorer.language import DEFAULT

    return getattr(args, "lang", None) or DEFAULT


def run_sandbox_repl(args: argparse.Namespace | None = None) -> int:
    """``smtp-explorer`` with no arguments: the embedded sandbox on loopback, and the REPL on it."""
    from explorer.client.engine import Target
    from explorer.knowledge.tables import text
    from explorer.repl.app import Repl
    from explorer.repl.history import history
    from explorer.repl.launch import intro
    from explorer.repl.launch import SandboxLink
    from explorer.sandbox.accounts import DEFAULT_ACCOUNTS
    from explorer.sandbox.storage import default_data_dir
    from explorer.sandbox.tls import CERT_NAME

    try:
        listener = socket.create_server(("127.0.0.1", 0), backlog=128)
    except OSError as exc:
        raise UsageError(message("cannot-listen", _lang(args), error=exc.strerror or exc)) from None
    data_dir = default_data_dir()
    link = SandboxLink(listener, data_dir)
    lang = _lang(args)
    try:
        target = Target("127.0.0.1", listener.getsockname()[1], "plain", cafile=str(data_dir / "tls" / CERT_NAME))
        repl = Repl(target, sandbox=link.get, history=history(), on_ready=link.go, lang=lang,
                    reveal_secrets=bool(getattr(args, "reveal_secrets", False)), intro=intro(
            text("repl", "intro-sandbox", lang, target=target.label),
            [text("repl", "intro-account", lang, account=DEFAULT_ACCOUNTS[0].describe(lang))], lang))
        status = repl.run()
        from explorer.reports.options import save_after

        return save_after(args, repl.engine, lang=repl.lang) or status
    finally:
        link.stop()
