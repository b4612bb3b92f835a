"""``smtp-explorer replay FILE``: step through a saved session offline, forward and back.

A step is what the live REPL shows for one thing the learner did: what the client sent (with
the core's warnings), then every reply it got, explained, and the state change. The greeting is
a step of its own. The rendering is the REPL's own (``explorer.repl.view``), so a replay looks
exactly like the session did.

Keys: Enter, right arrow or n: next; left arrow, p or b: back; q or Ctrl-D: quit. Keys are read
one at a time by a one-line prompt_toolkit application, so tests drive it through a pipe input.
"""

from __future__ import annotations

from dataclasses import dataclass

from prompt_toolkit.application import Application
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.layout import Layout, Window
from prompt_toolkit.layout.controls import FormattedTextControl

from explorer.core.states import State
from explorer.repl import view
from explorer.repl.console import Console, Line
from explorer.reports.fmt import clock, delta
from explorer.reports.model import CLIENT, Exchange, Transcript
from explorer.reports.texts import text

__all__ = ["Step", "steps", "step_lines", "Replay"]

NEXT, BACK, QUIT = "next", "back", "quit"


@dataclass(frozen=True)
class Step:
    """Exchanges ``first`` to ``last`` (inclusive) of a transcript, shown together."""

    number: int  # from 1
    first: int
    last: int


def steps(transcript: Transcript) -> list[Step]:
    """The steps: each client exchange with the replies after it; a new connection starts one."""
    out: list[Step] = []
    start = None
    exchanges = transcript.exchanges
    for exchange in exchanges:
        i = exchange.index
        new_connection = any(m.kind == "connection-opened" for m in transcript.markers_before(i))
        if start is None or exchange.direction == CLIENT or new_connection:
            if start is not None:
                out.append(Step(len(out) + 1, start, i - 1))
            start = i
    if start is not None:
        out.append(Step(len(out) + 1, start, len(exchanges) - 1))
    return out


def _exchange_lines(exchange: Exchange, lang: str, hex_dump: bool) -> list[Line]:
    if exchange.direction == CLIENT:
        return view.warning_lines(tuple(exchange.checks), lang) + view.wire_lines(
            CLIENT, exchange.data, hex_dump=hex_dump, lang=lang)
    if exchange.event is not None:
        return view.event_lines(exchange.event, lang, hex_dump=hex_dump)
    return view.wire_lines("server", exchange.data, hex_dump=hex_dump, lang=lang)  # loaded without the core


def step_lines(transcript: Transcript, step: Step, *, shown_state: State | None = None,
               hex_dump: bool = False, total: int | None = None) -> list[Line]:
    """The lines of one step: header, stage (if it changed), what was sent, what came back."""
    lang = transcript.lang
    exchanges = transcript.exchanges
    first = exchanges[step.first]
    previous = exchanges[step.first - 1].time if step.first else first.time
    total = total if total is not None else len(steps(transcript))
    header = text("replay", "step", lang, number=step.number, total=total,
                  time=clock(first.time), delta=delta(first.time - previous),
                  tls=text("replay", "tls", lang) if first.tls else "")
    lines: list[Line] = [[("title", header)]]
    lines += view.marker_lines(transcript, step.first)
    state = State(first.state_before) if first.state_before else None
    if state is not None and state is not shown_state and state is not State.DATA_END:
        lines += view.stage_lines(state, lang)
    for index in range(step.first, step.last + 1):
        if index != step.first:
            lines += view.marker_lines(transcript, index)
        lines += _exchange_lines(exchanges[index], lang, hex_dump)
    if step.last == len(exchanges) - 1:
        lines += view.marker_lines(transcript, len(exchanges))
    return lines


class Replay:
    """The offline step-through. ``input``/``output`` as for prompt_toolkit (pipe input in tests)."""

    def __init__(self, transcript: Transcript, *, console: Console | None = None, input=None,
                 output=None, hex_dump: bool = False, source: str = "") -> None:
        self.transcript = transcript
        self.steps = steps(transcript)
        self.console = console or Console(output=output)
        self.input = input
        self.output = output
        self.hex_dump = hex_dump
        self.source = source
        self.index = 0
        self.shown: list[int] = []  # the step numbers shown, in order (for tests and the curious)

    def _say(self, key: str) -> None:
        self.console.line([("dim", text("replay", key, self.transcript.lang))])

    def show(self, index: int) -> None:
        step = self.steps[index]
        # The REPL shows a stage when it changes; going back shows the step as it was then.
        before = self.transcript.exchanges[self.steps[index - 1].first] if index else None
        shown_state = State(before.state_before) if before is not None and before.state_before else None
        self.console.lines(step_lines(self.transcript, step, shown_state=shown_state,
                                      hex_dump=self.hex_dump, total=len(self.steps)))
        self.shown.append(step.number)

    def show_all(self) -> int:
        """Print every step at once (for a pipe or ``--all``)."""
        self._intro()
        for index in range(len(self.steps)):
            self.show(index)
        return 0

    def _intro(self) -> None:
        lang = self.transcript.lang
        if not self.steps:
            self._say("empty")
            return
        self.console.line([("dim", text("replay", "intro", lang, source=self.source or "-",
                                        steps=len(self.steps)))])

    def read_key(self) -> str:
        """Wait for one key; returns NEXT, BACK or QUIT."""
        bindings = KeyBindings()
        for keys, action in ((("enter",), NEXT), (("right",), NEXT), (("n",), NEXT), ((" ",), NEXT),
                             (("left",), BACK), (("p",), BACK), (("b",), BACK),
                             (("q",), QUIT), (("c-d",), QUIT), (("c-c",), QUIT)):
            bindings.add(*keys)(lambda event, action=action: event.app.exit(result=action))
        bindings.add("<any>")(lambda event: None)  # every other key does nothing
        hint = FormattedText([("class:dim", text("replay", "keys", self.transcript.lang))])
        app: Application[str] = Application(
            layout=Layout(Window(FormattedTextControl(hint), height=1)), key_bindings=bindings,
            input=self.input, output=self.output, erase_when_done=True)
        try:
            return app.run() or QUIT
        except EOFError:
            return QUIT

    def run(self) -> int:
        """Step through until q; returns the exit status (0)."""
        self._intro()
        if not self.steps:
            return 0
        self.show(0)
        while True:
            action = self.read_key()
            if action == QUIT:
                return 0
            if action == NEXT:
                if self.index + 1 < len(self.steps):
                    self.index += 1
                    self.show(self.index)
                else:
                    self._say("end")
            elif self.index > 0:
                self.index -= 1
                self.show(self.index)
            else:
                self._say("start")
