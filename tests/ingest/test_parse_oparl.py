"""OParl papers through the whole parse: metadata from the Paper, sections from the text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ingest.parse import parse_path


def test_paper_metadata_and_sections(karlsruhe_dir: Path) -> None:
    vorlage = parse_path(karlsruhe_dir / "papers" / "51439.json")
    assert vorlage.source.system == "oparl"
    assert vorlage.vorlagen_nr == "2025/0023"
    assert vorlage.betreff == "Annahme des Angebots von Zuwendungen"
    assert vorlage.datum == date(2025, 1, 10)
    assert vorlage.art == "Beschlussvorlage"
    assert [s.gremium for s in vorlage.beratungsfolge] == ["Haupt- und Finanzausschuss"]
    assert vorlage.beratungsfolge[0].rolle == "Entscheidung"
    assert vorlage.beratungsfolge[0].datum == date(2025, 2, 4)
    # The full resolution under "Beschluss:", not the Kurzfassung on page 1.
    assert (vorlage.beschlussvorschlag or "").startswith("Der Hauptausschuss nimmt Kenntnis")
    assert (vorlage.sachdarstellung or "").startswith("Die Vorlage umfasst Zuwendungen")


def test_oparl_papers_are_public_unless_the_text_says_otherwise(karlsruhe_dir: Path) -> None:
    # The Karlsruhe form prints "Öffentlich Nichtöffentlich" with the choice lost in the PDF
    # text; OParl publishes public papers, so the paper counts as öffentlich.
    vorlage = parse_path(karlsruhe_dir / "papers" / "16741.json")
    assert vorlage.oeffentlich is True
