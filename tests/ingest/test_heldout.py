"""The held-out documents (tests/data/heldout, SOURCES.md): never used to change the parser.

Acceptance of issue 14 on them: where a document has a Beschlussvorschlag or a Sachdarstellung
that the parser finds, it is bounded; a document whose resolution and facts are not found is
reported as "unvollständig" (or "deckblatt"), never as a clean success. The figures are printed
in docs/benchmarks.md; this test pins them so that a change shows up.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ingest.parse import parse_path

HELDOUT = Path(__file__).resolve().parents[1] / "data" / "heldout"
DOCUMENTS = sorted(p for p in HELDOUT.rglob("*") if p.suffix in (".html", ".txt"))
CLEAN = {"vollstaendig", "teilweise", "kenntnisgabe"}


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_never_a_clean_success_without_resolution_and_facts(path: Path) -> None:
    vorlage = parse_path(path)
    quality = vorlage.parse_quality
    assert quality is not None
    found = set(quality.found)
    if not {"beschlussvorschlag", "sachdarstellung"} & found:
        assert quality.status in ("unvollstaendig", "deckblatt")
    else:
        assert quality.status in CLEAN


def test_wolfsburg_kenntnisgabe_facts_bounded() -> None:
    vorlage = parse_path(HELDOUT / "allris4" / "wolfsburg_k_2026-0725.html")
    assert vorlage.parse_quality is not None
    assert vorlage.parse_quality.status == "kenntnisgabe"
    assert vorlage.vorlagen_nr == "K 2026/0725"
    assert vorlage.betreff == "Einrichtung von Trinkwasserbrunnen im Innenstadtbereich"
    facts = vorlage.sachdarstellung or ""
    assert facts.startswith("Trinkwasserbrunnen im Stadtgebiet werden hinsichtlich")
    assert facts.endswith("bei der Planung berücksichtigt.")
    assert [(s.gremium, s.rolle) for s in vorlage.beratungsfolge] == [
        ("Planungs- und Bauausschuss", "Kenntnisnahme")
    ]


def test_figures_as_reported() -> None:
    """docs/benchmarks.md: 8 held-out documents of 6 sources; resolution and facts bounded where the
    page has them (Trier), facts bounded in the two Kenntnisgaben (Wolfsburg, Hildesheim), and no
    clean success for a page without them (3 Oldenburg texts, 2 SessionNet 5 pages)."""
    results = {p.name: parse_path(p).parse_quality for p in DOCUMENTS}
    assert len(results) == 8
    facts_found = sorted(n for n, q in results.items() if q and "sachdarstellung" in q.found)
    assert facts_found == [
        "hildesheim_mitteilung_23-224.html",
        "trier_antrag_469-2026.html",
        "wolfsburg_k_2026-0725.html",
    ]
    resolution_found = [n for n, q in results.items() if q and "beschlussvorschlag" in q.found]
    assert resolution_found == ["trier_antrag_469-2026.html"]
    unvollstaendig = sorted(n for n, q in results.items() if q and q.status == "unvollstaendig")
    assert unvollstaendig == [
        "kaiserslautern_0463-2026.html",
        "koblenz_uv_0190-2026.html",
        "vorlage_18-0163.txt",
        "vorlage_22-0056.txt",
        "vorlage_22-0701.txt",
    ]
    vollstaendig = [n for n, q in results.items() if q and q.status == "vollstaendig"]
    assert vollstaendig == ["trier_antrag_469-2026.html"]


def test_trier_allris_41_antrag_resolution_and_facts_bounded() -> None:
    """Stadt Trier, ALLRIS net 4.1.7, Antrag 469/2026: the page carries "Beschlussvorschlag" and
    "Begründung" as HTML sections; both are found and bounded."""
    vorlage = parse_path(HELDOUT / "trier" / "trier_antrag_469-2026.html")
    quality = vorlage.parse_quality
    assert quality is not None
    assert (quality.profile, quality.status) == ("allris", "vollstaendig")
    assert vorlage.vorlagen_nr == "469/2026"
    assert vorlage.kommune == "Stadt Trier"
    assert (vorlage.betreff or "").startswith('Antrag "Resolution zur Unterstützung der beiden')
    bv = vorlage.beschlussvorschlag or ""
    assert bv.startswith("Die Stadt Trier bekennt sich zu den beiden Trierer Kliniken")
    assert bv.endswith("und auf die Herausforderungen aufmerksam zu machen.")
    assert "Ausgangslage" not in bv
    facts = vorlage.sachdarstellung or ""
    assert facts.startswith("Die beiden Trierer Kliniken Krankenhaus der Barmherzigen Brüder")
    assert facts.endswith("für die Attraktivität der Stadt und der Region zu rechnen.")
    assert "IV. Konsequenzen aus beiden Problemlagen" in facts
    assert "Resolution CDU" not in facts  # the attachment table is not facts
    # Weakness (not fixed here, the document is held out): the numbered first sub-heading
    # "I. Ausgangslage" is taken as the facts' heading and so is missing from the text.
    assert "I. Ausgangslage" not in facts
    # Found here, fixed in ingest/normalize.py: an in-line compound keeps its hyphen.
    assert "medizinisch-pflegerisches" in facts
    # Weakness: the meeting date is printed in English ("2026 Oct 21"); the step has no date.
    assert [(s.gremium, s.rolle, s.datum) for s in vorlage.beratungsfolge] == [
        ("Stadtrat", "Entscheidung", None)
    ]


def test_hildesheim_allris_mitteilung_facts_bounded_kenntnisgabe() -> None:
    """Stadt Hildesheim, ALLRIS (classic vo020.asp), Mitteilungsvorlage 23/224: no resolution
    (it is a Mitteilung), a "Sachverhalt:" with bold sub-headings; reported as a Kenntnisgabe."""
    vorlage = parse_path(HELDOUT / "hildesheim" / "hildesheim_mitteilung_23-224.html")
    quality = vorlage.parse_quality
    assert quality is not None
    assert (quality.profile, quality.status) == ("allris", "kenntnisgabe")
    assert quality.missing == ["beschlussvorschlag"]
    assert vorlage.vorlagen_nr == "23/224"
    assert vorlage.art == "Mitteilungsvorlage"
    assert vorlage.kommune == "Stadt Hildesheim"
    assert vorlage.beschlussvorschlag is None
    facts = vorlage.sachdarstellung or ""
    assert facts.startswith("Mit der Vorlage 20/397 hat der Rat der Stadt Hildesheim am 21.12.2020")
    assert facts.endswith("und/oder witterungsbedingten Einschränkungen).")
    for sub_heading in ("Prozessbeschreibung", "Maßnahmenbeschreibung", "Zeitplanung"):
        assert sub_heading in facts
    # "Kosten und Finanzierung" ends the facts and goes to the finance field (docs/parsing.md).
    assert "725.000" not in facts
    assert (vorlage.finanzielle_auswirkungen or "").startswith("Gemäß der Planung und der")
    # Weakness: the ALLRIS 3 table puts the role ("Information") in the body's row; it stays glued
    # to the body's name, and the meeting's title is taken into the result.
    assert [(s.gremium, s.rolle, s.datum, s.ergebnis) for s in vorlage.beratungsfolge] == [
        (
            "Ausschuss für Stadtentwicklung, Umwelt und Mobilität Information",
            None,
            date(2023, 6, 14),
            "Sitzung des Ausschusses für Stadtentwicklung, Umwelt und Mobilität"
            " zur Kenntnis genommen",
        ),
        (
            "Ortsrat Stadtmitte/Neustadt Information",
            None,
            date(2023, 6, 21),
            "Sitzung des Ortsrates Stadtmitte/Neustadt zur Kenntnis genommen",
        ),
    ]
    # Weakness: the attachment list runs on into the attachment table (its header row, the
    # status column) and the page footer.
    assert "Nr. Status Name" in vorlage.anlagen
    assert "31134 Hildesheim" in vorlage.anlagen


@pytest.mark.parametrize(
    ("name", "betreff"),
    [
        (
            "koblenz_uv_0190-2026.html",
            'Bürgerbegehren betreffend "Koblenzer Baumschutzsatzung" - Anhörung der das '
            "Bürgerbegehren vertretenden Personen",
        ),
        ("kaiserslautern_0463-2026.html", "Beschlussempfehlung zum Entwurf des Stellenplanes 2027"),
    ],
)
def test_sessionnet5_page_without_text_is_unvollstaendig(name: str, betreff: str) -> None:
    """SessionNet 5.4 (layout 6) vo0050 pages of Koblenz and Kaiserslautern: the page lists the
    Vorlage only as a PDF download, so it has neither resolution nor facts. Reported as
    "unvollständig", never as a success."""
    vorlage = parse_path(HELDOUT / "sessionnet5" / name)
    quality = vorlage.parse_quality
    assert quality is not None
    assert (quality.profile, quality.status) == ("sessionnet", "unvollstaendig")
    assert vorlage.beschlussvorschlag is None and vorlage.sachdarstellung is None
    assert vorlage.betreff == betreff
    # Weakness: the page's "Vorlage" row (UV/0190/2026, 0463/2026) is not read as the
    # Vorlagen-Nr., and the Kommune in Koblenz's page title is not taken.
    assert vorlage.vorlagen_nr is None
    assert vorlage.kommune is None
