"""Drafts as jobs: queue, log, re-attaching, cancelling, recording (fast, a scripted streamer).

The real drafting service over HTTP with the bundled model is tested in tests/api (llm, slow).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from assistant.draft_events import (
    DraftDone,
    DraftEvent,
    RetrievalDone,
    SectionDone,
    SectionStarted,
    TokenEvent,
    ValidationDone,
)
from assistant.draft_jobs import DRAFT_CANCELLED, DraftJobs, QueueFull
from assistant.ports import LLMError
from assistant.schema import Draft, DraftRequest, ValidationReport

REQUEST = DraftRequest(betreff="Neue Satzung", gremium="Rat", fakten="- Satzung ist alt")


@dataclass
class Streamer:
    """Yields a short drafting stream; waits on ``gate`` before the end when given."""

    gate: asyncio.Event | None = None
    fail: Exception | None = None
    started: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)

    async def stream(
        self,
        request: DraftRequest,
        *,
        exclude_ids: Collection[str] = (),
        allow_nonpublic: bool = False,
        tokens: bool = True,
    ) -> AsyncIterator[DraftEvent]:
        self.started.append(request.betreff)
        try:
            yield RetrievalDone(citations=[])
            yield SectionStarted(section="sachdarstellung")
            yield TokenEvent(section="sachdarstellung", text="Die Satzung ist alt.")
            if self.gate is not None:
                await self.gate.wait()
            if self.fail is not None:
                raise self.fail
            yield SectionDone(section="sachdarstellung", text="Die Satzung ist alt.")
            yield ValidationDone(report=ValidationReport(ok=True))
            report = ValidationReport(ok=True)
            yield DraftDone(
                draft=Draft(
                    request=request, sachdarstellung="Die Satzung ist alt.", validation=report
                )
            )
        finally:
            self.closed.append(request.betreff)


@dataclass
class Recorder:
    """The part of the DraftArchive port a job uses, recording the calls (the real archive,
    SQLite, is used in ``test_jobs_are_kept_in_the_real_archive``)."""

    calls: list[tuple[Any, ...]] = field(default_factory=list)

    def create(self, request: DraftRequest, actor: str, *, model: str = "") -> str:
        self.calls.append(("create", actor))
        return f"id{len(self.calls)}"

    def set_status(self, draft_id: str, status: str, error: str | None = None) -> bool:
        self.calls.append(("set_status", draft_id, status, error))
        return True

    def add_version(
        self, draft_id: str, draft: Draft, actor: str, source: str, *, public_ids: Any = ()
    ) -> int:
        self.calls.append(("add_version", draft_id, actor, source))
        return 1


async def _all(jobs: DraftJobs, job_id: str, after: int = 0) -> list[Any]:
    job = jobs.get(job_id, allow_nonpublic=True)
    assert job is not None
    return [event async for event in job.follow(after)]


def test_a_job_runs_to_the_end_and_is_recorded() -> None:
    async def run() -> None:
        recorder = Recorder()
        jobs = DraftJobs(Streamer(), recorder)  # type: ignore[arg-type]
        job = await jobs.start(REQUEST, actor="schluessel-a")
        assert job.id == "id1"  # the archive's id
        events = await _all(jobs, job.id)
        assert [e.type for e in events] == [
            "queued",
            "retrieval",
            "section_started",
            "token",
            "section_done",
            "validation",
            "done",
        ]
        assert [e.seq for e in events] == list(range(1, 8))
        assert events[0].data == {"id": job.id, "position": 1}
        assert events[-1].data["draft"]["sachdarstellung"] == "Die Satzung ist alt."
        assert job.status == "done" and job.draft is not None
        assert recorder.calls == [
            ("create", "schluessel-a"),
            ("set_status", "id1", "running", None),
            ("add_version", "id1", "schluessel-a", "generated"),
            ("set_status", "id1", "done", None),
        ]

    asyncio.run(run())


def test_a_client_that_leaves_does_not_stop_the_job_and_can_resume() -> None:
    async def run() -> None:
        gate = asyncio.Event()
        jobs = DraftJobs(Streamer(gate=gate))
        job = await jobs.start(REQUEST, actor="a")
        seen = []
        async for event in job.follow():
            seen.append(event)
            if event.type == "token":
                break  # the client goes away mid-stream
        gate.set()
        rest = await _all(jobs, job.id, after=seen[-1].seq)  # Last-Event-ID
        assert [e.type for e in rest] == ["section_done", "validation", "done"]
        assert rest[0].seq == seen[-1].seq + 1
        assert job.status == "done"

    asyncio.run(run())


def test_cancel_stops_the_stream_and_records_it() -> None:
    async def run() -> None:
        gate = asyncio.Event()
        streamer, recorder = Streamer(gate=gate), Recorder()
        jobs = DraftJobs(streamer, recorder)  # type: ignore[arg-type]
        job = await jobs.start(REQUEST, actor="a")
        while not any(e.type == "token" for e in job.log):
            await asyncio.sleep(0)
        assert await jobs.cancel(job.id)
        assert streamer.closed == ["Neue Satzung"]  # the drafting stream was closed
        events = await _all(jobs, job.id)
        assert events[-1].type == "cancelled"
        assert events[-1].data["message"] == DRAFT_CANCELLED
        assert job.status == "cancelled"
        assert ("set_status", job.id, "cancelled", DRAFT_CANCELLED) in recorder.calls
        assert not await jobs.cancel(job.id)  # already ended

    asyncio.run(run())


def test_the_queue_is_bounded_and_reports_positions() -> None:
    async def run() -> None:
        gate = asyncio.Event()
        jobs = DraftJobs(Streamer(gate=gate), queue_size=2)
        first = await jobs.start(REQUEST, actor="a")
        while first.status != "running":
            await asyncio.sleep(0)
        second = await jobs.start(REQUEST, actor="b")
        third = await jobs.start(REQUEST, actor="c")
        assert jobs.position(second.id) == 1 and jobs.position(third.id) == 2
        with pytest.raises(QueueFull) as refused:
            await jobs.start(REQUEST, actor="d")
        assert "zu viele Entwürfe" in str(refused.value) and refused.value.retry_after_s > 0
        assert await jobs.cancel(second.id)  # a waiting job can be cancelled, too
        assert jobs.position(third.id) == 1
        assert third.log[-1].type == "queued" and third.log[-1].data["position"] == 1
        gate.set()
        await _all(jobs, third.id)
        assert {first.status, third.status} == {"done"}

    asyncio.run(run())


def test_a_model_failure_ends_the_job_with_the_german_message() -> None:
    async def run() -> None:
        gate = asyncio.Event()
        gate.set()
        jobs = DraftJobs(Streamer(gate=gate, fail=LLMError("Das Sprachmodell ist abgebrochen.")))
        job = await jobs.start(REQUEST, actor="a")
        events = await _all(jobs, job.id)
        assert events[-1].type == "error"
        assert events[-1].data["message"] == "Das Sprachmodell ist abgebrochen."
        assert job.status == "failed"
        # the next job works
        jobs.drafting = Streamer()
        assert (await _all(jobs, (await jobs.start(REQUEST, actor="a")).id))[-1].type == "done"

    asyncio.run(run())


def test_a_job_with_nonpublic_sources_is_hidden_from_callers_without_the_right() -> None:
    async def run() -> None:
        jobs = DraftJobs(Streamer())
        job = await jobs.start(REQUEST, actor="a", allow_nonpublic=True)
        assert jobs.get(job.id) is None
        assert jobs.get(job.id, allow_nonpublic=True) is job
        await _all(jobs, job.id)

    asyncio.run(run())


def test_finished_jobs_are_forgotten_after_keep_s() -> None:
    async def run() -> None:
        now = [1000.0]
        jobs = DraftJobs(Streamer(), keep_s=10, clock=lambda: now[0])
        job = await jobs.start(REQUEST, actor="a")
        await _all(jobs, job.id)
        now[0] += 11
        await jobs.start(REQUEST, actor="a")
        assert jobs.get(job.id) is None

    asyncio.run(run())


def test_jobs_are_kept_in_the_real_archive(tmp_path: Path) -> None:
    from storage import open_archive, sqlite_url

    archive = open_archive(sqlite_url(tmp_path / "vorlagen.db"))

    async def run() -> str:
        jobs = DraftJobs(Streamer(), archive)
        job = await jobs.start(REQUEST, actor="schluessel-a")
        await _all(jobs, job.id)
        return job.id

    job_id = asyncio.run(run())
    record = archive.get(job_id, allow_nonpublic=False)
    assert record is not None and record.status == "done"
    assert record.latest is not None and record.latest.number == 1
