"""Starting the REPL: ``smtp-explorer`` (the embedded sandbox) and ``smtp-explorer connect``."""

from __future__ import annotations

import argparse
import threading

from explorer.cli import UsageError

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
    p.set_defaults(handler=run_connect)


class SandboxLink:
    """Starts the embedded sandbox in a background thread, so the first prompt does not wait."""

    def __init__(self) -> None:
        self._box = None
        self._failure: str | None = None
        self._thread = threading.Thread(target=self._start, name="sandbox-start", daemon=True)
        self._thread.start()

    def _start(self) -> None:
        try:
            from explorer.sandbox import Sandbox

            self._box = Sandbox().start()
        except Exception as exc:  # reported in one line when the REPL first needs the sandbox
            self._failure = str(exc) or type(exc).__name__

    def get(self):
        self._thread.join()
        if self._failure:
            raise UsageError(f"the embedded sandbox could not start: {self._failure}")
        return self._box

    def stop(self) -> None:
        self._thread.join()
        if self._box is not None:
            self._box.stop()


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


def run_sandbox_repl(args: argparse.Namespace | None = None) -> int:
    """``smtp-explorer`` with no arguments: the embedded sandbox on loopback, and the REPL on it."""
    link = SandboxLink()
    try:
        from explorer.engine import Target
        from explorer.repl.app import Repl

        box = link.get()
        target = Target(box.host, box.port, "plain", cafile=str(box.certificate_path))
        account = box.accounts[0]
        repl = Repl(target, sandbox=lambda: box, history=history(), intro=_intro(
            f"the embedded sandbox on {target.label} (offline, on this machine)",
            [f"demo account: {account.describe()}"]))
        return repl.run()
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
    repl = Repl(target, history=history(), strict=args.strict,
                intro=_intro(f"{target.label} ({security[target.security]})", extra))
    return repl.run()
