"""Which language the explorer speaks: ``--lang``, then ``SMTP_EXPLORER_LANG``, then the locale.

The order is the one a learner expects from other programs: an explicit ``--lang`` (or ``/lang``
in the REPL) wins; then ``SMTP_EXPLORER_LANG``; then the POSIX locale variables ``LC_ALL``,
``LC_MESSAGES`` and ``LANG``, the first one that is set deciding (``zh_CN.UTF-8`` gives ``zh``);
on Windows, where these variables are seldom set, the user's locale from the ``locale`` module.

A language the explorer does not have, asked for by name (``--lang fr``, ``SMTP_EXPLORER_LANG=fr``),
gives one warning and English. A locale that is not Chinese (``fr_FR.UTF-8``, ``C``) simply gives
English: the learner did not ask this program for French.

Pure functions over the environment mapping they are given; only :func:`system_locale` asks the
operating system.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["LANGUAGES", "DEFAULT", "ENV", "LOCALE_ENV", "Choice", "normalise", "choose", "system_locale",
           "html_lang"]

#: The languages every learner-facing table carries.
LANGUAGES: tuple[str, ...] = ("en", "zh")
DEFAULT = "en"
#: The variable that names the explorer's language, whatever the locale says.
ENV = "SMTP_EXPLORER_LANG"
#: The POSIX locale variables, in the order that decides (LC_ALL overrides the others).
LOCALE_ENV: tuple[str, ...] = ("LC_ALL", "LC_MESSAGES", "LANG")


@dataclass(frozen=True)
class Choice:
    """The language chosen, and a one-line warning when what was asked for does not exist."""

    lang: str
    warning: str | None = None


def normalise(tag: str) -> str | None:
    """``"zh_CN.UTF-8"``, ``"zh-Hans"``, ``"ZH"`` -> ``"zh"``; ``"C"``/``"POSIX"`` -> ``"en"``; else None.

    Only the language part counts: the explorer has one Chinese (simplified) and one English.
    Windows names its locales in words (``"Chinese (Simplified)_China"``), so those count too.
    """
    cleaned = tag.strip().split(".")[0].split("@")[0]
    if cleaned in ("C", "POSIX"):
        return DEFAULT
    language = cleaned.replace("-", "_").split("_")[0].casefold()
    if language in LANGUAGES:
        return language
    if language.startswith("chinese"):
        return "zh"
    if language.startswith("english"):
        return "en"
    return None


def html_lang(lang: str) -> str:
    """The tag for HTML's ``lang`` attribute: ``zh`` is written in simplified characters, ``zh-CN``.

    Browsers choose the glyphs of a CJK font by it (a ``zh`` page may get Japanese forms).
    """
    return {"zh": "zh-CN"}.get(lang, lang)


def _warning(asked: str, where: str) -> str:
    from explorer.knowledge.tables import text

    return text("ui", "unknown-language", DEFAULT, asked=asked, where=where, known=", ".join(LANGUAGES))


def choose(explicit: str | None, environ: Mapping[str, str] | None = None,
           fallback_locale: str | None = None) -> Choice:
    """The language to use, from ``explicit`` (``--lang``), else the environment, else English.

    ``fallback_locale`` is the system's locale name, consulted only when no variable is set
    (pass :func:`system_locale`'s answer; tests pass their own).
    """
    env = os.environ if environ is None else environ
    for asked, where in ((explicit, "--lang"), (env.get(ENV), ENV)):
        if asked:
            lang = normalise(asked)
            return Choice(lang) if lang else Choice(DEFAULT, _warning(asked, where))
    for name in LOCALE_ENV:
        value = env.get(name)
        if value:  # the first variable that is set decides, as in POSIX
            return Choice(normalise(value) or DEFAULT)
    if fallback_locale:
        return Choice(normalise(fallback_locale) or DEFAULT)
    return Choice(DEFAULT)


def system_locale() -> str | None:
    """The user's locale name from the operating system (Windows' only source), or None."""
    import locale

    try:
        return locale.getlocale()[0]
    except (ValueError, TypeError):  # a malformed locale setting: no opinion
        return None
