"""One section of a stored draft written again (issue 11): the drafting service's rewrite, the
revision jobs and the use case (fast: scripted model, in-memory archive fakes)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from assistant.draft_events import DraftDone, DraftEvent, Section, SectionDone
from assistant.draft_jobs import DraftJobs, JobBusy
from assistant.ports import DraftRecord
from assistant.schema import Draft
from assistant.usecases.rewrite import MissingDraft, start_rewrite
from tests.assistant.test_draft_jobs import REQUEST, Recorder, Streamer
from tests.assistant.test_drafting import (
    BESCHLUSS,
    GOOD,
    SACH,
    ScriptedChat,
    _request,
    _resolution,
    _service,
)

EDITED_SACH = "Das Konzept wurde 2019 beschlossen; die Fortschreibung kostet 12.000 Euro."


def _base() -> Draft:
    draft = _service(ScriptedChat(list(GOOD))).draft(_request())
    return draft.model_copy(
        update={"sachdarstellung": EDITED_SACH, "finanzielle_auswirkungen": "Keine Angabe."}
    )


def _rewrite(chat: ScriptedChat, base: Draft, section: Section) -> list[DraftEvent]:
    async def run() -> list[DraftEvent]:
        return [event async for event in _service(chat).rewrite(base, section)]

    return asyncio.run(run())


def test_the_resolution_is_written_again_and_the_clerks_text_kept() -> None:
    base = _base()
    chat = ScriptedChat([_resolution("die Umsetzung des Integrationskonzeptes")])
    events = _rewrite(chat, base, "beschlussvorschlag")
    assert [e.type for e in events] == [
        "retrieval",
        "section_done",
        "section_started",
        "token",
        "section_done",
        "validation",
        "draft",
    ]
    kept = events[1]
    assert isinstance(kept, SectionDone) and kept.section == "sachdarstellung"
    done = events[-1]
    assert isinstance(done, DraftDone)
    draft = done.draft
    assert draft.sachdarstellung == EDITED_SACH  # no quote markers added to a clerk's text
    assert draft.finanzielle_auswirkungen == "Keine Angabe."
    assert draft.citations == base.citations
    assert draft.beschlussvorschlag == (
        "Der Gemeinderat beschließt die Umsetzung des Integrationskonzeptes."
    )
    assert draft.validation is not None
    assert len(chat.calls) == 1  # the resolution only, no paragraph


def test_the_sachdarstellung_is_written_again_from_the_request() -> None:
    base = _base().model_copy(update={"beschlussvorschlag": BESCHLUSS + " Geändert."})
    chat = ScriptedChat(list(GOOD[:3]))
    events = _rewrite(chat, base, "sachdarstellung")
    done = events[-1]
    assert isinstance(done, DraftDone)
    assert done.draft.sachdarstellung.startswith(SACH.split("\n\n")[0])
    assert done.draft.beschlussvorschlag == BESCHLUSS + " Geändert."
    assert len(chat.calls) == 3 and chat.answers == []


class RewriteStreamer(Streamer):
    async def rewrite(self, base: Draft, section: Section) -> AsyncIterator[DraftEvent]:
        async for event in self.stream(base.request):
            yield event


class Archive(Recorder):
    def __init__(self, draft: Draft | None) -> None:
        super().__init__()
        self.draft = draft
        self.audits: list[tuple[Any, ...]] = []

    def get(self, draft_id: str, *, allow_nonpublic: bool) -> DraftRecord | None:
        if self.draft is None:
            return None
        return _record(draft_id, self.draft)

    def audit(self, actor: str, action: str, ids: Any, sources: Any) -> None:
        self.audits.append((actor, action, tuple(ids)))


def _record(draft_id: str, draft: Draft) -> DraftRecord:
    from datetime import UTC, datetime

    from assistant.ports import DraftVersion

    now = datetime.now(UTC)
    version = DraftVersion(
        draft_id=draft_id,
        number=1,
        created_at=now,
        created_by="alice",
        source="generated",
        draft=draft,
        validation_ok=True,
        errors=0,
        warnings=0,
    )
    return DraftRecord(
        id=draft_id,
        created_at=now,
        updated_at=now,
        created_by="alice",
        status="done",
        error=None,
        model="fake",
        request=draft.request,
        citations=[],
        nonpublic=False,
        versions=1,
        latest=version,
    )


def test_a_rewrite_is_queued_recorded_as_rewritten_and_leaves_the_status() -> None:
    async def run() -> None:
        base = Draft(request=REQUEST, sachdarstellung="Alt.")
        archive = Archive(base)
        gate = asyncio.Event()
        streamer = RewriteStreamer(gate=gate)
        jobs = DraftJobs(streamer, archive)  # type: ignore[arg-type]
        job = await start_rewrite(
            jobs, archive, streamer, "d1", "sachdarstellung", actor="bob", allow_nonpublic=False
        )
        assert job.id == "d1" and job.source == "rewritten"
        with pytest.raises(JobBusy):
            await jobs.start_revision(
                "d1", REQUEST, lambda: streamer.stream(REQUEST), actor="bob",
                allow_nonpublic=False, source="rewritten",
            )  # fmt: skip
        gate.set()
        events = [event async for event in job.follow()]
        assert events[-1].type == "done" and job.status == "done"
        assert archive.calls == [("add_version", "d1", "bob", "rewritten")]
        assert archive.audits == [("bob", "draft", ("d1",))]

    asyncio.run(run())


def test_a_failed_rewrite_leaves_the_stored_draft_alone() -> None:
    async def run() -> None:
        archive = Archive(Draft(request=REQUEST))
        streamer = RewriteStreamer(fail=RuntimeError("kaputt"))
        jobs = DraftJobs(streamer, archive)  # type: ignore[arg-type]
        job = await start_rewrite(
            jobs, archive, streamer, "d1", "beschlussvorschlag", actor="bob", allow_nonpublic=False
        )
        events = [event async for event in job.follow()]
        assert events[-1].type == "error" and job.status == "failed"
        assert archive.calls == []  # neither a version nor a status

    asyncio.run(run())


def test_a_missing_or_hidden_draft_is_not_rewritten() -> None:
    async def run() -> None:
        archive = Archive(None)
        streamer = RewriteStreamer()
        jobs = DraftJobs(streamer, archive)  # type: ignore[arg-type]
        with pytest.raises(MissingDraft, match="gibt es nicht"):
            await start_rewrite(
                jobs, archive, streamer, "x", "sachdarstellung", actor="bob", allow_nonpublic=False
            )
        assert streamer.started == []

    asyncio.run(run())
