"""Idempotent, crash-safe ingestion: hash -> parse -> chunk -> embed -> upsert.

The pipeline writes two indexes (``VectorIndex``, ``KeywordIndex``: see the contract in
``assistant/ports.py``) and keeps its own **ledger**: one JSON file mapping each source (path or
URL) to the Vorlage it yielded, the content hash of the source, the recipe (parser, chunking,
dense policy, embedder) and a digest of the chunks each index holds for that Vorlage.

Idempotence:
  * chunk ids are ``Chunk.make_id(vorlage_id, section, ordinal)`` and the Vorlage id is a hash
    of its text, so the same document always yields the same chunks;
  * a source whose content hash and recipe equal its ledger entry is skipped without parsing;
  * a changed source first has its old Vorlage deleted from both indexes (unless another source
    still yields it), then the new chunks are written;
  * a source whose Vorlage another source already yielded (the same paper as PDF and as OParl
    JSON) is recorded as a duplicate and writes nothing.

Crash safety, in the order of writes per batch of documents: delete replaced Vorlagen from both
indexes -> upsert dense chunks (durable per call) -> upsert keyword chunks -> ``persist()`` the
keyword index (atomic) -> write the ledger (atomic: temporary file, fsync, rename, fsync of the
directory). Only the ledger says a Vorlage is done. At the start of every run, under the lock,
:meth:`IngestPipeline.recover` deletes from both indexes every Vorlage that is in an index but
not done in the ledger, that ``inconsistent_vorlagen`` reports, or whose chunks differ from the
digests the ledger recorded; their ledger entries are dropped, so the sources given again are
ingested again. A process killed at any point therefore leaves, after the next run, neither
duplicate nor orphan chunks.

One writer at a time: an exclusive ``fcntl.flock`` on ``ingest.lock`` beside the ledger (the
kernel releases it when the process dies, even by SIGKILL). A second writer gets
:class:`IngestLockedError` at once.

A document that cannot be read, parsed or embedded is recorded in the summary with its German
reason and the run goes on; a backend that fails for a whole batch (embedding service down,
index unreachable) stops the run with a :class:`BackendError`, keeping what was committed.

Sources: anything with the small :class:`Document` interface. :func:`file_documents` makes them
for files and directories; the OParl API client (``vorlagen ingest --oparl URL``) yields its own
``Document`` objects (key: the Paper's URL; content hash: e.g. the Paper's ``modified`` plus the
file's hash) and passes them to the same :meth:`IngestPipeline.run`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol

from assistant.ports import (
    BackendError,
    Embedder,
    KeywordIndex,
    VectorIndex,
    inconsistent_vorlagen,
    vorlage_of,
)
from assistant.ports_records import VorlageRecords
from assistant.schema import Chunk, Vorlage
from ingest.chunking import (
    DEFAULT_DENSE_POLICY,
    DENSE_POLICIES,
    ChunkingOptions,
    chunk_vorlage,
)
from ingest.errors import IngestError
from ingest.quality import INCOMPLETE

log = logging.getLogger(__name__)

LEDGER_FORMAT = "vorlagen-ingest-ledger"
LEDGER_VERSION = 1
LOCK_NAME = "ingest.lock"
SUFFIXES = frozenset({".txt", ".text", ".md", ".pdf", ".docx", ".html", ".htm", ".json"})
_OPARL_TEXT_DIR = "file-contents"
_OPARL_PAPER_DIR = "papers"
_ORIGINAL_FAILED = "Die gleiche Vorlage aus einer anderen Quelle konnte nicht importiert werden."


# --- sources ------------------------------------------------------------------------------------


class Document(Protocol):
    """One source document for the pipeline.

    ``key`` identifies the source across runs (a path or URL; the ledger key).
    ``content_hash()`` is cheap (no parsing) and changes whenever ``parse()`` could give another
    result. ``parse()`` returns the Vorlage or raises ``IngestError`` (German message).
    """

    @property
    def key(self) -> str: ...

    def content_hash(self) -> str: ...

    def parse(self) -> Vorlage: ...


@dataclass(frozen=True)
class FileDocument:
    """A file on disk, parsed by ``parser`` (the container's configured parser)."""

    path: Path
    parser: Callable[[Path], Vorlage]

    @property
    def key(self) -> str:
        return str(self.path.resolve())

    def content_hash(self) -> str:
        return file_content_hash(self.path)

    def parse(self) -> Vorlage:
        return self.parser(self.path)


def file_content_hash(path: Path) -> str:
    """sha256 of the file; for an OParl Paper JSON also of the Vorlage text it points to.

    Raises ``IngestError`` when the file cannot be read.
    """
    try:
        digest = hashlib.sha256(path.read_bytes())
    except OSError as err:
        raise IngestError(f"Die Datei {path} konnte nicht gelesen werden.") from err
    if path.suffix.lower() == ".json":
        from ingest.sources.oparl import load_oparl_paper

        with contextlib.suppress(IngestError, OSError, ValueError):
            digest.update(load_oparl_paper(path).text.encode("utf-8", "replace"))
    return digest.hexdigest()[:32]


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[Failure]]:
    """The files to ingest: given files as they are, directories searched recursively.

    In directories only supported suffixes (:data:`SUFFIXES`) count, hidden entries are
    skipped, and a ``file-contents/`` directory beside a ``papers/`` directory is skipped (the
    OParl corpus layout: those are the texts of the papers, read through them). Paths that do
    not exist are returned as failures. The result is sorted and free of repetitions.
    """
    files: dict[Path, None] = {}
    missing: list[Failure] = []
    for path in paths:
        if path.is_dir():
            files.update(dict.fromkeys(_walk(path)))
        elif path.exists():
            files[path] = None
        else:
            missing.append(Failure(str(path), f"Die Datei {path} wurde nicht gefunden."))
    return sorted(files), missing


def _walk(directory: Path) -> Iterator[Path]:
    has_papers = (directory / _OPARL_PAPER_DIR).is_dir()
    for entry in sorted(directory.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if not (has_papers and entry.name == _OPARL_TEXT_DIR):
                yield from _walk(entry)
        elif entry.suffix.lower() in SUFFIXES:
            yield entry


def file_documents(
    paths: Iterable[Path], parser: Callable[[Path], Vorlage]
) -> tuple[list[FileDocument], list[Failure]]:
    """:class:`FileDocument` objects for :func:`collect_files`, and the paths not found."""
    files, missing = collect_files(paths)
    return [FileDocument(path, parser) for path in files], missing


# --- results and progress -----------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """A document that could not be ingested and the German reason."""

    key: str
    reason: str


@dataclass(frozen=True)
class Incomplete:
    """A document stored although neither its resolution nor its facts were found.

    ``status`` is ``unvollstaendig`` or ``deckblatt`` (``ingest.quality``); the entry point
    names it apart from the failures, with the presenter's wording.
    """

    key: str
    status: str


@dataclass
class IngestSummary:
    """What a run did; ``failed`` keeps every failing document with its reason, ``incomplete``
    every stored document without Beschlussvorschlag and Sachdarstellung (``Incomplete``)."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: list[Failure] = field(default_factory=list)
    incomplete: list[Incomplete] = field(default_factory=list)
    repaired: int = 0
    chunks_written: int = 0
    dense_written: int = 0
    seconds: float = 0.0

    @property
    def processed(self) -> int:
        return self.new + self.updated + self.unchanged + self.duplicates + len(self.failed)


@dataclass(frozen=True)
class Progress:
    """Reported after each document: counts so far, and an estimate of the time left."""

    done: int
    total: int
    summary: IngestSummary
    key: str
    elapsed_s: float
    eta_s: float | None


ProgressCallback = Callable[[Progress], None]
Outcome = Literal["new", "updated", "duplicate"]


# --- the lock -----------------------------------------------------------------------------------


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


# --- the ledger ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerEntry:
    """A source that is done: its Vorlage and what both indexes hold for it.

    ``keyword`` / ``dense`` are :func:`manifest_digest` of that Vorlage's chunks in each index.
    """

    vorlage_id: str
    content_hash: str
    recipe: str
    keyword: str
    dense: str
    chunks: int
    dense_chunks: int


def manifest_digest(manifest: Mapping[str, str]) -> str:
    """A digest of chunk id -> fingerprint pairs (order-independent)."""
    lines = "".join(f"{cid}={fp}\n" for cid, fp in sorted(manifest.items()))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()[:16]


class Ledger:
    """Source key -> :class:`LedgerEntry`, in one JSON file written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, LedgerEntry] = {}

    def load(self) -> None:
        if not self.path.exists():
            self.entries = {}
            return
        broken = BackendError(
            f"Das Importprotokoll {self.path} ist beschädigt. Bitte den Index neu aufbauen: "
            "vorlagen ingest --rebuild PFAD..."
        )
        try:
            data: Any = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") != LEDGER_FORMAT or data.get("version") != LEDGER_VERSION:
                raise broken
            self.entries = {k: LedgerEntry(**v) for k, v in data["entries"].items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as err:
            raise broken from err

    def save(self) -> None:
        """Write atomically: temporary file, fsync, rename over the ledger, fsync the directory."""
        data = {
            "format": LEDGER_FORMAT,
            "version": LEDGER_VERSION,
            "entries": {k: asdict(v) for k, v in sorted(self.entries.items())},
        }
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, indent=0))

    def vorlage_ids(self) -> set[str]:
        return {entry.vorlage_id for entry in self.entries.values()}

    def owner(self, vorlage_id: str, recipe: str, besides: str) -> LedgerEntry | None:
        """An entry of another source that yielded ``vorlage_id`` with the same recipe."""
        for key, entry in self.entries.items():
            if key != besides and entry.vorlage_id == vorlage_id and entry.recipe == recipe:
                return entry
        return None

    def shared(self, vorlage_id: str, besides: str) -> bool:
        return any(e.vorlage_id == vorlage_id for k, e in self.entries.items() if k != besides)


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


# --- the pipeline -------------------------------------------------------------------------------


@dataclass
class _Prepared:
    """A parsed, chunked document waiting for its embeddings and its write."""

    key: str
    content_hash: str
    vorlage: Vorlage
    chunks: list[Chunk]
    dense: list[Chunk]
    outcome: Outcome
    replaces: str | None  # the Vorlage id to delete first (an update), if any
    vectors: list[list[float]] = field(default_factory=list)


@dataclass
class _Run:
    """The state of one ``run``."""

    total: int
    seen: int = 0
    started: float = field(default_factory=time.monotonic)
    summary: IngestSummary = field(default_factory=IngestSummary)


def group_by_vorlage(manifest: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """chunk id -> fingerprint, split per Vorlage id."""
    groups: dict[str, dict[str, str]] = {}
    for cid, fp in manifest.items():
        groups.setdefault(vorlage_of(cid), {})[cid] = fp
    return groups


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
        bad = self._disagreements(dense, keyword)
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

    def _disagreements(self, dense: dict[str, str], keyword: dict[str, str]) -> set[str]:
        done = self.ledger.vorlage_ids()
        dense_by = group_by_vorlage(dense)
        keyword_by = group_by_vorlage(keyword)
        bad = (set(dense_by) | set(keyword_by)) - done
        bad |= inconsistent_vorlagen(dense, keyword)
        for entry in self.ledger.entries.values():
            if entry.keyword != manifest_digest(keyword_by.get(entry.vorlage_id, {})) or (
                entry.dense != manifest_digest(dense_by.get(entry.vorlage_id, {}))
            ):
                bad.add(entry.vorlage_id)
        return bad

    # --- one batch ------------------------------------------------------------------------------

    def _run_batch(self, batch: Sequence[Document], run: _Run) -> None:
        prepared: list[_Prepared] = []
        claimed: dict[str, _Prepared] = {}
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
            self._write(writable, run.summary)

    def _prepare(
        self,
        document: Document,
        key: str,
        summary: IngestSummary,
        claimed: Mapping[str, _Prepared],
    ) -> _Prepared | None:
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
        return _Prepared(key, content_hash, vorlage, chunks, dense, outcome, replaces)

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

    def _embed(self, prepared: list[_Prepared], summary: IngestSummary) -> list[_Prepared]:
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
        self, prepared: list[_Prepared], todo: list[_Prepared], summary: IngestSummary
    ) -> list[_Prepared]:
        failed: list[tuple[_Prepared, Exception]] = []
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

    def _write(self, items: list[_Prepared], summary: IngestSummary) -> None:
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
        recorded: list[_Prepared] = []
        for item in items:
            entry = entries.get(item.vorlage.id) or self._existing(item.vorlage.id)
            if entry is None:  # a duplicate whose original failed in this batch: next run
                reason = (
                    "Die gleiche Vorlage aus einer anderen Quelle konnte nicht importiert werden."
                )
                summary.failed.append(Failure(item.key, reason))
                continue
            self.ledger.entries[item.key] = _with_hash(entry, item.content_hash)
            recorded.append(item)
        self.ledger.save()
        for item in recorded:
            self._count(item, summary)

    def _keep_records(self, writing: list[_Prepared], deleted: list[str]) -> None:
        if self.records is None:
            return
        written = {p.vorlage.id for p in writing}
        for vorlage_id in deleted:
            if vorlage_id not in written:
                self.records.delete(vorlage_id)
        for item in writing:
            self.records.put(item.vorlage)

    def _to_delete(self, items: list[_Prepared]) -> list[str]:
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

    def _entry(self, item: _Prepared) -> LedgerEntry:
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

    def _existing(self, vorlage_id: str) -> LedgerEntry | None:
        for entry in self.ledger.entries.values():
            if entry.vorlage_id == vorlage_id and entry.recipe == self.recipe:
                return entry
        return None

    @staticmethod
    def _count(item: _Prepared, summary: IngestSummary) -> None:
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

    def _report(self, run: _Run, key: str) -> None:
        if self.progress is None:
            return
        elapsed = time.monotonic() - run.started
        eta = elapsed / run.seen * (run.total - run.seen) if run.seen else None
        self.progress(Progress(run.seen, run.total, run.summary, key, elapsed, eta))


def _with_hash(entry: LedgerEntry, content_hash: str) -> LedgerEntry:
    return LedgerEntry(**{**asdict(entry), "content_hash": content_hash})


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
