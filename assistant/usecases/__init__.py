"""The use cases: what a clerk or an admin can do, once for every entry point.

The CLI (``api/cli*.py``), the HTTP routes (``api/routes/``) and the bots call these functions
and render what they return; they add no rules of their own. Each use case takes the backends
it works with as arguments (a retriever, a pipeline, a parser, plain values from the settings)
and reads no settings: ``api/container.py`` builds the backends and offers the use cases
pre-wired as methods of ``Services``. Results are pydantic models (the ingestion's summary a
dataclass) that serialise cleanly to JSON. Errors, each with a German message:
:class:`InvalidRequest` (a wrong request), :class:`NoIndexError`, and the backends'
``BackendError``, ``RetrievalError`` and ``ExportError``.

* :mod:`~assistant.usecases.search`: ``SearchRequest`` -> ``SearchResult``.
* :mod:`~assistant.usecases.drafts`: ``prepare_request``, ``revalidate``, ``export_checked``
  (drafting itself is :class:`assistant.drafting.DraftingService`).
* :mod:`~assistant.usecases.ingest`: ``gather_sources`` -> ``run_ingest`` -> ``IngestSummary``.
* :mod:`~assistant.usecases.models`: ``model_status`` -> ``ModelStatus``, ``prepare_model``.
* :mod:`~assistant.usecases.chat`: a clerk's message -> ``ChatIntent`` (help, a search, or the
  draft form read by rules, with the questions for what is missing).

The German wording of results (labels, finding lines, progress) is :mod:`assistant.presenter`.
"""

from __future__ import annotations

from assistant.usecases.errors import InvalidRequest, NoIndexError

__all__ = ["InvalidRequest", "NoIndexError"]
