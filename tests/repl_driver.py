"""Drive the REPL as a learner would, through prompt_toolkit's pipe input, capturing the output."""

from __future__ import annotations

from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from explorer.client.engine import Target
from explorer.repl.app import Repl
from explorer.repl.console import Console

RIGHT = "\x1b[C"  # the right arrow: accepts the ghost-text suggestion


def run_repl(target: Target, keys: list[str], **kwargs) -> tuple[Repl, str]:
    """Type each entry of ``keys`` followed by Enter (a trailing Ctrl-D ends the REPL)."""
    shown: list[str] = []
    with create_pipe_input() as pipe:
        repl = Repl(target, console=Console(write=shown.append), input=pipe, output=DummyOutput(), **kwargs)
        pipe.send_text("".join(key + "\r" for key in keys) + "\x04")
        status = repl.run()
    assert status == 0
    return repl, "".join(shown)


def sandbox_target(box) -> Target:
    return Target(box.host, box.port, "plain", cafile=str(box.certificate_path), timeout=5.0)
