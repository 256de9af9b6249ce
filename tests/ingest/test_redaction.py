"""Redacting the Bearbeiter (personal data) at ingestion."""

from __future__ import annotations

from pathlib import Path

from ingest.parse import REDACTED, ParseOptions, parse_path, redact_name

REDACT = ParseOptions(redact_bearbeiter=True)


def test_name_is_kept_by_default(seeds_dir: Path) -> None:
    assert parse_path(seeds_dir / "002_2dc79cbcaaefd3a8.txt").bearbeiter == "Sladky, Corinna"


def test_name_is_blacked_out_everywhere(seeds_dir: Path) -> None:
    vorlage = parse_path(seeds_dir / "002_2dc79cbcaaefd3a8.txt", REDACT)
    assert vorlage.bearbeiter is None
    dumped = vorlage.model_dump_json()
    assert "Sladky" not in dumped
    assert "Corinna" not in dumped
    assert REDACTED in vorlage.text
    # The rest of the document is unchanged.
    assert vorlage.federfuehrung == "FD Migration"
    assert vorlage.beschlussvorschlag is not None


def test_signature_name_is_blacked_out(seeds_dir: Path) -> None:
    vorlage = parse_path(seeds_dir / "004_b87901ab57b72927.txt", REDACT)
    assert "Dexler" not in vorlage.model_dump_json()
    assert vorlage.sachdarstellung is not None
    assert "Buchungsstelle" not in vorlage.sachdarstellung


def test_redact_name_leaves_titles_and_other_words() -> None:
    text = "Ansprechpartner: Herr Dr. Max Müller-Lüdenscheidt, Amt für Umwelt"
    out = redact_name(text, "Herr Dr. Max Müller-Lüdenscheidt")
    assert out == f"Ansprechpartner: Herr Dr. {REDACTED} {REDACTED}, Amt für Umwelt"
