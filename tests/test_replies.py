from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as hs

from explorer.core.replies import (
    HARD_LINE_LIMIT, NEED_DATA, Flaw, ProtocolError, Reply, ReplyParser, format_reply,
)


def parse_all(data: bytes, chunk: int | None = None) -> list[Reply | ProtocolError]:
    parser = ReplyParser()
    pieces = [data] if chunk is None else [data[i : i + chunk] for i in range(0, len(data), chunk)]
    events = []
    for piece in pieces:
        parser.receive_data(piece)
        events.extend(parser.events())
    assert parser.next_event() is NEED_DATA
    return events


def feed(data: bytes, cuts: list[int]) -> tuple[ReplyParser, list[Reply | ProtocolError]]:
    """Feed ``data`` in pieces of the sizes in ``cuts`` (then the rest): the parser, its events."""
    parser = ReplyParser()
    events: list[Reply | ProtocolError] = []
    pos = 0
    for size in cuts + [len(data)]:
        parser.receive_data(data[pos : pos + size])
        pos += size
        events.extend(parser.events())
    return parser, events


# (bytes, code, lines, enhanced): well-formed replies, checked both ways with format_reply.
GOLDEN = [
    (b"220 mx.example ESMTP ready\r\n", 220, ("mx.example ESMTP ready",), None),
    (b"250-mx.example\r\n250-SIZE 10240000\r\n250-AUTH LOGIN PLAIN\r\n250 STARTTLS\r\n",
     250, ("mx.example", "SIZE 10240000", "AUTH LOGIN PLAIN", "STARTTLS"), None),
    (b"334 VXNlcm5hbWU6\r\n", 334, ("VXNlcm5hbWU6",), None),
    (b"235 2.7.0 Authentication successful\r\n", 235, ("2.7.0 Authentication successful",), "2.7.0"),
    (b"535 5.7.8 authentication failed\r\n", 535, ("5.7.8 authentication failed",), "5.7.8"),
    (b"550-5.1.1 The email account that you tried to reach does not exist.\r\n550 5.1.1 Please check.\r\n",
     550, ("5.1.1 The email account that you tried to reach does not exist.", "5.1.1 Please check."), "5.1.1"),
    (b"354 End data with <CR><LF>.<CR><LF>\r\n", 354, ("End data with <CR><LF>.<CR><LF>",), None),
    (b"250\r\n", 250, ("",), None),
    (b"221 2.0.0 Bye\r\n", 221, ("2.0.0 Bye",), "2.0.0"),
    ("250 2.0.0 好的\r\n".encode(), 250, ("2.0.0 好的",), "2.0.0"),
]


@pytest.mark.parametrize("raw,code,lines,enhanced", GOLDEN)
def test_golden_both_ways(raw: bytes, code: int, lines: tuple[str, ...], enhanced: str | None) -> None:
    (reply,) = parse_all(raw)
    assert reply == Reply(code=code, lines=lines, raw=raw, enhanced=enhanced, problems=())
    assert format_reply(code, lines) == raw


@pytest.mark.parametrize("raw,code,lines,enhanced", GOLDEN)
def test_golden_one_byte_at_a_time(raw: bytes, code: int, lines: tuple[str, ...], enhanced: str | None) -> None:
    assert parse_all(raw, chunk=1) == parse_all(raw)


def test_several_replies_in_one_chunk_and_split_mid_line() -> None:
    stream = b"250 ok\r\n250-a\r\n250 b\r\n354 go\r\n"
    for cut in range(len(stream) + 1):
        parser = ReplyParser()
        parser.receive_data(stream[:cut])
        events = list(parser.events())
        parser.receive_data(stream[cut:])
        events += list(parser.events())
        assert [e.code for e in events] == [250, 250, 354]
        assert events[1].lines == ("a", "b")


def test_enhanced_code_must_match_class() -> None:
    (reply,) = parse_all(b"250 5.1.1 odd\r\n")
    assert reply.enhanced is None
    (reply,) = parse_all(b"250 2.1.0123 odd\r\n")
    assert reply.enhanced is None


def test_bare_lf_is_flagged_not_fatal() -> None:
    (reply,) = parse_all(b"250-a\n250 b\r\n")
    assert reply.lines == ("a", "b")
    assert reply.problems == (Flaw("bare-lf"),)


def test_continuation_with_other_code_is_flagged() -> None:
    (reply,) = parse_all(b"250-a\r\n251 b\r\n")
    assert reply.code == 250 and reply.lines == ("a", "b")
    assert reply.problems == (Flaw("other-code", (("code", 251), ("first", 250))),)


def test_long_line_is_flagged() -> None:
    line = b"250 " + b"x" * 600 + b"\r\n"
    (reply,) = parse_all(line)
    assert reply.problems == (Flaw("over-512", (("octets", len(line)), ("limit", 512))),)


def test_non_utf8_is_flagged_and_escaped() -> None:
    (reply,) = parse_all(b"220 caf\xe9\r\n")
    assert reply.lines == ("caf\\xe9",)
    assert reply.problems == (Flaw("not-utf8"),)
    assert reply.raw == b"220 caf\xe9\r\n"


@pytest.mark.parametrize("raw", [b"hello\r\n", b"25 x\r\n", b"2500 x\r\n", b"650 x\r\n", b"250x\r\n", b"\r\n"])
def test_not_a_reply_line_is_a_protocol_error(raw: bytes) -> None:
    (event,) = parse_all(raw)
    assert isinstance(event, ProtocolError) and event.raw == raw
    assert event.key == "not-a-reply-line" and event.values == ()


def test_error_mid_reply_carries_the_lines_read_and_parser_recovers() -> None:
    events = parse_all(b"250-a\r\njunk\r\n220 fine\r\n")
    assert isinstance(events[0], ProtocolError) and events[0].raw == b"250-a\r\njunk\r\n"
    assert isinstance(events[1], Reply) and events[1].code == 220


def test_endless_line_does_not_hang() -> None:
    parser = ReplyParser()
    parser.receive_data(b"250 " + b"y" * (HARD_LINE_LIMIT + 10))
    event = parser.next_event()
    assert isinstance(event, ProtocolError) and event.key == "line-too-long"
    assert event.values == (("limit", 8192),)
    assert event.raw == b"250 " + b"y" * (HARD_LINE_LIMIT - 4) and parser.skipping
    parser.receive_data(b"y" * 5000 + b"\r\n250 ok\r\n")
    assert list(parser.events()) == [Reply(250, ("ok",), b"250 ok\r\n")]
    assert parser.discarded == 10 + 4 + 5000 + 2 and not parser.skipping


def test_a_ten_megabyte_line_is_one_error_not_hundreds() -> None:
    parser = ReplyParser()
    line = b"250 " + b"z" * 10_000_000
    for start in range(0, len(line), 65536):
        parser.receive_data(line[start:start + 65536])
    assert [type(e) for e in parser.events()] == [ProtocolError]
    assert parser.discarded == len(line) - HARD_LINE_LIMIT and parser.pending == b""


def test_the_rest_of_a_cut_reply_is_not_the_next_reply() -> None:
    rest = b"250-x\r\n" * 19_000 + b"250 last\r\n"
    events = parse_all(b"250-x\r\n" * 1000 + rest + b"221 bye\r\n")
    assert [type(e) for e in events] == [ProtocolError, Reply]
    assert events[0].raw == b"250-x\r\n" * 1000 and events[0].key == "too-many-lines"
    assert events[1].raw == b"221 bye\r\n"


@settings(max_examples=200)
@given(hs.integers(min_value=HARD_LINE_LIMIT - 8, max_value=HARD_LINE_LIMIT + 8),
       hs.sampled_from([b"\r\n", b"\n"]), hs.lists(hs.integers(min_value=1, max_value=9000), max_size=6))
def test_a_line_near_the_hard_limit_gives_the_same_events_however_tcp_splits_it(
        size: int, ending: bytes, cuts: list[int]) -> None:
    data = b"250 " + b"x" * (size - 4 - len(ending)) + ending + b"250 after\r\n"
    parser, events = feed(data, cuts)
    assert events == parse_all(data)
    # A line of up to HARD_LINE_LIMIT bytes (its ending included) is a reply; a longer one an error.
    assert isinstance(events[0], Reply if size <= HARD_LINE_LIMIT else ProtocolError)
    assert events[-1] == Reply(250, ("after",), b"250 after\r\n")


def test_endless_multiline_reply_does_not_grow_for_ever() -> None:
    events = parse_all(b"250-x\r\n" * 1500)
    assert isinstance(events[0], ProtocolError) and events[0].key == "too-many-lines"
    assert len(events) == 1  # the other 500 lines belong to the cut reply: dropped, and counted


def test_incomplete_reply_is_pending() -> None:
    parser = ReplyParser()
    parser.receive_data(b"250-a\r\n250 b")
    assert parser.next_event() is NEED_DATA
    assert parser.pending == b"250-a\r\n250 b"


@settings(max_examples=300)
@given(hs.binary(max_size=20000), hs.lists(hs.integers(min_value=1, max_value=64), max_size=50))
def test_any_bytes_any_chunking_never_crash_and_account_for_every_byte(data: bytes, cuts: list[int]) -> None:
    parser, events = feed(data, cuts)
    # Every byte is in an event, counted as dropped, or still pending: nothing is invented.
    assert len(b"".join(e.raw for e in events)) + parser.discarded + len(parser.pending) == len(data)
    # The same events come whatever the chunking.
    assert events == parse_all(data)


reply_text = hs.text(hs.characters(min_codepoint=32, max_codepoint=0x2FFF, exclude_characters="\x7f"), max_size=60)


@given(hs.integers(min_value=200, max_value=599), hs.lists(reply_text, min_size=1, max_size=5))
def test_format_then_parse_roundtrip(code: int, lines: list[str]) -> None:
    raw = format_reply(code, lines)
    (reply,) = parse_all(raw)
    assert reply.code == code and reply.raw == raw
    assert reply.lines == tuple(lines)
