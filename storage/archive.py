"""The draft archive on SQLAlchemy 2: :class:`SqlDraftArchive` implements
``assistant.ports.DraftArchive`` over the tables of :mod:`storage.models`.

Each method opens its own short session (one transaction), so one archive serves every thread
and task. Writes that depend on what is stored begin with an ``UPDATE`` of the draft's row,
which takes the row lock on PostgreSQL and the write lock on SQLite before anything is read:
concurrent ``add_version`` calls therefore get distinct numbers without retries.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any, get_args

from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from assistant.ports import (
    INTERRUPTED_MESSAGE,
    AuditAction,
    AuditEntry,
    CitedVorlage,
    DraftRecord,
    DraftStatus,
    DraftSummary,
    DraftVersion,
    VersionSource,
)
from assistant.schema import MAX_ID_LENGTH, Draft, DraftRequest
from storage.database import create_database_engine, safe_url, transaction, upgrade
from storage.models import (
    ACTOR_LENGTH,
    MODEL_LENGTH,
    SOURCES,
    STATUSES,
    AuditRow,
    DraftRow,
    VersionRow,
)

AUDIT_ACTIONS: tuple[str, ...] = get_args(AuditAction)
UNFINISHED: tuple[DraftStatus, ...] = ("queued", "running")


def open_archive(url: str, *, instance: str = "") -> SqlDraftArchive:
    """Open the draft database at ``url``, migrated to the newest schema (idempotent).

    ``instance`` names this app instance when several share one PostgreSQL database: its
    ``mark_interrupted_running()`` then touches only the jobs it started itself. The default
    (the same for every instance) suits a single instance.

    Raises:
        ArchiveError: the URL is unusable or the database unreachable (one German sentence).
    """
    engine = create_database_engine(url)
    try:
        upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return SqlDraftArchive(engine, instance=instance)


def _now() -> datetime:
    return datetime.now(UTC)


def _name(value: str, what: str, limit: int = ACTOR_LENGTH) -> str:
    if not value or not value.strip() or len(value) > limit:
        raise ValueError(f"{what} must be 1 to {limit} characters, got {value!r:.80}")
    return value


def _ids(values: Sequence[str], what: str) -> list[str]:
    if isinstance(values, str):
        raise ValueError(f"{what} must be a sequence of ids, not one string")
    for value in values:
        if (
            not isinstance(value, str)
            or not value
            or len(value) > MAX_ID_LENGTH
            or any(ch.isspace() for ch in value)
        ):
            raise ValueError(f"{what}: not an id (text is never audited): {value!r:.80}")
    return list(values)


def _limit(limit: int) -> int:
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    return limit


class SqlDraftArchive:
    """``assistant.ports.DraftArchive`` on a SQLAlchemy engine (see :func:`open_archive`)."""

    def __init__(self, engine: Engine, *, instance: str = "") -> None:
        self.engine = engine
        self.instance = instance
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def __repr__(self) -> str:
        return f"SqlDraftArchive({safe_url(self.engine.url)!r}, instance={self.instance!r})"

    def close(self) -> None:
        """Close the pooled connections (the archive opens new ones if used again)."""
        self.engine.dispose()

    def _session(self) -> AbstractContextManager[Session]:
        """One transaction (:func:`storage.database.transaction`)."""
        return transaction(self._sessions)

    # --- jobs ----------------------------------------------------------------------------------

    def create(self, request: DraftRequest, actor: str, *, model: str = "") -> str:
        _name(actor, "actor")
        if len(model) > MODEL_LENGTH:
            raise ValueError(f"model name longer than {MODEL_LENGTH} characters")
        draft_id = uuid.uuid4().hex
        now = _now()
        row = DraftRow(
            id=draft_id,
            created_at=now,
            updated_at=now,
            created_by=actor,
            instance=self.instance,
            status="queued",
            error=None,
            model=model,
            request_json=request.model_dump_json(),
            citations=[],
            nonpublic=request.filters.oeffentlich is False,
            versions=0,
        )
        with self._session() as session:
            session.add(row)
        return draft_id

    def set_status(
        self,
        draft_id: str,
        status: DraftStatus,
        error: str | None = None,
        *,
        expected: Collection[DraftStatus] | None = None,
    ) -> bool:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        statement = (
            update(DraftRow)
            .where(DraftRow.id == draft_id)
            .values(status=status, error=error, updated_at=_now())
            .execution_options(synchronize_session=False)
        )
        if expected is not None:
            statement = statement.where(DraftRow.status.in_(list(expected)))
        with self._session() as session:
            if session.execute(statement).rowcount:  # type: ignore[attr-defined]
                return True
            if session.get(DraftRow, draft_id) is None:
                raise KeyError(draft_id)
            return False

    def add_version(
        self,
        draft_id: str,
        draft: Draft,
        actor: str,
        source: VersionSource,
        *,
        public_ids: Collection[str] = (),
    ) -> int:
        _name(actor, "actor")
        if source not in SOURCES:
            raise ValueError(f"unknown version source {source!r}")
        report = draft.validation
        if report is None:
            raise ValueError("add_version needs a validated draft (draft.validation is None)")
        if len(draft.model) > MODEL_LENGTH:
            raise ValueError(f"model name longer than {MODEL_LENGTH} characters")
        now = _now()
        with self._session() as session:
            # The UPDATE first: it locks the row (the write lock on SQLite) before the read.
            bumped = session.execute(
                update(DraftRow)
                .where(DraftRow.id == draft_id)
                .values(versions=DraftRow.versions + 1, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            if not bumped.rowcount:  # type: ignore[attr-defined]
                raise KeyError(draft_id)
            row = session.execute(select(DraftRow).where(DraftRow.id == draft_id)).scalar_one()
            citations = _merge_citations(row.citations, draft, set(public_ids))
            row.citations = citations
            row.nonpublic = row.nonpublic or not all(c["oeffentlich"] for c in citations)
            if draft.model:
                row.model = draft.model
            session.add(
                VersionRow(
                    draft_id=draft_id,
                    number=row.versions,
                    created_at=now,
                    created_by=actor,
                    source=source,
                    draft_json=draft.model_dump_json(),
                    validation_ok=report.ok,
                    errors=len(report.errors),
                    warnings=len(report.warnings),
                )
            )
            return row.versions

    def mark_interrupted_running(self) -> int:
        statement = (
            update(DraftRow)
            .where(DraftRow.instance == self.instance, DraftRow.status.in_(UNFINISHED))
            .values(status="interrupted", error=INTERRUPTED_MESSAGE, updated_at=_now())
            .execution_options(synchronize_session=False)
        )
        with self._session() as session:
            count: int = session.execute(statement).rowcount  # type: ignore[attr-defined]
            return count

    # --- reading -------------------------------------------------------------------------------

    def get(self, draft_id: str, *, allow_nonpublic: bool) -> DraftRecord | None:
        # One statement, so that the draft and its latest version are one consistent state.
        statement = (
            select(DraftRow, VersionRow)
            .outerjoin(
                VersionRow,
                (VersionRow.draft_id == DraftRow.id) & (VersionRow.number == DraftRow.versions),
            )
            .where(DraftRow.id == draft_id)
        )
        if not allow_nonpublic:
            statement = statement.where(DraftRow.nonpublic.is_(False))
        with self._session() as session:
            found = session.execute(statement).first()
            if found is None:
                return None
            row, version = found
            summary = _summary(row)
            latest = _version(version) if version is not None else None
        return DraftRecord(**dict(summary), latest=latest)

    def versions(self, draft_id: str, *, allow_nonpublic: bool) -> list[DraftVersion]:
        statement = (
            select(VersionRow)
            .join(DraftRow, VersionRow.draft_id == DraftRow.id)
            .where(DraftRow.id == draft_id)
            .order_by(VersionRow.number)
        )
        if not allow_nonpublic:
            statement = statement.where(DraftRow.nonpublic.is_(False))
        with self._session() as session:
            return [_version(row) for row in session.execute(statement).scalars()]

    def list_drafts(
        self, *, allow_nonpublic: bool, actor: str | None = None, limit: int = 50
    ) -> list[DraftSummary]:
        statement = (
            select(DraftRow)
            .order_by(DraftRow.created_at.desc(), DraftRow.id.desc())
            .limit(_limit(limit))
        )
        if not allow_nonpublic:
            statement = statement.where(DraftRow.nonpublic.is_(False))
        if actor is not None:
            statement = statement.where(DraftRow.created_by == actor)
        with self._session() as session:
            return [_summary(row) for row in session.execute(statement).scalars()]

    # --- audit log -----------------------------------------------------------------------------

    def audit(
        self,
        actor: str,
        action: AuditAction,
        object_ids: Sequence[str] = (),
        source_ids: Sequence[str] = (),
    ) -> None:
        _name(actor, "actor")
        if action not in AUDIT_ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        row = AuditRow(
            at=_now(),
            actor=actor,
            action=action,
            object_ids=_ids(object_ids, "object_ids"),
            source_ids=_ids(source_ids, "source_ids"),
        )
        with self._session() as session:
            session.add(row)

    def audit_entries(self, limit: int = 100) -> list[AuditEntry]:
        statement = select(AuditRow).order_by(AuditRow.id.desc()).limit(_limit(limit))
        with self._session() as session:
            return [
                AuditEntry(
                    id=row.id,
                    at=row.at,
                    actor=row.actor,
                    action=row.action,  # type: ignore[arg-type]
                    object_ids=list(row.object_ids),
                    source_ids=list(row.source_ids),
                )
                for row in session.execute(statement).scalars()
            ]

    def ping(self) -> None:
        with self._session() as session:
            session.execute(text("SELECT 1"))

    def schema_revision(self) -> str | None:
        """The migration the database is at (for a health report)."""
        with self._session() as session:
            return session.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _merge_citations(
    known: list[dict[str, Any]], draft: Draft, public_ids: set[str]
) -> list[dict[str, Any]]:
    """The draft's cited Vorlagen so far plus this version's; a Vorlage is öffentlich when
    the caller says so now or an earlier version recorded it so."""
    merged = {entry["vorlage_id"]: dict(entry) for entry in known}
    for citation in draft.citations:
        entry = merged.setdefault(
            citation.vorlage_id,
            {"vorlage_id": citation.vorlage_id, "vorlagen_nr": None, "oeffentlich": False},
        )
        entry["vorlagen_nr"] = entry["vorlagen_nr"] or citation.vorlagen_nr
        entry["oeffentlich"] = bool(entry["oeffentlich"]) or citation.vorlage_id in public_ids
    return list(merged.values())


def _summary(row: DraftRow) -> DraftSummary:
    return DraftSummary(
        id=row.id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by,
        status=row.status,  # type: ignore[arg-type]
        error=row.error,
        model=row.model,
        request=DraftRequest.model_validate_json(row.request_json),
        citations=[CitedVorlage.model_validate(entry) for entry in row.citations],
        nonpublic=row.nonpublic,
        versions=row.versions,
    )


def _version(row: VersionRow) -> DraftVersion:
    return DraftVersion(
        draft_id=row.draft_id,
        number=row.number,
        created_at=row.created_at,
        created_by=row.created_by,
        source=row.source,  # type: ignore[arg-type]
        draft=Draft.model_validate_json(row.draft_json),
        validation_ok=row.validation_ok,
        errors=row.errors,
        warnings=row.warnings,
    )


__all__ = ["SqlDraftArchive", "open_archive"]
