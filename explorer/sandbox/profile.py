"""Sandbox profiles: the sandbox behaving like a server the learner meets (163, QQ, Gmail...).

A profile is data: one TOML file per profile in ``profiles/`` beside this module. It gives the
replies the server sends (each with the source it was taken from, see docs/providers.md of the
project) and its policies: when AUTH is allowed, whether it is refused before STARTTLS (and
whether the connection is then closed), whether AUTH after HELO is accepted, whether MAIL needs
AUTH or TLS, whether the sender must match the login (checked at MAIL or after DATA), whether
only the authorization code logs in, relaying, unknown recipients, and implicit TLS.

A reply the profile does not give falls back to the teaching texts of ``texts.py`` (in the
sandbox's language). Reply templates use ``str.format`` fields: ``hostname``, ``client`` (the
HELO/EHLO argument), ``ip`` (the client's address), ``id`` (a per-session token, as real servers
put in their replies), ``date``, ``sender``, ``recipient``, ``user``, ``queue_id``, ``error``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from explorer.knowledge.keyed import KeyedError
from explorer.sandbox.texts import DEFAULT_LANGUAGE, fill, reply as teaching_reply

__all__ = ["DEFAULT_PROFILE", "PROFILE_NAMES", "Profile", "ProfileError", "load_profile", "profile_summaries"]

DEFAULT_PROFILE = "teaching"
#: Every profile shipped, in the order ``sandbox --help`` lists them.
PROFILE_NAMES = ("teaching", "163", "qq", "gmail", "outlook", "postfix", "exim")

_DIR = Path(__file__).with_name("profiles")
_AUTH_BEFORE_TLS = {"loopback", "allow", "refuse", "refuse-close"}
_SENDER_CHECK = {"", "mail", "data"}
_RELAY = {"open", "auth"}
_FIELD = re.compile(r"\{([a-z_]*)\}")
_FIELDS = {"hostname", "client", "ip", "id", "date", "sender", "recipient", "user", "queue_id",
           "error"}


class ProfileError(KeyedError, ValueError):
    """No shipped profile by that name (entry of the table ``sandbox_errors``)."""

    table = "sandbox_errors"


@dataclass(frozen=True)
class Profile:
    """One server's behaviour, read from ``profiles/<name>.toml`` (see the module docstring)."""

    name: str
    family: str
    summary: Mapping[str, str]
    hostname: str
    ehlo: tuple[str, ...]
    ehlo_tls: tuple[str, ...]
    auth_prompts: tuple[str, str]
    auth_before_tls: str = "loopback"
    auth_after_helo: bool = True
    require_auth: bool = False
    require_tls: bool = False
    sender_must_match: str = ""
    auth_code: bool = False
    relay: str = "open"
    unknown_recipient: bool = False
    enhanced_codes: bool = True
    implicit_tls: bool = False
    max_message_size: int | None = None
    max_unknown_commands: int = 0  # the client is dropped at this unknown command (0: never)
    replies: Mapping[str, str] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)

    def has(self, key: str) -> bool:
        """Whether the profile gives its own text for reply ``key``."""
        return key in self.replies

    def reply(self, key: str, language: str = DEFAULT_LANGUAGE, **fields: object) -> str:
        """Reply ``key`` as this server sends it (CRLF between the lines of a multi-line one),
        else the teaching text in ``language``; fields are filled in, made one-line."""
        template = self.replies.get(key)
        if template is None:
            return teaching_reply(key, language, **fields)
        return fill(template, **fields)

    def describe(self, language: str = DEFAULT_LANGUAGE) -> str:
        """The one-line summary for ``sandbox --help`` and ``/profile``."""
        return self.summary.get(language) or self.summary[DEFAULT_LANGUAGE]


def _text(value: Any, where: str) -> str:
    lines = [value] if isinstance(value, str) else value
    if not isinstance(lines, list) or not lines or not all(isinstance(x, str) for x in lines):
        raise ValueError(f"{where}: text must be a string or a list of lines")
    for line in lines:
        unknown = set(_FIELD.findall(line)) - _FIELDS
        if unknown or not line.isprintable():
            raise ValueError(f"{where}: bad field or character in {line!r}")
    return "\r\n".join(lines)


def _choice(data: dict[str, Any], key: str, allowed: set[str], default: str, where: str) -> str:
    value = data.get(key, default)
    if value not in allowed:
        raise ValueError(f"{where}: {key} must be one of {sorted(allowed)}, not {value!r}")
    return value


def parse_profile(name: str, data: dict[str, Any]) -> Profile:
    """Build a :class:`Profile` from parsed TOML; ``ValueError`` names what is wrong."""
    where = f"profile {name}"
    replies: dict[str, str] = {}
    sources: dict[str, str] = {}
    for key, entry in data.get("replies", {}).items():
        if not isinstance(entry, dict) or "text" not in entry or "source" not in entry:
            raise ValueError(f"{where}: reply {key} needs a text and a source")
        replies[key] = _text(entry["text"], f"{where}, reply {key}")
        sources[key] = str(entry["source"])
    summary = data.get("summary", {})
    if not summary.get("en") or not summary.get("zh"):
        raise ValueError(f"{where}: summary needs en and zh")
    ehlo = tuple(data.get("ehlo", ()))
    prompts = tuple(data.get("auth_login_prompts", ("Username:", "Password:")))
    if len(prompts) != 2:
        raise ValueError(f"{where}: auth_login_prompts needs two texts")
    size = data.get("max_message_size")
    return Profile(
        name=name, family=str(data.get("family", name)), summary=summary,
        hostname=str(data.get("hostname", "sandbox.test")), ehlo=ehlo,
        ehlo_tls=tuple(data.get("ehlo_tls", [line for line in ehlo if line != "STARTTLS"])),
        auth_prompts=(prompts[0], prompts[1]),
        auth_before_tls=_choice(data, "auth_before_tls", _AUTH_BEFORE_TLS, "loopback", where),
        auth_after_helo=bool(data.get("auth_after_helo", True)),
        require_auth=bool(data.get("require_auth", False)),
        require_tls=bool(data.get("require_tls", False)),
        sender_must_match=_choice(data, "sender_must_match", _SENDER_CHECK, "", where),
        auth_code=bool(data.get("auth_code", False)),
        relay=_choice(data, "relay", _RELAY, "open", where),
        unknown_recipient=bool(data.get("unknown_recipient", False)),
        enhanced_codes=bool(data.get("enhanced_codes", True)),
        implicit_tls=bool(data.get("implicit_tls", False)),
        max_message_size=int(size) if size else None,
        max_unknown_commands=int(data.get("max_unknown_commands", 0)),
        replies=replies, sources=sources)


@functools.cache
def load_profile(name: str = DEFAULT_PROFILE) -> Profile:
    """The shipped profile ``name`` (case-insensitive); :class:`ProfileError` (a ``ValueError``)
    naming the known ones."""
    import tomllib

    key = str(name).strip().lower()
    if key not in PROFILE_NAMES:
        raise ProfileError("unknown-profile", name=repr(name), known=", ".join(PROFILE_NAMES))
    path = _DIR / f"{key}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"profile {key}: cannot read {path.name}: {exc}") from None
    return parse_profile(key, data)


def profile_summaries(language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """Every profile's name and one-line summary, in listing order."""
    return {name: load_profile(name).describe(language) for name in PROFILE_NAMES}
