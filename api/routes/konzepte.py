"""``GET /api/konzepte/{id}/stand``: per measure of a concept the Vorlagen that took it up, with
the passage that shows it, and the measures none has taken up yet (the use case
:func:`assistant.usecases.konzept_stand.konzept_stand`; docs/konzepte.md). Nichtöffentliche
Vorlagen only for callers with the right; an unknown or hidden concept answers 404."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, HTTPException, status

from api.deps import CallerDep, StoreDep
from api.errors import error_responses
from api.routes.vorlagen import VorlageId
from assistant.usecases.konzept_stand import KonzeptStand, UnknownKonzept, konzept_stand

__all__ = ["router"]

router = APIRouter(
    prefix="/api", tags=["Suche"], responses=error_responses(400, 401, 403, 404, 422, 503, 504)
)


@router.get(
    "/konzepte/{konzept_id}/stand",
    summary="Welche Maßnahmen eines Integrationskonzepts Vorlagen aufgegriffen haben",
)
async def stand(konzept_id: VorlageId, store: StoreDep, caller: CallerDep) -> KonzeptStand:
    try:
        return await asyncio.to_thread(
            konzept_stand,
            store.records,
            store.keyword_index.vorlage_ids(),
            konzept_id,
            allow_nonpublic=caller.may_see_nonpublic,
        )
    except UnknownKonzept as err:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(err)) from err
