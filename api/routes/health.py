"""``GET /health``: is the service ready, and what is it running on (no authentication)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from api.errors import error_responses

router = APIRouter(tags=["Betrieb"])

State = Literal["ok", "fehlt", "fehler"]


class Health(BaseModel):
    """The states of what a draft needs; ``status`` is "ok" only when all are."""

    status: Literal["ok", "eingeschraenkt"]
    model: State
    model_name: str
    store: State
    vorlagen: int
    database: State


@router.get(
    "/health",
    summary="Betriebszustand",
    responses={
        503: {"model": Health, "description": "Modell, Index oder Datenbank nicht bereit"},
        **error_responses(504),
    },
)
def health(request: Request, response: Response) -> Health:
    """Model (ready to answer without downloading or loading more than the bundled file),
    store (the index opens and counts its Vorlagen) and database (one query). Answers 503 when
    one of them is not ok, so that a load balancer takes the instance out."""
    checks = request.app.state.health
    model, model_name = checks.model()
    store, count = checks.store_state()
    database = checks.database()
    ok = model == store == database == "ok"
    if not ok:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Health(
        status="ok" if ok else "eingeschraenkt",
        model=model,
        model_name=model_name,
        store=store,
        vorlagen=count,
        database=database,
    )
