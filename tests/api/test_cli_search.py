"""``vorlagen search`` and ``vorlagen eval retrieval`` in a subprocess: output, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.api.test_cli import assert_one_german_sentence_per_failure, run


def test_help_is_german(tmp_path: Path) -> None:
    result = run("search", "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "Ähnliche frühere Vorlagen finden" in result.stdout
    assert "--nichtoeffentlich" in result.stdout
    assert run("eval", "retrieval", "--help", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("search", "   "), 2),
        (("search", "Kita", "-k", "0"), 2),
        (("search", "Kita", "--since", "31.12.2023"), 2),
        (("search", "Kita"), 1),  # no index in the store directory
        (("eval", "retrieval", "--queries", "fehlt.jsonl"), 1),
    ],
)
def test_errors_are_one_german_sentence(args: tuple[str, ...], code: int, tmp_path: Path) -> None:
    result = run(*args, "--store", tmp_path / "store", cwd=tmp_path)
    assert result.returncode == code, result.stderr
    assert_one_german_sentence_per_failure(result.stderr, 1)
    assert not (tmp_path / "store" / "chroma").exists()  # a failed search creates nothing


def test_malformed_query_file(tmp_path: Path) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"set": "s", "id": "1"}\n', encoding="utf-8")
    result = run("eval", "retrieval", "--queries", queries, cwd=tmp_path)
    assert result.returncode == 1
    assert_one_german_sentence_per_failure(result.stderr, 1)
    assert "Zeile 1" in result.stderr


@pytest.mark.slow
def test_ingest_search_and_eval(karlsruhe_dir: Path, tmp_path: Path) -> None:
    papers = sorted((karlsruhe_dir / "papers").glob("*.json"))[:6]
    store = tmp_path / "store"
    assert run("ingest", *papers, "--store", store, cwd=tmp_path).returncode == 0
    target = json.loads(papers[2].read_text(encoding="utf-8"))["name"]

    result = run("search", target, "--json", "--nichtoeffentlich", "--store", store, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert 1 <= len(hits) <= 5
    for key in ("id", "vorlagen_nr", "betreff", "kommune", "section", "score", "excerpt"):
        assert key in hits[0]
    assert hits[0]["betreff"].split()[:3] == target.split()[:3]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)

    text = run("search", target, "-k", "2", "--nichtoeffentlich", "--store", store, cwd=tmp_path)
    assert text.returncode == 0 and "1. [" in text.stdout

    queries = tmp_path / "q.jsonl"
    query = {"set": "t", "id": "1", "query": target, "relevant": [hits[0]["vorlagen_nr"]]}
    queries.write_text(json.dumps(query) + "\n", encoding="utf-8")
    evaluated = run(
        "eval", "retrieval", "--queries", queries, "--store", store, "--json", cwd=tmp_path
    )
    assert evaluated.returncode == 0, evaluated.stderr
    figures = json.loads(evaluated.stdout)
    assert set(figures) == {"hybrid", "dense", "keyword"}
    assert figures["hybrid"]["t"]["recall@1"] == 1.0
