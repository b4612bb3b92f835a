"""Every error path of the REPL against a misbehaving server on loopback: one clear message,
and the REPL stays usable (each test goes on to use it afterwards)."""

from __future__ import annotations

import socket

from repl_driver import run_repl, sandbox_target
from scripted_server import ScriptedServer

from explorer.core.states import State
from explorer.client.engine import Target
from explorer.repl.console import Console


def flat(text: str) -> str:
    return " ".join(text.split())


def scripted(script: list[tuple], timeout: float = 2.0) -> tuple[ScriptedServer, Target]:
    server = ScriptedServer(script)
    return server, Target("127.0.0.1", server.port, timeout=timeout)


def test_connection_refused_then_still_usable() -> None:
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    repl, shown = run_repl(Target("127.0.0.1", port), ["/connect", "/state", "/explain 421", "/quit"])
    assert f"error: connection refused by 127.0.0.1:{port}: no server is listening on that port" in shown
    assert "expected next: /connect" in shown and "421  " in shown
    assert repl.engine.state is State.NOT_CONNECTED


def test_unknown_host() -> None:
    repl, shown = run_repl(Target("127.0.0.1", 25), ["/connect bad..host:25", "/quit"])
    assert "error: unknown host 'bad..host': not a valid host name" in shown


def test_bad_connect_arguments() -> None:
    repl, shown = run_repl(Target("127.0.0.1", 25), ["/connect host:99999", "/connect a --tls --starttls", "/quit"])
    assert "error: bad port '99999'" in shown
    assert "error: argument --starttls: not allowed with argument --tls" in shown


def test_server_that_never_greets_times_out_and_reconnect_works(sandbox) -> None:
    server, target = scripted([("sleep", 3)], timeout=0.4)
    repl, shown = run_repl(target, ["/connect", "/connect 127.0.0.1:%d" % sandbox.port, "EHLO me", "/quit"])
    server.close()
    assert "no complete reply within 0.4 s" in shown
    assert "S: 220 sandbox.test" in shown and "S: 250-" in shown


def test_reply_that_never_completes_shows_what_arrived() -> None:
    server, target = scripted([("send", b"220-first line of a greeting\r\n"), ("sleep", 3)], timeout=0.4)
    repl, shown = run_repl(target, ["/connect", "/quit"])
    server.close()
    assert "no complete reply within 0.4 s" in shown
    assert "received so far: 220-first line of a greeting\\r\\n" in shown
    assert "a multi-line reply ends with 'ddd SP'" in flat(shown)


def test_421_mid_session_closes_cleanly() -> None:
    server, target = scripted([
        ("send", b"220 mx ESMTP\r\n"), ("read",), ("send", b"250 mx\r\n"), ("read",),
        ("send", b"421 4.3.2 Service shutting down\r\n"), ("close",)])
    repl, shown = run_repl(target, ["/connect", "HELO me", "MAIL FROM:<a@b.c>", "RCPT TO:<x@y.z>", "/state", "/quit"])
    server.close()
    assert "S: 421 4.3.2 Service shutting down\\r\\n" in shown
    assert "state: ready -> closed" in shown
    assert "warning:" in shown and "The connection is closed" in flat(shown)  # for the RCPT after it
    assert "expected next: /connect" in shown


def test_plain_eof_mid_transaction() -> None:
    server, target = scripted([
        ("send", b"220 mx\r\n"), ("read",), ("send", b"250 mx\r\n"), ("read",), ("send", b"250 ok\r\n"),
        ("read",), ("close",)])
    repl, shown = run_repl(target, ["/connect", "HELO me", "MAIL FROM:<a@b.c>", "RCPT TO:<x@y.z>", "/quit"])
    server.close()
    assert "the server closed the connection" in shown
    assert "in the middle of an exchange" in shown
    assert repl.engine.state is State.CLOSED


def test_escape_sequences_never_reach_the_terminal() -> None:
    evil = b"220 \x1b[2J\x1b]0;pwned\x07\x1b[31mred\x00\x9b\r\n"
    server, target = scripted([("send", evil), ("read",), ("send", b"250 \x1b[5mok\r\n"), ("read",)])
    repl, shown = run_repl(target, ["/connect", "HELO me", "/quit"])
    server.close()
    assert "S: 220 \\x1b[2J\\x1b]0;pwned\\x07\\x1b[31mred\\x00\\x9b\\r\\n" in shown
    assert "S: 250 \\x1b[5mok\\r\\n" in shown
    assert not any(ord(ch) < 32 and ch != "\n" or 0x7F <= ord(ch) <= 0x9F for ch in shown)


def test_not_a_reply_and_an_endless_line() -> None:
    server, target = scripted([("send", b"hello there\r\n"), ("read",), ("send", b"2" * 9000), ("sleep", 1)])
    repl, shown = run_repl(target, ["/connect", "HELO me", "/quit"])
    server.close()
    assert "not a valid SMTP reply: not a reply line" in shown
    assert "a line of over 8192 bytes: no reply line is that long" in shown


def test_tls_verification_failure_then_reconnect(sandbox) -> None:
    untrusted = Target(sandbox.host, sandbox.port, "plain", timeout=5.0)  # no cafile: self-signed is refused
    keys = ["/connect", "EHLO me", "STARTTLS", "/connect 127.0.0.1:%d --insecure" % sandbox.port, "EHLO me",
            "STARTTLS", "/quit"]
    repl, shown = run_repl(untrusted, keys)
    assert "TLS certificate of 127.0.0.1:%d could not be verified" % sandbox.port in shown
    assert "use --insecure only if you know why" in shown
    # The client refused the certificate and hung up: not "the server closed the connection".
    first = flat(shown).split("TLS established")[0]
    assert "The explorer (the client) closed the connection because of this" in first
    assert "the server closed the connection" not in first
    assert "warning: --insecure: the server's certificate is NOT verified" in flat(shown)
    assert "TLS established" in shown and "(not verified: --insecure)" in shown


def test_ctrl_c_at_the_prompt_cancels_the_line(sandbox) -> None:
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from explorer.repl.app import Repl
    from explorer.repl.console import Console

    shown: list[str] = []
    with create_pipe_input() as pipe:
        repl = Repl(sandbox_target(sandbox), console=Console(write=shown.append), input=pipe, output=DummyOutput())
        pipe.send_text("/conn\x03/connect\rQUIT\r\x04")
        assert repl.run() == 0
    text = "".join(shown)
    assert "(cancelled; Ctrl-D or /quit leaves)" in text
    assert "S: 221 " in text


def test_bytes_that_are_not_utf8_and_bad_waits_keep_the_repl_alive(sandbox) -> None:
    keys = ["/connect", "/wait -1", "/wait nan", "/wait 1e309",
            "/connect 127.0.0.1:1 --timeout 1e309", "/attach /dev/zero", "/quit"]
    repl, shown = run_repl(sandbox_target(sandbox), keys, sandbox=lambda: sandbox)
    # A terminal sending a byte that is not UTF-8 gives a lone surrogate: it becomes U+FFFD.
    said: list[str] = []
    repl.console = Console(write=said.append)
    repl.connect([])
    repl.submit("NOOP \udce9")
    repl.submit("/raw NOOP \udce9\\r\\n")
    assert "C: NOOP \\xef\\xbf\\xbd\\r\\n" in "".join(said)
    assert "".join(said).count("S: 250 ") == 2
    repl.engine.close()
    assert shown.count("error: usage: /wait [SECONDS], seconds above 0 and at most 3600") == 3
    assert "error: --timeout must be a number of seconds above 0 and at most 3600" in shown
    assert "error: cannot attach /dev/zero: not a regular file" in shown
    assert "S: 221 " in shown and "internal error" not in shown


def test_ctrl_d_at_the_password_prompt_cancels_auth_before_quit(sandbox) -> None:
    repl, shown = run_repl(sandbox_target(sandbox), ["/connect", "EHLO me", "AUTH LOGIN", "learner@sandbox.test"],
                           sandbox=lambda: sandbox)
    sent = b"".join(c.data for c in sandbox.sessions[0].chunks if c.direction == "client")
    assert sent.endswith(b"\r\n*\r\nQUIT\r\n")
    assert "S: 221 " in shown
