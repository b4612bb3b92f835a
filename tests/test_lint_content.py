"""The linter on bytes alone: message content with exact positions, and properties (hypothesis)
of the whole-session walker: it never fails, and how the client's bytes were cut into reads
does not change what it finds."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from explorer.core.commands import encode_message
from explorer.lint import Envelope, lint_message
from explorer.recording.walker import analyse, lint_session

HEAD = (b"From: Learner <learner@sandbox.test>\r\nTo: friend@sandbox.test\r\n"
        b"Date: Sat, 22 Nov 2025 10:00:00 +0000\r\nSubject: hi\r\n")


def found(data: bytes, **kwargs) -> list[tuple]:
    return [(f.key, f.line, f.offset, f.where, f.count) for f in lint_message(data, **kwargs)]


def test_a_correct_message_has_no_finding():
    assert found(HEAD + b"\r\nHello\r\n..stuffed\r\n") == []


def test_positions_count_from_the_base_offset_and_line():
    data = HEAD + b"\r\n.oops\r\n"
    at = data.index(b".oops")
    assert found(data) == [("dot-not-stuffed", 6, at, "body", 1)]
    assert found(data, base=1000, line=20) == [("dot-not-stuffed", 25, 1000 + at, "body", 1)]


def test_header_mistakes():
    data = b" lead\r\nFrom: a@b.c\r\nDate: x\r\nno colon here\r\nSubject: s\r\n \t\r\n\r\nbody\r\n"
    assert found(data) == [
        ("bad-folding", 1, 0, "header", 1),
        ("header-no-colon", 4, data.index(b"no colon"), "header", 1),
        ("bad-folding", 6, data.index(b" \t\r\n"), "header", 1),
    ]


def test_no_blank_line_is_where_the_text_starts():
    data = HEAD + b"Dear friend: hello\r\nsecond line\r\n"
    assert found(data) == [("no-blank-line", 5, len(HEAD), "body", 1)]
    # With a blank line further down, the stray lines before it are still the body's start.
    later = HEAD + b"Hello\r\nmore\r\n\r\nagain\r\n"
    assert found(later) == [("no-blank-line", 5, len(HEAD), "body", 1)]


def test_a_message_without_header_starts_with_the_blank_line():
    assert found(b"\r\n I love computer networks!\r\n") == [
        ("missing-from", 1, 0, "header", 1), ("missing-date", 1, 0, "header", 1)]


def test_line_ends_are_counted_per_region():
    data = b"From: a@b.c\nDate: x\t\n\nline\r\nbare\nbare again\nlast\r\n"
    assert found(data) == [
        ("message-bare-lf", 1, data.index(b"\n"), "header", 2),
        ("message-tab-lf", 2, data.index(b"\t\n"), "header", 1),
        ("message-bare-lf", 5, data.index(b"bare\n") + 4, "body", 2),
    ]


def test_bare_cr_and_long_lines():
    data = HEAD + b"\r\nab\rcd\r\n" + b"x" * 998 + b"\r\n" + b"y" * 999 + b"\r\n"
    assert found(data) == [
        ("message-bare-cr", 6, data.index(b"\rcd"), "body", 1),
        ("message-line-too-long", 8, data.index(b"yyy"), "body", 1),
    ]


def test_lookalike_terminators():
    body = HEAD + b"\r\nbefore\n.\r\nafter\r\n"
    at = body.index(b"\n.\r\n") + 1
    keys = [f[0] for f in found(body)]
    assert keys == ["message-bare-lf", "smuggling-terminator"]
    [smuggle] = [f for f in lint_message(body) if f.key == "smuggling-terminator"]
    assert smuggle.offset == at and smuggle.value("sequence") == "\\n.\\r\\n"
    unended = HEAD + b"\r\nbody\r\n.\n"
    [bad] = [f for f in lint_message(unended, terminated=False) if f.key == "bad-terminator"]
    assert (bad.offset, bad.value("sequence")) == (len(unended) - 2, "\\r\\n.\\n")


def test_non_ascii_needs_declarations():
    subject = HEAD.replace(b"Subject: hi", "Subject: 你好".encode())
    assert [f[0] for f in found(subject + b"\r\nhi\r\n")] == ["non-ascii-header"]
    assert found(subject + b"\r\nhi\r\n", envelope=Envelope(smtputf8=True)) == []
    body = HEAD + "\r\n你好\r\n".encode()
    assert [(f[0], f[2]) for f in found(body)] == [("non-ascii-body", len(HEAD) + 2)]
    declared = HEAD + (b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                       b"Content-Transfer-Encoding: 8bit\r\n") + "\r\n你好\r\n".encode()
    assert found(declared) == []


def test_from_is_compared_with_the_login_then_with_mail_from():
    data = HEAD + b"\r\nhi\r\n"
    assert found(data, envelope=Envelope("learner@sandbox.test", "LEARNER@sandbox.test")) == []
    [(key, *_)] = found(data, envelope=Envelope("learner@sandbox.test", "friend@sandbox.test"))
    assert key == "from-not-auth-user"
    [(key, *_)] = found(data, envelope=Envelope("boss@sandbox.test"))
    assert key == "from-not-mail-from"
    assert found(data, envelope=Envelope("", None)) == []  # a bounce (MAIL FROM:<>)


def test_not_aggregated_every_line_is_reported():
    data = b"a\nb\nc\r\n"
    assert [f[2] for f in found(data, structure=False, aggregate=False)] == [1, 3]


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400), st.booleans(), st.booleans())
def test_any_content_is_linted_without_error(data, terminated, structure):
    for finding in lint_message(data, base=7, line=3, terminated=terminated, structure=structure):
        assert 7 <= finding.offset <= 7 + len(data)
        assert finding.line == 3 + data.count(b"\n", 0, finding.offset - 7)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
                        max_size=60), max_size=12))
def test_the_core_encoding_never_has_line_mistakes(lines):
    """What encode_message makes (CRLF, dot-stuffed) has no line-end, dot or terminator issue."""
    wire = encode_message("\n".join(lines) + "\n")
    content = wire[:-3]
    keys = {f.key for f in lint_message(content, structure=False)}
    assert not keys & {"message-bare-lf", "message-bare-cr", "message-tab-lf", "dot-not-stuffed",
                       "smuggling-terminator"} - ({"message-tab-lf"} if any(
                           line.endswith("\t") for line in lines) else set())


chunk = st.tuples(st.sampled_from(["client", "server"]), st.binary(max_size=60))


@settings(max_examples=200, deadline=None)
@given(st.lists(chunk, max_size=25), st.booleans())
def test_any_session_is_linted_without_error(chunks, ended):
    session = [(float(i), direction, data) for i, (direction, data) in enumerate(chunks)]
    analysis = analyse(session, ended=ended)
    client = b"".join(d for _, direction, d in session if direction == "client")
    assert analysis.client == client
    for finding in analysis.findings:
        assert 0 <= finding.offset <= len(client)
        assert finding.line == client.count(b"\n", 0, finding.offset) + 1


SESSION = [
    ("server", b"220 sandbox.test ESMTP\r\n"),
    ("client", b"HELO x\nMAIL FROM:learner@sandbox.test\r\n"),
    ("server", b"250 hi\r\n"), ("server", b"250 ok\r\n"),
    ("client", b"RCPT TO:<friend@sandbox.test>\r\n"), ("server", b"250 ok\r\n"),
    ("client", b"DATA\r\n"), ("server", b"354 go\r\n"),
    ("client", b"Subject: x\t\nFrom: a@b.c\r\n\r\n.dot\r\nbody\n.\nmore\r\n.\r\n"),
    ("server", b"250 queued\r\n"),
    ("client", b"QUIT"),
]


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_how_the_client_bytes_were_cut_changes_nothing(data):
    reference = [(f.key, f.line, f.offset, f.count) for f in lint_session(
        [(float(i), d, b) for i, (d, b) in enumerate(SESSION)])]
    assert [key for key, *_ in reference] == [
        "bare-lf", "no-wait", "missing-angle-brackets", "missing-date", "message-tab-lf",
        "from-not-mail-from", "dot-not-stuffed", "message-bare-lf", "smuggling-terminator",
        "no-line-end"]
    cut = []
    for direction, payload in SESSION:
        if direction == "client" and len(payload) > 1:
            points = sorted(data.draw(st.sets(st.integers(1, len(payload) - 1), max_size=4)))
            for a, b in zip([0] + points, points + [len(payload)]):
                cut.append((direction, payload[a:b]))
        else:
            cut.append((direction, payload))
    again = [(f.key, f.line, f.offset, f.count) for f in lint_session(
        [(float(i), d, b) for i, (d, b) in enumerate(cut)])]
    assert again == reference
