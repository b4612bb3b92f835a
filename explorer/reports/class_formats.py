"""The class report as text (for the instructor's terminal), CSV (a grade book) and JSON.

CSV and JSON are for programs: their column names and keys are fixed English identifiers and
their times ISO 8601 in UTC. The text follows the language asked for (``knowledge/classroom.toml``).
Everything a client sent (subjects, usernames) is shown through the visible rendering.
"""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any

from explorer.core.render import visible_text
from explorer.knowledge.tables import load, pick
from explorer.reports.class_facts import SessionFacts
from explorer.reports.class_report import ClassReport, StudentRow
from explorer.sandbox.texts import outcome_text
from explorer.width import fill

__all__ = ["render_text", "counts", "render_csv", "render_json", "iso_time", "shown_time", "mistake_list",
           "texts", "CSV_COLUMNS"]

#: The CSV's columns before the rubric's items (``rubric-<name>``, then ``score``, ``max_score``).
CSV_COLUMNS = ("id", "name", "address", "sessions", "delivered", "recipients", "subjects",
               "first_success", "last_session", "last_outcome", "mistakes", "errors",
               "auth_failed")
_WIDTH = 100


def texts(lang: str) -> dict[str, str]:
    """The report's texts in ``lang``."""
    return pick(load("classroom")["report"], lang)


def iso_time(when: float | None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when)) if when is not None else ""


def shown_time(when: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(when)) if when is not None else ""


def mistake_list(row: StudentRow, separator: str = " ") -> str:
    """``key count`` pairs, the most frequent first (``bare-lf 3, no-quit 1``)."""
    return ", ".join(f"{key}{separator}{count}" for key, count in
                     sorted(row.mistakes.items(), key=lambda kv: (-kv[1], kv[0])))


def _shown(text: str) -> str:
    return visible_text(text)


def _student_lines(row: StudentRow, report: ClassReport, t: dict[str, str], lang: str) -> list[str]:
    s = row.student
    name = f"{_shown(s.name)} " if s.name else ""
    head = t["student"].format(id=_shown(s.id), name=name, address=_shown(s.address))
    if row.score is not None and report.rubric is not None:
        head += "  " + t["score"].format(score=row.score, total=report.rubric.total)
    lines = [head]
    last = row.last_session
    if last is None:
        return lines + ["  " + t["no-sessions"]]
    lines.append("  " + t["sessions"].format(
        count=len(row.sessions), session=last.session.id, time=shown_time(last.session.started),
        outcome=outcome_text(last.session.outcome, lang)))
    for d in row.deliveries:
        lines.append("  " + t["delivered"].format(
            session=d.session, time=shown_time(d.time), to=", ".join(map(_shown, d.recipients)),
            subject=_shown(d.subject)))
    failed = row.auth_failures
    if failed:
        lines.append("  " + t["auth-failed"].format(count=len(failed),
                                                     user=_shown(failed[-1].session.tried[-1])))
    if row.first_success is not None:
        lines.append("  " + t["first-success"].format(time=shown_time(row.first_success)))
    listed = mistake_list(row)
    lines.append("  " + (t["mistakes"].format(list=listed) if listed else t["no-mistakes"]))
    return lines


def counts(report: ClassReport, t: dict[str, str]) -> str:
    """"300 students, 290 connected, 250 with a message delivered, 10000 sessions"."""
    return t["counts"].format(students=len(report.students),
                              connected=len(report.students) - len(report.not_connected),
                              delivered=len(report.delivered), sessions=report.sessions)


def render_text(report: ClassReport, lang: str = "en") -> str:
    """The report for a terminal: the heading, one block per student, the class summary."""
    t = texts(lang)
    out = [t["heading"].format(title=t["title"], counts=counts(report, t))]
    if report.rubric is not None:
        out.append(t["rubric"].format(title=_shown(report.rubric.title or report.rubric.path.name),
                                      total=report.rubric.total))
    out.append("")
    for row in report.students:
        if row.sessions:
            out += _student_lines(row, report, t, lang) + [""]
    out.append(f"== {t['summary']} ==")
    out.append(t["common"])
    common = report.common_mistakes()
    out += [t["common-item"].format(key=k, times=n, students=m) for k, n, m in common] or \
        ["  " + t["none"]]
    absent = report.not_connected
    out += _wrapped(t["not-connected"].format(count=len(absent), ids=" ".join(
        _shown(r.student.id) for r in absent) or t["none"]))
    if report.unattributed:
        out += _wrapped(t["unattributed"].format(count=len(report.unattributed), ids=" ".join(
            f"#{f.session.id}" for f in report.unattributed)))
    return "\n".join(out) + "\n"


def _wrapped(line: str) -> list[str]:
    # A list of a hundred ids: wrapped at the ids' spaces, never inside one; CJK is 2 columns.
    return fill(line, _WIDTH, hanging="  ", break_long_words=False,
                break_on_hyphens=False).splitlines() or [line]


def _csv_row(row: StudentRow, report: ClassReport) -> list[Any]:
    s, deliveries, last = row.student, row.deliveries, row.last_session
    recipients = sorted({r.lower() for d in deliveries for r in d.recipients})
    cells: list[Any] = [
        s.id, s.name, s.address, len(row.sessions), len(deliveries), " ".join(recipients),
        " | ".join(d.subject for d in deliveries), iso_time(row.first_success),
        iso_time(last.session.started) if last else "", last.session.outcome if last else "",
        mistake_list(row, ":").replace(", ", " "), sum(f.errors for f in row.sessions),
        len(row.auth_failures)]
    if report.rubric is not None:
        points = row.points or {}
        cells += [points.get(item.name, 0) for item in report.rubric.items]
        cells += [row.score, report.rubric.total]
    return cells


def _cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = visible_text(value)  # no control character reaches a terminal or a spreadsheet
    # A cell starting with = + - @ is a formula to a spreadsheet: never from what a client sent.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def render_csv(report: ClassReport) -> str:
    """One row per student of the roster, in its order: a grade book's import."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = list(CSV_COLUMNS)
    if report.rubric is not None:
        # Prefixed: an item may well be called "delivered", like a column before it.
        header += [f"rubric-{item.name}" for item in report.rubric.items] + ["score", "max_score"]
    writer.writerow(header)
    for row in report.students:
        # A cell starting with = + - @ would be a formula in a spreadsheet: not from a client.
        writer.writerow([_cell(c) for c in _csv_row(row, report)])
    return out.getvalue()


def _session_json(f: SessionFacts) -> dict[str, Any]:
    s = f.session
    return {"id": s.id, "peer": s.peer, "started": iso_time(s.started), "ended": iso_time(s.ended),
            "outcome": s.outcome, "username": s.username, "tried": list(s.tried),
            "mail_from": list(s.mail_from), "ehlo": f.ehlo, "helo": f.helo,
            "authenticated": f.authenticated,
            "delivered": [{"to": list(d.recipients), "from": d.sender, "subject": d.subject,
                           "time": iso_time(d.time), "after_auth": d.after_auth,
                           "charset_ok": d.charset_ok} for d in f.deliveries],
            "mistakes": dict(sorted(f.mistakes.items())), "errors": f.errors}


def render_json(report: ClassReport) -> str:
    """Everything the report knows, for another program."""
    students = []
    for row in report.students:
        s = row.student
        item: dict[str, Any] = {
            "id": s.id, "name": s.name, "address": s.address,
            "sessions": [_session_json(f) for f in row.sessions],
            "delivered": sum(len(f.deliveries) for f in row.sessions),
            "first_success": iso_time(row.first_success) or None,
            "last_session": row.last_session.session.id if row.last_session else None,
            "mistakes": dict(sorted(row.mistakes.items()))}
        if report.rubric is not None:
            item["points"], item["score"] = row.points, row.score
        students.append(item)
    rubric = None if report.rubric is None else {
        "title": report.rubric.title, "total": report.rubric.total,
        "items": [{"name": i.name, "text": i.text, "points": i.points, "check": i.check}
                  for i in report.rubric.items]}
    summary = {"students": len(report.students), "sessions": report.sessions,
               "delivered": [r.student.id for r in report.delivered],
               "not_connected": [r.student.id for r in report.not_connected],
               "common_mistakes": [{"key": k, "times": n, "students": m}
                                   for k, n, m in report.common_mistakes()],
               "unattributed": [_session_json(f) for f in report.unattributed]}
    return json.dumps({"students": students, "summary": summary, "rubric": rubric},
                      ensure_ascii=False, indent=1) + "\n"
