from __future__ import annotations

from explorer.core.capabilities import parse_ehlo
from explorer.core.replies import Reply, format_reply


def reply(code: int, lines: list[str]) -> Reply:
    return Reply(code, tuple(lines), format_reply(code, lines))


def test_full_ehlo_reply() -> None:
    caps = parse_ehlo(reply(250, [
        "smtp.example.com at your service", "SIZE 35882577", "8BITMIME", "STARTTLS",
        "ENHANCEDSTATUSCODES", "PIPELINING", "CHUNKING", "SMTPUTF8", "DSN", "HELP",
        "AUTH LOGIN PLAIN XOAUTH2", "X-PRIVATE-THING foo bar",
    ]))
    assert caps.greeting == "smtp.example.com at your service"
    assert caps.keywords == ("SIZE", "8BITMIME", "STARTTLS", "ENHANCEDSTATUSCODES", "PIPELINING",
                             "CHUNKING", "SMTPUTF8", "DSN", "HELP", "AUTH", "X-PRIVATE-THING")
    assert caps.size_limit == 35882577
    assert caps.auth_mechanisms == ("LOGIN", "PLAIN", "XOAUTH2")
    assert caps.get("x-private-thing").params == ("foo", "bar")
    assert caps.has("starttls") and not caps.has("BINARYMIME")


def test_legacy_auth_equals_form() -> None:
    caps = parse_ehlo(reply(250, ["mx", "AUTH=LOGIN PLAIN", "AUTH LOGIN PLAIN CRAM-MD5"]))
    assert caps.auth_mechanisms == ("LOGIN", "PLAIN", "CRAM-MD5")
    assert caps.get("AUTH").legacy is False
    only_legacy = parse_ehlo(reply(250, ["mx", "AUTH=LOGIN"]))
    assert only_legacy.auth_mechanisms == ("LOGIN",) and only_legacy.get("AUTH").legacy


def test_size_without_limit_and_garbage() -> None:
    assert parse_ehlo(reply(250, ["mx", "SIZE"])).size_limit == 0
    assert parse_ehlo(reply(250, ["mx", "SIZE lots"])).size_limit == 0
    assert parse_ehlo(reply(250, ["mx"])).size_limit is None


def test_invalid_keyword_is_kept_but_marked() -> None:
    caps = parse_ehlo(reply(250, ["mx", "_weird", "ok-THING"]))
    assert [e.valid for e in caps.extensions] == [False, True]


def test_non_250_has_no_extensions() -> None:
    assert parse_ehlo(reply(502, ["not implemented"])).extensions == ()
