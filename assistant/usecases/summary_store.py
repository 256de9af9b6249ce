"""Summaries kept as metadata of their Vorlage in the store (issue 13, "back into the product").

:class:`StoredSummaries` is the port search needs: the Kurzfassung of found Vorlagen, by id.
:class:`JsonlSummaries` keeps them in ``<store>/summaries.jsonl`` (the records of
:class:`~assistant.usecases.summary_log.SummaryLog`, one per Vorlage id, the newest wins),
rewritten atomically by :meth:`JsonlSummaries.put` and read again only when the file changed.
Only summaries are kept (status ``ok`` or ``befunde``); a Kurzfassung kept with findings is
shown as such (``presenter_summaries.kurzfassung_text``). Chroma's metadata is left alone: a
summary is written long after ingestion, and changing it there would rewrite the vectors'
records.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Protocol

from assistant.summary_schema import SummaryRecord
from assistant.usecases.summary_log import SummaryLog

__all__ = ["JsonlSummaries", "StoredSummaries"]


class StoredSummaries(Protocol):
    """The summaries of a store's Vorlagen.

    Contract: ``get_many(ids)`` returns the record of each id that has a summary (others are
    left out; never raises for unknown ids); ``put(records)`` keeps every summarised record
    with a Vorlage id (the newer of two for one id wins) and returns how many it kept;
    safe from several threads.
    """

    def get_many(self, vorlage_ids: Collection[str]) -> dict[str, SummaryRecord]: ...

    def put(self, records: Iterable[SummaryRecord]) -> int: ...


class JsonlSummaries:
    """The summaries in ``path`` (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.log = SummaryLog(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._by_id: dict[str, SummaryRecord] = {}

    def get_many(self, vorlage_ids: Collection[str]) -> dict[str, SummaryRecord]:
        by_id = self._current()
        return {vid: by_id[vid] for vid in vorlage_ids if vid in by_id}

    def put(self, records: Iterable[SummaryRecord]) -> int:
        new = [r for r in records if r.summarised and r.vorlage_id]
        if not new:
            return 0
        with self.log.lock(), self._lock:
            by_id = _by_id(self.log.read())
            for record in new:
                known = by_id.get(record.vorlage_id or "")
                if known is None or known.created_at <= record.created_at:
                    by_id[record.vorlage_id or ""] = record
            self.log.compact(by_id.values())
            self._stamp = None
        return len(new)

    def _current(self) -> dict[str, SummaryRecord]:
        path = self.log.path
        with self._lock:
            try:
                stat = path.stat()
            except FileNotFoundError:
                return {}
            stamp = (stat.st_mtime_ns, stat.st_size)
            if stamp != self._stamp:
                self._by_id = _by_id(self.log.read())
                self._stamp = stamp
            return self._by_id


def _by_id(records: Iterable[SummaryRecord]) -> dict[str, SummaryRecord]:
    by_id: dict[str, SummaryRecord] = {}
    for record in records:
        if record.vorlage_id and record.summarised:
            known = by_id.get(record.vorlage_id)
            if known is None or known.created_at <= record.created_at:
                by_id[record.vorlage_id] = record
    return by_id
