"""``POST /api/chat`` with the real store of ``tests/api/test_app.py`` (Chroma and BM25 in a
temp directory, the bundled embedder), the SQLite draft archive and the scripted ``EchoChat``:
help, search (the canary nichtöffentliche Vorlage only with the right), the form read from a
message, and a draft started from the chat, streamed through ``done`` and re-attachable."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from tests.api.test_app import (  # noqa: F401 (fixture)
    CANARY,
    REQUEST,
    Server,
    _events,
    _server,
    server,
    store_dir,
)

pytestmark = pytest.mark.slow  # a real store with the bundled embedder

MESSAGE = (
    "Entwurf: Fortschreibung des Integrationskonzepts, der Gemeinderat entscheidet am 12.03., "
    "Sozialausschuss berät vorher am 20.02.; Fakten: Konzept von 2019 fortgeschrieben; "
    "Beteiligung des Migrationsbeirats; Finanzen: keine"
)


def test_help_is_one_answer_event(server: Server) -> None:  # noqa: F811
    with server.client() as client:
        for text in ("hilfe", "Guten Morgen"):
            response = client.post("/api/chat", json={"nachricht": text})
            assert response.status_code == 200, response.text
            assert response.headers["content-type"].startswith("text/event-stream")
            events = _events(response.text)
            assert [e["event"] for e in events] == ["antwort"]
            assert "Entwurf:" in events[0]["data"]["text"]
            assert "Suche:" in events[0]["data"]["text"]
        assert events[0]["data"]["hint"].startswith("Das habe ich nicht verstanden")
    assert server.chat.calls == 0


def test_search_finds_the_canary_only_with_the_right(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    keyed = _server(store_dir, tmp_path, keys=True)
    with keyed.client() as client:
        message = {"nachricht": f"Suche: {CANARY}"}
        assert client.post("/api/chat", json=message).status_code == 401
        public = client.post("/api/chat", json=message, headers=keyed.bearer("leser"))
        assert public.status_code == 200, public.text
        events = _events(public.text)
        assert [e["event"] for e in events] == ["treffer"]
        assert events[0]["data"]["query"] == CANARY
        assert "2099/0001" not in public.text and "f" * 16 not in public.text
        assert "vertraulicher Sachstand" not in public.text
        secret = client.post("/api/chat", json=message, headers=keyed.bearer("vertraulich"))
        hits = _events(secret.text)[0]["data"]["hits"]
        assert hits and hits[0]["vorlagen_nr"] == "2099/0001"


def test_a_draft_message_answers_the_form_and_starts_nothing(server: Server) -> None:  # noqa: F811
    with server.client() as client:
        response = client.post("/api/chat", json={"nachricht": MESSAGE})
        assert response.status_code == 200, response.text
        events = _events(response.text)
        assert [e["event"] for e in events] == ["formular"]
        data = events[0]["data"]
        assert data["complete"] is True and data["missing"] == []
        form = data["form"]
        assert form["betreff"] == "Fortschreibung des Integrationskonzepts"
        assert form["gremium"] == "Gemeinderat"
        assert [(s["gremium"], s["rolle"]) for s in form["beratungsfolge"]] == [
            ("Sozialausschuss", "Vorberatung"),
            ("Gemeinderat", "Entscheidung"),
        ]
        assert form["fakten"] == (
            "- Konzept von 2019 fortgeschrieben\n- Beteiligung des Migrationsbeirats"
        )
        assert form["finanzielle_auswirkungen"] == "keine"
        # incomplete, even with entwerfen: the questions, no job
        asked = client.post(
            "/api/chat", json={"nachricht": "Entwurf: Neubau Kita", "entwerfen": True}
        )
        events = _events(asked.text)
        assert [e["event"] for e in events] == ["formular"]
        assert events[0]["data"]["complete"] is False
        questions = {m["field"]: m["question"] for m in events[0]["data"]["missing"]}
        assert questions["gremium"] == "Welches Gremium entscheidet?"
    assert server.chat.calls == 0
    assert server.services.archive.list_drafts(allow_nonpublic=True) == []


def test_a_draft_from_the_chat_streams_the_job_through_done(server: Server) -> None:  # noqa: F811
    with server.client() as client:
        response = client.post("/api/chat", json={"nachricht": MESSAGE, "entwerfen": True})
        assert response.status_code == 200, response.text
        events = _events(response.text)
        kinds = [e["event"] for e in events]
        assert kinds[0] == "formular" and kinds[1] == "queued" and kinds[-1] == "done"
        for kind in ("retrieval", "section_started", "token", "section_done", "validation"):
            assert kind in kinds
        assert "id" not in events[0]  # the form is not part of the job's log
        job_events = events[1:]
        assert [int(e["id"]) for e in job_events] == list(range(1, len(job_events) + 1))
        draft_id = job_events[0]["data"]["id"]
        draft = events[-1]["data"]["draft"]
        assert draft["request"]["betreff"] == "Fortschreibung des Integrationskonzepts"
        assert draft["beschlussvorschlag"].startswith("Der Gemeinderat beschließt")
        assert [s["gremium"] for s in draft["beratungsfolge"]] == ["Sozialausschuss", "Gemeinderat"]
        again = _events(
            client.get(f"/api/drafts/{draft_id}/events", headers={"Last-Event-ID": "2"}).text
        )
        assert [int(e["id"]) for e in again] == list(range(3, len(job_events) + 1))
        assert client.get(f"/api/drafts/{draft_id}").json()["status"] == "done"
        # a confirmed form (the clerk corrected the Betreff) is drafted as sent
        confirmed = {**REQUEST, "betreff": "Integrationskonzept 2027"}
        sent = client.post(
            "/api/chat", json={"nachricht": MESSAGE, "entwerfen": True, "formular": confirmed}
        )
        events = _events(sent.text)
        assert events[0]["data"]["form"]["betreff"] == "Integrationskonzept 2027"
        assert events[-1]["event"] == "done"
        assert events[-1]["data"]["draft"]["request"]["betreff"] == "Integrationskonzept 2027"
    audited = server.services.archive.audit_entries()
    assert [e.action for e in audited][:2] == ["draft", "draft"]
    assert draft_id in audited[1].object_ids


def test_errors_come_before_the_stream(store_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    busy = _server(store_dir, tmp_path, queue_size=1)
    busy.chat.gate = threading.Event()
    with busy.client() as client:
        long = client.post("/api/chat", json={"nachricht": "x" * 4001})
        assert long.status_code == 422
        assert long.json() == {"detail": "Die Nachricht ist zu lang (höchstens 4.000 Zeichen)."}
        assert client.post("/api/chat", json={}).json() == {
            "detail": "Die Angabe „nachricht“ fehlt."
        }
        # a confirmed form goes through the same checks as POST /api/drafts/stream
        empty = {**REQUEST, "gremium": " "}
        refused = client.post(
            "/api/chat", json={"nachricht": "", "entwerfen": True, "formular": empty}
        )
        assert refused.status_code == 422
        assert refused.json()["detail"].startswith("Das entscheidende Gremium ist leer")
        ids = []
        for _ in range(2):  # one runs, one waits: the queue is full
            with client.stream(
                "POST", "/api/chat", json={"nachricht": MESSAGE, "entwerfen": True}
            ) as response:
                line = next(
                    line for line in response.iter_lines() if line.startswith('data: {"id"')
                )
                ids.append(json.loads(line[6:])["id"])
        full = client.post("/api/chat", json={"nachricht": MESSAGE, "entwerfen": True})
        assert full.status_code == 503 and full.headers["Retry-After"] == "60"
        assert full.headers["content-type"].startswith("application/json")
        assert "zu viele Entwürfe" in full.json()["detail"]
        # the form alone still answers while the queue is full
        assert client.post("/api/chat", json={"nachricht": MESSAGE}).status_code == 200
        busy.chat.gate.set()
        for draft_id in ids:
            assert _events(client.get(f"/api/drafts/{draft_id}/events").text)[-1]["event"] == "done"


def test_the_route_is_in_the_schema(server: Server) -> None:  # noqa: F811
    with server.client() as client:
        schema = client.get("/openapi.json").json()
        route = schema["paths"]["/api/chat"]["post"]
        assert "text/event-stream" in route["responses"]["200"]["content"]
        assert route["responses"]["503"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorBody"
        }
