"""Summaries that take turns with drafts at the one model (issue 13, ``POST /api/summaries``).

The app has one chat model (the bundled model: one loaded model on 2 cores). Drafts reach it
one at a time through the draft jobs' lock (:attr:`assistant.draft_jobs.DraftJobs.model_lock`,
an ``asyncio.Lock``, which hands the model to its waiters in the order they came). A summary
job of a whole archive must not keep clerks waiting for hours, so it runs **document by
document, each in a turn of that same lock** (:class:`TurnTakingEngine`): it takes the model
for one document, gives it back, and queues again for the next. A draft started while a
summary job runs therefore waits at most for the document being summarised (with the bundled
model a few minutes; with a model server seconds), then runs; the summary job continues
after it. No second queue, no priorities: the lock's order is the fairness.

:class:`LoopLockTurns` takes such a turn from the worker thread the batch runs in (the batch,
:func:`assistant.usecases.summarize_batch.summarize_documents`, is blocking code): the lock
belongs to the event loop, so the thread asks the loop for it and waits. Stopping
(:meth:`LoopLockTurns.stop`, called in the loop) makes the thread leave at the next document:
a waiting turn is withdrawn at once; a document being summarised is finished and kept (a
model call cannot be interrupted from outside without losing it).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from assistant.summarize import Summarizer
from assistant.summary_job import SummaryJob, run_summary_job
from assistant.summary_schema import SummaryRecord

__all__ = ["LoopLockTurns", "ModelTurns", "SummaryStopped", "TurnTakingEngine"]


class SummaryStopped(Exception):
    """The summary job was asked to stop; it left before the next document."""


class ModelTurns(Protocol):
    """Turns at the model, shared with other work.

    Contract: ``turn()`` blocks until the model is this caller's, holds it for the ``with``
    block and gives it back afterwards (also on an exception); it raises
    :class:`SummaryStopped` instead of (or right after) getting the model once the job is to
    stop, never holding the model then.
    """

    def turn(self) -> AbstractContextManager[None]: ...


class TurnTakingEngine:
    """The batch engine of the app: one document at a time, each in a turn of ``turns``
    (see the module docstring); an ``Engine`` of :mod:`assistant.usecases.summarize_batch`."""

    def __init__(self, summarizer: Summarizer, turns: ModelTurns) -> None:
        self.summarizer = summarizer
        self.turns = turns

    @property
    def model(self) -> str:
        return self.summarizer.model

    def run(self, jobs: Iterable[SummaryJob], prompt_version: str) -> Iterator[SummaryRecord]:
        for job in jobs:
            with self.turns.turn():
                record = run_summary_job(self.summarizer, job, prompt_version)
            yield record


class LoopLockTurns:
    """Turns of ``lock``, an ``asyncio.Lock`` of ``loop``, taken from another thread."""

    def __init__(self, lock: asyncio.Lock, loop: asyncio.AbstractEventLoop) -> None:
        self.lock = lock
        self.loop = loop
        self.stopped = False
        self._waiting: asyncio.Task[object] | None = None

    def stop(self) -> None:
        """Leave at the next document; withdraw a waiting turn. Call it in the loop."""
        self.stopped = True
        if self._waiting is not None:
            self._waiting.cancel()

    async def _acquire(self) -> bool:
        """In the loop: the lock, or False when stopped (then the lock is not held)."""
        self._waiting = asyncio.current_task()
        try:
            await self.lock.acquire()
        except asyncio.CancelledError:
            return False
        finally:
            self._waiting = None
        if self.stopped:
            self.lock.release()
            return False
        return True

    @contextmanager
    def turn(self) -> Iterator[None]:
        if self.stopped:
            raise SummaryStopped
        try:
            got = asyncio.run_coroutine_threadsafe(self._acquire(), self.loop).result()
        except concurrent.futures.CancelledError:  # withdrawn before it started
            got = False
        if not got:
            raise SummaryStopped
        try:
            if self.stopped:
                raise SummaryStopped
            yield
        finally:
            with contextlib.suppress(RuntimeError):  # the loop is gone: nobody waits
                self.loop.call_soon_threadsafe(self.lock.release)
