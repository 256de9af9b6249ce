"""``vorlagen summarize --engine ray``: the same per-document function on Ray (issue 13).

:class:`RayEngine` starts ``workers`` actors (:class:`SummaryActor`), each holding one chat
model client built by ``chat_factory`` inside the actor (a picklable callable: the container
passes ``make_chat_model`` with the configured model server's values), and runs
:func:`assistant.summary_job.run_summary_job` on them through ``ray.util.ActorPool``, handing
out a new job only when an actor is free (memory stays bounded on large archives).

Ray is an optional extra (``pip install '.[ray]'``): it is imported only when this engine
runs. Without ``address`` a local Ray instance is started (no dashboard, usage statistics
off: ``RAY_USAGE_STATS_ENABLED=0``) and shut down at the end; with ``address`` (``ray://…``
or ``auto``) the job joins that cluster, whose nodes need this package installed. The actors
ask for no CPU of their own (``actor_cpus=0``): the model server does the work; a bundled
model in an actor would start its own worker process on that node.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from assistant.ports import BackendError, ChatModelFactory
from assistant.summarize import Summarizer, SummaryLimits
from assistant.summary_job import SummaryJob, run_summary_job
from assistant.summary_schema import SummaryRecord

__all__ = ["RayEngine", "SummaryActor"]

log = logging.getLogger(__name__)


class SummaryActor:
    """One Ray actor: one chat model client, one job at a time."""

    def __init__(
        self,
        chat_factory: Callable[[], ChatModelFactory],
        limits: SummaryLimits,
        max_repairs: int,
    ) -> None:
        self.summarizer = Summarizer(chat_factory(), limits, max_repairs=max_repairs)

    def model(self) -> str:
        return self.summarizer.model

    def run(self, job: SummaryJob, prompt_version: str) -> SummaryRecord:
        return run_summary_job(self.summarizer, job, prompt_version)


class RayEngine:
    """Runs the jobs on ``workers`` Ray actors (see the module docstring)."""

    def __init__(
        self,
        chat_factory: Callable[[], ChatModelFactory],
        *,
        workers: int = 2,
        limits: SummaryLimits | None = None,
        max_repairs: int = 1,
        address: str | None = None,
        num_cpus: int | None = None,
        actor_cpus: float = 0,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.chat_factory = chat_factory
        self.workers = workers
        self.limits = limits or SummaryLimits()
        self.max_repairs = max_repairs
        self.address = address
        self.num_cpus = num_cpus
        self.actor_cpus = actor_cpus
        self._model = ""

    @property
    def model(self) -> str:
        return self._model

    def run(self, jobs: Iterable[SummaryJob], prompt_version: str) -> Iterator[SummaryRecord]:
        ray = _ray()
        started_here = self._start(ray)
        actors: list[Any] = []
        try:
            actors = self._actors(ray)
            pool: Any = ray.util.ActorPool(actors)
            for job in jobs:
                while not pool.has_free():
                    yield _next(pool)
                pool.submit(lambda actor, j: actor.run.remote(j, prompt_version), job)
            while pool.has_next():
                yield _next(pool)
        finally:
            for actor in actors:
                ray.kill(actor)
            if started_here:
                ray.shutdown()

    def _actors(self, ray: Any) -> list[Any]:
        """``workers`` actors, each with its chat model client (built in the actor)."""
        remote = ray.remote(num_cpus=self.actor_cpus)(SummaryActor)
        actors = [
            remote.remote(self.chat_factory, self.limits, self.max_repairs)
            for _ in range(self.workers)
        ]
        try:
            self._model = str(ray.get(actors[0].model.remote()))
        except Exception as err:  # the factory failed in the actor (settings, missing model)
            raise BackendError(
                "Die Ray-Actors konnten ihr Sprachmodell nicht einrichten "
                f"({type(err).__name__}); bitte die Modell-Einstellungen (llm.*) prüfen."
            ) from err
        return actors

    def _start(self, ray: Any) -> bool:
        """Connect to the cluster or start a local instance; whether this call started it."""
        if ray.is_initialized():
            return False
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        try:
            ray.init(
                address=self.address,
                num_cpus=None if self.address else self.num_cpus,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )
        except Exception as err:  # ray raises ConnectionError, RuntimeError, ValueError …
            where = self.address or "lokal"
            raise BackendError(
                f"Ray konnte nicht gestartet oder erreicht werden ({where}): {type(err).__name__}."
            ) from err
        return True


def _next(pool: Any) -> SummaryRecord:
    """The next finished record; an actor that died (a node lost, out of memory) ends the run
    with a German sentence, the records written so far stay."""
    try:
        record: SummaryRecord = pool.get_next_unordered()
    except Exception as err:
        raise BackendError(
            f"Ein Ray-Actor ist ausgefallen ({type(err).__name__}); bitte den Lauf erneut "
            "starten, er setzt fort."
        ) from err
    return record


def _ray() -> Any:
    try:
        import ray
        import ray.util
    except ImportError as err:
        raise BackendError(
            "Ray ist nicht installiert; bitte mit pip install 'vorlagen-assistent[ray]' "
            "nachinstallieren oder --engine local verwenden."
        ) from err
    return ray
