"""The archive's summaries over HTTP (issue 13): start a summary job, follow it, stop it; the
report.

* ``POST /api/summaries`` (only with the ingest right): summarise the Vorlagen of the app's
  store the caller may see, optionally at most ``limit`` and only from ``seit`` on, as a
  server-side job (:mod:`assistant.usecases.summary_jobs`); 202 with its id, 409 while one runs.
  Done work is skipped (same content, same prompt version), so a second job makes no model
  call for it; the results go to the store's summaries (search hits show the Kurzfassung).
* ``GET /api/summaries``: the newest jobs the caller may see, newest first: a page finds
  the running job (and follows it from its ``events``) or the last one's result;
* ``GET /api/summaries/{id}``: status and progress; ``GET /api/summaries/{id}/events``: the
  progress as server-sent events (``Last-Event-ID`` resumes, as for drafts; a job known only
  from the record, e.g. after a restart, gives its final event);
  ``POST /api/summaries/{id}/cancel``: stop after the document being summarised.
* ``GET /api/summaries/report``: the report page of the store's summaries the caller may see
  (also the page ``GET /bericht``); 404 with the German empty state when there is none.

A job started with the right to nichtöffentliche Vorlagen is unknown (404) to callers
without it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, status
from fastapi.responses import HTMLResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, Field

from api.deps import CallerDep, IngestCallerDep, StoreDep, SummaryJobsDep
from api.errors import error_responses, stream_error_responses
from api.sse import job_events, last_event_id
from assistant.presenter_summaries import NO_SUMMARIES, SUMMARY_JOB_MISSING
from assistant.usecases.archive_report import archive_report
from assistant.usecases.summarize_batch import BatchOptions
from assistant.usecases.summary_jobs import SummaryBusy, SummaryRun
from assistant.usecases.summary_log import SummaryLog

__all__ = ["report_response", "router"]

router = APIRouter(
    prefix="/api/summaries",
    tags=["Zusammenfassungen"],
    responses=error_responses(400, 401, 403, 404, 409, 413, 422, 503, 504),
)

MAX_LIMIT = 100_000
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


class SummaryStart(BaseModel):
    """What to summarise: every Vorlage of the store the caller may see, or fewer."""

    limit: int | None = Field(
        default=None, ge=1, le=MAX_LIMIT, description="Höchstens so viele Vorlagen zusammenfassen"
    )
    seit: date | None = Field(default=None, description="Nur Vorlagen ab diesem Datum")


class SummaryJobOut(BaseModel):
    """A summary job's state and progress."""

    id: str
    status: str = Field(description="running, stopping, done, failed, cancelled oder interrupted")
    created_by: str = Field(description="Wer den Lauf gestartet hat")
    created_at: datetime = Field(description="Start (UTC)")
    ended_at: datetime | None = Field(description="Ende (UTC), solange er läuft None")
    limit: int | None = Field(description="Die Grenze des Laufs (limit)")
    seit: date | None = Field(description="Nur Vorlagen ab diesem Datum (seit)")
    events: int = Field(
        description="Nummer des letzten Ereignisses; …/events?after= diese Nummer folgt nur "
        "dem Neuen (0 für einen Lauf, der nur gespeichert bekannt ist)"
    )
    done: int = Field(description="Bearbeitete Vorlagen (auch übersprungene)")
    total: int | None = Field(description="Alle Vorlagen des Laufs, sobald bekannt")
    eta_s: float | None = Field(description="Geschätzte Restzeit in Sekunden")
    ok: int = Field(description="Zusammengefasst, ohne Befund")
    befunde: int = Field(description="Zusammengefasst, mit Befunden markiert")
    failed: int = Field(description="Fehlgeschlagen oder unlesbar")
    skipped: int = Field(description="Schon erledigt oder ausgelassen (seit, limit)")
    model_calls: int = Field(description="Modellaufrufe (am Ende)")
    message: str | None = Field(description="Der deutsche Ergebnissatz oder die Fehlermeldung")


def _out(run: SummaryRun) -> SummaryJobOut:
    progress = run.progress
    return SummaryJobOut(
        id=run.id,
        status=run.status,
        created_by=run.actor,
        created_at=datetime.fromtimestamp(run.created, UTC),
        ended_at=None if run.ended is None else datetime.fromtimestamp(run.ended, UTC),
        limit=run.options.limit,
        seit=run.options.since,
        events=0 if run.restored else len(run.log),
        done=progress.done if progress else 0,
        total=progress.total if progress else None,
        eta_s=None if progress is None or progress.eta_s is None else round(progress.eta_s, 1),
        model_calls=run.model_calls,
        message=run.message,
        **run.counts(),
    )


async def _known(run_id: str, summary_jobs: SummaryJobsDep, caller: IngestCallerDep) -> SummaryRun:
    run = await summary_jobs.find(run_id, allow_nonpublic=caller.may_see_nonpublic)
    if run is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=SUMMARY_JOB_MISSING)
    return run


KnownRun = Annotated[SummaryRun, Depends(_known)]


def report_response(page: str) -> HTMLResponse:
    """The report page, with a Content-Security-Policy that allows only its own inline
    scripts (by hash) and styles and nothing from anywhere, not even this app."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in _SCRIPT.findall(page)
    )
    scripts = hashes or "'none'"
    policy = (
        f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; "
        "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return HTMLResponse(page, headers={"Content-Security-Policy": policy})


@router.get(
    "/report",
    response_class=HTMLResponse,
    summary="Übersicht der Zusammenfassungen (HTML)",
    responses={200: {"content": {"text/html": {}}}, **stream_error_responses(401, 404, 504)},
)
async def summaries_report(store: StoreDep, caller: CallerDep) -> HTMLResponse:
    """The self-contained report of the store's summaries (charts, table, what was not or only
    partly summarised); only Vorlagen the caller may see. 404 when there is none yet."""
    page = await asyncio.to_thread(
        archive_report,
        SummaryLog(store.summaries_path),
        allow_nonpublic=caller.may_see_nonpublic,
        generated=datetime.now(UTC),
    )
    if page is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NO_SUMMARIES)
    return report_response(page)


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Das Archiv zusammenfassen (ein Auftrag im Hintergrund)",
)
async def start_summaries(
    summary_jobs: SummaryJobsDep,
    caller: IngestCallerDep,
    body: SummaryStart | None = None,
) -> SummaryJobOut:
    """Starts summarising the store's Vorlagen (only those the caller may see); follow it with
    ``GET /api/summaries/{id}/events``. 409 while a summary job runs."""
    start = body or SummaryStart()
    try:
        run = await summary_jobs.start(
            actor=caller.name,
            allow_nonpublic=caller.may_see_nonpublic,
            options=BatchOptions(limit=start.limit, since=start.seit),
        )
    except SummaryBusy as err:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(err)) from err
    return _out(run)


@router.get("", summary="Die letzten Zusammenfassungen des Archivs")
async def list_summaries(
    summary_jobs: SummaryJobsDep,
    caller: IngestCallerDep,
    limit: Annotated[int, Query(ge=1, le=50, description="Höchstens so viele")] = 10,
) -> list[SummaryJobOut]:
    """The newest summary jobs the caller may see, newest first: the running one (follow it
    with ``GET /api/summaries/{id}/events?after={events}``) and the finished ones with their
    German result, also after a restart (``interrupted``: the service stopped meanwhile)."""
    runs = await summary_jobs.recent(allow_nonpublic=caller.may_see_nonpublic, limit=limit)
    return [_out(run) for run in runs]


@router.get("/{run_id}", summary="Stand einer Zusammenfassung des Archivs")
async def get_summaries(run: KnownRun) -> SummaryJobOut:
    return _out(run)


@router.get(
    "/{run_id}/events",
    response_class=EventSourceResponse,
    summary="Fortschritt einer Zusammenfassung als Server-Sent Events",
    responses=stream_error_responses(401, 403, 404, 422, 503),
)
async def summaries_events(
    run: KnownRun,
    last_event: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    after: Annotated[int | None, Query(ge=0, description="Ab diesem Ereignis")] = None,
) -> AsyncIterator[ServerSentEvent]:
    """Events: started, progress (after each Vorlage), then done (with the German result
    sentence), error, cancelled or interrupted. A job known only from the record gives its
    final event alone, numbered one after ``Last-Event-ID``."""
    async for event in job_events(run, last_event_id(last_event, after)):
        yield event


@router.post("/{run_id}/cancel", summary="Eine Zusammenfassung des Archivs abbrechen")
async def cancel_summaries(run: KnownRun, summary_jobs: SummaryJobsDep) -> SummaryJobOut:
    """Stops the job after the Vorlage being summarised (that one is kept)."""
    summary_jobs.cancel(run.id)
    return _out(run)
