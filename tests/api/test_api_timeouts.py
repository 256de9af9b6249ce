"""Request timeouts (``api/timeouts.py``): a request whose answer has not started in time gets
504 with a German body; event streams, ``POST /api/drafts`` and uploads are never cut."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient

from api.timeouts import RequestTimeout, exempt
from tests.api.test_app import REQUEST, _server, store_dir  # noqa: F401 (fixture)

TIMEOUT_S = 0.2
SLOW_S = 0.6
TIMED_OUT = {
    "detail": "Die Anfrage hat zu lange gedauert (mehr als 0.2 Sekunden); bitte später erneut "
    "versuchen."
}


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/schnell")
    async def fast() -> dict[str, str]:
        return {"ok": "ja"}

    @app.get("/langsam")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(SLOW_S)
        return {"ok": "zu spät"}

    @app.get("/blockiert")
    def blocking() -> dict[str, str]:  # a sync route: runs in a thread, cannot be interrupted
        time.sleep(SLOW_S)
        return {"ok": "zu spät"}

    @app.post("/api/drafts")
    async def waits_by_design() -> dict[str, str]:
        await asyncio.sleep(SLOW_S)
        return {"ok": "fertig"}

    async def ticks() -> AsyncIterator[str]:
        for n in range(4):
            await asyncio.sleep(SLOW_S / 3)
            yield f"data: {n}\n\n"

    @app.get("/strom")
    async def stream() -> StreamingResponse:
        return StreamingResponse(ticks(), media_type="text/event-stream")

    @app.get("/langsamer-anfang-strom")
    async def late_stream() -> StreamingResponse:
        await asyncio.sleep(SLOW_S)
        return StreamingResponse(ticks(), media_type="text/event-stream")

    app.add_middleware(RequestTimeout, timeout_s=TIMEOUT_S)
    return app


def test_a_slow_answer_is_504_in_german_and_fast_ones_pass() -> None:
    with TestClient(_app()) as client:
        assert client.get("/schnell").json() == {"ok": "ja"}
        for path in ("/langsam", "/blockiert"):
            started = time.monotonic()
            answer = client.get(path)
            assert answer.status_code == 504, path
            assert answer.json() == TIMED_OUT
            assert answer.headers["content-type"] == "application/json"
            if path == "/langsam":
                assert time.monotonic() - started < SLOW_S  # cut at the deadline, not after


def test_streams_and_waiting_posts_are_not_cut() -> None:
    with TestClient(_app()) as client:
        assert client.post("/api/drafts").json() == {"ok": "fertig"}
        # a stream that runs longer than the timeout keeps going once it started
        assert client.get("/strom").text.count("data:") == 4
        # a client asking for an event stream is exempt before the answer starts
        asked = client.get("/langsamer-anfang-strom", headers={"Accept": "text/event-stream"})
        assert asked.status_code == 200 and asked.text.count("data:") == 4
        assert client.get("/langsamer-anfang-strom").status_code == 504


@pytest.mark.parametrize(
    ("method", "path", "accept", "expected"),
    [
        ("POST", "/api/drafts", "", True),
        ("POST", "/api/drafts/", "", True),
        ("POST", "/api/drafts/stream", "", True),
        ("GET", "/api/drafts/0123abcd/events", "", True),
        ("POST", "/api/ingest", "", True),
        ("GET", "/api/search", "text/event-stream", True),
        ("GET", "/api/drafts", "", False),
        ("GET", "/api/drafts/0123abcd", "", False),
        ("POST", "/api/drafts/0123abcd/cancel", "", False),
        ("GET", "/api/search", "application/json", False),
        ("POST", "/api/export", "", False),
    ],
)
def test_which_requests_are_exempt(method: str, path: str, accept: str, expected: bool) -> None:
    headers = [(b"accept", accept.encode())] if accept else []
    scope = {"type": "http", "method": method, "path": path, "headers": headers}
    assert exempt(scope) is expected


@pytest.mark.slow  # a real store with the bundled embedder
def test_the_app_cuts_slow_requests_but_not_a_waiting_draft(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    server = _server(store_dir, tmp_path, request_timeout_s=TIMEOUT_S)

    @server.app.get("/api/langsam")
    async def slow() -> None:
        await asyncio.sleep(SLOW_S)

    server.chat.gate = threading.Event()
    opener = threading.Timer(SLOW_S, server.chat.gate.set)  # the draft takes longer than 0.2 s
    with server.client() as client:
        answer = client.get("/api/langsam")
        assert answer.status_code == 504 and answer.json() == TIMED_OUT
        opener.start()
        draft = client.post("/api/drafts", json=REQUEST)
        assert draft.status_code == 201 and draft.json()["status"] == "done", draft.text
    opener.join()
