"""Annotation: chunks recorded against the sandbox become ordered exchanges, replies paired."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transcript_sessions import (  # noqa: F401 (fixtures)
    PLAIN_BLOB, error_box, error_engine, record_starttls_session, server_record, starttls_engine,
)

from explorer.core.commands import parse_command
from explorer.recording import PLACEHOLDER, Chunk as WireChunk, secret_spans
from explorer.reports.annotate import annotate
from explorer.reports.secrets import prepare, secrets_state

STARTTLS_FLOW = [
    ("server", "GREETING", 220), ("client", "EHLO", None), ("server", "EHLO", 250),
    ("client", "STARTTLS", None), ("server", "STARTTLS", 220), ("client", "EHLO", None),
    ("server", "EHLO", 250), ("client", "AUTH", None), ("server", "AUTH", 334),
    ("client", "AUTH-LINE", None), ("server", "AUTH-LINE", 334), ("client", "AUTH-LINE", None),
    ("server", "AUTH-LINE", 235), ("client", "MAIL", None), ("server", "MAIL", 250),
    ("client", "RCPT", None), ("server", "RCPT", 250), ("client", "DATA", None),
    ("server", "DATA", 354), ("client", "BODY", None), ("server", "BODY", 250),
    ("client", "QUIT", None), ("server", "QUIT", 221),
]


def flow(transcript):
    return [(e.direction, e.name, e.code) for e in transcript.exchanges]


def test_starttls_session_pairs_every_reply_with_its_command(starttls_engine) -> None:
    t = annotate(starttls_engine.log)
    assert flow(t) == STARTTLS_FLOW
    for e in t.exchanges:
        if e.direction == "server" and e.name != "GREETING":
            asked = t.exchanges[e.answers]
            assert asked.direction == "client" and asked.name == e.name
            assert e.index in asked.answered_by
    assert t.exchanges[0].answers is None
    # TLS from the first byte after the 220 to STARTTLS; the band starts there
    assert [e.tls for e in t.exchanges] == [False] * 5 + [True] * 18
    assert [(m.kind, m.before) for m in t.markers] == [
        ("connection-opened", 0), ("tls-started", 5), ("connection-closed", 23)]
    body = t.exchanges[19]
    assert body.kind == "content" and body.data.endswith(b"\r\n.\r\n") and b"\r\n..a line" in body.data
    assert len(body.chunks) == 5  # one chunk per DataLine and the terminator
    assert t.exchanges[1].label == "EHLO client.example"
    assert t.exchanges[2].label == "250 Requested mail action okay, completed."
    assert any(line.startswith("why now:") for line in t.exchanges[2].explanation)
    assert t.exchanges[2].state_before == "greeted" and t.exchanges[2].state_after == "ready"


def test_the_sandbox_sees_the_same_exchanges_and_infers_tls(sandbox, starttls_engine) -> None:
    client_side = annotate(starttls_engine.log)
    server_side = annotate(server_record(sandbox).chunks)  # its chunks carry no TLS flag
    assert [(e.direction, e.kind, e.name, e.data, e.tls, e.label) for e in server_side.exchanges] == \
        [(e.direction, e.kind, e.name, e.data, e.tls, e.label) for e in client_side.exchanges]
    assert server_side.chunk_tls.count(False) == 5


def test_error_and_rset_session(error_engine) -> None:
    t = annotate(error_engine.log)
    codes = [(e.name, e.code) for e in t.exchanges if e.direction == "server"]
    assert codes == [("GREETING", 220), ("EHLO", 250), ("AUTH", 235), ("MAIL", 250), ("RCPT", 550),
                     ("RSET", 250), ("MAIL", 250), ("RCPT", 250), ("DATA", 354), ("BODY", 250),
                     ("RCPT", 503), ("QUIT", 221)]
    refused = next(e for e in t.exchanges if e.code == 550)
    assert refused.klass == 5 and refused.enhanced == "5.1.1"
    # the sandbox words it as Postfix does: explained as Postfix's, with what to do there
    assert any(line.startswith("At Postfix:") for line in refused.explanation)
    assert any(line.startswith("What to do there:") for line in refused.explanation)
    rset = next(e for e in t.exchanges if e.name == "RSET" and e.direction == "server")
    assert rset.state_before == "mail" and rset.state_after == "authenticated"
    late = [e for e in t.exchanges if e.name == "RCPT" and e.direction == "client"][-1]
    assert late.warnings == ("mail-first",)  # the core said 503 before it was sent
    assert late.explanation[0].startswith("warning (expect 503)")
    assert not any(e.tls for e in t.exchanges)


def test_auth_responses_are_found_and_removed(starttls_engine, error_engine) -> None:
    for engine, count in ((starttls_engine, 2), (error_engine, 1)):
        transcript, wire = prepare(engine.log, secrets=engine.secrets)
        assert secrets_state(transcript) == "removed"
        redacted = [e for e in transcript.exchanges if e.redacted]
        assert len(redacted) == count
        assert all(PLACEHOLDER in e.data for e in redacted)
        assert flow(transcript) == flow(annotate(engine.log))  # nothing else changed
        kept, _ = prepare(engine.log, reveal_secrets=True)
        assert secrets_state(kept) == "revealed"
    plain = next(e for e in annotate(error_engine.log).exchanges if e.name == "AUTH")
    (span,) = {s for s in secret_spans(error_engine.log) if s[0] == "client"}
    stream = b"".join(c.data for c in error_engine.log if c.direction == "client")
    assert stream[span[1]:span[2]] == PLAIN_BLOB.encode() and plain.direction == "client"


def test_reconnecting_starts_a_second_connection(sandbox) -> None:
    engine = record_starttls_session(sandbox)
    engine.connect()
    engine.send(parse_command("NOOP"))
    t = annotate(engine.log)
    assert [m.kind for m in t.markers] == ["connection-opened", "tls-started", "connection-closed",
                                           "connection-opened"]
    second = [e for e in t.exchanges if e.connection == 2]
    assert [(e.name, e.tls) for e in second] == [("GREETING", False), ("NOOP", False), ("NOOP", False)]


def w(t: float, direction: str, data: bytes) -> WireChunk:
    return WireChunk(t, direction, data)


def test_pipelined_commands_and_content_followed_by_quit_in_one_chunk() -> None:
    chunks = [
        w(1, "server", b"220 mx\r\n"), w(2, "client", b"EHLO a\r\n"),
        w(3, "server", b"250-mx\r\n250 PIPELINING\r\n"),
        w(4, "client", b"MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"),
        w(5, "server", b"250 ok\r\n250 ok\r\n354 go\r\n"),
        w(6, "client", b"Subject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n"),
        w(7, "server", b"250 queued\r\n221 bye\r\n"),
    ]
    t = annotate(chunks)
    assert flow(t) == [("server", "GREETING", 220), ("client", "EHLO", None), ("server", "EHLO", 250),
                       ("client", "MAIL", None), ("client", "RCPT", None), ("client", "DATA", None),
                       ("server", "MAIL", 250), ("server", "RCPT", 250), ("server", "DATA", 354),
                       ("client", "BODY", None), ("client", "QUIT", None), ("server", "BODY", 250),
                       ("server", "QUIT", 221)]
    assert [e.answers for e in t.exchanges if e.direction == "server"] == [None, 1, 3, 4, 5, 9, 10]
    assert t.exchanges[9].data == b"Subject: x\r\n\r\nbody\r\n.\r\n"
    assert t.exchanges[10].chunks == (5,)


def test_partial_lines_garbage_and_unexpected_replies() -> None:
    chunks = [w(1, "server", b"220 mx\r\n"), w(2, "client", b"EHLO a"),
              w(3, "server", b"hello there\r\n"), w(4, "client", b"\r\n"),
              w(5, "server", b"250 mx\r\n421 idle\r\n")]
    t = annotate(chunks)
    kinds = [(e.direction, e.kind) for e in t.exchanges]
    assert kinds == [("server", "reply"), ("client", "bytes"), ("server", "garbage"),
                     ("client", "command"), ("server", "reply"), ("server", "reply")]
    assert t.exchanges[1].label == "EHLO a (no line end yet)"
    assert t.exchanges[3].label == "EHLO a" and t.exchanges[3].data == b"\r\n"
    assert t.exchanges[2].label.startswith("not a reply: hello there")
    assert t.exchanges[5].answers is None and t.exchanges[5].code == 421
    assert t.markers[-1].kind == "connection-closed"


def test_hostile_bytes_only_reach_labels_escaped() -> None:
    chunks = [w(1, "server", b"220 \x1b[2J<script>alert(1)</script>\r\n"),
              w(2, "client", b"EHLO \x1b]0;x\x07\r\n")]
    t = annotate(chunks)
    for e in t.exchanges:
        assert "\x1b" not in e.label and "\x07" not in e.label and all("\x1b" not in x for x in e.explanation)
    assert t.exchanges[1].label == "EHLO \\x1b]0;x\\x07"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """One recorded STARTTLS session, for the property test (a sandbox per example is slow)."""
    from explorer.sandbox import Sandbox

    with Sandbox(data_dir=tmp_path_factory.mktemp("box")) as box:
        engine = record_starttls_session(box)
    return [WireChunk(c.time, c.direction, c.data, c.tls) for c in engine.log]


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_any_rechunking_gives_the_same_exchanges(recorded, data) -> None:
    """TCP may cut the stream anywhere: the exchanges must not depend on where."""
    rechunked = []
    for chunk in recorded:
        cuts = sorted(set(data.draw(st.lists(st.integers(1, max(1, len(chunk.data) - 1)), max_size=3))))
        points = [0, *[c for c in cuts if c < len(chunk.data)], len(chunk.data)]
        rechunked += [WireChunk(chunk.time, chunk.direction, chunk.data[a:b], chunk.tls)
                      for a, b in zip(points, points[1:]) if b > a]
    original, again = annotate(recorded), annotate(rechunked)
    assert [(e.direction, e.kind, e.name, e.data, e.answers, e.tls) for e in again.exchanges] == \
        [(e.direction, e.kind, e.name, e.data, e.answers, e.tls) for e in original.exchanges]


_TOKENS = [b"220 mx\r\n", b"250-a\r\n", b"250 ok\r\n", b"354 go\r\n", b"334 VXNlcm5hbWU6\r\n",
           b"221 bye\r\n", b"421 gone\r\n", b"EHLO a\r\n", b"STARTTLS\r\n", b"AUTH PLAIN x\r\n",
           b"AUTH LOGIN\r\n", b"DATA\r\n", b".\r\n", b"\r\n", b"\x1b[2J", b"\n", b"\r", b"<b>&",
           b"\xff\xfe", b"999 x\r\n", b"*\r\n", b"MAIL FROM:<a@b>\r\n"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["client", "server"]), st.booleans(),
                          st.lists(st.sampled_from(_TOKENS) | st.binary(max_size=8), max_size=4)),
                max_size=14))
def test_any_bytes_annotate_and_render_safely(items) -> None:
    """Whatever crossed the wire: no exception, and nothing raw reaches any rendering."""
    from explorer.reports.html import render_html
    from explorer.reports.markdown import render_markdown
    from explorer.reports.text import render_text

    chunks = [WireChunk(float(n), direction, b"".join(parts), tls) for n, (direction, tls, parts) in enumerate(items)]
    transcript, wire = prepare(chunks)
    for direction in ("client", "server"):  # every byte is on exactly one arrow
        sent = b"".join(c.data for c in wire if c.direction == direction)
        assert b"".join(e.data for e in transcript.exchanges if e.direction == direction) == sent
    for output in (render_text(transcript), render_markdown(transcript), render_html(transcript)):
        assert not any(ch in output for ch in "\x1b\r\x00\x7f\xff")


def test_a_reply_cut_short_is_still_an_arrow() -> None:
    chunks = [w(1, "server", b"220 mx\r\n"), w(2, "client", b"EHLO a\r\n"), w(3, "server", b"250 almo"),
              w(4, "server", b"st")]
    t = annotate(chunks)
    last = t.exchanges[-1]
    assert (last.direction, last.kind, last.data, last.chunks) == ("server", "bytes", b"250 almost", (2, 3))
    assert last.label == "250 almost (no line end yet)"
