"""docs/lab.md, run as written: every `smtp-explorer` command of its shell blocks, in order, in
one folder, with students' clients (plaintext AUTH, and STARTTLS trusting the handed-out
certificate) while the class server runs."""

from __future__ import annotations

import base64
import re
import shlex
import signal
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import class_clients as kinds
from test_class_report import logged
from test_sandbox_cli import Lines

from explorer.sandbox.roster import read_roster

DOCS = Path(__file__).resolve().parent.parent / "docs"


def guide_commands() -> list[list[str]]:
    text = (DOCS / "lab.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return [shlex.split(line) for block in blocks for line in block.splitlines()
            if line.startswith("smtp-explorer ")]


def starttls_client(port: int, student, cafile: Path) -> bytes:
    """A raw client: STARTTLS trusting only the class's certificate, by the name sandbox.test."""
    context = ssl.create_default_context(cafile=str(cafile))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        reader = raw.makefile("rb")

        def reply() -> bytes:
            lines = [reader.readline()]
            while lines[-1][3:4] == b"-":
                lines.append(reader.readline())
            return lines[-1]

        assert reply().startswith(b"220")
        raw.sendall(b"EHLO student-pc\r\n")
        assert reply().startswith(b"250")
        raw.sendall(b"STARTTLS\r\n")
        assert reply().startswith(b"220")
        with context.wrap_socket(raw, server_hostname="sandbox.test") as tls:
            reader = tls.makefile("rb")
            plain = base64.b64encode(f"\0{student.address}\0{student.code}".encode())
            for line, code in ((b"EHLO student-pc", b"250"), (b"AUTH PLAIN " + plain, b"235"),
                               (f"MAIL FROM:<{student.address}>".encode(), b"250"),
                               (b"RCPT TO:<grader@lab.test>", b"250"), (b"DATA", b"354")):
                tls.sendall(line + b"\r\n")
                assert reply().startswith(code), line
            tls.sendall(f"From: {student.address}\r\nSubject: TLS {student.id}\r\n\r\nhi\r\n.\r\n"
                        .encode())
            assert reply().startswith(b"250")
            tls.sendall(b"QUIT\r\n")
            return reply()


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "explorer", *command[1:]], cwd=cwd,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, (command, done.stderr)
    return done


def test_every_command_of_the_lab_guide(tmp_path):
    commands = guide_commands()
    assert [c[1] for c in commands] == ["accounts", "accounts", "sandbox", "inspect", "rubric",
                                        "report", "report", "report", "report", "transcript"]
    # What the guide says the instructor has: their own list, and a rubric from docs/rubric.md.
    (tmp_path / "class.csv").write_text("id,name,address\n2025001,Li Lei,lilei@lab.test\n"
                                        "2025002,Han Meimei,hanmeimei@lab.test\n", encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", (DOCS / "rubric.md").read_text(encoding="utf-8"), re.S)
    (tmp_path / "rubric.toml").write_text(example[1], encoding="utf-8")
    server = None
    try:
        for command in commands:
            if command[1] != "sandbox":
                run(command, tmp_path)
                continue
            assert command[command.index("--port") + 1] == "2525"
            command[command.index("--port") + 1] = "0"  # a free port: tests run side by side
            server = subprocess.Popen([sys.executable, "-m", "explorer", *command[1:]],
                                      cwd=tmp_path, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            out = Lines(server.stdout)
            out.wait_for(r"warning: listening on 0\.0\.0\.0, which is not a loopback address")
            port = int(out.wait_for(r"listening on 0\.0\.0\.0:(\d+)$")[1])
            out.wait_for(r"^  accounts: 120 from the roster roster\.csv")
            students = read_roster(tmp_path / "roster.csv")
            kinds.right(port, students[0])  # plaintext AUTH: --allow-plaintext-auth
            kinds.wrong_password(port, students[1])
            assert starttls_client(port, students[2], tmp_path / "lab-data" / "tls" / "cert.pem") \
                .startswith(b"221")
            logged(tmp_path / "lab-data", 3)
        roster = (tmp_path / "roster-with-secrets.csv").read_text(encoding="utf-8").splitlines()
        assert roster[0] == "id,name,address,password,code" and roster[1].startswith(
            "2025001,Li Lei,lilei@lab.test,")
        grades = (tmp_path / "grades.csv").read_text(encoding="utf-8").splitlines()
        assert len(grades) == 121 and grades[0].endswith(",score,max_score")
        assert grades[1].endswith(",10,10") and grades[3].startswith("s003,")
        assert (tmp_path / "report.html").read_text(encoding="utf-8").count(
            '<article class="session"') == 3
        assert '"not_connected"' in (tmp_path / "report.json").read_text(encoding="utf-8")
        assert (tmp_path / "session-1.html").is_file()
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)
            assert server.wait(timeout=30) == 0
