"""The Mitzeichnung on SQLAlchemy 2: :class:`SqlApprovalArchive` implements
``assistant.ports_approval.ApprovalArchive`` over the ``approvals`` table, in the same database
as the drafts (a foreign key binds each request to a stored draft version).

A decision is one conditional ``UPDATE``: it changes the row only while the request is open
and its version is still the draft's latest (a correlated subquery on ``drafts.versions``).
Two decisions at once on PostgreSQL: the second waits for the row lock, then finds the
request decided; on SQLite writers are serialised anyway. Exactly one is stored.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import get_args

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from assistant.ports_approval import Approval, ApprovalPlatform, Decision, DecisionConflict
from storage.database import transaction
from storage.models import (
    ACTOR_LENGTH,
    APPROVAL_PLATFORMS,
    DECISIONS,
    ApprovalRow,
    DraftRow,
    VersionRow,
)

__all__ = ["MESSAGE_REF_LENGTH", "SqlApprovalArchive"]

MESSAGE_REF_LENGTH = 300
assert set(get_args(Decision)) == set(DECISIONS)
assert set(get_args(ApprovalPlatform)) == set(APPROVAL_PLATFORMS)


def _person(value: str, what: str) -> str:
    if not value or not value.strip() or len(value) > ACTOR_LENGTH:
        raise ValueError(f"{what} must be 1 to {ACTOR_LENGTH} characters, got {value!r:.80}")
    return value


def _message_ref(value: str | None) -> str | None:
    if value is not None and not 0 < len(value) <= MESSAGE_REF_LENGTH:
        raise ValueError(f"message_ref must be 1 to {MESSAGE_REF_LENGTH} characters")
    return value


class SqlApprovalArchive:
    """``ApprovalArchive`` on the engine of the draft archive (``storage.open_archive``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def __repr__(self) -> str:
        return f"SqlApprovalArchive({self.engine.url.render_as_string(hide_password=True)!r})"

    def request(
        self,
        draft_id: str,
        version: int,
        *,
        requested_by: str,
        approver: str,
        platform: ApprovalPlatform,
        message_ref: str | None = None,
    ) -> Approval:
        _person(requested_by, "requested_by")
        _person(approver, "approver")
        if platform not in APPROVAL_PLATFORMS:
            raise ValueError(f"unknown platform {platform!r}")
        with transaction(self._sessions) as session:
            if session.get(VersionRow, (draft_id, version)) is None:
                raise KeyError(f"{draft_id} version {version}")
            waiting = session.execute(
                select(ApprovalRow)
                .where(
                    ApprovalRow.draft_id == draft_id,
                    ApprovalRow.version == version,
                    ApprovalRow.approver == approver,
                    ApprovalRow.decision.is_(None),
                )
                .limit(1)
            ).scalar_one_or_none()
            if waiting is not None:
                return _approval(waiting)
            row = ApprovalRow(
                id=uuid.uuid4().hex,
                draft_id=draft_id,
                version=version,
                requested_at=datetime.now(UTC),
                requested_by=requested_by,
                approver=approver,
                platform=platform,
                message_ref=_message_ref(message_ref),
                decision=None,
                decided_at=None,
                decided_by=None,
                notes=None,
            )
            session.add(row)
            return _approval(row)

    def decide(
        self, approval_id: str, decision: Decision, *, actor: str, notes: str | None
    ) -> Approval:
        _person(actor, "actor")
        if decision not in DECISIONS:
            raise ValueError(f"unknown decision {decision!r}")
        latest = (
            select(DraftRow.versions).where(DraftRow.id == ApprovalRow.draft_id).scalar_subquery()
        )
        statement = (
            update(ApprovalRow)
            .where(
                ApprovalRow.id == approval_id,
                ApprovalRow.decision.is_(None),
                ApprovalRow.version == latest,
            )
            .values(decision=decision, decided_at=datetime.now(UTC), decided_by=actor, notes=notes)
            .execution_options(synchronize_session=False)
        )
        with transaction(self._sessions) as session:
            changed = session.execute(statement).rowcount  # type: ignore[attr-defined]
            row = session.get(ApprovalRow, approval_id)
            if row is None:
                raise KeyError(approval_id)
            if not changed:
                raise DecisionConflict(_approval(row), _latest_version(session, row.draft_id))
            return _approval(row)

    def get(self, approval_id: str) -> Approval | None:
        with transaction(self._sessions) as session:
            row = session.get(ApprovalRow, approval_id)
            return _approval(row) if row is not None else None

    def open_for(self, approver: str, *, limit: int = 50) -> list[Approval]:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        statement = (
            select(ApprovalRow)
            .where(ApprovalRow.approver == approver, ApprovalRow.decision.is_(None))
            .order_by(ApprovalRow.requested_at, ApprovalRow.id)
            .limit(limit)
        )
        with transaction(self._sessions) as session:
            return [_approval(row) for row in session.execute(statement).scalars()]

    def of_draft(self, draft_id: str) -> list[Approval]:
        statement = (
            select(ApprovalRow)
            .where(ApprovalRow.draft_id == draft_id)
            .order_by(ApprovalRow.requested_at, ApprovalRow.id)
        )
        with transaction(self._sessions) as session:
            return [_approval(row) for row in session.execute(statement).scalars()]

    def set_message_ref(self, approval_id: str, message_ref: str | None) -> None:
        statement = (
            update(ApprovalRow)
            .where(ApprovalRow.id == approval_id)
            .values(message_ref=_message_ref(message_ref))
            .execution_options(synchronize_session=False)
        )
        with transaction(self._sessions) as session:
            if not session.execute(statement).rowcount:  # type: ignore[attr-defined]
                raise KeyError(approval_id)


def _latest_version(session: Session, draft_id: str) -> int:
    versions: int = session.execute(
        select(DraftRow.versions).where(DraftRow.id == draft_id)
    ).scalar_one()
    return versions


def _approval(row: ApprovalRow) -> Approval:
    return Approval.model_validate(row, from_attributes=True)
