"""``POST /api/summaries`` (a summary job of the app's archive), its progress, cancelling, the
report (``GET /api/summaries/report``, ``GET /bericht``) and a draft that runs while a summary
job runs; with the real store of ``tests/api/test_app.py`` (copied: the jobs write its
summaries file), the draft archive in SQLite, real keys, and a fake chat model that answers
drafts like ``EchoChat`` and summaries like ``tests/summaries/fakes.fake_answer``."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.auth import new_api_key
from assistant.ports import ChatMessage, StructuredT
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


def _keyed(store: Path, tmp_path: Path) -> Server:
    made = {name: new_api_key() for name in RIGHTS}
    keys = [{"name": n, "hash": made[n].hash, "rights": r} for n, r in RIGHTS.items()]
    data = tmp_path / f"app-{len(list(tmp_path.glob('app-*')))}"
    data.mkdir()
    built = _server(store, data, api_keys=keys, chat=SummaryEchoChat())
    built.keys = {name: key.key for name, key in made.items()}
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
