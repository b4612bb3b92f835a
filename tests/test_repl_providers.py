"""The REPL and the providers: predictions per server family, a one-line note when the reply
differs, provider explanations of replies, /profile and /connect sandbox --tls, connect hints."""

from __future__ import annotations

import socket
import threading

from repl_driver import run_repl, sandbox_target

from explorer.client.engine import Target
from explorer.knowledge.families import family_of


def flat(text: str) -> str:
    return " ".join(text.split())


def test_families_are_recognised_from_banner_and_ehlo():
    assert family_of("163.com Anti-spam GT for Coremail System (163com[20141201])") == "coremail"
    assert family_of("newxmesmtplogicsvrszc8.qq.com XMail Esmtp QQ Mail Server.") == "qq"
    assert family_of("smtp.gmail.com ESMTP d9443c01a7336 - gsmtp") == "gsmtp"
    assert family_of("x.outlook.office365.com Microsoft ESMTP MAIL Service ready") == "microsoft"
    assert family_of("mail.example.test ESMTP Postfix (Debian/GNU)") == "postfix"
    assert family_of("mx ESMTP Exim 4.96 Mon, 30 Nov 2026") == "exim"
    assert family_of("mx", ["mx", "PIPELINING", "ETRN"]) == "postfix"
    assert family_of("sandbox.test ESMTP smtp-explorer sandbox: a teaching server") == "sandbox"
    assert family_of("mx.example ESMTP") is None


def test_auth_after_helo_predicted_for_the_family(make_sandbox):
    box = make_sandbox()
    _, shown = run_repl(sandbox_target(box), ["/connect", "HELO pc", "AUTH LOGIN", "*"],
                        sandbox=lambda: box)
    text = flat(shown)
    assert "Postfix and 163 (Coremail) accept AUTH after HELO" in text
    assert "Exim answers 503" in text
    assert "this server looks like the sandbox (teaching profile): expect 334" in text
    assert "not the" not in text  # the prediction held


def test_a_reply_that_differs_from_the_prediction_is_noted(make_sandbox):
    box = make_sandbox(profile="exim")
    _, shown = run_repl(sandbox_target(box), ["/connect", "HELO pc", "AUTH LOGIN"],
                        sandbox=lambda: box)
    text = flat(shown)
    assert "this server looks like Exim: expect 503" in text and "(expect 503)" in text
    assert "S: 503 AUTH command used when not advertised" in shown
    # and the reply explained as Exim's
    assert "At Exim: AUTH came after HELO" in text


def test_mail_without_auth_is_predicted_per_family(make_sandbox):
    box = make_sandbox(profile="163")
    _, shown = run_repl(sandbox_target(box), ["/connect", "EHLO pc",
                                              "MAIL FROM:<learner@sandbox.test>"],
                        sandbox=lambda: box)
    text = flat(shown)
    assert "this server looks like 163 / 126 (Coremail): expect 553" in text
    assert "S: 553 authentication is required" in shown
    assert "At 163 / 126 (Coremail): MAIL FROM came before a successful login" in text
    assert "the server answered" not in text


def test_unpredicted_reply_gets_one_line(make_sandbox):
    # The sandbox's teaching profile with require-auth answers 530, not the 250 predicted
    box = make_sandbox(scenarios=["require-auth"])
    _, shown = run_repl(sandbox_target(box), ["/connect", "EHLO pc",
                                              "MAIL FROM:<learner@sandbox.test>"],
                        sandbox=lambda: box)
    assert "the server answered 530, not the 250 predicted: servers differ here" in flat(shown)


def test_profile_switch_and_implicit_tls(make_sandbox):
    box = make_sandbox(tls_port=0)
    keys = ["/profile", "/profile qq", "/connect sandbox --tls", "EHLO pc", "QUIT",
            "/profile hotmail"]
    repl, shown = run_repl(sandbox_target(box), keys, sandbox=lambda: box)
    text = flat(shown)
    assert "* teaching" in shown and "qq" in shown
    assert "sandbox profile: qq" in text
    assert "TLS established" in shown
    assert "S: 220 newxmesmtplogicsvrszc8.qq.com XMail Esmtp QQ Mail Server." in shown
    assert f"sandbox 127.0.0.1:{box.tls_port}" in text
    assert "unknown profile 'hotmail'" in text
    assert box.profile == "qq"


def test_plain_text_to_a_tls_first_port_says_use_tls():
    # A server that answers plain text with a TLS alert record, as some TLS-first ports do
    # (most stay silent: on 465 and 994 silence gives the same hint, see the last test).
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []

    def serve():
        conn, _ = listener.accept()
        accepted.append(conn)
        conn.sendall(b"\x15\x03\x03\x00\x02\x02\x32")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        target = Target("127.0.0.1", listener.getsockname()[1], "plain", timeout=0.5)
        _, shown = run_repl(target, ["/connect"])
    finally:
        thread.join(5)
        for conn in accepted:
            conn.close()
        listener.close()
    assert "This port speaks TLS first" in flat(shown) and "--tls" in shown


def test_explain_knows_the_provider_replies():
    from explorer.reports.explaining import explain_item

    text = flat("\n".join(explain_item("554 5.7.1 <x@y.example>: Relay access denied")))
    assert "At Postfix: This server does not receive mail for the recipient's domain" in text
    assert "What to do there: Log in first" in text
    zh = flat("\n".join(explain_item("534-5.7.9 Application-specific password required.", "zh")))
    assert "应用专用密码" in zh


def test_providers_command(capsys):
    from explorer.commands import main

    assert main(["providers"]) == 0
    out = flat(capsys.readouterr().out)
    assert "smtp.163.com" in out and "smtp.qq.com" in out and "smtp.gmail.com" in out
    assert "465 TLS from the first byte (--tls)" in out
    assert "authorization code" in out and "app password" in out
    lines = capsys.readouterr().out.splitlines() if main(["providers"]) == 0 else []
    # Every field of a provider under its name, indented alike; the source names the repo's doc.
    assert "  host: smtp.163.com, smtp.126.com" in lines and "  source: docs/providers.md 163: ports (V/P)" in lines
    assert main(["providers", "--lang", "zh"]) == 0
    zh = capsys.readouterr().out
    assert "授权码" in zh and "  主机：smtp.163.com, smtp.126.com" in zh.splitlines()
    assert "；25 明文（常被网络封锁）" in flat(zh)


def test_connect_hint_for_port_25():
    from explorer.knowledge.providers import connect_hint

    assert "block outgoing port 25" in connect_hint(25, False, timed_out=True)
    assert connect_hint(587, False, timed_out=True) is None
    assert "TLS first" in connect_hint(2525, False, silent=b"\x15\x03\x03\x00\x02\x02\x32")
    assert "TLS first" in connect_hint(465, False, silent=b"")
    assert connect_hint(465, True, silent=b"") is None


def test_qq_gbk_reply_is_decoded_and_explained_in_the_repl():
    from scripted_server import ScriptedServer

    gbk = ("535 Error: 请使用授权码登录。详情请看: http://service.mail.qq.com/cgi-bin/help?"
           "subtype=1&&id=28&&no=1001256\r\n").encode("gbk")
    server = ScriptedServer([("send", b"220 smtp.qq.com Esmtp QQ Mail Server\r\n"), ("read",),
                             ("send", gbk), ("read",)])
    try:
        target = Target("127.0.0.1", server.port, "plain", timeout=2.0)
        _, shown = run_repl(target, ["/connect", "AUTH PLAIN AGEAYg=="])
    finally:
        server.close()
    text = flat(shown)
    assert "Not UTF-8: decoded as GB18030: Error: 请使用授权码登录" in text
    assert "At QQ Mail: You sent the QQ login password" in text


def test_a_bare_lf_says_which_servers_accept_it(sandbox):
    _, shown = run_repl(sandbox_target(sandbox), ["/connect", "/raw EHLO pc\\n"],
                        sandbox=lambda: sandbox)
    text = flat(shown)
    assert "[bare-lf]" in text
    assert "a real server: Servers differ: the sandbox, Postfix by default and Exim" in text
