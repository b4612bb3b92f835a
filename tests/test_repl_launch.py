"""The REPL's embedded sandbox, as the launcher starts it for one learner."""

from __future__ import annotations

import socket

from explorer.repl.launch import SandboxLink
from explorer.sandbox.server import DEFAULT_COMMAND_TIMEOUT


def test_a_line_left_open_waits_as_long_as_an_idle_session(tmp_path) -> None:
    # /raw NOOP sends a line with no end; the learner reads, thinks, then finishes it. The class
    # server's drip defence (a line must end within a minute) would cut them off with 421.
    listener = socket.create_server(("127.0.0.1", 0))
    link = SandboxLink(listener, tmp_path)
    try:
        box = link.get()
        assert box._ctx.command_timeout == box._ctx.idle_timeout > DEFAULT_COMMAND_TIMEOUT
    finally:
        link.stop()
