"""``vorlagen summarize``: summaries of many documents, resumable (issue 13; docs/summaries.md).

:func:`summarize_documents` takes documents (``ingest.documents.Document``: files, OParl papers,
the Vorlagen of a store), an engine that runs :func:`assistant.summary_job.run_summary_job`
(:class:`LocalEngine` here, ``RayEngine`` in :mod:`assistant.usecases.summarize_ray`) and the
summaries file (:class:`SummaryLog`), and:

1. under the file's lock, reads what is done: a document whose latest record is a summary for
   the same content hash and prompt version is skipped (no model call);
2. parses the rest one by one and hands them to the engine as jobs (lazily: at most a few per
   worker are waiting); a document that cannot be read, or is older than ``since``, gets a
   record ``uebersprungen`` with its reason; beyond ``limit`` jobs a document is left alone;
3. appends each record as it comes back (``fsync``: an interrupted run keeps every finished
   record and continues with the rest), reports progress with an estimate of the time left;
4. at the end rewrites the file with one record per document.

A failing document never stops the run: its record says ``fehlgeschlagen`` and why.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from assistant.presenter_summaries import not_in_limit, not_in_since, parse_failed
from assistant.summarize import Summarizer
from assistant.summary_job import SummaryJob, run_summary_job, skipped_record
from assistant.summary_schema import SummaryRecord
from assistant.usecases.summary_log import SummaryLog
from ingest.documents import Document
from ingest.errors import IngestError
from ingest.results import Failure

__all__ = [
    "BatchOptions",
    "BatchProgress",
    "BatchResult",
    "Engine",
    "LocalEngine",
    "summarize_documents",
]


class Engine(Protocol):
    """Runs summary jobs and yields their records as they finish (in any order).

    Contract: one record per job, whatever happens to the document (the per-document function
    never raises); consuming lazily from ``jobs`` so that memory stays bounded; ``model`` is
    the chat model's name; a ``BackendError`` only when the engine itself cannot work.
    """

    @property
    def model(self) -> str: ...

    def run(self, jobs: Iterable[SummaryJob], prompt_version: str) -> Iterator[SummaryRecord]: ...


class LocalEngine:
    """``workers`` threads in this process, sharing one summarizer (and chat model)."""

    def __init__(self, summarizer: Summarizer, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.summarizer = summarizer
        self.workers = workers

    @property
    def model(self) -> str:
        return self.summarizer.model

    def run(self, jobs: Iterable[SummaryJob], prompt_version: str) -> Iterator[SummaryRecord]:
        pool = ThreadPoolExecutor(self.workers, thread_name_prefix="summary")
        pending: set[Future[SummaryRecord]] = set()
        try:
            for job in jobs:
                pending.add(pool.submit(run_summary_job, self.summarizer, job, prompt_version))
                while len(pending) >= self.workers:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    yield from (future.result() for future in finished)
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (future.result() for future in finished)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class BatchOptions:
    """``limit``: at most this many documents summarised in this run; ``since``: only
    Vorlagen dated on or after this day."""

    limit: int | None = None
    since: date | None = None


@dataclass(frozen=True)
class BatchProgress:
    """Reported after each document of the run: documents handled, of all, the counts so far
    (by status, and ``erledigt`` for documents done before), the estimated time left, and the
    model calls so far."""

    done: int
    total: int
    counts: dict[str, int]
    elapsed_s: float
    eta_s: float | None
    model_calls: int = 0


@dataclass
class BatchResult:
    """What a run did: counts by status (``erledigt``: already done), the model calls made, the
    seconds, and every record of the summaries file (one per document) afterwards."""

    counts: Counter[str] = field(default_factory=Counter)
    model_calls: int = 0
    seconds: float = 0.0
    records: list[SummaryRecord] = field(default_factory=list)
    unreadable_lines: int = 0


_NOT_RUN = ("uebersprungen", "unlesbar")


@dataclass
class _Run:
    total: int
    todo: int
    progress: Callable[[BatchProgress], None] | None
    result: BatchResult = field(default_factory=BatchResult)
    done: int = 0
    summarised: int = 0
    started: float = field(default_factory=time.monotonic)

    def count(self, record: SummaryRecord | None, status: str | None = None) -> None:
        key = status or (record.status if record is not None else "erledigt")
        self.result.counts[key] += 1
        self.done += 1
        if record is not None and record.model_calls:
            self.result.model_calls += record.model_calls
        if status is None and record is not None and record.status not in _NOT_RUN:
            self.summarised += 1
        self.report()

    def report(self) -> None:
        if self.progress is None:
            return
        elapsed = time.monotonic() - self.started
        eta = None
        if self.summarised:
            eta = elapsed / self.summarised * max(0, self.todo - self.summarised)
        counts = dict(self.result.counts)
        calls = self.result.model_calls
        self.progress(BatchProgress(self.done, self.total, counts, elapsed, eta, calls))


def summarize_documents(
    documents: Sequence[Document],
    log: SummaryLog,
    engine: Engine,
    prompt_version: str,
    *,
    options: BatchOptions | None = None,
    progress: Callable[[BatchProgress], None] | None = None,
    missing: Sequence[Failure] = (),
) -> BatchResult:
    """Summarise ``documents`` into ``log`` with ``engine`` (see the module docstring);
    ``missing``: sources that were not found, recorded as skipped with their reason.

    Raises:
        SummaryLogLockedError: another run writes into the same file.
        BackendError: the engine cannot work (e.g. Ray cannot start).
    """
    options = options or BatchOptions()
    with log.lock():
        latest = log.latest()
        todo, done = _split(documents, latest, prompt_version)
        limit = len(todo) if options.limit is None else min(options.limit, len(todo))
        run = _Run(total=len(documents) + len(missing), todo=limit, progress=progress)
        run.result.unreadable_lines = log.skipped_lines
        for failure in missing:
            record = skipped_record(
                failure.key, "", prompt_version, failure.reason, status="unlesbar"
            )
            _skip(log, run, record)
        for _ in done:
            run.count(None, "erledigt")
        jobs = _jobs(todo[:limit], options, prompt_version, log, run)
        try:
            for record in engine.run(jobs, prompt_version):
                log.append(record)
                run.count(record)
        finally:
            _left_out(todo[limit:], latest, options, prompt_version, log, run)
            run.result.records = list(log.latest().values())
            log.compact(run.result.records)
    run.result.seconds = time.monotonic() - run.started
    return run.result


def _split(
    documents: Sequence[Document], latest: dict[str, SummaryRecord], version: str
) -> tuple[list[tuple[Document, str]], list[Document]]:
    """(documents to summarise with their content hash, documents already done)."""
    todo: list[tuple[Document, str]] = []
    done: list[Document] = []
    for document in documents:
        try:
            content_hash = document.content_hash()
        except IngestError as err:
            todo.append((document, f"!{err}"))
            continue
        previous = latest.get(document.key)
        if previous and previous.summarised and previous.key() == (content_hash, version):
            done.append(document)
        else:
            todo.append((document, content_hash))
    return todo, done


def _jobs(
    todo: list[tuple[Document, str]],
    options: BatchOptions,
    version: str,
    log: SummaryLog,
    run: _Run,
) -> Iterator[SummaryJob]:
    """The jobs, parsed lazily; unreadable and too old documents are recorded as skipped."""
    for document, content_hash in todo:
        if content_hash.startswith("!"):
            record = skipped_record(document.key, "", version, content_hash[1:], status="unlesbar")
            _skip(log, run, record)
            continue
        try:
            vorlage = document.parse()
        except IngestError as err:
            reason = parse_failed(str(err))
            _skip(
                log,
                run,
                skipped_record(document.key, content_hash, version, reason, status="unlesbar"),
            )
            continue
        since = options.since
        if since is not None and (vorlage.datum is None or vorlage.datum < since):
            reason = not_in_since(since.strftime("%d.%m.%Y"))
            _skip(log, run, skipped_record(document.key, content_hash, version, reason, vorlage))
            continue
        yield SummaryJob(document.key, content_hash, vorlage)


def _skip(log: SummaryLog, run: _Run, record: SummaryRecord) -> None:
    log.append(record)
    run.count(record)


def _left_out(
    rest: list[tuple[Document, str]],
    latest: dict[str, SummaryRecord],
    options: BatchOptions,
    version: str,
    log: SummaryLog,
    run: _Run,
) -> None:
    """Documents beyond ``limit``: recorded as skipped unless an earlier record exists."""
    for document, content_hash in rest:
        if document.key not in latest and options.limit is not None:
            hash_ = "" if content_hash.startswith("!") else content_hash
            log.append(skipped_record(document.key, hash_, version, not_in_limit(options.limit)))
        run.count(None, "nicht_bearbeitet")
