"""The class report as one self-contained HTML page: a sortable table of the students, the class
summary, and each student's sessions drawn as ladders by the transcript's own ladder renderer.

Nothing is loaded from anywhere (inline CSS and script, the ladder's Content-Security-Policy).
Everything a client sent goes through the visible rendering and HTML escaping. The DOM is meant
to be checked by tests: the table is ``table#students``, each row ``tr.student`` with
``data-id``, and each cell ``data-value`` (what the column sorts by; ``#sort=KEY`` or
``#sort=KEY-desc`` in the address sorts on opening, KEY a heading's ``data-key``); each
student's ladders are in ``section.student`` with ``data-id``, each ladder in
``article.session`` with ``data-session``.
"""

from __future__ import annotations

import html
from functools import partial

from explorer import __version__
from explorer.core.render import visible_text
from explorer.language import html_lang
from explorer.recording.walker import analyse
from explorer.reports.assets import CSP, CSS, SCRIPT
from explorer.reports.class_facts import SessionFacts
from explorer.reports.class_log import LoggedSession
from explorer.reports.class_formats import counts, mistake_list, shown_time, texts
from explorer.reports.class_report import ClassReport, StudentRow
from explorer.reports.findings import lint_findings
from explorer.reports.html import render_ladder
from explorer.reports.parallel import map_sessions
from explorer.reports.secrets import prepare
from explorer.reports.texts import text as page_text
from explorer.sandbox.texts import outcome_text

__all__ = ["render_class_html", "LADDERS_PER_STUDENT"]

#: The most recent sessions of each student drawn as ladders (a page of 10,000 ladders would
#: not open); the others are named, to be drawn one by one with ``smtp-explorer transcript``.
LADDERS_PER_STUDENT = 3
#: Ladders take about a millisecond each: from this many on, they are drawn on every core.
LADDERS_POOL_FROM = 200

_CSS = """
table#students { border-collapse: collapse; margin: 1em 0; font-size: 14px; }
table#students th, table#students td { border: 1px solid #bbb; padding: 3px 8px; text-align: left; }
table#students th button { font: inherit; font-weight: bold; border: 0; background: none;
  cursor: pointer; padding: 0; }
table#students th[aria-sort="ascending"] button::after { content: " \\25B2"; }
table#students th[aria-sort="descending"] button::after { content: " \\25BC"; }
table#students td.num { text-align: right; }
tr.absent td { color: #888; }
section.student { border-top: 2px solid #888; margin-top: 2em; }
article.session h3 { font-size: 15px; margin: 1em 0 0.3em; }
.class-summary li { margin: 2px 0; }
"""

# Sorting: numbers as numbers, the rest as text; a second click reverses. No library.
_SORT_SCRIPT = """
(function () {
  "use strict";
  var table = document.getElementById("students");
  if (!table) { return; }
  var body = table.tBodies[0];
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
    var button = th.querySelector("button");
    if (!button) { return; }
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      var key = function (row) { return row.cells[column].getAttribute("data-value"); };
      var numeric = rows.every(function (row) { var v = key(row); return v === "" || !isNaN(Number(v)); });
      rows.sort(function (a, b) {
        var x = key(a), y = key(b), order;
        if (numeric) { order = (x === "" ? -1 : Number(x)) - (y === "" ? -1 : Number(y)); }
        else { order = x < y ? -1 : (x > y ? 1 : 0); }
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  // A link may ask for an order: report.html#sort=score-desc (a column's data-key).
  var asked = /^#sort=([a-z-]+?)(-desc)?$/.exec(window.location.hash);
  var th = asked ? table.querySelector('th[data-key="' + asked[1] + '"]') : null;
  if (th) {
    th.querySelector("button").click();
    if (asked[2]) { th.querySelector("button").click(); }
  }
})();
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _v(value: object) -> str:
    """Visible, then escaped: for anything a client sent."""
    return _e(visible_text(str(value)))


def _cell(shown: str, value: object, numeric: bool = False) -> str:
    cls = ' class="num"' if numeric else ""
    return f'<td{cls} data-value="{_e(value)}">{shown}</td>'


def _row(row: StudentRow, report: ClassReport) -> str:
    s, last = row.student, row.last_session
    anchor = f'<a href="#student-{_e(s.id)}">{_v(s.id)}</a>' if row.sessions else _v(s.id)
    cells = [_cell(anchor, s.id), _cell(_v(s.name), s.name),
             _cell(str(len(row.sessions)), len(row.sessions), True),
             _cell(str(len(row.deliveries)), len(row.deliveries), True),
             _cell(_e(shown_time(row.first_success)), row.first_success or ""),
             _cell(f"#{last.session.id}" if last else "", last.session.started or "" if last else ""),
             _cell(_e(mistake_list(row)), sum(row.mistakes.values()), False),
             _cell(str(len(row.auth_failures)), len(row.auth_failures), True)]
    if report.rubric is not None:
        cells.append(_cell(f"{row.score}/{report.rubric.total}", row.score, True))
    absent = "" if row.sessions else " absent"
    return f'<tr class="student{absent}" data-id="{_e(s.id)}">{"".join(cells)}</tr>'


def _table(report: ClassReport, t: dict[str, str]) -> list[str]:
    columns = ["column-id", "column-name", "column-sessions", "column-delivered", "column-first",
               "column-last", "column-mistakes", "column-auth-failed"] + \
        (["column-score"] if report.rubric else [])
    head = "".join(f'<th scope="col" data-key="{c[len("column-"):]}"><button type="button">'
                   f'{_e(t[c])}</button></th>' for c in columns)
    return [f'<p class="hint">{_e(t["sort-hint"])}</p>',
            f'<table id="students"><thead><tr>{head}</tr></thead><tbody>',
            *[_row(row, report) for row in report.students], "</tbody></table>"]


def _summary(report: ClassReport, t: dict[str, str]) -> list[str]:
    items = [f"<li>{_e(t['common-item'].strip().format(key=k, times=n, students=m))}</li>"
             for k, n, m in report.common_mistakes()] or [f"<li>{_e(t['none'])}</li>"]
    absent = " ".join(visible_text(r.student.id) for r in report.not_connected) or t["none"]
    missing = t["not-connected"].format(count=len(report.not_connected), ids=absent)
    out = [f'<section class="class-summary"><h2>{_e(t["summary"])}</h2>',
           f"<p>{_e(t['common'])}</p><ul>", *items, "</ul>",
           f'<p id="not-connected">{_e(missing)}</p>']
    if report.unattributed:
        ids = " ".join(f"#{f.session.id}" for f in report.unattributed)
        nobody = t["unattributed"].format(count=len(report.unattributed), ids=ids)
        out.append(f'<p id="unattributed">{_e(nobody)}</p>')
    return out + ["</section>"]


def _ladder(session: LoggedSession, lang: str) -> str:
    # Walked with the student's login, as the table's mistakes were: the ladder says the same.
    transcript, _ = prepare(session.chunks, lang=lang,
                            meta={"source": "log", "session": session.id, "peer": session.peer},
                            analysis=analyse(session.chunks, username=session.username))
    return render_ladder(transcript, lint_findings(transcript),
                         anchor=f"s{session.id}-")


def _shown(row: StudentRow) -> list[SessionFacts]:
    """The sessions of a student drawn as ladders: the latest."""
    return row.sessions[-LADDERS_PER_STUDENT:]


def _student(row: StudentRow, t: dict[str, str], lang: str, ladders: dict[int, str]) -> list[str]:
    s = row.student
    name = f" {_v(s.name)}" if s.name else ""
    out = [f'<section class="student" id="student-{_e(s.id)}" data-id="{_e(s.id)}">',
           f"<h2>{_v(s.id)}{name} &lt;{_v(s.address)}&gt;</h2>"]
    shown = _shown(row)
    earlier = len(row.sessions) - len(shown)
    if earlier:
        out.append(f'<p class="hint">{_e(t["ladders-more"].format(count=earlier))}</p>')
    for facts in shown:
        session = facts.session
        title = t["session-title"].format(session=session.id, time=shown_time(session.started),
                                          outcome=outcome_text(session.outcome, lang))
        out += [f'<article class="session" data-session="{session.id}">', f"<h3>{_e(title)}</h3>",
                ladders[session.id], "</article>"]
    return out + ["</section>"]


def render_class_html(report: ClassReport, lang: str = "en") -> str:
    """The whole page."""
    t = texts(lang)
    title = t["title"]
    heading = counts(report, t)  # under the title: not the title again
    out = ["<!DOCTYPE html>", f'<html lang="{_e(html_lang(lang))}">', "<head>", '<meta charset="utf-8">',
           f'<meta http-equiv="Content-Security-Policy" content="{_e(CSP)}">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<meta name="referrer" content="no-referrer">', f"<title>{_e(title)}</title>",
           f"<style>{CSS}{_CSS}</style>", "</head>", "<body>", '<header class="top">',
           f"<h1>{_e(title)}</h1>", f'<p id="heading">{_e(heading)}</p>']
    if report.rubric is not None:
        name = report.rubric.title or report.rubric.path.name
        out.append(f"<p>{_e(t['rubric'].format(title=visible_text(name), total=report.rubric.total))}</p>")
    out += [f'<p class="hint">{_e(t["secrets"])}</p>', "</header>"]
    out += _table(report, t) + _summary(report, t)
    out.append(f'<h2>{_e(t["ladders"])}</h2>')
    drawn = [facts.session for row in report.students for facts in _shown(row)]
    ladders = dict(zip((s.id for s in drawn),
                       map_sessions(partial(_ladder, lang=lang), drawn,
                                    least=LADDERS_POOL_FROM)))
    for row in report.students:
        if row.sessions:
            out += _student(row, t, lang, ladders)
    out += [f'<p class="footer">{_e(page_text("page", "generated", lang, version=__version__))}</p>',
            f"<script>{SCRIPT}{_SORT_SCRIPT}</script>", "</body>", "</html>", ""]
    return "\n".join(out)
