"""The Mitzeichnung over HTTP (``api/routes/approval.py``), on the real stack of
``tests/api/test_app.py``: a real store, the archive in SQLite and PostgreSQL, real API keys,
the echoing chat model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.auth import new_api_key
from tests.api.test_api_drafts import _draft
from tests.api.test_app import CANARY, Server, _server, store_dir  # noqa: F401 (fixture)
from tests.storage.conftest import (  # noqa: F401 (fixtures: SQLite and a PostgreSQL schema)
    database_url,
    postgres_schema_url,
    postgres_server,
)

pytestmark = pytest.mark.slow

RIGHTS = {
    "leser": [],
    "vertraulich": ["nichtoeffentlich"],
    "pruefer": ["mitzeichnen"],
    "chefin": ["mitzeichnen", "nichtoeffentlich"],
}


def _approval_server(store: Path, tmp_path: Path, database: str | None = None) -> Server:
    made = {name: new_api_key() for name in RIGHTS}
    keys = [{"name": n, "hash": k.hash, "rights": RIGHTS[n]} for n, k in made.items()]
    server = _server(store, tmp_path, database=database, api_keys=keys)
    server.keys = {name: key.key for name, key in made.items()}
    return server


def _ask(client: TestClient, draft_id: str, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post(f"/api/drafts/{draft_id}/mitzeichnung", json=body, headers=headers)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _decide(client: TestClient, approval_id: str, headers: dict[str, str], **body: Any) -> Any:
    return client.post(
        f"/api/mitzeichnungen/{approval_id}/entscheidung", json=body, headers=headers
    )


def test_ask_list_return_and_approve(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
    database_url: str,  # noqa: F811
) -> None:
    server = _approval_server(store_dir, tmp_path, database_url)
    leser, pruefer = server.bearer("leser"), server.bearer("pruefer")
    with server.client() as client:
        draft_id = _draft(client, leser)
        stored = client.get(f"/api/drafts/{draft_id}", headers=leser).json()["draft"]
        asked = _ask(client, draft_id, leser, mitzeichner="pruefer", fassung=1)
        assert (asked["draft_id"], asked["version"], asked["approver"]) == (draft_id, 1, "pruefer")
        assert asked["requested_by"] == "leser" and asked["decision"] is None
        assert asked["platform"] == "web"

        waiting = client.get("/api/mitzeichnungen", headers=pruefer)
        assert waiting.status_code == 200, waiting.text
        [case] = waiting.json()
        assert case["approval"]["id"] == asked["id"] and case["is_current"]
        assert case["draft"]["beschlussvorschlag"] == stored["beschlussvorschlag"]
        assert case["draft"]["validation"] is not None
        assert case["betreff"] == stored["request"]["betreff"]
        assert client.get("/api/mitzeichnungen", headers=leser).json() == []
        one = client.get(f"/api/mitzeichnungen/{asked['id']}", headers=pruefer)
        assert one.status_code == 200 and one.json() == case

        # the requester cannot decide; a body carrying text is refused; returning needs notes
        assert _decide(client, asked["id"], leser, entscheidung="freigegeben").status_code == 403
        forged = _decide(
            client,
            asked["id"],
            pruefer,
            entscheidung="freigegeben",
            beschlussvorschlag="Der Rat beschließt etwas anderes.",
        )
        assert forged.status_code == 422
        bare = _decide(client, asked["id"], pruefer, entscheidung="zurueckgegeben")
        assert bare.status_code == 422 and "Anmerkungen" in bare.json()["detail"]
        returned = _decide(
            client,
            asked["id"],
            pruefer,
            entscheidung="zurueckgegeben",
            anmerkungen="Bitte die Kosten belegen.",
        )
        assert returned.status_code == 200, returned.text
        body = returned.json()
        assert (body["decision"], body["decided_by"], body["notes"], body["version"]) == (
            "zurueckgegeben",
            "pruefer",
            "Bitte die Kosten belegen.",
            1,
        )
        again = _decide(client, asked["id"], pruefer, entscheidung="freigegeben")
        assert again.status_code == 409
        assert again.json()["detail"].startswith("Über diese Bitte um Mitzeichnung ist bereits")

        # the clerk edits, asks again, and the new version is approved
        edited = {**stored, "sachdarstellung": "Die Kosten sind im Haushalt 2027 veranschlagt."}
        assert client.put(f"/api/drafts/{draft_id}", json=edited, headers=leser).status_code == 200
        second = _ask(client, draft_id, leser, mitzeichner="pruefer")
        assert second["version"] == 2 and second["id"] != asked["id"]
        approved = _decide(client, second["id"], pruefer, entscheidung="freigegeben")
        assert approved.status_code == 200 and approved.json()["decision"] == "freigegeben"

        history = client.get(f"/api/drafts/{draft_id}/mitzeichnungen", headers=leser).json()
        assert [(h["version"], h["decision"]) for h in history] == [
            (1, "zurueckgegeben"),
            (2, "freigegeben"),
        ]
    audit = [(e.actor, e.action) for e in server.services.archive.audit_entries(limit=5)]
    assert audit[:4] == [
        ("pruefer", "approve"),
        ("leser", "request_approval"),
        ("leser", "edit"),
        ("pruefer", "return"),
    ]


def test_a_decision_on_an_older_version_is_refused(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
    database_url: str,  # noqa: F811
) -> None:
    server = _approval_server(store_dir, tmp_path, database_url)
    leser, pruefer = server.bearer("leser"), server.bearer("pruefer")
    with server.client() as client:
        draft_id = _draft(client, leser)
        asked = _ask(client, draft_id, leser, mitzeichner="pruefer")
        stored = client.get(f"/api/drafts/{draft_id}", headers=leser).json()["draft"]
        edited = {**stored, "beschlussvorschlag": "Der Gemeinderat beschließt anders."}
        assert client.put(f"/api/drafts/{draft_id}", json=edited, headers=leser).status_code == 200
        [case] = client.get("/api/mitzeichnungen", headers=pruefer).json()
        assert not case["is_current"] and case["current_version"] == 2
        assert case["draft"]["beschlussvorschlag"] == stored["beschlussvorschlag"]
        stale = _decide(client, asked["id"], pruefer, entscheidung="freigegeben")
        assert stale.status_code == 409
        assert "jetzt Fassung 2, erbeten für Fassung 1" in stale.json()["detail"]
        moved = client.post(
            f"/api/drafts/{draft_id}/mitzeichnung",
            json={"mitzeichner": "pruefer", "fassung": 1},
            headers=leser,
        )
        assert moved.status_code == 409 and "neuere Fassung (2)" in moved.json()["detail"]


def test_refusals_and_the_canary(store_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    server = _approval_server(store_dir, tmp_path)
    leser, vertraulich = server.bearer("leser"), server.bearer("vertraulich")
    pruefer, chefin = server.bearer("pruefer"), server.bearer("chefin")
    with server.client() as client:
        draft_id = _draft(client, leser)
        url = f"/api/drafts/{draft_id}/mitzeichnung"
        assert client.post(url, json={"mitzeichner": "pruefer"}).status_code == 401
        assert client.get("/api/mitzeichnungen").status_code == 401
        unknown = client.post(url, json={"mitzeichner": "leser"}, headers=vertraulich)
        assert unknown.status_code == 422
        assert (
            unknown.json()["detail"] == "„leser“ ist nicht als mitzeichnende Person eingerichtet."
        )
        own = client.post(url, json={"mitzeichner": "pruefer"}, headers=pruefer)
        assert own.status_code == 422 and "eigenen Entwurf" in own.json()["detail"]
        missing = client.post(
            "/api/drafts/0123456789abcdef/mitzeichnung",
            json={"mitzeichner": "pruefer"},
            headers=leser,
        )
        assert missing.status_code == 404
        assert client.get("/api/mitzeichnungen/0123", headers=pruefer).status_code == 404

        secret = _draft(client, vertraulich, betreff=CANARY, fakten=f"- {CANARY}")
        secret_url = f"/api/drafts/{secret}/mitzeichnung"
        hidden = client.post(secret_url, json={"mitzeichner": "chefin"}, headers=leser)
        assert hidden.status_code == 404 and CANARY not in hidden.text
        blind = client.post(secret_url, json={"mitzeichner": "pruefer"}, headers=vertraulich)
        assert blind.status_code == 422 and "nichtöffentliche" in blind.json()["detail"]
        asked = _ask(client, secret, vertraulich, mitzeichner="chefin")
        for headers in (leser, pruefer):
            listed = client.get("/api/mitzeichnungen", headers=headers)
            assert listed.json() == [] and CANARY not in listed.text
            other = client.get(f"/api/mitzeichnungen/{asked['id']}", headers=headers)
            assert other.status_code == 404 and CANARY not in other.text
        refused = _decide(client, asked["id"], pruefer, entscheidung="freigegeben")
        assert refused.status_code == 404 and CANARY not in refused.text
        [case] = client.get("/api/mitzeichnungen", headers=chefin).json()
        assert CANARY in case["betreff"]
        done = _decide(client, asked["id"], chefin, entscheidung="freigegeben", anmerkungen="Gut.")
        assert done.status_code == 200 and done.json()["notes"] == "Gut."


def test_the_routes_are_in_the_openapi_schema(store_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    server = _approval_server(store_dir, tmp_path)
    with server.client() as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/api/drafts/{draft_id}/mitzeichnung"]) == {"post"}
    assert set(paths["/api/drafts/{draft_id}/mitzeichnungen"]) == {"get"}
    assert set(paths["/api/mitzeichnungen"]) == {"get"}
    assert set(paths["/api/mitzeichnungen/{approval_id}"]) == {"get"}
    decide = paths["/api/mitzeichnungen/{approval_id}/entscheidung"]["post"]
    assert decide["tags"] == ["Mitzeichnung"]
    assert {"403", "404", "409", "422"} <= set(decide["responses"])
