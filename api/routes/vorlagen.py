"""``GET /api/vorlagen/{id}``: one stored Vorlage as it was parsed (the use case
:func:`assistant.usecases.vorlage_view.open_vorlage`): header fields, Beratungsfolge, sections.
Nichtöffentliche Vorlagen only for callers with the right; for others they answer 404 like an
unknown id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, status
from fastapi import Path as PathParam

from api.deps import CallerDep, StoreDep
from api.errors import error_responses
from assistant.schema import ID_PATTERN, MAX_ID_LENGTH
from assistant.usecases.vorlage_view import UnknownVorlage, VorlageView, open_vorlage

__all__ = ["VorlageId", "router"]

router = APIRouter(
    prefix="/api", tags=["Suche"], responses=error_responses(400, 401, 403, 404, 422, 503, 504)
)

VorlageId = Annotated[
    str,
    PathParam(
        min_length=1,
        max_length=MAX_ID_LENGTH,
        pattern=ID_PATTERN,
        description="Die Kennung der Vorlage (aus einem Suchtreffer oder einer Quelle)",
    ),
]


@router.get("/vorlagen/{vorlage_id}", summary="Eine gespeicherte Vorlage so, wie sie gelesen wurde")
def vorlage(vorlage_id: VorlageId, store: StoreDep, caller: CallerDep) -> VorlageView:
    try:
        return open_vorlage(store.records, vorlage_id, allow_nonpublic=caller.may_see_nonpublic)
    except UnknownVorlage as err:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(err)) from err
