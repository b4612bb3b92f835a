"""What a lesson is, once loaded: frozen data, no behaviour beyond small checks.

A lesson file is TOML (see ``lessons/README.md``); ``explorer.lessons.loader`` turns it into
these objects or a list of problems with ``file:line``.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Lesson", "Step", "Question", "ReplyRule", "Problem", "check_text", "PLACEHOLDER", "fill", "normalise_answer"]

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a lesson file."""

    path: Path
    line: int
    field: str
    message: str
    #: The message's entry in the table ``checks`` and its values, when it has one (a message
    #: from elsewhere, an exception's, is shown as it is in every language).
    key: str = field(default="", compare=False)
    values: tuple[tuple[str, object], ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, path: Path, line: int, field: str, key: str, /, **values: object) -> "Problem":
        """The problem whose message is entry ``key`` of the table ``checks``."""
        return cls(path, line, field, check_text(key, "en", **values), key, tuple(values.items()))

    def __str__(self) -> str:
        return self.render()

    def render(self, lang: str = "en") -> str:
        """``file:line: field: message``, the message in ``lang`` when the table has it;
        ``file: message`` for the file as a whole (line 0: missing, unreadable)."""
        message = check_text(self.key, lang, **dict(self.values)) if self.key else self.message
        if not self.line:
            return f"{self.path}: {message}"
        return f"{self.path}:{self.line}: {self.field}: {message}"


def read_toml(path: Path, missing: str, *, escape_hint: bool = False
              ) -> tuple[dict[str, Any] | None, str, list[Problem]]:
    """A lesson or rubric file: its TOML (None if it has none), its text and the one problem that
    stopped the reading (``missing``: the key that says no such file). ``escape_hint``: a
    backslash TOML does not know (\\x41, \\q) gets the problem that says what to write."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, "", [Problem.of(path, 0, "file", missing)]
    except (OSError, UnicodeDecodeError) as exc:
        return None, "", [Problem.of(path, 0, "file", "unreadable", error=str(exc))]
    try:
        return tomllib.loads(text), text, []
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found.group(1)) if found else 1
        if escape_hint and "Unescaped '\\'" in str(exc):
            return None, text, [Problem.of(path, line, "toml", "bad-toml-escape", error=str(exc))]
        return None, text, [Problem.of(path, line, "toml", "bad-toml", error=str(exc))]


def check_text(key: str, lang: str = "en", /, **values: object) -> str:
    """Entry ``key`` of the table ``checks`` (what ``lesson check`` and ``rubric check`` say).
    A value that is an exception (a keyed one, a Base64 or escape error of the core...) is said
    in ``lang`` too."""
    from explorer.knowledge.keyed import error_text
    from explorer.knowledge.tables import fill, load, pick

    said = {name: error_text(value, lang) if isinstance(value, BaseException) else value
            for name, value in values.items()}
    return fill(pick(load("checks")[key], lang)["text"], **said)


@dataclass(frozen=True)
class ReplyRule:
    """The replies a step accepts: classes (2 for 2xx) and exact codes; ``none``: no reply at all."""

    classes: frozenset[int] = frozenset()
    codes: frozenset[int] = frozenset()
    none: bool = False

    def accepts(self, code: int | None) -> bool:
        if code is None:
            return self.none
        return code in self.codes or code // 100 in self.classes

    def __str__(self) -> str:
        if self.none:
            return "no reply"
        parts = [f"{c}xx" for c in sorted(self.classes)] + [str(c) for c in sorted(self.codes)]
        return " or ".join(parts)


@dataclass(frozen=True)
class Question:
    kind: str  # "choice" or "text"
    prompt: str
    choices: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()  # for "choice": the right choice numbers as text ("2")
    right: str = ""
    wrong: str = ""

    def check(self, answer: str) -> bool | None:
        """True if ``answer`` is right, False if wrong; None for a choice question when the answer
        is neither a choice's number nor its text (the learner is then asked for the number).
        Case, spaces, the punctuation around words and full-width forms do not matter."""
        given = normalise_answer(answer)
        if self.kind == "choice":
            numbers = [str(n) for n in range(1, len(self.choices) + 1)]
            texts = [normalise_answer(c) for c in self.choices]
            if given not in numbers and given not in texts:
                return None
        return any(given == normalise_answer(a) for a in self.answers)


_CJK = "[\u2e80-\u9fff\uf900-\ufaff\uac00-\ud7af]"
_CJK_SPACE = re.compile(f"(?<={_CJK}) | (?={_CJK})")


def normalise_answer(text: str) -> str:
    """An answer as compared: NFKC (full-width digits and commas from a Chinese input method
    become ASCII), case folded, punctuation read as a space (so "2.", "(2)" and "the server, with"
    compare as "2" and "the server with", in Chinese text too). An answer that is only punctuation
    (``.``) is kept as typed, spaces aside. Spaces beside Chinese characters do not count."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    spaced = " ".join("".join(" " if unicodedata.category(c).startswith("P") else c for c in folded).split())
    # Chinese is written without spaces between words, and a space before "220" is optional.
    return _CJK_SPACE.sub("", spaced) or " ".join(folded.split())


@dataclass(frozen=True)
class Step:
    """One step: what to send (``kind`` and ``send``), how to judge it, what to say."""

    index: int
    narration: str
    kind: str  # "connect", "command", "auth", "message", "raw"
    send: str  # a template: the command, the AUTH answer in clear, the message, the raw bytes
    reply: ReplyRule
    secret: bool = False  # an AUTH answer that is a password: typed masked
    verb: str | None = None  # rule: any command with this verb
    argument: str | None = None  # rule: a regular expression the command's argument must match
    pattern: str | None = None  # rule: a regular expression the command line must match
    state: str | None = None  # rule: any command that leads to this state
    exact: bool = True  # rule: the command must be the template itself (when no other rule)
    hints: tuple[str, ...] = ()
    question: Question | None = None
    scenarios: tuple[str, ...] | None = None  # switch the sandbox's scenarios before the step
    session: str | None = None  # "reconnect" or "close" before the step


@dataclass(frozen=True)
class Lesson:
    path: Path
    name: str
    title: str
    summary: str
    level: str
    language: str
    server: str  # "sandbox" or "any"
    scenarios: tuple[str, ...]
    variables: dict[str, str]
    steps: tuple[Step, ...]
    problems: tuple[Problem, ...] = field(default=(), compare=False)
    profile: str = "teaching"  # the sandbox behaves like this server (explorer.sandbox.profile)


def fill(template: str, variables: dict[str, str]) -> str:
    """Fill ``{name}`` placeholders; KeyError for an undefined one. ``{{`` stays a brace."""
    return PLACEHOLDER.sub(lambda m: variables[m.group(1)], template).replace("{{", "{").replace("}}", "}")
