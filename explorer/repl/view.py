"""What the learner sees: bytes about to go out, replies as they came, explanations, states.

Pure functions from engine results to lines of (style, text) fragments; nothing here prints.
Every byte from the wire passes through the visible rendering first.
"""

from __future__ import annotations

from explorer.core.render import hexdump, shown_lines, visible, visible_text
from explorer.core.replies import ProtocolError
from explorer.core.session import Answer, ConnectionClosed, Warning_
from explorer.core.states import State
from explorer.client.engine import Dropped, Event, Failure, Stalled, TlsStarted
from explorer.reports.explaining import eight_bit_mark, wrap, wrap_after
from explorer.knowledge.guide import note, stage
from explorer.knowledge.keyed import flaw_text
from explorer.knowledge.tables import text as table_text
from explorer.repl.console import Line

__all__ = ["typed_text", "wire_lines", "folded_wire_lines", "warning_lines", "finding_lines", "event_lines", "answer_lines", "marker_lines", "session_lines", "stage_lines", "code_style",
           "dot_stuff_note"]


def _t(key: str, lang: str, **values: object) -> str:
    return table_text("repl", key, lang, **values)


def typed_text(text: str) -> str:
    """Text for the learner to type (a suggestion, a hint), made safe for the terminal: control
    characters escaped as everywhere, but a backslash left as it is (``/raw \\r\\n`` is typed so)."""
    return "\\".join(visible_text(part) for part in text.split("\\"))


def code_style(code: int) -> str:
    return f"code{code // 100}" if 2 <= code // 100 <= 5 else "error"


#: A reply is shown whole up to this many lines; a longer one shows its first FOLD_HEAD and last
#: FOLD_TAIL lines and says how many were left out (printing costs about 1.5 ms a line, so a
#: 20,000-line reply printed whole kept the prompt away for half a minute).
FOLD_HEAD, FOLD_TAIL = 8, 3
#: Bytes of one line shown before the rest of it is left out (a hostile line can be megabytes).
FOLD_WIDTH = 400
#: Bytes of a folded reply that go into its hex dump.
FOLD_HEX = 512


def wire_lines(direction: str, data: bytes, *, hex_dump: bool = False, lang: str = "en") -> list[Line]:
    """``C: EHLO me\\r\\n`` lines (one per line on the wire), and the hex dump if asked.

    8-bit text (我爱计算机网络 in UTF-8, a GBK reply) is shown as text, marked with its charset
    and byte count, and F2 shows its hex.
    """
    tag, style = ("C: ", "client") if direction == "client" else ("S: ", "server")
    lines: list[Line] = []
    for line in shown_lines(data):
        lines.append([(style, tag), ("wire", line.text)])
        if line.charset:
            key = table_text("ui", "eight-bit-key", lang)
            lines[-1].append(("dim", f"   {eight_bit_mark(line, lang)[:-1]}{key}]"))
    if not lines:
        lines = [[(style, tag), ("dim", _t("nothing", lang))]]
    if hex_dump:
        lines += [[("dim", "   " + row)] for row in hexdump(data).splitlines()]
    return lines


def folded_wire_lines(direction: str, data: bytes, lang: str = "en", *, hex_dump: bool = False) -> list[Line]:
    """Like :func:`wire_lines`, but a long reply shows its first and last lines and the count of
    the lines in between, and a long line its first bytes: the screen stays readable and quick."""
    pieces = data.split(b"\n")
    if pieces[-1] == b"":
        pieces.pop()
    count = len(pieces)
    if count <= FOLD_HEAD + FOLD_TAIL + 1 and len(data) <= FOLD_WIDTH * count:
        return wire_lines(direction, data, hex_dump=hex_dump, lang=lang)
    ends = [b"\n"] * (count - 1) + [b"\n" if data.endswith(b"\n") else b""]

    def shown(index: int) -> Line:
        line = pieces[index] + ends[index]
        if len(line) <= FOLD_WIDTH:
            return wire_lines(direction, line, lang=lang)[0]
        return wire_lines(direction, line[:FOLD_WIDTH], lang=lang)[0] + [
            ("dim", " " + note("folded-line-end", lang, octets=len(line) - FOLD_WIDTH))]

    if count <= FOLD_HEAD + FOLD_TAIL + 1:
        lines = [shown(i) for i in range(count)]
    else:
        left_out = range(FOLD_HEAD, count - FOLD_TAIL)
        octets = sum(len(pieces[i]) + 1 for i in left_out)
        lines = ([shown(i) for i in range(FOLD_HEAD)]
                 + [[("dim", "   " + note("folded-lines", lang, count=len(left_out), octets=octets))]]
                 + [shown(i) for i in range(count - FOLD_TAIL, count)])
    if hex_dump:
        lines += [[("dim", "   " + row)] for row in hexdump(data[:FOLD_HEX]).splitlines()]
        if len(data) > FOLD_HEX:
            lines.append([("dim", "   " + note("folded-line-end", lang, octets=len(data) - FOLD_HEX))])
    return lines


def warning_lines(warnings: tuple[Warning_, ...], lang: str = "en") -> list[Line]:
    """The protocol core's warnings about what is about to be sent (reports.explain's words)."""
    from explorer.reports.explain import warning_explanation

    out: list[Line] = []
    for label, what, fix in warning_explanation(warnings, lang):
        out.append([("warn", "  " + table_text("ui", "heading", lang, label=label)), ("", "\n" + wrap(what))])
        if fix:
            out.append([("dim", wrap(fix))])
    return out


def finding_lines(findings, lang: str = "en") -> list[Line]:
    """The linter's findings about the bytes about to be sent: what is wrong, why, the fix."""
    from explorer.lint import explain, label

    out: list[Line] = []
    for finding in findings:
        texts = explain(finding, lang)
        kind = label(f"severity_{finding.severity}", lang)
        where = label("at", lang, line=finding.line, offset=finding.offset)
        out.append([("warn", "  " + table_text("ui", "heading", lang, label=f"{kind} [{finding.key}] {where}")),
                    ("", "\n" + wrap(texts.what))])
        out.append([("dim", wrap(table_text("ui", "labelled", lang, label=label("why", lang), text=texts.why)))])
        # what real servers do with it: where they differ (bare LF, AUTH after HELO), who does what
        out.append([("dim", wrap(table_text("ui", "labelled", lang, label=label("server", lang), text=texts.server)))])
        out.append([("dim", wrap(table_text("ui", "labelled", lang, label=label("fix", lang), text=texts.fix)))])
    return out


#: How the REPL styles each part of a reply's explanation (reports.explain.reply_explanation).
_ROLE_STYLES = {"enhanced": "dim", "provider": "note", "why": "", "next": "note",
                "malformed": "warn", "state": "dim"}


def answer_lines(answer: Answer, lang: str = "en") -> list[Line]:
    """A reply's code, meaning and explanation (:func:`~explorer.reports.explain.reply_explanation`),
    without its lines from the wire: what the REPL, replay and the lesson autopilot show under them."""
    from explorer.knowledge import codes  # with the first reply, not before the first prompt
    from explorer.reports.explain import reply_explanation

    reply = answer.reply
    out: list[Line] = []
    info = codes.explain_code(reply.code, lang)
    head: Line = [("", "   "), (code_style(reply.code), str(reply.code))]
    if reply.enhanced:
        head.append(("dim", f" [{reply.enhanced}]"))
    # The meaning starts after the code (and the enhanced code): fill its first line from there.
    head.append(("", "  " + wrap_after("".join(text for _, text in head) + "  ", info.meaning, " " * 6)))
    out.append(head)
    for role, line in reply_explanation(answer, lang):
        if role == "multiline":  # on the head line: it says what the lines above are
            head.append(("dim", "  " + line))
        else:
            out.append([(_ROLE_STYLES[role], wrap(line, "   "))])
    return out


def event_lines(event: Event, lang: str = "en", *, hex_dump: bool = False) -> list[Line]:
    """The lines for one thing that happened after a send."""
    if isinstance(event, Answer):
        return folded_wire_lines("server", event.reply.raw, lang, hex_dump=hex_dump) + answer_lines(event, lang)
    if isinstance(event, ProtocolError):
        return folded_wire_lines("server", event.raw, lang, hex_dump=hex_dump) + [
            [("error", "   " + _t("not-a-reply", lang)), ("", flaw_text(event, lang))]]
    if isinstance(event, Dropped):
        return [[("warn", wrap(note("dropped-rest", lang, lines=event.lines, octets=event.octets), "   "))]]
    if isinstance(event, ConnectionClosed):
        lines: list[Line] = [[("error", "   " + _t("closed", lang))]]
        if event.mid_transaction:
            lines.append([("warn", "   " + _t("closed-mid", lang))])
        lines.append([("dim", "   " + _t("closed-next", lang))])
        return lines
    if isinstance(event, Stalled):
        lines = [[("warn", "   " + _t("stalled", lang, seconds=f"{event.timeout:g}"))]]
        if event.partial:
            shown = visible(event.partial[-FOLD_WIDTH:])
            if len(event.partial) > FOLD_WIDTH:  # the end tells what is missing; the start was shown
                shown = "..." + shown
            lines.append([("dim", "   " + _t("received-so-far", lang)), ("wire", shown)])
            lines.append([("dim", "   " + _t("partial-note", lang))])
        else:
            lines.append([("dim", "   " + _t("maybe-waiting", lang))])
        lines.append([("dim", "   " + _t("wait-hint", lang))])
        return lines
    if isinstance(event, TlsStarted):
        info = event.info
        return [[("tls", wrap(_t("tls-established", lang, version=info.version, cipher=info.cipher), "   "))],
                [("tls", wrap(_t("certificate", lang, subject=visible_text(info.subject)), "   ", " " * 6))]]
    if isinstance(event, Failure):
        lines = [[("error", _t("error", lang) + event.text(lang))]]
        if event.aborted:
            lines += [[("warn", wrap(note("client-aborted", lang), "   "))], [("dim", "   " + _t("closed-next", lang))]]
        return lines
    return [[("error", f"(unexpected event {type(event).__name__})")]]


def marker_lines(transcript, index: int) -> list[Line]:
    """What happened on the connection just before exchange ``index`` of a recorded session (an
    :class:`explorer.reports.model.Transcript`): opened, closed, TLS started; for replay and
    /history."""
    from explorer.reports.fmt import marker_text

    lines: list[Line] = []
    for marker in transcript.markers_before(index):
        style = "tls" if marker.kind.startswith("tls") else "dim"
        lines.append([(style, "   " + marker_text(marker.kind, transcript.lang, number=marker.connection))])
    return lines


def session_lines(transcript) -> list[Line]:
    """A recorded session as ``C:``/``S:`` lines, exchange by exchange, with where connections
    opened and closed and where TLS started (/history)."""
    lines: list[Line] = []
    for exchange in transcript.exchanges:
        lines += marker_lines(transcript, exchange.index)
        lines += wire_lines(exchange.direction, exchange.data, lang=transcript.lang)
    return lines + marker_lines(transcript, len(transcript.exchanges))


def stage_lines(state: State, lang: str = "en") -> list[Line]:
    info = stage(state.value, lang)
    return [[("title", f"== {info.title} ==")], [("dim", wrap(info.purpose, ""))]]


def dot_stuff_note(text: str, lang: str = "en") -> list[Line]:
    return [[("note", wrap(note("dot-stuffing", lang), "   "))]] if text.startswith(".") else []
