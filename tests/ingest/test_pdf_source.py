"""PDF source: the real Dessau-Roßlau SessionNet PDF, broken and hostile files, the layout rules."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pypdf
import pytest

from ingest.errors import IngestError
from ingest.sources.pdf import load_pdf
from ingest.sources.pdf_worker import (
    Fragment,
    Glyph,
    drop_furniture,
    group_rows,
    join_cell_lines,
    join_pages,
    line_fragments,
    render_rows,
)

DESSAU_FILE = "216455-1-BV_009_2023_IV_DKT_Beschlussvorlage.pdf"


@pytest.fixture(scope="module")
def dessau_pdf(shared: Path) -> Path:
    return shared / "corpus" / "dessau-rosslau" / DESSAU_FILE


@pytest.fixture(scope="module")
def dessau_text(dessau_pdf: Path) -> str:
    return load_pdf(dessau_pdf).text


def assert_german_sentence(message: str) -> None:
    """One plain German sentence for a clerk: one line, no traceback, no English."""
    assert "\n" not in message
    assert message[0].isupper() and message.endswith(".")
    assert "Traceback" not in message and "Error" not in message
    assert any(word in message for word in (" die ", " der ", " das ", " ist ", " hat ", " und "))


# --- the real PDF ------------------------------------------------------------------------


def test_dessau_pdf_has_betreff_heading_and_beschluss(dessau_text: str) -> None:
    lines = dessau_text.splitlines()
    assert "Titel:" in lines
    assert 'Grundsatzbeschluss zur Umgestaltung der Kindertagesstätte "Bussi Bär"' in dessau_text
    assert "Straße 75 als Ausweicheinrichtung" in lines
    assert "Beschluss:" in lines
    assert any(line.startswith("1. Die Betriebsleiterin wird beauftragt") for line in lines)
    assert "Begründung: siehe Anlage 1" in lines


def test_dessau_pdf_beratungsfolge_rows_are_tab_separated(dessau_text: str) -> None:
    lines = dessau_text.splitlines()
    assert "Beratungsfolge\tStatus\tTermin\tFür\tGegen\tEnthaltung\tBestätigung" in lines
    assert "Dienstberatung des Oberbürgermeisters\tnicht öffentlich\t06.02.2023" in lines
    assert (
        "Betriebsausschuss Eigenbetrieb Dessau-Roßlauer Kindertagesstätten\töffentlich\t28.02.2023"
        in lines
    )
    assert "Jugendhilfeausschuss\töffentlich\t11.04.2023" in lines
    assert "Stadtbezirksbeirat Ziebigk und Siedlung\töffentlich\t24.04.2023" in lines
    assert "Stadtrat\töffentlich\t26.04.2023" in lines
    start = lines.index("Beratungsfolge\tStatus\tTermin\tFür\tGegen\tEnthaltung\tBestätigung")
    table = lines[start : start + 6]
    assert all("\t" in row for row in table), "no blank line inside the table"


def test_dessau_pdf_keeps_reading_order(dessau_text: str) -> None:
    order = [
        "Drucksachen-Nr.:\tBV/009/2023/IV-DKT",
        "Beratungsfolge\tStatus",
        "Titel:",
        "Beschluss:",
        "Gesetzliche Grundlagen:\tBauordnung des Landes Sachsen-Anhalt;",
        "Relevanz mit Leitbild",
        "Begründung: siehe Anlage 1",
        "1) Aufgabenstellung",
        "2) Kostenschätzung",
        "Anlage 3 geplante Realisierungszeit",
    ]
    positions = [dessau_text.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_dessau_pdf_drops_page_furniture(dessau_text: str) -> None:
    lines = dessau_text.splitlines()
    assert dessau_text.count("BV/009/2023/IV-DKT") == 1, "the repeated footer is gone"
    assert not [line for line in lines if line.strip().isdigit()], "no page-number lines"
    assert "als Ausweichstandort für\nBaumaßnahmen des Eigenbetriebes" in dessau_text


def test_dessau_pdf_document_metadata_and_speed(dessau_pdf: Path) -> None:
    started = time.perf_counter()
    document = load_pdf(dessau_pdf)
    elapsed = time.perf_counter() - started
    assert document.system == "pdf"
    assert document.path == str(dessau_pdf)
    assert document.hints.art == "Beschlussvorlage"
    assert elapsed < 10, f"5 pages took {elapsed:.2f} s"


# --- broken and hostile files ------------------------------------------------------------


def test_encrypted_pdf_is_refused(dessau_pdf: Path, tmp_path: Path) -> None:
    writer = pypdf.PdfWriter(clone_from=dessau_pdf)
    writer.encrypt(user_password="geheim", owner_password="owner")
    target = tmp_path / "verschluesselt.pdf"
    writer.write(target)
    with pytest.raises(IngestError) as info:
        load_pdf(target)
    assert "verschlüsselt" in str(info.value)
    assert_german_sentence(str(info.value))


def test_pdf_with_only_an_owner_password_is_read(dessau_pdf: Path, tmp_path: Path) -> None:
    writer = pypdf.PdfWriter(clone_from=dessau_pdf)
    writer.encrypt(user_password="", owner_password="owner")
    target = tmp_path / "nur-rechte.pdf"
    writer.write(target)
    assert "Stadtrat\töffentlich\t26.04.2023" in load_pdf(target).text


def test_truncated_pdf_is_refused(dessau_pdf: Path, tmp_path: Path) -> None:
    data = dessau_pdf.read_bytes()
    target = tmp_path / "abgeschnitten.pdf"
    target.write_bytes(data[: len(data) // 2])
    with pytest.raises(IngestError) as info:
        load_pdf(target)
    assert "unvollständig" in str(info.value)
    assert_german_sentence(str(info.value))


def test_damaged_pdf_is_refused(dessau_pdf: Path, tmp_path: Path) -> None:
    data = dessau_pdf.read_bytes()
    target = tmp_path / "kaputt.pdf"
    target.write_bytes(data[: len(data) // 2] + b"\n%%EOF\n")
    with pytest.raises(IngestError) as info:
        load_pdf(target)
    assert "beschädigt" in str(info.value)
    assert_german_sentence(str(info.value))


def test_random_bytes_named_pdf_are_refused(tmp_path: Path) -> None:
    target = tmp_path / "zufall.pdf"
    target.write_bytes(os.urandom(4096))
    with pytest.raises(IngestError) as info:
        load_pdf(target)
    assert "keine PDF-Datei" in str(info.value)
    assert_german_sentence(str(info.value))


def test_pdf_header_with_garbage_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "muell.pdf"
    target.write_bytes(b"%PDF-1.7\n" + os.urandom(4096) + b"\n%%EOF\n")
    with pytest.raises(IngestError) as info:
        load_pdf(target)
    assert_german_sentence(str(info.value))


def test_missing_pdf_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as info:
        load_pdf(tmp_path / "gibt-es-nicht.pdf")
    assert "nicht gefunden" in str(info.value)


def test_scanned_pdf_without_text_layer_is_refused(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    target = tmp_path / "scan.pdf"
    writer.write(target)
    with pytest.raises(IngestError) as info:
        load_pdf(target)
    assert "OCR" in str(info.value)
    assert_german_sentence(str(info.value))


def test_timeout_kills_the_extraction(dessau_pdf: Path) -> None:
    started = time.perf_counter()
    with pytest.raises(IngestError) as info:
        load_pdf(dessau_pdf, timeout_s=0.001)
    assert time.perf_counter() - started < 5
    assert "Zeitlimit von 0,001 Sekunden" in str(info.value)
    assert_german_sentence(str(info.value))


def test_memory_limit_stops_the_extraction(dessau_pdf: Path) -> None:
    # Python and PDFium alone need about 27 MB of address space; 16 MB cannot suffice.
    with pytest.raises(IngestError) as info:
        load_pdf(dessau_pdf, memory_mb=16)
    assert "Speichergrenze von 16 MB" in str(info.value)
    assert_german_sentence(str(info.value))


def test_default_limits_leave_room(dessau_pdf: Path) -> None:
    assert "Stadtrat" in load_pdf(dessau_pdf, timeout_s=30, memory_mb=256).text


# --- layout rules on synthetic glyphs ----------------------------------------------------


def _line(words: list[tuple[str, float]], *, y: float = 700, size: float = 10) -> list[Glyph]:
    """Glyphs of one line; each word starts at the given x, 5 units per character."""
    glyphs: list[Glyph] = []
    for word, x in words:
        if glyphs:
            glyphs.append(Glyph(" "))
        for i, char in enumerate(word):
            left = x + 5 * i
            glyphs.append(Glyph(char, left, y, left + 5, y + size, size))
    return glyphs


def test_column_gap_splits_a_line_into_cells() -> None:
    line = _line([("Stadtrat", 70), ("öffentlich", 200), ("26.04.2023", 280)])
    assert [f.text for f in line_fragments(line)] == ["Stadtrat", "öffentlich", "26.04.2023"]


def test_justified_line_with_wide_even_gaps_stays_one_fragment() -> None:
    words = ["Nach", "Ausschreibung", "der", "Planungsleistungen", "wird"]
    x, placed = 70.0, []
    for word in words:
        placed.append((word, x))
        x += 5 * len(word) + 22  # every gap 22 units, more than two font sizes
    fragments = line_fragments(_line(placed))
    assert [f.text for f in fragments] == [" ".join(words)]


def test_multi_line_cells_form_one_row() -> None:
    def frag(text: str, x: float, top: float) -> Fragment:
        return Fragment(text, x, x + 5 * len(text), top - 10, top, 10)

    rows = group_rows(
        [
            frag("Dienstberatung des", 70, 580),
            frag("Oberbürgermeisters", 70, 568),
            frag("nicht", 200, 580),
            frag("öffentlich", 200, 568),
            frag("06.02.2023", 260, 574),
            frag("Stadtrat", 70, 555),
            frag("öffentlich", 200, 555),
        ]
    )
    assert render_rows(rows) == (
        "Dienstberatung des Oberbürgermeisters\tnicht öffentlich\t06.02.2023\nStadtrat\töffentlich"
    )


def test_running_text_keeps_its_lines_and_paragraph_breaks() -> None:
    def frag(text: str, top: float) -> Fragment:
        return Fragment(text, 70, 500, top - 12, top, 11)

    rows = group_rows([frag("Erste Zeile", 700), frag("zweite Zeile", 688), frag("Neu", 660)])
    assert render_rows(rows) == "Erste Zeile\nzweite Zeile\n\nNeu"


def test_page_numbers_and_repeated_footers_are_dropped() -> None:
    def frag(text: str, top: float) -> Fragment:
        return Fragment(text, 240, 350, top - 9, top, 10)

    pages = [
        [frag("Text eins", 700), frag("BV/1/2023", 25)],
        [frag("2", 803), frag("Text zwei", 700), frag("BV/1/2023", 25)],
        [frag("Seite 3 von 3", 803), frag("Text drei", 700), frag("BV/1/2023", 25)],
    ]
    kept = drop_furniture(pages, [842.0] * 3)
    assert [[f.text for f in page] for page in kept] == [
        ["Text eins"],
        ["Text zwei"],
        ["Text drei"],
    ]


def test_cell_lines_and_pages_are_joined_sensibly() -> None:
    assert join_cell_lines(["Eigenbetrieb Dessau-", "Roßlauer"]) == "Eigenbetrieb Dessau-Roßlauer"
    assert join_cell_lines(["Jugendhilfeaus-", "schuss"]) == "Jugendhilfeaus- schuss"
    assert (
        join_pages(["Ende eines Satzes.", "Neuer Absatz"]) == "Ende eines Satzes.\n\nNeuer Absatz"
    )
    assert join_pages(["läuft weiter für", "Baumaßnahmen"]) == "läuft weiter für\nBaumaßnahmen"
