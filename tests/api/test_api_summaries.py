"""``POST /api/summaries`` (a summary job of the app's archive), its progress, cancelling, the
report (``GET /api/summaries/report``, ``GET /bericht``), a draft that runs while a summary
job runs, finding the running job again (``GET /api/summaries``) and a restart; with the
real store of ``tests/api/test_app.py`` (copied: the jobs write its summaries file), the
draft archive in SQLite, real keys, and a fake chat model that answers drafts like
``EchoChat`` and summaries like ``tests/summaries/fakes.fake_answer``."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.auth import hash_api_key, new_api_key
from assistant.ports import ChatMessage, StructuredT
from assistant.ports_summary_jobs import SummaryJobState
from assistant.usecases.summary_log import SummaryLog
from tests.api.test_app import (  # noqa: F401 (store_dir is a fixture)
    CANARY,
    REQUEST,
    EchoChat,
    Server,
    _events,
    _server,
    store_dir,
)
from tests.summaries.fakes import fake_answer

pytestmark = pytest.mark.slow  # a real store with the bundled embedder

CANARY_ID = "f" * 16
PUBLIC = 8  # the store's öffentliche Vorlagen (and the canary, nichtöffentlich)
RIGHTS = {
    "leser": [],
    "einleser": ["ingest"],
    "archivar": ["ingest", "nichtoeffentlich"],
    "vertraulich": ["nichtoeffentlich"],
}
SUMMARY_SCHEMAS = ("SummaryOut", "PartNotes")


@dataclass
class SummaryEchoChat(EchoChat):
    """Drafts as ``EchoChat``; summaries with :func:`fake_answer`. ``order`` notes each
    call (``summary`` or ``draft``); after :meth:`block`, every summary call beyond the first
    ``free_calls`` waits for :meth:`release` (so that a test can act while the model
    summarises)."""

    order: list[str] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)
    free_calls: int = 0  # summary calls that do not wait while blocked

    def __post_init__(self) -> None:
        self.released.set()

    @property
    def summary_calls(self) -> int:
        return self.order.count("summary")

    def _answer(self, messages: Sequence[ChatMessage], schema: Any = None) -> str:
        self.order.append("draft")
        return super()._answer(messages, schema)

    def generate_structured(
        self,
        messages: Sequence[ChatMessage],
        schema: type[StructuredT],
        *,
        max_tokens: int | None = None,
    ) -> StructuredT:
        if schema.__name__ not in SUMMARY_SCHEMAS:
            return super().generate_structured(messages, schema, max_tokens=max_tokens)
        self.order.append("summary")
        if self.summary_calls > self.free_calls:
            assert self.released.wait(30), "the test never released the summary call"
        return schema.model_validate_json(fake_answer(schema.__name__, messages))

    def block(self) -> None:
        self.released.clear()

    def release(self) -> None:
        self.released.set()


@pytest.fixture
def store_copy(store_dir: Path, tmp_path: Path) -> Path:  # noqa: F811
    copy = tmp_path / "store"
    shutil.copytree(store_dir, copy)
    return copy


def _keyed(store: Path, tmp_path: Path, like: Server | None = None) -> Server:
    """An app with a key per entry of ``RIGHTS``; ``like``: a restart of that app (its data
    directory, so its database, and its keys)."""
    if like is None:
        made = {name: new_api_key().key for name in RIGHTS}
        data = tmp_path / f"app-{len(list(tmp_path.glob('app-*')))}"
        data.mkdir()
    else:
        made, data = like.keys, like.services.settings.data_dir
    keys = [{"name": n, "hash": hash_api_key(made[n]), "rights": r} for n, r in RIGHTS.items()]
    built = _server(store, data, api_keys=keys, chat=SummaryEchoChat())
    built.keys = dict(made)
    return built


def _chat(server: Server) -> SummaryEchoChat:
    assert isinstance(server.chat, SummaryEchoChat)
    return server.chat


def _start(client: TestClient, server: Server, key: str, **body: Any) -> dict[str, Any]:
    answer = client.post("/api/summaries", json=body, headers=server.bearer(key))
    assert answer.status_code == 202, answer.text
    started: dict[str, Any] = answer.json()
    return started


def _follow(client: TestClient, server: Server, key: str, job: str) -> list[dict[str, Any]]:
    headers = {**server.bearer(key), "Accept": "text/event-stream"}
    answer = client.get(f"/api/summaries/{job}/events", headers=headers)
    assert answer.status_code == 200, answer.text
    return _events(answer.text)


def _until(condition: Callable[[], bool], what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _stored(store: Path) -> dict[str, str]:
    """Vorlage id -> status of the records in the store's summaries file."""
    return {
        r.vorlage_id or r.source: r.status for r in SummaryLog(store / "summaries.jsonl").read()
    }


def test_only_callers_with_the_ingest_right_start_or_see_a_job(
    store_copy: Path, tmp_path: Path
) -> None:
    server = _keyed(store_copy, tmp_path)
    with server.client() as client:
        for key in ("leser", "vertraulich"):
            refused = client.post("/api/summaries", json={}, headers=server.bearer(key))
            assert refused.status_code == 403, refused.text
            assert refused.json()["detail"] == "Dieser Zugang darf keine Vorlagen einlesen."
        assert client.post("/api/summaries", json={}).status_code == 401
        wrong = client.post("/api/summaries", json={"limit": 0}, headers=server.bearer("einleser"))
        assert wrong.status_code == 422
        job = _start(client, server, "einleser", limit=1)
        assert _follow(client, server, "einleser", job["id"])[-1]["event"] == "done"
        # a job started with the right to nichtöffentliche Vorlagen is unknown without it
        secret = _start(client, server, "archivar", limit=1)
        _follow(client, server, "archivar", secret["id"])
        for path in (f"/api/summaries/{secret['id']}", f"/api/summaries/{secret['id']}/events"):
            hidden = client.get(path, headers=server.bearer("einleser"))
            assert hidden.status_code == 404, hidden.text
        seen = client.get(f"/api/summaries/{job['id']}", headers=server.bearer("leser"))
        assert seen.status_code == 403
    assert _chat(server).summary_calls >= 2


def test_progress_resume_and_the_kurzfassung_in_search(store_copy: Path, tmp_path: Path) -> None:
    server = _keyed(store_copy, tmp_path)
    chat = _chat(server)
    with server.client() as client:
        first = _start(client, server, "einleser", limit=3)
        assert first["status"] == "running" and first["done"] == 0
        events = _follow(client, server, "einleser", first["id"])
        kinds = [e["event"] for e in events]
        assert kinds[0] == "started" and kinds[-1] == "done"
        assert [int(e["id"]) for e in events] == list(range(1, len(events) + 1))
        progress = [e["data"] for e in events if e["event"] == "progress"]
        assert [p["done"] for p in progress] == sorted(p["done"] for p in progress)
        assert progress[-1]["total"] == PUBLIC  # the canary is not the caller's to summarise
        assert progress[-1]["ok"] + progress[-1]["befunde"] == 3
        done = events[-1]["data"]
        assert done["message"].startswith("Archiv zusammengefasst: ")
        assert done["ok"] + done["befunde"] == 3 and done["skipped"] == PUBLIC - 3
        state = client.get(f"/api/summaries/{first['id']}", headers=server.bearer("einleser"))
        assert state.json()["status"] == "done" and state.json()["done"] == PUBLIC
        calls = chat.summary_calls
        assert calls >= 3 and done["model_calls"] == calls

        second = _start(client, server, "einleser")  # the rest
        rest = _follow(client, server, "einleser", second["id"])[-1]["data"]
        assert rest["ok"] + rest["befunde"] == PUBLIC - 3 and rest["skipped"] == 3
        calls = chat.summary_calls

        third = _start(client, server, "einleser")  # everything done: no model call
        again = _follow(client, server, "einleser", third["id"])[-1]["data"]
        assert again["model_calls"] == 0 and chat.summary_calls == calls
        assert again["skipped"] == PUBLIC and again["ok"] == 0

        stored = _stored(store_copy)
        assert len(stored) == PUBLIC and CANARY_ID not in stored
        assert set(stored.values()) <= {"ok", "befunde"}
        found = client.get(
            "/api/search", params={"q": "Integration", "k": 10}, headers=server.bearer("leser")
        ).json()["hits"]
        assert found and all(hit["kurzfassung"] for hit in found)
        assert all(hit["kurzfassung"].startswith("Die Vorlage behandelt ") for hit in found)


def test_the_report_shows_only_what_the_caller_may_see(store_copy: Path, tmp_path: Path) -> None:
    server = _keyed(store_copy, tmp_path)
    with server.client() as client:
        empty = client.get("/api/summaries/report", headers=server.bearer("leser"))
        assert empty.status_code == 404
        assert empty.json()["detail"].startswith("Es gibt noch keine Zusammenfassungen.")
        page = client.get("/bericht", follow_redirects=False)  # a page: login as the others
        assert page.status_code == 303 and page.headers["location"] == "/anmelden"
        local = _server(store_copy, tmp_path / "lokal", chat=SummaryEchoChat())
        with local.client() as browser:  # this machine, without the right to nichtöffentliche
            page = browser.get("/bericht")
            assert page.status_code == 200 and "Es gibt noch keine Zusammenfassungen." in page.text
        job = _start(client, server, "archivar")
        assert _follow(client, server, "archivar", job["id"])[-1]["data"]["ok"] >= 1
        assert CANARY_ID in _stored(store_copy)

        public = client.get("/api/summaries/report", headers=server.bearer("leser"))
        assert public.status_code == 200 and public.headers["content-type"].startswith("text/")
        assert "Übersicht der Zusammenfassungen" in public.text
        assert CANARY not in public.text and f"/vorlage/{CANARY_ID}" not in public.text
        assert "/vorlage/" in public.text and "file://" not in public.text
        policy = public.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "'sha256-" in policy
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        secret = client.get("/api/summaries/report", headers=server.bearer("vertraulich"))
        assert CANARY in secret.text
        with local.client() as browser:
            page = browser.get("/bericht")
        assert page.status_code == 200 and CANARY not in page.text
        assert "Nicht oder nur teilweise zusammengefasst" in page.text
        assert page.headers["content-security-policy"] == policy


def test_a_draft_started_during_a_summary_job_runs_between_its_documents(
    store_copy: Path, tmp_path: Path
) -> None:
    server = _keyed(store_copy, tmp_path)
    chat = _chat(server)
    chat.block()
    with server.client() as client:
        job = _start(client, server, "einleser", limit=3)
        _until(lambda: chat.summary_calls == 1, "the first summary call")
        busy = client.post("/api/summaries", json={}, headers=server.bearer("einleser"))
        assert busy.status_code == 409 and "gerade schon" in busy.json()["detail"]
        with client.stream(
            "POST", "/api/drafts/stream", json=REQUEST, headers=server.bearer("einleser")
        ) as stream:
            lines = stream.iter_lines()
            seen = [next(lines) for _ in range(3)]  # id, event: queued, data
            assert "event: queued" in seen, seen
            assert chat.order == ["summary"]  # the draft waits for the model
            chat.release()  # the summary's document ends; the draft has its turn next
            body = "\n".join(lines)
        drafted = _events(body)
        assert drafted[-1]["event"] == "done", drafted[-1]
        done = _follow(client, server, "einleser", job["id"])[-1]
        assert done["event"] == "done" and done["data"]["ok"] + done["data"]["befunde"] == 3
    order = chat.order
    first_draft, last_draft = order.index("draft"), len(order) - order[::-1].index("draft") - 1
    # the draft waited only for the first document, and the rest of the job waited for it
    assert set(order[:first_draft]) == {"summary"}
    assert "summary" in order[last_draft:]


def test_cancelling_keeps_the_document_being_summarised(store_copy: Path, tmp_path: Path) -> None:
    server = _keyed(store_copy, tmp_path)
    chat = _chat(server)
    chat.block()
    with server.client() as client:
        job = _start(client, server, "einleser")
        _until(lambda: chat.summary_calls == 1, "the first summary call")
        path = f"/api/summaries/{job['id']}"
        stopping = client.post(path + "/cancel", headers=server.bearer("einleser"))
        assert stopping.status_code == 200 and stopping.json()["status"] == "stopping"
        chat.release()
        events = _follow(client, server, "einleser", job["id"])
        assert events[-1]["event"] == "cancelled"
        assert events[-1]["data"]["message"].startswith("Die Zusammenfassung des Archivs wurde")
        state = client.get(path, headers=server.bearer("einleser")).json()
        assert state["status"] == "cancelled"
        # the model is free again: a draft runs
        draft = client.post("/api/drafts", json=REQUEST, headers=server.bearer("einleser"))
        assert draft.status_code == 201 and draft.json()["status"] == "done"
    assert chat.summary_calls == 1
    stored = _stored(store_copy)
    assert list(stored.values()) == ["ok"] or list(stored.values()) == ["befunde"]
    assert json.dumps(stored)


def _jobs(client: TestClient, server: Server, key: str) -> list[dict[str, Any]]:
    answer = client.get("/api/summaries", headers=server.bearer(key))
    assert answer.status_code == 200, answer.text
    jobs: list[dict[str, Any]] = answer.json()
    return jobs


def test_a_page_finds_the_running_job_and_follows_it_from_where_it_is(
    store_copy: Path, tmp_path: Path
) -> None:
    server = _keyed(store_copy, tmp_path)
    chat = _chat(server)
    with server.client() as client:
        assert _jobs(client, server, "einleser") == []
        assert client.get("/api/summaries", headers=server.bearer("leser")).status_code == 403
        secret = _start(client, server, "archivar", limit=1)
        _follow(client, server, "archivar", secret["id"])
        chat.block()
        before = chat.summary_calls
        job = _start(client, server, "einleser", limit=3)
        _until(lambda: chat.summary_calls == before + 1, "the job's first summary call")
        # another tab, another admin: the running job, with how far its events are
        running = _jobs(client, server, "einleser")
        assert [j["id"] for j in running] == [job["id"]]  # the nichtöffentliche job is hidden
        seen = running[0]
        assert seen["status"] == "running" and seen["created_by"] == "einleser"
        assert seen["limit"] == 3 and seen["ended_at"] is None and seen["events"] >= 1
        archivar = _jobs(client, server, "archivar")
        assert [j["id"] for j in archivar] == [job["id"], secret["id"]]
        assert archivar[1]["status"] == "done" and archivar[1]["created_by"] == "archivar"
        one = client.get("/api/summaries", params={"limit": 1}, headers=server.bearer("archivar"))
        assert [j["id"] for j in one.json()] == [job["id"]]
        bad = client.get("/api/summaries", params={"limit": 0}, headers=server.bearer("archivar"))
        assert bad.status_code == 422
        chat.release()
        headers = {**server.bearer("einleser"), "Accept": "text/event-stream"}
        rest = _events(
            client.get(
                f"/api/summaries/{job['id']}/events",
                params={"after": seen["events"]},
                headers=headers,
            ).text
        )
        assert int(rest[0]["id"]) == seen["events"] + 1 and rest[-1]["event"] == "done"
        last = _jobs(client, server, "einleser")[0]
        assert last["status"] == "done" and last["ended_at"] is not None
        assert last["message"].startswith("Archiv zusammengefasst: ")


def test_a_restart_interrupts_the_running_job_and_keeps_the_finished_ones(
    store_copy: Path, tmp_path: Path
) -> None:
    first = _keyed(store_copy, tmp_path)
    with first.client() as client:
        done = _start(client, first, "einleser", limit=1)
        assert _follow(client, first, "einleser", done["id"])[-1]["event"] == "done"
    # the process that ran the next job died: its record still says running
    second = _keyed(store_copy, tmp_path, like=first)
    record = second.services.summary_jobs_for(second.services.archive)
    died = SummaryJobState(
        id="d" * 32,
        created_by="einleser",
        allow_nonpublic=False,
        status="running",
        done=3,
        total=PUBLIC,
        counts={"ok": 2, "erledigt": 1},
        model_calls=4,
        created_at=datetime.now(UTC),
    )
    record.save(died)
    chat = _chat(second)
    with second.client() as client:
        jobs = _jobs(client, second, "einleser")
        assert [j["id"] for j in jobs] == [died.id, done["id"]]
        assert jobs[0]["status"] == "interrupted" and jobs[0]["ended_at"] is not None
        assert jobs[0]["message"] == (
            f"Der Lauf wurde durch einen Neustart des Dienstes unterbrochen, nach 3 von {PUBLIC} "
            "Vorlagen. Ein neuer Lauf setzt dort fort; Erledigtes wird nicht noch einmal "
            "zusammengefasst."
        )
        assert (jobs[0]["done"], jobs[0]["ok"], jobs[0]["skipped"]) == (3, 2, 1)
        assert jobs[0]["events"] == 0
        # the job finished before the restart: its stored state and, as events, its end
        state = client.get(f"/api/summaries/{done['id']}", headers=second.bearer("einleser"))
        assert state.status_code == 200 and state.json()["status"] == "done"
        assert state.json()["ok"] + state.json()["befunde"] == 1
        headers = {
            **second.bearer("einleser"),
            "Accept": "text/event-stream",
            "Last-Event-ID": "57",
        }
        events = _events(client.get(f"/api/summaries/{done['id']}/events", headers=headers).text)
        assert [(e["id"], e["event"]) for e in events] == [("58", "done")]
        assert events[0]["data"]["message"] == state.json()["message"]
        interrupted = _follow(client, second, "einleser", died.id)
        assert [e["event"] for e in interrupted] == ["interrupted"]
        cancel = client.post(f"/api/summaries/{died.id}/cancel", headers=second.bearer("einleser"))
        assert cancel.status_code == 200 and cancel.json()["status"] == "interrupted"
        # a new job goes on where the summaries file stands: what was summarised is skipped
        again = _start(client, second, "einleser", limit=2)
        end = _follow(client, second, "einleser", again["id"])[-1]["data"]
        assert end["ok"] + end["befunde"] == 2 and end["counts"]["erledigt"] == 1
        assert chat.summary_calls == end["model_calls"] >= 2
    assert len(_stored(store_copy)) == PUBLIC  # the rest: „nicht bearbeitet“ (limit)


def test_stopping_the_service_records_the_running_job_as_interrupted(
    store_copy: Path, tmp_path: Path
) -> None:
    first = _keyed(store_copy, tmp_path)
    chat = _chat(first)
    chat.block()
    with first.client() as client:
        job = _start(client, first, "einleser")
        _until(lambda: chat.summary_calls == 1, "the first summary call")
        threading.Timer(0.5, chat.release).start()  # the Vorlage being summarised ends
    second = _keyed(store_copy, tmp_path, like=first)
    with second.client() as client:
        state = client.get(f"/api/summaries/{job['id']}", headers=second.bearer("einleser"))
        assert state.status_code == 200, state.text
        assert state.json()["status"] == "interrupted"
        assert state.json()["message"].startswith(
            f"Der Lauf wurde durch einen Neustart des Dienstes unterbrochen, nach 1 von {PUBLIC} "
        )
    assert list(_stored(store_copy).values()) in (["ok"], ["befunde"])
