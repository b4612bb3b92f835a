"""The class report's HTML page in headless Chromium: the table (sorted by the page's own
script), the summary, and each student's sessions as ladders; a screenshot shows them drawn."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser

import class_clients as kinds
import pytest
from test_ladder_browser import CHROMIUM, chromium, count_colour, png_pixels

from explorer.sandbox.roster import accounts_of, generate, write_public

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install chromium; .ci/run does)")

WIDTH, HEIGHT = 1100, 1400


class Page(HTMLParser):
    """The rows of the students' table in order, the ladders, every id, the tags used."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[str] = []
        self.scores: list[str] = []
        self.sorted: dict[str, str] = {}
        self.sections: list[str] = []
        self.sessions: list[str] = []
        self.arrows = 0
        self.ids: Counter = Counter()
        self.tags: set[str] = set()
        self._score_cell = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        classes = (a.get("class") or "").split()
        if a.get("id"):
            self.ids[a["id"]] += 1
        if tag == "tr" and "student" in classes:
            self.rows.append(a["data-id"])
        if tag == "th" and a.get("aria-sort"):
            self.sorted[a["data-key"]] = a["aria-sort"]
        if tag == "td" and self.rows and len(self.scores) < len(self.rows):
            self._score_cell = a.get("data-value")
        if tag == "section" and "student" in classes:
            self.sections.append(a["data-id"])
        if tag == "article" and "session" in classes:
            self.sessions.append(a["data-session"])
        if tag == "details" and "arrow" in classes:
            self.arrows += 1

    def handle_endtag(self, tag):
        if tag == "tr" and len(self.scores) < len(self.rows):
            self.scores.append(self._score_cell)  # the last cell of the row: the score


@pytest.fixture
def report_page(tmp_path, make_sandbox):
    students = generate(6, "s", "lab.test")
    box = make_sandbox(accounts=accounts_of(students), include_default_accounts=False)
    write_public(box.data_dir, students)
    plan = [kinds.right, kinds.wrong_password, kinds.bare_lf, kinds.helo_only, kinds.right]
    for student, client in zip(students, plan):
        client(box.port, student)
    kinds.right(box.port, students[0])  # a second session for s001
    box.wait_until_idle()
    rubric = tmp_path / "rubric.toml"
    rubric.write_text('[[item]]\nname = "delivered"\npoints = 5\ncheck = "delivered"\n\n'
                      '[[item]]\nname = "auth"\npoints = 3\ncheck = "delivered-after-auth"\n',
                      encoding="utf-8")
    page = tmp_path / "report.html"
    for _ in range(100):  # the log is written a moment after each client has gone
        done = subprocess.run([sys.executable, "-m", "explorer", "report", "--data-dir",
                               str(box.data_dir), "--rubric", str(rubric), "--format", "html",
                               "-o", str(page)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        if page.read_text(encoding="utf-8").count('<article class="session"') == 6:
            break
    return students, page


class Address:
    """A page's address with a fragment (``chromium`` asks its page for ``as_uri()``)."""

    def __init__(self, page, fragment: str = "") -> None:
        self.uri = page.as_uri() + fragment

    def as_uri(self) -> str:
        return self.uri


def dom(tmp_path, page, fragment: str = "") -> Page:
    parsed = Page()
    parsed.feed(chromium(tmp_path, Address(page, fragment), "--dump-dom",
                         "--virtual-time-budget=3000").stdout)
    return parsed


def test_the_page_in_the_browser(tmp_path, report_page):
    students, page = report_page
    text = page.read_text(encoding="utf-8")
    for student in students:
        assert student.password not in text and student.code not in text
    seen = dom(tmp_path, page)
    assert seen.rows == [s.id for s in students]  # the roster's order until sorted
    assert seen.scores == ["8", "0", "8", "5", "8", "0"]
    assert seen.sections == ["s001", "s002", "s003", "s004", "s005"]  # s006 never connected
    assert len(seen.sessions) == 6 and seen.arrows > 60
    assert [i for i, n in seen.ids.items() if n > 1] == []  # two ladders never share an id
    assert not {"img", "link", "iframe", "object", "embed"} & seen.tags


def test_the_page_sorts_itself(tmp_path, report_page):
    students, page = report_page
    seen = dom(tmp_path, page, "#sort=score")
    assert seen.sorted == {"score": "ascending"}
    assert seen.scores == ["0", "0", "5", "8", "8", "8"]
    assert seen.rows[:2] == ["s002", "s006"] and seen.rows[2] == "s004"
    seen = dom(tmp_path, page, "#sort=sessions-desc")
    assert seen.sorted == {"sessions": "descending"} and seen.rows[0] == "s001"
    assert seen.rows[-1] == "s006"
    seen = dom(tmp_path, page, "#sort=auth-failed-desc")  # who could not log in, first
    assert seen.sorted == {"auth-failed": "descending"} and seen.rows[0] == "s002"


def test_screenshot_shows_table_and_ladders(tmp_path, report_page):
    _, page = report_page
    shot = tmp_path / "report.png"
    chromium(tmp_path, page, f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}",
             "--hide-scrollbars")
    width, height, rows = png_pixels(shot)
    assert (width, height) == (WIDTH, HEIGHT)
    assert count_colour(rows, (0x2F, 0x5F, 0xA7)) > 1000  # client arrows (blue)
    assert count_colour(rows, (0x1A, 0x7F, 0x37)) > 1000  # 2xx replies (green)
    assert count_colour(rows, (0xBB, 0xBB, 0xBB), tolerance=4) > 3000  # the table's borders
