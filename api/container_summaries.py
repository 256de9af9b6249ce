"""The wiring of batch summaries (issue 13): ``api.container.Services`` in, the summary use
cases out. Beside the container so that it stays one concept; it reads the settings only
through ``Services.settings`` and picks the engine, the sources and the files.

* :func:`summary_limits`: how much text one prompt may hold, from the model's context window
  (``llm.n_ctx``; for a model server, the same setting says what its context is);
* :func:`summary_sources`: files, an OParl system (its sync state kept in the output
  directory, so the ingestion's own state is untouched) or the Vorlagen of the store;
* :func:`run_summaries`: the run, with the local engine (threads sharing the one chat model)
  or Ray (actors, each with a client built from ``Services.chat_model_factory()``);
* :func:`keep_summaries`: the summaries into the store, for the search results;
* :func:`store_summary_work`: the app's summary job (``POST /api/summaries``): the store's
  Vorlagen the caller may see, into the store's own summaries file, document by document in
  turns at the model shared with drafts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from api.container import Services, Store
from assistant.summarize import Summarizer, SummaryLimits, prompt_version
from assistant.summary_schema import SummaryRecord
from assistant.usecases.ingest import IngestSources, gather_sources
from assistant.usecases.summarize_batch import (
    BatchOptions,
    BatchProgress,
    BatchResult,
    Engine,
    LocalEngine,
    summarize_documents,
)
from assistant.usecases.summarize_sources import (
    RecordsFirst,
    store_documents,
    visible_documents,
)
from assistant.usecases.summarize_turns import ModelTurns, TurnTakingEngine
from assistant.usecases.summary_jobs import SummaryWork
from assistant.usecases.summary_log import SummaryLog
from ingest.sources.oparl_api import SyncProgress

__all__ = [
    "keep_summaries",
    "run_summaries",
    "store_summary_work",
    "summary_limits",
    "summary_sources",
]

OPARL_STATE = "oparl-state.json"


def summary_limits(services: Services) -> SummaryLimits:
    return SummaryLimits.for_context(services.settings.llm.n_ctx)


def summary_sources(
    services: Services,
    paths: Sequence[Path],
    *,
    oparl_url: str | None = None,
    from_store: bool = False,
    state_dir: Path,
    oparl_progress: Callable[[SyncProgress], None] | None = None,
) -> IngestSources:
    """The documents to summarise. Raises ``InvalidRequest`` when nothing was named,
    ``IngestError`` when the paths hold nothing or the OParl system cannot be walked."""
    store = services.store
    stored = RecordsFirst(store.records, store.chunk_vorlagen())
    if from_store and not paths and oparl_url is None:
        return IngestSources(documents=list(store_documents(stored)))
    sync = (
        store.oparl_sync(
            oparl_url,
            services.parser.options,
            oparl_progress,
            state_file=state_dir / OPARL_STATE,
        )
        if oparl_url
        else None
    )
    sources = gather_sources(paths, services.parser, oparl=sync)
    if from_store:
        sources.documents.extend(store_documents(stored))
    return sources


def summary_engine(
    services: Services,
    engine: Literal["local", "ray"],
    workers: int,
    ray_address: str | None = None,
) -> Engine:
    limits = summary_limits(services)
    if engine == "local":
        return LocalEngine(Summarizer(services.chat_model, limits), workers)
    from assistant.usecases.summarize_ray import RayEngine

    return RayEngine(
        services.chat_model_factory(), workers=workers, limits=limits, address=ray_address
    )


def run_summaries(
    services: Services,
    sources: IngestSources,
    jsonl: Path,
    *,
    engine: Literal["local", "ray"] = "local",
    workers: int = 1,
    ray_address: str | None = None,
    options: BatchOptions | None = None,
    progress: Callable[[BatchProgress], None] | None = None,
) -> BatchResult:
    """Summarise ``sources`` into ``jsonl`` (see ``summarize_documents``)."""
    return summarize_documents(
        sources.documents,
        SummaryLog(jsonl),
        summary_engine(services, engine, workers, ray_address),
        prompt_version(),
        options=options,
        progress=progress,
        missing=sources.missing,
    )


def keep_summaries(services: Services, records: Sequence[SummaryRecord]) -> int:
    """Keep the summaries in the configured store, when there is one (its directory exists)."""
    store = services.store
    if not store.directory.is_dir():
        return 0
    return store.summaries.put(records)


def store_summary_work(services: Services, store: Store) -> SummaryWork:
    """The batch of the app's summary job over ``store`` (see the module docstring)."""
    limits = summary_limits(services)

    def work(
        options: BatchOptions,
        allow_nonpublic: bool,
        turns: ModelTurns,
        progress: Callable[[BatchProgress], None],
    ) -> BatchResult:
        stored = RecordsFirst(store.records, store.chunk_vorlagen())
        return summarize_documents(
            visible_documents(stored, allow_nonpublic=allow_nonpublic),
            SummaryLog(store.summaries_path),
            TurnTakingEngine(Summarizer(services.chat_model, limits), turns),
            prompt_version(),
            options=options,
            progress=progress,
        )

    return work
