"""Migration 0003: the approvals (Mitzeichnung) and bot_threads tables, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import delete, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.schema import Draft, DraftRequest, ValidationReport
from storage import SqlDraftArchive
from storage.database import alembic_config, head_revision
from storage.models import ApprovalRow, BotThreadRow, DraftRow

REQUEST = DraftRequest(betreff="Sanierung der Grundschule Nord", gremium="Gemeinderat")
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _draft_with_version(archive: SqlDraftArchive) -> str:
    draft_id = archive.create(REQUEST, "alice")
    archive.add_version(
        draft_id, Draft(request=REQUEST, validation=ValidationReport()), "alice", "generated"
    )
    return draft_id


def _approval(draft_id: str, version: int = 1, **values: object) -> ApprovalRow:
    fields: dict[str, object] = {
        "id": "a" * 32,
        "draft_id": draft_id,
        "version": version,
        "requested_at": NOW,
        "requested_by": "alice",
        "approver": "bruno",
        "platform": "slack",
        "message_ref": "C123:1700000000.000100",
    }
    fields.update(values)
    return ApprovalRow(**fields)


def test_rows_round_trip_and_follow_their_draft(archive: SqlDraftArchive) -> None:
    draft_id = _draft_with_version(archive)
    with Session(archive.engine) as session, session.begin():
        session.add(_approval(draft_id))
        session.add(
            BotThreadRow(
                platform="slack",
                thread_key="T1:C123:1700000000.000100",
                draft_id=draft_id,
                user_name="alice",
                created_at=NOW,
            )
        )
    with Session(archive.engine) as session, session.begin():
        approval = session.execute(select(ApprovalRow)).scalar_one()
        assert (approval.version, approval.decision, approval.decided_at) == (1, None, None)
        assert approval.requested_at == NOW
        approval.decision = "freigegeben"
        approval.decided_at = NOW
        approval.decided_by = "bruno"
        approval.notes = "Bitte Ziffer 2 prüfen."
    with Session(archive.engine) as session, session.begin():
        assert session.execute(select(ApprovalRow.notes)).scalar_one() == "Bitte Ziffer 2 prüfen."
        thread = session.get(BotThreadRow, ("slack", "T1:C123:1700000000.000100"))
        assert thread is not None and thread.draft_id == draft_id
        session.execute(delete(DraftRow).where(DraftRow.id == draft_id))
    with Session(archive.engine) as session:
        assert session.execute(select(ApprovalRow)).first() is None
        assert session.execute(select(BotThreadRow)).first() is None


@pytest.mark.parametrize(
    "values",
    [
        {"version": 2},  # no such stored version
        {"decision": "ok"},
        {"platform": "mail"},
    ],
)
def test_the_constraints_refuse_bad_rows(
    archive: SqlDraftArchive, values: dict[str, object]
) -> None:
    draft_id = _draft_with_version(archive)
    with pytest.raises(IntegrityError), Session(archive.engine) as session, session.begin():
        session.add(_approval(draft_id, **values))


def test_a_thread_key_is_one_row_per_platform(archive: SqlDraftArchive) -> None:
    draft_id = _draft_with_version(archive)
    row = {"thread_key": "k", "draft_id": draft_id, "user_name": "alice", "created_at": NOW}
    with Session(archive.engine) as session, session.begin():
        session.add_all(
            [BotThreadRow(platform="slack", **row), BotThreadRow(platform="teams", **row)]
        )
    with pytest.raises(IntegrityError), Session(archive.engine) as session, session.begin():
        session.add(BotThreadRow(platform="slack", **row))


def test_downgrade_to_0002_drops_the_tables_and_upgrade_restores_them(
    archive: SqlDraftArchive,
) -> None:
    draft_id = _draft_with_version(archive)
    with Session(archive.engine) as session, session.begin():
        session.add(_approval(draft_id))
    with archive.engine.begin() as connection:
        command.downgrade(alembic_config(connection=connection), "0002")
    tables = set(inspect(archive.engine).get_table_names())
    assert "approvals" not in tables and "bot_threads" not in tables
    assert archive.get(draft_id, allow_nonpublic=True) is not None
    with archive.engine.begin() as connection:
        command.upgrade(alembic_config(connection=connection), "head")
    assert archive.schema_revision() == head_revision()
    with Session(archive.engine) as session, session.begin():
        session.add(_approval(draft_id))
