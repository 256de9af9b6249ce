"""Every concept used parses into its Handlungsfelder with Ziele and Maßnahmen; the counts are
compared with the document's own table of contents and numbering (docs/konzepte.md)."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import pytest
from docx import Document as DocxDocument

from assistant.schema import Konzept, Vorlage
from ingest.konzept import looks_like_konzept, parse_konzept
from ingest.sources.formats import ParseOptions, load
from tests.conftest import shared_dir

CORPUS = shared_dir() / "corpus"  # $VORLAGEN_SHARED, as CI sets it
KARLSRUHE = CORPUS / "integrationskonzepte/karlsruhe"
SAMPLES = Path(__file__).resolve().parents[1] / "data/konzepte"
needs_corpus = pytest.mark.skipif(not KARLSRUHE.is_dir(), reason=f"{KARLSRUHE} not present")


def parse(path: Path) -> Vorlage:
    return parse_konzept(load(path, ParseOptions()))


def structure(path: Path) -> Konzept:
    konzept = parse(path).konzept
    assert konzept is not None
    return konzept


def toc_numbers(konzept: Konzept, prefix: str, depth: int) -> list[str]:
    """The numbers the table of contents lists below ``prefix`` at ``depth`` levels."""
    return [
        e.nummer
        for e in konzept.inhaltsverzeichnis
        if e.nummer and e.nummer.startswith(prefix) and e.nummer.count(".") == depth - 1
    ]


@needs_corpus
def test_karlsruhe_2012_fields_are_the_toc_entries_below_handlungsfelder() -> None:
    konzept = structure(KARLSRUHE / "38219.txt")
    assert konzept.layout == "ziel-indikatoren-massnahmen"
    assert all(e.gefunden for e in konzept.inhaltsverzeichnis)
    assert len(konzept.inhaltsverzeichnis) == 24
    fields = konzept.handlungsfelder
    assert [f.nummer for f in fields] == toc_numbers(konzept, "4.", 3)  # 4.1.1 … 4.4.2: 11
    assert len(fields) == 11
    assert fields[0].titel == "Vorschulische Bildung"
    assert fields[0].oberfeld == "Soziale Partizipation: Bildung, Ausbildung, Erwerbsleben"
    # every field states a Ziel, Indikatoren and "Mögliche Maßnahmen" (11 blocks in the text)
    assert all(f.ziele and f.indikatoren and f.massnahmen for f in fields)
    # 4.1.1 lists 13 "Mögliche Maßnahmen", 4.3.3 one; numbered after their field
    assert len(fields[0].massnahmen) == 13
    assert fields[0].massnahmen[2].nummer == "4.1.1.3"
    assert fields[0].massnahmen[2].titel.startswith("„Lesen & Lesen lassen“")
    assert fields[0].massnahmen[2].nummer_abgeleitet
    assert [m.titel for m in fields[8].massnahmen] == [
        "Lotsendienste/interkulturelleMittlerinnen und Mittler"
    ]
    assert fields[8].ziele == [
        "Verbesserung des Zugangs zu sozialen und Betreuungsangeboten",
        "Unterstützung von Netzwerken in der Nachbarschaft",
    ]
    assert sum(len(f.massnahmen) for f in fields) == 114


@needs_corpus
def test_karlsruhe_2018_fields_are_the_handlungsfeld_chapters() -> None:
    konzept = structure(KARLSRUHE / "604715.txt")
    assert konzept.layout == "handlungsfeld-kapitel"
    assert all(e.gefunden for e in konzept.inhaltsverzeichnis)
    chapters = [e for e in konzept.inhaltsverzeichnis if e.titel.startswith("Handlungsfeld")]
    fields = konzept.handlungsfelder
    assert [f.nummer for f in fields] == [e.nummer for e in chapters]  # 3 … 9
    assert [f.titel for f in fields][:2] == [
        "Sprache und Bildung",
        "Wirtschaftliche Integration – Übergang Schule-Beruf und Erwerbsleben",
    ]
    assert fields[5].titel == "Wohnen"
    assert fields[5].ziele == [
        "Der chancengerechte Zugang zu bezahlbarem Wohnraum verbessert sich.",
        "Die Versorgung von Geflüchteten mit dezentralem Wohnraum wird ausgebaut.",
    ]
    # "Konkret bedeutet dies:" under Wohnen: three paragraphs
    assert [m.nummer for m in fields[5].massnahmen] == ["8.1", "8.2", "8.3"]
    assert all(f.ziele and f.massnahmen for f in fields)
    assert konzept.kommune == "Stadt Karlsruhe"
    assert konzept.titel == "Fortschreibung Karlsruher Integrationsplan"
    # the Kernaussagen of chapter 10's overview table become the fields' Leitziele
    assert all(f.leitziel for f in fields)
    assert fields[0].leitziel == (
        "„Jeder junge Mensch hat ohne Rücksicht auf Herkunft oder wirtschaftliche Lage das Recht "
        "auf eine seiner Begabung entsprechende Erziehung und Ausbildung.“"
    )
    assert fields[5].leitziel == (
        "Wohnen ist ein elementares Bedürfnis und hat zentrale Bedeutung für die soziale "
        "Integration."
    )
    # "Gesundheit", "Sport" and "Älter werden" have a row each: joined
    assert fields[4].leitziel is not None
    assert fields[4].leitziel.count(" / ") == 2


@needs_corpus
def test_karlsruhe_2024_fields_carry_leitsaetze_and_schwerpunkte() -> None:
    konzept = structure(KARLSRUHE / "656345.txt")
    assert konzept.layout == "leitsaetze-schwerpunkte"
    assert konzept.zeitraum == "2024–2025"
    assert all(e.gefunden for e in konzept.inhaltsverzeichnis)
    fields = konzept.handlungsfelder
    assert [f.nummer for f in fields] == toc_numbers(konzept, "4.", 2)  # 4.1 … 4.5
    # Leitsätze (ziele) and Schwerpunkte (measures) per field, as the bullets in the text
    assert [len(f.ziele) for f in fields] == [2, 2, 3, 2, 3]
    assert [len(f.massnahmen) for f in fields] == [3, 3, 6, 4, 3]
    assert fields[4].massnahmen[1].titel == "Charta der Vielfalt"
    assert fields[0].leitziel is not None
    assert fields[0].leitziel.startswith("Karlsruhe passt die Beratungsstrukturen")


def test_a_kreis_measures_table_is_read_with_its_columns() -> None:
    konzept = structure(SAMPLES / "musterhausen_2023-2026.txt")
    check_musterhausen(konzept)


def test_the_same_concept_as_word_document(tmp_path: Path) -> None:
    document = DocxDocument()
    table_rows: list[list[str]] = []
    for line in (SAMPLES / "musterhausen_2023-2026.txt").read_text(encoding="utf-8").split("\n"):
        if "\t" in line:
            table_rows.append(line.split("\t"))
            continue
        if table_rows:
            _table(document, table_rows)
            table_rows = []
        document.add_paragraph(line)
    path = tmp_path / "musterhausen.docx"
    document.save(str(path))
    check_musterhausen(structure(path))


def test_the_same_concept_as_web_page(tmp_path: Path) -> None:
    parts = ['<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>']
    rows: list[str] = []
    for line in (SAMPLES / "musterhausen_2023-2026.txt").read_text(encoding="utf-8").split("\n"):
        if "\t" in line:
            cells = "".join(f"<td>{html.escape(cell)}</td>" for cell in line.split("\t"))
            rows.append(f"<tr>{cells}</tr>")
            continue
        if rows:
            parts.append(f"<table>{''.join(rows)}</table>")
            rows = []
        if line.startswith("- "):
            parts.append(f"<ul><li>{html.escape(line[2:])}</li></ul>")
        elif line:
            parts.append(f"<p>{html.escape(line)}</p>")
    path = tmp_path / "musterhausen.html"
    path.write_text("\n".join([*parts, "</body></html>"]), encoding="utf-8")
    check_musterhausen(structure(path))


def _table(document: object, rows: list[list[str]]) -> None:
    table = document.add_table(rows=0, cols=5)  # type: ignore[attr-defined]
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=False):
            cell.text = text


def check_musterhausen(konzept: Konzept) -> None:
    assert konzept.titel == "Integrationskonzept 2023–2026"
    assert konzept.kommune == "Landkreis Musterhausen"
    assert konzept.zeitraum == "2023–2026"
    assert [(f.nummer, f.titel) for f in konzept.handlungsfelder] == [
        ("1", "Sprache"),
        ("2", "Arbeit und Ausbildung"),
        ("3", "Wohnen"),
    ]
    numbers = [m.nummer for _, m in konzept.massnahmen()]
    assert numbers == ["1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2"]
    sprache = konzept.handlungsfelder[0]
    assert sprache.leitziel == (
        "Alle Zugewanderten im Landkreis erwerben früh und ohne Wartezeit die deutsche Sprache."
    )
    assert len(sprache.ziele) == 2
    first = sprache.massnahmen[0]
    assert (first.zustaendigkeit, first.zeitraum, first.indikator) == (
        "Kommunales Integrationszentrum",
        "2023",
        "Wartezeit bis Kursbeginn",
    )
    wohnen = konzept.handlungsfelder[2]
    assert wohnen.leitziel == "Geflüchtete wohnen dezentral und möglichst bald in eigenem Wohnraum."
    assert wohnen.massnahmen[0].zustaendigkeit == "Sozialamt"
    assert wohnen.massnahmen[1].indikator is None


@needs_corpus
@pytest.mark.parametrize("name", ["38219.txt", "604715.txt", "656345.txt"])
def test_each_karlsruhe_concept_is_recognised(name: str) -> None:
    assert looks_like_konzept(load(KARLSRUHE / name, ParseOptions()).text)


@needs_corpus
def test_a_concept_parses_the_same_twice(tmp_path: Path) -> None:
    copy = tmp_path / "plan.txt"
    shutil.copy(KARLSRUHE / "656345.txt", copy)
    assert parse(copy).id == parse(KARLSRUHE / "656345.txt").id


@needs_corpus
def test_no_karlsruhe_vorlage_is_taken_for_a_concept() -> None:
    texts = sorted((CORPUS / "karlsruhe-oparl/file-contents").glob("*.txt"))
    assert len(texts) > 1000
    taken = [p.name for p in texts if looks_like_konzept(p.read_text(encoding="utf-8"))]
    assert taken == []
