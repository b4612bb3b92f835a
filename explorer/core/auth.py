"""Base64 and SMTP AUTH (RFC 4954, RFC 4616 PLAIN, RFC 2195 CRAM-MD5), step by step.

Base64 is an encoding, not encryption: anyone who sees the line can decode it. Everything here is
pure computation, so the REPL, the lessons and the CLI show the same parts in the same way.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass

__all__ = [
    "Base64Error", "b64encode_text", "b64decode", "b64decode_text", "decode_challenge",
    "Challenge", "PlainParts", "plain_response", "split_plain", "cram_md5_response",
    "login_responses",
]

_ALPHABET = re.compile(r"[A-Za-z0-9+/]*={0,2}")


class Base64Error(ValueError):
    """Text that is not valid Base64 (or not the AUTH answer it should be). The core holds no
    sentence: ``key`` names why (an entry of ``knowledge/base64_errors``, which the front ends
    say in the learner's language) and ``values`` fill it in; ``str()`` is the key."""

    table = "base64_errors"

    def __init__(self, key: str, **values: object) -> None:
        self.key, self.values = key, values
        super().__init__(key)


def b64encode_text(text: str | bytes) -> str:
    """Base64 of the UTF-8 bytes of ``text`` (no line breaks, as SMTP AUTH wants)."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return base64.b64encode(raw).decode("ascii")


def b64decode(text: str) -> bytes:
    """Decode strict Base64; raises :class:`Base64Error` saying what is wrong.

    Surrounding white space is ignored; anything else outside the alphabet, misplaced ``=`` or a
    length that is not a multiple of four is an error (servers reject these too, with 501).
    """
    cleaned = text.strip()
    if not _ALPHABET.fullmatch(cleaned):
        bad = next((ch for ch in cleaned if not (ch.isalnum() and ch.isascii()) and ch not in "+/="), None)
        if bad:
            raise Base64Error("bad-character", character=repr(bad))
        raise Base64Error("bad-padding")
    if len(cleaned) % 4:
        raise Base64Error("bad-length", length=len(cleaned))
    try:
        return base64.b64decode(cleaned, validate=True)
    except binascii.Error as exc:  # pragma: no cover - the checks above catch what it does
        raise Base64Error("not-base64", reason=str(exc)) from None


def b64decode_text(text: str) -> str:
    """Decode Base64 to text: UTF-8 where possible, other bytes shown as ``\\xNN`` escapes."""
    return b64decode(text).decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class Challenge:
    """A 334 challenge: the Base64 as sent, its bytes, and a readable form."""

    encoded: str
    raw: bytes
    text: str
    prompt: str | None  # "username" or "password" when recognisably one of them


def _prompt_kind(text: str) -> str | None:
    # Servers vary: "Username:", "User Name\0", "username:", "Password:", "Password\0".
    word = re.sub(r"[^a-z]", "", text.lower())
    if word in ("username", "user", "login"):
        return "username"
    if word in ("password", "pass"):
        return "password"
    return None


def decode_challenge(encoded: str) -> Challenge:
    """Decode the text of a 334 reply (AUTH LOGIN prompts, a CRAM-MD5 challenge)."""
    raw = b64decode(encoded)
    text = raw.decode("utf-8", "backslashreplace")
    return Challenge(encoded.strip(), raw, text, _prompt_kind(text))


@dataclass(frozen=True)
class PlainParts:
    """AUTH PLAIN's message: ``authzid NUL authcid NUL passwd`` and its Base64."""

    authzid: str
    authcid: str
    password: str
    raw: bytes
    encoded: str


def plain_response(username: str, password: str, authzid: str = "") -> PlainParts:
    """Build AUTH PLAIN's initial response (an empty authzid means: act as ``username``)."""
    raw = b"\0".join(part.encode("utf-8") for part in (authzid, username, password))
    return PlainParts(authzid, username, password, raw, base64.b64encode(raw).decode("ascii"))


def split_plain(encoded: str) -> PlainParts:
    """Decode an AUTH PLAIN response into its three parts; Base64Error if it has not three."""
    raw = b64decode(encoded)
    parts = raw.split(b"\0")
    if len(parts) != 3:
        raise Base64Error("plain-parts", found=len(parts))
    authzid, authcid, password = (p.decode("utf-8", "backslashreplace") for p in parts)
    return PlainParts(authzid, authcid, password, raw, encoded.strip())


def cram_md5_response(encoded_challenge: str, username: str, secret: str) -> tuple[str, str]:
    """RFC 2195: ``user SP hex(HMAC-MD5(secret, challenge))``; returns (text, its Base64)."""
    challenge = b64decode(encoded_challenge)
    digest = hmac.new(secret.encode("utf-8"), challenge, hashlib.md5).hexdigest()
    text = f"{username} {digest}"
    return text, b64encode_text(text)


def login_responses(username: str, password: str) -> tuple[str, str]:
    """AUTH LOGIN's two answers: Base64 of the username, then of the password."""
    return b64encode_text(username), b64encode_text(password)
