"""Class rosters: `accounts generate`, an instructor's own CSV, bad rows, class mode's accounts."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys

import pytest

from explorer.sandbox.roster import (COLUMNS, RosterError, fill_secrets, generate, read_public,
                                     read_roster, write_new, write_public)


def explorer(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL, cwd=cwd)


def rows(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_generate_120_accounts_private_and_never_printed(tmp_path):
    roster = tmp_path / "roster.csv"
    done = explorer("accounts", "generate", "--count", "120", "--prefix", "s", "--domain",
                    "lab.test", "-o", str(roster))
    assert done.returncode == 0, done.stderr
    table = rows(roster)
    assert list(table[0]) == list(COLUMNS) and len(table) == 120
    assert [r["id"] for r in table[:2]] == ["s001", "s002"] and table[-1]["id"] == "s120"
    assert table[0]["address"] == "s001@lab.test"
    passwords, codes = {r["password"] for r in table}, {r["code"] for r in table}
    assert len(passwords) == 120 and len(codes) == 120  # secure random: no two alike
    assert all(len(p) == 12 for p in passwords)
    assert all(len(c) == 16 and c.isalpha() and c.islower() for c in codes)
    for secret in passwords | codes:
        assert secret not in done.stdout + done.stderr
    assert done.stdout == (f"wrote 120 accounts to {roster} (readable by you only; it holds "
                           "every student's password and code)\n")
    if os.name == "posix":
        assert stat.S_IMODE(roster.stat().st_mode) == 0o600


def test_generate_refuses_to_overwrite(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("keep me\n")
    done = explorer("accounts", "generate", "--count", "3", "-o", str(roster))
    assert done.returncode == 2 and roster.read_text() == "keep me\n"
    assert done.stderr.count("\n") == 1 and "already exists" in done.stderr


@pytest.mark.parametrize("args, message", [
    ((), "needs --count N or --from CSV"),
    (("--count", "0"), "is not a number of students"),
    (("--count", "3", "--from", "x.csv"), "needs --count N or --from CSV"),
    (("--count", "3", "--prefix", "a b"), "not allowed"),
])
def test_generate_bad_arguments(tmp_path, args, message):
    done = explorer("accounts", "generate", *args, "-o", str(tmp_path / "r.csv"))
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "r.csv").exists()


def test_instructors_csv_gets_secrets_written_back(tmp_path):
    own = tmp_path / "class.csv"
    own.write_text("Student Number,ID,Name,Address\n7,a1,Ann Lee,ann@lab.test\n"
                   "8,b2,\"Bo, Jr\",bo@lab.test\n", encoding="utf-8")
    students, missing = fill_secrets(own)
    assert missing == 4 and [s.id for s in students] == ["a1", "b2"]
    table = rows(own)
    assert list(table[0]) == ["student number", "id", "name", "address", "password", "code"]
    assert table[1]["name"] == "Bo, Jr" and table[1]["student number"] == "8"
    assert [r["password"] for r in table] == [s.password for s in students]
    assert all(r["code"] for r in table)
    if os.name == "posix":
        assert stat.S_IMODE(own.stat().st_mode) == 0o600
    again, missing = fill_secrets(own)
    assert missing == 0 and again == students  # nothing new: the same secrets


def test_from_csv_to_a_new_file_keeps_the_original(tmp_path):
    own = tmp_path / "class.csv"
    own.write_text("id,name,address,code\nx1,X,x1@lab.test,given-code\n", encoding="utf-8")
    done = explorer("accounts", "generate", "--from", str(own), "-o", str(tmp_path / "r.csv"))
    assert done.returncode == 0, done.stderr
    assert own.read_text() == "id,name,address,code\nx1,X,x1@lab.test,given-code\n"
    (row,) = rows(tmp_path / "r.csv")
    assert row["code"] == "given-code" and len(row["password"]) == 12


def test_bad_rows_are_file_line_errors_and_nothing_is_imported(tmp_path):
    bad = tmp_path / "bad.csv"
    text = ("id,name,address\n"
            "s1,A,s1@lab.test\n"
            "s1,B,b@lab.test\n"
            ",C,c@lab.test\n"
            "s4,D,not-an-address\n"
            "s5,E,S1@lab.test\n"
            "s6,F,f@lab.test,extra\n")
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(RosterError) as failure:
        fill_secrets(bad)
    assert failure.value.problems == [
        f"{bad}:3: the id 's1' is also on line 2",
        f"{bad}:4: the id is empty",
        f"{bad}:5: the address 'not-an-address' is not an address (user@domain)",
        f"{bad}:6: the address 's1@lab.test' is also on line 2",
        f"{bad}:7: 4 cells, the header has 3",
    ]
    assert bad.read_text(encoding="utf-8") == text  # nothing written back
    done = explorer("sandbox", "--port", "0", "--roster", str(bad), "--data-dir",
                    str(tmp_path / "data"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"smtp-explorer: error: {bad}:3: the id 's1' is also on line 2")
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("text, problem", [
    ("", ":1: the file is empty"),
    ("name,address\nA,a@x.test\n", ":1: the header has no 'id' column"),
    ("id,address,ID\n1,a@x.test,2\n", ":1: the column 'id' appears twice"),
    ("id,address\n", ": no students in it"),
    ("id,address,password\n1,a@x.test,two words\n", ":2: the password has a space"),
])
def test_bad_files(tmp_path, text, problem):
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RosterError, match=problem):
        read_roster(path)


def test_missing_roster(tmp_path):
    with pytest.raises(RosterError, match="no such file"):
        read_roster(tmp_path / "none.csv")


def test_public_copy_has_no_secret(tmp_path):
    students = generate(3, "s", "lab.test")
    write_new(tmp_path / "r.csv", students)
    public = write_public(tmp_path / "data", read_roster(tmp_path / "r.csv"))
    text = public.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "id,name,address"
    assert all(s.password not in text and s.code not in text for s in students)
    assert [(s.id, s.address) for s in read_public(public)] == [(s.id, s.address) for s in students]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_a_spreadsheets_csv_is_written_back_in_its_own_encoding(tmp_path, encoding):
    own = tmp_path / "class.csv"
    own.write_bytes("学号,姓名,id,name,address\r\n1,李雷,2025001,李雷,lilei@lab.test\r\n"
                    .encode(encoding))
    students, missing = fill_secrets(own)
    assert missing == 2 and students[0].name == "李雷"
    data = own.read_bytes()
    text = data.decode(encoding)
    assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    assert text.splitlines()[1].startswith("1,李雷,2025001,李雷,lilei@lab.test,")
    assert read_roster(own)[0].password == students[0].password


def test_not_text_at_all(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"id,address\n\xff\xfe\x00\x81\x30\n")
    with pytest.raises(RosterError, match="neither UTF-8 nor GB18030"):
        read_roster(path)


def test_accounts_and_roster_problems_in_the_teachers_language(tmp_path):
    """With --lang zh the instructor reads the roster's messages in Chinese, file:line kept."""
    done = explorer("--lang", "zh", "accounts", "generate", "--count", "3", "-o", "r.csv",
                    cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout == "已把 3 个账号写入 r.csv（只有你本人可读；其中有每个学生的密码和授权码）\n"
    again = explorer("--lang", "zh", "accounts", "generate", "--count", "3", "-o", "r.csv",
                     cwd=tmp_path)
    assert again.returncode == 2
    assert again.stderr == ("smtp-explorer：错误：r.csv: 文件已存在：它可能是正在使用的名单；"
                            "请换一个文件名，或先删除它\n")
    (tmp_path / "class.csv").write_text("id,name,address\na1,A,a1@lab.test\na1,B,b@lab.test\n",
                                        encoding="utf-8")
    for command in (["accounts", "generate", "--from", "class.csv", "-o", "out.csv"],
                    ["report", "--roster", "class.csv", "--data-dir", "none"],
                    ["sandbox", "--port", "0", "--roster", "class.csv", "--data-dir", "d"]):
        failed = explorer("--lang", "zh", *command, cwd=tmp_path)
        assert (failed.returncode, failed.stderr) == (
            2, "smtp-explorer：错误：class.csv:3: 学号 'a1' 与第 2 行重复\n"), command
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "d").exists()
