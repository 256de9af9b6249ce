"""What ``vorlagen summarize`` reads: files, an OParl system, or the Vorlagen of a store.

Files and OParl papers are the ingestion's documents (:func:`assistant.usecases.ingest.
gather_sources`). The Vorlagen of a store come through :class:`StoredVorlagen`, a small port:
the store's parsed records where it keeps them, else Vorlagen put together from its chunks
(``api.container`` picks). A stored Vorlage's content hash is its id, which is the hash of its
normalised text (:func:`assistant.schema.vorlage_id`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.ports_records import VorlageRecords
from assistant.schema import Vorlage
from ingest.errors import IngestError

__all__ = [
    "STORE_PREFIX",
    "RecordsFirst",
    "StoreDocument",
    "StoredVorlagen",
    "store_documents",
    "visible_documents",
]

STORE_PREFIX = "index:"


class StoredVorlagen(Protocol):
    """The Vorlagen of a store, by id.

    Contract: ``vorlage_ids()`` lists every Vorlage of the store (sorted); ``vorlage(id)``
    returns it as parsed (or as near as the store keeps it), or ``None`` when the store no
    longer holds it; neither reads more than that one Vorlage.
    """

    def vorlage_ids(self) -> list[str]: ...

    def vorlage(self, vorlage_id: str) -> Vorlage | None: ...


@dataclass(frozen=True)
class RecordsFirst:
    """The store's parsed records where it keeps one (``VorlageRecords``, written by the
    ingestion since it keeps them), else the Vorlage as ``fallback`` has it (e.g. put
    together from the chunks); the ids are the fallback's (every Vorlage of the index)."""

    records: VorlageRecords
    fallback: StoredVorlagen

    def vorlage_ids(self) -> list[str]:
        return self.fallback.vorlage_ids()

    def vorlage(self, vorlage_id: str) -> Vorlage | None:
        return self.records.get(vorlage_id) or self.fallback.vorlage(vorlage_id)


@dataclass(frozen=True)
class StoreDocument:
    """One Vorlage of a store as a document of the summary run (``ingest.documents.Document``)."""

    vorlage_id: str
    stored: StoredVorlagen

    @property
    def key(self) -> str:
        return f"{STORE_PREFIX}{self.vorlage_id}"

    def content_hash(self) -> str:
        return self.vorlage_id

    def parse(self) -> Vorlage:
        vorlage = self.stored.vorlage(self.vorlage_id)
        if vorlage is None:
            raise IngestError(f"Die Vorlage {self.vorlage_id} ist nicht mehr im Index.")
        return vorlage


def store_documents(stored: StoredVorlagen) -> Sequence[StoreDocument]:
    """Every Vorlage of the store as a document."""
    return [StoreDocument(vorlage_id, stored) for vorlage_id in stored.vorlage_ids()]


def visible_documents(stored: StoredVorlagen, *, allow_nonpublic: bool) -> list[StoreDocument]:
    """The store's Vorlagen a caller may see as documents: without the right only those marked
    öffentlich (each Vorlage is read once to know; a nichtöffentliche or unmarked one is left
    out, as search leaves it out)."""
    documents = list(store_documents(stored))
    if allow_nonpublic:
        return documents
    return [d for d in documents if _public(stored.vorlage(d.vorlage_id))]


def _public(vorlage: Vorlage | None) -> bool:
    return vorlage is not None and vorlage.oeffentlich is True
