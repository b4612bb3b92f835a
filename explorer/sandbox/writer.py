"""Making accepted messages durable, in batches, before their 250 goes out.

Each session writes its message into tmp/ itself (``MaildirStore.stage``: an open and a write
into the page cache) and queues it here. Once per turn of the event loop, everything queued is
committed as one batch (``MaildirStore.commit``: each file synced, renamed into new/, each new/
directory synced once; the first sync commits the file system's journal for the whole batch,
so the others cost little), and each session's future is settled: 250 only after that.

The commit runs on the event loop, blocking it for the batch's syncs (about a millisecond on
an SSD). That was measured against the alternatives with bench/bench_sandbox.py: a thread pool
(one hand-over per message) cost about 1 ms of CPU per message, and a single writer thread
still cost 0.3 to 1 ms per message in GIL contention with the loop, more on a busy machine:
more than the syncs block. With CPU the bottleneck of a classroom on one machine, the loop
doing its own batched syncs gives the most messages per second.
"""

from __future__ import annotations

import asyncio

from explorer.sandbox.storage import MaildirStore

__all__ = ["BatchWriter"]


class BatchWriter:
    """Commits staged messages once per loop turn. Use from the event loop's thread only."""

    def __init__(self, store: MaildirStore):
        self.store = store
        self._pending: list[tuple[list[list], asyncio.Future]] = []
        self.batches = 0
        self.committed = 0

    def submit(self, staged: list[list]) -> asyncio.Future:
        """Queue a staged message; its future gets the final paths or an OSError."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        if not self._pending:
            loop.call_soon(self._commit)
        self._pending.append((staged, future))
        return future

    def _commit(self) -> None:
        batch, self._pending = self._pending, []
        if not batch:
            return
        try:
            results: list = self.store.commit([staged for staged, _ in batch])
        except BaseException as exc:  # a bug must fail the messages, not hang them
            results = [OSError(f"{type(exc).__name__}: {exc}")] * len(batch)
        self.batches += 1
        for (_, future), result in zip(batch, results):
            if isinstance(result, list):
                self.committed += 1
            if future.done():
                continue
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)

    def close(self) -> None:
        """Commit anything still queued (after the loop stopped: nobody awaits it any more)."""
        batch, self._pending = self._pending, []
        if batch:
            self.store.commit([staged for staged, _ in batch])

