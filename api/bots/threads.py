"""Which draft a Slack or Teams thread refines: the port and an in-memory implementation.

The mapping must outlive a restart (a clerk writes „kürzer“ the next morning), so the app
uses the database (``storage/bot_threads.py``, table ``bot_threads``); :class:`MemoryThreads`
is for tests and for a bot without a database.
"""

from __future__ import annotations

import threading
from typing import Protocol

__all__ = ["MemoryThreads", "ThreadStore"]


class ThreadStore(Protocol):
    """Thread -> draft, durable.

    Contract: ``thread_key`` is the platform's key of a thread or conversation (at most 300
    characters); :meth:`bind` creates or replaces the thread's draft (the latest draft
    started in a thread is the one it refines); :meth:`draft_of` is ``None`` for an unknown
    thread. The methods block (database I/O): async callers use ``asyncio.to_thread``. A
    draft removed from the archive removes its threads.
    """

    def draft_of(self, platform: str, thread_key: str) -> str | None: ...

    def bind(self, platform: str, thread_key: str, draft_id: str, user_name: str) -> None: ...


class MemoryThreads:
    """:class:`ThreadStore` in memory (lost at a restart)."""

    def __init__(self) -> None:
        self._drafts: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def draft_of(self, platform: str, thread_key: str) -> str | None:
        with self._lock:
            return self._drafts.get((platform, thread_key))

    def bind(self, platform: str, thread_key: str, draft_id: str, user_name: str) -> None:
        with self._lock:
            self._drafts[(platform, thread_key)] = draft_id
