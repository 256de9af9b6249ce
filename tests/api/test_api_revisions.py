"""New versions a clerk asks for over HTTP: a section written again (``POST
/api/drafts/{id}/rewrite``), on the real stack of ``tests/api/test_app.py`` (a real store, the
archive in SQLite and PostgreSQL, the echoing chat model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_api_drafts import _draft
from tests.api.test_app import (  # noqa: F401 (fixtures)
    CANARY,
    Server,
    _events,
    _server,
    database_url,
    postgres_schema_url,
    postgres_server,
    store_dir,
)

pytestmark = pytest.mark.slow

EDITED = "Die Verwaltung hat das Integrationskonzept mit dem Migrationsbeirat abgestimmt."


def _follow(client: TestClient, draft_id: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get(f"/api/drafts/{draft_id}/events", headers=headers)
    assert response.status_code == 200, response.text
    return _events(response.text)


def test_one_section_is_written_again_and_the_other_kept(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
    database_url: str,  # noqa: F811
) -> None:
    server: Server = _server(store_dir, tmp_path, keys=True, database=database_url)
    leser = server.bearer("leser")
    with server.client() as client:
        draft_id = _draft(client, leser)
        first = client.get(f"/api/drafts/{draft_id}", headers=leser).json()["draft"]
        edited = {**first, "sachdarstellung": EDITED}
        assert client.put(f"/api/drafts/{draft_id}", json=edited, headers=leser).status_code == 200
        url = f"/api/drafts/{draft_id}/rewrite"
        started = client.post(url, json={"abschnitt": "beschlussvorschlag"}, headers=leser)
        assert started.status_code == 202, started.text
        assert started.json()["id"] == draft_id
        events = _follow(client, draft_id, leser)
        kinds = [e["event"] for e in events]
        assert kinds[0] == "queued" and kinds[-1] == "done"
        assert {
            "event": events[2]["event"],
            "section": events[2]["data"]["section"],
        } == {"event": "section_done", "section": "sachdarstellung"}
        versions = client.get(f"/api/drafts/{draft_id}/versions", headers=leser).json()
        assert [(v["number"], v["source"]) for v in versions] == [
            (1, "generated"),
            (2, "edited"),
            (3, "rewritten"),
        ]
        latest = versions[-1]["draft"]
        assert latest["sachdarstellung"] == EDITED  # the clerk's text, kept
        assert latest["beschlussvorschlag"] and latest["validation"] is not None
        assert latest["citations"] == first["citations"]
        stored = client.get(f"/api/drafts/{draft_id}", headers=leser).json()
        assert stored["status"] == "done"


def test_rewrite_refuses_what_it_cannot_do(store_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    server = _server(store_dir, tmp_path, keys=True)
    leser, vertraulich = server.bearer("leser"), server.bearer("vertraulich")
    with server.client() as client:
        draft_id = _draft(client, leser)
        url = f"/api/drafts/{draft_id}/rewrite"
        assert client.post(url, json={"abschnitt": "sachdarstellung"}).status_code == 401
        wrong = client.post(url, json={"abschnitt": "anlagen"}, headers=leser)
        assert wrong.status_code == 422 and "detail" in wrong.json()
        extra = client.post(url, json={"abschnitt": "sachdarstellung", "x": 1}, headers=leser)
        assert extra.status_code == 422
        missing = client.post(
            "/api/drafts/0123456789abcdef/rewrite",
            json={"abschnitt": "sachdarstellung"},
            headers=leser,
        )
        assert missing.status_code == 404
        assert missing.json()["detail"].startswith("Diesen Entwurf gibt es nicht")
        # a draft citing the canary: rewritten for the key with the right, hidden from the other
        secret = _draft(client, vertraulich, betreff=CANARY, fakten=f"- {CANARY}")
        body = {"abschnitt": "sachdarstellung"}
        hidden = client.post(f"/api/drafts/{secret}/rewrite", json=body, headers=leser)
        assert hidden.status_code == 404 and CANARY not in hidden.text
        assert client.get(f"/api/drafts/{secret}/events", headers=leser).status_code == 404
        mine = client.post(f"/api/drafts/{secret}/rewrite", json=body, headers=vertraulich)
        assert mine.status_code == 202, mine.text
        events = _follow(client, secret, vertraulich)
        assert events[-1]["event"] == "done"
        assert client.get(f"/api/drafts/{secret}/versions", headers=leser).status_code == 404


def test_a_rewrite_waits_while_the_draft_is_written(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    import threading

    server = _server(store_dir, tmp_path)
    with server.client() as client:
        draft_id = _draft(client)
        server.chat.gate = threading.Event()
        url = f"/api/drafts/{draft_id}/rewrite"
        assert client.post(url, json={"abschnitt": "sachdarstellung"}).status_code == 202
        busy = client.post(url, json={"abschnitt": "beschlussvorschlag"})
        assert busy.status_code == 409
        assert busy.json()["detail"].startswith("An diesem Entwurf wird gerade geschrieben")
        server.chat.gate.set()
        assert _events(client.get(f"/api/drafts/{draft_id}/events").text)[-1]["event"] == "done"


def _refine(
    client: TestClient, draft_id: str, message: str, headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    body = {"nachricht": message, "entwurf": draft_id}
    response = client.post("/api/chat", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return _events(response.text)


def test_follow_up_refinements_become_versions(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
    database_url: str,  # noqa: F811
) -> None:
    server: Server = _server(store_dir, tmp_path, database=database_url)
    with server.client() as client:
        draft_id = _draft(client)
        first = client.get(f"/api/drafts/{draft_id}").json()["draft"]
        assert "Vergleichbare Vorlagen" in first["sachdarstellung"]
        calls = server.chat.calls
        events = _refine(client, draft_id, "Finanzierung ergänzen: 20.000 EUR aus Produkt 3.1.2")
        assert events[0]["event"] == "verfeinerung" and events[0]["data"]["id"] == draft_id
        assert events[0]["data"]["text"].startswith("Die Finanzierung wird ergänzt")
        assert events[-1]["event"] == "done"
        assert server.chat.calls == calls  # rules only, no model
        events = _refine(client, draft_id, "Fakt ergänzen: Der Beirat hat zugestimmt.")
        assert events[-1]["event"] == "done"
        events = _refine(client, draft_id, "kürzer")
        assert events[-1]["event"] == "done"
        versions = client.get(f"/api/drafts/{draft_id}/versions").json()
        assert [v["source"] for v in versions] == ["generated", "refined", "refined", "refined"]
        financed, with_fact, shorter = (v["draft"] for v in versions[1:])
        assert financed["finanzielle_auswirkungen"].endswith("20.000 EUR aus Produkt 3.1.2")
        assert financed["sachdarstellung"] == first["sachdarstellung"]
        grounded = [f for f in financed["validation"]["errors"] if f["rule"] == "grounded"]
        assert grounded == []
        assert with_fact["request"]["fakten"].endswith("- Der Beirat hat zugestimmt.")
        assert "Der Beirat hat zugestimmt." in with_fact["sachdarstellung"]
        assert with_fact["finanzielle_auswirkungen"] == financed["finanzielle_auswirkungen"]
        assert "Vergleichbare Vorlagen" not in shorter["sachdarstellung"]
        assert shorter["beschlussvorschlag"] == first["beschlussvorschlag"]
        # „sachlicher“: nothing judging in the fake model's text, so no version (422) ...
        plain = client.post("/api/chat", json={"nachricht": "sachlicher", "entwurf": draft_id})
        assert plain.status_code == 422 and "keine wertenden" in plain.json()["detail"]
        # ... until the clerk's saved edit has some
        judging = {**shorter, "sachdarstellung": "Leider, der Bedarf ist sehr hoch!"}
        assert client.put(f"/api/drafts/{draft_id}", json=judging).status_code == 200
        events = _refine(client, draft_id, "sachlicher")
        assert events[0]["data"]["text"].startswith("Wertende Wörter werden entfernt")
        assert events[-1]["event"] == "done"
        latest = client.get(f"/api/drafts/{draft_id}/versions").json()[-1]
        assert latest["source"] == "refined"
        assert latest["draft"]["sachdarstellung"] == "Der Bedarf ist hoch."


def test_refinements_that_cannot_be_applied_are_answered(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    server = _server(store_dir, tmp_path, keys=True)
    leser, vertraulich = server.bearer("leser"), server.bearer("vertraulich")
    with server.client() as client:
        draft_id = _draft(client, leser)
        events = _refine(client, draft_id, "Fakt ergänzen", leser)
        assert [e["event"] for e in events] == ["antwort"]
        assert events[0]["data"]["hint"].startswith("Bitte nennen Sie nach „Fakt ergänzen:“")
        assert "sachlicher" in events[0]["data"]["text"]
        # without an open draft a refinement is not understood, as before
        plain = client.post("/api/chat", json={"nachricht": "kürzer"}, headers=leser)
        assert _events(plain.text)[0]["event"] == "antwort"
        too_long = {"nachricht": "Fakt ergänzen: x", "entwurf": "x" * 65}
        assert client.post("/api/chat", json=too_long, headers=leser).status_code == 422
        # a draft citing the canary: refined for the key with the right, 404 for the other
        secret = _draft(client, vertraulich, betreff=CANARY, fakten=f"- {CANARY}")
        body = {"nachricht": "kürzer", "entwurf": secret}
        hidden = client.post("/api/chat", json=body, headers=leser)
        assert hidden.status_code == 404 and CANARY not in hidden.text
        assert _refine(client, secret, "kürzer", vertraulich)[-1]["event"] == "done"
