"""The port of the parsed Vorlagen a store keeps (``vectorstore/records.py``), beside the
index ports of :mod:`assistant.ports`."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from assistant.schema import Vorlage

__all__ = ["VorlageRecords"]


@runtime_checkable
class VorlageRecords(Protocol):
    """The parsed Vorlagen of a store, by id (what a clerk sees when opening a found Vorlage).

    Contract:
      * ``put(vorlage)`` keeps it, replacing an earlier record of the same id, atomically: a
        reader sees the old record or the new one, never a mix;
      * ``get(id)`` returns the record or ``None`` (unknown id, or an id that cannot be a
        record); it never raises for a caller's id;
      * ``has(id)`` tells whether ``get`` would find one, without reading it;
      * ``delete(id)`` forgets it (no error when there is none); ``reset()`` forgets all.
    """

    def put(self, vorlage: Vorlage) -> None: ...

    def get(self, vorlage_id: str) -> Vorlage | None: ...

    def has(self, vorlage_id: str) -> bool: ...

    def delete(self, vorlage_id: str) -> None: ...

    def reset(self) -> None: ...
