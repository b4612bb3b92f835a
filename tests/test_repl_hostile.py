"""The REPL against servers that misbehave on purpose (tests/scripted_server.py): garbage lines,
huge and endless replies, a 421 in the middle of DATA, replies nobody asked for, control
characters in EHLO, a STARTTLS that never becomes TLS. Each test goes on using the session."""

from __future__ import annotations

import time

import pytest
from repl_driver import run_repl
from scripted_server import ScriptedServer

from explorer.core.commands import parse_command
from explorer.core.replies import ProtocolError
from explorer.core.session import Answer, ConnectionClosed
from explorer.core.states import State
from explorer.client.engine import Dropped, Engine, Failure, Target
from explorer.repl.console import Console
from explorer.repl.suggest import toolbar

GREET = ("send", b"220 mx.example ESMTP\r\n")


def scripted(script: list[tuple], timeout: float = 5.0) -> tuple[ScriptedServer, Target]:
    server = ScriptedServer(script)
    return server, Target("127.0.0.1", server.port, timeout=timeout)


def no_control_characters(text: str) -> bool:
    return not any((ord(ch) < 32 and ch != "\n") or 0x7F <= ord(ch) <= 0x9F for ch in text)


def wait_readable(engine: Engine) -> None:
    """Until the server's next bytes (or its close) have arrived: the test's own clock, not the REPL's."""
    deadline = time.monotonic() + 5
    while not engine.transport.readable() and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.mark.parametrize("garbage", [b"999 x\r\n", b"abc\r\n"])
def test_a_garbage_line_answers_the_command_and_the_next_command_gets_its_own_reply(garbage: bytes) -> None:
    server, target = scripted([GREET, ("read",), ("send", garbage), ("read",), ("send", b"250 2.0.0 noop-ok\r\n"),
                               ("read",), ("send", b"221 bye\r\n")])
    engine = Engine(target)
    engine.connect()
    helo = engine.send(parse_command("HELO me"))
    noop = engine.send(parse_command("NOOP"))
    quit_ = engine.send(parse_command("QUIT"))
    server.close()
    assert [type(e) for e in helo.events] == [ProtocolError] and helo.events[0].raw == garbage
    (answer,) = noop.events
    assert answer.to == "NOOP" and answer.reply.raw == b"250 2.0.0 noop-ok\r\n" and not answer.unexpected
    assert quit_.events[0].to == "QUIT" and engine.state is State.CLOSED


def test_the_rest_of_a_cut_reply_is_not_the_next_commands_reply() -> None:
    huge = b"250-x\r\n" * 1500 + b"250 last\r\n"
    server, target = scripted([GREET, ("read",), ("send", huge), ("read",), ("send", b"250 2.0.0 noop-ok\r\n"),
                               ("read",), ("send", b"221 bye\r\n")])
    repl, shown = run_repl(target, ["/connect", "EHLO me", "NOOP", "QUIT"])
    server.close()
    assert "a reply of over 1000 lines: the rest of it is left out" in shown
    assert f"... 989 lines ({989 * 7} bytes) left out here: /history shows every byte ..." in shown
    assert "The rest of that broken reply, 501 lines (3510 bytes), was read and left out" in " ".join(shown.split())
    noop = shown.split("C: NOOP\\r\\n", 1)[1]
    assert noop.split("\n")[1] == "S: 250 2.0.0 noop-ok\\r\\n"
    assert "S: 221 bye" in shown and len(shown.splitlines()) < 200  # folded: not 1500 lines


def test_a_long_reply_is_folded_and_history_keeps_every_byte() -> None:
    lines = [f"250-EXT{i}\r\n".encode() for i in range(900)]
    server, target = scripted([GREET, ("read",), ("send", b"".join(lines) + b"250 END\r\n"), ("read",),
                               ("send", b"221 bye\r\n")])
    repl, shown = run_repl(target, ["/connect", "EHLO me", "QUIT", "/history"])
    server.close()
    reply = shown.split("C: EHLO me\\r\\n", 1)[1].split("C: QUIT")[0]
    assert "S: 250-EXT7\\r\\n" in reply and "S: 250-EXT8\\r\\n" not in reply.split("left out")[0]
    assert f"... 890 lines ({len(b''.join(lines[8:898]))} bytes) left out here" in reply
    assert "S: 250-EXT898\\r\\n\nS: 250-EXT899\\r\\n\nS: 250 END\\r\\n" in reply
    assert "(901 lines, one reply)" in shown
    history = shown.rsplit("S: 220 mx.example", 1)[1]
    assert all(f"S: 250-EXT{i}\\r\\n" in history for i in range(900))


def test_a_ten_megabyte_line_is_one_error_and_the_session_goes_on() -> None:
    line = b"250 " + b"y" * 10_000_000
    server, target = scripted([GREET, ("read",), ("send", line), ("read",), ("send", b"\r\n250 2.0.0 ok\r\n"),
                               ("read",), ("send", b"221 bye\r\n")])
    repl, shown = run_repl(target, ["/connect", "HELO me", "NOOP", "QUIT"])
    server.close()
    assert shown.count("not a valid SMTP reply") == 1
    assert "a line of over 8192 bytes: no reply line is that long" in shown
    assert "(7792 more bytes on this line)" in shown and len(shown) < 20_000
    assert "C: NOOP\\r\\n" in shown and "S: 250 2.0.0 ok\\r\\n" in shown and "S: 221 bye" in shown


def test_a_421_in_the_middle_of_data_is_shown_before_the_next_line_goes_out() -> None:
    server, target = scripted([
        GREET, ("read",), ("send", b"250 mx\r\n"), ("read",), ("send", b"250 ok\r\n"), ("read",),
        ("send", b"250 ok\r\n"), ("read",), ("send", b"354 go ahead\r\n"), ("read",),
        ("send", b"421 4.4.2 mx.example Error: timeout exceeded\r\n"), ("close",)])
    said: list[str] = []
    from explorer.repl.app import Repl

    repl = Repl(target, console=Console(write=said.append))
    repl.connect([])
    for line in ("HELO me", "MAIL FROM:<a@b.example>", "RCPT TO:<c@d.example>", "DATA", "Subject: hi"):
        repl.submit(line)
    wait_readable(repl.engine)
    said.clear()
    repl.submit("a second line")
    server.close()
    text = "".join(said)
    assert text.startswith("S: 421 4.4.2 mx.example Error: timeout exceeded\\r\\n")
    assert "Not sent: the connection is closed." in text and "C: a second line" not in text
    assert "broke" not in text and repl.engine.state is State.CLOSED


def test_a_reply_that_came_before_the_command_is_not_its_answer() -> None:
    server, target = scripted([GREET, ("read",), ("send", b"250 mx\r\n"), ("sleep", 0.2),
                               ("send", b"250 2.0.0 surprise\r\n"), ("read",), ("send", b"250 2.0.0 noop-ok\r\n")])
    engine = Engine(target)
    engine.connect()
    engine.send(parse_command("HELO me"))
    wait_readable(engine)
    outcome = engine.send(parse_command("NOOP"))
    server.close()
    early, answer = outcome.events
    assert early.unexpected and early.reply.raw == b"250 2.0.0 surprise\r\n"
    assert answer.to == "NOOP" and not answer.unexpected and answer.reply.raw == b"250 2.0.0 noop-ok\r\n"


def test_control_characters_in_ehlo_never_reach_the_screen_the_state_or_the_toolbar() -> None:
    ehlo = b"250-mx\x07\r\n250-AUTH \x07\x08LOGIN X\x1b[2J\r\n250 AUTH=\x1b]0;pwned\x07\r\n"
    server, target = scripted([GREET, ("read",), ("send", ehlo), ("read",), ("send", b"221 bye\r\n")])
    said: list[str] = []
    from explorer.repl.app import Repl

    repl = Repl(target, console=Console(write=said.append))
    repl.connect([])
    repl.submit("EHLO me")
    repl._before_prompt()  # the next: line
    repl.submit("/state")
    bar = "".join(text for _, text in toolbar(repl, columns=300))
    assert repl.engine.session.context.capabilities.auth_mechanisms == ()  # no valid SASL name there
    repl.submit("QUIT")
    server.close()
    text = "".join(said)
    assert "\\x07\\x08LOGIN X\\x1b[2J" in text
    assert no_control_characters(text) and no_control_characters(bar)


def test_five_thousand_auth_mechanisms_are_read_once() -> None:
    lines = [f"250-AUTH {' '.join(f'M{i}-{j}' for j in range(6))}\r\n".encode() for i in range(900)]
    server, target = scripted([GREET, ("read",), ("send", b"250-mx\r\n" + b"".join(lines) + b"250 AUTH LOGIN\r\n"),
                               ("read",), ("send", b"221 bye\r\n")])
    from explorer.repl.app import Repl

    repl = Repl(target, console=Console(write=lambda _: None))
    repl.connect([])
    repl.submit("EHLO me")
    caps = repl.engine.session.context.capabilities
    assert len(caps.auth_mechanisms) == 5401 and caps.auth_mechanisms[-1] == "LOGIN"
    first = caps.auth_mechanisms
    for _ in range(3):  # every keystroke redraws the toolbar: the list is not worked out again
        assert "next: AUTH LOGIN" in "".join(text for _, text in toolbar(repl, columns=300))
    assert caps.auth_mechanisms is first
    repl.submit("QUIT")
    server.close()


def test_a_failed_starttls_handshake_is_the_clients_abort_and_leaves_no_tls() -> None:
    server, target = scripted([GREET, ("read",), ("send", b"250-mx\r\n250 STARTTLS\r\n"), ("read",),
                               ("send", b"220 go ahead\r\n"), ("sleep", 0.3), ("send", b"this is not TLS\r\n" * 20),
                               ("sleep", 1)])
    repl, shown = run_repl(target, ["/connect", "EHLO me", "STARTTLS"])
    server.close()
    flat = " ".join(shown.split())
    assert "TLS handshake with 127.0.0.1" in flat and "failed" in flat
    assert "The explorer (the client) closed the connection because of this; the mail server did not hang up." in flat
    assert "the server closed the connection" not in shown
    assert repl.engine.state is State.CLOSED
    bar = "".join(text for _, text in toolbar(repl, columns=300))
    assert "| TLS off | AUTH no |" in bar and "tls" not in "".join(t for _, t in repl._prompt_message())


def test_after_a_close_the_toolbar_says_auth_no(sandbox) -> None:
    from repl_driver import sandbox_target

    repl, shown = run_repl(sandbox_target(sandbox), ["/connect", "EHLO me",
                                                     "AUTH PLAIN AGxlYXJuZXJAc2FuZGJveC50ZXN0AHBhc3N3b3JkMTIz", "QUIT"])
    assert "S: 235 " in shown and "S: 221 " in shown
    assert "| closed | TLS off | AUTH no |" in "".join(text for _, text in toolbar(repl, columns=300))


def test_bytes_after_the_220_to_starttls_are_refused_not_read_as_tls() -> None:
    server, target = scripted([GREET, ("read",), ("send", b"250-mx\r\n250 STARTTLS\r\n"), ("read",),
                               ("send", b"220 go ahead\r\n250 injected\r\n"), ("sleep", 1)])
    engine = Engine(target)
    engine.connect()
    engine.send(parse_command("EHLO me"))
    outcome = engine.send(parse_command("STARTTLS"))
    server.close()
    answer, failure = outcome.events
    assert answer.starttls and isinstance(failure, Failure) and failure.aborted
    assert "more bytes after its 220 to STARTTLS" in failure.message
    assert engine.state is State.CLOSED and not engine.session.context.tls
