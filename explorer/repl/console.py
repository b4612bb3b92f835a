"""Where the REPL's output goes: styled lines to the terminal, or plain text to a test's writer.

Every line is a list of (style, text) fragments. Text that came from the wire must already be
made safe with ``explorer.core.render`` before it gets here.
"""

from __future__ import annotations

from typing import Callable, Iterable

from prompt_toolkit import print_formatted_text
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.output import Output
from prompt_toolkit.styles import Style

__all__ = ["Console", "STYLE", "Line"]

Line = list[tuple[str, str]]

STYLE = Style.from_dict({
    "client": "#5f87d7 bold",
    "server": "#00af87 bold",
    "wire": "#8a8a8a",
    "title": "bold",
    "code2": "ansigreen bold",
    "code3": "ansicyan bold",
    "code4": "ansiyellow bold",
    "code5": "ansired bold",
    "warn": "ansiyellow",
    "error": "ansired",
    "note": "italic",
    "dim": "#8a8a8a",
    "tls": "ansigreen",
    "bottom-toolbar": "noreverse bg:#303030 #d0d0d0",
    "prompt": "bold",
})


class Console:
    """Prints lines of fragments; ``write`` (for tests) receives plain text instead."""

    def __init__(self, write: Callable[[str], None] | None = None, output: Output | None = None):
        self._write = write
        self._output = output

    def lines(self, lines: Iterable[Line | str]) -> None:
        for line in lines:
            self.line(line)

    def line(self, line: Line | str = "", style: str = "") -> None:
        fragments = [(style, line)] if isinstance(line, str) else line
        if self._write is not None:
            self._write("".join(text for _, text in fragments) + "\n")
        else:
            print_formatted_text(FormattedText([(f"class:{s}" if s else "", t) for s, t in fragments]),
                                 style=STYLE, output=self._output)
