"""The bundled sample corpus (data/sample): every file parses, the integration papers are in,
the provenance is stated (scripts/make_sample_corpus.py makes it)."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pytest

from assistant.schema import Vorlage
from ingest.documents import collect_files
from ingest.parse import parse_path

REPO = Path(__file__).resolve().parents[1]
SAMPLE_DIR = REPO / "data" / "sample"
KARLSRUHE = SAMPLE_DIR / "karlsruhe-oparl"
SOURCES = (KARLSRUHE, SAMPLE_DIR / "seeds")  # the README beside them is no Vorlage
PAPERS = 295
SEEDS = 5


def manifest_rows() -> list[dict[str, str]]:
    with (SAMPLE_DIR / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def sample_files() -> list[Path]:
    files, missing = collect_files(SOURCES)
    assert missing == []
    return files


@pytest.fixture(scope="module")
def parsed(sample_files: list[Path]) -> dict[Path, Vorlage]:
    """Every sample file parsed (an IngestError fails the tests that use it)."""
    return {path: parse_path(path) for path in sample_files}


def test_the_ingestion_reads_the_papers_and_the_seeds_only(sample_files: list[Path]) -> None:
    relative = [p.relative_to(SAMPLE_DIR) for p in sample_files]
    assert sum(p.parts[:2] == ("karlsruhe-oparl", "papers") for p in relative) == PAPERS
    assert sum(p.parts[0] == "seeds" for p in relative) == SEEDS
    assert len(relative) == PAPERS + SEEDS  # file-contents/ is read through the papers


def test_every_sample_file_parses(parsed: dict[Path, Vorlage]) -> None:
    for path, vorlage in parsed.items():
        assert vorlage.text.strip(), path
        if path.suffix == ".json":  # an OParl paper states its title and reference
            assert vorlage.betreff and vorlage.vorlagen_nr, path
    assert len({v.id for v in parsed.values()}) == len(parsed)  # no duplicates
    seeds = [v for p, v in parsed.items() if p.parent.name == "seeds"]
    assert {v.kommune for v in seeds} >= {"Stadt Wedel", "Stadt Leverkusen"}


def test_every_text_file_belongs_to_a_paper() -> None:
    referenced: set[str] = set()
    for paper in (KARLSRUHE / "papers").glob("*.json"):
        data = json.loads(paper.read_text(encoding="utf-8"))
        for file in [*data.get("auxiliaryFile", []), data.get("mainFile") or {}]:
            if isinstance(file, dict) and file.get("id"):
                referenced.add(str(file["id"]).rsplit("/", 1)[-1])
    texts = {p.stem for p in (KARLSRUHE / "file-contents").iterdir()}
    assert texts <= referenced


def test_the_manifest_lists_the_papers_and_the_24_integration_ones() -> None:
    rows = manifest_rows()
    papers = {p.stem for p in (KARLSRUHE / "papers").glob("*.json")}
    assert {r["doc_id"].removeprefix("ka-") for r in rows} == papers
    assert sum(r["integration"] == "True" for r in rows) == 24


def test_every_integration_paper_of_the_development_corpus_is_included(shared: Path) -> None:
    with (shared / "corpus" / "manifest-dev.csv").open(encoding="utf-8", newline="") as handle:
        integration = {r["doc_id"] for r in csv.DictReader(handle) if r["integration"] == "True"}
    assert len(integration) == 24
    for doc_id in integration:
        assert (KARLSRUHE / "papers" / f"{doc_id.removeprefix('ka-')}.json").is_file(), doc_id


def test_the_readme_states_the_provenance() -> None:
    readme = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    assert "Kein Copyright" in readme


def test_the_shipped_papers_are_what_the_script_selects(shared: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "make_sample_corpus", REPO / "scripts" / "make_sample_corpus.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    with (shared / "corpus" / "manifest-dev.csv").open(encoding="utf-8", newline="") as handle:
        chosen = script.select(list(csv.DictReader(handle)))
    assert [r["doc_id"] for r in chosen] == [r["doc_id"] for r in manifest_rows()]
