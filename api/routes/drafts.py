"""Drafts over HTTP: start (and wait, or stream), re-attach, cancel, read, edit.

Every draft is a server-side job (:mod:`assistant.draft_jobs`): it goes on when the client goes
away; a client re-attaches with ``GET /api/drafts/{id}/events`` and ``Last-Event-ID``. Finished
drafts and every edited version are kept in the draft archive (``storage/``) with who, when,
which model and which sources. A caller without the right never sees a draft that cites a
nichtöffentliche Vorlage: it is "not found" for them, exactly like a missing one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, status
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, Field

from api.deps import ArchiveDep, CallerDep, JobsDep, ServicesDep
from api.errors import error_responses, stream_error_responses
from api.sse import job_events, last_event_id
from assistant.draft_jobs import DraftJob, QueueFull
from assistant.ports import DraftRecord, DraftVersion
from assistant.presenter import MISSING_DRAFT
from assistant.schema import Draft, DraftRequest, ValidationReport
from assistant.usecases.draft_list import MAX_LIMIT, OwnDraft, own_drafts
from assistant.usecases.drafts import revalidate
from assistant.usecases.version_diff import MissingVersion, VersionDiff, diff_versions

router = APIRouter(
    prefix="/api/drafts",
    tags=["Entwürfe"],
    responses=error_responses(400, 401, 403, 404, 413, 422, 503, 504),
)

NOT_FOUND = MISSING_DRAFT
NONPUBLIC_SOURCE = (
    "Der Entwurf zitiert eine nichtöffentliche Vorlage; dafür fehlt Ihnen die Berechtigung."
)


class DraftJobOut(BaseModel):
    """A draft job: its id, state and, when finished, the validated draft."""

    id: str
    status: str = Field(description="queued, running, done, failed oder cancelled")
    error: str | None = Field(default=None, description="Deutsche Fehlermeldung, wenn gescheitert")
    draft: Draft | None = None


def _out(job: DraftJob) -> DraftJobOut:
    return DraftJobOut(id=job.id, status=job.status, error=job.error, draft=job.draft)


def _stored(record: DraftRecord) -> DraftJobOut:
    draft = record.latest.draft if record.latest else None
    return DraftJobOut(id=record.id, status=record.status, error=record.error, draft=draft)


class EditedVersion(BaseModel):
    """The stored version of an edited draft and its fresh validation."""

    id: str
    version: int
    validation: ValidationReport


def queue_full(err: QueueFull) -> HTTPException:
    return HTTPException(
        status.HTTP_503_SERVICE_UNAVAILABLE,
        detail=str(err),
        headers={"Retry-After": str(err.retry_after_s)},
    )


async def start_job(
    services: ServicesDep, jobs: JobsDep, caller: CallerDep, request: DraftRequest
) -> DraftJob:
    """A draft job for ``request`` (also started by ``POST /api/chat``): checked and prepared
    (422), queued for the caller with their right to nichtöffentliche Vorlagen (503 when the
    queue is full), audited."""
    prepared = services.prepare_request(request)  # InvalidRequest -> 422
    try:
        job = await jobs.start(
            prepared, actor=caller.name, allow_nonpublic=caller.may_see_nonpublic
        )
    except QueueFull as err:
        raise queue_full(err) from err
    await asyncio.to_thread(services.archive.audit, caller.name, "draft", (job.id,), ())
    return job


async def _started(
    request: DraftRequest, services: ServicesDep, jobs: JobsDep, caller: CallerDep
) -> DraftJob:
    return await start_job(services, jobs, caller, request)


def _known(draft_id: str, jobs: JobsDep, caller: CallerDep) -> DraftJob:
    return _job(jobs, caller, draft_id)


# Dependencies, so that 404, 422 and 503 are answered before an event stream starts.
StartedJob = Annotated[DraftJob, Depends(_started)]
KnownJob = Annotated[DraftJob, Depends(_known)]


@router.get("", summary="Meine Entwürfe, die neuesten zuerst")
async def list_own_drafts(
    archive: ArchiveDep,
    caller: CallerDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Höchstens so viele")] = 20,
) -> list[OwnDraft]:
    """The drafts the caller started, without their text; nichtöffentliche ones only for a
    caller with that right."""
    return await asyncio.to_thread(
        own_drafts,
        archive,
        actor=caller.name,
        allow_nonpublic=caller.may_see_nonpublic,
        limit=limit,
    )


@router.post("", status_code=status.HTTP_201_CREATED, summary="Entwurf schreiben und abwarten")
async def create_draft(
    request: DraftRequest, services: ServicesDep, jobs: JobsDep, caller: CallerDep
) -> DraftJobOut:
    """Writes a draft and answers when it is finished (about a minute with the bundled model).
    The job goes on if the connection drops; ``GET /api/drafts/{id}`` then has the result."""
    job = await start_job(services, jobs, caller, request)
    async for _ in job.follow():
        pass
    return _out(job)


@router.post(
    "/stream",
    response_class=EventSourceResponse,
    summary="Entwurf schreiben, Fortschritt als Server-Sent Events",
    responses=stream_error_responses(400, 401, 403, 413, 422, 503),
)
async def stream_draft(job: StartedJob) -> AsyncIterator[ServerSentEvent]:
    """Events: queued (position), retrieval, section_started, token, section_done, validation,
    done (with the draft) or error / cancelled. The first event names the job's id; the job goes
    on when the client leaves."""
    async for event in job_events(job):
        yield event


def _job(jobs: JobsDep, caller: CallerDep, draft_id: str) -> DraftJob:
    job = jobs.get(draft_id, allow_nonpublic=caller.may_see_nonpublic)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    return job


@router.get(
    "/{draft_id}/events",
    response_class=EventSourceResponse,
    summary="An einen laufenden Entwurf wieder anhängen",
    responses=stream_error_responses(401, 403, 404, 422),
)
async def draft_events(
    job: KnownJob,
    last_event: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    after: Annotated[int | None, Query(ge=0, description="Ab diesem Ereignis")] = None,
) -> AsyncIterator[ServerSentEvent]:
    """The job's events after ``Last-Event-ID`` (or ``?after=``), then live until it ends."""
    async for event in job_events(job, last_event_id(last_event, after)):
        yield event


@router.post("/{draft_id}/cancel", summary="Einen laufenden Entwurf abbrechen")
async def cancel_draft(job: KnownJob, jobs: JobsDep) -> DraftJobOut:
    await jobs.cancel(job.id)
    return _out(job)


async def _record(archive: ArchiveDep, caller: CallerDep, draft_id: str) -> DraftRecord:
    record = await asyncio.to_thread(
        archive.get, draft_id, allow_nonpublic=caller.may_see_nonpublic
    )
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    return record


@router.get("/{draft_id}", summary="Stand und Ergebnis eines Entwurfs")
async def get_draft(
    draft_id: str, jobs: JobsDep, archive: ArchiveDep, caller: CallerDep
) -> DraftJobOut:
    """The job while it is known to this server, else the stored draft (latest version)."""
    job = jobs.get(draft_id, allow_nonpublic=caller.may_see_nonpublic)
    if job is not None:
        return _out(job)
    return _stored(await _record(archive, caller, draft_id))


@router.put("/{draft_id}", summary="Einen bearbeiteten Entwurf als neue Fassung speichern")
async def edit_draft(
    draft_id: str, draft: Draft, archive: ArchiveDep, caller: CallerDep
) -> EditedVersion:
    """The edited draft is checked again and stored as a new version beside the earlier ones
    (nothing is overwritten); the answer carries the findings."""
    await _record(archive, caller, draft_id)
    if not caller.may_see_nonpublic and any(c.oeffentlich is not True for c in draft.citations):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=NONPUBLIC_SOURCE)
    checked = await asyncio.to_thread(revalidate, draft)
    public = [c.vorlage_id for c in checked.citations if c.oeffentlich]
    number = await asyncio.to_thread(
        archive.add_version, draft_id, checked, caller.name, "edited", public_ids=public
    )
    await asyncio.to_thread(archive.audit, caller.name, "edit", (draft_id,), ())
    assert checked.validation is not None
    return EditedVersion(id=draft_id, version=number, validation=checked.validation)


@router.get("/{draft_id}/versions", summary="Alle Fassungen eines Entwurfs")
async def draft_versions(
    draft_id: str, archive: ArchiveDep, caller: CallerDep
) -> list[DraftVersion]:
    await _record(archive, caller, draft_id)
    return await asyncio.to_thread(
        archive.versions, draft_id, allow_nonpublic=caller.may_see_nonpublic
    )


@router.get("/{draft_id}/diff", summary="Zwei Fassungen eines Entwurfs vergleichen")
async def diff_draft_versions(
    draft_id: str,
    archive: ArchiveDep,
    caller: CallerDep,
    von: Annotated[int, Query(ge=1, description="Die frühere Fassung")],
    zu: Annotated[int, Query(ge=1, description="Die spätere Fassung")],
) -> VersionDiff:
    """Each section of version ``von`` against version ``zu``, word by word."""
    versions = await draft_versions(draft_id, archive, caller)
    try:
        return diff_versions(versions, von, zu)
    except MissingVersion as err:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(err)) from err
