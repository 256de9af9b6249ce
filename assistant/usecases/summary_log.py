"""``summaries.jsonl``: the append-only file of summary records (issue 13).

Durability and resuming:

* :meth:`SummaryLog.append` writes one record as one line and ``fsync``s it before returning:
  a record that was appended survives a crash (Ctrl-C, ``kill -9``, power loss);
* :meth:`SummaryLog.read` is tolerant: a torn last line (a process killed while writing) and
  any line that is not a valid record are skipped and counted; before the next append the
  torn tail is cut off, so the file stays one record per line;
* the latest record of a source wins (:meth:`SummaryLog.latest`): a document summarised again
  after a failure or a change replaces its older line when the run ends
  (:meth:`SummaryLog.compact`, written atomically), so the file holds one record per document;
* one writer at a time: :meth:`SummaryLog.lock` takes an exclusive ``flock`` on
  ``summaries.lock`` beside the file (released by the kernel when the process dies).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import ValidationError

from assistant.ports import BackendError
from assistant.summary_schema import SummaryRecord
from ingest.atomic import atomic_write

__all__ = ["SummaryLog", "SummaryLogLockedError"]


class SummaryLogLockedError(BackendError):
    """Another run writes into the same summaries file."""


class SummaryLog:
    """The records in ``path`` (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.skipped_lines = 0

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(f"{self.path.stem}.lock")

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the exclusive lock of this file (``SummaryLogLockedError`` if taken)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise SummaryLogLockedError(
                f"Ein anderer Lauf schreibt bereits nach {self.path}. Bitte warten Sie, bis er "
                "beendet ist."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def read(self) -> list[SummaryRecord]:
        """Every valid record in file order; broken lines are skipped (``skipped_lines``)."""
        self.skipped_lines = 0
        if not self.path.exists():
            return []
        records: list[SummaryRecord] = []
        with self.path.open("rb") as handle:
            for line in handle:
                if not line.strip():
                    continue
                try:
                    records.append(SummaryRecord.model_validate_json(line))
                except (ValidationError, ValueError):
                    self.skipped_lines += 1
        return records

    def latest(self) -> dict[str, SummaryRecord]:
        """Source -> its latest record."""
        return {record.source: record for record in self.read()}

    def append(self, record: SummaryRecord) -> None:
        """Append ``record`` as one line and ``fsync`` it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = (record.model_dump_json() + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            _cut_torn_tail(fd)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)

    def compact(self, keep: Iterable[SummaryRecord] | None = None) -> int:
        """Rewrite the file atomically with one record per source (the latest, in first-seen
        order), or exactly ``keep``; returns the number of records."""
        records = list(keep) if keep is not None else list(self.latest().values())
        text = "".join(record.model_dump_json() + "\n" for record in records)
        atomic_write(self.path, text)
        return len(records)


def _cut_torn_tail(fileno: int) -> None:
    """Cut a last line without its newline (a writer died in the middle of it)."""
    size = os.fstat(fileno).st_size
    if size == 0 or os.pread(fileno, 1, size - 1) == b"\n":
        return
    end = size
    step = 4096
    while end > 0:
        start = max(0, end - step)
        chunk = os.pread(fileno, end - start, start)
        at = chunk.rfind(b"\n")
        if at >= 0:
            os.ftruncate(fileno, start + at + 1)
            return
        end = start
    os.ftruncate(fileno, 0)
