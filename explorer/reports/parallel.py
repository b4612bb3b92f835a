"""Per-session work of the class report on every core: a term's log is ten thousand sessions,
each walked on its own, so they are shared out to worker processes.

:func:`map_sessions` is ``map`` with a pool behind it. The workers are forked from the report's
process, so they find the sessions already in memory and get only their numbers: sending the
sessions themselves would cost more than walking them. Where ``fork`` is not there or not safe
(Windows has none; on macOS CPython warns that a fork without exec can crash in system
libraries), for a small log or on a single core, it is the plain loop: the results are the same,
in the same order. Workers ignore Ctrl-C: the parent takes it, cancels what has not started and stops them.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Sequence, TypeVar

__all__ = ["map_sessions", "workers"]

T = TypeVar("T")
R = TypeVar("R")

#: Below this many items the loop is quicker than starting the workers.
POOL_FROM = 1000
MAX_WORKERS = 8

# What the forked workers read: set in the parent just before the pool starts.
_work: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def workers() -> int:
    """The cores this process may use (its affinity where the system tells it)."""
    try:
        count = len(os.sched_getaffinity(0))  # Linux: the cores a container or taskset allows
    except (AttributeError, OSError):  # Windows, macOS
        count = os.cpu_count() or 1
    return max(1, min(count, MAX_WORKERS))


def _can_fork() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _quiet() -> None:
    # In a worker: a Ctrl-C is the parent's to act on, not a traceback per worker.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run(bounds: tuple[int, int]) -> list[Any]:
    function, items = _work  # type: ignore[misc]
    return [function(items[i]) for i in range(*bounds)]


def map_sessions(function: Callable[[T], R], items: Sequence[T], *,
                 least: int | None = None) -> list[R]:
    """``[function(item) for item in items]``, on every core when there are ``least`` items
    (default :data:`POOL_FROM`) or more. The results travel back by pickle: keep them small."""
    global _work
    count = workers()
    if count < 2 or len(items) < (POOL_FROM if least is None else least) or not _can_fork():
        return [function(item) for item in items]
    step = max(1, -(-len(items) // (count * 4)))  # a few batches per worker: an even finish
    batches = [(start, min(start + step, len(items))) for start in range(0, len(items), step)]
    _work = (function, items)
    pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"),
                               initializer=_quiet)
    try:
        results = [r for batch in pool.map(_run, batches) for r in batch]
    except (BrokenProcessPool, OSError):  # no process may start here: the loop does it
        pool.shutdown(wait=False, cancel_futures=True)
        return [function(item) for item in items]
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        _work = None
    pool.shutdown()
    return results
