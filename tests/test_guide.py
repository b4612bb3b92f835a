"""The teaching tables that go with the state machine: every key the core uses has its text."""

from __future__ import annotations

import re
from pathlib import Path

import explorer.core as core_package
from explorer.core.states import OUT_OF_ORDER, State
from explorer.knowledge.guide import advice, note, stage
from explorer.knowledge.tables import load

CORE = Path(core_package.__file__).parent


def string_literals_in_core() -> set[str]:
    literals: set[str] = set()
    for path in CORE.glob("*.py"):
        literals |= set(re.findall(r'"([a-z0-9-]+)"', path.read_text()))
    return literals | {"mail-syntax", "rcpt-syntax"}  # built as f"{verb}-syntax" in syntax.py


def test_every_warning_key_has_text_and_every_text_is_used() -> None:
    table = set(load("warnings"))
    produced = {key for _, key in OUT_OF_ORDER.values()}
    for name in ("session.py", "syntax.py"):
        source = (CORE / name).read_text()
        produced |= set(re.findall(r'Warning_\("([a-z0-9-]+)"', source))
        produced |= set(re.findall(r'\("([a-z0-9-]+)", (?:\d+|None), "(?:error|note)"\)', source))
    assert len(produced) > 30
    assert produced - table == set(), "keys the core gives without a text"
    assert table - string_literals_in_core() == set(), "texts no code uses"
    for key in table:
        texts = advice(key)
        assert texts.text.strip() and texts.fix.strip()


def test_every_state_has_a_stage_text() -> None:
    assert set(load("stages")) == {state.value for state in State}
    for state in State:
        info = stage(state.value)
        assert info.title and len(info.purpose) > 40


def test_notes_fill_placeholders_and_fall_back() -> None:
    assert note("base64-not-encryption", "fr").startswith("Base64 is an encoding, not encryption")
    assert note("base64-not-encryption", "zh").startswith("Base64 是一种编码，不是加密")
