"""Lessons in more than one language: a language table beside the texts it translates.

A lesson is written in one language (its ``language`` key, usually ``en``). Its translation lives
in the same file, in a table named by the language, next to the texts it replaces::

    title = "AUTH LOGIN and Base64"
    [zh]
    title = "AUTH LOGIN 与 Base64"

    [[step]]
    narration = "Connect; the server greets you with 220."
    connect = true
    [step.zh]
    narration = "先建立连接；邮件服务器用 220 欢迎信息问候你。"

    [step.question.zh]
    prompt = "..."

One file, so commands, replies and variables cannot drift apart between languages. Only texts are
translated (see ``TRANSLATABLE``); a translated text keeps the ``{variables}`` of the original and
a list keeps its length. A lesson that has a language anywhere must have it everywhere: ``lesson
check`` reports each text left untranslated, so a half-done translation never reaches a class.
"""

from __future__ import annotations

from typing import Any, Callable

from explorer.language import LANGUAGES
from explorer.lessons.model import PLACEHOLDER

__all__ = ["TRANSLATABLE", "translations", "check_translations", "localise"]

#: Where translations may sit (a path of table names, "step" meaning each step) and what they hold.
TRANSLATABLE: dict[tuple[str, ...], tuple[str, ...]] = {
    (): ("title", "summary"),
    ("step",): ("narration", "hints"),
    ("step", "question"): ("prompt", "choices", "answer", "right", "wrong"),
}

#: Told of each problem: the key path, the entry of the table ``checks`` and its values.
Report = Callable[..., None]


def _tables(data: dict) -> list[tuple[tuple, tuple[str, ...], dict]]:
    """Every table that may hold translations: (its key path, its TRANSLATABLE key, the table)."""
    found: list[tuple[tuple, tuple[str, ...], dict]] = [((), (), data)]
    steps = data.get("step")
    for index, step in enumerate(steps if isinstance(steps, list) else []):
        if isinstance(step, dict):
            found.append((("step", index), ("step",), step))
            question = step.get("question")
            if isinstance(question, dict):
                found.append((("step", index, "question"), ("step", "question"), question))
    return found


def translations(data: dict) -> set[str]:
    """The languages the lesson file holds translations for (besides its own)."""
    return {lang for _, _, table in _tables(data) for lang in LANGUAGES if isinstance(table.get(lang), dict)}


def _same_shape(original: Any, translated: Any) -> tuple[str, dict[str, Any]] | None:
    """None if ``translated`` has the shape of ``original``, else the problem's key and values."""
    if isinstance(original, str):
        if not isinstance(translated, str) or not translated.strip():
            return "same-text", {}
        if sorted(PLACEHOLDER.findall(original)) != sorted(PLACEHOLDER.findall(translated)):
            want = ", ".join(f"{{{n}}}" for n in sorted(set(PLACEHOLDER.findall(original)))) or "none"
            return "same-variables", {"want": want}
        return None
    if isinstance(original, list):
        if not isinstance(translated, list) or len(translated) != len(original):
            return "same-list", {"count": len(original)}
        return next(filter(None, (_same_shape(o, t) for o, t in zip(original, translated))), None)
    return "not-a-text-to-translate", {}


def check_translations(data: dict, report: Report) -> None:
    """Report every translation problem: unknown keys, changed shapes or variables, missing texts."""
    own = data.get("language")
    langs = translations(data) - {own}
    for path, kind, table in _tables(data):
        allowed = TRANSLATABLE[kind]
        for lang in langs:
            translated = table.get(lang)
            if translated is not None and not isinstance(translated, dict):
                report(path + (lang,), "translation-table", language=lang, table=".".join(kind + (lang,)))
                continue
            translated = translated or {}
            for key, value in translated.items():
                if key not in allowed:
                    report(path + (lang, key), "not-translatable-here", allowed=", ".join(allowed))
                elif key == "answer" and isinstance(table.get(key), (str, list)):
                    # Accepted answers are a set of their own in each language: any number of them.
                    given = value if isinstance(value, list) else [value]
                    if not given or not all(isinstance(a, str) and a.strip() for a in given):
                        report(path + (lang, key), "translated-answers")
                elif key in table:
                    problem = _same_shape(table[key], value)
                    if problem:
                        report(path + (lang, key), problem[0], **problem[1])
            for key in allowed:
                # A choice question's answer is a number: nothing to translate.
                if key in table and key not in translated and isinstance(table[key], (str, list)):
                    report(path + (key,), "no-translation", language=lang, table=".".join(kind + (lang,)))


def localise(data: dict, lang: str) -> dict:
    """The lesson data with the ``lang`` texts in place of the originals, and no language tables.

    A text with no translation keeps the original. ``language`` becomes ``lang`` when the lesson
    holds that language.
    """
    result = _localise_table(data, lang)
    if lang in translations(data):
        result["language"] = lang
    steps = result.get("step")
    if isinstance(steps, list):
        result["step"] = [_localise_step(step, lang) for step in steps]
    return result


def _localise_table(table: dict, lang: str) -> dict:
    out = {k: v for k, v in table.items() if k not in LANGUAGES}
    translated = table.get(lang)
    if isinstance(translated, dict):
        out.update(translated)
    return out


def _localise_step(step: Any, lang: str) -> Any:
    if not isinstance(step, dict):
        return step
    out = _localise_table(step, lang)
    if isinstance(out.get("question"), dict):
        out["question"] = _localise_table(out["question"], lang)
    return out
