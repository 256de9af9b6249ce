"""The HTTP service: ``create_app(services)`` builds the FastAPI app (OpenAPI at ``/docs``).

The app is an entry point like the CLI: routes (``api/routes/``) are thin adapters over the use
cases and the services the wiring point builds (``api/container.py``); the German wording of
errors is in ``api/errors.py``. What the app holds for its lifetime (in ``app.state``):

* ``services``: the wired services; ``store``: the index it serves;
* ``jobs``: the draft jobs (:class:`assistant.draft_jobs.DraftJobs`), recorded in the draft
  archive when one is configured; at shutdown running jobs are cancelled (and recorded as
  such), at start-up the archive marks jobs a previous process left running as interrupted;
* ``summary_jobs``: the archive's summary jobs
  (:class:`assistant.usecases.summary_jobs.SummaryJobs`), taking turns with the drafts at the
  model (``jobs.model_lock``), recorded in the draft database; stopped at shutdown (recorded
  as interrupted), and at start-up a job a previous process left running is recorded so;
* ``health``: the checks behind ``GET /health``.

The clerks' page (``GET /``, ``api/routes/page.py``) and its files (``/static``) are served by
the same app, so that the page makes requests to its own origin only.

Request bodies are limited to ``server.max_upload_mb`` (413 with a German message).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import errors
from api.auth import install_access
from api.bots.mount import install_bots
from api.container import Services, Store
from api.container_summaries import store_summary_work
from api.limits import BodyLimit
from api.routes import (
    approval,
    chat,
    checks,
    drafts,
    health,
    ingest,
    konzepte,
    page,
    revisions,
    search,
    session,
    summaries,
    vorlagen,
)
from api.timeouts import RequestTimeout
from assistant.draft_jobs import DraftJobs
from assistant.ports import DraftArchive
from assistant.usecases.summary_jobs import SummaryJobs

__all__ = ["HealthChecks", "create_app"]

log = logging.getLogger("vorlagen.http")

TITLE = "Vorlagen-Assistent"
DESCRIPTION = (
    "Entwürfe für Beschlussvorlagen (Sachdarstellung und Beschlussvorschlag) aus Ihren Angaben "
    "und ähnlichen früheren Vorlagen, mit Quellen und Prüfung."
)


@dataclass
class HealthChecks:
    """What ``GET /health`` asks: each returns its state ("ok", "fehlt", "fehler")."""

    store: Store
    model_ready: Callable[[], tuple[str, str]]
    database_ok: Callable[[], bool] | None = None

    def model(self) -> tuple[str, str]:
        try:
            return self.model_ready()
        except Exception:  # a broken model file must not break the health endpoint
            log.exception("Modellprüfung fehlgeschlagen")
            return "fehler", ""

    def store_state(self) -> tuple[str, int]:
        try:
            return "ok", self.store.vector_index.count()
        except Exception:
            log.exception("Index nicht lesbar")
            return "fehler", 0

    def database(self) -> str:
        if self.database_ok is None:
            return "ok"
        try:
            return "ok" if self.database_ok() else "fehler"
        except Exception:
            log.exception("Datenbank nicht erreichbar")
            return "fehler"


def create_app(
    services: Services,
    *,
    store_dir: Path | None = None,
    archive: DraftArchive | None = None,
) -> FastAPI:
    """The app for ``services``, serving the store at ``store_dir`` (default: the
    configured one), keeping drafts in ``archive`` (default: the configured database)."""
    server = services.settings.server
    store = services.store_at(store_dir)
    archive = archive if archive is not None else services.archive
    jobs = DraftJobs(services.drafting_for(store), archive, queue_size=server.queue_size)
    summary_jobs = SummaryJobs(
        store_summary_work(services, store), jobs.model_lock, services.summary_jobs_for(archive)
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        interrupted = archive.mark_interrupted_running()
        if interrupted:
            log.warning("%d Entwürfe wurden durch den Neustart unterbrochen.", interrupted)
        if summary_jobs.recover():
            log.warning("Eine Zusammenfassung des Archivs wurde durch den Neustart unterbrochen.")
        await bots.start()
        yield
        await bots.stop()
        await jobs.shutdown()
        await summary_jobs.shutdown()
        store.close()  # without it each app's Chroma client and pooled SQLite files stay open
        archive.close()

    app = FastAPI(
        title=TITLE,
        description=DESCRIPTION,
        version="0.1",
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.store = store
    app.state.jobs = jobs
    app.state.summary_jobs = summary_jobs
    app.state.archive = archive
    app.state.approvals = services.approvals_for(archive)
    app.state.approvers = services.approvers()
    app.state.health = HealthChecks(store, _model_state(services), _pings(archive))
    errors.install(app)
    install_access(app, services.access)
    app.add_middleware(BodyLimit, max_bytes=server.max_upload_mb * 1024 * 1024)
    app.add_middleware(RequestTimeout, timeout_s=server.request_timeout_s)
    routers = (
        health,
        session,
        search,
        vorlagen,
        konzepte,
        drafts,
        revisions,
        approval,
        checks,
        ingest,
        summaries,
        chat,
    )
    for module in routers:
        app.include_router(module.router)
    app.include_router(page.router)
    app.mount("/static", StaticFiles(directory=page.STATIC_DIR), name="static")
    bots = install_bots(app, services, store, jobs, archive)  # Slack, Teams: when enabled
    return app


def _model_state(services: Services) -> Callable[[], tuple[str, str]]:
    def state() -> tuple[str, str]:
        status = services.model_status()
        return ("ok" if status.usable else "fehlt"), services.chat_model.name

    return state


def _pings(archive: DraftArchive) -> Callable[[], bool]:
    def ping() -> bool:
        archive.ping()
        return True

    return ping
