"""Reply codes and enhanced status codes, explained from the tables in ``codes.toml``,
``digits.toml`` and ``enhanced.toml``.

Every text comes from the data; this module only validates input, picks the language and puts
the pieces together. Any syntactically valid code gets an explanation, known or not: an unknown
reply code is read digit by digit (RFC 5321 4.2.1), an unknown enhanced code by its class and
subject (RFC 3463).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import tables

__all__ = [
    "CodeInfo",
    "EnhancedInfo",
    "explain_code",
    "explain_enhanced",
    "known_codes",
    "known_enhanced_codes",
    "parse_reply_line",
    "why_now",
]


@dataclass(frozen=True)
class CodeInfo:
    """What a three-digit reply code means, and what to do about it."""

    code: int
    known: bool  # True if the code is in the table
    meaning: str  # from the table, or built from the digits for an unknown code
    next: str  # what to do next; "" if unknown
    causes: tuple[str, ...]  # typical real-world causes; () if none
    digits: tuple[str, ...]  # three strings: what the 1st, 2nd and 3rd digit say
    reference: str  # where it is defined; "" if none


@dataclass(frozen=True)
class EnhancedInfo:
    """What an enhanced status code (class.subject.detail, RFC 3463) means."""

    code: str  # as given, e.g. "5.7.8"
    known: bool  # True if subject.detail is registered
    klass: str  # meaning of the class digit
    subject: str  # meaning of the subject number
    detail: str  # meaning of the registered subject.detail; "" if not registered


_CODE_RE = re.compile(r"[0-9]{3}")
_ENHANCED_RE = re.compile(r"([0-9])\.([0-9]{1,3})\.([0-9]{1,3})")
_REPLY_LINE_RE = re.compile(r"([2-5][0-9]{2})(?:[ -](.*))?", re.DOTALL)
# An enhanced code at the start of the reply text counts only as a whole word: "2.0.0 Ok".
_LEADING_ENHANCED_RE = re.compile(r"([245]\.[0-9]{1,3}\.[0-9]{1,3})(?= |$)")
# The protocol core names its non-command exchanges GREETING and AUTH-LINE
# (explorer.core.states); the `why` tables call them CONNECT and AUTH.
_VERB_ALIASES = {"GREETING": "CONNECT", "AUTH-LINE": "AUTH", "AUTH_LINE": "AUTH"}


# --- the tables (read on first use; tests may replace these functions) ---------------------

@functools.cache
def _codes() -> dict[int, Mapping[str, Any]]:
    return {int(key): entry for key, entry in tables.load("codes").items()}


def _digits() -> Mapping[str, Any]:
    return tables.load("digits")


def _enhanced() -> Mapping[str, Any]:
    return tables.load("enhanced")


def _shown(value: object) -> str:
    """The rejected input, quoted and escaped for an error line (repr escapes control bytes)."""
    text = str(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return repr(text)


def _error(table: Mapping[str, Any], key: str, value: object, lang: str) -> ValueError:
    return ValueError(tables.fill(tables.pick(table["errors"], lang)[key], value=_shown(value)))


# --- reply codes ---------------------------------------------------------------------------

def _reply_code(code: int | str, lang: str) -> int:
    """The code as an int, or ValueError with a one-line message in ``lang``."""
    if isinstance(code, int) and not isinstance(code, bool):
        text = str(code)
    elif isinstance(code, str):
        text = code.strip()
    else:
        raise _error(_digits(), "not_a_code", code, lang)
    if not _CODE_RE.fullmatch(text):
        raise _error(_digits(), "not_a_code", code, lang)
    if text[0] == "1":
        raise _error(_digits(), "preliminary", code, lang)
    if text[0] not in "2345":
        raise _error(_digits(), "not_a_code", code, lang)
    return int(text)


def _read_digits(code: int, lang: str) -> tuple[tuple[str, str, str], tuple[str, str]]:
    """The three digit texts of any valid code, and the labels of its first two digits."""
    table = _digits()
    first_digit, second_digit, third_digit = (int(c) for c in f"{code:03d}")
    first = tables.pick(table["first"][str(first_digit)], lang)
    second_entry = table["second"].get(str(second_digit), table["second"]["other"])
    second = tables.pick(second_entry, lang)
    third = tables.pick(table["third"], lang)
    texts = (
        tables.fill(first["text"], digit=first_digit),
        tables.fill(second["text"], digit=second_digit),
        tables.fill(third["text"], digit=third_digit),
    )
    labels = (
        tables.fill(first["label"], digit=first_digit),
        tables.fill(second["label"], digit=second_digit),
    )
    return texts, labels


def explain_code(code: int | str, lang: str = "en") -> CodeInfo:
    """Explain a three-digit reply code such as 535 or "535".

    A code in the table gets its meaning, next step, causes and reference; any other valid code
    gets a meaning built from its digits. Raises ``ValueError`` with a one-line message for
    anything that is not three digits with the first 2, 3, 4 or 5.
    """
    number = _reply_code(code, lang)
    digit_texts, labels = _read_digits(number, lang)
    entry = _codes().get(number)
    if entry is None:
        unknown = tables.pick(_digits()["unknown"], lang)
        meaning = tables.fill(unknown["meaning"], code=number, first=labels[0], second=labels[1])
        return CodeInfo(number, False, meaning, "", (), digit_texts, "")
    texts = tables.pick(entry, lang)
    return CodeInfo(
        code=number,
        known=True,
        meaning=texts.get("meaning", ""),
        next=texts.get("next", ""),
        causes=tuple(texts.get("causes", ())),
        digits=digit_texts,
        reference=entry.get("reference", ""),
    )


def why_now(code: int, verb: str | None, lang: str = "en") -> str:
    """Why this reply came now: the text for ``code`` after the command ``verb``.

    ``verb`` is a command verb in any case ("rcpt", "MAIL FROM:<a@b>" also works), or the
    pseudo-verbs CONNECT (the greeting; the core's GREETING also works), BODY (the reply to the
    CRLF.CRLF terminator) and AUTH-LINE (a line inside an AUTH exchange, read as AUTH).
    Falls back to the code's generic text, and to "" for an unknown or invalid code.
    """
    try:
        number = _reply_code(code, lang)
    except ValueError:
        return ""
    entry = _codes().get(number)
    if entry is None:
        return ""
    why = tables.pick(entry, lang).get("why", {})
    words = verb.split() if verb else []
    key = _VERB_ALIASES.get(words[0].upper(), words[0].upper()) if words else ""
    return why.get(key) or why.get("any", "")


def known_codes() -> tuple[int, ...]:
    """Every reply code in the table, in ascending order."""
    return tuple(sorted(_codes()))


# --- enhanced status codes -----------------------------------------------------------------

def explain_enhanced(code: str, lang: str = "en") -> EnhancedInfo:
    """Explain an enhanced status code such as "5.7.8" (RFC 3463).

    The class and subject are always explained; ``detail`` is filled when subject.detail is
    registered. Raises ``ValueError`` with a one-line message unless the code is class.subject.
    detail with the class 2, 4 or 5 and the others 1 to 3 digits.
    """
    table = _enhanced()
    text = code.strip() if isinstance(code, str) else ""
    match = _ENHANCED_RE.fullmatch(text)
    if match is None:
        raise _error(table, "not_enhanced", code, lang)
    klass, subject, detail = match.groups()
    if klass == "3":
        raise _error(table, "class_3", code, lang)
    if klass not in "245":
        raise _error(table, "not_enhanced", code, lang)
    fmt = tables.pick(table["format"], lang)
    subject_key = str(int(subject))
    if subject_key in table["subject"]:
        subject_text = tables.pick(table["subject"][subject_key], lang)["text"]
    else:
        subject_text = tables.fill(fmt["unknown_subject"], subject=subject_key)
    entry = table["detail"].get(f"{subject_key}.{int(detail)}")
    detail_text = ""
    if entry is not None:
        texts = tables.pick(entry, lang)
        detail_text = tables.fill(fmt["detail"], title=texts["title"], meaning=texts["meaning"])
        classes = entry.get("classes", ())
        if classes and int(klass) not in classes:
            detail_text = tables.fill(
                fmt["class_note"],
                detail=detail_text,
                reference=entry.get("reference", ""),
                classes="/".join(str(c) for c in classes),
                klass=klass,
            )
    return EnhancedInfo(
        code=text,
        known=entry is not None,
        klass=tables.pick(table["class"][klass], lang)["text"],
        subject=subject_text,
        detail=detail_text,
    )


def known_enhanced_codes() -> tuple[str, ...]:
    """Every enhanced code that :func:`explain_enhanced` reports as known, in order.

    Each registered subject.detail is listed with the classes 2, 4 and 5 ("2.7.8", "4.7.8",
    "5.7.8"): the registry defines details independently of the class.
    """
    pairs = sorted(tuple(int(n) for n in key.split(".")) for key in _enhanced()["detail"])
    return tuple(f"{k}.{s}.{d}" for k in (2, 4, 5) for s, d in pairs)


# --- reply lines ---------------------------------------------------------------------------

def parse_reply_line(text: str, lang: str = tables.DEFAULT_LANG) -> tuple[int, str | None, str]:
    """Split one reply line into (code, enhanced code or None, text).

    "535 5.7.8 authentication failed" gives (535, "5.7.8", "authentication failed");
    "250-SIZE 35882577" gives (250, None, "SIZE 35882577"); a bare "535" gives (535, None, "").
    A trailing CRLF is ignored. Raises ``ValueError`` with a one-line message in ``lang`` for
    anything else.
    """
    line = text.rstrip("\r\n") if isinstance(text, str) else ""
    match = _REPLY_LINE_RE.fullmatch(line)
    if match is None or "\r" in line or "\n" in line:
        raise _error(_digits(), "not_a_reply_line", text, lang)
    rest = match.group(2) or ""
    enhanced = _LEADING_ENHANCED_RE.match(rest)
    if enhanced is not None:
        rest = rest[enhanced.end() :]
    return int(match.group(1)), enhanced.group(1) if enhanced else None, rest.strip(" ")
