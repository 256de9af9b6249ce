"""The local mode (no keys, no users: loopback only, no rights by default) and the rule
where the server may bind."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bind import BindError, check_bind, is_loopback
from assistant.settings import ServerSettings
from tests.api.access_app import BASE, assert_401, client, make_app, server


def local(**overrides: Any) -> ServerSettings:
    return ServerSettings.model_validate(overrides)


def test_local_mode_callers_have_no_rights_by_default() -> None:
    http = client(local())
    assert http.get("/api/wer").json() == {
        "name": "lokal",
        "kind": "local",
        "may_see_nonpublic": False,
        "may_ingest": False,
        "may_approve": False,
    }
    assert http.post("/api/drafts").status_code == 200  # no token needed, nobody logs in
    assert http.post("/api/ingest").status_code == 403
    granted = client(local(local_rights=["ingest"]))
    assert granted.post("/api/ingest").json()["may_ingest"] is True
    for host in ("http://localhost:8000", "http://[::1]:8000"):
        assert client(local(), base_url=host).get("/api/wer").status_code == 200


def test_local_mode_refuses_what_does_not_come_from_this_machine() -> None:
    rebinding = client(local(), base_url="http://boese.example:8000")
    answer = rebinding.get("/api/wer")
    assert (
        answer.status_code == 403 and "nur Anfragen von diesem Rechner" in answer.json()["detail"]
    )
    remote = TestClient(make_app(local()), base_url=BASE, client=("192.0.2.7", 40000))
    assert remote.get("/api/wer").status_code == 403
    http = client(local())
    foreign = http.post("/api/drafts", headers={"Origin": "http://boese.example"})
    assert foreign.status_code == 403 and "fremde" in foreign.json()["detail"]
    assert http.post("/api/drafts", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert http.post("/api/drafts", headers={"Origin": BASE}).status_code == 200


def test_with_keys_configured_loopback_requests_must_authenticate_too() -> None:
    assert_401(client(server(users=[])).get("/api/wer"))


def test_check_bind_allows_loopback_only_without_keys_and_users() -> None:
    bare = local()
    for host in ("127.0.0.1", "::1", "[::1]", "localhost", "127.0.0.2"):
        message = check_bind(host, bare)
        assert "nur für diesen Rechner" in message and "keine" in message
    assert "[::1]:8000" in check_bind("::1", bare)
    assert "ingest" in check_bind("127.0.0.1", local(local_rights=["ingest"]), port=9000)
    for host in ("0.0.0.0", "::", "192.168.1.5", "vorlagen.example.de", ""):
        with pytest.raises(BindError) as refused:
            check_bind(host, bare)
        assert "darf der Server nur auf 127.0.0.1" in str(refused.value)
    assert "2 API-Schlüssel, 1 Benutzer" in check_bind("0.0.0.0", server())
    assert "Anmeldung" in check_bind("0.0.0.0", server(users=[]), port=8080)


def test_is_loopback() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::ffff:127.0.0.1") and is_loopback("LOCALHOST")
    assert not is_loopback("0.0.0.0") and not is_loopback("localhost.example")
    assert not is_loopback("testclient") and not is_loopback("unbekannt")
