"""``POST /api/ingest``: upload files (multipart, field ``files``) into the app's store.

Only for callers with the ingest right (403 otherwise). The caller is checked before the body is
read: the route reads the multipart form itself, after its dependencies, so that a caller
without the right cannot make the server parse an upload (FastAPI would parse a declared
``File`` body first). The body limit (``server.max_upload_mb``, 413) bounds the upload; at
most :data:`MAX_FILES` files per request (400, German; Starlette stops parsing there).

The files are written into a private temporary directory (mode 0700, removed afterwards) under
their base name only, each in its own numbered subdirectory (two uploads called
``vorlage.pdf`` do not collide; ``../x`` becomes ``x``; a name with nothing usable left is
reported as failed), and ingested through the use cases
(``Services.ingest_sources`` then ``Services.ingest``) in a worker thread. An upload's ledger
key is ``upload:<sha256 of its bytes>``: the same file uploaded again is ``unchanged``, and an
upload never replaces another Vorlage. Uploads into one app run one after the other (a second
waits); an ingest by another process into the same store answers 503.

The answer is a summary: counts and, per failed file, its name and the German reason; never
document text. The audit log records the ids of the Vorlagen the upload yielded.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.container import Services, Store
from api.deps import ArchiveDep, IngestCallerDep, ServicesDep, StoreDep
from api.errors import error_responses
from assistant.presenter_ingest import incomplete_reason
from assistant.schema import Vorlage
from ingest.documents import FileDocument
from ingest.errors import IngestError
from ingest.results import IngestSummary

router = APIRouter(prefix="/api", tags=["Einlesen"])

MAX_FILES = 100
MAX_NAME_CHARS = 200
FIELD = "files"
_COPY_CHUNK = 1024 * 1024
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")

NO_FILES = "Bitte mindestens eine Datei hochladen (Formularfeld „files“, multipart/form-data)."
NOT_A_FILE = "Das Formularfeld „files“ darf nur Dateien enthalten."
BAD_NAME = "Der Dateiname ist nicht zulässig."
NOT_READ = "Die Datei konnte nicht eingelesen werden."
BAD_FORM = (
    f"Der Upload konnte nicht gelesen werden (multipart/form-data, höchstens {MAX_FILES} Dateien)."
)

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [FIELD],
                    "properties": {
                        FIELD: {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "minItems": 1,
                            "maxItems": MAX_FILES,
                            "description": (
                                "Vorlagen als .txt, .pdf, .docx, .html oder OParl-Paper .json"
                            ),
                        }
                    },
                }
            }
        },
    }
}


class FailedFile(BaseModel):
    """An uploaded file that was not ingested, and why."""

    file: str = Field(description="Der Dateiname (ohne Verzeichnis)")
    reason: str = Field(description="Der Grund, ein deutscher Satz")


class IngestResult(BaseModel):
    """What an upload did: counts per outcome, and the files that failed."""

    files: int = Field(description="Hochgeladene Dateien")
    new: int = Field(description="Neu aufgenommene Vorlagen")
    updated: int = Field(description="Geänderte Vorlagen")
    unchanged: int = Field(description="Schon vorhanden, unverändert")
    duplicates: int = Field(description="Dieselbe Vorlage wie eine schon vorhandene")
    failed: list[FailedFile] = Field(description="Nicht eingelesene Dateien mit Grund")
    incomplete: list[FailedFile] = Field(
        default_factory=list,
        description=(
            "Eingelesen, aber weder Beschlussvorschlag noch Sachdarstellung erkannt "
            "(oder nur ein Deckblatt), mit Grund"
        ),
    )


@dataclass
class _Upload:
    """An uploaded file as a pipeline document: a stable key (its content hash), and the
    Vorlage id remembered when it is parsed (for the audit log)."""

    file: FileDocument
    name: str
    digest: str
    parsed: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"upload:{self.digest}"

    def content_hash(self) -> str:
        return self.file.content_hash()

    def parse(self) -> Vorlage:
        vorlage = self.file.parse()
        self.parsed.append(vorlage.id)
        return vorlage


def safe_name(raw: str | None) -> str | None:
    """The base name of an uploaded file's name (``a/b\\c.pdf`` -> ``c.pdf``); None when
    nothing usable is left (empty, ``.``/``..``, hidden, control characters, too long)."""
    if not raw:
        return None
    name = PurePosixPath(raw.replace("\\", "/")).name.strip()
    if (
        not name
        or name.startswith(".")
        or _UNSAFE.search(name)
        or len(name) > MAX_NAME_CHARS
        or len(name.encode("utf-8", "surrogatepass")) > 255
    ):
        return None
    return name


@dataclass
class _Written:
    path: Path
    name: str
    digest: str


def _write(folder: Path, name: str, source: BinaryIO) -> _Written:
    """Copy ``source`` to ``folder/name`` (a new file, never through a link), hashing it."""
    folder.mkdir(mode=0o700)
    path = folder / name
    digest = hashlib.sha256()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as out:
        while chunk := source.read(_COPY_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return _Written(path, name, digest.hexdigest()[:32])


def ingest_uploads(
    services: Services, store: Store, uploads: Sequence[tuple[str | None, BinaryIO]]
) -> tuple[IngestResult, list[str]]:
    """Write ``uploads`` (name, content) to a private temporary directory and ingest them
    into ``store``; the summary and the ids of the Vorlagen they yielded. Blocking."""
    refused: list[FailedFile] = []
    with tempfile.TemporaryDirectory(prefix="vorlagen-upload-") as tmp:
        root = Path(tmp)
        written: list[_Written] = []
        for number, (raw, content) in enumerate(uploads, start=1):
            name = safe_name(raw)
            if name is None:
                refused.append(FailedFile(file=f"Datei {number}", reason=BAD_NAME))
                continue
            written.append(_write(root / str(number), name, content))
        if not written:
            return _result(len(uploads), IngestSummary(), refused, {}, root), []
        sources = services.ingest_sources([w.path for w in written], store=store)
        by_path = {w.path.resolve(): w for w in written}
        documents: list[_Upload] = []
        for document in sources.documents:
            assert isinstance(document, FileDocument)
            item = by_path[document.path.resolve()]
            documents.append(_Upload(document, item.name, item.digest))
        sources.documents = list(documents)
        summary = services.ingest(sources, store=store)
        names = {d.key: d.name for d in documents}
        names.update({str(w.path.resolve()): w.name for w in written})
        failed_keys = {f.key for f in summary.failed}
        ids = [i for d in documents if d.key not in failed_keys for i in d.parsed]
        return _result(len(uploads), summary, refused, names, root), sorted(set(ids))


def _result(
    count: int,
    summary: IngestSummary,
    refused: list[FailedFile],
    names: dict[str, str],
    root: Path,
) -> IngestResult:
    failed = list(refused)
    for failure in summary.failed:
        name = names.get(failure.key, NOT_READ)
        failed.append(FailedFile(file=name, reason=_without_paths(failure.reason, root)))
    incomplete = [
        FailedFile(file=names.get(item.key, NOT_READ), reason=incomplete_reason(item.status))
        for item in summary.incomplete
    ]
    return IngestResult(
        files=count,
        new=summary.new,
        updated=summary.updated,
        unchanged=summary.unchanged,
        duplicates=summary.duplicates,
        failed=failed,
        incomplete=incomplete,
    )


def _without_paths(reason: str, root: Path) -> str:
    """A reason without the temporary directory (``<root>/3/x.pdf`` -> ``x.pdf``)."""
    pattern = re.escape(str(root)) + r"/\d+/"
    return re.sub(pattern, "", reason).replace(str(root), "")


def _lock(request: Request) -> asyncio.Lock:
    lock = getattr(request.app.state, "ingest_lock", None)
    if not isinstance(lock, asyncio.Lock):
        lock = request.app.state.ingest_lock = asyncio.Lock()
    return lock


@asynccontextmanager
async def _uploads(request: Request) -> AsyncIterator[list[UploadFile]]:
    """The uploaded files, closed afterwards: 400 (German) for a broken multipart body or more
    than :data:`MAX_FILES` files, 422 without files."""
    try:
        form = await request.form(max_files=MAX_FILES, max_fields=MAX_FILES)
    except StarletteHTTPException as err:  # Starlette's English message: broken, or too many files
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=BAD_FORM) from err
    try:
        items = form.getlist(FIELD)
        if not items:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=NO_FILES)
        files = [item for item in items if isinstance(item, UploadFile)]
        if len(files) != len(items):
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=NOT_A_FILE)
        yield files
    finally:
        await form.close()


@router.post(
    "/ingest",
    summary="Vorlagen hochladen und in den Suchindex aufnehmen",
    openapi_extra=UPLOAD_BODY,
    responses=error_responses(400, 401, 403, 413, 422, 503),
)
async def ingest(
    request: Request,
    services: ServicesDep,
    store: StoreDep,
    archive: ArchiveDep,
    caller: IngestCallerDep,
) -> IngestResult:
    """Multipart upload, field ``files`` (one or more, at most 100): .txt, .pdf, .docx, .html
    or OParl-Paper .json. Answers with counts and, per file that failed, the German reason;
    the files themselves are not kept."""
    async with _uploads(request) as files, _lock(request):
        uploads = [(f.filename, f.file) for f in files]
        try:
            result, ids = await asyncio.to_thread(ingest_uploads, services, store, uploads)
        except IngestError as err:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(err)) from err
    await asyncio.to_thread(archive.audit, caller.name, "ingest", ids, ())
    return result
