"""The files behind summaries: summaries.jsonl (append, torn lines, compaction, lock), the
store's summaries by Vorlage id, and Vorlagen put together from a store's chunks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from assistant.schema import Chunk, ChunkMetadata
from assistant.summary_schema import SummaryRecord
from assistant.usecases.summary_log import SummaryLog, SummaryLogLockedError
from assistant.usecases.summary_store import JsonlSummaries
from vectorstore.chunk_vorlagen import ChunkVorlagen
from vectorstore.keyword import BM25Index


def record(source: str, **update: object) -> SummaryRecord:
    base = SummaryRecord(
        source=source,
        content_hash="h",
        prompt_version="v",
        status="ok",
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
        vorlage_id=f"id-{source}",
        kurzfassung=f"Kurz {source}.",
    )
    return base.model_copy(update=update)


def test_a_torn_last_line_is_skipped_then_cut_and_the_latest_record_wins(tmp_path: Path) -> None:
    log = SummaryLog(tmp_path / "s.jsonl")
    log.append(record("a"))
    log.append(record("b", status="fehlgeschlagen", reason="kaputt"))
    with log.path.open("ab") as handle:
        handle.write(b'{"format": "vorlagen-summary/1", "sou')
    assert [r.source for r in log.read()] == ["a", "b"] and log.skipped_lines == 1
    log.append(record("b"))
    lines = log.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and all(line.endswith("}") for line in lines)
    assert log.latest()["b"].status == "ok"
    assert log.compact() == 2
    assert [r.source for r in log.read()] == ["a", "b"] and log.skipped_lines == 0


def test_one_writer_at_a_time(tmp_path: Path) -> None:
    log = SummaryLog(tmp_path / "s.jsonl")
    with log.lock():
        with pytest.raises(SummaryLogLockedError) as caught, SummaryLog(log.path).lock():
            pass
        assert "anderer Lauf" in str(caught.value)
    with SummaryLog(log.path).lock():
        pass


def test_store_summaries_keep_the_newest_summary_per_vorlage(tmp_path: Path) -> None:
    store = JsonlSummaries(tmp_path / "summaries.jsonl")
    assert store.get_many(["id-a"]) == {}
    later = datetime(2025, 2, 1, tzinfo=UTC)
    kept = store.put(
        [record("a"), record("b", status="fehlgeschlagen"), record("c", vorlage_id=None)]
    )
    assert kept == 1
    store.put([record("x", vorlage_id="id-a", kurzfassung="Neu.", created_at=later)])
    store.put([record("y", vorlage_id="id-a", created_at=later - timedelta(days=40))])
    found = store.get_many(["id-a", "id-b", "unbekannt"])
    assert list(found) == ["id-a"] and found["id-a"].kurzfassung == "Neu."


def test_a_vorlage_is_put_together_from_its_chunks(tmp_path: Path) -> None:
    meta = ChunkMetadata(
        kommune="Stadt X", vorlagen_nr="2025/1", betreff="Radweg", datum=date(2025, 5, 1),
        art="Beschlussvorlage", oeffentlich=True, gremien=["Bauausschuss", "Gemeinderat"],
    )  # fmt: skip
    first = "Der Radweg an der Hauptstraße ist schadhaft. " * 3 + "Die Erneuerung kostet"
    second = "Die Erneuerung kostet 80.000 Euro."
    texts = [
        ("kurzfassung", 0, "Radweg …"),
        ("sachdarstellung", 1, second),
        ("sachdarstellung", 0, first),
        ("beschlussvorschlag", 0, "Der Gemeinderat beschließt."),
    ]
    chunks = [
        Chunk(
            id=Chunk.make_id("v1", name, n), vorlage_id="v1", section=name, text=text, metadata=meta
        )
        for name, n, text in texts
    ]
    index = BM25Index(tmp_path / "keyword")
    index.upsert(chunks)
    stored = ChunkVorlagen(index)
    assert stored.vorlage_ids() == ["v1"] and stored.vorlage("v2") is None
    vorlage = stored.vorlage("v1")
    assert vorlage is not None
    assert [s.canonical for s in vorlage.sections] == ["beschlussvorschlag", "sachdarstellung"]
    assert vorlage.sachdarstellung == first + " 80.000 Euro."
    assert vorlage.betreff == "Radweg" and vorlage.vorlagen_nr == "2025/1"
    assert [s.gremium for s in vorlage.beratungsfolge] == ["Bauausschuss", "Gemeinderat"]
    assert "Radweg …" not in vorlage.text
