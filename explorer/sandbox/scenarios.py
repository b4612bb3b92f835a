"""Teaching scenarios: named failures a real provider gives, switched on on purpose.

``SCENARIOS`` is the data table (name -> one-line description). A scenario is spelled by its
name; two take a parameter: ``size-limit=N`` (octets, required; ``size-limit:N`` and
``size-limit N`` are accepted too) and ``slow=SECONDS`` (optional, default 1). The canonical
spelling, returned by :func:`validate_scenario` and shown by ``Sandbox.scenarios``, always
carries the parameter of those two (``size-limit=1024``, ``slow=0.5``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterable

from explorer.knowledge.keyed import KeyedError, error_text
from explorer.sandbox.texts import DEFAULT_LANGUAGE, SCENARIO_DESCRIPTIONS

__all__ = ["SCENARIOS", "ActiveScenarios", "ScenarioError", "error_text", "validate_scenario", "parse_scenarios"]

SCENARIOS: dict[str, str] = SCENARIO_DESCRIPTIONS[DEFAULT_LANGUAGE]

DEFAULT_SLOW_SECONDS = 1.0
MAX_SLOW_SECONDS = 600.0

_SPLIT = re.compile(r"\s*[=:\s]\s*")


def _format_seconds(seconds: float) -> str:
    return f"{seconds:g}"


class ScenarioError(KeyedError, ValueError):
    """A scenario spelling that cannot be used: its message in English (``str``), and in any
    language through :meth:`text` (the table ``scenario_errors``)."""

    table = "scenario_errors"


def validate_scenario(name: str) -> str:
    """The canonical form of a scenario spelling, or :class:`ScenarioError` (a ``ValueError``)."""
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError("empty", known=", ".join(SCENARIOS))
    base, param = _split(name)
    if base not in SCENARIOS:
        raise ScenarioError("unknown", name=repr(name.strip()), known=", ".join(SCENARIOS))
    if base == "size-limit":
        if not param:
            raise ScenarioError("size-needs-number")
        if not re.fullmatch(r"[0-9]{1,15}", param) or int(param) < 1:
            raise ScenarioError("size-not-number", param=repr(param))
        return f"size-limit={int(param)}"
    if base == "slow":
        if not param:
            return f"slow={_format_seconds(DEFAULT_SLOW_SECONDS)}"
        try:
            seconds = float(param)
        except ValueError:
            raise ScenarioError("slow-not-number", param=repr(param)) from None
        if not math.isfinite(seconds) or not 0 <= seconds <= MAX_SLOW_SECONDS:
            raise ScenarioError("slow-range", param=repr(param), most=f"{MAX_SLOW_SECONDS:g}")
        return f"slow={_format_seconds(seconds)}"
    if param:
        raise ScenarioError("no-parameter", base=base, name=repr(name.strip()))
    return base


def _split(name: str) -> tuple[str, str]:
    parts = _SPLIT.split(name.strip().lower(), maxsplit=1)
    return parts[0], (parts[1] if len(parts) > 1 else "")


@dataclass(frozen=True)
class ActiveScenarios:
    """An immutable set of active scenarios, with the two parameters parsed.

    The sandbox swaps the whole object when the scenarios change, so a session reading it
    never sees a half-made change (attribute assignment is atomic).
    """

    names: frozenset[str] = frozenset()  # canonical spellings, with parameters
    size_limit: int | None = None
    slow: float | None = None

    def __post_init__(self) -> None:
        # Checked for every command of every session: computed once.
        object.__setattr__(self, "_bases", frozenset(n.split("=", 1)[0] for n in self.names))

    def __contains__(self, base: str) -> bool:
        return base in self._bases  # type: ignore[attr-defined]

    @property
    def bases(self) -> frozenset[str]:
        """Scenario names without parameters."""
        return self._bases  # type: ignore[attr-defined]


def parse_scenarios(names: Iterable[str]) -> ActiveScenarios:
    """Validate several spellings into one :class:`ActiveScenarios`; ``ValueError`` if bad."""
    if isinstance(names, str):
        names = [names]
    canonical: dict[str, str] = {}
    for name in names:
        value = validate_scenario(name)
        base = value.split("=", 1)[0]
        if base in canonical and canonical[base] != value:
            raise ScenarioError("twice", base=base, first=canonical[base], second=value)
        canonical[base] = value
    size = canonical.get("size-limit")
    slow = canonical.get("slow")
    return ActiveScenarios(
        names=frozenset(canonical.values()),
        size_limit=int(size.split("=", 1)[1]) if size else None,
        slow=float(slow.split("=", 1)[1]) if slow else None,
    )
