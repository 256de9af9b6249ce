"""The concept kind in the schema: old records and chunks stay valid, filters know the kind."""

from __future__ import annotations

import hashlib
import json

from assistant.schema import (
    Chunk,
    ChunkMetadata,
    Handlungsfeld,
    Konzept,
    Massnahme,
    SearchFilter,
    Vorlage,
)

OLD_RECORD = {
    "id": "abcdef0123456789",
    "source": {"path": "x.txt", "system": "text"},
    "betreff": "Kita-Neubau",
    "text": "Der Gemeinderat beschließt.",
}


def test_a_record_of_an_older_version_loads_as_a_vorlage() -> None:
    vorlage = Vorlage.model_validate_json(json.dumps(OLD_RECORD))
    assert vorlage.kind == "vorlage"
    assert vorlage.konzept is None


def test_a_concept_round_trips() -> None:
    konzept = Konzept(
        titel="Integrationskonzept 2023–2026",
        zeitraum="2023–2026",
        handlungsfelder=[
            Handlungsfeld(
                nummer="3",
                titel="Sprache",
                massnahmen=[Massnahme(nummer="3.2", titel="Sprachcafés ausbauen")],
            )
        ],
    )
    vorlage = Vorlage(**OLD_RECORD, kind="konzept", konzept=konzept)  # type: ignore[arg-type]
    again = Vorlage.model_validate_json(vorlage.model_dump_json())
    assert again.konzept is not None
    assert [(f.titel, m.nummer) for f, m in again.konzept.massnahmen()] == [("Sprache", "3.2")]


def test_the_fingerprint_of_a_vorlage_chunk_is_what_it_was_before_concepts() -> None:
    chunk = Chunk(
        id="v:sachdarstellung:0",
        vorlage_id="v",
        section="sachdarstellung",
        text="Text",
        metadata=ChunkMetadata(kommune="Stadt X", gremien=["Rat"]),
    )
    old_metadata = {
        "kommune": "Stadt X",
        "vorlagen_nr": None,
        "betreff": None,
        "datum": None,
        "art": None,
        "oeffentlich": None,
        "gremien": ["Rat"],
    }
    old_dump = json.dumps(
        {
            "id": chunk.id,
            "vorlage_id": "v",
            "section": "sachdarstellung",
            "text": "Text",
            "metadata": old_metadata,
        },
        separators=(",", ":"),
    )
    assert chunk.fingerprint() == hashlib.sha256(old_dump.encode()).hexdigest()[:16]
    concept = chunk.model_copy(update={"metadata": ChunkMetadata(kind="konzept")})
    assert concept.fingerprint() != chunk.fingerprint()


def test_the_kind_filter_reads_a_missing_kind_as_vorlage() -> None:
    old = ChunkMetadata()
    concept = ChunkMetadata(kind="konzept")
    assert SearchFilter(kind="vorlage").matches(old)
    assert not SearchFilter(kind="vorlage").matches(concept)
    assert SearchFilter(kind="konzept").matches(concept)
    assert not SearchFilter(kind="konzept").matches(old)
    assert not SearchFilter(kind="konzept").is_empty()
