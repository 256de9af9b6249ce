"""Honest results: the parse quality in `vorlagen parse`, "unvollständig" apart from failures in
the ingestion (pipeline, CLI rows, upload result), and no library warning on the terminal."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from assistant.presenter_ingest import (
    incomplete_reason,
    ingest_incomplete,
    ingest_rows,
    parse_quality_rows,
)
from assistant.schema import ParseQuality, Vorlage
from ingest.documents import file_documents
from ingest.parse import parse_path
from ingest.sources.html import html_to_text
from tests.api.test_cli import run
from tests.ingest.test_pipeline import FakeEmbedder, Store

COMPLETE = """Gemeinde Musterdorf
DS 7/2024
Beschlussvorlage
Neubau Feuerwehrhaus
Beschlussvorschlag:
Der Rat beschließt den Neubau des Feuerwehrhauses an der Hauptstraße.
Sachverhalt:
Das bestehende Feuerwehrhaus genügt den Unfallverhütungsvorschriften nicht mehr.
"""
COVER = """DS 2/2008
Beschlussvorlage
Krippen- und Hortplätze in der Gemeinde
Der Text dieser Drucksache befindet sich als pdf-Datei unter Anlagen
"""
EMPTY = """Vorlage 12/2024
Ein Blatt ohne jeden erkennbaren Abschnitt, nur ein paar Worte zur Sache.
"""


def _files(root: Path) -> list[Path]:
    root.mkdir()
    paths = []
    for name, text in (
        ("vollstaendig.txt", COMPLETE),
        ("deckblatt.txt", COVER),
        ("leer.txt", EMPTY),
    ):
        path = root / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def test_ingest_names_incomplete_records_apart_from_failures(tmp_path: Path) -> None:
    paths = _files(tmp_path / "dokumente")
    documents, missing = file_documents(paths, parse_path)
    assert not missing
    store = Store(tmp_path / "store", FakeEmbedder())
    summary = store.pipeline().run(documents)
    assert summary.new == 3
    assert summary.failed == []
    assert sorted((Path(i.key).name, i.status) for i in summary.incomplete) == [
        ("deckblatt.txt", "deckblatt"),
        ("leer.txt", "unvollstaendig"),
    ]
    rows = dict(ingest_rows(summary))
    assert rows["Fehlgeschlagen"] == "0"
    assert rows["Unvollständig (ohne Beschlussvorschlag und Sachdarstellung)"] == "2"
    line = ingest_incomplete("leer.txt", "unvollstaendig")
    assert line.startswith("Unvollständig: leer.txt: weder Beschlussvorschlag")
    assert (
        "Deckblatt" in incomplete_reason("deckblatt")
        or "Deckblatt" in incomplete_reason("deckblatt").title()
    )


def test_quality_rows_in_german() -> None:
    quality = ParseQuality(
        profile="fallback",
        status="teilweise",
        found=["betreff", "beschlussvorschlag"],
        missing=["vorlagen_nr", "sachdarstellung", "beratungsfolge"],
    )
    rows = dict(parse_quality_rows(quality))
    assert rows["Ergebnis"] == "teilweise erkannt"
    assert rows["Erkannt"] == "Betreff, Beschlussvorschlag"
    assert rows["Nicht erkannt"] == "Vorlagen-Nr., Sachdarstellung, Beratungsfolge"
    assert rows["Gelesen mit"].startswith("allgemeine Erkennung")


def test_old_records_without_quality_still_load() -> None:
    vorlage = Vorlage.model_validate(
        {"id": "0123456789abcdef", "source": {"path": "x.txt", "system": "text"}, "text": "x"}
    )
    assert vorlage.parse_quality is None


XHTML = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Vorlage</title></head><body>
<h1>Neubau Feuerwehrhaus</h1>
<p><b>Antrag,</b></p><p>Der Rat beschließt den Neubau des Feuerwehrhauses.</p>
<p><b>Begründung des Antrages</b></p>
<p>Das bestehende Feuerwehrhaus genügt den Vorschriften seit Jahren nicht mehr.</p>
</body></html>
"""


def test_no_xml_warning_from_the_html_source() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        html_to_text(XHTML)
    assert not [w for w in caught if "XMLParsedAsHTML" in type(w.message).__name__]


@pytest.mark.slow
def test_parse_shows_quality_and_no_library_warning(tmp_path: Path) -> None:
    page = tmp_path / "vorlage.html"
    page.write_text(XHTML, encoding="utf-8")
    result = run("parse", page, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr + result.stdout
    assert "Ergebnis" in result.stdout
    assert "vollständig" in result.stdout
    assert "allgemeine Erkennung" in result.stdout
