"""Secrets out before anything is shown: every AUTH response becomes a marked placeholder.

What counts as a secret is decided by the protocol, not guessed from the bytes: each line the
client sends inside an AUTH exchange (after a 334), and the initial response of ``AUTH PLAIN
<blob>`` or ``AUTH LOGIN <blob>``. The user name of AUTH LOGIN goes too: it is an AUTH response,
and a hand-in does not need it. A ``*`` (cancel) stays. Secrets the front end knows about (the
engine's and the sandbox's lists) are removed wherever else they occur, in either direction.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from explorer.recording.sessionfile import PLACEHOLDER, WireChunk, as_wire_chunks, find_spans, redact_spans
from explorer.reports.annotate import annotate
from explorer.reports.model import CLIENT, Transcript

__all__ = ["auth_spans", "with_tls", "redact_session", "prepare", "secrets_state"]

# AUTH, the mechanism, then the initial response (RFC 4954: "=" stands for an empty one).
_AUTH_INITIAL = re.compile(rb"[ ]*[A-Za-z]+[ ]+[^ ]+[ ]+")


def _line_body(data: bytes) -> bytes:
    if data.endswith(b"\r\n"):
        return data[:-2]
    return data[:-1] if data.endswith(b"\n") else data


def auth_spans(transcript: Transcript) -> list[tuple[str, int, int]]:
    """The (direction, start, end) spans of every AUTH response in the client's byte stream."""
    spans = []
    for e in transcript.exchanges:
        if e.direction != CLIENT:
            continue
        body = _line_body(e.data)
        in_exchange = e.kind == "auth-line" or (e.kind == "bytes" and e.state_before == "auth-exchange")
        if in_exchange and body.strip() not in (b"", b"*"):
            spans.append((CLIENT, e.offset, e.offset + len(body)))
        elif e.kind == "command" and e.name == "AUTH":
            match = _AUTH_INITIAL.match(body)
            initial = body[match.end():].rstrip(b" ") if match else b""
            if initial and initial != b"=":
                start = e.offset + match.end()
                spans.append((CLIENT, start, start + len(initial)))
    return spans


def secrets_state(transcript: Transcript) -> str:
    """"removed" (AUTH responses replaced by the placeholder), "revealed" (an AUTH response is
    there as sent) or "none" (no AUTH response in the session)."""
    if transcript.redacted:
        return "removed"
    return "revealed" if auth_spans(transcript) else "none"


def with_tls(chunks: Iterable[Any], lang: str = "en") -> tuple[list[WireChunk], Transcript]:
    """The chunks as :class:`WireChunk` with the TLS flag set where TLS protected them (chunks
    recorded by the sandbox carry none: TLS starts with the 220 to STARTTLS), and their annotation."""
    wire = as_wire_chunks(chunks)
    transcript = annotate(wire, lang=lang, placeholder=PLACEHOLDER)
    flagged = [c if c.tls == tls else WireChunk(c.time, c.direction, c.data, tls, c.redacted)
               for c, tls in zip(wire, transcript.chunk_tls)]
    return flagged, transcript


def redact_session(chunks: Iterable[Any], secrets: Iterable[bytes] = (), lang: str = "en"
                   ) -> list[WireChunk]:
    """The chunks with every AUTH response and every known secret replaced by the placeholder."""
    wire, transcript = with_tls(chunks, lang)
    spans = auth_spans(transcript) + find_spans(wire, list(secrets))
    return redact_spans(wire, spans)


def prepare(chunks: Iterable[Any], *, secrets: Iterable[bytes] = (), reveal_secrets: bool = False,
            lang: str = "en", meta: dict | None = None) -> tuple[Transcript, list[WireChunk]]:
    """Annotate chunks for showing or saving: secrets removed unless ``reveal_secrets``.

    Returns the annotation and the chunks it was made from (TLS flags set, secrets removed).
    """
    if reveal_secrets:
        wire, _ = with_tls(chunks, lang)
    else:
        wire = redact_session(chunks, secrets, lang)
    info = dict(meta or {})
    info["secrets_revealed"] = bool(reveal_secrets)
    return annotate(wire, lang=lang, meta=info, placeholder=PLACEHOLDER), wire
