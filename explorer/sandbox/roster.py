"""A class roster: one CSV row per student, read into sandbox accounts (class mode).

The file is CSV with a header row; columns are matched by name, in any order, case-insensitive:

``id``        required: the student's id (a student number, ``s001``...), unique in the file
``name``      optional: the student's name, for the report
``address``   required: the student's mailbox and AUTH username, unique (``s001@lab.test``)
``password``  the login password; generated when the column is missing or the cell is empty
``code``      the SMTP authorization code; generated likewise

The file is UTF-8 (with or without a BOM) or GB18030 (what Excel on a Chinese Windows saves as
CSV); it is written back in its own encoding. Other columns are kept as they are. An
instructor's own CSV with ``id,name,address`` works: the secrets are generated (securely random)
and the file is rewritten with them, readable by its owner only. A bad row makes the whole file
refused with every problem as ``file:line``; nothing is half-imported. The file holds secrets: it is never printed, and what the sandbox keeps in its
data folder for the report (:func:`write_public`) has ids, names and addresses only.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from explorer.sandbox.accounts import Account, AccountError, check_username
from explorer.knowledge.keyed import error_text
from explorer.sandbox.filesystem import open_binary

__all__ = ["Student", "RosterError", "Problem", "roster_text", "COLUMNS", "PUBLIC_NAME", "generate", "read_roster",
           "write_new", "fill_secrets", "accounts_of", "write_public", "read_public"]

COLUMNS = ("id", "name", "address", "password", "code")
#: The roster without its secrets, in the sandbox's data folder: what ``report`` reads.
PUBLIC_NAME = "class-roster.csv"
_PUBLIC_COLUMNS = ("id", "name", "address")
# No 0/O, 1/l/I: the password is read off a sheet of paper and typed by hand.
_PASSWORD_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_PASSWORD_LENGTH = 12
_CODE_ALPHABET = "abcdefghijklmnopqrstuvwxyz"  # QQ Mail's and 163's codes: 16 lower-case letters
_CODE_LENGTH = 16
_MAX_PROBLEMS_SHOWN = 5


@dataclass(frozen=True)
class Student:
    """One row of a roster; ``line`` is where it is in the file (for messages)."""

    id: str
    name: str
    address: str
    password: str = ""
    code: str = ""
    line: int = 0

    def account(self) -> Account:
        return Account(self.address, self.password, self.code or None)


def roster_text(key: str, lang: str = "en", **values: object) -> str:
    """A roster text (classroom.toml, table ``roster``) in ``lang``."""
    from explorer.knowledge.tables import text

    return text("classroom", "roster", lang, field=key, **values)


@dataclass(frozen=True)
class Problem:
    """One problem of a roster: where (``file`` or ``file:line``), a text key and its values
    (key None: ``values["error"]`` is an account's error, which says where itself)."""

    where: str
    key: str | None
    values: tuple[tuple[str, object], ...] = ()

    def text(self, lang: str = "en") -> str:
        values = dict(self.values)
        if self.key is None:
            return error_text(values["error"], lang)
        return f"{self.where}: {roster_text(self.key, lang, **values)}"


def _problem(where: object, key: str, **values: object) -> Problem:
    return Problem(str(where), key, tuple(values.items()))


class RosterError(ValueError):
    """A roster that cannot be used; ``problems`` are ``file:line: message`` lines (English);
    :meth:`text` says the same in another language."""

    def __init__(self, problems: list[Problem]):
        self.found = problems
        self.problems = [p.text() for p in problems]
        super().__init__(self.text())

    def text(self, lang: str = "en") -> str:
        """The first problems in one line, and how many more there are."""
        shown = "; ".join(p.text(lang) for p in self.found[:_MAX_PROBLEMS_SHOWN])
        more = len(self.found) - _MAX_PROBLEMS_SHOWN
        return shown + (roster_text("more", lang, count=more) if more > 0 else "")


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_password() -> str:
    """A login password: 12 characters, about 70 bits, no look-alike characters."""
    return _random(_PASSWORD_ALPHABET, _PASSWORD_LENGTH)


def new_code() -> str:
    """An authorization code in the style of QQ Mail and 163: 16 lower-case letters."""
    return _random(_CODE_ALPHABET, _CODE_LENGTH)


def generate(count: int, prefix: str, domain: str) -> list[Student]:
    """``count`` students ``<prefix>001@<domain>``... (at least three digits), each with secrets."""
    if count < 1:
        raise ValueError("--count must be at least 1")
    digits = max(3, len(str(count)))
    students = [Student(f"{prefix}{n:0{digits}d}", "", f"{prefix}{n:0{digits}d}@{domain}",
                        new_password(), new_code()) for n in range(1, count + 1)]
    check_username(students[0].address, ("where-generated", {}))
    return students


def _to_csv(header: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _rows(students: list[Student]) -> list[dict[str, str]]:
    return [{"id": s.id, "name": s.name, "address": s.address, "password": s.password,
             "code": s.code} for s in students]


def write_new(path: Path, students: list[Student]) -> None:
    """Write a new roster readable by its owner only; refuses to replace an existing file."""
    _write_new_text(path, _to_csv(list(COLUMNS), _rows(students)))


def _write_new_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    try:
        fd = open_binary(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    except FileExistsError:
        raise RosterError([_problem(path, "exists")]) from None
    except OSError as exc:
        raise RosterError([_problem(path, "cannot-write", reason=exc.strerror or exc)]) from None
    with open(fd, "w", encoding=encoding, newline="") as stream:
        stream.write(text)


def _replace_private(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Rewrite ``path`` in one step (a temporary file renamed over it), owner-only."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = open_binary(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    try:
        with open(fd, "w", encoding=encoding, newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _read(path: Path) -> tuple[str, str]:
    """The file's text and its encoding: UTF-8 (a spreadsheet's may start with a BOM), else
    GB18030, which is what Excel on a Chinese Windows saves as "CSV"."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RosterError([_problem(path, "no-file")]) from None
    except OSError as exc:
        raise RosterError([_problem(path, "cannot-read", reason=exc.strerror or exc)]) from None
    for encoding in ("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise RosterError([_problem(path, "encoding")])


def _parse(path: Path) -> tuple[list[str], list[dict[str, str]], list[Student], str]:
    """The header (as written), every row (for rewriting), the students and the file's
    encoding; RosterError if bad."""
    text, encoding = _read(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise RosterError([_problem(f"{path}:1", "empty", columns=",".join(COLUMNS))]) from None
    except csv.Error as exc:
        raise RosterError([_problem(f"{path}:1", "not-csv", reason=exc)]) from None
    names = [h.strip().lower() for h in header]
    problems = [_problem(f"{path}:1", "no-column", column=column)
                for column in ("id", "address") if column not in names]
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    problems += [_problem(f"{path}:1", "column-twice", column=n) for n in duplicated]
    if problems:
        raise RosterError(problems)
    rows, students, seen = [], [], {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(names):
                problems.append(_problem(f"{path}:{line}", "cells", cells=len(cells),
                                         header=len(names)))
                continue
            row = dict(zip(names, (c.strip() for c in cells)))
            rows.append(row)
            student = _student(row, line, path, seen, problems)
            if student is not None:
                students.append(student)
    except csv.Error as exc:
        problems.append(_problem(f"{path}:{reader.line_num}", "not-csv", reason=exc))
    if problems:
        raise RosterError(problems)
    if not students:
        raise RosterError([_problem(path, "no-students")])
    return header, rows, students, encoding


def _student(row: dict[str, str], line: int, path: Path, seen: dict[str, int],
             problems: list[Problem]) -> Student | None:
    where = f"{path}:{line}"
    student_id, address = row.get("id", ""), row.get("address", "")
    before = len(problems)
    if not student_id:
        problems.append(_problem(where, "id-empty"))
    elif any(ch.isspace() or ord(ch) < 0x20 or ch in ",;<>\"'" for ch in student_id):
        problems.append(_problem(where, "id-characters", id=repr(student_id)))
    if "@" not in address:
        problems.append(_problem(where, "not-address", address=repr(address)))
    else:
        try:
            check_username(address, ("where-line", {"line": where}))
        except AccountError as exc:
            problems.append(Problem(where, None, (("error", exc),)))
    for key, value in (("id", student_id.lower()), ("address", address.lower())):
        if value and (key, value) in seen:
            problems.append(_problem(where, f"{key}-twice", value=repr(value),
                                         line=seen[(key, value)]))
        elif value:
            seen[(key, value)] = line  # type: ignore[index]
    for key in ("password", "code"):
        value = row.get(key, "")
        if value and any(ch.isspace() or ord(ch) < 0x20 for ch in value):
            problems.append(_problem(where, f"{key}-characters"))
    if len(problems) > before:
        return None
    return Student(student_id, row.get("name", ""), address, row.get("password", ""),
                   row.get("code", ""), line)


def read_roster(path: Path) -> list[Student]:
    """The students of a roster, as they are (secrets may be empty); RosterError if bad."""
    return _parse(Path(path))[2]


def fill_secrets(path: Path, out: Path | None = None) -> tuple[list[Student], int]:
    """Read a roster and generate every missing password and code; returns the students and how
    many were missing. The secrets are written back to ``path`` (owner-only, in one step, in
    the file's own encoding), or to a new file ``out``; nothing is written when none was
    missing and ``out`` is None."""
    path = Path(path)
    header, rows, students, encoding = _parse(path)
    filled, missing = [], 0
    for row, student in zip(rows, students):
        password, code = student.password or new_password(), student.code or new_code()
        missing += (password != student.password) + (code != student.code)
        row["password"], row["code"] = password, code
        filled.append(Student(student.id, student.name, student.address, password, code,
                              student.line))
    columns = [h.strip().lower() for h in header]
    columns += [c for c in ("password", "code") if c not in columns]
    text = _to_csv(columns, rows)
    if out is not None:
        _write_new_text(out, text, encoding)
    elif missing:
        try:
            _replace_private(path, text, encoding)  # as it was: Excel reads it back the same
        except OSError as exc:
            raise RosterError([_problem(path, "cannot-write-back",
                                        reason=exc.strerror or exc)]) from None
    return filled, missing


def accounts_of(students: list[Student]) -> list[Account]:
    """The sandbox accounts of a roster whose secrets are all present."""
    return [s.account() for s in students]


def write_public(data_dir: Path, students: list[Student]) -> Path:
    """Keep ids, names and addresses (never secrets) in the data folder, for ``report``."""
    path = Path(data_dir) / PUBLIC_NAME
    text = _to_csv(list(_PUBLIC_COLUMNS), [{"id": s.id, "name": s.name, "address": s.address}
                                           for s in students])
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    _replace_private(path, text)
    return path


def read_public(path: Path) -> list[Student]:
    """A roster for the report: the secret columns, if any, are ignored."""
    return [Student(s.id, s.name, s.address, line=s.line) for s in read_roster(path)]
