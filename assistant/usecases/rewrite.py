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
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from assistant.draft_events import DraftEvent, Section
from assistant.draft_jobs import DraftJob, DraftJobs, Events
from assistant.ports import AuditAction, DraftArchive, VersionSource
from assistant.presenter import MISSING_DRAFT
from assistant.schema import Draft, DraftRequest

__all__ = [
    "MissingDraft",
    "Revision",
    "RewriteRequest",
    "SectionRewriter",
    "latest_draft",
    "queue_revision",
    "start_rewrite",
]


class RewriteRequest(BaseModel):
    """Which section to write again."""

    model_config = ConfigDict(extra="forbid")

    abschnitt: Section = Field(description="sachdarstellung oder beschlussvorschlag")


class SectionRewriter(Protocol):
    """What a rewrite needs of drafting: :meth:`assistant.drafting.DraftingService.rewrite`."""

    def rewrite(
        self, base: Draft, section: Section, *, tokens: bool = True, precedents: bool = True
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

    revision = Revision(draft_id, base.request, events, "rewritten", "draft")
    return await queue_revision(
        jobs, archive, revision, actor=actor, allow_nonpublic=allow_nonpublic
    )


@dataclass(frozen=True)
class Revision:
    """A new version of a stored draft to be queued: its events, source and audit action."""

    draft_id: str
    request: DraftRequest
    events: Events
    source: VersionSource
    action: AuditAction


async def queue_revision(
    jobs: DraftJobs, archive: DraftArchive, revision: Revision, *, actor: str, allow_nonpublic: bool
) -> DraftJob:
    """Queue ``revision`` in the draft queue (JobBusy, QueueFull) and audit it."""
    job = await jobs.start_revision(
        revision.draft_id,
        revision.request,
        revision.events,
        actor=actor,
        allow_nonpublic=allow_nonpublic,
        source=revision.source,
    )
    await asyncio.to_thread(archive.audit, actor, revision.action, (revision.draft_id,), ())
    return job
