"""The port of the Mitzeichnung (approval of a draft): requests to a named approver and their
decisions, stored with the draft version they concern (``storage/approvals.py`` implements it;
docs/storage.md). The rules (who may ask and decide) are the use case's:
:mod:`assistant.usecases.approval`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

__all__ = [
    "Approval",
    "ApprovalArchive",
    "ApprovalPlatform",
    "Decision",
    "DecisionConflict",
]

Decision = Literal["freigegeben", "zurueckgegeben"]
"""Freigeben (approve) or Zurückgeben (return to the clerk with notes)."""

ApprovalPlatform = Literal["web", "slack", "teams"]
"""Where the request was made: the page and the HTTP API, or a bot."""


class Approval(BaseModel):
    """One request for a Mitzeichnung and, once made, the decision on it.

    ``version`` is the stored version of the draft the request concerns: what is approved is
    always that stored text. ``decision``, ``decided_at``, ``decided_by`` and ``notes`` are
    None while the request is open. ``platform`` is where the request was made;
    ``message_ref`` is where a bot showed the approver the card (``slack:<channel>:<ts>``,
    ``teams:[conversation, activity]``), so that it can update the card after the decision.
    Times are timezone-aware UTC.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    draft_id: str
    version: int
    requested_at: datetime
    requested_by: str
    approver: str
    platform: ApprovalPlatform
    message_ref: str | None = None
    decision: Decision | None = None
    decided_at: datetime | None = None
    decided_by: str | None = None
    notes: str | None = None

    @property
    def is_open(self) -> bool:
        return self.decision is None


class DecisionConflict(Exception):
    """A decision that was not stored: the request is decided already (``approval`` as it is
    now), or the draft has a newer version than the one the request concerns
    (``current_version``). The use case words it in German."""

    def __init__(self, approval: Approval, current_version: int) -> None:
        super().__init__(f"approval {approval.id}: decided or stale")
        self.approval = approval
        self.current_version = current_version

    @property
    def decided(self) -> bool:
        return not self.approval.is_open


@runtime_checkable
class ApprovalArchive(Protocol):
    """Requests for a Mitzeichnung and their decisions, durable and shared by app instances.

    Contract:
      * Every method is one short transaction, safe from several threads and processes.
        Database failures raise ``assistant.ports.ArchiveError`` (German ``str()``); an
        unknown id in a writing call raises ``KeyError``; invalid arguments ``ValueError``.
      * ``request(draft_id, version, requested_by=, approver=, platform=, message_ref=)``
        stores an open request for that stored version (``KeyError`` when the draft has no
        such version) and returns it; when the same approver has an open request for the same
        version already, that one is returned instead of a second.
      * ``decide(id, decision, actor=, notes=)`` stores the decision, ``actor`` and the time
        atomically, only while the request is open AND its version is still the draft's
        latest; otherwise nothing changes and :class:`DecisionConflict` is raised. Two
        concurrent decisions on one request: exactly one is stored.
      * ``get(id)`` returns the request or None; ``open_for(approver)`` the open requests
        addressed to ``approver``, oldest first; ``of_draft(draft_id)`` every request of a
        draft, oldest first. Visibility of the draft is the caller's check.
      * ``set_message_ref(id, ref)`` records where a bot showed the request.
    """

    def request(
        self,
        draft_id: str,
        version: int,
        *,
        requested_by: str,
        approver: str,
        platform: ApprovalPlatform,
        message_ref: str | None = None,
    ) -> Approval: ...

    def decide(
        self, approval_id: str, decision: Decision, *, actor: str, notes: str | None
    ) -> Approval: ...

    def get(self, approval_id: str) -> Approval | None: ...

    def open_for(self, approver: str, *, limit: int = 50) -> list[Approval]: ...

    def of_draft(self, draft_id: str) -> list[Approval]: ...

    def set_message_ref(self, approval_id: str, message_ref: str | None) -> None: ...
