"""The ``SummaryJobStore`` contract (assistant/ports_summary_jobs.py) on SQLite and
PostgreSQL, and migration 0004 (the ``summary_jobs`` table)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from assistant.ports_summary_jobs import SummaryJobState, SummaryJobStore
from storage import SqlDraftArchive, SqlSummaryJobStore
from storage.database import alembic_config

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _state(number: int, **values: object) -> SummaryJobState:
    fields: dict[str, object] = {
        "id": f"{number:032x}",
        "created_by": "Jörg Müller",
        "allow_nonpublic": False,
        "created_at": T0 + timedelta(minutes=number),
    }
    fields.update(values)
    return SummaryJobState.model_validate(fields)


@pytest.fixture
def jobs(archive: SqlDraftArchive) -> SqlSummaryJobStore:
    return SqlSummaryJobStore(archive.engine)


def test_is_a_summary_job_store(jobs: SqlSummaryJobStore) -> None:
    assert isinstance(jobs, SummaryJobStore)


def test_a_job_is_saved_and_replaced_whole(jobs: SqlSummaryJobStore) -> None:
    started = _state(1, limit=100, since=date(2023, 1, 31))
    jobs.save(started)
    assert jobs.get(started.id) == started
    ended = started.model_copy(
        update={
            "status": "done",
            "done": 40,
            "total": 40,
            "counts": {"ok": 3, "befunde": 1, "erledigt": 36},
            "model_calls": 5,
            "message": "Archiv zusammengefasst: 3 geprüft, 1 mit Befunden (5 Modellaufrufe).",
            "ended_at": T0 + timedelta(hours=3),
        }
    )
    jobs.save(ended)
    stored = jobs.get(started.id)
    assert stored == ended and stored is not None and stored.finished
    assert stored.ended_at is not None and stored.ended_at.tzinfo is not None
    assert jobs.get("0" * 32) is None


def test_recent_is_newest_first_and_hides_nonpublic_jobs(jobs: SqlSummaryJobStore) -> None:
    for number in (2, 1, 4):
        jobs.save(_state(number))
    secret = _state(3, allow_nonpublic=True)
    jobs.save(secret)
    assert [s.id for s in jobs.recent(allow_nonpublic=True)] == [_state(n).id for n in (4, 3, 2, 1)]
    assert [s.id for s in jobs.recent(allow_nonpublic=False)] == [_state(n).id for n in (4, 2, 1)]
    assert [s.id for s in jobs.recent(allow_nonpublic=True, limit=2)] == [
        _state(4).id,
        secret.id,
    ]
    with pytest.raises(ValueError):
        jobs.recent(allow_nonpublic=True, limit=0)


def test_unfinished_are_running_and_stopping_jobs_oldest_first(jobs: SqlSummaryJobStore) -> None:
    jobs.save(_state(1, status="done"))
    jobs.save(_state(3, status="stopping", done=5, total=9))
    jobs.save(_state(2, status="running"))
    jobs.save(_state(4, status="interrupted"))
    assert [(s.id, s.status) for s in jobs.unfinished()] == [
        (_state(2).id, "running"),
        (_state(3).id, "stopping"),
    ]


def test_instances_see_only_their_own_jobs(archive: SqlDraftArchive) -> None:
    first = SqlSummaryJobStore(archive.engine, instance="a")
    second = SqlSummaryJobStore(archive.engine, instance="b")
    job = _state(1)
    first.save(job)
    assert first.get(job.id) == job and [s.id for s in first.unfinished()] == [job.id]
    assert second.get(job.id) is None
    assert second.recent(allow_nonpublic=True) == [] and second.unfinished() == []
    with pytest.raises(ValueError, match="another instance"):
        second.save(job)


def test_a_status_the_table_does_not_know_is_refused(jobs: SqlSummaryJobStore) -> None:
    jobs.save(_state(1))
    with pytest.raises(IntegrityError), jobs.engine.begin() as connection:
        connection.execute(text("UPDATE summary_jobs SET status = 'kaputt'"))


def test_migration_0004_goes_down_and_up_again(
    archive: SqlDraftArchive, jobs: SqlSummaryJobStore
) -> None:
    jobs.save(_state(1))
    with archive.engine.begin() as connection:
        command.downgrade(alembic_config(connection=connection), "0003")
    assert "summary_jobs" not in inspect(archive.engine).get_table_names()
    with archive.engine.begin() as connection:
        command.upgrade(alembic_config(connection=connection), "head")
    assert archive.schema_revision() == "0004"
    jobs.save(_state(2))
    assert [s.id for s in jobs.recent(allow_nonpublic=False)] == [_state(2).id]
