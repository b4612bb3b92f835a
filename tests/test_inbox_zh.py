"""`smtp-explorer inbox --lang zh`: the list and a message in Chinese, columns aligned by display
width when a sender's name or a subject is Chinese."""

from __future__ import annotations

from email.header import Header

from explorer.commands import main
from explorer.sandbox.storage import MaildirStore
from explorer.width import width


def _chinese_message() -> bytes:
    # As a mail client sends it: the name and the subject RFC 2047-encoded, the body 8-bit UTF-8.
    return (f"From: {Header('张老师', 'utf-8').encode()} <teacher@sandbox.test>\r\n"
            f"Subject: {Header('计算机网络实验', 'utf-8').encode()}\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            "同学们好，\r\n请提交实验报告。\r\n").encode("utf-8")


def test_inbox_in_chinese_with_aligned_columns(tmp_path, capsys):
    store = MaildirStore(tmp_path)
    store.deliver("friend@sandbox.test", b"From: a@sandbox.test\r\nSubject: first\r\n\r\nplain\r\n")
    store.deliver("friend@sandbox.test", _chinese_message())
    assert main(["inbox", "--data-dir", str(tmp_path), "--lang", "zh"]) == 0
    heading, columns, first, second = capsys.readouterr().out.splitlines()
    assert heading == f"{tmp_path / 'mail'} 中有 2 封邮件"
    assert columns.split() == ["#", "保存时间", "邮箱", "发件人", "大小", "主题"]
    assert second.endswith("计算机网络实验")
    assert "  张老师 <teacher@sandbox.t~  " in second  # clipped at 26 columns, not 26 characters
    # the size column ends at the same terminal column on every line, Chinese name or not
    ends = [width(line[:line.index(" B  ") + 2]) for line in (first, second)]
    assert ends[0] == ends[1] == width(columns[:columns.index("大小") + 2])

    assert main(["inbox", "--data-dir", str(tmp_path), "2", "--lang", "zh"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("第 2 封邮件（共 2 封）：")
    assert "\n首部（已解码）：\n" in shown and "  Subject: 计算机网络实验\n" in shown
    assert "\nMIME 部分：\n  1  text/plain  charset=utf-8" in shown
    assert "\n正文：\n  同学们好，\n  请提交实验报告。\n" in shown


def test_an_empty_inbox_in_chinese(tmp_path, capsys):
    MaildirStore(tmp_path)
    assert main(["inbox", "--data-dir", str(tmp_path), "--lang", "zh"]) == 0
    assert capsys.readouterr().out == f"{tmp_path / 'mail'} 中没有邮件\n"
