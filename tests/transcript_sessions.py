"""Sessions recorded against the real sandbox, for the transcript, replay and ladder tests.

Each recorder drives :class:`explorer.client.engine.Engine` (what the REPL uses) against a sandbox and
returns the engine; the sandbox keeps its own record of the same session (server side). The
secrets every output must leave out, unless asked, are in :data:`SECRETS`.
"""

from __future__ import annotations

import base64

import pytest

from explorer.core.auth import b64encode_text
from explorer.core.commands import AuthLine, parse_command
from explorer.core.session import DataLine, EndOfData
from explorer.client.engine import Engine, Target

USER = "learner@sandbox.test"
PASSWORD = "password123"
PLAIN_BLOB = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
#: Every form of the secret that must never appear unless --reveal-secrets.
SECRETS = (PASSWORD, b64encode_text(PASSWORD), PLAIN_BLOB)


def engine_for(box) -> Engine:
    return Engine(Target(box.host, box.port, "plain", cafile=str(box.certificate_path), timeout=5.0))


def send_lines(engine: Engine, *lines: str) -> None:
    for line in lines:
        engine.send(parse_command(line))


def send_message(engine: Engine, *lines: str) -> None:
    for line in lines:
        engine.send(DataLine(line))
    engine.send(EndOfData())


def record_starttls_session(box) -> Engine:
    """Greeting, EHLO, STARTTLS, EHLO, AUTH LOGIN (user, password), one message, QUIT."""
    engine = engine_for(box)
    engine.connect()
    send_lines(engine, "EHLO client.example", "STARTTLS", "EHLO client.example", "AUTH LOGIN")
    engine.send(AuthLine(b64encode_text(USER)))
    engine.send(AuthLine(b64encode_text(PASSWORD), secret=True))
    send_lines(engine, f"MAIL FROM:<{USER}>", "RCPT TO:<friend@sandbox.test>", "DATA")
    send_message(engine, "Subject: lab 1", "", ".a line that starts with a period", "bye")
    send_lines(engine, "QUIT")
    return engine


def record_error_session(box) -> Engine:
    """Plain text: AUTH PLAIN with an initial response, a refused recipient (550), RSET, a
    message to a good recipient, a command out of order (503), QUIT. Needs the
    ``unknown-recipient`` scenario."""
    engine = engine_for(box)
    engine.connect()
    send_lines(engine, "EHLO client.example", f"AUTH PLAIN {PLAIN_BLOB}", f"MAIL FROM:<{USER}>",
               "RCPT TO:<nobody@sandbox.test>", "RSET", f"MAIL FROM:<{USER}>",
               "RCPT TO:<friend@sandbox.test>", "DATA")
    send_message(engine, "Subject: second try", "", "hello")
    send_lines(engine, "RCPT TO:<friend@sandbox.test>", "QUIT")
    return engine


def record_long_session(box, rounds: int = 60) -> Engine:
    """Many exchanges: EHLO, then ``rounds`` NOOPs, then QUIT (2 * rounds + 5 arrows)."""
    engine = engine_for(box)
    engine.connect()
    send_lines(engine, "EHLO client.example", *[f"NOOP round {n}" for n in range(rounds)], "QUIT")
    return engine


def server_record(box, index: int = 0):
    """The sandbox's record of session ``index`` once it has ended."""
    assert box.wait_until_idle(5.0)
    return box.sessions[index]


def assert_no_secret(text: str | bytes, where: str = "") -> None:
    data = text.encode("utf-8") if isinstance(text, str) else text
    for secret in SECRETS:
        assert secret.encode() not in data, f"{secret!r} leaked in {where or 'the output'}"


@pytest.fixture
def starttls_engine(sandbox):
    return record_starttls_session(sandbox)


@pytest.fixture
def error_box(make_sandbox):
    return make_sandbox(scenarios=["unknown-recipient"])


@pytest.fixture
def error_engine(error_box):
    return record_error_session(error_box)
