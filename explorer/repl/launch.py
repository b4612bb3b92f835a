"""Starting the REPL: the embedded sandbox started behind the first prompt, and the opening lines."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

__all__ = ["SandboxLink", "intro"]


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
        self._failure: Exception | None = None
        self._thread = threading.Thread(target=self._start, name="sandbox-start", daemon=True)

    def go(self) -> None:
        if not self._thread.is_alive() and self._box is None and self._failure is None:
            self._thread.start()

    def _start(self) -> None:
        try:
            from explorer.sandbox import Sandbox
            from explorer.sandbox.server import LEARNER_COMMAND_TIMEOUT

            # Its implicit-TLS port too, whatever the profile: /connect sandbox --tls uses it.
            # One learner, thinking between keystrokes: a line left open (/raw NOOP) waits as
            # long as an idle session does, not the class server's drip-defence minute.
            self._box = Sandbox(data_dir=self._data_dir, sock=self._listener, tls_port=0,
                                command_timeout=LEARNER_COMMAND_TIMEOUT).start()
        except Exception as exc:  # reported in one line when the REPL needs the sandbox
            self._failure = exc
            self._listener.close()

    def get(self):
        from explorer.repl.app import SandboxUnavailable

        self.go()
        self._thread.join()
        if self._failure is not None:
            raise SandboxUnavailable(self._failure)
        return self._box

    def stop(self) -> None:
        if self._thread.is_alive() or self._box is not None:
            self._thread.join()
        if self._box is not None:
            self._box.stop()
        self._listener.close()


def intro(where: str, extra: list[str], lang: str = "en") -> list[str]:
    """The REPL's opening lines: the version, where it is connected, and the keys."""
    from explorer import __version__
    from explorer.knowledge.tables import text

    return [text("repl", "intro-version", lang, version=__version__, where=where), *extra,
            text("repl", "intro-keys", lang)]
