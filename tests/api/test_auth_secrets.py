"""Secrets never leak: not into the logs, not into reprs of the settings or the access."""

from __future__ import annotations

import logging

import pytest

from api.auth import Access
from api.sessions import COOKIE_NAME, CSRF_HEADER
from assistant.settings import Settings
from tests.api.access_app import PASSWORD, READER, SECRET, bearer, client, logged_in, server


def test_no_secret_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    config = server()
    http = client(config)
    http.get("/api/wer", headers=bearer(READER.key))
    http.get("/api/wer", headers=bearer(READER.key + "x"))
    http.post("/api/login", data={"name": "anna", "password": PASSWORD + "x"})
    http.post("/api/login", data={"name": PASSWORD, "password": PASSWORD})
    token = logged_in(http)
    cookie = http.cookies[COOKIE_NAME]
    http.post("/api/drafts")
    http.post("/api/drafts", headers={CSRF_HEADER: token})
    http.cookies.set(COOKIE_NAME, cookie[:-3] + "abc", domain="127.0.0.1", path="/")
    http.get("/api/wer")
    http.post("/api/logout")
    text = caplog.text
    assert "Anmeldung: anna" in text and "Ungültiger API-Schlüssel" in text
    assert "CSRF-Prüfung fehlgeschlagen für anna" in text
    secrets = [READER.key, READER.hash, PASSWORD, token, cookie, SECRET]
    secrets += [config.users[0].password_hash.get_secret_value()]
    for secret in secrets:
        assert secret not in text
        assert secret[7:40] not in text


def test_no_secret_in_reprs() -> None:
    config = server()
    settings = Settings(server=config)
    hidden = [READER.hash, SECRET, config.users[0].password_hash.get_secret_value()]
    for text in (repr(settings), str(settings), repr(config), repr(Access(config))):
        for secret in hidden:
            assert secret not in text and secret[7:40] not in text
