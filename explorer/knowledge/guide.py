"""Look-ups of the teaching texts that go with the state machine: stages, warnings and notes.

``stages.toml`` says what each state of ``explorer.core.states.State`` is for, ``warnings.toml``
explains each reason key the core gives for an out-of-order or malformed command, and
``notes.toml`` holds the other short texts the front ends show (Base64, AUTH, DATA mode...).
"""

from __future__ import annotations

from dataclasses import dataclass

from explorer.knowledge.tables import DEFAULT_LANG, load, pick, text

__all__ = ["Stage", "Advice", "stage", "advice", "note"]


@dataclass(frozen=True)
class Stage:
    key: str
    title: str
    purpose: str


@dataclass(frozen=True)
class Advice:
    key: str
    text: str
    fix: str


def stage(key: str, lang: str = DEFAULT_LANG) -> Stage:
    """What a stage is for; ``key`` is a ``State`` value such as ``"greeted"``."""
    texts = pick(load("stages")[key], lang)
    return Stage(key, texts["title"], texts["purpose"])


def advice(key: str, lang: str = DEFAULT_LANG) -> Advice:
    """The explanation of a warning key from the core (KeyError for a key not in the table)."""
    texts = pick(load("warnings")[key], lang)
    return Advice(key, texts["text"], texts["fix"])


def note(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """A short teaching note, with ``{placeholders}`` filled from ``values``."""
    return text("notes", key, lang, **values)
