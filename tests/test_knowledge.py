"""The knowledge tables: the data itself (shape, coverage, consistency) and the look-ups."""

from __future__ import annotations

import ast
import re
import string
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.knowledge import codes, tables
from explorer.knowledge.codes import (
    explain_code,
    explain_enhanced,
    known_codes,
    known_enhanced_codes,
    parse_reply_line,
    why_now,
)
from explorer.knowledge.extensions import explain_extension, known_extensions

KNOWLEDGE = Path(codes.__file__).parent
MODULES = ("__init__.py", "tables.py", "codes.py", "extensions.py")

REQUIRED_CODES = (
    211, 214, 220, 221, 235, 250, 251, 252, 334, 354, 421, 432, 450, 451, 452, 454, 455,
    500, 501, 502, 503, 504, 521, 530, 534, 535, 538, 550, 551, 552, 553, 554, 555, 556,
)
REQUIRED_ENHANCED = (
    "5.1.1", "5.1.2", "5.1.3", "5.1.8", "5.1.10", "5.2.1", "5.2.2", "5.2.3", "5.3.4", "4.2.2",
    "4.3.2", "4.4.1", "4.4.2", "4.7.0", "4.7.1", "5.5.1", "5.5.2", "5.5.3", "5.5.4", "5.6.7",
    "5.7.0", "5.7.1", "5.7.8", "5.7.9", "5.7.11", "5.7.25", "5.7.26", "5.7.27", "2.0.0",
    "2.1.0", "2.1.5", "2.6.0", "2.7.0",
)
# subject -> highest registered detail (IANA registry, RFC 3463 and later RFCs).
REGISTERED_RANGES = {0: 0, 1: 10, 2: 4, 3: 5, 4: 7, 5: 6, 6: 10, 7: 30}
REQUIRED_EXTENSIONS = (
    "SIZE", "PIPELINING", "8BITMIME", "STARTTLS", "AUTH", "SMTPUTF8", "CHUNKING",
    "ENHANCEDSTATUSCODES", "DSN", "HELP", "BINARYMIME", "DELIVERBY", "ETRN", "VRFY", "EXPN",
    "REQUIRETLS", "MT-PRIORITY", "AUTH=",
)
WHY_VERBS = {
    "CONNECT", "BODY", "any", "EHLO", "HELO", "MAIL", "RCPT", "DATA", "RSET", "VRFY", "EXPN",
    "HELP", "NOOP", "QUIT", "STARTTLS", "AUTH", "BDAT", "ETRN",
}
FORBIDDEN_IMPORTS = {"socket", "ssl", "asyncio", "aiosmtpd", "prompt_toolkit"}


# --- helpers --------------------------------------------------------------------------------

def lang_tables(entry: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {tag: entry[tag] for tag in tables.language_tags(entry)}


def check_entry(where: str, entry: Mapping[str, Any], data_keys: set[str], text_keys: set[str],
                required: set[str]) -> Mapping[str, Any]:
    """One entry: only known keys, an "en" table with the required texts, translations no wider
    than English. Returns the English texts."""
    assert isinstance(entry, Mapping), where
    langs = lang_tables(entry)
    unknown = set(entry) - data_keys - set(langs)
    assert not unknown, f"{where}: unknown keys {sorted(unknown)}"
    assert "en" in langs, f"{where}: no 'en' texts"
    for tag, texts in langs.items():
        extra = set(texts) - text_keys
        assert not extra, f"{where}.{tag}: unknown keys {sorted(extra)}"
        assert set(texts) <= set(langs["en"]), f"{where}.{tag}: a text with no English version"
    for key in required:
        value = langs["en"].get(key)
        assert isinstance(value, str) and value.strip(), f"{where}.en.{key} missing or empty"
    return langs["en"]


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def all_strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, Mapping):
        for value in node.values():
            yield from all_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_strings(value)


# --- the modules ----------------------------------------------------------------------------

def test_modules_import_no_io_or_ui_and_no_higher_layer() -> None:
    for name in MODULES:
        tree = ast.parse((KNOWLEDGE / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                assert node.level <= 1, f"{name} reaches outside explorer.knowledge"
                found = [node.module or ""] if node.level == 0 else []
            else:
                continue
            for module in found:
                assert module.split(".")[0] not in FORBIDDEN_IMPORTS, f"{name} imports {module}"
                if module.startswith("explorer"):
                    assert module.startswith("explorer.knowledge"), f"{name} imports {module}"


def test_modules_stay_small() -> None:
    for name in MODULES:
        assert len((KNOWLEDGE / name).read_text(encoding="utf-8").splitlines()) <= 300, name


def test_nothing_is_loaded_at_import_time() -> None:
    script = (
        "import sys, explorer.knowledge, explorer.knowledge.tables as t;"
        "assert t.load.cache_info().currsize == 0, 'a table was loaded at import time';"
        f"assert not {sorted(FORBIDDEN_IMPORTS)!r} & sys.modules.keys(), 'an I/O module was imported'"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


# --- codes.toml -----------------------------------------------------------------------------

def test_every_code_entry_is_well_formed() -> None:
    table = tables.load("codes")
    assert table
    for key, entry in table.items():
        assert re.fullmatch(r"[2-5][0-9]{2}", key), f"{key!r} is not a reply code"
        en = check_entry(key, entry, {"reference"}, {"meaning", "next", "causes", "why"},
                         {"meaning", "next"})
        assert "\n" not in en["meaning"], f"{key}: meaning must be one line"
        assert isinstance(entry.get("reference", ""), str)
        for tag, texts in lang_tables(entry).items():
            causes = texts.get("causes", [])
            assert isinstance(causes, list), f"{key}.{tag}.causes"
            assert all(isinstance(c, str) and c.strip() for c in causes), f"{key}.{tag}.causes"
            why = texts.get("why", {})
            assert isinstance(why, Mapping), f"{key}.{tag}.why"
            assert set(why) <= WHY_VERBS, f"{key}.{tag}.why: unknown verbs {set(why) - WHY_VERBS}"
            assert all(isinstance(t, str) and t.strip() for t in why.values()), f"{key}.{tag}.why"
        if key[0] in "45":
            assert en.get("causes"), f"{key}: a 4yz/5yz code needs typical causes"


def test_every_required_code_is_in_the_table() -> None:
    missing = set(REQUIRED_CODES) - set(known_codes())
    assert not missing
    assert known_codes() == tuple(sorted(known_codes()))


@pytest.mark.parametrize("code", REQUIRED_CODES)
def test_each_code_reads_consistently_with_its_digits(code: int) -> None:
    info = explain_code(code)
    assert info.known and info.code == code
    assert len(info.digits) == 3
    first, second, third = str(code)
    assert info.digits[0].startswith(f"{first}yz")
    assert info.digits[1].startswith(f"x{second}z")
    assert info.digits[2].startswith(f"xy{third}")


def test_enhanced_codes_quoted_in_the_code_texts_are_registered_and_match_the_class() -> None:
    registered = set(known_enhanced_codes())
    for key, entry in tables.load("codes").items():
        for text in all_strings(lang_tables(entry)):  # not `reference`: "RFC 5321 4.2.3"
            for found in re.findall(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)", text):
                assert found in registered, f"{key} quotes unregistered {found}"
            for reply, enhanced in re.findall(r"\b([2-5]\d\d)[ -]([245])\.\d{1,3}\.\d{1,3}", text):
                assert reply[0] == enhanced, f"{key}: '{reply} {enhanced}.x.x' mixes classes"


# --- digits.toml ----------------------------------------------------------------------------

def test_digits_table_covers_every_position() -> None:
    table = tables.load("digits")
    assert set(table) == {"first", "second", "third", "unknown", "errors"}
    assert set(table["first"]) == {"1", "2", "3", "4", "5"}
    assert set(table["second"]) == {"0", "1", "2", "3", "4", "5", "other"}
    for group in ("first", "second"):
        for digit, entry in table[group].items():
            en = check_entry(f"{group}.{digit}", entry, set(), {"label", "text"}, {"label", "text"})
            assert placeholders(en["text"]) <= {"digit"}
    check_entry("third", table["third"], set(), {"text"}, {"text"})
    check_entry("unknown", table["unknown"], set(), {"meaning"}, {"meaning"})
    check_entry("errors", table["errors"], set(), {"not_a_code", "preliminary", "not_a_reply_line"},
                {"not_a_code", "preliminary", "not_a_reply_line"})
    assert "never sends" in table["first"]["1"]["en"]["text"]  # 1yz is unused in SMTP


def test_templates_use_only_known_placeholders() -> None:
    allowed = {
        ("digits", "third"): {"digit"},
        ("digits", "unknown"): {"code", "first", "second"},
        ("digits", "errors"): {"value"},
        ("enhanced", "format"): {"title", "meaning", "detail", "reference", "classes", "klass", "subject"},
        ("enhanced", "errors"): {"value"},
        ("extensions", "errors"): {"value"},
    }
    for (name, key), names in allowed.items():
        for texts in lang_tables(tables.load(name)[key]).values():
            for template in texts.values():
                assert placeholders(template) <= names, (name, key, template)
                tables.fill(template, **{n: "x" for n in names})


# --- enhanced.toml --------------------------------------------------------------------------

def test_every_enhanced_entry_is_well_formed_and_keyed_correctly() -> None:
    table = tables.load("enhanced")
    assert set(table) == {"format", "errors", "class", "subject", "detail"}
    assert set(table["class"]) == {"2", "4", "5"}
    assert set(table["subject"]) == {str(n) for n in range(8)}
    for group in ("class", "subject"):
        for key, entry in table[group].items():
            en = check_entry(f"{group}.{key}", entry, set(), {"text"}, {"text"})
            pattern = f"{key}.x.x" if group == "class" else f"x.{key}.x"
            assert en["text"].startswith(pattern), f"{group}.{key}"
    for key, entry in table["detail"].items():
        match = re.fullmatch(r"([0-9]{1,3})\.([0-9]{1,3})", key)
        assert match, f"detail key {key!r} must be 'subject.detail'"
        assert key == f"{int(match[1])}.{int(match[2])}", f"{key!r}: no leading zeros"
        assert match[1] in table["subject"], f"{key}: unknown subject"
        check_entry(key, entry, {"reference", "classes"}, {"title", "meaning"}, {"title", "meaning"})
        assert isinstance(entry.get("reference"), str) and entry["reference"], key
        classes = entry.get("classes", [2, 4, 5])
        assert classes and set(classes) <= {2, 4, 5}, key


def test_every_required_enhanced_code_is_known() -> None:
    for code in REQUIRED_ENHANCED:
        assert explain_enhanced(code).known, code
    known = set(known_enhanced_codes())
    assert set(REQUIRED_ENHANCED) <= known
    for subject, last in REGISTERED_RANGES.items():
        for detail in range(last + 1):
            assert f"5.{subject}.{detail}" in known, f"X.{subject}.{detail}"


def test_class_3_has_no_enhanced_codes() -> None:
    # "3.0.0" is no RFC 3463 code: X.0.0 is in the table, but a 3 is not a class.
    assert "0.0" in tables.load("enhanced")["detail"]
    with pytest.raises(ValueError, match="there is no class 3"):
        explain_enhanced("3.0.0")


# --- extensions.toml ------------------------------------------------------------------------

def test_every_extension_entry_is_well_formed() -> None:
    table = tables.load("extensions")
    assert set(table) == {"unknown", "errors", "keyword"}
    check_entry("unknown", table["unknown"], set(), {"meaning", "usage"}, {"meaning", "usage"})
    check_entry("errors", table["errors"], set(), {"empty"}, {"empty"})
    for key, entry in table["keyword"].items():
        # RFC 5321: ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"); plus the old "AUTH=".
        assert key == "AUTH=" or re.fullmatch(r"[A-Z0-9][A-Z0-9-]*", key), key
        check_entry(key, entry, {"reference"}, {"meaning", "usage"}, {"meaning", "usage"})
        assert entry.get("reference"), key
    assert set(REQUIRED_EXTENSIONS) <= set(known_extensions())


# --- explain_code and why_now ---------------------------------------------------------------

def test_explain_a_known_code() -> None:
    info = explain_code(535)
    assert info.known and "Authentication credentials invalid" in info.meaning
    assert info.next and info.reference.startswith("RFC 4954")
    assert any("授权码" in cause or "authorization code" in cause for cause in info.causes)
    assert explain_code(" 535 ") == info == explain_code("535")


def test_explain_known_codes_carry_the_key_teaching_points() -> None:
    assert "STARTTLS" in " ".join(explain_code(530).causes)
    assert "Base64" in explain_code(334).meaning
    assert "CRLF" in explain_code(354).meaning and "." in explain_code(354).next
    assert any("greylisting" in c.lower() for c in explain_code(451).causes)
    assert any("greylisting" in c.lower() for c in explain_code(450).causes)
    assert any("5.1.1" in c for c in explain_code(550).causes)
    assert any("too long" in c for c in explain_code(500).causes)
    assert any("recipients" in c for c in explain_code(554).causes)


@pytest.mark.parametrize("code", [299, 573, 260, 419])
def test_explain_an_unknown_code_digit_by_digit(code: int) -> None:
    info = explain_code(code)
    assert not info.known and info.next == "" and info.causes == () and info.reference == ""
    assert str(code) in info.meaning and "digit by digit" in info.meaning
    assert info.digits[0].startswith(f"{code // 100}yz")
    assert info.digits[1].startswith(f"x{code // 10 % 10}z")


@pytest.mark.parametrize(
    "bad", ["5x5", "55", "5555", "", "   ", "abc", 600, 199, 99, 1000, -535, "+535", "535.0",
            "２２０", True, None, 535.0, "5 3 5"],
)
def test_explain_code_rejects_non_codes_with_one_clear_line(bad: object) -> None:
    with pytest.raises(ValueError) as caught:
        explain_code(bad)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message and message.startswith(repr(str(bad)))
    assert "first" in message and "2, 3, 4 or 5" in message


def test_explain_code_error_message_is_exact_and_escapes_control_characters() -> None:
    with pytest.raises(ValueError) as caught:
        explain_code("5x5")
    assert str(caught.value) == "'5x5' is not a reply code: a reply code is three digits, the first 2, 3, 4 or 5"
    with pytest.raises(ValueError, match="1yz"):
        explain_code(150)
    with pytest.raises(ValueError) as caught:
        explain_code("\x1b[2J\r\n")
    assert "\x1b" not in str(caught.value) and "\\x1b" in str(caught.value)


def test_why_now_by_verb_with_fallbacks() -> None:
    assert "Base64" in why_now(535, "AUTH")
    assert why_now(535, "auth") == why_now(535, "AUTH") == why_now(535, "AUTH PLAIN AGFiYw==")
    assert "TLS" in why_now(220, "STARTTLS") and "greet" in why_now(220, "CONNECT")
    assert why_now(220, "GREETING") == why_now(220, "CONNECT")  # the core's name for it
    assert why_now(334, "AUTH-LINE") == why_now(334, "AUTH")
    assert "CRLF.CRLF" in why_now(250, "BODY") and "RCPT TO" in why_now(250, "MAIL FROM:<a@b>")
    assert why_now(503, "RCPT") != why_now(503, "DATA")
    generic = tables.load("codes")["250"]["en"]["why"]["any"]
    assert why_now(250, "XYZZY") == why_now(250, None) == why_now(250, "") == generic
    assert why_now(299, "MAIL") == "" and why_now(999, "MAIL") == ""


# --- explain_enhanced -----------------------------------------------------------------------

def test_explain_a_known_enhanced_code() -> None:
    info = explain_enhanced("5.7.8")
    assert info.known and info.code == "5.7.8"
    assert info.klass.startswith("5.x.x") and info.subject.startswith("x.7.x")
    assert info.detail.startswith("Authentication credentials invalid")
    # a detail described for one class still explains with another, with a note
    other = explain_enhanced("4.7.8")
    assert other.known and other.klass.startswith("4.x.x") and "class 5" in other.detail
    assert "describes this detail" not in explain_enhanced("5.1.1").detail


def test_explain_unknown_enhanced_codes() -> None:
    info = explain_enhanced("5.7.999")
    assert not info.known and info.detail == "" and info.subject.startswith("x.7.x")
    odd = explain_enhanced("4.9.1")
    assert not odd.known and odd.subject.startswith("x.9.x") and odd.klass.startswith("4.x.x")


@pytest.mark.parametrize("bad", ["", "5.7", "5.7.8.1", "6.1.1", "1.0.0", "5..1", "5.1234.1",
                                  "5.1.1234", "x.7.8", "5.7.8 text", None, 578])
def test_explain_enhanced_rejects_malformed_codes(bad: object) -> None:
    with pytest.raises(ValueError) as caught:
        explain_enhanced(bad)  # type: ignore[arg-type]
    assert "\n" not in str(caught.value) and "enhanced status code" in str(caught.value)


def test_known_enhanced_codes_all_explain_as_known() -> None:
    known = known_enhanced_codes()
    assert len(known) == len(set(known)) == 3 * len(tables.load("enhanced")["detail"])
    assert all(explain_enhanced(code).known for code in known)


# --- parse_reply_line -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("535 5.7.8 authentication failed", (535, "5.7.8", "authentication failed")),
        ("535-5.7.8 Username and Password not accepted.", (535, "5.7.8", "Username and Password not accepted.")),
        ("535", (535, None, "")),
        ("535 ", (535, None, "")),
        ("250-SIZE 35882577", (250, None, "SIZE 35882577")),
        ("250 2.0.0 Ok: queued as 4F1A2", (250, "2.0.0", "Ok: queued as 4F1A2")),
        ("250 2.1.5\r\n", (250, "2.1.5", "")),
        ("220 smtp.example.com ESMTP ready\r\n", (220, None, "smtp.example.com ESMTP ready")),
        ("354 End data with <CR><LF>.<CR><LF>", (354, None, "End data with <CR><LF>.<CR><LF>")),
        ("334 VXNlcm5hbWU6", (334, None, "VXNlcm5hbWU6")),
        ("334 ", (334, None, "")),
        ("550 5.1.1234 odd", (550, None, "5.1.1234 odd")),
        ("250 2.0.0Ok", (250, None, "2.0.0Ok")),
        ("421-", (421, None, "")),
    ],
)
def test_parse_reply_line_golden(line: str, expected: tuple[int, str | None, str]) -> None:
    assert parse_reply_line(line) == expected


@pytest.mark.parametrize("bad", ["", "53", "5355 x", "535x", "635 no", "150 x", " 535 x",
                                  "abc", "535 a\r\nb", "535\nx", None])
def test_parse_reply_line_rejects_anything_else(bad: object) -> None:
    with pytest.raises(ValueError) as caught:
        parse_reply_line(bad)  # type: ignore[arg-type]
    assert "\n" not in str(caught.value) and "not a reply line" in str(caught.value)


# --- explain_extension ----------------------------------------------------------------------

def test_explain_extension() -> None:
    size = explain_extension("size")
    assert size.known and size.keyword == "SIZE" and size.reference == "RFC 1870"
    assert explain_extension("SIZE 35882577") == size
    old = explain_extension("auth=login plain")
    assert old.known and old.keyword == "AUTH=LOGIN" and "AUTH" in old.meaning
    assert explain_extension("AUTH PLAIN LOGIN").reference == "RFC 4954"
    other = explain_extension("X-Private-Thing")
    assert not other.known and other.keyword == "X-PRIVATE-THING" and other.reference == ""
    assert "ignore" in other.meaning
    with pytest.raises(ValueError, match="not an EHLO keyword"):
        explain_extension("   ")


# --- tables: loading and languages ----------------------------------------------------------

def test_load_is_cached_and_refuses_bad_names() -> None:
    assert tables.load("codes") is tables.load("codes")
    with pytest.raises(ValueError):
        tables.load("../pyproject")
    with pytest.raises(LookupError, match="no knowledge table"):
        tables.load("no_such_table")


def test_fallback_chain() -> None:
    assert tables.fallback_chain("en") == ("en",)
    assert tables.fallback_chain("zh") == ("zh", "en")
    assert tables.fallback_chain("zh_TW") == ("zh-TW", "zh", "en")
    assert tables.fallback_chain("") == ("en",)


def test_asking_for_a_missing_language_falls_back_to_english() -> None:
    # No table has French: every text comes from English.
    assert explain_code(535, "fr") == explain_code(535, "en")
    assert explain_code(573, "fr") == explain_code(573)
    assert explain_enhanced("5.7.8", "fr-CA") == explain_enhanced("5.7.8")
    assert explain_extension("SIZE", "fr") == explain_extension("SIZE")
    assert why_now(535, "AUTH", "fr") == why_now(535, "AUTH")
    with pytest.raises(ValueError, match="is not a reply code"):
        explain_code("5x5", "fr")
    with pytest.raises(ValueError, match="'5x5' 不是回复码：回复码是三位数字"):
        explain_code("5x5", "zh")


def test_535_in_chinese_says_what_an_authorization_code_is_and_where_it_is_issued() -> None:
    info = explain_code(535, "zh")
    assert info.meaning == "认证凭据无效（535 5.7.8）。"
    first = info.causes[0]
    assert "授权码是邮箱服务商生成的一串专供客户端使用的密码" in first
    assert "163 邮箱在网页版邮箱的“设置 → POP3/SMTP/IMAP”中开启服务后，按提示用手机发短信获取授权码" in first
    assert "QQ 邮箱在“设置 → 账户”中开启 SMTP 服务后生成授权码" in first
    assert "授权码" in info.next and "授权码" in why_now(535, "AUTH", "zh")
    # zh-TW has no table of its own: it reads the zh texts, not English
    assert explain_code(535, "zh-TW") == info


SMALL_TABLE = """
[535]
reference = "RFC 4954"
[535.en]
meaning = "Authentication credentials invalid."
next = "Check the credentials."
causes = ["wrong password"]
why.AUTH = "english auth"
why.any = "english any"
[535.zh]
meaning = "认证失败。"
why.any = "中文"
[535.zh-TW]
next = "請檢查。"
"""


def test_a_language_entry_wins_when_present() -> None:
    entry = tables.parse(SMALL_TABLE)["535"]
    assert tables.pick(entry, "zh")["meaning"] == "认证失败。"
    assert tables.pick(entry, "en")["meaning"] == "Authentication credentials invalid."
    # field by field: what zh lacks comes from English; zh-TW falls back to zh, then English
    assert tables.pick(entry, "zh")["next"] == "Check the credentials."
    assert tables.pick(entry, "zh-TW")["next"] == "請檢查。"
    assert tables.pick(entry, "zh-TW")["meaning"] == "认证失败。"
    # nested tables merge verb by verb
    assert tables.pick(entry, "zh")["why"] == {"AUTH": "english auth", "any": "中文"}
    assert tables.pick(entry, "fr") == tables.pick(entry, "en")
    assert "zh" in entry and tables.pick(entry, "zh") is not entry["zh"]  # never the shared data


def test_codes_use_the_language_picked_from_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = tables.parse(SMALL_TABLE)
    monkeypatch.setattr(codes, "_codes", lambda: {int(k): v for k, v in parsed.items()})
    assert explain_code(535, "zh").meaning == "认证失败。"
    assert explain_code(535, "zh").causes == ("wrong password",)
    assert explain_code(535).meaning == "Authentication credentials invalid."
    assert why_now(535, "AUTH", "zh") == "english auth" and why_now(535, "QUIT", "zh") == "中文"


# --- properties -----------------------------------------------------------------------------

@given(st.integers(min_value=200, max_value=599))
def test_explain_code_never_fails_for_a_valid_code(code: int) -> None:
    info = explain_code(code)
    assert info.code == code and info.meaning
    assert len(info.digits) == 3 and all(isinstance(d, str) and d for d in info.digits)
    assert explain_code(str(code)) == info
    assert isinstance(why_now(code, "MAIL"), str)


@given(st.integers(min_value=-10**6, max_value=10**6).filter(lambda n: not 200 <= n <= 599))
def test_explain_code_rejects_every_other_int(code: int) -> None:
    with pytest.raises(ValueError):
        explain_code(code)


@given(st.sampled_from("245"), st.integers(0, 999), st.integers(0, 999))
def test_explain_enhanced_never_fails_for_a_valid_code(klass: str, subject: int, detail: int) -> None:
    info = explain_enhanced(f"{klass}.{subject}.{detail}")
    assert info.klass.startswith(f"{klass}.x.x") and info.subject
    assert info.known == (f"{subject}.{detail}" in tables.load("enhanced")["detail"])


@given(st.integers(200, 599), st.sampled_from(" -"),
       st.text(st.characters(blacklist_characters="\r\n"), max_size=40))
def test_parse_reply_line_round_trip(code: int, sep: str, text: str) -> None:
    parsed_code, enhanced, rest = parse_reply_line(f"{code}{sep}{text}")
    assert parsed_code == code
    if enhanced is None:
        assert rest == text.strip(" ")
    else:
        assert text.startswith(enhanced) and rest == text[len(enhanced):].strip(" ")


@given(st.text(max_size=30))
def test_parse_reply_line_only_ever_raises_value_error(text: str) -> None:
    try:
        parse_reply_line(text)
    except ValueError as exc:
        assert "\n" not in str(exc)
