"""Drafts over HTTP beyond writing them: the caller's own list (``GET /api/drafts``) and
the diff of two versions, on the real stack of ``tests/api/test_app.py`` (a real store, the
archive in SQLite and PostgreSQL, the scripted chat model)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_app import (  # noqa: F401 (fixtures)
    CANARY,
    REQUEST,
    Server,
    _events,
    _server,
    database_url,
    postgres_schema_url,
    postgres_server,
    store_dir,
)

pytestmark = pytest.mark.slow


def _draft(client: TestClient, headers: dict[str, str] | None = None, **request: Any) -> str:
    response = client.post("/api/drafts/stream", json={**REQUEST, **request}, headers=headers)
    assert response.status_code == 200, response.text
    events = _events(response.text)
    assert events[-1]["event"] == "done"
    draft_id: str = events[0]["data"]["id"]
    return draft_id


def test_the_list_holds_the_callers_own_drafts_newest_first(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
    database_url: str,  # noqa: F811
) -> None:
    server: Server = _server(store_dir, tmp_path, keys=True, database=database_url)
    with server.client() as client:
        assert client.get("/api/drafts").status_code == 401
        leser, vertraulich = server.bearer("leser"), server.bearer("vertraulich")
        first = _draft(client, leser)
        second = _draft(client, leser, betreff="Sanierung der Grundschule Nord")
        secret = _draft(client, vertraulich, betreff=CANARY, fakten=f"- {CANARY}")
        public = _draft(client, vertraulich)
        listed = client.get("/api/drafts", headers=leser)
        assert listed.status_code == 200, listed.text
        mine = listed.json()
        assert [d["id"] for d in mine] == [second, first]
        assert mine[0]["betreff"] == "Sanierung der Grundschule Nord"
        assert (mine[0]["status"], mine[0]["status_text"], mine[0]["versions"]) == (
            "done",
            "fertig",
            1,
        )
        assert "sachdarstellung" not in json.dumps(mine)  # no draft text in the list
        limited = client.get("/api/drafts", params={"limit": 1}, headers=leser).json()
        assert [d["id"] for d in limited] == [second]
        # the key with the right sees its nichtöffentliche draft, the other key never sees it
        theirs = client.get("/api/drafts", headers=vertraulich).json()
        assert [d["id"] for d in theirs] == [public, secret]
        assert secret not in listed.text and CANARY not in listed.text
        assert client.get("/api/drafts", params={"limit": 0}, headers=leser).status_code == 422
        assert client.get("/api/drafts", params={"limit": 101}, headers=leser).status_code == 422


def test_the_local_caller_lists_its_drafts(store_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    server = _server(store_dir, tmp_path)
    with server.client() as client:
        assert client.get("/api/drafts").json() == []
        draft_id = _draft(client)
        assert [d["id"] for d in client.get("/api/drafts").json()] == [draft_id]


def test_two_versions_compared_and_a_hidden_draft_stays_hidden(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    server = _server(store_dir, tmp_path, keys=True)
    leser, vertraulich = server.bearer("leser"), server.bearer("vertraulich")
    with server.client() as client:
        draft_id = _draft(client, leser)
        draft = client.get(f"/api/drafts/{draft_id}", headers=leser).json()["draft"]
        added = "Die Verwaltung ergänzt den Bericht des Migrationsbeirats."
        edited = {**draft, "sachdarstellung": draft["sachdarstellung"] + "\n\n" + added}
        saved = client.put(f"/api/drafts/{draft_id}", json=edited, headers=leser)
        assert saved.json()["version"] == 2
        diff = client.get(f"/api/drafts/{draft_id}/diff", params={"von": 1, "zu": 2}, headers=leser)
        assert diff.status_code == 200, diff.text
        body = diff.json()
        assert (body["von"], body["zu"], body["summary"]) == (1, 2, "7 Wörter eingefügt")
        sach = next(s for s in body["sections"] if s["section"] == "sachdarstellung")
        assert sach["changed"] and sach["parts"][-1] == {"kind": "insert", "text": "\n\n" + added}
        missing = client.get(
            f"/api/drafts/{draft_id}/diff", params={"von": 1, "zu": 3}, headers=leser
        )
        assert missing.status_code == 404
        assert missing.json()["detail"] == "Die Fassung 3 gibt es bei diesem Entwurf nicht."
        assert (
            client.get(
                f"/api/drafts/{draft_id}/diff", params={"von": 0, "zu": 1}, headers=leser
            ).status_code
            == 422
        )
        # a draft citing the canary: compared for the key with the right, hidden from the other
        secret = _draft(client, vertraulich, betreff=CANARY, fakten=f"- {CANARY}")
        url = f"/api/drafts/{secret}/diff"
        hidden = client.get(url, params={"von": 1, "zu": 1}, headers=leser)
        assert hidden.status_code == 404 and CANARY not in hidden.text
        assert client.get(url, params={"von": 1, "zu": 1}, headers=vertraulich).status_code == 200
        assert client.get(url, params={"von": 1, "zu": 1}).status_code == 401


def test_the_provenance_of_each_number(store_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    server = _server(store_dir, tmp_path, keys=True)
    leser, vertraulich = server.bearer("leser"), server.bearer("vertraulich")
    with server.client() as client:
        draft_id = _draft(client, leser, fakten="- Kosten von 20.000 Euro\n- Konzept von 2019")
        draft = client.get(f"/api/drafts/{draft_id}", headers=leser).json()["draft"]
        cited = draft["citations"][0]
        draft["sachdarstellung"] += f" Vergleichbar: Vorlage {cited['vorlagen_nr']} [1]. Seit 1987."
        assert client.post("/api/belege", json=draft).status_code == 401
        answer = client.post("/api/belege", json=draft, headers=leser)
        assert answer.status_code == 200, answer.text
        belege = answer.json()["belege"]
        by_text = {b["text"]: b for b in belege}
        assert by_text["2019"]["label"] == "aus Ihren Angaben"
        assert by_text[cited["vorlagen_nr"]]["label"] == "aus Quelle [1]"
        assert by_text["1987"]["label"] == "nicht belegt"
        text = draft["sachdarstellung"]
        assert all(
            draft[b["section"]][b["start"] : b["end"]] == b["text"] for b in belege
        ) and text.endswith("1987.")
        assert "nicht belegt" in answer.json()["summary"]
        # a draft citing the canary: its passages only for the key with the right
        secret_id = _draft(client, vertraulich, betreff=CANARY, fakten=f"- {CANARY}")
        secret = client.get(f"/api/drafts/{secret_id}", headers=vertraulich).json()["draft"]
        refused = client.post("/api/belege", json=secret, headers=leser)
        assert refused.status_code == 403 and CANARY not in refused.text
        assert client.post("/api/belege", json=secret, headers=vertraulich).status_code == 200
