"""Opening the draft database: migrations, SQLite settings, unusable URLs."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from assistant.ports import ArchiveError
from assistant.schema import DraftRequest
from storage import SqlDraftArchive, open_archive, sqlite_url
from storage.database import alembic_config, head_revision
from storage.models import Base

TABLES = {
    "alembic_version",
    "drafts",
    "draft_versions",
    "audit_log",
    "approvals",
    "bot_threads",
    "summary_jobs",
}


def test_migrations_create_the_tables_the_models_describe(archive: SqlDraftArchive) -> None:
    assert set(inspect(archive.engine).get_table_names()) == TABLES
    with archive.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_opening_again_is_idempotent_and_keeps_data(database_url: str) -> None:
    first = open_archive(database_url)
    draft_id = first.create(DraftRequest(betreff="B", gremium="Rat"), "alice")
    first.close()
    for _ in range(2):
        again = open_archive(database_url)
        try:
            assert again.schema_revision() == head_revision() == "0004"
            assert again.get(draft_id, allow_nonpublic=False) is not None
        finally:
            again.close()


def test_instances_starting_at_once_migrate_once(database_url: str) -> None:
    opened: list[SqlDraftArchive] = []
    failures: list[BaseException] = []
    start = threading.Barrier(4)

    def open_one() -> None:
        try:
            start.wait()
            opened.append(open_archive(database_url))
        except BaseException as err:  # collected for the assertion below
            failures.append(err)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert failures == []
        assert {a.schema_revision() for a in opened} == {"0004"}
    finally:
        for archive in opened:
            archive.close()


def test_downgrade_and_upgrade_again(archive: SqlDraftArchive) -> None:
    with archive.engine.begin() as connection:
        command.downgrade(alembic_config(connection=connection), "base")
    assert set(inspect(archive.engine).get_table_names()) <= {"alembic_version"}
    with archive.engine.begin() as connection:
        command.upgrade(alembic_config(connection=connection), "head")
    archive.create(DraftRequest(betreff="B", gremium="Rat"), "alice")


def test_a_database_from_a_newer_version_is_refused(database_url: str) -> None:
    open_archive(database_url).close()
    archive = open_archive(database_url)
    with archive.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    archive.close()
    with pytest.raises(ArchiveError, match="Stand, den diese Version nicht kennt"):
        open_archive(database_url)


def test_sqlite_file_settings(tmp_path: Path) -> None:
    path = tmp_path / "neu" / "tief" / "vorlagen.db"
    archive = open_archive(sqlite_url(path))
    try:
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        with archive.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        archive.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite://", "Arbeitsspeicher"),
        ("sqlite:///:memory:", "Arbeitsspeicher"),
        ("mysql://u@localhost/db", "nicht unterstützt"),
        ("kein url", "ungültig"),
        ("postgresql://postgres:geheim@127.0.0.1:1/test", "nicht erreichbar"),
    ],
)
def test_unusable_urls_raise_a_german_archive_error(url: str, message: str) -> None:
    with pytest.raises(ArchiveError, match=message) as caught:
        open_archive(url)
    assert "geheim" not in str(caught.value)


def test_an_uncreatable_file_is_an_archive_error(tmp_path: Path) -> None:
    blocker = tmp_path / "datei"
    blocker.write_text("kein Verzeichnis")
    with pytest.raises(ArchiveError, match="kann nicht angelegt werden"):
        open_archive(sqlite_url(blocker / "sub" / "vorlagen.db"))


def test_a_version_may_be_rewritten_or_refined_and_downgrades_to_the_old_sources(
    archive: SqlDraftArchive,
) -> None:
    from assistant.schema import Draft, ValidationReport

    request = DraftRequest(betreff="B", gremium="Rat")
    draft_id = archive.create(request, "alice")
    checked = Draft(request=request, validation=ValidationReport())
    for source in ("generated", "rewritten", "refined"):
        archive.add_version(draft_id, checked, "alice", source)
    with archive.engine.begin() as connection:
        command.downgrade(alembic_config(connection=connection), "0001")
        sources = connection.execute(text("SELECT source FROM draft_versions ORDER BY number"))
        assert [row[0] for row in sources] == ["generated", "generated", "edited"]
        command.upgrade(alembic_config(connection=connection), "head")
    assert [v.source for v in archive.versions(draft_id, allow_nonpublic=True)] == [
        "generated",
        "generated",
        "edited",
    ]
