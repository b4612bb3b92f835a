"""Small formatting pieces shared by the renderers: times, the summary of a session, wire lines."""

from __future__ import annotations

import time

from explorer.core.render import shown_lines, visible_text
from explorer.reports.explaining import eight_bit_mark
from explorer.reports.explain import line_text
from explorer.reports.model import Exchange, Transcript
from explorer.reports.secrets import secrets_state
from explorer.reports.texts import text

__all__ = ["delta", "clock", "stamp", "summary_rows", "wire_lines", "deltas", "marker_text"]


def delta(seconds: float) -> str:
    """A time between two arrows: ``+0.4 ms``, ``+12 ms``, ``+1.25 s``, ``+2 min 5 s``."""
    seconds = max(seconds, 0.0)
    if seconds < 0.001:
        return f"+{seconds * 1000:.1f} ms"
    if seconds < 1:
        return f"+{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"+{seconds:.2f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"+{minutes} min {rest} s"


def clock(when: float) -> str:
    """A wall-clock time to the millisecond, local time: ``14:03:07.215`` (``?`` for no time)."""
    try:
        return time.strftime("%H:%M:%S", time.localtime(when)) + f".{int(when * 1000) % 1000:03d}"
    except (ValueError, OverflowError, OSError, TypeError):  # NaN or 1e30 from a hand-edited file
        return "?"


def stamp(when: float) -> str:
    """A date and time, local: ``2025-03-01 14:03:07`` (``?`` for no time)."""
    try:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(when))
    except (ValueError, OverflowError, OSError, TypeError):
        return "?"


def deltas(transcript: Transcript) -> list[float]:
    """For each exchange, the seconds since the one before (0 for the first)."""
    out, previous = [], None
    for exchange in transcript.exchanges:
        out.append(0.0 if previous is None else exchange.time - previous)
        previous = exchange.time
    return out


def _where(meta: dict) -> str:
    for key in ("server", "peer"):
        if meta.get(key):
            return visible_text(str(meta[key]))
    return ""


def summary_rows(transcript: Transcript, lang: str) -> list[tuple[str, str]]:
    """(label, value) rows describing the session, for the page header and the report."""
    page = lambda key, **v: text("page", key, lang, **v)  # noqa: E731
    meta = transcript.meta
    source = {"repl": "source-repl", "sandbox": "source-sandbox", "log": "source-log"}.get(
        str(meta.get("source")), "")
    rows = []
    if source:
        rows.append((page("source"), page(source)))
    where = _where(meta)
    if where:
        rows.append((page("server") if meta.get("server") else page("peer"), where))
    if transcript.start is not None:
        rows.append((page("started"), stamp(transcript.start)))
        rows.append((page("duration"), delta(transcript.duration).lstrip("+")))
    rows.append((page("exchanges"), str(len(transcript.exchanges))))
    if transcript.connections > 1:
        rows.append((page("connections"), str(transcript.connections)))
    first_tls = transcript.first_tls()
    rows.append((page("tls"), page("tls-yes", index=first_tls.index) if first_tls else page("tls-no")))
    state = secrets_state(transcript)
    if state != "none":
        rows.append((page("secrets"), page(f"secrets-{state}")))
    return rows


def wire_lines(exchange: Exchange, lang: str | None = None) -> list[str]:
    """The exchange's bytes as lines without their CRLF (other line ends stay visible).

    With ``lang``, a line of 8-bit text (我爱计算机网络) is marked with its charset and its
    length in bytes, in that language: the text is shown, the bytes stay countable.
    """
    lines, start, data = [], 0, exchange.data
    for line in shown_lines(data):
        text_ = line_text(data[start:start + line.octets])
        start += line.octets
        if lang is not None and line.charset:
            text_ += "   " + eight_bit_mark(line, lang)
        lines.append(text_)
    return lines or [""]


def marker_text(kind: str, lang: str, *, notation: bool = False, number: int = 1) -> str:
    """What a marker says on the page, or in C:/S: notation (``notation``)."""
    key = f"text-{kind}" if notation else kind
    return text("markers", key, lang, number=number)


# line_text is re-exported for the renderers: one line as sent, without its CRLF
__all__.append("line_text")
