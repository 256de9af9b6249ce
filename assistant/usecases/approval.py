"""The Mitzeichnung: a clerk sends a finished draft to a named approver, who approves it
(„Freigeben“) or returns it with notes („Zurückgeben“) — the same rules for the HTTP API, the
page and the Slack and Teams bots (docs/bots.md).

* A request concerns the draft's latest stored version at that moment; the decision is stored
  with that version (who, when, notes) and is always about the stored text: no entry point
  passes draft text to :func:`decide_approval`, whatever a card or a request body carries.
* Only a person with the approver role (``Person.may_approve``, mapped from the settings by
  the entry point) may decide, and only on a request addressed to them.
* A decision on a version that is no longer the latest, and a second decision on one request,
  are refused (:class:`ApprovalConflict`, German); the check and the write are one statement.
* Requests and decisions are written to the audit log (ids only).
* A nichtöffentlicher draft is sent only to an approver who may see it, and is shown only to
  callers who may see it; for anyone else the request does not exist.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, computed_field

from assistant import presenter_approval as wording
from assistant.ports import AuditAction, DraftArchive, DraftRecord
from assistant.ports_approval import (
    Approval,
    ApprovalArchive,
    ApprovalPlatform,
    Decision,
    DecisionConflict,
)
from assistant.schema import Draft
from assistant.usecases.errors import InvalidRequest
from assistant.usecases.rewrite import MissingDraft

__all__ = [
    "MAX_NOTES",
    "ApprovalCase",
    "ApprovalConflict",
    "ApproverRights",
    "MissingApproval",
    "NotApprover",
    "Person",
    "approval_case",
    "decide_approval",
    "draft_approvals",
    "open_approvals",
    "read_approval_command",
    "request_approval",
]

MAX_NOTES = 2000
UNFINISHED = ("queued", "running")
AUDIT: dict[Decision, AuditAction] = {"freigegeben": "approve", "zurueckgegeben": "return"}

_COMMAND = re.compile(
    r"^\s*(?:zur\s+)?(?:mitzeichnung|mitzeichnen)\b\s*(?:durch|an|von)?\s*:?\s*"
    r"(?P<name>[\w.@-][\w .@-]{0,63}?)?\s*[.!]?\s*$",
    re.IGNORECASE,
)

ApproverRights = Mapping[str, bool]
"""Who can be asked for a Mitzeichnung: each approver's name and whether they may see
nichtöffentliche Vorlagen (built from the settings by ``api/container.py``)."""


@dataclass(frozen=True)
class Person:
    """Who acts: a caller's or a platform user's name and rights."""

    name: str
    may_see_nonpublic: bool = False
    may_approve: bool = False


class MissingApproval(LookupError):
    """No such request, or its draft is not visible to the caller; ``str(err)`` is German."""

    def __init__(self) -> None:
        super().__init__(wording.MISSING_APPROVAL)


class NotApprover(PermissionError):
    """The caller may not decide (no approver role, or the request is someone else's)."""


class ApprovalConflict(Exception):
    """The state forbids it now: decided already, a newer version, a draft still being
    written. ``str(err)`` is German; HTTP answers 409."""


class ApprovalCase(BaseModel):
    """A request with what the approver decides on: the stored version it concerns."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    approval: Approval
    betreff: str
    draft: Draft = Field(description="Die gespeicherte Fassung, um die es geht.")
    current_version: int = Field(description="Die neueste Fassung des Entwurfs.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def is_current(self) -> bool:
        """Whether the version asked about is still the newest (only then can it be decided)."""
        return self.approval.version == self.current_version


async def _visible(archive: DraftArchive, draft_id: str, person: Person) -> DraftRecord | None:
    return await asyncio.to_thread(archive.get, draft_id, allow_nonpublic=person.may_see_nonpublic)


def _check_approver(record: DraftRecord, approver: str, approvers: ApproverRights) -> None:
    if approver not in approvers:
        raise InvalidRequest(wording.unknown_approver(approver), field="mitzeichner")
    if record.nonpublic and not approvers[approver]:
        raise InvalidRequest(wording.approver_may_not_see(approver), field="mitzeichner")


async def request_approval(
    archive: DraftArchive,
    approvals: ApprovalArchive,
    approvers: ApproverRights,
    draft_id: str,
    approver: str,
    *,
    requester: Person,
    platform: ApprovalPlatform = "web",
    seen_version: int | None = None,
) -> ApprovalCase:
    """Ask ``approver`` to approve the latest stored version of ``draft_id``; audited.

    ``seen_version`` (optional) is the version the clerk looked at: when the draft has a
    newer one by now, the request is refused instead of sending a text the clerk has not seen.
    An open request of the same approver for the same version is returned, not repeated.

    Raises:
        MissingDraft: unknown, without a stored version, or not visible to the requester.
        InvalidRequest: unknown approver, one who may not see the draft, or the requester.
        ApprovalConflict: the draft is being written, or moved on past ``seen_version``.
    """
    record = await _visible(archive, draft_id, requester)
    if record is None or record.latest is None:
        raise MissingDraft
    if record.status in UNFINISHED:
        raise ApprovalConflict(wording.DRAFT_NOT_FINISHED)
    if seen_version is not None and seen_version != record.versions:
        raise ApprovalConflict(wording.version_moved_on(seen_version, record.versions))
    if approver == requester.name:
        raise InvalidRequest(wording.OWN_APPROVAL, field="mitzeichner")
    _check_approver(record, approver, approvers)
    approval = await asyncio.to_thread(
        approvals.request,
        draft_id,
        record.latest.number,
        requested_by=requester.name,
        approver=approver,
        platform=platform,
    )
    await asyncio.to_thread(
        archive.audit, requester.name, "request_approval", (draft_id, approval.id), ()
    )
    return ApprovalCase(
        approval=approval,
        betreff=record.request.betreff,
        draft=record.latest.draft,
        current_version=record.versions,
    )


def _notes(decision: Decision, notes: str | None) -> str | None:
    text = (notes or "").strip() or None
    if text is not None and len(text) > MAX_NOTES:
        raise InvalidRequest(wording.notes_too_long(MAX_NOTES), field="anmerkungen")
    if decision == "zurueckgegeben" and text is None:
        raise InvalidRequest(wording.NOTES_REQUIRED, field="anmerkungen")
    return text


def _conflict(err: DecisionConflict) -> ApprovalConflict:
    stored = err.approval
    if stored.decision is not None and stored.decided_at is not None:
        return ApprovalConflict(
            wording.already_decided(stored.decision, stored.decided_by or "", stored.decided_at)
        )
    return ApprovalConflict(wording.stale_version(stored.version, err.current_version))


async def _addressed(
    archive: DraftArchive, approvals: ApprovalArchive, approval_id: str, person: Person
) -> tuple[Approval, DraftRecord]:
    """The request and its draft, when the draft is visible to ``person``."""
    approval = await asyncio.to_thread(approvals.get, approval_id)
    if approval is None:
        raise MissingApproval
    record = await _visible(archive, approval.draft_id, person)
    if record is None:
        raise MissingApproval
    return approval, record


async def decide_approval(
    archive: DraftArchive,
    approvals: ApprovalArchive,
    approval_id: str,
    decision: Decision,
    notes: str | None,
    *,
    decider: Person,
) -> Approval:
    """Store ``decision`` (with ``notes``; required for „zurückgegeben“) on the request's
    version, by ``decider``; audited as ``approve`` or ``return``.

    Raises:
        NotApprover: ``decider`` has no approver role, or the request is someone else's.
        MissingApproval: unknown, or its draft is not visible to ``decider``.
        InvalidRequest: notes missing (to return) or too long.
        ApprovalConflict: decided already, or the draft has a newer version by now.
    """
    if not decider.may_approve:
        raise NotApprover(wording.NOT_APPROVER)
    approval, _ = await _addressed(archive, approvals, approval_id, decider)
    if approval.approver != decider.name:
        raise NotApprover(wording.not_addressed(approval.approver))
    text = _notes(decision, notes)
    try:
        decided = await asyncio.to_thread(
            approvals.decide, approval_id, decision, actor=decider.name, notes=text
        )
    except DecisionConflict as err:
        raise _conflict(err) from err
    await asyncio.to_thread(
        archive.audit, decider.name, AUDIT[decision], (decided.draft_id, decided.id), ()
    )
    return decided


async def approval_case(
    archive: DraftArchive, approvals: ApprovalArchive, approval_id: str, *, viewer: Person
) -> ApprovalCase:
    """A request with the stored version it concerns (for the approver's card or page).

    Raises:
        MissingApproval: unknown, or its draft is not visible to ``viewer``.
    """
    approval, record = await _addressed(archive, approvals, approval_id, viewer)
    versions = await asyncio.to_thread(
        archive.versions, approval.draft_id, allow_nonpublic=viewer.may_see_nonpublic
    )
    stored = next((v for v in versions if v.number == approval.version), None)
    if stored is None:  # the draft was deleted in between
        raise MissingApproval
    return ApprovalCase(
        approval=approval,
        betreff=record.request.betreff,
        draft=stored.draft,
        current_version=record.versions,
    )


async def open_approvals(
    archive: DraftArchive, approvals: ApprovalArchive, *, approver: Person, limit: int = 50
) -> list[ApprovalCase]:
    """The open requests addressed to ``approver``, oldest first (none without the role;
    requests whose draft ``approver`` may not see are left out)."""
    if not approver.may_approve:
        return []
    waiting = await asyncio.to_thread(approvals.open_for, approver.name, limit=limit)
    cases = []
    for approval in waiting:
        try:
            cases.append(await approval_case(archive, approvals, approval.id, viewer=approver))
        except MissingApproval:
            continue
    return cases


async def draft_approvals(
    archive: DraftArchive, approvals: ApprovalArchive, draft_id: str, *, viewer: Person
) -> list[Approval]:
    """Every request of a draft and its decision, oldest first (for the clerk who asked).

    Raises:
        MissingDraft: unknown or not visible to ``viewer``.
    """
    if await _visible(archive, draft_id, viewer) is None:
        raise MissingDraft
    return await asyncio.to_thread(approvals.of_draft, draft_id)


def read_approval_command(text: str) -> str | None:
    """A chat message asking for a Mitzeichnung: „Mitzeichnung: bruno“, „mitzeichnen an
    Jörg Müller“, „zur Mitzeichnung an bruno“ -> the name ("" when none is given); None for
    any other message."""
    found = _COMMAND.match(text)
    if found is None:
        return None
    return (found.group("name") or "").strip()
