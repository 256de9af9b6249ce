"""The generic fallback on layouts no profile knows: headings by form, printed Vorlagen-Nr.,
flattened Beratungsfolge tables, roles apart from body names, and the parse quality."""

from __future__ import annotations

import pytest

from ingest.beratungsfolge import LAYOUTS, extract_beratungsfolge
from ingest.beratungsfolge.flat import rolle_of, split_role
from ingest.fallback import form_heading, is_heading_like
from ingest.normalize import normalize
from ingest.parse import parse_raw
from ingest.sources.base import RawDocument
from ingest.systems import FALLBACK, detect


def _parse(text: str, system: str = "text") -> object:
    return parse_raw(RawDocument(text=text, system=system, path="dok.txt"))


SIM_PAGE = """Landeshauptstadt Musterstadt
Drucksache Nr. 1234/2026
Neubau einer Sporthalle an der Gesamtschule Nord
Antrag,
der Rat möge beschließen:
Die Verwaltung wird beauftragt, den Neubau einer Dreifeldsporthalle zu planen.
Begründung des Antrages
Die bestehende Halle ist baufällig und kann nicht mehr saniert werden. Die Schule wächst
seit Jahren, der Sportunterricht findet teilweise auf dem Schulhof statt.
"""


def test_sim_headings_antrag_and_begruendung_des_antrages() -> None:
    vorlage = _parse(SIM_PAGE)
    assert vorlage.vorlagen_nr == "1234/2026"
    assert vorlage.beschlussvorschlag is not None
    assert vorlage.beschlussvorschlag.endswith("Dreifeldsporthalle zu planen.")
    assert "Begründung" not in vorlage.beschlussvorschlag
    assert vorlage.sachdarstellung is not None
    assert vorlage.sachdarstellung.startswith("Die bestehende Halle ist baufällig")
    assert vorlage.parse_quality is not None
    assert vorlage.parse_quality.profile == "fallback"
    assert vorlage.parse_quality.status == "vollstaendig"


def test_beschlussvorschlag_ends_at_the_next_heading_like_line() -> None:
    text = (
        "DS 60/2015\nBeschlussvorschlag:\nDer Rat stimmt dem Vertrag zu.\n"
        "Ergebnis der Prüfung:\nDie Prüfung ergab keine Einwände gegen den Vertrag.\n"
        "Sachverhalt:\nDer Vertrag läuft am Jahresende aus und wird verlängert.\n"
    )
    vorlage = _parse(text)
    assert vorlage.beschlussvorschlag == "Der Rat stimmt dem Vertrag zu."
    assert vorlage.vorlagen_nr == "DS 60/2015"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("DS 60/2015", "DS 60/2015"),
        ("Drucksache Nr. 1234/2026", "1234/2026"),
        ("VO/2025/246", "VO/2025/246"),
        ("BV/2023/162", "BV/2023/162"),
        ("K 2025/0101", "K 2025/0101"),
    ],
)
def test_printed_vorlagen_nr(line: str, expected: str) -> None:
    vorlage = _parse(f"Gemeinde Musterdorf\n{line}\nBeschlussvorschlag:\nDer Rat beschließt.\n")
    assert vorlage.vorlagen_nr == expected


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Problembeschreibung/Begründung:", "facts"),
        ("Begründung des Antrages", "reasons"),
        ("Antrag,", "resolution"),
        ("Sachverhalt und Rechtslage:", "facts"),
    ],
)
def test_heading_by_form(line: str, kind: str) -> None:
    found = form_heading(line, None)
    assert found is not None and found[0].kind == kind


@pytest.mark.parametrize(
    "line",
    [
        "Der Rat der Gemeinde fasst folgenden Beschluss:",
        "Die Verwaltung wird beauftragt.",
        "Pro Woche bis zu 80 TeilnehmerInnen:",
    ],
)
def test_sentences_are_not_headings(line: str) -> None:
    assert not is_heading_like(line)
    assert form_heading(line, "resolution") is None


FLAT = """DS 1/2025
Beschlussvorlage
Beratungsfolge Termin Stand Abstimmung
Fachausschuss Klimaschutz, Bau
23.01.2025 Beratung und Empfehlung Einstimmig ja/lt. Beschlussvorschlag
und Umwelt
Einstimmig bei einer Enthaltung lt. Be-
Verwaltungsausschuss 18.03.2025 Beratung und Empfehlung
schlussvorschlag
Mehrheitlich bei 18 Ja-Stimmen, 7 Nein-
Beratung und Beschlussfas-
Rat 25.03.2025 Stimmen und einer Enthaltung lt. Be-
sung
schluss
Ganztagsgrundschule Asternschule, Vorstellung der Machbarkeitsstudie
Beschlussvorschlag:
Die Planungen werden weitergeführt.
"""


def test_flattened_table_rows_names_and_roles() -> None:
    steps, span = extract_beratungsfolge(normalize(FLAT), LAYOUTS | {"flat"})
    assert [(s.gremium, s.rolle, s.datum.isoformat() if s.datum else None) for s in steps] == [
        ("Fachausschuss Klimaschutz, Bau und Umwelt", "Vorberatung", "2025-01-23"),
        ("Verwaltungsausschuss", "Vorberatung", "2025-03-18"),
        ("Rat", "Entscheidung", "2025-03-25"),
    ]
    assert span is not None
    vorlage = _parse(FLAT)
    assert vorlage.betreff == "Ganztagsgrundschule Asternschule, Vorstellung der Machbarkeitsstudie"


def test_flat_table_is_not_read_by_profiles_without_it() -> None:
    steps, _ = extract_beratungsfolge(normalize(FLAT))
    assert steps == []


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("Beratung und Beschlussfassung", "Entscheidung"),
        ("Beratung und Empfehlung", "Vorberatung"),
        ("Vorberatung", "Vorberatung"),
        ("Entscheidung", "Entscheidung"),
        ("Kenntnisnahme", "Kenntnisnahme"),
        ("Beratung", "Beratung"),
        ("Besichtigung der Einrichtungen", None),
    ],
)
def test_role_words(role: str, expected: str | None) -> None:
    assert rolle_of(role) == expected


def test_role_glued_to_the_body_is_split() -> None:
    assert split_role("Ortsgemeinderat Sippersfeld Entscheidung") == (
        "Ortsgemeinderat Sippersfeld",
        "Entscheidung",
    )
    assert split_role("Rat") == ("Rat", None)
    text = (
        "Beratungsfolge\tDatum\n"
        "Ortsgemeinderat Sippersfeld Entscheidung\t12.03.2024\n\n"
        "Beschlussvorschlag:\nDer Ortsgemeinderat beschließt die Satzung.\n"
    )
    vorlage = _parse(text)
    assert [(s.gremium, s.rolle) for s in vorlage.beratungsfolge] == [
        ("Ortsgemeinderat Sippersfeld", "Entscheidung")
    ]


def test_kommune_from_the_text_when_no_letterhead_names_it() -> None:
    text = (
        "DS 5/2020\nBeschlussvorschlag:\nDie Gemeinde Nordstemmen tritt bei.\n"
        "Sachverhalt:\nDie Gemeinde Nordstemmen prüft den Beitritt seit 2019 gründlich.\n"
    )
    assert _parse(text).kommune == "Gemeinde Nordstemmen"


def test_kenntnisgabe_and_unvollstaendig_are_told_apart() -> None:
    notice = _parse(
        "Mitteilungsvorlage\nSachverhalt:\nDie Verwaltung berichtet über den Stand der Arbeiten "
        "am Radweg, der im Herbst fertig wird.\n"
    )
    assert notice.parse_quality is not None
    assert notice.parse_quality.status == "kenntnisgabe"
    empty = _parse("Vorlage 12/2024\nEin Blatt ohne jeden erkennbaren Abschnitt.\n")
    assert empty.parse_quality is not None
    assert empty.parse_quality.status == "unvollstaendig"
    cover = _parse(
        "DS 2/2008\nBeschlussvorlage\nKrippenplätze\n"
        "Der Text dieser Drucksache befindet sich als pdf-Datei unter Anlagen\n"
    )
    assert cover.parse_quality is not None
    assert cover.parse_quality.status == "deckblatt"


def test_unknown_documents_get_the_fallback() -> None:
    assert detect("text", "Irgendeine Vorlage ohne Kennzeichen") is FALLBACK
    assert detect("allris", "").name == "allris"
    assert detect("oparl", "Stadt Karlsruhe\nBeratungsfolge dieser Vorlage").name == "karlsruhe"


def test_quality_in_json_output() -> None:
    data = _parse(SIM_PAGE).model_dump(mode="json")
    quality = data["parse_quality"]
    assert quality["profile"] == "fallback"
    assert {"vorlagen_nr", "beschlussvorschlag", "sachdarstellung"} <= set(quality["found"])
    assert "beratungsfolge" in quality["missing"]
    assert set(quality["found"]).isdisjoint(quality["missing"])
