"""Idempotent, crash-safe ingestion: hash -> parse -> chunk -> embed -> upsert.

The pipeline writes two indexes (``VectorIndex``, ``KeywordIndex``: see the contract in
``assistant/ports.py``) and keeps its own **ledger** (``ingest.ledger``): each source (path or
URL) with the Vorlage it yielded, the source's content hash, the recipe (parser, chunking,
dense policy, embedder) and a digest of the chunks each index holds for that Vorlage.

Modules: this one (the run: skip, parse, chunk, embed, recover), ``ingest.documents`` (the
sources: the ``Document`` interface, files and directories), ``ingest.batch_writer`` (one
batch's writes, in the crash-safe order), ``ingest.ledger``, ``ingest.store_lock`` (one writer
at a time) and ``ingest.results`` (the summary and the progress of a run).

Idempotence:
  * chunk ids are ``Chunk.make_id(vorlage_id, section, ordinal)`` and the Vorlage id is a hash
    of its text, so the same document always yields the same chunks;
  * a source whose content hash and recipe equal its ledger entry is skipped without parsing;
  * a changed source first has its old Vorlage deleted from both indexes (unless another source
    still yields it), then the new chunks are written;
  * a source whose Vorlage another source already yielded (the same paper as PDF and as OParl
    JSON) is recorded as a duplicate and writes nothing.

Crash safety: per batch of documents, both indexes are written before the ledger
(``ingest.batch_writer``), and only the ledger says a Vorlage is done. At the start of every
run, under the lock, :meth:`IngestPipeline.recover` deletes from both indexes every Vorlage the
indexes and the ledger disagree about (``Ledger.disagreements``: in an index but not done, not
consistent between the indexes, or with chunks other than the digests the ledger recorded);
their ledger entries are dropped, so the sources given again are ingested again. A process
killed at any point therefore leaves, after the next run, neither duplicate nor orphan chunks.

One writer at a time: ``ingest.store_lock.StoreLock`` on ``ingest.lock`` beside the ledger; a
second writer gets ``IngestLockedError`` at once.

A document that cannot be read, parsed or embedded is recorded in the summary with its German
reason and the run goes on; a backend that fails for a whole batch (embedding service down,
index unreachable) stops the run with a :class:`BackendError`, keeping what was committed.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.ports import BackendError, Embedder, KeywordIndex, VectorIndex
from assistant.ports_records import VorlageRecords
from ingest.batch_writer import BatchWriter, Outcome, Prepared
from ingest.chunking import (
    DEFAULT_DENSE_POLICY,
    DENSE_POLICIES,
    ChunkingOptions,
    chunk_vorlage,
)
from ingest.documents import Document
from ingest.errors import IngestError
from ingest.ledger import Ledger
from ingest.results import Failure, IngestSummary, Progress, ProgressCallback
from ingest.store_lock import LOCK_NAME, StoreLock

log = logging.getLogger(__name__)


@dataclass
class _Run:
    """The state of one ``run``."""

    total: int
    seen: int = 0
    started: float = field(default_factory=time.monotonic)
    summary: IngestSummary = field(default_factory=IngestSummary)


class IngestPipeline:
    """Ingests documents into a vector and a keyword index, idempotently and crash-safely.

    Args:
        embedder / vector_index / keyword_index: the configured backends (ports).
        ledger_path: the ledger file; the lock file ``ingest.lock`` lies beside it.
        chunking: chunk sizes.
        dense_policy: a name from ``ingest.chunking.DENSE_POLICIES``.
        parse_recipe: a string that changes when the parser's options change (e.g. redaction
            switched on), so that every document is ingested again.
        batch_size: documents per batch; one batch is embedded, written and committed together
            (a crash loses at most one batch of work).
        embed_batch_size: texts per ``embed_documents`` call.
        progress: called after each document.
        records: where the parsed Vorlagen are kept for opening (``None``: not kept). A
            record is written before the ledger commits its Vorlage and deleted with it; an
            unchanged source whose record is missing (a store from before records) is parsed
            again for its record only, without embedding.
    """

    def __init__(
        self,
        embedder: Embedder,
        vector_index: VectorIndex,
        keyword_index: KeywordIndex,
        ledger_path: Path,
        *,
        chunking: ChunkingOptions | None = None,
        dense_policy: str = DEFAULT_DENSE_POLICY,
        parse_recipe: str = "",
        batch_size: int = 32,
        embed_batch_size: int = 32,
        progress: ProgressCallback | None = None,
        records: VorlageRecords | None = None,
    ) -> None:
        if dense_policy not in DENSE_POLICIES:
            raise ValueError(f"unknown dense policy {dense_policy!r}")
        if batch_size < 1 or embed_batch_size < 1:
            raise ValueError("batch sizes must be at least 1")
        self.embedder = embedder
        self.vector_index = vector_index
        self.keyword_index = keyword_index
        self.ledger = Ledger(Path(ledger_path))
        self.lock_path = Path(ledger_path).parent / LOCK_NAME
        self.chunking = chunking or ChunkingOptions()
        self.dense_policy = dense_policy
        self.parse_recipe = parse_recipe
        self.batch_size = batch_size
        self.embed_batch_size = embed_batch_size
        self.progress = progress
        self.records = records

    @property
    def recipe(self) -> str:
        """What besides the source decides the chunks: a change re-ingests every document."""
        parts = (
            self.parse_recipe,
            self.chunking.recipe(),
            self.dense_policy,
            self.embedder.name,
        )
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]

    # --- the run --------------------------------------------------------------------------------

    def run(self, sources: Iterable[Document], *, rebuild: bool = False) -> IngestSummary:
        """Ingest ``sources`` (under the lock); ``rebuild`` empties the store first.

        Raises:
            IngestLockedError: another writer holds the store.
            BackendError: an index or the embedder cannot work (German message).
        """
        documents = list(sources)
        run = _Run(total=len(documents))
        with StoreLock(self.lock_path):
            if rebuild:
                # Not opened first: a store built with another embedder (or a damaged keyword
                # file) refuses to open, and replacing it is what a rebuild is for.
                self._reset()
            else:
                self.vector_index.warm_up()
                self.keyword_index.warm_up()
                self.ledger.load()
            run.summary.repaired = self.recover()
            for start in range(0, len(documents), self.batch_size):
                self._run_batch(documents[start : start + self.batch_size], run)
        run.summary.seconds = time.monotonic() - run.started
        return run.summary

    def _reset(self) -> None:
        """Empty ledger first, then both indexes (a crash in between is repaired by recover)."""
        self.ledger.entries = {}
        self.ledger.save()
        self.vector_index.reset()
        self.keyword_index.reset()
        self.keyword_index.persist()
        if self.records is not None:
            self.records.reset()

    def recover(self) -> int:
        """Delete every Vorlage the indexes and the ledger disagree about; return how many.

        Call with the lock held and the ledger loaded (``run`` does both).
        """
        dense = self.vector_index.manifest()
        keyword = self.keyword_index.manifest()
        bad = self.ledger.disagreements(dense, keyword)
        if not bad:
            return 0
        log.warning("removing %d incompletely ingested Vorlagen: %s", len(bad), sorted(bad))
        for vorlage_id in sorted(bad):
            self.vector_index.delete_vorlage(vorlage_id)
            self.keyword_index.delete_vorlage(vorlage_id)
        self.keyword_index.persist()
        if self.records is not None:
            for vorlage_id in bad:
                self.records.delete(vorlage_id)
        self.ledger.entries = {
            k: e for k, e in self.ledger.entries.items() if e.vorlage_id not in bad
        }
        self.ledger.save()
        return len(bad)

    # --- one batch ------------------------------------------------------------------------------

    def _run_batch(self, batch: Sequence[Document], run: _Run) -> None:
        prepared: list[Prepared] = []
        claimed: dict[str, Prepared] = {}
        for document in batch:
            key = _safe_key(document)
            item = self._prepare(document, key, run.summary, claimed)
            if item is not None:
                prepared.append(item)
                if item.outcome != "duplicate":
                    claimed[item.vorlage.id] = item
            run.seen += 1
            self._report(run, key)
        writable = self._embed(prepared, run.summary)
        if writable:
            writer = BatchWriter(
                self.vector_index, self.keyword_index, self.ledger, self.records, self.recipe
            )
            writer.write(writable, run.summary)

    def _prepare(
        self,
        document: Document,
        key: str,
        summary: IngestSummary,
        claimed: Mapping[str, Prepared],
    ) -> Prepared | None:
        """Hash, compare with the ledger, parse and chunk; None when nothing is to be written."""
        try:
            content_hash = document.content_hash()
            old = self.ledger.entries.get(key)
            if old and old.content_hash == content_hash and old.recipe == self.recipe:
                summary.unchanged += 1
                self._backfill(document, old.vorlage_id)
                return None
            vorlage = document.parse()
            chunks = chunk_vorlage(vorlage, self.chunking)
        except Exception as err:
            summary.failed.append(Failure(key, _reason(err, key)))
            return None
        dense = DENSE_POLICIES[self.dense_policy](chunks)
        outcome: Outcome = "updated" if old else "new"
        if vorlage.id in claimed or self.ledger.owner(vorlage.id, self.recipe, besides=key):
            outcome = "duplicate"
        replaces = old.vorlage_id if old else None
        return Prepared(key, content_hash, vorlage, chunks, dense, outcome, replaces)

    def _backfill(self, document: Document, vorlage_id: str) -> None:
        """The record of an unchanged source that has none yet (parsed, not embedded)."""
        if self.records is None or self.records.has(vorlage_id):
            return
        try:
            vorlage = document.parse()
        except Exception:  # the indexes hold it; only its record is missing
            log.info("no record for Vorlage %s: parsing failed", vorlage_id, exc_info=True)
            return
        if vorlage.id == vorlage_id:
            self.records.put(vorlage)

    def _embed(self, prepared: list[Prepared], summary: IngestSummary) -> list[Prepared]:
        """Fill in the vectors; a document whose embedding fails is recorded as failed."""
        todo = [p for p in prepared if p.outcome != "duplicate" and p.dense]
        texts = [c.text for p in todo for c in p.dense]
        try:
            vectors = self._embed_texts(texts)
        except Exception:
            log.info("embedding a batch failed; retrying document by document", exc_info=True)
            return self._embed_one_by_one(prepared, todo, summary)
        position = 0
        for item in todo:
            item.vectors = vectors[position : position + len(item.dense)]
            position += len(item.dense)
        return prepared

    def _embed_one_by_one(
        self, prepared: list[Prepared], todo: list[Prepared], summary: IngestSummary
    ) -> list[Prepared]:
        failed: list[tuple[Prepared, Exception]] = []
        for item in todo:
            try:
                item.vectors = self._embed_texts([c.text for c in item.dense])
            except Exception as error:
                failed.append((item, error))
        if failed and len(failed) == len(todo) and isinstance(failed[0][1], BackendError):
            raise failed[0][1]  # the embedder itself is down: stop, keep what is committed
        for item, problem in failed:
            summary.failed.append(Failure(item.key, _reason(problem, item.key)))
        dropped = {id(item) for item, _ in failed}
        return [p for p in prepared if id(p) not in dropped]

    def _embed_texts(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.embed_batch_size):
            vectors.extend(
                self.embedder.embed_documents(texts[start : start + self.embed_batch_size])
            )
        if len(vectors) != len(texts):
            raise BackendError(
                f"Der Embedder lieferte {len(vectors)} Vektoren für {len(texts)} Texte."
            )
        return vectors

    def _report(self, run: _Run, key: str) -> None:
        if self.progress is None:
            return
        elapsed = time.monotonic() - run.started
        eta = elapsed / run.seen * (run.total - run.seen) if run.seen else None
        self.progress(Progress(run.seen, run.total, run.summary, key, elapsed, eta))


def _safe_key(document: Document) -> str:
    try:
        return document.key
    except Exception:  # a broken source object must not stop the run
        return repr(document)


def _reason(err: Exception, key: str) -> str:
    """The German reason for a failed document (internal errors are logged, not shown)."""
    if isinstance(err, IngestError | BackendError):
        return str(err)
    log.warning("internal error while ingesting %s", key, exc_info=err)
    return f"Interner Fehler ({type(err).__name__}); bitte melden Sie das der Administration."
