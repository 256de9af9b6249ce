"""Server-sent events for draft jobs: one mapping from a job's log to the wire.

Every entry of a job's log (:class:`assistant.draft_jobs.JobEvent`) becomes one SSE event:
``event:`` its type (queued, retrieval, section_started, token, section_done, validation,
done, error, cancelled), ``id:`` its sequence number (a browser's ``EventSource`` sends it back
as ``Last-Event-ID`` when it reconnects, and the stream resumes after it), ``data:`` the JSON of
the entry. FastAPI's ``EventSourceResponse`` sends keep-alive comments while a job waits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from fastapi.sse import ServerSentEvent

from assistant.draft_jobs import JobEvent

RETRY_MS = 3000


def last_event_id(header: str | None, query: int | None = None) -> int:
    """The sequence number to resume after: the ``Last-Event-ID`` header, else ``?after=``,
    else 0 (from the start); anything that is not a non-negative number counts as 0."""
    for value in (header, query):
        if value is None:
            continue
        try:
            number = int(str(value).strip())
        except ValueError:
            continue
        if number >= 0:
            return number
    return 0


class FollowedJob(Protocol):
    """A job with a log of numbered events: a draft's, or a summary job's."""

    def follow(self, after: int = 0) -> AsyncIterator[JobEvent]: ...


async def job_events(job: FollowedJob, after: int = 0) -> AsyncIterator[ServerSentEvent]:
    """The job's log from ``after + 1`` on as SSE events, until the job ends."""
    first = True
    async for entry in job.follow(after):
        yield ServerSentEvent(
            event=entry.type,
            id=str(entry.seq),
            data=entry.data,
            retry=RETRY_MS if first else None,
        )
        first = False
