"""Secrets out before anything is shown: the recording's one redaction, and the TLS flags.

What counts as a secret is decided in :mod:`explorer.recording.secrets`, once; this module
applies it to what the reports show and save, and says whether a report holds any.
"""

from __future__ import annotations

from typing import Any, Iterable

from explorer.recording import PLACEHOLDER, Chunk, as_chunks, redact, secret_spans
from explorer.recording.walker import Analysis, analyse
from explorer.reports.annotate import annotate
from explorer.reports.model import Transcript

__all__ = ["with_tls", "prepare", "secrets_state"]


def secrets_state(transcript: Transcript) -> str:
    """"removed" (secrets replaced by the placeholder), "revealed" (a secret is there as sent)
    or "none" (nothing secret in the session)."""
    if transcript.redacted or any(PLACEHOLDER in e.data for e in transcript.exchanges):
        return "removed"
    chunks = [Chunk(e.time, e.direction, e.data) for e in transcript.exchanges]
    return "revealed" if secret_spans(chunks) else "none"


def with_tls(chunks: Iterable[Any], analysis: Analysis | None = None) -> list[Chunk]:
    """The chunks with the TLS flag set where TLS protected them (chunks recorded by the
    sandbox carry none: TLS starts with the 220 to STARTTLS), as the walker saw it
    (``analysis``: the walk of these chunks, when the caller has it)."""
    wire = as_chunks(chunks)
    flags = (analysis or analyse(wire)).tls
    return [c if c.tls == tls else c._replace(tls=tls) for c, tls in zip(wire, flags)]


def prepare(chunks: Iterable[Any], *, secrets: Iterable[bytes] = (), reveal_secrets: bool = False,
            lang: str = "en", meta: dict | None = None,
            analysis: Analysis | None = None) -> tuple[Transcript, list[Chunk]]:
    """Annotate chunks for showing or saving: secrets removed unless ``reveal_secrets``.

    ``analysis``: the walk of ``chunks`` when the caller made it (the class report walks each
    session with its student's login); it is used again unless redaction changed a byte.
    Returns the annotation and the chunks it was made from (TLS flags set, secrets removed).
    """
    wire = as_chunks(chunks)
    analysis = analysis or analyse(wire)
    wire = with_tls(wire, analysis)
    if not reveal_secrets:
        kept = redact(wire, secrets)
        if any(a is not b for a, b in zip(kept, wire)):
            analysis = None  # the placeholder is not what was walked: walk what is shown
        wire = kept
    info = dict(meta or {})
    info["secrets_revealed"] = bool(reveal_secrets)
    return annotate(wire, lang=lang, meta=info, placeholder=PLACEHOLDER, analysis=analysis), wire
