"""The texts of one exchange: its label on the arrow, its one-line meaning, its explanation.

The words every front end shows (``explorer.repl.view`` styles :func:`reply_explanation` for the
REPL, replay and the lesson autopilot; the inspector and the transcripts lay it out as lines): the
reply code's meaning, why it came now, what to do, the state change; for what the client sent,
what it is and the protocol core's warnings. Every text comes from the knowledge tables; bytes from the wire
are shown through the visible rendering only.
"""

from __future__ import annotations

import functools

from explorer.core.render import shown, visible
from explorer.core.replies import ProtocolError
from explorer.core.session import Answer, Warning_
from explorer.core.states import UNKNOWN
from explorer.knowledge import codes, providers
from explorer.knowledge.guide import advice, note, stage
from explorer.knowledge.keyed import flaw_text
from explorer.knowledge.tables import load, pick, text as table_text
from explorer.reports.texts import text

__all__ = ["line_text", "warning_explanation", "client_texts", "reply_explanation", "code_advice", "reply_texts", "garbage_texts", "partial_texts"]

Texts = tuple[str, str, tuple[str, ...]]  # label, meaning, explanation


def line_text(data: bytes) -> str:
    """One line as sent, without its CRLF (a bare LF or other ending stays visible); 8-bit text
    (UTF-8, or GBK that reads as Chinese) is shown as text, everything else escaped."""
    return shown(data[:-2] if data.endswith(b"\r\n") else data).text


def _verb_meaning(verb: str, lang: str) -> str:
    entry = load("verbs").get(verb)
    return pick(entry, lang)["text"] if entry else text("kinds", "command", lang)


def warning_explanation(checks: tuple[Warning_, ...], lang: str) -> list[tuple[str, str, str]]:
    """The one explanation of the protocol core's warnings about what a client sends, as
    ``(label, text, fix)``: "warning (expect 503)", what is wrong, how to fix it. The REPL
    (before sending, and in replay) and the transcripts show these words (``knowledge/repl.toml``
    labels, ``warnings.toml`` texts)."""
    out = []
    for w in checks:
        try:
            info = advice(w.key, lang)
            what, fix = info.text, info.fix
        except KeyError:  # a key the table does not know yet: say it by name
            what, fix = w.key, ""
        label = table_text("repl", "warning" if w.severity == "error" else "note", lang)
        if w.code:
            label += table_text("repl", "expect", lang, code=w.code)
        out.append((label, what, table_text("repl", "fix", lang, fix=fix) if fix else ""))
    return out


def _warning_lines(checks: tuple[Warning_, ...], lang: str) -> list[str]:
    out = []
    for label, what, fix in warning_explanation(checks, lang):
        out.append(table_text("ui", "labelled", lang, label=label, text=what))
        if fix:
            out.append(fix)
    return out


def client_texts(kind: str, name: str, data: bytes, checks: tuple[Warning_, ...], lang: str,
                 *, redacted: bool = False, whole_line: bytes | None = None) -> Texts:
    """Label, meaning and explanation of something the client sent.

    ``whole_line`` is the complete line when ``data`` only finishes a line begun earlier.
    """
    explanation = _warning_lines(checks, lang)
    if kind == "content":
        lines = data.count(b"\n")
        label = text("labels", "content", lang, lines=lines, octets=len(data))
        if b"\r\n.." in b"\r\n" + data:
            explanation.append(note("dot-stuffing", lang))
        if data.endswith(b"\r\n.\r\n") or data == b".\r\n":
            explanation.append(note("terminator", lang))
        return label, text("kinds", "content", lang), tuple(explanation)
    shown = line_text(whole_line if whole_line is not None else data)
    if redacted and kind == "auth-line":
        label = text("labels", "redacted", lang)
    elif kind == "bytes":
        label = text("labels", "no-line-end", lang, text=shown)
        explanation.append(note("no-line-end", lang))
    else:
        label = shown
    if kind == "command":
        meaning = _verb_meaning(name, lang)
    elif kind == "auth-line":
        meaning = text("kinds", "auth-line", lang)
        explanation.append(note("base64-not-encryption", lang))
    else:
        meaning = text("kinds", kind, lang)
    return label, meaning, tuple(explanation)


def code_advice(code: int, to: str | None, lang: str, *, unexpected: bool = False,
                success_next: bool = True) -> list[tuple[str, str]]:
    """The one wording of why a reply code came and what to do next, as ``(role, text)``
    pairs (roles ``why`` and ``next``): ``to`` is the exchange it answered (None: unknown),
    ``unexpected`` marks a reply nobody asked for. ``smtp-explorer explain`` and
    :func:`reply_explanation` both say these words (``knowledge/explain.toml``)."""
    out: list[tuple[str, str]] = []
    why = codes.why_now(code, to, lang)  # without ``to``: the code's generic reason
    if unexpected:
        why = f"{text('labels', 'unexpected', lang)} {why}".strip()
    if why:
        out.append(("why", table_text("explain", "why-now", lang, text=why)))
    info = codes.explain_code(code, lang)
    if info.next and (success_next or code // 100 != 2):
        out.append(("next", table_text("explain", "what-to-do", lang, text=info.next)))
    return out


def reply_explanation(answer: Answer, lang: str) -> list[tuple[str, str]]:
    """The one explanation of a reply, as ``(role, text)`` pairs in order; every front end (the
    REPL, replay, the transcripts, inspect and sandbox --inspect, the lesson autopilot) shows
    these words. Roles: multiline, enhanced, provider (what it means at that server, what to do
    there), why, next, malformed, state. Texts from ``knowledge/transcript.toml`` ``[explain]``
    and, for why now and what to do, :func:`code_advice`; safe to show."""
    reply = answer.reply
    out: list[tuple[str, str]] = []
    if reply.multiline:
        out.append(("multiline", text("explain", "multiline", lang, lines=len(reply.lines))))
    if reply.enhanced:
        enhanced = codes.explain_enhanced(reply.enhanced, lang)
        if enhanced.detail:
            out.append(("enhanced", text("explain", "enhanced", lang, code=reply.enhanced,
                                         text=enhanced.detail)))
    found = providers.recognise(reply.raw, lang)
    if found is not None:  # what it means at that server, and what to do there: not generic
        out += [("provider", line) for line in providers.advice_lines(found, lang)]
    else:  # after a success, the next step is the prompt's
        out += code_advice(reply.code, answer.to if answer.to != UNKNOWN else None, lang,
                           unexpected=answer.unexpected, success_next=False)
    out += [("malformed", text("explain", "malformed", lang, text=flaw_text(p, lang))) for p in reply.problems]
    if answer.before is not answer.after:
        out.append(("state", text("explain", "state", lang,
                                  before=stage(answer.before.value, lang).title,
                                  after=stage(answer.after.value, lang).title)))
    return out


# Cached: the texts depend only on the (immutable) answer and the language, and a class's
# sessions get the same few replies thousands of times.
@functools.lru_cache(maxsize=1024)
def reply_texts(answer: Answer, lang: str) -> Texts:
    """Label, meaning and explanation of a reply (:func:`reply_explanation`)."""
    meaning = codes.explain_code(answer.reply.code, lang).meaning
    return (f"{answer.reply.code} {meaning}", meaning,
            tuple(line for _, line in reply_explanation(answer, lang)))


def garbage_texts(error: ProtocolError, lang: str) -> Texts:
    """Label, meaning and explanation of bytes that are not a reply."""
    first = error.raw.split(b"\n", 1)[0]
    label = text("labels", "garbage", lang, text=line_text(first[:80]))
    return label, text("kinds", "garbage", lang), (flaw_text(error, lang),)


def partial_texts(data: bytes, lang: str) -> Texts:
    """Label, meaning and explanation of server bytes that never became a complete reply."""
    label = text("labels", "no-line-end", lang, text=line_text(data[:80]))
    return label, text("kinds", "server-bytes", lang), ()
