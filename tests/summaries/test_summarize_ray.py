"""``--engine ray``: the same records as the local engine, on a local Ray instance (slow: Ray
starts in about 10-20 s), against the fake OpenAI-compatible model server."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from assistant.llm import OpenAICompatibleChatModel
from assistant.summarize import Summarizer, SummaryLimits, prompt_version
from assistant.summary_schema import SummaryRecord
from assistant.usecases.summarize_batch import LocalEngine, summarize_documents
from assistant.usecases.summarize_ray import RayEngine
from assistant.usecases.summary_log import SummaryLog
from ingest.documents import file_documents
from ingest.parse import ParseOptions, parse_path
from tests.api.test_cli import run
from tests.summaries.fakes import fake_model_server
from tests.summaries.test_cli_summarize import model_env, records

VOLATILE = {"created_at", "seconds"}


def comparable(records: list[SummaryRecord]) -> dict[str, dict[str, object]]:
    return {r.source: r.model_dump(exclude=VOLATILE) for r in records}


@pytest.mark.slow
def test_ray_gives_the_same_records_as_the_local_engine(
    seeds_dir: Path, karlsruhe_dir: Path, tmp_path: Path
) -> None:
    paths = [
        *sorted(seeds_dir.glob("*.txt")),
        *sorted((karlsruhe_dir / "papers").glob("*.json"))[:5],
    ]
    documents, missing = file_documents(paths, partial(parse_path, options=ParseOptions()))
    assert not missing and len(documents) == 10
    limits = SummaryLimits(part_chars=4000, max_parts=3)  # some papers are read in parts
    with fake_model_server() as url:
        factory = partial(OpenAICompatibleChatModel, base_url=url, model="fake")
        local = summarize_documents(
            documents,
            SummaryLog(tmp_path / "local.jsonl"),
            LocalEngine(Summarizer(factory(), limits), workers=2),
            prompt_version(),
        )
        ray_engine = RayEngine(factory, workers=2, limits=limits, num_cpus=1)
        on_ray = summarize_documents(
            documents, SummaryLog(tmp_path / "ray.jsonl"), ray_engine, prompt_version()
        )
    assert ray_engine.model == f"openai:fake@{url}"
    assert local.counts == on_ray.counts and sum(local.counts.values()) == 10
    assert any(len(r.parts) > 1 for r in local.records), "a paper read in parts"
    assert comparable(on_ray.records) == comparable(local.records)
    assert len(SummaryLog(tmp_path / "ray.jsonl").read()) == 10


@pytest.mark.slow
def test_the_command_with_ray_writes_what_the_local_engine_writes(
    seeds_dir: Path, tmp_path: Path
) -> None:
    with fake_model_server() as url:
        env = model_env(url, tmp_path)
        local = run("summarize", seeds_dir, "--out", tmp_path / "a", cwd=tmp_path, env=env)
        on_ray = run(
            "summarize", seeds_dir, "--out", tmp_path / "b", "--engine", "ray", "--workers", "2",
            cwd=tmp_path, env=env, timeout=300,
        )  # fmt: skip
    assert local.returncode == 0, local.stderr
    assert on_ray.returncode == 0, on_ray.stderr
    assert "Traceback" not in on_ray.stderr
    assert comparable(records(tmp_path / "b")) == comparable(records(tmp_path / "a"))
    assert len(records(tmp_path / "b")) == 5
