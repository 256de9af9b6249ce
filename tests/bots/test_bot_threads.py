"""The thread -> draft mapping in the real database (SQLite and PostgreSQL): it outlives the
process (a new archive on the same URL finds it), binding again replaces the draft, an
unknown draft is refused, and removing a draft removes its threads."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from api.bots.threads import MemoryThreads, ThreadStore
from assistant.ports import ArchiveError
from assistant.schema import DraftRequest
from storage import open_archive
from storage.bot_threads import SqlBotThreads
from tests.storage.conftest import (  # noqa: F401 (fixtures)
    database_url,
    postgres_schema_url,
    postgres_server,
)

REQUEST = DraftRequest(betreff="Neubau Kita Lindenweg", gremium="Gemeinderat")


def test_threads_survive_a_restart_and_follow_the_latest_draft(database_url: str) -> None:  # noqa: F811
    archive = open_archive(database_url)
    first = archive.create(REQUEST, "anna")
    second = archive.create(REQUEST, "anna")
    threads: ThreadStore = SqlBotThreads(archive.engine)
    assert threads.draft_of("slack", "C1:1700000000.000100") is None
    threads.bind("slack", "C1:1700000000.000100", first, "anna")
    threads.bind("teams", "C1:1700000000.000100", second, "anna")
    archive.close()

    again = open_archive(database_url)  # a new process: the mapping is in the database
    threads = SqlBotThreads(again.engine)
    assert threads.draft_of("slack", "C1:1700000000.000100") == first
    assert threads.draft_of("teams", "C1:1700000000.000100") == second
    threads.bind("slack", "C1:1700000000.000100", second, "bernd")
    assert threads.draft_of("slack", "C1:1700000000.000100") == second
    with pytest.raises(ArchiveError):
        threads.bind("slack", "C2:1", "0" * 32, "anna")  # no such draft
    with pytest.raises(ValueError):
        threads.bind("slack", "x" * 301, second, "anna")
    with again.engine.begin() as connection:
        connection.execute(text("DELETE FROM drafts WHERE id = :id"), {"id": second})
    assert threads.draft_of("slack", "C1:1700000000.000100") is None
    again.close()


def test_the_memory_store_keeps_the_same_contract() -> None:
    threads: ThreadStore = MemoryThreads()
    threads.bind("slack", "D1", "a", "anna")
    threads.bind("slack", "D1", "b", "anna")
    assert threads.draft_of("slack", "D1") == "b"
    assert threads.draft_of("teams", "D1") is None
