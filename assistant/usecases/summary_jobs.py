"""Summaries of the app's archive as a server-side job (issue 13, ``POST /api/summaries``).

Like a draft (:mod:`assistant.draft_jobs`), a summary job is started once, goes on when the
client goes away, and keeps a log of events a client follows from any point (SSE's
``Last-Event-ID``). Unlike a draft it may run for hours, so:

* it runs in a worker thread (the batch, :func:`assistant.usecases.summarize_batch.
  summarize_documents`, is blocking code) and reaches the model **document by document in turns
  of the draft jobs' model lock** (:mod:`assistant.usecases.summarize_turns`): a draft started
  meanwhile waits at most for the document being summarised;
* one job at a time per app (they write the same summaries file; a second start is refused
  with :class:`SummaryBusy`);
* stopping (:meth:`SummaryJobs.cancel`) withdraws a waiting turn at once; a document being
  summarised is finished and kept, then the job ends ``cancelled``. What was done is kept
  either way: every record is written as it comes back, and the next job skips it.

Events (``JobEvent`` of the draft jobs, numbered from 1): ``started`` ``{"id"}``, then
``progress`` after each document ``{"id", "done", "total", "counts", "ok", "befunde",
"failed", "skipped", "eta_s"}``, and last ``done`` ``{"id", "message", ...counts,
"model_calls"}`` or ``error``/``cancelled`` ``{"id", "message"}`` (German sentences).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.draft_jobs import JobEvent
from assistant.ports import BackendError
from assistant.presenter_summaries import (
    SUMMARY_JOB_BUSY,
    SUMMARY_JOB_CANCELLED,
    SUMMARY_JOB_FAILED,
    summary_job_result,
)
from assistant.usecases.summarize_batch import BatchOptions, BatchProgress, BatchResult
from assistant.usecases.summarize_turns import LoopLockTurns, ModelTurns, SummaryStopped
from assistant.usecases.summary_log import SummaryLogLockedError

__all__ = ["SummaryBusy", "SummaryJobs", "SummaryRun", "SummaryWork", "job_counts"]

log = logging.getLogger(__name__)

Status = Literal["running", "stopping", "done", "failed", "cancelled"]

SummaryWork = Callable[
    [BatchOptions, bool, ModelTurns, Callable[[BatchProgress], None]], BatchResult
]
"""One job's batch, blocking: ``(options, allow_nonpublic, turns, progress) -> result``; it
summarises only Vorlagen a caller with (or without) the right to nichtöffentliche ones may see,
takes each document's model time through ``turns`` and reports after each document."""


class SummaryBusy(Exception):
    """A summary job of this app is still running; ``str(err)`` is the German message."""

    def __init__(self) -> None:
        super().__init__(SUMMARY_JOB_BUSY)


def job_counts(counts: Mapping[str, int]) -> dict[str, int]:
    """The batch's counts by status as four: ``ok``, ``befunde``, ``failed`` (the model failed
    or the Vorlage could not be read), ``skipped`` (done before, or left out by ``seit`` or
    ``limit``)."""
    return {
        "ok": counts.get("ok", 0),
        "befunde": counts.get("befunde", 0),
        "failed": counts.get("fehlgeschlagen", 0) + counts.get("unlesbar", 0),
        "skipped": sum(counts.get(k, 0) for k in ("uebersprungen", "erledigt", "nicht_bearbeitet")),
    }


@dataclass
class SummaryRun:
    """One summary job, running or finished."""

    id: str
    actor: str
    allow_nonpublic: bool
    options: BatchOptions
    status: Status = "running"
    progress: BatchProgress | None = None
    model_calls: int = 0
    message: str | None = None
    created: float = field(default_factory=time.time)
    ended: float | None = None
    log: list[JobEvent] = field(default_factory=list)
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _turns: LoopLockTurns | None = None
    _task: asyncio.Task[None] | None = None

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed", "cancelled")

    def counts(self) -> dict[str, int]:
        return job_counts(self.progress.counts if self.progress else {})

    def push(self, kind: str, data: dict[str, Any]) -> None:
        """Add an event (in the loop) and wake the followers."""
        self.log.append(JobEvent(len(self.log) + 1, kind, {"id": self.id, **data}))
        self._wake.set()
        self._wake = asyncio.Event()

    async def follow(self, after: int = 0) -> AsyncIterator[JobEvent]:
        """The log from entry ``after + 1`` on, then live until the job ends."""
        seen = max(after, 0)
        while True:
            wake = self._wake
            for event in self.log[seen:]:
                seen += 1
                yield event
            if self.finished and seen >= len(self.log):
                return
            if seen >= len(self.log):
                await wake.wait()


def _progress_data(progress: BatchProgress) -> dict[str, Any]:
    return {
        "done": progress.done,
        "total": progress.total,
        "counts": dict(progress.counts),
        **job_counts(progress.counts),
        "eta_s": None if progress.eta_s is None else round(progress.eta_s, 1),
    }


class SummaryJobs:
    """Runs summary jobs (see the module docstring).

    Args:
        work: one job's batch (:data:`SummaryWork`).
        model_lock: the lock drafts hold while they use the model.
        keep_s: how long a finished job stays available.
        clock: for tests.
    """

    def __init__(
        self,
        work: SummaryWork,
        model_lock: asyncio.Lock,
        *,
        keep_s: float = 3600,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.work = work
        self.model_lock = model_lock
        self.keep_s = keep_s
        self.clock = clock
        self._runs: dict[str, SummaryRun] = {}

    async def start(
        self, *, actor: str, allow_nonpublic: bool, options: BatchOptions
    ) -> SummaryRun:
        """Start a job in the background; raises :class:`SummaryBusy` while one runs."""
        self._forget_old()
        if any(not run.finished for run in self._runs.values()):
            raise SummaryBusy
        run = SummaryRun(uuid.uuid4().hex, actor, allow_nonpublic, options)
        run._turns = LoopLockTurns(self.model_lock, asyncio.get_running_loop())
        self._runs[run.id] = run
        run.push("started", {})
        run._task = asyncio.create_task(self._run(run), name=f"summaries-{run.id}")
        return run

    def get(self, run_id: str, *, allow_nonpublic: bool = False) -> SummaryRun | None:
        """The job, or ``None`` when unknown or started with the right to nichtöffentliche
        Vorlagen and asked for without it (its counts would tell about them)."""
        run = self._runs.get(run_id)
        if run is None or (run.allow_nonpublic and not allow_nonpublic):
            return None
        return run

    def cancel(self, run_id: str) -> bool:
        """Ask the job to stop (it ends after the document being summarised); False when it
        had ended."""
        run = self._runs.get(run_id)
        if run is None or run.finished or run._turns is None:
            return False
        run.status = "stopping"
        run._turns.stop()
        return True

    async def shutdown(self) -> None:
        """Stop every job and wait for it (the document being summarised is kept)."""
        tasks = [run._task for run in self._runs.values() if run._task and not run.finished]
        for run in list(self._runs.values()):
            self.cancel(run.id)
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, run: SummaryRun) -> None:
        loop = asyncio.get_running_loop()
        assert run._turns is not None

        def progress(event: BatchProgress) -> None:  # in the worker thread
            loop.call_soon_threadsafe(self._progressed, run, event)

        try:
            result = await asyncio.to_thread(
                self.work, run.options, run.allow_nonpublic, run._turns, progress
            )
        except SummaryStopped:
            self._end(run, "cancelled", "cancelled", {"message": SUMMARY_JOB_CANCELLED})
        except SummaryLogLockedError:  # a `vorlagen summarize` writes the same file
            self._end(run, "failed", "error", {"message": SUMMARY_JOB_BUSY})
        except BackendError as err:  # the store cannot be read: German message
            self._end(run, "failed", "error", {"message": str(err)})
        except Exception:  # a bug: logged with traceback, the clerk gets one sentence
            log.exception("Zusammenfassung %s fehlgeschlagen", run.id)
            self._end(run, "failed", "error", {"message": SUMMARY_JOB_FAILED})
        else:
            run.model_calls = result.model_calls
            counts = dict(result.counts)
            message = summary_job_result(counts, result.model_calls)
            data = {"message": message, "counts": counts, **job_counts(counts)}
            self._end(run, "done", "done", {**data, "model_calls": result.model_calls})

    def _progressed(self, run: SummaryRun, event: BatchProgress) -> None:
        run.progress = event
        run.push("progress", _progress_data(event))

    def _end(self, run: SummaryRun, status: Status, kind: str, data: dict[str, Any]) -> None:
        run.status = status
        run.message = str(data["message"])
        run.ended = self.clock()
        run.push(kind, data)

    def _forget_old(self) -> None:
        now = self.clock()
        for run_id, run in list(self._runs.items()):
            if run.ended is not None and now - run.ended > self.keep_s:
                del self._runs[run_id]
