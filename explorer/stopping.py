"""Stop signals (SIGINT from Ctrl-C, SIGTERM, Windows' Ctrl-Break) kept from the first moment.

A program that installs its handlers late loses what arrives before: a SIGINT during start-up
is a ``KeyboardInterrupt`` in whatever import runs (a traceback), and a sandbox started as a
background job, which inherits SIGINT as *ignored*, never sees it at all. So the entry point
calls :func:`catch_early` before anything slow: from then on a stop signal is only *kept*, in
any frame, never raised. A command then either takes the request over (the sandbox: see
``sandbox/runner.py``, which acts on it from its event loop), or calls :func:`release`, which
puts the previous handlers back and delivers a signal kept meanwhile, so that command behaves
exactly as if the signal had just arrived.

Deliberately tiny: it runs before every other import. It uses ``_signal``, the built-in
module under ``signal`` (same functions), because ``signal`` first imports ``enum``, which
takes long enough at start-up for a Ctrl-C to land in it.
"""

from __future__ import annotations

import _signal as signal
import threading
from typing import Any, Callable

__all__ = ["SIGNALS", "catch_early", "release", "requested", "on_request"]

#: The signals that ask a program to stop, on this system.
SIGNALS: tuple[int, ...] = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGBREAK")
                                 if hasattr(signal, name))

_previous: dict[int, Any] = {}  # the handlers catch_early() replaced
_received: list[int] = []  # stop signals kept, oldest first
_listeners: list[Callable[[int], None]] = []


def _keep(signum: int, frame: object) -> None:
    _received.append(signum)
    for listener in list(_listeners):
        listener(signum)


def catch_early() -> None:
    """Keep stop signals from now on, also one that was ignored when the program started.
    Called again, it only puts its handler back (an event loop that closed may have reset
    them); :func:`release` still restores the handlers from before the first call. Does
    nothing off the main thread (Python runs signal handlers on the main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in SIGNALS:
        try:
            before = signal.signal(signum, _keep)
        except (OSError, ValueError):  # not settable here: left as it is
            continue
        _previous.setdefault(signum, before)


def requested() -> int | None:
    """The first stop signal kept so far, or None."""
    return _received[0] if _received else None


def on_request(listener: Callable[[int], None] | None) -> None:
    """Call ``listener(signum)`` (from the signal handler, on the main thread) for each stop
    signal kept from now on; None removes every listener."""
    if listener is None:
        _listeners.clear()
    else:
        _listeners.append(listener)


def release(deliver: bool = True) -> None:
    """Put back the handlers from before :func:`catch_early`. With ``deliver``, a stop signal
    kept meanwhile is raised again now, and does what it would have done then (for SIGINT
    under Python's default handler: ``KeyboardInterrupt`` here)."""
    pending = requested()
    for signum, handler in _previous.items():
        signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
    _previous.clear()
    _received.clear()
    _listeners.clear()
    if deliver and pending is not None:
        signal.raise_signal(pending)
