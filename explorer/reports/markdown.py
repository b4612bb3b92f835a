"""A Markdown report of a session: a summary, the C:/S: transcript, a table of the exchanges
with the meaning of each, their explanations, and the findings if there are any.

Everything from the wire is in code spans or a fenced block sized to what it holds; every other
text is escaped, so a reply such as ``<domain> Service ready`` cannot turn into HTML.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from explorer import __version__
from explorer.reports.findings import finding_text, place_findings
from explorer.reports.fmt import deltas, delta, summary_rows, wire_lines
from explorer.reports.model import CLIENT, Exchange, Transcript
from explorer.reports.text import transcript_lines
from explorer.reports.texts import text

__all__ = ["render_markdown", "md_text", "md_code"]

# What can start emphasis, code, links, tables or strike-through anywhere in a line (nothing here
# starts a line, so list and heading markers need no escape).
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_WIRE_WIDTH = 72


def md_text(value: str) -> str:
    """Plain text for Markdown: punctuation escaped, ``<`` and ``&`` as entities."""
    return _SPECIAL.sub(r"\\\1", value.replace("&", "&amp;").replace("<", "&lt;"))


def md_code(value: str, *, in_table: bool = True) -> str:
    """A code span holding ``value`` exactly (backticks inside are allowed)."""
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value.strip() else ""
    body = value.replace("|", "\\|") if in_table else value
    return f"{fence}{pad}{body}{pad}{fence}"


def _short(value: str) -> str:
    return value if len(value) <= _WIRE_WIDTH else value[:_WIRE_WIDTH - 3] + "..."


def _wire_and_meaning(exchange: Exchange) -> tuple[str, str]:
    """What an exchange is on the wire (its first line, shortened; for content, its size) and
    what it means (a reply's code and meaning)."""
    wire = _short(wire_lines(exchange)[0]) if exchange.kind != "content" else exchange.label
    return wire, exchange.label if exchange.code is not None else exchange.meaning


def render_markdown(transcript: Transcript, findings: Iterable[Any] | None = None) -> str:
    """The report as Markdown text."""
    lang = transcript.lang
    page = lambda key, **v: text("page", key, lang, **v)  # noqa: E731
    out = [f"# {md_text(page('title'))}", "", "| | |", "|---|---|"]
    out += [f"| {md_text(label)} | {md_text(value)} |" for label, value in summary_rows(transcript, lang)]
    placed = place_findings(transcript, findings)
    if any(placed.values()):
        out += ["", f"## {md_text(page('findings'))}", ""]
        for index, items in sorted(placed.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
            where = page("finding-at", index=index) if index is not None else page("finding-unplaced")
            out += [f"- **{md_text(f.key)}** ({md_text(where)}): {md_text(finding_text(f, lang))}" for f in items]
    out += ["", f"## {md_text(page('transcript'))}", ""]
    lines = transcript_lines(transcript)
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    out += [fence + "text", *lines, fence]
    if not transcript.exchanges:
        out += ["", md_text(page("empty"))]
    else:
        out += ["", f"## {md_text(page('exchanges'))}", "",
                f"| {page('table-index')} | {md_text(page('table-time'))} | {md_text(page('table-direction'))} "
                f"| {md_text(page('table-wire'))} | {md_text(page('table-meaning'))} |",
                "|---:|---:|:---:|---|---|"]
        for exchange, gap in zip(transcript.exchanges, deltas(transcript)):
            arrow = "C → S" if exchange.direction == CLIENT else "C ← S"
            wire, meaning = _wire_and_meaning(exchange)
            marks = "".join(f" **⚑ {md_text(f.key)}**" for f in placed.get(exchange.index, ()))
            out.append(f"| {exchange.index} | {md_text(delta(gap))} | {arrow} | {md_code(wire)} "
                       f"| {md_text(meaning)}{marks} |")
        out += _explanations(transcript)
    out += ["", md_text(page("generated", version=__version__)), ""]
    return "\n".join(out)


def _explanations(transcript: Transcript) -> list[str]:
    """Each exchange's explanation (the words the REPL and the HTML ladder show), as a list
    under its number and label."""
    explained = [e for e in transcript.exchanges if e.explanation]
    if not explained:
        return []
    out = ["", f"## {md_text(text('page', 'explanation', transcript.lang))}", ""]
    for exchange in explained:
        wire, meaning = _wire_and_meaning(exchange)
        out.append(f"- **{exchange.index}** {md_code(wire, in_table=False)} {md_text(meaning)}")
        out += [f"  - {md_text(line)}" for line in exchange.explanation]
    return out
