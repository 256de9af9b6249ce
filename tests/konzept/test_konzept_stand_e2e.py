"""End to end: a concept and Vorlagen of its Kreis ingested with `vorlagen ingest` (real store,
real embedder), then `vorlagen konzept stand` and ``GET /api/konzepte/{id}/stand``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.api.test_app import _server
from tests.api.test_cli import run

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parents[1] / "data/konzepte"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("home")
    directory = home / "store"
    concept = SAMPLES / "musterhausen_2023-2026.txt"
    first = run("ingest", "--store", directory, "--art", "konzept", concept, cwd=home)
    assert first.returncode == 0, first.stderr
    second = run("ingest", "--store", directory, SAMPLES / "vorlagen", cwd=home)
    assert second.returncode == 0, second.stderr
    return directory


def test_the_cli_lists_measures_with_and_without_vorlagen(store: Path, tmp_path: Path) -> None:
    result = run("konzept", "stand", "--store", store, "Integrationskonzept 2023", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Integrationskonzept 2023–2026 (Landkreis Musterhausen)" in out
    assert "Beschlossen mit Vorlage KT/2023/004 vom 24.01.2023 – Anlage ist das Konzept" in out
    assert "Maßnahmen mit Vorlagen: 1 von 7" in out
    assert "Vorlage KT/2024/017 vom 12.03.2024 – nennt Maßnahme 1.2:" in out
    assert "Maßnahmen ohne Vorlage: 6" in out
    unknown = run("konzept", "stand", "--store", store, "Klimaschutz", cwd=tmp_path)
    assert unknown.returncode == 2 and "nicht vorhanden" in unknown.stderr


def test_the_api_answers_the_same_for_the_concepts_id(store: Path, tmp_path: Path) -> None:
    listed = run(
        "konzept", "stand", "--json", "--store", store, "Integrationskonzept", cwd=tmp_path
    )
    konzept_id = json.loads(listed.stdout)["id"]
    server = _server(store, tmp_path, keys=True)
    with server.client() as client:
        leser = server.bearer("leser")
        body = client.get(f"/api/konzepte/{konzept_id}/stand", headers=leser).json()
        assert body["offen"] == ["1.1", "1.3", "2.1", "2.2", "3.1", "3.2"]
        [fund] = next(m for m in body["massnahmen"] if m["nummer"] == "1.2")["vorlagen"]
        assert fund["regel"] == "nennt Maßnahme 1.2" and "Maßnahme 1.2" in fund["passage"]
        missing = client.get("/api/konzepte/0000000000000000/stand", headers=leser)
        assert missing.status_code == 404
        assert client.get(f"/api/konzepte/{konzept_id}/stand").status_code == 401
        hits = client.get(
            "/api/search",
            params={"q": "Sprachcafés Mittelzentren", "kind": "konzept"},
            headers=leser,
        ).json()["hits"]
        assert hits[0]["label"].endswith("Handlungsfeld Sprache, Maßnahme 1.2")
