"""DOCX source: a realistic Beschlussvorlage built with python-docx, and broken files."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocumentObject
from docx.table import Table

from ingest.errors import IngestError
from ingest.parse import parse_path
from ingest.sources.docx import load_docx


def _bold(document: DocumentObject, text: str) -> None:
    document.add_paragraph().add_run(text).bold = True


def _table(document: DocumentObject, rows: list[list[str]]) -> Table:
    table: Table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value:
                table.cell(r, c).text = value
    return table


def build_vorlage(path: Path) -> Path:
    """A Beschlussvorlage as a clerk writes it in Word: Kopf, Beratungsfolge, sections."""
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "Stadt Musterstadt – Der Bürgermeister (Kopfzeile)"
    section.footer.paragraphs[0].text = "Seite 1 von 2 (Fußzeile)"

    _table(
        document,
        [
            ["Vorlage Nr.:", "BV/2024/017"],
            ["Datum:", "12.03.2024"],
            ["Federführung:", "Fachdienst Soziales"],
            ["Status:", "öffentlich"],
        ],
    )
    document.add_heading("Beschlussvorlage", level=1)
    _bold(document, "Betreff:")
    document.add_paragraph("Fortschreibung des Integrationskonzeptes 2024–2028")

    _bold(document, "Beratungsfolge:")
    beratung = _table(
        document,
        [
            ["Gremium", "Zuständigkeit", "Termin"],
            ["Sozialausschuss", "", "05.04.2024"],
            ["Hauptausschuss", "", "18.04.2024"],
            ["Rat der Stadt Musterstadt", "Entscheidung", "02.05.2024"],
            ["", "", ""],
        ],
    )
    beratung.cell(1, 1).merge(beratung.cell(2, 1)).text = "Vorberatung"
    note = beratung.cell(4, 0).merge(beratung.cell(4, 2))
    note.text = "Termine vorbehaltlich der Sitzungsplanung"

    _bold(document, "Beschlussvorschlag:")
    document.add_paragraph(
        "Der Rat der Stadt Musterstadt beschließt das fortgeschriebene Integrationskonzept.",
        style="List Number",
    )
    document.add_paragraph(
        "Die Verwaltung wird beauftragt, dem Sozialausschuss jährlich zu berichten.",
        style="List Number",
    )

    _bold(document, "Sachverhalt:")
    document.add_paragraph("Der Rat hat das Integrationskonzept im Jahr 2019 beschlossen.")
    document.add_paragraph("Die Fortschreibung umfasst die Handlungsfelder:")
    document.add_paragraph("Sprache und Bildung", style="List Bullet")
    document.add_paragraph("Arbeit und Wohnen", style="List Bullet")
    document.add_paragraph("")

    _bold(document, "Finanzielle Auswirkungen:")
    _table(document, [["Produkt", "Betrag"], ["31.50.01", "25.000 EUR"]])
    _bold(document, "Anlagen:")
    document.add_paragraph("Anlage 1 Integrationskonzept 2024–2028")
    document.save(str(path))
    return path


@pytest.fixture(scope="module")
def vorlage_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = build_vorlage(tmp_path_factory.mktemp("docx") / "vorlage.docx")
    document = load_docx(path)
    assert document.system == "docx"
    assert document.path == str(path)
    return document.text


def test_docx_keeps_body_order_with_tables_in_place(vorlage_text: str) -> None:
    order = [
        "Vorlage Nr.:\tBV/2024/017",
        "Beschlussvorlage",
        "Betreff:",
        "Fortschreibung des Integrationskonzeptes 2024–2028",
        "Beratungsfolge:",
        "Gremium\tZuständigkeit\tTermin",
        "Beschlussvorschlag:",
        "1. Der Rat der Stadt Musterstadt beschließt",
        "2. Die Verwaltung wird beauftragt",
        "Sachverhalt:",
        "- Sprache und Bildung",
        "Finanzielle Auswirkungen:",
        "Produkt\tBetrag",
        "Anlagen:",
    ]
    positions = [vorlage_text.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_docx_headings_stand_on_their_own_lines(vorlage_text: str) -> None:
    lines = vorlage_text.splitlines()
    for heading in ("Betreff:", "Beschlussvorschlag:", "Sachverhalt:", "Finanzielle Auswirkungen:"):
        assert heading in lines
        before = lines.index(heading) - 1
        assert lines[before] == "", f"blank line before {heading}"


def test_docx_table_rows_are_tab_separated(vorlage_text: str) -> None:
    lines = vorlage_text.splitlines()
    assert "Datum:\t12.03.2024" in lines
    assert "Sozialausschuss\tVorberatung\t05.04.2024" in lines
    assert "Rat der Stadt Musterstadt\tEntscheidung\t02.05.2024" in lines
    assert "31.50.01\t25.000 EUR" in lines


def test_docx_merged_cells_are_not_duplicated(vorlage_text: str) -> None:
    lines = vorlage_text.splitlines()
    assert "Hauptausschuss\t\t18.04.2024" in lines, "vertical merge continues as an empty cell"
    assert vorlage_text.count("Vorberatung") == 1
    assert vorlage_text.count("Termine vorbehaltlich der Sitzungsplanung") == 1


def test_docx_skips_headers_and_footers(vorlage_text: str) -> None:
    assert "Kopfzeile" not in vorlage_text
    assert "Fußzeile" not in vorlage_text


def test_docx_separates_paragraphs_by_blank_lines(vorlage_text: str) -> None:
    assert (
        "Der Rat hat das Integrationskonzept im Jahr 2019 beschlossen.\n\n"
        "Die Fortschreibung umfasst die Handlungsfelder:"
    ) in vorlage_text
    assert "\n\n\n" not in vorlage_text


def test_docx_list_items_keep_their_numbers_on_consecutive_lines(vorlage_text: str) -> None:
    assert (
        "1. Der Rat der Stadt Musterstadt beschließt das fortgeschriebene Integrationskonzept.\n"
        "2. Die Verwaltung wird beauftragt, dem Sozialausschuss jährlich zu berichten."
    ) in vorlage_text
    assert "- Sprache und Bildung\n- Arbeit und Wohnen" in vorlage_text


def test_docx_vorlage_parses_into_fields(tmp_path: Path) -> None:
    vorlage = parse_path(build_vorlage(tmp_path / "vorlage.docx"))
    assert vorlage.source.system == "docx"
    assert vorlage.vorlagen_nr == "BV/2024/017"
    assert vorlage.betreff == "Fortschreibung des Integrationskonzeptes 2024–2028"
    assert (vorlage.beschlussvorschlag or "").startswith("1. Der Rat der Stadt Musterstadt")
    assert (vorlage.sachdarstellung or "").startswith("Der Rat hat das Integrationskonzept")
    assert "25.000 EUR" in (vorlage.finanzielle_auswirkungen or "")


def test_broken_docx_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "zufall.docx"
    target.write_bytes(os.urandom(2048))
    with pytest.raises(IngestError) as info:
        load_docx(target)
    assert str(info.value) == "Die Datei „zufall.docx“ ist keine Word-Datei (DOCX)."


def test_truncated_docx_is_refused(tmp_path: Path) -> None:
    source = build_vorlage(tmp_path / "ganz.docx").read_bytes()
    target = tmp_path / "abgeschnitten.docx"
    target.write_bytes(source[: len(source) // 2])
    with pytest.raises(IngestError) as info:
        load_docx(target)
    assert "beschädigt" in str(info.value)


def test_zip_without_word_document_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hallo.txt", "kein Word")
    target = tmp_path / "archiv.docx"
    target.write_bytes(buffer.getvalue())
    with pytest.raises(IngestError) as info:
        load_docx(target)
    assert "beschädigt" in str(info.value)
    assert "\n" not in str(info.value)


def test_legacy_doc_is_refused_with_a_hint(tmp_path: Path) -> None:
    target = tmp_path / "alt.docx"
    target.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024))
    with pytest.raises(IngestError) as info:
        load_docx(target)
    assert ".doc" in str(info.value) and "DOCX" in str(info.value)


def test_missing_docx_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="nicht gefunden"):
        load_docx(tmp_path / "fehlt.docx")
