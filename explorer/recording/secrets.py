"""What is secret in a recording, decided once, and the one redaction with the one placeholder.

A secret is (issue 12's definition):

* every line the client sends inside an AUTH exchange, whatever the server answered: the lines
  its mechanism calls for (two for LOGIN, one for PLAIN, CRAM-MD5, XOAUTH2...), sent before or
  after the 334, even after AUTH was refused, and any line sent while the server waits after a
  334; a ``*`` (cancel), an empty line and a line that is an SMTP command are not;
* the initial response of ``AUTH MECH <blob>``, and the whole argument of ``AUTH <blob>`` (a
  mechanism forgotten: the Base64 took its place);
* a client line that is, or decodes from Base64 to something holding, a known secret (the
  engine's and the sandbox's list of credentials);
* wherever else these appear, in either direction and in any letter case: a server that echoes
  the upper-cased Base64 gives most of the password back.

Message content (after DATA, up to CRLF.CRLF) is never read as AUTH lines. The spans are
offsets into each direction's byte stream (everything that direction sent, in order), so a
secret split over two chunks is found and removed whole.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any, Iterable

from explorer.recording.chunk import CLIENT, SERVER, Chunk, as_chunks

__all__ = ["PLACEHOLDER", "Span", "secret_spans", "secret_values", "redact", "apply_spans", "merged",
           "redact_slice"]

#: The one placeholder: what a removed secret looks like in every output.
PLACEHOLDER = b"<secret removed>"

Span = tuple[str, int, int]  # (direction, start, end) in that direction's byte stream

# Response lines each mechanism calls for when AUTH carries no initial response (RFC 4954,
# 4616, 2195; draft-murchison-sasl-login; Google's XOAUTH2). Unknown mechanisms: the 334s say.
_LINES = {"LOGIN": 2, "PLAIN": 1, "CRAM-MD5": 1, "XOAUTH2": 1, "OAUTHBEARER": 1,
          "DIGEST-MD5": 2, "NTLM": 2, "GSSAPI": 2, "SCRAM-SHA-1": 2, "SCRAM-SHA-256": 2,
          "ANONYMOUS": 1, "EXTERNAL": 1}
_VERBS = frozenset({b"EHLO", b"HELO", b"MAIL", b"RCPT", b"DATA", b"QUIT", b"RSET", b"NOOP", b"VRFY",
                    b"EXPN", b"HELP", b"STARTTLS", b"AUTH", b"BDAT", b"ETRN", b"TURN"})
# A SASL mechanism name (RFC 4422: letters, digits, - and _, at most 20).
_MECH_NAME = re.compile(rb"[A-Za-z0-9_-]{1,20}")
_SHORTEST = 4  # shorter values are too common to search for elsewhere ("=" and "*" are not secrets)


def _body(line: bytes) -> bytes:
    return line.rstrip(b"\r\n")


def _is_command(body: bytes) -> bool:
    words = body.split()
    return bool(words) and words[0].upper() in _VERBS


def _credential_shaped(word: bytes) -> bool:
    """After AUTH, in place of the mechanism: a word no mechanism name can be (``=``, ``+``,
    ``/``, more than 20 characters), or Base64 of at least 8 characters (a client may have
    upper-cased it: the letters still give most of the secret away)."""
    if not _MECH_NAME.fullmatch(word):
        return True
    return len(word) >= 8 and len(word) % 4 == 0 and _decoded(word) is not None


def _decoded(body: bytes) -> bytes | None:
    try:
        return base64.b64decode(body.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


class _Tracker:
    """Reads the client's lines as the client meant them, and the server's replies for 334."""

    def __init__(self, known: list[bytes]) -> None:
        self.known = [k.lower() for k in known if len(k) >= _SHORTEST]
        self.spans: list[Span] = []
        self.client = bytearray()
        self.line_start = 0
        self.server_line = bytearray()
        self.expected = 0  # AUTH response lines the mechanism still calls for
        self.in_auth = False  # the server's last reply was 334
        self.content = False  # after DATA, up to CRLF.CRLF
        self.scanned = 0  # how far the content has been searched for its end

    def server(self, data: bytes) -> None:
        self.server_line += data
        *lines, rest = bytes(self.server_line).split(b"\n")
        self.server_line = bytearray(rest)
        for line in lines:
            if len(line) >= 3 and line[3:4] != b"-" and line[:3].isdigit():
                code = int(line[:3])
                self.in_auth = code == 334
                if code in (221, 421):  # the connection ends: a new one starts afresh
                    self.expected, self.content = 0, False

    def client_data(self, data: bytes) -> None:
        self.client += data
        while True:
            if self.content:
                end = self._content_end()
                if end < 0:
                    return
                self.content, self.line_start = False, end
                continue
            at = self.client.find(b"\n", self.line_start)
            if at < 0:
                return
            self._line(self.line_start, bytes(self.client[self.line_start:at + 1]))
            self.line_start = at + 1

    def _content_end(self) -> int:
        if self.client.startswith(b".\r\n", self.line_start):
            return self.line_start + 3
        # Search only what came since the last look (a 10 MB message arrives in many chunks).
        found = self.client.find(b"\r\n.\r\n", max(self.line_start, self.scanned - 4))
        self.scanned = len(self.client)
        return -1 if found < 0 else found + 5

    def finish(self) -> None:
        if not self.content and self.line_start < len(self.client):
            self._line(self.line_start, bytes(self.client[self.line_start:]))

    def _secret(self, start: int, value: bytes) -> None:
        lead = len(value) - len(value.lstrip())
        value = value.strip()
        if value:
            self.spans.append((CLIENT, start + lead, start + lead + len(value)))

    def _line(self, start: int, line: bytes) -> None:
        body = _body(line)
        stripped = body.strip()
        if self.expected or self.in_auth:
            if stripped == b"*" or (not stripped and not self.in_auth):
                self.expected = 0
                return
            if stripped and not _is_command(stripped):
                self.expected = max(0, self.expected - 1)
                self.in_auth = False  # answered; the next 334 says if more is wanted
                self._secret(start, body)
                return
            self.expected = 0
        if not _is_command(stripped) and self._known(stripped):
            self._secret(start, body)  # a credential sent on its own (known ones elsewhere: found by value)
            return
        words = body.split(None, 2)
        verb = words[0].upper() if words else b""
        if verb == b"DATA" and len(words) == 1:
            self.content, self.scanned = True, 0
        elif verb == b"AUTH" and len(words) >= 2:
            self._auth(start, body, words)

    def _auth(self, start: int, body: bytes, words: list[bytes]) -> None:
        mechanism = words[1].upper()
        argument_at = body.index(words[1], 4)
        if mechanism.decode("ascii", "replace") not in _LINES and _credential_shaped(words[1]):
            self._secret(start + argument_at, body[argument_at:])  # AUTH <blob>
            self.expected = 2
            return
        lines = _LINES.get(mechanism.decode("ascii", "replace"), 0)
        if len(words) == 3 and words[2].strip() != b"=":
            initial_at = body.index(words[2], argument_at + len(words[1]))
            self._secret(start + initial_at, body[initial_at:])
            lines -= 1
        elif len(words) == 3:
            lines -= 1
        self.expected = max(0, lines)

    def _known(self, body: bytes) -> bool:
        if not self.known or not body:
            return False
        lowered = body.lower()
        decoded = (_decoded(body) or b"").lower()
        return any(k in lowered or k in decoded for k in self.known)


def secret_values(chunks: Iterable[Any], spans: Iterable[Span], known: Iterable[bytes] = ()) -> list[bytes]:
    """The secrets themselves, to search for elsewhere: the bytes of each client span and the
    known ones, long enough to search. (Not what the spans decode to: the user name inside
    would take the MAIL FROM address with it.)"""
    chunks = as_chunks(chunks)
    client = b"".join(c.data for c in chunks if c.direction == CLIENT)
    values = {v for v in known if v}
    for direction, start, end in spans:
        if direction != CLIENT:
            continue
        values.add(client[start:end])
    return sorted((v for v in values if len(v) >= _SHORTEST), key=len, reverse=True)


def _occurrences(stream: bytes, direction: str, values: list[bytes]) -> list[Span]:
    lowered = stream.lower()  # ASCII case only, so offsets stay: an echo in any letter case
    found: list[Span] = []
    for value in values:
        needle = value.lower()
        at = lowered.find(needle)
        while at >= 0:
            found.append((direction, at, at + len(needle)))
            at = lowered.find(needle, at + 1)
    return found


def secret_spans(chunks: Iterable[Any], known: Iterable[bytes] = ()) -> list[Span]:
    """Every secret of a recording (see the module's docstring) as (direction, start, end)
    spans of the byte streams; ``known``: credentials the front end knows were sent."""
    chunks = as_chunks(chunks)
    known = [k for k in known if k]
    tracker = _Tracker(known)
    for chunk in chunks:
        if chunk.direction == SERVER:
            tracker.server(chunk.data)
        else:
            tracker.client_data(chunk.data)
    tracker.finish()
    values = secret_values(chunks, tracker.spans, known)
    spans = list(tracker.spans)
    for direction in (CLIENT, SERVER):
        stream = b"".join(c.data for c in chunks if c.direction == direction)
        spans += _occurrences(stream, direction, values)
    return spans


def merged(spans: Iterable[Span], direction: str) -> list[tuple[int, int]]:
    """The (start, end) spans of ``direction``'s byte stream, in order, overlapping ones joined."""
    runs: list[list[int]] = []
    for start, end in sorted((a, b) for d, a, b in spans if d == direction and b > a):
        if runs and start <= runs[-1][1]:
            runs[-1][1] = max(runs[-1][1], end)
        else:
            runs.append([start, end])
    return [(start, end) for start, end in runs]


def apply_spans(chunks: Iterable[Any], spans: Iterable[Span]) -> list[Chunk]:
    """Replace each span of the byte streams by :data:`PLACEHOLDER`.

    The placeholder goes in the chunk where the span starts; the span's bytes are dropped from
    any later chunk it spills into; overlapping spans merge. Chunk count, order and times stay.
    """
    chunks = as_chunks(chunks)
    spans = list(spans)
    runs = {direction: merged(spans, direction) for direction in (CLIENT, SERVER)}
    out: list[Chunk] = []
    offsets = {CLIENT: 0, SERVER: 0}
    for chunk in chunks:
        begin = offsets[chunk.direction]
        finish = begin + len(chunk.data)
        offsets[chunk.direction] = finish
        data, pos = bytearray(), begin
        for start, end in runs[chunk.direction]:
            if end <= pos or start >= finish:
                continue
            if start >= pos:
                data += chunk.data[pos - begin:start - begin] + PLACEHOLDER
            pos = min(end, finish)
        data += chunk.data[pos - begin:]
        changed = bytes(data) != chunk.data
        out.append(chunk._replace(data=bytes(data), redacted=True) if changed else chunk)
    return out


def redact(chunks: Iterable[Any], known: Iterable[bytes] = ()) -> list[Chunk]:
    """The one redaction: the chunks with every secret (:func:`secret_spans`) replaced by
    :data:`PLACEHOLDER`, in both directions."""
    chunks = as_chunks(chunks)
    return apply_spans(chunks, secret_spans(chunks, known))


def redact_slice(data: bytes, direction: str, start: int, spans: Iterable[Span]) -> bytes:
    """``data``, which sat at ``start`` in ``direction``'s byte stream, with the parts of
    ``spans`` that fall in it replaced by :data:`PLACEHOLDER` (for a front end that shows a
    recording line by line)."""
    end = start + len(data)
    inside = [(d, max(a, start) - start, min(b, end) - start) for d, a, b in spans
              if d == direction and a < end and b > start]
    return apply_spans([Chunk(0.0, direction, data)], inside)[0].data if inside else data
