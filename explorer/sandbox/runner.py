"""The standalone sandbox: start, print what happens (one line per session and per message),
take scenario switches typed on standard input, and shut down cleanly on Ctrl-C or SIGTERM.

Events arrive on the server thread; they are queued and printed by the main thread, so a slow
terminal never holds up the server. Whatever a client sent is printed through ``visible``.
"""

from __future__ import annotations

import asyncio
import os
import queue
import sys
import threading
import time
from typing import Callable, TextIO

from explorer import stopping
from explorer.core.render import visible, visible_text
from explorer.knowledge.tables import text
from explorer.sandbox.recording import SandboxEvent
from explorer.sandbox.scenarios import error_text
from explorer.sandbox.texts import outcome_text

__all__ = ["run", "format_event"]

POLL = 0.1  # seconds between looks at the server's events (they come from its own thread)
BACKGROUND_CHECK = 0.5  # seconds between looks at whether a background job came to the front


def _stamp(when: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(when))


def _shown(text: str | None) -> str:
    return visible((text or "").encode("utf-8", "surrogateescape"))


def _say(key: str, lang: str, **values: object) -> str:
    return text("sandbox_console", key, lang, **values)


def _names(names, lang: str) -> str:
    """Scenario names (or "none") joined the way the language joins a list."""
    return _say("list-separator", lang).join(sorted(names)) or _say("none", lang)


def format_event(event: SandboxEvent, data_dir: str = "", lang: str = "en") -> str | None:
    """The line printed for an event in ``lang``, or None for events that get no line."""
    stamp = _stamp(event.time)
    separator = _say("list-separator", lang)
    if event.kind == "session-ended" and event.record is not None:
        record = event.record
        parts = [outcome_text(record.outcome, lang), _count(record.messages, "message", lang)]
        if record.username:
            parts.append(_say("part-user", lang, user=_shown(record.username)))
        elif record.tried:  # who failed matters most in class: never the password
            parts.append(_say("part-auth-failed", lang, user=_shown(record.tried[-1])))
        if record.tls:
            parts.append("TLS")
        seconds = (record.ended_at or event.time) - record.started_at
        parts.append(_say("part-seconds", lang, seconds=f"{seconds:.2f}"))
        return _say("session-line", lang, stamp=stamp, id=record.id, peer=record.peer,
                    parts=separator.join(parts))
    if event.kind == "message-stored":
        recipients = separator.join(f"<{_shown(r)}>" for r in event.recipients)
        subject = (visible(event.subject[:80]) if event.subject is not None
                   else _say("no-subject", lang))
        prefix = data_dir.rstrip(os.sep) + os.sep if data_dir else ""
        where = ", ".join(str(p)[len(prefix):] if prefix and str(p).startswith(prefix)
                          else str(p) for p in event.paths)
        return _say("stored", lang, stamp=stamp, id=event.session_id, size=event.size,
                    sender=f"<{_shown(event.sender)}>", recipients=recipients, subject=subject,
                    where=_shown(where))
    if event.kind == "scenarios-changed":
        return _say("scenarios-now", lang, stamp=stamp, names=_names(event.scenarios, lang))
    if event.kind == "warning":
        return _say("warning", lang, stamp=stamp, text=visible_text(event.text))
    return None


def _banner(box, out: TextIO, lang: str = "en") -> None:
    def say(key: str, **values: object) -> None:
        print(_say(key, lang, **values), file=out)

    say("listening", where=f"{box.host}:{box.port}")
    if box.tls_port is not None:
        say("implicit-tls", where=f"{box.host}:{box.tls_port}")
    say("profile", profile=box.profile)
    say("data-dir", path=visible_text(str(box.data_dir)))
    say("maildir", path=visible_text(str(box.store.root)))
    if box.tls:
        say("certificate", path=visible_text(str(box.certificate_path)))
    if getattr(box, "roster", None) is not None:
        # Class mode: the screen may be on a projector; the secrets stay in the roster.
        say("roster", count=len(box.accounts), path=visible_text(str(box.roster)))
    else:
        say("accounts")
        for account in box.accounts:
            print(f"    {visible_text(account.describe(lang))}", file=out)
    say("scenarios", names=_say("list-separator", lang).join(sorted(box.scenarios))
        or _say("no-scenarios", lang))
    print(_say("press-ctrl-c", lang), file=out, flush=True)


class _StdinCommands:
    """Command lines typed on standard input, read by a thread (``select`` cannot wait on a
    console on Windows) with ``os.read`` (a buffered reader's lock, held by a thread blocked in
    it, would stall the interpreter's exit)."""

    def __init__(self, stream: TextIO | None):
        self.lines: queue.SimpleQueue[str] = queue.SimpleQueue()
        try:
            fd = stream.fileno() if stream is not None else None
        except (AttributeError, OSError, ValueError):
            fd = None
        if fd is not None:
            threading.Thread(target=self._read, args=(fd,), name="sandbox-stdin",
                             daemon=True).start()

    def _read(self, fd: int) -> None:
        buffer = b""
        while True:
            while _in_background(fd):  # reading now would stop the whole job (SIGTTIN)
                time.sleep(BACKGROUND_CHECK)
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:  # end of input: stop listening to it
                if buffer.strip():
                    self.lines.put(buffer.decode("utf-8", "replace"))
                return
            buffer += chunk
            *complete, buffer = buffer.split(b"\n")
            for line in complete:
                self.lines.put(line.decode("utf-8", "replace"))

    def ready(self) -> list[str]:
        found = []
        while True:
            try:
                found.append(self.lines.get_nowait())
            except queue.Empty:
                return found


def _in_background(fd: int) -> bool:
    """True if ``fd`` is a terminal and this process is a background job on it (POSIX)."""
    try:
        return os.isatty(fd) and os.tcgetpgrp(fd) != os.getpgrp()
    except (AttributeError, OSError):  # Windows has no process groups on a console
        return False


def _command(box, line: str, out: TextIO, lang: str = "en") -> None:
    words = line.split()
    if not words:
        return
    if words[0] in ("scenario", "scenarios"):
        names = words[1:]
        if names == ["none"]:
            names = []
        if len(words) == 1 and words[0] == "scenarios":
            print(_say("scenarios-list", lang, names=_names(box.scenarios, lang)), file=out)
            return
        try:
            box.set_scenarios(names)
        except ValueError as exc:
            print(_say("command-error", lang, text=visible_text(error_text(exc, lang))), file=out)
    elif words[0] == "status":
        sessions = box.sessions
        live = sum(1 for s in sessions if s.live)
        print(_say("status", lang, sessions=_count(box.recorder.total_sessions, "session", lang),
                   live=live, messages=_count(box.recorder.total_messages, "message", lang),
                   names=_names(box.scenarios, lang)), file=out)
    else:
        print(_say("commands-help", lang), file=out)
    out.flush()


def run(make_sandbox: Callable[[Callable[[SandboxEvent], None]], object],
        out: TextIO = sys.stdout, err: TextIO = sys.stderr, stdin: TextIO | None = sys.stdin,
        on_session: Callable[[object], None] | None = None, lang: str = "en") -> int:
    """Run a standalone sandbox until a stop signal (Ctrl-C, SIGTERM, Ctrl-Break); returns the
    exit status.

    Stop signals are kept from the start (``explorer.stopping``; the entry point begins that
    before its slow imports) and acted on by this thread's event loop, never raised in
    whatever frame runs: one that arrives while the sandbox starts stops it once it is up.
    ``on_session`` gets the record of every session that ends (``--save``), on this thread.
    """
    stopping.catch_early()  # if the entry point did not (a direct call): from now on
    events: queue.SimpleQueue[SandboxEvent] = queue.SimpleQueue()
    box = None
    try:
        box = make_sandbox(events.put)
        if stopping.requested() is None:
            box.start()  # type: ignore[attr-defined]
            _drain(events, box, out, err, on_session, lang)
            if not box.loopback:  # type: ignore[attr-defined]
                # Before the banner, on its own: a lab network reaches this server.
                key = ("lab-network-plaintext" if box.allow_plaintext_auth  # type: ignore[attr-defined]
                       else "lab-network-tls")
                warning = _say(key, lang, host=box.host)  # type: ignore[attr-defined]
                print(format_event(SandboxEvent("warning", time.time(), text=warning), lang=lang),
                      file=err, flush=True)
            _banner(box, out, lang)
            if stdin is not None and stdin.isatty():
                print(_say("commands-help", lang), file=out, flush=True)
            try:
                asyncio.run(_serve(box, events, out, err, _StdinCommands(stdin), on_session,
                                   lang))
            except KeyboardInterrupt:  # from an on_session callback: a stop request too
                pass
        print("\n" + _say("stopping", lang), file=out, flush=True)
    finally:
        # The loop's own handlers went with it: a second Ctrl-C must not cut the stop short.
        stopping.catch_early()
        try:
            if box is not None:
                box.stop()  # type: ignore[attr-defined]
        finally:
            stopping.release(deliver=False)
    _drain(events, box, out, err, on_session, lang)
    recorder = box.recorder  # type: ignore[attr-defined]
    print(_say("stopped", lang, sessions=_count(recorder.total_sessions, "session", lang),
               messages=_count(recorder.total_messages, "message", lang)), file=out, flush=True)
    return 0


async def _serve(box, events: "queue.SimpleQueue[SandboxEvent]", out: TextIO, err: TextIO,
                 commands: _StdinCommands, on_session: Callable[[object], None] | None,
                 lang: str = "en") -> None:
    """Print events and run typed commands until a stop signal."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in stopping.SIGNALS:
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError, ValueError, OSError):
            pass  # Windows, or not the main thread: the early handler below wakes the loop
    stopping.on_request(lambda signum: loop.call_soon_threadsafe(stop.set))
    if stopping.requested() is not None:  # arrived before the loop took over
        stop.set()
    # The kept request is also looked at on every turn: the listener only makes it prompt.
    while not stop.is_set() and stopping.requested() is None:
        _drain(events, box, out, err, on_session, lang)
        for line in commands.ready():
            _command(box, line, out, lang)
            _drain(events, box, out, err, on_session, lang)  # the "scenarios now" line right after it
        try:
            await asyncio.wait_for(stop.wait(), POLL)
        except asyncio.TimeoutError:
            pass


def _drain(events: "queue.SimpleQueue[SandboxEvent]", box, out: TextIO, err: TextIO,
           on_session: Callable[[object], None] | None = None, lang: str = "en") -> None:
    wrote = False
    while True:
        try:
            event = events.get_nowait()
        except queue.Empty:
            break
        line = format_event(event, str(box.data_dir), lang)
        if line is not None:
            print(line, file=err if event.kind == "warning" else out)
            wrote = True
        if on_session is not None and event.kind == "session-ended" and event.record is not None:
            on_session(event.record)  # it reports in one line itself and never raises
            wrote = True
    if wrote:
        out.flush()
        err.flush()


def _count(number: int, noun: str, lang: str = "en") -> str:
    return _say(f"{noun}-{'1' if number == 1 else 'n'}", lang, n=number)

