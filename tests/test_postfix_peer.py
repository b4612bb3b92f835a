"""Against a real Postfix on loopback (tests/peers/postfix_peer.sh): the explorer's engine through
each case of the assignment, the explanation of every Postfix reply, and the differential test:
the same client scripts against the sandbox's ``postfix`` profile and the real Postfix, reply
codes compared line by line.

The peer needs root (it runs its own Postfix instance) and the Postfix and Cyrus SASL programs;
it lives in a folder of its own in the system's temporary directory, on a free port;
where either is missing the tests skip and say why. Anything else that stops it is a failure.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from explorer.client.engine import Engine, Target
from explorer.core import commands as c
from explorer.core.commands import AuthLine, MessageData, RawBytes
from explorer.core.session import Answer, Warning_
from explorer.knowledge.providers import recognise
from explorer.sandbox import Account

PEER = Path(__file__).parent / "peers" / "postfix_peer.sh"
USER, SECRET = "student@example.test", "secret123"  # the peer's account
LOCAL, UNKNOWN, FOREIGN = "alice@example.test", "nobody@example.test", "x@elsewhere.example"


def _cannot_run() -> str | None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "the Postfix peer runs its own Postfix instance and needs root"
    missing = [p for p in ("postfix", "postconf", "saslpasswd2", "openssl", "bash")
               if shutil.which(p) is None]
    if missing:
        return (f"not installed: {', '.join(missing)} (.ci/run installs postfix sasl2-bin "
                "libsasl2-modules libsasl2-modules-db openssl)")
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def postfix():
    """(host, port) of a real Postfix: STARTTLS, AUTH only after it, relay denied, unknown user."""
    reason = _cannot_run()
    if reason:
        pytest.skip(reason)
    # Postfix's daemons run as the postfix user and must reach their folders under the base.
    # pytest's own temporary root is private to its owner, and every pytest session that starts
    # (another test run on the machine) makes it private again: so the base is a folder of its
    # own in the system's temporary directory, open to read, and removed afterwards.
    base = Path(tempfile.mkdtemp(prefix="smtp-explorer-postfix-"))
    base.chmod(0o755)
    env = {**os.environ, "PEER_BASE": str(base), "PEER_PORT": str(_free_port())}
    try:
        started = subprocess.run(["bash", str(PEER), "start"], env=env, capture_output=True,
                                 text=True, timeout=120)
        if started.returncode != 0:
            pytest.fail(f"the Postfix peer did not start:\n{started.stdout}{started.stderr}")
        yield "127.0.0.1", int(env["PEER_PORT"])
    finally:
        subprocess.run(["bash", str(PEER), "stop"], env=env, capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def postfix_profile(tmp_path_factory):
    """The sandbox as Postfix, with the peer's account and mailboxes."""
    from explorer.sandbox import Sandbox

    accounts = [Account(USER, SECRET), Account(LOCAL, "unused-secret")]
    box = Sandbox(profile="postfix", data_dir=tmp_path_factory.mktemp("profile"),
                  accounts=accounts, include_default_accounts=False).start()
    yield "127.0.0.1", box.port
    box.stop()


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def plain() -> c.Command:
    return c.auth("PLAIN", b64(f"\0{USER}\0{SECRET}"))


MESSAGE = (f"From: {USER}\r\nTo: {LOCAL}\r\nSubject: differential\r\n\r\nhello\r\n").encode()
TLS = [c.ehlo("pc"), c.starttls(), c.ehlo("pc")]

# One list of client scripts, each run against both servers.
SCRIPTS = {
    "full session": TLS + [plain(), c.mail(USER), c.rcpt(LOCAL), c.data(),
                           MessageData.from_text(MESSAGE), c.quit_()],
    "wrong password": TLS + [c.auth("PLAIN", b64(f"\0{USER}\0wrong")), c.quit_()],
    "relay denied": [c.ehlo("pc"), c.mail(USER), c.rcpt(FOREIGN), c.quit_()],
    "unknown user": [c.ehlo("pc"), c.mail(USER), c.rcpt(UNKNOWN), c.quit_()],
    "AUTH after HELO": [c.ehlo("pc"), c.starttls(), c.helo("pc"), c.auth("LOGIN"),
                        AuthLine(b64(USER), secret=True), AuthLine(b64(SECRET), secret=True),
                        c.mail(USER), c.quit_()],
    "AUTH before STARTTLS": [c.ehlo("pc"), c.auth("LOGIN"), c.quit_()],
    "RCPT before MAIL": [c.ehlo("pc"), c.rcpt(LOCAL), c.quit_()],
    "bare LF in a command": [RawBytes(b"EHLO pc\n"), RawBytes(b"MAIL FROM:<" + USER.encode()
                                                               + b">\n"), c.quit_()],
}


def run(script, where: tuple[str, int]) -> list[tuple[str, int]]:
    """The script through the explorer's engine: (what was sent, reply code) per reply."""
    engine = Engine(Target(*where, insecure=True, timeout=10))
    try:
        codes = [("connect", _codes(engine.connect())[0])]
        for step in script:
            for code in _codes(engine.send(step)):
                codes.append((type(step).__name__ if not isinstance(step, c.Command)
                              else step.verb, code))
        return codes
    finally:
        engine.close()


def _codes(outcome) -> list[int]:
    return [e.reply.code for e in outcome.events if isinstance(e, Answer)]


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_differential_postfix_profile_against_real_postfix(name, postfix, postfix_profile):
    real = run(SCRIPTS[name], postfix)
    profile = run(SCRIPTS[name], postfix_profile)
    assert len(real) > 2  # the script did run to its end there
    for line, (expected, got) in enumerate(zip(real, profile, strict=True), 1):
        assert got == expected, f"{name}, reply {line}: Postfix {expected}, profile {got}"


def replies(where: tuple[str, int], script) -> list[bytes]:
    engine = Engine(Target(*where, insecure=True, timeout=10))
    try:
        found = [e.reply.raw for e in engine.connect().events if isinstance(e, Answer)]
        for step in script:
            found += [e.reply.raw for e in engine.send(step).events if isinstance(e, Answer)]
        return found
    finally:
        engine.close()


def test_the_assignment_cases_explained_at_postfix(postfix):
    """Each Postfix refusal the learner meets is explained with its cause and what to do."""
    relay = replies(postfix, SCRIPTS["relay denied"])[3]
    assert relay.startswith(b"554 5.7.1 <x@elsewhere.example>: Relay access denied")
    advice = recognise(relay)
    assert advice.provider == "Postfix" and "relays to other domains only" in advice.meaning
    assert advice.action.startswith("Log in first") and "DATA" not in advice.action

    tls_only = replies(postfix, SCRIPTS["AUTH before STARTTLS"])[2]
    assert tls_only == b"503 5.5.1 Error: authentication not enabled\r\n"
    advice = recognise(tls_only)
    assert "only after STARTTLS" in advice.meaning and "already" not in advice.meaning
    assert advice.action.startswith("Send STARTTLS")

    unknown = replies(postfix, SCRIPTS["unknown user"])[3]
    assert unknown.startswith(b"550 5.1.1 <nobody@example.test>: Recipient address rejected")
    assert "no mailbox of that name" in recognise(unknown).meaning

    wrong = replies(postfix, SCRIPTS["wrong password"])[4]
    assert wrong.startswith(b"535 5.7.8 Error: authentication failed")
    assert "user name or password is wrong" in recognise(wrong).meaning

    early = replies(postfix, SCRIPTS["RCPT before MAIL"])[2]
    assert early == b"503 5.5.1 Error: need MAIL command\r\n"
    assert recognise(early).action.startswith("Send MAIL FROM")

    unknown_command = replies(postfix, [c.ehlo("pc"), AuthLine(b64(SECRET))])[2]
    assert unknown_command == b"500 5.5.2 Error: command not recognized\r\n"
    assert b64(SECRET).encode() not in unknown_command  # Postfix does not echo; nor do we
    assert "Base64 AUTH answer" in recognise(unknown_command).meaning


def test_auth_after_helo_is_accepted_by_postfix(postfix):
    got = replies(postfix, SCRIPTS["AUTH after HELO"])
    assert got[4:7] == [b"334 VXNlcm5hbWU6\r\n", b"334 UGFzc3dvcmQ6\r\n",
                        b"235 2.7.0 Authentication successful\r\n"]


PIPELINED = (f"EHLO pc\r\nMAIL FROM:<{USER}>\r\nRCPT TO:<{LOCAL}>\r\n").encode()


def test_pipelining_predicted_and_answered_in_turn_by_postfix(postfix):
    """A pipelined /raw (EHLO not last): the core warns, the REPL says who does what, and
    Postfix 3.7 by default answers every command in turn."""
    from repl_driver import run_repl

    from explorer.knowledge.families import prediction

    engine = Engine(Target(*postfix, insecure=True, timeout=10))
    try:
        engine.connect()
        outcome = engine.send(RawBytes(PIPELINED))
        helo = Engine(Target(*postfix, insecure=True, timeout=10))
        helo.connect()
        helo.send(c.helo("pc"))  # no PIPELINING after HELO: even MAIL and RCPT must wait
        unadvertised = helo.send(RawBytes(PIPELINED.split(b"\r\n", 1)[1]))
        helo.close()
    finally:
        engine.close()
    pipelining = Warning_("pipelining", None, "note")
    assert outcome.wire == PIPELINED and outcome.warnings == (pipelining,)
    got = [e.reply.raw for e in outcome.events if isinstance(e, Answer)]
    assert [r[:3] for r in got] == [b"250", b"250", b"250"]
    assert got[1:] == [b"250 2.1.0 Ok\r\n", b"250 2.1.5 Ok\r\n"]
    assert unadvertised.warnings == (pipelining,)
    assert [e.reply.raw for e in unadvertised.events if isinstance(e, Answer)] == got[1:]
    assert prediction("pipelining", "postfix").code is None  # no one code: each its own reply

    raw = "/raw " + PIPELINED.decode().replace("\r\n", r"\r\n")
    _, shown = run_repl(Target(*postfix, insecure=True, timeout=10), ["/connect", raw, "QUIT"])
    text = " ".join(shown.split())
    assert "before the reply to the one before it has come (pipelining)" in text
    assert "Postfix 3.7 by default answers every command in turn" in text
    assert "Exim answers 554 'SMTP synchronization error' and hangs up" in text
    assert "this server looks like" not in text and "not the" not in text  # nothing mispredicted
    assert "S: 250 2.1.0 Ok\\r\\n" in shown and "S: 250 2.1.5 Ok\\r\\n" in shown
    assert "S: 221 2.0.0 Bye\\r\\n" in shown
