"""The sources of an ingestion run: the :class:`Document` interface, and documents for files.

Anything with the small :class:`Document` interface can be ingested. :func:`file_documents`
makes them for files and directories; the OParl API client (``vorlagen ingest --oparl URL``)
yields its own ``Document`` objects (key: the Paper's URL; content hash: e.g. the Paper's
``modified`` plus the file's hash), and the batch summaries use the same interface.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from assistant.schema import Vorlage
from ingest.errors import IngestError
from ingest.results import Failure

SUFFIXES = frozenset({".txt", ".text", ".md", ".pdf", ".docx", ".html", ".htm", ".json"})
_OPARL_TEXT_DIR = "file-contents"
_OPARL_PAPER_DIR = "papers"


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
