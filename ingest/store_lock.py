"""One writer per store: an exclusive ``fcntl.flock`` on ``ingest.lock`` beside the ledger.

The kernel releases the lock when the process dies, even by SIGKILL. A second writer gets
:class:`IngestLockedError` at once, naming the PID that holds the lock.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from assistant.ports import BackendError

LOCK_NAME = "ingest.lock"


class IngestLockedError(BackendError):
    """Another process is ingesting into the same store."""


class StoreLock:
    """An exclusive, non-blocking ``flock`` on a file; holds the owner's PID for the message."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def __enter__(self) -> StoreLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unbekannt"
            os.close(fd)
            raise IngestLockedError(
                f"Ein anderer Import läuft bereits (PID {owner}). Bitte warten Sie, bis er "
                "beendet ist, und starten Sie den Import dann erneut."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
