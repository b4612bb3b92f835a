"""A mail client as students write it for the classic assignment: raw sockets, one send and one
``recv(1024)`` per step, HELO and AUTH LOGIN, the message sent in pieces. With two classic
bugs: the Subject header ends with a TAB and a bare LF, and QUIT goes out without CRLF (so the
program hangs waiting for a 221 that never comes; here it gives up after a moment).
"""

from __future__ import annotations

import base64
import socket

from clients import FRIEND, LEARNER, PASSWORD

SUBJECT = b"Subject: Hello from my client\t\n"
MSG = b"\r\n I love computer networks!"
ENDMSG = b"\r\n.\r\n"


def run(host: str, port: int, log: list[bytes] | None = None) -> bytes:
    """Run the client; returns every byte it sent. ``log`` receives what each recv returned."""
    log = [] if log is None else log
    sent = bytearray()
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.settimeout(5)
    client.connect((host, port))

    def send(data: bytes) -> None:
        client.send(data)
        sent.extend(data)

    log.append(client.recv(1024))  # 220
    send(b"HELO alice\r\n")
    log.append(client.recv(1024))
    send(b"AUTH LOGIN\r\n")
    log.append(client.recv(1024))
    send(base64.b64encode(LEARNER.encode()) + b"\r\n")
    log.append(client.recv(1024))
    send(base64.b64encode(PASSWORD.encode()) + b"\r\n")
    log.append(client.recv(1024))
    send(f"MAIL FROM:<{LEARNER}>\r\n".encode())
    log.append(client.recv(1024))
    send(f"RCPT TO:<{FRIEND}>\r\n".encode())
    log.append(client.recv(1024))
    send(b"DATA\r\n")
    log.append(client.recv(1024))
    send(f"From: {LEARNER}\r\n".encode())
    send(f"To: {FRIEND}\r\n".encode())
    send(SUBJECT)
    send(MSG)
    send(ENDMSG)
    log.append(client.recv(1024))
    send(b"QUIT")
    client.settimeout(0.3)
    try:
        log.append(client.recv(1024))  # never comes: the server waits for the CRLF
    except TimeoutError:
        log.append(b"")
    client.close()
    return bytes(sent)
