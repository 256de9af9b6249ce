"""``--engine ray`` with the bundled model gives the records of ``--engine local`` (issue 13's
acceptance; slow: the real model summarises 3 short seed Vorlagen twice, and Ray starts).

Both runs use one model worker at a time (the local engine's, then the one the Ray actor starts
for itself), each fresh, with the same seed and the same documents in the same order, so the
model's answers, and with them the records, must be the same.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from assistant.chat_models import make_chat_model
from assistant.summarize import Summarizer, SummaryLimits, prompt_version
from assistant.usecases.summarize_batch import LocalEngine, summarize_documents
from assistant.usecases.summarize_ray import RayEngine
from assistant.usecases.summary_log import SummaryLog
from ingest.documents import file_documents
from ingest.parse import ParseOptions, parse_path
from tests.summaries.test_summarize_ray import comparable

SHORTEST_SEEDS = (
    "003_3f6889f89219b8e4.txt",
    "002_2dc79cbcaaefd3a8.txt",
    "004_b87901ab57b72927.txt",
)


@pytest.mark.slow
@pytest.mark.llm
def test_ray_with_the_bundled_model_gives_the_local_records(
    bundled_model_path: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    paths = [seeds_dir / name for name in SHORTEST_SEEDS]
    documents, missing = file_documents(paths, partial(parse_path, options=ParseOptions()))
    assert not missing and len(documents) == 3
    factory = partial(
        make_chat_model, "bundled", models_dir=tmp_path / "models", model_path=bundled_model_path
    )
    limits = SummaryLimits.for_context(8192)

    chat = factory()
    try:
        local = summarize_documents(
            documents,
            SummaryLog(tmp_path / "local.jsonl"),
            LocalEngine(Summarizer(chat, limits), workers=1),
            prompt_version(),
        )
    finally:
        chat.worker.stop()  # type: ignore[union-attr]
    ray_engine = RayEngine(factory, workers=1, limits=limits, num_cpus=2)
    on_ray = summarize_documents(
        documents, SummaryLog(tmp_path / "ray.jsonl"), ray_engine, prompt_version()
    )

    assert ray_engine.model.startswith("llama.cpp:")
    assert sum(local.counts.get(k, 0) for k in ("ok", "befunde")) == 3, local.counts
    assert on_ray.counts == local.counts and on_ray.model_calls == local.model_calls
    assert comparable(on_ray.records) == comparable(local.records)
