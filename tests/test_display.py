"""Chinese on a terminal: display width, wrapping, and 8-bit text shown as text on C:/S: lines."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from repl_driver import run_repl, sandbox_target
from scripted_server import ScriptedServer
from transcript_sessions import engine_for, send_lines, send_message

from explorer.core.render import Shown, shown, shown_lines, visible
from explorer.client.engine import Target
from explorer.reports.explaining import wrap
from explorer.reports.inspector import annotate
from explorer.repl.keys import eight_bit_hex
from explorer.repl.suggest import toolbar
from explorer.reports.html import render_html
from explorer.reports.save import save_engine_session
from explorer.reports.sources import load_transcript
from explorer.reports.text import render_text
from explorer.width import fill, pad, unwrap, width

LOVE = "我爱计算机网络"


# --- width, fill, pad ---------------------------------------------------------------------------

def test_width_counts_columns_not_characters() -> None:
    assert (width("EHLO"), width(LOVE), width("回复码 535"), width("")) == (4, 14, 10, 0)
    assert pad("回复码", 8) == "回复码  " and pad("code", 8) == "code    " and pad("太长的文字", 4) == "太长的文字"


def test_chinese_is_filled_by_columns_and_never_splits_a_token() -> None:
    text = ("认证失败：163 和 QQ 邮箱的 SMTP 服务不接受网页登录密码，要用授权码。"
            "请检查 MAIL FROM:<learner@sandbox.test> 与登录的邮箱是否一致。")
    lines = fill(text, 30, "   ").split("\n")
    assert all(width(line) <= 30 for line in lines)
    assert "".join(line.strip().replace(" ", "") for line in lines) == text.replace(" ", "")
    assert any("FROM:<learner@sandbox.test>" in line for line in lines)
    # no line starts with closing punctuation (the Chinese line-breaking rule)
    assert not any(line.strip()[0] in "，。：）" for line in lines)
    assert all(line.startswith("   ") for line in lines)


def test_english_is_filled_exactly_as_before() -> None:
    import textwrap

    text = "The server speaks first: after the TCP connection opens, wait for its 220 greeting. " * 3
    assert fill(text, 40, "  ") == textwrap.fill(text, 40, initial_indent="  ", subsequent_indent="  ")
    assert wrap(text) == textwrap.fill(text, 78, initial_indent="    ", subsequent_indent="    ")


@given(st.text(alphabet=st.sampled_from(list("我爱计算机网络，。（）ab c-1:<>") + [" "]), max_size=200),
       st.integers(min_value=12, max_value=90))
def test_fill_keeps_every_character_and_the_width(text: str, columns: int) -> None:
    filled = fill(text, columns)
    assert filled.replace("\n", "").replace(" ", "") == text.replace(" ", "")
    for line in filled.split("\n"):
        # only one unbreakable piece may overflow: a long Latin word, or a glued pair
        assert width(line) <= columns or " " not in line.strip()


def test_unwrap_joins_chinese_lines_without_a_space() -> None:
    assert unwrap("先建立连接，\n邮件服务器用 220\n欢迎信息问候你。\nThen EHLO") == "先建立连接，邮件服务器用 220 欢迎信息问候你。 Then EHLO"


# --- 8-bit text on the wire ---------------------------------------------------------------------

@pytest.mark.parametrize("data, expected", [
    (f"{LOVE}\r\n".encode(), Shown(f"{LOVE}\\r\\n", "UTF-8", 23)),
    (f"{LOVE}\r\n".encode("gbk"), Shown(f"{LOVE}\\r\\n", "GBK", 16)),
    ("250 邮件已收到\r\n".encode("gbk"), Shown("250 邮件已收到\\r\\n", "GBK", 16)),
    (b"EHLO me\r\n", Shown("EHLO me\\r\\n", None, 9)),
    ("été\r\n".encode("latin-1"), Shown("\\xe9t\\xe9\\r\\n", None, 5)),  # not Chinese in GBK either
    (b"caf\xc3\xa9 \xff\r\n", Shown("café \\xff\\r\\n", "UTF-8", 9)),  # a stray byte stays escaped
    ("a\u202eb\x1b[31m\u0085\r\n".encode(), Shown("a\\xe2\\x80\\xaeb\\x1b[31m\\xc2\\x85\\r\\n", "UTF-8", 14)),
    ("\ufffd".encode(), Shown("\\xef\\xbf\\xbd", "UTF-8", 3)),
])
def test_shown_gives_text_for_8bit_text_and_escapes_everything_else(data: bytes, expected: Shown) -> None:
    assert shown(data) == expected


@given(st.binary(max_size=300))
def test_shown_lines_are_safe_and_count_every_byte(data: bytes) -> None:
    lines = shown_lines(data)
    assert sum(line.octets for line in lines) == len(data)
    for line in lines:
        assert line.text.isprintable()  # nothing raw: no ESC, CR, LF, bidi override
        if line.charset is None:
            assert line.text == visible(data[:0]) + line.text and line.text.isascii()


def test_the_repl_shows_typed_chinese_as_text_with_its_bytes_one_key_away(sandbox) -> None:
    keys = ["/connect", "EHLO client.example", "MAIL FROM:<learner@sandbox.test>", "RCPT TO:<friend@sandbox.test>",
            "DATA", "Subject: 你好", "", LOVE, ".", "QUIT"]
    repl, shown_text = run_repl(sandbox_target(sandbox), keys, sandbox=lambda: sandbox)
    assert f"C: {LOVE}\\r\\n   [8-bit UTF-8, 23 bytes; F2: hex]" in shown_text
    assert "C: Subject: 你好\\r\\n   [8-bit UTF-8, 17 bytes; F2: hex]" in shown_text
    hex_lines = ["".join(t for _, t in line) for line in eight_bit_hex(repl)]
    assert hex_lines[0] == "   the last line with 8-bit bytes (C), in hex:"
    assert hex_lines[1].startswith("   00000000  e6 88 91 e7 88 b1 e8 ae a1 e7 ae 97 e6 9c ba e7")
    (record,) = sandbox.sessions
    sent = b"".join(c.data for c in record.chunks if c.direction == "client")
    assert f"\r\n{LOVE}\r\n.\r\n".encode() in sent  # the bytes themselves are exact


def test_a_gbk_reply_is_shown_decoded_with_the_same_marking() -> None:
    server = ScriptedServer([("send", "220 邮件服务器 ESMTP 准备就绪\r\n".encode("gbk")), ("read",),
                             ("send", b"250 OK\r\n"), ("read",), ("send", b"221 bye\r\n")])
    target = Target("127.0.0.1", server.port, "plain", timeout=5.0)
    _, text = run_repl(target, ["/connect", "/lang zh", "NOOP", "QUIT"])
    assert "S: 220 邮件服务器 ESMTP 准备就绪\\r\\n   [8-bit GBK, 31 bytes; F2: hex]" in text


def test_the_toolbar_fits_80_columns_in_chinese(sandbox) -> None:
    repl, _ = run_repl(sandbox_target(sandbox), ["/connect", "EHLO client.example"], sandbox=lambda: sandbox,
                       lang="zh")
    line = "".join(t for _, t in toolbar(repl, columns=80))
    assert width(line) <= 80
    assert line.startswith(" 沙箱 127.0.0.1:") and line.endswith(" | TLS 未开 | 认证：否 | 下一步：/connect ")
    short = "".join(t for _, t in toolbar(repl, columns=60))
    assert short == " 沙箱 | 已关闭 | TLS 未开 | 认证：否 | 下一步：/connect "  # the address went first
    shorter = "".join(t for _, t in toolbar(repl, columns=30))
    assert width(shorter) <= 30 and shorter.endswith("…") and shorter.startswith(" 沙箱 | 已关闭 |")


def test_transcripts_and_the_inspector_show_chinese_as_text(tmp_path, sandbox) -> None:
    engine = engine_for(sandbox)
    engine.connect()
    send_lines(engine, "EHLO client.example", "MAIL FROM:<learner@sandbox.test>", "RCPT TO:<friend@sandbox.test>",
               "DATA")
    send_message(engine, "Subject: lab", "", LOVE)
    send_lines(engine, "QUIT")
    save_engine_session(engine, tmp_path / "s.jsonl")
    transcript = load_transcript(tmp_path / "s.jsonl", lang="zh")
    assert f"C: {LOVE}   [8 位 UTF-8，23 字节]" in render_text(transcript).splitlines()
    html = render_html(transcript)
    assert '<html lang="zh-CN">' in html and LOVE in html and "Noto Sans CJK SC" in html
    assert "<summary>[8 位 UTF-8，23 字节]</summary>" in html  # the hex, one click away
    lines = annotate(engine.log, lang="zh")
    assert any(line.endswith(f"C: {LOVE}\\r\\n   [8 位 UTF-8，23 字节]") for line in lines)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_help_fits_80_columns_in_both_languages(lang: str) -> None:
    target = Target("127.0.0.1", 9, "plain", timeout=1.0)  # /help needs no server
    _, text = run_repl(target, ["/help", "/help lang"], lang=lang)
    assert "/lang [en|zh]" in text
    assert [line for line in text.splitlines() if width(line) > 80] == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_warning_before_sending_fits_80_columns(lang: str) -> None:
    # What the REPL says before it sends a line the core warns about: the warning and its fix,
    # each filled to the screen (a long fix ran past 80 columns, cut by the terminal mid-word).
    from explorer.core.session import Warning_
    from explorer.knowledge.tables import load
    from explorer.repl.view import warning_lines

    keys = [key for key in load("warnings") if isinstance(load("warnings")[key], dict)]
    assert len(keys) > 20
    rows = [row for line in warning_lines(tuple(Warning_(key, 500) for key in keys), lang)
            for _, text in line for row in text.split("\n")]
    assert [row for row in rows if width(row) > 80] == []
