"""``POST /api/validate``, ``POST /api/belege`` and ``POST /api/export``: check a (possibly
edited) draft, say where each of its numbers comes from (:mod:`assistant.usecases.provenance`),
and hand it out as Word, Markdown, JSON, OParl or HTML (for the clipboard; the use cases of
:mod:`assistant.usecases.drafts`).

An export re-validates the draft first; a draft with errors is refused (422, naming the rules)
unless ``force`` is set, and then carries visible Prüfhinweise. A caller without the right may
not export a draft that cites a nichtöffentliche Vorlage by sending it in: citations are
checked against what the caller may see (403 otherwise). Exports are recorded in the audit log
(ids and sources, never text).
"""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel, Field

from api.deps import ArchiveDep, CallerDep
from api.errors import error_responses
from api.routes.drafts import NONPUBLIC_SOURCE
from assistant.export import ExportError, ExportRefused
from assistant.schema import Draft, ValidationReport
from assistant.usecases.drafts import MEDIA_TYPES, export_checked, revalidate
from assistant.usecases.provenance import Belege, provenance

router = APIRouter(
    prefix="/api",
    tags=["Prüfung und Export"],
    responses=error_responses(400, 401, 403, 413, 422, 503, 504),
)


class ExportRequest(BaseModel):
    """A draft to export and the format."""

    draft: Draft
    format: Literal["docx", "md", "json", "oparl", "html"] = "docx"
    force: bool = Field(default=False, description="Auch mit Prüffehlern exportieren")


def _may_export(draft: Draft, may_see_nonpublic: bool) -> None:
    if not may_see_nonpublic and any(c.oeffentlich is not True for c in draft.citations):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=NONPUBLIC_SOURCE)


@router.post("/validate", summary="Einen Entwurf prüfen")
async def validate_draft(draft: Draft, caller: CallerDep) -> ValidationReport:
    checked = await asyncio.to_thread(revalidate, draft)
    assert checked.validation is not None
    return checked.validation


@router.post("/belege", summary="Woher jede Zahl eines Entwurfs stammt")
async def draft_provenance(draft: Draft, caller: CallerDep) -> Belege:
    """Each number, amount, date, §, and Vorlagen-Nr. of the draft: from the clerk's request,
    from a cited source (with the passage), or not grounded. A draft citing a
    nichtöffentliche Vorlage only for a caller with that right (403)."""
    _may_export(draft, caller.may_see_nonpublic)
    return await asyncio.to_thread(provenance, draft)


@router.post(
    "/export",
    summary="Einen Entwurf exportieren",
    responses={
        200: {
            "description": "Die Datei im gewählten Format",
            "content": {media.split(";")[0]: {} for media, _ in MEDIA_TYPES.values()},
        }
    },
)
async def export_draft(body: ExportRequest, caller: CallerDep, archive: ArchiveDep) -> Response:
    _may_export(body.draft, caller.may_see_nonpublic)
    try:
        exported = await asyncio.to_thread(
            export_checked, body.draft, body.format, force=body.force
        )
    except ExportRefused as err:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(err)) from err
    except ExportError as err:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(err)) from err
    sources = [c.vorlage_id for c in body.draft.citations]
    await asyncio.to_thread(archive.audit, caller.name, "export", (), sources)
    return Response(
        exported.data,
        media_type=exported.media_type,
        headers={"Content-Disposition": f'attachment; filename="entwurf{exported.suffix}"'},
    )
