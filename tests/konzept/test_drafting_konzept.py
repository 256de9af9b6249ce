"""A draft for "Umsetzung der Maßnahme … aus dem Integrationskonzept" cites the concept's
measure and passes validation (scripted chat model and the in-memory retriever of
tests/assistant/test_drafting.py; the concept's chunks are the real ones of the sample)."""

from __future__ import annotations

from pathlib import Path

from assistant.draft_konzept import concept_sentence, concerns
from assistant.schema import Chunk, Hit
from ingest.chunking import chunk_vorlage
from ingest.konzept import parse_konzept
from ingest.sources.formats import ParseOptions, load
from tests.assistant.test_drafting import (
    ANLASS,
    BETEILIGUNG,
    COST_REFERENCE,
    GOOD,
    KOSTEN,
    PASSAGES,
    PRECEDENT,
    ScriptedChat,
    _request,
    _service,
)

SAMPLE = Path(__file__).resolve().parents[1] / "data/konzepte/musterhausen_2023-2026.txt"
KOMMUNE = "Landkreis Musterhausen"


def concept_chunks() -> list[Chunk]:
    return chunk_vorlage(parse_konzept(load(SAMPLE, ParseOptions())))


def test_a_draft_on_a_measure_cites_it_and_passes() -> None:
    chat = ScriptedChat(list(GOOD))
    service = _service(chat, [*PASSAGES, *concept_chunks()])
    request = _request(
        betreff="Umsetzung der Maßnahme 1.2 aus dem Integrationskonzept", kommune=KOMMUNE
    )
    draft = service.draft(request)
    assert draft.validation is not None
    assert draft.validation.ok, draft.validation.errors
    measure = draft.citations[-1]
    assert (measure.kind, measure.massnahme, measure.handlungsfeld, measure.zeitraum) == (
        "konzept",
        "1.2",
        "Sprache",
        "2023–2026",
    )
    assert [c.kind for c in draft.citations[:-1]] == [None, None, None]  # the Vorlagen
    sentence = (
        f"Das Vorhaben entspricht Maßnahme 1.2 des Integrationskonzepts 2023–2026 [{measure.n}]."
    )
    assert draft.sachdarstellung == (
        f"{ANLASS}\n\n{sentence} {PRECEDENT}\n\n{BETEILIGUNG}\n\n{KOSTEN} {COST_REFERENCE}"
    )
    assert "Sprachcafés in allen Mittelzentren ausbauen" in measure.passage


def test_another_kommune_or_topic_brings_no_concept_source() -> None:
    chunks = [*PASSAGES, *concept_chunks()]
    other_place = _service(ScriptedChat(list(GOOD)), chunks).draft(
        _request(betreff="Umsetzung der Maßnahme 1.2 aus dem Integrationskonzept")
    )
    assert all(c.kind is None for c in other_place.citations)  # Stadt Karlsruhe has none
    other_topic = _service(ScriptedChat(list(GOOD)), chunks).draft(
        _request(betreff="Fortschreibung Integrationskonzept", kommune=KOMMUNE)
    )
    assert all(c.kind is None for c in other_topic.citations)


def test_a_measure_is_taken_up_by_number_or_by_two_of_its_words() -> None:
    measure = next(c for c in concept_chunks() if c.metadata.massnahme == "2.2")
    hit = Hit(chunk=measure, score=1.0, retriever="hybrid")
    assert concerns("Maßnahme 2.2 umsetzen", hit)
    assert concerns("Ausbildungspatenschaften mit Betrieben im Handwerk", hit)
    assert not concerns("Patenschaften für Vereine", hit)
    assert not concerns("Maßnahme 2.1 umsetzen", hit)


def test_the_sentence_names_each_cited_measure() -> None:
    assert concept_sentence([]) == ""
