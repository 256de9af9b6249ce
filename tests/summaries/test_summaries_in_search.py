"""Summaries back into the product: ``summarize --store`` over a real store, kept as the
Vorlagen's metadata, shown by ``vorlagen search`` and in the search use case's hits."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.container import services_from_environment
from assistant.usecases.search import SearchRequest
from assistant.usecases.summary_store import JsonlSummaries
from tests.api.test_cli import run
from tests.summaries.fakes import fake_model_server
from tests.summaries.test_cli_summarize import model_env, records


def test_store_summaries_show_up_in_search(
    seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "store"
    env = {"VORLAGEN_STORE__PATH": str(store)}
    ingested = run("ingest", seeds_dir, cwd=tmp_path, env=env)
    assert ingested.returncode == 0, ingested.stderr
    out = tmp_path / "out"
    with fake_model_server() as url:
        env = env | model_env(url, tmp_path)
        done = run("summarize", "--store", "--out", out, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    found = records(out)
    assert len(found) == 5 and all(r.source.startswith("index:") for r in found)
    assert all(r.summarised and r.vorlage_id for r in found)
    # the parsed records of the store were read, not the chunks: the Beratungsfolge has roles
    assert any(step.rolle for r in found for step in r.beratungsfolge)
    kept = JsonlSummaries(store / "summaries.jsonl").get_many([r.vorlage_id or "" for r in found])
    assert set(kept) == {r.vorlage_id for r in found}

    searched = run("search", "Integration", cwd=tmp_path, env=env)
    assert searched.returncode == 0, searched.stderr
    assert "Kurzfassung (automatisch): Die Vorlage behandelt" in searched.stdout

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = services_from_environment().search(SearchRequest(query="Integration", k=3))
    assert result.hits and all(hit.kurzfassung for hit in result.hits)
    by_id = {r.vorlage_id: r for r in found}
    assert all(hit.kurzfassung == by_id[hit.id].kurzfassung for hit in result.hits)
