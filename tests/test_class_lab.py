"""Done means: a roster of 120, the class server, 20 students' clients (right ones, wrong
passwords, HELO only, a missing CRLF, bare LF, undeclared UTF-8), and the CSV and JSON reports
checked row by row against the rubric of docs/rubric.md."""

from __future__ import annotations

import csv
import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import class_clients as kinds
import pytest
from test_sandbox_cli import listening, running

from explorer.sandbox.roster import read_roster

DOCS = Path(__file__).resolve().parent.parent / "docs"
PLAN = ([kinds.right] * 8 + [kinds.wrong_password] * 4 + [kinds.helo_only] * 3
        + [kinds.missing_crlf] * 2 + [kinds.bare_lf] * 2 + [kinds.undeclared_utf8])
ITEMS = ("delivered", "auth", "subject", "ehlo", "line-endings", "charset")


def explorer(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    return done


def doc_rubric(tmp_path: Path) -> Path:
    """The complete example of docs/rubric.md, as an instructor would copy it."""
    found = re.search(r"```toml\n(.*?)```", (DOCS / "rubric.md").read_text(encoding="utf-8"), re.S)
    path = tmp_path / "rubric.toml"
    path.write_text(found[1], encoding="utf-8")
    assert explorer("rubric", "check", str(path)).stdout == f"{path}: ok\n"
    return path


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("lab")
    roster, data = tmp_path / "roster.csv", tmp_path / "data"
    explorer("accounts", "generate", "--count", "120", "--prefix", "s", "--domain", "lab.test",
             "-o", str(roster))
    students = read_roster(roster)
    with running("sandbox", "--port", "0", "--data-dir", str(data),
                 "--roster", str(roster)) as (server, out):
        port = listening(out)
        for student, client in zip(students, PLAN):
            client(port, student)
        for _ in PLAN:  # every session ended, and logged
            out.wait_for(r"session #\d+ 127\.0\.0\.1:\d+: ", timeout=60)
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0
    rubric = doc_rubric(tmp_path)
    reports = {}
    for form in ("csv", "json"):
        target = tmp_path / f"report.{form}"
        explorer("report", "--data-dir", str(data), "--rubric", str(rubric), "--format", form,
                 "-o", str(target))
        reports[form] = target.read_text(encoding="utf-8")
    return students, reports


def test_csv_report_row_by_row(lab):
    students, reports = lab
    rows = list(csv.DictReader(reports["csv"].splitlines()))
    assert [r["id"] for r in rows] == [s.id for s in students]  # all 120, in the roster's order
    assert list(rows[0])[-8:] == [*(f"rubric-{i}" for i in ITEMS), "score", "max_score"]
    for index, (student, row) in enumerate(zip(students, rows)):
        kind = PLAN[index] if index < len(PLAN) else None
        points = kinds.EXPECTED[kind] if kind else (0,) * len(ITEMS)
        assert row["address"] == student.address
        assert [int(row[f"rubric-{item}"]) for item in ITEMS] == list(points), (student.id, kind.__name__ if kind else None)
        assert (int(row["score"]), int(row["max_score"])) == (sum(points), 10)
        assert int(row["sessions"]) == (1 if kind else 0)
        assert int(row["auth_failed"]) == (kind is kinds.wrong_password)
        delivered = kind in (kinds.right, kinds.helo_only, kinds.bare_lf, kinds.undeclared_utf8)
        assert int(row["delivered"]) == int(delivered)
        assert row["recipients"] == ("grader@lab.test" if delivered else "")
        assert bool(row["first_success"]) == delivered
        if kind in (kinds.bare_lf,):
            assert "bare-lf:" in row["mistakes"]
        if kind is kinds.undeclared_utf8:
            assert "non-ascii-body:1" in row["mistakes"]
        if kind is kinds.right:
            assert row["subjects"] == f"Lab 2 {student.id}" and int(row["errors"]) == 0


def test_json_report_names_the_failing_students(lab):
    students, reports = lab
    data = json.loads(reports["json"])
    by_id = {s["id"]: s for s in data["students"]}
    assert list(by_id) == [s.id for s in students]
    for index, kind in enumerate(PLAN):
        student = students[index]
        (session,) = by_id[student.id]["sessions"]
        if kind is kinds.wrong_password:  # identified by the username AUTH was tried with
            # smtplib tries every mechanism offered: CRAM-MD5, PLAIN, LOGIN
            assert session["username"] is None and session["tried"] == [student.address] * 3
            assert session["authenticated"] is False and not session["delivered"]
        elif kind is kinds.helo_only:  # no AUTH at all: the MAIL FROM names them
            assert session["tried"] == [] and session["mail_from"] == [student.address]
            assert (session["ehlo"], session["helo"]) == (False, True)
            assert session["delivered"][0]["after_auth"] is False
        else:
            assert session["username"] == student.address
        assert by_id[student.id]["score"] == sum(kinds.EXPECTED[kind])
    summary = data["summary"]
    assert summary["students"] == 120 and summary["sessions"] == 20
    assert summary["not_connected"] == [s.id for s in students[20:]]
    assert summary["delivered"] == [students[i].id for i, k in enumerate(PLAN)
                                    if k in (kinds.right, kinds.helo_only, kinds.bare_lf,
                                             kinds.undeclared_utf8)]
    assert summary["unattributed"] == []
    common = {m["key"]: (m["times"], m["students"]) for m in summary["common_mistakes"]}
    assert common["bare-lf"][1] == 2 and common["non-ascii-body"] == (1, 1)
    assert data["rubric"]["total"] == 10 and [i["name"] for i in data["rubric"]["items"]] == list(ITEMS)
    for student in students:  # the report never holds a secret
        assert student.password not in reports["json"] and student.code not in reports["json"]
        assert student.password not in reports["csv"]
