"""A caller's own drafts, newest first (``GET /api/drafts``, the page's „Meine Entwürfe“).

Drafts belong to whoever started them: the archive records the caller's name as
``created_by`` (an API key's name or a user's login). A nichtöffentliche draft (one that asked
for or cites a nichtöffentliche Vorlage) is listed only for a caller with that right, exactly
as the archive's other reads treat it. The entries carry no draft text.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from assistant import presenter
from assistant.ports import DraftArchive, DraftStatus, DraftSummary

__all__ = ["MAX_LIMIT", "OwnDraft", "own_drafts"]

#: The most drafts one list may hold.
MAX_LIMIT = 100


class OwnDraft(BaseModel):
    """One of the caller's drafts, without its text."""

    id: str
    betreff: str
    gremium: str
    status: DraftStatus
    status_text: str = Field(description="Der Stand auf Deutsch, z. B. „fertig“")
    error: str | None = Field(default=None, description="Deutsche Fehlermeldung, wenn gescheitert")
    created_at: datetime
    updated_at: datetime
    versions: int = Field(description="Wie viele Fassungen gespeichert sind")


def _entry(summary: DraftSummary) -> OwnDraft:
    return OwnDraft(
        id=summary.id,
        betreff=summary.request.betreff,
        gremium=summary.request.gremium,
        status=summary.status,
        status_text=presenter.draft_status(summary.status),
        error=summary.error,
        created_at=summary.created_at,
        updated_at=summary.updated_at,
        versions=summary.versions,
    )


def own_drafts(
    archive: DraftArchive, *, actor: str, allow_nonpublic: bool, limit: int = 20
) -> list[OwnDraft]:
    """The newest ``limit`` drafts ``actor`` started, newest first; nichtöffentliche ones
    only with ``allow_nonpublic``.

    Raises:
        ValueError: ``limit`` outside 1…:data:`MAX_LIMIT`.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be within 1…{MAX_LIMIT}, got {limit}")
    summaries = archive.list_drafts(allow_nonpublic=allow_nonpublic, actor=actor, limit=limit)
    return [_entry(summary) for summary in summaries]
