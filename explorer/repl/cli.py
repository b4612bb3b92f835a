"""Starting the REPL: ``smtp-explorer`` (the embedded sandbox) and ``smtp-explorer connect``."""

from __future__ import annotations

import argparse
import socket
import threading
from pathlib import Path

from explorer.cli import UsageError
from explorer.core.render import visible_text

__all__ = ["register", "run_sandbox_repl", "run_connect"]


def register(subparsers: argparse._SubParsersAction) -> None:
    from explorer.repl.targets import add_target_arguments

    p = subparsers.add_parser(
        "connect",
        help="open the explorer against a real SMTP server",
        description="Step through a session with a real server: 25 (plain), 587 (--starttls) or 465 (--tls). "
        "Certificates are verified unless --insecure.",
    )
    add_target_arguments(p)
    p.add_argument("--strict", action="store_true", help="refuse out-of-order or malformed commands")
    from explorer.transcript.options import add_save_arguments

    add_save_arguments(p)
    p.set_defaults(handler=run_connect)


class SandboxLink:
    """The embedded sandbox, started in the background once the first prompt is up.

    The listening socket is bound at once (so the port can be shown, and a connection made early
    simply waits in the kernel's backlog); importing and starting the server, the slow part, runs
    in a thread so the learner never waits for it.
    """

    def __init__(self, listener: socket.socket, data_dir: Path) -> None:
        self._listener = listener
        self._data_dir = data_dir
        self._box = None
        self._failure: str | None = None
        self._thread = threading.Thread(target=self._start, name="sandbox-start", daemon=True)

    def go(self) -> None:
        if not self._thread.is_alive() and self._box is None and self._failure is None:
            self._thread.start()

    def _start(self) -> None:
        try:
            from explorer.sandbox import Sandbox

            self._box = Sandbox(data_dir=self._data_dir, sock=self._listener).start()
        except Exception as exc:  # reported in one line when the REPL needs the sandbox
            self._failure = str(exc) or type(exc).__name__
            self._listener.close()

    def get(self):
        from explorer.repl.app import SandboxUnavailable

        self.go()
        self._thread.join()
        if self._failure:
            raise SandboxUnavailable(f"the embedded sandbox could not start: {self._failure}")
        return self._box

    def stop(self) -> None:
        if self._thread.is_alive() or self._box is not None:
            self._thread.join()
        if self._box is not None:
            self._box.stop()
        self._listener.close()


def history():
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    from explorer.paths import data_root

    try:
        root = data_root()
        root.mkdir(parents=True, exist_ok=True)
        return FileHistory(str(root / "history"))
    except OSError:
        return InMemoryHistory()


def _intro(where: str, extra: list[str]) -> list[str]:
    from explorer import __version__

    return [f"smtp-explorer {__version__}: {where}", *extra,
            "Right arrow accepts the suggestion, Tab completes, /help lists commands, Ctrl-D leaves."]


def _lang(args: argparse.Namespace | None) -> str:
    # main() has resolved --lang and the environment; a caller of its own may pass no arguments.
    from explorer.language import DEFAULT

    return getattr(args, "lang", None) or DEFAULT


def run_sandbox_repl(args: argparse.Namespace | None = None) -> int:
    """``smtp-explorer`` with no arguments: the embedded sandbox on loopback, and the REPL on it."""
    from explorer.engine import Target
    from explorer.repl.app import Repl
    from explorer.sandbox.accounts import DEFAULT_ACCOUNTS
    from explorer.sandbox.storage import default_data_dir
    from explorer.sandbox.tls import CERT_NAME

    try:
        listener = socket.create_server(("127.0.0.1", 0), backlog=128)
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1 for the embedded sandbox: {exc.strerror or exc}") from None
    data_dir = default_data_dir()
    link = SandboxLink(listener, data_dir)
    try:
        target = Target("127.0.0.1", listener.getsockname()[1], "plain", cafile=str(data_dir / "tls" / CERT_NAME))
        repl = Repl(target, sandbox=link.get, history=history(), on_ready=link.go, lang=_lang(args), intro=_intro(
            f"the embedded sandbox on {target.label} (offline, on this machine)",
            [f"demo account: {DEFAULT_ACCOUNTS[0].describe()}"]))
        status = repl.run()
        from explorer.transcript.options import save_after

        return save_after(args, repl.engine, lang=repl.lang) or status
    finally:
        link.stop()


def run_connect(args: argparse.Namespace) -> int:
    from explorer.repl.app import Repl
    from explorer.repl.targets import TargetError, target_from_args

    try:
        target = target_from_args(args)
    except TargetError as exc:
        raise UsageError(str(exc)) from None
    extra = ["warning: --insecure: the certificate will NOT be verified"] if target.insecure else []
    security = {"tls": "TLS from the first byte", "starttls": "STARTTLS when offered", "plain": "plain TCP"}
    repl = Repl(target, history=history(), strict=args.strict, lang=_lang(args),
                intro=_intro(f"{visible_text(target.label)} ({security[target.security]})", extra))
    status = repl.run()
    from explorer.transcript.options import save_after

    return save_after(args, repl.engine, lang=repl.lang) or status
