"""The mistakes table and the linter's code agree; the linter is sans-IO."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

import explorer
from explorer.knowledge.tables import load
from explorer.lint import Finding, explain, label, mistake_keys
from explorer.lint.commands import MASKS

PACKAGE = Path(explorer.__file__).parent
# The rules, and the walker that applies them.
LINT = sorted((PACKAGE / "lint").glob("*.py")) + [PACKAGE / "recording" / name
                                                  for name in ("walker.py", "judging.py")]
FIELDS = ("what", "why", "server", "fix")
PLACEHOLDERS = {"verb", "previous", "sequence", "header_from", "mail_from", "user", "code",
                "count", "where", "advice", "advice_fix"}


def produced_keys() -> set[str]:
    """Every mistake key written in the linter's code."""
    keys: set[str] = set()
    for path in LINT:
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r'(?:make|finding)\(\s*"([a-z0-9-]+)"', text))
        keys |= set(re.findall(r'return "([a-z0-9-]+)", (?:None|key)', text))
        keys |= set(re.findall(r'\("([a-z-]+)", lambda', text))  # the line checks of content.py
        keys |= set(re.findall(r'\(b"[a-z]+", "([a-z-]+)"\)', text))  # missing-from, -date
        keys |= set(re.findall(r'key = "([a-z-]+)"', text))  # early-talker, no-wait
    return keys


def test_every_key_the_linter_reports_has_texts_and_no_entry_is_dead():
    assert produced_keys() == set(mistake_keys())


@pytest.mark.parametrize("key", sorted(load("mistakes")["mistake"]))
def test_each_entry_has_its_four_texts_and_a_severity(key):
    entry = load("mistakes")["mistake"][key]
    assert set(entry) <= {"severity", "reference", "en", "zh"}, key
    assert entry["severity"] in ("error", "warning") and entry["reference"]
    for lang in ("en", "zh"):
        texts = entry[lang]
        assert set(texts) == set(FIELDS), (key, lang)
        for field in FIELDS:
            names = {name for _, name, _, _ in string.Formatter().parse(texts[field]) if name}
            assert names <= PLACEHOLDERS, (key, lang, field, names)
            english = {name for _, name, _, _ in string.Formatter().parse(entry["en"][field]) if name}
            assert names == english, (key, lang, field)
            assert texts[field].strip() and texts[field].isprintable()


def test_explain_fills_placeholders_and_the_core_advice():
    finding = Finding("out-of-order", 3, 40, reason="mail-first", values=(("verb", "RCPT"),))
    texts = explain(finding)
    assert texts.what.startswith("RCPT was sent in the wrong place. RCPT TO names a recipient")
    assert texts.fix == "Send MAIL FROM:<sender> first."
    where = explain(Finding("message-bare-lf", 1, 0, where="body", count=3))
    assert "(body)" in where.what and "3 line(s)" in where.what
    # an unknown language falls back to English, field by field
    assert explain(finding, "fr") == texts
    # Chinese: the mistake's text and the core's advice, both from the zh tables
    chinese = explain(finding, "zh")
    assert chinese.what == ("RCPT 发送的位置不对。RCPT TO 为一次事务指定收件人，而现在还没有开始任何事务："
                            "邮件服务器会回复 503（需要先发 MAIL 命令）。")
    assert chinese.fix == "先发送 MAIL FROM:<发件人>。"
    assert explain(finding, "zh-TW") == chinese


def test_labels_used_by_the_front_ends_exist():
    names = set()
    for path in [PACKAGE / "reports" / "inspector.py", *LINT]:
        names |= set(re.findall(r'label\(\s*"([a-z_]+)"', path.read_text(encoding="utf-8")))
    names |= {f"severity_{s}" for s in ("error", "warning")}
    names |= {f"where_{w}" for w in ("command", "auth", "header", "body", "message", "session")}
    names |= {"what", "why", "server", "fix", "exchange_greeting", "exchange_auth_line",
              "exchange_body", "exchange_unknown"}
    assert names <= set(load("mistakes")["labels"]["en"])
    assert label("at", line=3, offset=40) == "line 3, byte 40"


def test_masks_are_those_of_the_recordings():
    from explorer.recording import PLACEHOLDER

    assert MASKS == (PLACEHOLDER,)
