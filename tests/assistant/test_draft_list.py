"""The caller's own drafts (``assistant.usecases.draft_list``) over a real SQLite archive."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.schema import DraftRequest, SearchFilter
from assistant.usecases.draft_list import own_drafts
from storage import SqlDraftArchive, open_archive, sqlite_url

REQUEST = DraftRequest(betreff="Sanierung der Grundschule Nord", gremium="Gemeinderat")
SECRET = REQUEST.model_copy(
    update={"betreff": "Grundstücksankauf", "filters": SearchFilter(oeffentlich=False)}
)


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[SqlDraftArchive]:
    opened = open_archive(sqlite_url(tmp_path / "vorlagen.db"))
    yield opened
    opened.close()


def test_only_the_callers_drafts_newest_first_with_german_status(archive: SqlDraftArchive) -> None:
    first = archive.create(REQUEST, "alice")
    archive.create(REQUEST, "bob")
    second = archive.create(REQUEST, "alice")
    archive.set_status(first, "failed", "Das Sprachmodell ist abgebrochen.")
    listed = own_drafts(archive, actor="alice", allow_nonpublic=False)
    assert [d.id for d in listed] == [second, first]
    assert listed[0].betreff == "Sanierung der Grundschule Nord"
    assert (listed[0].status, listed[0].status_text) == ("queued", "wartet")
    assert (listed[1].status_text, listed[1].error) == (
        "gescheitert",
        "Das Sprachmodell ist abgebrochen.",
    )
    assert listed[0].versions == 0
    assert [d.id for d in own_drafts(archive, actor="alice", allow_nonpublic=False, limit=1)] == [
        second
    ]
    assert own_drafts(archive, actor="carol", allow_nonpublic=True) == []


def test_nonpublic_drafts_only_with_the_right(archive: SqlDraftArchive) -> None:
    public = archive.create(REQUEST, "alice")
    secret = archive.create(SECRET, "alice")
    assert [d.id for d in own_drafts(archive, actor="alice", allow_nonpublic=False)] == [public]
    assert [d.id for d in own_drafts(archive, actor="alice", allow_nonpublic=True)] == [
        secret,
        public,
    ]


@pytest.mark.parametrize("limit", [0, 101])
def test_a_limit_outside_the_bounds_is_refused(archive: SqlDraftArchive, limit: int) -> None:
    with pytest.raises(ValueError):
        own_drafts(archive, actor="alice", allow_nonpublic=False, limit=limit)
