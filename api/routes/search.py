"""``GET /api/search``: similar past Vorlagen for a query (the use case
:func:`assistant.usecases.search.search`). Nichtöffentliche Vorlagen only for callers with the
right; search keeps answering while drafts generate (it does not wait for the model)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CallerDep, ServicesDep, StoreDep
from api.errors import error_responses
from assistant.schema import DocumentKind
from assistant.usecases.search import MAX_QUERY_CHARS, MAX_SEARCH_K, SearchRequest, SearchResult

router = APIRouter(
    prefix="/api", tags=["Suche"], responses=error_responses(400, 401, 403, 422, 503, 504)
)


@router.get("/search", summary="Ähnliche frühere Vorlagen finden")
async def search(
    services: ServicesDep,
    store: StoreDep,
    caller: CallerDep,
    q: Annotated[
        str, Query(description="Betreff, Thema oder Stichworte", max_length=MAX_QUERY_CHARS)
    ],
    k: Annotated[int, Query(ge=1, le=MAX_SEARCH_K, description="Wie viele Vorlagen")] = 5,
    kommune: Annotated[str | None, Query(max_length=200)] = None,
    art: Annotated[str | None, Query(max_length=200)] = None,
    seit: Annotated[date | None, Query(description="Nur Vorlagen ab diesem Datum")] = None,
    kind: Annotated[
        DocumentKind | None,
        Query(description="Nur Vorlagen (vorlage) oder nur Konzepte (konzept)"),
    ] = None,
) -> SearchResult:
    request = SearchRequest(query=q, k=k, kommune=kommune, art=art, since=seit, kind=kind)
    return await asyncio.to_thread(
        services.search, request, allow_nonpublic=caller.may_see_nonpublic, store=store
    )
