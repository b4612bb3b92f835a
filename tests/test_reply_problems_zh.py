"""The reply parser's flaws (keys from the core) said in the learner's language: in the REPL with
a real scripted server on loopback, in a reply's explanation, and in a saved report (new keys and
old English strings alike). The English texts are checked in test_repl_errors and test_repl_hostile."""

from __future__ import annotations

from repl_driver import run_repl
from scripted_server import ScriptedServer

from explorer.client.engine import Target
from explorer.core.replies import Flaw, ProtocolError, ReplyParser
from explorer.core.session import Answer
from explorer.core.states import State
from explorer.knowledge.keyed import flaw_text
from explorer.reports.explain import garbage_texts, reply_explanation
from explorer.reports.model import Exchange


def _events(data: bytes) -> list:
    parser = ReplyParser()
    parser.receive_data(data)
    return list(parser.events())


def test_not_a_reply_and_an_endless_line_in_chinese() -> None:
    server = ScriptedServer([("send", b"hello there\r\n"), ("read",), ("send", b"2" * 9000), ("sleep", 1)])
    _, shown = run_repl(Target("127.0.0.1", server.port, timeout=2.0), ["/lang zh", "/connect", "HELO me", "/quit"])
    server.close()
    after = shown.split("简体中文", 1)[1]
    flat = " ".join(after.split())
    assert "这不是回复行：回复行以三位数的回复码（2xx-5xx）开头" in flat
    assert "一行超过了 8192 个字节：没有哪个回复行会这么长（这一行余下的部分被丢弃）" in flat
    assert "not a reply line" not in after and "no reply line is that long" not in after


def test_a_malformed_reply_is_explained_in_chinese() -> None:
    (reply,) = _events(b"250-a\n251 caf\xe9\r\n")
    assert reply.problems == (Flaw("bare-lf"), Flaw("other-code", (("code", 251), ("first", 250))),
                              Flaw("not-utf8"))
    said = [line for role, line in reply_explanation(Answer(reply, "NOOP", State.GREETED, State.GREETED), "zh")
            if role == "malformed"]
    assert [flaw_text(p, "zh") for p in reply.problems] == [
        "这一行以单独的 LF 结尾，而不是 CRLF", "续行的回复码是 251，而这个回复以 250 开头",
        "文本不是合法的 UTF-8（以 \\x 转义显示）"]
    assert len(said) == 3 and all(flaw_text(p, "zh") in line for p, line in zip(reply.problems, said))
    assert flaw_text(reply.problems[1], "en") == "continuation line has code 251, the reply began with 250"


def test_garbage_is_explained_in_chinese() -> None:
    (error,) = _events(b"250-x\r\n" * 1001)
    assert isinstance(error, ProtocolError)
    assert garbage_texts(error, "zh")[2] == ("一个回复超过了 1000 行：余下的部分被丢弃",)
    assert garbage_texts(error, "en")[2] == ("a reply of over 1000 lines: the rest of it is left out",)


def test_a_saved_report_keeps_the_keys_and_still_reads_old_strings() -> None:
    exchange = Exchange(index=0, direction="server", kind="reply", data=b"250 " + b"x" * 600 + b"\r\n",
                        time=1.0, tls=False, connection=1, chunks=(0,), offset=0, name="REPLY", label="250",
                        meaning="ok", code=250, problems=(Flaw("over-512", (("octets", 606), ("limit", 512))),))
    saved = exchange.to_json()
    assert saved["problems"] == [{"key": "over-512", "values": {"octets": 606, "limit": 512}}]
    again = Exchange.from_json(saved)
    assert again == exchange
    assert flaw_text(again.problems[0], "zh") == "这一行有 606 个字节，超过了 RFC 5321 允许的 512 个字节"
    old = Exchange.from_json({**saved, "problems": ["line ended with a bare LF instead of CRLF"]})
    assert old.problems == ("line ended with a bare LF instead of CRLF",)
    assert flaw_text(old.problems[0], "zh") == "line ended with a bare LF instead of CRLF"
