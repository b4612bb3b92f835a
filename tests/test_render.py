from __future__ import annotations

import pytest
from hypothesis import given, strategies as hs

from explorer.knowledge.keyed import error_text
from explorer.core.render import EscapeError, hexdump, parse_escapes, visible, visible_lines, visible_text

GOLDEN = [
    (b"EHLO me\r\n", "EHLO me\\r\\n"),
    (b"a\tb\x00c", "a\\tb\\x00c"),
    (b"\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
    (b"back\\slash", "back\\\\slash"),
    (b"bare\n", "bare\\n"),
    (b"\xe4\xb8\xad", "\\xe4\\xb8\\xad"),
    (b"\x7f\x80\xff", "\\x7f\\x80\\xff"),
    (b"", ""),
]


@pytest.mark.parametrize("raw,shown", GOLDEN)
def test_visible_golden_both_ways(raw: bytes, shown: str) -> None:
    assert visible(raw) == shown
    assert parse_escapes(shown) == raw


@given(hs.binary(max_size=300))
def test_visible_is_printable_ascii_and_reversible(data: bytes) -> None:
    shown = visible(data)
    assert shown.isascii() and shown.isprintable()
    assert parse_escapes(shown) == data


def test_visible_lines_keeps_each_terminator() -> None:
    assert visible_lines(b"250-a\r\n250 b\nrest") == ["250-a\\r\\n", "250 b\\n", "rest"]


def test_visible_text_keeps_printable_unicode_and_escapes_controls() -> None:
    assert visible_text("中文 ✉\x1b[2J\u200b") == "中文 ✉\\x1b[2J\\u200b"
    assert visible_text("\x85") == "\\x85"


def test_hexdump_offsets_and_ascii_column() -> None:
    dump = hexdump(b"MAIL FROM:<a@example.org>\r\n")
    assert dump.splitlines() == [
        "00000000  4d 41 49 4c 20 46 52 4f 4d 3a 3c 61 40 65 78 61  |MAIL FROM:<a@exa|",
        "00000010  6d 70 6c 65 2e 6f 72 67 3e 0d 0a                 |mple.org>..|",
    ]
    assert hexdump(b"") == ""


@pytest.mark.parametrize("text,message,zh", [
    ("abc\\", "a lone backslash at the end (write \\\\ for a backslash)", "末尾有一个单独的反斜杠（要表示反斜杠本身，请写 \\\\）"),
    ("\\x4", "\\x needs two hex digits, got '4'", "\\x 后面需要两个十六进制数字，这里是 '4'"),
    ("\\xzz", "\\x needs two hex digits, got 'zz'", "\\x 后面需要两个十六进制数字，这里是 'zz'"),
    ("\\q", "unknown escape \\q (use \\r \\n \\t \\0 \\xNN or \\\\)", "未知的转义 \\q（可用的有 \\r \\n \\t \\0 \\xNN 或 \\\\）"),
])
def test_parse_escapes_errors(text: str, message: str, zh: str) -> None:
    # The core names the reason by a key; the front ends say it in the learner's language.
    with pytest.raises(EscapeError) as failure:
        parse_escapes(text)
    assert error_text(failure.value) == message and error_text(failure.value, "zh") == zh


def test_parse_escapes_classic_mistakes() -> None:
    assert parse_escapes("HELO me\\n") == b"HELO me\n"
    assert parse_escapes("Subject: hi\\t\\n") == b"Subject: hi\t\n"
    assert parse_escapes("\\0") == b"\x00"
    assert parse_escapes("中") == "中".encode()


FRAGMENTS = ["a", "Z", " ", "~", "\x00", "\x7f", "\\", "\\\\", "\\r", "\\n", "\\t", "\\0", "\\x",
             "\\x4", "\\x4f", "\\xFf", "\\xg1", "\\q", "中", "é"]


@given(hs.lists(hs.sampled_from(FRAGMENTS), max_size=40).map("".join))
def test_parse_escapes_fast_path_equals_the_one_by_one_reading(text: str) -> None:
    from explorer.core.render import _parse_one_by_one

    try:
        expected: bytes | str = _parse_one_by_one(text)
    except EscapeError as exc:
        expected = str(exc)
    try:
        assert parse_escapes(text) == expected
    except EscapeError as exc:
        assert str(exc) == expected
