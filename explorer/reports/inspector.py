"""The inspector: a session as an annotated transcript, for a learner reading what their own
client did (``smtp-explorer sandbox --inspect``, ``smtp-explorer inspect FILE``).

Every line that crossed the wire is shown as ``C:`` or ``S:`` in the visible rendering, in the
order it crossed (with the time since the session began, so a client that did not wait for a
reply shows it), each reply with its meaning and its explanation (the one explanation,
:func:`explorer.reports.explain.reply_texts`, that the REPL and the transcripts show), and the
linter's findings right under the line they concern. A long message is shown by its first lines,
the lines with findings and its end. A summary closes: messages stored, mistakes found, how the
session ended. AUTH answers are removed unless asked (the recording's one redaction,
:mod:`explorer.recording.secrets`). Other texts come from ``knowledge/mistakes.toml``.
"""

from __future__ import annotations

import sys
import threading
import time as _time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, TextIO

from explorer.core.render import Shown, shown, shown_lines, visible_text
from explorer.reports.explain import reply_texts
from explorer.reports.explaining import eight_bit_mark
from explorer.width import fill
from explorer.knowledge import tables
from explorer.lint import Finding, explain, label
from explorer.recording.walker import Analysis, ServerEvent, Unit, analyse
from explorer.recording import CLIENT, SERVER, redact_slice, secret_spans

__all__ = ["SessionInfo", "annotate", "record_lines", "event_lines", "printer", "Inspector"]

WIDTH = 100
HEAD_LINES = 12  # lines of a message shown from its start
TAIL_LINES = 2  # and from its end (the last line and the terminator)
_PAD = " " * 10


@dataclass(frozen=True)
class SessionInfo:
    """What is known about a session beside its bytes (everything optional)."""

    id: int | None = None
    peer: str | None = None
    username: str | None = None  # the account, when the recording masks credentials
    started: float | None = None
    outcome: str | None = None  # already in words (the sandbox's outcome_text)
    messages: int | None = None  # messages stored, when known better than from the replies
    source: str | None = None  # a file name, for a saved session


def _wrap(text: str, indent: str) -> list[str]:
    return fill(text, WIDTH, indent, indent + "  ", break_on_hyphens=False, break_long_words=False).split("\n")


def _marked(line: Shown, lang: str) -> str:
    # 8-bit text is shown as text: the mark says what it is on the wire, and how many bytes.
    return line.text + (f"   {eight_bit_mark(line, lang)}" if line.charset else "")


def _finding_lines(finding: Finding, lang: str) -> list[str]:
    texts = explain(finding, lang)
    kind = label(f"severity_{finding.severity}", lang)
    where = label("at", lang, line=finding.line, offset=finding.offset)
    out = [f"{_PAD}^ {kind} [{finding.key}] {where}"]
    for name, text in (("what", texts.what), ("why", texts.why), ("server", texts.server),
                       ("fix", texts.fix)):
        out += _wrap(tables.text("ui", "labelled", lang, label=label(name, lang), text=text), _PAD + "  ")
    return out


class _Transcript:
    def __init__(self, analysis: Analysis, lang: str, spans: list):
        self.a, self.lang, self.spans = analysis, lang, spans
        self.t0 = analysis.times[0] if analysis.times else 0.0
        self.by_line: dict[int, list[Finding]] = {}
        self.at_end: list[Finding] = []
        for finding in analysis.findings:
            if finding.where == "session":
                self.at_end.append(finding)
            else:
                self.by_line.setdefault(finding.line, []).append(finding)
        self.items: list[tuple[int, int, list[str]]] = []  # (chunk index, order, lines)

    def stamp(self, chunk: int | None) -> str:
        when = self.a.times[chunk] - self.t0 if chunk is not None else 0.0
        return f"{when:8.3f}"

    def add(self, chunk: int | None, lines: list[str], order: int) -> None:
        self.items.append((chunk if chunk is not None else len(self.a.times), order, lines))

    def client_line(self, start: int, end: int, number: int) -> None:
        text = _marked(shown(redact_slice(self.a.client[start:end], CLIENT, start, self.spans)), self.lang)
        chunk = self.a.chunk_of(max(start, end - 1))
        lines = [f"{self.stamp(chunk)} C: {text}"]
        for finding in self.by_line.pop(number, []):
            lines += _finding_lines(finding, self.lang)
        self.add(chunk, lines, start)

    def unit(self, unit: Unit) -> None:
        if unit.kind != "content":
            self.client_line(unit.start, unit.end, unit.line)
            return
        data, end = self.a.client, unit.end
        shown: list[tuple[int, int, int]] = []  # (line number, start, end)
        pos, number = unit.start, unit.line
        while pos < end and len(shown) < HEAD_LINES:
            nl = data.find(b"\n", pos, end)
            stop = end if nl < 0 else nl + 1
            shown.append((number, pos, stop))
            pos, number = stop, number + 1
        if pos < end:
            shown += self._rest(unit, pos, number)
        previous_end, previous_number = unit.start, unit.line - 1
        for number, start, stop in shown:
            if number > previous_number + 1:
                self._elided(previous_end, start, number - previous_number - 1)
            self.client_line(start, stop, number)
            previous_end, previous_number = stop, number

    def _rest(self, unit: Unit, pos: int, number: int) -> list[tuple[int, int, int]]:
        """The lines after the head worth showing: those with findings, and the last ones.
        Found with find and rfind from known offsets: no walk over a long message's lines."""
        data, end = self.a.client, unit.end
        last = number + data.count(b"\n", pos, end) - (1 if data.endswith(b"\n", pos, end) else 0)

        def line_at(offset: int) -> tuple[int, int]:
            start = max(data.rfind(b"\n", pos, offset) + 1, pos)
            nl = data.find(b"\n", start, end)
            return start, end if nl < 0 else nl + 1

        wanted: dict[int, tuple[int, int]] = {}
        for line, findings in self.by_line.items():
            if number <= line <= last:
                wanted[line] = line_at(findings[0].offset)
        stop = end
        for line in range(last, max(number, last - TAIL_LINES + 1) - 1, -1):
            start = max(data.rfind(b"\n", pos, stop - 1) + 1, pos)
            wanted[line] = (start, stop)
            stop = start
        return [(line, *wanted[line]) for line in sorted(wanted)]

    def _elided(self, start: int, end: int, lines: int) -> None:
        chunk = self.a.chunk_of(max(start, end - 1))
        text = label("elided", self.lang, lines=lines, octets=end - start)
        self.add(chunk, [f"{self.stamp(chunk)}    {text}"], start)

    def server(self, event: ServerEvent, order: int) -> None:
        """Show a reply (or bytes that are no reply)."""
        hidden = redact_slice(event.raw, SERVER, event.offset, self.spans)
        lines = [f"{self.stamp(event.chunk_index)} S: {_marked(line, self.lang)}" for line in shown_lines(hidden)]
        if event.reply is None:
            lines.append(f"{_PAD}-> {label('not_a_reply', self.lang)}")
        else:  # the one explanation of a reply, as the REPL and the transcripts word it
            _, meaning, explanation = reply_texts(event.answer, self.lang)
            lines.append(f"{_PAD}-> {event.reply.code} ({_answered(event.to, self.lang)}) {meaning}")
            for line in explanation:
                lines += _wrap(line, _PAD + "   ")
        self.add(event.chunk_index, lines, order)

    def render(self) -> list[str]:
        for order, event in enumerate(self.a.server):
            if not event.leftover:  # a reply cut short by the end: nothing to explain
                self.server(event, order)
        for unit in self.a.units:
            self.unit(unit)
        out: list[str] = []
        for _, _, lines in sorted(self.items, key=lambda item: (item[0], item[1])):
            out += lines
        leftover = [f for number in sorted(self.by_line) for f in self.by_line[number]]
        for finding in leftover + self.at_end:
            out += _finding_lines(finding, self.lang)
        return out


_EXCHANGES = {"GREETING": "exchange_greeting", "AUTH-LINE": "exchange_auth_line",
              "BODY": "exchange_body", "UNKNOWN": "exchange_unknown"}


def _answered(to: str | None, lang: str) -> str:
    if to is None:
        return label("unsolicited", lang)
    name = label(_EXCHANGES[to], lang) if to in _EXCHANGES else to
    return label("answers", lang, exchange=name)


def _title(info: SessionInfo, analysis: Analysis, lang: str) -> str:
    if info.id is not None:
        parts = [label("session", lang, id=info.id, peer=visible_text(info.peer or "?"))]
    else:
        parts = [label("session_file", lang, source=visible_text(info.peer or info.source or "?"))]
    user = info.username or analysis.username
    if user:
        parts.append(label("account", lang, user=visible_text(user)))
    else:  # the credentials were removed from the recording, but the 235 says AUTH succeeded
        accepted = any(e.reply is not None and e.reply.code == 235 for e in analysis.server)
        parts.append(label("account_unrecorded" if accepted else "no_account", lang))
    try:  # a start time from a file edited by hand may be no time at all (NaN, 1e30)
        if info.started is not None:
            parts.append(_time.strftime("%Y-%m-%d %H:%M:%S", _time.localtime(info.started)))
    except (ValueError, OverflowError, OSError, TypeError):
        pass
    return "== " + ", ".join(parts) + " =="


def _summary(info: SessionInfo, analysis: Analysis, lang: str) -> list[str]:
    errors = [f for f in analysis.findings if f.severity == "error"]
    warnings = [f for f in analysis.findings if f.severity != "error"]
    stored = info.messages if info.messages is not None else analysis.messages
    out = [f"-- {label('summary', lang)} --",
           f"   {label('stored', lang, count=stored)}"]
    if analysis.findings:
        listed = ", ".join(label("listed", lang, key=f.key, line=f.line) for f in analysis.findings)
        out += _wrap(f"{label('mistakes', lang, count=len(errors), warnings=len(warnings))}: "
                     f"{listed}", "   ")
    else:
        out.append(f"   {label('clean', lang)}")
    if info.outcome:
        out.append(f"   {label('outcome', lang, outcome=visible_text(info.outcome))}")
    return out


def annotate(chunks: Iterable[Any], info: SessionInfo = SessionInfo(), *, lang: str = "en",
             show_secrets: bool = False, known: Iterable[bytes] = ()) -> list[str]:
    """The annotated transcript of one session from its chunks (``time``, ``direction``,
    ``data``), as lines of printable text."""
    chunks = list(chunks)
    analysis = analyse(chunks, username=info.username)
    spans = [] if show_secrets else secret_spans(chunks, known)
    return ([_title(info, analysis, lang)] + _Transcript(analysis, lang, spans).render()
            + _summary(info, analysis, lang))


def record_lines(record: Any, *, lang: str = "en", show_secrets: bool = False) -> list[str]:
    """The transcript of a sandbox ``SessionRecord`` (peer, account and outcome included)."""
    from explorer.sandbox.texts import outcome_text

    info = SessionInfo(id=record.id, peer=record.peer, username=record.username,
                       started=record.started_at, outcome=outcome_text(record.outcome, lang),
                       messages=record.messages)
    return annotate(record.chunks, info, lang=lang, show_secrets=show_secrets,
                    known=getattr(record, "secrets", ()))


def event_lines(event: Any, *, lang: str = "en", show_secrets: bool = False) -> list[str]:
    """For the sandbox's ``on_event`` stream: the transcript of a session that just ended,
    nothing for any other event."""
    if event.kind != "session-ended" or event.record is None:
        return []
    return record_lines(event.record, lang=lang, show_secrets=show_secrets) + [""]


def printer(then: Callable[[Any], None] | None = None, *, out: TextIO | None = None,
            lang: str = "en", show_secrets: bool = False) -> Callable[[Any], None]:
    """An ``on_session`` hook for the standalone sandbox (``sandbox --inspect``): it prints
    each finished session's transcript on ``out`` (standard output by default), then passes
    the record on to ``then`` (another hook, such as ``--save``'s). It never raises: a session
    it cannot show is reported in one line, and the sandbox goes on."""

    def on_session(record: Any) -> None:
        stream = out if out is not None else sys.stdout
        try:
            text = "\n".join(record_lines(record, lang=lang, show_secrets=show_secrets))
        except Exception as exc:  # a bug here must not stop a class's sandbox
            text = label("inspect_failed", lang, id=getattr(record, "id", "?"),
                         error=visible_text(f"{type(exc).__name__}: {exc}"))
        print(text + "\n", file=stream, flush=True)
        if then is not None:
            then(record)

    return on_session


class Inspector:
    """Writes each finished sandbox session as a transcript: ``Sandbox(on_event=inspector)``.

    Called on the server thread: keep ``write`` quick (a list's append, a file's write); the
    standalone sandbox instead calls :func:`event_lines` from its main thread.
    """

    def __init__(self, write: Callable[[str], Any], *, lang: str = "en",
                 show_secrets: bool = False):
        self.write, self.lang, self.show_secrets = write, lang, show_secrets
        self._lock = threading.Lock()

    def __call__(self, event: Any) -> None:
        lines = event_lines(event, lang=self.lang, show_secrets=self.show_secrets)
        if lines:
            with self._lock:
                self.write("\n".join(lines) + "\n")

    on_event = __call__
