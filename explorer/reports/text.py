"""The plain transcript: ``C:`` and ``S:`` lines, in the notation of RFC 5321 and RFC 3207.

Every line is shown as it crossed the wire, without its CRLF; anything else that is not
printable ASCII (a bare LF, a CR inside a line, an ESC) is written as an escape, so the text is
safe to print and no difference from the real bytes is hidden. Connection and TLS events are
shown as RFC 3207 does (``C & S: <negotiate a TLS session>``).
"""

from __future__ import annotations

from explorer.reports.fmt import marker_text, wire_lines
from explorer.reports.model import CLIENT, Transcript

__all__ = ["render_text", "transcript_lines"]


def transcript_lines(transcript: Transcript) -> list[str]:
    """The transcript, one string per line."""
    lang = transcript.lang
    out: list[str] = []
    for index in range(len(transcript.exchanges) + 1):
        for marker in transcript.markers_before(index):
            out.append(marker_text(marker.kind, lang, notation=True, number=marker.connection))
        if index == len(transcript.exchanges):
            break
        exchange = transcript.exchanges[index]
        tag = "C: " if exchange.direction == CLIENT else "S: "
        if exchange.kind == "bytes":
            out.append(tag + exchange.label)
            continue
        out += [tag + line for line in wire_lines(exchange, lang)]
    return out


def render_text(transcript: Transcript) -> str:
    """The whole transcript as text, ending with a newline."""
    return "\n".join(transcript_lines(transcript)) + "\n"
