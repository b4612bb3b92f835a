"""Save, load, and every format, on sessions recorded against the sandbox; secrets stay out."""

from __future__ import annotations

import html as htmllib
import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from transcript_sessions import (  # noqa: F401 (fixtures)
    PASSWORD, SECRETS, assert_no_secret, error_box, error_engine, record_starttls_session,
    server_record, starttls_engine,
)

from explorer.commands import main
from explorer.recording import PLACEHOLDER, read_recordings
from explorer.reports.html import render_html
from explorer.reports.markdown import md_code, md_text, render_markdown
from explorer.reports.model import Exchange
from explorer.reports.options import sandbox_save_path
from explorer.reports.save import save_engine_session, save_sandbox_record
from explorer.reports.sources import load_session, load_transcript
from explorer.reports.text import render_text


class Arrows(HTMLParser):
    """Collects the arrows (``details.arrow``) of a ladder page, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.arrows: list[dict] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "details" and "arrow" in (attributes.get("class") or "").split():
            self.arrows.append(attributes)


def parse_page(page: str) -> Arrows:
    parser = Arrows()
    parser.feed(page)
    return parser


def assert_self_contained(page: str) -> None:
    """No URL that could load anything: no src, no href other than #fragments, no url(), no @import."""
    parser = parse_page(page)
    for tag, attributes in parser.tags:
        assert "src" not in attributes, tag
        href = attributes.get("href")
        assert href is None or href.startswith("#"), href
        assert tag not in ("link", "img", "iframe", "object", "embed", "base")
    assert not re.search(r"url\s*\(|@import|https?:|//[a-z0-9]", page, re.IGNORECASE)
    assert page.count("<script>") == 1


@pytest.fixture
def saved_sessions(tmp_path, sandbox, error_box):
    """Four saved files: each session from the engine's side and from the sandbox's side."""
    files = {}
    starttls = record_starttls_session(sandbox)
    files["starttls-repl"] = (tmp_path / "a.jsonl", save_engine_session(starttls, tmp_path / "a.jsonl"))
    files["starttls-sandbox"] = (tmp_path / "b.jsonl",
                                 save_sandbox_record(server_record(sandbox), tmp_path / "b.jsonl"))
    from transcript_sessions import record_error_session

    error = record_error_session(error_box)
    files["error-repl"] = (tmp_path / "c.jsonl", save_engine_session(error, tmp_path / "c.jsonl"))
    files["error-sandbox"] = (tmp_path / "d.jsonl",
                              save_sandbox_record(server_record(error_box), tmp_path / "d.jsonl"))
    return files


def test_save_load_round_trip_in_every_format(saved_sessions) -> None:
    for name, (path, written) in saved_sessions.items():
        saved = read_recordings(path)[0]
        exchange_lines = [x for x in saved.extra if x["type"] == "exchange"]
        assert [Exchange.from_json(x) for x in exchange_lines] == list(written.exchanges), name
        assert [x for x in saved.extra if x["type"] == "marker"] == [m.to_json() for m in written.markers]
        loaded = load_transcript(path)
        assert loaded.exchanges == written.exchanges, name
        assert loaded.markers == written.markers
        text = render_text(loaded)
        assert text == render_text(written)
        lines = text.splitlines()
        assert lines[0] == "C: <opens connection>" and lines[-1] == "S: <closes connection>"
        assert lines[1].startswith("S: 220 sandbox.test ESMTP")
        assert "C: <secret removed>" in lines or any(l.startswith("C: AUTH PLAIN <secret removed>") for l in lines)
        markdown = render_markdown(loaded)
        rows = [l for l in markdown.splitlines() if re.match(r"\| \d+ \| \+", l)]
        assert len(rows) == len(loaded.exchanges)
        page = render_html(loaded)
        arrows = parse_page(page).arrows
        assert [int(a["data-index"]) for a in arrows] == list(range(len(loaded.exchanges)))
        assert [a["data-label"] for a in arrows] == [e.label for e in loaded.exchanges]
        assert [a["data-dir"] for a in arrows] == [e.direction for e in loaded.exchanges]
        assert_self_contained(page)
        for output in (path.read_bytes(), text, markdown, page):
            assert_no_secret(output, name)


def test_starttls_page_has_the_tls_band_and_reply_colours(saved_sessions) -> None:
    _, transcript = saved_sessions["starttls-repl"]
    arrows = parse_page(render_html(transcript)).arrows
    assert ["tls" in a["class"].split() for a in arrows] == [False] * 5 + [True] * (len(arrows) - 5)
    assert [a["data-code"] for a in arrows[:5]] == ["220", "", "250", "", "220"]
    assert "k2" in arrows[0]["class"].split() and "to-client" in arrows[0]["class"].split()
    assert "to-server" in arrows[1]["class"].split()
    page = render_html(transcript)
    assert page.index('data-kind="tls-started"') < page.index('id="ex-5"')
    _, error = saved_sessions["error-repl"]
    classes = [a["class"].split() for a in parse_page(render_html(error)).arrows]
    assert sum("k5" in c for c in classes) == 2 and sum("k3" in c for c in classes) == 1  # 550, 503; 354


def test_the_sandbox_side_matches_the_client_side(saved_sessions) -> None:
    for session in ("starttls", "error"):
        repl, sandbox = (saved_sessions[f"{session}-{side}"][1] for side in ("repl", "sandbox"))
        assert render_text(repl) == render_text(sandbox)


def test_revealing_secrets_keeps_them_everywhere_it_is_asked(tmp_path, error_engine) -> None:
    path = tmp_path / "kept.jsonl"
    save_engine_session(error_engine, path, reveal_secrets=True)
    assert SECRETS[2].encode() in path.read_bytes() or SECRETS[2] in json.dumps(read_recordings(path)[0].extra)
    assert read_recordings(path)[0].meta["secrets_revealed"] is True
    kept = load_transcript(path, reveal_secrets=True)
    assert f"C: AUTH PLAIN {SECRETS[2]}" in render_text(kept)
    hidden = load_transcript(path)  # a file saved with secrets still shows none unless asked
    for output in (render_text(hidden), render_markdown(hidden), render_html(hidden)):
        assert_no_secret(output)
    assert "REVEALED" in render_html(kept)


def test_findings_are_marked_on_their_arrows(saved_sessions) -> None:
    path, transcript = saved_sessions["error-repl"]
    refused = next(e for e in transcript.exchanges if e.code == 550)
    from explorer.lint import Finding

    findings = [Finding("mail-from-not-auth-user", 1, 0, chunk_index=refused.chunks[0],
                        values=(("mail_from", "<b>unknown</b>"), ("user", "x"))),
                Finding("no-wait", 1, 0, time=transcript.exchanges[3].time),
                Finding("no-quit", 1, 0)]
    page = render_html(transcript, findings)
    arrows = parse_page(page).arrows
    marked = [int(a["data-index"]) for a in arrows if "has-finding" in a["class"].split()]
    assert marked == [3, refused.index]
    assert "&lt;b&gt;unknown&lt;/b&gt;" in page and "<b>unknown" not in page
    assert "(no arrow)" in page and "no-quit" in page
    markdown = render_markdown(transcript, findings)
    assert "**mail\\-from\\-not\\-auth\\-user**" in markdown or "**mail-from-not-auth-user**" in markdown


def test_a_hostile_server_cannot_inject_markup_or_escapes(tmp_path) -> None:
    from explorer.recording import Chunk as WireChunk, write_session

    path = tmp_path / "hostile.jsonl"
    write_session(path, [
        WireChunk(1.0, "server", b"220 <script>alert(1)</script> \x1b[2J http://evil.example/x.js\r\n"),
        WireChunk(2.0, "client", b"EHLO `|*x*|`\r\n"),
        WireChunk(3.0, "server", b"250 <img src=//evil.example/a.png>\r\n")])
    transcript = load_transcript(path)
    page = render_html(transcript)
    assert "<script>alert" not in page and "<img" not in page and "\x1b" not in page
    assert parse_page(page).arrows[0]["data-label"].startswith("220 ")
    # text from the wire is shown, not loaded: it must not be a resource anywhere
    assert not any("src" in attrs for _, attrs in parse_page(page).tags)
    assert "\x1b" not in render_text(transcript) and "\\x1b[2J" in render_text(transcript)
    markdown = render_markdown(transcript)
    # wire bytes only appear inside code (a fenced block, code spans), where Markdown shows them
    prose = re.sub(r"(`+).*?\1", "", re.sub(r"```text\n.*?\n```", "", markdown, flags=re.S))
    assert "<" not in prose.replace("&lt;", "")


def test_markdown_helpers() -> None:
    assert md_text("<domain> a|b *c*") == "&lt;domain> a\\|b \\*c\\*"
    assert md_code("a`b|c") == "``a`b\\|c``"
    assert md_code("`x") == "`` `x ``"


def test_sandbox_save_paths(tmp_path) -> None:
    assert sandbox_save_path(tmp_path / "class.jsonl", 3) == tmp_path / "class-3.jsonl"
    assert sandbox_save_path(tmp_path / "class", 3) == tmp_path / "class-3.jsonl"
    assert sandbox_save_path(tmp_path, 12) == tmp_path / "session-12.jsonl"


# -- the command line ------------------------------------------------------------------------


def test_cli_writes_every_format(tmp_path, saved_sessions, capsys) -> None:
    path, transcript = saved_sessions["starttls-repl"]
    for fmt in ("text", "markdown", "html"):
        out = tmp_path / f"out.{fmt}"
        assert main(["transcript", str(path), "--format", fmt, "-o", str(out)]) == 0
        assert_no_secret(out.read_text(), fmt)
    assert main(["transcript", str(path)]) == 0
    assert capsys.readouterr().out == render_text(transcript)
    assert (tmp_path / "out.html").read_text() == render_html(load_transcript(path))


def test_cli_reveal_secrets(tmp_path, error_engine, capsys) -> None:
    path = tmp_path / "kept.jsonl"
    save_engine_session(error_engine, path, reveal_secrets=True)
    assert main(["transcript", str(path)]) == 0
    assert_no_secret(capsys.readouterr().out)
    assert main(["transcript", str(path), "--reveal-secrets"]) == 0
    assert SECRETS[2] in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["transcript", "{missing}"], "no such file"),
    (["transcript", "{bad}"], "not an smtp-explorer session file"),
    (["transcript", "{good}", "--session", "2"], "--session picks a session"),
    (["transcript", "{good}", "-o", "{folder}"], "cannot write"),
    (["replay", "{missing}"], "no such file"),
])
def test_cli_errors_are_one_line(tmp_path, saved_sessions, capsys, args, message) -> None:
    (tmp_path / "bad.jsonl").write_text("{}\n")
    names = {"missing": tmp_path / "nope.jsonl", "bad": tmp_path / "bad.jsonl",
             "good": saved_sessions["error-repl"][0], "folder": tmp_path}
    assert main([a.format(**names) for a in args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_cli_lint_flag(saved_sessions, capsys) -> None:
    from explorer.reports.findings import finding_text, lint_findings

    path = saved_sessions["error-repl"][0]
    transcript, chunks = load_session(path)
    found = lint_findings(transcript)
    assert main(["transcript", str(path), "-f", "html", "--lint"]) == 0
    page = capsys.readouterr().out
    assert_self_contained(page)
    assert found and all(htmllib.escape(finding_text(f, "en")) in page for f in found)


def test_the_sandbox_session_log_is_a_source_too(make_sandbox, tmp_path, capsys) -> None:
    box = make_sandbox()
    record_starttls_session(box)
    record_starttls_session(box)
    assert box.wait_until_idle(5.0)
    box.stop()
    log = box.data_dir / "sessions.jsonl"
    assert main(["transcript", str(log)]) == 2
    assert "holds 2 sessions" in capsys.readouterr().err
    assert main(["transcript", str(log), "--session", "9"]) == 2
    assert "no session 9" in capsys.readouterr().err
    assert main(["transcript", str(log), "--session", "2", "-f", "html", "-o", str(tmp_path / "p.html")]) == 0
    page = (tmp_path / "p.html").read_text()
    transcript, chunks = load_session(log, session=2)
    assert len(parse_page(page).arrows) == len(transcript.exchanges) == 23
    assert transcript.first_tls().index == 5
    assert_no_secret(page)
    assert htmllib.escape(PLACEHOLDER.decode()) in page


def test_the_real_program_runs_without_traceback(tmp_path, saved_sessions) -> None:
    path = saved_sessions["starttls-repl"][0]
    done = subprocess.run([sys.executable, "-m", "explorer", "transcript", str(path), "-f", "markdown"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("# SMTP session")
    assert_no_secret(done.stdout)
    bad = subprocess.run([sys.executable, "-m", "explorer", "transcript", str(tmp_path / "x")],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and bad.stderr.count("\n") == 1
    assert PASSWORD not in done.stdout
