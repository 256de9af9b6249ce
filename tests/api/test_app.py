"""The HTTP service with real components: a real Chroma and BM25 store in a temp directory with
the bundled embedder, the draft archive in SQLite (and PostgreSQL), real authentication.

The chat model is a scripted fake here (the logic around it: jobs, streaming, re-attaching,
cancelling, the queue, errors); the bundled model over HTTP is tested in
``tests/api/test_app_e2e.py`` (marked llm and slow). Requests go through Starlette's
TestClient from 127.0.0.1 (the local mode refuses other clients) or with a bearer key.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

from api.app import create_app
from api.auth import new_api_key
from api.container import Services, build_services
from assistant.ports import ChatMessage, StructuredOutputError, StructuredT
from assistant.schema import Vorlage
from assistant.settings import Settings
from ingest.chunking import chunk_vorlage, dense_summary
from ingest.parse import parse_path
from tests.storage.conftest import (  # noqa: F401 (fixtures: SQLite and a PostgreSQL schema)
    database_url,
    postgres_schema_url,
    postgres_server,
)

pytestmark = pytest.mark.slow  # a real store with the bundled embedder (about 10 s per module)

CANARY = "Kanarienvogel Geheimprojekt Wasserturm Nordstadt"
LOCAL = {"base_url": "http://127.0.0.1", "client": ("127.0.0.1", 50000)}


# --- a scripted chat model ------------------------------------------------------------------------


@dataclass
class EchoChat:
    """Implements the chat port: a paragraph answer repeats the notes of its task as
    sentences, a resolution answer names the Betreff; ``gate`` (when set) holds every stream
    until it is opened, so that a test can act while a draft runs."""

    gate: threading.Event | None = None
    calls: int = 0
    streams_closed: int = 0
    name: str = "fake:echo"

    def warm_up(self) -> None:
        pass

    def _answer(
        self, messages: Sequence[ChatMessage], schema: type[BaseModel] | None = None
    ) -> str:
        self.calls += 1
        task = messages[-1].content
        if schema is not None and "gegenstand" in schema.model_fields:  # also in a repair round
            return json.dumps({"gegenstand": "die Vorlage", "auftrag": ""})
        notes = [line[2:].strip() for line in task.splitlines() if line.startswith("- ")]
        text = " ".join(n.rstrip(".") + "." for n in notes[-3:] if n)
        return json.dumps({"text": text}, ensure_ascii=False)

    def generate(self, messages: Sequence[ChatMessage], *, max_tokens: int | None = None) -> str:
        return self._answer(messages)

    def generate_structured(
        self,
        messages: Sequence[ChatMessage],
        schema: type[StructuredT],
        *,
        max_tokens: int | None = None,
    ) -> StructuredT:
        raw = self._answer(messages, schema)
        try:
            return schema.model_validate_json(raw)
        except ValidationError as err:  # the port's contract: a mismatch is this error
            raise StructuredOutputError("Die Antwort passt nicht zum Format.", raw) from err

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        schema: type[BaseModel] | None = None,
    ) -> Iterator[str]:
        raw = self._answer(messages, schema)
        return iter([raw[i : i + 5] for i in range(0, len(raw), 5)])

    async def agenerate(
        self, messages: Sequence[ChatMessage], *, max_tokens: int | None = None
    ) -> str:
        return self._answer(messages)

    async def agenerate_structured(
        self,
        messages: Sequence[ChatMessage],
        schema: type[StructuredT],
        *,
        max_tokens: int | None = None,
    ) -> StructuredT:
        return self.generate_structured(messages, schema)

    async def astream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        schema: type[BaseModel] | None = None,
    ) -> AsyncIterator[str]:
        try:
            for piece in self.stream(messages, schema=schema):
                while self.gate is not None and not self.gate.is_set():
                    await asyncio.sleep(0.01)
                await asyncio.sleep(0)
                yield piece
        finally:
            self.streams_closed += 1


# --- fixtures -----------------------------------------------------------------------------------


def _corpus(karlsruhe_dir: Path) -> list[Vorlage]:
    paths = sorted((karlsruhe_dir / "papers").glob("*.json"))[::100][:8]
    corpus = [parse_path(path) for path in paths]
    canary = corpus[0].model_copy(
        update={
            "id": "f" * 16,
            "vorlagen_nr": "2099/0001",
            "betreff": CANARY,
            "oeffentlich": False,
            "sachdarstellung": f"{CANARY}: vertraulicher Sachstand.",
        }
    )
    return [*corpus, canary]


@pytest.fixture(scope="module")
def store_dir(karlsruhe_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("data")
    services = build_services(Settings(data_dir=root))
    store = services.store_at(root / "store")
    for vorlage in _corpus(karlsruhe_dir):
        chunks = chunk_vorlage(vorlage)
        dense = dense_summary(chunks)
        store.vector_index.upsert(dense, store.embedder.embed_documents([c.text for c in dense]))
        store.keyword_index.upsert(chunks)
        store.records.put(vorlage)
    store.keyword_index.persist()
    store.close()  # the apps open their own clients; this one would keep its files open
    return root / "store"


@dataclass
class Server:
    app: FastAPI
    chat: EchoChat
    services: Services
    keys: dict[str, str] = field(default_factory=dict)

    def client(self, **kwargs: Any) -> TestClient:
        return TestClient(self.app, **{**LOCAL, **kwargs})

    def bearer(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[name]}"}


def _server(
    store_dir: Path,
    tmp_path: Path,
    *,
    keys: bool = False,
    database: str | None = None,
    chat: EchoChat | None = None,
    **server: Any,
) -> Server:
    made = {name: new_api_key() for name in ("leser", "vertraulich")} if keys else {}
    settings = Settings.model_validate(
        {
            "data_dir": tmp_path,
            "database": {"url": database},
            "server": {
                "api_keys": [
                    {"name": "leser", "hash": made["leser"].hash, "rights": []},
                    {
                        "name": "vertraulich",
                        "hash": made["vertraulich"].hash,
                        "rights": ["nichtoeffentlich"],
                    },
                ]
                if keys
                else [],
                **server,
            },
        }
    )
    services = build_services(settings)
    chat = chat or EchoChat()
    services.__dict__["chat_model"] = chat  # the cached property, replaced by the fake
    app = create_app(services, store_dir=store_dir)
    return Server(app, chat, services, {name: key.key for name, key in made.items()})


@pytest.fixture
def server(store_dir: Path, tmp_path: Path) -> Server:
    return _server(store_dir, tmp_path)


def _events(text: str) -> list[dict[str, Any]]:
    """The SSE events of a response body: event, id, data (JSON)."""
    out = []
    for block in text.strip().split("\n\n"):
        entry: dict[str, Any] = {}
        for line in block.splitlines():
            if line.startswith(":"):
                continue
            key, _, value = line.partition(": ")
            if key == "data":
                entry["data"] = json.loads(value)
            elif key in ("event", "id"):
                entry[key] = value
        if entry:
            out.append(entry)
    return out


REQUEST = {
    "betreff": "Fortschreibung des Integrationskonzepts",
    "gremium": "Gemeinderat",
    "kommune": "Stadt Karlsruhe",
    "fakten": "- Konzept von 2019 fortgeschrieben\n- Beteiligung des Migrationsbeirats",
    "finanzielle_auswirkungen": "keine",
}


# --- tests ------------------------------------------------------------------------------------


def test_health_and_openapi(server: Server) -> None:
    with server.client() as client:
        health = client.get("/health")
        assert health.status_code == 200, health.text
        body = health.json()
        assert body["status"] == "ok" and body["store"] == "ok" and body["database"] == "ok"
        assert body["vorlagen"] == 9
        assert client.get("/docs").status_code == 200
        paths = client.get("/openapi.json").json()["paths"]
        for path in (
            "/health",
            "/api/drafts",
            "/api/drafts/stream",
            "/api/drafts/{draft_id}/events",
        ):
            assert path in paths


def test_a_streamed_draft_ends_with_the_draft_and_is_stored(
    store_dir: Path,
    tmp_path: Path,
    database_url: str,  # noqa: F811 (fixture)
) -> None:
    server = _server(store_dir, tmp_path, database=database_url)
    with server.client() as client:
        response = client.post("/api/drafts/stream", json=REQUEST)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/event-stream")
        events = _events(response.text)
        kinds = [e["event"] for e in events]
        assert kinds[0] == "queued" and kinds[-1] == "done"
        for kind in ("retrieval", "section_started", "token", "section_done", "validation"):
            assert kind in kinds
        assert [int(e["id"]) for e in events] == list(range(1, len(events) + 1))
        draft_id = events[0]["data"]["id"]
        draft = events[-1]["data"]["draft"]
        assert draft["beschlussvorschlag"].startswith("Der Gemeinderat beschließt")
        stored = client.get(f"/api/drafts/{draft_id}").json()
        assert stored["status"] == "done" and stored["draft"] == draft
        # re-attaching after the last event the client saw gives the rest
        rest = _events(
            client.get(f"/api/drafts/{draft_id}/events", headers={"Last-Event-ID": "3"}).text
        )
        assert [int(e["id"]) for e in rest] == list(range(4, len(events) + 1))
    record = server.services.archive.get(draft_id, allow_nonpublic=False)
    assert record is not None and record.status == "done" and record.latest is not None


def test_a_job_goes_on_when_the_client_leaves_and_can_be_cancelled(server: Server) -> None:
    server.chat.gate = threading.Event()
    with server.client() as client:
        with client.stream("POST", "/api/drafts/stream", json=REQUEST) as response:
            lines = response.iter_lines()
            first = next(line for line in lines if line.startswith("data: "))
        draft_id = json.loads(first[6:])["id"]  # the client left after the first event
        assert client.get(f"/api/drafts/{draft_id}").json()["status"] in ("queued", "running")
        cancelled = client.post(f"/api/drafts/{draft_id}/cancel")
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        assert cancelled.json()["error"] == "Der Entwurf wurde abgebrochen."
        events = _events(client.get(f"/api/drafts/{draft_id}/events").text)
        assert events[-1]["event"] == "cancelled"
    record = server.services.archive.get(draft_id, allow_nonpublic=False)
    assert record is not None and record.status == "cancelled"


def test_a_full_queue_answers_503_with_retry_after(store_dir: Path, tmp_path: Path) -> None:
    server = _server(store_dir, tmp_path, queue_size=1)
    server.chat.gate = threading.Event()
    with server.client() as client:
        ids = []
        for _ in range(2):  # one runs, one waits
            with client.stream("POST", "/api/drafts/stream", json=REQUEST) as response:
                line = next(line for line in response.iter_lines() if line.startswith("data: "))
                ids.append(json.loads(line[6:])["id"])
        refused = client.post("/api/drafts", json=REQUEST)
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "60"
        assert "zu viele Entwürfe" in refused.json()["detail"]
        server.chat.gate.set()
        for draft_id in ids:
            assert _events(client.get(f"/api/drafts/{draft_id}/events").text)[-1]["event"] == "done"


def test_errors_are_german_sentences(server: Server) -> None:
    with server.client() as client:
        missing = client.get("/api/drafts/0123")
        assert missing.status_code == 404 and "Entwurf" in missing.json()["detail"]
        assert client.get("/nirgends").json() == {"detail": "Diese Adresse gibt es nicht."}
        invalid = client.post("/api/drafts", json={"betreff": "x"})
        assert invalid.status_code == 422
        assert invalid.json()["detail"] == "Die Angabe „gremium“ fehlt."
        too_many = client.post("/api/drafts", json={**REQUEST, "k": 50})
        assert too_many.status_code == 422 and "zwischen 1 und 20" in too_many.json()["detail"]
        broken = client.post(
            "/api/drafts", content=b"{kein json", headers={"content-type": "application/json"}
        )
        assert broken.status_code == 422 and "JSON" in broken.json()["detail"]


def test_an_export_names_its_sources_in_the_audit_and_refuses_a_malformed_id(
    server: Server,
) -> None:
    with server.client() as client:
        draft = _events(client.post("/api/drafts/stream", json=REQUEST).text)[-1]["data"]["draft"]
        assert draft["citations"], "the sample store gives the draft sources"
        exported = client.post("/api/export", json={"draft": draft, "format": "md", "force": True})
        assert exported.status_code == 200, exported.text
        audit = server.services.archive.audit_entries(limit=5)
        assert audit[0].action == "export"
        assert set(audit[0].source_ids) == {c["vorlage_id"] for c in draft["citations"]}
        draft["citations"][0]["vorlage_id"] = "kein\tId"  # text where an id belongs
        refused = client.post("/api/export", json={"draft": draft, "format": "md", "force": True})
        assert refused.status_code == 422
        assert "vorlage_id" in refused.json()["detail"], refused.text
        assert server.services.archive.audit_entries(limit=5)[0].id == audit[0].id


def test_a_body_over_the_limit_is_refused_with_413(store_dir: Path, tmp_path: Path) -> None:
    server = _server(store_dir, tmp_path, max_upload_mb=1)
    with server.client() as client:
        big = {**REQUEST, "fakten": "x" * (1024 * 1024 + 10)}
        response = client.post("/api/drafts", json=big)
        assert response.status_code == 413
        assert response.json() == {"detail": "Die Anfrage ist zu groß (höchstens 1 MB)."}


def test_keys_are_required_and_the_canary_stays_hidden(store_dir: Path, tmp_path: Path) -> None:
    server = _server(store_dir, tmp_path, keys=True)
    with server.client() as client:
        assert client.post("/api/drafts/stream", json=REQUEST).status_code == 401
        request = {**REQUEST, "betreff": CANARY, "fakten": f"- {CANARY}"}
        # the key with the right sees the canary as a source, the other never
        secret = _events(
            client.post(
                "/api/drafts/stream", json=request, headers=server.bearer("vertraulich")
            ).text
        )
        public = _events(
            client.post("/api/drafts/stream", json=request, headers=server.bearer("leser")).text
        )
        assert "2099/0001" in json.dumps(secret[-1]["data"]["draft"]["citations"])
        # the request names the canary's Betreff itself; its Vorlage never appears
        assert "2099/0001" not in json.dumps(public) and "f" * 16 not in json.dumps(public)
        assert "vertraulicher Sachstand" not in json.dumps(public)
        found = client.get("/api/search", params={"q": CANARY}, headers=server.bearer("leser"))
        assert found.status_code == 200 and "2099/0001" not in found.text
        found = client.get(
            "/api/search", params={"q": CANARY}, headers=server.bearer("vertraulich")
        )
        assert "2099/0001" in found.text
        secret_id = secret[0]["data"]["id"]
        hidden = client.get(f"/api/drafts/{secret_id}", headers=server.bearer("leser"))
        assert hidden.status_code == 404 and "2099/0001" not in hidden.text
        versions = client.get(f"/api/drafts/{secret_id}/versions", headers=server.bearer("leser"))
        assert versions.status_code == 404
        draft = secret[-1]["data"]["draft"]
        exported = client.post(
            "/api/export", json={"draft": draft, "format": "md"}, headers=server.bearer("leser")
        )
        assert exported.status_code == 403 and "2099/0001" not in exported.text
        assert (
            client.get(
                f"/api/drafts/{secret_id}/events", headers=server.bearer("leser")
            ).status_code
            == 404
        )
        assert (
            client.get(f"/api/drafts/{secret_id}", headers=server.bearer("vertraulich")).status_code
            == 200
        )


def test_a_restart_marks_running_jobs_interrupted(
    store_dir: Path,
    tmp_path: Path,
    database_url: str,  # noqa: F811 (fixture)
) -> None:
    first = _server(store_dir, tmp_path, database=database_url)
    archive = first.services.archive
    from assistant.schema import DraftRequest

    draft_id = archive.create(DraftRequest.model_validate(REQUEST), "lokal")
    archive.set_status(draft_id, "running")
    second = _server(store_dir, tmp_path, database=database_url)  # the same database
    with second.client():
        pass
    record = second.services.archive.get(draft_id, allow_nonpublic=False)
    assert record is not None and record.status == "interrupted"
    assert record.error and "Neustart" in record.error
