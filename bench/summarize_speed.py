"""Documents per minute of ``vorlagen summarize``: local engine with 1 and 2 workers against
Ray with 2 actors, in one run, over the same documents (issue 13).

Two models:

* ``--model fake`` (default): the fake OpenAI-compatible server of the tests
  (``tests/summaries/fakes.py``), answering every call after ``--delay`` seconds (a stand-in
  for a model server that serves requests in parallel, as vLLM does). What this measures is
  the engines' own cost and how well they overlap model calls: with a parallel server,
  2 workers should come close to twice the rate of 1.
* ``--model bundled``: the bundled model in its worker process (llama.cpp, one request at a
  time). The local engine uses it directly; the Ray actors talk to the same worker through
  its OpenAI-compatible endpoint (as they would to a llama.cpp or vLLM server).

Per pass: seconds, documents per minute, model calls, the share of the wall time the model
was busy (sum of the time inside the model's answers, divided by the wall time times the
workers; for Ray measured by the fake server, not available for the bundled model) and the
ratio against local with 1 worker (the baseline of the same run). Every pass writes into its
own temporary summaries file, so none is resumed from another.

Usage: ``python bench/summarize_speed.py [--papers N] [--model fake|bundled] [--delay S]``
(papers: the first N Karlsruhe OParl papers, default 20).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.llm import OpenAICompatibleChatModel  # noqa: E402
from assistant.ports import ChatMessage, ChatModelFactory, StructuredT  # noqa: E402
from assistant.summarize import Summarizer, SummaryLimits, prompt_version  # noqa: E402
from assistant.usecases.summarize_batch import (  # noqa: E402
    Engine,
    LocalEngine,
    summarize_documents,
)
from assistant.usecases.summarize_ray import RayEngine  # noqa: E402
from assistant.usecases.summary_log import SummaryLog  # noqa: E402
from ingest.documents import Document, file_documents  # noqa: E402
from ingest.parse import ParseOptions, parse_path  # noqa: E402
from tests.summaries.fakes import fake_model_server  # noqa: E402

KARLSRUHE = REPO.parent / "shared" / "corpus" / "karlsruhe-oparl" / "papers"


class TimedChat:
    """A chat model that adds up the seconds spent inside ``generate_structured``."""

    def __init__(self, inner: ChatModelFactory) -> None:
        self.inner = inner
        self.busy = 0.0
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    @property
    def name(self) -> str:
        return self.inner.name

    def generate_structured(
        self, messages: Sequence[ChatMessage], schema: type[StructuredT], **kw: Any
    ) -> StructuredT:
        started = time.perf_counter()
        try:
            return self.inner.generate_structured(messages, schema, **kw)
        finally:
            with self._lock:
                self.busy += time.perf_counter() - started


@dataclass
class Pass:
    name: str
    workers: int
    seconds: float
    documents: int
    calls: int
    busy: float | None

    @property
    def per_minute(self) -> float:
        return self.documents / self.seconds * 60


def run_pass(
    name: str,
    workers: int,
    documents: Sequence[Document],
    engine: Engine,
    busy: Callable[[], float | None],
) -> Pass:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        result = summarize_documents(
            documents, SummaryLog(Path(tmp) / "s.jsonl"), engine, prompt_version()
        )
        seconds = time.perf_counter() - started
    summarised = sum(1 for r in result.records if r.summarised)
    print(f"  {name}: {seconds:.1f} s, {summarised} of {len(documents)} summarised", flush=True)
    return Pass(name, workers, seconds, summarised, result.model_calls, busy())


def local_pass(
    chat: TimedChat, workers: int, documents: Sequence[Document], limits: SummaryLimits
) -> Pass:
    engine = LocalEngine(Summarizer(chat, limits), workers)
    return run_pass(f"local, {workers} worker(s)", workers, documents, engine, lambda: chat.busy)


def ray_passes(
    factory: Callable[[], ChatModelFactory], documents: Sequence[Document], limits: SummaryLimits
) -> Pass:
    """Ray's start-up timed on its own (a local instance, 2 CPUs), then the pass (actors
    started within it)."""
    import os

    import ray

    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    started = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    print(f"  ray start-up: {time.perf_counter() - started:.1f} s", flush=True)
    try:
        engine = RayEngine(factory, workers=2, limits=limits)
        return run_pass("ray, 2 actors", 2, documents, engine, lambda: None)
    finally:
        ray.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=20)
    parser.add_argument("--model", choices=("fake", "bundled"), default="fake")
    parser.add_argument("--delay", type=float, default=0.5, help="seconds per fake answer")
    parser.add_argument("--model-path", type=Path, default=None, help="a GGUF file (bundled)")
    parser.add_argument(
        "--models-dir",
        type=Path,
        default=Path.home() / ".local/share/vorlagen-assistent/models",
        help="where the bundled model is assembled",
    )
    args = parser.parse_args()
    paths = sorted(KARLSRUHE.glob("*.json"))[: args.papers]
    documents, _ = file_documents(paths, partial(parse_path, options=ParseOptions()))
    limits = SummaryLimits.for_context(8192)
    print(f"{len(documents)} papers, model {args.model}, prompt version {prompt_version()}")
    if args.model == "bundled":
        passes = bundled(documents, limits, args.models_dir, args.model_path)
    else:
        passes = fake(documents, limits, args.delay)
    report(passes)


def fake(documents: Sequence[Document], limits: SummaryLimits, delay: float) -> list[Pass]:
    with fake_model_server(delay_s=delay) as url:
        factory = partial(OpenAICompatibleChatModel, base_url=url, model="fake")
        Summarizer(factory(), limits).summarize(documents[0].parse())  # warm: imports, client
        passes = [local_pass(TimedChat(factory()), w, documents, limits) for w in (1, 2)]
        ray_pass = ray_passes(factory, documents, limits)
        ray_pass.busy = ray_pass.calls * delay  # the fake server's time per answer
        passes.append(ray_pass)
    return passes


def bundled(
    documents: Sequence[Document], limits: SummaryLimits, models_dir: Path, model_path: Path | None
) -> list[Pass]:
    from pydantic import SecretStr

    from assistant.bundled_model import REPEAT_PENALTY
    from assistant.chat_models import make_chat_model
    from assistant.model_worker import MODEL_ALIAS

    model = make_chat_model("bundled", models_dir=models_dir, model_path=model_path)
    try:
        info = model.worker_info()  # type: ignore[union-attr]
        passes = [local_pass(TimedChat(model), w, documents, limits) for w in (1, 2)]
        factory = partial(
            OpenAICompatibleChatModel,
            base_url=info.base_url,
            model=MODEL_ALIAS,
            api_key=SecretStr(model.worker.api_key),  # type: ignore[union-attr]
            schema_format="llama_cpp",
            extra_body={"repeat_penalty": REPEAT_PENALTY},
            max_retries=0,
            timeout_s=600,
        )
        passes.append(ray_passes(factory, documents, limits))
    finally:
        model.worker.stop()  # type: ignore[union-attr]
    return passes


def report(passes: list[Pass]) -> None:
    base = passes[0]
    print()
    print("| pass | seconds | documents/min | model calls | model busy | vs. local 1 worker |")
    print("|---|---|---|---|---|---|")
    for p in passes:
        busy = "–" if p.busy is None else f"{p.busy / (p.seconds * p.workers):.0%}"
        ratio = p.per_minute / base.per_minute
        cells = (p.name, f"{p.seconds:.1f}", f"{p.per_minute:.1f}", str(p.calls), busy)
        print(f"| {' | '.join(cells)} | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
