"""The linter's findings as the reports show them: each with its words in one language, placed
on the arrow (the exchange) of the chunk that carried it.

The findings are :mod:`explorer.lint`'s (``lint_session``); their texts are its table
(``explain(finding, lang).what``), made safe to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from explorer.core.render import visible_text
from explorer.reports.model import Transcript

__all__ = ["Finding", "from_lint", "place_findings", "lint_findings", "on_shown_arrows"]


@dataclass(frozen=True)
class Finding:
    key: str
    text: str
    chunk: int | None = None
    time: float | None = None
    severity: str = "warning"  # "error", "warning" or "note"


def from_lint(found: Iterable[Any], lang: str = "en") -> list[Finding]:
    """:class:`explorer.lint.Finding` objects as the reports show them, in ``lang``."""
    from explorer.lint import explain

    return [Finding(key=visible_text(f.key), text=visible_text(explain(f, lang).what),
                    chunk=f.chunk_index, time=f.time,
                    severity=visible_text(str(getattr(f.severity, "value", f.severity))))
            for f in found]


def place_findings(transcript: Transcript, findings: Iterable[Any] | None) -> dict[int | None, list[Finding]]:
    """Findings by the index of the exchange they belong to; None for those on no arrow."""
    placed: dict[int | None, list[Finding]] = {}
    for finding in findings or ():
        exchange = None
        if finding.chunk is not None:
            exchange = transcript.exchange_of_chunk(finding.chunk)
        if exchange is None and finding.time is not None:
            exchange = transcript.exchange_at(finding.time)
        placed.setdefault(exchange.index if exchange else None, []).append(finding)
    return placed


def lint_findings(chunks: Any, transcript: Transcript | None = None, lang: str = "en") -> list[Finding]:
    """The linter's findings on these chunks, in ``lang``. When ``transcript`` has secrets
    removed, findings on those arrows are left out: they would be about the placeholder."""
    from explorer.lint import lint_session

    found = from_lint(lint_session(list(chunks)), lang)
    return found if transcript is None else on_shown_arrows(found, transcript)


def on_shown_arrows(findings: Iterable[Finding], transcript: Transcript) -> list[Finding]:
    """The findings, less those on an arrow whose secret was removed (about the placeholder)."""
    return [f for f in findings
            if not (f.chunk is not None and (e := transcript.exchange_of_chunk(f.chunk)) and e.redacted)]
