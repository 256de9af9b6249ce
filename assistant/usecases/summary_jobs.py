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
"model_calls"}`` or ``error``/``cancelled``/``interrupted`` ``{"id", "message"}`` (German
sentences; ``interrupted``: the service stopped while the job ran).

**The record** (:class:`assistant.ports_summary_jobs.SummaryJobStore`, in the app's
database): each job's state is written at its start, while it runs at most every
``save_every_s`` seconds (the newest state, and always once that long after a change), and at
its end. So a reloaded page and another admin find the running job (:meth:`SummaryJobs.recent`)
and follow its events; a finished job stays known after the hour in memory and after a
restart (its stored state, and as its events its final event alone); and at the app's start
(:meth:`SummaryJobs.recover`) a job a previous process left running is recorded as
``interrupted`` with how far it got. The batch skips what was summarised before (same content
hash and prompt version), so a new job continues where the interrupted one stopped.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from assistant.draft_jobs import JobEvent
from assistant.ports import BackendError
from assistant.ports_summary_jobs import SummaryJobState, SummaryJobStatus, SummaryJobStore
from assistant.presenter_summaries import (
    SUMMARY_JOB_BUSY,
    SUMMARY_JOB_CANCELLED,
    SUMMARY_JOB_FAILED,
    summary_job_interrupted,
    summary_job_result,
)
from assistant.usecases.summarize_batch import BatchOptions, BatchProgress, BatchResult
from assistant.usecases.summarize_turns import LoopLockTurns, ModelTurns, SummaryStopped
from assistant.usecases.summary_job_saver import StateSaver
from assistant.usecases.summary_log import SummaryLogLockedError

__all__ = ["FINAL_EVENTS", "SummaryBusy", "SummaryJobs", "SummaryRun", "SummaryWork", "job_counts"]

log = logging.getLogger(__name__)

Status = SummaryJobStatus

FINAL_EVENTS: dict[str, str] = {
    "done": "done",
    "failed": "error",
    "cancelled": "cancelled",
    "interrupted": "interrupted",
}
"""A finished job's status -> the type of its last event."""

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


def _time(stamp: float | None) -> datetime | None:
    return None if stamp is None else datetime.fromtimestamp(stamp, UTC)


@dataclass
class SummaryRun:
    """One summary job, running or finished; ``restored``: known only from the record (it
    ran in an earlier process, or ended over an hour ago), its log the final event alone."""

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
    restored: bool = False
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _turns: LoopLockTurns | None = None
    _task: asyncio.Task[None] | None = None
    _saver: StateSaver[SummaryJobState] | None = None
    _interrupt: bool = False  # stopped by the service's shutdown, not by a caller

    @classmethod
    def from_state(cls, state: SummaryJobState) -> SummaryRun:
        """A job as recorded (see ``restored``)."""
        progress = None
        if state.total is not None:
            progress = BatchProgress(
                state.done, state.total, dict(state.counts), 0.0, None, state.model_calls
            )
        run = cls(
            state.id,
            state.created_by,
            state.allow_nonpublic,
            BatchOptions(limit=state.limit, since=state.since),
            status=state.status,
            progress=progress,
            model_calls=state.model_calls,
            message=state.message,
            created=state.created_at.timestamp(),
            ended=None if state.ended_at is None else state.ended_at.timestamp(),
            restored=True,
        )
        if run.finished:
            run.log.append(JobEvent(1, FINAL_EVENTS[run.status], run.final_data()))
        return run

    @property
    def finished(self) -> bool:
        return self.status in FINAL_EVENTS

    def counts(self) -> dict[str, int]:
        return job_counts(self.progress.counts if self.progress else {})

    def final_data(self) -> dict[str, Any]:
        """The data of the job's last event (its status is final)."""
        data: dict[str, Any] = {"id": self.id, "message": self.message}
        if self.status == "done":
            counts = dict(self.progress.counts) if self.progress else {}
            data.update(counts=counts, **job_counts(counts), model_calls=self.model_calls)
        return data

    def state(self) -> SummaryJobState:
        """The job's state for the record."""
        progress = self.progress
        return SummaryJobState(
            id=self.id,
            created_by=self.actor,
            allow_nonpublic=self.allow_nonpublic,
            limit=self.options.limit,
            since=self.options.since,
            status=self.status,
            done=progress.done if progress else 0,
            total=progress.total if progress else None,
            counts=dict(progress.counts) if progress else {},
            model_calls=max(self.model_calls, progress.model_calls if progress else 0),
            message=self.message,
            created_at=datetime.fromtimestamp(self.created, UTC),
            ended_at=_time(self.ended),
        )

    def push(self, kind: str, data: dict[str, Any]) -> None:
        """Add an event (in the loop) and wake the followers."""
        self.log.append(JobEvent(len(self.log) + 1, kind, {"id": self.id, **data}))
        self._wake.set()
        self._wake = asyncio.Event()

    async def follow(self, after: int = 0) -> AsyncIterator[JobEvent]:
        """The log from entry ``after + 1`` on, then live until the job ends. A restored job
        gives its final event to every follower, numbered ``after + 1`` (a client that
        followed it before the restart resumes after a number this log never had)."""
        if self.restored:
            for event in self.log[-1:]:
                yield JobEvent(max(after, 0) + 1, event.type, event.data)
            return
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
    """Runs summary jobs and keeps their record (see the module docstring).

    Args:
        work: one job's batch (:data:`SummaryWork`).
        model_lock: the lock drafts hold while they use the model.
        record: where each job's state is kept (the app's database).
        keep_s: how long a finished job stays in memory (its record stays).
        save_every_s: how often a running job's progress is written at most.
        clock: for tests.
    """

    def __init__(
        self,
        work: SummaryWork,
        model_lock: asyncio.Lock,
        record: SummaryJobStore,
        *,
        keep_s: float = 3600,
        save_every_s: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.work = work
        self.model_lock = model_lock
        self.record = record
        self.keep_s = keep_s
        self.save_every_s = save_every_s
        self.clock = clock
        self._runs: dict[str, SummaryRun] = {}

    def recover(self) -> int:
        """At the app's start: record the jobs a previous process left running as
        ``interrupted``, with how far they got; returns how many."""
        left = self.record.unfinished()
        for state in left:
            message = summary_job_interrupted(state.done, state.total)
            ended = datetime.fromtimestamp(self.clock(), UTC)
            update = {"status": "interrupted", "message": message, "ended_at": ended}
            self.record.save(state.model_copy(update=update))
        return len(left)

    async def start(
        self, *, actor: str, allow_nonpublic: bool, options: BatchOptions
    ) -> SummaryRun:
        """Start a job in the background; raises :class:`SummaryBusy` while one runs, and
        the record's ``BackendError`` when the job cannot be recorded (then it does not
        start)."""
        self._forget_old()
        if any(not run.finished for run in self._runs.values()):
            raise SummaryBusy
        run = SummaryRun(uuid.uuid4().hex, actor, allow_nonpublic, options, created=self.clock())
        self._runs[run.id] = run
        run._saver = StateSaver(self.record.save, run.state, self.save_every_s)
        try:
            await run._saver.now()
        except BaseException:
            del self._runs[run.id]
            raise
        run._turns = LoopLockTurns(self.model_lock, asyncio.get_running_loop())
        run.push("started", {})
        run._task = asyncio.create_task(self._run(run), name=f"summaries-{run.id}")
        return run

    async def find(self, run_id: str, *, allow_nonpublic: bool = False) -> SummaryRun | None:
        """The job (running, in memory, or as recorded), or ``None`` when unknown or started
        with the right to nichtöffentliche Vorlagen and asked for without it (its counts
        would tell about them)."""
        run = self._runs.get(run_id)
        if run is None:
            state = await asyncio.to_thread(self.record.get, run_id)
            run = None if state is None else SummaryRun.from_state(state)
        if run is None or (run.allow_nonpublic and not allow_nonpublic):
            return None
        return run

    async def recent(self, *, allow_nonpublic: bool = False, limit: int = 10) -> list[SummaryRun]:
        """At most ``limit`` jobs the caller may see, newest first: a running one as it runs
        (with its events), the others as in memory or as recorded."""
        self._forget_old()
        states = await asyncio.to_thread(
            self.record.recent, allow_nonpublic=allow_nonpublic, limit=limit
        )
        runs = {state.id: SummaryRun.from_state(state) for state in states}
        for run in self._runs.values():
            if allow_nonpublic or not run.allow_nonpublic:
                runs[run.id] = run
        return sorted(runs.values(), key=lambda run: (run.created, run.id), reverse=True)[:limit]

    def cancel(self, run_id: str) -> bool:
        """Ask the job to stop (it ends after the document being summarised); False when it
        had ended."""
        run = self._runs.get(run_id)
        if run is None or run.finished or run._turns is None:
            return False
        run.status = "stopping"
        run._turns.stop()
        if run._saver is not None:
            run._saver.soon()
        return True

    async def shutdown(self) -> None:
        """Stop every job and wait for it (the document being summarised is kept); a job
        stopped so ends ``interrupted``."""
        tasks = [run._task for run in self._runs.values() if run._task and not run.finished]
        for run in list(self._runs.values()):
            if not run.finished:
                run._interrupt = True
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
            if run._interrupt:
                done = run.progress.done if run.progress else 0
                total = run.progress.total if run.progress else None
                await self._end(run, "interrupted", summary_job_interrupted(done, total))
            else:
                await self._end(run, "cancelled", SUMMARY_JOB_CANCELLED)
        except SummaryLogLockedError:  # a `vorlagen summarize` writes the same file
            await self._end(run, "failed", SUMMARY_JOB_BUSY)
        except BackendError as err:  # the store cannot be read: German message
            await self._end(run, "failed", str(err))
        except Exception:  # a bug: logged with traceback, the clerk gets one sentence
            log.exception("Zusammenfassung %s fehlgeschlagen", run.id)
            await self._end(run, "failed", SUMMARY_JOB_FAILED)
        else:
            run.model_calls = result.model_calls
            counts = dict(result.counts)
            done, total = (run.progress.done, run.progress.total) if run.progress else (0, 0)
            run.progress = BatchProgress(done, total, counts, result.seconds, None, run.model_calls)
            await self._end(run, "done", summary_job_result(counts, result.model_calls))

    def _progressed(self, run: SummaryRun, event: BatchProgress) -> None:
        run.progress = event
        run.push("progress", _progress_data(event))
        if run._saver is not None:
            run._saver.soon()

    async def _end(self, run: SummaryRun, status: Status, message: str) -> None:
        run.status = status
        run.message = message
        run.ended = self.clock()
        run.push(FINAL_EVENTS[status], run.final_data())
        if run._saver is not None:
            try:
                await run._saver.now()
            except BackendError:  # the result stays in memory (an hour) and in the summaries
                log.warning("Zusammenfassung %s: Ende nicht gespeichert", run.id, exc_info=True)

    def _forget_old(self) -> None:
        now = self.clock()
        for run_id, run in list(self._runs.items()):
            if run.ended is not None and now - run.ended > self.keep_s:
                del self._runs[run_id]
