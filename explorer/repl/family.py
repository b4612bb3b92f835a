"""The REPL's knowledge of which server it talks to, and its predictions where servers differ.

The family (Coremail, QQ, gsmtp, Microsoft, Postfix, Exim, the sandbox) is recognised from the
greeting and the EHLO reply (``explorer.knowledge.families``). Before a command where servers
differ (AUTH after HELO, MAIL without AUTH...), the REPL says who does what and what this server
will answer; when the reply then differs from the prediction, it says so in one line. When a
connection gives no greeting, :func:`connect_hint_lines` says what that most likely means.
"""

from __future__ import annotations

from dataclasses import replace

from explorer.client.engine import Failure, Outcome, Stalled, Target
from explorer.core.replies import ProtocolError
from explorer.core.session import Answer, Warning_
from explorer.core.states import GREETING
from explorer.knowledge import families
from explorer.repl.console import Line
from explorer.reports.explaining import wrap

__all__ = ["ServerFamily", "connect_hint_lines"]


class ServerFamily:
    """What the REPL knows of the server: its family, and the code it predicted last."""

    def __init__(self) -> None:
        self.family: str | None = None
        self.banner = ""
        self.expected: int | None = None  # the prediction for the next reply, if one was made

    def for_family(self, warnings: tuple[Warning_, ...]) -> tuple[Warning_, ...]:
        """The warnings with the code this server's family answers, where servers differ."""
        out = []
        for warning in warnings:
            found = families.prediction(warning.key, self.family)
            code = found.code if found is not None and found.code is not None else warning.code
            out.append(replace(warning, code=code))
        return tuple(out)

    def predict(self, warnings: tuple[Warning_, ...], lang: str = "en") -> list[Line]:
        """Lines for the warnings where servers differ: who does what, what this one does."""
        self.expected = None
        out: list[Line] = []
        for warning in warnings:
            found = families.prediction(warning.key, self.family, lang)
            if found is None:
                continue
            out.append([("dim", wrap(found.text, "    "))])
            if found.code is not None and self.family is not None:
                name = families.family_name(self.family, lang)
                out.append([("note", "    " + families.label("family", lang, name=name,
                                                             code=found.code))])
            self.expected = found.code if found.code is not None else warning.code
        return out

    def after(self, answer: Answer, lang: str = "en") -> list[Line]:
        """Learn from a reply (greeting, EHLO); one line if it differs from the prediction."""
        reply = answer.reply
        if answer.to == GREETING:
            self.banner, self.family = reply.text, families.family_of(reply.text)
        elif answer.to == "EHLO" and reply.code == 250:
            self.family = families.family_of(self.banner, reply.lines[1:]) or self.family
        expected, self.expected = self.expected, None
        if expected is None or reply.code == expected:
            return []
        text = families.label("differs", lang, got=reply.code, expected=expected)
        return [[("note", wrap(text, "   "))]]


def connect_hint_lines(outcome: Outcome, target: Target, lang: str = "en") -> list[Line]:
    """After a connect without a greeting: plain text to a TLS-first port, or port 25 blocked."""
    from explorer.knowledge.providers import connect_hint

    events = outcome.events
    if any(isinstance(e, Answer) for e in events):
        return []
    silent = next((e.partial for e in events if isinstance(e, Stalled)), None)
    if silent is None:
        silent = next((e.raw for e in events if isinstance(e, ProtocolError)), None)
    timed_out = any(isinstance(e, Failure) and e.error.key == "connect-timeout" for e in events)
    text = connect_hint(target.port, target.security == "tls", silent=silent,
                        timed_out=timed_out, lang=lang)
    return [[("note", wrap(text, "   "))]] if text else []
