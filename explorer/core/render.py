"""Two renderings of any byte string: a visible one and a hex dump.

The visible rendering is the only way bytes from a server (or a learner's client) reach a
terminal. Every byte that is not printable ASCII is written as an escape that cannot be confused
with text: CR as ``\\r``, LF as ``\\n``, TAB as ``\\t``, NUL as ``\\x00``, ESC as ``\\x1b``, any
other byte outside printable ASCII as ``\\xNN``, and the backslash itself as ``\\\\``. The result
is plain printable ASCII, so it can neither move the cursor nor change colours, and it is exactly
the escape syntax that the REPL's ``/raw`` command reads back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["visible", "visible_lines", "visible_text", "hexdump", "parse_escapes", "EscapeError",
           "Shown", "shown", "shown_lines"]

_NAMED = {0x0D: "\\r", 0x0A: "\\n", 0x09: "\\t", 0x5C: "\\\\"}

# One entry per byte value, built once: rendering is a table look-up per byte.
_TABLE = tuple(
    _NAMED.get(b, chr(b) if 0x20 <= b < 0x7F else f"\\x{b:02x}") for b in range(256)
)

# The ASCII characters visible_text() keeps as they are.
_PLAIN_TEXT = re.compile("[" + "".join(re.escape(chr(b)) for b in range(0x80) if _TABLE[b] == chr(b))
                         + "]*")
# The same table for str.translate (in C): byte value -> its rendering.
_TRANSLATION = dict(enumerate(_TABLE))


def visible(data: bytes) -> str:
    """Render bytes as printable ASCII with every control or non-ASCII byte escaped."""
    return str(data, "latin-1").translate(_TRANSLATION)


def visible_lines(data: bytes) -> list[str]:
    """Render bytes split after each LF, so a multi-line exchange reads as lines.

    Each element still shows its own line ending (``\\r\\n``, or a bare ``\\n``), so a learner
    sees exactly which terminator every line had.
    """
    return [visible(line) for line in _lines(data)]


def _lines(data: bytes) -> list[bytes]:
    # Split after each LF, keeping it: the line ending is part of what the learner must see.
    lines: list[bytes] = []
    start = 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end + 1
        lines.append(data[start:end])
        start = end
    return lines


def visible_text(text: str) -> str:
    """Render already-decoded text safely: printable characters (any script) stay as they are.

    Control characters (C0, DEL, C1) and other non-printable code points are escaped, so decoded
    server text with an ESC in it still cannot reach the terminal raw.
    """
    if _PLAIN_TEXT.fullmatch(text):
        return text  # nothing to escape (most text of a session): no loop in Python
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if code < 0x80:
            out.append(_TABLE[code])
        elif ch.isprintable():
            out.append(ch)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out)


@dataclass(frozen=True)
class Shown:
    """One line of the wire as a person reads it.

    ``text`` is safe to print: 8-bit bytes that form text in ``charset`` ("UTF-8", or "GBK" for a
    line that is not UTF-8 but reads as Chinese in GBK) are shown as that text; everything else is
    escaped as :func:`visible` does. ``charset`` is None when the line is plain ASCII, and
    ``octets`` is the line's length on the wire, so the front ends can say how many bytes the
    characters really took.
    """

    text: str
    charset: str | None
    octets: int


def _escape_char(ch: str, charset: str) -> str:
    code = ord(ch)
    if code < 0x80:
        return _TABLE[code]
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not part of any character (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if ch.isprintable() and ch != "\ufffd":
        return ch
    # An invisible character, or U+FFFD (which stands for bytes that were lost): its bytes, escaped.
    return visible(ch.encode(charset))


def _is_chinese(text: str) -> bool:
    # GBK decodes almost any pair of high bytes: accept it only when every 8-bit character is a
    # Chinese character or Chinese punctuation, so Latin-1 "été" is not shown as nonsense.
    wide = [ch for ch in text if ord(ch) >= 0x80]
    return bool(wide) and all("\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"
                              for ch in wide)


def shown(data: bytes) -> Shown:
    """One line of the wire (with its line ending) as text: see :class:`Shown`."""
    if data.isascii():
        return Shown(visible(data), None, len(data))
    for charset in ("utf-8", "gbk"):  # UTF-8 first: GBK bytes are seldom valid UTF-8, not never
        try:
            text = data.decode(charset)
        except UnicodeDecodeError:
            continue
        if charset == "utf-8" or _is_chinese(text):
            return Shown("".join(_escape_char(ch, charset) for ch in text), charset.upper(), len(data))
    # Mostly UTF-8 with a stray byte: the characters as text, the stray byte escaped.
    text = data.decode("utf-8", "surrogateescape")
    if any(ord(ch) >= 0x80 and not 0xDC80 <= ord(ch) <= 0xDCFF for ch in text):
        return Shown("".join(_escape_char(ch, "utf-8") for ch in text), "UTF-8", len(data))
    return Shown(visible(data), None, len(data))


def shown_lines(data: bytes) -> list[Shown]:
    """:func:`shown` for each line of ``data`` (split after each LF, as :func:`visible_lines`)."""
    return [shown(line) for line in _lines(data)]


def hexdump(data: bytes, width: int = 16) -> str:
    """A classic hex dump: offset, hex bytes, and the printable-ASCII column."""
    rows: list[str] = []
    for offset in range(0, len(data), width):
        chunk = data[offset : offset + width]
        hex_part = " ".join(f"{b:02x}" for b in chunk)
        text_part = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)
        rows.append(f"{offset:08x}  {hex_part:<{width * 3 - 1}}  |{text_part}|")
    return "\n".join(rows)


class EscapeError(ValueError):
    """Raised for a malformed escape in text typed by the learner. The core holds no sentence:
    ``key`` (an entry of ``knowledge/input_errors``, said by the front ends in the learner's
    language) and ``values`` say what is wrong; ``str()`` is the key."""

    table = "input_errors"

    def __init__(self, key: str, **values: object) -> None:
        self.key, self.values = key, values
        super().__init__(key)


_SIMPLE_ESCAPES = {"r": b"\r", "n": b"\n", "t": b"\t", "\\": b"\\", "0": b"\x00"}


# ASCII text whose every backslash starts a valid escape (what visible() writes, as in the
# sandbox's session log) is read by re in C: a class report reads tens of thousands of chunks.
_ESCAPE = re.compile(r"\\(?:[rnt\\0]|x[0-9A-Fa-f]{2})")
_ESCAPED = {f"\\{key}": value.decode("latin-1") for key, value in _SIMPLE_ESCAPES.items()}


def _escaped(match: re.Match) -> str:
    text = match.group()
    return _ESCAPED.get(text) or chr(int(text[2:], 16))


def parse_escapes(text: str) -> bytes:
    """Turn typed text with escapes (``\\r``, ``\\n``, ``\\t``, ``\\\\``, ``\\0``, ``\\xNN``) into bytes.

    The inverse of :func:`visible` for ASCII input; other characters are encoded as UTF-8.
    """
    if "\\" not in text and text.isascii():
        return text.encode("ascii")
    # Valid when no backslash is left once the escapes are taken out, left to right.
    if text.isascii() and "\\" not in _ESCAPE.sub("", text):
        if "\\0" not in text:
            # The escapes left (\r \n \t \\ \xNN) mean the same to Python's
            # "unicode_escape" codec, which reads them in C; \0 differs there (\012 is octal).
            return text.encode("ascii").decode("unicode_escape").encode("latin-1")
        return _ESCAPE.sub(_escaped, text).encode("latin-1")
    return _parse_one_by_one(text)


def _parse_one_by_one(text: str) -> bytes:
    """parse_escapes for any text, one character at a time; it names a malformed escape."""
    out = bytearray()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch != "\\":
            out += ch.encode("utf-8")
            i += 1
            continue
        if i + 1 >= len(text):
            raise EscapeError("lone-backslash")
        nxt = text[i + 1]
        if nxt in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[nxt]
            i += 2
        elif nxt == "x":
            digits = text[i + 2 : i + 4]
            try:
                if len(digits) != 2:
                    raise ValueError
                out.append(int(digits, 16))
            except ValueError:
                raise EscapeError("bad-hex-escape", digits=repr(digits)) from None
            i += 4
        else:
            raise EscapeError("unknown-escape", escape=nxt)
    return bytes(out)
