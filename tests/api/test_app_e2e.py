"""The HTTP service end to end with the REAL bundled model (marked llm and slow).

A real uvicorn server on a free loopback port, the app over a real store of the five seed
Vorlagen (bundled embedder, Chroma in a temp directory) and a SQLite draft archive; requests
with httpx over a real socket:

* a streamed draft over HTTP, stored;
* a client that disconnects mid-stream leaves the job running; re-attaching with
  ``Last-Event-ID`` resumes after the last event it saw;
* cancelling stops the job (and the model) within seconds;
* killing the model worker mid-draft ends that job with the German error, the server keeps
  serving, and the next draft works.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.container import Services, build_services
from assistant.bundled_model import BundledChatModel
from assistant.drafting import DRAFT_CRASHED
from assistant.settings import LLMSettings, Settings
from ingest.documents import file_documents

pytestmark = [pytest.mark.slow, pytest.mark.llm]

REQUEST = {
    "betreff": "Fortschreibung des Integrationskonzeptes",
    "gremium": "Rat der Stadt",
    "kommune": "Stadt Wedel",
    "fakten": (
        "- Integrationskonzept 2019 beschlossen\n"
        "- Fortschreibung mit dem Integrationsbeirat in drei Workshops erarbeitet\n"
        "- Kosten der Moderation 4.800 Euro"
    ),
    "finanzielle_auswirkungen": "4.800 Euro aus dem Budget des Fachdienstes Soziales.",
}


@dataclass
class Live:
    url: str
    services: Services

    def events(self, response: httpx.Response) -> Iterator[dict[str, Any]]:
        """The SSE events of a streaming response, as they arrive."""
        entry: dict[str, Any] = {}
        for line in response.iter_lines():
            if not line:
                if entry:
                    yield entry
                entry = {}
            elif line.startswith("data: "):
                entry["data"] = json.loads(line[6:])
            elif line.startswith(("event: ", "id: ")):
                key, _, value = line.partition(": ")
                entry[key] = value


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def live(
    bundled_model_path: Path, seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    data = tmp_path_factory.mktemp("data")
    settings = Settings(data_dir=data, llm=LLMSettings(model_path=bundled_model_path, timeout_s=60))
    services = build_services(settings)
    store = services.store_at(data / "store")
    documents, _ = file_documents(sorted(seeds_dir.glob("*.txt")), services.parser)
    store.ingest_pipeline(services.parser.options).run(documents)
    services.chat_model.warm_up()
    app = create_app(services, store_dir=data / "store")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    yield Live(f"http://127.0.0.1:{port}", services)
    server.should_exit = True
    thread.join(timeout=15)
    chat = services.chat_model
    if isinstance(chat, BundledChatModel):
        chat.worker.stop()


def _wait_for(url: str, draft_id: str, statuses: set[str], seconds: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body: dict[str, Any] = httpx.get(f"{url}/api/drafts/{draft_id}").json()
        if body["status"] in statuses:
            return body
        time.sleep(0.5)
    raise AssertionError(f"draft {draft_id} did not reach {statuses}")


def test_a_streamed_draft_over_http(live: Live) -> None:
    with httpx.stream(
        "POST", f"{live.url}/api/drafts/stream", json=REQUEST, timeout=300
    ) as response:
        assert response.status_code == 200
        events = list(live.events(response))
    kinds = [e["event"] for e in events]
    assert kinds[0] == "queued" and kinds[-1] == "done", kinds
    assert "token" in kinds and "validation" in kinds
    draft = events[-1]["data"]["draft"]
    assert draft["beschlussvorschlag"].startswith("Der Rat der Stadt")
    assert "4.800 Euro" in draft["sachdarstellung"]
    stored = live.services.archive.get(events[0]["data"]["id"], allow_nonpublic=False)
    assert stored is not None and stored.status == "done" and stored.latest is not None


def test_disconnect_leaves_the_job_running_and_last_event_id_resumes(live: Live) -> None:
    with httpx.stream(
        "POST", f"{live.url}/api/drafts/stream", json=REQUEST, timeout=300
    ) as response:
        seen = []
        for event in live.events(response):
            seen.append(event)
            if event["event"] == "token":
                break  # the client goes away while the model writes
    draft_id = seen[0]["data"]["id"]
    last = int(seen[-1]["id"])
    assert httpx.get(f"{live.url}/api/drafts/{draft_id}").json()["status"] == "running"
    headers = {"Last-Event-ID": str(last)}
    with httpx.stream(
        "GET", f"{live.url}/api/drafts/{draft_id}/events", headers=headers, timeout=300
    ) as response:
        rest = list(live.events(response))
    assert int(rest[0]["id"]) == last + 1
    assert rest[-1]["event"] == "done"


def test_cancel_stops_the_job_within_seconds(live: Live) -> None:
    with httpx.stream(
        "POST", f"{live.url}/api/drafts/stream", json=REQUEST, timeout=300
    ) as response:
        events = live.events(response)
        draft_id = next(events)["data"]["id"]
        next(e for e in events if e["event"] == "token")
    started = time.monotonic()
    cancelled = httpx.post(f"{live.url}/api/drafts/{draft_id}/cancel", timeout=60)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert time.monotonic() - started < 15
    # the model is free again: a search and the next draft answer
    assert httpx.get(f"{live.url}/api/search", params={"q": "Integration"}).status_code == 200


def test_a_killed_worker_ends_the_job_with_the_german_error_and_the_next_draft_works(
    live: Live,
) -> None:
    chat = live.services.chat_model
    assert isinstance(chat, BundledChatModel)
    with httpx.stream(
        "POST", f"{live.url}/api/drafts/stream", json=REQUEST, timeout=300
    ) as response:
        events = live.events(response)
        draft_id = next(events)["data"]["id"]
        next(e for e in events if e["event"] == "token")
        os.kill(chat.worker_info().pid, signal.SIGKILL)
        rest = list(events)
    assert rest[-1]["event"] == "error"
    assert rest[-1]["data"]["message"] == DRAFT_CRASHED
    assert _wait_for(live.url, draft_id, {"failed"})["error"] == DRAFT_CRASHED
    assert httpx.get(f"{live.url}/health", timeout=30).status_code == 200
    again = httpx.post(f"{live.url}/api/drafts", json=REQUEST, timeout=600)
    assert again.status_code == 201 and again.json()["status"] == "done"
