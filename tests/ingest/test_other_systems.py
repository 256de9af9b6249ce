"""Real Vorlagen of systems beyond the development corpora, used while building the fallback and
the profiles (tests/data/SOURCES.md): a SIM page of the Landeshauptstadt Hannover and an ALLRIS
4.1 page of the Stadt Laatzen. The held-out documents are checked in test_heldout.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from assistant.schema import Vorlage
from ingest.parse import parse_path

DATA = Path(__file__).resolve().parents[1] / "data"


def _parse(name: str) -> Vorlage:
    return parse_path(DATA / name)


def test_sim_page_antrag_and_begruendung_des_antrages() -> None:
    vorlage = _parse("sim/hannover_ds_0728-2026.html")
    assert vorlage.vorlagen_nr == "0728/2026"
    assert vorlage.betreff == "Umstrukturierungen des Betreuungsangebotes der Kita Gethsemane"
    bv = vorlage.beschlussvorschlag or ""
    assert bv.startswith("zu beschließen, das Betreuungsangebot in der Kita Gethsemane")
    assert bv.endswith("- gemäß Anlage 2 - zu gewähren.")
    assert "Gender" not in bv and "Klimawirkung" not in bv
    sd = vorlage.sachdarstellung or ""
    assert sd.startswith('Die Kindertagesstätte "Kita Gethsemane" bietet in 7 Gruppen')
    assert "Betriebserlaubnis in Aussicht gestellt." in sd
    assert "Hannover / 14.04.2026" not in sd
    assert vorlage.klimaschutz == "Das Ergebnis der Klimawirkungsprüfung wird als neutral bewertet."
    assert [(s.gremium, s.datum, s.ergebnis) for s in vorlage.beratungsfolge] == [
        ("Stadtbezirksrat Vahrenwald-List", date(2026, 5, 4), "Einstimmig"),
        ("Jugendhilfeausschuss", date(2026, 6, 22), "Einstimmig"),
        ("Verwaltungsausschuss", date(2026, 8, 13), "Einstimmig"),
    ]
    assert vorlage.parse_quality is not None
    assert vorlage.parse_quality.profile == "fallback"
    assert vorlage.parse_quality.status == "vollstaendig"


def test_allris_41_beratungsfolge_body_rows_and_meeting_rows() -> None:
    vorlage = _parse("allris4/laatzen_2026-245.html")
    assert vorlage.source.system == "allris"
    assert vorlage.vorlagen_nr == "2026/245"
    assert vorlage.kommune == "Stadt Laatzen"
    assert [(s.gremium, s.rolle, s.datum, s.ergebnis) for s in vorlage.beratungsfolge] == [
        ("Ortsrat Laatzen", "Anhörung", date(2026, 8, 25), None),
        (
            "Ausschuss für nachhaltige Stadtentwicklung und Feuerschutz",
            "Vorberatung",
            date(2026, 9, 1),
            None,
        ),
        ("Schulausschuss", "Vorberatung", date(2026, 6, 29), "vertagt"),
        ("Schulausschuss", "Vorberatung", date(2026, 9, 1), None),
        ("Verwaltungsausschuss (nicht-öffentlich)", "Vorberatung", None, None),
        ("Rat der Stadt Laatzen", "Entscheidung", date(2026, 9, 3), None),
        ("Schulausschuss", "Vorberatung", None, None),
    ]


def test_allris_antrag_in_an_attachment_is_a_deckblatt() -> None:
    vorlage = _parse("allris4/laatzen_2026-245.html")
    assert vorlage.parse_quality is not None
    assert vorlage.parse_quality.profile == "allris"
    assert vorlage.parse_quality.status == "deckblatt"
