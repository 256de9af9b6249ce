"""New versions of a stored draft that a clerk asks for: one section written again.

The job runs in the draft queue like a draft (``assistant.usecases.rewrite``); the page follows
it with ``GET /api/drafts/{id}/events`` and finds the result as the draft's newest version. A
draft the caller may not see is "not found", exactly like a missing one.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from api.deps import ArchiveDep, CallerDep, JobsDep, ServicesDep, StoreDep
from api.errors import error_responses
from api.routes.drafts import DraftJobOut, queue_full
from assistant.draft_jobs import JobBusy, QueueFull
from assistant.usecases.rewrite import MissingDraft, RewriteRequest, start_rewrite

router = APIRouter(
    prefix="/api/drafts",
    tags=["Entwürfe"],
    responses=error_responses(400, 401, 403, 404, 409, 413, 422, 503, 504),
)


@router.post(
    "/{draft_id}/rewrite",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Einen Abschnitt neu schreiben, als neue Fassung",
)
async def rewrite_section(
    draft_id: str,
    body: RewriteRequest,
    services: ServicesDep,
    store: StoreDep,
    jobs: JobsDep,
    archive: ArchiveDep,
    caller: CallerDep,
) -> DraftJobOut:
    """Writes the chosen section of the latest version again (its request and sources, no new
    search) and keeps the other section as last saved; the whole draft is checked and stored
    as a new version („neu geschrieben“). Runs in the draft queue; follow it with
    ``GET /api/drafts/{id}/events``. 409 while a job of this draft runs."""
    try:
        job = await start_rewrite(
            jobs,
            archive,
            services.drafting_for(store),
            draft_id,
            body.abschnitt,
            actor=caller.name,
            allow_nonpublic=caller.may_see_nonpublic,
        )
    except MissingDraft as err:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(err)) from err
    except JobBusy as err:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(err)) from err
    except QueueFull as err:
        raise queue_full(err) from err
    return DraftJobOut(id=job.id, status=job.status)
