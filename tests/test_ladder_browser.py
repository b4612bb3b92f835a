"""The ladder page in a real browser: headless Chromium loads it offline, runs its script, and we
check the DOM (one arrow per exchange, in order, with the right labels) and a screenshot."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from transcript_sessions import (  # noqa: F401 (fixtures)
    assert_no_secret, error_box, record_error_session, record_long_session, record_starttls_session,
    server_record,
)

from explorer.reports.html import render_html
from explorer.reports.save import save_engine_session, save_sandbox_record
from explorer.reports.sources import load_transcript

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install chromium; .ci/run does)")

WIDTH, HEIGHT = 1100, 1300


def chromium(tmp_path: Path, page: Path, *options: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", *options, page.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


class Dom(HTMLParser):
    """The arrows of the dumped DOM, in document order, and a few things the script changes."""

    def __init__(self) -> None:
        super().__init__()
        self.arrows: list[dict] = []
        self.markers: list[str] = []
        self.controls_hidden: bool | None = None
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append(tag)
        classes = (attributes.get("class") or "").split()
        if tag == "details" and "arrow" in classes:
            self.arrows.append(attributes)
        if "marker" in classes:
            self.markers.append(attributes.get("data-kind", ""))
        if attributes.get("id") == "controls":
            self.controls_hidden = "hidden" in attributes


def dom_of(tmp_path: Path, page: Path) -> Dom:
    dom = Dom()
    dom.feed(chromium(tmp_path, page, "--dump-dom", "--virtual-time-budget=3000").stdout)
    return dom


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """A small PNG reader (8-bit RGB or RGBA, not interlaced): width, height, rows of pixels."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0
    size = 3 if colour == 2 else 4
    raw, stride, rows = zlib.decompress(idat), width * size, []
    previous = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], raw[start + 1:start + 1 + stride]
        if kind == 2:  # up: no dependency inside the row, so no index loop
            line = bytes((a + b) & 255 for a, b in zip(line, previous))
        elif kind:
            out = bytearray(line)
            for x in range(stride):
                left = out[x - size] if x >= size else 0
                if kind == 1:
                    out[x] = (out[x] + left) & 255
                elif kind == 3:
                    out[x] = (out[x] + (left + previous[x]) // 2) & 255
                else:
                    up, corner = previous[x], previous[x - size] if x >= size else 0
                    p = left + up - corner
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                    out[x] = (out[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
            line = bytes(out)
        rows.append(line if size == 3 else bytes(b for i, b in enumerate(line) if i % 4 != 3))
        previous = line
    return width, height, rows


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    return struct.unpack(">II", data[16:24])


def count_colour(rows: list[bytes], rgb: tuple[int, int, int], tolerance: int = 24) -> int:
    count = 0
    for row in rows:
        for i in range(0, len(row), 3):
            if all(abs(row[i + k] - rgb[k]) <= tolerance for k in range(3)):
                count += 1
    return count


@pytest.fixture
def starttls_page(tmp_path, sandbox):
    engine = record_starttls_session(sandbox)
    save_engine_session(engine, tmp_path / "s.jsonl")
    transcript = load_transcript(tmp_path / "s.jsonl")
    page = tmp_path / "ladder.html"
    page.write_text(render_html(transcript), encoding="utf-8")
    return transcript, page


def test_the_browser_sees_one_arrow_per_exchange_in_order(tmp_path, starttls_page) -> None:
    transcript, page = starttls_page
    dom = dom_of(tmp_path, page)
    assert [int(a["data-index"]) for a in dom.arrows] == [e.index for e in transcript.exchanges]
    assert [a["data-label"] for a in dom.arrows] == [e.label for e in transcript.exchanges]
    assert [a["data-dir"] for a in dom.arrows] == [e.direction for e in transcript.exchanges]
    assert [a["data-label"] for a in dom.arrows[:4]] == [
        "220 <domain> Service ready: the server's greeting, or 'Ready to start TLS' after STARTTLS.",
        "EHLO client.example", "250 Requested mail action okay, completed.", "STARTTLS"]
    assert dom.arrows[9]["data-label"] == "AUTH response (secret removed)"
    assert dom.markers == ["connection-opened", "tls-started", "connection-closed"]
    assert dom.controls_hidden is False  # the inline script ran
    assert not {"img", "link", "iframe", "object", "embed"} & set(dom.tags)


def test_screenshot_shows_the_ladder(tmp_path, starttls_page) -> None:
    _, page = starttls_page
    shot = tmp_path / "ladder.png"
    chromium(tmp_path, page, f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}", "--hide-scrollbars")
    width, height, rows = png_pixels(shot)
    assert (width, height) == (WIDTH, HEIGHT)
    # client arrows (blue), 2xx replies (green), the TLS band: all drawn
    assert count_colour(rows, (0x2F, 0x5F, 0xA7)) > 2000
    assert count_colour(rows, (0x1A, 0x7F, 0x37)) > 2000
    assert count_colour(rows, (0xEB, 0xF6, 0xED), tolerance=6) > 100_000


def test_error_session_from_the_sandbox_side(tmp_path, error_box) -> None:
    record_error_session(error_box)
    save_sandbox_record(server_record(error_box), tmp_path / "e.jsonl")
    transcript = load_transcript(tmp_path / "e.jsonl")
    from explorer.lint import Finding

    findings = [Finding("no-wait", 1, 0,
                        chunk_index=next(e for e in transcript.exchanges if e.code == 550).chunks[0])]
    page = tmp_path / "error.html"
    page.write_text(render_html(transcript, findings), encoding="utf-8")
    assert_no_secret(page.read_text())
    dom = dom_of(tmp_path, page)
    codes = [a["data-code"] for a in dom.arrows if a["data-dir"] == "server"]
    assert codes == ["220", "250", "235", "250", "550", "250", "250", "250", "354", "250", "503", "221"]
    refused = next(a for a in dom.arrows if a["data-code"] == "550")
    assert {"k5", "has-finding"} <= set(refused["class"].split())
    assert refused["data-label"].startswith("550 Requested action not taken")
    rset = next(a for a in dom.arrows if a["data-label"] == "RSET")
    assert int(rset["data-index"]) == int(refused["data-index"]) + 1
    shot = tmp_path / "error.png"
    chromium(tmp_path, page, f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}", "--hide-scrollbars")
    _, _, rows = png_pixels(shot)
    assert count_colour(rows, (0xC6, 0x28, 0x28)) > 500  # the 5xx arrows and the finding badge


def test_a_long_session_stays_one_arrow_per_exchange(tmp_path, sandbox) -> None:
    engine = record_long_session(sandbox, rounds=60)
    save_engine_session(engine, tmp_path / "long.jsonl")
    transcript = load_transcript(tmp_path / "long.jsonl")
    assert len(transcript.exchanges) == 125
    page = tmp_path / "long.html"
    page.write_text(render_html(transcript), encoding="utf-8")
    dom = dom_of(tmp_path, page)
    assert [int(a["data-index"]) for a in dom.arrows] == list(range(125))
    assert [a["data-label"] for a in dom.arrows][3:7] == [
        "NOOP round 0", "250 Requested mail action okay, completed.", "NOOP round 1",
        "250 Requested mail action okay, completed."]
    shot = tmp_path / "long.png"
    chromium(tmp_path, page, f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}", "--hide-scrollbars")
    assert png_size(shot) == (WIDTH, HEIGHT)


def test_the_linters_findings_on_a_sandbox_session(tmp_path, error_box) -> None:
    """The page for a session the sandbox saw, with the linter's findings on their arrows."""
    from explorer.commands import main
    from explorer.reports.findings import lint_findings
    from explorer.reports.sources import load_session

    record_error_session(error_box)
    save_sandbox_record(server_record(error_box), tmp_path / "e.jsonl")
    transcript, chunks = load_session(tmp_path / "e.jsonl")
    found = lint_findings(transcript)
    page = tmp_path / "linted.html"
    assert main(["transcript", str(tmp_path / "e.jsonl"), "--format", "html", "--lint", "-o", str(page)]) == 0
    dom = dom_of(tmp_path, page)
    expected = sorted({transcript.exchange_of_chunk(f.chunk_index).index for f in found
                       if f.chunk_index is not None})
    assert expected, "the error session has mistakes the linter should find"
    assert [int(a["data-index"]) for a in dom.arrows if "has-finding" in a["class"].split()] == expected
    late_rcpt = [a for a in dom.arrows if a["data-label"] == "RCPT TO:<friend@sandbox.test>"][-1]
    assert "has-finding" in late_rcpt["class"].split()  # the RCPT sent after the message: out of order
    assert len(dom.arrows) == len(transcript.exchanges)


def test_the_chinese_ladder_holds_chinese_and_draws_glyphs_not_boxes(tmp_path, sandbox) -> None:
    from transcript_sessions import engine_for, send_lines, send_message

    from explorer.reports.texts import group

    engine = engine_for(sandbox)
    engine.connect()
    send_lines(engine, "EHLO client.example", "MAIL FROM:<learner@sandbox.test>", "RCPT TO:<friend@sandbox.test>",
               "DATA")
    send_message(engine, "Subject: lab", "", "我爱计算机网络")
    send_lines(engine, "QUIT")
    save_engine_session(engine, tmp_path / "s.jsonl")
    transcript = load_transcript(tmp_path / "s.jsonl", lang="zh")
    html = render_html(transcript)
    page = tmp_path / "zh.html"
    page.write_text(html, encoding="utf-8")
    dom = chromium(tmp_path, page, "--dump-dom", "--virtual-time-budget=3000").stdout
    assert '<html lang="zh-CN">' in dom
    texts = group("page", "zh")
    for key in ("title", "client", "server", "legend-client", "legend-2", "hint", "expand", "collapse"):
        assert texts[key] in dom, key  # every heading and legend, in Chinese (the table's own words)
    assert "我爱计算机网络" in dom and "8 位 UTF-8，23 字节" in dom
    # Glyphs, not boxes: with a CJK font two different characters draw differently; without one
    # both are the same "missing glyph" box. Swap the message text for one character repeated.
    shots = []
    for name, body in (("love", "我爱计算机网络"), ("boxes", "口口口口口口口")):
        variant = tmp_path / f"{name}.html"
        # every arrow opened, so the message's bytes block is drawn (on a tall enough window)
        variant.write_text(html.replace("我爱计算机网络", body).replace("<details class=", "<details open class="),
                           encoding="utf-8")
        shot = tmp_path / f"{name}.png"
        chromium(tmp_path, variant, f"--screenshot={shot}", f"--window-size={WIDTH},6000", "--hide-scrollbars")
        shots.append(shot.read_bytes())
    assert shots[0] != shots[1]  # the same encoder, the same page but seven characters: they must show
