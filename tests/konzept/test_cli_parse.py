"""`vorlagen parse` shows a concept's structure; `--art konzept` forces the concept parser."""

from __future__ import annotations

import json
from pathlib import Path

from tests.api.test_cli import run

SAMPLE = Path(__file__).resolve().parents[1] / "data/konzepte/musterhausen_2023-2026.txt"


def test_parse_shows_fields_and_measures(tmp_path: Path) -> None:
    result = run("parse", "--art", "konzept", SAMPLE, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Konzept: Integrationskonzept 2023–2026 (Landkreis Musterhausen)" in result.stdout
    assert "Handlungsfelder: 3" in result.stdout
    assert "Maßnahme 1.2: Sprachcafés in allen Mittelzentren ausbauen" in result.stdout


def test_json_carries_the_kind_and_the_structure(tmp_path: Path) -> None:
    result = run("parse", "--art", "konzept", "--json", SAMPLE, cwd=tmp_path)
    record = json.loads(result.stdout)
    assert record["kind"] == "konzept"
    assert len(record["konzept"]["handlungsfelder"]) == 3


def test_without_art_the_short_sample_is_read_as_a_vorlage(tmp_path: Path) -> None:
    result = run("parse", "--json", SAMPLE, cwd=tmp_path)
    assert json.loads(result.stdout)["kind"] == "vorlage"


def test_an_unknown_art_is_one_german_sentence(tmp_path: Path) -> None:
    result = run("parse", "--art", "plan", SAMPLE, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "Unbekannte Art „plan“ (auto, vorlage oder konzept)."
