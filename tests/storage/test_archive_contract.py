"""The ``DraftArchive`` contract (assistant/ports.py), on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect

from assistant.ports import INTERRUPTED_MESSAGE, DraftArchive
from assistant.schema import (
    Citation,
    Draft,
    DraftRequest,
    Finding,
    SearchFilter,
    ValidationReport,
)
from storage import SqlDraftArchive, open_archive

REQUEST = DraftRequest(betreff="Sanierung der Grundschule Nord", gremium="Gemeinderat")


def citation(vorlage_id: str, n: int = 1, nr: str | None = None) -> Citation:
    return Citation(
        n=n,
        vorlage_id=vorlage_id,
        vorlagen_nr=nr,
        section="sachdarstellung",
        passage=f"Geheimer Wortlaut aus {vorlage_id}.",
    )


def draft(*cited: str, text: str = "Der Gemeinderat beschließt.", errors: int = 0) -> Draft:
    findings = [
        Finding(rule="grounded", severity="error", message="Zahl ohne Beleg") for _ in range(errors)
    ]
    return Draft(
        request=REQUEST,
        beschlussvorschlag=text,
        citations=[citation(vid, n) for n, vid in enumerate(cited, 1)],
        validation=ValidationReport.from_findings(
            [*findings, Finding(rule="style", severity="warning", message="lang")]
        ),
        model="llama.cpp:test",
    )


def test_is_a_draft_archive(archive: SqlDraftArchive) -> None:
    assert isinstance(archive, DraftArchive)
    archive.ping()
    assert archive.schema_revision() == "0004"


def test_create_stores_a_queued_job(archive: SqlDraftArchive) -> None:
    before = datetime.now(UTC)
    draft_id = archive.create(REQUEST, "alice", model="m1")
    assert len(draft_id) == 32 and int(draft_id, 16) >= 0
    record = archive.get(draft_id, allow_nonpublic=False)
    assert record is not None
    assert (record.id, record.status, record.error, record.created_by, record.model) == (
        draft_id,
        "queued",
        None,
        "alice",
        "m1",
    )
    assert record.request == REQUEST
    assert record.latest is None and record.versions == 0 and record.citations == []
    assert record.created_at.tzinfo is not None
    assert before - timedelta(seconds=5) <= record.created_at <= datetime.now(UTC)
    assert archive.create(REQUEST, "alice") != draft_id


def test_unknown_ids(archive: SqlDraftArchive) -> None:
    assert archive.get("0" * 32, allow_nonpublic=True) is None
    assert archive.versions("0" * 32, allow_nonpublic=True) == []
    with pytest.raises(KeyError):
        archive.set_status("0" * 32, "running")
    with pytest.raises(KeyError):
        archive.add_version("0" * 32, draft(), "alice", "generated")


def test_status_changes(archive: SqlDraftArchive) -> None:
    draft_id = archive.create(REQUEST, "alice")
    assert archive.set_status(draft_id, "running")
    assert archive.set_status(draft_id, "failed", "Das Modell antwortet nicht.")
    record = archive.get(draft_id, allow_nonpublic=False)
    assert record is not None
    assert (record.status, record.error) == ("failed", "Das Modell antwortet nicht.")
    assert record.updated_at >= record.created_at
    # compare-and-set: a cancel after the end changes nothing
    assert not archive.set_status(
        draft_id, "cancelled", "Abgebrochen.", expected=("queued", "running")
    )
    assert archive.set_status(draft_id, "done", expected=["failed"])
    record = archive.get(draft_id, allow_nonpublic=False)
    assert record is not None and (record.status, record.error) == ("done", None)
    with pytest.raises(ValueError):
        archive.set_status(draft_id, "finished")  # type: ignore[arg-type]


def test_versions_are_numbered_and_kept(archive: SqlDraftArchive) -> None:
    draft_id = archive.create(REQUEST, "alice")
    first = draft("a", errors=2)
    assert archive.add_version(draft_id, first, "alice", "generated", public_ids={"a"}) == 1
    edited = draft("a", text="Der Gemeinderat beschließt die Sanierung.")
    assert archive.add_version(draft_id, edited, "bob", "edited", public_ids={"a"}) == 2
    versions = archive.versions(draft_id, allow_nonpublic=False)
    assert [(v.number, v.source, v.created_by) for v in versions] == [
        (1, "generated", "alice"),
        (2, "edited", "bob"),
    ]
    assert (versions[0].validation_ok, versions[0].errors, versions[0].warnings) == (False, 2, 1)
    assert (versions[1].validation_ok, versions[1].errors, versions[1].warnings) == (True, 0, 1)
    assert versions[1].draft == edited
    record = archive.get(draft_id, allow_nonpublic=False)
    assert record is not None and record.latest == versions[1]
    assert record.versions == 2 and record.model == "llama.cpp:test"
    # a second draft numbers from 1 again
    other = archive.create(REQUEST, "alice")
    assert archive.add_version(other, draft(), "alice", "generated") == 1


def test_unvalidated_drafts_are_refused(archive: SqlDraftArchive) -> None:
    draft_id = archive.create(REQUEST, "alice")
    with pytest.raises(ValueError, match="validated"):
        archive.add_version(draft_id, Draft(request=REQUEST), "alice", "generated")
    with pytest.raises(ValueError):
        archive.add_version(draft_id, draft(), "alice", "typed")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        archive.create(REQUEST, "")


def test_citations_record_ids_numbers_and_publicity(archive: SqlDraftArchive) -> None:
    draft_id = archive.create(REQUEST, "alice")
    first = draft("a", "b")
    first.citations[0].vorlagen_nr = "2024/0815"
    archive.add_version(draft_id, first, "alice", "generated", public_ids={"a", "b"})
    # the edit cites "c" too; "a" stays öffentlich although the editor says nothing about it
    archive.add_version(draft_id, draft("a", "c"), "bob", "edited", public_ids={"c"})
    record = archive.get(draft_id, allow_nonpublic=False)
    assert record is not None and not record.nonpublic
    assert [(c.vorlage_id, c.vorlagen_nr, c.oeffentlich) for c in record.citations] == [
        ("a", "2024/0815", True),
        ("b", None, True),
        ("c", None, True),
    ]


def test_nonpublic_drafts_are_hidden_like_missing_ones(archive: SqlDraftArchive) -> None:
    public = archive.create(REQUEST, "alice")
    archive.add_version(public, draft("pub"), "alice", "generated", public_ids={"pub"})
    secret = archive.create(REQUEST, "alice")
    # "geheim" is not among the public ids: nichtöffentlich (or unknown, which counts the same)
    archive.add_version(secret, draft("pub", "geheim"), "alice", "generated", public_ids={"pub"})
    asked = archive.create(
        REQUEST.model_copy(update={"filters": SearchFilter(oeffentlich=False)}), "alice"
    )

    for hidden in (secret, asked):
        assert archive.get(hidden, allow_nonpublic=False) is None
        assert archive.versions(hidden, allow_nonpublic=False) == []
        record = archive.get(hidden, allow_nonpublic=True)
        assert record is not None and record.nonpublic
    assert len(archive.versions(secret, allow_nonpublic=True)) == 1
    assert [d.id for d in archive.list_drafts(allow_nonpublic=False)] == [public]
    assert {d.id for d in archive.list_drafts(allow_nonpublic=True)} == {public, secret, asked}

    # an edit without the nichtöffentliche citation does not make the draft public again:
    # version 1 still holds it
    archive.add_version(secret, draft("pub"), "bob", "edited", public_ids={"pub"})
    assert archive.get(secret, allow_nonpublic=False) is None
    assert archive.versions(secret, allow_nonpublic=False) == []


def test_list_drafts_newest_first_by_actor_and_limit(archive: SqlDraftArchive) -> None:
    ids = [archive.create(REQUEST, actor) for actor in ("alice", "bob", "alice", "carol")]
    listed = archive.list_drafts(allow_nonpublic=True)
    assert [d.id for d in listed] == ids[::-1]
    assert [d.id for d in archive.list_drafts(allow_nonpublic=True, actor="alice")] == [
        ids[2],
        ids[0],
    ]
    assert [d.id for d in archive.list_drafts(allow_nonpublic=True, limit=2)] == ids[:1:-1]
    assert not hasattr(listed[0], "latest")
    with pytest.raises(ValueError):
        archive.list_drafts(allow_nonpublic=True, limit=0)


def test_restart_interrupts_unfinished_jobs_and_keeps_everything(database_url: str) -> None:
    first = open_archive(database_url)
    queued = first.create(REQUEST, "alice")
    running = first.create(REQUEST, "alice")
    first.set_status(running, "running")
    first.add_version(running, draft("a"), "alice", "generated", public_ids={"a"})
    done = first.create(REQUEST, "bob")
    first.add_version(done, draft("a"), "bob", "generated", public_ids={"a"})
    first.set_status(done, "done")
    first.close()  # the process ends

    second = open_archive(database_url)
    try:
        assert second.mark_interrupted_running() == 2
        assert second.mark_interrupted_running() == 0
        for draft_id in (queued, running):
            record = second.get(draft_id, allow_nonpublic=False)
            assert record is not None
            assert (record.status, record.error) == ("interrupted", INTERRUPTED_MESSAGE)
        record = second.get(done, allow_nonpublic=False)
        assert record is not None and record.status == "done" and record.error is None
        assert record.latest is not None and record.latest.draft == draft("a")
        assert len(second.versions(running, allow_nonpublic=False)) == 1
    finally:
        second.close()


def test_an_instance_interrupts_only_its_own_jobs(database_url: str) -> None:
    one = open_archive(database_url, instance="app-1")
    two = open_archive(database_url, instance="app-2")
    try:
        mine, theirs = one.create(REQUEST, "alice"), two.create(REQUEST, "bob")
        assert one.mark_interrupted_running() == 1
        record = one.get(theirs, allow_nonpublic=False)
        assert record is not None and record.status == "queued"
        record = two.get(mine, allow_nonpublic=False)
        assert record is not None and record.status == "interrupted"
    finally:
        one.close()
        two.close()


def test_audit_log_holds_ids_only(archive: SqlDraftArchive) -> None:
    archive.audit("alice", "draft", ["d1"], ["v1", "v2"])
    archive.audit("bob", "export", object_ids=["d1:3"], source_ids=["v1"])
    archive.audit("admin", "ingest", source_ids=[f"v{i}" for i in range(500)])
    entries = archive.audit_entries()
    assert [(e.actor, e.action) for e in entries] == [
        ("admin", "ingest"),
        ("bob", "export"),
        ("alice", "draft"),
    ]
    assert entries[2].object_ids == ["d1"] and entries[2].source_ids == ["v1", "v2"]
    assert len(entries[0].source_ids) == 500 and entries[0].at.tzinfo is not None
    assert [e.actor for e in archive.audit_entries(limit=1)] == ["admin"]

    for text_like in ("Der Gemeinderat beschließt die Sanierung.", "x" * 301, ""):
        with pytest.raises(ValueError):
            archive.audit("alice", "draft", ["d1"], [text_like])
    with pytest.raises(ValueError):
        archive.audit("alice", "draft", "d1")  # one string is not a list of ids
    with pytest.raises(ValueError):
        archive.audit("alice", "print", ["d1"])  # type: ignore[arg-type]


def test_audit_table_has_no_text_columns(archive: SqlDraftArchive) -> None:
    columns = {c["name"]: c for c in inspect(archive.engine).get_columns("audit_log")}
    assert set(columns) == {"id", "at", "actor", "action", "object_ids", "source_ids"}


def test_concurrent_writes_from_threads(archive: SqlDraftArchive) -> None:
    shared = archive.create(REQUEST, "alice")
    numbers: list[int] = []
    created: list[str] = []
    failures: list[BaseException] = []
    start = threading.Barrier(6)

    def work(worker: int) -> None:
        try:
            start.wait()
            for round_ in range(5):
                numbers.append(archive.add_version(shared, draft("a"), f"w{worker}", "edited"))
                own = archive.create(REQUEST, f"w{worker}")
                archive.set_status(own, "running")
                archive.audit(f"w{worker}", "draft", [own], [f"v{round_}"])
                created.append(own)
        except BaseException as err:  # collected for the assertion below
            failures.append(err)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(numbers) == list(range(1, 31))
    assert [v.number for v in archive.versions(shared, allow_nonpublic=True)] == list(range(1, 31))
    assert len(set(created)) == 30
    assert len(archive.audit_entries(limit=1000)) == 30
    assert archive.mark_interrupted_running() == 31
