"""The clients of the class-lab test: students as they really come, right and wrong.

Each function takes the server's port and one student (a roster row) and plays one session;
``EXPECTED`` says what the rubric of docs/rubric.md gives each kind.
"""

from __future__ import annotations

import base64
import smtplib

from clients import Wire

GRADER = "grader@lab.test"
DATE = "Mon, 30 Nov 2026 10:00:00 +0000"


def _message(student, subject: str, body: str = "Hello from the lab.") -> str:
    return (f"From: {student.address}\r\nTo: {GRADER}\r\nDate: {DATE}\r\n"
            f"Subject: {subject}\r\n\r\n{body}\r\n")


def right(port: int, student) -> None:
    """smtplib, as the assignment asks: EHLO, AUTH with the code, a message, QUIT."""
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.login(student.address, student.code)
        smtp.sendmail(student.address, [GRADER], _message(student, f"Lab 2 {student.id}"))


def wrong_password(port: int, student) -> None:
    """The classic: the login password where the server wants... something else entirely."""
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        try:
            smtp.login(student.address, "my-qq-password")
        except smtplib.SMTPAuthenticationError:
            pass


def helo_only(port: int, student) -> None:
    """HELO (no extensions, so no AUTH), then straight to the envelope."""
    wire = Wire("127.0.0.1", port, timeout=10)
    wire.reply()
    wire.cmd(b"HELO student-pc\r\n")
    wire.mail(_message(student, f"{student.id} homework").encode() + b".\r\n",
              sender=student.address.encode(), recipient=GRADER.encode())
    wire.quit()


def _logged_in(port: int, student) -> Wire:
    wire = Wire("127.0.0.1", port, timeout=10).ehlo()
    plain = base64.b64encode(f"\0{student.address}\0{student.password}".encode())
    assert wire.cmd(b"AUTH PLAIN " + plain + b"\r\n").startswith(b"235")
    return wire


def missing_crlf(port: int, student) -> None:
    """MAIL FROM with no CRLF after it: the server waits for the end of the line, the client
    for a reply; the client gives up."""
    wire = _logged_in(port, student)
    wire.send(f"MAIL FROM:<{student.address}>".encode())
    assert wire.no_reply(0.3)
    wire.close()


def bare_lf(port: int, student) -> None:
    """Commands ended with "\\n" alone (a Unix programmer's println)."""
    wire = _logged_in(port, student)
    assert wire.cmd(f"MAIL FROM:<{student.address}>\n".encode()).startswith(b"250")
    assert wire.cmd(f"RCPT TO:<{GRADER}>\n".encode()).startswith(b"250")
    assert wire.cmd(b"DATA\n").startswith(b"354")
    assert wire.cmd(_message(student, f"Lab 2 {student.id}").encode() + b".\r\n") \
        .startswith(b"250")
    wire.cmd(b"QUIT\n")
    wire.close()


def undeclared_utf8(port: int, student) -> None:
    """A Chinese body with no MIME-Version and no charset."""
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.login(student.address, student.password)
        smtp.sendmail(student.address, [GRADER],
                      _message(student, f"Lab 2 {student.id}", "你好，老师").encode("utf-8"))


#: kind -> (points per rubric item, in the order of docs/rubric.md's example)
EXPECTED = {
    right: (4, 2, 1, 1, 1, 1),
    wrong_password: (0, 0, 0, 1, 1, 0),
    helo_only: (4, 0, 1, 0, 1, 1),
    missing_crlf: (0, 0, 0, 1, 0, 0),
    bare_lf: (4, 2, 1, 1, 0, 1),
    undeclared_utf8: (4, 2, 1, 1, 1, 0),
}
