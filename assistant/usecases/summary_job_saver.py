"""Writing a running job's state, throttled (issue 13: a summary job reports after every
document, and a database write per document is more than a progress bar needs).

:class:`StateSaver` is called in the event loop; the writes themselves run in a worker thread
(a database call blocks), one at a time, each taking the newest state when it begins.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["StateSaver"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class StateSaver(Generic[T]):
    """Writes ``snapshot()`` with ``write`` (blocking; run in a thread).

    * :meth:`soon`: after a change. Writes at once when the last write began ``every_s`` ago
      or longer, else once that much time has passed since it; further changes meanwhile
      are taken by that one write. A failing write is logged, never raised (the job goes on).
    * :meth:`now`: at the start and the end. Waits for a write under way, then writes the
      newest state and raises what ``write`` raises.

    Call both in the event loop.
    """

    def __init__(self, write: Callable[[T], None], snapshot: Callable[[], T], every_s: float):
        if every_s < 0:
            raise ValueError("every_s must not be negative")
        self.write = write
        self.snapshot = snapshot
        self.every_s = every_s
        self._lock = asyncio.Lock()
        self._due: asyncio.TimerHandle | None = None
        self._pending: set[asyncio.Task[None]] = set()
        self._last = -math.inf

    def soon(self) -> None:
        if self._due is not None:
            return
        loop = asyncio.get_running_loop()
        delay = max(0.0, self._last + self.every_s - loop.time())
        self._due = loop.call_later(delay, self._fire)

    async def now(self) -> None:
        if self._due is not None:
            self._due.cancel()
            self._due = None
        for task in list(self._pending):
            await task
        await self._write()

    def _fire(self) -> None:
        self._due = None
        self._last = asyncio.get_running_loop().time()
        task = asyncio.ensure_future(self._quietly())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _quietly(self) -> None:
        try:
            await self._write()
        except Exception:  # the job goes on; the next write (at the latest its end) retries
            log.warning("Zwischenstand nicht gespeichert", exc_info=True)

    async def _write(self) -> None:
        async with self._lock:
            self._last = asyncio.get_running_loop().time()
            state = self.snapshot()
            await asyncio.to_thread(self.write, state)
