"""Connection errors in Chinese after /lang zh (or --lang zh): a refused connection on 127.0.0.1,
a bad target, a command before /connect, and the STARTTLS-injection refusal of a real scripted
server on loopback. The English texts are checked, unchanged, in test_repl_errors and
test_repl_hostile."""

from __future__ import annotations

import socket

from repl_driver import run_repl
from scripted_server import ScriptedServer

from explorer.client.engine import Engine, Failure, Target
from explorer.core.commands import parse_command
from explorer.repl.view import event_lines


def _free_port() -> int:
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def test_refused_connection_bad_target_and_no_connection_in_chinese() -> None:
    port = _free_port()
    _, shown = run_repl(Target("127.0.0.1", port), [
        "/lang zh", "/connect", "/connect host:99999", "/connect a --timeout 0", "/connect :25", "NOOP"])
    for said in (f"127.0.0.1:{port} 拒绝了连接：这个端口上没有邮件服务器在监听",
                 "端口 '99999' 无效：端口是 1 到 65535 之间的数字",
                 "--timeout 必须是大于 0、最多 3600 的秒数",
                 "':25' 中没有主机：请写成 HOST 或 HOST:PORT",
                 "尚未建立连接：请先用 /connect 连接"):
        assert said in shown, said
    after = shown.split("简体中文", 1)[1]
    assert "refused" not in after and "bad port" not in after and "not connected" not in after


def test_the_starttls_injection_refusal_in_chinese() -> None:
    server = ScriptedServer([("send", b"220 mx ESMTP\r\n"), ("read",), ("send", b"250-mx\r\n250 STARTTLS\r\n"),
                             ("read",), ("send", b"220 go ahead\r\n250 injected\r\n"), ("sleep", 1)])
    engine = Engine(Target("127.0.0.1", server.port, timeout=2.0))
    engine.connect()
    engine.send(parse_command("EHLO me"))
    outcome = engine.send(parse_command("STARTTLS"))
    server.close()
    failure = outcome.events[-1]
    assert isinstance(failure, Failure) and failure.aborted
    shown = "".join(text for line in event_lines(failure, "zh") for _, text in line)
    assert "邮件服务器在对 STARTTLS 回复 220 之后、TLS 握手之前又发来了字节" in shown
    assert failure.message.startswith("the server sent more bytes after its 220 to STARTTLS")
