"""The ladder diagram: one self-contained HTML page (inline CSS and script, nothing loaded).

Client and server are two vertical lanes; each exchange is one arrow between them, in order,
labelled with the command as sent or with the reply code and its one-line meaning, coloured by
reply class. Arrows under TLS sit on a green band that starts at the TLS handshake marker. The
gutter gives each arrow's number and the time since the previous one. Each arrow is a
``<details>``: a click opens its exact bytes and the explanation, hovering shows a summary.

Everything from the wire goes through the visible rendering, then HTML escaping. The DOM is
meant to be checked by tests: every arrow is ``details.arrow`` with ``data-index``,
``data-dir`` and ``data-label``.
"""

from __future__ import annotations

import html
from typing import Any, Iterable

from explorer import __version__
from explorer.core.render import hexdump, shown_lines, visible_text
from explorer.language import html_lang
from explorer.reports.explaining import eight_bit_mark
from explorer.reports.assets import CSP, CSS, SCRIPT
from explorer.lint import Finding
from explorer.reports.findings import finding_text, place_findings
from explorer.reports.fmt import clock, delta, deltas, marker_text, summary_rows
from explorer.reports.model import CLIENT, Exchange, Transcript
from explorer.reports.secrets import secrets_state
from explorer.reports.texts import group, text

__all__ = ["render_html", "render_ladder", "MAX_SHOWN_OCTETS", "SLOW_SECONDS"]

#: An arrow's detail shows at most this many octets (a big message would make the page unusable).
MAX_SHOWN_OCTETS = 256 * 1024
#: A gap longer than this between two arrows is highlighted (a timeout is often the lesson).
SLOW_SECONDS = 2.0
_TITLE_OCTETS = 300


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _classes(exchange: Exchange, findings: list[Finding]) -> str:
    names = ["arrow", "to-server" if exchange.direction == CLIENT else "to-client", f"kind-{exchange.kind}"]
    if exchange.klass is not None:
        names.append(f"k{exchange.klass}")
    if exchange.kind == "garbage":
        names.append("garbage")
    if exchange.tls:
        names.append("tls")
    if exchange.redacted:
        names.append("redacted")
    if findings:
        names.append("has-finding")
    return " ".join(names)


def _title(exchange: Exchange, gap: float) -> str:
    shown = exchange.visible
    if len(shown) > _TITLE_OCTETS:
        shown = shown[:_TITLE_OCTETS] + "..."
    return f"#{exchange.index} {exchange.label}\n{exchange.meaning}\n{shown}\n{delta(gap)}"


def _bytes_block(exchange: Exchange, lang: str) -> str:
    data = exchange.data[:MAX_SHOWN_OCTETS]
    lines = shown_lines(data)
    body = "\n".join(line.text for line in lines)
    more = len(exchange.data) - len(data)
    note = f'\n<p class="facts">{_e(text("page", "more-octets", lang, octets=more))}</p>' if more > 0 else ""
    eight_bit = [line for line in lines if line.charset]
    if eight_bit:  # the text is shown as text: its bytes, in hex, one click away
        marks = " ".join(eight_bit_mark(line, lang) for line in eight_bit)
        note += (f'\n<details class="hex"><summary>{_e(marks)}</summary>'
                 f'<pre class="bytes">{_e(hexdump(data))}</pre></details>')
    return f"<pre class=\"bytes\">{_e(body)}</pre>{note}"


def _detail(t: Transcript, exchange: Exchange, gap: float, findings: list[Finding]) -> str:
    lang = t.lang
    page = group("page", lang)
    parts = [f'<p class="meaning">{_e(exchange.meaning)}</p>',
             f"<h4>{_e(page['bytes'])}</h4>", _bytes_block(exchange, lang)]
    facts = [text("labels", "octets", lang, octets=len(exchange.data)), clock(exchange.time),
             f"{delta(gap)} {page['delta']}"]
    if exchange.tls:
        facts.append(page["tls"])
    facts.append(text("labels", "chunks", lang, chunks=", ".join(str(c) for c in exchange.chunks)))
    parts.append(f'<p class="facts">{_e(" · ".join(facts))}</p>')
    links = []
    if exchange.answers is not None:
        asked = t.exchanges[exchange.answers]
        links.append((asked.index, text("labels", "answers", lang, index=asked.index, label=asked.label)))
    elif exchange.name == "GREETING":
        links.append((None, text("labels", "greeting", lang)))
    for index in exchange.answered_by:
        links.append((index, text("labels", "answered-by", lang, index=index, label=t.exchanges[index].label)))
    items = [f'<li><a href="#ex-{i}">{_e(label)}</a></li>' if i is not None else f"<li>{_e(label)}</li>"
             for i, label in links]
    items += [f"<li>{_e(line)}</li>" for line in exchange.explanation]
    items += [f'<li class="finding"><strong>{_e(f.key)}</strong>: {_e(finding_text(f, t.lang))}</li>'
              for f in findings]
    if items:
        parts += [f"<h4>{_e(page['explanation'])}</h4>", "<ul>", *items, "</ul>"]
    return ('<div class="detail"><span class="l c"></span><span class="l s"></span>'
            f'<div class="box">{"".join(parts)}</div></div>')


def _arrow(t: Transcript, exchange: Exchange, gap: float, findings: list[Finding]) -> str:
    # Under the arrow: the first line exactly as on the wire, its CRLF shown (the label says
    # what it is; this says what it was).
    lines = [line.text for line in shown_lines(exchange.data)] or [""]
    shown = lines[0] + (f" ... (+{len(lines) - 1})" if len(lines) > 1 else "")
    slow = ' class="slow"' if gap >= SLOW_SECONDS else ""
    flags = "".join(f'<span class="flag" title="{_e(finding_text(f, t.lang))}">! {_e(f.key)}</span>'
                    for f in findings)
    label = exchange.label
    return (
        f'<details class="{_classes(exchange, findings)}" id="ex-{exchange.index}" role="listitem" '
        f'data-index="{exchange.index}" data-dir="{exchange.direction}" data-kind="{exchange.kind}" '
        f'data-name="{_e(exchange.name)}" data-code="{exchange.code if exchange.code is not None else ""}" '
        f'data-tls="{"1" if exchange.tls else "0"}" data-label="{_e(label)}">'
        f'<summary title="{_e(_title(exchange, gap))}">'
        f'<span class="gut"><span class="num">#{exchange.index}</span><span{slow}>{_e(delta(gap))}</span></span>'
        '<span class="l c"></span><span class="l s"></span>'
        f'<span class="body"><span class="label">{_e(label)}{flags}</span><span class="shaft"></span>'
        f'<span class="wire">{_e(shown)}</span></span></summary>'
        f"{_detail(t, exchange, gap, findings)}</details>")


def _marker(t: Transcript, kind: str, number: int, tls: bool) -> str:
    cls = f"marker {kind}" + (" tls" if tls else "")
    return (f'<div class="{cls}" data-kind="{kind}"><span class="gut"></span><span class="l c"></span>'
            f'<span class="l s"></span><span class="text">{_e(marker_text(kind, t.lang, number=number))}</span></div>')


def _header(t: Transcript, placed: dict, title: str) -> list[str]:
    lang = t.lang
    page = group("page", lang)
    state = secrets_state(t)
    rows = []
    for label, value in summary_rows(t, lang):
        cls = ' class="revealed"' if state == "revealed" and label == page["secrets"] else ""
        rows.append(f"<dt>{_e(label)}</dt><dd{cls}>{_e(value)}</dd>")
    legend = [("c", page["legend-client"]), ("k2", page["legend-2"]), ("k3", page["legend-3"]),
              ("k4", page["legend-4"]), ("k5", page["legend-5"]), ("tls", page["legend-tls"])]
    if any(placed.values()):
        legend.append(("flag", page["legend-finding"]))
    out = ['<header class="top">', f"<h1>{_e(title)}</h1>", f'<dl class="summary">{"".join(rows)}</dl>',
           f'<ul class="legend" aria-label="{_e(page["legend"])}">',
           *[f'<li><span class="swatch {cls}"></span>{_e(label)}</li>' for cls, label in legend], "</ul>",
           f'<p class="hint">{_e(page["hint"])}</p>',
           '<div class="controls" id="controls" hidden>',
           f'<button type="button" data-open="1">{_e(page["expand"])}</button>',
           f'<button type="button" data-open="0">{_e(page["collapse"])}</button>',
           f'<label><input type="checkbox" id="print-details"> {_e(page["print-details"])}</label>',
           "</div>", "</header>"]
    found = [(i, f) for i, items in placed.items() for f in items]
    if found:
        out += [f'<section class="findings"><h2>{_e(page["findings"])}</h2><ul>']
        for index, f in sorted(found, key=lambda pair: (pair[0] is None, pair[0] or 0)):
            where = (f'<a href="#ex-{index}">{_e(text("page", "finding-at", lang, index=index))}</a>'
                     if index is not None else _e(page["finding-unplaced"]))
            out.append(f"<li><strong>{_e(f.key)}</strong> ({where}): {_e(finding_text(f, lang))}</li>")
        out.append("</ul></section>")
    return out


def _lane_head(side: str, name: str, address: object) -> str:
    shown = visible_text(str(address or ""))
    small = f'<small title="{_e(shown)}">{_e(shown)}</small>' if shown else ""
    return f'<span class="lane-head {side}">{_e(name)}{small}</span>'


def render_ladder(transcript: Transcript, findings: Iterable[Any] | None = None, *,
                  anchor: str = "", placed: dict | None = None) -> str:
    """The ladder alone (``<main class="ladder">``), for a page that shows several: the class
    report. ``anchor`` prefixes the arrows' ids, so two ladders on one page never share one;
    the page needs :data:`~explorer.reports.assets.CSS` (and SCRIPT for its buttons)."""
    t = transcript
    page = group("page", t.lang)
    if placed is None:
        placed = place_findings(t, findings)
    out = ['<main class="ladder" role="list">',
           '<div class="lanes" aria-hidden="true"><span class="gut"></span>'
           # Under each side its address: the server a client connected to; the client (the
           # sandbox's "peer") that connected to the sandbox.
           f'{_lane_head("c", page["client"], t.meta.get("peer"))}'
           f'{_lane_head("s", page["server"], t.meta.get("server"))}'
           '<span class="l c"></span><span class="l s"></span></div>']
    gaps = deltas(t)
    tls_now = False
    for index in range(len(t.exchanges) + 1):
        for marker in t.markers_before(index):
            if marker.kind in ("tls-started", "tls-from-start"):
                tls_now = True
            elif marker.kind == "connection-opened":
                tls_now = False
            out.append(_marker(t, marker.kind, marker.connection, tls_now and marker.kind != "tls-started"))
        if index < len(t.exchanges):
            exchange = t.exchanges[index]
            out.append(_arrow(t, exchange, gaps[index], placed.get(index, [])))
    if not t.exchanges:
        out.append(f'<p class="empty">{_e(page["empty"])}</p>')
    out.append("</main>")
    html_text = "\n".join(out)
    if anchor:
        # Every id and link of an arrow starts with "ex-"; what came from the wire is escaped
        # (quotes included), so these two spellings occur only where the page put them.
        html_text = html_text.replace(' id="ex-', f' id="{anchor}ex-').replace(
            ' href="#ex-', f' href="#{anchor}ex-')
    return html_text


def render_html(transcript: Transcript, findings: Iterable[Any] | None = None, *,
                title: str | None = None) -> str:
    """The whole page. ``findings``: a linter's remarks (see :mod:`.findings`), marked on arrows."""
    t, lang = transcript, transcript.lang
    page = group("page", lang)
    placed = place_findings(t, findings)
    where = visible_text(str(t.meta.get("server") or t.meta.get("peer") or ""))
    title = title or page["title"] + (f" - {where}" if where else "")
    out = ["<!DOCTYPE html>", f'<html lang="{_e(html_lang(lang))}">', "<head>", '<meta charset="utf-8">',
           f'<meta http-equiv="Content-Security-Policy" content="{_e(CSP)}">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<meta name="referrer" content="no-referrer">',
           f"<title>{_e(title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>"]
    out += _header(t, placed, title)
    out.append(render_ladder(t, placed=placed))
    out += [f'<p class="footer">{_e(text("page", "generated", lang, version=__version__))}</p>',
            f"<script>{SCRIPT}</script>", "</body>", "</html>", ""]
    return "\n".join(out)
