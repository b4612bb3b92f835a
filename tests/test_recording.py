"""The recording: the saved-session format (exact round trips, one-line errors, a bound on
what is read), the one definition of a secret and the one redaction."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.recording import (
    PLACEHOLDER, Chunk, SessionFileError, apply_spans, read_recordings, redact, secret_spans,
    write_session,
)
from explorer.recording.reader import FORMAT

WireChunk = Chunk


def read_session(path):
    (recording,) = read_recordings(path)
    return recording


def test_round_trip_keeps_every_byte_time_flag_and_extra_line(tmp_path) -> None:
    chunks = [WireChunk(1.5, "server", b"220 hi\r\n"), WireChunk(2.25, "client", b"\x00\xff\x1b[31m\r\n", True),
              WireChunk(3.0, "server", b"", True, True)]
    path = tmp_path / "s.jsonl"
    write_session(path, chunks, {"source": "test", "note": "caf\u00e9"}, reveal_secrets=True,
                  extra=[{"type": "exchange", "index": 0}, {"type": "future-kind", "x": 1}])
    saved = read_session(path)
    assert saved.chunks == tuple(chunks)
    assert saved.meta["format"] == FORMAT and saved.meta["note"] == "caf\u00e9"
    assert saved.meta["secrets_revealed"] is True
    assert saved.extra == ({"type": "exchange", "index": 0}, {"type": "future-kind", "x": 1})
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[2]["visible"] == "\\x00\\xff\\x1b[31m\\r\\n"  # safe to read, exact in "data"


def test_chunks_of_any_shape_are_accepted(tmp_path) -> None:
    class Other:  # what an older recorder, or a test, may hand over
        time, direction, data = 1.0, "client", b"EHLO x\r\n"

    path = tmp_path / "s.jsonl"
    write_session(path, [Other(), (2.0, "server", b"250 ok\r\n")])
    assert read_session(path).chunks == (Chunk(1.0, "client", b"EHLO x\r\n"),
                                         Chunk(2.0, "server", b"250 ok\r\n"))


def test_secrets_are_redacted_by_default_with_a_marked_placeholder(tmp_path) -> None:
    chunks = [WireChunk(1.0, "client", b"AUTH PLAIN aHVudGVyMg==\r\n"), WireChunk(2.0, "server", b"235 ok\r\n")]
    path = tmp_path / "s.jsonl"
    write_session(path, chunks, secrets=[b"aHVudGVyMg=="])
    saved = read_session(path)
    assert saved.chunks[0] == WireChunk(1.0, "client", b"AUTH PLAIN " + PLACEHOLDER + b"\r\n", False, True)
    assert saved.meta["secrets_revealed"] is False
    assert b"aHVudGVyMg==" not in path.read_bytes()
    assert base64.b64encode(b"aHVudGVyMg==") not in path.read_bytes()


def test_redact_finds_a_secret_split_over_two_chunks_in_either_direction() -> None:
    chunks = [WireChunk(1.0, "client", b"hunt"), WireChunk(2.0, "server", b"334 x\r\n"),
              WireChunk(3.0, "client", b"er2\r\n"), WireChunk(4.0, "server", b"echo hunter2\r\n")]
    out = redact(chunks, [b"hunter2"])
    assert [c.data for c in out] == [PLACEHOLDER, b"334 x\r\n", b"\r\n", b"echo " + PLACEHOLDER + b"\r\n"]
    assert [c.redacted for c in out] == [True, False, True, True]
    assert [c.time for c in out] == [1.0, 2.0, 3.0, 4.0]


def test_redact_spans_merges_overlaps_and_leaves_other_chunks_alone() -> None:
    chunks = [Chunk(1.0, "client", b"abcdef", False), Chunk(2.0, "client", b"ghij", False)]
    out = apply_spans(chunks, [("client", 1, 3), ("client", 2, 5), ("client", 8, 8)])
    assert [c.data for c in out] == [b"a" + PLACEHOLDER + b"f", b"ghij"]
    assert out[1] is chunks[1]


@pytest.mark.parametrize("content, message", [
    ("", "empty file"),
    ('{"type": "chunk"}\n', "no meta line"),
    ('{"type": "meta", "format": "other"}\n', "no meta line"),
    (f'{{"type": "meta", "format": "{FORMAT}", "version": 99}}\n', "version 99"),
    (f'{{"type": "meta", "format": "{FORMAT}", "version": 1}}\n{{"type": "chunk", "t": 1, "dir": "x", "data": ""}}\n',
     "direction must be"),
    (f'{{"type": "meta", "format": "{FORMAT}", "version": 1}}\n{{"type": "chunk", "t": 1, "dir": "client", "data": "!!"}}\n',
     ":2:"),
    (f'{{"type": "meta", "format": "{FORMAT}", "version": 1}}\n{{"type": "chunk", "dir": "client", "data": ""}}\n',
     "no 't' field"),
    ("not json at all\n", ":1:"),
])
def test_bad_files_give_one_line_errors(tmp_path, content, message) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(SessionFileError) as info:
        read_session(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file_folder_and_hostile_name(tmp_path) -> None:
    with pytest.raises(SessionFileError, match="no such file"):
        read_session(tmp_path / "nope.jsonl")
    with pytest.raises(SessionFileError, match="is a folder"):
        read_session(tmp_path)
    with pytest.raises(SessionFileError) as info:
        read_session(tmp_path / "a\x1b[2Jb.jsonl")
    assert "\x1b" not in str(info.value) and "\\x1b" in str(info.value)


chunk_strategy = st.builds(WireChunk, st.floats(0, 2e9, allow_nan=False), st.sampled_from(["client", "server"]),
                           st.binary(max_size=64), st.booleans(), st.booleans())


@settings(max_examples=60, deadline=None)
@given(st.lists(chunk_strategy, max_size=12))
def test_any_chunks_round_trip(tmp_path_factory, chunks) -> None:
    path = tmp_path_factory.mktemp("rt") / "s.jsonl"
    write_session(path, chunks, reveal_secrets=True)
    assert read_session(path).chunks == tuple(chunks)


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=40), st.binary(max_size=40), st.lists(st.integers(0, 100), max_size=5),
       st.binary(min_size=4, max_size=12).filter(lambda s: b"<" not in s))
def test_a_secret_never_survives_any_chunking(prefix, suffix, cuts, secret) -> None:
    stream = prefix + secret + suffix
    points = sorted({min(c, len(stream)) for c in cuts} | {0, len(stream)})
    chunks = [WireChunk(float(i), "client", stream[a:b]) for i, (a, b) in enumerate(zip(points, points[1:]))]
    out = b"".join(c.data for c in redact(chunks, [secret]))
    assert secret not in out
    assert all(secret.lower() not in part.lower() for part in out.split(PLACEHOLDER))


# -- what is secret: every way a credential travels ---------------------------------------------

USER, PASSWORD = base64.b64encode(b"learner@sandbox.test"), base64.b64encode(b"learner-pass")
B64_LINE = base64.b64encode(b"not a secret: message text")


def c(data: bytes) -> Chunk:
    return Chunk(0.0, "client", data)


def s(data: bytes) -> Chunk:
    return Chunk(0.0, "server", data)


def shown(chunks) -> bytes:
    return b"".join(chunk.data for chunk in redact(chunks))


@pytest.mark.parametrize("name, chunks", [
    ("login", [c(b"AUTH LOGIN\r\n"), s(b"334 VXNlcm5hbWU6\r\n"), c(USER + b"\r\n"),
               s(b"334 UGFzc3dvcmQ6\r\n"), c(PASSWORD + b"\r\n"), s(b"235 ok\r\n")]),
    ("login, pipelined", [c(b"AUTH LOGIN\r\n" + USER + b"\r\n" + PASSWORD + b"\r\n"),
                          s(b"334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n535 no\r\n")]),
    ("login, refused, the lines sent anyway", [c(b"AUTH LOGIN\r\n"), s(b"504 no such mechanism\r\n"),
                                               c(USER + b"\r\n"), s(b"500 what?\r\n"),
                                               c(PASSWORD + b"\r\n"), s(b"500 what?\r\n")]),
    ("plain with initial response", [c(b"AUTH PLAIN " + PASSWORD + b"\r\n"), s(b"235 ok\r\n")]),
    ("plain without", [c(b"AUTH PLAIN\r\n"), s(b"334 \r\n"), c(PASSWORD + b"\r\n"), s(b"535 no\r\n")]),
    ("cram-md5", [c(b"AUTH CRAM-MD5\r\n"), s(b"334 PDEyMzQ+\r\n"), c(PASSWORD + b"\r\n")]),
    ("mechanism forgotten", [c(b"AUTH " + PASSWORD + b"\r\n"), s(b"504 5.5.4 Unrecognized\r\n")]),
    ("mechanism forgotten, upper-cased", [c(b"AUTH " + PASSWORD.upper() + b"\r\n"), s(b"504 no\r\n")]),
    ("echoed in upper case", [c(b"AUTH PLAIN " + PASSWORD + b"\r\n"),
                              s(b"535 5.7.8 bad: " + PASSWORD.upper() + b"\r\n")]),
])
def test_every_way_a_credential_travels_is_removed(name, chunks) -> None:
    out = shown(chunks)
    assert PASSWORD.lower() not in out.lower(), name
    assert PLACEHOLDER in out


@pytest.mark.parametrize("line", [b"AUTH FOO", b"AUTH XOAUTH", b"AUTH SCRAM-SHA-1-PLUS", b"AUTH login"])
def test_a_mechanism_name_is_no_secret(line) -> None:
    assert shown([c(line + b"\r\n"), s(b"504 no\r\n")]) == line + b"\r\n504 no\r\n"


def test_commands_message_content_and_cancel_are_not_secrets() -> None:
    chunks = [c(b"EHLO pc\r\nAUTH LOGIN\r\n"), s(b"504 no\r\n"), c(b"MAIL FROM:<a@b.example>\r\n"),
              s(b"250 ok\r\n"), c(b"DATA\r\n"), s(b"354 go\r\n"),
              c(b"Subject: AUTH PLAIN notasecret\r\n\r\n" + PASSWORD + b"\r\n.\r\n"),
              c(b"AUTH LOGIN\r\n"), s(b"334 VXNlcm5hbWU6\r\n"), c(b"*\r\n"), c(b"QUIT\r\n")]
    assert shown(chunks) == b"".join(chunk.data for chunk in chunks)


def test_a_known_secret_is_found_in_any_line_that_decodes_to_it() -> None:
    line = base64.b64encode(b"learner-pass")
    chunks = [c(b"HELO x\r\n"), c(line + b"\r\n"), s(b"500 unknown command\r\n")]
    assert line not in b"".join(ch.data for ch in redact(chunks, [b"learner-pass"]))


# -- the reader's bound ---------------------------------------------------------------------------

def test_a_device_a_fifo_and_a_huge_file_are_refused_at_once(tmp_path) -> None:
    import os

    huge = tmp_path / "huge.jsonl"
    with open(huge, "wb") as stream:
        stream.truncate(1024 ** 3)  # 1 GB, sparse: nothing is written
    paths = [huge] + ([__import__("pathlib").Path("/dev/zero")] if os.path.exists("/dev/zero") else [])
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo")
        paths.append(tmp_path / "fifo")  # nobody writes: opening it would wait for ever
    for path in paths:
        with pytest.raises(SessionFileError) as info:
            read_recordings(path)
        assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_two_messages_in_one_chunk_are_both_read_as_content() -> None:
    body = b"Subject: x\r\n\r\n" + B64_LINE + b"\r\n.\r\n"
    chunks = [c(b"DATA\r\n" + body + b"DATA\r\n"), c(body + b"AUTH PLAIN " + PASSWORD + b"\r\n")]
    out = shown(chunks)
    assert out.count(B64_LINE) == 2 and out.endswith(b"AUTH PLAIN " + PLACEHOLDER + b"\r\n")
