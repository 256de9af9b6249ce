"""The Mitzeichnung in the bots, platform-neutral (docs/bots.md, "Mitzeichnung"): what the
Slack and Teams adapters (``api/bots/slack_approval.py``, ``api/bots/teams_approval.py``) share.

* A clerk writes „Mitzeichnung: Name“ in the thread of a draft (or in the direct chat whose
  latest draft it is): :meth:`ApprovalDesk.ask` sends that draft's newest stored version to
  the named approver through :func:`assistant.usecases.approval.request_approval`.
* The approver decides with the card's buttons: :meth:`ApprovalDesk.decide` maps the acting
  platform user through ``bots.users`` (their name, their rights in this conversation, and
  ``approver = true`` as the approver role) and calls
  :func:`assistant.usecases.approval.decide_approval`. A button carries only the request's
  id and the typed notes: what is approved is always the stored version.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from fastapi import FastAPI

from api.bots.conversation import BotContext, german_error
from api.bots.identity import BotUser, Identity
from api.bots.views import DraftView, draft_view
from assistant.ports import DraftArchive
from assistant.ports_approval import Approval, ApprovalArchive, Decision
from assistant.usecases.approval import (
    ApprovalCase,
    ApprovalConflict,
    ApproverRights,
    MissingApproval,
    NotApprover,
    Person,
    approval_case,
    decide_approval,
    request_approval,
)

__all__ = ["ApprovalDesk", "approval_desk", "approval_error", "approval_id_of", "approval_view"]

log = logging.getLogger("vorlagen.bots")

MAX_APPROVAL_ID = 64


def approval_error(err: BaseException) -> str:
    """The German sentence for a failed request or decision."""
    if isinstance(err, ApprovalConflict | NotApprover | MissingApproval):
        return str(err)
    return german_error(err)


def approval_view(case: ApprovalCase, public_url: str | None) -> DraftView:
    """The version a request concerns, as a draft view (its findings and sources)."""
    approval = case.approval
    return draft_view(
        approval.draft_id,
        case.draft,
        public_url=public_url,
        version=approval.version,
    )


def approval_id_of(value: object) -> str | None:
    """The request id a button carries, or None for anything else."""
    if isinstance(value, str) and 0 < len(value) <= MAX_APPROVAL_ID and value.isalnum():
        return value
    return None


@dataclass
class ApprovalDesk:
    """The use cases of the Mitzeichnung with the app's archive and the configured
    approvers; ``users`` (``bots.users``) also tell which platform user an approver is."""

    archive: DraftArchive
    approvals: ApprovalArchive
    approvers: ApproverRights
    users: Iterable[BotUser]
    public_url: str | None = None

    def platform_user(self, platform: str, name: str) -> str | None:
        """The user id of ``name`` on ``platform`` (the first entry in ``bots.users``)."""
        for user in self.users:
            if user.platform == platform and user.name == name:
                return user.user_id
        return None

    @staticmethod
    def person(identity: Identity) -> Person:
        return Person(identity.name, identity.may_see_nonpublic, identity.approver)

    async def ask(
        self, identity: Identity, draft_id: str, approver: str, platform: str
    ) -> ApprovalCase:
        """Send the draft's newest stored version to ``approver`` (errors: German)."""
        assert platform in ("slack", "teams")
        case = await request_approval(
            self.archive,
            self.approvals,
            self.approvers,
            draft_id,
            approver,
            requester=self.person(identity),
            platform="slack" if platform == "slack" else "teams",
        )
        log.info(
            "Bot %s: Mitzeichnung %s von %s an %s erbeten",
            platform,
            case.approval.id,
            identity.name,
            approver,
        )
        return case

    async def case(self, identity: Identity, approval_id: str) -> ApprovalCase:
        """A request with its stored version, as ``identity`` may see it."""
        return await approval_case(
            self.archive, self.approvals, approval_id, viewer=self.person(identity)
        )

    async def decide(
        self, identity: Identity, approval_id: str, decision: Decision, notes: str | None
    ) -> Approval:
        """Store the decision of ``identity`` (errors: German)."""
        decided = await decide_approval(
            self.archive,
            self.approvals,
            approval_id,
            decision,
            notes,
            decider=self.person(identity),
        )
        log.info("Bot: Mitzeichnung %s %s von %s", decided.id, decision, identity.name)
        return decided

    async def record_card(self, approval_id: str, message_ref: str) -> None:
        """Remember where the approver's card is (``<platform>:<reference>``)."""
        await asyncio.to_thread(self.approvals.set_message_ref, approval_id, message_ref[:300])


def approval_desk(app: FastAPI, context: BotContext) -> ApprovalDesk:
    """The desk of a mounted bot: the app's approval archive and approvers (``create_app``
    sets them on ``app.state``) and the bots' archive, users and public address."""
    return ApprovalDesk(
        archive=context.archive,
        approvals=app.state.approvals,
        approvers=app.state.approvers,
        users=context.services.settings.bots.users,
        public_url=context.public_url,
    )
