"""File formats: which source reads a file, by its suffix (the one dispatch table)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import IngestError
from ingest.sources.base import RawDocument


@dataclass(frozen=True)
class ParseOptions:
    """Limits and choices for parsing; built from settings by the wiring point."""

    pdf_timeout_s: float = 60.0
    pdf_memory_mb: int = 1024
    max_file_mb: int = 50
    redact_bearbeiter: bool = False


Loader = Callable[[Path, ParseOptions], RawDocument]


def _text(path: Path, _: ParseOptions) -> RawDocument:
    from ingest.sources.text import load_text

    return load_text(path)


def _pdf(path: Path, options: ParseOptions) -> RawDocument:
    from ingest.sources.pdf import load_pdf

    return load_pdf(path, timeout_s=options.pdf_timeout_s, memory_mb=options.pdf_memory_mb)


def _docx(path: Path, _: ParseOptions) -> RawDocument:
    from ingest.sources.docx import load_docx

    return load_docx(path)


def _html(path: Path, _: ParseOptions) -> RawDocument:
    from ingest.sources.html import load_html

    return load_html(path)


def _json(path: Path, _: ParseOptions) -> RawDocument:
    from ingest.sources.oparl import is_oparl_paper, load_oparl_paper

    try:
        data = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as err:
        raise IngestError(f"Die Datei {path.name} ist kein gültiges JSON.") from err
    if not is_oparl_paper(data):
        raise IngestError(f"Die JSON-Datei {path.name} ist kein OParl-Paper (Vorlage).")
    return load_oparl_paper(path)


#: Suffix -> loader. Sources are imported on first use (PDF and HTML pull in heavy libraries).
LOADERS: dict[str, Loader] = {
    ".txt": _text,
    ".text": _text,
    ".md": _text,
    ".pdf": _pdf,
    ".docx": _docx,
    ".html": _html,
    ".htm": _html,
    ".asp": _html,
    ".php": _html,
    ".json": _json,
}
SUPPORTED = ".txt, .pdf, .docx, .html/.htm, OParl-Paper .json"


def load(path: Path, options: ParseOptions) -> RawDocument:
    """Read a file with the source its type calls for."""
    _check_file(path, options)
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise IngestError(
            f"Das Format der Datei {path.name} wird nicht unterstützt (unterstützt: {SUPPORTED})."
        )
    return loader(path, options)


def _check_file(path: Path, options: ParseOptions) -> None:
    if not path.exists():
        raise IngestError(f"Die Datei {path} wurde nicht gefunden.")
    if not path.is_file():
        raise IngestError(f"{path} ist keine Datei.")
    size = path.stat().st_size
    if size == 0:
        raise IngestError(f"Die Datei {path.name} ist leer.")
    if size > options.max_file_mb * 1024 * 1024:
        raise IngestError(
            f"Die Datei {path.name} ist größer als die erlaubten {options.max_file_mb} MB."
        )
