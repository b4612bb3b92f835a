"""The class report's shortcuts give exactly what the long way gives.

A report of ten thousand sessions annotates each ladder once (the TLS flags come from the
walker, not from a first annotation), and renders and reads bytes in C. Each shortcut is
compared here with the long way on sessions recorded by the real sandbox.
"""

from __future__ import annotations

from hypothesis import given, strategies as hs
from transcript_sessions import (  # noqa: F401 (fixtures)
    assert_no_secret, error_box, error_engine, record_starttls_session, server_record,
)

from explorer.core.render import _parse_one_by_one, parse_escapes, visible, visible_text
from explorer.recording import PLACEHOLDER, redact
from explorer.reports.annotate import annotate
from explorer.reports.secrets import prepare, with_tls

META = {"source": "log", "session": 7, "peer": "127.0.0.1"}


def _long_way(chunks, lang: str):
    wire = with_tls(chunks)
    wire = redact(wire)
    info = dict(META, secrets_revealed=False)
    return annotate(wire, lang=lang, meta=info, placeholder=PLACEHOLDER), wire


def test_a_logged_session_annotated_once_is_the_same_transcript(error_box, error_engine) -> None:
    logged = redact(server_record(error_box).chunks)  # as in the sandbox's log: redacted already
    assert any(c.redacted for c in logged)
    for lang in ("en", "zh"):
        transcript, wire = prepare(logged, lang=lang, meta=META)
        expected, expected_wire = _long_way(logged, lang)
        assert wire == expected_wire
        assert transcript == expected
        assert transcript.meta == dict(META, secrets_revealed=False)


def test_a_session_with_secrets_or_starttls_still_gets_the_long_way(error_box, error_engine,
                                                                     sandbox) -> None:
    with_secrets = server_record(error_box).chunks  # the sandbox's own record: the password is there
    record_starttls_session(sandbox)
    starttls = server_record(sandbox).chunks  # TLS flags are set by the annotation
    for chunks in (with_secrets, starttls):
        transcript, wire = prepare(chunks, meta=META)
        expected, expected_wire = _long_way(chunks, "en")
        assert wire == expected_wire and transcript == expected
    assert any(c.tls for c in prepare(starttls, meta=META)[1])
    assert_no_secret(b"".join(c.data for c in prepare(with_secrets, meta=META)[1]))


@given(hs.text(alphabet=hs.characters(max_codepoint=0x7F)))
def test_visible_text_of_ascii_is_the_byte_table(text: str) -> None:
    assert visible_text(text) == visible(text.encode("ascii"))


FRAGMENTS = ["\\0", "\\x00", "0", "1", "7", "12", "\\\\", "\\r", "\\n", "\\x5c", "N{", "u", "a"]


@given(hs.lists(hs.sampled_from(FRAGMENTS), max_size=30).map("".join))
def test_escapes_before_digits_are_read_as_the_one_by_one_reading(text: str) -> None:
    # \0 then a digit is octal to Python's own escape decoder: it must not be read so here.
    assert parse_escapes(text) == _parse_one_by_one(text)


def test_escapes_golden() -> None:
    assert parse_escapes("\\012") == b"\x0012"
    assert parse_escapes("\\\\N{DIGIT ONE}\\r\\n") == b"\\N{DIGIT ONE}\r\n"
    assert parse_escapes("250 ok\\r\\n\\xe4\\xb8\\xad") == b"250 ok\r\n\xe4\xb8\xad"
