"""One section of a stored draft written again, as a new version (issue 11).

The latest version of the draft is the base: its request and citations (no new search), and
every part except the chosen section as the clerk last saved it. The job waits in the draft
queue (:meth:`assistant.draft_jobs.DraftJobs.start_revision`) so that it never competes with
running drafts for the one model; its events are a draft's, and the new Draft, validated as a
whole, is stored as version ``rewritten``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from assistant.draft_events import DraftEvent, Section
from assistant.draft_jobs import DraftJob, DraftJobs
from assistant.ports import DraftArchive
from assistant.presenter import MISSING_DRAFT
from assistant.schema import Draft

__all__ = ["MissingDraft", "RewriteRequest", "SectionRewriter", "latest_draft", "start_rewrite"]


class RewriteRequest(BaseModel):
    """Which section to write again."""

    model_config = ConfigDict(extra="forbid")

    abschnitt: Section = Field(description="sachdarstellung oder beschlussvorschlag")


class SectionRewriter(Protocol):
    """What a rewrite needs of drafting: :meth:`assistant.drafting.DraftingService.rewrite`."""

    def rewrite(
        self, base: Draft, section: Section, *, tokens: bool = True
    ) -> AsyncIterator[DraftEvent]: ...


class MissingDraft(LookupError):
    """No stored version of this draft for this caller; ``str(err)`` is German."""

    def __init__(self) -> None:
        super().__init__(MISSING_DRAFT)


async def latest_draft(archive: DraftArchive, draft_id: str, *, allow_nonpublic: bool) -> Draft:
    """The latest stored version of ``draft_id`` the caller may see; raises MissingDraft."""
    record = await asyncio.to_thread(archive.get, draft_id, allow_nonpublic=allow_nonpublic)
    if record is None or record.latest is None:
        raise MissingDraft
    return record.latest.draft


async def start_rewrite(
    jobs: DraftJobs,
    archive: DraftArchive,
    writer: SectionRewriter,
    draft_id: str,
    section: Section,
    *,
    actor: str,
    allow_nonpublic: bool,
) -> DraftJob:
    """Queue the rewrite of ``section`` of the draft's latest version.

    Raises:
        MissingDraft: unknown, unfinished, or not visible to the caller.
        JobBusy: a job of this draft is still running.
        QueueFull: too many jobs wait for the model.
    """
    base = await latest_draft(archive, draft_id, allow_nonpublic=allow_nonpublic)

    def events() -> AsyncIterator[DraftEvent]:
        return writer.rewrite(base, section)

    job = await jobs.start_revision(
        draft_id,
        base.request,
        events,
        actor=actor,
        allow_nonpublic=allow_nonpublic,
        source="rewritten",
    )
    await asyncio.to_thread(archive.audit, actor, "draft", (draft_id,), ())
    return job
