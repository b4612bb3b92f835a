"""The class report's model: every student of the roster with their sessions, and the summary.

A session belongs to the student whose account AUTH succeeded for; failing that, to the one
whose username (or id) AUTH was last tried with; failing that, to the one whose address MAIL
FROM last gave. Behind NAT every peer address is the same, so the peer never decides. Sessions
nobody can be named for are counted apart. Without a roster, every username the log names
becomes a student.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Iterable

from explorer.reports.class_facts import Delivery, SessionFacts, session_facts
from explorer.reports.class_log import LoggedSession
from explorer.reports.parallel import map_sessions
from explorer.reports.rubric import Rubric, score
from explorer.sandbox.roster import Student

__all__ = ["StudentRow", "ClassReport", "build_report", "attribute"]

TOP_MISTAKES = 10


@dataclass
class StudentRow:
    """One student: their sessions (oldest first) and, with a rubric, their points per item."""

    student: Student
    sessions: list[SessionFacts] = field(default_factory=list)
    points: dict[str, int] | None = None

    @property
    def deliveries(self) -> list[Delivery]:
        return [d for s in self.sessions for d in s.deliveries]

    @property
    def first_success(self) -> float | None:
        """When the server first accepted a message of theirs."""
        times = [d.time for d in self.deliveries if d.time is not None]
        return min(times) if times else None

    @property
    def last_session(self) -> SessionFacts | None:
        return self.sessions[-1] if self.sessions else None

    @property
    def auth_failures(self) -> list[SessionFacts]:
        """The sessions where AUTH was tried and never succeeded."""
        return [f for f in self.sessions if f.session.tried and not f.authenticated]

    @property
    def mistakes(self) -> Counter:
        total: Counter = Counter()
        for facts in self.sessions:
            total.update(facts.mistakes)
        return total

    @property
    def score(self) -> int | None:
        return sum(self.points.values()) if self.points is not None else None


@dataclass
class ClassReport:
    students: list[StudentRow]
    unattributed: list[SessionFacts]
    rubric: Rubric | None

    @property
    def sessions(self) -> int:
        return sum(len(r.sessions) for r in self.students) + len(self.unattributed)

    @property
    def delivered(self) -> list[StudentRow]:
        """The students with at least one message delivered."""
        return [r for r in self.students if r.deliveries]

    @property
    def not_connected(self) -> list[StudentRow]:
        return [r for r in self.students if not r.sessions]

    def common_mistakes(self, limit: int = TOP_MISTAKES) -> list[tuple[str, int, int]]:
        """(key, how many times, how many students), the most frequent first."""
        times: Counter = Counter()
        students: Counter = Counter()
        for row in self.students:
            mistakes = row.mistakes
            times.update(mistakes)
            students.update(mistakes.keys())
        ranked = sorted(times, key=lambda key: (-students[key], -times[key], key))
        return [(key, times[key], students[key]) for key in ranked[:limit]]


def attribute(session: LoggedSession, index: dict[str, int]) -> int | None:
    """The index of the student this session belongs to (``index``: lower-case address, id
    and username -> student), or None."""
    names = [session.username] if session.username else []
    names += reversed(session.tried)
    names += reversed(session.mail_from)
    for name in names:
        found = index.get(name.strip().lower())
        if found is not None:
            return found
    return None


def _students_from_log(sessions: list[LoggedSession]) -> list[Student]:
    seen: dict[str, Student] = {}
    for session in sessions:
        name = session.username or next(reversed(session.tried), None)
        if name and name.lower() not in seen:
            seen[name.lower()] = Student(name, "", name if "@" in name else "")
    return sorted(seen.values(), key=lambda s: s.id.lower())


def _facts_alone(session: LoggedSession) -> SessionFacts:
    # Without the session's chunks, which the report has: what comes back from a worker is small.
    return replace(session_facts(session), session=None)


def build_report(sessions: Iterable[LoggedSession], roster: list[Student] | None = None,
                 rubric: Rubric | None = None) -> ClassReport:
    """Attribute every session, read its facts, and score each student with ``rubric``."""
    sessions = list(sessions)
    students = roster if roster is not None else _students_from_log(sessions)
    rows = [StudentRow(s) for s in students]
    index: dict[str, int] = {}
    for number, student in enumerate(students):
        for name in (student.address, student.id):
            if name:
                index.setdefault(name.lower(), number)
    unattributed = []
    ordered = sorted(sessions, key=lambda s: (s.started or 0.0, s.id))
    for session, light in zip(ordered, map_sessions(_facts_alone, ordered)):
        facts = replace(light, session=session)
        owner = attribute(session, index)
        if owner is None:
            unattributed.append(facts)
        else:
            rows[owner].sessions.append(facts)
    if rubric is not None:
        for row in rows:
            row.points = score(rubric, row.student.id, row.sessions)
    return ClassReport(rows, unattributed, rubric)
