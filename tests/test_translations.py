"""Every learner-facing text in English and Chinese, and the glossary's terms used the same way.

Two checks over all data: each entry of each learner-facing table and each bundled lesson has `zh`
with the same fields and {placeholders} as `en`, in Chinese (a pure protocol token may stay as on
the wire); and no `zh` text uses a variant the glossary calls wrong.

``PENDING`` lists the tables whose translation has not landed yet. It may only shrink: a table in
it that is already complete fails the test, so the list is honest.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from explorer.knowledge import tables
from explorer.lessons.loader import bundled_dir, check_lesson
from explorer.lessons.translate import TRANSLATABLE, translations

KNOWLEDGE = Path(tables.__file__).parent
NOT_LEARNER_FACING = {"glossary"}  # the glossary is for translators; its `zh` is the term itself
TABLES = sorted(p.stem for p in KNOWLEDGE.glob("*.toml") if p.stem not in NOT_LEARNER_FACING)
LESSONS = sorted(bundled_dir().glob("*.toml"))

#: Tables and lessons still waiting for their `zh` texts (branch zht). Remove a name when it lands.
PENDING: set[str] = set()
#: Single texts allowed to fall back to English: (table, entry path, field). Keep it empty.
ENGLISH_ALLOWED: set[tuple[str, str, str]] = set()

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Tokens a zh text may keep as they are: the program's name, {placeholders}, /commands, --options, <addresses>, [args].
TOKENS = re.compile(r"smtp-explorer|\{[^}]*\}|/[a-z0-9]+|--[a-z-]+|<[^>]*>|\[[^\]]*\]")
ENGLISH_WORD = re.compile(r"\b[a-z]{3,}\b")


def protocol_only(text: str) -> bool:
    """A text of protocol tokens, codes and punctuation ("MAIL FROM:<{sender}>", "/help [VERB]")."""
    return not ENGLISH_WORD.search(TOKENS.sub(" ", text))


def placeholders(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name)


def _texts(value: Any, where: str) -> Iterator[tuple[str, Any]]:
    """(field path, leaf) for every text or list of texts in a language table."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _texts(item, f"{where}.{key}" if where else key)
    else:
        yield where, value


def _language_entries(data: Mapping[str, Any], where: str = "") -> Iterator[tuple[str, Mapping]]:
    """Every entry holding language sub-tables ({"en": ..., "zh": ...}), at any depth."""
    if "en" in tables.language_tags(data):
        yield where, data
    for key, value in data.items():
        if isinstance(value, Mapping) and not tables.is_language_tag(key):
            yield from _language_entries(value, f"{where}.{key}" if where else key)


def _sandbox_tables() -> dict[str, Mapping[str, Mapping[str, str]]]:
    # The sandbox keeps its console texts as {lang: {key: text}}: the same check applies.
    from explorer.sandbox import texts

    found = {"sandbox:scenarios": getattr(texts, "SCENARIO_DESCRIPTIONS", None),
             "sandbox:outcomes": getattr(texts, "OUTCOMES", None)}
    return {name: table for name, table in found.items() if table}


def entry_problems(name: str, en: Mapping[str, Any], zh: Mapping[str, Any] | None, where: str) -> list[str]:
    """What is wrong with one `zh` table against its `en` twin."""
    if zh is None:
        return [f"{name}: {where}: no zh"]
    problems = []
    mine = dict(_texts(zh, ""))
    for field, original in _texts(en, ""):
        if (name, where, field) in ENGLISH_ALLOWED:
            continue
        here = f"{name}: {where}.{field}"
        if field not in mine:
            problems.append(f"{here}: no zh")
            continue
        translated = mine[field]
        pairs = list(zip(original, translated)) if isinstance(original, list) else [(original, translated)]
        if isinstance(original, list) and (not isinstance(translated, list) or len(translated) != len(original)):
            problems.append(f"{here}: zh must be a list of {len(original)} items")
            continue
        for a, b in pairs:
            if not isinstance(a, str):
                continue
            if not isinstance(b, str):
                problems.append(f"{here}: zh is not a text")
            elif placeholders(a) != placeholders(b):
                problems.append(f"{here}: placeholders {placeholders(b)} in zh, {placeholders(a)} in en")
            elif a.strip() and not CJK.search(b) and not protocol_only(b):
                problems.append(f"{here}: zh has no Chinese: {b!r}")
    return problems


def table_problems(name: str) -> list[str]:
    if name.startswith("sandbox:"):
        table = _sandbox_tables()[name]
        return entry_problems(name, table["en"], table.get("zh"), "")
    if name.startswith("lesson:"):
        return lesson_problems(bundled_dir() / f"{name.split(':', 1)[1]}.toml")
    problems = []
    for where, entry in _language_entries(tables.load(name)):
        problems += entry_problems(name, entry["en"], entry.get("zh"), where)
    return problems


def lesson_problems(path: Path) -> list[str]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    if "zh" not in translations(data):
        return [f"lesson {path.name}: no zh"]
    problems = [f"lesson {problem}" for problem in map(str, check_lesson(path))]
    for text in _lesson_zh_texts(data):
        if not CJK.search(text) and not protocol_only(text):
            problems.append(f"lesson {path.name}: zh has no Chinese: {text!r}")
    return problems


def _lesson_zh_texts(data: Mapping[str, Any]) -> Iterator[str]:
    holders = [data]
    for step in data.get("step", []):
        holders += [step, step.get("question") or {}]
    for holder in holders:
        for key, value in (holder.get("zh") or {}).items():
            if key == "answer":
                continue  # accepted answers may be protocol tokens or numbers
            for item in value if isinstance(value, list) else [value]:
                yield item


ALL = TABLES + sorted(_sandbox_tables()) + [f"lesson:{p.stem}" for p in LESSONS]


@pytest.mark.parametrize("name", ALL)
def test_every_text_has_chinese_with_the_same_placeholders(name: str) -> None:
    problems = table_problems(name)
    if name in PENDING:
        assert problems, f"{name} is complete in zh: remove it from PENDING in this test"
    else:
        assert problems == [], "\n".join(problems[:40])


def test_pending_names_only_tables_that_exist() -> None:
    assert PENDING <= set(ALL)


# --- the glossary ------------------------------------------------------------------------------

GLOSSARY = tables.load("glossary")


def test_the_glossary_is_well_formed() -> None:
    assert len(GLOSSARY) >= 40
    terms = [entry["zh"] for entry in GLOSSARY.values()]
    for key, entry in GLOSSARY.items():
        assert set(entry) == {"en", "zh", "wrong", "note"}, key
        assert CJK.search(entry["zh"]), key
        assert isinstance(entry["wrong"], list) and all(w and w != entry["zh"] for w in entry["wrong"]), key
        for wrong in entry["wrong"]:
            # A wrong variant must not be part of any right term, or the check could not tell them apart.
            assert not any(wrong in term for term in terms), (key, wrong)
    assert len(set(terms)) == len(terms)


def glossary_problems(text: str) -> list[str]:
    """The wrong variants in ``text``, except where they sit inside a right term."""
    right = [(m.start(), m.end()) for entry in GLOSSARY.values()
             for m in re.finditer(re.escape(entry["zh"]), text)]
    problems = []
    for entry in GLOSSARY.values():
        for wrong in entry["wrong"]:
            for m in re.finditer(re.escape(wrong), text):
                if not any(a <= m.start() and m.end() <= b and b - a > len(wrong) for a, b in right):
                    problems.append(f"{wrong!r} (write {entry['zh']!r}: {entry['en']})")
    return problems


def all_zh_texts() -> Iterator[tuple[str, str]]:
    for name in TABLES:
        for where, entry in _language_entries(tables.load(name)):
            for field, value in _texts(entry.get("zh") or {}, ""):
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str):
                        yield f"{name}: {where}.{field}", item
    for name, table in _sandbox_tables().items():
        for key, value in (table.get("zh") or {}).items():
            yield f"{name}: {key}", value
    for path in LESSONS:
        for text in _lesson_zh_texts(tomllib.loads(path.read_text(encoding="utf-8"))):
            yield f"lesson {path.name}", text


def test_a_protocol_token_needs_no_chinese_but_english_words_do() -> None:
    assert protocol_only("MAIL FROM:<{sender}>") and protocol_only("/lang [en|zh]")
    assert protocol_only("250-AUTH LOGIN PLAIN") and protocol_only("Base64")
    assert not protocol_only("usage: /lang {choices}") and not protocol_only("Hello from smtp-explorer")


def test_glossary_check_sees_a_wrong_term_and_spares_a_right_one() -> None:
    assert glossary_problems("请检查邮件的头部。") == ["'头部' (write '首部': header)"]
    assert glossary_problems("回复中的增强状态码 5.7.8 表示认证失败。") == []
    assert glossary_problems("登陆失败") and not glossary_problems("登录失败")


def test_every_zh_text_uses_the_glossary_terms() -> None:
    found = [f"{where}: {problem}" for where, text in all_zh_texts() for problem in glossary_problems(text)]
    assert found == [], "\n".join(found[:40])


def test_translatable_lesson_fields_exist_in_the_loader() -> None:
    from explorer.lessons import loader, steps

    assert set(TRANSLATABLE[()]) <= loader.TOP_KEYS
    assert set(TRANSLATABLE[("step",)]) <= steps.STEP_KEYS
    assert set(TRANSLATABLE[("step", "question")]) <= steps.QUESTION_KEYS


_PROFILES = sorted((Path(tables.__file__).resolve().parents[1] / "sandbox" / "profiles").glob("*.toml"))


@pytest.mark.parametrize("path", _PROFILES, ids=lambda p: p.stem)
def test_a_profiles_chinese_summary_has_chinese_punctuation(path: Path) -> None:
    zh = tomllib.loads(path.read_text(encoding="utf-8"))["summary"]["zh"]
    assert not re.search(r"[,;:()]", zh), zh


def test_provider_texts_in_chinese_end_their_clauses_the_chinese_way() -> None:
    # An ASCII comma beside Chinese text, or "MAIL FROM:" running into the next clause
    # ("MAIL FROM:163 不替……" reads as the address 163).
    bad = re.compile(r"[\u4e00-\u9fff\uff09],|,[\u4e00-\u9fff]|MAIL FROM:(?![<{\uff09]|$)")
    found = [(key, field, text) for key, entry in tables.load("providers")["reply"].items()
             for field, text in entry.get("zh", {}).items() if isinstance(text, str) and bad.search(text)]
    assert found == []
