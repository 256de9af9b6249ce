"""``POST /api/chat``: a clerk's German message, answered as server-sent events.

The chat page sends what the clerk typed; the use case :mod:`assistant.usecases.chat` reads it
by rules (no model) and this route answers with events (``EventSourceResponse``, like
``POST /api/drafts/stream``):

* ``antwort``: the help text (for "Hilfe" and for anything not understood, with a hint);
* ``treffer``: the :class:`~assistant.usecases.search.SearchResult` of "Suche: …" (with the
  caller's right to nichtöffentliche Vorlagen);
* ``formular``: the form read from "Entwurf: …" (or the confirmed ``formular``) with what is
  missing. With ``entwerfen`` and a complete form (or a confirmed ``formular``) a draft job
  starts exactly as with ``POST /api/drafts/stream``, and its events follow (``queued`` names
  the job; ``GET /api/drafts/{id}/events`` re-attaches);
* ``verfeinerung``: with ``entwurf`` (the open draft) a follow-up refinement („kürzer“,
  „sachlicher“, „Finanzierung ergänzen: …“, „Fakt ergänzen: …“) starts a job that writes the
  draft's next version (``api.routes.revisions.refine_job``); its events follow. An addition
  without its text is answered with the refinements that exist (``antwort``).

The work is done in a dependency, so that 400, 404, 409, 422 and 503 are answered before the
stream starts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.sse import EventSourceResponse, ServerSentEvent

from api.deps import ArchiveDep, CallerDep, JobsDep, ServicesDep, StoreDep
from api.errors import error_responses, stream_error_responses
from api.routes.drafts import start_job
from api.routes.revisions import refine_job
from api.sse import job_events
from assistant.draft_jobs import DraftJob
from assistant.presenter import REFINE_HELP, refine_hint, refine_started
from assistant.usecases.chat import HELP, ChatIntent, ChatRequest, read_request
from assistant.usecases.chat_refine import Refinement, read_refinement
from assistant.usecases.search import SearchResult

router = APIRouter(
    prefix="/api",
    tags=["Chat"],
    responses=error_responses(400, 401, 403, 404, 409, 413, 422, 503, 504),
)


@dataclass(frozen=True)
class ChatAnswer:
    """What a chat turn yields: the intent, and the search's result or the started job."""

    intent: ChatIntent | None
    result: SearchResult | None = None
    job: DraftJob | None = None
    refinement: Refinement | None = None


async def _answer(
    body: ChatRequest,
    services: ServicesDep,
    store: StoreDep,
    jobs: JobsDep,
    caller: CallerDep,
    archive: ArchiveDep,
) -> ChatAnswer:
    refinement = read_refinement(body.nachricht) if body.entwurf else None
    if refinement is not None and body.entwurf is not None:
        job = None
        if refinement.usable:
            job = await refine_job(services, store, jobs, archive, caller, body.entwurf, refinement)
        return ChatAnswer(None, job=job, refinement=refinement)
    intent = read_request(body, date.today())
    if intent.search is not None:
        result = await asyncio.to_thread(
            services.search,
            intent.search,
            allow_nonpublic=caller.may_see_nonpublic,
            store=store,
        )
        return ChatAnswer(intent, result=result)
    confirmed = body.formular is not None
    if intent.form is not None and body.entwerfen and (intent.complete or confirmed):
        # a confirmed form goes to the same checks as POST /api/drafts/stream (422)
        return ChatAnswer(intent, job=await start_job(services, jobs, caller, intent.form))
    return ChatAnswer(intent)


# A dependency, so that errors are answered before the event stream starts.
Answered = Annotated[ChatAnswer, Depends(_answer)]


@router.post(
    "/chat",
    response_class=EventSourceResponse,
    summary="Nachricht an den Assistenten (Entwurf, Suche, Hilfe), Antwort als Server-Sent Events",
    responses=stream_error_responses(400, 401, 403, 404, 409, 413, 422, 503, 504),
)
async def chat(answer: Answered) -> AsyncIterator[ServerSentEvent]:
    """Events: ``antwort`` (``{"text", "hint"}``: the help), ``treffer`` (a SearchResult), or
    ``formular`` (``{"form", "missing", "complete"}``) followed, when a draft was started, by
    the job's events (queued … done, error or cancelled; with their ids, as
    ``GET /api/drafts/{id}/events`` sends them)."""
    intent = answer.intent
    if answer.refinement is not None:
        async for event in _refined(answer.refinement, answer.job):
            yield event
    elif intent is None:
        return
    elif answer.result is not None:
        yield ServerSentEvent(event="treffer", data=answer.result)
    elif intent.kind == "entwurf":
        data = {"form": intent.form, "missing": intent.missing, "complete": intent.complete}
        yield ServerSentEvent(event="formular", data=data)
        if answer.job is not None:
            async for event in job_events(answer.job):
                yield event
    else:
        yield ServerSentEvent(event="antwort", data={"text": HELP, "hint": intent.hint})


async def _refined(refinement: Refinement, job: DraftJob | None) -> AsyncIterator[ServerSentEvent]:
    """A refinement that started (``verfeinerung``, then the job's events), or the
    refinements that exist (``antwort``) when this one cannot be applied."""
    if job is None:
        data = {"text": REFINE_HELP, "hint": refine_hint(refinement.kind)}
        yield ServerSentEvent(event="antwort", data=data)
        return
    data = {"id": job.id, "kind": refinement.kind, "text": refine_started(refinement.kind)}
    yield ServerSentEvent(event="verfeinerung", data=data)
    async for event in job_events(job):
        yield event
