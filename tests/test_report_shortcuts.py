"""The class report's shortcuts give exactly what the long way gives.

A report of ten thousand sessions annotates each ladder once (the TLS flags come from the
walker, not from a first annotation), and renders and reads bytes in C. Each shortcut is
compared here with the long way on sessions recorded by the real sandbox.
"""

from __future__ import annotations

import os

import class_clients as kinds
import pytest
from hypothesis import given, strategies as hs
from transcript_sessions import (  # noqa: F401 (fixtures)
    assert_no_secret, error_box, error_engine, record_starttls_session, server_record,
)

from explorer.core.render import _parse_one_by_one, parse_escapes, visible, visible_text
from explorer.recording import PLACEHOLDER, analyse, redact
from explorer.reports import class_html, parallel
from explorer.reports.annotate import annotate
from explorer.reports.class_formats import render_csv, render_json
from explorer.reports.class_html import render_class_html
from explorer.reports.class_log import read_log
from explorer.reports.class_report import build_report
from explorer.reports.parallel import map_sessions, workers
from explorer.reports.secrets import prepare, with_tls
from explorer.sandbox.roster import accounts_of, generate, write_public

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


def test_a_walk_given_to_prepare_is_the_walk_it_would_make(error_box, error_engine) -> None:
    # The class report walks each session once, with the student's login, and hands that
    # walk to the ladder: the transcript is the one prepare makes by walking itself.
    logged = redact(server_record(error_box).chunks)
    for lang in ("en", "zh"):
        given = prepare(logged, lang=lang, meta=META, analysis=analyse(logged))
        assert given == prepare(logged, lang=lang, meta=META)


def _class_log(make_sandbox):
    students = generate(6, "s", "lab.test")
    box = make_sandbox(accounts=accounts_of(students), include_default_accounts=False)
    write_public(box.data_dir, students)
    clients = [kinds.right, kinds.wrong_password, kinds.helo_only, kinds.bare_lf,
               kinds.missing_crlf, kinds.undeclared_utf8]
    for student, client in zip(students, clients):
        client(box.port, student)
    box.wait_until_idle()
    return box.data_dir / "sessions.jsonl", students


def _rendered(log, students) -> tuple[str, str, str]:
    report = build_report(read_log(log), students)
    return render_csv(report), render_json(report), render_class_html(report, "zh")


@pytest.mark.skipif(not parallel._can_fork() or workers() < 2,
                    reason="the report shares sessions out only on Linux (fork), on 2+ cores")
def test_the_report_on_every_core_is_the_report_of_one(make_sandbox, monkeypatch) -> None:
    log, students = _class_log(make_sandbox)
    one_core = _rendered(log, students)
    monkeypatch.setattr(parallel, "POOL_FROM", 1)  # every session, every ladder in the workers
    monkeypatch.setattr(class_html, "LADDERS_POOL_FROM", 1)
    pids = map_sessions(_pid, list(range(40)))
    assert os.getpid() not in pids and len(pids) == 40  # the work was done in other processes
    assert _rendered(log, students) == one_core
    assert "s002" in one_core[0] and one_core[2].count("<article") == 6


def _pid(_: int) -> int:
    return os.getpid()
