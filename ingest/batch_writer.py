"""Writing one batch of prepared documents to both indexes, the records and the ledger.

Crash safety, in the order of writes per batch: delete replaced Vorlagen from both indexes ->
upsert dense chunks (durable per call) -> upsert keyword chunks -> ``persist()`` the keyword
index (atomic) -> keep the records -> write the ledger (atomic). Only the ledger says a
Vorlage is done; a crash before it leaves chunks that ``IngestPipeline.recover`` removes on
the next run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from assistant.ports import KeywordIndex, VectorIndex
from assistant.ports_records import VorlageRecords
from assistant.schema import Chunk, Vorlage
from ingest.ledger import Ledger, LedgerEntry, manifest_digest
from ingest.quality import INCOMPLETE
from ingest.results import Failure, Incomplete, IngestSummary

Outcome = Literal["new", "updated", "duplicate"]
_ORIGINAL_FAILED = "Die gleiche Vorlage aus einer anderen Quelle konnte nicht importiert werden."


@dataclass
class Prepared:
    """A parsed, chunked document waiting for its embeddings and its write."""

    key: str
    content_hash: str
    vorlage: Vorlage
    chunks: list[Chunk]
    dense: list[Chunk]
    outcome: Outcome
    replaces: str | None  # the Vorlage id to delete first (an update), if any
    vectors: list[list[float]] = field(default_factory=list)


@dataclass(frozen=True)
class BatchWriter:
    """Writes prepared, embedded documents in the crash-safe order (module docstring).

    ``recipe`` is the pipeline's (``IngestPipeline.recipe``); ``records``: where the parsed
    Vorlagen are kept for opening, or ``None``.
    """

    vector_index: VectorIndex
    keyword_index: KeywordIndex
    ledger: Ledger
    records: VorlageRecords | None
    recipe: str

    def write(self, items: list[Prepared], summary: IngestSummary) -> None:
        """Delete replaced Vorlagen, upsert into both indexes, persist, then commit the ledger."""
        writing = [p for p in items if p.outcome != "duplicate"]
        deleted = self._to_delete(items)
        for vorlage_id in deleted:
            self.vector_index.delete_vorlage(vorlage_id)
            self.keyword_index.delete_vorlage(vorlage_id)
        dense_chunks = [c for p in writing for c in p.dense]
        dense_vectors = [v for p in writing for v in p.vectors]
        if dense_chunks:
            self.vector_index.upsert(dense_chunks, dense_vectors)
        self.keyword_index.upsert([c for p in writing for c in p.chunks])
        self.keyword_index.persist()
        self._keep_records(writing, deleted)
        entries = {p.vorlage.id: self._entry(p) for p in writing}
        recorded: list[Prepared] = []
        for item in items:
            entry = entries.get(item.vorlage.id) or self.ledger.entry_for(
                item.vorlage.id, self.recipe
            )
            if entry is None:  # a duplicate whose original failed in this batch: next run
                summary.failed.append(Failure(item.key, _ORIGINAL_FAILED))
                continue
            self.ledger.entries[item.key] = entry.with_hash(item.content_hash)
            recorded.append(item)
        self.ledger.save()
        for item in recorded:
            _count(item, summary)

    def _keep_records(self, writing: list[Prepared], deleted: list[str]) -> None:
        if self.records is None:
            return
        written = {p.vorlage.id for p in writing}
        for vorlage_id in deleted:
            if vorlage_id not in written:
                self.records.delete(vorlage_id)
        for item in writing:
            self.records.put(item.vorlage)

    def _to_delete(self, items: list[Prepared]) -> list[str]:
        """Old Vorlagen of changed sources that no other source yields, and ids being rewritten.

        A changed source that is now a duplicate of another still gives up its old Vorlage.
        """
        done = self.ledger.vorlage_ids()
        ids: set[str] = set()
        for item in items:
            old = item.replaces
            if old and old != item.vorlage.id and not self.ledger.shared(old, besides=item.key):
                ids.add(old)
            if item.outcome != "duplicate" and item.vorlage.id in done:
                ids.add(item.vorlage.id)
        return sorted(ids)

    def _entry(self, item: Prepared) -> LedgerEntry:
        keyword = {c.id: c.fingerprint() for c in item.chunks}
        dense = {c.id: keyword[c.id] for c in item.dense}
        return LedgerEntry(
            vorlage_id=item.vorlage.id,
            content_hash=item.content_hash,
            recipe=self.recipe,
            keyword=manifest_digest(keyword),
            dense=manifest_digest(dense),
            chunks=len(keyword),
            dense_chunks=len(dense),
        )


def _count(item: Prepared, summary: IngestSummary) -> None:
    if item.outcome == "duplicate":
        summary.duplicates += 1
        return
    if item.outcome == "new":
        summary.new += 1
    else:
        summary.updated += 1
    quality = item.vorlage.parse_quality
    if quality is not None and quality.status in INCOMPLETE:
        summary.incomplete.append(Incomplete(item.key, quality.status))
    summary.chunks_written += len(item.chunks)
    summary.dense_written += len(item.dense)
