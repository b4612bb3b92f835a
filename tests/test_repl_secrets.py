"""A password typed masked stays off the screen: its Base64 (which decodes back to it) is shown as
the placeholder, on the guide's line and on the C: line, unless the learner asks for it
(--reveal-secrets, /set reveal-secrets on). The REPL is driven against the real sandbox."""

from __future__ import annotations

import base64

from repl_driver import run_repl, sandbox_target

from explorer.core.render import hexdump
from explorer.repl.slash import argument_options

PASSWORD = "password123"
LOGIN_B64 = base64.b64encode(PASSWORD.encode()).decode()  # cGFzc3dvcmQxMjM=
PLAIN_B64 = base64.b64encode(b"\0learner@sandbox.test\0" + PASSWORD.encode()).decode()


def flat(text: str) -> str:
    return " ".join(text.split())


def client_bytes(box) -> bytes:
    (record,) = box.sessions
    return b"".join(c.data for c in record.chunks if c.direction == "client")


def assert_nothing_of(secret_b64: str, shown: str) -> None:
    """Neither the password nor its Base64, in any letter case, anywhere on the screen."""
    for form in (PASSWORD, secret_b64, secret_b64.upper(), secret_b64.lower()):
        assert form not in shown, form


def login(*before: str) -> list[str]:
    return ["/connect", "EHLO me", *before, "AUTH LOGIN", "learner@sandbox.test", PASSWORD]


def plain(*before: str) -> list[str]:
    return ["/connect", "EHLO me", *before, "AUTH PLAIN", "learner@sandbox.test", PASSWORD]


def test_auth_login_hides_the_password_base64_and_sends_it(sandbox) -> None:
    repl, shown = run_repl(sandbox_target(sandbox), login("/hex") + ["/history", "/quit"],
                           sandbox=lambda: sandbox)
    assert_nothing_of(LOGIN_B64, shown)
    assert "password: ***********  -> Base64: <secret removed>" in shown
    assert "C: <secret removed>\\r\\n" in shown
    # The hex dump under the C: line is of what is shown, never of the secret's bytes.
    assert hexdump(LOGIN_B64.encode() + b"\r\n").splitlines()[0][10:40] not in shown
    assert hexdump(b"<secret removed>\r\n").splitlines()[0] in shown
    text = flat(shown)
    assert ("Hidden on the screen: these 16 characters of Base64 decode straight back to your "
            "password.") in text
    assert "To show it: /set reveal-secrets on (or start with --reveal-secrets)." in text
    assert "Base64 is an encoding, not encryption" in text  # the lesson's own note stays
    # The server got the real bytes, and they were right.
    assert f"{LOGIN_B64}\r\n".encode() in client_bytes(sandbox)
    assert "S: 235 2.7.0" in shown


def test_guided_auth_plain_hides_the_base64_of_both_parts(sandbox) -> None:
    repl, shown = run_repl(sandbox_target(sandbox), plain() + ["/quit"], sandbox=lambda: sandbox)
    assert_nothing_of(PLAIN_B64, shown)
    assert "authzid NUL user NUL password: \\x00learner@sandbox.test\\x00***********" in shown
    assert "-> Base64: <secret removed>" in shown and "C: <secret removed>\\r\\n" in shown
    assert "these 44 characters of Base64" in flat(shown)
    assert f"{PLAIN_B64}\r\n".encode() in client_bytes(sandbox)
    assert "S: 235 2.7.0" in shown


def test_hidden_in_chinese_too(sandbox) -> None:
    repl, shown = run_repl(sandbox_target(sandbox), login() + ["/quit"], sandbox=lambda: sandbox, lang="zh")
    assert_nothing_of(LOGIN_B64, shown)
    assert "-> Base64：<secret removed>" in shown
    text = "".join(shown.split())
    assert "屏幕上已隐藏：这16个字符的Base64能直接解码出你的密码" in text
    assert "要显示它：输入/setreveal-secretson" in text
    assert "S: 235" in shown


def test_set_reveal_secrets_on_shows_what_was_shown_before_and_off_hides_again(sandbox) -> None:
    keys = login("/set reveal-secrets on") + ["/history", "/set reveal-secrets off", "/set", "/quit"]
    repl, shown = run_repl(sandbox_target(sandbox), keys, sandbox=lambda: sandbox)
    assert "reveal-secrets on: from now on the Base64 of a password typed masked is shown" in flat(shown)
    assert f"password: ***********  -> Base64: {LOGIN_B64}" in shown
    assert f"C: {LOGIN_B64}\\r\\n" in shown
    assert "Hidden on the screen" not in flat(shown)
    # Shown once on the guide's line and once as sent; /history keeps its placeholder.
    assert shown.count(LOGIN_B64) == 2 and "C: <secret removed>\\r\\n" in shown
    assert "reveal-secrets off: the Base64 of a password typed masked is shown as <secret removed>" in flat(shown)
    assert "  reveal-secrets off" in shown  # /set lists the switch with the variables
    assert repl.reveal_secrets is False
    assert "S: 235 2.7.0" in shown


def test_reveal_secrets_option_shows_the_plain_base64(sandbox) -> None:
    repl, shown = run_repl(sandbox_target(sandbox), plain() + ["/quit"], sandbox=lambda: sandbox,
                           reveal_secrets=True)
    assert f"-> Base64: {PLAIN_B64}" in shown and f"C: {PLAIN_B64}\\r\\n" in shown
    assert "<secret removed>" not in shown
    assert "S: 235 2.7.0" in shown


def test_a_blob_typed_in_clear_is_shown_as_typed(sandbox) -> None:
    # What the learner typed in clear is on the screen already, at the prompt: hiding the
    # C: line would hide nothing. Its password part is masked where the guide decodes it.
    repl, shown = run_repl(sandbox_target(sandbox), ["/connect", "EHLO me", f"AUTH PLAIN {PLAIN_B64}", "/quit"],
                           sandbox=lambda: sandbox)
    assert f"C: AUTH PLAIN {PLAIN_B64}\\r\\n" in shown
    assert "\\x00learner@sandbox.test\\x00***********" in shown and PASSWORD not in shown
    assert "S: 235 2.7.0" in shown


def test_a_wrong_switch_value_is_refused_in_one_line(sandbox) -> None:
    repl, shown = run_repl(sandbox_target(sandbox), ["/set reveal-secrets maybe", "/set reveal-secrets 开", "/quit"],
                           sandbox=lambda: sandbox, lang="zh")
    assert "用法：/set reveal-secrets on|off（现在：关）" in shown
    assert "reveal-secrets 已打开" in shown and repl.reveal_secrets is True


def test_completion_offers_the_switch_and_its_values(sandbox) -> None:
    repl, _ = run_repl(sandbox_target(sandbox), ["/quit"], sandbox=lambda: sandbox)
    assert "reveal-secrets" in argument_options(repl, "set")
    assert argument_options(repl, "set", ["reveal-secrets"]) == ["on", "off"]
    assert argument_options(repl, "set", ["sender"]) == []


def _echoing_server():
    """A hostile server that answers the password with an echo of it, upper-cased and decoded."""
    from scripted_server import ScriptedServer

    return ScriptedServer([
        ("send", b"220 echo ESMTP\r\n"), ("read",), ("send", b"250-echo\r\n250 AUTH LOGIN\r\n"),
        ("read",), ("send", b"334 VXNlcm5hbWU6\r\n"), ("read",), ("send", b"334 UGFzc3dvcmQ6\r\n"),
        ("read",), ("send", f"535 5.7.8 not {LOGIN_B64.upper()} ({PASSWORD})\r\n".encode()),
        ("read",), ("send", b"221 bye\r\n")])


def test_an_echo_of_the_hidden_password_from_the_server_is_hidden_too() -> None:
    from explorer.client.engine import Target

    server = _echoing_server()
    try:
        repl, shown = run_repl(Target("127.0.0.1", server.port, timeout=5.0),
                               login() + ["/explain", "QUIT"])
    finally:
        server.close()
    assert_nothing_of(LOGIN_B64, shown)
    assert "S: 535 5.7.8 not <secret removed> (<secret removed>)\\r\\n" in shown
    assert f"{LOGIN_B64}\r\n".encode() in server.received  # sent as it is


def test_with_reveal_secrets_the_echo_is_shown_as_it_came() -> None:
    from explorer.client.engine import Target

    server = _echoing_server()
    try:
        repl, shown = run_repl(Target("127.0.0.1", server.port, timeout=5.0), login() + ["QUIT"],
                               reveal_secrets=True)
    finally:
        server.close()
    assert f"S: 535 5.7.8 not {LOGIN_B64.upper()} ({PASSWORD})\\r\\n" in shown
