"""The REPL's own keys: F2 shows the hex of the last line that carried 8-bit bytes.

A line such as ``C: 我爱计算机网络\\r\\n`` is shown as text, marked with its charset and byte count;
the bytes themselves are one key away, without turning on /hex for everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prompt_toolkit.application import run_in_terminal
from prompt_toolkit.key_binding import KeyBindings

from explorer.core.render import hexdump, shown_lines
from explorer.knowledge.tables import text
from explorer.repl.console import Line

if TYPE_CHECKING:
    from explorer.repl.app import Repl

__all__ = ["key_bindings", "eight_bit_hex"]


def eight_bit_hex(repl: Repl) -> list[Line]:
    """The hex dump of the last line on the wire with 8-bit bytes (never one holding a secret)."""
    from explorer.recording import redact  # the one redaction, as /history and /save apply it

    for chunk in reversed(redact(repl.engine.log, repl.engine.secrets)):
        start = len(chunk.data)
        for line in reversed(shown_lines(chunk.data)):
            start -= line.octets
            if line.charset:
                data = chunk.data[start:start + line.octets]
                direction = "C" if chunk.direction == "client" else "S"
                head: Line = [("dim", "   " + text("ui", "hex-of", repl.lang, direction=direction))]
                return [head] + [[("dim", "   " + row)] for row in hexdump(data).splitlines()]
    return [[("dim", "   " + text("ui", "hex-nothing", repl.lang))]]


def key_bindings(repl: Repl) -> KeyBindings:
    bindings = KeyBindings()

    @bindings.add("f2")
    def _(event) -> None:
        run_in_terminal(lambda: repl.say_lines(eight_bit_hex(repl)))

    return bindings
