"""The linter's findings in the reports: placed on the arrow (the exchange) of the chunk that
carried them, and worded from the linter's own table.

There is one Finding type, :class:`explorer.lint.Finding`; this module only places findings on
a :class:`~explorer.reports.model.Transcript` and words them safely (:func:`finding_text`).
"""

from __future__ import annotations

from typing import Iterable

from explorer.core.render import visible_text
from explorer.lint import Finding, explain
from explorer.reports.model import Transcript

__all__ = ["finding_text", "place_findings", "lint_findings"]


def finding_text(finding: Finding, lang: str) -> str:
    """What is wrong, in ``lang``, safe to show (the table's ``what``)."""
    return visible_text(explain(finding, lang).what)


def place_findings(transcript: Transcript,
                   findings: Iterable[Finding] | None) -> dict[int | None, list[Finding]]:
    """Findings by the index of the exchange they belong to; None for those on no arrow."""
    placed: dict[int | None, list[Finding]] = {}
    for finding in findings or ():
        exchange = None
        if finding.chunk_index is not None:
            exchange = transcript.exchange_of_chunk(finding.chunk_index)
        if exchange is None and finding.time is not None:
            exchange = transcript.exchange_at(finding.time)
        placed.setdefault(exchange.index if exchange else None, []).append(finding)
    return placed


def lint_findings(transcript: Transcript) -> list[Finding]:
    """The linter's findings on the walk that made ``transcript``, less those on arrows whose
    secret was removed: they would be about the placeholder."""
    return [f for f in transcript.findings
            if not (f.chunk_index is not None
                    and (e := transcript.exchange_of_chunk(f.chunk_index)) and e.redacted)]
