"""The real SessionNet PDF of Stadt Dessau-Roßlau parses into a complete Vorlage."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.schema import Vorlage
from ingest.parse import parse_path


@pytest.fixture(scope="module")
def dessau(shared: Path) -> Vorlage:
    pdf = shared / "corpus" / "dessau-rosslau" / "216455-1-BV_009_2023_IV_DKT_Beschlussvorlage.pdf"
    return parse_path(pdf)


def test_header_fields(dessau: Vorlage) -> None:
    assert dessau.source.system == "pdf"
    assert dessau.kommune == "Stadt Dessau-Roßlau"
    assert dessau.vorlagen_nr == "BV/009/2023/IV-DKT"
    assert dessau.art == "Beschlussvorlage"
    assert dessau.datum == date(2023, 3, 21)
    assert dessau.betreff is not None
    assert dessau.betreff.startswith("Grundsatzbeschluss zur Umgestaltung der Kindertagesstätte")
    assert dessau.betreff.endswith("als Ausweicheinrichtung")


def test_beratungsfolge(dessau: Vorlage) -> None:
    gremien = [s.gremium for s in dessau.beratungsfolge]
    assert gremien[0] == "Dienstberatung des Oberbürgermeisters"
    assert gremien[-1] == "Stadtrat"
    assert len(gremien) == 5
    assert all(s.datum is not None for s in dessau.beratungsfolge)
    assert dessau.beratungsfolge[0].oeffentlich is False
    assert dessau.beratungsfolge[-1].datum == date(2023, 4, 26)


def test_sections_are_bounded(dessau: Vorlage) -> None:
    resolution = dessau.beschlussvorschlag or ""
    assert resolution.startswith("1. Die Betriebsleiterin wird beauftragt")
    assert "aus städtischen Eigenmitteln bereitgestellt und freigegeben." in resolution
    assert "Gesetzliche Grundlagen" not in resolution
    facts = dessau.sachdarstellung or ""
    # "Begründung: siehe Anlage 1": the facts are the annex printed in the same PDF.
    assert facts.startswith("1) Aufgabenstellung")
    assert "Stadtratsvorsitzender" not in facts
