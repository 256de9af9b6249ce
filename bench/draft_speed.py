"""Speed and memory of drafting with the bundled model, through the drafting service.

What a clerk waits for: ``DraftingService.stream()`` (as the web page and the bots use it) over
a real store, with the bundled Qwen2.5-Coder-1.5B through llama.cpp, two ways in one run: the
model in its **worker process** (the product) and, as the baseline, **in this process**
(issue 4's design, ``bench/inprocess_chat.py``), with the same parameters. Per request:

* **first token**: seconds from calling ``stream()`` to the first ``token`` event (retrieval,
  prompt rendering and the model reading the Sachdarstellung prompt);
* **draft**: seconds until the ``draft`` event (both sections, validation, repair rounds);
* the repair rounds that ran and whether the draft passed validation;
* the prompt size of the first section, in tokens.

Then the ratios worker / in-process of the median first token and whole draft (issue 8: at
most 1.10). Also: warm-up seconds, peak resident memory of this process and of the worker
(targets on 2 cores: first token under 10 s, whole draft under 60 s, peak RSS under 3 GB).

``DraftingService.warm_up()`` runs first (as a server does at start-up): it loads the model and
the indexes and reads the system prompt, whose evaluated tokens every draft then reuses. The
requests are three typical council matters; their facts are written like a clerk's notes.

Usage: ``python bench/draft_speed.py [--store DIR] [--papers N] [--threads N]
[--only worker|inprocess]``. Without ``--store`` the first N Karlsruhe papers (default 200) are
ingested into a temporary store.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from api.container import Services, build_services  # noqa: E402
from assistant.bundled_model import BundledChatModel  # noqa: E402
from assistant.drafting import (  # noqa: E402
    DraftDone,
    DraftingService,
    TokenEvent,
    ValidationDone,
)
from assistant.model_files import BUNDLED_MODEL, ensure_model  # noqa: E402
from assistant.model_worker import WorkerSettings  # noqa: E402
from assistant.schema import Beratungsschritt, DraftRequest  # noqa: E402
from assistant.settings import LLMSettings, Settings  # noqa: E402
from ingest.documents import file_documents  # noqa: E402
from ingest.parse import parse_path  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "karlsruhe-oparl" / "papers"
TARGET_FIRST_TOKEN_S = 10.0
TARGET_DRAFT_S = 60.0
TARGET_RSS_MIB = 3072

REQUESTS: tuple[DraftRequest, ...] = (
    DraftRequest(
        betreff="Sanierung der Sporthalle der Grundschule Durlach-Aue",
        kommune="Stadt Karlsruhe",
        gremium="Gemeinderat",
        beratungsfolge=[
            Beratungsschritt(gremium="Hauptausschuss", rolle="Vorberatung"),
            Beratungsschritt(gremium="Gemeinderat", rolle="Entscheidung"),
        ],
        fakten=(
            "- Dach und Heizung der Sporthalle sind abgängig, Gutachten vom März 2026\n"
            "- Gesamtkosten laut Kostenberechnung 2,4 Mio. Euro\n"
            "- Bauzeit von Juni 2027 bis Februar 2028, Schulsport in dieser Zeit in der "
            "Nachbarhalle"
        ),
        finanzielle_auswirkungen="Die Kosten von 2,4 Mio. Euro sind im Haushalt 2027 veranschlagt.",
    ),
    DraftRequest(
        betreff="Benennung einer Straße im Neubaugebiet Zentrale Nordstadt",
        kommune="Stadt Karlsruhe",
        gremium="Gemeinderat",
        fakten=(
            "- Die Planstraße A im Neubaugebiet erhält einen Namen\n"
            "- Vorschlag des Ortschaftsrats: Anna-Schmidt-Straße\n"
            "- Anna Schmidt war von 1946 bis 1962 Stadträtin"
        ),
        finanzielle_auswirkungen="keine",
    ),
    DraftRequest(
        betreff="Zuschuss an den Verein Stadtjugendausschuss für Ferienprogramme",
        kommune="Stadt Karlsruhe",
        gremium="Jugendhilfeausschuss",
        fakten=(
            "- Der Stadtjugendausschuss beantragt einen Zuschuss von 85.000 Euro für das Jahr "
            "2027\n"
            "- Im Jahr 2026 nahmen rund 1.900 Kinder an den Ferienprogrammen teil"
        ),
        finanzielle_auswirkungen="85.000 Euro aus dem Budget der Jugendförderung.",
    ),
)


@dataclass
class Run:
    first_token_s: float
    draft_s: float
    repairs: int
    ok: bool
    timings: dict[str, float]


async def run_one(service: DraftingService, request: DraftRequest) -> Run:
    started = time.perf_counter()
    first: float | None = None
    rounds = 0
    async for event in service.stream(request):
        if isinstance(event, TokenEvent) and first is None:
            first = time.perf_counter() - started
        elif isinstance(event, ValidationDone):
            rounds = event.round
        elif isinstance(event, DraftDone):
            draft = event.draft
    total = time.perf_counter() - started
    assert draft.validation is not None
    return Run(first or total, total, rounds, draft.validation.ok, draft.timings)


def ensure_store(args: argparse.Namespace, services: Services, tmp: Path) -> Path:
    if args.store:
        return Path(args.store)
    papers = sorted(CORPUS.glob("*.json"))[: args.papers]
    store = services.store_at(tmp)
    documents, _ = file_documents(papers, parse_path)
    started = time.perf_counter()
    store.ingest_pipeline(services.parser.options).run(documents)
    seconds = time.perf_counter() - started
    print(f"store:           {len(papers)} papers ingested in {seconds:.0f} s")
    return tmp


def run_design(service: DraftingService, label: str) -> list[Run]:
    started = time.perf_counter()
    service.warm_up()
    print(f"{label}: warm-up {time.perf_counter() - started:.1f} s (model, indexes, system prompt)")
    runs = []
    for i, request in enumerate(REQUESTS, 1):
        run = asyncio.run(run_one(service, request))
        runs.append(run)
        stages = ", ".join(f"{k} {v:.1f}" for k, v in run.timings.items() if k != "total")
        print(
            f"  request {i}: first token {run.first_token_s:5.1f} s, draft "
            f"{run.draft_s:5.1f} s, repairs {run.repairs}, "
            f"{'passes' if run.ok else 'returned with findings'} ({stages})"
        )
    first = [r.first_token_s for r in runs]
    drafts = [r.draft_s for r in runs]
    print(
        f"  first token: median {statistics.median(first):.1f} s, max {max(first):.1f} s "
        f"(target < {TARGET_FIRST_TOKEN_S:.0f} s)"
    )
    print(
        f"  whole draft: median {statistics.median(drafts):.1f} s, max {max(drafts):.1f} s "
        f"(target < {TARGET_DRAFT_S:.0f} s)"
    )
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--store", help="an existing store (default: a temporary one)")
    parser.add_argument("--papers", type=int, default=200)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--only", choices=("worker", "inprocess"), default=None)
    args = parser.parse_args()

    from inprocess_chat import InProcessChatModel, peak_rss_mib

    settings = Settings(llm=LLMSettings(n_threads=args.threads))
    services = build_services(settings)
    worker_settings = WorkerSettings(n_ctx=settings.llm.n_ctx, n_threads=args.threads)
    results: dict[str, list[Run]] = {}
    rss_child = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        store = services.store_at(Path(ensure_store(args, services, Path(tmp))))
        if args.only in (None, "inprocess"):
            path = ensure_model(BUNDLED_MODEL, settings.models_dir())
            chat = InProcessChatModel(path, worker_settings, max_tokens=settings.llm.max_tokens)
            results["in-process"] = run_design(DraftingService(store.retriever, chat), "in-process")
            del chat
        if args.only in (None, "worker"):
            service = services.drafting_for(store)
            results["worker"] = run_design(service, "worker")
            bundled = services.chat_model
            assert isinstance(bundled, BundledChatModel)
            rss_child = peak_rss_mib(bundled.worker_info().pid)
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if len(results) == 2:
        base, new = results["in-process"], results["worker"]
        med = statistics.median
        first_ratio = med([r.first_token_s for r in new]) / med([r.first_token_s for r in base])
        draft_ratio = med([r.draft_s for r in new]) / med([r.draft_s for r in base])
        print(f"worker / in-process: first token {first_ratio:.2f}, whole draft {draft_ratio:.2f}")
    print(f"peak RSS: this process {rss_mib:.0f} MiB, worker {rss_child:.0f} MiB ", end="")
    print(f"(target < {TARGET_RSS_MIB} MiB)")


if __name__ == "__main__":
    main()
