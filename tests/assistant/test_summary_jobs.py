"""The archive's summary jobs and their record (assistant/usecases/summary_jobs.py,
summary_job_saver.py): what is written when, re-attaching, a restart, the service's stop.

The batch is a scripted ``work`` function (the real batch runs in tests/api/test_api_summaries
.py); the record is the real ``SqlSummaryJobStore`` on a SQLite file."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assistant.ports import ArchiveError
from assistant.ports_summary_jobs import SummaryJobState
from assistant.usecases.summarize_batch import BatchOptions, BatchProgress, BatchResult
from assistant.usecases.summarize_turns import ModelTurns
from assistant.usecases.summary_job_saver import StateSaver
from assistant.usecases.summary_jobs import SummaryBusy, SummaryJobs, SummaryRun
from storage import SqlSummaryJobStore, open_archive, sqlite_url

TOTAL = 6


@dataclass
class CountingStore:
    """The real store, counting its writes; ``broken`` makes ``save`` fail like a lost
    database."""

    store: SqlSummaryJobStore
    writes: list[SummaryJobState] = field(default_factory=list)
    broken: bool = False

    def save(self, state: SummaryJobState) -> None:
        if self.broken:
            raise ArchiveError("Die Entwurfsdatenbank hat die Anfrage nicht ausgeführt (Test).")
        self.store.save(state)
        self.writes.append(state)

    def get(self, job_id: str) -> SummaryJobState | None:
        return self.store.get(job_id)

    def recent(self, *, allow_nonpublic: bool, limit: int = 10) -> list[SummaryJobState]:
        return self.store.recent(allow_nonpublic=allow_nonpublic, limit=limit)

    def unfinished(self) -> list[SummaryJobState]:
        return self.store.unfinished()


@dataclass
class Batch:
    """A batch of ``TOTAL`` documents: each takes a model turn, then reports; after
    ``pause_after`` documents it waits for ``go``."""

    pause_after: int = TOTAL
    go: threading.Event = field(default_factory=threading.Event)
    paused: threading.Event = field(default_factory=threading.Event)

    def __call__(
        self,
        options: BatchOptions,
        allow_nonpublic: bool,
        turns: ModelTurns,
        progress: Callable[[BatchProgress], None],
    ) -> BatchResult:
        result = BatchResult()
        for done in range(1, TOTAL + 1):
            if done > self.pause_after:
                self.paused.set()
                assert self.go.wait(10), "the test never let the batch go on"
            with turns.turn():
                result.counts["ok"] += 1
                result.model_calls += 2
            progress(BatchProgress(done, TOTAL, dict(result.counts), 0.1, 1.0, result.model_calls))
        return result


@pytest.fixture
def record(tmp_path: Path) -> Iterator[CountingStore]:
    archive = open_archive(sqlite_url(tmp_path / "vorlagen.db"))
    try:
        yield CountingStore(SqlSummaryJobStore(archive.engine))
    finally:
        archive.close()


async def _until(condition: Callable[[], bool], timeout_s: float = 10) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def _finish(run: SummaryRun) -> list[str]:
    return [event.type async for event in run.follow()]


def test_a_job_is_recorded_at_start_and_end_not_per_document(record: CountingStore) -> None:
    async def scenario() -> None:
        jobs = SummaryJobs(Batch(), asyncio.Lock(), record, save_every_s=3600)
        run = await jobs.start(actor="admin", allow_nonpublic=False, options=BatchOptions(limit=9))
        assert record.get(run.id) is not None  # written before start() returns
        assert await _finish(run) == ["started", *["progress"] * TOTAL, "done"]
        await _until(lambda: len(record.writes) == 2)
        stored = record.get(run.id)
        assert stored is not None and stored.status == "done" and stored.limit == 9
        assert (stored.done, stored.total, stored.counts, stored.model_calls) == (
            TOTAL,
            TOTAL,
            {"ok": TOTAL},
            2 * TOTAL,
        )
        assert stored.message == "Archiv zusammengefasst: 6 geprüft (12 Modellaufrufe)."
        assert stored.ended_at is not None and stored.ended_at >= stored.created_at
        await asyncio.sleep(0.05)
        assert len(record.writes) == 2  # the throttled write was dropped: the end wrote

    asyncio.run(scenario())


def test_progress_is_written_once_the_interval_has_passed(record: CountingStore) -> None:
    async def scenario() -> None:
        batch = Batch(pause_after=3)
        jobs = SummaryJobs(batch, asyncio.Lock(), record, save_every_s=0.2)
        run = await jobs.start(actor="admin", allow_nonpublic=False, options=BatchOptions())
        await _until(batch.paused.is_set)
        # three documents within far less than 0.2 s: one trailing write takes the newest
        await _until(lambda: (s := record.get(run.id)) is not None and s.done == 3)
        stored = record.get(run.id)
        assert stored is not None and stored.status == "running" and stored.model_calls == 6
        assert 2 <= len(record.writes) <= 3
        batch.go.set()
        await _finish(run)

    asyncio.run(scenario())


def test_a_failing_progress_write_does_not_stop_the_job(record: CountingStore) -> None:
    async def scenario() -> None:
        batch = Batch(pause_after=2)
        jobs = SummaryJobs(batch, asyncio.Lock(), record, save_every_s=0)
        run = await jobs.start(actor="admin", allow_nonpublic=False, options=BatchOptions())
        record.broken = True
        await _until(batch.paused.is_set)
        await asyncio.sleep(0.05)
        record.broken = False
        batch.go.set()
        assert (await _finish(run))[-1] == "done"
        await _until(lambda: (s := record.get(run.id)) is not None and s.status == "done")

    asyncio.run(scenario())


def test_a_job_that_cannot_be_recorded_does_not_start(record: CountingStore) -> None:
    async def scenario() -> None:
        jobs = SummaryJobs(Batch(), asyncio.Lock(), record)
        record.broken = True
        with pytest.raises(ArchiveError):
            await jobs.start(actor="admin", allow_nonpublic=False, options=BatchOptions())
        record.broken = False
        run = await jobs.start(actor="admin", allow_nonpublic=False, options=BatchOptions())
        assert (await _finish(run))[-1] == "done"

    asyncio.run(scenario())


def test_recent_finds_the_running_job_with_its_events(record: CountingStore) -> None:
    async def scenario() -> None:
        old = SummaryJobs(Batch(), asyncio.Lock(), record)
        first = await old.start(actor="admin", allow_nonpublic=False, options=BatchOptions())
        await _finish(first)
        secret = await old.start(actor="archiv", allow_nonpublic=True, options=BatchOptions())
        await _finish(secret)

        batch = Batch(pause_after=2)
        jobs = SummaryJobs(batch, asyncio.Lock(), record)  # another app, the same database
        running = await jobs.start(actor="admin", allow_nonpublic=False, options=BatchOptions())
        await _until(batch.paused.is_set)
        with pytest.raises(SummaryBusy):
            await jobs.start(actor="admin", allow_nonpublic=False, options=BatchOptions())
        seen = await jobs.recent(allow_nonpublic=False)
        assert [run.id for run in seen] == [running.id, first.id]
        assert seen[0] is running and seen[0].status == "running" and len(seen[0].log) == 3
        assert seen[1].restored and seen[1].status == "done"
        everything = await jobs.recent(allow_nonpublic=True, limit=2)
        assert [run.id for run in everything] == [running.id, secret.id]
        assert await jobs.find(secret.id, allow_nonpublic=False) is None
        # following from the last event seen gives only what comes after it
        batch.go.set()
        after = [e.seq async for e in running.follow(len(seen[0].log))]
        assert after == list(range(4, 3 + TOTAL - 2 + 2))

    asyncio.run(scenario())


def test_a_recorded_job_gives_its_final_event_to_every_follower(record: CountingStore) -> None:
    async def scenario() -> None:
        old = SummaryJobs(Batch(), asyncio.Lock(), record)
        run = await old.start(actor="admin", allow_nonpublic=False, options=BatchOptions())
        await _finish(run)
        await _until(lambda: (s := record.get(run.id)) is not None and s.finished)

        jobs = SummaryJobs(Batch(), asyncio.Lock(), record)  # after a restart
        known = await jobs.find(run.id)
        assert known is not None and known.restored and known.status == "done"
        assert known.progress is not None and known.progress.done == TOTAL
        events = [event async for event in known.follow(57)]  # resumed after a restart
        assert [(e.seq, e.type) for e in events] == [(58, "done")]
        assert events[0].data["ok"] == TOTAL and events[0].data["model_calls"] == 2 * TOTAL
        assert [e.seq async for e in known.follow()] == [1]
        assert await jobs.find("0" * 32) is None

    asyncio.run(scenario())


def test_recover_marks_jobs_left_running_as_interrupted(record: CountingStore) -> None:
    started = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    left = SummaryJobState(
        id="a" * 32,
        created_by="admin",
        allow_nonpublic=False,
        status="stopping",
        done=5,
        total=9,
        created_at=started,
    )
    early = left.model_copy(update={"id": "b" * 32, "status": "running", "done": 0, "total": None})
    record.save(left)
    record.save(early)
    jobs = SummaryJobs(Batch(), asyncio.Lock(), record)
    assert jobs.recover() == 2
    assert jobs.recover() == 0
    stored = record.get(left.id)
    assert stored is not None and stored.status == "interrupted" and stored.ended_at is not None
    assert stored.message == (
        "Der Lauf wurde durch einen Neustart des Dienstes unterbrochen, nach 5 von 9 Vorlagen. "
        "Ein neuer Lauf setzt dort fort; Erledigtes wird nicht noch einmal zusammengefasst."
    )
    other = record.get(early.id)
    assert other is not None and "bevor die erste Vorlage bearbeitet war" in str(other.message)


def test_the_services_stop_interrupts_a_running_job(record: CountingStore) -> None:
    async def scenario() -> None:
        batch = Batch(pause_after=2)
        jobs = SummaryJobs(batch, asyncio.Lock(), record, save_every_s=3600)
        run = await jobs.start(actor="admin", allow_nonpublic=False, options=BatchOptions())
        await _until(batch.paused.is_set)
        stopping = asyncio.create_task(jobs.shutdown())
        await asyncio.sleep(0.02)
        batch.go.set()  # the next document's turn is refused: the job stops
        await stopping
        assert run.status == "interrupted" and run.log[-1].type == "interrupted"
        stored = record.get(run.id)
        assert stored is not None and stored.status == "interrupted"
        assert "nach 2 von 6 Vorlagen" in str(stored.message)

    asyncio.run(scenario())


def test_a_cancelled_job_is_recorded_as_cancelled(record: CountingStore) -> None:
    async def scenario() -> None:
        batch = Batch(pause_after=1)
        jobs = SummaryJobs(batch, asyncio.Lock(), record, save_every_s=3600)
        run = await jobs.start(actor="admin", allow_nonpublic=False, options=BatchOptions())
        await _until(batch.paused.is_set)
        assert jobs.cancel(run.id)
        batch.go.set()
        assert (await _finish(run))[-1] == "cancelled"
        await _until(lambda: (s := record.get(run.id)) is not None and s.finished)
        stored = record.get(run.id)
        assert stored is not None and stored.status == "cancelled" and stored.done == 1
        assert not jobs.cancel(run.id)

    asyncio.run(scenario())


def test_the_saver_writes_the_newest_state_one_write_at_a_time() -> None:
    async def scenario() -> None:
        written: list[int] = []
        busy = threading.Lock()
        state = [0]

        def write(value: int) -> None:
            assert busy.acquire(blocking=False), "two writes at once"
            try:
                written.append(value)
            finally:
                busy.release()

        saver = StateSaver(write, lambda: state[0], every_s=0.1)
        await saver.now()
        for value in range(1, 20):
            state[0] = value
            saver.soon()
        await asyncio.sleep(0.3)
        assert written == [0, 19]
        state[0] = 20
        saver.soon()
        await saver.now()
        assert written == [0, 19, 20]
        with pytest.raises(ValueError):
            StateSaver(write, lambda: 0, every_s=-1)

    asyncio.run(scenario())
