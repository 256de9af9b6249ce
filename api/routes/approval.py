"""The Mitzeichnung over HTTP: send a stored draft to a named approver, list what waits for
the calling approver, decide (``assistant.usecases.approval``; docs/api.md).

A decision carries only the decision and the notes: what is approved is the stored version
the request names, never text in the request. A draft (and so a request) the caller may not
see is "not found", exactly like a missing one.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Caller
from api.deps import (
    ApprovalNotifier,
    ApprovalsDep,
    ApproversDep,
    ArchiveDep,
    CallerDep,
    NotifiersDep,
)
from api.errors import error_responses
from assistant.ports_approval import Approval, Decision
from assistant.settings_access import ACCESS_NAME_PATTERN
from assistant.usecases.approval import (
    MAX_NOTES,
    ApprovalCase,
    ApprovalConflict,
    MissingApproval,
    NotApprover,
    Person,
    approval_case,
    decide_approval,
    draft_approvals,
    open_approvals,
    request_approval,
)
from assistant.usecases.rewrite import MissingDraft

log = logging.getLogger("vorlagen.http")

router = APIRouter(
    tags=["Mitzeichnung"],
    responses=error_responses(400, 401, 403, 404, 409, 413, 422, 503, 504),
)


class ApprovalAsk(BaseModel):
    """Whom to ask, and (optionally) which version the clerk looked at."""

    model_config = ConfigDict(extra="forbid")

    mitzeichner: str = Field(
        pattern=ACCESS_NAME_PATTERN,
        description="Name der mitzeichnenden Person (wie in den Einstellungen eingerichtet)",
    )
    fassung: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description="Die angezeigte Fassung; ist sie nicht mehr die neueste, wird abgelehnt.",
    )


class DecisionIn(BaseModel):
    """The approver's decision; the text decided on is always the stored version."""

    model_config = ConfigDict(extra="forbid")

    entscheidung: Decision = Field(description="freigegeben oder zurueckgegeben")
    anmerkungen: str | None = Field(
        default=None,
        max_length=MAX_NOTES,
        description="Anmerkungen; beim Zurückgeben erforderlich",
    )


def _person(caller: Caller) -> Person:
    return Person(caller.name, caller.may_see_nonpublic, caller.may_approve)


def _refused(err: Exception) -> HTTPException:
    if isinstance(err, MissingDraft | MissingApproval):
        code = status.HTTP_404_NOT_FOUND
    elif isinstance(err, NotApprover):
        code = status.HTTP_403_FORBIDDEN
    else:
        code = status.HTTP_409_CONFLICT
    return HTTPException(code, detail=str(err))


@router.post(
    "/api/drafts/{draft_id}/mitzeichnung",
    status_code=status.HTTP_201_CREATED,
    summary="Den Entwurf zur Mitzeichnung senden",
)
async def ask_for_approval(
    draft_id: str,
    body: ApprovalAsk,
    archive: ArchiveDep,
    approvals: ApprovalsDep,
    approvers: ApproversDep,
    notifiers: NotifiersDep,
    caller: CallerDep,
) -> Approval:
    """Asks the named person to approve the draft's newest stored version (422 for a person
    who is not an approver or may not see the draft; 409 while the draft is being written or
    when ``fassung`` is no longer the newest). An open request of the same person for the
    same version is returned again, not repeated. When the Slack or Teams bot knows the
    approver, they also get the card there (docs/bots.md)."""
    try:
        case = await request_approval(
            archive,
            approvals,
            approvers,
            draft_id,
            body.mitzeichner,
            requester=_person(caller),
            seen_version=body.fassung,
        )
    except (MissingDraft, ApprovalConflict) as err:
        raise _refused(err) from err
    await _notify(notifiers, case)
    return case.approval


async def _notify(notifiers: list[ApprovalNotifier], case: ApprovalCase) -> None:
    """Show the request in the bots; a failure there leaves the stored request as it is."""
    for notify in notifiers:
        try:
            await notify(case)
        except Exception:
            log.warning("Mitzeichnung %s: Bot nicht erreicht", case.approval.id, exc_info=True)


@router.get(
    "/api/drafts/{draft_id}/mitzeichnungen",
    summary="Die Mitzeichnungen eines Entwurfs",
)
async def approvals_of_draft(
    draft_id: str, archive: ArchiveDep, approvals: ApprovalsDep, caller: CallerDep
) -> list[Approval]:
    """Every request of the draft with its decision, oldest first."""
    try:
        return await draft_approvals(archive, approvals, draft_id, viewer=_person(caller))
    except MissingDraft as err:
        raise _refused(err) from err


@router.get("/api/mitzeichnungen", summary="Offene Bitten um Mitzeichnung an mich")
async def my_open_approvals(
    archive: ArchiveDep,
    approvals: ApprovalsDep,
    caller: CallerDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ApprovalCase]:
    """The open requests addressed to the caller, oldest first, each with the stored version
    it concerns and whether that is still the newest (empty without the approver right)."""
    return await open_approvals(archive, approvals, approver=_person(caller), limit=limit)


@router.get("/api/mitzeichnungen/{approval_id}", summary="Eine Bitte um Mitzeichnung")
async def one_approval(
    approval_id: str, archive: ArchiveDep, approvals: ApprovalsDep, caller: CallerDep
) -> ApprovalCase:
    """The request with the stored version it concerns."""
    try:
        return await approval_case(archive, approvals, approval_id, viewer=_person(caller))
    except MissingApproval as err:
        raise _refused(err) from err


@router.post(
    "/api/mitzeichnungen/{approval_id}/entscheidung",
    summary="Freigeben oder zurückgeben",
)
async def decide(
    approval_id: str,
    body: DecisionIn,
    archive: ArchiveDep,
    approvals: ApprovalsDep,
    caller: CallerDep,
) -> Approval:
    """Stores the decision with the request's version: who, when, notes (403 without the
    approver right or for a request addressed to someone else; 409 when it is decided
    already or the draft has a newer version by now; 422 to return without notes)."""
    try:
        return await decide_approval(
            archive,
            approvals,
            approval_id,
            body.entscheidung,
            body.anmerkungen,
            decider=_person(caller),
        )
    except (MissingApproval, NotApprover, ApprovalConflict) as err:
        raise _refused(err) from err
