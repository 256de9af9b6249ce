"""Both indexes filter by document kind (real Chroma in a temp dir, the real BM25 index) and
keep a concept chunk's metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.schema import Chunk, SearchFilter
from tests.vectorstore.helpers import HashingEmbedder, make_chunk, sample_chunks
from vectorstore.chroma import ChromaIndex
from vectorstore.keyword import BM25Index

EMBEDDER = HashingEmbedder(64)
CONCEPT = make_chunk(
    "k9",
    "massnahme",
    0,
    "Vorlage Maßnahme 3.2: Sprachcafés in allen Stadtteilen ausbauen",
    kommune="Stadt Wedel",
    betreff="Integrationskonzept 2023–2026",
    oeffentlich=True,
    kind="konzept",
    zeitraum="2023–2026",
    handlungsfeld="Sprache",
    massnahme="3.2",
)
CHUNKS: list[Chunk] = [*sample_chunks(), CONCEPT]


def _query(index: ChromaIndex | BM25Index, where: SearchFilter) -> list[Chunk]:
    if isinstance(index, BM25Index):
        return [h.chunk for h in index.query("Vorlage", 100, where)]
    return [h.chunk for h in index.query(EMBEDDER.embed_query("Vorlage"), 100, where)]


@pytest.fixture(params=["chroma", "bm25"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> ChromaIndex | BM25Index:
    if request.param == "bm25":
        keyword = BM25Index(tmp_path / "bm25")
        keyword.upsert(CHUNKS)
        keyword.persist()
        return keyword
    dense = ChromaIndex(
        path=tmp_path / "chroma", embedder_name=EMBEDDER.name, dimension=EMBEDDER.dimension
    )
    dense.upsert(CHUNKS, EMBEDDER.embed_documents([c.text for c in CHUNKS]))
    return dense


@pytest.mark.parametrize("kind", ["konzept", "vorlage"])
def test_the_kind_filter_follows_the_reference_semantics(
    index: ChromaIndex | BM25Index, kind: str
) -> None:
    where = SearchFilter.model_validate({"kind": kind, "kommune": "Stadt Wedel"})
    expected = {c.id for c in CHUNKS if where.matches(c.metadata)}
    assert {c.id for c in _query(index, where)} == expected
    assert ("k9:massnahme:0" in expected) == (kind == "konzept")


def test_a_concept_chunk_comes_back_with_its_metadata(index: ChromaIndex | BM25Index) -> None:
    found = _query(index, SearchFilter(kind="konzept"))
    assert found == [CONCEPT]
    assert found[0].fingerprint() == CONCEPT.fingerprint()
