"""The standalone sandbox: start, print what happens (one line per session and per message),
take scenario switches typed on standard input, and shut down cleanly on Ctrl-C or SIGTERM.

Events arrive on the server thread; they are queued and printed by the main thread, so a slow
terminal never holds up the server. Whatever a client sent is printed through ``visible``.
"""

from __future__ import annotations

import os
import queue
import select
import signal
import sys
import time
from typing import Callable, TextIO

from explorer.core.render import visible, visible_text
from explorer.sandbox.recording import SandboxEvent
from explorer.sandbox.texts import outcome_text

__all__ = ["run", "format_event"]

COMMANDS_HELP = ("commands: scenario NAME... (switch, e.g. 'scenario greylist slow=0.5'), "
                 "scenario none, status, help")


def _stamp(when: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(when))


def _shown(text: str | None) -> str:
    return visible((text or "").encode("utf-8", "surrogateescape"))


def format_event(event: SandboxEvent, data_dir: str = "") -> str | None:
    """The line printed for an event, or None for events that get no line."""
    stamp = _stamp(event.time)
    if event.kind == "session-ended" and event.record is not None:
        record = event.record
        parts = [outcome_text(record.outcome)]
        parts.append(f"{record.messages} message{'s' if record.messages != 1 else ''}")
        if record.username:
            parts.append(f"user {_shown(record.username)}")
        if record.tls:
            parts.append("TLS")
        seconds = (record.ended_at or event.time) - record.started_at
        parts.append(f"{seconds:.2f} s")
        return f"{stamp} session #{record.id} {record.peer}: {', '.join(parts)}"
    if event.kind == "message-stored":
        recipients = ", ".join(f"<{_shown(r)}>" for r in event.recipients)
        subject = visible(event.subject[:80]) if event.subject is not None else "(no subject)"
        prefix = data_dir.rstrip(os.sep) + os.sep if data_dir else ""
        where = ", ".join(str(p)[len(prefix):] if prefix and str(p).startswith(prefix)
                          else str(p) for p in event.paths)
        return (f"{stamp} session #{event.session_id} stored {event.size} octets from "
                f"<{_shown(event.sender)}> to {recipients}: {subject} -> {_shown(where)}")
    if event.kind == "scenarios-changed":
        names = ", ".join(sorted(event.scenarios)) or "none"
        return f"{stamp} scenarios now: {names}"
    if event.kind == "warning":
        return f"{stamp} warning: {visible_text(event.text)}"
    return None


def _banner(box, out: TextIO) -> None:
    print(f"smtp-explorer sandbox listening on {box.host}:{box.port}", file=out)
    print(f"  data directory: {visible_text(str(box.data_dir))}", file=out)
    print(f"  mail (Maildir): {visible_text(str(box.store.root))}", file=out)
    if box.tls:
        print(f"  STARTTLS certificate: {visible_text(str(box.certificate_path))}", file=out)
    if getattr(box, "roster", None) is not None:
        # Class mode: the screen may be on a projector; the secrets stay in the roster.
        print(f"  accounts: {len(box.accounts)} from the roster "
              f"{visible_text(str(box.roster))} (passwords and codes are in that file)",
              file=out)
    else:
        print("  accounts:", file=out)
        for account in box.accounts:
            print(f"    {visible_text(account.describe())}", file=out)
    active = ", ".join(sorted(box.scenarios)) or "none (see --help)"
    print(f"  scenarios: {active}", file=out)
    print("Press Ctrl-C to stop.", file=out, flush=True)


class _StdinCommands:
    """Reads command lines from standard input without blocking the main loop."""

    def __init__(self, stream: TextIO):
        try:
            self.fd: int | None = stream.fileno()
        except (AttributeError, OSError, ValueError):
            self.fd = None
        self.buffer = b""

    def lines(self, timeout: float) -> list[str]:
        if self.fd is None:
            time.sleep(timeout)
            return []
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return []
        chunk = os.read(self.fd, 4096)
        if not chunk:  # end of input: stop listening to it
            self.fd = None
            return [self.buffer.decode("utf-8", "replace")] if self.buffer.strip() else []
        self.buffer += chunk
        *complete, self.buffer = self.buffer.split(b"\n")
        return [line.decode("utf-8", "replace") for line in complete]


def _command(box, line: str, out: TextIO) -> None:
    words = line.split()
    if not words:
        return
    if words[0] in ("scenario", "scenarios"):
        names = words[1:]
        if names == ["none"]:
            names = []
        if len(words) == 1 and words[0] == "scenarios":
            print(f"scenarios: {', '.join(sorted(box.scenarios)) or 'none'}", file=out)
            return
        try:
            box.set_scenarios(names)
        except ValueError as exc:
            print(f"error: {visible_text(str(exc))}", file=out)
    elif words[0] == "status":
        sessions = box.sessions
        live = sum(1 for s in sessions if s.live)
        print(f"{box.recorder.total_sessions} sessions ({live} open), "
              f"{box.recorder.total_messages} messages accepted; scenarios: "
              f"{', '.join(sorted(box.scenarios)) or 'none'}", file=out)
    else:
        print(COMMANDS_HELP, file=out)
    out.flush()


def run(make_sandbox: Callable[[Callable[[SandboxEvent], None]], object],
        out: TextIO = sys.stdout, err: TextIO = sys.stderr, stdin: TextIO = sys.stdin,
        on_session: Callable[[object], None] | None = None) -> int:
    """Run a standalone sandbox until Ctrl-C / SIGTERM; returns the exit status.

    ``on_session`` gets the record of every session that ends (``--save``), on the main thread.
    """
    events: queue.SimpleQueue[SandboxEvent] = queue.SimpleQueue()
    box = make_sandbox(events.put)
    # SIGINT explicitly too: a shell starting us in the background leaves SIGINT ignored.
    previous = {sig: signal.signal(sig, handler) for sig, handler in (
        (signal.SIGTERM, _raise_interrupt), (signal.SIGINT, signal.default_int_handler))}
    try:
        box.start()  # type: ignore[attr-defined]
        _drain(events, box, out, err, on_session)  # a warning (non-loopback address) comes first
        _banner(box, out)
        if stdin is not None and stdin.isatty():
            print(COMMANDS_HELP, file=out, flush=True)
        commands = _StdinCommands(stdin)
        while True:
            _drain(events, box, out, err, on_session)
            for line in commands.lines(0.1):
                _command(box, line, out)
                _drain(events, box, out, err, on_session)  # the "scenarios now" line right after it
    except KeyboardInterrupt:
        print("\nstopping: letting messages being stored finish...", file=out, flush=True)
    finally:
        try:
            box.stop()  # type: ignore[attr-defined]
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    _drain(events, box, out, err, on_session)
    recorder = box.recorder  # type: ignore[attr-defined]
    print(f"smtp-explorer sandbox stopped cleanly: {_count(recorder.total_sessions, 'session')}"
          f", {_count(recorder.total_messages, 'message')} accepted", file=out, flush=True)
    return 0


def _drain(events: "queue.SimpleQueue[SandboxEvent]", box, out: TextIO, err: TextIO,
           on_session: Callable[[object], None] | None = None) -> None:
    wrote = False
    while True:
        try:
            event = events.get_nowait()
        except queue.Empty:
            break
        line = format_event(event, str(box.data_dir))
        if line is not None:
            print(line, file=err if event.kind == "warning" else out)
            wrote = True
        if on_session is not None and event.kind == "session-ended" and event.record is not None:
            on_session(event.record)  # it reports in one line itself and never raises
            wrote = True
    if wrote:
        out.flush()
        err.flush()


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
