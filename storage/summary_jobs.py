"""The archive's summary jobs on SQLAlchemy 2: :class:`SqlSummaryJobStore` implements
``assistant.ports_summary_jobs.SummaryJobStore`` over the ``summary_jobs`` table (migration
0004), in the same database as the drafts.

A job has one writer (the app instance that runs it, one write at a time), so ``save`` is a
plain read-then-write of the job's row. Rows carry the instance they belong to; every read
is limited to this store's instance.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import get_args

from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from assistant.ports_summary_jobs import UNFINISHED, SummaryJobState, SummaryJobStatus
from storage.database import safe_url, transaction
from storage.models import SUMMARY_JOB_STATUSES, SummaryJobRow

__all__ = ["SqlSummaryJobStore"]

assert set(get_args(SummaryJobStatus)) == set(SUMMARY_JOB_STATUSES)


class SqlSummaryJobStore:
    """``SummaryJobStore`` on the engine of the draft archive (``storage.open_archive``);
    ``instance`` as the archive's (``database.instance``)."""

    def __init__(self, engine: Engine, *, instance: str = "") -> None:
        self.engine = engine
        self.instance = instance
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def __repr__(self) -> str:
        return f"SqlSummaryJobStore({safe_url(self.engine.url)!r}, instance={self.instance!r})"

    def save(self, state: SummaryJobState) -> None:
        with transaction(self._sessions) as session:
            row = session.get(SummaryJobRow, state.id)
            if row is None:
                row = SummaryJobRow(id=state.id, instance=self.instance)
                session.add(row)
            elif row.instance != self.instance:
                raise ValueError(f"summary job {state.id} belongs to another instance")
            row.created_by = state.created_by
            row.allow_nonpublic = state.allow_nonpublic
            row.limit_documents = state.limit
            row.since = state.since
            row.status = state.status
            row.done = state.done
            row.total = state.total
            row.counts = dict(state.counts)
            row.model_calls = state.model_calls
            row.message = state.message
            row.created_at = state.created_at
            row.updated_at = datetime.now(UTC)
            row.ended_at = state.ended_at

    def get(self, job_id: str) -> SummaryJobState | None:
        with transaction(self._sessions) as session:
            row = session.get(SummaryJobRow, job_id)
            if row is None or row.instance != self.instance:
                return None
            return _state(row)

    def recent(self, *, allow_nonpublic: bool, limit: int = 10) -> list[SummaryJobState]:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        statement = (
            select(SummaryJobRow)
            .where(SummaryJobRow.instance == self.instance)
            .order_by(SummaryJobRow.created_at.desc(), SummaryJobRow.id.desc())
            .limit(limit)
        )
        if not allow_nonpublic:
            statement = statement.where(SummaryJobRow.allow_nonpublic.is_(False))
        with transaction(self._sessions) as session:
            return [_state(row) for row in session.execute(statement).scalars()]

    def unfinished(self) -> list[SummaryJobState]:
        statement = (
            select(SummaryJobRow)
            .where(
                SummaryJobRow.instance == self.instance,
                SummaryJobRow.status.in_(UNFINISHED),
            )
            .order_by(SummaryJobRow.created_at, SummaryJobRow.id)
        )
        with transaction(self._sessions) as session:
            return [_state(row) for row in session.execute(statement).scalars()]


def _state(row: SummaryJobRow) -> SummaryJobState:
    return SummaryJobState(
        id=row.id,
        created_by=row.created_by,
        allow_nonpublic=row.allow_nonpublic,
        limit=row.limit_documents,
        since=row.since,
        status=row.status,  # type: ignore[arg-type]
        done=row.done,
        total=row.total,
        counts=dict(row.counts),
        model_calls=row.model_calls,
        message=row.message,
        created_at=row.created_at,
        ended_at=row.ended_at,
    )
