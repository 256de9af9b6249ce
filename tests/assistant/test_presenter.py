"""assistant.presenter: the one German wording of labels, findings, progress and errors."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from assistant import presenter
from assistant.draft_events import (
    DraftDone,
    RetrievalDone,
    SectionDone,
    SectionStarted,
    TokenEvent,
    ValidationDone,
)
from assistant.export.context import build_context
from assistant.schema import (
    Citation,
    Draft,
    DraftRequest,
    Finding,
    ValidationReport,
)
from assistant.validation.findings import finding
from ingest.results import Failure, IngestSummary

GROUNDED = finding(
    "grounded",
    "Die Zahl „2018“ ist nicht belegt.",
    field_name="sachdarstellung",
    span=(4, 8),
    token="2018",
)
STYLE = Finding(rule="style", severity="warning", message="Der Text ist sehr kurz.")


def test_a_finding_reads_the_same_everywhere() -> None:
    line = presenter.finding_line(GROUNDED)
    assert line == (
        "Fehler [grounded]: Die Zahl „2018“ ist nicht belegt. "
        "(Stelle: Sachdarstellung, Zeichen 5–8: „2018“)"
    )
    assert presenter.finding_line(STYLE) == "Hinweis [style]: Der Text ist sehr kurz."
    # a forced export prints exactly these lines
    draft = Draft(
        request=DraftRequest(betreff="B", gremium="Rat"),
        validation=ValidationReport.from_findings([GROUNDED, STYLE]),
    )
    texts = [h["text"] for h in build_context(draft, forced=True)["pruefhinweise"]]
    assert texts == [presenter.finding_line(GROUNDED), presenter.finding_line(STYLE)]


def test_where_and_titles() -> None:
    assert presenter.finding_where("beratungsfolge[1].datum", None, None, None) == (
        "Beratungsfolge, Schritt 2"
    )
    assert presenter.finding_where("request.betreff", 0, 3, None) == "Betreff, Zeichen 1–3"
    assert presenter.finding_where(None, 1, 2, "x") == ""
    assert presenter.section_title("begruendung") == "Begründung"
    assert presenter.section_title("kurzfassung") == "Kurzfassung"
    assert presenter.section_title("neu") == "neu"
    assert presenter.field_title("finanzielle_auswirkungen") == "Finanzielle Auswirkungen"
    assert presenter.rolle_named(" entscheidung ") == "Entscheidung"
    assert presenter.rolle_named("Beschluss") is None
    assert presenter.german_date(date(2025, 3, 4)) == "04.03.2025"


def test_validation_summary() -> None:
    assert presenter.validation_summary(None) == "Der Entwurf wurde nicht geprüft."
    assert presenter.validation_summary(ValidationReport()) == (
        "Der Entwurf hat die Prüfung bestanden."
    )
    assert presenter.validation_summary(ValidationReport.from_findings([STYLE])) == (
        "Der Entwurf hat die Prüfung bestanden, 1 Hinweis(e)."
    )
    failed = ValidationReport.from_findings([GROUNDED, STYLE])
    assert presenter.validation_summary(failed) == (
        "Der Entwurf hat die Prüfung nicht bestanden: 1 Fehler, 1 Hinweis(e)."
    )


def test_progress_of_a_draft_stream() -> None:
    citation = Citation(n=1, vorlage_id="v", section="sachdarstellung", passage="p")
    report = ValidationReport.from_findings([GROUNDED])
    draft = Draft(request=DraftRequest(betreff="B", gremium="Rat"))
    said = [
        presenter.draft_progress(event)
        for event in (
            RetrievalDone(citations=[citation]),
            SectionStarted(section="sachdarstellung"),
            TokenEvent(section="sachdarstellung", text="Der"),
            SectionStarted(section="sachdarstellung", attempt=1),
            SectionDone(section="sachdarstellung", text="Der Rat."),
            SectionStarted(section="beschlussvorschlag"),
            ValidationDone(report=report),
            DraftDone(draft=draft),
        )
    ]
    assert said == [
        "1 Quellen gefunden; das Sprachmodell schreibt …",
        "Schreibe die Sachdarstellung …",
        None,
        "Schreibe einen Absatz der Sachdarstellung neu …",
        None,
        "Schreibe den Beschluss …",
        "Prüfung: 1 Fehler, 0 Hinweis(e).",
        None,
    ]
    assert presenter.draft_finished(41.6, "m") == "Fertig nach 42 s (m)."


@dataclass(frozen=True)
class _Passage:  # as assistant.usecases.search.SearchPassage
    section: str
    excerpt: str


@dataclass(frozen=True)
class _Hit:  # as assistant.usecases.search.SearchHit
    rank: int
    score: float
    vorlagen_nr: str | None
    betreff: str | None
    kommune: str | None
    datum: date | None


def test_search_hit_lines() -> None:
    hit = _Hit(1, 0.031234, "2023/0815", "Kita", "Stadt K", date(2023, 1, 31))
    assert presenter.hit_line(hit) == "1. [0.0312] 2023/0815 · Kita (Stadt K, 31.01.2023)"
    bare = replace(hit, vorlagen_nr=None, betreff=None, kommune=None, datum=None)
    assert presenter.hit_line(bare) == "1. [0.0312] ohne Nr. · (ohne Betreff)"
    assert presenter.passage_line(_Passage("sachdarstellung", "Auszug")) == (
        "Sachdarstellung: Auszug"
    )


def test_ingest_lines() -> None:
    result = IngestSummary(
        new=2,
        unchanged=1,
        failed=[Failure("a.pdf", "Kaputt.")],
        chunks_written=7,
        dense_written=2,
        seconds=65,
    )
    assert presenter.ingest_counts(result) == "neu 2 · aktualisiert 0 · unverändert 1 · Fehler 1"
    rows = dict(presenter.ingest_rows(result))
    assert rows["Fehlgeschlagen"] == "1"
    assert rows["Geschriebene Abschnitte (davon Vektoren)"] == "7 (2)"
    assert rows["Dauer"] == "1:05 min"
    assert "Nach Abbruch bereinigt (Vorlagen)" not in rows
    assert presenter.duration(None) == "–" and presenter.duration(4.4) == "4 s"
    assert presenter.ingest_failure("a.pdf", "Kaputt.") == "Fehlgeschlagen: a.pdf: Kaputt."


def test_no_index_sentence() -> None:
    assert presenter.no_index() == (
        "Es gibt noch keinen Suchindex; bitte zuerst Vorlagen aufnehmen."
    )
    assert presenter.no_index(Path("/s"), "vorlagen ingest --store /s PFAD...") == (
        "Im Verzeichnis /s liegt kein Suchindex; bitte zuerst Vorlagen aufnehmen "
        "(vorlagen ingest --store /s PFAD...)."
    )


class _Body(BaseModel):
    n: int
    day: date | None = None

    @field_validator("n")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:  # a request rule: its message is the German sentence itself
            raise PydanticCustomError("n_range", "Die Zahl muss positiv sein.", {"german": True})
        return value


@pytest.mark.parametrize(
    ("model", "data", "expected"),
    [
        (_Body, {"n": 0}, "Die Zahl muss positiv sein."),
        (DraftRequest, {"betreff": "B"}, "Die Angabe „gremium“ fehlt."),
        (DraftRequest, {"betreff": "B", "gremium": "G", "x": 1}, "Die Angabe „x“ ist unbekannt."),
        (_Body, {"n": "zehn"}, "Die Angabe „n“ muss eine ganze Zahl sein."),
        (
            _Body,
            {"n": 1, "day": "31.12.2023"},
            "Die Angabe „day“ ist kein gültiges Datum (JJJJ-MM-TT).",
        ),
        (
            DraftRequest,
            {"betreff": "B", "gremium": "G", "beratungsfolge": [{"gremium": "R", "rolle": "Chef"}]},
            "Die Angabe „beratungsfolge.0.rolle“ hat einen ungültigen Wert; möglich sind: "
            "Vorberatung, Beratung, Entscheidung, Kenntnisnahme oder Anhörung.",
        ),
    ],
)
def test_invalid_input_is_one_german_sentence(
    model: type[BaseModel], data: dict[str, object], expected: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    assert presenter.invalid_input(caught.value) == expected
    # FastAPI's RequestValidationError.errors() has the same shape, with "body" in front
    errors = [{**e, "loc": ("body", *e["loc"])} for e in caught.value.errors()]
    assert presenter.invalid_input(errors) == expected
