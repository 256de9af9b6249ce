"""The tables (SQLAlchemy 2 declarative, typed): drafts, their versions, the audit log, the
Mitzeichnung (approvals), the bots' threads and the archive's summary jobs.

The schema is created and changed only by the Alembic migrations in ``storage/migrations``;
``tests/storage`` checks that these models and the migrations agree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Constraint names for Alembic (batch migrations on SQLite need named constraints).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

STATUSES = ("queued", "running", "done", "failed", "cancelled", "interrupted")
SOURCES = ("generated", "edited", "rewritten", "refined")
DECISIONS = ("freigegeben", "zurueckgegeben")
APPROVAL_PLATFORMS = ("web", "slack", "teams")
SUMMARY_JOB_STATUSES = ("running", "stopping", "done", "failed", "cancelled", "interrupted")
ACTOR_LENGTH = 200
MODEL_LENGTH = 300


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC time on every backend (SQLite stores it without a zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware time")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class DraftRow(Base):
    """One draft job (``assistant.ports.DraftSummary``)."""

    __tablename__ = "drafts"
    __table_args__ = (
        CheckConstraint(_one_of("status", STATUSES), name="status"),
        Index("ix_drafts_created_at", "created_at"),
        Index("ix_drafts_created_by_created_at", "created_by", "created_at"),
        Index("ix_drafts_instance_status", "instance", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(ACTOR_LENGTH))
    # The app instance that runs the job (``open_archive(instance=...)``): a restarting
    # instance interrupts only its own jobs, not those another instance is running.
    instance: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str] = mapped_column(String(MODEL_LENGTH), default="")
    request_json: Mapped[str] = mapped_column(Text)
    # [{"vorlage_id", "vorlagen_nr", "oeffentlich"}] of every version, in order of first citation.
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    nonpublic: Mapped[bool] = mapped_column(Boolean)
    versions: Mapped[int] = mapped_column(Integer, default=0)


class VersionRow(Base):
    """One stored version of a draft (``assistant.ports.DraftVersion``)."""

    __tablename__ = "draft_versions"
    __table_args__ = (CheckConstraint(_one_of("source", SOURCES), name="source"),)

    draft_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("drafts.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(ACTOR_LENGTH))
    source: Mapped[str] = mapped_column(String(16))
    draft_json: Mapped[str] = mapped_column(Text)
    validation_ok: Mapped[bool] = mapped_column(Boolean)
    errors: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[int] = mapped_column(Integer)


class AuditRow(Base):
    """One audit log entry (``assistant.ports.AuditEntry``): ids only, never document text."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(ACTOR_LENGTH))
    action: Mapped[str] = mapped_column(String(32))
    object_ids: Mapped[list[str]] = mapped_column(JSON)
    source_ids: Mapped[list[str]] = mapped_column(JSON)


class ApprovalRow(Base):
    """One Mitzeichnung: a request to ``approver`` to approve version ``version`` of a draft,
    and the decision on it (``decision`` is null while the request is open)."""

    __tablename__ = "approvals"
    __table_args__ = (
        CheckConstraint(_one_of("decision", DECISIONS), name="decision"),
        CheckConstraint(_one_of("platform", APPROVAL_PLATFORMS), name="platform"),
        ForeignKeyConstraint(
            ["draft_id", "version"],
            ["draft_versions.draft_id", "draft_versions.number"],
            ondelete="CASCADE",
        ),
        Index("ix_approvals_approver_decision", "approver", "decision"),
        Index("ix_approvals_draft_id_version", "draft_id", "version"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    draft_id: Mapped[str] = mapped_column(String(32))
    # The stored version the decision concerns: the approved text is always this version's.
    version: Mapped[int] = mapped_column(Integer)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    requested_by: Mapped[str] = mapped_column(String(ACTOR_LENGTH))
    approver: Mapped[str] = mapped_column(String(ACTOR_LENGTH))
    # Where the request was made ('web': the page and the HTTP API) and, when a bot showed
    # the approver a card, that message ('slack:<channel>:<ts>'), to update after the decision.
    platform: Mapped[str] = mapped_column(String(16))
    message_ref: Mapped[str | None] = mapped_column(String(300))
    decision: Mapped[str | None] = mapped_column(String(16))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(ACTOR_LENGTH))
    notes: Mapped[str | None] = mapped_column(Text)


class BotThreadRow(Base):
    """A Slack or Teams thread and the draft that its follow-ups refine."""

    __tablename__ = "bot_threads"
    __table_args__ = (Index("ix_bot_threads_draft_id", "draft_id"),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    thread_key: Mapped[str] = mapped_column(String(300), primary_key=True)
    draft_id: Mapped[str] = mapped_column(String(32), ForeignKey("drafts.id", ondelete="CASCADE"))
    user_name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SummaryJobRow(Base):
    """One summary job of the archive (``assistant.ports_summary_jobs.SummaryJobState``):
    no document text, only counts and the German result sentence."""

    __tablename__ = "summary_jobs"
    __table_args__ = (
        CheckConstraint(_one_of("status", SUMMARY_JOB_STATUSES), name="status"),
        Index("ix_summary_jobs_instance_created_at", "instance", "created_at"),
        Index("ix_summary_jobs_instance_status", "instance", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # The app instance that ran the job: a restarting instance interrupts only its own.
    instance: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(ACTOR_LENGTH))
    allow_nonpublic: Mapped[bool] = mapped_column(Boolean)
    limit_documents: Mapped[int | None] = mapped_column(Integer)
    since: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    done: Mapped[int] = mapped_column(Integer)
    total: Mapped[int | None] = mapped_column(Integer)
    # The batch's counts by record status ({"ok": 3, "erledigt": 40, ...}).
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
    model_calls: Mapped[int] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
