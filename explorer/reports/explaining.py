"""Explanations as lines of text, shared by the command line and the REPL.

Every function returns plain lines (already made safe with the visible rendering) and raises
``ValueError`` with a one-line message for input it cannot explain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from explorer.core.render import Shown, hexdump, visible, visible_text
from explorer.knowledge.guide import advice, note
from explorer.width import fill, width

if TYPE_CHECKING:
    from explorer.core.commands import Command

# The code, extension and Base64 modules are imported where they are used: the REPL needs only
# ``wrap`` before its first prompt, and every millisecond there is one the learner waits.

__all__ = ["wrap", "wrap_after", "eight_bit_mark", "explain_code", "explain_enhanced", "explain_extension", "explain_item",
           "describe_base64", "describe_bytes"]

WIDTH = 78


def wrap(text: str, indent: str = "    ", hanging: str | None = None) -> str:
    """Fill ``text`` to the display width; later lines get ``hanging`` (default: the same indent)."""
    return fill(text, WIDTH, indent, hanging)


def wrap_after(prefix: str, text: str, hanging: str = "    ") -> str:
    """``text`` filled to follow ``prefix`` on its first line (the prefix itself not included);
    later lines get ``hanging``. For a label and its text drawn in two styles on one line."""
    start = " " * width(prefix)
    return wrap(text, start, hanging)[len(start):]


def _t(key: str, lang: str, **values: object) -> str:
    from explorer.knowledge.tables import text

    return text("explain", key, lang, **values)


def eight_bit_mark(line: Shown, lang: str = "en") -> str:
    """"[8-bit UTF-8, 23 bytes]": what a line shown as text (我爱计算机网络) is on the wire."""
    from explorer.knowledge.tables import text

    return "[" + text("ui", "eight-bit", lang, charset=line.charset, octets=line.octets) + "]"


def explain_code(code: int, lang: str = "en") -> list[str]:
    """A reply code: meaning, the digits, what to do next, typical causes, the reference."""
    from explorer.knowledge import codes
    from explorer.reports.explain import code_advice

    info = codes.explain_code(code, lang)
    out = [wrap(f"{info.code}  {info.meaning}", "", " " * 5)]
    out += [wrap(_t("digit", lang, n=n, text=text)) for n, text in zip("123", info.digits)]
    # What to do, in the words a reply in a session gets; "why now" needs a session.
    out += [wrap(line) for role, line in code_advice(info.code, None, lang) if role == "next"]
    if info.causes:
        out.append("    " + _t("causes", lang))
        out += [wrap(f"- {cause}", "      ", "        ") for cause in info.causes]
    if info.reference:
        out.append("    " + _t("reference", lang, text=info.reference))
    return out


def explain_enhanced(code: str, lang: str = "en") -> list[str]:
    from explorer.knowledge import codes

    info = codes.explain_enhanced(code, lang)
    klass, subject, _ = info.code.split(".")
    return [
        _t("enhanced-title", lang, code=info.code),
        wrap(_t("class", lang, n=klass, text=info.klass)),
        wrap(_t("subject", lang, n=subject, text=info.subject)),
        wrap(_t("detail", lang, text=info.detail) if info.detail else _t("detail-unknown", lang)),
    ]


def explain_extension(line: str, lang: str = "en") -> list[str]:
    """An EHLO keyword (or a whole EHLO line such as ``SIZE 35882577``): meaning, use, RFC."""
    from explorer.knowledge import extensions

    info = extensions.explain_extension(line, lang)
    out = [wrap(f"{visible_text(info.keyword)}  {info.meaning}", "", " " * 5)]
    if info.usage:
        out.append(wrap(_t("usage", lang, text=info.usage)))
    if info.reference:
        out.append("    " + _t("reference", lang, text=info.reference))
    return out


def explain_item(item: str, lang: str = "en") -> list[str]:
    """One argument of ``explain``: a reply code, an enhanced code, a whole reply line, or an
    EHLO extension keyword (``SIZE``, ``AUTH=LOGIN``)."""
    from explorer.knowledge import codes

    text = item.strip()
    if not text:
        raise ValueError(_t("empty-argument", lang))
    if text.count(".") == 2 and " " not in text:
        return explain_enhanced(text, lang)
    if text[0].isalpha():
        return explain_extension(text, lang)
    code, enhanced, rest = codes.parse_reply_line(text, lang)
    out = [_t("reply", lang, text=visible_text(text))] if rest or enhanced else []
    out += explain_code(code, lang)
    if enhanced:
        out += explain_enhanced(enhanced, lang)
    return out + provider_lines(text, lang, source=True)


def provider_lines(reply: bytes | str, lang: str = "en", *, source: bool = False,
                   indent: str = "    ") -> list[str]:
    """What a reply means at the provider that sends it, and what to do there (wrapped), or
    nothing when its text is not one the provider table knows."""
    from explorer.knowledge.providers import advice_lines, recognise

    found = recognise(reply, lang)
    if found is None:
        return []
    return [wrap(line, indent) for line in advice_lines(found, lang, source=source)]


def describe_base64(direction: str, text: str, lang: str = "en") -> list[str]:
    """``encode`` or ``decode``, with what the decoded bytes are when they look like AUTH, in
    ``lang``."""
    from explorer.core.auth import b64decode, b64encode_text, decode_challenge

    if direction == "encode":
        out = [b64encode_text(text)]
    else:
        raw = b64decode(text)  # Base64Error is a ValueError with the reason
        if raw.count(b"\0") == 2:
            authzid, user, password = (repr(visible(p)) for p in raw.split(b"\0"))
            out = [visible(raw), "  " + note("plain-parts-decoded", lang, authzid=authzid, user=user,
                                             password=password)]
        else:
            out = [visible_text(raw.decode("utf-8", "backslashreplace"))]
            kind = decode_challenge(text).prompt
            if kind is not None:
                out.append("  " + note(f"login-challenge-{kind}", lang))
    out.append(wrap(note("base64-not-encryption", lang), ""))
    return out


def describe_bytes(command: Command, *, hex_dump: bool = True) -> list[str]:
    """The exact bytes of a command, visible and (optionally) in hex, with syntax notes."""
    from explorer.core.syntax import syntax_problems

    wire = command.to_bytes()
    out = [f"{len(wire)} bytes: {visible(wire)}"]
    if hex_dump:
        out += hexdump(wire).splitlines()
    if not command.known:
        out.append(wrap(f"note: {advice('unknown-verb').text}", ""))
    for key, _code, _severity in syntax_problems(command):
        out.append(wrap(f"note: {advice(key).text}", ""))
    return out
