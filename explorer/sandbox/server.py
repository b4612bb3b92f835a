"""The sandbox server: a real SMTP server on its own thread and event loop.

We do not use aiosmtpd's ``Controller``: it cannot start on port 0 (it checks readiness by
connecting to the port it was given, not the one the OS chose), it opens a throw-away connection
that would show up as a session, and it listens with asyncio's default backlog of 100, which
drops connection attempts when a classroom connects at once (each drop costs that client a
second or more of SYN retry). Here the server socket is made with ``backlog=1024`` and the real
port is read back from it.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import socket
import threading
import time
from pathlib import Path
from typing import Callable, Iterable

from explorer.knowledge.keyed import KeyedError
from explorer.sandbox.accounts import DEFAULT_ACCOUNTS, Account, AccountBook
from explorer.sandbox.context import ServerContext
from explorer.sandbox.handler import SandboxHandler
from explorer.sandbox.profile import DEFAULT_PROFILE, load_profile
from explorer.sandbox.protocol import SandboxSMTP
from explorer.sandbox.recording import Recorder, SandboxEvent, SessionRecord
from explorer.sandbox.scenarios import parse_scenarios
from explorer.sandbox.storage import MaildirStore, StoredMessage, default_data_dir
from explorer.sandbox.texts import reply
from explorer.sandbox.tls import CERT_NAME, load_server_context
from explorer.sandbox.writer import BatchWriter

__all__ = ["Sandbox", "SandboxError", "is_loopback_host"]

DEFAULT_MAX_SESSIONS = 1000
DEFAULT_COMMAND_TIMEOUT = 60.0
#: The embedded sandbox of one learner's REPL or lesson: an open line may wait as long as idling.
LEARNER_COMMAND_TIMEOUT = 300.0
DEFAULT_MAX_MESSAGE_SIZE = 10 * 1024 * 1024
DEFAULT_BACKLOG = 1024
START_TIMEOUT = 15.0
DRAIN_TIMEOUT = 10.0  # how long stop() lets messages being stored finish and be answered


class SandboxError(KeyedError):
    """The sandbox could not start (port in use, data directory unusable...): one line, in any
    language through :meth:`text` (table ``sandbox_errors``)."""

    table = "sandbox_errors"


def is_loopback_host(host: str) -> bool:
    """True if every address ``host`` names is a loopback address."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0].split("%", 1)[0]).is_loopback
                               for info in infos)


def _quiet_aiosmtpd() -> None:
    # aiosmtpd logs a warning for every AUTH (its own deprecated login_data) and every unknown
    # command; with no logging configured Python would print them on stderr, over the
    # sandbox's own output. A handler on its logger keeps them out of the terminal while an
    # application that configures logging still receives them.
    logger = logging.getLogger("mail.log")
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())


def _merge_accounts(accounts: Iterable[Account] | None, include_defaults: bool) -> list[Account]:
    given = list(accounts or [])
    names = {a.username.lower() for a in given}
    base = [a for a in DEFAULT_ACCOUNTS if a.username.lower() not in names] if include_defaults \
        else []
    return base + given


class Sandbox:
    """A teaching SMTP server on ``host:port`` (port 0: the OS chooses; read ``port`` after start).

    ``accounts`` are added to the two default accounts (one with the same username replaces
    the default); ``scenarios`` are spellings accepted by ``validate_scenario``;
    ``allow_plaintext_auth`` None means AUTH without TLS is allowed on loopback connections
    only; ``on_event`` is called from the server thread and must neither block nor call
    ``stop()``. ``keep_sessions`` finished records stay in memory (all go to the session log).
    ``roster``: the class roster the accounts came from (class mode: no default accounts).
    ``idle_timeout``: seconds without a byte before 421; ``command_timeout``: seconds a line
    (command or message text) may take from its first octet to its end; ``max_sessions``:
    sessions served at once (more get 421 at connect). Half-written files a killed sandbox left
    in the Maildir's tmp/ are removed by ``start()``.

    ``profile`` names the server it behaves like (``PROFILE_NAMES``; its host name and message
    size limit apply unless ``hostname`` / ``max_message_size`` are given). ``tls_port`` opens a
    second port with TLS from the first byte (as 465); None opens one (port chosen by the OS)
    only if the profile has implicit TLS.

    After ``start()``: ``host``, ``port`` and ``tls_port`` (the real ones), ``data_dir``,
    ``certificate_path``,
    ``accounts``, ``scenarios`` / ``set_scenarios()``, ``sessions`` (snapshots),
    ``messages()`` (the Maildir), ``wait_until_idle()``; ``stop()`` or ``with`` ends it.
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, data_dir: Path | None = None,
                 accounts: list[Account] | None = None, scenarios: Iterable[str] = (),
                 allow_plaintext_auth: bool | None = None, idle_timeout: float = 300.0,
                 command_timeout: float = DEFAULT_COMMAND_TIMEOUT,
                 max_sessions: int = DEFAULT_MAX_SESSIONS,
                 max_message_size: int | None = None,
                 on_event: Callable[[SandboxEvent], None] | None = None,
                 hostname: str | None = None, include_default_accounts: bool = True,
                 tls: bool = True, session_log: bool = True, log_credentials: bool = False,
                 keep_sessions: int = 1000, backlog: int = DEFAULT_BACKLOG,
                 language: str = "en", roster: Path | None = None,
                 profile: str = DEFAULT_PROFILE, tls_port: int | None = None,
                 sock: socket.socket | None = None):
        chosen = load_profile(profile)  # ValueError naming the known profiles
        if max_message_size is None:
            max_message_size = chosen.max_message_size or DEFAULT_MAX_MESSAGE_SIZE
        if tls_port is None and chosen.implicit_tls and tls:
            tls_port = 0
        for number in (port, tls_port or 0):
            if not 0 <= int(number) <= 65535:
                raise ValueError(f"port {number} is out of range (0-65535)")
        if idle_timeout <= 0 or command_timeout <= 0 or max_sessions < 1 or max_message_size < 1:
            raise ValueError("idle_timeout, command_timeout, max_sessions and max_message_size "
                             "must be positive")
        self.host = host
        self.port = int(port)
        # A socket already listening: the REPL binds one at once, so it can show the port and
        # let a connection wait in the kernel's backlog while the server starts in the background.
        self._sock = sock
        if sock is not None:
            self.host, self.port = sock.getsockname()[:2]
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.accounts: list[Account] = _merge_accounts(accounts, include_default_accounts)
        self.roster = roster  # class mode: where the accounts came from (their secrets stay there)
        self.hostname = hostname or chosen.hostname
        self._hostname_given = hostname
        self.tls_port = tls_port if tls else None
        self._tls_server: asyncio.AbstractServer | None = None
        self.allow_plaintext_auth = allow_plaintext_auth
        self.loopback = is_loopback_host(host)
        self.backlog = backlog
        self.tls = tls
        self.recorder = Recorder(
            log_path=self.data_dir / "sessions.jsonl" if session_log else None,
            log_credentials=log_credentials, keep_finished=keep_sessions, on_event=on_event)
        self.store = MaildirStore(self.data_dir)
        self._ctx = ServerContext(
            hostname=self.hostname, accounts=AccountBook(self.accounts), store=self.store,
            recorder=self.recorder, writer=None,  # made by start()
            scenarios=parse_scenarios(scenarios), tls_context=None,
            allow_plaintext_auth=allow_plaintext_auth, idle_timeout=idle_timeout,
            max_sessions=max_sessions, max_message_size=max_message_size, language=language,
            command_timeout=command_timeout, profile=chosen)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._lock = threading.Lock()

    # -- public API ---------------------------------------------------------------------------

    @property
    def certificate_path(self) -> Path:
        """PEM of the sandbox's self-signed certificate: load it to trust the server."""
        return self.data_dir / "tls" / CERT_NAME

    @property
    def profile(self) -> str:
        """The name of the profile the sandbox behaves like."""
        return self._ctx.profile.name

    def set_profile(self, name: str) -> None:
        """Behave like another server from the next connection (thread-safe); its host name
        too, unless one was given. ``ValueError`` names the known profiles."""
        chosen = load_profile(name)
        if self._hostname_given is None:
            self.hostname = self._ctx.hostname = chosen.hostname
        self._ctx.profile = chosen

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def scenarios(self) -> frozenset[str]:
        """The active scenarios, canonical spelling (``size-limit=1024``, ``slow=1``)."""
        return self._ctx.scenarios.names

    def set_scenarios(self, names: Iterable[str]) -> None:
        """Replace the active scenarios (thread-safe); takes effect for the next command."""
        parsed = parse_scenarios(names)
        self._ctx.scenarios = parsed
        self.recorder.emit(SandboxEvent("scenarios-changed", time.time(),
                                        scenarios=parsed.names))

    @property
    def sessions(self) -> list[SessionRecord]:
        """Snapshots of the recorded sessions, live and finished, oldest first."""
        return self.recorder.snapshot()

    def wait_until_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no session is open (a client's close is seen by the server a moment
        after the client sees it); True if that happened within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while any(record.live for record in self.recorder.snapshot()):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)
        return True

    def messages(self) -> list[StoredMessage]:
        """What the Maildir holds now, oldest first."""
        return self.store.messages()

    def __enter__(self) -> "Sandbox":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> "Sandbox":
        """Start listening; returns once connections are accepted. Raises ``SandboxError``."""
        with self._lock:
            if self._thread is not None:
                raise SandboxError("already-running")
            _quiet_aiosmtpd()
            try:
                self.store.ensure()
                self.store.clean_tmp()
                if self.tls:
                    hosts = [self.host] if self.host else []
                    self._ctx.tls_context, _ = load_server_context(self.data_dir / "tls", hosts)
            except OSError as exc:
                raise SandboxError("data-directory", path=self.data_dir, reason=exc.strerror or exc) from None
            self._ctx.writer = BatchWriter(self.store)
            self._ctx.closing = False
            ready = threading.Event()
            failure: list[BaseException] = []
            self._thread = threading.Thread(target=self._run, args=(ready, failure),
                                            name=f"sandbox-{self.host}:{self.port}", daemon=True)
            self._thread.start()
            if not ready.wait(START_TIMEOUT) or failure:
                self._thread.join(START_TIMEOUT)
                self._thread = None
                self._ctx.writer.close()
                raise self._start_error(failure[0] if failure else None)
        self.recorder.emit(SandboxEvent("listening", time.time(), text=f"{self.host}:{self.port}"))
        return self

    def stop(self) -> None:
        """Stop cleanly: messages being stored finish and are answered, every client gets 421,
        the thread is joined and no worker thread is left. Safe to call twice."""
        with self._lock:
            thread, loop = self._thread, self._loop
            if thread is None or loop is None:
                return
            try:
                future = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
                future.result(DRAIN_TIMEOUT + 10)
            except Exception:  # the loop is gone or stuck: fall back to stopping it
                loop.call_soon_threadsafe(loop.stop)
            thread.join()
            self._thread = None
            if self._ctx.writer is not None:  # commits anything still queued
                self._ctx.writer.close()
                self._ctx.writer = None
            self.recorder.close()
        self.recorder.emit(SandboxEvent("stopped", time.time()))

    # -- the server thread --------------------------------------------------------------------

    def _start_error(self, error: BaseException | None) -> SandboxError:
        where = f"{self.host}:{self.port}"
        if isinstance(error, OSError):
            if error.errno == errno.EADDRINUSE:
                return SandboxError("address-in-use", where=where)
            if error.errno in (errno.EACCES, errno.EPERM):
                return SandboxError("permission-denied", where=where)
            return SandboxError("cannot-listen", where=where, reason=error.strerror or str(error))
        if error is None:
            return SandboxError("start-timeout", seconds=f"{START_TIMEOUT:g}")
        return SandboxError("cannot-listen", where=where, reason=error)

    def _run(self, ready: threading.Event, failure: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._ctx.loop = loop
        handler = SandboxHandler(self._ctx)
        try:
            def listen(port: int) -> asyncio.AbstractServer:
                if self._sock is not None:
                    return loop.run_until_complete(loop.create_server(
                        lambda: SandboxSMTP(self._ctx, handler), sock=self._sock, backlog=self.backlog))
                return loop.run_until_complete(loop.create_server(
                    lambda: SandboxSMTP(self._ctx, handler), host=self.host or None,
                    port=port, backlog=self.backlog, reuse_address=True))

            try:
                self._server = listen(self.port)
                ports = {sock.getsockname()[1] for sock in self._server.sockets}
                if len(ports) > 1:  # a name with IPv4 and IPv6 addresses, port 0: one port
                    chosen = self._server.sockets[0].getsockname()[1]
                    self._server.close()
                    loop.run_until_complete(self._server.wait_closed())
                    self._server = listen(chosen)
            except BaseException as exc:  # bind errors are reported by start()
                failure.append(exc)
                ready.set()
                return
            self.port = self._server.sockets[0].getsockname()[1]
            if self.tls_port is not None and self._ctx.tls_context is not None:
                try:
                    self._tls_server = loop.run_until_complete(loop.create_server(
                        lambda: SandboxSMTP(self._ctx, handler, implicit_tls=True),
                        host=self.host or None, port=self.tls_port, ssl=self._ctx.tls_context,
                        backlog=self.backlog, reuse_address=True))
                except BaseException as exc:
                    self._server.close()
                    failure.append(exc)
                    ready.set()
                    return
                self.tls_port = self._tls_server.sockets[0].getsockname()[1]
            threading.current_thread().name = f"sandbox-{self.host}:{self.port}"
            self._loop = loop
            ready.set()
            loop.run_forever()
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                loop.close()
                self._loop = None
                self._server = None

    async def _shutdown(self) -> None:
        ctx = self._ctx
        assert self._server is not None
        self._server.close()
        if self._tls_server is not None:
            self._tls_server.close()
        ctx.closing = True
        deadline = time.monotonic() + DRAIN_TIMEOUT
        # Messages being stored finish, and their 250 goes out, before anyone is cut off.
        while time.monotonic() < deadline and (
                ctx.in_flight or any(p.awaiting_reply for p in ctx.live)):
            await asyncio.sleep(0.01)
        for protocol in list(ctx.live):
            protocol.close_with("server-stopped", reply("stopping", ctx.language,
                                                        hostname=self.hostname))
        while ctx.live and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._server.wait_closed()
        asyncio.get_running_loop().call_soon(asyncio.get_running_loop().stop)
