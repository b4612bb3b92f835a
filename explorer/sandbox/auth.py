"""AUTH for the sandbox: the policy (when AUTH is allowed) and the mechanisms.

aiosmtpd 1.4.6 behaviour corrected here:
- it refuses AUTH without TLS by default (``auth_require_tls``); the sandbox follows its
  profile: the teaching profile allows it on loopback and refuses it with 538 elsewhere, unless
  told otherwise; a provider's profile allows it, or refuses it with the provider's text (and
  QQ's closes the connection);
- it answers AUTH after HELO with ``500 Error: command 'AUTH' not recognized``, which no real
  server sends: Postfix and Coremail accept it, Exim answers 503 (the profile says which);
- it answers 504 to ``auth login`` in lower case (it compares the mechanism as typed), though
  RFC 4954 makes mechanism names case-insensitive;
- its AUTH LOGIN prompts are ``User Name\\x00`` and ``Password\\x00``; every tutorial shows the
  classic ``Username:`` and ``Password:``;
- it has no CRAM-MD5.
Secrets the client sends are noted on the session record, so the session log can mask them.
"""

from __future__ import annotations

import binascii
import secrets
import time
from base64 import b64decode, b64encode
from typing import Any

from aiosmtpd.smtp import MISSING, AuthResult, LoginPassword, auth_mechanism, syntax

from explorer.lint.commands import login_name
from explorer.sandbox.accounts import AuthVerdict

__all__ = ["AUTH_HIDDEN", "AuthMixin", "MECHANISMS"]

MECHANISMS = ("LOGIN", "PLAIN", "CRAM-MD5")
# Policies under which EHLO leaves out its AUTH lines while AUTH is not allowed; the others
# (a provider that refuses AUTH before STARTTLS) list exactly what the provider lists.
AUTH_HIDDEN = frozenset({"loopback", "allow"})


class AuthMixin:
    """Mixed into the sandbox's SMTP protocol class (before aiosmtpd's ``SMTP``)."""

    def _auth_allowed(self) -> bool:
        if self.secure:
            return True
        policy = self.profile.auth_before_tls
        if "require-tls" in self.ctx.scenarios or policy not in AUTH_HIDDEN:
            return False
        if self.ctx.allow_plaintext_auth is not None:
            return self.ctx.allow_plaintext_auth
        return policy == "allow" or self._local_loopback

    def _code_required(self) -> bool:
        return self.profile.auth_code or "auth-code" in self.ctx.scenarios

    @syntax("AUTH <mechanism> [initial-response]")
    async def smtp_AUTH(self, arg: str) -> None:
        arg = self._note_auth_line(arg)
        after_helo = bool(self.session.host_name) and not self.session.extended_smtp
        if self.session.host_name:
            if after_helo and not self.profile.auth_after_helo:
                self._note_tried(arg)
                return await self.push(self.reply("auth_after_helo"))
            if not self._auth_allowed():
                self._note_tried(arg)
                if self.profile.auth_before_tls == "refuse-close":
                    return self.close_with("auth-needs-tls", self.reply("auth_needs_tls"))
                return await self.push(self.reply("auth_needs_tls"))
            if self.session.authenticated:
                return await self.push(self.reply("auth_already"))
            mechanism = arg.split()[0] if arg else ""
            if arg and mechanism not in self._auth_methods:
                return await self.push(self.reply("auth_unknown_mechanism"))
        if not after_helo:
            return await super().smtp_AUTH(arg)
        # aiosmtpd refuses AUTH after HELO outright; this profile accepts it, as Postfix and
        # Coremail do: the session counts as extended for this one command.
        self.session.extended_smtp = True
        try:
            await super().smtp_AUTH(arg)
        finally:
            self.session.extended_smtp = False

    def _note_auth_line(self, arg: str) -> str:
        """Note an AUTH line's initial response as a secret (the log masks it) and return the
        line with its mechanism in capitals (names are case-insensitive, RFC 4954 4)."""
        if not arg:
            return arg
        parts = arg.split()
        parts[0] = parts[0].upper()
        if len(parts) == 2:
            self.ctx.recorder.update(self.record, secret=parts[1].encode("utf-8",
                                                                       "surrogateescape"))
        return " ".join(parts)

    def _note_tried(self, arg: str) -> None:
        """A refused AUTH whose initial response names the user: keep the name, so the session
        is still the student's (in class, these are the ones that need finding)."""
        parts = arg.split()
        if len(parts) != 2:
            return
        try:
            decoded = b64decode(parts[1], validate=True)
        except (binascii.Error, ValueError):
            return
        name = login_name(parts[0], decoded, first_answer=True)
        if name:
            self._tried(name)

    def _tried(self, username: str) -> None:
        """Note the account AUTH was tried for. Only a name that is an account's: a client
        that swapped its answers sends the password as the username, and that must reach
        neither the session log nor the screen."""
        account = self.ctx.accounts.find(username)
        if account is not None:
            self.ctx.recorder.update(self.record, tried=account.username)

    async def challenge_auth(self, challenge: str | bytes, encode_to_b64: bool = True,
                             log_client_response: bool = False) -> Any:
        """As aiosmtpd's, but the client's answer is noted as a secret for the session log."""
        raw = challenge.encode() if isinstance(challenge, str) else challenge
        await self.push(b"334 " + (b64encode(raw) if encode_to_b64 else raw))
        line = await self._reader.readline()
        blob = line.strip()
        self.ctx.recorder.update(self.record, secret=blob)
        if blob == b"*":
            await self.push("501 5.7.0 Auth aborted")
            return MISSING
        try:
            return b64decode(blob, validate=True)
        except binascii.Error:
            await self.push("501 5.5.2 Can't decode base64")
            return MISSING

    def _authenticate_login(self, server: Any, session: Any, envelope: Any, mechanism: str,
                            auth_data: LoginPassword) -> AuthResult:
        username = auth_data.login.decode("utf-8", "replace")
        self._tried(username)
        account, verdict = self.ctx.accounts.check(
            username, auth_data.password, self._code_required())
        return self._auth_result(account, verdict)

    def _auth_result(self, account: Any, verdict: AuthVerdict) -> AuthResult:
        if verdict is AuthVerdict.OK and account is not None:
            self.ctx.recorder.update(self.record, username=account.username)
            return AuthResult(success=True, auth_data=account, message=self.reply("auth_ok"))
        key = "auth_code_hint" if verdict is AuthVerdict.CODE_REQUIRED else "auth_invalid"
        return AuthResult(success=False, handled=False, message=self.reply(key))

    @auth_mechanism("CRAM-MD5")
    async def auth_CRAM__MD5(self, _: Any, args: list[str]) -> AuthResult:
        if len(args) > 1:
            await self.push(self.reply("cram_md5_no_initial"))
            return AuthResult(success=False, handled=True)
        challenge = f"<{secrets.randbits(48)}.{int(time.time())}@{self.hostname}>".encode()
        response = await self.challenge_auth(challenge)
        if response is MISSING:
            return AuthResult(success=False, handled=True)
        username, _, digest = response.decode("utf-8", "replace").rpartition(" ")
        if not username or not digest:
            await self.push(self.reply("cannot_split"))
            return AuthResult(success=False, handled=True)
        self._tried(username)
        account, verdict = self.ctx.accounts.check_cram_md5(
            username, challenge, digest, self._code_required())
        return self._auth_result(account, verdict)
