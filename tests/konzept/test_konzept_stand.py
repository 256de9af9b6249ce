"""`konzept stand`: the adopting Vorlage, per measure the Vorlagen that took it up with the
passage that shows why, and the measures none has taken up (records in a real
``JsonVorlageRecords`` directory; the real Karlsruhe concepts with their Vorlagen)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.presenter_konzept import stand_lines
from assistant.schema import Vorlage
from assistant.usecases.konzept_stand import UnknownKonzept, konzept_stand
from ingest.konzept import parse_konzept
from ingest.parse import parse_path
from ingest.sources.formats import ParseOptions, load
from tests.konzept.test_parse_konzepte import CORPUS, KARLSRUHE, needs_corpus
from vectorstore.records import JsonVorlageRecords

SAMPLES = Path(__file__).resolve().parents[1] / "data/konzepte"


def _records(tmp_path: Path, documents: list[Vorlage]) -> JsonVorlageRecords:
    records = JsonVorlageRecords(tmp_path / "vorlagen")
    for document in documents:
        records.put(document)
    return records


@pytest.fixture
def musterhausen(tmp_path: Path) -> tuple[JsonVorlageRecords, list[str]]:
    concept = parse_konzept(load(SAMPLES / "musterhausen_2023-2026.txt", ParseOptions()))
    vorlagen = [parse_path(p) for p in sorted((SAMPLES / "vorlagen").glob("*.txt"))]
    documents = [concept, *vorlagen]
    return _records(tmp_path, documents), [d.id for d in documents]


def test_a_measure_named_by_number_is_linked_with_its_passage(
    musterhausen: tuple[JsonVorlageRecords, list[str]],
) -> None:
    records, ids = musterhausen
    stand = konzept_stand(records, ids, "Integrationskonzept 2023")
    assert stand.beschluss is not None
    assert (stand.beschluss.vorlagen_nr, stand.beschluss.regel) == (
        "KT/2023/004",
        "Anlage ist das Konzept",
    )
    by_number = {m.nummer: m for m in stand.massnahmen}
    [fund] = by_number["1.2"].vorlagen  # Nachbarstadt names 1.2 too, but is another Kommune
    assert (fund.vorlagen_nr, fund.regel) == ("KT/2024/017", "nennt Maßnahme 1.2")
    assert "hat der Kreistag Maßnahme 1.2 beschlossen" in fund.passage
    assert stand.offen == ["1.1", "1.3", "2.1", "2.2", "3.1", "3.2"]
    lines = stand_lines(stand)
    assert "Maßnahmen mit Vorlagen: 1 von 7" in lines
    assert "Maßnahmen ohne Vorlage: 6" in lines


def test_an_unknown_concept_is_one_german_sentence(
    musterhausen: tuple[JsonVorlageRecords, list[str]],
) -> None:
    records, ids = musterhausen
    with pytest.raises(UnknownKonzept, match="nicht vorhanden"):
        konzept_stand(records, ids, "Klimaschutzkonzept")


@pytest.fixture(scope="module")
def karlsruhe(tmp_path_factory: pytest.TempPathFactory) -> tuple[JsonVorlageRecords, list[str]]:
    papers = sorted((CORPUS / "karlsruhe-oparl/papers").glob("*.json"))
    recent = [p for p in papers if (json.loads(p.read_bytes()).get("date") or "") >= "2018-08"]
    concepts = [
        parse_konzept(load(KARLSRUHE / name, ParseOptions()))
        for name in ("38219.txt", "604715.txt", "656345.txt")
    ]
    documents = [*concepts, *(parse_path(p) for p in recent)]
    records = _records(tmp_path_factory.mktemp("records"), documents)
    return records, [d.id for d in documents]


@needs_corpus
@pytest.mark.slow
def test_karlsruhe_concepts_are_linked_to_the_vorlagen_that_adopted_them(
    karlsruhe: tuple[JsonVorlageRecords, list[str]],
) -> None:
    records, ids = karlsruhe
    schwerpunkte = konzept_stand(records, ids, "Schwerpunkte 2024")
    assert schwerpunkte.beschluss is not None
    assert schwerpunkte.beschluss.vorlagen_nr == "2024/0027"
    fortschreibung = konzept_stand(records, ids, "Fortschreibung Karlsruher")
    assert fortschreibung.beschluss is not None
    assert fortschreibung.beschluss.vorlagen_nr == "2018/0535"
    assert (
        konzept_stand(records, ids, "Karlsruher Integrationsplan").beschluss is None
    )  # Vorlage 1126 of 2012: absent


@needs_corpus
@pytest.mark.slow
def test_the_2018_concept_lists_measures_with_and_without_vorlagen(
    karlsruhe: tuple[JsonVorlageRecords, list[str]],
) -> None:
    records, ids = karlsruhe
    stand = konzept_stand(records, ids, "Fortschreibung Karlsruher")
    taken = [m for m in stand.massnahmen if m.vorlagen]
    assert taken and stand.offen
    assert len(taken) + len(stand.offen) == len(stand.massnahmen) == 77
    for measure in taken:
        for fund in measure.vorlagen:
            assert fund.regel and fund.passage  # every link says why
            assert fund.vorlagen_nr != "2018/0535"  # never the adopting Vorlage
    # the next concept's Vorlage names the Handlungsfelder of this one
    fields = {f.titel: [x.vorlagen_nr for x in f.vorlagen] for f in stand.handlungsfelder}
    assert "2024/0027" in fields["Wohnen"]
    wohnen = next(f for f in stand.handlungsfelder if f.titel == "Wohnen").vorlagen[0]
    assert "Handlungsfelder sind" in wohnen.passage
