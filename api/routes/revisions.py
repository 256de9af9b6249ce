"""New versions of a stored draft that a clerk asks for: one section written again, and the
follow-up refinements of the chat (``refine_job``, called by ``POST /api/chat``).

The job runs in the draft queue like a draft (``assistant.usecases.rewrite``); the page follows
it with ``GET /api/drafts/{id}/events`` and finds the result as the draft's newest version. A
draft the caller may not see is "not found", exactly like a missing one.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from api.auth import Caller
from api.container import Services, Store
from api.deps import ArchiveDep, CallerDep, JobsDep, ServicesDep, StoreDep
from api.errors import error_responses
from api.routes.drafts import DraftJobOut, queue_full
from assistant.draft_jobs import DraftJob, DraftJobs, JobBusy, QueueFull
from assistant.ports import DraftArchive
from assistant.usecases.chat_refine import Refinement
from assistant.usecases.refine import NothingToRefine, start_refine
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
    except (MissingDraft, JobBusy, QueueFull) as err:
        raise _refused(err) from err
    return DraftJobOut(id=job.id, status=job.status)


async def refine_job(
    services: Services,
    store: Store,
    jobs: DraftJobs,
    archive: DraftArchive,
    caller: Caller,
    draft_id: str,
    refinement: Refinement,
) -> DraftJob:
    """The queued job of a usable ``refinement`` of the caller's open draft (404, 409, 503
    as for a rewrite; 422 when the refined request breaks a limit or „sachlicher“ finds
    nothing to change)."""
    try:
        return await start_refine(
            jobs,
            archive,
            services.drafting_for(store),
            draft_id,
            refinement,
            actor=caller.name,
            allow_nonpublic=caller.may_see_nonpublic,
        )
    except (MissingDraft, JobBusy, QueueFull) as err:
        raise _refused(err) from err
    except NothingToRefine as err:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(err)) from err


def _refused(err: MissingDraft | JobBusy | QueueFull) -> HTTPException:
    if isinstance(err, QueueFull):
        return queue_full(err)
    code = status.HTTP_404_NOT_FOUND if isinstance(err, MissingDraft) else status.HTTP_409_CONFLICT
    return HTTPException(code, detail=str(err))
