"""Section-aware chunking and the dense policies (pure functions, no backends)."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest

from assistant.schema import Beratungsschritt, Chunk, SourceRef, Vorlage
from ingest.chunking import (
    CHUNKED_SECTIONS,
    DENSE_POLICIES,
    FULLTEXT_SECTION,
    SUMMARY_SECTION,
    ChunkingOptions,
    chunk_metadata,
    chunk_vorlage,
    dense_all,
    dense_leading,
    dense_summary,
    split_sentences,
    split_text,
    summary_text,
)
from ingest.parse import parse_path

SENTENCE = "Die Verwaltung hat den Bedarf für die Kindertagesstätte im Jahr 2023 geprüft. "


def _vorlage(**fields: object) -> Vorlage:
    base: dict[str, object] = {
        "id": "abcdef0123456789",
        "source": SourceRef(path="x.txt", system="text"),
        "text": "Volltext der Vorlage.",
    }
    base.update(fields)
    return Vorlage.model_validate(base)


def _long(paragraphs: int, sentences: int = 6) -> str:
    return "\n\n".join(
        " ".join(f"Absatz {p} Satz {s}: {SENTENCE.strip()}" for s in range(sentences))
        for p in range(paragraphs)
    )


def test_short_text_is_one_piece() -> None:
    assert split_text("Ein kurzer Text.", 1500, 150) == ["Ein kurzer Text."]
    assert split_text("   ", 1500, 150) == []


def test_long_text_pieces_stay_within_the_limit_and_cover_everything() -> None:
    text = _long(12)
    pieces = split_text(text, 1500, 150)
    assert len(pieces) > 1
    assert all(len(p) <= 1500 for p in pieces)
    for p in range(12):
        for s in range(6):
            assert any(f"Absatz {p} Satz {s}:" in piece for piece in pieces)


def test_pieces_have_even_length_not_a_tiny_tail() -> None:
    pieces = split_text(_long(3, 4), 1500, 0)  # about 1,100 characters per 3 paragraphs
    text_len = len(_long(3, 4))
    if text_len > 1500:
        assert min(len(p) for p in pieces) > text_len / len(pieces) / 2


def test_pieces_split_at_sentence_ends_and_overlap() -> None:
    text = " ".join(f"Satz {i}: {SENTENCE.strip()}" for i in range(60))  # one long paragraph
    pieces = split_text(text, 1200, 150)
    assert len(pieces) >= 3
    for previous, piece in itertools.pairwise(pieces):
        assert previous.rstrip().endswith(".")
        first_sentence = split_sentences(piece)[0]
        assert first_sentence in previous  # the overlap repeats the previous piece's tail


def test_a_sentence_without_boundaries_is_cut_at_words() -> None:
    text = "wort " * 800
    pieces = split_text(text, 1000, 100)
    assert all(len(p) <= 1000 for p in pieces)
    assert all(not p.startswith(" ") and not p.endswith(" ") for p in pieces)


def test_abbreviations_do_not_end_sentences() -> None:
    text = "Gemäß § 3 Abs. 2 BauGB z. B. Nr. 5 gilt das. Dann folgt Dr. Müller. Ende!"
    assert split_sentences(text) == [
        "Gemäß § 3 Abs. 2 BauGB z. B. Nr. 5 gilt das.",
        "Dann folgt Dr. Müller.",
        "Ende!",
    ]


def test_chunks_per_canonical_section_with_metadata_and_ids() -> None:
    vorlage = _vorlage(
        kommune="Stadt Wedel",
        vorlagen_nr="BV/2023/162",
        betreff="Neubau einer Kindertagesstätte",
        datum=date(2023, 5, 4),
        art="Beschlussvorlage",
        oeffentlich=True,
        beratungsfolge=[
            Beratungsschritt(gremium="Bauausschuss", rolle="Vorberatung"),
            Beratungsschritt(gremium="Rat", rolle="Entscheidung"),
            Beratungsschritt(gremium="Bauausschuss", rolle="Beratung"),
        ],
        beschlussvorschlag="Der Rat beschließt den Neubau.",
        sachdarstellung=_long(8),
        finanzielle_auswirkungen="Kosten: 1,2 Mio. EUR.",
        klimaschutz="Keine Auswirkungen.",
    )
    chunks = chunk_vorlage(vorlage)
    sections = [c.section for c in chunks]
    assert sections[0] == SUMMARY_SECTION
    assert sections.count("sachdarstellung") > 1
    assert "begruendung" not in sections  # empty sections give no chunk
    order = [s for s in dict.fromkeys(sections) if s != SUMMARY_SECTION]
    assert order == [s for s in CHUNKED_SECTIONS if s in order]
    for chunk in chunks:
        ordinal = int(chunk.id.rsplit(":", 1)[1])
        assert chunk.id == Chunk.make_id(vorlage.id, chunk.section, ordinal)
        assert chunk.vorlage_id == vorlage.id
        assert chunk.metadata.gremien == ["Bauausschuss", "Rat"]
        assert chunk.metadata.vorlagen_nr == "BV/2023/162"
        assert chunk.metadata.datum == date(2023, 5, 4)
        assert chunk.metadata.oeffentlich is True
    assert len({c.id for c in chunks}) == len(chunks)


def test_chunking_is_deterministic() -> None:
    vorlage = _vorlage(betreff="Betreff", sachdarstellung=_long(10))
    first = chunk_vorlage(vorlage)
    second = chunk_vorlage(vorlage.model_copy())
    assert [c.fingerprint() for c in first] == [c.fingerprint() for c in second]


def test_summary_is_betreff_resolution_and_opening_of_the_facts() -> None:
    vorlage = _vorlage(
        betreff="Fortschreibung Integrationskonzept",
        beschlussvorschlag="Der Rat beschließt\ndie Fortschreibung.",
        sachdarstellung=_long(10),
    )
    text = summary_text(vorlage, 1500)
    assert text.startswith("Fortschreibung Integrationskonzept\n\nDer Rat beschließt die")
    assert "Absatz 0 Satz 0" in text
    assert len(text) <= 1500
    assert text.endswith(".")


def test_vorlage_without_sections_is_chunked_from_its_text() -> None:
    vorlage = _vorlage(text=_long(4))
    chunks = chunk_vorlage(vorlage)
    assert {c.section for c in chunks} == {SUMMARY_SECTION, FULLTEXT_SECTION}
    assert chunks[0].text.startswith("Absatz 0 Satz 0")


def test_dense_policies() -> None:
    vorlage = _vorlage(
        betreff="B", beschlussvorschlag="Der Rat beschließt.", sachdarstellung=_long(8)
    )
    chunks = chunk_vorlage(vorlage)
    assert [c.section for c in dense_summary(chunks)] == [SUMMARY_SECTION]
    leading = dense_leading(chunks)
    assert {c.section for c in leading} == {
        SUMMARY_SECTION,
        "beschlussvorschlag",
        "sachdarstellung",
    }
    assert all(c.id.endswith(":0") for c in leading)
    assert dense_all(chunks) == chunks
    assert set(DENSE_POLICIES) == {"kurzfassung", "abschnittsanfang", "alle"}


def test_options_are_checked_and_have_a_recipe() -> None:
    with pytest.raises(ValueError):
        ChunkingOptions(max_chars=100)
    with pytest.raises(ValueError):
        ChunkingOptions(overlap_chars=900)
    assert ChunkingOptions().recipe() == ChunkingOptions().recipe()
    assert ChunkingOptions().recipe() != ChunkingOptions(max_chars=1200).recipe()


def test_metadata_of_a_vorlage() -> None:
    vorlage = _vorlage(kommune="Landkreis Börde", art="Mitteilungsvorlage")
    meta = chunk_metadata(vorlage)
    assert (meta.kommune, meta.art, meta.gremien) == ("Landkreis Börde", "Mitteilungsvorlage", [])


def test_karlsruhe_papers_chunk_within_limits(karlsruhe_dir: Path) -> None:
    papers = sorted((karlsruhe_dir / "papers").glob("*.json"))[:40]
    options = ChunkingOptions()
    for path in papers:
        vorlage = parse_path(path)
        chunks = chunk_vorlage(vorlage, options)
        assert chunks[0].section == SUMMARY_SECTION
        assert all(0 < len(c.text) <= options.max_chars for c in chunks)
        assert len(dense_summary(chunks)) == 1
        assert chunks[0].metadata.kommune == vorlage.kommune
