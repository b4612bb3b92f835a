"""aiosmtpd's SMTP protocol, configured and corrected for teaching (aiosmtpd 1.4.6).

What this subclass changes, and why (AUTH is in ``auth.py``):
- every byte in and out is recorded (``data_received`` and ``push``), after TLS in plaintext;
- EHLO advertises what the server really does, ENHANCEDSTATUSCODES and PIPELINING included
  (aiosmtpd processes pipelined commands in order: a test sends them in one write), and stock
  replies get the enhanced status code they lack;
- the command-size limits are per connection and RFC 5321's 512 octets with CRLF: aiosmtpd
  keeps them in a class-level dict shared by every connection, and each EHLO adds 26 + 10
  octets to MAIL's limit for good; its default is 512 without the CRLF;
- what it reads is bounded (``reading.py``): a line's limit holds before its line end, a line
  must end within the command timeout, and the timeouts answer 421 before closing;
- the session cap counts sessions being served, so a burst at the cap serves exactly the cap;
  over it, and under the ``shutdown`` scenario, the client gets 421 at connect;
- scenarios that act on commands (require-tls, require-auth, shutdown, slow) are checked at
  every command, so switching them at run time takes effect for the next command;
- set-up and address parsing are made cheaper (``__dir__``, ``_getaddr``): with recording and a
  synced Maildir the sandbox must stay within 2x of a bare aiosmtpd (bench/bench_sandbox.py);
- the replies and policies are the sandbox's profile (``profile.py``): its banner, HELO/EHLO,
  the unknown-command reply (never an echo of the command: aiosmtpd's would send a client's
  Base64 credentials back), what AUTH gets before STARTTLS, and the stock replies it rewords;
- a connection accepted on the implicit-TLS port (as 465) is encrypted from the first byte.
"""

from __future__ import annotations

import asyncio
import collections
import email.utils
import functools
import ipaddress
import re
import secrets
from typing import Any, Awaitable, Callable

from aiosmtpd.smtp import SMTP, TLSSetupException, syntax

from explorer.lint.commands import envelope_path
from explorer.sandbox.auth import AUTH_HIDDEN, MECHANISMS, AuthMixin
from explorer.sandbox.context import ServerContext
from explorer.sandbox.reading import COMMAND_LINE_LIMIT, EXTENDED_LIMITS, ReadingLimits
from explorer.sandbox.texts import DEFAULT_LANGUAGE, ENHANCED_CODES, REPLIES, STOCK_REPLIES, reply

__all__ = ["SandboxSMTP", "MECHANISMS"]

BEFORE_STARTTLS = {"EHLO", "HELO", "NOOP", "STARTTLS", "QUIT"}
NEED_AUTH = {"MAIL", "RCPT", "DATA", "VRFY", "HELP"}
_REPLY = re.compile(rb"^(\d{3})([ -])(.*)\Z", re.S)
_ENHANCED = re.compile(rb"^[245]\.\d{1,3}\.\d{1,3}(?: |\Z)")
_STOCK_REPLIES = {text.encode(): key for text, key in STOCK_REPLIES.items()}
# aiosmtpd's replies that echo what the client sent, and the reply key each becomes.
_UNKNOWN = re.compile(rb'^500 Error: command ".*" not recognized\Z', re.S)
_ECHOES = ((_UNKNOWN, "unknown_command"),
           (re.compile(rb"^502 Could not VRFY ", re.S), "vrfy_bad_address"))
_TEACHING_KEYS = frozenset(STOCK_REPLIES.values()) & frozenset(REPLIES[DEFAULT_LANGUAGE])
_POLISHED: dict[bytes, bytes] = {}


def _with_enhanced_code(data: bytes) -> bytes:
    """A stock reply with the enhanced status code it lacks (EHLO advertises them)."""
    match = _REPLY.match(data)
    if match is None:
        return data
    code, sep, text = int(match[1]), match[2], match[3]
    enhanced = ENHANCED_CODES.get(code)
    if enhanced is None or _ENHANCED.match(text):
        return data
    return match[1] + sep + enhanced.encode() + b" " + text


class _AddressParserSettings:
    local_part_limit = 0  # all that aiosmtpd's _getaddr reads from its instance


@functools.lru_cache(maxsize=4096)
def _parse_address(arg: str) -> tuple[str | None, str | None]:
    return SMTP._getaddr(_AddressParserSettings(), arg)  # type: ignore[arg-type]


def _peer_text(address: Any) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        host = str(address[0])
        return f"[{host}]:{address[1]}" if ":" in host else f"{host}:{address[1]}"
    return str(address)


def _is_loopback(address: Any) -> bool:
    try:
        return ipaddress.ip_address(str(address[0]).split("%", 1)[0]).is_loopback
    except (ValueError, TypeError, IndexError):
        return False


class SandboxSMTP(ReadingLimits, AuthMixin, SMTP):
    """One connection to the sandbox."""

    command_size_limit = COMMAND_LINE_LIMIT
    _COMMAND_NAMES: tuple[str, ...] = ()  # filled in below the class

    def __init__(self, ctx: ServerContext, handler: Any, implicit_tls: bool = False):
        self.ctx = ctx
        self.profile = ctx.profile
        self.implicit_tls = implicit_tls
        self.token = secrets.token_hex(6)  # the per-session id real servers put in replies
        self._peer_ip = ""
        self._unknown = 0  # unknown commands so far (a profile may drop the client after N)
        self._size_base: int | None = ctx.max_message_size
        self.record = None
        self._close_reason: str | None = None
        self._quit = False
        self._local_loopback = True
        self._served = False  # counted in ctx.serving
        self._init_reading()
        self.awaiting_reply = False  # a DATA hook has finished; its reply is not sent yet
        super().__init__(
            handler,
            data_size_limit=ctx.max_message_size,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname=ctx.hostname,
            ident=self._ident(ctx.hostname),
            tls_context=ctx.tls_context,
            require_starttls=False,  # the require-tls scenario decides, per command
            timeout=ctx.idle_timeout,
            auth_required=False,  # the require-auth scenario decides, per command
            auth_require_tls=False,  # our own policy: see _auth_allowed()
            authenticator=self._authenticate_login,
            loop=ctx.loop,
        )
        self.command_size_limits = collections.defaultdict(
            lambda: COMMAND_LINE_LIMIT, EXTENDED_LIMITS)
        self.AuthLoginUsernameChallenge, self.AuthLoginPasswordChallenge = \
            self.profile.auth_prompts

    def reply(self, key: str, **fields: object) -> str:
        """Reply ``key`` as this sandbox's profile words it, for this session."""
        return self.profile.reply(key, self.ctx.language, hostname=self.hostname, id=self.token,
                                  ip=self._peer_ip, **fields)

    def _ident(self, hostname: str) -> str:
        # aiosmtpd sends "220 <hostname> <ident>": the ident is the profile's banner after that.
        banner = self.profile.reply("banner", self.ctx.language, hostname=hostname,
                                    id=self.token, date=email.utils.formatdate(localtime=True))
        prefix = f"220 {hostname} "
        return banner[len(prefix):] if banner.startswith(prefix) else banner[4:]

    @property
    def secure(self) -> bool:
        """Whether the connection is encrypted (after STARTTLS, or from the first byte)."""
        return self.implicit_tls or self._tls_protocol is not None

    def __dir__(self) -> list[str]:
        # aiosmtpd's __init__ finds commands and AUTH mechanisms with inspect.getmembers(self)
        # and dir(self), which evaluate every attribute of the instance: 70% of the cost of a
        # connection's set-up, paid per connection. Only smtp_* and auth_* names matter there.
        return list(self._COMMAND_NAMES)

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        # aiosmtpd parses every MAIL/RCPT address with the email package's full header parser,
        # about 0.1 ms each; a class sends the same few addresses again and again.
        if self.local_part_limit:
            return super()._getaddr(arg)
        return _parse_address(arg)

    # -- scenario-aware settings --------------------------------------------------------------

    @property  # type: ignore[override]
    def data_size_limit(self) -> int | None:
        scenario = self.ctx.scenarios.size_limit
        if scenario is None:
            return self._size_base
        return min(scenario, self._size_base) if self._size_base else scenario

    @data_size_limit.setter
    def data_size_limit(self, value: int | None) -> None:
        self._size_base = value

    # -- connection life ----------------------------------------------------------------------

    def connection_made(self, transport: Any) -> None:
        if self._original_transport is None and self.record is None:
            peer = transport.get_extra_info("peername")
            self._peer_ip = str(peer[0]) if isinstance(peer, tuple) and peer else ""
            self._local_loopback = _is_loopback(transport.get_extra_info("sockname"))
            self.record = self.ctx.recorder.open_session(_peer_text(peer))
            self.ctx.live.add(self)
        super().connection_made(transport)
        if self._original_transport is not None or self.implicit_tls:
            self._guard.reset()  # aiosmtpd discards what came before the handshake; so do we
            self.ctx.recorder.update(self.record, tls=True)

    def connection_lost(self, error: Exception | None) -> None:
        try:
            super().connection_lost(error)
        finally:
            self.ctx.live.discard(self)
            if self._served:
                self._served = False
                self.ctx.serving -= 1
            if self.record is not None:
                outcome = self._close_reason or ("quit" if self._quit else "client-closed")
                self.ctx.recorder.finish(self.record, outcome)

    async def _handle_client(self) -> None:
        language = self.ctx.language
        if self.ctx.closing:
            return self.close_with("server-stopped", reply("stopping", language,
                                                           hostname=self.hostname))
        if "shutdown" in self.ctx.scenarios:
            return self.close_with("shutdown-scenario", reply("shutdown", language))
        if self.ctx.serving >= self.ctx.max_sessions:
            return self.close_with("too-many-sessions", reply("too_many_sessions", language,
                                                              hostname=self.hostname))
        self.ctx.serving += 1
        self._served = True
        await super()._handle_client()

    async def handle_exception(self, error: Exception) -> str:
        if isinstance(error, TLSSetupException):
            self._close_reason = self._close_reason or "tls-failed"
            return reply("internal_error", self.ctx.language, error="TLS")
        self.ctx.recorder.emit_warning(f"session #{getattr(self.record, 'id', '?')}: "
                                       f"{type(error).__name__}: {error}")
        return reply("internal_error", self.ctx.language, error=type(error).__name__)

    # -- output -------------------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        writer = getattr(self, "_writer", None)
        if (writer is None or writer.transport is None or writer.transport.is_closing()
                or self._lingering):
            return
        if self.record is not None:
            self.ctx.recorder.add(self.record, "server", data)
        writer.write(data)

    async def _send(self, data: bytes) -> None:
        delay = self.ctx.scenarios.slow
        if delay:
            await asyncio.sleep(delay)
        self._write(data)
        self.awaiting_reply = False
        self._next_line_is(data)
        await self._writer.drain()

    async def push(self, status: str | bytes) -> None:
        data = status.encode("utf-8", "surrogateescape") if isinstance(status, str) else status
        if _UNKNOWN.match(data) and self._one_unknown_too_many():
            return self.close_with("too-many-unknown", self.reply("too_many_unknown"))
        await self._send(self._polish(data) + b"\r\n")

    def _one_unknown_too_many(self) -> bool:
        # Exim drops a client after its third unknown command (aiosmtpd only after its fifth).
        self._unknown += 1
        limit = self.profile.max_unknown_commands
        return bool(limit) and self._unknown >= limit

    def _polish(self, data: bytes) -> bytes:
        """Replace an echo of the client's text, or a stock reply that reads badly (or that the
        profile words its own way), or add a stock reply's missing enhanced status code."""
        for pattern, key in _ECHOES:
            if pattern.match(data):
                return self.reply(key).encode("utf-8")
        key = _STOCK_REPLIES.get(data)
        if key is not None and (self.profile.has(key) or key in _TEACHING_KEYS):
            return self.reply(key).encode("utf-8")  # not cached: it may hold the session's id
        if not self.profile.enhanced_codes:
            return data
        polished = _POLISHED.get(data)
        if polished is None:
            polished = _with_enhanced_code(data)
            if len(_POLISHED) < 1024:  # stock replies are few; other texts (addresses) are not
                _POLISHED[data] = polished
        return polished

    # -- commands -----------------------------------------------------------------------------

    async def _refused(self, name: str, arg: Any) -> bool:
        """Apply the scenarios and the profile's policies; True if the command was answered (or
        the connection closed) instead of being run. Every smtp_* method goes through this."""
        scenarios, profile = self.ctx.scenarios, self.profile
        if "shutdown" in scenarios:
            self.close_with("shutdown-scenario", reply("shutdown", self.ctx.language))
            return True
        if name == "STARTTLS" and self.implicit_tls:  # aiosmtpd would start a second TLS layer
            await self.push(self.reply("tls_already_active"))
            return True
        if (("require-tls" in scenarios or profile.require_tls) and not self.secure
                and name not in BEFORE_STARTTLS):
            self._note_who(name, arg)
            await self.push(self.reply("require_tls"))
            return True
        if (("require-auth" in scenarios or profile.require_auth) and name in NEED_AUTH
                and not (self.session and self.session.authenticated)):
            self._note_who(name, arg)
            await self.push(self.reply("require_auth"))
            return True
        if name == "QUIT" and not arg:
            self._quit = True
        return False

    def _note_who(self, name: str, arg: Any) -> None:
        """A command refused before it ran (a scenario's 530) still names the student: the
        username in an AUTH line's initial response (its secret masked in the log), the MAIL
        FROM address. In class, the sessions that fail are the ones that need finding."""
        if not isinstance(arg, str):
            return
        if name == "AUTH":
            self._note_tried(self._note_auth_line(arg))
        elif name == "MAIL":
            address, _ = envelope_path(arg, "FROM:")
            if address:
                self.ctx.recorder.update(self.record, mail_from=address)

    def _ehlo_lines(self) -> list[str]:
        """The extensions, as the profile lists them for a plain or an encrypted connection."""
        lines = []
        hide_auth = not self._auth_allowed() and self.profile.auth_before_tls in AUTH_HIDDEN
        for line in self.profile.ehlo_tls if self.secure else self.profile.ehlo:
            if line == "SIZE":  # the sandbox's own limit
                if self.data_size_limit:
                    lines.append(f"SIZE {self.data_size_limit}")
            elif line == "STARTTLS" and (self.secure or not self.tls_context):
                continue
            elif not (line.startswith("AUTH") and hide_auth):
                lines.append(line)
        return lines

    @syntax("EHLO hostname")
    async def smtp_EHLO(self, hostname: str) -> None:
        if not hostname:
            return await self.push("501 Syntax: EHLO hostname")
        self._set_rset_state()
        self.session.extended_smtp = True
        self.session.host_name = hostname
        lines = [self.reply("ehlo_greets", client=hostname)] + self._ehlo_lines()
        text = "".join(f"250{'-' if i < len(lines) - 1 else ' '}{line}\r\n"
                       for i, line in enumerate(lines))
        await self._send(text.encode("utf-8", "surrogateescape"))

    @syntax("HELO hostname")
    async def smtp_HELO(self, hostname: str) -> None:
        if not hostname:
            return await self.push("501 Syntax: HELO hostname")
        self._set_rset_state()
        self.session.extended_smtp = False
        self.session.host_name = hostname
        await self._send((self.reply("helo", client=hostname) + "\r\n").encode(
            "utf-8", "surrogateescape"))


def _guarded(name: str, method: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    @functools.wraps(method)  # keeps the @syntax data that HELP reads
    async def guarded(self: SandboxSMTP, arg: Any) -> None:
        if not await self._refused(name, arg):
            await method(self, arg)

    return guarded


# Every command goes through the scenario check. Wrapping the methods once, on the class, costs
# nothing per connection (wrapping aiosmtpd's per-connection method table would).
for _name in dir(SandboxSMTP):
    if _name.startswith("smtp_"):
        setattr(SandboxSMTP, _name, _guarded(_name[5:], getattr(SandboxSMTP, _name)))

SandboxSMTP._COMMAND_NAMES = tuple(sorted(
    name for name in dir(SandboxSMTP) if name.startswith(("smtp_", "auth_"))))
