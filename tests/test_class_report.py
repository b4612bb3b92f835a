"""`smtp-explorer report`: attribution, the text report, the class summary, bad input."""

from __future__ import annotations

import base64
import csv
import json
import subprocess
import sys
import time

import class_clients as kinds
import pytest
from clients import Wire

from explorer.reports.class_log import LoggedSession
from explorer.reports.class_report import attribute
from explorer.sandbox.roster import accounts_of, generate, write_public


def report(*args: str, code: int = 0) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "explorer", "report", *args],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == code, done.stderr
    return done


def logged(data_dir, count: int) -> None:
    """Wait until the session log holds ``count`` sessions."""
    path = data_dir / "sessions.jsonl"
    deadline = time.monotonic() + 60
    while (not path.exists() or len(path.read_text().splitlines()) < count) \
            and time.monotonic() < deadline:
        time.sleep(0.01)


def session(**fields) -> LoggedSession:
    base = dict(id=1, peer="10.0.0.1:5000", started=0.0, ended=1.0, outcome="quit",
                username=None, tried=(), mail_from=(), chunks=())
    return LoggedSession(**{**base, **fields})


@pytest.mark.parametrize("fields, owner", [
    ({"username": "s2@lab.test", "tried": ("s1@lab.test",)}, 1),  # who AUTH succeeded for
    ({"tried": ("s1@lab.test", "S3@LAB.TEST")}, 2),  # else the last name tried
    ({"tried": ("nobody",), "mail_from": ("s1@lab.test",)}, 0),  # else MAIL FROM
    ({"tried": ("s3",)}, 2),  # an id works as well as an address
    ({"mail_from": ("stranger@else.test",)}, None),
    ({}, None),
])
def test_attribution_order(fields, owner):
    index = {"s1@lab.test": 0, "s1": 0, "s2@lab.test": 1, "s2": 1, "s3@lab.test": 2, "s3": 2}
    assert attribute(session(**fields), index) == owner


@pytest.fixture
def class_box(make_sandbox):
    students = generate(4, "s", "lab.test")
    box = make_sandbox(accounts=accounts_of(students), include_default_accounts=False)
    write_public(box.data_dir, students)
    return box, students


def test_text_report(class_box):
    box, students = class_box
    kinds.right(box.port, students[0])
    kinds.wrong_password(box.port, students[1])
    wire = Wire("127.0.0.1", box.port).ehlo()  # nobody: no AUTH, no MAIL FROM
    wire.quit()
    logged(box.data_dir, 3)
    out = report("--data-dir", str(box.data_dir)).stdout.splitlines()
    assert out[0] == ("Class report: 4 students, 2 connected, 1 with a message delivered, "
                      "3 sessions")
    at = out.index("s001  <s001@lab.test>")
    assert out[at + 1].startswith("  sessions: 1; the last #") and out[at + 1].endswith("(quit)")
    assert out[at + 2].startswith("  delivered: #") and out[at + 2].endswith(
        ': to grader@lab.test, Subject "Lab 2 s001"')
    assert out[at + 3].startswith("  first message delivered: 20")
    assert out[at + 4] == "  mistakes: none found"
    at = out.index("s002  <s002@lab.test>")
    assert out[at + 2] == "  AUTH failed in 1 of the sessions (username tried: s002@lab.test)"
    assert out[at + 3] == "  mistakes: none found" and "s003  <s003@lab.test>" not in out
    assert out[-2] == "not connected (2): s003 s004"
    assert out[-1].startswith("sessions nobody can be named for (1): #")
    zh = report("--data-dir", str(box.data_dir), "--lang", "zh").stdout.splitlines()
    assert zh[0] == "班级报告：学生 4 名，已连接 2 名，已成功投递邮件 1 名，会话 3 个"
    assert "未连接的学生（2 名）：s003 s004" in zh


def test_without_a_roster_the_usernames_are_the_students(make_sandbox, raw):
    box = make_sandbox()  # the demo accounts, no roster in the data folder
    raw(box).ehlo().login().quit()
    wire = raw(box).ehlo()
    plain = base64.b64encode(b"\0friend@sandbox.test\0wrong")
    assert wire.cmd(b"AUTH PLAIN " + plain + b"\r\n").startswith(b"535")
    wire.quit()
    logged(box.data_dir, 2)
    rows = list(csv.DictReader(report("--data-dir", str(box.data_dir), "--format",
                                      "csv").stdout.splitlines()))
    assert [(r["id"], r["sessions"]) for r in rows] == [("friend@sandbox.test", "1"),
                                                        ("learner@sandbox.test", "1")]


def test_csv_cells_are_safe(class_box, raw):
    box, students = class_box
    wire = raw(box).ehlo().login(students[0].address, students[0].password)
    content = (b"From: s001@lab.test\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\n"
               b"Subject: =HYPERLINK(\"http://x\") \x1b[31mred\r\n\r\nhi\r\n.\r\n")
    assert wire.mail(content, sender=b"s001@lab.test", recipient=b"grader@lab.test") \
        .startswith(b"250")
    wire.quit()
    logged(box.data_dir, 1)
    out = report("--data-dir", str(box.data_dir), "--format", "csv").stdout
    row = next(csv.DictReader(out.splitlines()))
    assert row["subjects"] == "'=HYPERLINK(\"http://x\") \\x1b[31mred"
    assert "\x1b" not in out
    data = json.loads(report("--data-dir", str(box.data_dir), "--format", "json").stdout)
    assert data["students"][0]["sessions"][0]["delivered"][0]["subject"] == \
        '=HYPERLINK("http://x") \x1b[31mred'  # JSON keeps the text, escaped by JSON itself


def test_bad_input_is_one_line_and_status_2(tmp_path):
    done = report("--data-dir", str(tmp_path / "none"), code=2)
    assert done.stderr.count("\n") == 1 and "no session log at" in done.stderr
    data = tmp_path / "data"
    data.mkdir()
    (data / "sessions.jsonl").write_text('{"id": 1, "chunks": []}\nnot json\n')
    done = report("--data-dir", str(data), code=2)
    assert done.stderr.count("\n") == 1 and "sessions.jsonl" in done.stderr \
        and ":2" in done.stderr and "Traceback" not in done.stderr
    (data / "sessions.jsonl").write_text('{"id": 1, "chunks": []}\n')
    rubric = tmp_path / "r.toml"
    rubric.write_text("[[item]]\nname = 'x'\n")
    done = report("--data-dir", str(data), "--rubric", str(rubric), code=2)
    assert done.stderr.count("\n") == 1 and f"{rubric}:1: item 1.points: missing" in done.stderr
    done = report("--data-dir", str(data), "--roster", str(tmp_path / "no.csv"), code=2)
    assert "no.csv: no such file" in done.stderr
    done = report("--data-dir", str(data), "-o", str(tmp_path / "no" / "dir" / "r.txt"), code=2)
    assert done.stderr.startswith("smtp-explorer: error: cannot write ")


def test_an_empty_log_is_a_class_that_has_not_connected(tmp_path):
    write_public(tmp_path, generate(2, "s", "lab.test"))
    (tmp_path / "sessions.jsonl").write_bytes(b"")  # the class server started; nobody came yet
    out = report("--data-dir", str(tmp_path)).stdout.splitlines()
    assert out[0] == "Class report: 2 students, 0 connected, 0 with a message delivered, 0 sessions"
    assert out[-1] == "not connected (2): s001 s002"
