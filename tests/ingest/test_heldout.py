"""The held-out documents (tests/data/heldout, SOURCES.md): never used to change the parser.

Acceptance of issue 14 on them: where a document has a Beschlussvorschlag or a Sachdarstellung
that the parser finds, it is bounded; a document whose resolution and facts are not found is
reported as "unvollständig" (or "deckblatt"), never as a clean success. The figures are printed
in docs/benchmarks.md; this test pins them so that a change shows up.
"""

from __future__ import annotations

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
    """docs/benchmarks.md: facts found in 1 of 4 held-out documents, no false clean success."""
    results = {p.name: parse_path(p).parse_quality for p in DOCUMENTS}
    assert len(results) == 4
    facts_found = [n for n, q in results.items() if q and "sachdarstellung" in q.found]
    assert facts_found == ["wolfsburg_k_2026-0725.html"]
    unvollstaendig = sorted(n for n, q in results.items() if q and q.status == "unvollstaendig")
    assert unvollstaendig == ["vorlage_18-0163.txt", "vorlage_22-0056.txt", "vorlage_22-0701.txt"]
