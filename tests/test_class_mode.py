"""Class mode: the roster's accounts only, every session attributable, ids unique for good."""

from __future__ import annotations

import base64
import json
import signal
import smtplib
import subprocess
import time

import pytest
from test_sandbox_cli import listening, running

from explorer.sandbox.roster import accounts_of, generate, write_new


def log_entries(data_dir, count: int = 1) -> list[dict]:
    """The session log once it holds ``count`` sessions (a session is logged a moment after
    its client has gone, and later still on a loaded machine)."""
    path = data_dir / "sessions.jsonl"
    deadline = time.monotonic() + 60
    while True:
        text = path.read_text(encoding="ascii") if path.exists() else ""
        lines = text.split("\n")[:-1]  # whole lines only: the last one may be being written
        if len(lines) >= count or time.monotonic() > deadline:
            return [json.loads(line) for line in lines]
        time.sleep(0.01)


@pytest.fixture
def students():
    return generate(3, "s", "lab.test")


def test_no_demo_accounts_in_class_mode(make_sandbox, students):
    box = make_sandbox(accounts=accounts_of(students), include_default_accounts=False)
    with smtplib.SMTP(box.host, box.port, timeout=5) as smtp:
        with pytest.raises(smtplib.SMTPAuthenticationError):
            smtp.login("learner@sandbox.test", "password123")
    with smtplib.SMTP(box.host, box.port, timeout=5) as smtp:
        assert smtp.login(students[0].address, students[0].code)[0] == 235


def test_failed_auth_keeps_the_username_never_the_password(make_sandbox, students, raw):
    box = make_sandbox(accounts=accounts_of(students), include_default_accounts=False)
    wire = raw(box).ehlo()
    user = students[1].address
    assert wire.cmd(b"AUTH LOGIN\r\n").startswith(b"334")
    assert wire.cmd(base64.b64encode(user.encode()) + b"\r\n").startswith(b"334")
    assert wire.cmd(base64.b64encode(b"wrong-secret") + b"\r\n").startswith(b"535")
    assert wire.cmd(b"AUTH PLAIN " + base64.b64encode(b"\0s003@lab.test\0also-wrong")
                    + b"\r\n").startswith(b"535")
    assert wire.cmd(b"MAIL FROM:<s002@lab.test>\r\n")[:3] in (b"530", b"250")
    wire.quit()
    (entry,) = log_entries(box.data_dir)
    assert entry["username"] is None
    assert entry["tried"] == ["s002@lab.test", "s003@lab.test"]
    text = json.dumps(entry)
    for secret in (b"wrong-secret", b"also-wrong"):
        assert secret.decode() not in text and base64.b64encode(secret).decode() not in text


def test_mail_from_is_kept_even_when_refused(make_sandbox, raw):
    box = make_sandbox(scenarios=["sender-must-match"])
    wire = raw(box).ehlo().login()
    assert wire.cmd(b"MAIL FROM:<someone@else.test>\r\n").startswith(b"553")
    assert wire.cmd(b"MAIL FROM:<learner@sandbox.test>\r\n").startswith(b"250")
    wire.quit()
    (entry,) = log_entries(box.data_dir)
    assert entry["mail_from"] == ["someone@else.test", "learner@sandbox.test"]
    assert entry["username"] == "learner@sandbox.test"


def _session(box) -> None:
    with smtplib.SMTP(box.host, box.port, timeout=5) as smtp:
        smtp.ehlo()


def test_session_ids_unique_across_restarts_and_shared_folders(make_sandbox, tmp_path):
    data = tmp_path / "shared"
    first, second = make_sandbox(data_dir=data), make_sandbox(data_dir=data)
    for box in (first, second, first, second):
        _session(box)
    first.stop()
    third = make_sandbox(data_dir=data)
    _session(third)
    ids = [entry["id"] for entry in log_entries(data, 5)]
    assert len(ids) == 5 and len(set(ids)) == 5
    assert sorted(ids) == [1, 2, 1001, 1002, 2001]  # a block of 1000 ids per sandbox
    assert sorted(p.name for p in (data / "session-ids").iterdir()) == ["0", "1", "2"]


def test_class_server_banner_names_the_roster_never_a_secret(tmp_path):
    students = generate(5, "s", "lab.test")
    roster = tmp_path / "roster.csv"
    write_new(roster, students)
    data = tmp_path / "data"
    with running("sandbox", "--port", "0", "--data-dir", str(data),
                 "--roster", str(roster)) as (process, out):
        port = listening(out)
        out.wait_for(rf"^  accounts: 5 from the roster {roster} \(passwords and codes are in "
                     r"that file\)$")
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
            smtp.login(students[2].address, students[2].password)
        out.wait_for(r"session #1 127\.0\.0\.1:\d+: quit, 0 messages, user s003@lab\.test")
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
            with pytest.raises(smtplib.SMTPAuthenticationError):
                smtp.login(students[1].address, "not-the-password")
        out.wait_for(r"session #2 127\.0\.0\.1:\d+: quit, 0 messages, "
                     r"AUTH failed for s002@lab\.test, ")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
        out.wait_for("stopped cleanly")
    printed = "\n".join(out.seen) + "".join(iter(lambda: out.queue.get_nowait()
                                                 if not out.queue.empty() else "", ""))
    assert "learner@sandbox.test" not in printed
    for student in students:
        assert student.password not in printed and student.code not in printed
    public = (data / "class-roster.csv").read_text(encoding="utf-8")
    assert public.splitlines() == ["id,name,address"] + [f"{s.id},,{s.address}" for s in students]


def test_two_sandboxes_sharing_a_folder_never_interleave_lines(make_sandbox, tmp_path):
    import threading

    data = tmp_path / "shared"
    boxes = [make_sandbox(data_dir=data), make_sandbox(data_dir=data)]
    body = b"x" * 998 + b"\r\n"

    def client(box, number):
        with smtplib.SMTP(box.host, box.port, timeout=30) as smtp:
            smtp.login("learner@sandbox.test", "password123")
            smtp.sendmail("learner@sandbox.test", ["friend@sandbox.test"],
                          b"Subject: %d\r\n\r\n" % number + body * 100)  # 100 KB: many chunks

    threads = [threading.Thread(target=client, args=(boxes[n % 2], n)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = log_entries(data, 12)  # every line is one whole JSON object
    assert len(entries) == 12 and len({e["id"] for e in entries}) == 12
    assert all(e["messages"] == 1 for e in entries)


def test_session_id_markers_stay_few(tmp_path):
    from explorer.sandbox.session_ids import BLOCK, KEEP, SessionIds

    folder = tmp_path / "session-ids"
    firsts = [SessionIds(folder).next() for _ in range(40)]  # forty restarts
    assert firsts == [n * BLOCK + 1 for n in range(40)]
    assert len(list(folder.iterdir())) <= KEEP + 1
    assert SessionIds(folder).next() == 40 * BLOCK + 1


def test_refused_auth_still_names_the_user(make_sandbox, raw):
    # AUTH without TLS refused, as on a lab network without --allow-plaintext-auth
    box = make_sandbox(allow_plaintext_auth=False)
    wire = raw(box).ehlo()
    plain = base64.b64encode(b"\0friend@sandbox.test\0secret-never-logged")
    assert wire.cmd(b"AUTH PLAIN " + plain + b"\r\n")[:1] == b"5"  # refused before checking
    login = base64.b64encode(b"learner@sandbox.test")
    assert wire.cmd(b"AUTH LOGIN " + login + b"\r\n")[:1] == b"5"
    wire.quit()
    (entry,) = log_entries(box.data_dir)
    assert entry["tried"] == ["friend@sandbox.test", "learner@sandbox.test"]
    assert "secret-never-logged" not in json.dumps(entry) and plain.decode() not in json.dumps(entry)


@pytest.mark.parametrize("scenario", ["require-tls", "require-auth"])
def test_a_scenario_refusal_still_names_the_student(make_sandbox, students, raw, scenario):
    """A 530 before AUTH or MAIL ran (require-tls, require-auth) still keeps the username the
    AUTH line carries and the MAIL FROM: these are the students who need finding."""
    box = make_sandbox(accounts=accounts_of(students), include_default_accounts=False,
                       scenarios=[scenario])
    wire = raw(box).ehlo()
    if scenario == "require-tls":
        plain = base64.b64encode(b"\0" + students[0].address.encode() + b"\0"
                                 + students[0].password.encode())
        assert wire.cmd(b"AUTH PLAIN " + plain + b"\r\n").startswith(b"530")
        login = base64.b64encode(students[2].address.encode())
        assert wire.cmd(b"auth login " + login + b"\r\n").startswith(b"530")
    assert wire.cmd(b"MAIL FROM:<" + students[1].address.encode() + b"> SIZE=10\r\n").startswith(b"530")
    wire.quit()
    (entry,) = log_entries(box.data_dir)
    assert entry["mail_from"] == [students[1].address]
    if scenario == "require-tls":
        assert entry["tried"] == [students[0].address, students[2].address]
        assert students[0].password not in json.dumps(entry)
        assert plain.decode() not in json.dumps(entry)


def test_a_profile_combines_with_the_roster(make_sandbox, students):
    """The QQ profile with a class: its rules (AUTH only under TLS, the code) and still every
    session named."""
    import ssl

    box = make_sandbox(accounts=accounts_of(students), include_default_accounts=False,
                       profile="qq", allow_plaintext_auth=False)
    with smtplib.SMTP(box.host, box.port, timeout=10) as smtp:
        smtp.starttls(context=ssl.create_default_context(cafile=str(box.certificate_path)))
        assert smtp.login(students[0].address, students[0].code)[0] == 235
    with smtplib.SMTP(box.host, box.port, timeout=10) as smtp:
        with pytest.raises((smtplib.SMTPException, OSError)):
            smtp.login(students[1].address, students[1].code)  # no TLS: refused, named
    entries = log_entries(box.data_dir, 2)
    assert entries[0]["username"] == students[0].address
    assert entries[1]["username"] is None and entries[1]["tried"][:1] == [students[1].address]


def test_a_password_sent_as_the_username_is_never_kept(make_sandbox, students, raw):
    box = make_sandbox(accounts=accounts_of(students), include_default_accounts=False)
    wire = raw(box).ehlo()
    secret = students[0].password.encode()
    assert wire.cmd(b"AUTH LOGIN\r\n").startswith(b"334")
    assert wire.cmd(base64.b64encode(secret) + b"\r\n").startswith(b"334")  # answers swapped
    assert wire.cmd(base64.b64encode(students[0].address.encode()) + b"\r\n").startswith(b"535")
    wire.quit()
    (entry,) = log_entries(box.data_dir)
    assert entry["tried"] == [] and students[0].password not in json.dumps(entry)


@pytest.mark.parametrize("allow", [True, False])
def test_lab_network_warning_says_what_the_options_do_in_the_teachers_language(tmp_path, allow):
    """On 0.0.0.0 the warning says whether AUTH without STARTTLS is allowed, never both at once;
    with --lang zh the warning and the console's command help are in Chinese."""
    students = generate(2, "s", "lab.test")
    roster = tmp_path / "roster.csv"
    write_new(roster, students)
    options = ["--allow-plaintext-auth"] if allow else []
    with running("--lang", "zh", "sandbox", "--host", "0.0.0.0", "--port", "0", "--data-dir",
                 str(tmp_path / "data"), "--roster", str(roster), *options,
                 stdin=subprocess.PIPE) as (process, out):
        warning = out.wait_for(r"警告：正在监听 0\.0\.0\.0.*$")[0]
        if allow:
            assert "已允许不经 STARTTLS 的明文 AUTH（--allow-plaintext-auth）" in warning
            assert "拒绝" not in warning
        else:
            assert "在客户端完成 STARTTLS 之前，AUTH 一律被拒绝" in warning
        out.wait_for(r"^按 Ctrl-C 停止。$")
        process.stdin.write("help\nstatus\n")
        process.stdin.flush()
        out.wait_for(r"^可以输入的命令：scenario 场景名")
        out.wait_for(r"^共 0 个会话（0 个仍在连接），接收了 0 封邮件；场景：无$")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
