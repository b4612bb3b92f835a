"""Findings (a linter's remarks on a session) placed on the arrows where they occur.

A finding needs a ``key``, a one-line ``text`` and where it is: a ``chunk`` index (the
position of a chunk in the session) or a ``time`` (seconds since the epoch). Objects with
those attributes and plain dicts are both accepted (``message`` is read as ``text``,
``chunk_index`` or ``index`` as ``chunk``), so any linter can feed the renderers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from explorer.core.render import visible_text
from explorer.reports.model import Transcript

__all__ = ["Finding", "coerce_findings", "place_findings", "lint_findings"]


@dataclass(frozen=True)
class Finding:
    key: str
    text: str
    chunk: int | None = None
    time: float | None = None
    severity: str = "warning"  # "error", "warning" or "note"


def _get(item: Any, *names: str) -> Any:
    for name in names:
        value = item.get(name) if isinstance(item, dict) else getattr(item, name, None)
        if value is not None:
            return value
    return None


def coerce_findings(items: Iterable[Any] | None, describe: Any = None) -> list[Finding]:
    """Findings of any shape as :class:`Finding`; texts made safe to show.

    ``describe(item)`` gives the one-line text of an item that carries none itself (the
    linter keeps its texts in a table: ``explorer.lint.findings.explain(f).what``).
    """
    out = []
    for item in items or ():
        if isinstance(item, Finding):
            out.append(item)
            continue
        chunk = _get(item, "chunk", "chunk_index", "index")
        when = _get(item, "time", "t")
        severity = _get(item, "severity", "level")
        words = _get(item, "text", "message", "summary")
        if words is None and describe is not None:
            try:
                words = describe(item)
            except (KeyError, ValueError):
                words = None
        out.append(Finding(
            key=visible_text(str(_get(item, "key", "code", "rule") or "finding")),
            text=visible_text(str(words or "")),
            chunk=int(chunk) if isinstance(chunk, (int, float)) and not isinstance(chunk, bool) else None,
            time=float(when) if isinstance(when, (int, float)) and not isinstance(when, bool) else None,
            severity=visible_text(str(getattr(severity, "value", severity) or "warning"))))
    return out


def place_findings(transcript: Transcript, findings: Iterable[Any] | None) -> dict[int | None, list[Finding]]:
    """Findings by the index of the exchange they belong to; None for those on no arrow."""
    placed: dict[int | None, list[Finding]] = {}
    for finding in coerce_findings(findings):
        exchange = None
        if finding.chunk is not None:
            exchange = transcript.exchange_of_chunk(finding.chunk)
        if exchange is None and finding.time is not None:
            exchange = transcript.exchange_at(finding.time)
        placed.setdefault(exchange.index if exchange else None, []).append(finding)
    return placed


def lint_findings(chunks: Any, transcript: Transcript | None = None,
                  lang: str = "en") -> list[Finding] | None:
    """The findings of ``explorer.lint`` on these chunks, or None when there is no linter.

    The linter is written separately: this uses the first of ``lint_chunks``, ``lint_session``,
    ``lint_transcript`` or ``lint`` that ``explorer.lint`` offers, called with the chunks, and its
    ``explain(finding, lang).what`` for the text. When ``transcript`` has AUTH responses removed,
    findings on those arrows are left out: they would be about the placeholder, not the secret.
    """
    try:
        import explorer.lint as lint  # type: ignore[import-not-found]
    except ImportError:
        return None
    function = next((getattr(lint, name) for name in ("lint_chunks", "lint_session", "lint_transcript", "lint")
                     if callable(getattr(lint, name, None))), None)
    if function is None:
        return None
    explain = getattr(lint, "explain", None)
    if explain is None:
        try:
            from explorer.lint.findings import explain  # type: ignore[import-not-found,no-redef]
        except ImportError:
            explain = None
    describe = (lambda item: explain(item, lang).what) if callable(explain) else None
    found = coerce_findings(function(list(chunks)), describe)
    if transcript is not None:
        found = [f for f in found
                 if not (f.chunk is not None and (e := transcript.exchange_of_chunk(f.chunk)) and e.redacted)]
    return found
