"""The port of the archive's summary jobs' record (issue 13, ``POST /api/summaries``): each
job's state, kept beside the drafts so that a reloaded page, another admin and a restarted
service know what ran and how it ended (``storage/summary_jobs.py`` implements it;
docs/summaries.md "In the product"). The job itself runs in
:mod:`assistant.usecases.summary_jobs`, which words every message.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["UNFINISHED", "SummaryJobState", "SummaryJobStatus", "SummaryJobStore"]

SummaryJobStatus = Literal["running", "stopping", "done", "failed", "cancelled", "interrupted"]
"""``interrupted``: the service stopped (or died) while the job ran."""

UNFINISHED: tuple[SummaryJobStatus, ...] = ("running", "stopping")


class SummaryJobState(BaseModel):
    """One summary job as recorded: who started it (``created_by``) and whether with the
    right to nichtöffentliche Vorlagen (``allow_nonpublic``), its options (``limit``,
    ``since``), its status, the documents handled of all (``done``, ``total``: None before
    the first document), the batch's counts by record status, the model calls so far, the
    German result or error sentence, and when it started and ended (timezone-aware UTC)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=32)
    created_by: str = Field(min_length=1, max_length=200)
    allow_nonpublic: bool
    limit: int | None = None
    since: date | None = None
    status: SummaryJobStatus = "running"
    done: int = 0
    total: int | None = None
    counts: dict[str, int] = Field(default_factory=dict)
    model_calls: int = 0
    message: str | None = None
    created_at: datetime
    ended_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status not in UNFINISHED


@runtime_checkable
class SummaryJobStore(Protocol):
    """The summary jobs of one app instance, durable across restarts.

    Contract:
      * Every method is one short transaction, safe from several threads. Database failures
        raise ``assistant.ports.ArchiveError`` (German ``str()``).
      * ``save(state)`` stores the job's state, replacing what was stored for its id (the
        job writes at its start, now and then while it runs, and at its end).
      * ``get(id)`` returns the stored state or None.
      * ``recent(allow_nonpublic=, limit=)`` returns at most ``limit`` jobs, newest first
        (by ``created_at``); without ``allow_nonpublic`` only jobs started without that
        right (a job's counts tell about the Vorlagen it saw).
      * ``unfinished()`` returns the jobs recorded as ``running`` or ``stopping``, oldest
        first: at an app's start, these are the ones a previous process left behind.
      * Several app instances sharing one database each see only their own jobs (the
        ``instance`` the store was opened for), as with the drafts' interruption.
    """

    def save(self, state: SummaryJobState) -> None: ...

    def get(self, job_id: str) -> SummaryJobState | None: ...

    def recent(self, *, allow_nonpublic: bool, limit: int = 10) -> list[SummaryJobState]: ...

    def unfinished(self) -> list[SummaryJobState]: ...
