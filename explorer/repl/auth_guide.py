"""Guided AUTH: after a 334, ask for what the mechanism needs and show its Base64 before sending.

LOGIN asks one thing per 334 (the decoded prompt says which); PLAIN and CRAM-MD5 need the user
name and the secret and build one answer from both. Secrets are typed masked; the Base64 made
from a masked password would undo the mask (Base64 hides nothing: that is the lesson), so it is
shown as the placeholder, with its length and how to reveal it, unless the learner asked for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from explorer.core.auth import (
    Base64Error, b64decode, b64encode_text, cram_md5_response, decode_challenge, plain_response, split_plain,
)
from explorer.core.commands import AuthLine
from explorer.core.render import visible, visible_text
from explorer.recording import PLACEHOLDER
from explorer.reports.explaining import wrap
from explorer.knowledge.guide import note
from explorer.knowledge.keyed import error_text
from explorer.knowledge.tables import text
from explorer.repl.console import Line

__all__ = ["AuthGuide", "HIDDEN"]

#: What stands on the screen for the Base64 of a password typed masked (the recordings' placeholder).
HIDDEN = PLACEHOLDER.decode("ascii")
#: The mechanisms whose answer decodes back to the password. CRAM-MD5's answer is the user name
#: and an HMAC digest bound to this one challenge: it does not give the password away, and seeing
#: it is the point of that lesson, so it stays shown.
_DECODABLE = ("LOGIN", "PLAIN")


def _t(key: str, lang: str, **values: object) -> str:
    return text("repl", key, lang, **values)


@dataclass
class AuthGuide:
    """The state of one guided AUTH exchange."""

    mechanism: str
    challenge: str = ""  # the Base64 text of the last 334
    wanted: list[str] = field(default_factory=list)  # fields still to ask: "username", "password"
    values: dict[str, str] = field(default_factory=dict)
    lang: str = "en"
    # A user name typed as Base64 (what the assignment trains): what it decodes to, while the
    # learner is asked which one they meant. Typed again as it was, it is sent encoded once more.
    decoded_paste: str | None = None
    _pasted: str | None = None

    @classmethod
    def after_334(cls, mechanism: str, challenge: str, previous: AuthGuide | None,
                  lang: str = "en") -> tuple[AuthGuide, list[Line]]:
        """Start or continue the guide for a 334 with ``challenge``; returns it and lines to show."""
        guide = previous if previous is not None and previous.mechanism == mechanism else cls(mechanism, lang=lang)
        guide.challenge = challenge.strip()
        lines: list[Line] = []
        try:
            decoded = decode_challenge(guide.challenge)
        except Base64Error as exc:
            lines.append([("warn", "   " + _t("auth-bad-challenge", lang, error=error_text(exc, lang)))])
            guide.wanted = ["response"]
            return guide, lines
        if guide.challenge:
            lines.append([("dim", "   " + _t("auth-challenge", lang)), ("title", visible_text(decoded.text))])
        if mechanism == "LOGIN":
            guide.wanted = [decoded.prompt or "response"]
        elif mechanism in ("PLAIN", "CRAM-MD5"):
            guide.wanted = ["username", "password"]
            if mechanism == "CRAM-MD5":
                lines.append([("note", wrap(note("cram-md5", lang), "   "))])
        else:
            guide.wanted = ["response"]
            lines.append([("dim", "   " + _t("auth-unguided", lang, mechanism=mechanism))])
        return guide, lines

    @staticmethod
    def describe_initial(mechanism: str, initial: str, lang: str = "en") -> list[Line]:
        """What an initial response typed with AUTH carries (PLAIN's three parts, LOGIN's user)."""
        if not initial or initial == "=":
            return []
        try:
            if mechanism == "PLAIN":
                parts = split_plain(initial)
                secret = "*" * len(parts.password)
                return [[("note", wrap(note("plain-parts", lang), "   "))],
                        [("dim", "   " + _t("auth-plain-parts", lang)),
                         ("", f"{visible_text(parts.authzid)}\\x00{visible_text(parts.authcid)}\\x00{secret}")]]
            if mechanism == "LOGIN":
                return [[("dim", "   " + _t("auth-initial-user", lang)),
                         ("", visible_text(decode_challenge(initial).text))]]
        except Base64Error as exc:
            return [[("warn", "   " + _t("auth-initial-bad", lang, mechanism=mechanism, error=error_text(exc, lang)))]]
        return []

    @staticmethod
    def user_of_initial(mechanism: str, initial: str) -> str | None:
        """The user name inside an initial response (PLAIN's authcid, LOGIN's first answer)."""
        if not initial or initial == "=":
            return None
        try:
            if mechanism == "PLAIN":
                return split_plain(initial).authcid or None
            if mechanism == "LOGIN":
                return decode_challenge(initial).text or None
        except Base64Error:
            return None
        return None

    @property
    def field(self) -> str:
        return self.wanted[0] if self.wanted else "response"

    def label(self, name: str | None = None) -> str:
        """The name of a field (the current one by default) in the learner's language."""
        return _t(f"field-{name or self.field}", self.lang)

    @property
    def masked(self) -> bool:
        return self.field == "password"

    def take(self, text: str, reveal: bool = False) -> tuple[AuthLine | None, list[Line]]:
        """The learner typed ``text`` for the current field; returns the line to send, if complete.

        Unless ``reveal``, the Base64 of a password typed masked is shown as :data:`HIDDEN`, with a
        note saying why and how to show it; what is sent is the same either way.
        """
        if text == "*":
            return AuthLine("*"), [[("dim", "   " + _t("auth-cancel", self.lang))]]
        name = self.field
        if name == "username":
            asked = self._ask_if_base64(text)
            if asked:
                return None, asked
        if self.wanted:
            self.wanted.pop(0)
        if name == "response":
            return AuthLine(text), []
        self.values[name] = text
        shown = text if name != "password" else "*" * len(text)
        if self.mechanism == "LOGIN":
            line = AuthLine(b64encode_text(text), secret=name == "password")
            encoded, hidden = self._encoded(line, reveal)
            return line, [
                [("dim", "   " + _t("auth-field", self.lang, name=self.label(name))), ("", visible_text(shown)),
                 ("dim", _t("auth-base64", self.lang)), ("title", encoded)],
                *hidden,
                [("note", wrap(note("base64-not-encryption", self.lang), "   "))],
            ]
        if self.wanted:  # PLAIN and CRAM-MD5 need the other field too
            return None, []
        user, secret = self.values.get("username", ""), self.values.get("password", "")
        if self.mechanism == "PLAIN":
            parts = plain_response(user, secret)
            masked = visible(parts.raw).replace(visible(secret.encode()), "*" * len(secret)) if secret else visible(parts.raw)
            line = AuthLine(parts.encoded, secret=True)
            encoded, hidden = self._encoded(line, reveal)
            return line, [
                [("note", wrap(note("plain-parts", self.lang), "   "))],
                [("dim", "   " + _t("auth-plain-parts", self.lang)), ("", masked)],
                [("dim", " " + _t("auth-base64", self.lang)), ("title", encoded)],
                *hidden,
                [("note", wrap(note("base64-not-encryption", self.lang), "   "))],
            ]
        response, encoded = cram_md5_response(self.challenge, user, secret)
        return AuthLine(encoded, secret=True), [
            [("dim", "   " + _t("auth-cram", self.lang)), ("", visible_text(response))],
            [("dim", " " + _t("auth-base64", self.lang)), ("title", encoded)],
        ]

    def hides(self, line: AuthLine) -> bool:
        """Whether ``line`` carries a password typed masked, in a form that decodes back to it.

        A line the learner typed in clear (``AUTH PLAIN <blob>``, a ``/raw`` line, an unguided
        answer) is not hidden: it stands on the screen already, where they typed it.
        """
        return line.secret and self.mechanism in _DECODABLE

    def shown_bytes(self, line: AuthLine, reveal: bool = False) -> bytes | None:
        """What the ``C:`` line shows for ``line`` when it is not its bytes: the secret replaced by
        the placeholder (as after ``-> Base64:``). None: show the bytes as sent."""
        if reveal or not self.hides(line):
            return None
        return line.to_bytes().replace(line.text.encode("ascii", "backslashreplace"), PLACEHOLDER)

    def _encoded(self, line: AuthLine, reveal: bool) -> tuple[str, list[Line]]:
        """The Base64 to show after ``-> Base64:``, and the note to add when it is hidden."""
        if self.shown_bytes(line, reveal) is None:
            return line.text, []
        # How to show it on a line of its own: "/set reveal-secrets on" is to be read and typed whole.
        return HIDDEN, [[("dim", wrap(_t("auth-base64-hidden", self.lang, length=len(line.text)), "   "))],
                        [("dim", "   " + _t("auth-base64-reveal", self.lang))]]

    def _ask_if_base64(self, text: str) -> list[Line]:
        """Lines asking the learner, if ``text`` looks like a user name already in Base64."""
        pasted, self._pasted, self.decoded_paste = self._pasted, None, None
        if text == pasted:  # asked already, and typed the same again: that is what they meant
            return []
        decoded = _readable_base64(text)
        if decoded is None:
            return []
        self._pasted, self.decoded_paste = text, decoded
        return [[("warn", wrap(note("base64-pasted", self.lang, decoded=visible_text(decoded), typed=text), "   "))]]


def _readable_base64(text: str) -> str | None:
    """What ``text`` decodes to if it is Base64 of a readable name (``bGVhcm5lcg==``), else None.

    A real user name seldom is valid Base64 that decodes to printable UTF-8 text of 3 or more
    characters, so this asks rarely when the name was typed plainly.
    """
    stripped = text.strip()
    if len(stripped) < 4 or "@" in stripped:
        return None
    try:
        decoded = b64decode(stripped).decode("utf-8")
    except (Base64Error, UnicodeDecodeError):
        return None
    return decoded if len(decoded) >= 3 and decoded.isprintable() else None
