"""Ingesting Vorlagen: gathering the sources, running the pipeline, and the commit order.

Two steps, so that an entry point can show each (the CLI: a spinner while an OParl system is
walked, then a progress bar):

1. :func:`gather_sources`: files and directories become pipeline documents
   (``ingest.documents.file_documents``: directories are searched for supported files, missing
   paths are kept as failures), and an OParl sync (new and changed papers since the last run)
   is walked to the end. Nothing is written yet.
2. :func:`run_ingest`: the pipeline stores everything (``ingest.pipeline.IngestPipeline``:
   idempotent, crash-safe, one writer per store), and only then the OParl sync is committed, so
   that a crash before the store is written repeats the walk from the last commit instead of
   losing papers. The result is the pipeline's ``IngestSummary`` (a dataclass that serialises
   to JSON, e.g. with ``pydantic.TypeAdapter``), the paths not found first among its failures.

The use case takes what it works with as arguments: the parser (``api.container.Parser``),
the sync and the pipeline (built for one store by ``api.container.Store``). It reads no
settings. This is the one use case that imports ``ingest/``: the pipeline and the document
sources are ingestion's own logic, not a backend (tests/test_architecture.py allows
``assistant.usecases`` to import them, and nothing else in ``assistant/``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from assistant.schema import Vorlage
from assistant.usecases.errors import InvalidRequest
from ingest.documents import Document, file_documents
from ingest.errors import IngestError
from ingest.results import Failure, IngestSummary
from ingest.sources.base import RawDocument
from ingest.sources.oparl_api import Result, oparl_documents

__all__ = [
    "DocumentParser",
    "IngestSources",
    "IngestSummary",
    "Pipeline",
    "Sync",
    "gather_sources",
    "run_ingest",
]


class DocumentParser(Protocol):
    """Parses a file, or the raw text an OParl system delivered, into a Vorlage within the
    configured limits (``api.container.Parser``); raises ``IngestError`` (German)."""

    def __call__(self, path: Path) -> Vorlage: ...

    def raw(self, raw: RawDocument) -> Vorlage: ...


class Sync(Protocol):
    """An OParl sync run (``ingest.sources.oparl_api.OParlSync``)."""

    def papers(self) -> Iterable[Result]: ...

    def commit(self) -> None: ...


class Pipeline(Protocol):
    """The ingestion pipeline of one store (``ingest.pipeline.IngestPipeline``)."""

    def run(self, sources: Iterable[Document], *, rebuild: bool = False) -> IngestSummary: ...


@dataclass
class IngestSources:
    """What :func:`run_ingest` will store: the documents, the paths not found, and the OParl
    sync to commit once the documents are stored."""

    documents: list[Document] = field(default_factory=list)
    missing: list[Failure] = field(default_factory=list)
    sync: Sync | None = None


def gather_sources(
    paths: Sequence[Path], parser: DocumentParser, *, oparl: Sync | None = None
) -> IngestSources:
    """The documents of ``paths`` (files, or directories searched recursively) and, with
    ``oparl``, of every new or changed paper of that OParl system (walked here, to the end).

    Raises:
        InvalidRequest: neither paths nor an OParl sync were given.
        IngestError: the paths hold no supported file, or the OParl system cannot be walked
            (German).
    """
    if not paths and oparl is None:
        raise InvalidRequest("Bitte Dateien, Verzeichnisse oder eine OParl-URL angeben.")
    sources = IngestSources(sync=oparl)
    if paths:
        files, sources.missing = file_documents(paths, parser)
        if not files and not sources.missing:
            raise IngestError(
                "In den angegebenen Pfaden wurden keine unterstützten Dateien gefunden."
            )
        sources.documents.extend(files)
    if oparl is not None:
        sources.documents.extend(oparl_documents(oparl.papers(), parser=parser.raw))
    return sources


def run_ingest(
    pipeline: Pipeline, sources: IngestSources, *, rebuild: bool = False
) -> IngestSummary:
    """Store ``sources`` with ``pipeline`` (``rebuild``: empty the store first), then commit
    their OParl sync. The summary's ``failed`` starts with the paths not found.

    Raises:
        BackendError: the store or the embedder failed for a whole batch (what was committed
            stays; the sync is not committed, so the next run repeats the walk).
    """
    summary = pipeline.run(sources.documents, rebuild=rebuild)
    if sources.sync is not None:
        sources.sync.commit()  # only now: what the walk handed out is stored
    return replace(summary, failed=[*sources.missing, *summary.failed])
