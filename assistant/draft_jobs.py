"""Drafts as server-side jobs: started once, independent of the client that asked, re-attachable.

A draft takes a minute on 2 cores; a clerk may close the tab or lose the connection meanwhile
(Open WebUI lost such answers: #452, #2647, #6172). :class:`DraftJobs` therefore runs each
draft as an asyncio task of its own:

* :meth:`DraftJobs.start` registers the job and returns it at once; the job waits in a bounded
  queue for the model (one draft at a time reaches the chat model: it has one loaded model) and
  raises :class:`QueueFull` when ``queue_size`` jobs are already waiting, so the caller can answer
  503 with Retry-After instead of letting work pile up;
* every event of the drafting stream (:mod:`assistant.draft_events`) is kept in the job's log
  with a sequence number, after a ``queued`` event with the position in the queue; a client
  reads the log from any point with :meth:`DraftJob.follow` (``after`` = the last sequence
  number it saw, i.e. SSE's ``Last-Event-ID``) and waits for what follows; leaving does not stop
  the job;
* :meth:`DraftJobs.cancel` stops a job: the task is cancelled, the drafting stream is closed,
  which closes the model's HTTP stream, and the model stops generating (a structured call that
  is running finishes first: at most one resolution object, a few seconds);
* the job is recorded in the :class:`~assistant.ports.DraftArchive` (a database: ``storage/``)
  when one is given: created (its id is the archive's), running, and the finished Draft as
  version 1 or the German error; the job ends with a ``done``, ``error`` or ``cancelled``
  event. Without an archive ids are random and nothing outlives the process.

Finished jobs stay in memory for ``keep_s`` seconds so that a client can re-attach and read
the whole log; after that only the recorded draft remains.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from assistant.draft_events import DraftDone, DraftEvent
from assistant.ports import BackendError, DraftArchive, VersionSource
from assistant.schema import Draft, DraftRequest

__all__ = [
    "DRAFT_CANCELLED",
    "DraftJob",
    "DraftJobs",
    "DraftStreamer",
    "Events",
    "JobBusy",
    "JobEvent",
    "QueueFull",
]

log = logging.getLogger(__name__)

DRAFT_CANCELLED = "Der Entwurf wurde abgebrochen."
DRAFT_FAILED = "Der Entwurf ist fehlgeschlagen; bitte erneut versuchen."
JOB_BUSY = "An diesem Entwurf wird gerade geschrieben; bitte warten Sie, bis er fertig ist."
QUEUE_FULL = (
    "Es werden gerade zu viele Entwürfe geschrieben; bitte in einer Minute erneut versuchen."
)

Status = Literal["queued", "running", "done", "failed", "cancelled"]


class QueueFull(Exception):
    """The model's queue is full; ``str(err)`` is the German message, ``retry_after_s`` a hint."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(QUEUE_FULL)
        self.retry_after_s = retry_after_s


class JobBusy(Exception):
    """A job of this draft is still running; ``str(err)`` is the German message."""

    def __init__(self) -> None:
        super().__init__(JOB_BUSY)


Events = Callable[[], AsyncIterator[DraftEvent]]
"""Starts the events of one job (a draft's, or a revision's that ends with its new version)."""


class DraftStreamer(Protocol):
    """What a job needs from drafting: :meth:`assistant.drafting.DraftingService.stream`."""

    def stream(
        self,
        request: DraftRequest,
        *,
        exclude_ids: Collection[str] = (),
        allow_nonpublic: bool = False,
        tokens: bool = True,
    ) -> AsyncIterator[DraftEvent]: ...


@dataclass(frozen=True)
class JobEvent:
    """One entry of a job's log: ``seq`` counts from 1; ``type`` as in the drafting events
    plus ``queued``, ``error`` and ``cancelled``; ``data`` is JSON-ready."""

    seq: int
    type: str
    data: dict[str, Any]


@dataclass
class DraftJob:
    """One draft in progress or finished (never shared between requests)."""

    id: str
    request: DraftRequest
    actor: str
    allow_nonpublic: bool
    source: VersionSource = "generated"
    status: Status = "queued"
    error: str | None = None
    draft: Draft | None = None
    created: float = field(default_factory=time.time)
    ended: float | None = None
    log: list[JobEvent] = field(default_factory=list)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _task: asyncio.Task[None] | None = None

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed", "cancelled")

    async def add(self, kind: str, data: dict[str, Any]) -> None:
        async with self._changed:
            self.log.append(JobEvent(len(self.log) + 1, kind, data))
            self._changed.notify_all()

    async def follow(self, after: int = 0) -> AsyncIterator[JobEvent]:
        """The log from entry ``after + 1`` on, waiting for new entries until the job ends.
        Leaving the iteration does not affect the job."""
        seen = max(after, 0)
        while True:
            async with self._changed:
                while len(self.log) <= seen and not self.finished:
                    await self._changed.wait()
                fresh = self.log[seen:]
                done = self.finished
            for event in fresh:
                yield event
            seen += len(fresh)
            if done:
                return


def _event_data(event: DraftEvent) -> dict[str, Any]:
    data = event.model_dump(mode="json")
    data.pop("type", None)
    return data


class DraftJobs:
    """Runs drafts as jobs (see the module docstring).

    Args:
        drafting: the drafting service (its ``stream``).
        archive: where jobs and their drafts are kept; ``None`` keeps them in memory only.
        queue_size: jobs that may wait for the model; one more is refused with QueueFull.
        keep_s: how long a finished job's log stays available for re-attaching.
        clock: for tests.
    """

    def __init__(
        self,
        drafting: DraftStreamer,
        archive: DraftArchive | None = None,
        *,
        queue_size: int = 4,
        keep_s: float = 3600,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if queue_size < 1:
            raise ValueError("queue_size >= 1")
        self.drafting = drafting
        self.archive = archive
        self.queue_size = queue_size
        self.keep_s = keep_s
        self.clock = clock
        self._jobs: dict[str, DraftJob] = {}
        self._waiting: list[str] = []
        self._model = asyncio.Lock()

    # --- public -----------------------------------------------------------------------------

    async def start(
        self,
        request: DraftRequest,
        *,
        actor: str,
        allow_nonpublic: bool = False,
        exclude_ids: Collection[str] = (),
    ) -> DraftJob:
        """Register a job and start it in the background; raises :class:`QueueFull`."""
        self._make_room()
        job_id = uuid.uuid4().hex
        if self.archive is not None:  # the archive's id, so the job can be found after it
            job_id = await asyncio.to_thread(self.archive.create, request, actor)

        def events() -> AsyncIterator[DraftEvent]:
            return self.drafting.stream(
                request, exclude_ids=exclude_ids, allow_nonpublic=allow_nonpublic
            )

        return await self._launch(DraftJob(job_id, request, actor, allow_nonpublic), events)

    async def start_revision(
        self,
        draft_id: str,
        request: DraftRequest,
        events: Events,
        *,
        actor: str,
        allow_nonpublic: bool,
        source: VersionSource,
    ) -> DraftJob:
        """Queue a job that writes a new version of the stored draft ``draft_id`` (its events
        end with the new Draft, stored as version ``source``); it waits for the model like a
        draft. The draft's status in the archive is left as it is: a failed or cancelled
        revision leaves the earlier versions. Raises :class:`JobBusy` while a job of this
        draft runs, :class:`QueueFull`."""
        self._make_room()
        earlier = self._jobs.get(draft_id)
        if earlier is not None and not earlier.finished:
            raise JobBusy
        job = DraftJob(draft_id, request, actor, allow_nonpublic, source=source)
        return await self._launch(job, events)

    def _make_room(self) -> None:
        self._forget_old()
        if len(self._waiting) >= self.queue_size:
            raise QueueFull(retry_after_s=60)

    async def _launch(self, job: DraftJob, events: Events) -> DraftJob:
        self._jobs[job.id] = job
        self._waiting.append(job.id)
        await job.add("queued", {"id": job.id, "position": len(self._waiting)})
        job._task = asyncio.create_task(self._run(job, events), name=f"draft-{job.id}")
        return job

    def get(self, job_id: str, *, allow_nonpublic: bool = False) -> DraftJob | None:
        """The job, or ``None`` when unknown or not visible to a caller without the right to
        see nichtöffentliche Vorlagen (a job started with that right may cite them)."""
        job = self._jobs.get(job_id)
        if job is None or (job.allow_nonpublic and not allow_nonpublic):
            return None
        return job

    async def cancel(self, job_id: str) -> bool:
        """Stop a job; False when it had already ended."""
        job = self._jobs.get(job_id)
        if job is None or job.finished or job._task is None:
            return False
        job._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await job._task
        if not job.finished:  # cancelled before its task ever ran
            if job.id in self._waiting:
                self._waiting.remove(job.id)
                await self._announce_positions()
            await self._fail(job, "cancelled", DRAFT_CANCELLED)
        return True

    async def shutdown(self) -> None:
        """Cancel every running job (server stop); the archive records them."""
        for job_id in [j.id for j in self._jobs.values() if not j.finished]:
            await self.cancel(job_id)

    @property
    def model_lock(self) -> asyncio.Lock:
        """The lock a job holds while it uses the model (one loaded model). Other work for the
        same model takes turns through it: summary jobs, document by document
        (:mod:`assistant.usecases.summarize_turns`); its waiters get it in order."""
        return self._model

    def position(self, job_id: str) -> int | None:
        """1-based place in the queue, ``None`` when the job is not waiting."""
        return self._waiting.index(job_id) + 1 if job_id in self._waiting else None

    # --- the job --------------------------------------------------------------------------------

    async def _run(self, job: DraftJob, events: Events) -> None:
        try:
            async with self._model:
                self._waiting.remove(job.id)
                await self._announce_positions()
                job.status = "running"
                await self._record_status(job, "running")
                async for event in events():
                    if isinstance(event, DraftDone):
                        job.draft = event.draft
                        await self._finished(job, event.draft)
                        job.status = "done"
                        await self._end(job, "done", {"id": job.id, **_event_data(event)})
                        return
                    await job.add(event.type, _event_data(event))
        except asyncio.CancelledError:
            await self._fail(job, "cancelled", DRAFT_CANCELLED)
            raise
        except BackendError as err:  # model, index or embedder failed: German message
            await self._fail(job, "failed", str(err))
        except Exception:  # a bug: logged with traceback, the clerk gets one sentence
            log.exception("Entwurf %s fehlgeschlagen", job.id)
            await self._fail(job, "failed", DRAFT_FAILED)
        finally:
            if job.id in self._waiting:
                self._waiting.remove(job.id)
                await self._announce_positions()

    async def _fail(self, job: DraftJob, status: Status, message: str) -> None:
        job.status, job.error = status, message
        await self._record_status(job, status, message)
        kind = "cancelled" if status == "cancelled" else "error"
        await self._end(job, kind, {"id": job.id, "message": message})

    async def _end(self, job: DraftJob, kind: str, data: dict[str, Any]) -> None:
        job.ended = self.clock()
        await job.add(kind, data)

    async def _announce_positions(self) -> None:
        for place, job_id in enumerate(self._waiting, 1):
            await self._jobs[job_id].add("queued", {"id": job_id, "position": place})

    async def _finished(self, job: DraftJob, draft: Draft) -> None:
        public = [c.vorlage_id for c in draft.citations if c.oeffentlich]
        await self._record("add_version", job.id, draft, job.actor, job.source, public_ids=public)
        await self._record_status(job, "done")

    async def _record_status(self, job: DraftJob, *args: Any) -> None:
        """The draft's status; a revision leaves the stored draft's status alone."""
        if job.source == "generated":
            await self._record("set_status", job.id, *args)

    async def _record(self, method: str, *args: Any, **kwargs: Any) -> None:
        if self.archive is None:
            return
        try:
            await asyncio.to_thread(getattr(self.archive, method), *args, **kwargs)
        except Exception:  # the job goes on; the clerk still gets the draft in the stream
            log.exception("Entwurf %s: Speichern (%s) fehlgeschlagen", args[0], method)

    def _forget_old(self) -> None:
        now = self.clock()
        for job_id, job in list(self._jobs.items()):
            if job.ended is not None and now - job.ended > self.keep_s:
                del self._jobs[job_id]
