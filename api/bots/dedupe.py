"""Each platform event handled once: Slack retries an event it thinks was not acknowledged
(same event id), and a mention in a channel arrives twice (``app_mention`` and ``message``,
two event ids, one message). :class:`SeenEvents` remembers keys in a bounded, time-limited
memory of this process (an app running as several instances behind a load balancer should
pin a platform's events to one instance; docs/bots.md)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

__all__ = ["SeenEvents"]


class SeenEvents:
    """Remembers at most ``size`` keys for ``ttl_s`` seconds each."""

    def __init__(
        self,
        size: int = 10_000,
        ttl_s: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if size < 1:
            raise ValueError("size >= 1")
        self.size = size
        self.ttl_s = ttl_s
        self.clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, keys: Iterable[str]) -> bool:
        """True when none of ``keys`` was seen (they are remembered now); False for a repeat.
        Empty keys are ignored; no keys at all is always a first time. Synchronous on
        purpose: two deliveries handled concurrently cannot both pass."""
        wanted = [key for key in keys if key]
        self._expire()
        if any(key in self._seen for key in wanted):
            return False
        now = self.clock()
        for key in wanted:
            self._seen[key] = now
            self._seen.move_to_end(key)
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._seen)

    def _expire(self) -> None:
        limit = self.clock() - self.ttl_s
        while self._seen:
            key, seen = next(iter(self._seen.items()))
            if seen >= limit:
                return
            del self._seen[key]
