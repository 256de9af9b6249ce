"""The parsed Vorlagen the pipeline keeps for opening (vectorstore/records.py): written with
the ledger's commit, replaced on change, deleted with the Vorlage, backfilled for a store from
before records, emptied by a rebuild. Real Chroma and BM25, the hash embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.schema import SourceRef, Vorlage
from ingest.parse import parse_path
from ingest.pipeline import IngestPipeline
from tests.ingest.test_pipeline import FakeEmbedder, Store, _documents, _text_files, corpus
from vectorstore.records import JsonVorlageRecords

__all__ = ["corpus"]  # the fixture, imported for this module's tests

pytestmark = pytest.mark.slow


def _same(kept: Vorlage | None, parsed: Vorlage) -> bool:
    """Equal but for the time of parsing."""
    return kept is not None and kept.model_dump(exclude={"source": {"fetched_at"}}) == (
        parsed.model_dump(exclude={"source": {"fetched_at"}})
    )


def _pipeline(store: Store, records: JsonVorlageRecords | None) -> IngestPipeline:
    return store.pipeline(records=records)


def test_records_follow_the_ledger(corpus: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "store", FakeEmbedder())
    records = JsonVorlageRecords(tmp_path / "store" / "vorlagen")
    _pipeline(store, records).run(_documents(corpus))
    papers = sorted((corpus / "papers").glob("*.json"))
    parsed = [parse_path(p) for p in papers]
    assert all(_same(records.get(v.id), v) for v in parsed)

    # a changed source: the new Vorlage's record replaces the old one's
    paper, old = papers[0], parsed[0]
    text_file = next(_text_files(corpus, json.loads(paper.read_text(encoding="utf-8"))))
    text_file.write_text(text_file.read_text(encoding="utf-8") + "\nNachtrag.", encoding="utf-8")
    new = parse_path(paper)
    assert new.id != old.id
    _pipeline(store, records).run(_documents(corpus))
    assert _same(records.get(new.id), new) and not records.has(old.id)

    _pipeline(store, records).run([], rebuild=True)
    assert not any(records.has(v.id) for v in [new, *parsed[1:]])


def test_a_store_from_before_records_gets_them_without_embedding(
    corpus: Path, tmp_path: Path
) -> None:
    embedder = FakeEmbedder()
    store = Store(tmp_path / "store", embedder)
    _pipeline(store, None).run(_documents(corpus))
    records = JsonVorlageRecords(tmp_path / "store" / "vorlagen")
    calls = embedder.calls
    summary = _pipeline(store, records).run(_documents(corpus))
    assert summary.unchanged == 5 and embedder.calls == calls  # nothing embedded again
    for paper in sorted((corpus / "papers").glob("*.json")):
        vorlage = parse_path(paper)
        assert _same(records.get(vorlage.id), vorlage)


def _vorlage(vorlage_id: str) -> Vorlage:
    return Vorlage(id=vorlage_id, source=SourceRef(path="/x.txt", system="text"), text="T")


def test_records_refuse_ids_that_are_no_file_names(tmp_path: Path) -> None:
    records = JsonVorlageRecords(tmp_path / "vorlagen")
    records.put(_vorlage("abc123"))
    assert records.get("abc123") == _vorlage("abc123")
    for bad in ("../abc123", "a/b", "..", "", "x" * 300, "a b"):
        assert records.get(bad) is None and not records.has(bad)
        records.delete(bad)  # no error
    records.put(_vorlage("../evil"))  # not stored, nothing written outside
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["abc123.json"]
    (tmp_path / "vorlagen" / "kaputt.json").write_text("{", encoding="utf-8")
    assert records.get("kaputt") is None
    records.reset()
    assert not records.has("abc123")
