"""Users with sessions: login and logout, the session cookie (safe flags, tampering,
expiry, secrets), CSRF and cross-origin logins."""

from __future__ import annotations

import logging

import pytest
from itsdangerous import TimestampSigner

from api import sessions
from api.auth import Access, AccessSettingsError
from api.sessions import COOKIE_NAME, CSRF_HEADER
from tests.api.access_app import (
    ANNA_HASH,
    BASE,
    FAST,
    PASSWORD,
    assert_401,
    client,
    logged_in,
    server,
)


def test_login_sets_a_safe_cookie_and_the_session_is_a_user_caller() -> None:
    http = client()
    answer = http.post("/api/login", data={"name": "anna", "password": PASSWORD})
    assert answer.status_code == 200
    info = answer.json()
    assert info["name"] == "anna" and info["may_see_nonpublic"] and not info["may_ingest"]
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(COOKIE_NAME + "=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=3600" in cookie
    assert "Secure" not in cookie  # plain http on loopback
    assert http.get("/api/wer").json() == {
        "name": "anna",
        "kind": "user",
        "may_see_nonpublic": True,
        "may_ingest": False,
        "may_approve": False,
    }
    assert http.get("/api/session").json()["csrf_token"] == info["csrf_token"]


def test_the_cookie_is_secure_over_https() -> None:
    http = client(base_url="https://vorlagen.example.de")
    answer = http.post("/api/login", data={"name": "anna", "password": PASSWORD})
    assert answer.status_code == 200
    assert "Secure" in answer.headers["set-cookie"]


def test_a_wrong_password_or_an_unknown_user_gets_the_same_401() -> None:
    http = client()
    wrong = http.post("/api/login", data={"name": "anna", "password": "falsch"})
    unknown = http.post("/api/login", data={"name": "bert", "password": PASSWORD})
    assert_401(wrong, "Benutzername oder Passwort ist falsch.")
    assert_401(unknown, "Benutzername oder Passwort ist falsch.")
    assert "set-cookie" not in wrong.headers
    assert_401(http.get("/api/wer"))


def test_login_without_users_is_refused() -> None:
    http = client(server(users=[]))
    assert_401(http.post("/api/login", data={"name": "anna", "password": PASSWORD}))


def test_logout_ends_the_session() -> None:
    http = client()
    logged_in(http)
    answer = http.post("/api/logout")
    assert answer.status_code == 204
    assert (
        COOKIE_NAME in answer.headers["set-cookie"] and "Max-Age=0" in answer.headers["set-cookie"]
    )
    assert_401(http.get("/api/wer"), "Anmeldung erforderlich")
    assert_401(http.get("/api/session"))


def test_a_tampered_cookie_is_no_session() -> None:
    http = client()
    logged_in(http)
    value = http.cookies[COOKIE_NAME]
    payload, rest = value.split(".", 1)
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB")
    http.cookies.set(COOKIE_NAME, f"{forged}.{rest}", domain="127.0.0.1", path="/")
    assert_401(http.get("/api/wer"), "abgelaufen oder ungültig")
    http.cookies.set(COOKIE_NAME, "kein-cookie", domain="127.0.0.1", path="/")
    assert_401(http.get("/api/wer"), "abgelaufen oder ungültig")


def test_a_cookie_signed_with_another_secret_is_no_session() -> None:
    other = client(server(session_secret="t" * 40))
    logged_in(other)
    http = client()
    http.cookies.set(COOKIE_NAME, other.cookies[COOKIE_NAME], domain="127.0.0.1", path="/")
    assert_401(http.get("/api/wer"))


def test_an_expired_session_is_no_session(monkeypatch: pytest.MonkeyPatch) -> None:
    http = client()
    logged_in(http)
    assert http.get("/api/wer").status_code == 200
    now = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now(self) + 3601)
    assert_401(http.get("/api/wer"), "abgelaufen oder ungültig")


def test_a_new_password_or_a_removed_user_ends_the_sessions() -> None:
    first = client()
    logged_in(first)
    cookie = first.cookies[COOKIE_NAME]
    same = client()
    same.cookies.set(COOKIE_NAME, cookie, domain="127.0.0.1", path="/")
    assert same.get("/api/wer").status_code == 200  # same secret, same user: still valid
    changed = server(users=[{"name": "anna", "password_hash": FAST.hash("ein-neues-passwort")}])
    removed = server(users=[{"name": "bert", "password_hash": FAST.hash(PASSWORD)}])
    for config in (changed, removed):
        later = client(config)
        later.cookies.set(COOKIE_NAME, cookie, domain="127.0.0.1", path="/")
        assert_401(later.get("/api/wer"))


def test_rights_come_from_the_settings_not_from_the_cookie() -> None:
    first = client()
    logged_in(first)
    fewer = server(users=[{"name": "anna", "password_hash": ANNA_HASH, "rights": []}])
    http = client(fewer)
    http.cookies.set(COOKIE_NAME, first.cookies[COOKIE_NAME], domain="127.0.0.1", path="/")
    assert http.get("/api/wer").json()["may_see_nonpublic"] is False


def test_cookie_posts_need_the_csrf_token() -> None:
    http = client()
    token = logged_in(http)
    missing = http.post("/api/drafts")
    assert missing.status_code == 403
    assert "CSRF" in missing.json()["detail"] and "X-CSRF-Token" in missing.json()["detail"]
    assert (
        http.post(
            "/api/drafts", headers={CSRF_HEADER: ("y" if token[0] == "x" else "x") + token[1:]}
        ).status_code
        == 403
    )
    answer = http.post("/api/drafts", headers={CSRF_HEADER: token})
    assert answer.status_code == 200 and answer.json()["name"] == "anna"
    assert http.get("/api/wer").status_code == 200  # safe methods need no token
    refused = http.post("/api/ingest", headers={CSRF_HEADER: token})
    assert refused.status_code == 403 and "einlesen" in refused.json()["detail"]


def test_a_login_from_another_web_origin_is_refused() -> None:
    http = client()
    for headers in ({"Origin": "https://boese.example"}, {"Sec-Fetch-Site": "cross-site"}):
        answer = http.post(
            "/api/login", data={"name": "anna", "password": PASSWORD}, headers=headers
        )
        assert answer.status_code == 403 and "fremde" in answer.json()["detail"]
    same = http.post(
        "/api/login",
        data={"name": "anna", "password": PASSWORD},
        headers={"Origin": BASE, "Sec-Fetch-Site": "same-origin"},
    )
    assert same.status_code == 200


def test_without_a_configured_secret_logins_last_for_the_process(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(sessions, "_process_secret", None)
    caplog.set_level(logging.WARNING, logger="vorlagen.auth")
    first, second = client(server(session_secret=None)), client(server(session_secret=None))
    logged_in(first)
    second.cookies.set(COOKIE_NAME, first.cookies[COOKIE_NAME], domain="127.0.0.1", path="/")
    assert second.get("/api/wer").status_code == 200  # one process, one secret
    notes = [r.getMessage() for r in caplog.records if "session_secret" in r.getMessage()]
    assert len(notes) == 1 and "Neustart" in notes[0]
    # a configured secret is independent of the random one
    configured = client()
    configured.cookies.set(COOKIE_NAME, first.cookies[COOKIE_NAME], domain="127.0.0.1", path="/")
    assert_401(configured.get("/api/wer"))


def test_a_broken_password_hash_is_a_german_settings_error() -> None:
    config = server(users=[{"name": "anna", "password_hash": "$argon2id$kaputt"}])
    with pytest.raises(AccessSettingsError, match="kein gültiger argon2id-Hash"):
        Access(config)
