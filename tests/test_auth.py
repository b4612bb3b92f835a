from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from hypothesis import given, strategies as hs

from explorer.knowledge.keyed import error_text
from explorer.core.auth import (
    Base64Error, b64decode, b64decode_text, b64encode_text, cram_md5_response, decode_challenge,
    login_responses, plain_response, split_plain,
)


@pytest.mark.parametrize("text,encoded", [
    ("Username:", "VXNlcm5hbWU6"),
    ("Password:", "UGFzc3dvcmQ6"),
    ("learner@sandbox.test", "bGVhcm5lckBzYW5kYm94LnRlc3Q="),
    ("中文", "5Lit5paH"),
    ("", ""),
])
def test_base64_golden_both_ways(text: str, encoded: str) -> None:
    assert b64encode_text(text) == encoded
    assert b64decode_text(encoded) == text


@pytest.mark.parametrize("bad,reason,zh", [
    ("VXNlcm5hbWU", "length 11 is not a multiple of 4: padding '=' missing or characters lost",
     "长度 11 不是 4 的倍数：缺少填充用的 '='，或者丢失了字符"),
    ("VXNlc!5hbWU6", "'!' is not in the Base64 alphabet (A-Z a-z 0-9 + / and = padding)",
     "'!' 不在 Base64 的字母表中（A-Z a-z 0-9 + /，以及用于填充的 =）"),
    ("VX=lcm5hbWU6", "'=' padding may only stand at the end, at most twice", "填充用的 '=' 只能出现在末尾，而且最多两个"),
    ("VXNlcm5hbWU6===", "'=' padding may only stand at the end, at most twice", "填充用的 '=' 只能出现在末尾，而且最多两个"),
    ("中文", "'中' is not in the Base64 alphabet (A-Z a-z 0-9 + / and = padding)",
     "'中' 不在 Base64 的字母表中（A-Z a-z 0-9 + /，以及用于填充的 =）"),
])
def test_base64_errors_say_why(bad: str, reason: str, zh: str) -> None:
    # The core names the reason by a key; the front ends say it in the learner's language.
    with pytest.raises(Base64Error) as failure:
        b64decode(bad)
    assert error_text(failure.value) == reason and error_text(failure.value, "zh") == zh


@given(hs.binary(max_size=200))
def test_base64_roundtrip_matches_stdlib(data: bytes) -> None:
    encoded = b64encode_text(data)
    assert encoded == base64.b64encode(data).decode()
    assert b64decode(encoded) == data


@given(hs.text(max_size=40))
def test_b64decode_never_raises_anything_but_base64error(text: str) -> None:
    try:
        b64decode(text)
    except Base64Error:
        pass


@pytest.mark.parametrize("encoded,prompt,text", [
    ("VXNlcm5hbWU6", "username", "Username:"),
    ("UGFzc3dvcmQ6", "password", "Password:"),
    ("dXNlcm5hbWU6", "username", "username:"),
    (base64.b64encode(b"User Name\0").decode(), "username", "User Name\\x00"),
    (base64.b64encode(b"Password\0").decode(), "password", "Password\\x00"),
    (base64.b64encode(b"<1896.697170952@postoffice.example.net>").decode(), None,
     "<1896.697170952@postoffice.example.net>"),
])
def test_decode_login_challenges(encoded: str, prompt: str | None, text: str) -> None:
    challenge = decode_challenge(encoded)
    assert challenge.prompt == prompt
    assert challenge.text.replace("\x00", "\\x00") == text


def test_plain_parts() -> None:
    parts = plain_response("learner@sandbox.test", "password123")
    assert parts.raw == b"\0learner@sandbox.test\0password123"
    assert parts.encoded == "AGxlYXJuZXJAc2FuZGJveC50ZXN0AHBhc3N3b3JkMTIz"
    back = split_plain(parts.encoded)
    assert (back.authzid, back.authcid, back.password) == ("", "learner@sandbox.test", "password123")
    with pytest.raises(Base64Error) as failure:
        split_plain(b64encode_text("user\0pass"))
    assert error_text(failure.value) == ("AUTH PLAIN needs three parts separated by NUL (authzid, user, password); "
                                         "found 2")


def test_cram_md5_rfc2195_example() -> None:
    # RFC 2195 section 2: user tim, secret tanstaaftanstaaf.
    challenge = base64.b64encode(b"<1896.697170952@postoffice.reston.mci.net>").decode()
    text, encoded = cram_md5_response(challenge, "tim", "tanstaaftanstaaf")
    assert text == "tim b913a602c7eda7a495b4e6e7334d3890"
    assert encoded == "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"
    assert text.split()[1] == hmac.new(b"tanstaaftanstaaf", base64.b64decode(challenge), hashlib.md5).hexdigest()


def test_login_responses() -> None:
    assert login_responses("u", "p") == ("dQ==", "cA==")
