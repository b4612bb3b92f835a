"""Recognised replies of real mail servers: what a reply means at that provider, and what to do.

The data is ``providers.toml`` (one entry per reply text of docs/providers.md, with its source).
:func:`recognise` takes a reply's raw bytes, or its text, and returns the first entry whose code
and pattern match. Replies that are not UTF-8 (QQ's older 535 is GBK) are decoded by
:func:`decode_reply` first, and the entry says which encoding it was.

Only the standard library is imported; nothing is read until the first call.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from explorer.knowledge.tables import DEFAULT_LANG, load, pick

__all__ = ["ProviderReply", "advice_lines", "decode_reply", "connect_hint", "host_lines", "provider_name",
           "recognise", "reply_text"]

# Tried in order after UTF-8: the Chinese providers' legacy encoding, then a lossless fallback.
_ENCODINGS = ("utf-8", "gb18030", "latin-1")
_PREFIX = re.compile(r"^\d{3}[ -]?")


@dataclass(frozen=True)
class ProviderReply:
    """A recognised reply: who sends it (its name in the language asked for), what it means
    there, what to do, where the text is from.

    ``encoding`` is the text's encoding when it was not UTF-8 (``gb18030`` for GBK), and
    ``text`` the decoded reply text (every line without its code, joined by spaces).
    """

    key: str
    provider: str
    meaning: str
    action: str
    source: str
    text: str
    encoding: str | None = None


@functools.cache
def _entries() -> tuple[tuple[str, frozenset[int], re.Pattern[str], dict], ...]:
    table = load("providers")["reply"]
    return tuple((key, frozenset(entry["code"]), re.compile(entry["pattern"], re.I), entry)
                 for key, entry in table.items())


def decode_reply(raw: bytes) -> tuple[str, str | None]:
    """The reply's text and, when it is not UTF-8, the encoding that decoded it."""
    for encoding in _ENCODINGS:
        try:
            return raw.decode(encoding), (None if encoding == "utf-8" else encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def reply_text(reply: str) -> tuple[int | None, str]:
    """The reply code and the text of every line without its code, joined by spaces."""
    lines = [line for line in reply.replace("\r\n", "\n").split("\n") if line.strip()]
    code = int(lines[0][:3]) if lines and lines[0][:3].isdigit() else None
    return code, " ".join(_PREFIX.sub("", line, count=1).strip() for line in lines)


def _printable(text: str) -> str:
    # The text is shown on a terminal: a control character or escape sequence from the server
    # is written escaped (\x1b), never passed on.
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def recognise(reply: bytes | str, lang: str = DEFAULT_LANG) -> ProviderReply | None:
    """The provider entry for this reply (raw bytes or text, one line or several), or None."""
    encoding = None
    if isinstance(reply, bytes):
        reply, encoding = decode_reply(reply)
    code, text = reply_text(reply)
    if code is None:
        return None
    for key, codes, pattern, entry in _entries():
        if code in codes and pattern.search(text):
            texts = pick(entry, lang)
            return ProviderReply(key, provider_name(entry["provider"], lang), texts["meaning"], texts["action"],
                                 entry["source"], _printable(text), encoding)
    return None


def provider_name(key: str, lang: str = DEFAULT_LANG) -> str:
    """A provider's name as a learner says it in ``lang`` ("QQ 邮箱" in Chinese, "QQ Mail")."""
    return pick(load("providers")["provider"][key], lang)["name"]


def advice_lines(found: ProviderReply, lang: str = DEFAULT_LANG, *,
                 source: bool = False) -> list[str]:
    """The texts a front end shows for a recognised reply, one per line, not wrapped: the
    decoded text (when it was not UTF-8), the meaning there, what to do, and the source."""
    labels = pick(load("providers")["label"], lang)
    out = []
    if found.encoding:
        out.append(labels["decoded"].format(encoding=found.encoding.upper(), text=found.text))
    out.append(labels["at"].format(provider=found.provider, meaning=found.meaning))
    out.append(labels["action"].format(action=found.action))
    if source:
        out.append(labels["source"].format(source=found.source))
    return out


def host_lines(lang: str = DEFAULT_LANG) -> list[str]:
    """The providers' hosts, ports (with their TLS) and SMTP secret, as lines to print."""
    from explorer.knowledge.tables import text

    data = load("providers")
    labels = pick(data["port"], lang)
    out = [labels["heading"]]
    for entry in data["host"].values():
        texts = pick(entry, lang)
        ports = labels["separator"].join(f"{port} {labels[mode]}" for port, mode in entry["ports"])
        out += ["", provider_name(entry["provider"], lang)]
        for name, value in (("hosts", ", ".join(entry["hosts"])), ("ports", ports),
                            ("secret", texts["secret"]), ("source", entry["source"])):
            out.append("  " + text("ui", "labelled", lang, label=labels[name], text=value))
    return out


TLS_FIRST_PORTS = frozenset({465, 994})
# A TLS record (handshake 0x16 or alert 0x15, version 3.x): a TLS server answering plain text.
_TLS_RECORD = re.compile(rb"\A[\x15\x16]\x03[\x00-\x04]")


def connect_hint(port: int, tls: bool, *, silent: bytes | None = None,
                 timed_out: bool = False, lang: str = DEFAULT_LANG) -> str | None:
    """What a failed first exchange most likely means: ``silent`` is what arrived (maybe
    nothing) when no greeting came; ``timed_out`` that the TCP connection itself timed out."""
    key = None
    if timed_out and port == 25:
        key = "port-25-blocked"
    elif silent is not None and not tls and (_TLS_RECORD.match(silent)
                                             or (not silent and port in TLS_FIRST_PORTS)):
        key = "tls-first"
    if key is None:
        return None
    return pick(load("providers")["connect"][key], lang)["text"]
